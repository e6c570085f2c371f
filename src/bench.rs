//! `floodgrid bench`: the standard speed figures of DESIGN §11 measured in one process, each
//! printed beside its target with a pass or fail, plus the machine it ran on.
//!
//! The scale scenario is generated on the fly (into a temporary directory unless `--scale-dir`
//! names one that already holds it) by the same generator as the bundled scenario. Criterion
//! benchmarks in `benches/` measure the same workloads with statistics; this command is the
//! quick, one-screen version that anyone can run.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::ValueEnum;
use floodgrid_engine::assess::{Assessment, Engine, Situation};
use floodgrid_engine::flood::solver::{Simulation, SolverConfig, cases};
use floodgrid_engine::hydro::WarningLevel;
use floodgrid_engine::scenario::Scenario;
use serde::Serialize;

/// `floodgrid bench` arguments.
#[derive(clap::Args)]
pub struct BenchArgs {
    /// Fewer repetitions: finishes in under a minute on two cores.
    #[arg(long)]
    quick: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BenchFormat::Table)]
    format: BenchFormat,
    /// Keep the generated scale scenario here (reused when it is already there).
    #[arg(long)]
    scale_dir: Option<PathBuf>,
    /// The bundled scenario (default: scenarios/huayuankou).
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Only these parts, comma-separated: bundled (with the console frame), scale, solver.
    #[arg(long)]
    only: Option<String>,
}

/// How `floodgrid bench` prints.
#[derive(Clone, Copy, ValueEnum)]
enum BenchFormat {
    /// Aligned columns.
    Table,
    /// One JSON object.
    Json,
}

/// Which way a figure must lie against its target.
#[derive(Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
enum Goal {
    /// Under the target.
    Below,
    /// At or above the target.
    AtLeast,
    /// Informational: no target.
    None,
}

/// One measured figure.
#[derive(Serialize)]
struct Figure {
    name: &'static str,
    description: String,
    value: f64,
    unit: &'static str,
    goal: Goal,
    target: Option<f64>,
    threads: usize,
    pass: Option<bool>,
}

/// The whole report.
#[derive(Serialize)]
struct Report {
    machine: Machine,
    quick: bool,
    figures: Vec<Figure>,
    scaling: Vec<ScalingRow>,
    /// The scale assessment's stages at 22,000 m³/s on one and two threads.
    scale_stages: Vec<StageRow>,
    all_pass: bool,
    wall_seconds: f64,
}

#[derive(Serialize)]
struct Machine {
    cores: usize,
    cpu: String,
    os: &'static str,
    arch: &'static str,
}

/// How the work and the time grow from the bundled scenario to the scale one.
#[derive(Serialize)]
struct ScalingRow {
    scenario: &'static str,
    grids: usize,
    people: usize,
    residents: usize,
    dem_cells: usize,
    instances_at_22000: usize,
    assess_ms_1thread: f64,
    assess_ms_2threads: f64,
    microseconds_per_instance_1thread: f64,
}

struct Bench {
    figures: Vec<Figure>,
    quick: bool,
}

impl Bench {
    fn push(
        &mut self,
        name: &'static str,
        description: impl Into<String>,
        value: f64,
        unit: &'static str,
        goal: Goal,
        threads: usize,
    ) {
        let target = match goal {
            Goal::None => None,
            _ => target_of(name),
        };
        let pass = target.map(|t| match goal {
            Goal::Below => value < t,
            Goal::AtLeast => value >= t,
            Goal::None => true,
        });
        let f = Figure {
            name,
            description: description.into(),
            value,
            unit,
            goal,
            target,
            threads,
            pass,
        };
        eprintln!("  {:<34} {:>14} {}", f.name, fmt_value(f.value), f.unit);
        self.figures.push(f);
    }

    fn reps(&self, quick: usize, full: usize) -> usize {
        if self.quick { quick } else { full }
    }
}

/// The targets of DESIGN §11 (and the issue on scale): one table, so the table and the JSON
/// agree.
fn target_of(name: &str) -> Option<f64> {
    Some(match name {
        "bundled.build_ms" => 1000.0,
        "bundled.assess_median_ms" => 2.0,
        "scale.instances_at_22000" => 100_000.0,
        "scale.assess_median_ms" => 100.0,
        "scale.atlas_s" => 3.0,
        "scale.identical_1_and_2_threads" => 1.0,
        "scale.peak_memory_mib" => 8192.0,
        "solver.kernel_4000_cell_updates_per_s" => 4.0e8,
        "solver.valley_wet_1000_1h_s" => 6.0,
        "solver.valley_dry_1000_1h_s" => 2.0,
        "console.frame_200x60_ms" => 5.0,
        _ => return None,
    })
}

fn fmt_value(v: f64) -> String {
    if v.abs() >= 1e6 {
        format!("{v:.3e}")
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a rayon pool of one or two threads")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Peak resident memory of this process so far (VmHWM), MiB; `None` where /proc is missing.
fn peak_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Median time of assessments at discharges cycling through every level, ms.
fn assess_median(engine: &Engine, pool: &rayon::ThreadPool, reps: usize) -> f64 {
    let discharges: Vec<f64> = (0..60).map(|i| 500.0 * i as f64).collect();
    let mut k = 0usize;
    let mut times = Vec::with_capacity(reps);
    for _ in 0..reps {
        k = (k + 7) % discharges.len();
        let s = Situation::at_discharge(discharges[k]);
        let t = Instant::now();
        let a = pool.install(|| engine.assess(&s).expect("a valid situation"));
        times.push(ms(t.elapsed()));
        std::hint::black_box(a.summary.instances);
    }
    median(times)
}

/// Median time of the assessment at one discharge, ms, the median time of each stage, and the
/// last assessment.
fn assess_at(
    engine: &Engine,
    pool: &rayon::ThreadPool,
    q: f64,
    reps: usize,
) -> (f64, [f64; 6], Assessment) {
    let s = Situation::at_discharge(q);
    let mut times = Vec::with_capacity(reps);
    let mut stages: [Vec<f64>; 6] = Default::default();
    let mut last = None;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        let (a, st) = pool.install(|| engine.assess_timed(&s).expect("a valid situation"));
        times.push(ms(t.elapsed()));
        for (v, x) in stages.iter_mut().zip([
            st.exposure_ms,
            st.activation_ms,
            st.assignment_ms,
            st.dependencies_ms,
            st.instances_ms,
            st.evacuation_ms,
        ]) {
            v.push(x);
        }
        last = Some(a);
    }
    (
        median(times),
        stages.map(median),
        last.expect("at least one run"),
    )
}

/// The stages of an assessment, as `StageTimes` names them.
const STAGES: [(&str, bool); 6] = [
    ("exposure", false),
    ("activation", true),
    ("assignment", false),
    ("dependencies", true),
    ("instances", true),
    ("evacuation", true),
];

/// One stage of the scale assessment on one and two threads.
#[derive(Serialize)]
struct StageRow {
    stage: &'static str,
    parallel: bool,
    ms_1thread: f64,
    ms_2threads: f64,
    speedup: f64,
}

fn load(dir: &Path) -> Result<Scenario, String> {
    Scenario::load(dir).map_err(|e| format!("{}: {e}", dir.display()))
}

fn build(scenario: Scenario) -> Result<Engine, String> {
    Engine::build(scenario).map_err(|e| e.to_string())
}

/// Runs the figures and prints them.
pub fn run(args: BenchArgs) -> ExitCode {
    match run_inner(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_inner(args: BenchArgs) -> Result<ExitCode, String> {
    let started = Instant::now();
    let mut b = Bench {
        figures: Vec::new(),
        quick: args.quick,
    };
    let one = pool(1);
    let two = pool(2);
    let mut scaling = Vec::new();
    let mut stages = Vec::new();
    let want = |part: &str| {
        args.only
            .as_deref()
            .is_none_or(|o| o.split(',').any(|x| x.trim() == part))
    };
    if want("bundled") {
        bundled_figures(&mut b, &args, &one, &two, &mut scaling)?;
    }
    if want("scale") {
        scale_figures(&mut b, &args, &one, &two, &mut scaling, &mut stages)?;
    }
    if want("solver") {
        solver_figures(&mut b, &one, &two)?;
    }

    let all_pass = b.figures.iter().all(|f| f.pass != Some(false));
    let report = Report {
        machine: Machine {
            cores: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            cpu: cpu_model(),
            os: std::env::consts::OS,
            arch: std::env::consts::ARCH,
        },
        quick: args.quick,
        figures: b.figures,
        scaling,
        scale_stages: stages,
        all_pass,
        wall_seconds: started.elapsed().as_secs_f64(),
    };
    match args.format {
        BenchFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        ),
        BenchFormat::Table => print_table(&report),
    }
    Ok(if all_pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The bundled scenario's figures and the console frame.
fn bundled_figures(
    b: &mut Bench,
    args: &BenchArgs,
    one: &rayon::ThreadPool,
    two: &rayon::ThreadPool,
    scaling: &mut Vec<ScalingRow>,
) -> Result<(), String> {
    // Bundled scenario.
    eprintln!("bundled scenario");
    let dir = args
        .scenario
        .clone()
        .unwrap_or_else(floodgrid_tui::bundled_scenario);
    let t = Instant::now();
    let scenario = load(&dir)?;
    b.push(
        "bundled.load_ms",
        "load and check every file of the bundled scenario",
        ms(t.elapsed()),
        "ms",
        Goal::None,
        1,
    );
    let t = Instant::now();
    let engine = one.install(|| build(scenario))?;
    b.push(
        "bundled.build_ms",
        "engine build, flood atlas included",
        ms(t.elapsed()),
        "ms",
        Goal::Below,
        1,
    );
    let reps = b.reps(300, 3000);
    b.push(
        "bundled.assess_median_ms",
        "assessment at a new discharge (cycling 0-29,500 m³/s), median",
        assess_median(&engine, one, reps),
        "ms",
        Goal::Below,
        1,
    );
    let (b1, _, red) = assess_at(&engine, one, 22_000.0, b.reps(100, 1000));
    let (b2, _, _) = assess_at(&engine, two, 22_000.0, b.reps(100, 1000));
    if red.level != WarningLevel::Red {
        return Err(format!("22,000 m³/s gave {:?}, not red", red.level));
    }
    b.push(
        "bundled.assess_22000_ms",
        "assessment at 22,000 m³/s (red), median",
        b1,
        "ms",
        Goal::None,
        1,
    );
    let sc = engine.scenario();
    scaling.push(ScalingRow {
        scenario: "bundled",
        grids: sc.grids.len(),
        people: sc.people.len(),
        residents: sc.residents.len(),
        dem_cells: sc.dem.data.len(),
        instances_at_22000: red.summary.instances,
        assess_ms_1thread: b1,
        assess_ms_2threads: b2,
        microseconds_per_instance_1thread: b1 * 1e3 / red.summary.instances.max(1) as f64,
    });

    // Console frame at the red state.
    let frame = console_frame(Arc::new(engine), b.reps(50, 300))?;
    b.push(
        "console.frame_200x60_ms",
        "one full console frame at 200×60, red state, median",
        frame,
        "ms",
        Goal::Below,
        1,
    );

    Ok(())
}

/// The scale scenario's figures (generated when `--scale-dir` does not hold it).
fn scale_figures(
    b: &mut Bench,
    args: &BenchArgs,
    one: &rayon::ThreadPool,
    two: &rayon::ThreadPool,
    scaling: &mut Vec<ScalingRow>,
    stages: &mut Vec<StageRow>,
) -> Result<(), String> {
    // Scale scenario.
    eprintln!("scale scenario");
    let (scale_dir, _guard) = scale_dir(args, b)?;
    let t = Instant::now();
    let scenario = load(&scale_dir)?;
    b.push(
        "scale.load_s",
        "load and check the scale scenario",
        t.elapsed().as_secs_f64(),
        "s",
        Goal::None,
        1,
    );
    let t = Instant::now();
    let engine = two.install(|| build(scenario.clone()))?;
    b.push(
        "scale.build_s",
        "engine build of the scale scenario, atlas included",
        t.elapsed().as_secs_f64(),
        "s",
        Goal::None,
        2,
    );
    drop(scenario);
    let atlas_reps = b.reps(1, 3);
    for (threads, p) in [(2usize, &two), (1, &one)] {
        let mut times = Vec::new();
        for _ in 0..atlas_reps {
            let t = Instant::now();
            let a = p.install(|| engine.rebuild_atlas());
            times.push(t.elapsed().as_secs_f64());
            std::hint::black_box(a.threshold.len());
        }
        let name = if threads == 2 {
            "scale.atlas_s"
        } else {
            "scale.atlas_1thread_s"
        };
        b.push(
            name,
            "flood atlas of the 4000×4000 DEM",
            median(times),
            "s",
            if threads == 2 {
                Goal::Below
            } else {
                Goal::None
            },
            threads,
        );
    }
    let reps = b.reps(7, 25);
    let (s2, st2, a2) = assess_at(&engine, two, 22_000.0, reps);
    let (s1, st1, a1) = assess_at(&engine, one, 22_000.0, reps);
    *stages = STAGES
        .iter()
        .zip(st1.iter().zip(&st2))
        .map(|(&(stage, parallel), (&a, &b))| StageRow {
            stage,
            parallel,
            ms_1thread: a,
            ms_2threads: b,
            speedup: a / b,
        })
        .collect();
    b.push(
        "scale.instances_at_22000",
        "task instances at 22,000 m³/s",
        a2.summary.instances as f64,
        "instances",
        Goal::AtLeast,
        2,
    );
    b.push(
        "scale.assess_median_ms",
        "assessment at 22,000 m³/s, median",
        s2,
        "ms",
        Goal::Below,
        2,
    );
    b.push(
        "scale.assess_1thread_ms",
        "assessment at 22,000 m³/s on one thread, median",
        s1,
        "ms",
        Goal::None,
        1,
    );
    b.push(
        "scale.assess_speedup_2_threads",
        "one-thread time over two-thread time",
        s1 / s2,
        "x",
        Goal::None,
        2,
    );
    let same = serde_json::to_vec(&a1).ok() == serde_json::to_vec(&a2).ok();
    b.push(
        "scale.identical_1_and_2_threads",
        "the 22,000 m³/s assessment's JSON is byte-identical on 1 and 2 threads (1 = yes)",
        if same { 1.0 } else { 0.0 },
        "bool",
        Goal::AtLeast,
        2,
    );
    let sc = engine.scenario();
    scaling.push(ScalingRow {
        scenario: "scale",
        grids: sc.grids.len(),
        people: sc.people.len(),
        residents: sc.residents.len(),
        dem_cells: sc.dem.data.len(),
        instances_at_22000: a2.summary.instances,
        assess_ms_1thread: s1,
        assess_ms_2threads: s2,
        microseconds_per_instance_1thread: s1 * 1e3 / a2.summary.instances.max(1) as f64,
    });
    drop((a1, a2));
    b.push(
        "scale.peak_memory_mib",
        "peak resident memory after loading, building and assessing the scale scenario",
        peak_mib().unwrap_or(f64::NAN),
        "MiB",
        Goal::Below,
        2,
    );
    drop(engine);

    Ok(())
}

/// The 2D solver's figures.
fn solver_figures(
    b: &mut Bench,
    one: &rayon::ThreadPool,
    two: &rayon::ThreadPool,
) -> Result<(), String> {
    // Solver.
    eprintln!("2D solver");
    let steps = b.reps(3, 10);
    // The kernel alone (maxima and arrival tracking off), then with the default tracking.
    for (name, threads, every, goal) in [
        (
            "solver.kernel_4000_cell_updates_per_s",
            1usize,
            0u32,
            Goal::AtLeast,
        ),
        (
            "solver.kernel_4000_2threads_cell_updates_per_s",
            2,
            0,
            Goal::None,
        ),
        (
            "solver.kernel_4000_tracking_cell_updates_per_s",
            1,
            SolverConfig::default().track_every_steps,
            Goal::None,
        ),
    ] {
        let (_, mut sim) = cases::wet_basin(4000, 10.0);
        let mut cfg = sim.config().clone();
        cfg.track_every_steps = every;
        sim.set_config(cfg).map_err(|e| e.to_string())?;
        let p = if threads == 1 { &one } else { &two };
        let cu = kernel_rate(&mut sim, p, steps)?;
        let what = if every == 0 {
            "solver steps on a fully wet 4000×4000 basin (kernel: no maxima or arrival tracking)"
        } else {
            "solver steps on a fully wet 4000×4000 basin, maxima and arrival tracked (default)"
        };
        b.push(name, what, cu, "cells/s", goal, threads);
    }
    for (name, case, what) in [
        (
            "solver.valley_wet_1000_1h_s",
            cases::valley_wet as fn(usize, f64) -> (floodgrid_engine::flood::Raster, Simulation),
            "an hour of a fully wet 1000×1000 valley",
        ),
        (
            "solver.valley_dry_1000_1h_s",
            cases::valley_dry,
            "an hour of a mostly dry 1000×1000 valley",
        ),
    ] {
        let (_, mut sim) = case(1000, 10.0);
        let t = Instant::now();
        one.install(|| sim.advance_to(3600.0));
        let secs = t.elapsed().as_secs_f64();
        let mb = sim.mass_balance();
        if mb.relative_error.abs() > 1e-3 {
            return Err(format!("{name}: mass balance error {}", mb.relative_error));
        }
        b.push(name, what, secs, "s", Goal::Below, 1);
    }

    Ok(())
}

/// Removes a temporary scale scenario when dropped.
struct TempDir(Option<PathBuf>);

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

/// The scale scenario's directory: generated (and timed) unless `--scale-dir` already holds it.
fn scale_dir(args: &BenchArgs, b: &mut Bench) -> Result<(PathBuf, TempDir), String> {
    let (dir, guard) = match &args.scale_dir {
        Some(d) => (d.clone(), TempDir(None)),
        None => {
            let d = std::env::temp_dir().join(format!("floodgrid-scale-{}", std::process::id()));
            (d.clone(), TempDir(Some(d)))
        }
    };
    if dir.join("scenario.toml").is_file() {
        return Ok((dir, guard));
    }
    let preset = floodgrid_scengen::Preset::scale();
    let t = Instant::now();
    let summary = floodgrid_scengen::generate(&preset, &dir)
        .map_err(|e| format!("generating the scale scenario in {}: {e}", dir.display()))?;
    b.push(
        "scale.generate_s",
        format!(
            "generate the scale scenario ({} key persons, {} households, {} files)",
            summary.key_persons,
            summary.households_by_class.iter().sum::<usize>(),
            summary.files.len()
        ),
        t.elapsed().as_secs_f64(),
        "s",
        Goal::None,
        1,
    );
    Ok((dir, guard))
}

/// Cell updates per second over `steps` solver steps (after three warm-up steps).
fn kernel_rate(sim: &mut Simulation, p: &rayon::ThreadPool, steps: usize) -> Result<f64, String> {
    for _ in 0..3 {
        p.install(|| sim.step(f64::INFINITY));
    }
    let before = sim.cell_updates();
    let t = Instant::now();
    for _ in 0..steps {
        let dt = p.install(|| sim.step(f64::INFINITY));
        if !(dt > 0.0 && dt.is_finite()) {
            return Err(format!("solver step of {dt} s"));
        }
    }
    let secs = t.elapsed().as_secs_f64();
    Ok((sim.cell_updates() - before) as f64 / secs)
}

/// Median time to draw one 200×60 frame of the console at 22,000 m³/s, ms.
fn console_frame(engine: Arc<Engine>, reps: usize) -> Result<f64, String> {
    use floodgrid_tui::{App, AppOptions, Lang, Message, update};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let mut app = App::new(
        engine,
        AppOptions {
            lang: Lang::Zh,
            ..AppOptions::default()
        },
    );
    update(&mut app, Message::Command("flow 22000".into()));
    if app.assessment.level != WarningLevel::Red {
        return Err("the console did not turn red at 22,000 m³/s".into());
    }
    let mut term = Terminal::new(TestBackend::new(200, 60)).map_err(|e| e.to_string())?;
    let mut times = Vec::with_capacity(reps);
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        term.draw(|f| floodgrid_tui::draw(f, &app))
            .map_err(|e| e.to_string())?;
        times.push(ms(t.elapsed()));
    }
    Ok(median(times))
}

fn print_table(r: &Report) {
    println!(
        "floodgrid bench{} — {} cores, {} ({}/{})",
        if r.quick { " --quick" } else { "" },
        r.machine.cores,
        r.machine.cpu,
        r.machine.os,
        r.machine.arch
    );
    println!();
    println!(
        "{:<48} {:>12} {:<10} {:>7} {:>12}  result",
        "figure", "value", "unit", "threads", "target"
    );
    for f in &r.figures {
        let target = match (f.goal, f.target) {
            (Goal::Below, Some(t)) => format!("< {}", fmt_value(t)),
            (Goal::AtLeast, Some(t)) => format!(">= {}", fmt_value(t)),
            _ => "-".into(),
        };
        let result = match f.pass {
            Some(true) => "pass",
            Some(false) => "FAIL",
            None => "",
        };
        println!(
            "{:<48} {:>12} {:<10} {:>7} {:>12}  {}",
            f.name,
            fmt_value(f.value),
            f.unit,
            f.threads,
            target,
            result
        );
    }
    println!();
    println!("work × time, bundled → scale (assessment at 22,000 m³/s):");
    println!(
        "{:<8} {:>7} {:>7} {:>9} {:>10} {:>10} {:>10} {:>10} {:>12}",
        "scenario",
        "grids",
        "people",
        "residents",
        "dem cells",
        "instances",
        "ms 1 thr",
        "ms 2 thr",
        "µs/instance"
    );
    for s in &r.scaling {
        println!(
            "{:<8} {:>7} {:>7} {:>9} {:>10} {:>10} {:>10.2} {:>10.2} {:>12.2}",
            s.scenario,
            s.grids,
            s.people,
            s.residents,
            s.dem_cells,
            s.instances_at_22000,
            s.assess_ms_1thread,
            s.assess_ms_2threads,
            s.microseconds_per_instance_1thread
        );
    }
    println!();
    println!("scale assessment by stage, 1 and 2 threads (medians, ms):");
    println!(
        "{:<14} {:>9} {:>10} {:>10} {:>8}",
        "stage", "parallel", "1 thread", "2 threads", "speed-up"
    );
    for s in &r.scale_stages {
        println!(
            "{:<14} {:>9} {:>10.2} {:>10.2} {:>8.2}",
            s.stage,
            if s.parallel { "yes" } else { "no" },
            s.ms_1thread,
            s.ms_2threads,
            s.speedup
        );
    }
    println!();
    println!(
        "{} in {:.1} s",
        if r.all_pass {
            "every target met"
        } else {
            "some targets missed"
        },
        r.wall_seconds
    );
}
