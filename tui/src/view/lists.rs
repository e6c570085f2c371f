//! The list panes: key persons, floodplain households (counts by class, then the evacuation
//! order), the to-do list and the event log. Only the rows on screen are formatted.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{fit, pad, pad_left, pane_block, put, selected_style, status_colour};
use crate::app::{App, ListState, LogEvent, Pane, ResidentRow, ResidentStatus};
use crate::drill::Severity;
use crate::i18n::{self, Lang};
use floodgrid_engine::grid::ResidentKind;
use floodgrid_engine::response::Means;

fn title_line(parts: Vec<(String, Style)>, filter: &str, lang: Lang) -> Line<'static> {
    let mut spans: Vec<Span> = parts.into_iter().map(|(t, s)| Span::styled(t, s)).collect();
    if !filter.is_empty() {
        spans.push(Span::styled(
            format!("{} /{filter} ", i18n::FILTER.get(lang)),
            Style::default().fg(Color::Yellow),
        ));
    }
    Line::from(spans)
}

fn resident_tag(lang: Lang, s: ResidentStatus) -> (&'static str, Style) {
    let (t, c) = match s {
        ResidentStatus::CutOff => (i18n::RS_CUT_OFF, Color::LightRed),
        ResidentStatus::ToMove => (i18n::RS_TO_MOVE, Color::Yellow),
        ResidentStatus::Moving => (i18n::RS_MOVING, Color::Cyan),
        ResidentStatus::Out => (i18n::RS_OUT, Color::Green),
        ResidentStatus::Safe => (i18n::RS_SAFE, Color::DarkGray),
    };
    (t.get(lang), Style::default().fg(c))
}

/// Draws `rows` visible rows of a list with a selection; `line(i, width)` gives row `i`.
fn rows<'a>(
    buf: &mut Buffer,
    inner: Rect,
    state: &ListState,
    len: usize,
    focused: bool,
    mut line: impl FnMut(usize, usize) -> Vec<Span<'a>>,
) {
    let h = inner.height as usize;
    let off = state.scroll(len, h);
    for (k, i) in (off..len.min(off + h)).enumerate() {
        let y = inner.y + k as u16;
        put(buf, inner.x, y, inner.width, line(i, inner.width as usize));
        if i == state.selected {
            buf.set_style(
                Rect::new(inner.x, y, inner.width, 1),
                selected_style(focused),
            );
        }
    }
}

/// Key persons: status, name, category, grid.
pub fn key_persons(buf: &mut Buffer, area: Rect, app: &App) {
    let l = app.lang;
    let focused = app.focus == Pane::KeyPersons;
    let exposed = app
        .key_rows
        .iter()
        .filter(|r| r.status != ResidentStatus::Safe)
        .count();
    let title = title_line(
        vec![
            (
                format!(" {} {} ", i18n::KEY_PERSONS.get(l), app.key_rows.len()),
                Style::default(),
            ),
            (
                format!("{} {exposed} ", i18n::EXPOSED.get(l)),
                Style::default().fg(if exposed > 0 {
                    Color::LightRed
                } else {
                    Color::Gray
                }),
            ),
        ],
        &app.key_list.filter,
        l,
    );
    let block = pane_block(title, focused);
    let inner = block.inner(area);
    block.render(area, buf);
    let sc = app.engine().scenario();
    rows(
        buf,
        inner,
        &app.key_list,
        app.key_view.len(),
        focused,
        |i, w| {
            let row = &app.key_rows[app.key_view[i]];
            let r = &sc.residents[row.resident];
            let (tag, style) = resident_tag(l, row.status);
            let category = match &r.kind {
                ResidentKind::KeyPerson { category } => i18n::resident_category(l, category),
                _ => String::new(),
            };
            let rest = w.saturating_sub(7 + 7 + 9);
            vec![
                Span::styled(pad(tag, 7), style),
                Span::raw(pad(&r.name, 7)),
                Span::styled(pad(&category, 9), Style::default().fg(Color::Gray)),
                Span::styled(
                    fit(app.grid_name(r.grid.ix()), rest),
                    Style::default().fg(Color::DarkGray),
                ),
            ]
        },
    );
}

fn class_name(lang: Lang, class: usize) -> String {
    match lang {
        Lang::Zh => ["一类", "二类", "三类"]
            .get(class)
            .copied()
            .unwrap_or("")
            .to_string(),
        Lang::En => format!("class {}", class + 1),
    }
}

/// Households: counts by evacuation class, then the households on the evacuation list.
pub fn households(buf: &mut Buffer, area: Rect, app: &App) {
    let l = app.lang;
    let focused = app.focus == Pane::Households;
    let total: u32 = app.class_counts.iter().map(|c| c.total).sum();
    let title = title_line(
        vec![(
            format!(
                " {} {} {} ",
                i18n::HOUSEHOLDS.get(l),
                i18n::thousands(total as f64),
                i18n::HH_UNIT.get(l)
            ),
            Style::default(),
        )],
        &app.household_list.filter,
        l,
    );
    let block = pane_block(title, focused);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    let w = inner.width as usize;
    let first = if l == Lang::Zh { 6 } else { 8 };
    let col = (w.saturating_sub(first) / 4).max(2);
    let head = Style::default()
        .fg(Color::Gray)
        .add_modifier(Modifier::BOLD);
    let mut y = inner.y;
    let line = |buf: &mut Buffer, y: &mut u16, spans: Vec<Span>| {
        if *y < inner.bottom() {
            put(buf, inner.x, *y, inner.width, spans);
            *y += 1;
        }
    };
    line(
        buf,
        &mut y,
        vec![
            Span::styled(pad("", first), head),
            Span::styled(pad_left(i18n::COL_TOTAL.get(l), col - 1) + " ", head),
            Span::styled(pad_left(i18n::COL_TO_MOVE.get(l), col - 1) + " ", head),
            Span::styled(pad_left(i18n::COL_CUT_OFF.get(l), col - 1) + " ", head),
            Span::styled(pad_left(i18n::COL_MOVED.get(l), col - 1) + " ", head),
        ],
    );
    for (k, c) in app.class_counts.iter().enumerate() {
        let n = |v: u32, colour: Color| {
            Span::styled(
                pad_left(&v.to_string(), col - 1) + " ",
                Style::default().fg(if v > 0 { colour } else { Color::DarkGray }),
            )
        };
        line(
            buf,
            &mut y,
            vec![
                Span::raw(pad(&class_name(l, k), first)),
                Span::raw(pad_left(&c.total.to_string(), col - 1) + " "),
                n(c.to_move, Color::Yellow),
                n(c.cut_off, Color::LightRed),
                n(c.moved, Color::Green),
            ],
        );
    }
    let order = format!(
        "{} {}",
        i18n::EVAC_ORDER.get(l),
        if app.household_rows.is_empty() {
            i18n::NONE_TO_MOVE.get(l).to_string()
        } else {
            app.household_rows.len().to_string()
        }
    );
    line(
        buf,
        &mut y,
        vec![Span::styled(
            fit(&format!("-- {order} --"), w),
            Style::default().fg(Color::Gray),
        )],
    );
    if y >= inner.bottom() {
        return;
    }
    let list = Rect::new(inner.x, y, inner.width, inner.bottom() - y);
    let sc = app.engine().scenario();
    rows(
        buf,
        list,
        &app.household_list,
        app.household_view.len(),
        focused,
        |i, w| household_row(app, &app.household_rows[app.household_view[i]], w, sc),
    );
}

fn household_row<'a>(
    app: &'a App,
    row: &ResidentRow,
    w: usize,
    sc: &'a floodgrid_engine::scenario::Scenario,
) -> Vec<Span<'a>> {
    let l = app.lang;
    let r = &sc.residents[row.resident];
    let (tag, style) = resident_tag(l, row.status);
    let e = row
        .evacuee
        .and_then(|e| app.assessment.evacuation.evacuees.get(e));
    let rank = e.map(|e| e.rank.to_string()).unwrap_or_default();
    let class = match r.kind {
        ResidentKind::Household { evac_class, .. } => evac_class.to_string(),
        _ => String::new(),
    };
    let means = e
        .map(|e| match e.means {
            Means::OnFoot => i18n::MEANS_FOOT.get(l),
            Means::Bus => i18n::MEANS_BUS.get(l),
            Means::Ambulance => i18n::MEANS_AMBULANCE.get(l),
            Means::Boat => i18n::MEANS_BOAT.get(l),
        })
        .unwrap_or("");
    let shelter = e
        .and_then(|e| e.shelter.as_deref())
        .and_then(|id| sc.sites.iter().find(|s| s.id == id))
        .map(|s| s.name.as_str())
        .unwrap_or("-");
    let rest = w.saturating_sub(5 + 7 + 7 + 2 + 8);
    vec![
        Span::styled(pad_left(&rank, 4), Style::default().fg(Color::DarkGray)),
        Span::raw(" "),
        Span::styled(pad(tag, 7), style),
        Span::raw(pad(&r.name, 7)),
        Span::styled(pad(&class, 2), Style::default().fg(Color::Gray)),
        Span::raw(pad(means, 8)),
        Span::styled(fit(shelter, rest), Style::default().fg(Color::DarkGray)),
    ]
}

/// The to-do list.
pub fn todo(buf: &mut Buffer, area: Rect, app: &App) {
    let l = app.lang;
    let focused = app.focus == Pane::Todo;
    let s = &app.assessment.summary;
    let zh = l == Lang::Zh;
    let mut parts = vec![(
        format!(" {} {} ", i18n::TODO.get(l), s.instances),
        Style::default(),
    )];
    if !app.new_tasks.is_empty() {
        parts.push((
            if zh {
                format!("新 {} ", app.new_tasks.len())
            } else {
                format!("new {} ", app.new_tasks.len())
            },
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        ));
    }
    if s.people_short > 0 {
        parts.push((
            if zh {
                format!("缺 {} 人 ", s.people_short)
            } else {
                format!("{} people short ", s.people_short)
            },
            Style::default().fg(Color::LightRed),
        ));
    }
    let block = pane_block(title_line(parts, &app.todo.filter, l), focused);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    let w = inner.width as usize;
    let wide = w >= 110;
    // Columns: new, status, priority, due, title, target (wide), people, short (wide).
    let (c_new, c_stat, c_pri, c_due) = (4, 5, 2, 6);
    let c_people = if wide { 22 } else { 14 };
    let c_target = if wide { 20 } else { 0 };
    let c_short = if wide { 7 } else { 0 };
    let c_title = w.saturating_sub(c_new + c_stat + c_pri + c_due + c_people + c_target + c_short);
    let head = Style::default()
        .fg(Color::Gray)
        .add_modifier(Modifier::BOLD);
    let mut header = vec![
        Span::styled(pad("", c_new), head),
        Span::styled(pad(i18n::COL_STATUS.get(l), c_stat), head),
        Span::styled(pad("P", c_pri), head),
        Span::styled(pad(i18n::COL_DUE.get(l), c_due), head),
        Span::styled(pad(i18n::COL_TASK.get(l), c_title), head),
    ];
    if wide {
        header.push(Span::styled(pad(i18n::COL_WHERE.get(l), c_target), head));
    }
    header.push(Span::styled(pad(i18n::COL_PEOPLE.get(l), c_people), head));
    if wide {
        header.push(Span::styled(pad(i18n::COL_SHORT.get(l), c_short), head));
    }
    put(buf, inner.x, inner.y, inner.width, header);
    let list = Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1);
    let now = app.clock().now_min;
    rows(
        buf,
        list,
        &app.todo,
        app.todo_view.len(),
        focused,
        |i, _| {
            let t = &app.assessment.tasks[app.todo_view[i]];
            let new = app.new_tasks.contains(&*t.id);
            let title_style = if new {
                Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
            let mut people: String = t
                .assignees
                .iter()
                .take(3)
                .map(|a| a.person.name.as_ref())
                .collect::<Vec<_>>()
                .join(",");
            if t.assignees.len() > 3 {
                people.push_str(&format!("+{}", t.assignees.len() - 3));
            }
            if t.assignees.is_empty() {
                people = i18n::NOBODY.get(l).to_string();
            }
            let due_left = t.deadline_min - now;
            let due_style = if due_left < 0.0 {
                Style::default().fg(Color::Red)
            } else if due_left <= 30.0 {
                Style::default().fg(Color::Yellow)
            } else {
                Style::default().fg(Color::Gray)
            };
            let mut spans = vec![
                Span::styled(
                    pad(if new { i18n::NEW.get(l) } else { "" }, c_new),
                    Style::default().fg(Color::Black).bg(if new {
                        Color::Yellow
                    } else {
                        Color::Reset
                    }),
                ),
                Span::styled(
                    pad(i18n::status_tag(l, t.status), c_stat),
                    status_colour(t.status),
                ),
                Span::styled(
                    pad(&t.card.priority.to_string(), c_pri),
                    Style::default().fg(if t.card.priority <= 1 {
                        Color::LightRed
                    } else {
                        Color::Gray
                    }),
                ),
                Span::styled(pad(&i18n::due(due_left), c_due), due_style),
                Span::styled(pad(app.title(t), c_title), title_style),
            ];
            if wide {
                let target = t
                    .target
                    .as_ref()
                    .map(|x| x.name.as_ref())
                    .unwrap_or_else(|| app.grid_name_by_id(&t.grid));
                spans.push(Span::styled(
                    pad(target, c_target),
                    Style::default().fg(Color::Gray),
                ));
            }
            spans.push(Span::styled(
                pad(&people, c_people),
                Style::default().fg(if t.people_short > 0 {
                    Color::LightRed
                } else {
                    Color::Reset
                }),
            ));
            if wide {
                let short = if t.people_short > 0 {
                    if zh {
                        format!("缺{}人", t.people_short)
                    } else {
                        format!("-{}", t.people_short)
                    }
                } else {
                    String::new()
                };
                spans.push(Span::styled(
                    pad(&short, c_short),
                    Style::default().fg(Color::LightRed),
                ));
            }
            spans
        },
    );
}

/// The event log, newest at the bottom.
pub fn log(buf: &mut Buffer, area: Rect, app: &App) {
    let l = app.lang;
    let focused = app.focus == Pane::Log;
    let title = title_line(
        vec![(
            format!(" {} {} ", i18n::LOG.get(l), app.log.len()),
            Style::default(),
        )],
        &app.log_list.filter,
        l,
    );
    let block = pane_block(title, focused);
    let inner = block.inner(area);
    block.render(area, buf);
    rows(
        buf,
        inner,
        &app.log_list,
        app.log_view.len(),
        focused,
        |i, w| {
            let e = &app.log[app.log_view[i]];
            let style = match &e.event {
                LogEvent::Driver(n) => severity_style(n.severity),
                LogEvent::Refused { .. }
                | LogEvent::JournalError(_)
                | LogEvent::SituationRefused(_)
                | LogEvent::UnknownCommand(_)
                | LogEvent::NoSuchGrid(_) => Style::default().fg(Color::Yellow),
                LogEvent::Discharge {
                    level_from,
                    level_to,
                    ..
                } if level_to > level_from => Style::default()
                    .fg(Color::LightRed)
                    .add_modifier(Modifier::BOLD),
                _ => Style::default(),
            };
            vec![
                Span::styled(
                    format!("{} ", i18n::clock(e.at_min)),
                    Style::default().fg(Color::DarkGray),
                ),
                Span::styled(fit(&app.log_text(e), w.saturating_sub(8)), style),
            ]
        },
    );
}

/// The colour of a drill note or marker.
pub fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Normal => Style::default(),
        Severity::Attention => Style::default().fg(Color::Yellow),
        Severity::Danger => Style::default()
            .fg(Color::LightRed)
            .add_modifier(Modifier::BOLD),
        Severity::Resolved => Style::default().fg(Color::Green),
    }
}
