//! `floodgrid drill --headless` and `floodgrid report`: drills without a terminal, for CI and for
//! command systems. The console (without --headless) lives in the tui crate.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use floodgrid_engine::assess::Engine;
use floodgrid_engine::drill::{
    Drill, DrillOptions, DrillScript, FileJournal, JournalRecord, JournalSink, OutboxFile,
    TimedAction, read_actions, read_journal, report,
};
use floodgrid_engine::scenario::render_diagnostics;

/// Arguments of a headless drill.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct HeadlessArgs {
    /// Drill script (TOML); default: the scenario's first drill.
    #[arg(long)]
    pub script: Option<PathBuf>,
    /// Commander actions, JSON Lines of {"t_min": .., "action": {"kind": ..}}.
    #[arg(long)]
    pub actions: Option<PathBuf>,
    /// Journal to append every action and event to (JSON Lines, flushed per record).
    #[arg(long)]
    pub journal: Option<PathBuf>,
    /// Outbox for pushed messages (JSON Lines with text, audience and recipients).
    #[arg(long)]
    pub outbox: Option<PathBuf>,
    /// Continue a drill from its journal (rewrites it as the replay catches up, then appends).
    #[arg(long, conflicts_with = "journal")]
    pub resume: Option<PathBuf>,
    /// The duty-commander policy: dispatch every ready task to the suggested people at once.
    #[arg(long)]
    pub auto_dispatch: bool,
    /// Stop at this drill minute (default: the end of the script).
    #[arg(long)]
    pub until: Option<f64>,
    /// Wall milliseconds to wait per drill minute (to watch, or to interrupt, a run).
    #[arg(long, default_value_t = 0)]
    pub pace_ms: u64,
    /// Report format printed at the end.
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    pub format: ReportFormat,
}

/// Report formats.
#[derive(Clone, Copy, Debug, Default, clap::ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    /// Markdown.
    #[default]
    Md,
    /// JSON.
    Json,
}

fn script_for(engine: &Engine, script: Option<&Path>) -> Result<DrillScript, ExitCode> {
    let sc = engine.scenario();
    match script {
        Some(p) => sc.load_drill(p).map_err(|d| {
            eprint!("{}", render_diagnostics(&d));
            ExitCode::from(1)
        }),
        None => sc.drills.first().cloned().ok_or_else(|| {
            eprintln!("error: the scenario has no drills; pass --script FILE");
            ExitCode::from(1)
        }),
    }
}

fn print_report(d: &Drill<'_>, format: ReportFormat) {
    let r = report(d);
    match format {
        ReportFormat::Md => print!("{}", r.to_markdown()),
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default()),
    }
}

/// Runs `actions` (those after the first `skip`) and the clock to the end.
fn run_actions(d: &mut Drill<'_>, actions: &[TimedAction], until: f64, pace_ms: u64) {
    let step = |d: &mut Drill<'_>, to: f64| {
        if pace_ms == 0 {
            d.step_to(to);
            return;
        }
        while d.now_min() < to {
            let next = (d.now_min().floor() + 1.0).min(to);
            d.step_to(next);
            std::thread::sleep(std::time::Duration::from_millis(pace_ms));
        }
    };
    for a in actions {
        if a.t_min > until {
            break;
        }
        step(d, a.t_min);
        let _ = d.apply(a.action.clone());
    }
    step(d, until);
}

/// `floodgrid drill SCENARIO --headless ...`
pub fn headless(engine: &Engine, scenario_dir: &Path, args: &HeadlessArgs) -> ExitCode {
    let actions = match &args.actions {
        Some(p) => match read_actions(p) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        },
        None => Vec::new(),
    };
    if let Some(journal_path) = &args.resume {
        return resume(engine, scenario_dir, journal_path, &actions, args);
    }
    let script = match script_for(engine, args.script.as_deref()) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let journal: Option<Box<dyn JournalSink>> = match &args.journal {
        Some(p) => match FileJournal::open(p) {
            Ok(j) => Some(Box::new(j)),
            Err(e) => {
                eprintln!("error: cannot open the journal {}: {e}", p.display());
                return ExitCode::from(1);
            }
        },
        None => None,
    };
    let options = DrillOptions {
        auto_dispatch: args.auto_dispatch,
        ..DrillOptions::default()
    };
    let mut d = Drill::new(
        engine,
        script,
        options,
        journal,
        &scenario_dir.display().to_string(),
    );
    if let Some(p) = &args.outbox {
        match OutboxFile::open(p) {
            Ok(o) => d.set_outbox(Box::new(o)),
            Err(e) => {
                eprintln!("error: cannot open the outbox {}: {e}", p.display());
                return ExitCode::from(1);
            }
        }
    }
    let until = args.until.unwrap_or_else(|| d.end_min());
    run_actions(&mut d, &actions, until, args.pace_ms);
    if let Some(e) = d.journal_error() {
        eprintln!("error: writing the journal failed: {e}");
        return ExitCode::from(1);
    }
    print_report(&d, args.format);
    ExitCode::SUCCESS
}

/// Rebuilds a drill from a journal: replays its (non-policy) actions into a fresh copy of the
/// journal, swaps it in, then goes on with the actions file past what the journal already holds.
fn resume(
    engine: &Engine,
    scenario_dir: &Path,
    journal_path: &Path,
    actions: &[TimedAction],
    args: &HeadlessArgs,
) -> ExitCode {
    let (
        records,
        JournalRecord::Header {
            script,
            auto_dispatch,
            ..
        },
    ) = (match open_journal(journal_path) {
        Ok(x) => x,
        Err(code) => return code,
    })
    else {
        return ExitCode::from(1);
    };
    let (replay, last_t) = replay_of(&records);
    let script = match script_for(engine, Some(Path::new(&script))) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let tmp = journal_path.with_extension("resume.tmp");
    let _ = std::fs::remove_file(&tmp);
    let journal = match FileJournal::open(&tmp) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", tmp.display());
            return ExitCode::from(1);
        }
    };
    let options = DrillOptions {
        auto_dispatch,
        ..DrillOptions::default()
    };
    let mut d = Drill::new(
        engine,
        script,
        options,
        Some(Box::new(journal)),
        &scenario_dir.display().to_string(),
    );
    run_actions(&mut d, &replay, last_t, 0);
    if let Err(e) = std::fs::rename(&tmp, journal_path) {
        eprintln!("error: cannot replace {}: {e}", journal_path.display());
        return ExitCode::from(1);
    }
    // The rest of the actions file: what the journal does not hold yet.
    let rest: Vec<TimedAction> = actions.iter().skip(replay.len()).cloned().collect();
    let until = args.until.unwrap_or_else(|| d.end_min());
    run_actions(&mut d, &rest, until, args.pace_ms);
    print_report(&d, args.format);
    ExitCode::SUCCESS
}

/// Reads a journal and its header (the first record), reporting problems on stderr.
fn open_journal(path: &Path) -> Result<(Vec<JournalRecord>, JournalRecord), ExitCode> {
    let records = read_journal(path).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(1)
    })?;
    match records.first().cloned() {
        Some(h @ JournalRecord::Header { .. }) => Ok((records, h)),
        _ => {
            eprintln!("error: {}:1: expected a journal header", path.display());
            Err(ExitCode::from(1))
        }
    }
}

/// The commander's actions of a journal (not the duty-commander policy's, which a replay
/// regenerates) and the last minute it reached.
fn replay_of(records: &[JournalRecord]) -> (Vec<TimedAction>, f64) {
    let actions = records
        .iter()
        .filter_map(|r| match r {
            JournalRecord::Action {
                t_min,
                action,
                auto: false,
                ..
            } => Some(TimedAction {
                t_min: *t_min,
                action: action.clone(),
            }),
            _ => None,
        })
        .collect();
    let last = records
        .iter()
        .filter_map(|r| match r {
            JournalRecord::Action { t_min, .. } => Some(*t_min),
            JournalRecord::Event { event, .. } => Some(event.t_min),
            JournalRecord::Header { .. } => None,
        })
        .fold(0.0, f64::max);
    (actions, last)
}

/// `floodgrid report JOURNAL`: replays the journal's drill and prints its report.
pub fn report_from_journal(journal_path: &Path, format: ReportFormat) -> ExitCode {
    let (
        records,
        JournalRecord::Header {
            scenario,
            script,
            auto_dispatch,
            ..
        },
    ) = (match open_journal(journal_path) {
        Ok(x) => x,
        Err(code) => return code,
    })
    else {
        return ExitCode::from(1);
    };
    if script.is_empty() {
        return console_journal(journal_path, &scenario, &records, format);
    }
    let engine = match crate::engine_for(Path::new(&scenario)) {
        Ok(e) => e,
        Err(c) => return c,
    };
    let script = match script_for(&engine, Some(Path::new(&script))) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let (replay, last_t) = replay_of(&records);
    let mut d = Drill::new(
        &engine,
        script,
        DrillOptions {
            auto_dispatch,
            ..DrillOptions::default()
        },
        None,
        &scenario,
    );
    run_actions(&mut d, &replay, last_t, 0);
    print_report(&d, format);
    ExitCode::SUCCESS
}

/// A what-if or live console's journal (a header without a script): there is no drill to replay,
/// so the report is what the commander did, in order.
fn console_journal(
    path: &Path,
    scenario: &str,
    records: &[JournalRecord],
    format: ReportFormat,
) -> ExitCode {
    let (actions, _) = replay_of(records);
    match format {
        ReportFormat::Json => {
            let v = serde_json::json!({ "scenario": scenario, "script": null, "actions": actions });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        ReportFormat::Md => {
            println!("# Console journal {}\n", path.display());
            println!("Scenario `{scenario}`; what-if or live mode, no drill script to replay.\n");
            println!("| minute | action |\n| ---: | --- |");
            for a in &actions {
                let json = serde_json::to_string(&a.action).unwrap_or_default();
                println!("| {:.1} | `{json}` |", a.t_min);
            }
        }
    }
    ExitCode::SUCCESS
}
