//! # floodgrid-bench: the standard speed figures
//!
//! The speed figures of DESIGN §11 measured in one process, each beside its target with a pass
//! or fail, plus the machine they ran on. `floodgrid bench` is a thin command over [`run`]: it
//! parses arguments into [`BenchOptions`], prints each [`Progress`] note on stderr as the figures
//! come in, and prints the [`Report`] as a table (its `Display`) or as JSON.
//!
//! The scale scenario is generated on the fly (into a temporary directory unless
//! [`BenchOptions::scale_dir`] names one that already holds it) by the same generator as the
//! bundled scenario. Criterion benchmarks in `benches/` measure the same workloads with
//! statistics; this is the quick, one-screen version that anyone can run.
//!
//! This crate measures; it never prints. What is said while it runs goes through the caller's
//! progress callback.
//!
//! ```no_run
//! use floodgrid_bench::{BenchOptions, Part, run};
//! let options = BenchOptions { quick: true, parts: vec![Part::Bundled], ..BenchOptions::default() };
//! let report = run(&options, &mut |p| eprintln!("{p}")).unwrap();
//! print!("{report}");
//! assert!(report.all_pass);
//! ```

#![warn(missing_docs)]

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use floodgrid_engine::assess::{Assessment, Engine, Situation};
use floodgrid_engine::flood::solver::{Simulation, SolverConfig, cases};
use floodgrid_engine::hydro::WarningLevel;
use floodgrid_engine::scenario::Scenario;
use serde::Serialize;

/// A part of the figures that can be run alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The bundled scenario: load, build, assessment, and the console frame.
    Bundled,
    /// The generated scale scenario: generation, atlas, assessment on one and two threads,
    /// memory.
    Scale,
    /// The 2D solver: kernel rate and an hour of two valleys.
    Solver,
}

impl Part {
    /// Every part, in the order they run.
    pub const ALL: [Part; 3] = [Part::Bundled, Part::Scale, Part::Solver];

    /// The part's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Part::Bundled => "bundled",
            Part::Scale => "scale",
            Part::Solver => "solver",
        }
    }
}

/// A part name that is none of [`Part::ALL`].
#[derive(Debug, thiserror::Error)]
#[error("unknown part `{0}`; the parts are bundled, scale and solver")]
pub struct UnknownPart(pub String);

impl FromStr for Part {
    type Err = UnknownPart;

    fn from_str(s: &str) -> Result<Part, UnknownPart> {
        Part::ALL
            .into_iter()
            .find(|p| p.name() == s.trim())
            .ok_or_else(|| UnknownPart(s.to_string()))
    }
}

/// What to measure and how long to take.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// Fewer repetitions: finishes in under a minute on two cores.
    pub quick: bool,
    /// Keep the generated scale scenario here (reused when it is already there); `None`: a
    /// temporary directory, removed afterwards.
    pub scale_dir: Option<PathBuf>,
    /// The bundled scenario (`None`: `scenarios/huayuankou`).
    pub scenario: Option<PathBuf>,
    /// The parts to run, in [`Part::ALL`] order whatever the order here.
    pub parts: Vec<Part>,
}

impl Default for BenchOptions {
    /// The full run of every part.
    fn default() -> BenchOptions {
        BenchOptions {
            quick: false,
            scale_dir: None,
            scenario: None,
            parts: Part::ALL.to_vec(),
        }
    }
}

/// Why the figures could not be measured (a scenario that does not load, a solver that went
/// wrong, a terminal that could not be drawn).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BenchError(String);

impl From<String> for BenchError {
    fn from(s: String) -> BenchError {
        BenchError(s)
    }
}

impl From<&str> for BenchError {
    fn from(s: &str) -> BenchError {
        BenchError(s.to_string())
    }
}

/// What [`run`] says while it measures; its `Display` is the line `floodgrid bench` prints on
/// stderr.
#[derive(Clone, Copy, Debug)]
pub enum Progress<'a> {
    /// A part starts (its heading, e.g. "bundled scenario").
    Part(&'static str),
    /// A figure was measured.
    Figure(&'a Figure),
}

impl fmt::Display for Progress<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Progress::Part(title) => f.write_str(title),
            Progress::Figure(x) => {
                write!(f, "  {:<34} {:>14} {}", x.name, fmt_value(x.value), x.unit)
            }
        }
    }
}

/// Which way a figure must lie against its target.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Goal {
    /// Under the target.
    Below,
    /// At or above the target.
    AtLeast,
    /// Informational: no target.
    None,
}

/// One measured figure.
#[derive(Debug, Serialize)]
pub struct Figure {
    /// Dotted name, part first (`bundled.assess_median_ms`).
    pub name: &'static str,
    /// What was measured, in a sentence.
    pub description: String,
    /// The measurement, in `unit`.
    pub value: f64,
    /// The unit of `value` and `target`.
    pub unit: &'static str,
    /// Which way the figure must lie against its target.
    pub goal: Goal,
    /// The target of DESIGN §11; `None` for informational figures.
    pub target: Option<f64>,
    /// Threads the figure was measured on.
    pub threads: usize,
    /// Whether the target was met; `None` without a target.
    pub pass: Option<bool>,
}

/// Everything one run measured.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The machine it ran on.
    pub machine: Machine,
    /// Whether this was the quick run (fewer repetitions).
    pub quick: bool,
    /// The figures, in the order they were measured.
    pub figures: Vec<Figure>,
    /// How work and time grow from the bundled scenario to the scale one.
    pub scaling: Vec<ScalingRow>,
    /// The scale assessment's stages at 22,000 m³/s on one and two threads.
    pub scale_stages: Vec<StageRow>,
    /// Whether every figure with a target met it.
    pub all_pass: bool,
    /// Wall time of the whole run, s.
    pub wall_seconds: f64,
}

/// The machine the figures were measured on.
#[derive(Debug, Serialize)]
pub struct Machine {
    /// Logical cores available to the process.
    pub cores: usize,
    /// The CPU's model name (`unknown` off Linux).
    pub cpu: String,
    /// The operating system (`linux`, `windows`, ...).
    pub os: &'static str,
    /// The CPU architecture (`x86_64`, ...).
    pub arch: &'static str,
}

/// How the work and the time grow from the bundled scenario to the scale one.
#[derive(Debug, Serialize)]
pub struct ScalingRow {
    /// `bundled` or `scale`.
    pub scenario: &'static str,
    /// Grids in the scenario.
    pub grids: usize,
    /// People (the response's staff).
    pub people: usize,
    /// Residents.
    pub residents: usize,
    /// Cells of the DEM.
    pub dem_cells: usize,
    /// Task instances of the assessment at 22,000 m³/s.
    pub instances_at_22000: usize,
    /// That assessment's median time on one thread, ms.
    pub assess_ms_1thread: f64,
    /// That assessment's median time on two threads, ms.
    pub assess_ms_2threads: f64,
    /// The one-thread time per task instance, µs.
    pub microseconds_per_instance_1thread: f64,
}

/// The figures measured so far, and where to say each one.
struct Bench<'p> {
    figures: Vec<Figure>,
    quick: bool,
    progress: &'p mut dyn FnMut(Progress<'_>),
}

impl Bench<'_> {
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
        (self.progress)(Progress::Figure(&f));
        self.figures.push(f);
    }

    fn part(&mut self, title: &'static str) {
        (self.progress)(Progress::Part(title));
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
        "scale.work_items_at_22000" => 100_000.0,
        "scale.evacuation_rule_holds" => 1.0,
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
        let a = pool.install(|| engine.assess(&s).expect("a discharge is a valid situation"));
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
) -> (f64, [f64; 7], Assessment) {
    let s = Situation::at_discharge(q);
    let mut times = Vec::with_capacity(reps);
    let mut stages: [Vec<f64>; 7] = Default::default();
    let mut last = None;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        let (a, st) = pool.install(|| {
            engine
                .assess_timed(&s)
                .expect("a discharge is a valid situation")
        });
        times.push(ms(t.elapsed()));
        for (v, x) in stages.iter_mut().zip([
            st.exposure_ms,
            st.activation_ms,
            st.assignment_ms,
            st.dependencies_ms,
            st.instances_ms,
            st.evacuation_ms,
            st.evacuation_plan_ms,
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
const STAGES: [(&str, bool); 7] = [
    ("exposure", false),
    ("activation", true),
    ("assignment", false),
    ("dependencies", true),
    ("instances", true),
    ("evacuation", true),
    ("evacuation list", false),
];

/// One stage of the scale assessment on one and two threads.
#[derive(Debug, Serialize)]
pub struct StageRow {
    /// The stage, as `StageTimes` names it.
    pub stage: &'static str,
    /// Whether the stage runs on the thread pool.
    pub parallel: bool,
    /// Median time on one thread, ms.
    pub ms_1thread: f64,
    /// Median time on two threads, ms.
    pub ms_2threads: f64,
    /// One-thread time over two-thread time.
    pub speedup: f64,
}

fn load(dir: &Path) -> Result<Scenario, String> {
    Scenario::load(dir).map_err(|e| format!("{}: {e}", dir.display()))
}

fn build(scenario: Scenario) -> Result<Engine, String> {
    Engine::build(scenario).map_err(|e| e.to_string())
}

/// Measures the figures of `options.parts`, telling `progress` each part and each figure as it
/// comes. Fails when a scenario does not load or a workload goes wrong; a missed target is not a
/// failure but a figure with `pass: Some(false)`.
pub fn run(
    options: &BenchOptions,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Report, BenchError> {
    let started = Instant::now();
    let mut b = Bench {
        figures: Vec::new(),
        quick: options.quick,
        progress,
    };
    let one = pool(1);
    let two = pool(2);
    let mut scaling = Vec::new();
    let mut stages = Vec::new();
    let want = |part: Part| options.parts.contains(&part);
    if want(Part::Bundled) {
        bundled_figures(&mut b, options, &one, &two, &mut scaling)?;
    }
    if want(Part::Scale) {
        scale_figures(&mut b, options, &one, &two, &mut scaling, &mut stages)?;
    }
    if want(Part::Solver) {
        solver_figures(&mut b, &one, &two)?;
    }

    let all_pass = b.figures.iter().all(|f| f.pass != Some(false));
    Ok(Report {
        machine: Machine {
            cores: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            cpu: cpu_model(),
            os: std::env::consts::OS,
            arch: std::env::consts::ARCH,
        },
        quick: options.quick,
        figures: b.figures,
        scaling,
        scale_stages: stages,
        all_pass,
        wall_seconds: started.elapsed().as_secs_f64(),
    })
}

/// The bundled scenario's figures and the console frame.
fn bundled_figures(
    b: &mut Bench<'_>,
    options: &BenchOptions,
    one: &rayon::ThreadPool,
    two: &rayon::ThreadPool,
    scaling: &mut Vec<ScalingRow>,
) -> Result<(), BenchError> {
    // Bundled scenario.
    b.part("bundled scenario");
    let dir = options
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
        return Err(format!("22,000 m³/s gave {:?}, not red", red.level).into());
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
    b: &mut Bench<'_>,
    options: &BenchOptions,
    one: &rayon::ThreadPool,
    two: &rayon::ThreadPool,
    scaling: &mut Vec<ScalingRow>,
    stages: &mut Vec<StageRow>,
) -> Result<(), BenchError> {
    // Scale scenario.
    b.part("scale scenario");
    let (scale_dir, _guard) = scale_dir(options, b)?;
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
        "task instances at 22,000 m³/s (household clearance is one checklist per grid)",
        a2.summary.instances as f64,
        "instances",
        Goal::None,
        2,
    );
    b.push(
        "scale.work_items_at_22000",
        "task instances plus evacuees planned one by one at 22,000 m³/s",
        (a2.summary.instances + a2.evacuation.evacuees.len()) as f64,
        "items",
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
    // The evacuation rule over a flood rising from 3,000 to 22,000 m³/s in 48 hours, assessed
    // every hour (the default order margin) with the hydrograph ahead as the forecast.
    let rise = [(0.0, 3_000.0), (2_880.0, 22_000.0), (3_600.0, 22_000.0)];
    let t = Instant::now();
    let audit = two
        .install(|| engine.evacuation_audit(&rise, 60.0))
        .map_err(|e| format!("evacuation audit: {e}"))?;
    let audit_s = t.elapsed().as_secs_f64();
    b.push(
        "scale.evacuation_rule_holds",
        "over a 48-hour rise assessed hourly, every resident whose home gets wet is ordered out at least their lead time before the water or named unable with a reason, and every order due is on an evacuation task (1 = yes)",
        if audit.holds() { 1.0 } else { 0.0 },
        "bool",
        Goal::AtLeast,
        2,
    );
    for (name, description, value, unit) in [
        (
            "scale.evacuation_wet",
            "residents whose home the rise wets",
            f64::from(audit.wet),
            "residents",
        ),
        (
            "scale.evacuation_in_time",
            "of those, ordered out in time",
            f64::from(audit.in_time),
            "residents",
        ),
        (
            "scale.evacuation_unable",
            "of those, named unable to make it",
            f64::from(audit.unable),
            "residents",
        ),
        (
            "scale.evacuation_min_ahead_h",
            "least hours between order and water, in time",
            audit.min_ahead_h.unwrap_or(f64::NAN),
            "h",
        ),
        (
            "scale.evacuation_median_ahead_h",
            "median hours between order and water, in time",
            audit.median_ahead_h.unwrap_or(f64::NAN),
            "h",
        ),
        (
            "scale.evacuation_audit_s",
            "the audit's 61 assessments",
            audit_s,
            "s",
        ),
    ] {
        b.push(name, description, value, unit, Goal::None, 2);
    }
    let reasons: Vec<String> = audit
        .unable_by_reason
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    eprintln!(
        "  scale evacuation audit: unable by reason: {}",
        reasons.join(", ")
    );
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
    b: &mut Bench<'_>,
    one: &rayon::ThreadPool,
    two: &rayon::ThreadPool,
) -> Result<(), BenchError> {
    // Solver.
    b.part("2D solver");
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
            return Err(format!("{name}: mass balance error {}", mb.relative_error).into());
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
fn scale_dir(options: &BenchOptions, b: &mut Bench<'_>) -> Result<(PathBuf, TempDir), BenchError> {
    let (dir, guard) = match &options.scale_dir {
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

impl fmt::Display for Report {
    /// The aligned table `floodgrid bench` prints: the figures beside their targets, the work ×
    /// time table, the scale assessment by stage, and the verdict.
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self;
        writeln!(
            out,
            "floodgrid bench{} — {} cores, {} ({}/{})",
            if r.quick { " --quick" } else { "" },
            r.machine.cores,
            r.machine.cpu,
            r.machine.os,
            r.machine.arch
        )?;
        writeln!(out)?;
        writeln!(
            out,
            "{:<48} {:>12} {:<10} {:>7} {:>12}  result",
            "figure", "value", "unit", "threads", "target"
        )?;
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
            writeln!(
                out,
                "{:<48} {:>12} {:<10} {:>7} {:>12}  {}",
                f.name,
                fmt_value(f.value),
                f.unit,
                f.threads,
                target,
                result
            )?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "work × time, bundled → scale (assessment at 22,000 m³/s):"
        )?;
        writeln!(
            out,
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
        )?;
        for s in &r.scaling {
            writeln!(
                out,
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
            )?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "scale assessment by stage, 1 and 2 threads (medians, ms):"
        )?;
        writeln!(
            out,
            "{:<14} {:>9} {:>10} {:>10} {:>8}",
            "stage", "parallel", "1 thread", "2 threads", "speed-up"
        )?;
        for s in &r.scale_stages {
            writeln!(
                out,
                "{:<14} {:>9} {:>10.2} {:>10.2} {:>8.2}",
                s.stage,
                if s.parallel { "yes" } else { "no" },
                s.ms_1thread,
                s.ms_2threads,
                s.speedup
            )?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "{} in {:.1} s",
            if r.all_pass {
                "every target met"
            } else {
                "some targets missed"
            },
            r.wall_seconds
        )
    }
}
