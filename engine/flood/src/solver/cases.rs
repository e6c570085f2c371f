//! Synthetic cases with known shapes, for benchmarks and speed figures (`benches/solver.rs`,
//! `floodgrid bench`): a fully wet basin for the kernel, a wet valley and a mostly dry valley
//! with a meandering channel.
//! Owns no assertions; the tests and benches decide what to check.

use super::{Boundary, BoundaryKind, Edge, Inflow, Manning, Series, Simulation, SolverConfig};
use crate::{GeoTransform, Raster};

fn transform(dx_m: f64) -> GeoTransform {
    GeoTransform {
        x_min_m: 500_000.0,
        y_min_m: 3_800_000.0,
        dx_m,
        dy_m: dx_m,
    }
}

/// A closed `n × n` basin of `dx_m` cells with a gently bumpy bed (±0.25 m), 1 m of water and a
/// 0.2 m tilt of the surface across it, so water sloshes and every cell stays wet: every face
/// and cell does the full work each step (the kernel benchmark).
pub fn wet_basin(n: usize, dx_m: f64) -> (Raster, Simulation) {
    let t = transform(dx_m);
    let mut dem = Raster::filled(n, n, t, 0.0);
    let mut depth = vec![0.0f32; n * n];
    for r in 0..n {
        for c in 0..n {
            let (x, y) = (c as f64 / n as f64, r as f64 / n as f64);
            let bump = 0.25 * (x * 37.0).sin() * (y * 23.0).cos();
            dem.data[r * n + c] = (50.0 + bump) as f32;
            depth[r * n + c] = (1.0 - bump + 0.2 * (x - 0.5)) as f32;
        }
    }
    let mut sim = Simulation::new(&dem, SolverConfig::default()).expect("valid grid");
    sim.set_manning(Manning::Uniform(0.03)).expect("valid n");
    sim.set_depth(&depth).expect("valid depth");
    (dem, sim)
}

/// The valley's geometry: its bed elevation at a cell centre and whether the cell is in the
/// channel.
struct Valley {
    n: usize,
    dx: f64,
    cross_slope: f64,
    channel: bool,
}

impl Valley {
    const LONG_SLOPE: f64 = 1e-3;
    const CHANNEL_HALF_WIDTH_M: f64 = 20.0;
    const CHANNEL_DEPTH_M: f64 = 3.0;

    fn len(&self) -> f64 {
        self.n as f64 * self.dx
    }

    /// Centre line x at distance `s` from the north edge, and its slope dx/ds.
    fn centre(&self, s: f64) -> (f64, f64) {
        let l = self.len();
        let (a, lambda) = (0.08 * l, 0.4 * l);
        let k = std::f64::consts::TAU / lambda;
        (0.5 * l + a * (k * s).sin(), a * k * (k * s).cos())
    }

    /// (bed elevation, distance across from the centre line) at column `c`, row `r`.
    fn cell(&self, c: usize, r: usize) -> (f64, f64) {
        let l = self.len();
        let x = (c as f64 + 0.5) * self.dx;
        let s = (r as f64 + 0.5) * self.dx;
        let (xc, slope) = self.centre(s);
        let across = (x - xc).abs() / (1.0 + slope * slope).sqrt();
        let mut z = 100.0 + Self::LONG_SLOPE * (l - s) + self.cross_slope * (x - xc).abs();
        if self.channel && across < Self::CHANNEL_HALF_WIDTH_M {
            z -= Self::CHANNEL_DEPTH_M;
        }
        (z, across)
    }

    fn dem(&self) -> Raster {
        let n = self.n;
        let mut dem = Raster::filled(n, n, transform(self.dx), 0.0);
        for r in 0..n {
            for c in 0..n {
                dem.data[r * n + c] = self.cell(c, r).0 as f32;
            }
        }
        dem
    }
}

fn valley_sim(dem: &Raster) -> Simulation {
    let mut sim = Simulation::new(dem, SolverConfig::default()).expect("valid grid");
    sim.set_manning(Manning::Uniform(0.03)).expect("valid n");
    sim.add_boundary(Boundary::whole(
        Edge::South,
        BoundaryKind::Free {
            slope: Valley::LONG_SLOPE,
        },
    ))
    .expect("valid boundary");
    sim
}

/// A fully wet valley: `n × n` cells of `dx_m`, a 1 ‰ valley falling south with 1 ‰ side slopes
/// (no channel), 0.3 m of water everywhere at the start, free outflow across the south edge,
/// n = 0.03. The water gathers along the valley floor to about 1.4 m, which sets the time step:
/// 1000 × 1000 of 10 m takes about 1,900 steps for 1 h simulated. Design target: under 6 s on
/// one thread.
pub fn valley_wet(n: usize, dx_m: f64) -> (Raster, Simulation) {
    let v = Valley {
        n,
        dx: dx_m,
        cross_slope: 1e-3,
        channel: false,
    };
    let dem = v.dem();
    let mut sim = valley_sim(&dem);
    sim.set_uniform_depth(0.3).expect("valid depth");
    (dem, sim)
}

/// A mostly dry valley: the same valley with 0.5 % side slopes and a meandering channel 40 m
/// wide and 3 m deep, dry at the start, an inflow rising from 60 to 600 m³/s over 20 minutes
/// (then held) into the channel at the north edge. Design target: 1000 × 1000 of 10 m for 1 h
/// simulated in under 2 s on one thread.
pub fn valley_dry(n: usize, dx_m: f64) -> (Raster, Simulation) {
    let v = Valley {
        n,
        dx: dx_m,
        cross_slope: 5e-3,
        channel: true,
    };
    let dem = v.dem();
    let mut sim = valley_sim(&dem);
    let cells: Vec<usize> = (0..n)
        .filter(|&c| v.cell(c, 0).1 < Valley::CHANNEL_HALF_WIDTH_M)
        .collect();
    let q = Series::new(vec![(0.0, 60.0), (1200.0, 600.0)]).expect("valid hydrograph");
    sim.add_inflow(Inflow {
        cells,
        discharge_m3s: q,
    })
    .expect("valid inflow");
    (dem, sim)
}
