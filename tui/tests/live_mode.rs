//! Live mode without a terminal: feed lines go into temporary files, ticks read them, and the
//! level (from the tracker, with its hysteresis), the trend, the event log, the hazards, the task
//! records and the map markers follow. Malformed and partial lines, files that appear late, and
//! the commander's actions in live mode.

mod common;

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use floodgrid_engine::drill::{Action as DrillAction, EventKind, JournalRecord, read_journal};
use floodgrid_engine::hydro::{Trend, WarningLevel};
use floodgrid_engine::plan::TaskStatus;
use floodgrid_tui::app::LogEvent;
use floodgrid_tui::live::{FeedFile, parse_rfc3339};
use floodgrid_tui::{
    Action, App, AppOptions, Journal, Lang, LiveFeed, MapMarker, Message, Severity, update,
};

/// Appends text to a file (created when missing).
fn append(path: &Path, text: &str) {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("feed file");
    f.write_all(text.as_bytes()).expect("write");
}

/// A gauge line at `08:00 + minutes` local time.
fn reading(minutes: u32, q: f64) -> String {
    format!(
        "{{\"time\": \"2026-07-20T{:02}:{:02}:00+08:00\", \"discharge_m3s\": {q}, \"station\": \"huayuankou\"}}\n",
        8 + minutes / 60,
        minutes % 60
    )
}

struct Feed {
    _dir: tempfile::TempDir,
    gauge: PathBuf,
    reports: PathBuf,
}

fn feed() -> Feed {
    let dir = tempfile::tempdir().expect("temp dir");
    Feed {
        gauge: dir.path().join("gauge.jsonl"),
        reports: dir.path().join("reports.jsonl"),
        _dir: dir,
    }
}

fn live_app(f: &Feed, lang: Lang, journal: Option<Box<dyn Journal>>) -> App<'static> {
    let driver = LiveFeed::new(engine(), &f.gauge, Some(f.reports.clone()));
    App::new(
        engine(),
        AppOptions {
            lang,
            journal,
            driver: Some(Box::new(driver)),
            ..AppOptions::default()
        },
    )
}

fn tick(a: &mut App, seconds: u64) {
    update(a, Message::Tick(Duration::from_secs(seconds)));
}

/// The event log as the commander reads it.
fn log(a: &App) -> Vec<String> {
    a.log.iter().map(|e| a.log_text(e)).collect()
}

fn markers(a: &App) -> Vec<MapMarker> {
    a.driver().map(|d| d.markers()).unwrap_or_default()
}

#[test]
fn a_rising_feed_raises_the_level_through_the_tracker_and_the_trend_rises() {
    let f = feed();
    let mut text = String::new();
    for (k, q) in [3_000.0, 4_500.0, 6_500.0, 11_000.0, 16_000.0, 22_000.0]
        .into_iter()
        .enumerate()
    {
        text.push_str(&reading(k as u32 * 30, q));
    }
    append(&f.gauge, &text);
    let mut a = live_app(&f, Lang::En, None);
    tick(&mut a, 0);
    assert_eq!(a.situation.discharge_m3s, 22_000.0);
    assert_eq!(a.situation.level, Some(WarningLevel::Red));
    assert_eq!(a.assessment.level, WarningLevel::Red);
    assert_eq!(a.assessment.trend, Trend::Rising);
    assert_eq!(a.trend(), Trend::Rising);
    assert_eq!(a.clock().now_min, 150.0, "minute 0 is the first time read");
    assert_eq!((a.situation.month, a.situation.hour), (7, 10));
    // The red orders head the to-do list, marked new.
    let first = &a.assessment.tasks[a.todo_view[0]];
    assert!(first.card.instruction.starts_with("red."), "{}", first.id);
    assert!(a.new_tasks.contains(&*first.id));
    // Every level change is in the log.
    let lines = log(&a).join("\n");
    assert!(lines.contains("Console started"), "{lines}");
    assert!(lines.contains("live"), "{lines}");
    for l in [
        "BLUE WARNING",
        "YELLOW WARNING",
        "ORANGE WARNING",
        "RED WARNING",
    ] {
        assert!(lines.contains(&format!("-> {l}")), "{l}: {lines}");
    }
    let shown = screen(&a, 80, 24);
    assert!(shown.contains("RED WARNING"), "{shown}");
    assert!(shown.contains("live 10:30"), "{shown}");
}

#[test]
fn a_fall_inside_the_band_keeps_red_until_the_dwell_has_passed() {
    let f = feed();
    append(&f.gauge, &(reading(0, 16_000.0) + &reading(10, 14_500.0)));
    let mut a = live_app(&f, Lang::En, None);
    tick(&mut a, 0);
    // 14,500 is orange by the entry rule; the tracker holds red inside the band.
    assert_eq!(a.situation.discharge_m3s, 14_500.0);
    assert_eq!(a.assessment.level, WarningLevel::Red);
    // Below red's exit (14,200) the dwell (120 min) starts; red holds until it has passed.
    append(&f.gauge, &(reading(20, 13_000.0) + &reading(100, 13_000.0)));
    tick(&mut a, 1);
    assert_eq!(a.assessment.level, WarningLevel::Red);
    append(&f.gauge, &reading(140, 13_000.0));
    tick(&mut a, 1);
    assert_eq!(a.assessment.level, WarningLevel::Orange);
    assert_eq!(a.assessment.trend, Trend::Falling);
    assert!(log(&a).iter().any(|l| l.contains("RED WARNING -> ORANGE")));
}

#[test]
fn a_partial_last_line_is_read_once_its_newline_arrives() {
    let f = feed();
    append(&f.gauge, &reading(0, 5_000.0));
    let half = reading(5, 12_000.0);
    let (head, tail) = half.split_at(30);
    append(&f.gauge, head);
    let mut a = live_app(&f, Lang::En, None);
    tick(&mut a, 0);
    assert_eq!(a.situation.discharge_m3s, 5_000.0);
    assert!(
        !log(&a).iter().any(|l| l.contains("gauge.jsonl")),
        "a partial line is no error: {:?}",
        log(&a)
    );
    tick(&mut a, 0);
    assert_eq!(a.situation.discharge_m3s, 5_000.0);
    append(&f.gauge, tail);
    tick(&mut a, 0);
    assert_eq!(a.situation.discharge_m3s, 12_000.0);
    assert_eq!(a.assessment.level, WarningLevel::Orange);
}

#[test]
fn malformed_lines_are_warnings_with_file_and_line_and_are_skipped() {
    let f = feed();
    let text = [
        reading(0, 5_000.0),
        "this is not json\n".into(),
        "{\"time\": \"2026-07-20T08:10:00+08:00\", \"discharge\": 9000}\n".into(),
        "{\"time\": \"yesterday\", \"discharge_m3s\": 9000}\n".into(),
        "{\"time\": 30, \"discharge_m3s\": -5}\n".into(),
        "{\"time\": \"2026-07-20T08:20:00+08:00\", \"discharge_m3s\": 7000, \"station\": \"elsewhere\"}\n"
            .into(),
        "\n".into(),
        reading(30, 16_000.0),
        reading(20, 9_000.0),
    ]
    .concat();
    append(&f.gauge, &text);
    append(
        &f.reports,
        "{\"time\": 5, \"kind\": \"flood\", \"grid\": \"g.liutan.01\"}\n",
    );
    append(
        &f.reports,
        "{\"time\": 5, \"kind\": \"piping\", \"grid\": \"nowhere\"}\n",
    );
    append(&f.reports, "\u{0}\u{1}garbage\n");
    let mut a = live_app(&f, Lang::En, None);
    tick(&mut a, 0);
    assert_eq!(
        a.situation.discharge_m3s, 16_000.0,
        "the good lines applied"
    );
    assert_eq!(a.assessment.level, WarningLevel::Red);
    let warnings: Vec<String> = a
        .log
        .iter()
        .filter(|e| matches!(&e.event, LogEvent::Driver(n) if n.severity == Severity::Attention))
        .map(|e| a.log_text(e))
        .collect();
    let g = f.gauge.display().to_string();
    let r = f.reports.display().to_string();
    let expect = [
        format!("{g}:2: expected {{\"time\""),
        format!("{g}:3: expected"),
        format!("{g}:4: expected"),
        format!("{g}:5: expected"),
        format!("{g}:6: station \"elsewhere\""),
        format!("{g}:9: reading at minute 20.0 is older"),
        format!("{r}:1: kind \"flood\": expected one of piping"),
        format!("{r}:2: no grid \"nowhere\""),
        format!("{r}:3: expected"),
    ];
    assert_eq!(warnings.len(), expect.len(), "{warnings:#?}");
    for (w, e) in warnings.iter().zip(&expect) {
        assert!(w.contains(e.as_str()), "{w:?} should contain {e:?}");
    }
    assert!(
        warnings[1].contains("missing field `discharge_m3s`"),
        "{}",
        warnings[1]
    );
    assert!(
        warnings[2].contains("RFC 3339 time with its offset"),
        "{}",
        warnings[2]
    );
    // The screen still draws.
    let _ = screen(&a, 80, 24);
}

#[test]
fn a_file_that_does_not_exist_yet_is_waited_for() {
    let f = feed();
    let mut a = live_app(&f, Lang::En, None);
    tick(&mut a, 0);
    tick(&mut a, 0);
    let waiting = log(&a)
        .iter()
        .filter(|l| l.contains("waiting for the file"))
        .count();
    assert_eq!(waiting, 2, "once per file: {:?}", log(&a));
    assert_eq!(a.clock().now_min, 0.0, "no clock before the first time");
    append(&f.gauge, &reading(0, 10_500.0));
    tick(&mut a, 0);
    assert_eq!(a.assessment.level, WarningLevel::Orange);
    // The clock runs with the wall clock after it.
    tick(&mut a, 90);
    assert_eq!(a.clock().now_min, 1.5);
}

#[test]
fn field_reports_land_on_the_map_and_in_the_situation() {
    let f = feed();
    append(&f.gauge, &reading(0, 8_000.0));
    append(
        &f.reports,
        concat!(
            r#"{"time": "2026-07-20T08:05:00+08:00", "kind": "piping", "site": "works.huayuankou", "id": "r1", "text": "piping 30 m behind the dike"}"#,
            "\n",
            r#"{"time": "2026-07-20T08:06:00+08:00", "kind": "patrol", "grid": "g.liutan.02", "status": "normal", "text": "nothing found"}"#,
            "\n",
            r#"{"time": "2026-07-20T08:07:00+08:00", "kind": "person_unavailable", "person": "p.0002", "text": "injured"}"#,
            "\n",
        ),
    );
    let mut a = live_app(&f, Lang::En, None);
    tick(&mut a, 0);
    let hz = &a.situation.hazards;
    assert_eq!(hz.len(), 1, "{hz:?}");
    assert_eq!((hz[0].id.as_str(), hz[0].kind.name()), ("r1", "piping"));
    assert_eq!(hz[0].severity, 3);
    let sc = engine();
    let works_grid = sc
        .scenario()
        .sites
        .iter()
        .find(|s| s.id == "works.huayuankou");
    let works_grid = works_grid
        .and_then(|s| s.grid)
        .expect("the works has a grid");
    let works_grid = sc.scenario().grids[works_grid.ix()].id.clone();
    assert_eq!(a.situation.unavailable.len(), 1);
    // The plan's piping orders are on the to-do list.
    assert!(
        a.assessment
            .tasks
            .iter()
            .any(|t| t.card.instruction.starts_with("hazard.piping")),
        "no piping orders"
    );
    let m = markers(&a);
    let at = |g: &str| m.iter().find(|m| m.grid == g).cloned();
    assert_eq!(
        at(&works_grid).map(|m| (m.letter, m.severity)),
        Some(('!', Severity::Danger))
    );
    assert_eq!(
        at("g.liutan.02").map(|m| (m.letter, m.severity)),
        Some(('R', Severity::Normal))
    );
    let lines = log(&a).join("\n");
    assert!(lines.contains("[piping]"), "{lines}");
    assert!(lines.contains("piping 30 m behind the dike"), "{lines}");
    assert!(
        lines.contains("Liutan village grid 2: nothing found"),
        "{lines}"
    );

    // Resolved: the hazard goes, the marker turns resolved.
    append(
        &f.reports,
        concat!(
            r#"{"time": "2026-07-20T09:00:00+08:00", "kind": "piping", "site": "works.huayuankou", "id": "r1", "status": "resolved", "text": "closed with a filter well"}"#,
            "\n"
        ),
    );
    tick(&mut a, 0);
    assert!(a.situation.hazards.is_empty());
    assert_eq!(
        markers(&a)
            .iter()
            .find(|m| m.grid == works_grid)
            .map(|m| m.severity),
        Some(Severity::Resolved)
    );
    assert!(!a.assessment.tasks.iter().any(
        |t| t.card.instruction.starts_with("hazard.piping") && t.status == TaskStatus::Pending
    ));
}

#[test]
fn task_progress_from_the_field_moves_the_instance_and_deadlines_count_down() {
    let f = feed();
    append(&f.gauge, &reading(0, 16_000.0));
    let mut a = live_app(&f, Lang::En, None);
    tick(&mut a, 0);
    let t = a.assessment.tasks[a.todo_view[0]].clone();
    assert_eq!(t.trigger_min, 0.0);
    // Ten minutes on the wall clock: the instance keeps its start, its deadline nears.
    tick(&mut a, 600);
    let now = a.task(&t.id).expect("still active").clone();
    assert_eq!(now.trigger_min, 0.0);
    assert_eq!(now.deadline_min, t.deadline_min);
    assert_eq!(a.situation.now_min, 10.0);
    for step in ["dispatch", "accept"] {
        append(
            &f.reports,
            &format!(
                "{{\"time\": 11, \"kind\": \"task\", \"task\": \"{}\", \"step\": \"{step}\", \"text\": \"on it\"}}\n",
                t.id
            ),
        );
    }
    append(
        &f.reports,
        &format!(
            "{{\"time\": 12, \"kind\": \"task\", \"task\": \"{}\", \"step\": \"verify\"}}\n",
            t.id
        ),
    );
    tick(&mut a, 0);
    assert_eq!(a.task(&t.id).map(|x| x.status), Some(TaskStatus::Accepted));
    let m = markers(&a);
    assert!(
        m.iter().any(|m| *m.grid == *t.grid && m.letter == 'P'),
        "{m:?}"
    );
    let lines = log(&a).join("\n");
    assert!(lines.contains(&format!("{} accept", t.id)), "{lines}");
    assert!(lines.contains("cannot Verify a task that is"), "{lines}");
}

#[test]
fn commander_actions_in_live_mode_are_journaled_and_a_manual_reading_goes_through_the_tracker() {
    let f = feed();
    let journal_path = f.gauge.with_file_name("journal.jsonl");
    append(&f.gauge, &reading(0, 16_000.0));
    let journal = floodgrid_tui::JsonlJournal::append(&journal_path, "scenarios/huayuankou")
        .expect("journal");
    let mut a = live_app(&f, Lang::En, Some(Box::new(journal)));
    tick(&mut a, 0);
    assert_eq!(a.assessment.level, WarningLevel::Red);
    // A phone call from the gauge: 14,500 is inside red's band, so red holds.
    type_line(&mut a, ":flow 14500");
    assert_eq!(a.situation.discharge_m3s, 14_500.0);
    assert_eq!(a.assessment.level, WarningLevel::Red);
    let t = a.assessment.tasks[a.todo_view[0]].clone();
    dispatch_suggested(&mut a, &t.id);
    assert_eq!(
        a.task(&t.id).map(|x| x.status),
        Some(TaskStatus::Dispatched)
    );
    // The clock follows the feed.
    update(&mut a, Message::Action(Action::TogglePause));
    assert!(!a.clock().paused);
    assert!(log(&a).iter().any(|l| l.contains("clock follows the feed")));
    // The next feed reading replaces the commander's.
    append(&f.gauge, &reading(5, 17_000.0));
    tick(&mut a, 0);
    assert_eq!(a.situation.discharge_m3s, 17_000.0);
    // The drill journal's format, at the feed's minutes; the refused pause is not in it.
    let records = read_journal(&journal_path).expect("a journal");
    assert!(matches!(records[0], JournalRecord::Header { .. }));
    let actions: Vec<(f64, DrillAction)> = records[1..]
        .iter()
        .filter_map(|r| match r {
            JournalRecord::Action { t_min, action, .. } => Some((*t_min, action.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert_eq!(
        actions[0],
        (
            0.0,
            DrillAction::SetDischarge {
                discharge_m3s: 14_500.0
            }
        )
    );
    assert!(matches!(&actions[1].1, DrillAction::Dispatch { task, .. } if **task == *t.id));
}

#[test]
fn feed_file_tails_appends_truncation_and_overlong_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path().join("x.jsonl");
    let mut ff = FeedFile::new(&p);
    assert!(ff.poll().notice.unwrap().contains("waiting"));
    assert_eq!(ff.poll().notice, None, "said once");
    append(&p, "a\r\nb\nc");
    let got = ff.poll();
    assert_eq!(got.notice, None);
    let texts: Vec<_> = got.lines.iter().map(|l| (l.line, l.text.clone())).collect();
    assert_eq!(texts, vec![(1, Ok("a".into())), (2, Ok("b".into()))]);
    append(&p, "d\n");
    let got = ff.poll();
    assert_eq!(got.lines.len(), 1);
    assert_eq!(
        (got.lines[0].line, got.lines[0].text.clone()),
        (3, Ok("cd".into()))
    );
    // Rewritten shorter: read again from the start.
    std::fs::write(&p, "e\n").expect("rewrite");
    let got = ff.poll();
    assert!(got.notice.unwrap().contains("shrank"));
    assert_eq!(got.lines[0].text, Ok("e".into()));
    assert_eq!(got.lines[0].line, 1);
    // An over-long line is one error, then reading goes on.
    let long = "x".repeat(floodgrid_tui::live::MAX_LINE_BYTES + 10);
    append(&p, &long);
    assert!(ff.poll().lines.is_empty());
    append(&p, "tail\nf\n");
    let got = ff.poll();
    assert_eq!(got.lines.len(), 2);
    assert!(got.lines[0].text.is_err());
    assert_eq!(got.lines[1].text, Ok("f".into()));
    // Not UTF-8.
    append(&p, "\u{0}ok\n");
    let mut f = OpenOptions::new().append(true).open(&p).expect("open");
    f.write_all(&[0xff, 0xfe, b'\n']).expect("write");
    let got = ff.poll();
    assert_eq!(got.lines.len(), 2);
    assert_eq!(got.lines[1].text, Err("not UTF-8 text".into()));
}

#[test]
fn rfc3339_times() {
    let a = parse_rfc3339("2026-07-20T08:00:00+08:00").expect("parses");
    let z = parse_rfc3339("2026-07-20T00:00:00Z").expect("parses");
    assert_eq!(a.unix_s, z.unix_s);
    assert_eq!(z.unix_s, 1_784_505_600);
    assert_eq!(
        parse_rfc3339("2024-02-29T23:59:59.250-05:30").map(|s| (s.month, s.day, s.hour)),
        Some((2, 29, 23))
    );
    for bad in [
        "",
        "2026-07-20",
        "2026-07-20T08:00",
        "2026-13-01T00:00Z",
        "2025-02-29T00:00Z",
        "2026-07-20T24:00Z",
        "2026-07-20T08:00:00+8:00",
        "2026-07-20T08:00:00.+08:00",
        "２０２６-07-20T08:00Z",
        "2026-07-20T08:00:00+08:00 trailing",
    ] {
        assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
    }
}

#[test]
fn level_events_and_reports_are_drill_events() {
    let f = feed();
    append(&f.gauge, &reading(0, 16_000.0));
    append(
        &f.reports,
        "{\"time\": 1, \"kind\": \"seepage\", \"grid\": \"g.liutan.01\", \"text\": \"wet toe\"}\n",
    );
    let mut feed = LiveFeed::new(engine(), &f.gauge, Some(f.reports.clone()));
    let mut situation = floodgrid_engine::assess::Situation::at_discharge(0.0);
    let u = floodgrid_tui::DrillDriver::tick(&mut feed, Duration::ZERO, &mut situation);
    assert!(u.changed);
    let kinds: Vec<EventKind> = feed.events().iter().map(|e| e.kind).collect();
    assert_eq!(kinds, vec![EventKind::Level, EventKind::Report]);
    assert_eq!(feed.events()[1].grid.as_deref(), Some("g.liutan.01"));
    assert_eq!(situation.hazards[0].kind.name(), "seepage");
    assert_eq!(situation.hazards[0].severity, 2);
    assert_eq!(feed.tracker().level(), WarningLevel::Red);
}

/// The `json` blocks of docs/FORMATS.md's "Live feeds" section: gauge lines first, then reports.
fn documented_lines() -> (String, String) {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/FORMATS.md"))
        .expect("docs/FORMATS.md");
    let section = doc
        .split("## Live feeds")
        .nth(1)
        .expect("the live feeds section");
    let blocks: Vec<String> = section
        .split("```json\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(blocks.len(), 2, "a gauge block and a reports block");
    (blocks[0].clone(), blocks[1].clone())
}

#[test]
fn the_documented_examples_are_read_without_a_warning() {
    let f = feed();
    let (gauge, reports) = documented_lines();
    append(&f.gauge, &gauge);
    append(&f.reports, "");
    let mut a = live_app(&f, Lang::En, None);
    tick(&mut a, 0);
    assert_eq!(a.situation.discharge_m3s, 19_200.0);
    assert_eq!(a.assessment.level, WarningLevel::Red);
    // The field accepts what the commander dispatched.
    let task = "yellow.evac.key_persons_first@g.liutan.02";
    dispatch_suggested(&mut a, task);
    append(&f.reports, &reports);
    tick(&mut a, 0);
    let warnings: Vec<String> = a
        .log
        .iter()
        .filter(|e| {
            matches!(&e.event, LogEvent::Driver(n) if n.en.starts_with("feed:"))
                || matches!(e.event, LogEvent::Refused { .. })
        })
        .map(|e| a.log_text(e))
        .collect();
    assert!(warnings.is_empty(), "{warnings:#?}");
    // Accepted (and, with the clock at 11:40 now, past its deadline).
    assert_eq!(
        a.situation.tasks.get(task).map(|r| r.status),
        Some(TaskStatus::Accepted)
    );
    assert_eq!(a.task(task).map(|t| t.status), Some(TaskStatus::Overdue));
    assert!(a.situation.hazards.is_empty(), "r7 was resolved");
    assert_eq!(a.situation.alarms.len(), 1);
    assert_eq!(a.situation.unavailable.len(), 1);
    // The latest report per grid: the task step after the patrol at g.liutan.02.
    let m = markers(&a);
    assert!(m.len() >= 3, "{m:?}");
    assert!(
        m.iter().any(|m| m.grid == "g.liutan.02" && m.letter == 'P'),
        "{m:?}"
    );
}

#[test]
fn snapshot_live_red_80x24() {
    let f = feed();
    for (k, q) in [9_000.0, 12_000.0, 15_500.0, 18_000.0, 22_000.0]
        .into_iter()
        .enumerate()
    {
        append(&f.gauge, &reading(k as u32 * 20, q));
    }
    append(
        &f.reports,
        "{\"time\": \"2026-07-20T09:15:00+08:00\", \"kind\": \"piping\", \"site\": \"works.huayuankou\", \"text\": \"piping behind the dike\"}\n",
    );
    let mut a = live_app(&f, Lang::En, None);
    tick(&mut a, 0);
    insta::assert_snapshot!("live_red_80x24", screen(&a, 80, 24));
}

#[test]
fn a_feed_behind_the_wall_clock_is_not_refused_after_a_manual_reading() {
    let f = feed();
    append(&f.gauge, &reading(0, 8_000.0));
    let mut a = live_app(&f, Lang::En, None);
    tick(&mut a, 0);
    // Ten wall minutes on, the commander sets a reading; the feed's next one, stamped minute 6,
    // arrives late. It is newer than the feed's last one and is taken.
    tick(&mut a, 600);
    type_line(&mut a, ":flow 9000");
    append(&f.gauge, &reading(6, 12_000.0));
    tick(&mut a, 0);
    assert_eq!(a.situation.discharge_m3s, 12_000.0, "{:?}", log(&a));
    assert_eq!(a.assessment.level, WarningLevel::Orange);
    assert_eq!(a.clock().now_min, 10.0, "the clock does not run back");
}

#[test]
fn feed_file_notices_rotation_by_rename_and_truncation_then_growth() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path().join("gauge.jsonl");
    let mut ff = FeedFile::new(&p);
    append(&p, "one\ntwo\n");
    assert_eq!(ff.poll().lines.len(), 2);

    // Rotated by rename: the old file moves away, a new, longer one takes the path. Its size
    // alone (8 → 18 bytes) looks like an append; its first lines must not be lost.
    std::fs::rename(&p, dir.path().join("gauge.jsonl.1")).expect("rotate");
    append(&p, "new-one\nnew-two\nx\n");
    let got = ff.poll();
    #[cfg(unix)]
    assert!(
        got.notice.as_deref().unwrap_or("").contains("rotated"),
        "{:?}",
        got.notice
    );
    let texts: Vec<_> = got.lines.iter().map(|l| (l.line, l.text.clone())).collect();
    assert_eq!(
        texts,
        vec![
            (1, Ok("new-one".into())),
            (2, Ok("new-two".into())),
            (3, Ok("x".into()))
        ]
    );

    // Rotated by rename to a file of exactly the same length and the same last bytes is still
    // noticed on Unix (by its inode).
    #[cfg(unix)]
    {
        std::fs::rename(&p, dir.path().join("gauge.jsonl.2")).expect("rotate");
        append(&p, "NEW-ONE\nNEW-TWO\nx\n");
        let got = ff.poll();
        assert!(got.notice.unwrap_or_default().contains("rotated"));
        assert_eq!(got.lines.len(), 3);
        assert_eq!(got.lines[0].text, Ok("NEW-ONE".into()));
    }

    // Truncated in place (same inode), then grown past where reading stopped before the next
    // poll: noticed by the bytes, read again from the start.
    std::fs::write(&p, "").expect("truncate");
    append(&p, "first\nsecond\nthird line, longer\n");
    let got = ff.poll();
    assert!(
        got.notice.as_deref().unwrap_or("").contains("rewritten"),
        "{:?}",
        got.notice
    );
    let texts: Vec<_> = got.lines.iter().map(|l| (l.line, l.text.clone())).collect();
    assert_eq!(
        texts,
        vec![
            (1, Ok("first".into())),
            (2, Ok("second".into())),
            (3, Ok("third line, longer".into()))
        ]
    );
    // An ordinary append after that is an append: no notice, numbering goes on.
    append(&p, "fourth\n");
    let got = ff.poll();
    assert_eq!(got.notice, None);
    assert_eq!(
        (got.lines[0].line, got.lines[0].text.clone()),
        (4, Ok("fourth".into()))
    );
}
