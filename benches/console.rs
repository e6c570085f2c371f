//! The console: one full frame drawn at 200×60 into ratatui's `TestBackend` (target: under
//! 5 ms), at the red state of 22,000 m³/s; the same frame with the task tree open (target: under
//! 2 ms); and a discharge key plus the frame after it (the assessment included).

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use floodgrid_engine::assess::Engine;
use floodgrid_engine::hydro::WarningLevel;
use floodgrid_engine::scenario::Scenario;
use floodgrid_tui::{Action, App, AppOptions, Lang, Message, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn red_app() -> App<'static> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/huayuankou");
    let engine = Engine::build(Scenario::load(dir).expect("bundled scenario")).expect("engine");
    let mut app = App::new(
        Arc::new(engine),
        AppOptions {
            lang: Lang::Zh,
            ..AppOptions::default()
        },
    );
    update(&mut app, Message::Command("flow 22000".into()));
    assert_eq!(app.assessment.level, WarningLevel::Red);
    app
}

fn screen_has(t: &Terminal<TestBackend>, needle: &str) -> bool {
    let buf = t.backend().buffer();
    let a = buf.area;
    (a.y..a.bottom()).any(|y| {
        // A double-width character fills two cells: skip the one it covers.
        let mut line = String::new();
        let mut skip = 0;
        for x in a.x..a.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let s = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(s).saturating_sub(1);
            line.push_str(s);
        }
        line.contains(needle)
    })
}

fn console(c: &mut Criterion) {
    let mut app = red_app();
    let mut term = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
    term.draw(|f| floodgrid_tui::draw(f, &app)).expect("draw");
    assert!(screen_has(&term, "红色预警"), "the red banner is drawn");
    c.bench_function("console_frame_200x60_red", |b| {
        b.iter(|| {
            term.draw(|f| floodgrid_tui::draw(f, &app)).expect("draw");
        })
    });
    let todo = format!("待办任务 {}", app.assessment.summary.instances);
    assert!(screen_has(&term, "红色预警") && screen_has(&term, &todo));
    // The task tree at red: levels open, the first category and its first instruction open too.
    for key in [
        Action::TodoView,
        Action::Down,
        Action::Open,
        Action::Down,
        Action::Open,
    ] {
        update(&mut app, Message::Action(key));
    }
    term.draw(|f| floodgrid_tui::draw(f, &app)).expect("draw");
    assert!(screen_has(&term, "任务树"), "the task tree is drawn");
    c.bench_function("console_frame_200x60_red_task_tree", |b| {
        b.iter(|| {
            term.draw(|f| floodgrid_tui::draw(f, &app)).expect("draw");
        })
    });
    update(&mut app, Message::Action(Action::TodoView));
    let mut up = true;
    c.bench_function("console_key_and_frame_200x60_red", |b| {
        b.iter(|| {
            let delta = if up { 500.0 } else { -500.0 };
            up = !up;
            update(
                &mut app,
                Message::Action(Action::StepDischarge { delta_m3s: delta }),
            );
            term.draw(|f| floodgrid_tui::draw(f, &app)).expect("draw");
        })
    });
    assert!(screen_has(&term, "红色预警"));
}

criterion_group!(benches, console);
criterion_main!(benches);
