//! The console driven by the drill engine through `DrillSession`: the clock keys go to the drill,
//! ticks move it along the script's hydrograph, its events fill the log, the commander's dispatch
//! lands in the drill's journal. The drill is seeded and ticks are given, so screens are
//! deterministic.

mod common;

use std::time::Duration;

use common::*;
use floodgrid_engine::drill::{Drill, DrillOptions, FileJournal};
use floodgrid_engine::plan::TaskStatus;
use floodgrid_tui::app::Dialog;
use floodgrid_tui::{App, AppOptions, DrillSession, Lang, Message, update};
use ratatui::crossterm::event::KeyCode;

#[test]
fn the_bundled_drill_drives_the_console() {
    let engine = engine();
    let script = engine
        .scenario()
        .drills
        .first()
        .cloned()
        .expect("the bundled scenario has drills");
    let name = script
        .name_en
        .clone()
        .unwrap_or_else(|| script.name.clone());
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("drill.jsonl");
    let journal = FileJournal::open(&path).expect("journal");
    let drill = Drill::new(
        &engine,
        script,
        DrillOptions::default(),
        Some(Box::new(journal)),
        "huayuankou",
    );
    let mut a = App::new(
        engine.clone(),
        AppOptions {
            lang: Lang::En,
            driver: Some(Box::new(DrillSession::new(drill))),
            ..AppOptions::default()
        },
    );
    // A drill starts paused.
    assert!(a.clock().paused);
    update(&mut a, Message::Tick(Duration::from_secs(60)));
    assert_eq!(a.clock().now_min, 0.0);
    // Space runs it; at x60 a wall minute is an hour of drill.
    key(&mut a, KeyCode::Char(' '));
    assert!(!a.clock().paused);
    type_line(&mut a, ":speed 60");
    assert_eq!(a.clock().speed, 60.0);
    let q0 = a.assessment.discharge_m3s;
    for _ in 0..6 {
        update(&mut a, Message::Tick(Duration::from_secs(60)));
    }
    assert_eq!(a.clock().now_min, 360.0);
    assert_eq!(a.assessment.now_min, a.clock().now_min);
    assert_ne!(
        a.assessment.discharge_m3s, q0,
        "the hydrograph moves the river"
    );
    assert!(a.history.len() > 1);
    // Field events pin markers on the map.
    let markers = a.driver().expect("a driver").markers();
    assert!(!markers.is_empty());
    assert!(
        markers
            .iter()
            .all(|m| a.lookup.grid_by_id.contains_key(&m.grid))
    );
    let top = screen(&a, 200, 60);
    assert!(top.contains(&format!("{name} T+06:00 x60")), "{top}");

    // Dispatch the selected task: it goes to the drill, which journals it.
    key(&mut a, KeyCode::Char(' '));
    let task = a.selected_task().expect("a task").id.clone();
    key(&mut a, KeyCode::Char('d'));
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    // Dispatched (the engine shows it overdue when its deadline has passed and it is not done).
    let status = a.task(&task).map(|t| t.status);
    assert!(
        matches!(status, Some(TaskStatus::Dispatched | TaskStatus::Overdue)),
        "{status:?}"
    );
    assert!(a.task(&task).is_some_and(|t| !t.assignees.is_empty()));
    let text = std::fs::read_to_string(&path).expect("journal");
    assert!(
        text.lines()
            .any(|l| l.contains("\"dispatch\"") && l.contains(&*task)),
        "{text}"
    );
    // The log names the task by its title, never its id.
    let label = a.task_label(&task);
    assert!(
        a.log.iter().any(|e| a.log_text(e).contains(&label)),
        "the drill's event is in the log"
    );
    insta::assert_snapshot!("drill_80x24", screen(&a, 80, 24));
    insta::assert_snapshot!("drill_200x60", screen(&a, 200, 60));

    // Quitting a drill asks first.
    key(&mut a, KeyCode::Char('q'));
    assert_eq!(a.dialog, Some(Dialog::ConfirmQuit));
    key(&mut a, KeyCode::Enter);
    assert!(a.quit);
}

#[test]
fn a_drill_run_to_its_end_says_so() {
    let engine = engine();
    let script = engine.scenario().drills.first().cloned().expect("a drill");
    let drill = Drill::new(&engine, script, DrillOptions::default(), None, "huayuankou");
    let mut a: App<'_> = App::new(
        engine.clone(),
        AppOptions {
            lang: Lang::Zh,
            driver: Some(Box::new(DrillSession::new(drill))),
            ..AppOptions::default()
        },
    );
    key(&mut a, KeyCode::Char(' '));
    type_line(&mut a, ":speed 600");
    for _ in 0..200 {
        update(&mut a, Message::Tick(Duration::from_secs(60)));
        if a.drill_over {
            break;
        }
    }
    assert!(a.drill_over);
    assert!(a.log_text(a.log.last().unwrap()).contains("演练结束"));
}
