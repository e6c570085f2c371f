//! The DEM raster and the discharge at which each cell first gets wet. The wetting pass is a
//! priority flood from the channel bed in relative elevations (each cell's height expressed as
//! the reference gauge's stage that reaches it), the same idea as the engine's flood atlas; the
//! generator uses it to class floodplain households for evacuation and to check the terrain
//! against its rating curves.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use floodgrid_engine::flood::{GeoTransform, Raster};

use crate::preset::DemSpec;
use crate::reach::{Land, Reach};

/// Stage at the reference gauge (relative datum = absolute there) for discharge, [(m³/s, m)].
pub const REF_RATING: [(f64, f64); 10] = [
    (0.0, 88.20),
    (1000.0, 89.60),
    (2000.0, 90.55),
    (4000.0, 91.50),
    (6000.0, 92.10),
    (8000.0, 92.60),
    (10000.0, 93.00),
    (15000.0, 93.85),
    (22000.0, 94.70),
    (30000.0, 95.45),
];

/// The discharge whose reference stage is `stage` (linear between table rows, extrapolated
/// beyond the last one).
pub fn discharge_for_stage(stage: f64) -> f64 {
    let t = &REF_RATING;
    if stage <= t[0].1 {
        return 0.0;
    }
    for w in t.windows(2) {
        if stage <= w[1].1 {
            return w[0].0 + (w[1].0 - w[0].0) * (stage - w[0].1) / (w[1].1 - w[0].1);
        }
    }
    let (a, b) = (t[t.len() - 2], t[t.len() - 1]);
    b.0 + (b.0 - a.0) * (stage - b.1) / (b.1 - a.1)
}

/// Quantises an elevation to 0.01 m.
fn centimetres(z: f64) -> f32 {
    ((z * 100.0).round() / 100.0) as f32
}

/// Computes the DEM for a spec, rows north to south, split across the available cores (each
/// cell depends on its position only, so the result does not depend on the thread count).
pub fn build_dem(spec: &DemSpec, reach: &Reach) -> Raster {
    let transform = GeoTransform {
        x_min_m: spec.x_min_m,
        y_min_m: spec.y_min_m,
        dx_m: spec.cell_m,
        dy_m: spec.cell_m,
    };
    let mut raster = Raster::filled(spec.ncols, spec.nrows, transform, 0.0);
    let columns: Vec<_> = (0..spec.ncols)
        .map(|c| reach.column(spec.x_min_m + (c as f64 + 0.5) * spec.cell_m))
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let rows_per = spec.nrows.div_ceil(threads).max(1);
    let y_top = spec.y_min_m + spec.cell_m * spec.nrows as f64;
    std::thread::scope(|scope| {
        for (k, chunk) in raster.data.chunks_mut(rows_per * spec.ncols).enumerate() {
            let columns = &columns;
            scope.spawn(move || {
                for (r, row) in chunk.chunks_mut(spec.ncols).enumerate() {
                    let y = y_top - ((k * rows_per + r) as f64 + 0.5) * spec.cell_m;
                    for (v, col) in row.iter_mut().zip(columns) {
                        *v = centimetres(reach.elevation(col, y));
                    }
                }
            });
        }
    });
    raster
}

/// What the wetting pass found, per land class: the lowest discharge that wets any cell of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WettingCheck {
    /// Lowest wetting discharge of unprotected south floodplain, m³/s.
    pub floodplain_min_m3s: f64,
    /// Median wetting discharge of unprotected south floodplain, m³/s.
    pub floodplain_median_m3s: f64,
    /// Lowest wetting discharge inside production-dike polders, m³/s.
    pub polder_min_m3s: f64,
    /// Lowest wetting discharge on hamlet platforms, m³/s.
    pub platform_min_m3s: f64,
    /// Lowest wetting discharge behind the main south dike (city side), m³/s.
    pub city_min_m3s: f64,
}

/// The wetting discharge of every DEM cell.
#[derive(Debug, Clone)]
pub struct Wetting {
    /// m³/s per cell, row-major like the raster.
    pub q: Vec<f32>,
}

impl Wetting {
    /// Priority flood (8-connected, ties broken by cell index) from every channel-bed cell.
    pub fn compute(dem: &Raster, reach: &Reach) -> Wetting {
        let (nc, nr) = (dem.ncols, dem.nrows);
        let t = dem.transform;
        let xs: Vec<f64> = (0..nc)
            .map(|c| t.x_min_m + (c as f64 + 0.5) * t.dx_m)
            .collect();
        let rel: Vec<f32> = dem
            .data
            .iter()
            .enumerate()
            .map(|(k, &z)| reach.to_relative(xs[k % nc], f64::from(z)) as f32)
            .collect();
        let mut level = vec![f32::INFINITY; nc * nr];
        let mut heap = BinaryHeap::new();
        let key = |z: f32, k: usize| Reverse((u64::from(z.to_bits()) << 32) | k as u64);
        let y_top = t.y_min_m + t.dy_m * nr as f64;
        for (c, &x) in xs.iter().enumerate() {
            let yc = reach.centre_y(reach.s_of(x));
            for r in 0..nr {
                let y = y_top - (r as f64 + 0.5) * t.dy_m;
                if (y - yc).abs() < 400.0 {
                    let k = r * nc + c;
                    level[k] = rel[k];
                    heap.push(key(rel[k], k));
                }
            }
        }
        while let Some(Reverse(packed)) = heap.pop() {
            let k = (packed & 0xFFFF_FFFF) as usize;
            let z = f32::from_bits((packed >> 32) as u32);
            if z > level[k] {
                continue;
            }
            let (r, c) = (k / nc, k % nc);
            for dr in -1i64..=1 {
                for dc in -1i64..=1 {
                    let (rr, cc) = (r as i64 + dr, c as i64 + dc);
                    if (dr == 0 && dc == 0)
                        || rr < 0
                        || cc < 0
                        || rr >= nr as i64
                        || cc >= nc as i64
                    {
                        continue;
                    }
                    let n = rr as usize * nc + cc as usize;
                    let lz = z.max(rel[n]);
                    if lz < level[n] {
                        level[n] = lz;
                        heap.push(key(lz, n));
                    }
                }
            }
        }
        Wetting {
            q: level
                .iter()
                .map(|&l| discharge_for_stage(f64::from(l)) as f32)
                .collect(),
        }
    }

    /// The wetting discharge at a projected point.
    pub fn at(&self, dem: &Raster, x: f64, y: f64) -> Option<f64> {
        let (c, r) = dem.cell_at(x, y)?;
        self.q.get(r * dem.ncols + c).map(|&q| f64::from(q))
    }

    /// Summarises wetting by land class over the gridded reach.
    pub fn check(&self, dem: &Raster, reach: &Reach) -> WettingCheck {
        let t = dem.transform;
        let y_top = t.y_min_m + t.dy_m * dem.nrows as f64;
        let mut fp = Vec::new();
        let mut out = WettingCheck {
            floodplain_min_m3s: f64::INFINITY,
            polder_min_m3s: f64::INFINITY,
            platform_min_m3s: f64::INFINITY,
            city_min_m3s: f64::INFINITY,
            ..WettingCheck::default()
        };
        for c in 0..dem.ncols {
            let x = t.x_min_m + (c as f64 + 0.5) * t.dx_m;
            let s = reach.s_of(x);
            if s < 0.0 || s > reach.length_m() {
                continue;
            }
            let col = reach.column(x);
            for r in 0..dem.nrows {
                let y = y_top - (r as f64 + 0.5) * t.dy_m;
                let q = f64::from(self.q[r * dem.ncols + c]);
                let slot = match reach.land_in(&col, y) {
                    Land::Floodplain => {
                        fp.push(q);
                        &mut out.floodplain_min_m3s
                    }
                    Land::Polder => &mut out.polder_min_m3s,
                    Land::Platform => &mut out.platform_min_m3s,
                    Land::City | Land::Pond => &mut out.city_min_m3s,
                    _ => continue,
                };
                *slot = slot.min(q);
            }
        }
        fp.sort_by(f64::total_cmp);
        out.floodplain_median_m3s = fp.get(fp.len() / 2).copied().unwrap_or(f64::NAN);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rating_inverse() {
        assert_eq!(discharge_for_stage(91.5), 4000.0);
        assert!((discharge_for_stage(93.3) - 11_764.7).abs() < 1.0);
        assert_eq!(discharge_for_stage(80.0), 0.0);
    }
}
