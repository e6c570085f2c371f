//! `floodgrid drill` and `floodgrid report`: the drill's arguments, and drills without a
//! terminal (--headless), for CI and for command systems. The console (without --headless) lives
//! in the tui crate, which takes its options from [`DrillArgs::console_options`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

use floodgrid_engine::assess::Engine;
use floodgrid_engine::drill::{
    Drill, DrillOptions, DrillScript, FileJournal, JournalRecord, JournalSink, MessageSink,
    OutboxFile, Provenance, ResumeInputs, TimedAction, fresh_file, open_journal, read_actions,
    replay_of, report, run_actions as run_timed, verify,
};
use floodgrid_engine::scenario::render_diagnostics;
use floodgrid_tui::{ConsoleMode, ConsoleOptions, Lang};

/// `floodgrid drill [SCENARIO]`: every flag of the console and of the headless run, defined
/// here once; the console gets its share as [`ConsoleOptions`].
#[derive(clap::Args, Debug, Clone, Default)]
pub struct DrillArgs {
    /// The scenario directory (default: the bundled scenarios/huayuankou).
    pub scenario: Option<PathBuf>,
    /// Run without a terminal.
    #[arg(long)]
    pub headless: bool,
    /// Drill script (TOML); default: the scenario's first drill.
    #[arg(long)]
    pub script: Option<PathBuf>,
    /// Commander actions, JSON Lines of {"t_min": .., "action": {"kind": ..}}.
    #[arg(long, help_heading = "Headless")]
    pub actions: Option<PathBuf>,
    /// Journal to append every action and event to (JSON Lines, flushed per record). In the
    /// console's what-if and live modes: a header, then every commander action.
    #[arg(long)]
    pub journal: Option<PathBuf>,
    /// Outbox for pushed messages (JSON Lines with text, audience and recipients).
    #[arg(long)]
    pub outbox: Option<PathBuf>,
    /// Continue a drill from its journal (rewrites it as the replay catches up, then appends;
    /// completes --outbox). The scenario, script and seed must be the ones in its header.
    #[arg(
        long,
        conflicts_with_all = ["journal", "script", "auto_dispatch", "what_if", "live"]
    )]
    pub resume: Option<PathBuf>,
    /// Replace an existing --journal or --outbox (a new drill never appends to another's).
    #[arg(long)]
    pub force: bool,
    /// The duty-commander policy: dispatch every ready task to the suggested people at once.
    #[arg(long, help_heading = "Headless")]
    pub auto_dispatch: bool,
    /// Stop at this drill minute (default: the end of the script).
    #[arg(long, help_heading = "Headless")]
    pub until: Option<f64>,
    /// Wall milliseconds to wait per drill minute (to watch, or to interrupt, a run).
    #[arg(long, default_value_t = 0, help_heading = "Headless")]
    pub pace_ms: u64,
    /// Report format printed at the end.
    #[arg(long, value_enum, default_value_t = ReportFormat::Md, help_heading = "Headless")]
    pub format: ReportFormat,
    /// Console language (default: from LC_ALL / LC_MESSAGES / LANG).
    #[arg(
        long,
        help_heading = "Console",
        value_parser = PossibleValuesParser::new([
            PossibleValue::new("zh").help("中文"),
            PossibleValue::new("en").help("English"),
        ])
        .try_map(|s| Lang::from_name(&s).ok_or("zh or en"))
    )]
    pub lang: Option<Lang>,
    /// Console what-if mode: no drill, no clock; the discharge is what the commander sets.
    #[arg(long, conflicts_with = "headless", help_heading = "Console")]
    pub what_if: bool,
    /// Discharge to start the what-if console from, m³/s.
    #[arg(
        long,
        default_value_t = 0.0,
        requires = "what_if",
        help_heading = "Console"
    )]
    pub discharge: f64,
    /// Live mode: a real feed drives the console (gauge readings and field reports, tailed).
    #[arg(
        long,
        requires = "gauge",
        conflicts_with_all = ["what_if", "script", "headless"],
        help_heading = "Console"
    )]
    pub live: bool,
    /// Gauge readings to tail, JSON Lines: {"time": RFC 3339 or minutes, "discharge_m3s": Q}.
    #[arg(
        long,
        value_name = "FEED.jsonl",
        requires = "live",
        help_heading = "Console"
    )]
    pub gauge: Option<PathBuf>,
    /// Field reports to tail, JSON Lines: {"time", "kind", "grid"/"site"/"task", "status", ...}.
    #[arg(
        long,
        value_name = "REPORTS.jsonl",
        requires = "live",
        help_heading = "Console"
    )]
    pub reports: Option<PathBuf>,
}

impl DrillArgs {
    /// The console's share of the flags: the mode (live, what-if or a drill) and what it reads
    /// and writes.
    pub fn console_options(&self) -> ConsoleOptions {
        let mode = match (&self.gauge, self.what_if) {
            (Some(gauge), _) if self.live => ConsoleMode::Live {
                gauge: gauge.clone(),
                reports: self.reports.clone(),
            },
            (_, true) => ConsoleMode::WhatIf {
                discharge_m3s: self.discharge,
            },
            _ => ConsoleMode::Drill {
                script: self.script.clone(),
            },
        };
        ConsoleOptions {
            scenario: self.scenario.clone(),
            lang: self.lang,
            mode,
            journal: self.journal.clone(),
            outbox: self.outbox.clone(),
            resume: self.resume.clone(),
            force: self.force,
        }
    }
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

/// Runs `actions` and the clock to `until`, waiting `pace_ms` per drill minute; stops at a
/// journal or outbox write error.
fn run_actions(d: &mut Drill<'_>, actions: &[TimedAction], until: f64, pace_ms: u64) {
    if pace_ms == 0 {
        run_timed(d, actions, until);
        return;
    }
    let step = |d: &mut Drill<'_>, to: f64| {
        while d.now_min() < to && d.journal_error().is_none() {
            let next = (d.now_min().floor() + 1.0).min(to);
            d.step_to(next);
            std::thread::sleep(std::time::Duration::from_millis(pace_ms));
        }
    };
    for a in actions {
        if a.t_min > until || d.journal_error().is_some() {
            break;
        }
        step(d, a.t_min);
        let _ = d.apply(a.action.clone());
    }
    step(d, until);
}

/// The end minute of a run: `--until` when given (a finite minute ≥ 0), else the script's end.
fn until_of(args: &DrillArgs, d: &Drill<'_>) -> Result<f64, ExitCode> {
    match args.until {
        Some(u) if u.is_finite() && u >= 0.0 => Ok(u),
        Some(u) => {
            eprintln!("error: --until {u}; expected a drill minute ≥ 0");
            Err(ExitCode::from(2))
        }
        None => Ok(d.end_min()),
    }
}

/// The end of a run: the report, or the write error that stopped the drill.
fn finish(d: &mut Drill<'_>, format: ReportFormat) -> ExitCode {
    if d.journal_error().is_none() {
        d.finish();
    }
    if let Some(e) = d.journal_error() {
        eprintln!(
            "error: the drill stopped at minute {:.1}: {e}; the journal ends at its last complete record (continue with --resume once there is room)",
            d.now_min()
        );
        return ExitCode::from(1);
    }
    print_report(d, format);
    ExitCode::SUCCESS
}

/// `floodgrid drill SCENARIO --headless ...`
pub fn headless(engine: &Engine, scenario_dir: &Path, args: &DrillArgs) -> ExitCode {
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
    for (path, what) in [(&args.journal, "journal"), (&args.outbox, "outbox")] {
        if let Some(p) = path
            && let Err(e) = fresh_file(p, what, args.force)
        {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    let provenance = match Provenance::of(scenario_dir, Path::new(&script.file)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", scenario_dir.display());
            return ExitCode::from(1);
        }
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
    let outbox: Option<Box<dyn MessageSink>> = match &args.outbox {
        Some(p) => match OutboxFile::open(p) {
            Ok(o) => Some(Box::new(o)),
            Err(e) => {
                eprintln!("error: cannot open the outbox {}: {e}", p.display());
                return ExitCode::from(1);
            }
        },
        None => None,
    };
    let options = DrillOptions {
        auto_dispatch: args.auto_dispatch,
        ..DrillOptions::default()
    };
    let mut d = Drill::start(engine, script, options, journal, outbox, &provenance);
    let until = match until_of(args, &d) {
        Ok(u) => u,
        Err(c) => return c,
    };
    run_actions(&mut d, &actions, until, args.pace_ms);
    finish(&mut d, args.format)
}

/// Picks a drill up from its journal (the session layer checks the header against the scenario,
/// script and seed, replays, and completes the outbox), then goes on with the actions file past
/// what the journal already holds.
fn resume(
    engine: &Engine,
    scenario_dir: &Path,
    journal_path: &Path,
    actions: &[TimedAction],
    args: &DrillArgs,
) -> ExitCode {
    let header = match open_journal(journal_path) {
        Ok((h, _)) => h,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    if header.script.is_empty() {
        eprintln!(
            "error: {} is a what-if or live console journal; there is no drill to resume",
            journal_path.display()
        );
        return ExitCode::from(2);
    }
    let script = match header.load_script(engine.scenario()) {
        Ok(s) => s,
        Err(d) => {
            eprint!("{}", render_diagnostics(&d));
            return ExitCode::from(1);
        }
    };
    let inputs = ResumeInputs {
        dir: scenario_dir,
        script,
        outbox: args.outbox.as_deref(),
    };
    let (mut d, replayed) = match floodgrid_engine::drill::resume(engine, journal_path, inputs) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    // The rest of the actions file: what the journal does not hold yet.
    let rest: Vec<TimedAction> = actions.iter().skip(replayed).cloned().collect();
    let until = match until_of(args, &d) {
        Ok(u) => u,
        Err(c) => return c,
    };
    run_actions(&mut d, &rest, until, args.pace_ms);
    finish(&mut d, args.format)
}

/// `floodgrid report JOURNAL`: replays the journal's drill and prints its report. The scenario
/// and script are found from the header (their absolute paths, so from any working directory)
/// and must still be the ones the drill ran on.
pub fn report_from_journal(journal_path: &Path, format: ReportFormat) -> ExitCode {
    let (header, records) = match open_journal(journal_path) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    if header.script.is_empty() {
        return console_journal(journal_path, &header.scenario, &records, format);
    }
    let dir = header.scenario_dir();
    let engine = match crate::engine_for(&dir) {
        Ok(e) => e,
        Err(c) => return c,
    };
    let script = match header.load_script(engine.scenario()) {
        Ok(s) => s,
        Err(d) => {
            eprint!("{}", render_diagnostics(&d));
            return ExitCode::from(1);
        }
    };
    if let Err(e) = verify(journal_path, &header, &dir, &script) {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    let (replay, last_t) = replay_of(&records);
    let mut d = Drill::start(
        &engine,
        script,
        DrillOptions {
            auto_dispatch: header.auto_dispatch,
            ..DrillOptions::default()
        },
        None,
        None,
        &header.provenance(),
    );
    run_timed(&mut d, &replay, last_t);
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        drill: DrillArgs,
    }

    fn console(args: &[&str]) -> ConsoleOptions {
        let argv = std::iter::once("drill").chain(args.iter().copied());
        Cli::try_parse_from(argv)
            .expect("valid drill flags")
            .drill
            .console_options()
    }

    #[test]
    fn console_mode_follows_the_flags() {
        let o = console(&[]);
        assert!(matches!(o.mode, ConsoleMode::Drill { script: None }));
        assert_eq!((o.scenario, o.lang, o.journal), (None, None, None));

        let o = console(&[
            "sc",
            "--script",
            "s.toml",
            "--journal",
            "j.jsonl",
            "--lang",
            "zh",
        ]);
        assert!(matches!(&o.mode, ConsoleMode::Drill { script: Some(p) } if p.ends_with("s.toml")));
        assert_eq!(o.scenario, Some(PathBuf::from("sc")));
        assert_eq!(o.journal, Some(PathBuf::from("j.jsonl")));
        assert_eq!(o.lang, Some(Lang::Zh));

        let o = console(&["--what-if", "--discharge", "5000"]);
        assert!(matches!(o.mode, ConsoleMode::WhatIf { discharge_m3s } if discharge_m3s == 5000.0));

        let o = console(&["--live", "--gauge", "g.jsonl", "--reports", "r.jsonl"]);
        assert!(
            matches!(&o.mode, ConsoleMode::Live { gauge, reports: Some(r) }
            if gauge.ends_with("g.jsonl") && r.ends_with("r.jsonl"))
        );
    }

    #[test]
    fn console_only_and_live_flags_refuse_what_does_not_fit() {
        for bad in [
            &["--headless", "--what-if"][..],
            &["--headless", "--live", "--gauge", "g"],
            &["--live"],
            &["--gauge", "g"],
            &["--discharge", "100"],
            &["--live", "--gauge", "g", "--script", "s"],
            &["--lang", "fr"],
        ] {
            let argv = std::iter::once("drill").chain(bad.iter().copied());
            assert!(Cli::try_parse_from(argv).is_err(), "{bad:?} accepted");
        }
    }
}
