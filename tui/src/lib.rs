//! # floodgrid-tui: the drill console
//!
//! The commander's screen, in The Elm Architecture:
//!
//! - [`app`]: the model ([`App`]), the [`Action`]s a commander takes, [`Message`]s and
//!   [`update`]; no drawing, no terminal.
//! - [`keymap`]: the one table of keys, actions and help texts (zh/en); the `?` overlay is drawn
//!   from it.
//! - [`view`]: `draw(frame, &App)`: top bar and banner, key persons, the grid map, households, the
//!   to-do list, the event log, dialogs, help.
//! - [`i18n`]: every string in Chinese and English.
//! - [`drill`]: the [`DrillDriver`] seam the drill engine and live feeds plug into (clock, speed).
//! - [`journal`]: the [`Journal`] hook and its JSON Lines file.
//!
//! [`run`] opens the console on a terminal (restored on exit and on panic); tests draw into
//! ratatui's `TestBackend` instead.
//!
//! ```no_run
//! use std::sync::Arc;
//! use floodgrid_engine::assess::Engine;
//! use floodgrid_engine::scenario::Scenario;
//! use floodgrid_tui::{App, AppOptions, Message, update};
//! # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/huayuankou");
//! let engine = Arc::new(Engine::build(Scenario::load(dir).unwrap()).unwrap());
//! let mut app = App::new(engine, AppOptions::default());
//! update(&mut app, Message::Command("flow 22000".into()));
//! assert_eq!(app.assessment.level, floodgrid_engine::hydro::WarningLevel::Red);
//! ```

pub mod app;
pub mod drill;
pub mod i18n;
pub mod journal;
pub mod keymap;
pub mod view;

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use floodgrid_engine::assess::Engine;
use floodgrid_engine::scenario::{Scenario, render_diagnostics};
use ratatui::crossterm::event::{self, Event, KeyEventKind};

pub use app::{Action, App, AppOptions, Message, update};
pub use drill::{Clock, DrillDriver, DriverNote, DriverUpdate};
pub use i18n::Lang;
pub use journal::{Journal, JsonlJournal};
pub use view::draw;

/// The console's name as shown in its title bar.
pub const TITLE: &str = "floodgrid drill console";

/// `floodgrid drill [SCENARIO]`: the console.
#[derive(Debug, Clone, clap::Args)]
pub struct ConsoleArgs {
    /// The scenario directory (default: the bundled 花园口镇 scenario).
    pub scenario: Option<PathBuf>,
    /// Language of the console (default: from LC_ALL / LC_MESSAGES / LANG).
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
    /// Discharge to start from, m³/s (what-if mode).
    #[arg(long, default_value_t = 0.0)]
    pub discharge: f64,
    /// Append every commander action (discharge set, dispatch, accept / complete / verify) to
    /// this JSON Lines file, flushed per action.
    #[arg(long)]
    pub journal: Option<PathBuf>,
}

/// The bundled scenario: `scenarios/huayuankou` under the working directory, else the one in
/// the source tree this binary was built from.
pub fn bundled_scenario() -> PathBuf {
    let here = PathBuf::from("scenarios/huayuankou");
    if here.join("scenario.toml").is_file() {
        return here;
    }
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/huayuankou"
    ))
}

/// Loads the scenario, builds the engine and runs the console until the commander quits. The
/// scenario is checked before the terminal is touched, so its diagnostics print normally; the
/// error then carries them (rendered) as its message.
pub fn run(args: ConsoleArgs) -> io::Result<()> {
    let dir = args.scenario.clone().unwrap_or_else(bundled_scenario);
    let scenario = Scenario::load(&dir).map_err(|e| {
        io::Error::other(format!(
            "{}error: {} cannot be used; run `floodgrid check {}`",
            render_diagnostics(&e.diagnostics),
            dir.display(),
            dir.display()
        ))
    })?;
    let engine = Engine::build(scenario).map_err(io::Error::other)?;
    let journal: Option<Box<dyn Journal>> = match &args.journal {
        Some(p) => Some(Box::new(JsonlJournal::append(p)?)),
        None => None,
    };
    let mut app = App::new(
        Arc::new(engine),
        AppOptions {
            lang: args.lang.unwrap_or_else(Lang::from_env),
            discharge_m3s: args.discharge,
            journal,
            driver: None,
        },
    );
    ratatui::run(|terminal| event_loop(terminal, &mut app))
}

/// Draw, wait for a key (or a drill tick), update; until the App says quit. Resizes redraw.
fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App) -> io::Result<()> {
    let mut last = Instant::now();
    loop {
        terminal.draw(|f| view::draw(f, app))?;
        if app.quit {
            return Ok(());
        }
        let timeout = if app.driver().is_some() {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(3600)
        };
        if event::poll(timeout)? {
            match event::read()? {
                Event::Key(k) if k.kind == KeyEventKind::Press => update(app, Message::Key(k)),
                _ => {}
            }
        }
        if app.driver().is_some() {
            let now = Instant::now();
            update(app, Message::Tick(now - last));
            last = now;
        }
    }
}
