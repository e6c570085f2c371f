//! The top bar (scenario, mode and clock, discharge with trend, stage, the sparkline of the
//! discharges set) and the warning banner in the level's colour.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Sparkline, Widget};
use unicode_width::UnicodeWidthStr;

use super::{fit, level_colours, put};
use crate::app::App;
use crate::i18n::{self, Lang};
use floodgrid_engine::hydro::{GaugeUnit, WarningLevel};

/// The top bar.
pub fn top_bar(buf: &mut Buffer, area: Rect, app: &App) {
    if area.height == 0 {
        return;
    }
    let l = app.lang;
    let sc = app.engine().scenario();
    let name = match (l, &sc.config.name_en) {
        (Lang::En, Some(en)) => en.as_str(),
        _ => sc.config.name.as_str(),
    };
    let clock = app.clock();
    let narrow = area.width < 120;
    let mode = match app.driver() {
        Some(d) => {
            let speed = if app.drill_over {
                i18n::ENDED.get(l).to_string()
            } else if clock.paused {
                i18n::PAUSED.get(l).to_string()
            } else {
                format!("x{}", clock.speed)
            };
            let title = d.title(l);
            let title = if narrow {
                fit(&title, (area.width as usize).saturating_sub(60).max(6))
            } else {
                title
            };
            format!("{title} {} {speed}", i18n::clock(clock.now_min))
        }
        None => format!(
            "{} {}",
            i18n::MODE_WHATIF.get(l),
            i18n::clock(clock.now_min)
        ),
    };
    let a = &app.assessment;
    let (mark, word) = i18n::trend(l, app.trend());
    let q_style = match level_colours(a.level) {
        Some((bg, _)) => Style::default().fg(bg).add_modifier(Modifier::BOLD),
        None => Style::default().add_modifier(Modifier::BOLD),
    };
    let q = format!(
        " {} {} {mark} {word} ",
        i18n::DISCHARGE.get(l),
        i18n::discharge(a.discharge_m3s)
    );
    let stage = format!("| {} {:.2} m ", i18n::STAGE.get(l), a.stage_m);
    // Narrow screens keep the clock and the river; the product and scenario names go first.
    let head = if narrow {
        format!(" {mode} |")
    } else {
        format!(" floodgrid | {name} | {mode} |")
    };
    let spans = vec![
        Span::styled(head.clone(), Style::default().fg(Color::Gray)),
        Span::styled(q.clone(), q_style),
        Span::styled(stage.clone(), Style::default().fg(Color::Gray)),
    ];
    let used = head.width() + q.width() + stage.width();
    put(buf, area.x, area.y, area.width, spans);
    let rest = (area.width as usize).saturating_sub(used + 1);
    if rest >= 6 {
        let n = rest.min(app.history.len());
        let data: Vec<u64> = app.history[app.history.len() - n..]
            .iter()
            .map(|&q| q.max(0.0) as u64)
            .collect();
        let max = app
            .history
            .iter()
            .fold(sc.config.warning.design_discharge_m3s, |m, &q| m.max(q));
        let r = Rect::new(area.x + used as u16 + 1, area.y, rest as u16, 1);
        Sparkline::default()
            .data(&data)
            .max(max.max(1.0) as u64)
            .style(Style::default().fg(Color::LightBlue))
            .render(r, buf);
    }
}

/// The warning banner: the level in its colour, the response, the plan in numbers.
pub fn banner(buf: &mut Buffer, area: Rect, app: &App) {
    if area.height == 0 {
        return;
    }
    // What the commander must see first takes the line: the drill's end, an inject waiting for
    // its acknowledgement, the start prompt; otherwise the warning level.
    let l = app.lang;
    let w = area.width as usize;
    let special = if app.drill_over {
        Some((
            format!(" {} ", i18n::END_BANNER.get(l)),
            Style::default()
                .bg(Color::Magenta)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
        ))
    } else if let Some(i) = app.unacknowledged().last() {
        let a = &app.alarms[i];
        let sc = app.engine().scenario();
        let place = a
            .site
            .and_then(|s| sc.sites.get(s))
            .map(|s| s.name.clone())
            .or_else(|| a.grid.map(|g| app.grid_name(g).to_string()))
            .unwrap_or_default();
        let waiting = app.unacknowledged().count();
        let more = if waiting > 1 {
            format!(" (+{})", waiting - 1)
        } else {
            String::new()
        };
        Some((
            format!(
                " ! {} {} {place}{more} | {} ",
                i18n::clock(a.at_min),
                i18n::inject_kind(l, a.kind),
                i18n::BANNER_KEYS.get(l)
            ),
            Style::default()
                .bg(Color::LightRed)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
        ))
    } else {
        None
    };
    if let Some((text, style)) = special {
        buf.set_style(area, style);
        buf.set_stringn(area.x, area.y, fit(&text, w), w, style);
        return;
    }
    let l = app.lang;
    let a = &app.assessment;
    let s = &a.summary;
    let zh = l == Lang::Zh;
    let tasks = if zh {
        format!(
            "任务 {} 项，配齐 {}，缺 {} 人，缺料 {} 项",
            s.instances, s.assigned, s.people_short, s.materials_short
        )
    } else {
        format!(
            "{} tasks, {} staffed, {} people short, {} material lines short",
            s.instances, s.assigned, s.people_short, s.materials_short
        )
    };
    let evac = if zh {
        format!("转移 {} 人", a.evacuation.persons)
    } else {
        format!("{} persons to move", a.evacuation.persons)
    };
    let (text, style) = match level_colours(a.level) {
        None => (
            format!(" {} | {tasks} ", i18n::ROUTINE.get(l)),
            Style::default().fg(Color::Gray),
        ),
        Some((bg, fg)) => {
            // The level's threshold in the scenario's unit: `Q >= 4,000` or `水位 >= 46.10 m`.
            let warning = &app.engine().scenario().config.warning;
            let threshold = warning.threshold(a.level).map_or(0.0, |t| t.value);
            let response = a
                .response
                .as_deref()
                .map(|r| i18n::response(l, r))
                .unwrap_or_default();
            let since = match warning.unit() {
                GaugeUnit::Discharge => format!("Q >= {}", i18n::thousands(threshold)),
                GaugeUnit::Stage => format!("{} >= {threshold:.2} m", i18n::STAGE.get(l)),
            };
            let name = i18n::level_name(l, a.level);
            let text = if a.level == WarningLevel::None {
                format!(" {name} | {tasks} ")
            } else {
                format!(" {name} | {response} | {since} | {tasks} | {evac} ")
            };
            (
                text,
                Style::default().bg(bg).fg(fg).add_modifier(Modifier::BOLD),
            )
        }
    };
    buf.set_style(area, style);
    let shown = fit(&text, area.width as usize);
    buf.set_stringn(area.x, area.y, &shown, area.width as usize, style);
}
