//! A 2D solver run set up for a scenario: the river fed at its upstream end, drained at its
//! downstream end, the floodplain starting from the atlas's still water, dikes breached — and the
//! run's arrival times turned into per-grid arrival hours for the assessment.
//!
//! Used by `floodgrid simulate SCENARIO` and by drills (a breach inject runs the solver for its
//! breach). Owns the set-up of a scenario run and the rule that gives a grid its arrival time;
//! owns no file formats and does no terminal output. The solver itself lives in
//! [`super::solver`].
//!
//! - [`ScenarioRunOptions`] and [`build_scenario_run`]: a ready-to-run [`ScenarioRun`] for an
//!   [`RunPlace`] from a discharge series and breaches, on the DEM or on a coarsened
//!   copy ([`coarsen_dem`]).
//! - [`grid_arrival_hours`] (the per-grid rule on cell lists) and
//!   [`ScenarioRun::grid_arrival_hours`] (the same for the scenario's grids).
//! - [`dike_lines`], [`nearest_dike`]: the main and production dike lines a breach can cut.
//!
//! # Coarsening
//! A drill needs a breach's arrival times in a few seconds; the bundled 1200 × 1000 DEM of 15 m
//! cells takes about 36 s for 12 h in release. A copy coarsened by k × k blocks has k² fewer cells
//! and a k times longer time step (the step follows the cell size), about k³ less work. Each block
//! takes the **mean** of its cells' ground, which keeps the volume the floodplain can store below
//! any level (what sets how fast it fills) — except blocks a dike line crosses, which take the
//! block's **maximum**, so a dike stays a continuous wall at its crest height instead of being
//! averaged down into a sill the river pours over (a 15 m crest in a 45 m block would lose two
//! thirds of its height). The minimum would open every ditch into a channel and lower raised
//! village platforms; the mean lowers small platforms a little, which brings water to them
//! early — the safe side for an evacuation deadline. NODATA cells are left out of a block; a block
//! of NODATA only stays NODATA.

use crate::FloodAtlas;
use crate::solver::{
    Boundary, BoundaryKind, Breach, Edge, Inflow, Manning, Series, Simulation, SolverConfig,
    SolverError,
};
use crate::{GeoTransform, Raster, cells_in_region};
use floodgrid_model::grid::{Grid, Resident, Site, SiteGeometry, SiteKind, dike_lines, geometry};
use floodgrid_model::hydro::RatingCurve;

/// The place a scenario run is set up for: terrain, river and dikes (among the sites), the flood
/// atlas of that terrain, rated stations, and the grids and residents whose arrival times the run
/// reports. Borrowed from a checked scenario (the engine builds one from its own).
#[derive(Debug, Clone)]
pub struct RunPlace<'a> {
    /// The DEM at full resolution.
    pub dem: &'a Raster,
    /// Sites: the river line (upstream first) and the main and production dikes are read.
    pub sites: &'a [Site],
    /// The flood atlas of `dem` (still water at the first discharge).
    pub atlas: &'a FloodAtlas,
    /// Rated stations: projected position and rating curve (the stage outflow uses the one
    /// nearest the river's downstream end).
    pub stations: Vec<([f64; 2], &'a RatingCurve)>,
    /// Grids (a grid's arrival covers its sub-grids' residents).
    pub grids: &'a [Grid],
    /// Residents (their homes decide a grid's arrival).
    pub residents: &'a [Resident],
}

/// The downstream boundary of a scenario run.
#[derive(Debug, Clone, PartialEq)]
pub enum Outflow {
    /// Normal-depth outflow with this water-surface slope (`None`: the river's bed slope from its
    /// upstream to its downstream end, at least 1e-4).
    Free {
        /// Slope, m/m.
        slope: Option<f64>,
    },
    /// The rated stage of the station nearest the downstream end at each discharge.
    Stage,
}

/// How a scenario run is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioRunOptions {
    /// Run on k × k blocks of the DEM (1: the DEM as it is). See the module docs.
    pub coarsen: usize,
    /// Manning's n everywhere, s/m^(1/3).
    pub manning_n: f64,
    /// The solver's numerical settings.
    pub solver: SolverConfig,
    /// The downstream boundary.
    pub outflow: Outflow,
}

impl Default for ScenarioRunOptions {
    fn default() -> Self {
        ScenarioRunOptions {
            coarsen: 1,
            manning_n: 0.03,
            solver: SolverConfig::default(),
            outflow: Outflow::Free { slope: None },
        }
    }
}

/// Why a scenario run cannot be set up.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScenarioRunError {
    /// No river line in the sites.
    #[error("the scenario has no river line in sites.geojson")]
    NoRiver,
    /// The river's upstream end is off the DEM.
    #[error("the river's upstream end lies outside the DEM")]
    UpstreamOutside,
    /// A stage outflow without a station.
    #[error("a stage outflow needs a station; the scenario has none")]
    NoStation,
    /// A parameter out of range.
    #[error("{0}")]
    Parameter(String),
    /// The solver refused something (with which breach, if one).
    #[error("{0}")]
    Solver(#[from] SolverError),
}

/// A scenario run ready to go: advance [`ScenarioRun::sim`], then read its outputs.
#[derive(Debug, Clone)]
pub struct ScenarioRun {
    /// The simulation.
    pub sim: Simulation,
    /// The terrain it runs on: the scenario's DEM or its coarsened copy.
    pub terrain: Raster,
    /// Depth at the start, m, per cell of `terrain`.
    pub initial_depth_m: Vec<f32>,
    /// The edge the water leaves by.
    pub outflow_edge: Edge,
    /// Lowest and highest inflow, m³/s.
    pub inflow_range_m3s: (f64, f64),
}

/// The point where a breach opens: the point of its dike line nearest [`Breach::at`], or halfway
/// along the line.
pub fn breach_centre(b: &Breach) -> Option<[f64; 2]> {
    let line = [geometry::line_string(&b.dike)];
    match b.at {
        Some(p) => geometry::nearest_on_lines(p, &line).map(|n| n.0),
        None => geometry::point_along(&line[0], 0.5 * geometry::length(&line[0])),
    }
    .or(b.dike.first().copied())
}

/// The median ground within `radius_m` of a point (NODATA left out): the level a breach cuts
/// down to when the script does not say — the floodplain around the dike, not the river bed
/// beside it (a minimum would be) nor the crest.
pub fn median_ground(dem: &Raster, p: [f64; 2], radius_m: f64) -> Option<f64> {
    let t = &dem.transform;
    let (nc, nr) = (radius_m / t.dx_m, radius_m / t.dy_m);
    let (c0, r0) = dem.cell_at(p[0], p[1])?;
    let mut z: Vec<f32> = Vec::new();
    let (nc, nr) = (nc.ceil() as isize, nr.ceil() as isize);
    for dr in -nr..=nr {
        for dc in -nc..=nc {
            let (c, r) = (c0 as isize + dc, r0 as isize + dr);
            if c < 0 || r < 0 {
                continue;
            }
            let Some(v) = dem.get(c as usize, r as usize) else {
                continue;
            };
            let (x, y) = dem.cell_centre(c as usize, r as usize);
            if v.is_finite() && (x - p[0]).hypot(y - p[1]) <= radius_m {
                z.push(v);
            }
        }
    }
    if z.is_empty() {
        return None;
    }
    z.sort_by(f32::total_cmp);
    Some(f64::from(z[z.len() / 2]))
}

/// Marks the cells a polyline passes through (sampled every quarter cell).
fn mark_line(dem: &Raster, line: &[[f64; 2]], marks: &mut [bool]) {
    let step = 0.25 * dem.transform.dx_m.min(dem.transform.dy_m);
    for w in line.windows(2) {
        let (a, b) = (w[0], w[1]);
        let len = (b[0] - a[0]).hypot(b[1] - a[1]);
        let n = (len / step).ceil().clamp(1.0, 1e7) as usize;
        for i in 0..=n {
            let f = i as f64 / n as f64;
            let (x, y) = (a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]));
            if let Some((c, r)) = dem.cell_at(x, y)
                && let Some(m) = marks.get_mut(r * dem.ncols + c)
            {
                *m = true;
            }
        }
    }
}

/// The DEM on blocks of `factor` × `factor` cells: the maximum of a block a dike line crosses, the
/// mean elsewhere (NODATA left out; see the module docs for why). The north-west corner stays put;
/// blocks at the east and south edges may be partial. `factor` 0 or 1 gives a copy.
///
/// ```
/// use floodgrid_flood::{GeoTransform, Raster};
/// use floodgrid_flood::scenario_run::coarsen_dem;
/// let t = GeoTransform { x_min_m: 0.0, y_min_m: 0.0, dx_m: 10.0, dy_m: 10.0 };
/// let mut dem = Raster::filled(4, 2, t, 1.0);
/// dem.data[1] = 5.0; // a dike cell in the western block
/// dem.data[6] = 3.0; // a bump in the eastern block
/// let dike = vec![[15.0, 0.0], [15.0, 20.0]];
/// let c = coarsen_dem(&dem, 2, &[&dike]);
/// assert_eq!((c.ncols, c.nrows, c.transform.dx_m), (2, 1, 20.0));
/// assert_eq!(c.data, vec![5.0, 1.5]);
/// ```
pub fn coarsen_dem(dem: &Raster, factor: usize, dikes: &[&[[f64; 2]]]) -> Raster {
    if factor <= 1 {
        return dem.clone();
    }
    let k = factor;
    let (nc, nr) = (dem.ncols.div_ceil(k), dem.nrows.div_ceil(k));
    let t = dem.transform;
    let north = t.y_min_m + t.dy_m * dem.nrows as f64;
    let transform = GeoTransform {
        x_min_m: t.x_min_m,
        y_min_m: north - t.dy_m * (k * nr) as f64,
        dx_m: t.dx_m * k as f64,
        dy_m: t.dy_m * k as f64,
    };
    let mut marks = vec![false; dem.data.len()];
    for line in dikes {
        mark_line(dem, line, &mut marks);
    }
    let mut data = vec![f32::NAN; nc * nr];
    for (br, row) in data.chunks_mut(nc).enumerate() {
        for (bc, out) in row.iter_mut().enumerate() {
            let (mut sum, mut n, mut max, mut dike) = (0.0f64, 0usize, f32::MIN, false);
            for r in br * k..((br + 1) * k).min(dem.nrows) {
                for c in bc * k..((bc + 1) * k).min(dem.ncols) {
                    let i = r * dem.ncols + c;
                    let z = dem.data[i];
                    if z.is_finite() {
                        sum += f64::from(z);
                        n += 1;
                        max = max.max(z);
                        dike |= marks[i];
                    }
                }
            }
            if n > 0 {
                *out = if dike { max } else { (sum / n as f64) as f32 };
            }
        }
    }
    Raster {
        ncols: nc,
        nrows: nr,
        transform,
        nodata: dem.nodata,
        data,
    }
}

/// Builds a run for the engine's scenario: the terrain (coarsened as the options say), still
/// water from the flood atlas at the first discharge, the discharge series poured across the
/// river one cell in from its upstream end (the cells of a cross-section wet at the first
/// discharge, else the centreline cell), outflow on the DEM edge nearest the river's downstream
/// end, and the breaches (whose cut corridor widens to cover the coarse blocks a dike occupies).
pub fn build_scenario_run(
    place: &RunPlace<'_>,
    q: &Series,
    breaches: Vec<Breach>,
    opts: &ScenarioRunOptions,
) -> Result<ScenarioRun, ScenarioRunError> {
    let fine = place.dem;
    let river: Vec<&[[f64; 2]]> = place
        .sites
        .iter()
        .filter(|s| s.kind == SiteKind::River)
        .filter_map(|s| match &s.geometry {
            SiteGeometry::Line(l) if l.len() >= 2 => Some(l.as_slice()),
            _ => None,
        })
        .collect();
    // River lines run upstream first (as the atlas reads them).
    let (Some(first), Some(last)) = (river.first(), river.last()) else {
        return Err(ScenarioRunError::NoRiver);
    };
    let (up, up_next) = (first[0], first[1]);
    let down = last[last.len() - 1];
    if !(opts.manning_n.is_finite() && opts.manning_n > 0.0) {
        return Err(ScenarioRunError::Parameter(format!(
            "Manning's n {}; expected a positive number",
            opts.manning_n
        )));
    }
    let k = opts.coarsen.max(1);
    let dikes: Vec<&[[f64; 2]]> = dike_lines(place.sites).into_iter().map(|d| d.1).collect();
    let dem = coarsen_dem(fine, k, &dikes);
    // Still water from the atlas: each block's mean water level over its wet cells.
    let q0 = q.at(0.0);
    let atlas = place.atlas;
    let depth: Vec<f32> = if k == 1 {
        (0..fine.data.len())
            .map(|i| atlas.depth(fine, i, q0) as f32)
            .collect()
    } else {
        let mut level = vec![(0.0f64, 0u32); dem.data.len()];
        for r in 0..fine.nrows {
            for c in 0..fine.ncols {
                let i = r * fine.ncols + c;
                let h = atlas.depth(fine, i, q0);
                if h > 0.0 {
                    let b = (r / k) * dem.ncols + c / k;
                    level[b].0 += f64::from(fine.data[i]) + h;
                    level[b].1 += 1;
                }
            }
        }
        level
            .iter()
            .zip(&dem.data)
            .map(|(&(sum, n), &z)| {
                if n == 0 || !z.is_finite() {
                    0.0
                } else {
                    (sum / f64::from(n) - f64::from(z)).max(0.0) as f32
                }
            })
            .collect()
    };
    let mut sim = Simulation::new(&dem, opts.solver.clone())?;
    sim.set_manning(Manning::Uniform(opts.manning_n))?;
    sim.set_depth(&depth)?;
    // Inflow across the river one cell in from its upstream end.
    let (dx, dy) = (up_next[0] - up[0], up_next[1] - up[1]);
    let len = dx.hypot(dy).max(1e-9);
    let step = dem.transform.dx_m.max(dem.transform.dy_m);
    let c = [up[0] + dx / len * step, up[1] + dy / len * step];
    let half = 5_000.0;
    let section = [
        [c[0] - dy / len * half, c[1] + dx / len * half],
        [c[0] + dy / len * half, c[1] - dx / len * half],
    ];
    let mut cells: Vec<usize> = Inflow::along_line(&dem, &section, q.clone())
        .map(|i| i.cells)
        .unwrap_or_default()
        .into_iter()
        .filter(|&i| depth.get(i).is_some_and(|&h| h > 0.0))
        .collect();
    if cells.is_empty() {
        cells = Inflow::at_points(&dem, &[c], q.clone())
            .or_else(|_| Inflow::at_points(&dem, &[up], q.clone()))
            .map_err(|_| ScenarioRunError::UpstreamOutside)?
            .cells;
    }
    sim.add_inflow(Inflow {
        cells,
        discharge_m3s: q.clone(),
    })?;
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
    let kind = match &opts.outflow {
        Outflow::Stage => {
            let station = place
                .stations
                .iter()
                .min_by(|a, b| {
                    let d = |p: [f64; 2]| (p[0] - down[0]).hypot(p[1] - down[1]);
                    d(a.0).total_cmp(&d(b.0))
                })
                .ok_or(ScenarioRunError::NoStation)?;
            let pts: Vec<(f64, f64)> = q
                .points()
                .iter()
                .map(|&(t, qq)| (t, station.1.stage_m(qq)))
                .collect();
            BoundaryKind::Stage {
                level_m: Series::new(pts)
                    .map_err(|e| ScenarioRunError::Parameter(e.to_string()))?,
            }
        }
        Outflow::Free { slope: Some(slope) } => BoundaryKind::Free { slope: *slope },
        Outflow::Free { slope: None } => {
            let z = |p: [f64; 2]| {
                fine.cell_at(p[0], p[1])
                    .and_then(|(c, r)| fine.get(c, r))
                    .map(f64::from)
            };
            let length: f64 = river
                .iter()
                .map(|l| geometry::length(&geometry::line_string(l)))
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
    sim.add_boundary(Boundary::whole(edge, kind))?;
    // A block a dike crosses may have its centre up to half a block diagonal plus half a fine
    // cell's diagonal from the line: cut that far across so no raised block is left standing.
    let reach = if k > 1 {
        0.5 * std::f64::consts::SQRT_2
            * (dem.transform.dx_m.max(dem.transform.dy_m) + step / k as f64)
    } else {
        0.0
    };
    for mut b in breaches {
        b.corridor_m = b.corridor_m.max(reach);
        sim.add_breach(&dem, b)?;
    }
    let lo = q.points().iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    Ok(ScenarioRun {
        sim,
        terrain: dem,
        initial_depth_m: depth,
        outflow_edge: edge,
        inflow_range_m3s: (lo, q.max()),
    })
}

/// Earliest arrival per grid, in hours from the start of the run (`None`: never), by the rule
/// the assessment needs: a grid with residents (its own or its sub-grids') takes the earliest
/// arrival at their homes' cells — the water reaching the people is what an evacuation deadline
/// is about, and a grid polygon usually reaches into the river or a pond that is wet from the
/// start, which would give every riverside grid an arrival of zero; a grid without residents
/// (dike duty grids, the town) takes the earliest arrival over its polygon's cells that were dry
/// at the start.
///
/// `arrival` is [`Simulation::arrival_time`] (s, NaN: never); `homes[g]` and `areas[g]` list
/// row-major cells of grid `g`'s residents' homes and of its polygon; `dry_at_start[i]` says
/// whether cell `i` was dry when the run started.
///
/// ```
/// use floodgrid_flood::{GeoTransform, Raster};
/// use floodgrid_flood::scenario_run::grid_arrival_hours;
/// let t = GeoTransform { x_min_m: 0.0, y_min_m: 0.0, dx_m: 10.0, dy_m: 10.0 };
/// let arrival = Raster { data: vec![0.0, 3600.0, 7200.0, f32::NAN], ..Raster::filled(4, 1, t, 0.0) };
/// let dry = [false, true, true, true];
/// // Grid 0 has a home in cell 2; grid 1 no residents, its polygon covers cells 0 and 1.
/// let hours = grid_arrival_hours(&arrival, &dry, &[vec![2], vec![]], &[vec![0, 1, 2], vec![0, 1]]);
/// assert_eq!(hours, vec![Some(2.0), Some(1.0)]);
/// ```
pub fn grid_arrival_hours(
    arrival: &Raster,
    dry_at_start: &[bool],
    homes: &[Vec<u32>],
    areas: &[Vec<u32>],
) -> Vec<Option<f64>> {
    let cells: Vec<Vec<u32>> = (0..homes.len().max(areas.len()))
        .map(|g| match homes.get(g) {
            Some(h) if !h.is_empty() => h.clone(),
            _ => areas
                .get(g)
                .map(|a| {
                    a.iter()
                        .copied()
                        .filter(|&i| dry_at_start.get(i as usize).copied().unwrap_or(false))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    super::solver::arrival_hours_per_grid(arrival, &cells)
}

impl ScenarioRun {
    /// The cell of `terrain` holding each resident's home, by resident index (`None`: off the
    /// terrain).
    pub fn resident_cells(&self, residents: &[Resident]) -> Vec<Option<u32>> {
        let t = &self.terrain;
        residents
            .iter()
            .map(|r| {
                t.cell_at(r.xy[0], r.xy[1])
                    .map(|(c, row)| (row * t.ncols + c) as u32)
            })
            .collect()
    }

    /// Per-grid arrival hours from the start of the run, indexed like `grids`, by the rule of
    /// [`grid_arrival_hours`] (a grid's residents include its sub-grids').
    pub fn grid_arrival_hours(&self, grids: &[Grid], residents: &[Resident]) -> Vec<Option<f64>> {
        scenario_grid_arrival_hours(
            grids,
            residents,
            &self.terrain,
            &self.initial_depth_m,
            &self.sim.arrival_time(),
            self.sim.config().arrival_depth_m,
        )
    }
}

/// [`ScenarioRun::grid_arrival_hours`] from its parts: the run's terrain, its initial depths, its
/// arrival raster and the depth that counts as arrival.
pub fn scenario_grid_arrival_hours(
    grids: &[Grid],
    residents: &[Resident],
    terrain: &Raster,
    initial_depth_m: &[f32],
    arrival: &Raster,
    arrival_depth_m: f64,
) -> Vec<Option<f64>> {
    let thr = arrival_depth_m as f32;
    let dry: Vec<bool> = initial_depth_m.iter().map(|&h| h < thr).collect();
    let mut homes: Vec<Vec<u32>> = vec![Vec::new(); grids.len()];
    for r in residents {
        let Some((c, row)) = terrain.cell_at(r.xy[0], r.xy[1]) else {
            continue;
        };
        let cell = (row * terrain.ncols + c) as u32;
        let mut cur = Some(r.grid);
        let mut steps = 0;
        while let Some(g) = cur {
            if steps > grids.len() {
                break;
            }
            steps += 1;
            if let Some(h) = homes.get_mut(g.ix()) {
                h.push(cell);
            }
            cur = grids.get(g.ix()).and_then(|x| x.parent);
        }
    }
    let areas: Vec<Vec<u32>> = grids
        .iter()
        .map(|g| cells_in_region(terrain, &g.region))
        .collect();
    grid_arrival_hours(arrival, &dry, &homes, &areas)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> GeoTransform {
        GeoTransform {
            x_min_m: 0.0,
            y_min_m: 0.0,
            dx_m: 10.0,
            dy_m: 10.0,
        }
    }

    #[test]
    fn homes_decide_before_the_polygon_and_wet_cells_do_not_count() {
        // Cells: 0 river (wet from the start), 1 reached at 30 min, 2 at 2 h, 3 never.
        let arrival = Raster {
            data: vec![0.0, 1800.0, 7200.0, f32::NAN],
            ..Raster::filled(4, 1, t(), 0.0)
        };
        let dry = [false, true, true, true];
        let hours = grid_arrival_hours(
            &arrival,
            &dry,
            &[vec![2], vec![], vec![3], vec![]],
            &[vec![0, 1, 2], vec![0, 1], vec![0, 1, 2, 3], vec![0]],
        );
        assert_eq!(hours, vec![Some(2.0), Some(0.5), None, None]);
    }

    #[test]
    fn grids_beyond_the_lists_and_cells_off_the_raster_are_never_reached() {
        let arrival = Raster::filled(2, 2, t(), 60.0);
        let hours = grid_arrival_hours(&arrival, &[true; 4], &[vec![99]], &[vec![], vec![7]]);
        assert_eq!(hours, vec![None, None]);
    }

    #[test]
    fn a_dike_keeps_its_crest_and_nodata_blocks_stay_nodata() {
        let mut dem = Raster::filled(3, 3, t(), 2.0);
        dem.data[4] = 9.0; // the crest, crossed by the line
        dem.data[8] = f32::NAN;
        let line = vec![[0.0, 15.0], [30.0, 15.0]];
        let c = coarsen_dem(&dem, 2, &[&line]);
        assert_eq!((c.ncols, c.nrows), (2, 2));
        assert_eq!(c.data[0], 9.0);
        assert_eq!(c.data[1], 2.0, "crossed, but its max is the ground");
        assert_eq!(c.data[2], 2.0);
        assert!(c.data[3].is_nan());
        assert_eq!(c.transform.y_min_m, -10.0, "the north edge stays put");
    }
}
