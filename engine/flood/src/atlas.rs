//! The flood atlas: for every DEM cell, the lowest discharge at which it is wet.
//!
//! The water surface follows the river's slope: each cell takes its stage from the river section
//! nearest to it (sections every 100 m along the centreline, each with a rating blended from the
//! stations around it; nearest by a breadth-first sweep from the centreline). A cell is wet at Q
//! when some path from the river reaches it with every cell on the path below its own stage at Q,
//! so its threshold is the smallest, over paths, of the largest discharge needed along the path —
//! a priority flood keyed directly by discharge. Land behind a dike stays dry until the stage
//! overtops the crest; depressions with no path to the river stay dry (infinite threshold). The
//! queue has a total order (discharge, then cell index), so the result is the same on every run.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use serde::{Deserialize, Serialize};

use super::raster::Raster;
use floodgrid_model::hydro::RatingCurve;

/// A rating curve along the river: stations at distances along the centreline.
#[derive(Debug, Clone)]
pub struct RiverRatings {
    /// (distance along the centreline in metres, rating), sorted by distance.
    pub stations: Vec<(f64, RatingCurve)>,
}

/// The 4-neighbours of a cell inside the raster.
fn neighbours(c: usize, r: usize, nc: usize, nr: usize) -> impl Iterator<Item = usize> {
    let cell = r * nc + c;
    [
        (c > 0).then(|| cell - 1),
        (c + 1 < nc).then(|| cell + 1),
        (r > 0).then(|| cell - nc),
        (r + 1 < nr).then(|| cell + nc),
    ]
    .into_iter()
    .flatten()
}

/// Discharges at which the blended tables are tabulated.
fn breakpoints(stations: &[(f64, RatingCurve)]) -> Vec<f64> {
    let mut qs: Vec<f64> = stations
        .iter()
        .flat_map(|(_, r)| r.points().iter().map(|p| p.0))
        .collect();
    qs.sort_by(f64::total_cmp);
    qs.dedup();
    // Extend beyond the tables so extreme stages still have a discharge.
    if let Some(&last) = qs.last() {
        qs.push(last * 2.0 + 1000.0);
    }
    qs
}

/// The stage–discharge table of one source (a point along the river), monotone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceTable {
    /// (discharge, stage) points.
    pub points: Vec<(f32, f32)>,
}

impl SourceTable {
    /// Stage at a discharge.
    pub fn stage(&self, q: f64) -> f64 {
        let p = &self.points;
        if p.is_empty() {
            return f64::NEG_INFINITY;
        }
        let q = q as f32;
        if q <= p[0].0 {
            return f64::from(p[0].1);
        }
        let i = p.partition_point(|x| x.0 < q).clamp(1, p.len() - 1);
        let (q0, h0) = p[i - 1];
        let (q1, h1) = p[i];
        f64::from(h0 + (h1 - h0) * (q - q0) / (q1 - q0))
    }

    /// Lowest discharge at which the stage reaches `h`; infinite when it never does.
    pub fn discharge_for(&self, h: f32) -> f32 {
        let p = &self.points;
        let Some(first) = p.first() else {
            return f32::INFINITY;
        };
        if h <= first.1 {
            return first.0;
        }
        let i = p.partition_point(|x| x.1 < h);
        if i >= p.len() {
            return f32::INFINITY;
        }
        let (q0, h0) = p[i - 1];
        let (q1, h1) = p[i];
        if h1 <= h0 {
            q1
        } else {
            q0 + (q1 - q0) * (h - h0) / (h1 - h0)
        }
    }
}

/// Per-cell wetting discharge and the river source that wets it.
#[derive(Debug, Clone)]
pub struct FloodAtlas {
    /// Lowest discharge at which each cell is wet (m³/s); `INFINITY` when never (behind a dike
    /// above every stage, unconnected, or NODATA).
    pub threshold: Vec<f32>,
    /// The river section (index into `sources`) whose stage sets the water level of each cell:
    /// the nearest one along the centreline; `u32::MAX` when the DEM has no river.
    pub source: Vec<u32>,
    /// Stage tables of the river sources.
    pub sources: Vec<SourceTable>,
    /// Columns.
    pub ncols: usize,
    /// Rows.
    pub nrows: usize,
}

impl FloodAtlas {
    /// Builds the atlas from a DEM, the river centreline (projected metres, upstream first) and
    /// the ratings along it.
    pub fn build(dem: &Raster, river: &[Vec<[f64; 2]>], ratings: &RiverRatings) -> FloodAtlas {
        let n = dem.data.len();
        let (nc, nr) = (dem.ncols, dem.nrows);
        let qs = breakpoints(&ratings.stations);
        let mut sources: Vec<SourceTable> = Vec::new();
        // 1. Centreline cells and their section.
        let mut section = vec![u32::MAX; n];
        let mut seeds: Vec<u32> = Vec::new();
        let spacing = 100.0;
        let step = dem.transform.dx_m.min(dem.transform.dy_m) * 0.5;
        let mut along = 0.0;
        for line in river {
            for w in line.windows(2) {
                let (a, b) = (w[0], w[1]);
                let len = (b[0] - a[0]).hypot(b[1] - a[1]);
                let k = (len / step).ceil().max(1.0) as usize;
                for j in 0..=k {
                    let t = j as f64 / k as f64;
                    let p = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
                    let Some((c, r)) = dem.cell_at(p[0], p[1]) else {
                        continue;
                    };
                    let cell = r * nc + c;
                    let src = ((along + t * len) / spacing) as usize;
                    while sources.len() <= src {
                        let s_mid = (sources.len() as f64 + 0.5) * spacing;
                        sources.push(blend(&ratings.stations, s_mid, &qs));
                    }
                    if section[cell] == u32::MAX {
                        section[cell] = src as u32;
                        seeds.push(cell as u32);
                    }
                }
                along += len;
            }
        }
        // 2. Every cell takes the section nearest to it (breadth-first from the centreline).
        let mut queue: VecDeque<u32> = seeds.iter().copied().collect();
        while let Some(cell) = queue.pop_front() {
            let cell = cell as usize;
            let label = section[cell];
            let (c, r) = (cell % nc, cell / nc);
            for nb in neighbours(c, r, nc, nr) {
                if section[nb] == u32::MAX {
                    section[nb] = label;
                    queue.push_back(nb as u32);
                }
            }
        }
        // 3. Priority flood by discharge from the centreline. f32 bits of non-negative floats
        //    order like the floats.
        let mut threshold = vec![f32::INFINITY; n];
        let need_at = |cell: usize| -> f32 {
            let z = dem.data[cell];
            match sources.get(section[cell] as usize) {
                Some(t) if z.is_finite() => t.discharge_for(z),
                _ => f32::INFINITY,
            }
        };
        let mut heap: BinaryHeap<Reverse<(u32, u32)>> = BinaryHeap::new();
        for &cell in &seeds {
            let q = need_at(cell as usize);
            if q < threshold[cell as usize] {
                threshold[cell as usize] = q;
                heap.push(Reverse((q.to_bits(), cell)));
            }
        }
        while let Some(Reverse((qbits, cell))) = heap.pop() {
            let q = f32::from_bits(qbits);
            let cell = cell as usize;
            if q > threshold[cell] {
                continue; // stale entry
            }
            let (c, r) = (cell % nc, cell / nc);
            for nb in neighbours(c, r, nc, nr) {
                let need = need_at(nb).max(q);
                if need < threshold[nb] {
                    threshold[nb] = need;
                    heap.push(Reverse((need.to_bits(), nb as u32)));
                }
            }
        }
        FloodAtlas {
            threshold,
            source: section,
            sources,
            ncols: nc,
            nrows: nr,
        }
    }

    /// Water depth of a cell at a discharge (0 when dry).
    pub fn depth(&self, dem: &Raster, cell: usize, q: f64) -> f64 {
        let Some(&t) = self.threshold.get(cell) else {
            return 0.0;
        };
        if f64::from(t) > q || t.is_nan() {
            return 0.0;
        }
        let Some(table) = self.sources.get(self.source[cell] as usize) else {
            return 0.0;
        };
        (table.stage(q) - f64::from(dem.data[cell])).max(0.0)
    }

    /// The threshold raster (for writing): `NaN` where never wet.
    pub fn threshold_raster(&self, dem: &Raster) -> Raster {
        Raster {
            ncols: dem.ncols,
            nrows: dem.nrows,
            transform: dem.transform,
            nodata: Some(-9999.0),
            data: self
                .threshold
                .iter()
                .map(|&t| if t.is_finite() { t } else { f32::NAN })
                .collect(),
        }
    }
}

/// The rating at distance `s` along the river: linear between the stations around it.
fn blend(stations: &[(f64, RatingCurve)], s: f64, qs: &[f64]) -> SourceTable {
    let stage = |q: f64| -> f64 {
        match stations.len() {
            0 => f64::NEG_INFINITY,
            1 => stations[0].1.stage_m(q),
            _ => {
                let i = stations.partition_point(|(d, _)| *d < s);
                if i == 0 {
                    stations[0].1.stage_m(q)
                } else if i >= stations.len() {
                    stations[stations.len() - 1].1.stage_m(q)
                } else {
                    let (d0, r0) = &stations[i - 1];
                    let (d1, r1) = &stations[i];
                    let w = if d1 > d0 { (s - d0) / (d1 - d0) } else { 0.0 };
                    r0.stage_m(q) * (1.0 - w) + r1.stage_m(q) * w
                }
            }
        }
    };
    let mut points: Vec<(f32, f32)> = qs.iter().map(|&q| (q as f32, stage(q) as f32)).collect();
    // Keep it monotone in stage after rounding to f32.
    for i in 1..points.len() {
        if points[i].1 < points[i - 1].1 {
            points[i].1 = points[i - 1].1;
        }
    }
    SourceTable { points }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{GeoTransform, read_ascii};

    /// Stage = 90 + Q/1000 everywhere (one station).
    fn ratings() -> RiverRatings {
        RiverRatings {
            stations: vec![(
                0.0,
                RatingCurve::new(vec![(0.0, 90.0), (10_000.0, 100.0)]).unwrap(),
            )],
        }
    }

    fn dem(rows: &[&str]) -> Raster {
        let ncols = rows[0].split_whitespace().count();
        let text = format!(
            "ncols {ncols}\nnrows {}\nxllcorner 0\nyllcorner 0\ncellsize 10\n{}\n",
            rows.len(),
            rows.join("\n")
        );
        read_ascii(&text).unwrap()
    }

    /// The river runs down column 0.
    fn river(d: &Raster) -> Vec<Vec<[f64; 2]>> {
        let (_, _, _, n) = d.bounds();
        vec![vec![[5.0, n - 1.0], [5.0, 1.0]]]
    }

    #[test]
    fn basin_behind_a_sill_floods_only_above_the_sill() {
        // river | low land 91 | sill 95 | basin 91
        let d = dem(&["90 91 95 91", "90 91 95 91", "90 91 95 91"]);
        let a = FloodAtlas::build(&d, &river(&d), &ratings());
        let t = |c: usize| a.threshold[c];
        assert_eq!(t(1), 1000.0, "91 m wets at stage 91 = Q 1000");
        assert_eq!(t(2), 5000.0, "the sill at 95 m");
        assert_eq!(
            t(3),
            5000.0,
            "the basin fills when the sill is topped, not at its own 91 m"
        );
        assert_eq!(a.depth(&d, 3, 4999.0), 0.0);
        assert!(
            (a.depth(&d, 3, 6000.0) - 5.0).abs() < 1e-4,
            "depth = stage 96 - ground 91"
        );
    }

    #[test]
    fn land_behind_a_dike_stays_dry_until_overtopping() {
        // river | floodplain 92 | dike 98 | city 89
        let d = dem(&["90 92 98 89 89", "90 92 98 89 89"]);
        let a = FloodAtlas::build(&d, &river(&d), &ratings());
        assert_eq!(a.threshold[3], 8000.0);
        assert_eq!(a.depth(&d, 4, 7999.0), 0.0);
        assert!(a.depth(&d, 4, 8000.0) > 8.9);
    }

    #[test]
    fn an_unconnected_depression_stays_dry() {
        // a pond ringed by ground above every stage the table reaches
        let d = dem(&["90 200 200 200", "90 200 85 200", "90 200 200 200"]);
        let a = FloodAtlas::build(&d, &river(&d), &ratings());
        let pond = 4 + 2; // row 1, column 2
        assert!(a.threshold[pond].is_infinite() || a.threshold[pond] > 100_000.0);
        let _ = GeoTransform {
            x_min_m: 0.0,
            y_min_m: 0.0,
            dx_m: 1.0,
            dy_m: 1.0,
        };
    }

    #[test]
    fn the_water_surface_follows_the_river_slope() {
        // A flat floodplain at 94 m beside a river falling southwards: upstream the stage reaches
        // 94 m at 4,000 m³/s, downstream only at 6,000. Downstream land must not take the upstream
        // stage just because it is connected to it.
        let rows: Vec<String> = (0..10).map(|_| "85 94 94".to_string()).collect();
        let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
        let text = format!(
            "ncols 3\nnrows 10\nxllcorner 0\nyllcorner 0\ncellsize 100\n{}\n",
            refs.join("\n")
        );
        let d = read_ascii(&text).unwrap();
        let river = vec![vec![[50.0, 999.0], [50.0, 1.0]]];
        let up = RatingCurve::new(vec![(0.0, 90.0), (10_000.0, 100.0)]).unwrap();
        let down = RatingCurve::new(vec![(0.0, 88.0), (10_000.0, 98.0)]).unwrap();
        let a = FloodAtlas::build(
            &d,
            &river,
            &RiverRatings {
                stations: vec![(0.0, up), (1000.0, down)],
            },
        );
        let north = a.threshold[2];
        let south = a.threshold[9 * 3 + 2];
        assert!((north - 4100.0).abs() < 150.0, "north {north}");
        assert!((south - 5900.0).abs() < 150.0, "south {south}");
        let depth_south = a.depth(&d, 9 * 3 + 2, 7000.0);
        assert!(
            (depth_south - 1.1).abs() < 0.15,
            "stage of the southern section (95.1 m) minus 94 m: {depth_south}"
        );
    }

    #[test]
    fn nodata_cells_block_and_stay_dry() {
        let d = dem(&["90 -9999 91", "90 -9999 91"]);
        let mut d = d;
        d.nodata = Some(-9999.0);
        for v in &mut d.data {
            if *v == -9999.0 {
                *v = f32::NAN;
            }
        }
        let a = FloodAtlas::build(&d, &river(&d), &ratings());
        assert!(a.threshold[1].is_infinite());
        assert!(a.threshold[2].is_infinite());
    }
}
