//! Dialogs over the screen: dispatch (task, people, confirm), details of a task, a grid or a
//! resident, and the quit question during a drill.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Widget};

use super::{cell, centred, fit, pad_left, put, status_colour};
use crate::app::{
    App, BulkDialog, CallDialog, Dialog, DispatchDialog, DispatchStep, PushDialog, PushStep,
    ResidentStatus,
};
use crate::i18n::{self, Lang};
use floodgrid_engine::grid::ResidentKind;
use floodgrid_engine::response::Means;

/// A dialog frame with a title and a footer; returns the inside.
pub fn frame_box(buf: &mut Buffer, area: Rect, title: String, footer: &str) -> Rect {
    super::clear_popup(buf, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(Style::default().fg(Color::Yellow))
        .title_top(Line::from(Span::styled(
            format!(" {title} "),
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        )))
        .title_bottom(Line::from(Span::styled(
            format!(" {footer} "),
            Style::default().fg(Color::Gray),
        )));
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// A label / value line for detail dialogs.
fn field<'a>(label: &str, value: String, w: usize) -> Vec<Span<'a>> {
    vec![
        Span::styled(cell(label, 10), Style::default().fg(Color::Gray)),
        Span::raw(fit(&value, w.saturating_sub(10))),
    ]
}

/// Draws a dialog.
pub fn dialog(buf: &mut Buffer, screen: Rect, app: &App, d: &Dialog) {
    match d {
        Dialog::Dispatch(d) => dispatch(buf, screen, app, d),
        Dialog::Push(d) => push(buf, screen, app, d),
        Dialog::Task(id) => task(buf, screen, app, id),
        Dialog::Grid(g) => grid(buf, screen, app, *g),
        Dialog::Resident(r) => resident(buf, screen, app, *r),
        Dialog::Call(d) => call(buf, screen, app, d),
        Dialog::Bulk(d) => bulk(buf, screen, app, d),
        Dialog::ConfirmQuit => {
            let text = i18n::CONFIRM_QUIT.get(app.lang);
            let w = (unicode_width::UnicodeWidthStr::width(text) as u16 + 6).min(screen.width);
            let area = centred(screen, w, 5);
            let inner = frame_box(buf, area, "floodgrid".into(), "y / n");
            put(
                buf,
                inner.x + 1,
                inner.y + 1,
                inner.width.saturating_sub(2),
                vec![Span::styled(
                    text,
                    Style::default().add_modifier(Modifier::BOLD),
                )],
            );
        }
    }
}

fn lines(buf: &mut Buffer, inner: Rect, rows: Vec<Vec<Span<'_>>>) {
    for (k, spans) in rows.into_iter().enumerate() {
        if k as u16 >= inner.height {
            break;
        }
        put(buf, inner.x, inner.y + k as u16, inner.width, spans);
    }
}

fn dispatch(buf: &mut Buffer, screen: Rect, app: &App, d: &DispatchDialog) {
    let l = app.lang;
    let w = (screen.width * 9 / 10).clamp(20, 110);
    let h = (screen.height * 8 / 10).clamp(8, 40);
    let area = centred(screen, w, h);
    let (step_title, footer) = match d.step {
        DispatchStep::Task => (i18n::DISPATCH_PICK_TASK, i18n::DISPATCH_KEYS_TASK),
        DispatchStep::People => (i18n::DISPATCH_PICK_PEOPLE, i18n::DISPATCH_KEYS_PEOPLE),
        DispatchStep::Confirm => (i18n::DISPATCH_CONFIRM, i18n::DISPATCH_KEYS_CONFIRM),
    };
    let mut title = if d.reassign && d.step != DispatchStep::Confirm {
        i18n::REASSIGN.get(l).to_string()
    } else {
        format!("{}: {}", i18n::DISPATCH.get(l), step_title.get(l))
    };
    if !d.query.is_empty() {
        title.push_str(&format!(" /{}", d.query));
    }
    let footer = if d.step == DispatchStep::People {
        format!("{}  {}", footer.get(l), i18n::SEARCH_HINT.get(l))
    } else {
        footer.get(l).to_string()
    };
    let inner = frame_box(buf, area, title, &footer);
    let iw = inner.width as usize;
    let sc = app.engine().scenario();
    let picked = d.task.as_deref().and_then(|id| app.task(id));
    // Header: the instance (picked, or under the cursor).
    let current = picked.or_else(|| {
        d.tasks
            .get(d.task_cursor)
            .and_then(|&i| app.assessment.tasks.get(i))
    });
    let mut y = inner.y;
    if let Some(t) = current {
        put(
            buf,
            inner.x,
            y,
            inner.width,
            vec![
                Span::styled(
                    format!("{} ", i18n::status_tag(l, t.status)),
                    status_colour(t.status),
                ),
                Span::styled(
                    fit(app.title(t), iw.saturating_sub(5)),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
            ],
        );
        y += 1;
        let target = t
            .target
            .as_ref()
            .map(|x| x.name.clone())
            .unwrap_or_default();
        let need = if l == Lang::Zh {
            format!(
                "{}  需 {} 人  时限 {}",
                target,
                t.people_needed,
                i18n::due(t.deadline_min - app.clock().now_min)
            )
        } else {
            format!(
                "{}  needs {}  due {}",
                target,
                t.people_needed,
                i18n::due(t.deadline_min - app.clock().now_min)
            )
        };
        put(
            buf,
            inner.x,
            y,
            inner.width,
            vec![Span::styled(
                fit(&need, iw),
                Style::default().fg(Color::Gray),
            )],
        );
        y += 2;
    }
    if y >= inner.bottom() {
        return;
    }
    let list = Rect::new(inner.x, y, inner.width, inner.bottom() - y);
    let h = list.height as usize;
    match d.step {
        DispatchStep::Task => {
            let target_w = (iw / 4).min(24);
            let off = d.task_cursor.saturating_sub(h.saturating_sub(1));
            for (k, &i) in d.tasks.iter().enumerate().skip(off).take(h) {
                let t = &app.assessment.tasks[i];
                let yy = list.y + (k - off) as u16;
                let spans = vec![
                    Span::styled(
                        cell(i18n::status_tag(l, t.status), 5),
                        status_colour(t.status),
                    ),
                    Span::raw(cell(&t.card.priority.to_string(), 2)),
                    Span::raw(cell(app.title(t), iw.saturating_sub(7 + target_w))),
                    Span::styled(
                        cell(
                            &t.target
                                .as_ref()
                                .map(|x| x.name.clone())
                                .unwrap_or_default(),
                            target_w,
                        ),
                        Style::default().fg(Color::Gray),
                    ),
                ];
                put(buf, list.x, yy, list.width, spans);
                if k == d.task_cursor {
                    buf.set_style(
                        Rect::new(list.x, yy, list.width, 1),
                        Style::default().add_modifier(Modifier::REVERSED),
                    );
                }
            }
        }
        DispatchStep::People | DispatchStep::Confirm => {
            let confirm = d.step == DispatchStep::Confirm;
            let shown: Vec<usize> = (0..d.candidates.len())
                .filter(|&k| !confirm || d.candidates[k].chosen)
                .collect();
            let cursor = if confirm { usize::MAX } else { d.cursor };
            let off = if confirm {
                0
            } else {
                d.cursor.saturating_sub(h.saturating_sub(1))
            };
            for (row, &k) in shown.iter().enumerate().skip(off).take(h) {
                let c = &d.candidates[k];
                let p = &sc.people[c.person];
                let role = &sc.config.roles[p.role.ix()].id;
                let yy = list.y + (row - off) as u16;
                let mark = if c.chosen { "[x]" } else { "[ ]" };
                let load = if l == Lang::Zh {
                    format!("在办 {}", c.load)
                } else {
                    format!("load {}", c.load)
                };
                let mut spans = vec![
                    Span::styled(
                        format!("{mark} "),
                        Style::default().fg(if c.chosen { Color::Green } else { Color::Gray }),
                    ),
                    Span::styled(
                        cell(
                            if c.suggested {
                                i18n::SUGGESTED.get(l)
                            } else {
                                ""
                            },
                            10,
                        ),
                        Style::default().fg(Color::Yellow),
                    ),
                    Span::styled(
                        cell(&p.name, 8),
                        Style::default().add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(cell(app.role_name(role), 16)),
                    Span::styled(
                        cell(app.grid_name(p.grid.ix()), 18),
                        Style::default().fg(Color::Gray),
                    ),
                ];
                if iw >= 80 {
                    spans.push(Span::styled(
                        cell(&p.phone, 13),
                        Style::default().fg(Color::DarkGray),
                    ));
                }
                spans.push(Span::styled(load, Style::default().fg(Color::DarkGray)));
                put(buf, list.x, yy, list.width, spans);
                if k == cursor {
                    buf.set_style(
                        Rect::new(list.x, yy, list.width, 1),
                        Style::default().add_modifier(Modifier::REVERSED),
                    );
                }
            }
        }
    }
}

/// Wraps text to a width (by display columns), at most `max` lines, the last cut with `…`.
fn wrap(text: &str, width: usize, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut w = 0;
    for c in text.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw > width.max(1) {
            lines.push(std::mem::take(&mut line));
            w = 0;
        }
        line.push(c);
        w += cw;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max {
        lines.truncate(max);
        if let Some(last) = lines.last_mut() {
            let cut = fit(last, width.saturating_sub(1));
            *last = format!("{}…", cut.trim_end_matches('…'));
        }
    }
    lines
}

fn push(buf: &mut Buffer, screen: Rect, app: &App, d: &PushDialog) {
    let l = app.lang;
    let w = (screen.width * 9 / 10).clamp(20, 110);
    let h = (screen.height * 8 / 10).clamp(8, 30);
    let area = centred(screen, w, h);
    let (step_title, footer) = match d.step {
        PushStep::Message => (i18n::PUSH_PICK_MESSAGE, i18n::PUSH_KEYS),
        PushStep::Audience => (i18n::PUSH_PICK_AUDIENCE, i18n::PUSH_KEYS),
        PushStep::Confirm => (i18n::PUSH_CONFIRM, i18n::PUSH_KEYS_CONFIRM),
    };
    let inner = frame_box(
        buf,
        area,
        format!("{}: {}", i18n::PUSH.get(l), step_title.get(l)),
        footer.get(l),
    );
    let iw = inner.width as usize;
    let current = d
        .tasks
        .get(d.cursor)
        .and_then(|&i| app.assessment.tasks.get(i));
    let mut y = inner.y;
    if let Some(m) = current.and_then(|t| t.message.as_deref()) {
        for line in wrap(m, iw, 3) {
            put(
                buf,
                inner.x,
                y,
                inner.width,
                vec![Span::styled(line, Style::default().fg(Color::White))],
            );
            y += 1;
        }
        y += 1;
    }
    if y >= inner.bottom() {
        return;
    }
    let list = Rect::new(inner.x, y, inner.width, inner.bottom() - y);
    let h = list.height as usize;
    let row = |buf: &mut Buffer, k: usize, spans: Vec<Span<'_>>, selected: bool| {
        let yy = list.y + k as u16;
        put(buf, list.x, yy, list.width, spans);
        if selected {
            buf.set_style(
                Rect::new(list.x, yy, list.width, 1),
                Style::default().add_modifier(Modifier::REVERSED),
            );
        }
    };
    match d.step {
        PushStep::Message => {
            let off = d.cursor.saturating_sub(h.saturating_sub(1));
            for (k, &i) in d.tasks.iter().enumerate().skip(off).take(h) {
                let t = &app.assessment.tasks[i];
                let spans = vec![
                    Span::raw(cell(app.title(t), iw.saturating_sub(20))),
                    Span::styled(
                        cell(app.grid_name_by_id(&t.grid), 20),
                        Style::default().fg(Color::Gray),
                    ),
                ];
                row(buf, k - off, spans, k == d.cursor);
            }
        }
        PushStep::Audience | PushStep::Confirm => {
            for (k, a) in d.audiences.iter().enumerate().take(h) {
                let chosen = k == d.audience_cursor;
                if d.step == PushStep::Confirm && !chosen {
                    continue;
                }
                let k = if d.step == PushStep::Confirm { 0 } else { k };
                let kind = match a {
                    floodgrid_engine::drill::Audience::Grid { .. }
                    | floodgrid_engine::drill::Audience::Public { .. } => i18n::GRID.get(l),
                    floodgrid_engine::drill::Audience::Role { .. } => i18n::COL_PEOPLE.get(l),
                    floodgrid_engine::drill::Audience::Everyone => "",
                };
                let spans = vec![
                    Span::styled(cell(kind, 8), Style::default().fg(Color::Gray)),
                    Span::styled(
                        app.audience_name(a),
                        Style::default().add_modifier(Modifier::BOLD),
                    ),
                ];
                row(buf, k, spans, chosen && d.step == PushStep::Audience);
            }
        }
    }
}

fn task(buf: &mut Buffer, screen: Rect, app: &App, id: &str) {
    let l = app.lang;
    let Some(t) = app.task(id) else {
        return;
    };
    let area = centred(
        screen,
        (screen.width * 9 / 10).min(110),
        (screen.height * 8 / 10).max(10),
    );
    let inner = frame_box(buf, area, i18n::TASK_DETAILS.get(l).into(), "Enter / Esc");
    let w = inner.width as usize;
    let mut rows = vec![vec![Span::styled(
        fit(&t.card.title, w),
        Style::default().add_modifier(Modifier::BOLD),
    )]];
    if let Some(en) = &t.card.title_en {
        rows.push(vec![Span::styled(
            fit(en, w),
            Style::default().fg(Color::Gray),
        )]);
    }
    rows.push(vec![
        Span::styled(
            cell(i18n::STATUS.get(l), 10),
            Style::default().fg(Color::Gray),
        ),
        Span::styled(i18n::status_tag(l, t.status), status_colour(t.status)),
        Span::raw(format!(
            "   {} {}   {} {}",
            i18n::PRIORITY.get(l),
            t.card.priority,
            i18n::DEADLINE.get(l),
            i18n::due(t.deadline_min - app.clock().now_min)
        )),
    ]);
    rows.push(field(
        i18n::CATEGORY.get(l),
        format!(
            "{} / {}",
            app.category_name(&t.card.category),
            i18n::phase_name(l, t.card.phase)
        ),
        w,
    ));
    let target = t
        .target
        .as_ref()
        .map(|x| x.name.to_string())
        .unwrap_or_default();
    rows.push(field(
        i18n::COL_WHERE.get(l),
        format!("{target}  {}", app.grid_name_by_id(&t.grid)),
        w,
    ));
    let people = if t.assignees.is_empty() {
        i18n::NOBODY.get(l).to_string()
    } else {
        t.assignees
            .iter()
            .map(|a| {
                format!(
                    "{} {} {}",
                    a.person.name,
                    app.role_name(&a.person.role),
                    a.person.phone
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let short = if t.people_short > 0 {
        if l == Lang::Zh {
            format!("（缺 {} 人）", t.people_short)
        } else {
            format!(" ({} short)", t.people_short)
        }
    } else {
        String::new()
    };
    rows.push(field(
        i18n::ASSIGNEES.get(l),
        format!("{}/{}{short}: {people}", t.assignees.len(), t.people_needed),
        w,
    ));
    let materials = if t.materials.is_empty() {
        i18n::NONE.get(l).to_string()
    } else {
        t.materials
            .iter()
            .map(|m| {
                let from = m
                    .sources
                    .iter()
                    .map(|s| format!("{} {}", app.humanize(&format!("`{}`", s.depot)), s.quantity))
                    .collect::<Vec<_>>()
                    .join(", ");
                let name = app.material_name(&m.material);
                if m.short > 0.0 {
                    format!("{name} {} [{from}] -{}", m.quantity, m.short)
                } else {
                    format!("{name} {} [{from}]", m.quantity)
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    rows.push(field(i18n::MATERIALS.get(l), materials, w));
    if !t.depends_on.is_empty() {
        rows.push(field(
            i18n::DEPENDS.get(l),
            format!(
                "{}{}",
                if t.ready { "" } else { "(!) " },
                t.depends_on
                    .iter()
                    .map(|d| app.task_label(d))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            w,
        ));
    }
    if let Some(m) = &t.message {
        rows.push(field(i18n::MESSAGE.get(l), String::new(), w));
        // The message wraps: it is what gets pushed.
        let mut line = String::new();
        let mut width = 0;
        for c in m.chars() {
            let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if width + cw > w.saturating_sub(2) {
                rows.push(vec![Span::raw(format!("  {line}"))]);
                line.clear();
                width = 0;
            }
            line.push(c);
            width += cw;
        }
        if !line.is_empty() {
            rows.push(vec![Span::raw(format!("  {line}"))]);
        }
    }
    lines(buf, inner, rows);
}

fn grid(buf: &mut Buffer, screen: Rect, app: &App, g: usize) {
    let l = app.lang;
    let sc = app.engine().scenario();
    let Some(grid) = sc.grids.get(g) else {
        return;
    };
    let area = centred(
        screen,
        (screen.width * 8 / 10).min(96),
        (screen.height * 8 / 10).max(10),
    );
    let inner = frame_box(buf, area, i18n::GRID_DETAILS.get(l).into(), "Enter / Esc");
    let w = inner.width as usize;
    let mut rows = vec![vec![Span::styled(
        fit(app.grid_name(g), w),
        Style::default().add_modifier(Modifier::BOLD),
    )]];
    if let Some(p) = grid.parent {
        rows.push(field(
            i18n::PARENT.get(l),
            app.grid_name(p.ix()).to_string(),
            w,
        ));
    }
    let people: Vec<&floodgrid_engine::grid::Person> =
        sc.people.iter().filter(|p| p.grid.ix() == g).collect();
    let leaders: Vec<String> = people
        .iter()
        .filter(|p| sc.config.roles[p.role.ix()].leads_grid)
        .take(4)
        .map(|p| {
            format!(
                "{} {} {}",
                p.name,
                app.role_name(&sc.config.roles[p.role.ix()].id),
                p.phone
            )
        })
        .collect();
    rows.push(field(
        i18n::LEADER.get(l),
        if leaders.is_empty() {
            i18n::NOBODY.get(l).into()
        } else {
            leaders.join("; ")
        },
        w,
    ));
    rows.push(field(
        i18n::PEOPLE_IN_GRID.get(l),
        people.len().to_string(),
        w,
    ));
    if let Some(e) = app.assessment.exposure.get(g) {
        let text = if l == Lang::Zh {
            format!(
                "淹没 {:.2} km2（{:.0}%），最大水深 {:.1} m，涉水 {} 人，重点人员 {}，种植户 {}",
                e.flooded_km2,
                e.flooded_fraction * 100.0,
                e.max_depth_m,
                e.exposed_people,
                e.exposed_key_persons,
                e.exposed_households
            )
        } else {
            format!(
                "{:.2} km2 flooded ({:.0}%), max depth {:.1} m, {} people, {} key persons, {} households",
                e.flooded_km2,
                e.flooded_fraction * 100.0,
                e.max_depth_m,
                e.exposed_people,
                e.exposed_key_persons,
                e.exposed_households
            )
        };
        rows.push(field(i18n::EXPOSURE.get(l), text, w));
        if let Some(q) = e.wet_discharge_m3s {
            let t = if l == Lang::Zh {
                format!("流量 {} 起进水", i18n::discharge(q))
            } else {
                format!("wet from {}", i18n::discharge(q))
            };
            rows.push(field("", t, w));
        }
    }
    let open: Vec<_> = app
        .assessment
        .tasks
        .iter()
        .filter(|t| *t.grid == *grid.id && !t.status.is_finished())
        .collect();
    rows.push(field(i18n::OPEN_TASKS.get(l), open.len().to_string(), w));
    for t in open {
        rows.push(vec![
            Span::raw("  "),
            Span::styled(
                cell(i18n::status_tag(l, t.status), 5),
                status_colour(t.status),
            ),
            Span::raw(fit(app.title(t), w.saturating_sub(7))),
        ]);
    }
    lines(buf, inner, rows);
}

fn resident(buf: &mut Buffer, screen: Rect, app: &App, r: usize) {
    let l = app.lang;
    let sc = app.engine().scenario();
    let Some(res) = sc.residents.get(r) else {
        return;
    };
    let area = centred(screen, (screen.width * 8 / 10).min(90), 16);
    let inner = frame_box(
        buf,
        area,
        i18n::RESIDENT_DETAILS.get(l).into(),
        "Enter / Esc",
    );
    let w = inner.width as usize;
    let (category, class) = match &res.kind {
        ResidentKind::KeyPerson { category } => (category.as_str(), None),
        ResidentKind::Household {
            category,
            evac_class,
        } => (category.as_str(), Some(*evac_class)),
    };
    let status = app
        .key_rows
        .iter()
        .chain(app.household_rows.iter())
        .find(|x| x.resident == r);
    let mut rows = vec![vec![Span::styled(
        fit(&res.name, w),
        Style::default().add_modifier(Modifier::BOLD),
    )]];
    let mut cat = i18n::resident_category(l, category);
    if let Some(c) = class {
        cat.push_str(&format!("  {}{c}", i18n::CLASS.get(l)));
    }
    cat.push_str(&format!("  {} {}", res.size, i18n::PERSONS.get(l)));
    rows.push(field(i18n::CATEGORY.get(l), cat, w));
    rows.push(field(
        i18n::GRID.get(l),
        app.grid_name(res.grid.ix()).to_string(),
        w,
    ));
    rows.push(field(i18n::PHONE.get(l), res.phone.clone(), w));
    rows.push(field(i18n::NEEDS.get(l), res.needs.replace(';', ", "), w));
    if let Some(gd) = res.guardian.and_then(|p| sc.people.get(p.ix())) {
        rows.push(field(
            i18n::LEADER.get(l),
            format!("{} {}", gd.name, gd.phone),
            w,
        ));
    }
    let st = status.map(|s| s.status).unwrap_or(ResidentStatus::Safe);
    let st_text = match st {
        ResidentStatus::CutOff => i18n::RS_CUT_OFF,
        ResidentStatus::ToMove => i18n::RS_TO_MOVE,
        ResidentStatus::Moving => i18n::RS_MOVING,
        ResidentStatus::Out => i18n::RS_OUT,
        ResidentStatus::Safe => i18n::RS_SAFE,
    };
    rows.push(field(i18n::STATUS.get(l), st_text.get(l).into(), w));
    if let Some(e) = status
        .and_then(|s| s.evacuee)
        .and_then(|e| app.assessment.evacuation.evacuees.get(e))
    {
        let shelter = e
            .shelter
            .as_deref()
            .and_then(|id| sc.sites.iter().find(|s| s.id == id))
            .map(|s| s.name.clone())
            .unwrap_or_else(|| i18n::NONE.get(l).into());
        let means = match e.means {
            Means::OnFoot => i18n::MEANS_FOOT,
            Means::Bus => i18n::MEANS_BUS,
            Means::Ambulance => i18n::MEANS_AMBULANCE,
            Means::Boat => i18n::MEANS_BOAT,
        };
        rows.push(field(
            i18n::EVAC_ORDER.get(l),
            format!(
                "#{}  {} {}  {} {}",
                e.rank,
                i18n::SHELTER.get(l),
                shelter,
                i18n::MEANS.get(l),
                means.get(l)
            ),
            w,
        ));
        rows.push(field(
            i18n::LEADER.get(l),
            e.leader_name
                .as_deref()
                .unwrap_or(i18n::NOBODY.get(l))
                .to_string(),
            w,
        ));
        if let Some(m) = e.margin_m3s {
            rows.push(field(
                i18n::MARGIN.get(l),
                format!("{} m3/s", pad_left(&i18n::thousands(m), 7).trim_start()),
                w,
            ));
        }
    }
    lines(buf, inner, rows);
}

/// The direct-call dialog: everyone in the grid (and below), searchable, with their load.
fn call(buf: &mut Buffer, screen: Rect, app: &App, d: &CallDialog) {
    let l = app.lang;
    let w = (screen.width * 9 / 10).clamp(20, 90);
    let h = (screen.height * 7 / 10).clamp(6, 30);
    let area = centred(screen, w, h);
    let mut title = format!("{} {}", i18n::CALL.get(l), app.grid_name(d.grid));
    if !d.query.is_empty() {
        title.push_str(&format!(" /{}", d.query));
    }
    let footer = format!(
        "Enter {}  Esc  {}",
        i18n::EV_CALL.get(l),
        i18n::SEARCH_HINT.get(l)
    );
    let inner = frame_box(buf, area, title, &footer);
    let sc = app.engine().scenario();
    if d.people.is_empty() {
        put(
            buf,
            inner.x,
            inner.y,
            inner.width,
            vec![Span::styled(
                fit(i18n::NOBODY_THERE.get(l), inner.width as usize),
                Style::default().fg(Color::Gray),
            )],
        );
        return;
    }
    let iw = inner.width as usize;
    let h = inner.height as usize;
    let off = d.cursor.saturating_sub(h.saturating_sub(1));
    let (c_name, c_role, c_load) = (9, 17, 8);
    let c_grid = iw.saturating_sub(c_name + c_role + c_load);
    for (row, &p) in d.people.iter().enumerate().skip(off).take(h) {
        let person = &sc.people[p];
        let role = &sc.config.roles[person.role.ix()].id;
        let y = inner.y + (row - off) as u16;
        let spans = vec![
            Span::styled(
                super::cell(&person.name, c_name),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(super::cell(app.role_name(role), c_role)),
            Span::styled(
                super::cell(app.grid_name(person.grid.ix()), c_grid),
                Style::default().fg(Color::Gray),
            ),
            Span::styled(
                fit(
                    &format!("{} {}", i18n::COL_LOAD.get(l), app.person_load(p)),
                    c_load,
                ),
                Style::default().fg(Color::DarkGray),
            ),
        ];
        put(buf, inner.x, y, inner.width, spans);
        if row == d.cursor {
            buf.set_style(
                Rect::new(inner.x, y, inner.width, 1),
                Style::default().add_modifier(Modifier::REVERSED),
            );
        }
    }
}

/// The confirmation of a bulk action, with its count.
fn bulk(buf: &mut Buffer, screen: Rect, app: &App, d: &BulkDialog) {
    let l = app.lang;
    let what = i18n::bulk_name(l, d.kind);
    let text = if l == Lang::Zh {
        format!("对当前列表中的 {} 项任务{what}？", d.tasks.len())
    } else {
        format!("{what}: {} tasks of the list?", d.tasks.len())
    };
    let w = (unicode_width::UnicodeWidthStr::width(text.as_str()) as u16 + 6)
        .clamp(30, screen.width.max(1));
    let area = centred(screen, w, 5);
    let inner = frame_box(buf, area, i18n::BULK.get(l).into(), i18n::BULK_KEYS.get(l));
    put(
        buf,
        inner.x + 1,
        inner.y + 1,
        inner.width.saturating_sub(2),
        vec![Span::styled(
            fit(&text, inner.width.saturating_sub(2) as usize),
            Style::default().add_modifier(Modifier::BOLD),
        )],
    );
}
