//! Tests of the solver against analytic solutions and its own invariants. Grids are small: the
//! test profile is barely optimised. Measured errors are printed (`--nocapture`).

use super::kernel::{inv_cbrt, recip};
use super::*;
use crate::{GeoTransform, Raster};

fn grid(ncols: usize, nrows: usize, dx: f64, z: impl Fn(f64, f64) -> f64) -> Raster {
    let t = GeoTransform {
        x_min_m: 0.0,
        y_min_m: 0.0,
        dx_m: dx,
        dy_m: dx,
    };
    let mut dem = Raster::filled(ncols, nrows, t, 0.0);
    for r in 0..nrows {
        for c in 0..ncols {
            let (x, y) = dem.cell_centre(c, r);
            dem.data[r * ncols + c] = z(x, y) as f32;
        }
    }
    dem
}

/// The middle row of a strip `width` rows wide, as a one-row raster, and the largest difference
/// between any row and it (a flow along a strip with closed sides should stay the same across).
fn strip_row(h: &Raster, width: usize) -> (Raster, f64) {
    let nc = h.ncols;
    let mid = width / 2;
    let row = h.data[mid * nc..(mid + 1) * nc].to_vec();
    let mut spread = 0.0f64;
    for other in h.data.chunks(nc).take(width) {
        for (a, b) in other.iter().zip(&row) {
            spread = spread.max(f64::from((a - b).abs()));
        }
    }
    let one = Raster {
        ncols: nc,
        nrows: 1,
        transform: h.transform,
        nodata: h.nodata,
        data: row,
    };
    (one, spread)
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
}

#[test]
fn fast_roots_are_accurate() {
    let mut worst = (0.0f64, 0.0f64);
    let mut x = 1e-4f32;
    while x < 1e4 {
        let c = f64::from(inv_cbrt(x)) * f64::from(x).cbrt() - 1.0;
        let r = f64::from(recip(x)) * f64::from(x) - 1.0;
        worst = (worst.0.max(c.abs()), worst.1.max(r.abs()));
        x *= 1.0001;
    }
    eprintln!("inv_cbrt {:.2e}, recip {:.2e}", worst.0, worst.1);
    assert!(worst.0 < 1.2e-5 && worst.1 < 7e-6, "{worst:?}");
}

/// Hunter et al. (2005): a front advancing at u = 1 m/s over a horizontal plane,
/// h(x, t) = [(7/3)·n²·u²·(u·t − x)]^(3/7) behind it.
fn hunter(n: f64, x: f64, t: f64) -> f64 {
    let u = 1.0;
    let s = u * t - x;
    if s <= 0.0 {
        0.0
    } else {
        (7.0 / 3.0 * n * n * u * u * s).powf(3.0 / 7.0)
    }
}

/// What a run of Hunter's wetting front shows.
#[derive(Debug)]
struct HunterRun {
    /// Largest |h − h_Hunter| from the second cell to `behind_m` short of u·t, m.
    depth_error: f64,
    /// Depth of the feed cell above the analytic depth there, m.
    feed_rise: f64,
    /// The 10 cm front's position minus the analytic one, m.
    front_error: f64,
}

/// The wetting front after an hour on a 4.5 km strip, fed with the analytic discharge u·h(0, t)
/// poured into the first cell. The front is where the depth falls through the arrival depth
/// (10 cm), interpolated between cell centres, against where the analytic profile does (20 m
/// and 2 m short of u·t for n = 0.01 and 0.03). Depths are compared from the second cell on:
/// poured water arrives without momentum, and with the convective acceleration on, the feed cell
/// must stand about u²/g (10 cm) higher to push it up to u — Hunter's boundary brings the
/// momentum flux q·u in with the water. (A stage held at the analytic depth instead is no fix:
/// while the inflow is supercritical, its first 25 s, a depth alone does not set it, and 0.3 %
/// too much water comes in.)
fn wetting_front(n: f64, dx: f64, cfg: SolverConfig, behind_m: f64) -> HunterRun {
    wetting_front_on(n, dx, cfg, behind_m, 1)
}

/// [`wetting_front`] on a strip `width` cells wide (closed sides), fed along its whole west end;
/// measured along the middle row.
fn wetting_front_on(n: f64, dx: f64, cfg: SolverConfig, behind_m: f64, width: usize) -> HunterRun {
    let t_end = 3600.0;
    let ncols = (4500.0 / dx) as usize;
    let dem = grid(ncols, width, dx, |_, _| 0.0);
    let mut sim = Simulation::new(&dem, cfg).unwrap();
    sim.set_manning(Manning::Uniform(n)).unwrap();
    let q: Vec<(f64, f64)> = (0..=1440)
        .map(|k| {
            let t = k as f64 * 2.5;
            (t, hunter(n, 0.0, t) * dx * width as f64)
        })
        .collect();
    sim.add_inflow(Inflow {
        cells: (0..width).map(|r| r * ncols).collect(),
        discharge_m3s: Series::new(q).unwrap(),
    })
    .unwrap();
    sim.advance_to(t_end);
    let (h, spread) = strip_row(&sim.depth(), width);
    let at = |c: usize| (c as f64 + 0.5) * dx;
    let (mut depth_error, mut depth_error_at) = (0.0f64, 0.0f64);
    for c in 1..ncols {
        if at(c) <= t_end - behind_m {
            let e = (f64::from(h.data[c]) - hunter(n, at(c), t_end)).abs();
            if e > depth_error {
                (depth_error, depth_error_at) = (e, at(c));
            }
        }
    }
    let d = 0.1;
    let last = (0..ncols)
        .rposition(|c| f64::from(h.data[c]) >= d)
        .unwrap_or(0);
    let (h0, h1) = (
        f64::from(h.data[last]),
        f64::from(h.data[(last + 1).min(ncols - 1)]),
    );
    let front = at(last)
        + if h0 > h1 {
            (h0 - d) / (h0 - h1) * dx
        } else {
            0.0
        };
    let analytic = t_end - d.powf(7.0 / 3.0) / (7.0 / 3.0 * n * n);
    let run = HunterRun {
        depth_error,
        feed_rise: f64::from(h.data[0]) - hunter(n, at(0), t_end),
        front_error: front - analytic,
    };
    let cfg = sim.config();
    eprintln!(
        "Hunter n {n} dx {dx} width {width} g {} advection {}: {run:?} (largest depth error at {depth_error_at} m; front {front:.1} m, analytic {analytic:.1} m; rows differ by {spread:.1e} m), {} steps, mass error {:.1e}",
        cfg.gravity_ms2,
        cfg.advection,
        sim.steps(),
        sim.mass_balance().relative_error
    );
    run
}

/// Hunter's solution is an exact solution of the full shallow-water equations: with u constant
/// the local and convective accelerations cancel. With the convective acceleration on, the
/// scheme follows it at real gravity: depths within 5 cm behind the front and the 10 cm front
/// within two cells, for n = 0.01 and 0.03 on 10 m and 5 m cells (measured: depth errors 2.0,
/// 3.2, 0.5, 2.0 cm; fronts −8.8, −5.4, −1.5, −3.2 m for n 0.01 Δx 10, 5, n 0.03 Δx 10, 5).
#[test]
fn planar_wetting_front_matches_hunter_with_advection() {
    let cfg = SolverConfig {
        advection: true,
        ..SolverConfig::default()
    };
    for n in [0.01, 0.03] {
        for dx in [10.0, 5.0] {
            let r = wetting_front(n, dx, cfg.clone(), 2.0 * dx);
            assert!(r.depth_error < 0.05, "n {n} dx {dx}: {r:?}");
            assert!(r.front_error.abs() <= 2.0 * dx, "n {n} dx {dx}: {r:?}");
            assert!(
                (r.feed_rise - 1.0 / 9.81).abs() < 0.03,
                "n {n} dx {dx}: {r:?}"
            );
        }
    }
}

/// The local inertial scheme keeps only the local acceleration, u·∂h/∂t = −u²·∂h/∂x, which is
/// Fr² = u²/(g·h) of the pressure term (0.1 at the inflow for n = 0.01, and 1 at the 10 cm
/// front): the profile steepens and the front lags. Converged in Δx (10, 5, 2.5 m), Δt (CFL 0.6
/// and 0.2) and θ (0.7 and 1), and the same with a stage at the analytic depth as feed, so it is
/// the equations, not the discretisation (de Almeida & Bates 2013 report the same slower fronts).
/// Pinned: the 10 cm front lags 150–250 m (n = 0.01) and 40–100 m (n = 0.03) after an hour, and
/// depths stay within 5 cm over the first 90 % of the run.
#[test]
fn planar_wetting_front_lags_with_the_local_inertial_scheme() {
    for (n, lag) in [(0.01, 150.0..250.0), (0.03, 40.0..100.0)] {
        let r = wetting_front(n, 10.0, SolverConfig::default(), 360.0);
        assert!(r.depth_error < 0.05, "n {n}: {r:?}");
        assert!(lag.contains(&-r.front_error), "n {n}: {r:?}");
    }
}

/// Raising g tenfold leaves Hunter's solution unchanged and makes the local inertial scheme's
/// Fr² error negligible, so this checks its discretisation: depths within 5 cm behind the front,
/// front within two 10 m cells (measured: 4, 17 m at Δx 10; 12, 5 m at Δx 5 for n = 0.01, 0.03).
#[test]
fn planar_wetting_front_local_inertial_in_the_zero_inertia_limit() {
    let cfg = SolverConfig {
        gravity_ms2: 98.1,
        ..SolverConfig::default()
    };
    for n in [0.01, 0.03] {
        for dx in [10.0, 5.0] {
            let r = wetting_front(n, dx, cfg.clone(), 2.0 * dx);
            assert!(r.depth_error < 0.05, "n {n} dx {dx}: {r:?}");
            assert!(r.front_error.abs() <= 20.0, "n {n} dx {dx}: {r:?}");
        }
    }
}

/// What a Ritter run shows (depths in m, positions in m from the dam).
#[derive(Debug)]
struct RitterRun {
    /// Largest |h − h_Ritter| in the fan, away from its two ends (the rarefaction head and the
    /// 1 cm front, where the analytic profile has corners a first-order scheme rounds off).
    fan_error: f64,
    /// Mean |h − h_Ritter| over the same stretch.
    fan_mean_error: f64,
    /// Depth at the dam (analytic 4/9 h0).
    at_dam: f64,
    /// Where the depth falls through 1 cm (interpolated), and the analytic position.
    front: f64,
    front_analytic: f64,
    /// Where the depth first falls 1 cm below h0, and the analytic c0·t upstream.
    head: f64,
    head_analytic: f64,
    still_upstream: bool,
    depths_in_range: bool,
    mass_error: f64,
}

/// Ritter's dam break: 1 m of still water released onto a dry, frictionless bed, on a 2 km strip
/// of 5 m cells, after 60 s; in the fan h = (2·c0 − x/t)²/(9g).
fn ritter(cfg: SolverConfig) -> RitterRun {
    let (dx, h0, t_end) = (5.0f64, 1.0f64, 60.0f64);
    let g = cfg.gravity_ms2;
    let dem = grid(400, 1, dx, |_, _| 0.0);
    let mut sim = Simulation::new(&dem, cfg).unwrap();
    sim.set_manning(Manning::Uniform(0.0)).unwrap();
    let depth: Vec<f32> = (0..400)
        .map(|c| if c < 200 { h0 as f32 } else { 0.0 })
        .collect();
    sim.set_depth(&depth).unwrap();
    sim.advance_to(t_end);
    let h = sim.depth();
    let c0 = (g * h0).sqrt();
    let ritter = |x: f64| {
        if x <= -c0 * t_end {
            h0
        } else if x >= 2.0 * c0 * t_end {
            0.0
        } else {
            (2.0 * c0 - x / t_end).powi(2) / (9.0 * g)
        }
    };
    let x_of = |c: usize| (c as f64 + 0.5) * dx - 1000.0;
    let d = 0.01;
    let front_analytic = (2.0 * c0 - 3.0 * (g * d).sqrt()) * t_end;
    let (lo, hi) = (-c0 * t_end + 10.0 * dx, front_analytic - 10.0 * dx);
    let (mut worst, mut sum, mut k) = (0.0f64, 0.0f64, 0.0f64);
    for c in 0..400 {
        let x = x_of(c);
        if x > lo && x < hi {
            let e = (f64::from(h.data[c]) - ritter(x)).abs();
            worst = worst.max(e);
            sum += e;
            k += 1.0;
        }
    }
    let last = (0..400)
        .rposition(|c| f64::from(h.data[c]) >= d)
        .unwrap_or(0);
    let (h0c, h1c) = (
        f64::from(h.data[last]),
        f64::from(h.data[(last + 1).min(399)]),
    );
    let front = x_of(last)
        + if h0c > h1c {
            (h0c - d) / (h0c - h1c) * dx
        } else {
            0.0
        };
    let head = (0..400)
        .find(|&c| f64::from(h.data[c]) < h0 - 0.01)
        .map_or(f64::NAN, x_of);
    let run = RitterRun {
        fan_error: worst,
        fan_mean_error: sum / k.max(1.0),
        at_dam: 0.5 * f64::from(h.data[199] + h.data[200]),
        front,
        front_analytic,
        head,
        head_analytic: -c0 * t_end,
        still_upstream: (0..140).all(|c| (f64::from(h.data[c]) - h0).abs() < 1e-3),
        depths_in_range: h
            .data
            .iter()
            .all(|&v| (0.0..=h0 as f32 + 1e-6).contains(&v)),
        mass_error: sim.mass_balance().relative_error,
    };
    eprintln!(
        "Ritter (advection {}): {run:?}, {} steps",
        sim.config().advection,
        sim.steps()
    );
    run
}

/// With the convective acceleration the scheme follows Ritter's fan: depths in the fan (ten
/// cells in from either end) within 3 cm and 1 cm on average, 4/9·h0 at the dam within 2 cm, and
/// the 1 cm front between the analytic 1 cm point (320 m) and the analytic tip 2·c0·t (376 m):
/// a first-order scheme spreads the thin tip forward and the rarefaction head backward (measured:
/// 1.7 cm, 0.8 cm, 0.457 m, front 344 m, head 223 m upstream against 188 m; before the inertia
/// bound of `kernel::inertia_bound` the tip ran further ahead: front 360 m).
#[test]
fn ritter_dam_break_with_advection() {
    let r = ritter(SolverConfig {
        advection: true,
        ..SolverConfig::default()
    });
    let tip = 2.0 * (9.81f64).sqrt() * 60.0;
    assert!(r.still_upstream && r.depths_in_range, "{r:?}");
    assert!((r.head - r.head_analytic).abs() < 50.0, "{r:?}");
    assert!(r.front > r.front_analytic && r.front < tip, "{r:?}");
    assert!(r.fan_error < 0.03 && r.fan_mean_error < 0.01, "{r:?}");
    assert!((r.at_dam - 4.0 / 9.0).abs() < 0.02, "{r:?}");
    assert!(r.mass_error.abs() < 1e-6, "{r:?}");
}

/// The local inertial scheme drops the convective acceleration, which in the fan is as large as
/// the local one (the flow is critical at the dam and supercritical beyond). So it cannot follow
/// the fan: it makes a bore about 0.59 m deep whose 1 cm front reaches about 135 m instead of
/// 320 m after 60 s (measured; 132 m under the per-face cap the outflow limiter replaced). This
/// pins that documented behaviour and what must hold anyway: still water beyond the rarefaction
/// head, the head itself, depths between 0 and h0, and mass.
#[test]
fn ritter_dam_break_local_inertial() {
    let r = ritter(SolverConfig::default());
    assert!(r.still_upstream && r.depths_in_range, "{r:?}");
    assert!((r.head - r.head_analytic).abs() < 50.0, "{r:?}");
    assert!(r.front > 100.0 && r.front < 0.5 * r.front_analytic, "{r:?}");
    assert!((r.at_dam - 0.59).abs() < 0.05, "{r:?}");
    assert!(r.mass_error.abs() < 1e-6, "{r:?}");
}

/// Thacker's planar surface in a paraboloid (frictionless): the water surface stays a tilted
/// plane, the wet disc of radius a circles the bowl's centre at radius η0, and the velocity is
/// uniform in space (so u·∂u/∂x vanishes; the local inertial scheme still drops u·∂h/∂t of its
/// q-form). What remains is the schemes' own damping (the θ smoothing, the upwind advection) and
/// a one-cell shoreline. At a quarter, half and one period (448 s) the centre of the wet disc is
/// within 1.5 cells of the analytic one and the surface inside the disc within 50 cm (it swings
/// ±2 m at the rim), with either scheme.
#[test]
fn thacker_parabolic_bowl() {
    for advection in [false, true] {
        thacker(SolverConfig {
            advection,
            ..SolverConfig::default()
        });
    }
}

fn thacker(cfg: SolverConfig) {
    let (a, h0, shift, dx, g) = (1000.0f64, 10.0f64, 100.0f64, 20.0f64, 9.81f64);
    let n = 130;
    let l = n as f64 * dx;
    let bed = |x: f64, y: f64| {
        let r2 = (x - l / 2.0).powi(2) + (y - l / 2.0).powi(2);
        h0 * (r2 / (a * a) - 1.0)
    };
    let omega = (2.0 * g * h0).sqrt() / a;
    // Oscillating along x from rest: η = (η0·h0/a²)(2x·cos ωt − η0·cos² ωt), u = −η0·ω·sin ωt.
    let surface = |x: f64, _y: f64, t: f64| {
        let c = (omega * t).cos();
        shift * h0 / (a * a) * (2.0 * (x - l / 2.0) * c - shift * c * c)
    };
    let dem = grid(n, n, dx, bed);
    let mut sim = Simulation::new(&dem, cfg).unwrap();
    sim.set_manning(Manning::Uniform(0.0)).unwrap();
    let mut depth = vec![0.0f32; n * n];
    for r in 0..n {
        for c in 0..n {
            let (x, y) = dem.cell_centre(c, r);
            depth[r * n + c] = (surface(x, y, 0.0) - bed(x, y)).max(0.0) as f32;
        }
    }
    sim.set_depth(&depth).unwrap();
    let period = std::f64::consts::TAU / omega;
    for (frac, tol_centre, tol_surface) in [(0.25, 1.5, 0.5), (0.5, 1.5, 0.5), (1.0, 1.5, 0.5)] {
        let t = frac * period;
        sim.advance_to(t);
        let h = sim.depth();
        let (mut sx, mut sy, mut k, mut worst) = (0.0, 0.0, 0.0, 0.0f64);
        let (cx, cy) = (shift * (omega * t).cos(), 0.0);
        for r in 0..n {
            for c in 0..n {
                let (x, y) = dem.cell_centre(c, r);
                let hc = f64::from(h.data[r * n + c]);
                if hc > 0.01 {
                    sx += x - l / 2.0;
                    sy += y - l / 2.0;
                    k += 1.0;
                }
                let inner = ((x - l / 2.0 - cx).powi(2) + (y - l / 2.0 - cy).powi(2)).sqrt();
                if inner < 0.8 * a {
                    worst = worst.max((hc + bed(x, y) - surface(x, y, t)).abs());
                }
            }
        }
        let off = ((sx / k - cx).powi(2) + (sy / k - cy).powi(2)).sqrt();
        eprintln!(
            "Thacker (advection {}) t = {frac} T: wet-disc centre ({:.1}, {:.1}) m vs ({cx:.1}, {cy:.1}), off {off:.1} m; surface error {worst:.3} m",
            sim.config().advection,
            sx / k,
            sy / k
        );
        assert!(off < tol_centre * dx, "t = {frac} T: centre off by {off} m");
        assert!(worst < tol_surface, "t = {frac} T: surface error {worst} m");
    }
}

/// A lake at rest over uneven ground with islands stays at rest: the scheme is well balanced
/// (η differences, flow depth from the higher bed), also against a stage edge at the lake's
/// level and with roughness varying per cell; with either scheme (the advection term of water
/// at rest is exactly zero).
#[test]
fn lake_at_rest_stays_at_rest() {
    for advection in [false, true] {
        lake_at_rest(SolverConfig {
            advection,
            ..SolverConfig::default()
        });
    }
}

fn lake_at_rest(cfg: SolverConfig) {
    let (nc, nr, dx) = (60, 40, 10.0);
    let bump = |x: f64, y: f64| {
        100.0 + 1.5 * (x / 37.0).sin() * (y / 23.0).cos() + 0.8 * ((x + 2.0 * y) / 53.0).sin()
    };
    let dem = grid(nc, nr, dx, bump);
    let level = 100.9;
    let mut sim = Simulation::new(&dem, cfg).unwrap();
    let n: Vec<f32> = (0..nc * nr).map(|k| 0.02 + 0.01 * (k % 7) as f32).collect();
    sim.set_manning(Manning::PerCell(n)).unwrap();
    sim.set_water_level(level).unwrap();
    sim.add_boundary(Boundary::whole(
        Edge::West,
        BoundaryKind::Stage {
            level_m: Series::constant(level),
        },
    ))
    .unwrap();
    let before = sim.depth();
    let dry = before.data.iter().filter(|&&h| h == 0.0).count();
    assert!(dry > 100, "the test needs islands ({dry} dry cells)");
    sim.advance_to(600.0);
    let v = sim.max_velocity();
    let vmax = v.data.iter().fold(0.0f32, |m, &x| m.max(x));
    let (qx, qy) = sim.face_discharges();
    let qmax = qx.iter().chain(qy).fold(0.0f32, |m, &x| m.max(x.abs()));
    let dh = sim
        .depth()
        .data
        .iter()
        .zip(&before.data)
        .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
    eprintln!(
        "lake at rest (advection {}): {} steps, max speed {vmax:e} m/s, max |q| {qmax:e} m²/s, max depth change {dh:e} m",
        sim.config().advection,
        sim.steps()
    );
    assert!(vmax <= 1e-6, "spurious velocity {vmax}");
    assert!(dh <= 1e-6, "depth changed by {dh}");
}

/// A case with everything at once: a valley with a dike, a line inflow with a hydrograph, a
/// widening breach, roughness per cell, NODATA holes, a stage edge and free outflow.
fn busy_case(advection: bool) -> (Raster, Simulation) {
    let (nc, nr, dx) = (90, 70, 10.0);
    let mut dem = grid(nc, nr, dx, |x, y| {
        let channel = if (x - 200.0).abs() < 25.0 { -2.0 } else { 0.0 };
        let dike = if (x - 260.0).abs() < 12.0 { 4.0 } else { 0.0 };
        let behind = if x > 272.0 { -2.5 } else { 0.0 };
        20.0 + 0.002 * y
            + 0.001 * (x - 200.0).abs()
            + channel
            + dike
            + behind
            + 0.1 * (x / 17.0).sin()
    });
    for k in [5 * nc + 60, 5 * nc + 61, 40 * nc + 80] {
        dem.data[k] = f32::NAN;
    }
    let cfg = SolverConfig {
        advection,
        ..SolverConfig::default()
    };
    let mut sim = Simulation::new(&dem, cfg).unwrap();
    let n: Vec<f32> = (0..nc * nr)
        .map(|k| if k % nc < 23 { 0.025 } else { 0.05 })
        .collect();
    sim.set_manning(Manning::PerCell(n)).unwrap();
    // The river side filled to 19.7 m; the land behind the dike dry.
    let depth: Vec<f32> = (0..nc * nr)
        .map(|k| {
            let z = dem.data[k];
            if k % nc < 25 && z < 19.7 {
                19.7 - z
            } else {
                0.0
            }
        })
        .collect();
    sim.set_depth(&depth).unwrap();
    let q = Series::new(vec![(0.0, 20.0), (600.0, 150.0), (1500.0, 60.0)]).unwrap();
    let top = 700.0 - 5.0;
    sim.add_inflow(Inflow::along_line(&dem, &[[180.0, top], [220.0, top]], q).unwrap())
        .unwrap();
    let dike = vec![[260.0, 0.0], [260.0, 700.0]];
    let breach = Breach {
        corridor_m: 60.0,
        ..Breach::new(dike, 400.0, 19.0, 20.0)
            .at_point([260.0, 400.0])
            .widening_to(120.0, 600.0)
    };
    sim.add_breach(&dem, breach).unwrap();
    sim.add_boundary(Boundary::whole(
        Edge::South,
        BoundaryKind::Free { slope: 0.002 },
    ))
    .unwrap();
    sim.add_boundary(Boundary {
        edge: Edge::West,
        from: 0,
        to: 20,
        kind: BoundaryKind::Stage {
            level_m: Series::new(vec![(0.0, 21.0), (1800.0, 22.5)]).unwrap(),
        },
    })
    .unwrap();
    (dem, sim)
}

#[test]
fn mass_balance_closes_over_a_busy_run() {
    for advection in [false, true] {
        let (_, mut sim) = busy_case(advection);
        sim.advance_to(1800.0);
        let mb = sim.mass_balance();
        eprintln!(
            "busy case (advection {advection}): {} steps, {mb:?}",
            sim.steps()
        );
        assert!(mb.inflow_m3 > 1e5 && mb.boundary_outflow_m3 > 0.0 && mb.boundary_inflow_m3 > 0.0);
        assert!(mb.relative_error.abs() < 1e-3, "{mb:?}");
        assert!(sim.depth().data.iter().all(|h| h.is_nan() || *h >= 0.0));
        let holes = sim.max_depth();
        assert!(holes.data[5 * 90 + 60].is_nan(), "NODATA stays NODATA");
    }
}

#[test]
fn same_bits_for_any_thread_count_and_instruction_set() {
    for advection in [false, true] {
        same_bits(advection);
    }
}

fn same_bits(advection: bool) {
    let run = |threads: usize, isa: Option<Isa>| {
        let (_, mut sim) = busy_case(advection);
        if let Some(isa) = isa {
            assert!(sim.set_isa(isa));
        }
        pool(threads).install(|| sim.advance_to(900.0));
        let bits = |r: Raster| r.data.iter().map(|v| v.to_bits()).collect::<Vec<u32>>();
        let (qx, qy) = sim.face_discharges();
        (
            sim.steps(),
            bits(sim.depth()),
            bits(sim.max_depth()),
            bits(sim.max_velocity()),
            bits(sim.arrival_time()),
            qx.iter()
                .chain(qy)
                .map(|v| v.to_bits())
                .collect::<Vec<u32>>(),
            sim.mass_balance().stored_m3.to_bits(),
        )
    };
    let one = run(1, None);
    assert!(one.0 > 100);
    assert!(one == run(2, None), "1 and 2 threads differ");
    assert!(one == run(3, None), "1 and 3 threads differ");
    assert!(
        one == run(2, Some(Isa::Baseline)),
        "instruction sets differ"
    );
}

#[test]
fn breach_opens_on_time_and_widens() {
    let (dem, mut sim) = busy_case(false);
    // Behind the dike (x > 272 m), away from the stage edge: dry until the breach opens.
    let behind = |sim: &Simulation| {
        let h = sim.depth();
        (0..70)
            .flat_map(|r| (30..88).map(move |c| r * 90 + c))
            .filter(|&k| h.data[k] > 0.01)
            .count()
    };
    sim.advance_to(399.0);
    assert_eq!(behind(&sim), 0, "dry before the breach");
    let bed_before = sim.bed();
    sim.advance_to(500.0);
    let cut_early = bed_before
        .data
        .iter()
        .zip(&sim.bed().data)
        .filter(|(a, b)| a != b)
        .count();
    sim.advance_to(1200.0);
    let cut_late = bed_before
        .data
        .iter()
        .zip(&sim.bed().data)
        .filter(|(a, b)| a != b)
        .count();
    let wet = behind(&sim);
    let arrival = sim.arrival_time();
    let first = (0..70)
        .flat_map(|r| (30..88).map(move |c| r * 90 + c))
        .filter_map(|k| Some(arrival.data[k]).filter(|a| a.is_finite()))
        .fold(f32::INFINITY, f32::min);
    eprintln!(
        "breach: {cut_early} cells cut at 500 s, {cut_late} at 1200 s; {wet} cells wet behind; first arrival {first} s"
    );
    assert!(
        cut_early > 0 && cut_late > cut_early,
        "{cut_early} then {cut_late}"
    );
    assert!(wet > 50, "water through the breach: {wet} cells");
    assert!(first >= 400.0, "arrival {first} before the breach opened");
    let _ = dem;
}

#[test]
fn free_outflow_drains_and_stage_edge_fills() {
    // A tilted plane with 0.5 m of water and free outflow downhill drains.
    let dem = grid(40, 10, 10.0, |x, _| 10.0 - 0.001 * x);
    let mut sim = Simulation::new(&dem, SolverConfig::default()).unwrap();
    sim.set_uniform_depth(0.5).unwrap();
    sim.add_boundary(Boundary::whole(
        Edge::East,
        BoundaryKind::Free { slope: 0.001 },
    ))
    .unwrap();
    let v0 = sim.stored_m3();
    sim.advance_to(3600.0);
    let mb = sim.mass_balance();
    assert!(
        sim.stored_m3() < 0.5 * v0 && mb.relative_error.abs() < 1e-6,
        "{mb:?}"
    );
    // A dry basin below a stage fills to that stage.
    let dem = grid(30, 20, 10.0, |x, y| {
        5.0 + 0.3 * (x / 30.0).sin() + 0.2 * (y / 20.0).cos()
    });
    let mut sim = Simulation::new(&dem, SolverConfig::default()).unwrap();
    sim.add_boundary(Boundary::whole(
        Edge::North,
        BoundaryKind::Stage {
            level_m: Series::constant(6.0),
        },
    ))
    .unwrap();
    sim.advance_to(7200.0);
    let level = sim.water_level();
    let worst = level
        .data
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0f32, |m, &v| m.max((v - 6.0).abs()));
    let mb = sim.mass_balance();
    eprintln!("stage fill: surface within {worst} m of 6 m; {mb:?}");
    assert!(worst < 0.01, "surface off the stage by {worst} m");
    assert!(
        mb.boundary_inflow_m3 > 0.0 && mb.relative_error.abs() < 1e-6,
        "{mb:?}"
    );
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let dem = grid(5, 5, 10.0, |_, _| 1.0);
    let mut sim = Simulation::new(&dem, SolverConfig::default()).unwrap();
    assert!(sim.set_manning(Manning::Uniform(-1.0)).is_err());
    assert!(sim.set_manning(Manning::PerCell(vec![0.03; 3])).is_err());
    assert!(sim.set_depth(&[0.0; 7]).is_err());
    assert!(Inflow::at_points(&dem, &[[1e6, 0.0]], Series::constant(1.0)).is_err());
    assert!(
        sim.add_boundary(Boundary {
            edge: Edge::East,
            from: 9,
            to: 12,
            kind: BoundaryKind::Closed
        })
        .is_err()
    );
    assert!(
        sim.add_boundary(Boundary::whole(
            Edge::East,
            BoundaryKind::Free { slope: 0.0 }
        ))
        .is_err()
    );
    assert!(
        sim.add_breach(
            &dem,
            Breach::new(vec![[1e6, 1e6], [2e6, 1e6]], 0.0, 0.0, 10.0)
        )
        .is_err()
    );
    let cfg = SolverConfig {
        cfl: 1.5,
        ..SolverConfig::default()
    };
    assert!(Simulation::new(&dem, cfg).is_err());
    let empty = Raster::filled(0, 0, dem.transform, 0.0);
    assert!(Simulation::new(&empty, SolverConfig::default()).is_err());
    sim.advance_to(10.0);
    assert!(
        sim.set_uniform_depth(1.0).is_err(),
        "initial water after the start"
    );
    assert_eq!(sim.step(5.0), 0.0);
}

/// Stoker's dam break (wet bed downstream, h1 > 0; Ritter's when h1 = 0), frictionless: the
/// depth at `x` (m from the dam) after `t` s, and for h1 > 0 the shock speed, m/s. The middle
/// state (h_m, u_m) joins the rarefaction (u_m + 2·c_m = 2·c0) to the shock moving at S into
/// still water (h_m/h1 = (√(1 + 8·S²/(g·h1)) − 1)/2, u_m = S·(1 − h1/h_m)); S by bisection.
fn stoker(g: f64, h0: f64, h1: f64) -> (impl Fn(f64, f64) -> f64, f64) {
    let c0 = (g * h0).sqrt();
    let (hm, um, speed) = if h1 > 0.0 {
        let c1 = (g * h1).sqrt();
        let state = |s: f64| {
            let hm = 0.5 * h1 * ((1.0 + 8.0 * s * s / (c1 * c1)).sqrt() - 1.0);
            (hm, s * (1.0 - h1 / hm))
        };
        let (mut lo, mut hi) = (c1 * (1.0 + 1e-9), 2.0 * c0);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            let (hm, um) = state(mid);
            if um + 2.0 * (g * hm).sqrt() > 2.0 * c0 {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        let (hm, um) = state(lo);
        (hm, um, lo)
    } else {
        (0.0, 2.0 * c0, 2.0 * c0)
    };
    let cm = (g * hm).sqrt();
    let depth = move |x: f64, t: f64| {
        if x <= -c0 * t {
            h0
        } else if x <= (um - cm) * t {
            (2.0 * c0 - x / t).powi(2) / (9.0 * g)
        } else if x <= speed * t {
            hm
        } else {
            h1
        }
    };
    (depth, speed)
}

/// What a dam break on a wide strip shows (m).
#[derive(Debug)]
struct DamBreakRun {
    /// Root mean square of h − h_analytic over the disturbed stretch (50 m beyond the rarefaction
    /// head and the front or shock), along the middle row.
    rmse: f64,
    /// Largest |h − h_analytic| over the same stretch.
    worst: f64,
    /// Ritter: the wet edge (where the depth falls through the 1 mm dry depth, interpolated)
    /// minus the analytic front 2·c0·t. Stoker: where the depth falls through halfway between
    /// the middle state and h1 (interpolated), minus the analytic shock S·t.
    front_error: f64,
    /// The largest difference between any row and the middle one.
    spread: f64,
    mass_error: f64,
    depths_in_range: bool,
}

/// A dam break on a 2 km strip `width` cells of 5 m wide: h0 = 1 m upstream of the dam
/// (x < 0), h1 downstream, no friction, after 60 s.
fn dam_break(cfg: SolverConfig, h1: f64, width: usize) -> DamBreakRun {
    let (dx, h0, t_end, nc) = (5.0f64, 1.0f64, 60.0f64, 400usize);
    let g = cfg.gravity_ms2;
    let dem = grid(nc, width, dx, |_, _| 0.0);
    let mut sim = Simulation::new(&dem, cfg).unwrap();
    sim.set_manning(Manning::Uniform(0.0)).unwrap();
    let depth: Vec<f32> = (0..nc * width)
        .map(|k| {
            if k % nc < nc / 2 {
                h0 as f32
            } else {
                h1 as f32
            }
        })
        .collect();
    sim.set_depth(&depth).unwrap();
    sim.advance_to(t_end);
    let (h, spread) = strip_row(&sim.depth(), width);
    let (exact, speed) = stoker(g, h0, h1);
    let x_of = |c: usize| (c as f64 + 0.5) * dx - 0.5 * nc as f64 * dx;
    let c0 = (g * h0).sqrt();
    let dry = sim.config().dry_depth_m;
    let (front, front_analytic) = if h1 > 0.0 {
        let hm = exact(speed * t_end - 1e-6, t_end);
        let d = 0.5 * (hm + h1);
        (
            crossing(&h.data, d, dx) - 0.5 * nc as f64 * dx,
            speed * t_end,
        )
    } else {
        (
            crossing(&h.data, dry, dx) - 0.5 * nc as f64 * dx,
            2.0 * c0 * t_end,
        )
    };
    let (lo, hi) = (-c0 * t_end - 50.0, front_analytic + 50.0);
    let edge_1mm = (2.0 * c0 - 3.0 * (g * dry).sqrt()) * t_end;
    let (mut sum, mut k, mut worst) = (0.0f64, 0.0f64, 0.0f64);
    for c in 0..nc {
        let x = x_of(c);
        if x > lo && x < hi {
            let e = f64::from(h.data[c]) - exact(x, t_end);
            sum += e * e;
            k += 1.0;
            worst = worst.max(e.abs());
        }
    }
    let run = DamBreakRun {
        rmse: (sum / k).sqrt(),
        worst,
        front_error: front - front_analytic,
        spread,
        mass_error: sim.mass_balance().relative_error,
        depths_in_range: h
            .data
            .iter()
            .all(|&v| (0.0..=h0 as f32 + 1e-6).contains(&v)),
    };
    eprintln!(
        "dam break h1 {h1} width {width} (advection {}): {run:?}; front {front:.1} m, analytic {front_analytic:.1} m (Ritter's 1 mm point {edge_1mm:.1} m); {} steps",
        sim.config().advection,
        sim.steps()
    );
    run
}

/// Where a row of cells (`dx` wide, from x = 0) last falls through depth `d`, interpolated
/// between cell centres.
fn crossing(h: &[f32], d: f64, dx: f64) -> f64 {
    let n = h.len();
    let last = (0..n).rposition(|c| f64::from(h[c]) >= d).unwrap_or(0);
    let (a, b) = (f64::from(h[last]), f64::from(h[(last + 1).min(n - 1)]));
    (last as f64 + 0.5) * dx + if a > b { (a - d) / (a - b) * dx } else { 0.0 }
}

/// What a steady uniform flow run shows.
#[derive(Debug)]
struct UniformRun {
    /// Largest |h/h_n − 1| over the downstream half of the strip.
    depth_error: f64,
    /// Mean depth there over h_n, minus 1.
    mean_error: f64,
    spread: f64,
    mass_error: f64,
}

/// Steady uniform flow down an inclined plane at Froude number `fr`: a strip 8 cells wide and
/// 200 long of 5 m cells, normal depth h_n = 0.5 m with n = 0.03, so the slope is
/// S = Fr²·n²·g/h_n^(1/3) (0.0111 at Fr 1). The normal discharge is poured into the first
/// column, the east edge is free outflow at the plane's slope, the strip starts at h_n at rest,
/// and after an hour the depths over its downstream half are compared with h_n.
fn uniform_flow(fr: f64, cfg: SolverConfig) -> UniformRun {
    let (nc, nr, dx, hn, n) = (200usize, 8usize, 5.0f64, 0.5f64, 0.03f64);
    let g = cfg.gravity_ms2;
    let slope = fr * fr * n * n * g / hn.cbrt();
    let qn = hn.powf(5.0 / 3.0) * slope.sqrt() / n;
    let dem = grid(nc, nr, dx, |x, _| 10.0 + slope * (nc as f64 * dx - x));
    let mut sim = Simulation::new(&dem, cfg).unwrap();
    sim.set_manning(Manning::Uniform(n)).unwrap();
    sim.set_uniform_depth(hn).unwrap();
    sim.add_inflow(Inflow {
        cells: (0..nr).map(|r| r * nc).collect(),
        discharge_m3s: Series::constant(qn * nr as f64 * dx),
    })
    .unwrap();
    sim.add_boundary(Boundary::whole(Edge::East, BoundaryKind::Free { slope }))
        .unwrap();
    sim.advance_to(3600.0);
    let (h, spread) = strip_row(&sim.depth(), nr);
    let tail = &h.data[nc / 2..];
    let depth_error = tail
        .iter()
        .fold(0.0f64, |m, &v| m.max((f64::from(v) / hn - 1.0).abs()));
    let mean = tail.iter().map(|&v| f64::from(v)).sum::<f64>() / tail.len() as f64;
    let run = UniformRun {
        depth_error,
        mean_error: mean / hn - 1.0,
        spread,
        mass_error: sim.mass_balance().relative_error,
    };
    eprintln!(
        "uniform flow Fr {fr} (slope {slope:.4}, u {:.2} m/s, advection {}): {run:?}, {} steps",
        qn / hn,
        sim.config().advection,
        sim.steps()
    );
    run
}

/// Steady uniform flow is an exact solution of both schemes' equations (the convective
/// acceleration vanishes), so on an 8-cell-wide plane the depth settles at the normal depth up
/// to Fr 1 with the local inertial scheme: measured 0.02 %, 0.002 %, 0.001 %, 0.01 % at Fr 0.25,
/// 0.5, 0.77, 1 (the per-face cap this replaced gave +39 % at Fr 0.77). Above Fr 1 the local
/// inertial scheme is unstable (de Almeida & Bates 2013; here the depth swings by several times
/// h_n at Fr 1.6), which is why the advection scheme exists. The mass error of an hour of steady
/// through-flow is the rounding of `f32` depths that hardly change (a change below half an ulp
/// is lost), up to 1e-5 of the water that passed.
#[test]
fn uniform_flow_on_a_plane_local_inertial() {
    for fr in [0.25, 0.5, 0.77, 1.0] {
        let r = uniform_flow(fr, SolverConfig::default());
        assert!(r.depth_error < 0.02, "Fr {fr}: {r:?}");
        assert!(
            r.spread == 0.0 && r.mass_error.abs() < 1e-5,
            "Fr {fr}: {r:?}"
        );
    }
}

/// With advection the normal depth holds within 2 % everywhere up to Fr 1 (measured 0.03 %,
/// 0.005 %, 0.003 %, 0.002 % at Fr 0.25, 0.5, 0.77, 1) and on average over the downstream half up
/// to Fr 2 (0.14 % at Fr 1.6, 0.37 % at Fr 2). Pinned, not met everywhere: above Fr 1.5 — where
/// uniform flow with Manning friction is itself unstable to roll waves — the θ smoothing
/// (θ = 0.7) lets 2Δx waves grow downstream from rounding noise, 1.5 % (Fr 1.6) and 5.7 % (Fr 2)
/// of h_n in the last cells of 200 (3.7 % and 5.0 % before the inertia bound: the amplitude
/// follows the noise, not the bound, which does not bind in uniform flow). θ = 1 or a CFL factor
/// of 0.5 removes them (0.005 %), but θ = 1 leaves Ritter's front 80 m behind and CFL 0.5 runs
/// its thin tip 7 cells ahead, so neither is the default.
#[test]
fn uniform_flow_on_a_plane_with_advection() {
    let cfg = SolverConfig {
        advection: true,
        ..SolverConfig::default()
    };
    for fr in [0.25, 0.5, 0.77, 1.0, 1.6, 2.0] {
        let r = uniform_flow(fr, cfg.clone());
        if fr <= 1.0 {
            assert!(r.depth_error < 0.02, "Fr {fr}: {r:?}");
        } else {
            assert!(
                r.mean_error.abs() < 0.02 && r.depth_error < 0.06,
                "Fr {fr}: {r:?}"
            );
        }
        assert!(
            r.spread == 0.0 && r.mass_error.abs() < 1e-5,
            "Fr {fr}: {r:?}"
        );
    }
}

/// Ritter's and Stoker's dam breaks on a strip 8 cells wide, with advection: depth RMSE under
/// 5 cm over the disturbed stretch, the front or shock within five 5 m cells, the same in every
/// row, mass to 1e-6. Measured: Ritter RMSE 1.5 cm, wet edge (1 mm) 1.8 m beyond 2·c0·t, 20 m
/// beyond the analytic 1 mm point (19 m beyond 2·c0·t, RMSE 1.6 cm, before the inertia bound of
/// `kernel::inertia_bound` stopped the θ average pushing the thin tip ahead); Stoker
/// (h1 = 0.1 m) RMSE 4.1 cm, shock 11 m ahead. The per-face cap the outflow limiter replaced left
/// Ritter's front 131 cells behind on a 4-cell strip.
#[test]
fn dam_breaks_on_a_wide_strip_with_advection() {
    let cfg = SolverConfig {
        advection: true,
        ..SolverConfig::default()
    };
    for h1 in [0.0, 0.1] {
        let r = dam_break(cfg.clone(), h1, 8);
        assert!(r.rmse < 0.05 && r.worst < 0.3, "h1 {h1}: {r:?}");
        assert!(r.front_error.abs() <= 25.0, "h1 {h1}: {r:?}");
        assert!(r.spread == 0.0 && r.depths_in_range, "h1 {h1}: {r:?}");
        assert!(r.mass_error.abs() < 1e-6, "h1 {h1}: {r:?}");
    }
}

/// The local inertial scheme on the same strips: its equations drop the convective acceleration,
/// as large as the local one in a dam break's supercritical fan, so it makes a bore instead of
/// Ritter's fan (see `ritter_dam_break_local_inertial`). Pinned (measured): RMSE 15.6 cm (Ritter)
/// and 17.3 cm (Stoker); wet edge 219 m behind 2·c0·t, shock 53 m behind; exactly as on a strip
/// one cell wide, so no longer held back by the positivity treatment.
#[test]
fn dam_breaks_on_a_wide_strip_local_inertial() {
    for (h1, rmse, lag) in [
        (0.0, 0.10..0.20, 180.0..260.0),
        (0.1, 0.12..0.22, 30.0..80.0),
    ] {
        let r = dam_break(SolverConfig::default(), h1, 8);
        assert!(rmse.contains(&r.rmse), "h1 {h1}: {r:?}");
        assert!(lag.contains(&-r.front_error), "h1 {h1}: {r:?}");
        assert!(r.spread == 0.0 && r.depths_in_range, "h1 {h1}: {r:?}");
        assert!(r.mass_error.abs() < 1e-6, "h1 {h1}: {r:?}");
    }
}

/// Hunter's wetting front on a strip 8 cells wide fed along its whole end: with advection within
/// two 10 m cells at n = 0.01 and 0.03 (measured −8.8 m and −1.5 m, depths within 2.0 and 0.5 cm,
/// the same in every row); with the local inertial scheme its equations' lag, exactly as on one
/// row (−192 m and −63 m; see `planar_wetting_front_lags_with_the_local_inertial_scheme`) — the
/// per-face cap this replaced held it no further back on one row only because it allowed half of
/// a cell's water per face there.
#[test]
fn planar_wetting_front_on_a_wide_strip() {
    let adv = SolverConfig {
        advection: true,
        ..SolverConfig::default()
    };
    for n in [0.01, 0.03] {
        let r = wetting_front_on(n, 10.0, adv.clone(), 20.0, 8);
        assert!(r.depth_error < 0.05, "n {n}: {r:?}");
        assert!(r.front_error.abs() <= 20.0, "n {n}: {r:?}");
    }
    for (n, lag) in [(0.01, 150.0..250.0), (0.03, 40.0..100.0)] {
        let r = wetting_front_on(n, 10.0, SolverConfig::default(), 360.0, 8);
        assert!(r.depth_error < 0.05, "n {n}: {r:?}");
        assert!(lag.contains(&-r.front_error), "n {n}: {r:?}");
    }
}

/// A wide strip gives the same bits on one and two threads (and across the bands' edges, where
/// the outflow limiter of the rows either side is computed twice).
#[test]
fn wide_strip_same_bits_for_one_and_two_threads() {
    for advection in [false, true] {
        let run = |threads: usize| {
            let dem = grid(100, 40, 5.0, |x, y| {
                10.0 - 0.005 * x + 0.001 * (y / 7.0).sin()
            });
            let cfg = SolverConfig {
                advection,
                ..SolverConfig::default()
            };
            let mut sim = Simulation::new(&dem, cfg).unwrap();
            let depth: Vec<f32> = (0..100 * 40)
                .map(|k| if k % 100 < 30 { 1.0 } else { 0.0 })
                .collect();
            sim.set_depth(&depth).unwrap();
            sim.add_boundary(Boundary::whole(
                Edge::East,
                BoundaryKind::Free { slope: 0.005 },
            ))
            .unwrap();
            pool(threads).install(|| sim.advance_to(120.0));
            let (qx, qy) = sim.face_discharges();
            let bits: Vec<u32> = sim
                .depth()
                .data
                .iter()
                .chain(qx)
                .chain(qy)
                .map(|v| v.to_bits())
                .collect();
            (sim.steps(), bits, sim.mass_balance().relative_error)
        };
        let one = run(1);
        assert!(one.2.abs() < 1e-6, "mass {}", one.2);
        assert!(
            one == run(2),
            "advection {advection}: 1 and 2 threads differ"
        );
    }
}

/// Speeds at thin fronts on the mostly dry valley (`cases::valley_dry`, 1 km square of 10 m
/// cells, 1 ‰ down the valley, 5 ‰ side slopes, 600 m³/s into a 40 m channel 3 m deep), tracked
/// every step for an hour, against the bound 2·√(g·h) + U (h the cell's depth when the speed was
/// recorded, U the analytic maximum: Manning's normal velocity at the run's deepest water on the
/// steepest slope, about 7 m/s), and each face's |q|/h_f against 2·√(g·h_f) + U (h_f the flow
/// depth the step computed it with). Before `kernel::inertia_bound`, faces 1 mm deep next to the
/// channel ran at hundreds of m/s (533 m/s local inertial, 602 m/s with advection), the θ
/// average and the advected momentum importing the channel's discharge. Now, measured:
///
/// - faces, local inertial: at most 6.1 m/s, all within the bound (4.9 m/s to spare): asserted;
/// - faces, with advection: at most 21.9 m/s (a 4 mm face), 14.1 m/s over the bound: pinned.
///
/// Cells: NOT MET YET, pinned so progress shows. Measured (largest tracked speed; worst
/// v − 2√(gh) − U):
///
/// - local inertial: 8.9 m/s; 1.5 m/s over the bound (12.2 m/s and 4.5 over before the inertia
///   bound and the tracker's deeper-depth rule; 24.7 m/s before the tracker divided by the
///   step's depth at all). What is left is a 1 cm bank-top cell between higher surfaces that
///   momentum drains against the surface gradient through faces 0.1–0.2 m deep (face speeds
///   under 1 m/s, but the cell passes 0.1 m²/s through 1 cm of water);
/// - with advection: 20.5 m/s; 11.6 m/s over (57.9 and 49.7 before). The same: a 3 cm bank cell
///   at the inflow passes 0.9 m²/s from one channel cell to the next across the bend, out
///   through a face whose depth is the receiving channel's (0.27 m, 3.5 m/s at the face).
///   Carrying outflow at the donor's own depth over the crest (the upwind depth of Stelling &
///   Duinmeijer 2003) halves that (14.5 m/s) but damps Thacker's sloshing bowl past its bounds
///   (disc 30 m off at half a period), so it is not used.
#[test]
fn thin_front_speeds_stay_physical() {
    let n = 100usize;
    for advection in [false, true] {
        let (dem, mut sim) = cases::valley_dry(n, 10.0);
        let mut cfg = sim.config().clone();
        cfg.advection = advection;
        cfg.track_every_steps = 1;
        sim.set_config(cfg).unwrap();
        let (g, dry) = (9.81f64, sim.config().dry_depth_m);
        let z: Vec<f64> = dem.data.iter().map(|&v| f64::from(v)).collect();
        let mut seen = vec![0.0f32; n * n];
        let (mut worst, mut vmax, mut hdeep) = (f64::NEG_INFINITY, 0.0f64, 0.0f64);
        // Faces: the largest |q|/h_f and |q|/h_f − 2·√(g·h_f), h_f from the state the step
        // started from (the flow depth the face was computed with).
        let (mut face_max, mut face_over) = (0.0f64, f64::NEG_INFINITY);
        let mut records: Vec<(f64, f64)> = Vec::new();
        let mut before: Vec<f64> = vec![0.0; n * n];
        while sim.time_s() < 3600.0 {
            sim.step(3600.0);
            let (qx, qy) = sim.face_discharges();
            let mut face = |a: usize, b: usize, q: f32| {
                let hf = (z[a] + before[a]).max(z[b] + before[b]) - z[a].max(z[b]);
                if hf > dry {
                    let v = f64::from(q).abs() / hf;
                    face_max = face_max.max(v);
                    face_over = face_over.max(v - 2.0 * (g * hf).sqrt());
                }
            };
            for r in 0..n {
                for c in 1..n {
                    face(r * n + c - 1, r * n + c, qx[r * (n + 1) + c]);
                }
            }
            for r in 1..n {
                for c in 0..n {
                    face((r - 1) * n + c, r * n + c, qy[r * n + c]);
                }
            }
            let v = sim.max_velocity();
            let h = sim.depth();
            for ((s, &vk), &hk) in seen.iter_mut().zip(&v.data).zip(&h.data) {
                if vk > *s {
                    *s = vk;
                    records.push((f64::from(vk), f64::from(hk)));
                }
                hdeep = hdeep.max(f64::from(hk));
            }
            before = h.data.iter().map(|&v| f64::from(v)).collect();
        }
        let slope = (0.005f64.powi(2) + 0.001f64.powi(2)).sqrt();
        let u = hdeep.powf(2.0 / 3.0) * slope.sqrt() / 0.03;
        for (v, h) in records {
            vmax = vmax.max(v);
            worst = worst.max(v - 2.0 * (g * h).sqrt() - u);
        }
        let face_worst = face_over - u;
        eprintln!(
            "valley (advection {advection}): max speed {vmax:.2} m/s, analytic maximum {u:.2} m/s (depth {hdeep:.2} m); worst v − 2√(gh) − U {worst:.2} m/s; faces: max {face_max:.2} m/s, worst |q|/h_f − 2√(g·h_f) − U {face_worst:.2} m/s; {} steps",
            sim.steps()
        );
        if advection {
            assert!(
                face_max < 30.0 && face_worst < 20.0,
                "{face_max} {face_worst}"
            );
        } else {
            assert!(face_worst < 0.0, "{face_max} {face_worst}");
        }
        let (pin_v, pin_over) = if advection { (25.0, 14.0) } else { (10.0, 2.5) };
        assert!(vmax < pin_v && worst < pin_over, "{vmax} {worst}");
        assert!(sim.mass_balance().relative_error.abs() < 1e-6);
    }
}

/// Speed figures on one thread (release only, never a timed assertion):
/// `cargo test --release -p floodgrid-engine --lib flood::solver::tests::speed_figures --
/// --ignored --nocapture`. Prints wall and CPU time (the CPU figure is steadier on a shared
/// machine).
#[test]
#[ignore]
fn speed_figures() {
    let one = pool(1);
    let only = std::env::var("SPEED_CASE").ok();
    // Cases are built only when they run (a 4000² basin takes a while to set up).
    let run = |name: &str, make: &dyn Fn() -> Simulation, t_end: f64, warm: bool| {
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            return;
        }
        let mut sim = make();
        if warm {
            // First touch of every array and the trackers' set-up, outside the timing.
            one.install(|| {
                for _ in 0..3 {
                    sim.step(t_end);
                }
            });
        }
        let (steps0, updates0) = (sim.steps(), sim.cell_updates());
        let cpu0 = cpu_seconds();
        let t0 = std::time::Instant::now();
        one.install(|| sim.advance_to(t_end));
        let wall = t0.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu0;
        let s = sim.summary(wall);
        let updates = (s.cell_updates - updates0) as f64;
        eprintln!(
            "{name}: {wall:.2} s wall, {cpu:.2} s cpu, {} steps, {:.3e} cell updates/s wall ({:.3e} cpu), mass error {:.1e}, flooded {}, max depth {:.2} m, {}",
            s.steps - steps0,
            updates / wall,
            updates / cpu.max(1e-9),
            s.mass_balance_error,
            s.flooded_cells,
            s.max_depth_m,
            s.isa
        );
    };
    let configured =
        |case: fn(usize, f64) -> (Raster, Simulation), n: usize, every: u32, advection: bool| {
            let (_, mut sim) = case(n, 10.0);
            sim.cfg.track_every_steps = every;
            sim.cfg.advection = advection;
            sim
        };
    for advection in [false, true] {
        let tag = if advection { ", advection" } else { "" };
        run(
            &format!("valley wet 1000² 1 h (tracking every 4 steps{tag})"),
            &|| configured(cases::valley_wet, 1000, 4, advection),
            3600.0,
            false,
        );
        run(
            &format!("valley wet 1000² 1 h, tracking every step{tag}"),
            &|| configured(cases::valley_wet, 1000, 1, advection),
            3600.0,
            false,
        );
        run(
            &format!("valley dry 1000² 1 h{tag}"),
            &|| configured(cases::valley_dry, 1000, 4, advection),
            3600.0,
            false,
        );
        for n in [1000, 4000] {
            run(
                &format!("basin {n}² tracking every step{tag}"),
                &|| configured(cases::wet_basin, n, 1, advection),
                60.0,
                true,
            );
            run(
                &format!("basin {n}² kernel{tag}"),
                &|| configured(cases::wet_basin, n, 0, advection),
                60.0,
                true,
            );
        }
    }
}

/// CPU time of this process so far (user + system), s; from /proc, 0 elsewhere.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (tick(11) + tick(12)) / 100.0
}

/// Two-thread figure of the kernel (release only): `SPEED_THREADS=2`.
#[test]
#[ignore]
fn speed_two_threads() {
    let threads = std::env::var("SPEED_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let p = pool(threads);
    for n in [1000usize, 4000] {
        let (_, mut sim) = cases::wet_basin(n, 10.0);
        sim.cfg.track_every_steps = 0;
        p.install(|| {
            for _ in 0..3 {
                sim.step(f64::INFINITY);
            }
        });
        let steps = if n > 1000 { 20 } else { 200 };
        let t0 = std::time::Instant::now();
        p.install(|| {
            for _ in 0..steps {
                sim.step(f64::INFINITY);
            }
        });
        let wall = t0.elapsed().as_secs_f64();
        eprintln!(
            "basin {n}² kernel, {threads} threads: {:.3e} cell updates/s",
            (n * n * steps) as f64 / wall
        );
    }
}

/// Fronts crossing the limiter's column chunks (`step.rs` handles 512 columns at a time and
/// limits only in chunks flagged as having a cell whose outflow exceeds its water), on a grid
/// 1100 columns wide: a 2 cm film on a 6 m high plateau whose western edge is the chunk edge at
/// column 512, so the plateau's edge cells are limited while the chunk west of them, dry, is
/// not flagged (the face between them must still be limited: skipping it gives a mass error of
/// 8e-4); a pool at the foot of that cliff; one whose front runs east over the chunk edge at
/// column 1024; one in a corner. The result is the same on 1, 2 and 3 threads.
#[test]
fn limiter_across_column_chunks() {
    for advection in [false, true] {
        let run = |threads: usize| {
            let (nc, nr) = (1100, 24);
            let dem = grid(nc, nr, 5.0, |x, y| {
                let plateau = if (2560.0..3000.0).contains(&x) {
                    6.0
                } else {
                    0.0
                };
                10.0 + plateau + 0.002 * (x / 13.0).sin() + 0.003 * (y / 7.0).cos()
            });
            let cfg = SolverConfig {
                advection,
                ..SolverConfig::default()
            };
            let mut sim = Simulation::new(&dem, cfg).unwrap();
            let depth: Vec<f32> = (0..nc * nr)
                .map(|k| match (k % nc, k / nc) {
                    (512..600, _) => 0.02,
                    (490..512, _) => 1.5,
                    (1015.., r) if r < 8 => 1.5,
                    (..30, r) if r > 16 => 1.5,
                    _ => 0.0,
                })
                .collect();
            sim.set_depth(&depth).unwrap();
            pool(threads).install(|| sim.advance_to(60.0));
            let (qx, qy) = sim.face_discharges();
            let h = sim.depth().data;
            assert!(h.iter().all(|&v| v >= 0.0));
            // The fronts crossed the chunk edge at column 1024 and the film fell off the cliff.
            assert!(h[2 * nc + 1000] > 0.01 && h[nr / 2 * nc + 480] > 0.01);
            let bits: Vec<u32> = h.iter().chain(qx).chain(qy).map(|v| v.to_bits()).collect();
            (sim.steps(), bits, sim.mass_balance().relative_error)
        };
        let one = run(1);
        assert!(one.2.abs() < 1e-6, "advection {advection}: mass {}", one.2);
        assert!(
            one == run(2),
            "advection {advection}: 1 and 2 threads differ"
        );
        assert!(
            one == run(3),
            "advection {advection}: 1 and 3 threads differ"
        );
    }
}
