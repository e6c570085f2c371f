//! `floodgrid simulate`: the 2D flood solver from the command line, on a scenario (inflow at the
//! river's upstream end, outflow at its downstream end, breaches of its dikes) or stand-alone on
//! a bare DEM so the same case can run in other solvers. Thin: parses, sets up, runs, writes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use floodgrid_engine::assess::Engine;
use floodgrid_engine::flood::scenario_run::{
    Outflow, ScenarioRun, ScenarioRunError, ScenarioRunOptions, build_scenario_run,
    scenario_grid_arrival_hours,
};
use floodgrid_engine::flood::solver::{
    self, Boundary, BoundaryKind, Breach, Edge, Inflow, Manning, RunSummary, Series, Simulation,
    SolverConfig, SolverError,
};
use floodgrid_engine::flood::{Raster, read_ascii, read_geotiff, write_ascii, write_geotiff};
use floodgrid_engine::grid::{SiteGeometry, SiteKind};
use floodgrid_engine::scenario::{Scenario, render_diagnostics};

/// Run the 2D flood solver: on a scenario, or stand-alone with --dem.
#[derive(clap::Args)]
pub struct SimulateArgs {
    /// The scenario directory (leave out for the stand-alone mode with --dem).
    scenario: Option<PathBuf>,
    /// Stand-alone: the terrain, ESRI ASCII (.asc) or GeoTIFF (.tif).
    #[arg(long, conflicts_with = "scenario")]
    dem: Option<PathBuf>,
    /// Stand-alone: the inflow hydrograph, `time_s,discharge_m3s` rows.
    #[arg(long, requires = "dem")]
    inflow: Option<PathBuf>,
    /// Stand-alone: a cell receiving the inflow, projected X,Y in metres (repeat for several; the
    /// discharge is split evenly between them).
    #[arg(long = "inflow-at", value_name = "X,Y", requires = "inflow")]
    inflow_at: Vec<String>,
    /// Manning's n, uniform (s/m^(1/3)).
    #[arg(long, default_value_t = 0.03)]
    manning: f64,
    /// Simulated time, s (scenario mode: defaults to the hydrograph's length).
    #[arg(long)]
    duration: Option<f64>,
    /// Output directory (scenario mode: defaults to out/simulate).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Stand-alone: uniform water depth at the start, m.
    #[arg(long, requires = "dem")]
    initial_depth: Option<f64>,
    /// `free:SLOPE`: normal-depth outflow (stand-alone: on every edge, which are closed
    /// otherwise; scenario: on the edge nearest the river's downstream end, where `stage` holds
    /// the nearest station's rated stage instead; the default there is free with the river's
    /// slope).
    #[arg(long)]
    outflow: Option<String>,
    /// Scenario: the inflow hydrograph at the upstream end, `time_s,discharge_m3s` rows (default:
    /// --discharge, else the first drill's hydrograph).
    #[arg(long, conflicts_with = "dem")]
    hydrograph: Option<PathBuf>,
    /// Scenario: a constant inflow, m³/s.
    #[arg(long, conflicts_with_all = ["dem", "hydrograph"])]
    discharge: Option<f64>,
    /// Scenario: `SITE:LEVEL_M:TIME_S:WIDTH_M[:FINAL_WIDTH_M:WIDENING_S]` — cut a main or production
    /// dike (by site id) down to LEVEL_M at TIME_S over WIDTH_M, halfway along it, optionally
    /// widening. Repeat for several.
    #[arg(long, conflicts_with = "dem")]
    breach: Vec<String>,
    /// Write a depth snapshot every this many simulated seconds.
    #[arg(long)]
    snapshot_interval: Option<f64>,
    /// Update maximum depth, speed and arrival every N steps (1: every step, exact; 4 costs a
    /// quarter as much and makes arrival times at most three steps late).
    #[arg(long, default_value_t = 4)]
    track_every: u32,
    /// Keep the convective acceleration (the full shallow-water equations) instead of the local
    /// inertial scheme: slower, but fronts of fast, shallow water (breaches, dam breaks) arrive
    /// on time instead of late.
    #[arg(long)]
    advection: bool,
}

/// A failure: the message and the exit code (1: the input has errors, 2: usage).
struct Fail(String, u8);

fn input(msg: impl Into<String>) -> Fail {
    Fail(msg.into(), 1)
}

fn usage(msg: impl Into<String>) -> Fail {
    Fail(msg.into(), 2)
}

/// Runs `floodgrid simulate`.
pub fn run(args: SimulateArgs) -> ExitCode {
    let go = || {
        if args.dem.is_some() {
            standalone(&args)
        } else if let Some(dir) = &args.scenario {
            scenario_mode(dir, &args)
        } else {
            Err(usage(
                "give a scenario directory, or --dem with --inflow and --inflow-at",
            ))
        }
    };
    let result = match solver::with_threads(args.threads, go) {
        Ok(r) => r,
        Err(e) => Err(usage(e.to_string())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail(msg, code)) => {
            eprintln!("error: {msg}");
            ExitCode::from(code)
        }
    }
}

/// A terrain read for the solver: the raster, its EPSG code when the file names one, and its text
/// when it is an ESRI ASCII grid (to locate a header value the solver refuses).
type Dem = (Raster, Option<u32>, Option<String>);

fn read_dem(path: &Path) -> Result<Dem, Fail> {
    let bytes =
        std::fs::read(path).map_err(|e| input(format!("cannot read {}: {e}", path.display())))?;
    let tif = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("tif") || e.eq_ignore_ascii_case("tiff"));
    if tif {
        let g = read_geotiff(&bytes)
            .map_err(|e| input(format!("{}: {}", path.display(), e.message)))?;
        Ok((g.raster, g.epsg, None))
    } else {
        let text = String::from_utf8(bytes)
            .map_err(|_| input(format!("{}: not a text ESRI ASCII grid", path.display())))?;
        let r = read_ascii(&text).map_err(|e| input(format!("{}:{e}", path.display())))?;
        Ok((r, None, Some(text)))
    }
}

/// `line:col:` of the value of the first header line whose key is one of `keys` in an ESRI ASCII
/// grid (1-based), or nothing.
fn header_at(text: &str, keys: &[&str]) -> String {
    for (k, line) in text.lines().enumerate() {
        let mut parts = line.split_whitespace();
        let (Some(key), Some(value)) = (parts.next(), parts.next()) else {
            continue;
        };
        if keys.iter().any(|w| key.eq_ignore_ascii_case(w)) {
            let col = line
                .find(value)
                .map_or(1, |i| line[..i].chars().count() + 1);
            return format!("{}:{col}:", k + 1);
        }
    }
    String::new()
}

/// `line:col:` of the value on the first row of a `time_s,value` CSV whose time is `t` (the
/// column of its second field), or of a row whose value exceeds `above` when `t` is `None`.
fn csv_row_at(text: &str, t: Option<f64>, above: f64) -> String {
    for (k, raw) in text.lines().enumerate() {
        let s = raw.split('#').next().unwrap_or("");
        let mut fields = s.split([',', ';', '\t']);
        let (Some(time), Some(value)) = (fields.next(), fields.next()) else {
            continue;
        };
        let (Ok(time), Ok(v)) = (time.trim().parse::<f64>(), value.trim().parse::<f64>()) else {
            continue;
        };
        if t.map_or(v > above, |t| time == t) {
            let at = s.len() - value.len() + (value.len() - value.trim_start().len());
            return format!("{}:{}:", k + 1, raw[..at].chars().count() + 1);
        }
    }
    String::new()
}

/// A solver refusal, located in the file it came from: `path:line:col: message`.
fn located(path: &Path, at: &str, e: &SolverError) -> Fail {
    input(format!("{}:{at} {e}", path.display()))
}

fn read_series(path: &Path) -> Result<Series, Fail> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| input(format!("cannot read {}: {e}", path.display())))?;
    Series::from_csv(&text, true).map_err(|e| input(format!("{}: {e}", path.display())))
}

fn parse_point(text: &str) -> Option<[f64; 2]> {
    let (x, y) = text.split_once(',')?;
    let (x, y) = (x.trim().parse::<f64>().ok()?, y.trim().parse::<f64>().ok()?);
    (x.is_finite() && y.is_finite()).then_some([x, y])
}

fn parse_free(text: &str) -> Result<f64, Fail> {
    text.strip_prefix("free:")
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .ok_or_else(|| {
            usage(format!(
                "--outflow {text}: expected free:SLOPE with SLOPE > 0"
            ))
        })
}

fn config(args: &SimulateArgs) -> SolverConfig {
    SolverConfig {
        track_every_steps: args.track_every,
        advection: args.advection,
        ..SolverConfig::default()
    }
}

fn standalone(args: &SimulateArgs) -> Result<(), Fail> {
    let dem_path = args.dem.as_deref().unwrap_or(Path::new(""));
    let (Some(flow), false) = (&args.inflow, args.inflow_at.is_empty()) else {
        return Err(usage(
            "the stand-alone mode needs --inflow FLOW.csv and at least one --inflow-at X,Y",
        ));
    };
    let Some(duration) = args.duration else {
        return Err(usage("the stand-alone mode needs --duration SECONDS"));
    };
    let Some(out) = &args.out else {
        return Err(usage("the stand-alone mode needs --out DIR"));
    };
    let (dem, epsg, dem_text) = read_dem(dem_path)?;
    let q = read_series(flow)?;
    let mut points = Vec::new();
    for p in &args.inflow_at {
        points.push(
            parse_point(p).ok_or_else(|| {
                usage(format!("--inflow-at {p}: expected X,Y in projected metres"))
            })?,
        );
    }
    let mut sim = Simulation::new(&dem, config(args)).map_err(|e| match (&e, &dem_text) {
        (SolverError::TimeStep { .. }, Some(text)) => {
            located(dem_path, &header_at(text, &["cellsize", "dx", "dy"]), &e)
        }
        _ => input(format!("{}: {e}", dem_path.display())),
    })?;
    sim.set_manning(Manning::Uniform(args.manning))
        .map_err(|e| usage(e.to_string()))?;
    if let Some(h) = args.initial_depth {
        sim.set_uniform_depth(h)
            .map_err(|e| usage(format!("--initial-depth {h}: {e}")))?;
    }
    let inflow = Inflow::at_points(&dem, &points, q).map_err(|e| usage(e.to_string()))?;
    sim.add_inflow(inflow).map_err(|e| match &e {
        SolverError::TimeStep { at_s, .. } => {
            let text = std::fs::read_to_string(flow).unwrap_or_default();
            located(flow, &csv_row_at(&text, *at_s, f64::INFINITY), &e)
        }
        _ => input(format!("{}: {e}", flow.display())),
    })?;
    if let Some(o) = &args.outflow {
        let slope = parse_free(o)?;
        for edge in Edge::ALL {
            sim.add_boundary(Boundary::whole(edge, BoundaryKind::Free { slope }))
                .map_err(|e| input(e.to_string()))?;
        }
    }
    run_and_write(sim, duration, out, epsg, args.snapshot_interval, None)
}

fn scenario_mode(dir: &Path, args: &SimulateArgs) -> Result<(), Fail> {
    let scenario = Scenario::load(dir).map_err(|e| {
        eprint!("{}", render_diagnostics(&e.diagnostics));
        input(format!(
            "{} cannot be used; run `floodgrid check {}`",
            dir.display(),
            dir.display()
        ))
    })?;
    let engine = Engine::build(scenario).map_err(|e| input(e.to_string()))?;
    let sc = engine.scenario();
    let max_q = sc.config.gauge.max_discharge_m3s;
    let q = if let Some(path) = &args.hydrograph {
        let q = read_series(path)?;
        if q.points().iter().any(|p| p.1 > max_q) {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            return Err(input(format!(
                "{}:{} discharge beyond the {max_q} m³/s this river can carry (the scenario's max_discharge_m3s); expected 0 to {max_q}",
                path.display(),
                csv_row_at(&text, None, max_q)
            )));
        }
        q
    } else if let Some(qc) = args.discharge {
        if !(qc.is_finite() && (0.0..=max_q).contains(&qc)) {
            return Err(usage(format!(
                "--discharge {qc}: expected 0 to {max_q} m³/s, the most this river can carry (the scenario's max_discharge_m3s)"
            )));
        }
        Series::constant(qc)
    } else if let Some(drill) = sc.drills.first() {
        let pts: Vec<(f64, f64)> = drill
            .hydrograph
            .iter()
            .map(|&(min, q)| (min * 60.0, q))
            .collect();
        Series::new(pts).map_err(|e| input(format!("drill {}: {e}", drill.id)))?
    } else {
        return Err(usage(
            "no hydrograph: give --hydrograph FILE.csv or --discharge Q",
        ));
    };
    let duration = args
        .duration
        .unwrap_or_else(|| q.points().last().map_or(0.0, |p| p.0));
    if duration.is_nan() || duration <= 0.0 {
        return Err(usage(
            "nothing to simulate: give --duration SECONDS (the hydrograph is a single value)",
        ));
    }
    if !(args.manning.is_finite() && args.manning > 0.0) {
        return Err(usage(format!(
            "--manning {}: expected a positive number",
            args.manning
        )));
    }
    let outflow = match args.outflow.as_deref() {
        Some("stage") => Outflow::Stage,
        Some(o) => Outflow::Free {
            slope: Some(parse_free(o)?),
        },
        None => Outflow::Free { slope: None },
    };
    let mut breaches = Vec::new();
    for spec in &args.breach {
        breaches.push(parse_breach(spec, sc)?);
    }
    let opts = ScenarioRunOptions {
        coarsen: 1,
        manning_n: args.manning,
        solver: config(args),
        outflow,
    };
    let run =
        build_scenario_run(&engine.run_place(), &q, breaches, &opts).map_err(|e| match e {
            ScenarioRunError::Solver(e) if !args.breach.is_empty() => {
                input(format!("--breach {}: {e}", args.breach.join(" --breach ")))
            }
            ScenarioRunError::NoStation => input("--outflow stage: the scenario has no station"),
            e => input(e.to_string()),
        })?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("out/simulate"));
    let ScenarioRun {
        sim,
        terrain,
        initial_depth_m,
        outflow_edge,
        inflow_range_m3s,
    } = run;
    eprintln!(
        "{}: {} × {} cells, inflow {:.0}–{:.0} m³/s at the upstream end, outflow on the {outflow_edge:?} edge, {} breach(es)",
        sc.config.name,
        terrain.ncols,
        terrain.nrows,
        inflow_range_m3s.0,
        inflow_range_m3s.1,
        args.breach.len()
    );
    let grid_hours = |sim: &Simulation| {
        let hours = scenario_grid_arrival_hours(
            &sc.grids,
            &sc.residents,
            &terrain,
            &initial_depth_m,
            &sim.arrival_time(),
            sim.config().arrival_depth_m,
        );
        let map: serde_json::Map<String, serde_json::Value> = sc
            .grids
            .iter()
            .zip(hours)
            .map(|(g, h)| {
                (
                    g.id.clone(),
                    h.map_or(serde_json::Value::Null, |h| h.into()),
                )
            })
            .collect();
        map
    };
    run_and_write(
        sim,
        duration,
        &out,
        Some(sc.config.crs.epsg),
        args.snapshot_interval,
        Some(&grid_hours),
    )
}

fn parse_breach(spec: &str, sc: &Scenario) -> Result<Breach, Fail> {
    let parts: Vec<&str> = spec.split(':').collect();
    let bad = || {
        usage(format!(
            "--breach {spec}: expected SITE:LEVEL_M:TIME_S:WIDTH_M[:FINAL_WIDTH_M:WIDENING_S]"
        ))
    };
    if parts.len() != 4 && parts.len() != 6 {
        return Err(bad());
    }
    let nums: Vec<f64> = parts[1..]
        .iter()
        .map(|p| p.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect::<Option<Vec<f64>>>()
        .ok_or_else(bad)?;
    let site = sc
        .sites
        .iter()
        .find(|s| s.id == parts[0])
        .ok_or_else(|| input(format!("--breach {spec}: no site `{}`", parts[0])))?;
    let line = match (&site.kind, &site.geometry) {
        (SiteKind::MainDike | SiteKind::ProductionDike, SiteGeometry::Line(l)) => l.clone(),
        _ => {
            return Err(input(format!(
                "--breach {spec}: `{}` is not a main or production dike line",
                site.id
            )));
        }
    };
    let b = Breach::new(line, nums[1], nums[0], nums[2]);
    Ok(if nums.len() == 5 {
        b.widening_to(nums[3], nums[4])
    } else {
        b
    })
}

/// Per-grid arrival hours for summary.json, from the finished run.
type GridHours<'a> = &'a dyn Fn(&Simulation) -> serde_json::Map<String, serde_json::Value>;

fn write_raster(dir: &Path, name: &str, r: &Raster, epsg: Option<u32>) -> Result<(), Fail> {
    let fail = |p: &Path, e: String| input(format!("cannot write {}: {e}", p.display()));
    let asc = dir.join(format!("{name}.asc"));
    let file = std::fs::File::create(&asc).map_err(|e| fail(&asc, e.to_string()))?;
    write_ascii(r, std::io::BufWriter::new(file)).map_err(|e| fail(&asc, e.to_string()))?;
    if let Some(epsg) = epsg {
        let tif = dir.join(format!("{name}.tif"));
        let file = std::fs::File::create(&tif).map_err(|e| fail(&tif, e.to_string()))?;
        write_geotiff(r, epsg, std::io::BufWriter::new(file))
            .map_err(|e| fail(&tif, e.to_string()))?;
    }
    Ok(())
}

/// The longest simulated time, s (30 days, as long as the longest drill): even a dry grid takes a
/// step per 10 s, so a longer run is work no flood justifies.
const MAX_DURATION_S: f64 = 30.0 * 24.0 * 3600.0;

fn run_and_write(
    mut sim: Simulation,
    duration: f64,
    out: &Path,
    epsg: Option<u32>,
    snapshot_interval: Option<f64>,
    grid_hours: Option<GridHours<'_>>,
) -> Result<(), Fail> {
    if !(duration.is_finite() && duration > 0.0 && duration <= MAX_DURATION_S) {
        return Err(usage(format!(
            "--duration {duration}: expected a positive number of seconds, at most {MAX_DURATION_S} (30 days; a hydrograph's length counts when --duration is not given)"
        )));
    }
    if let Some(s) = snapshot_interval
        && !(s.is_finite() && s > 0.0)
    {
        return Err(usage(format!(
            "--snapshot-interval {s}: expected a positive number of seconds"
        )));
    }
    std::fs::create_dir_all(out)
        .map_err(|e| input(format!("cannot create {}: {e}", out.display())))?;
    let start = Instant::now();
    let mut last_print = Instant::now();
    let mut next_snapshot = snapshot_interval.unwrap_or(f64::INFINITY);
    while sim.time_s() < duration {
        let stop = next_snapshot.min(duration);
        // Short hops so the progress line moves; steps still end exactly at `stop`.
        let hop = (sim.time_s() + 60.0).min(stop);
        sim.advance_to(hop);
        if sim.time_s() >= next_snapshot {
            let name = format!("depth_{:07.0}s", sim.time_s());
            write_raster(out, &name, &sim.depth(), epsg)?;
            next_snapshot += snapshot_interval.unwrap_or(f64::INFINITY);
        }
        if last_print.elapsed().as_secs_f64() >= 0.5 {
            last_print = Instant::now();
            let wall = start.elapsed().as_secs_f64();
            eprint!(
                "\r  {:>8.0} / {:.0} s simulated ({:>3.0}%), {} steps, {:.2e} cell updates/s   ",
                sim.time_s(),
                duration,
                100.0 * sim.time_s() / duration,
                sim.steps(),
                sim.cell_updates() as f64 / wall.max(1e-9)
            );
        }
    }
    let wall = start.elapsed().as_secs_f64();
    eprintln!(
        "\r  {:>8.0} / {:.0} s simulated (100%), {} steps, {:.2e} cell updates/s, {wall:.2} s   ",
        sim.time_s(),
        duration,
        sim.steps(),
        sim.cell_updates() as f64 / wall.max(1e-9)
    );
    write_raster(out, "max_depth", &sim.max_depth(), epsg)?;
    write_raster(out, "arrival_time", &sim.arrival_time(), epsg)?;
    write_raster(out, "max_velocity", &sim.max_velocity(), epsg)?;
    write_raster(out, "depth", &sim.depth(), epsg)?;
    let summary: RunSummary = sim.summary(wall);
    let mut value = serde_json::to_value(&summary).unwrap_or_default();
    if let (Some(f), Some(obj)) = (grid_hours, value.as_object_mut()) {
        obj.insert("grid_arrival_hours".into(), f(&sim).into());
    }
    let json = serde_json::to_string_pretty(&value).unwrap_or_default();
    let path = out.join("summary.json");
    std::fs::write(&path, json + "\n")
        .map_err(|e| input(format!("cannot write {}: {e}", path.display())))?;
    eprintln!(
        "wrote {}: max_depth, arrival_time (s), max_velocity, depth; summary.json (mass balance error {:.1e})",
        out.display(),
        summary.mass_balance_error
    );
    Ok(())
}
