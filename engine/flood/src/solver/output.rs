//! What a run reports: the mass balance, a JSON-ready summary, and arrival times per grid for the
//! assessment. Owns no file writing (the rasters go through `write_ascii` / `write_geotiff`).

use serde::{Deserialize, Serialize};

use crate::Raster;

/// Water in and out over a run, m³ (`f64` throughout).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MassBalance {
    /// Stored at the start.
    pub initial_m3: f64,
    /// Stored now.
    pub stored_m3: f64,
    /// Poured in by inflows.
    pub inflow_m3: f64,
    /// Entered through stage boundaries.
    pub boundary_inflow_m3: f64,
    /// Left through the edges.
    pub boundary_outflow_m3: f64,
    /// stored − initial − inflows + outflow: 0 for a conservative scheme.
    pub error_m3: f64,
    /// `error_m3` over all the water that came in (or over the initial volume when none did).
    pub relative_error: f64,
}

impl MassBalance {
    /// The balance of the given volumes.
    pub fn new(
        initial_m3: f64,
        stored_m3: f64,
        inflow_m3: f64,
        boundary_inflow_m3: f64,
        boundary_outflow_m3: f64,
    ) -> MassBalance {
        let error_m3 =
            stored_m3 - initial_m3 - inflow_m3 - boundary_inflow_m3 + boundary_outflow_m3;
        let came_in = inflow_m3 + boundary_inflow_m3;
        let scale = if came_in > 0.0 { came_in } else { initial_m3 };
        MassBalance {
            initial_m3,
            stored_m3,
            inflow_m3,
            boundary_inflow_m3,
            boundary_outflow_m3,
            error_m3,
            relative_error: if scale > 0.0 { error_m3 / scale } else { 0.0 },
        }
    }
}

/// What `floodgrid simulate` writes to `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Cells in the grid.
    pub cells: usize,
    /// Columns.
    pub ncols: usize,
    /// Rows.
    pub nrows: usize,
    /// Time steps taken.
    pub steps: u64,
    /// Simulated time, s.
    pub simulated_seconds: f64,
    /// Wall time, s.
    pub wall_seconds: f64,
    /// Cells updated, summed over steps (dry cells out of reach are skipped, not counted).
    pub cell_updates: u64,
    /// `cell_updates / wall_seconds`.
    pub cell_updates_per_second: f64,
    /// The mass balance's relative error.
    pub mass_balance_error: f64,
    /// The whole mass balance.
    pub mass_balance: MassBalance,
    /// Cells whose depth reached the arrival depth at some time.
    pub flooded_cells: usize,
    /// Largest depth anywhere, m.
    pub max_depth_m: f64,
    /// Worker threads.
    pub threads: usize,
    /// Instruction set of the kernels.
    pub isa: String,
}

/// The earliest arrival, in hours, over each grid's cells (`None` when the water reaches none of
/// them). `arrival` is [`super::Simulation::arrival_time`] (seconds, NaN for never); each entry
/// of `grids` lists row-major cell indices, as
/// [`cells_in_region`](crate::cells_in_region) gives them.
///
/// ```
/// use floodgrid_flood::{GeoTransform, Raster};
/// use floodgrid_flood::solver::arrival_hours_per_grid;
/// let t = GeoTransform { x_min_m: 0.0, y_min_m: 0.0, dx_m: 10.0, dy_m: 10.0 };
/// let mut arrival = Raster::filled(3, 1, t, f32::NAN);
/// arrival.data[1] = 7200.0;
/// arrival.data[2] = 3600.0;
/// let hours = arrival_hours_per_grid(&arrival, &[vec![0], vec![1, 2], vec![]]);
/// assert_eq!(hours, vec![None, Some(1.0), None]);
/// ```
pub fn arrival_hours_per_grid(arrival: &Raster, grids: &[Vec<u32>]) -> Vec<Option<f64>> {
    grids
        .iter()
        .map(|cells| {
            cells
                .iter()
                .filter_map(|&k| arrival.data.get(k as usize).copied())
                .filter(|a| a.is_finite())
                .fold(None, |m: Option<f32>, a| Some(m.map_or(a, |m| m.min(a))))
                .map(|s| f64::from(s) / 3600.0)
        })
        .collect()
}
