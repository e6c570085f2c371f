//! The commander's console on drill 02 (the design flood of 22,000 m³/s): the alarm queue
//! (acknowledge, dispatch from an alarm, go to it on the map), reassigning and calling, the
//! status line, the inject banner, the task tree and bulk actions, pop-ups over Chinese text,
//! the end of the drill; snapshots at 80×24 and 200×60 in both languages, and the rules every
//! drawn string keeps (English shows no Chinese but the scenario's names; no raw ids).

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use floodgrid_engine::drill::{Drill, DrillOptions, FileJournal};
use floodgrid_engine::plan::TaskStatus;
use floodgrid_tui::app::{Dialog, DispatchStep, Pane, TodoMode, TreeNode};
use floodgrid_tui::{Action, App, AppOptions, DrillSession, Lang, Message, update};
use ratatui::crossterm::event::KeyCode;

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 60)];

fn snap(name: &str, app: &App) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(app, w, h));
    }
}

/// Drill 02 in a console, with its journal in `dir` when given.
fn drill02(lang: Lang, dir: Option<&std::path::Path>) -> App<'static> {
    let engine = engine();
    let script = engine
        .scenario()
        .drills
        .iter()
        .find(|d| d.id.starts_with("02"))
        .cloned()
        .expect("drill 02");
    let journal = dir.map(|d| {
        Box::new(FileJournal::open(d.join("d02.jsonl")).expect("journal"))
            as Box<dyn floodgrid_engine::drill::JournalSink>
    });
    // The engine lives for the whole test binary.
    let engine: &'static std::sync::Arc<floodgrid_engine::assess::Engine> =
        Box::leak(Box::new(engine));
    let drill = Drill::new(
        engine,
        script,
        DrillOptions::default(),
        journal,
        "huayuankou",
    );
    App::new(
        engine.clone(),
        AppOptions {
            lang,
            driver: Some(Box::new(DrillSession::new(drill))),
            report_path: dir.map(|d| d.join("d02.report.md")),
            ..AppOptions::default()
        },
    )
}

/// Runs the clock at x60 until drill minute `to` (ticks of a wall minute: an hour each).
fn run_to(a: &mut App, to: f64) {
    if a.clock().paused {
        key(a, KeyCode::Char(' '));
    }
    type_line(a, ":speed 60");
    while a.clock().now_min < to && !a.drill_over {
        let left = (to - a.clock().now_min).min(60.0);
        update(a, Message::Tick(Duration::from_secs_f64(left)));
    }
    key(a, KeyCode::Char(' '));
}

#[test]
fn every_alarm_is_acknowledged_from_the_queue_and_journaled() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut a = drill02(Lang::En, Some(dir.path()));
    assert!(a.waiting_to_start());
    run_to(&mut a, 210.0);
    assert!(!a.waiting_to_start());
    // Injects at 60, 180 and the smart-stone alarm at 200 are in the queue; the banner holds
    // the newest waiting one.
    assert_eq!(a.alarms.len(), 3);
    assert!(a.alarms.iter().any(|x| x.sensor && !x.acknowledged));
    assert_eq!(a.unacknowledged().count(), 3);
    key(&mut a, KeyCode::Char('!'));
    assert_eq!(a.focus, Pane::Alarms);
    key(&mut a, KeyCode::Char('g'));
    for _ in 0..a.alarms.len() {
        key(&mut a, KeyCode::Char('x'));
        key(&mut a, KeyCode::Char('j'));
    }
    // Invariant: nothing waits, and each sensor alarm counts as acknowledged in the drill.
    assert_eq!(a.unacknowledged().count(), 0);
    assert!(a.alarms.iter().filter(|x| x.sensor).all(|x| x.acknowledged));
    // Acknowledging again adds no journal record.
    key(&mut a, KeyCode::Char('k'));
    key(&mut a, KeyCode::Char('x'));
    let journal = std::fs::read_to_string(dir.path().join("d02.jsonl")).expect("journal");
    let acks = journal
        .lines()
        .filter(|l| l.contains("\"acknowledge_alarm\""))
        .count();
    assert_eq!(
        acks,
        a.alarms.iter().filter(|x| x.sensor).count(),
        "{journal}"
    );
}

#[test]
fn dispatch_from_an_alarm_offers_the_tasks_at_its_site_and_enter_goes_to_its_grid() {
    let mut a = drill02(Lang::En, None);
    run_to(&mut a, 345.0);
    key(&mut a, KeyCode::Char('!'));
    key(&mut a, KeyCode::Char('G'));
    let item = a.alarm_list.selected;
    let alarm = a.alarms[item].clone();
    let grid = alarm
        .grid
        .expect("the root-stone inject is at a works in a grid");
    let sc = a.engine().scenario();
    let grid_id = sc.grids[grid].id.clone();
    let site_id = alarm.site.map(|s| sc.sites[s].id.clone());
    key(&mut a, KeyCode::Char('d'));
    let Some(Dialog::Dispatch(d)) = &a.dialog else {
        panic!("the dispatch dialog: {:?}", a.dialog)
    };
    assert_eq!(d.step, DispatchStep::Task);
    assert!(!d.tasks.is_empty());
    for &i in &d.tasks {
        let t = &a.assessment.tasks[i];
        assert!(
            *t.grid == *grid_id || t.target.as_ref().map(|x| x.id.to_string()) == site_id,
            "{} is not at the alarm",
            t.id
        );
    }
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.focus, Pane::Map);
    assert_eq!(a.selected_grid(), Some(grid));
}

#[test]
fn reassign_and_call_are_journaled_and_logged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut a = drill02(Lang::En, Some(dir.path()));
    run_to(&mut a, 60.0);
    // Bulk-dispatch what the list shows, then reassign the first sent task.
    let n = a.bulk_tasks(floodgrid_tui::app::BulkKind::Dispatch).len();
    assert!(n > 0);
    key(&mut a, KeyCode::Char('D'));
    assert!(matches!(&a.dialog, Some(Dialog::Bulk(b)) if b.tasks.len() == n));
    key(&mut a, KeyCode::Char('y'));
    let sent = a
        .todo_view
        .iter()
        .position(|&i| a.assessment.tasks[i].status == TaskStatus::Dispatched)
        .expect("a sent task");
    a.focus = Pane::Todo;
    a.todo.selected = sent;
    let task = a.selected_task().unwrap().id.to_string();
    key(&mut a, KeyCode::Char('r'));
    let Some(Dialog::Dispatch(d)) = &a.dialog else {
        panic!("the reassign picker")
    };
    assert!(d.reassign && d.candidates.iter().all(|c| !c.chosen));
    // Search the picker by role: every person offered matches.
    let role = {
        let sc = a.engine().scenario();
        let p = &sc.people[d.candidates[0].person];
        sc.config.roles[p.role.ix()].name.clone()
    };
    key(&mut a, KeyCode::Char('/'));
    for c in role.chars() {
        key(&mut a, KeyCode::Char(c));
    }
    key(&mut a, KeyCode::Enter);
    let Some(Dialog::Dispatch(d)) = &a.dialog else {
        panic!("still the picker")
    };
    assert!(!d.candidates.is_empty());
    for c in &d.candidates {
        assert!(a.person_matches(c.person, &role));
    }
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    assert!(a.dialog.is_none());
    // Call someone in the task's grid.
    key(&mut a, KeyCode::Char('t'));
    let Some(Dialog::Call(c)) = &a.dialog else {
        panic!("the call dialog")
    };
    assert!(!c.people.is_empty());
    key(&mut a, KeyCode::Enter);
    let journal = std::fs::read_to_string(dir.path().join("d02.jsonl")).expect("journal");
    let has = |kind: &str| {
        journal
            .lines()
            .any(|l| l.contains(&format!("\"kind\":\"{kind}\"")))
    };
    assert!(
        has("reassign") && has("call") && has("dispatch"),
        "{journal}"
    );
    assert!(journal.contains(&task));
    let log: Vec<String> = a.log.iter().map(|e| a.log_text(e)).collect();
    assert!(log.iter().any(|l| l.starts_with("Video call")), "{log:?}");
    assert!(
        log.iter().any(|l| l.starts_with("Bulk dispatch")),
        "{log:?}"
    );
}

#[test]
fn the_status_line_shows_the_last_error() {
    for lang in [Lang::En, Lang::Zh] {
        let mut a = app(lang);
        type_line(&mut a, ":flow abc");
        let s = screen(&a, 80, 24);
        let last = s.lines().nth(23).unwrap();
        assert!(last.contains("flow abc"), "{last}");
        let name = format!("status_error_{lang:?}").to_lowercase();
        snap(&name, &a);
    }
}

#[test]
fn alarm_queue_and_inject_banner_snapshots() {
    for lang in [Lang::En, Lang::Zh] {
        let mut a = drill02(lang, None);
        run_to(&mut a, 210.0);
        key(&mut a, KeyCode::Char('!'));
        let s = screen(&a, 80, 24);
        assert!(
            s.lines().nth(1).unwrap().contains(match lang {
                Lang::En => "smart-stone alarm",
                Lang::Zh => "智能石头报警",
            }),
            "{s}"
        );
        snap(&format!("alarm_queue_{lang:?}").to_lowercase(), &a);
    }
}

#[test]
fn task_tree_counts_add_up_and_snapshots() {
    for lang in [Lang::En, Lang::Zh] {
        let mut a = app(lang);
        type_line(&mut a, ":flow 22000");
        key(&mut a, KeyCode::Char('T'));
        assert_eq!(a.todo_mode, TodoMode::Tree);
        // Invariant: each level's total is the sum of its categories'; the levels together are
        // the whole list; open an instruction and its instances are its count.
        let levels: usize = a
            .tree_rows
            .iter()
            .filter(|r| r.depth == 0)
            .map(|r| r.counts.total)
            .sum();
        assert_eq!(levels, a.todo_view.len());
        for (k, r) in a.tree_rows.iter().enumerate() {
            if r.depth == 0 {
                let cats: usize = a.tree_rows[k + 1..]
                    .iter()
                    .take_while(|x| x.depth > 0)
                    .filter(|x| x.depth == 1)
                    .map(|x| x.counts.total)
                    .sum();
                assert_eq!(cats, r.counts.total);
                let c = r.counts;
                assert!(c.active + c.dispatched + c.done <= c.total);
            }
        }
        // Open the first category, then its first instruction.
        key(&mut a, KeyCode::Char('j'));
        key(&mut a, KeyCode::Enter);
        key(&mut a, KeyCode::Char('j'));
        key(&mut a, KeyCode::Enter);
        let row = a.tree_rows[a.todo.selected].clone();
        assert!(matches!(row.node, TreeNode::Instruction(_)));
        let shown = a.tree_rows[a.todo.selected + 1..]
            .iter()
            .take_while(|x| x.depth == 3)
            .count();
        assert_eq!(shown, row.counts.total);
        snap(&format!("task_tree_{lang:?}").to_lowercase(), &a);
        // A bulk action on a node covers its instances.
        assert_eq!(
            a.bulk_tasks(floodgrid_tui::app::BulkKind::Dispatch).len(),
            row.tasks
                .iter()
                .filter(|&&i| !a.assessment.tasks[i].assignees.is_empty()
                    && floodgrid_tui::app::dispatchable(a.assessment.tasks[i].status))
                .count()
        );
    }
}

/// The pop-up's frame: its rows from the top corner to the bottom one, and its left and right
/// columns. Asserts both border glyphs on every row.
fn assert_popup_borders(t: &ratatui::Terminal<ratatui::backend::TestBackend>, what: &str) {
    let buf = t.backend().buffer();
    let area = buf.area;
    let find = |glyph: &str| {
        (area.y..area.bottom()).find_map(|y| {
            (area.x..area.right())
                .find(|&x| buf[(x, y)].symbol() == glyph)
                .map(|x| (x, y))
        })
    };
    let (x0, y0) = find("╔").unwrap_or_else(|| panic!("{what}: no pop-up"));
    let (x1, y1) = find("╝").unwrap_or_else(|| panic!("{what}: no bottom corner"));
    assert_eq!(buf[(x0, y1)].symbol(), "╚", "{what}: bottom-left corner");
    assert_eq!(buf[(x1, y0)].symbol(), "╗", "{what}: top-right corner");
    for y in y0 + 1..y1 {
        assert_eq!(buf[(x0, y)].symbol(), "║", "{what}: left border, row {y}");
        assert_eq!(buf[(x1, y)].symbol(), "║", "{what}: right border, row {y}");
    }
}

#[test]
fn popups_over_chinese_keep_both_borders() {
    // The English console draws the same Chinese names (people, grids) under its pop-ups.
    for (lang, tag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
        let mut a = app(lang);
        type_line(&mut a, ":flow 22000");
        key(&mut a, KeyCode::Char('T'));
        key(&mut a, KeyCode::Char('T'));
        // Odd and even widths move the pop-up's edges across wide characters.
        for w in [80u16, 81, 99, 121, 140, 161, 200] {
            for h in [24u16, 60] {
                key(&mut a, KeyCode::Char('d'));
                assert_popup_borders(&draw(&a, w, h), &format!("{tag} dispatch {w}x{h}"));
                key(&mut a, KeyCode::Esc);
                key(&mut a, KeyCode::Char('q'));
                key(&mut a, KeyCode::Char('?'));
                assert_popup_borders(&draw(&a, w, h), &format!("{tag} help {w}x{h}"));
                key(&mut a, KeyCode::Esc);
            }
        }
        key(&mut a, KeyCode::Char('d'));
        snap(&format!("{tag}_popup_over_cjk"), &a);
    }
}

#[test]
fn the_end_of_the_drill_stops_the_clock_opens_the_report_and_quits_without_asking() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut a = drill02(Lang::En, Some(dir.path()));
    key(&mut a, KeyCode::Char(' '));
    type_line(&mut a, ":speed 600");
    for _ in 0..400 {
        update(&mut a, Message::Tick(Duration::from_secs(60)));
        if a.drill_over {
            break;
        }
    }
    assert!(a.drill_over);
    let end = a.clock().now_min;
    update(&mut a, Message::Tick(Duration::from_secs(600)));
    assert_eq!(a.clock().now_min, end, "the clock stops");
    assert!(a.report_open);
    let written = std::fs::read_to_string(dir.path().join("d02.report.md")).expect("report");
    assert_eq!(Some(&written), a.report.as_ref());
    // The banner, the report pane; then R closes it and shows the end banner alone.
    let s = screen(&a, 80, 24);
    assert!(s.lines().nth(1).unwrap().contains("Drill over"), "{s}");
    key(&mut a, KeyCode::Char('R'));
    assert!(!a.report_open);
    for lang in [Lang::En, Lang::Zh] {
        update(&mut a, Message::Action(Action::SetLang { lang }));
        snap(&format!("end_banner_{lang:?}").to_lowercase(), &a);
    }
    key(&mut a, KeyCode::Char('q'));
    assert!(a.quit && a.dialog.is_none());
}

/// Whether a character is CJK (ideographs, CJK punctuation, full-width forms).
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF)
}

/// The scenario's names (people, grids, sites, residents), longest first: the Chinese an
/// English screen may show.
fn names(a: &App) -> Vec<String> {
    let sc = a.engine().scenario();
    let mut v: Vec<String> = sc
        .people
        .iter()
        .map(|p| p.name.clone())
        .chain(sc.grids.iter().map(|g| g.name.clone()))
        .chain(sc.sites.iter().map(|s| s.name.clone()))
        .chain(sc.residents.iter().map(|r| r.name.clone()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    v.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    v
}

/// Whether text holds something shaped like a raw id (`blue.info.push`, `g.nandi.02`).
fn raw_id(line: &str) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_lowercase() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_lowercase() {
                i += 1;
            }
            if i + 1 < chars.len()
                && chars[i] == '.'
                && (chars[i + 1].is_ascii_lowercase() || chars[i + 1].is_ascii_digit())
            {
                let mut j = i + 1;
                while j < chars.len()
                    && (chars[j].is_ascii_lowercase()
                        || chars[j].is_ascii_digit()
                        || chars[j] == '_'
                        || chars[j] == '.')
                {
                    j += 1;
                }
                return Some(chars[start..j].iter().collect());
            }
        }
        i += 1;
    }
    None
}

/// The screens of a drill-02 run: list, tree, alarm queue, log filters, dialogs.
fn screens(lang: Lang) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut a = drill02(lang, None);
    let mut take = |a: &App, what: &str| {
        for (w, h) in SIZES {
            out.push((format!("{what} {w}x{h}"), screen(a, w, h)));
        }
    };
    take(&a, "start");
    for to in [210.0, 345.0, 560.0] {
        run_to(&mut a, to);
        take(&a, &format!("T{to}"));
        key(&mut a, KeyCode::Char('!'));
        take(&a, &format!("T{to} alarms"));
        key(&mut a, KeyCode::Char('T'));
        take(&a, &format!("T{to} tree"));
        key(&mut a, KeyCode::Char('T'));
        for _ in 0..5 {
            key(&mut a, KeyCode::Tab);
        }
        take(&a, &format!("T{to} log"));
        key(&mut a, KeyCode::BackTab);
        key(&mut a, KeyCode::BackTab);
        key(&mut a, KeyCode::BackTab);
        key(&mut a, KeyCode::BackTab);
        key(&mut a, KeyCode::BackTab);
    }
    key(&mut a, KeyCode::Char('D'));
    take(&a, "bulk");
    key(&mut a, KeyCode::Char('y'));
    take(&a, "after bulk");
    key(&mut a, KeyCode::Char('t'));
    take(&a, "call");
    key(&mut a, KeyCode::Enter);
    take(&a, "after call");
    key(&mut a, KeyCode::Char('d'));
    key(&mut a, KeyCode::Enter);
    take(&a, "dispatch people");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    out
}

#[test]
fn english_screens_show_no_chinese_but_names_and_no_screen_shows_a_raw_id() {
    let probe = drill02(Lang::En, None);
    let names = names(&probe);
    for lang in [Lang::En, Lang::Zh] {
        for (what, s) in screens(lang) {
            for line in s.lines() {
                if let Some(id) = raw_id(line) {
                    panic!("{lang:?} {what}: raw id {id:?} in {line:?}");
                }
                if lang == Lang::En {
                    // Every piece of Chinese is made of whole scenario names, or is the start of
                    // one cut with "…" — not any fragment that happens to occur inside a name
                    // (event lines are rendered from their details, so no engine prose shows).
                    let seps = |c: char| c.is_whitespace() || ",;:()[]│┃".contains(c);
                    for token in line.split(seps).filter(|t| t.chars().any(is_cjk)) {
                        let ok = match token.strip_suffix('…') {
                            Some(cut) => names.iter().any(|n| n.starts_with(cut)),
                            None => {
                                let mut rest = token.to_string();
                                for n in &names {
                                    rest = rest.replace(n.as_str(), " ");
                                }
                                !rest.chars().any(is_cjk)
                            }
                        };
                        assert!(
                            ok,
                            "{what}: Chinese that is not a name ({token:?}) in {line:?}"
                        );
                    }
                }
            }
        }
    }
}

fn mouse(a: &mut App, kind: ratatui::crossterm::event::MouseEventKind, column: u16, row: u16) {
    update(
        a,
        Message::Mouse(ratatui::crossterm::event::MouseEvent {
            kind,
            column,
            row,
            modifiers: ratatui::crossterm::event::KeyModifiers::NONE,
        }),
    );
}

#[test]
fn a_click_selects_the_row_or_the_grid_under_it_and_the_wheel_scrolls() {
    use ratatui::crossterm::event::{MouseButton, MouseEventKind};
    let mut a = app(Lang::En);
    type_line(&mut a, ":flow 22000");
    for (w, h) in SIZES {
        draw(&a, w, h);
        let areas = floodgrid_tui::view::areas(ratatui::layout::Rect::new(0, 0, w, h));
        // The fourth row of the to-do list (below the frame and the header).
        a.focus = Pane::Map;
        a.todo.selected = 0;
        mouse(
            &mut a,
            MouseEventKind::Down(MouseButton::Left),
            areas.todo.x + 10,
            areas.todo.y + 2 + 3,
        );
        assert_eq!(a.focus, Pane::Todo);
        assert_eq!(a.todo.selected, a.todo.offset.get() + 3);
        // The wheel moves the selection three rows at a time.
        mouse(
            &mut a,
            MouseEventKind::ScrollDown,
            areas.todo.x + 10,
            areas.todo.y + 3,
        );
        assert_eq!(a.todo.selected, a.todo.offset.get() + 6);
        // Every cell of the map that shows a working grid selects that grid.
        draw(&a, w, h);
        let m = areas.map;
        let mut picked = 0;
        for y in m.y + 1..m.bottom() - 1 {
            for x in (m.x + 1..m.right() - 1).step_by(3) {
                let under = a.map_cache.borrow().grid_at_cell(x, y);
                let Some(g) = under.filter(|&g| a.map_view.contains(&g)) else {
                    continue;
                };
                mouse(&mut a, MouseEventKind::Down(MouseButton::Left), x, y);
                assert_eq!(a.focus, Pane::Map);
                assert_eq!(a.selected_grid(), Some(g));
                picked += 1;
            }
        }
        assert!(picked > 10, "{picked} clicks on grids at {w}x{h}");
    }
}
