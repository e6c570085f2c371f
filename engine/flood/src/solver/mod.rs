//! The 2D flood solver: when and how deep the water comes, and what a breach does.
//!
//! The local inertial form of the shallow-water equations (Bates et al. 2010) with the θ
//! stabilisation of de Almeida et al. (2012), optionally with the convective acceleration:
//! discharges per unit width on cell faces, depths at cell centres, a staggered explicit update
//! with semi-implicit Manning friction. Time steps adapt to the deepest water (a CFL factor, 0.6
//! by default). State is `f32`; the mass balance is kept in `f64`.
//!
//! **Positivity** follows the outflow limiter of finite-volume and storage-cell codes (as in
//! LISFLOOD-FP's and Wflow's local inertial solvers, which scale a cell's outflows so it cannot
//! give more water than it holds): every face's discharge is first computed from the momentum
//! equation alone; then each cell's total outflow over the step, Δt/Δx·Σ outgoing x discharges +
//! Δt/Δy·Σ outgoing y discharges, is compared with its depth, and every outgoing face of a cell
//! whose water does not cover it is scaled by s = h / outflow (faces keep their value where
//! s = 1, so nothing changes in a cell that holds enough). A face is scaled by its donor's s
//! only, so the limited discharge is what both cells see: depths never go negative and no water
//! is made or lost, and a cell draining through one face may empty in a step while one draining
//! through four shares its water between them. Velocities are never capped: the per-face cap
//! this replaced (at most 1/4 of the donor's water per face) held flow to about 0.42·√(g·h) on
//! any grid wider than a cell, so normal depths came out 39 % high at Fr 0.77 and dam-break
//! fronts ran a hundred cells late (see the tests on 8-cell-wide strips). The limiter needs every
//! face of a cell before the cell is updated, so the row pass runs one row behind its faces
//! (`step.rs`); the result is still the same for any number of threads.
//!
//! **Thin water.** Flow depths follow LISFLOOD-FP (Bates et al. 2010: max(η) − max(z), nothing
//! through a face at or below [`SolverConfig::dry_depth_m`]). On top of that, the inertial part
//! of each face's update (its old discharge, the θ average and the advected momentum) may not
//! give the face a speed its stencil lacks — the property both averages have in velocity form
//! (Stelling & Duinmeijer 2003) and lose in the discharge form used here at a face much thinner
//! than its neighbours, where 1 mm faces beside a channel ran at hundreds of m/s. With advection
//! the bound is h_f·(U + 2·√(g·h_f)), U the fastest face of the stencil (2·√(g·h) being how far
//! a thin layer can outrun the water feeding it, as at a dam break's tip); the local inertial
//! scheme keeps no face velocities and bounds its θ average by the face's own or critical
//! discharge (LISFLOOD-FP's `max_Froude` at Fr = 1). Smooth flow never meets the bound (uniform
//! flow, lake at rest, Ritter's fan and Hunter's front keep their figures); see
//! `kernel::inertia_bound`. Speeds at thin fronts on the mostly dry valley (the test
//! `thin_front_speeds_stay_physical`): the local inertial scheme's faces stay within
//! 2·√(g·h_f) + U (6.1 m/s at most, from 533 m/s), its cells not yet everywhere (8.9 m/s, 1.5 m/s
//! over, from 12.2 and 4.5); with advection faces reach 22 m/s and cells 20 m/s (from 602 and
//! 58 m/s), where a thin bank cell passes a channel's flow across a bend.
//!
//! Two schemes, chosen by [`SolverConfig::advection`]:
//!
//! - **Local inertial** (the default): drops the convective acceleration. Accurate where the
//!   Froude number is small — floodplain inundation, ponding, slow rises (de Almeida & Bates 2013
//!   find the two close below Fr ≈ 0.5) — and far cheaper (below). Where it is not, it slows
//!   fronts down: it keeps u·∂h/∂t but not the ∂(q·u)/∂x that cancels it, an error of Fr² of the
//!   pressure term. Hunter's wetting front at real gravity lags 190 m (n = 0.01) and 60 m
//!   (n = 0.03) after an hour (converged in Δx, Δt and θ: the equations, not the code), and
//!   Ritter's dam break becomes a 0.59 m bore whose 1 cm front reaches 135 m instead of 320 m.
//!   Steady uniform flow, where the convective term vanishes, comes out at the normal depth
//!   within 0.02 % up to Fr 1; above that the scheme is unstable.
//! - **With advection**: the full shallow-water momentum equation, the convective term upwind
//!   and momentum-conserving on the staggered grid after Stelling & Duinmeijer (2003) (see
//!   `advection.rs`); the friction depth is the mean depth of the face's two cells (at most the
//!   flow depth), and the time step heeds |u| + √(g·h). It follows Hunter's front (depths within
//!   3.2 cm, front within 9 m on 5–10 m cells), Ritter's fan (RMSE 1.5 cm, wet edge 2 m beyond
//!   2·c0·t), Stoker's shock (RMSE 4.1 cm, 11 m), uniform flow (0.03 % up to Fr 1; on average
//!   0.4 % at Fr 2, with 2Δx waves of up to 6 % near the end of a long supercritical reach) and
//!   Thacker's bowl more closely. Its advection pass is vectorised like the kernels (branch-free
//!   runs over rows, compiled per instruction set) but not yet fused into the row pass, so it
//!   streams the state through memory once more: a fully wet step costs about 3.5× a local
//!   inertial one (1000² basin, one thread: 0.30–0.37 s against 0.09 s of CPU for 34 steps; 7×
//!   before it was vectorised), and fast water takes up to twice the steps. Use it for breaches
//!   and dam breaks, and wherever arrival times of fast, shallow water matter: the local
//!   inertial scheme's fronts come late.
//!
//! The default stays local inertial because the design (DESIGN §6) chose it for speed on
//! floodplains, its speed targets are set for it, and it is the scheme other codes (LISFLOOD-FP)
//! run, so stand-alone cases compare like with like. Both are well balanced (a lake at rest stays
//! exactly at rest) and conserve mass.
//!
//! Work runs in parallel over bands of rows (rayon, in whatever pool the caller installs) and
//! gives the same bits for any number of threads; see `step.rs` for why. The kernels are
//! compiled for AVX-512, AVX2 and the baseline and chosen at run time; all give the same bits.
//!
//! - [`Simulation`]: a DEM, friction, initial water, [`Inflow`]s, [`Boundary`] conditions and
//!   [`Breach`]es; [`Simulation::advance_to`] runs it.
//! - Outputs: [`Simulation::max_depth`], [`Simulation::max_velocity`],
//!   [`Simulation::arrival_time`], [`Simulation::depth`] (a snapshot), [`MassBalance`],
//!   [`RunSummary`]; [`arrival_hours_per_grid`] turns arrival times into per-grid deadlines.
//! - [`cases`]: the synthetic valleys the benchmarks and speed figures use.
//!
//! Owns no file formats beyond the hydrograph CSV ([`Series::from_csv`]) and does no terminal
//! output.
//!
//! ```
//! use floodgrid_flood::{GeoTransform, Raster};
//! use floodgrid_flood::solver::{Inflow, Manning, Series, Simulation, SolverConfig};
//!
//! // A flat 20 × 20 plain of 10 m cells, 50 m³/s poured into the middle for ten minutes.
//! let t = GeoTransform { x_min_m: 0.0, y_min_m: 0.0, dx_m: 10.0, dy_m: 10.0 };
//! let dem = Raster::filled(20, 20, t, 5.0);
//! let mut sim = Simulation::new(&dem, SolverConfig::default()).unwrap();
//! sim.set_manning(Manning::Uniform(0.03)).unwrap();
//! sim.add_inflow(Inflow::at_points(&dem, &[[100.0, 100.0]], Series::constant(50.0)).unwrap()).unwrap();
//! sim.advance_to(600.0);
//! let mb = sim.mass_balance();
//! assert!((mb.inflow_m3 - 30_000.0).abs() < 1.0); // as added to f32 depths
//! assert!(mb.relative_error.abs() < 1e-3);
//! let wet = sim.max_depth().data.iter().filter(|&&d| d >= 0.1).count();
//! assert!(wet > 100);
//! ```

mod advection;
mod boundary;
mod breach;
pub mod cases;
mod geometry;
mod kernel;
mod output;
mod series;
mod step;
#[cfg(test)]
mod tests;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{GeoTransform, Raster};
pub use boundary::{Boundary, BoundaryKind, Edge};
pub use breach::Breach;
pub use kernel::Isa;
pub use output::{MassBalance, RunSummary, arrival_hours_per_grid};
pub use series::{Series, SeriesError};

use advection::{AdvCtx, AdvFields};
use boundary::{EdgeCell, EdgeEnv};
use breach::BreachCells;
use kernel::{CellCoef, FaceCoef};
use step::{AdvRows, EdgeRow, Fields, Span, StepCtx};

/// The shortest time step the solver's inputs may imply, s. The step is α·Δ/√(g·h): a cell size
/// Δ of a millimetre, a depth of kilometres or an inflow that piles metres of water into one cell
/// per step would make it shrink until the solver takes steps without advancing time; such an
/// input is refused where it is given ([`SolverError::TimeStep`]), naming it. Real cases (1–50 m
/// cells, tens of metres of water, any river's discharge into a few cells) stay above 0.01 s.
pub const MIN_TIME_STEP_S: f64 = 1e-3;

/// The deepest water the solver takes as an initial depth or a stage above the lowest ground, m:
/// deeper than any flood on land.
pub const MAX_DEPTH_M: f64 = 1_000.0;

/// Bed elevation given to NODATA cells (above the datum): walls no water reaches.
const WALL_M: f32 = 1.0e5;

/// Numerical settings. The defaults suit 2–50 m cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolverConfig {
    /// CFL factor α in dt = α·Δ/√(g·h_max). 0.7 gave checkerboard noise in ponded water at a
    /// closed edge; 0.6 is clean.
    pub cfl: f64,
    /// θ of de Almeida et al. (2012): 1 is the original scheme, 0.7 damps the checkerboard mode
    /// of shallow, low-friction water.
    pub theta: f64,
    /// A face whose flow depth is at or below this carries nothing, m.
    pub dry_depth_m: f64,
    /// Depth that counts as the water's arrival, m.
    pub arrival_depth_m: f64,
    /// Velocities are tracked only where the depth reaches this, m (thin films at a wetting
    /// front give meaningless speeds).
    pub velocity_min_depth_m: f64,
    /// Longest time step, s (matters while everything is dry).
    pub max_dt_s: f64,
    /// Gravity, m/s².
    pub gravity_ms2: f64,
    /// Update maximum depth, maximum speed and arrival every this many steps (0: never; default
    /// 4). The step that reaches a stop time ([`Simulation::advance_to`]) is always tracked.
    /// The trackers read and write three more arrays, which costs about 40 % of a step; every
    /// fourth step costs about 10 %, and arrival times come at most three steps (a few seconds)
    /// late — nothing beside the hours an evacuation is planned in. 1 is exact.
    pub track_every_steps: u32,
    /// Keep the convective acceleration ∂(q·u)/∂x + ∂(q·v)/∂y in the momentum equation (the full
    /// shallow-water equations; upwind and momentum-conserving after Stelling & Duinmeijer 2003)
    /// instead of dropping it (the local inertial scheme). Off by default: the local inertial
    /// scheme is the design's choice for floodplain inundation (Froude numbers below about 0.5,
    /// where the two agree) and is several times faster (a wet step costs about 3.5× with
    /// advection: its pass is vectorised but not fused into the row pass). Turn it on where
    /// water runs fast and shallow — a dam or dike breach's first hour, steep or smooth ground,
    /// a thin front over dry land: there the local inertial scheme slows fronts down (Hunter's
    /// wetting front lags 5 % of the distance it runs in an hour; Ritter's dam-break front gets
    /// 40 % as far), so arrival times come late. See the module documentation. With it on the
    /// time step also heeds the flow speed (dt = α·Δ/(|u| + √(g·h))).
    #[serde(default)]
    pub advection: bool,
}

impl Default for SolverConfig {
    fn default() -> Self {
        SolverConfig {
            cfl: 0.6,
            theta: 0.7,
            dry_depth_m: 1e-3,
            arrival_depth_m: 0.1,
            velocity_min_depth_m: 0.01,
            max_dt_s: 10.0,
            gravity_ms2: 9.81,
            track_every_steps: 4,
            advection: false,
        }
    }
}

/// Manning's roughness coefficient n (s/m^(1/3)).
#[derive(Debug, Clone, PartialEq)]
pub enum Manning {
    /// One value everywhere.
    Uniform(f64),
    /// One value per cell, row-major like the DEM (a face takes the mean of its cells' n²).
    PerCell(Vec<f32>),
}

/// A discharge poured into cells, split evenly between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Inflow {
    /// Row-major cell indices.
    pub cells: Vec<usize>,
    /// Total discharge over time, m³/s.
    pub discharge_m3s: Series,
}

impl Inflow {
    /// An inflow into the cells holding the given projected points (each cell once).
    pub fn at_points(
        dem: &Raster,
        points: &[[f64; 2]],
        discharge_m3s: Series,
    ) -> Result<Inflow, SolverError> {
        let mut cells = Vec::new();
        for p in points {
            let (c, r) = dem
                .cell_at(p[0], p[1])
                .ok_or(SolverError::Outside { x: p[0], y: p[1] })?;
            let k = r * dem.ncols + c;
            if !cells.contains(&k) {
                cells.push(k);
            }
        }
        Ok(Inflow {
            cells,
            discharge_m3s,
        })
    }

    /// An inflow along a polyline (every cell it crosses that has ground).
    pub fn along_line(
        dem: &Raster,
        line: &[[f64; 2]],
        discharge_m3s: Series,
    ) -> Result<Inflow, SolverError> {
        let cells: Vec<usize> = geometry::line_cells(dem, line)
            .into_iter()
            .filter(|&k| !dem.data[k].is_nan())
            .collect();
        if cells.is_empty() {
            return Err(SolverError::Parameter(
                "the inflow line crosses no cell with ground".into(),
            ));
        }
        Ok(Inflow {
            cells,
            discharge_m3s,
        })
    }
}

/// What stops a simulation from being set up.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SolverError {
    /// The DEM has no cells.
    #[error("the DEM has no cells")]
    EmptyGrid,
    /// Cell sizes are not positive.
    #[error("cell size {dx_m} × {dy_m} m: expected positive, finite sizes")]
    CellSize {
        /// Cell width.
        dx_m: f64,
        /// Cell height.
        dy_m: f64,
    },
    /// A point lies off the grid.
    #[error("({x}, {y}) lies outside the DEM")]
    Outside {
        /// Easting.
        x: f64,
        /// Northing.
        y: f64,
    },
    /// A cell that must hold water has no ground.
    #[error("cell (column {col}, row {row}) has no ground elevation (NODATA)")]
    Nodata {
        /// Column.
        col: usize,
        /// Row.
        row: usize,
    },
    /// A raster or list of the wrong size.
    #[error("{found} values given for a grid of {expected} cells")]
    Size {
        /// Values given.
        found: usize,
        /// Cells in the grid.
        expected: usize,
    },
    /// A parameter out of range.
    #[error("{0}")]
    Parameter(String),
    /// An input that would make the time step collapse (see [`MIN_TIME_STEP_S`]).
    #[error(
        "{input} would shrink the time step to {step_s:.1e} s, below the shortest the solver takes ({MIN_TIME_STEP_S} s); {expected}"
    )]
    TimeStep {
        /// The input, as given (`cell size 0.001 × 0.001 m`, `inflow of 1e30 m³/s into 1 cell`).
        input: String,
        /// The step it implies, s.
        step_s: f64,
        /// What would be accepted.
        expected: String,
        /// For an inflow, the time of its peak, s (to find the row it came from).
        at_s: Option<f64>,
    },
}

/// A 2D flood simulation on one DEM.
#[derive(Debug, Clone)]
pub struct Simulation {
    cfg: SolverConfig,
    isa: Isa,
    nc: usize,
    nr: usize,
    transform: GeoTransform,
    /// Elevation subtracted from the DEM so `f32` keeps millimetres: the lowest ground.
    datum: f64,
    valid: Vec<bool>,
    z: Vec<f32>,
    h: Vec<f32>,
    qx: Vec<f32>,
    qy: Vec<f32>,
    n2: Option<Vec<f32>>,
    n2_uniform: f32,
    hmax: Vec<f32>,
    v2max: Vec<f32>,
    arrival: Vec<f32>,
    wet: Vec<Span>,
    forced: Vec<Span>,
    active: Vec<Span>,
    row_hmax: Vec<f32>,
    inflows: Vec<Inflow>,
    west: Vec<EdgeCell>,
    east: Vec<EdgeCell>,
    north: Vec<EdgeCell>,
    south: Vec<EdgeCell>,
    stages: Vec<Series>,
    stage_now: Vec<f32>,
    /// (stage index, cell) of every stage-boundary cell.
    stage_cells: Vec<(usize, usize)>,
    open_edges: bool,
    breaches: Vec<BreachCells>,
    t: f64,
    steps: u64,
    cell_updates: u64,
    hmax_now: f32,
    started: bool,
    initial_m3: f64,
    inflow_m3: f64,
    boundary_in_m3: f64,
    boundary_out_m3: f64,
    /// The other buffers of `qx` and `qy`: a step writes the new discharges here, then swaps.
    qx_next: Vec<f32>,
    qy_next: Vec<f32>,
    edge_rows: Vec<EdgeRow>,
    /// Outflow scale of two rows per band (the limiter's ring, see `step.rs`).
    scale: Vec<f32>,
    /// Face velocities and advection terms (set up on the first step with advection on).
    adv: AdvFields,
}

impl Simulation {
    /// A dry simulation on a DEM (NODATA cells are walls), closed on every edge, with Manning's
    /// n = 0.03 until [`Simulation::set_manning`].
    pub fn new(dem: &Raster, cfg: SolverConfig) -> Result<Simulation, SolverError> {
        let (nc, nr) = (dem.ncols, dem.nrows);
        if nc == 0 || nr == 0 || dem.data.len() != nc * nr {
            return Err(SolverError::EmptyGrid);
        }
        let t = dem.transform;
        if !(t.dx_m > 0.0 && t.dy_m > 0.0 && t.dx_m.is_finite() && t.dy_m.is_finite()) {
            return Err(SolverError::CellSize {
                dx_m: t.dx_m,
                dy_m: t.dy_m,
            });
        }
        check_config(&cfg)?;
        // The step at a metre of water: a shallow flood on the smallest cells.
        let d = t.dx_m.min(t.dy_m);
        let step_s = cfg.cfl * d / cfg.gravity_ms2.sqrt();
        if step_s < MIN_TIME_STEP_S {
            return Err(SolverError::TimeStep {
                input: format!("cell size {} × {} m (at 1 m of water)", t.dx_m, t.dy_m),
                step_s,
                expected: format!(
                    "expected cells of at least {:.3} m",
                    MIN_TIME_STEP_S * cfg.gravity_ms2.sqrt() / cfg.cfl
                ),
                at_s: None,
            });
        }
        let valid: Vec<bool> = dem.data.iter().map(|v| v.is_finite()).collect();
        let datum = dem
            .data
            .iter()
            .filter(|v| v.is_finite())
            .fold(f64::INFINITY, |m, &v| m.min(f64::from(v)));
        let datum = if datum.is_finite() { datum } else { 0.0 };
        let z: Vec<f32> = dem
            .data
            .iter()
            .map(|&v| {
                if v.is_finite() {
                    (f64::from(v) - datum) as f32
                } else {
                    WALL_M
                }
            })
            .collect();
        let n = 0.03f32;
        Ok(Simulation {
            isa: Isa::detect(),
            nc,
            nr,
            transform: t,
            datum,
            valid,
            z,
            h: vec![0.0; nc * nr],
            qx: vec![0.0; nr * (nc + 1)],
            qy: vec![0.0; (nr + 1) * nc],
            n2: None,
            n2_uniform: n * n,
            hmax: Vec::new(),
            v2max: Vec::new(),
            arrival: Vec::new(),
            wet: vec![Span::EMPTY; nr],
            forced: vec![Span::EMPTY; nr],
            active: vec![Span::EMPTY; nr],
            row_hmax: vec![0.0; nr],
            inflows: Vec::new(),
            west: vec![EdgeCell::Closed; nr],
            east: vec![EdgeCell::Closed; nr],
            north: vec![EdgeCell::Closed; nc],
            south: vec![EdgeCell::Closed; nc],
            stages: Vec::new(),
            stage_now: Vec::new(),
            stage_cells: Vec::new(),
            open_edges: false,
            breaches: Vec::new(),
            t: 0.0,
            steps: 0,
            cell_updates: 0,
            hmax_now: 0.0,
            started: false,
            initial_m3: 0.0,
            inflow_m3: 0.0,
            boundary_in_m3: 0.0,
            boundary_out_m3: 0.0,
            qx_next: Vec::new(),
            qy_next: Vec::new(),
            edge_rows: Vec::new(),
            scale: Vec::new(),
            adv: AdvFields::default(),
            cfg,
        })
    }

    fn before_start(&self, what: &str) -> Result<(), SolverError> {
        if self.started {
            Err(SolverError::Parameter(format!(
                "{what} must be set before the first step"
            )))
        } else {
            Ok(())
        }
    }

    /// The settings.
    pub fn config(&self) -> &SolverConfig {
        &self.cfg
    }

    /// Changes the settings (they are checked as in [`Simulation::new`]; they apply from the next
    /// step).
    pub fn set_config(&mut self, cfg: SolverConfig) -> Result<(), SolverError> {
        check_config(&cfg)?;
        self.cfg = cfg;
        Ok(())
    }

    /// The instruction set the kernels use.
    pub fn isa(&self) -> Isa {
        self.isa
    }

    /// Uses another instruction set, if this processor has it (for comparisons); returns whether
    /// it was taken.
    pub fn set_isa(&mut self, isa: Isa) -> bool {
        if isa.available() {
            self.isa = isa;
            true
        } else {
            false
        }
    }

    /// Columns and rows.
    pub fn size(&self) -> (usize, usize) {
        (self.nc, self.nr)
    }

    /// Sets the roughness.
    pub fn set_manning(&mut self, n: Manning) -> Result<(), SolverError> {
        match n {
            Manning::Uniform(n) => {
                if !(n.is_finite() && n >= 0.0) {
                    return Err(SolverError::Parameter(format!(
                        "Manning's n {n}: expected a finite value of 0 or more"
                    )));
                }
                self.n2 = None;
                self.n2_uniform = (n * n) as f32;
            }
            Manning::PerCell(v) => {
                if v.len() != self.z.len() {
                    return Err(SolverError::Size {
                        found: v.len(),
                        expected: self.z.len(),
                    });
                }
                let mut n2 = Vec::with_capacity(v.len());
                for (k, &n) in v.iter().enumerate() {
                    if !(n.is_finite() && n >= 0.0) {
                        if self.valid[k] {
                            return Err(SolverError::Parameter(format!(
                                "Manning's n {n} at column {}, row {}: expected a finite value of 0 or more",
                                k % self.nc,
                                k / self.nc
                            )));
                        }
                        n2.push(0.0);
                    } else {
                        n2.push(n * n);
                    }
                }
                self.n2 = Some(n2);
            }
        }
        Ok(())
    }

    /// Sets the water depth of every cell (m; ignored on NODATA cells). Before the first step.
    pub fn set_depth(&mut self, depth_m: &[f32]) -> Result<(), SolverError> {
        self.before_start("the initial depth")?;
        if depth_m.len() != self.h.len() {
            return Err(SolverError::Size {
                found: depth_m.len(),
                expected: self.h.len(),
            });
        }
        if let Some(k) = depth_m.iter().position(|d| !(d.is_finite() && *d >= 0.0))
            && self.valid[k]
        {
            return Err(SolverError::Parameter(format!(
                "depth {} at column {}, row {}: expected a finite value of 0 or more",
                depth_m[k],
                k % self.nc,
                k / self.nc
            )));
        }
        let deepest = depth_m
            .iter()
            .zip(&self.valid)
            .filter(|(_, v)| **v)
            .fold(0.0f32, |m, (d, _)| m.max(*d));
        self.check_depth(f64::from(deepest), "initial depth")?;
        for (k, h) in self.h.iter_mut().enumerate() {
            *h = if self.valid[k] {
                depth_m[k].max(0.0)
            } else {
                0.0
            };
        }
        self.refresh_wet();
        Ok(())
    }

    /// The step a depth implies on this grid, s.
    fn step_at_depth(&self, depth_m: f64) -> f64 {
        let d = self.transform.dx_m.min(self.transform.dy_m);
        self.cfg.cfl * d / (self.cfg.gravity_ms2 * depth_m.max(0.0)).sqrt()
    }

    /// Refuses a depth deeper than [`MAX_DEPTH_M`] or one that collapses the step.
    fn check_depth(&self, depth_m: f64, what: &str) -> Result<(), SolverError> {
        let step_s = self.step_at_depth(depth_m);
        if step_s < MIN_TIME_STEP_S {
            return Err(SolverError::TimeStep {
                input: format!("{what} {depth_m} m"),
                step_s,
                expected: format!("expected at most {MAX_DEPTH_M} m"),
                at_s: None,
            });
        }
        if depth_m > MAX_DEPTH_M {
            return Err(SolverError::Parameter(format!(
                "{what} {depth_m} m: expected at most {MAX_DEPTH_M} m (deeper than any flood on land)"
            )));
        }
        Ok(())
    }

    /// The same depth in every cell, m. Before the first step.
    pub fn set_uniform_depth(&mut self, depth_m: f64) -> Result<(), SolverError> {
        let v = vec![depth_m as f32; self.h.len()];
        self.set_depth(&v)
    }

    /// Fills every cell whose ground lies below `level_m` to that level (a lake at rest). Depths
    /// are nudged by an ulp where needed so that bed + depth equals the level exactly in `f32`:
    /// the scheme is well balanced, and this keeps rounding from starting a current.
    pub fn set_water_level(&mut self, level_m: f64) -> Result<(), SolverError> {
        self.before_start("the initial water level")?;
        if !level_m.is_finite() {
            return Err(SolverError::Parameter(format!(
                "water level {level_m}: expected a finite number"
            )));
        }
        // The datum is the lowest ground: the deepest water is the level above it.
        self.check_depth(
            level_m - self.datum,
            "initial water level above the lowest ground:",
        )?;
        let eta = (level_m - self.datum) as f32;
        for k in 0..self.h.len() {
            let z = self.z[k];
            self.h[k] = if self.valid[k] && z < eta {
                exact_depth(z, eta)
            } else {
                0.0
            };
        }
        self.refresh_wet();
        Ok(())
    }

    fn refresh_wet(&mut self) {
        let nc = self.nc;
        for (j, w) in self.wet.iter_mut().enumerate() {
            let row = &self.h[j * nc..(j + 1) * nc];
            *w = match (
                row.iter().position(|&h| h > 0.0),
                row.iter().rposition(|&h| h > 0.0),
            ) {
                (Some(a), Some(b)) => Span {
                    lo: a as u32,
                    hi: b as u32 + 1,
                },
                _ => Span::EMPTY,
            };
        }
    }

    /// Adds an inflow. Its cells must have ground.
    pub fn add_inflow(&mut self, inflow: Inflow) -> Result<(), SolverError> {
        if inflow.cells.is_empty() {
            return Err(SolverError::Parameter(
                "an inflow needs at least one cell".into(),
            ));
        }
        for &k in &inflow.cells {
            if k >= self.z.len() {
                return Err(SolverError::Size {
                    found: k + 1,
                    expected: self.z.len(),
                });
            }
            if !self.valid[k] {
                return Err(SolverError::Nodata {
                    col: k % self.nc,
                    row: k / self.nc,
                });
            }
        }
        if inflow.discharge_m3s.points().iter().any(|p| p.1 < 0.0) {
            return Err(SolverError::Parameter(
                "an inflow's discharge must not be negative".into(),
            ));
        }
        // The step an inflow forces: it adds q·dt/(n·A) to each of its n cells per step, and the
        // step heeds that depth, so dt settles where dt = α·Δ/√(g·q·dt/(n·A)).
        // The first point of the peak (its row in a file).
        let peak =
            inflow
                .discharge_m3s
                .points()
                .iter()
                .fold(None, |best: Option<(f64, f64)>, &(t, q)| match best {
                    Some((_, bq)) if bq >= q => best,
                    _ => Some((t, q)),
                });
        if let Some((at_s, q)) = peak
            && q > 0.0
        {
            let t = self.transform;
            let (d, area) = (t.dx_m.min(t.dy_m), t.dx_m * t.dy_m);
            let n = inflow.cells.len() as f64;
            let step_s =
                (self.cfg.cfl * d).powf(2.0 / 3.0) * (n * area / (self.cfg.gravity_ms2 * q)).cbrt();
            if step_s < MIN_TIME_STEP_S {
                let most = n * area * (self.cfg.cfl * d).powi(2)
                    / (self.cfg.gravity_ms2 * MIN_TIME_STEP_S.powi(3));
                return Err(SolverError::TimeStep {
                    input: format!(
                        "an inflow of {q} m³/s at {at_s} s into {} cell(s) of {} × {} m",
                        inflow.cells.len(),
                        t.dx_m,
                        t.dy_m
                    ),
                    step_s,
                    expected: format!("expected at most {most:.3e} m³/s there"),
                    at_s: Some(at_s),
                });
            }
        }
        for &k in &inflow.cells {
            let j = k / self.nc;
            self.forced[j] = self.forced[j].with(k % self.nc);
        }
        self.inflows.push(inflow);
        Ok(())
    }

    /// Sets the condition of a stretch of an edge (later calls override earlier ones).
    pub fn add_boundary(&mut self, b: Boundary) -> Result<(), SolverError> {
        let len = match b.edge {
            Edge::North | Edge::South => self.nc,
            Edge::East | Edge::West => self.nr,
        };
        let (from, to) = (b.from.min(len), b.to.min(len));
        if from >= to {
            return Err(SolverError::Parameter(format!(
                "boundary on the {:?} edge covers no cells ({}..{} of {len})",
                b.edge, b.from, b.to
            )));
        }
        let cell = match &b.kind {
            BoundaryKind::Closed => EdgeCell::Closed,
            BoundaryKind::Free { slope } => {
                if !(slope.is_finite() && *slope > 0.0) {
                    return Err(SolverError::Parameter(format!(
                        "free outflow slope {slope}: expected a positive number"
                    )));
                }
                EdgeCell::Free {
                    sqrt_slope: slope.sqrt() as f32,
                }
            }
            BoundaryKind::Stage { level_m } => {
                let top = level_m
                    .points()
                    .iter()
                    .fold(f64::NEG_INFINITY, |m, p| m.max(p.1));
                self.check_depth(top - self.datum, "stage above the lowest ground:")?;
                self.stages.push(level_m.clone());
                self.stage_now.push(0.0);
                EdgeCell::Stage {
                    index: (self.stages.len() - 1) as u32,
                }
            }
        };
        let nc = self.nc;
        for i in from..to {
            let (k, slot) = match b.edge {
                Edge::North => (i, &mut self.north[i]),
                Edge::South => ((self.nr - 1) * nc + i, &mut self.south[i]),
                Edge::West => (i * nc, &mut self.west[i]),
                Edge::East => (i * nc + nc - 1, &mut self.east[i]),
            };
            *slot = cell;
            if let EdgeCell::Stage { index } = cell {
                self.stage_cells.push((index as usize, k));
                let (j, c) = (k / nc, k % nc);
                self.forced[j] = self.forced[j].with(c);
            }
        }
        self.open_edges = [&self.west, &self.east, &self.north, &self.south]
            .iter()
            .any(|e| e.iter().any(|c| *c != EdgeCell::Closed));
        Ok(())
    }

    /// Adds a breach (its cells are found on the DEM now; it opens at its start time).
    pub fn add_breach(&mut self, dem: &Raster, breach: Breach) -> Result<(), SolverError> {
        if dem.ncols != self.nc || dem.nrows != self.nr {
            return Err(SolverError::Size {
                found: dem.data.len(),
                expected: self.z.len(),
            });
        }
        self.breaches
            .push(BreachCells::resolve(dem, breach, self.datum)?);
        Ok(())
    }

    /// Simulated time, s.
    pub fn time_s(&self) -> f64 {
        self.t
    }

    /// Steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Cell updates done (cells in active spans, summed over steps).
    pub fn cell_updates(&self) -> u64 {
        self.cell_updates
    }

    fn start(&mut self) {
        if self.started {
            return;
        }
        self.started = true;
        self.initial_m3 = self.stored_m3();
        self.hmax_now = kernel::run_max(&self.h);
    }

    /// Sets up the trackers from the current state the first time they are needed.
    fn ensure_trackers(&mut self) {
        if !self.hmax.is_empty() {
            return;
        }
        let thr = self.cfg.arrival_depth_m as f32;
        let t = self.t as f32;
        self.hmax = self.h.clone();
        self.v2max = vec![0.0; self.h.len()];
        self.arrival = self
            .h
            .iter()
            .map(|&h| if h >= thr { t } else { f32::INFINITY })
            .collect();
    }

    /// Runs until `t_end_s` (steps end exactly there).
    pub fn advance_to(&mut self, t_end_s: f64) {
        while self.t < t_end_s {
            if self.step(t_end_s) <= 0.0 {
                break;
            }
        }
    }

    /// One adaptive step, never past `t_stop_s`; returns its length (0 when `t_stop_s` is not
    /// after the current time).
    pub fn step(&mut self, t_stop_s: f64) -> f64 {
        self.start();
        let cfg = &self.cfg;
        let (nc, nr) = (self.nc, self.nr);
        let (dx, dy) = (self.transform.dx_m, self.transform.dy_m);
        let area = dx * dy;
        let g = cfg.gravity_ms2;
        let t = self.t;
        if t_stop_s <= t || t_stop_s.is_nan() {
            return 0.0;
        }
        for (s, now) in self.stages.iter().zip(self.stage_now.iter_mut()) {
            *now = (s.at(t) - self.datum) as f32;
        }
        // Breaches open or widen.
        let min_half = 0.5 * dx.min(dy);
        for b in &mut self.breaches {
            b.apply(t, &mut self.z, min_half);
        }
        // Active spans: one cell around anything wet, an inflow or a stage edge.
        for j in 0..nr {
            let mut s = self.wet[j].union(self.forced[j]);
            if j > 0 {
                s = s.union(self.wet[j - 1]);
            }
            if j + 1 < nr {
                s = s.union(self.wet[j + 1]);
            }
            self.active[j] = s.dilate(nc);
        }
        // The convective acceleration, from the state before the step (it does not depend on dt).
        let umax = if cfg.advection {
            if self.adv.ux.is_empty() {
                self.adv = AdvFields::new(nc, nr);
            }
            let actx = AdvCtx {
                nc,
                nr,
                z: &self.z,
                h: &self.h,
                qx: &self.qx,
                qy: &self.qy,
                active: &self.active,
                dx: dx as f32,
                dy: dy as f32,
                h_min: cfg.dry_depth_m as f32,
                isa: self.isa,
            };
            f64::from(advection::compute(&actx, &mut self.adv))
        } else {
            0.0
        };
        // The time step: CFL on the deepest water, stage boundaries and inflow cells included.
        let mut deepest = f64::from(self.hmax_now);
        for &(s, k) in &self.stage_cells {
            deepest = deepest.max(f64::from(self.stage_now[s] - self.z[k]));
        }
        let d = dx.min(dy);
        let cfl_dt = |h: f64| {
            let c = if h > cfg.dry_depth_m {
                (g * h).sqrt()
            } else {
                0.0
            };
            if c + umax > 0.0 {
                cfg.cfl * d / (c + umax)
            } else {
                cfg.max_dt_s
            }
        };
        let mut dt = cfl_dt(deepest).min(cfg.max_dt_s).min(t_stop_s - t);
        let mut source_depth = 0.0f64;
        for inf in &self.inflows {
            let q = inf.discharge_m3s.at(t).max(inf.discharge_m3s.at(t + dt));
            let add = q * dt / inf.cells.len() as f64 / area;
            for &k in &inf.cells {
                source_depth = source_depth.max(f64::from(self.h[k]) + add);
            }
        }
        if source_depth > deepest {
            dt = dt.min(cfl_dt(source_depth));
        }
        let every = u64::from(cfg.track_every_steps);
        let track = every > 0 && (self.steps.is_multiple_of(every) || t + dt >= t_stop_s);
        if track {
            self.ensure_trackers();
        }
        let cfg = &self.cfg;
        let theta = cfg.theta;
        let face = |d: f64| FaceCoef {
            g_dt_over_d: (g * dt / d) as f32,
            g_dt: (g * dt) as f32,
            theta: theta as f32,
            side: (0.5 * (1.0 - theta)) as f32,
            h_min: cfg.dry_depth_m as f32,
            dt: dt as f32,
            sqrt_g: g.sqrt() as f32,
        };
        let ctx = StepCtx {
            nc,
            nr,
            z: &self.z,
            n2: self.n2.as_deref(),
            n2_uniform: self.n2_uniform,
            active: &self.active,
            xc: face(dx),
            yc: face(dy),
            cell: CellCoef {
                cx: (dt / dx) as f32,
                cy: (dt / dy) as f32,
                t_end: (t + dt) as f32,
                arrival_m: cfg.arrival_depth_m as f32,
                velocity_min_m: cfg.velocity_min_depth_m as f32,
            },
            west: &self.west,
            east: &self.east,
            north: &self.north,
            south: &self.south,
            env: EdgeEnv {
                g: g as f32,
                stages: &self.stage_now,
            },
            track,
            adv_x: cfg.advection.then_some(AdvRows {
                term: &self.adv.ax,
                mass: &self.adv.mx,
                speed: &self.adv.bx,
            }),
            adv_y: cfg.advection.then_some(AdvRows {
                term: &self.adv.ay,
                mass: &self.adv.my,
                speed: &self.adv.by,
            }),
        };
        let bands = step::bands(nr, rayon::current_num_threads());
        if self.qx_next.len() != self.qx.len() {
            // Faces outside every active span are 0 in both buffers and stay so.
            self.qx_next = self.qx.clone();
            self.qy_next = self.qy.clone();
        }
        self.edge_rows
            .resize_with(bands.len() + 1, || EdgeRow::new(nc));
        if self.scale.len() != 2 * nc * bands.len() {
            self.scale = vec![1.0; 2 * nc * bands.len()];
        }
        let face_rows: Vec<usize> = bands.iter().map(|b| b.0).chain([nr]).collect();
        // Edge rows from the old state, then the bands, then the edge rows in.
        let isa = self.isa;
        {
            let (h, qx, qy) = (&self.h, &self.qx, &self.qy);
            self.edge_rows
                .par_iter_mut()
                .zip(face_rows.par_iter())
                .for_each(|(out, &f)| step::edge_row(isa, &ctx, h, qx, qy, f, out));
        }
        let fields = Fields {
            h: &mut self.h,
            qx_old: &self.qx,
            qy_old: &self.qy,
            qx: &mut self.qx_next,
            qy: &mut self.qy_next,
            hmax: &mut self.hmax,
            v2max: &mut self.v2max,
            arrival: &mut self.arrival,
            wet: &mut self.wet,
            row_hmax: &mut self.row_hmax,
            scale: &mut self.scale,
        };
        let updated = step::run_bands(isa, &ctx, &bands, fields, &self.edge_rows, track);
        for (row, &f) in self.edge_rows.iter().zip(&face_rows) {
            self.qy_next[f * nc..(f + 1) * nc].copy_from_slice(&row.lim);
        }
        std::mem::swap(&mut self.qx, &mut self.qx_next);
        std::mem::swap(&mut self.qy, &mut self.qy_next);
        // Inflows join the continuity update (after the fluxes, which saw the depths without
        // them): the exact volume of the hydrograph over the step, counted as added in f32.
        let thr = cfg.arrival_depth_m as f32;
        let t_end = (t + dt) as f32;
        for inf in &self.inflows {
            let vol = inf.discharge_m3s.integral(t, t + dt);
            if vol <= 0.0 {
                continue;
            }
            let dh = (vol / inf.cells.len() as f64 / area) as f32;
            for &k in &inf.cells {
                let old = self.h[k];
                let new = old + dh;
                self.h[k] = new;
                self.inflow_m3 += (f64::from(new) - f64::from(old)) * area;
                let j = k / nc;
                self.wet[j] = self.wet[j].with(k % nc);
                self.row_hmax[j] = self.row_hmax[j].max(new);
                if track {
                    if self.hmax[k] < thr && new >= thr {
                        self.arrival[k] = t_end;
                    }
                    self.hmax[k] = self.hmax[k].max(new);
                }
            }
        }
        if self.open_edges {
            self.count_edge_flow(dt);
        }
        self.hmax_now = self.row_hmax.iter().fold(0.0f32, |m, &v| m.max(v));
        self.t += dt;
        self.steps += 1;
        self.cell_updates += updated;
        dt
    }

    /// Adds the water that crossed the edges in the last step to the balance (fixed order).
    fn count_edge_flow(&mut self, dt: f64) {
        let (nc, nr) = (self.nc, self.nr);
        let (dx, dy) = (self.transform.dx_m, self.transform.dy_m);
        let (mut out_v, mut in_v) = (0.0f64, 0.0f64);
        let mut add = |v: f64| {
            if v > 0.0 {
                out_v += v;
            } else {
                in_v -= v;
            }
        };
        for j in 0..nr {
            let row = &self.qx[j * (nc + 1)..(j + 1) * (nc + 1)];
            add(-f64::from(row[0]) * dy * dt);
            add(f64::from(row[nc]) * dy * dt);
        }
        for i in 0..nc {
            add(-f64::from(self.qy[i]) * dx * dt);
            add(f64::from(self.qy[nr * nc + i]) * dx * dt);
        }
        self.boundary_out_m3 += out_v;
        self.boundary_in_m3 += in_v;
    }

    /// Water stored on the grid now, m³ (summed in row order in `f64`).
    pub fn stored_m3(&self) -> f64 {
        let area = self.transform.dx_m * self.transform.dy_m;
        self.h
            .chunks(self.nc)
            .map(|row| row.iter().map(|&h| f64::from(h)).sum::<f64>())
            .sum::<f64>()
            * area
    }

    /// The mass balance since the start.
    pub fn mass_balance(&self) -> MassBalance {
        let initial = if self.started {
            self.initial_m3
        } else {
            self.stored_m3()
        };
        MassBalance::new(
            initial,
            self.stored_m3(),
            self.inflow_m3,
            self.boundary_in_m3,
            self.boundary_out_m3,
        )
    }

    fn raster(&self, data: Vec<f32>) -> Raster {
        Raster {
            ncols: self.nc,
            nrows: self.nr,
            transform: self.transform,
            nodata: Some(super::DEFAULT_NODATA),
            data,
        }
    }

    fn cell_map(&self, f: impl Fn(usize) -> f32) -> Raster {
        let data = (0..self.h.len())
            .map(|k| if self.valid[k] { f(k) } else { f32::NAN })
            .collect();
        self.raster(data)
    }

    /// Water depth now, m (NaN on NODATA cells).
    pub fn depth(&self) -> Raster {
        self.cell_map(|k| self.h[k])
    }

    /// Water surface elevation now, m (NaN where dry or NODATA).
    pub fn water_level(&self) -> Raster {
        self.cell_map(|k| {
            if self.h[k] > 0.0 {
                (f64::from(self.z[k]) + f64::from(self.h[k]) + self.datum) as f32
            } else {
                f32::NAN
            }
        })
    }

    /// The bed the solver uses now (breaches included), m.
    pub fn bed(&self) -> Raster {
        self.cell_map(|k| (f64::from(self.z[k]) + self.datum) as f32)
    }

    /// Speed now from the discharges on the four faces, m/s (0 below the velocity depth).
    pub fn speed(&self) -> Raster {
        let nc = self.nc;
        let vmin = self.cfg.velocity_min_depth_m as f32;
        self.cell_map(|k| {
            let (j, i) = (k / nc, k % nc);
            let h = self.h[k];
            if h < vmin {
                return 0.0;
            }
            let ux = 0.5 * (self.qx[j * (nc + 1) + i] + self.qx[j * (nc + 1) + i + 1]);
            let uy = 0.5 * (self.qy[j * nc + i] + self.qy[(j + 1) * nc + i]);
            (ux * ux + uy * uy).sqrt() / h
        })
    }

    /// Largest depth reached in each cell, m (0 where never wet; the current depth when
    /// tracking is off).
    pub fn max_depth(&self) -> Raster {
        if self.hmax.is_empty() {
            return self.depth();
        }
        self.cell_map(|k| self.hmax[k])
    }

    /// Largest speed reached in each cell, m/s (where the depth reached the velocity depth): a
    /// step's speed is the cell's mean discharge over the deeper of its depths before and after
    /// the step (a cell that fills from dry or drains in one step would otherwise report the
    /// water that moved over the film it had or kept).
    pub fn max_velocity(&self) -> Raster {
        if self.v2max.is_empty() {
            return self.speed();
        }
        self.cell_map(|k| self.v2max[k].sqrt())
    }

    /// First time each cell's depth reached the arrival depth, s from the start (NaN: never).
    pub fn arrival_time(&self) -> Raster {
        let thr = self.cfg.arrival_depth_m as f32;
        self.cell_map(|k| match self.arrival.get(k) {
            Some(&a) if a.is_finite() => a,
            Some(_) => f32::NAN,
            None if self.h[k] >= thr => self.t as f32,
            None => f32::NAN,
        })
    }

    /// The raw discharges per unit width: `qx` (`ncols + 1` faces per row) and `qy`
    /// (`nrows + 1` face rows of `ncols`), m²/s, positive east and south.
    pub fn face_discharges(&self) -> (&[f32], &[f32]) {
        (&self.qx, &self.qy)
    }

    /// Cells wet now (depth above the dry depth).
    pub fn wet_cells(&self) -> usize {
        let d = self.cfg.dry_depth_m as f32;
        self.h.iter().filter(|&&h| h > d).count()
    }

    /// A summary of the run so far, given the wall time it took.
    pub fn summary(&self, wall_seconds: f64) -> RunSummary {
        let thr = self.cfg.arrival_depth_m as f32;
        let flooded = if self.hmax.is_empty() {
            self.h.iter().filter(|&&h| h >= thr).count()
        } else {
            self.hmax.iter().filter(|&&h| h >= thr).count()
        };
        let max_depth = self
            .max_depth()
            .data
            .iter()
            .fold(0.0f32, |m, &v| if v.is_finite() { m.max(v) } else { m });
        let mb = self.mass_balance();
        RunSummary {
            cells: self.h.len(),
            ncols: self.nc,
            nrows: self.nr,
            steps: self.steps,
            simulated_seconds: self.t,
            wall_seconds,
            cell_updates: self.cell_updates,
            cell_updates_per_second: if wall_seconds > 0.0 {
                self.cell_updates as f64 / wall_seconds
            } else {
                0.0
            },
            mass_balance_error: mb.relative_error,
            mass_balance: mb,
            flooded_cells: flooded,
            max_depth_m: f64::from(max_depth),
            threads: rayon::current_num_threads(),
            isa: format!("{:?}", self.isa),
        }
    }
}

/// Runs `f` on a pool of `threads` workers (`None`: the global pool, all cores). Results do not
/// depend on the count; it only sets how fast they come.
pub fn with_threads<R: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> R + Send,
) -> Result<R, SolverError> {
    match threads {
        None => Ok(f()),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map(|p| p.install(f))
            .map_err(|e| SolverError::Parameter(format!("cannot start {n} threads: {e}"))),
    }
}

/// The depth that puts the surface of a cell with bed `z` exactly at `eta` in `f32`, when one
/// exists (else the nearest).
fn exact_depth(z: f32, eta: f32) -> f32 {
    let mut h = eta - z;
    for _ in 0..4 {
        let s = z + h;
        if s == eta {
            break;
        }
        h = if s > eta {
            f32::from_bits(h.to_bits() - 1)
        } else {
            f32::from_bits(h.to_bits() + 1)
        };
        if h <= 0.0 {
            return 0.0;
        }
    }
    h
}

fn check_config(c: &SolverConfig) -> Result<(), SolverError> {
    let bad = |m: String| Err(SolverError::Parameter(m));
    if !(c.cfl > 0.0 && c.cfl <= 1.0) {
        return bad(format!("CFL factor {}: expected 0 < α ≤ 1", c.cfl));
    }
    if !(c.theta > 0.0 && c.theta <= 1.0) {
        return bad(format!("θ {}: expected 0 < θ ≤ 1", c.theta));
    }
    for (name, v) in [
        ("dry depth", c.dry_depth_m),
        ("arrival depth", c.arrival_depth_m),
        ("velocity depth", c.velocity_min_depth_m),
        ("longest step", c.max_dt_s),
        ("gravity", c.gravity_ms2),
    ] {
        if !(v.is_finite() && v > 0.0) {
            return bad(format!("{name} {v}: expected a positive number"));
        }
    }
    Ok(())
}
