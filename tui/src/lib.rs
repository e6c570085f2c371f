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
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use floodgrid_engine::assess::Engine;
use floodgrid_engine::drill::{
    Drill, DrillOptions, FileJournal, JournalSink, MessageSink, OutboxFile, Provenance,
    ResumeInputs, fresh_file, open_journal,
};
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

/// How the console opens: the scenario, the language, the mode and the journal. Plain data (the
/// binary's `floodgrid drill` flags build it); the console parses no arguments of its own.
#[derive(Debug, Clone, Default)]
pub struct ConsoleOptions {
    /// The scenario directory (`None`: [`bundled_scenario`]).
    pub scenario: Option<PathBuf>,
    /// Language of the console (`None`: from LC_ALL / LC_MESSAGES / LANG).
    pub lang: Option<Lang>,
    /// A drill, what-if or live.
    pub mode: ConsoleMode,
    /// Journal (JSON Lines, flushed per record). In a drill: every action and event, as
    /// `floodgrid drill --headless` writes it. In what-if and live modes: a header, then every
    /// commander action, in the same format.
    pub journal: Option<PathBuf>,
    /// A drill's outbox of pushed messages (JSON Lines), as `floodgrid drill --headless` writes it.
    pub outbox: Option<PathBuf>,
    /// Continue the drill of this journal (checked against the scenario, script and seed in its
    /// header; its outbox completed) instead of starting one.
    pub resume: Option<PathBuf>,
    /// Replace an existing journal or outbox (a new drill never appends to another's).
    pub force: bool,
}

/// Why the console did not run.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// Standard input or output is not a terminal (a pipe, a file, a CI job).
    #[error("error: the drill console needs an interactive terminal; use --headless")]
    NoTerminal,
    /// The options cannot be used as given (an existing journal, a journal to resume that does
    /// not fit the scenario): a usage error.
    #[error("{0}")]
    Usage(String),
    /// Loading, resuming or running failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl ConsoleError {
    /// The process exit code: 2 for usage (no terminal, refused options), 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            ConsoleError::NoTerminal | ConsoleError::Usage(_) => 2,
            ConsoleError::Io(_) => 1,
        }
    }
}

/// What drives the console.
#[derive(Debug, Clone)]
pub enum ConsoleMode {
    /// A drill script on the drill clock: `script`, else the scenario's first drill; a scenario
    /// without drills opens in what-if mode at 0 m³/s.
    Drill {
        /// Drill script (TOML).
        script: Option<PathBuf>,
    },
    /// No drill, no clock; the discharge is what the commander sets.
    WhatIf {
        /// Discharge to start from, m³/s.
        discharge_m3s: f64,
    },
    /// A real feed drives the console: tailed JSON Lines files (formats in docs/FORMATS.md).
    Live {
        /// Gauge readings: {"time": RFC 3339 or minutes, "discharge_m3s": Q}.
        gauge: PathBuf,
        /// Field reports: {"time", "kind", "grid"/"site"/"task", "status", ...}.
        reports: Option<PathBuf>,
    },
}

impl Default for ConsoleMode {
    /// The scenario's default drill.
    fn default() -> ConsoleMode {
        ConsoleMode::Drill { script: None }
    }
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

/// Loads the scenario, builds the engine and runs the console until the commander quits, in the
/// options' [`ConsoleMode`]. The scenario and the script are checked before the terminal is
/// touched; the error then carries their diagnostics, rendered, as its message.
pub fn run(options: ConsoleOptions) -> Result<(), ConsoleError> {
    use std::io::IsTerminal;
    if !(io::stdin().is_terminal() && io::stdout().is_terminal()) {
        return Err(ConsoleError::NoTerminal);
    }
    let dir = options.scenario.clone().unwrap_or_else(bundled_scenario);
    let scenario = Scenario::load(&dir).map_err(|e| {
        io::Error::other(format!(
            "{}error: {} cannot be used; run `floodgrid check {}`",
            render_diagnostics(&e.diagnostics),
            dir.display(),
            dir.display()
        ))
    })?;
    let engine = Arc::new(Engine::build(scenario).map_err(io::Error::other)?);
    let lang = options.lang.unwrap_or_else(Lang::from_env);
    let origin = dir.display().to_string();
    // What-if and live consoles journal the commander's actions after a header of their own.
    let console_journal = || -> io::Result<Option<Box<dyn Journal>>> {
        match &options.journal {
            Some(p) => Ok(Some(Box::new(JsonlJournal::append(p, &origin)?))),
            None => Ok(None),
        }
    };
    let what_if = |engine: Arc<Engine>, discharge_m3s: f64| -> io::Result<()> {
        let options = AppOptions {
            lang,
            discharge_m3s,
            journal: console_journal()?,
            driver: None,
            report_path: None,
        };
        run_app(App::new(engine, options))
    };
    let script = match &options.mode {
        ConsoleMode::Live { gauge, reports } => {
            let feed = LiveFeed::new(engine.clone(), gauge.clone(), reports.clone());
            let mut app = App::new(
                engine,
                AppOptions {
                    lang,
                    journal: console_journal()?,
                    driver: Some(Box::new(feed)),
                    ..AppOptions::default()
                },
            );
            // Read what the files hold before the first frame.
            update(&mut app, Message::Tick(Duration::ZERO));
            return Ok(run_app(app)?);
        }
        ConsoleMode::WhatIf { discharge_m3s } => return Ok(what_if(engine, *discharge_m3s)?),
        ConsoleMode::Drill { script: Some(p) } => engine
            .scenario()
            .load_drill(p)
            .map_err(|d| io::Error::other(render_diagnostics(&d)))?,
        ConsoleMode::Drill { script: None } => match engine.scenario().drills.first() {
            Some(s) => s.clone(),
            None => return Ok(what_if(engine, 0.0)?),
        },
    };
    let drill = if let Some(path) = &options.resume {
        // The journal names its script; shown as it was when the drill started.
        let (header, _) =
            open_journal(path).map_err(|e| ConsoleError::Usage(format!("error: {e}")))?;
        let script = header
            .load_script(engine.scenario())
            .map_err(|d| io::Error::other(render_diagnostics(&d)))?;
        let inputs = ResumeInputs {
            dir: &dir,
            script,
            outbox: options.outbox.as_deref(),
        };
        floodgrid_engine::drill::resume(&engine, path, inputs)
            .map_err(|e| ConsoleError::Usage(format!("error: {e}")))?
            .0
    } else {
        for (path, what) in [(&options.journal, "journal"), (&options.outbox, "outbox")] {
            if let Some(p) = path {
                fresh_file(p, what, options.force)
                    .map_err(|e| ConsoleError::Usage(format!("error: {e}")))?;
            }
        }
        let journal: Option<Box<dyn JournalSink>> = match &options.journal {
            Some(p) => Some(Box::new(FileJournal::open(p)?)),
            None => None,
        };
        let outbox: Option<Box<dyn MessageSink>> = match &options.outbox {
            Some(p) => Some(Box::new(OutboxFile::open(p)?)),
            None => None,
        };
        let provenance = Provenance::of(&dir, Path::new(&script.file))?;
        Drill::start(
            &engine,
            script,
            DrillOptions::default(),
            journal,
            outbox,
            &provenance,
        )
    };
    let app = App::new(
        engine.clone(),
        AppOptions {
            lang,
            driver: Some(Box::new(DrillSession::new(drill))),
            // The report goes beside the journal (drill.jsonl: drill.report.md).
            report_path: options
                .journal
                .as_ref()
                .or(options.resume.as_ref())
                .map(|p| p.with_extension("report.md")),
            ..AppOptions::default()
        },
    );
    Ok(run_app(app)?)
}

/// Runs an App on the terminal until it quits: raw mode and the alternate screen, restored on
/// exit and on panic (`ratatui::run`).
pub fn run_app(mut app: App<'_>) -> io::Result<()> {
    ratatui::run(|terminal| {
        let _mouse = MouseCapture::on()?;
        event_loop(terminal, &mut app)
    })
}

/// The terminal reports mouse events while this lives; dropping it (on return or while a
/// panic unwinds) turns that off again before the terminal is restored.
struct MouseCapture;

impl MouseCapture {
    fn on() -> io::Result<MouseCapture> {
        ratatui::crossterm::execute!(io::stdout(), ratatui::crossterm::event::EnableMouseCapture)?;
        Ok(MouseCapture)
    }
}

impl Drop for MouseCapture {
    fn drop(&mut self) {
        let _ = ratatui::crossterm::execute!(
            io::stdout(),
            ratatui::crossterm::event::DisableMouseCapture
        );
    }
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
                Event::Mouse(m) => update(app, Message::Mouse(m)),
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
