//! `floodgrid simulate`: the 2D flood solver from the command line, on a scenario (inflow at the
//! river's upstream end, outflow at its downstream end, breaches of its dikes) or stand-alone on
//! a bare DEM so the same case can run in other solvers. Thin: parses, sets up, runs, writes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use floodgrid_engine::assess::Engine;
use floodgrid_engine::flood::solver::{
    self, Boundary, BoundaryKind, Breach, Edge, Inflow, Manning, RunSummary, Series, Simulation,
    SolverConfig,
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

fn read_dem(path: &Path) -> Result<(Raster, Option<u32>), Fail> {
    let bytes =
        std::fs::read(path).map_err(|e| input(format!("cannot read {}: {e}", path.display())))?;
    let tif = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("tif") || e.eq_ignore_ascii_case("tiff"));
    if tif {
        let g = read_geotiff(&bytes).map_err(|e| input(format!("{}: {e}", path.display())))?;
        Ok((g.raster, g.epsg))
    } else {
        let text = String::from_utf8(bytes)
            .map_err(|_| input(format!("{}: not a text ESRI ASCII grid", path.display())))?;
        let r = read_ascii(&text).map_err(|e| input(format!("{}:{e}", path.display())))?;
        Ok((r, None))
    }
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
    let (dem, epsg) = read_dem(dem_path)?;
    let q = read_series(flow)?;
    let mut points = Vec::new();
    for p in &args.inflow_at {
        points.push(
            parse_point(p).ok_or_else(|| {
                usage(format!("--inflow-at {p}: expected X,Y in projected metres"))
            })?,
        );
    }
    let mut sim = Simulation::new(&dem, config(args)).map_err(|e| input(e.to_string()))?;
    sim.set_manning(Manning::Uniform(args.manning))
        .map_err(|e| usage(e.to_string()))?;
    if let Some(h) = args.initial_depth {
        sim.set_uniform_depth(h).map_err(|e| usage(e.to_string()))?;
    }
    let inflow = Inflow::at_points(&dem, &points, q).map_err(|e| usage(e.to_string()))?;
    sim.add_inflow(inflow).map_err(|e| input(e.to_string()))?;
    if let Some(o) = &args.outflow {
        let slope = parse_free(o)?;
        for edge in Edge::ALL {
            sim.add_boundary(Boundary::whole(edge, BoundaryKind::Free { slope }))
                .map_err(|e| input(e.to_string()))?;
        }
    }
    run_and_write(sim, duration, out, epsg, args.snapshot_interval)
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
    let dem = &sc.dem;
    let lines = |kind: SiteKind| -> Vec<(&str, &Vec<[f64; 2]>)> {
        sc.sites
            .iter()
            .filter(|s| s.kind == kind)
            .filter_map(|s| match &s.geometry {
                SiteGeometry::Line(l) if l.len() >= 2 => Some((s.id.as_str(), l)),
                _ => None,
            })
            .collect()
    };
    let river = lines(SiteKind::River);
    // River lines run upstream first (as the atlas reads them).
    let (Some(first), Some(last)) = (river.first(), river.last()) else {
        return Err(input("the scenario has no river line in sites.geojson"));
    };
    let (up, up_next) = (first.1[0], first.1[1]);
    let down = last.1[last.1.len() - 1];
    let q = if let Some(path) = &args.hydrograph {
        read_series(path)?
    } else if let Some(qc) = args.discharge {
        if !(qc.is_finite() && qc >= 0.0) {
            return Err(usage(format!("--discharge {qc}: expected 0 or more")));
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
    let mut sim = Simulation::new(dem, config(args)).map_err(|e| input(e.to_string()))?;
    sim.set_manning(Manning::Uniform(args.manning))
        .map_err(|e| usage(e.to_string()))?;
    // Start from the atlas's still water at the first discharge: the river is not empty.
    let q0 = q.at(0.0);
    let atlas = engine.atlas();
    let depth: Vec<f32> = (0..dem.data.len())
        .map(|k| atlas.depth(dem, k, q0) as f32)
        .collect();
    sim.set_depth(&depth).map_err(|e| input(e.to_string()))?;
    // Inflow across the river one cell in from its upstream end: the cells of a cross-section
    // that are wet at the first discharge, or the centreline cell.
    let (dx, dy) = (up_next[0] - up[0], up_next[1] - up[1]);
    let len = dx.hypot(dy).max(1e-9);
    let step = dem.transform.dx_m.max(dem.transform.dy_m);
    let c = [up[0] + dx / len * step, up[1] + dy / len * step];
    let half = 5_000.0;
    let section = [
        [c[0] - dy / len * half, c[1] + dx / len * half],
        [c[0] + dy / len * half, c[1] - dx / len * half],
    ];
    let across = Inflow::along_line(dem, &section, q.clone());
    let mut cells: Vec<usize> = across
        .map(|i| i.cells)
        .unwrap_or_default()
        .into_iter()
        .filter(|&k| depth[k] > 0.0)
        .collect();
    if cells.is_empty() {
        cells = Inflow::at_points(dem, &[c], q.clone())
            .or_else(|_| Inflow::at_points(dem, &[up], q.clone()))
            .map_err(|_| input("the river's upstream end lies outside the DEM"))?
            .cells;
    }
    sim.add_inflow(Inflow {
        cells,
        discharge_m3s: q.clone(),
    })
    .map_err(|e| input(e.to_string()))?;
    // Outflow on the edge nearest the downstream end.
    let (w, s, e, n) = dem.bounds();
    let edge = [
        (down[1] - s, Edge::South),
        (n - down[1], Edge::North),
        (e - down[0], Edge::East),
        (down[0] - w, Edge::West),
    ]
    .into_iter()
    .min_by(|a, b| a.0.total_cmp(&b.0))
    .map_or(Edge::South, |x| x.1);
    let kind = match args.outflow.as_deref() {
        Some("stage") => {
            let station = sc
                .config
                .stations
                .iter()
                .min_by(|a, b| {
                    let d = |p: [f64; 2]| (p[0] - down[0]).hypot(p[1] - down[1]);
                    d(a.xy).total_cmp(&d(b.xy))
                })
                .ok_or_else(|| input("--outflow stage: the scenario has no station"))?;
            let pts: Vec<(f64, f64)> = q
                .points()
                .iter()
                .map(|&(t, qq)| (t, station.rating.stage_m(qq)))
                .collect();
            BoundaryKind::Stage {
                level_m: Series::new(pts).map_err(|e| input(e.to_string()))?,
            }
        }
        Some(o) => BoundaryKind::Free {
            slope: parse_free(o)?,
        },
        None => {
            let z = |p: [f64; 2]| {
                dem.cell_at(p[0], p[1])
                    .and_then(|(c, r)| dem.get(c, r))
                    .map(f64::from)
            };
            let length: f64 = river
                .iter()
                .flat_map(|l| l.1.windows(2))
                .map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]))
                .sum();
            let slope = match (z(up), z(down)) {
                (Some(a), Some(b)) if length > 0.0 => (a - b) / length,
                _ => 0.0,
            };
            BoundaryKind::Free {
                slope: slope.max(1e-4),
            }
        }
    };
    sim.add_boundary(Boundary::whole(edge, kind))
        .map_err(|e| input(e.to_string()))?;
    for spec in &args.breach {
        let breach = parse_breach(spec, sc)?;
        sim.add_breach(dem, breach)
            .map_err(|e| input(format!("--breach {spec}: {e}")))?;
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("out/simulate"));
    eprintln!(
        "{}: {} × {} cells, inflow {:.0}–{:.0} m³/s at the upstream end, outflow on the {edge:?} edge, {} breach(es)",
        sc.config.name,
        dem.ncols,
        dem.nrows,
        q.points().iter().map(|p| p.1).fold(f64::INFINITY, f64::min),
        q.max(),
        args.breach.len()
    );
    run_and_write(
        sim,
        duration,
        &out,
        Some(sc.config.crs.epsg),
        args.snapshot_interval,
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

fn run_and_write(
    mut sim: Simulation,
    duration: f64,
    out: &Path,
    epsg: Option<u32>,
    snapshot_interval: Option<f64>,
) -> Result<(), Fail> {
    if !(duration.is_finite() && duration > 0.0) {
        return Err(usage(format!(
            "--duration {duration}: expected a positive number of seconds"
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
    let json = serde_json::to_string_pretty(&summary).unwrap_or_default();
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
