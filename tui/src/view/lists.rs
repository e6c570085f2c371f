//! The list panes: key persons, floodplain households (counts by class, then the evacuation
//! order), the to-do list and the event log. Only the rows on screen are formatted.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{cell, fit, pad_left, pane_block, put, selected_style, status_colour};
use crate::app::{App, ListState, Pane, ResidentRow, ResidentStatus};
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
            let rest = w.saturating_sub(7 + 7 + 10);
            vec![
                Span::styled(cell(tag, 7), style),
                Span::raw(cell(&r.name, 7)),
                Span::styled(cell(&category, 10), Style::default().fg(Color::Gray)),
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
            Span::styled(cell("", first), head),
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
                Span::raw(cell(&class_name(l, k), first)),
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
        Span::styled(cell(tag, 7), style),
        Span::raw(cell(&r.name, 7)),
        Span::styled(cell(&class, 2), Style::default().fg(Color::Gray)),
        Span::raw(cell(means, 8)),
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
    if app.todo_mode == crate::app::TodoMode::Tree {
        parts.push((
            format!("{} ", i18n::TREE.get(l)),
            Style::default().fg(Color::Cyan),
        ));
    }
    let block = pane_block(title_line(parts, &app.todo.filter, l), focused);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    if app.todo_mode == crate::app::TodoMode::Tree {
        return todo_tree(buf, inner, app, focused);
    }
    let w = inner.width as usize;
    let wide = w >= 110;
    // Columns: new, status, priority, due, title, target (wide), people, short (wide).
    let (c_new, c_stat, c_pri, c_due) = (4, 5, 2, 7);
    let c_people = if wide { 22 } else { 14 };
    let c_target = if wide { 20 } else { 0 };
    let c_short = if wide { 7 } else { 0 };
    let c_title = w.saturating_sub(c_new + c_stat + c_pri + c_due + c_people + c_target + c_short);
    let head = Style::default()
        .fg(Color::Gray)
        .add_modifier(Modifier::BOLD);
    let mut header = vec![
        Span::styled(cell("", c_new), head),
        Span::styled(cell(i18n::COL_STATUS.get(l), c_stat), head),
        Span::styled(cell("P", c_pri), head),
        Span::styled(cell(i18n::COL_DUE.get(l), c_due), head),
        Span::styled(cell(i18n::COL_TASK.get(l), c_title), head),
    ];
    if wide {
        header.push(Span::styled(cell(i18n::COL_WHERE.get(l), c_target), head));
    }
    header.push(Span::styled(cell(i18n::COL_PEOPLE.get(l), c_people), head));
    if wide {
        header.push(Span::styled(cell(i18n::COL_SHORT.get(l), c_short), head));
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
                    cell(if new { i18n::NEW.get(l) } else { "" }, c_new),
                    Style::default().fg(Color::Black).bg(if new {
                        Color::Yellow
                    } else {
                        Color::Reset
                    }),
                ),
                Span::styled(
                    cell(i18n::status_tag(l, t.status), c_stat),
                    status_colour(t.status),
                ),
                Span::styled(
                    cell(&t.card.priority.to_string(), c_pri),
                    Style::default().fg(if t.card.priority <= 1 {
                        Color::LightRed
                    } else {
                        Color::Gray
                    }),
                ),
                Span::styled(cell(&i18n::due(due_left), c_due), due_style),
                Span::styled(cell(app.title(t), c_title), title_style),
            ];
            if wide {
                let target = t
                    .target
                    .as_ref()
                    .map(|x| x.name.as_ref())
                    .unwrap_or_else(|| app.grid_name_by_id(&t.grid));
                spans.push(Span::styled(
                    cell(target, c_target),
                    Style::default().fg(Color::Gray),
                ));
            }
            spans.push(Span::styled(
                cell(&people, c_people),
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
                    cell(&short, c_short),
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
    let mut parts = vec![(
        format!(" {} {} ", i18n::LOG.get(l), app.log.len()),
        Style::default(),
    )];
    if app.log_filter != crate::app::LogFilter::All {
        parts.push((
            format!("f:{} ", i18n::log_filter(l, app.log_filter)),
            Style::default().fg(Color::Yellow),
        ));
    }
    let title = title_line(parts, &app.log_list.filter, l);
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
            let style = severity_style(app.log_severity(e));
            let count = app.log_counts.get(i).copied().unwrap_or(1);
            let text = if count > 1 {
                format!("(x{count}) {}", app.log_text(e))
            } else {
                app.log_text(e)
            };
            let clock = format!("{} ", i18n::clock(e.at_min));
            let cw = unicode_width::UnicodeWidthStr::width(clock.as_str());
            vec![
                Span::styled(clock, Style::default().fg(Color::DarkGray)),
                Span::styled(fit(&text, w.saturating_sub(cw)), style),
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

/// The alarm queue: each inject or alarm that reached the commander, newest last, with whether
/// it waits for an acknowledgement, its kind, where and when.
pub fn alarms(buf: &mut Buffer, area: Rect, app: &App) {
    let l = app.lang;
    let focused = app.focus == Pane::Alarms;
    let waiting = app.unacknowledged().count();
    let title = title_line(
        vec![
            (
                format!(" {} {} ", i18n::ALARMS.get(l), app.alarms.len()),
                Style::default(),
            ),
            (
                format!("{} {waiting} ", i18n::ALARM_NEW.get(l)),
                Style::default().fg(if waiting > 0 {
                    Color::LightRed
                } else {
                    Color::Gray
                }),
            ),
        ],
        "",
        l,
    );
    let block = pane_block(title, focused).title_bottom(Line::from(Span::styled(
        format!(" {} ", i18n::ALARM_HINT.get(l)),
        Style::default().fg(Color::DarkGray),
    )));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    if app.alarms.is_empty() {
        put(
            buf,
            inner.x,
            inner.y,
            inner.width,
            vec![Span::styled(
                fit(i18n::NO_ALARMS.get(l), inner.width as usize),
                Style::default().fg(Color::DarkGray),
            )],
        );
        return;
    }
    let sc = app.engine().scenario();
    rows(
        buf,
        inner,
        &app.alarm_list,
        app.alarms.len(),
        focused,
        |i, w| {
            let a = &app.alarms[i];
            let acked = app.is_acknowledged(i);
            let (tag, style) = if acked {
                (i18n::ALARM_ACKED.get(l), Style::default().fg(Color::Green))
            } else {
                (
                    i18n::ALARM_NEW.get(l),
                    Style::default()
                        .fg(Color::LightRed)
                        .add_modifier(Modifier::BOLD),
                )
            };
            let place = a
                .site
                .and_then(|s| sc.sites.get(s))
                .map(|s| s.name.clone())
                .or_else(|| a.grid.map(|g| app.grid_name(g).to_string()))
                .unwrap_or_default();
            let clock = i18n::clock(a.at_min);
            let (c_tag, c_clock, c_kind) = (7, clock.len() + 1, 15);
            let c_place = w.saturating_sub(c_tag + c_clock + c_kind);
            vec![
                Span::styled(super::cell(tag, c_tag), style),
                Span::styled(
                    super::cell(&clock, c_clock),
                    Style::default().fg(Color::DarkGray),
                ),
                Span::raw(super::cell(i18n::inject_kind(l, a.kind), c_kind)),
                Span::styled(fit(&place, c_place), Style::default().fg(Color::Gray)),
            ]
        },
    );
}

/// The task tree: level, category, instruction, instances, each with its counts (active,
/// dispatched, done, overdue); `+` marks a folded node, `-` an open one.
fn todo_tree(buf: &mut Buffer, inner: Rect, app: &App, focused: bool) {
    use crate::app::TreeNode;
    let l = app.lang;
    let w = inner.width as usize;
    let head = Style::default()
        .fg(Color::Gray)
        .add_modifier(Modifier::BOLD);
    let c_n = 7;
    let counts_w = c_n * 4;
    let c_label = w.saturating_sub(counts_w);
    put(
        buf,
        inner.x,
        inner.y,
        inner.width,
        vec![
            Span::styled(super::cell(i18n::COL_TASK.get(l), c_label), head),
            Span::styled(pad_left(i18n::COL_ACTIVE.get(l), c_n - 1) + " ", head),
            Span::styled(pad_left(i18n::COL_SENT.get(l), c_n - 1) + " ", head),
            Span::styled(pad_left(i18n::COL_DONE.get(l), c_n - 1) + " ", head),
            Span::styled(pad_left(i18n::COL_LATE.get(l), c_n - 1) + " ", head),
        ],
    );
    let list = Rect::new(
        inner.x,
        inner.y + 1,
        inner.width,
        inner.height.saturating_sub(1),
    );
    let now = app.clock().now_min;
    rows(
        buf,
        list,
        &app.todo,
        app.tree_rows.len(),
        focused,
        |i, _| {
            let r = &app.tree_rows[i];
            let indent = "  ".repeat(r.depth as usize);
            let open = match r.node {
                TreeNode::Task(_) => " ",
                TreeNode::Level(_) if !app.folded.contains(&r.key) => "-",
                TreeNode::Level(_) => "+",
                _ if app.expanded.contains(&r.key) => "-",
                _ => "+",
            };
            let (label, style) = match &r.node {
                TreeNode::Level(p) => (
                    i18n::phase_name(l, *p).to_string(),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                TreeNode::Category(c) => (
                    app.category_name(c).to_string(),
                    Style::default().fg(Color::Cyan),
                ),
                TreeNode::Instruction(id) => {
                    (app.instruction_title(id).to_string(), Style::default())
                }
                TreeNode::Task(t) => {
                    let t = &app.assessment.tasks[*t];
                    let place = t
                        .target
                        .as_ref()
                        .map(|x| x.name.to_string())
                        .unwrap_or_else(|| app.grid_name_by_id(&t.grid).to_string());
                    let due = i18n::due(t.deadline_min - now);
                    (
                        format!("{} {place} {due}", i18n::status_tag(l, t.status)),
                        status_colour(t.status),
                    )
                }
            };
            let n = |v: usize, colour: Color| {
                Span::styled(
                    pad_left(&v.to_string(), c_n - 1) + " ",
                    Style::default().fg(if v > 0 { colour } else { Color::DarkGray }),
                )
            };
            let c = r.counts;
            vec![
                Span::styled(
                    super::cell(&format!("{indent}{open} {label} ({})", c.total), c_label),
                    style,
                ),
                n(c.active, Color::White),
                n(c.dispatched, Color::Cyan),
                n(c.done, Color::Green),
                n(c.overdue, Color::LightRed),
            ]
        },
    );
}
