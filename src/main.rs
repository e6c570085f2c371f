//! floodgrid: the command line. Thin: parses arguments and calls the engine.

mod bench;
mod drill_cli;
mod simulate;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use floodgrid_engine::assess::{Assessment, Engine, Situation};
use floodgrid_engine::hydro::{RatedRange, WarningLevel};
use floodgrid_engine::scenario::{Scenario, Severity, render_diagnostics};
use table::{Align, Column};

/// Flood-response decision support and drill simulator.
#[derive(Parser)]
#[command(
    name = "floodgrid",
    version,
    about,
    long_about = None,
    after_help = "Answers (tables, JSON, reports) go to stdout; diagnostics, progress and the \
                  files written go to stderr."
)]
struct Cli {
    /// What to do; without one, the drill console opens on the bundled scenario and its default
    /// drill.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check a scenario directory: every problem of every file, with file:line:column, on
    /// stderr; the verdict and the counts on stdout (--format json: all in one object on stdout).
    /// Exits 0 when there are no errors, 1 when there are.
    Check(CheckArgs),
    /// Write JSON Schemas for scenario.toml, plan files and drill scripts (for editor completion).
    Schema(SchemaArgs),
    /// Assess a discharge: warning level, the to-do list with people and materials, shortfalls.
    /// With --sweep, one row per discharge: the plan read against the river.
    Assess(AssessArgs),
    /// Write the flood atlas: for every DEM cell, the lowest discharge at which it is wet
    /// (threshold.tif and threshold.asc; NODATA where never wet).
    Atlas(AtlasArgs),
    /// Run a drill: the console, or --headless for CI and command systems.
    Drill(drill_cli::DrillArgs),
    /// 2D flood simulation (local inertial shallow water): a scenario with breaches, or a bare DEM
    /// for comparison with other solvers.
    Simulate(simulate::SimulateArgs),
    /// The after-action report of a drill journal.
    Report(ReportArgs),
    /// The standard speed figures (DESIGN §11), each beside its target with pass or fail; the
    /// scale scenario is generated on the fly.
    Bench(bench::BenchArgs),
}

#[derive(clap::Args)]
struct ReportArgs {
    /// The drill journal (JSON Lines).
    journal: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = drill_cli::ReportFormat::Md)]
    format: drill_cli::ReportFormat,
}

#[derive(clap::Args)]
struct AtlasArgs {
    /// The scenario directory.
    scenario: PathBuf,
    /// Directory to write into.
    #[arg(long)]
    out: PathBuf,
}

#[derive(clap::Args)]
struct AssessArgs {
    /// The scenario directory.
    scenario: PathBuf,
    /// Discharge at the reference gauge, m³/s.
    #[arg(long, conflicts_with = "sweep", required_unless_present_any = ["sweep", "stage"])]
    discharge: Option<f64>,
    /// Stage (水位) at the reference gauge, m: assessed at the discharge its rating curve gives.
    #[arg(long, conflicts_with_all = ["sweep", "discharge"], allow_negative_numbers = true)]
    stage: Option<f64>,
    /// FROM:TO:STEP in m³/s, e.g. 0:30000:1000.
    #[arg(long)]
    sweep: Option<String>,
    /// Output format (csv only with --sweep).
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    format: TableFormat,
    /// Also write the flooded extent as GeoJSON (lon/lat), one feature per grid with its exposure.
    #[arg(long, conflicts_with = "sweep")]
    extent: Option<PathBuf>,
    /// The clock, local time as written (`2026-07-21T03:00`, seconds and an offset optional):
    /// its month and hour open month- and hour-gated tasks (default: July, 08:00).
    #[arg(long, value_name = "TIME", value_parser = parse_clock)]
    at: Option<(u32, u32)>,
}

/// `--at`: the month and hour of a local time as written.
fn parse_clock(s: &str) -> Result<(u32, u32), String> {
    let t = s.trim();
    let has_offset =
        t.len() > 16 && (t.ends_with(['Z', 'z']) || t[16..].contains('+') || t[16..].contains('-'));
    let full = if has_offset {
        t.to_string()
    } else {
        format!("{t}Z")
    };
    floodgrid_tui::live::parse_rfc3339(&full)
        .map(|st| (st.month, st.hour))
        .ok_or_else(|| format!("{s:?}; expected a time such as 2026-07-21T03:00"))
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum TableFormat {
    /// A readable table.
    Table,
    /// JSON.
    Json,
    /// Comma-separated values (sweep only).
    Csv,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// The scenario directory.
    scenario: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(clap::Args)]
struct SchemaArgs {
    /// Directory to write the schemas into.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    /// Human-readable.
    Text,
    /// One JSON object.
    Json,
}

fn main() -> ExitCode {
    restore_sigpipe();
    let cli = Cli::parse();
    let Some(command) = cli.command else {
        return drill(drill_cli::DrillArgs::default());
    };
    match command {
        Command::Check(args) => check(args),
        Command::Schema(args) => schema(args),
        Command::Assess(args) => assess(args),
        Command::Atlas(args) => atlas(args),
        Command::Drill(args) => drill(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Report(args) => drill_cli::report_from_journal(&args.journal, args.format),
        Command::Bench(args) => bench::run(args),
    }
}

fn drill(args: drill_cli::DrillArgs) -> ExitCode {
    if !args.headless {
        return match floodgrid_tui::run(args.console_options()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(e.exit_code())
            }
        };
    }
    let dir = args
        .scenario
        .clone()
        .unwrap_or_else(floodgrid_tui::bundled_scenario);
    let engine = match engine_for(&dir) {
        Ok(e) => e,
        Err(code) => return code,
    };
    drill_cli::headless(&engine, &dir, &args)
}

fn atlas(args: AtlasArgs) -> ExitCode {
    let engine = match engine_for(&args.scenario) {
        Ok(e) => e,
        Err(code) => return code,
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("error: cannot create {}: {e}", args.out.display());
        return ExitCode::from(1);
    }
    let sc = engine.scenario();
    let raster = engine.atlas().threshold_raster(&sc.dem);
    let tif = args.out.join("threshold.tif");
    let asc = args.out.join("threshold.asc");
    let written = std::fs::File::create(&tif)
        .map_err(|e| e.to_string())
        .and_then(|f| {
            floodgrid_engine::flood::write_geotiff(
                &raster,
                sc.config.crs.epsg,
                std::io::BufWriter::new(f),
            )
            .map_err(|e| e.to_string())
        })
        .and_then(|_| std::fs::File::create(&asc).map_err(|e| e.to_string()))
        .and_then(|f| {
            floodgrid_engine::flood::write_ascii(&raster, std::io::BufWriter::new(f))
                .map_err(|e| e.to_string())
        });
    if let Err(e) = written {
        eprintln!("error: cannot write the atlas: {e}");
        return ExitCode::from(1);
    }
    let wet = raster.data.iter().filter(|v| v.is_finite()).count();
    eprintln!(
        "wrote {} and {} ({} × {} cells, {} reachable by the river)",
        tif.display(),
        asc.display(),
        raster.ncols,
        raster.nrows,
        wet
    );
    ExitCode::SUCCESS
}

/// Writes the flooded extent at the assessed discharge as GeoJSON (built by the engine).
fn write_extent(engine: &Engine, a: &Assessment, path: &std::path::Path) -> std::io::Result<()> {
    let extent = floodgrid_engine::geojson::flooded_extent(engine, a);
    std::fs::write(path, extent.to_string())
}

/// Loads a scenario and builds the engine, printing diagnostics on failure (exit 1).
fn engine_for(dir: &std::path::Path) -> Result<Engine, ExitCode> {
    let scenario = Scenario::load(dir).map_err(|e| {
        eprint!("{}", render_diagnostics(&e.diagnostics));
        eprintln!(
            "error: {} cannot be used; run `floodgrid check {}`",
            dir.display(),
            dir.display()
        );
        ExitCode::from(1)
    })?;
    Engine::build(scenario).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(1)
    })
}

fn parse_sweep(text: &str) -> Option<(f64, f64, f64)> {
    let mut it = text
        .split(':')
        .map(|p| p.trim().replace('_', "").parse::<f64>().ok());
    let (from, to, step) = (it.next()??, it.next()??, it.next()??);
    (it.next().is_none()
        && from >= 0.0
        && from.is_finite()
        && to.is_finite()
        && step.is_finite()
        && step > 0.0
        && to >= from
        && (to - from) / step < MAX_SWEEP_ROWS as f64)
        .then_some((from, to, step))
}

/// The most rows a sweep prints (each is a full assessment, about 1 ms on the bundled scenario).
const MAX_SWEEP_ROWS: usize = 2_001;

/// A what-if situation at a discharge, on the clock of `--at` when given.
fn situation_at(q: f64, at: Option<(u32, u32)>) -> Situation {
    let mut s = Situation::at_discharge(q);
    if let Some((month, hour)) = at {
        s.month = month;
        s.hour = hour;
    }
    s
}

/// `--stage`: the discharge the gauge's rating curve gives, with a warning when the stage lies
/// beyond the rated table; an impossible stage is an error (exit 2).
fn gauge_discharge(engine: &Engine, stage_m: f64) -> Result<f64, ExitCode> {
    let config = &engine.scenario().config;
    let station = config
        .stations
        .get(config.gauge.station)
        .map_or("", |s| s.id.as_str());
    match config.discharge_at(stage_m) {
        Ok(c) => {
            let (q0, h0) = config.gauge_rating().map_or((0.0, 0.0), |r| r.first());
            let (q1, h1) = config.gauge_rating().map_or((0.0, 0.0), |r| r.last());
            match c.range {
                RatedRange::Rated => {}
                RatedRange::Below => eprintln!(
                    "warning: --stage {stage_m} m lies below {h0} m, the lowest rated stage of station `{station}`; assessed at its discharge, {q0} m³/s"
                ),
                RatedRange::Above => eprintln!(
                    "warning: --stage {stage_m} m lies above {h1} m, the highest rated stage of station `{station}` ({q1} m³/s); its discharge {:.0} m³/s is extrapolated along the rating's last segment",
                    c.value
                ),
            }
            Ok(c.value)
        }
        Err(e) => {
            eprintln!("error: --stage {stage_m}: {e}");
            Err(ExitCode::from(2))
        }
    }
}

/// `--discharge` beyond the rated table: the stage is extrapolated, and the user is told.
fn warn_beyond_rating(engine: &Engine, q: f64) {
    let config = &engine.scenario().config;
    if let Ok(c) = config.stage_at(q)
        && c.range == RatedRange::Above
    {
        let (q1, h1) = config.gauge_rating().map_or((0.0, 0.0), |r| r.last());
        eprintln!(
            "warning: --discharge {q} m³/s lies above {q1} m³/s, the highest rated discharge of the gauge ({h1} m); its stage {:.2} m is extrapolated along the rating's last segment",
            c.value
        );
    }
}

fn assess(args: AssessArgs) -> ExitCode {
    let sweep = match args.sweep.as_deref().map(parse_sweep) {
        Some(None) => {
            eprintln!(
                "error: --sweep expects FROM:TO:STEP with 0 ≤ FROM ≤ TO, STEP > 0 and at most {MAX_SWEEP_ROWS} rows, e.g. 0:30000:1000"
            );
            return ExitCode::from(2);
        }
        Some(Some(s)) => Some(s),
        None => None,
    };
    if args.format == TableFormat::Csv && sweep.is_none() {
        eprintln!("error: --format csv is for --sweep; use table or json for one discharge");
        return ExitCode::from(2);
    }
    if let Some(q) = args.discharge
        && !(q.is_finite() && q >= 0.0)
    {
        eprintln!("error: --discharge expects a discharge ≥ 0 m³/s");
        return ExitCode::from(2);
    }
    let engine = match engine_for(&args.scenario) {
        Ok(e) => e,
        Err(code) => return code,
    };
    if let Some(q) = args.discharge {
        let max_q = engine.scenario().config.gauge.max_discharge_m3s;
        if q > max_q {
            eprintln!(
                "error: --discharge {q}: expected 0 to {max_q} m³/s, the most this river can carry (the scenario's max_discharge_m3s)"
            );
            return ExitCode::from(2);
        }
    }
    let discharge = match (args.stage, args.discharge) {
        (Some(h), _) => match gauge_discharge(&engine, h) {
            Ok(q) => Some(q),
            Err(code) => return code,
        },
        (None, q) => {
            if let Some(q) = q {
                warn_beyond_rating(&engine, q);
            }
            q
        }
    };
    if let Some((from, to, step)) = sweep {
        let max_q = engine.scenario().config.gauge.max_discharge_m3s;
        if to > max_q {
            eprintln!(
                "error: --sweep goes to {to} m³/s, beyond the {max_q} m³/s this river can carry (the scenario's max_discharge_m3s)"
            );
            return ExitCode::from(2);
        }
        let n = ((to - from) / step).floor() as usize;
        let rows: Vec<SweepRow> = (0..=n)
            .map(|i| {
                let q = from + step * i as f64;
                let a = engine
                    .assess(&situation_at(q, args.at))
                    .expect("a sweep's discharges lie between 0 and the river's maximum");
                SweepRow {
                    discharge_m3s: q,
                    level: a.level,
                    active_instructions: a.summary.active_instructions,
                    instances: a.summary.instances,
                    assigned: a.summary.assigned,
                    unassigned: a.summary.unassigned,
                    people_short: a.summary.people_short,
                    materials_short: a.summary.materials_short,
                }
            })
            .collect();
        print_sweep(&rows, args.format);
        return ExitCode::SUCCESS;
    }
    let a = match engine.assess(&situation_at(discharge.unwrap_or(0.0), args.at)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(path) = &args.extent
        && let Err(e) = write_extent(&engine, &a, path)
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::from(1);
    }
    match args.format {
        TableFormat::Json => println!("{}", serde_json::to_string_pretty(&a).unwrap_or_default()),
        _ => print_assessment(&engine, &a),
    }
    ExitCode::SUCCESS
}

#[derive(serde::Serialize)]
struct SweepRow {
    discharge_m3s: f64,
    level: WarningLevel,
    active_instructions: usize,
    instances: usize,
    assigned: usize,
    unassigned: usize,
    people_short: u32,
    materials_short: usize,
}

fn print_sweep(rows: &[SweepRow], format: TableFormat) {
    match format {
        TableFormat::Json => println!("{}", serde_json::to_string_pretty(rows).unwrap_or_default()),
        TableFormat::Csv | TableFormat::Table => {
            let csv = format == TableFormat::Csv;
            let head = [
                "Q m³/s",
                "level",
                "instructions",
                "instances",
                "assigned",
                "unassigned",
                "people short",
                "materials short",
            ];
            let cells = |r: &SweepRow| -> [String; 8] {
                [
                    r.discharge_m3s.to_string(),
                    r.level.name().to_string(),
                    r.active_instructions.to_string(),
                    r.instances.to_string(),
                    r.assigned.to_string(),
                    r.unassigned.to_string(),
                    r.people_short.to_string(),
                    r.materials_short.to_string(),
                ]
            };
            // The level's names are at most six columns; three spaces set it off from Q.
            let columns = [
                Column::right(10),
                Column::left(6).gap(3),
                Column::right(12),
                Column::right(9),
                Column::right(9),
                Column::right(10),
                Column::right(12),
                Column::right(15),
            ];
            let line = |c: [String; 8]| -> String {
                if csv {
                    c.join(",")
                } else {
                    table::row(&c, &columns)
                }
            };
            if csv {
                println!(
                    "discharge_m3s,level,active_instructions,instances,assigned,unassigned,people_short,materials_short"
                );
            } else {
                println!("{}", line(head.map(String::from)));
            }
            for r in rows {
                println!("{}", line(cells(r)));
            }
        }
    }
}

fn print_assessment(engine: &Engine, a: &Assessment) {
    let sc = engine.scenario();
    println!(
        "{}  Q = {} m³/s  stage {:.2} m  level: {} ({}){}",
        sc.config.name,
        a.discharge_m3s,
        a.stage_m,
        a.level.name(),
        a.level.name_zh(),
        a.response
            .as_deref()
            .map(|r| format!("  response {r}"))
            .unwrap_or_default()
    );
    let s = &a.summary;
    println!(
        "{} instructions active, {} instances: {} fully assigned, {} unassigned, {} people short, {} material lines short",
        s.active_instructions,
        s.instances,
        s.assigned,
        s.unassigned,
        s.people_short,
        s.materials_short
    );
    println!();
    let columns = [
        Column::left(3),
        Column::left(44),
        Column::left(10),
        Column::right(8),
        Column::left(24).gap(2),
        Column::rest(),
    ];
    println!(
        "{}",
        table::row(
            &["pri", "task", "status", "due min", "assignees", "title"],
            &columns
        )
    );
    for t in &a.tasks {
        let names: Vec<&str> = t.assignees.iter().map(|p| p.person.name.as_ref()).collect();
        let mut who = names.join(",");
        if t.people_short > 0 {
            who.push_str(&format!(" (short {})", t.people_short));
        }
        let cells = [
            t.card.priority.to_string(),
            t.id.to_string(),
            t.status.name().to_string(),
            t.deadline_min.to_string(),
            who,
            t.card.title.to_string(),
        ];
        println!("{}", table::row(&cells, &columns));
    }
    let sf = &a.shortfalls;
    if !sf.people.is_empty() || !sf.support.is_empty() || !sf.materials.is_empty() {
        println!();
        println!("shortfalls:");
        for p in &sf.people {
            println!(
                "  staff short in the town    {} needed {:>6}  short {:>6}",
                table::cell(&p.role, 20, Align::Left),
                p.needed,
                p.short
            );
        }
        for p in &sf.support {
            println!(
                "  support to request         {} people {:>6}  for {:>5} tasks",
                table::cell(&p.role, 20, Align::Left),
                p.request,
                p.instances
            );
        }
        for m in &sf.materials {
            println!(
                "  material {} needed {:>8}  in depots {:>8}  short {:>8}",
                table::cell(&m.material, 19, Align::Left),
                m.needed,
                m.available,
                m.short
            );
        }
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let started = Instant::now();
    let report = Scenario::check(&args.scenario);
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let errors = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = report.diagnostics.len() - errors;
    match args.format {
        Format::Json => {
            let json = serde_json::json!({
                "ok": report.ok(),
                "scenario": args.scenario.display().to_string(),
                "errors": errors,
                "warnings": warnings,
                "counts": report.counts,
                "diagnostics": report.diagnostics,
                "load_ms": (elapsed_ms * 10.0).round() / 10.0,
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
        }
        Format::Text => {
            // The problems are diagnostics (stderr, as a compiler's are); the verdict and the
            // counts are the answer (stdout).
            eprint!("{}", render_diagnostics(&report.diagnostics));
            let c = &report.counts;
            println!(
                "{}: {errors} error(s), {warnings} warning(s) in {elapsed_ms:.0} ms",
                args.scenario.display()
            );
            println!(
                "  {} instructions; {} grids ({} dedicated) of {} grid-map features; {} people; {} key persons; {} households; {} sites ({} smart stones); {} DEM cells; {} drills",
                c.instructions,
                c.grids,
                c.dedicated_grids,
                c.grid_features,
                c.people,
                c.key_persons,
                c.households,
                c.sites,
                c.smart_stones,
                c.dem_cells,
                c.drills
            );
        }
    }
    if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn schema(args: SchemaArgs) -> ExitCode {
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("error: cannot create {}: {e}", args.out.display());
        return ExitCode::from(1);
    }
    for (name, text) in floodgrid_engine::schema::schemas() {
        let path = args.out.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
        eprintln!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}

/// Output piped into a reader that stops early (`floodgrid assess ... | head`) ends the process
/// quietly, as other Unix tools do, instead of a panic in `println!`: Rust starts programs with
/// SIGPIPE ignored, so the default action is put back.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any thread exists; resetting a signal to its
    // default action touches no Rust state.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
