//! # floodgrid-flood
//!
//! Terrain and water: raster I/O (ESRI ASCII grid, GeoTIFF), the flood atlas, per-grid exposure,
//! flooded-extent outlines, the 2D solver and scenario runs set up from terrain, river and dikes.
//! Depends only on the model; owns no scenario parsing, no plan and no terminal output.

#![warn(missing_docs)]

mod ascii;
mod atlas;
mod exposure;
mod extent;
mod geotiff;
mod raster;
pub mod scenario_run;
pub mod solver;

pub use ascii::{DEFAULT_NODATA, read_ascii, write_ascii};
pub use atlas::{FloodAtlas, RiverRatings, SourceTable};
pub use exposure::{ExposureIndex, GridExposure, cells_in_region};
pub use extent::outline_cells;
pub use geotiff::{GeoTiff, read_geotiff, read_geotiff_for, write_geotiff};
pub use raster::{GeoTransform, MAX_RASTER_CELLS, Raster};

/// A problem reading or writing a raster. `line` and `column` are 1-based for text formats and 0
/// for binary ones.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct RasterError {
    /// 1-based line (0 when the format has no lines).
    pub line: usize,
    /// 1-based character column (0 when the format has no lines).
    pub column: usize,
    /// What was found and what was expected.
    pub message: String,
}

impl RasterError {
    /// An error at a position.
    pub fn at(line: usize, column: usize, message: impl Into<String>) -> Self {
        RasterError {
            line,
            column,
            message: message.into(),
        }
    }
}
