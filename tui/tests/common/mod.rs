//! Shared fixtures: the bundled scenario's engine, built once per test binary, and helpers to
//! make an App, type keys and draw into a `TestBackend`.
#![allow(dead_code)]

use std::sync::{Arc, OnceLock};

use floodgrid_engine::assess::Engine;
use floodgrid_engine::scenario::Scenario;
use floodgrid_tui::{App, AppOptions, Lang, Message, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The bundled scenario's engine.
pub fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/huayuankou");
            let scenario = Scenario::load(dir).expect("the bundled scenario loads");
            Arc::new(Engine::build(scenario).expect("engine"))
        })
        .clone()
}

/// A what-if console in a language.
pub fn app(lang: Lang) -> App<'static> {
    App::new(
        engine(),
        AppOptions {
            lang,
            ..AppOptions::default()
        },
    )
}

/// Presses a key.
pub fn key(app: &mut App, code: KeyCode) {
    update(app, Message::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// Types text, then Enter.
pub fn type_line(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
    key(app, KeyCode::Enter);
}

/// Dispatches an active instance to the people the engine suggests; returns them.
#[allow(dead_code)]
pub fn dispatch_suggested(app: &mut App, task: &str) -> Vec<String> {
    let people: Vec<String> = app
        .task(task)
        .expect("the instance is active")
        .assignees
        .iter()
        .map(|p| p.person.id.clone())
        .collect();
    update(
        app,
        Message::Action(floodgrid_tui::Action::Command(
            floodgrid_engine::drill::Action::Dispatch {
                task: task.into(),
                people: people.clone(),
            },
        )),
    );
    people
}

/// Draws the App into a `w`×`h` test terminal.
pub fn draw(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| floodgrid_tui::draw(f, app)).expect("draw");
    t
}

/// The screen as text lines.
pub fn screen(app: &App, w: u16, h: u16) -> String {
    let t = draw(app, w, h);
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        let mut skip = 0;
        for x in 0..w {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            out.push_str(sym);
        }
        out.push('\n');
    }
    out
}
