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
//! - [`drill`]: the [`DrillDriver`] seam the drill engine and live feeds plug into (clock, speed),
//!   and [`DrillSession`], the drill engine behind it.
//! - [`live`]: live mode, [`LiveFeed`]: the console driven by tailed JSON Lines files of gauge
//!   readings and field reports.
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
pub mod live;
pub mod view;

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use floodgrid_engine::assess::Engine;
use floodgrid_engine::drill::{Drill, DrillOptions, FileJournal, JournalSink};
use floodgrid_engine::scenario::{Scenario, render_diagnostics};
use ratatui::crossterm::event::{self, Event, KeyEventKind};

pub use app::{Action, App, AppOptions, DrillAction, Message, update};
pub use drill::{
    Clock, DrillDriver, DrillSession, DriverNote, DriverUpdate, MapMarker, Severity, clock_command,
};
pub use i18n::Lang;
pub use journal::{Journal, JsonlJournal};
pub use live::LiveFeed;
pub use view::draw;

/// The console's name as shown in its title bar.
pub const TITLE: &str = "floodgrid drill console";

/// `floodgrid drill [SCENARIO]`: the console.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ConsoleArgs {
    /// The scenario directory (default: the bundled 花园口镇 scenario).
    pub scenario: Option<PathBuf>,
    /// Language of the console (default: from LC_ALL / LC_MESSAGES / LANG).
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
    /// What-if mode: no drill, no clock; the discharge is what the commander sets.
    #[arg(long)]
    pub what_if: bool,
    /// Discharge to start from in what-if mode, m³/s.
    #[arg(long, default_value_t = 0.0, requires = "what_if")]
    pub discharge: f64,
    /// Drill script (TOML); default: the scenario's first drill.
    #[arg(long, conflicts_with = "what_if")]
    pub script: Option<PathBuf>,
    /// Journal (JSON Lines, flushed per record). In a drill: every action and event, as
    /// `floodgrid drill --headless` writes it. In what-if and live modes: a header, then every
    /// commander action, in the same format.
    #[arg(long)]
    pub journal: Option<PathBuf>,
    /// Live mode.
    #[command(flatten)]
    pub live: LiveArgs,
}

/// Live mode's arguments: the feed files the console tails (formats in docs/FORMATS.md).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LiveArgs {
    /// Live mode: a real feed drives the console (gauge readings and field reports, tailed).
    #[arg(long, requires = "gauge", conflicts_with_all = ["what_if", "script"])]
    pub live: bool,
    /// Gauge readings to tail, JSON Lines: {"time": RFC 3339 or minutes, "discharge_m3s": Q}.
    #[arg(long, value_name = "FEED.jsonl", requires = "live")]
    pub gauge: Option<PathBuf>,
    /// Field reports to tail, JSON Lines: {"time", "kind", "grid"/"site"/"task", "status", ...}.
    #[arg(long, value_name = "REPORTS.jsonl", requires = "live")]
    pub reports: Option<PathBuf>,
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

/// Loads the scenario, builds the engine and runs the console until the commander quits: a
/// drill of the scenario's default drill (or `--script`), what-if mode with `--what-if` (also
/// when the scenario has no drill), or live mode with `--live --gauge FEED`. The scenario and the script are checked before the terminal
/// is touched; the error then carries their diagnostics, rendered, as its message.
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
    let engine = Arc::new(Engine::build(scenario).map_err(io::Error::other)?);
    let lang = args.lang.unwrap_or_else(Lang::from_env);
    if args.live.live {
        let Some(gauge) = args.live.gauge.clone() else {
            return Err(io::Error::other("error: --live needs --gauge FEED.jsonl"));
        };
        let journal: Option<Box<dyn Journal>> = match &args.journal {
            Some(p) => Some(Box::new(JsonlJournal::append(
                p,
                &dir.display().to_string(),
            )?)),
            None => None,
        };
        let feed = LiveFeed::new(engine.clone(), gauge, args.live.reports.clone());
        let mut app = App::new(
            engine,
            AppOptions {
                lang,
                journal,
                driver: Some(Box::new(feed)),
                ..AppOptions::default()
            },
        );
        // Read what the files hold before the first frame.
        update(&mut app, Message::Tick(Duration::ZERO));
        return run_app(app);
    }
    let script = if args.what_if {
        None
    } else {
        match &args.script {
            Some(p) => Some(
                engine
                    .scenario()
                    .load_drill(p)
                    .map_err(|d| io::Error::other(render_diagnostics(&d)))?,
            ),
            None => engine.scenario().drills.first().cloned(),
        }
    };
    let Some(script) = script else {
        let journal: Option<Box<dyn Journal>> = match &args.journal {
            Some(p) => Some(Box::new(JsonlJournal::append(
                p,
                &dir.display().to_string(),
            )?)),
            None => None,
        };
        let app = App::new(
            engine,
            AppOptions {
                lang,
                discharge_m3s: args.discharge,
                journal,
                driver: None,
            },
        );
        return run_app(app);
    };
    let journal: Option<Box<dyn JournalSink>> = match &args.journal {
        Some(p) => Some(Box::new(FileJournal::open(p)?)),
        None => None,
    };
    let drill = Drill::new(
        &engine,
        script,
        DrillOptions::default(),
        journal,
        &dir.display().to_string(),
    );
    let app = App::new(
        engine.clone(),
        AppOptions {
            lang,
            driver: Some(Box::new(DrillSession::new(drill))),
            ..AppOptions::default()
        },
    );
    run_app(app)
}

/// Runs an App on the terminal until it quits: raw mode and the alternate screen, restored on
/// exit and on panic (`ratatui::run`).
pub fn run_app(mut app: App<'_>) -> io::Result<()> {
    ratatui::run(|terminal| event_loop(terminal, &mut app))
}

/// Draw, wait for a key (or a drill tick), update; until the App says quit. Resizes redraw.
fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App<'_>) -> io::Result<()> {
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
