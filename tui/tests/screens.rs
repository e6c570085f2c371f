//! Snapshots of the console drawn into ratatui's `TestBackend` at 80×24 and 200×60: routine,
//! red at 22,000 m³/s, the dispatch dialog, the help overlay, the Chinese UI. What-if mode has
//! no wall clock (the clock stays at T+00:00), so every screen is deterministic.

mod common;

use common::*;
use floodgrid_tui::{App, Lang};
use ratatui::crossterm::event::KeyCode;

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 60)];

fn snap(name: &str, app: &App) {
    for (w, h) in SIZES {
        let text = screen(app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
    }
}

fn red(lang: Lang) -> App<'static> {
    let mut a = app(lang);
    type_line(&mut a, ":flow 22000");
    a
}

#[test]
fn routine() {
    snap("routine", &app(Lang::En));
}

#[test]
fn red_at_22000() {
    snap("red", &red(Lang::En));
}

#[test]
fn dispatch_dialog() {
    let mut a = red(Lang::En);
    key(&mut a, KeyCode::Char('d'));
    snap("dispatch_task", &a);
    key(&mut a, KeyCode::Enter);
    snap("dispatch_people", &a);
}

#[test]
fn push_dialog() {
    let mut a = red(Lang::Zh);
    key(&mut a, KeyCode::Char('p'));
    snap("zh_push_message", &a);
    key(&mut a, KeyCode::Enter);
    snap("zh_push_audience", &a);
}

#[test]
fn help_overlay() {
    let mut a = app(Lang::En);
    key(&mut a, KeyCode::Char('?'));
    snap("help", &a);
}

#[test]
fn chinese() {
    snap("zh_red", &red(Lang::Zh));
    let mut a = app(Lang::Zh);
    key(&mut a, KeyCode::Char('?'));
    snap("zh_help", &a);
}

#[test]
fn map_with_a_grid_picked_and_households_beside_it() {
    let mut a = red(Lang::Zh);
    type_line(&mut a, ":goto g.nandi.02");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('m'));
    for _ in 0..2 {
        key(&mut a, KeyCode::Tab);
    }
    snap("zh_map_households", &a);
}

/// Every screen and dialog draws at any size, from a single cell to a wall display.
#[test]
fn every_state_draws_at_every_size_without_panicking() {
    let sizes = [
        (1, 1),
        (10, 4),
        (20, 8),
        (40, 12),
        (79, 23),
        (80, 24),
        (120, 40),
        (139, 35),
        (140, 36),
        (200, 60),
        (320, 90),
    ];
    let mut states: Vec<App<'static>> = Vec::new();
    for lang in [Lang::En, Lang::Zh] {
        states.push(app(lang));
        states.push(red(lang));
        states.push(red_with(lang, &[KeyCode::Char('d')]));
        let mut people = red_with(lang, &[KeyCode::Char('d'), KeyCode::Enter]);
        states.push(red_with(
            lang,
            &[KeyCode::Char('d'), KeyCode::Enter, KeyCode::Enter],
        ));
        key(&mut people, KeyCode::Down);
        key(&mut people, KeyCode::Char(' '));
        states.push(people);
        states.push(red_with(lang, &[KeyCode::Enter]));
        states.push(red_with(lang, &[KeyCode::Char('p')]));
        states.push(red_with(lang, &[KeyCode::Char('p'), KeyCode::Enter]));
        states.push(red_with(
            lang,
            &[KeyCode::Char('p'), KeyCode::Enter, KeyCode::Enter],
        ));
        states.push(red_with(lang, &[KeyCode::Tab, KeyCode::Enter]));
        states.push(red_with(
            lang,
            &[KeyCode::Tab, KeyCode::Tab, KeyCode::Enter],
        ));
        states.push(red_with(
            lang,
            &[KeyCode::Tab, KeyCode::Tab, KeyCode::Tab, KeyCode::Enter],
        ));
        states.push(red_with(lang, &[KeyCode::BackTab]));
        states.push(red_with(lang, &[KeyCode::Char(':'), KeyCode::Char('g')]));
        states.push(red_with(lang, &[KeyCode::Char('/'), KeyCode::Char('红')]));
        states.push(red_with(
            lang,
            &[
                KeyCode::Tab,
                KeyCode::Char('+'),
                KeyCode::Char('+'),
                KeyCode::Char('m'),
            ],
        ));
    }
    for a in &states {
        for (w, h) in sizes {
            draw(a, w, h);
        }
    }
}

fn red_with(lang: Lang, keys: &[KeyCode]) -> App<'static> {
    let mut a = red(lang);
    for &k in keys {
        key(&mut a, k);
    }
    a
}
