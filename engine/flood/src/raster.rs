//! A georeferenced grid of `f32` cells (terrain, depths, thresholds). Rows run north to south, as in
//! ESRI ASCII grids and GeoTIFF; missing cells (NODATA) are `NaN` in memory.

use serde::{Deserialize, Serialize};

/// The most cells a raster may have (ESRI ASCII and GeoTIFF alike): 100 million, a 10 × 10 km
/// area at 1 m, or 400 MB of `f32`. A header claiming more is refused before anything is
/// allocated or decompressed (the bundled scenario's DEM has 1.2 million).
pub const MAX_RASTER_CELLS: usize = 100_000_000;

/// Georeferencing of a north-up raster in a projected metre CRS.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoTransform {
    /// X (easting) of the west edge of the raster, metres.
    pub x_min_m: f64,
    /// Y (northing) of the south edge of the raster, metres.
    pub y_min_m: f64,
    /// Cell width, metres.
    pub dx_m: f64,
    /// Cell height, metres.
    pub dy_m: f64,
}

/// A north-up raster of `f32` values with its georeferencing.
#[derive(Debug, Clone, PartialEq)]
pub struct Raster {
    /// Number of columns.
    pub ncols: usize,
    /// Number of rows.
    pub nrows: usize,
    /// Where the raster lies.
    pub transform: GeoTransform,
    /// The NODATA marker to write in files (cells are `NaN` in memory).
    pub nodata: Option<f32>,
    /// Row-major values, row 0 is the northernmost.
    pub data: Vec<f32>,
}

impl Raster {
    /// A raster filled with one value.
    ///
    /// ```
    /// use floodgrid_flood::{GeoTransform, Raster};
    /// let t = GeoTransform { x_min_m: 0.0, y_min_m: 0.0, dx_m: 10.0, dy_m: 10.0 };
    /// let r = Raster::filled(3, 2, t, 1.5);
    /// assert_eq!(r.get(2, 1), Some(1.5));
    /// assert_eq!(r.get(3, 0), None);
    /// ```
    pub fn filled(ncols: usize, nrows: usize, transform: GeoTransform, value: f32) -> Raster {
        Raster {
            ncols,
            nrows,
            transform,
            nodata: None,
            data: vec![value; ncols * nrows],
        }
    }

    /// The value at column `col`, row `row` (row 0 north), or `None` outside.
    pub fn get(&self, col: usize, row: usize) -> Option<f32> {
        if col < self.ncols && row < self.nrows {
            self.data.get(row * self.ncols + col).copied()
        } else {
            None
        }
    }

    /// West, south, east, north edges in metres.
    pub fn bounds(&self) -> (f64, f64, f64, f64) {
        let t = &self.transform;
        (
            t.x_min_m,
            t.y_min_m,
            t.x_min_m + t.dx_m * self.ncols as f64,
            t.y_min_m + t.dy_m * self.nrows as f64,
        )
    }

    /// Whether a projected point lies inside the raster's extent.
    pub fn contains(&self, x_m: f64, y_m: f64) -> bool {
        let (w, s, e, n) = self.bounds();
        x_m >= w && x_m <= e && y_m >= s && y_m <= n
    }

    /// The (column, row) of the cell holding a projected point, or `None` outside.
    pub fn cell_at(&self, x_m: f64, y_m: f64) -> Option<(usize, usize)> {
        let t = &self.transform;
        let c = ((x_m - t.x_min_m) / t.dx_m).floor();
        let r = ((t.y_min_m + t.dy_m * self.nrows as f64 - y_m) / t.dy_m).floor();
        if c >= 0.0 && r >= 0.0 && (c as usize) < self.ncols && (r as usize) < self.nrows {
            Some((c as usize, r as usize))
        } else {
            None
        }
    }

    /// The projected centre of a cell.
    pub fn cell_centre(&self, col: usize, row: usize) -> (f64, f64) {
        let t = &self.transform;
        (
            t.x_min_m + (col as f64 + 0.5) * t.dx_m,
            t.y_min_m + (self.nrows as f64 - row as f64 - 0.5) * t.dy_m,
        )
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the raster has no cells.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}
