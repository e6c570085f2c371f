//! Dike breaches: a stretch of a dike cut down to a level from a given time, over a width that may
//! grow. Owns which cells a breach lowers and when; lowering keeps each cell's depth, so a breach
//! never creates or destroys water.

use serde::{Deserialize, Serialize};

use super::SolverError;
use crate::Raster;
use floodgrid_model::grid::geometry;

/// A breach in a dike.
///
/// ```
/// use floodgrid_flood::solver::Breach;
/// let b = Breach::new(vec![[0.0, 500.0], [1000.0, 500.0]], 3600.0, 88.0, 50.0)
///     .widening_to(200.0, 7200.0);
/// assert_eq!(b.width_at(3600.0), Some(50.0));
/// assert_eq!(b.width_at(7200.0), Some(125.0));
/// assert_eq!(b.width_at(0.0), None);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Breach {
    /// The dike's crest line, projected metres.
    pub dike: Vec<[f64; 2]>,
    /// The breach opens at the point of the dike nearest this one; `None`: halfway along it.
    pub at: Option<[f64; 2]>,
    /// When it opens, s from the start of the run.
    pub start_s: f64,
    /// The level the dike is cut down to, m (same datum as the DEM; ground already lower stays).
    pub level_m: f64,
    /// Width along the dike when it opens, m.
    pub width_m: f64,
    /// Width it grows to, m (the same as `width_m` for a breach that does not widen).
    pub final_width_m: f64,
    /// How long it takes to grow to the final width, s (linear).
    pub widening_s: f64,
    /// Cells within this distance across the crest line are cut (the dike's body), m.
    pub corridor_m: f64,
}

impl Breach {
    /// A breach of fixed width opening halfway along a dike, cutting 30 m either side of the
    /// crest line.
    pub fn new(dike: Vec<[f64; 2]>, start_s: f64, level_m: f64, width_m: f64) -> Breach {
        Breach {
            dike,
            at: None,
            start_s,
            level_m,
            width_m,
            final_width_m: width_m,
            widening_s: 0.0,
            corridor_m: 30.0,
        }
    }

    /// The same breach opening nearest a point.
    pub fn at_point(mut self, p: [f64; 2]) -> Breach {
        self.at = Some(p);
        self
    }

    /// The same breach growing linearly to `final_width_m` over `seconds`.
    pub fn widening_to(mut self, final_width_m: f64, seconds: f64) -> Breach {
        self.final_width_m = final_width_m;
        self.widening_s = seconds;
        self
    }

    /// Width open at time `t` (s), or `None` before it opens.
    pub fn width_at(&self, t: f64) -> Option<f64> {
        if t < self.start_s {
            return None;
        }
        let f = if self.widening_s > 0.0 {
            ((t - self.start_s) / self.widening_s).clamp(0.0, 1.0)
        } else {
            1.0
        };
        Some(self.width_m + (self.final_width_m - self.width_m) * f)
    }

    fn check(&self) -> Result<(), SolverError> {
        let bad = |m: &str| Err(SolverError::Parameter(format!("breach: {m}")));
        if self.dike.is_empty() || self.dike.iter().flatten().any(|v| !v.is_finite()) {
            return bad("the dike line needs at least one finite point");
        }
        let finite = [
            self.start_s,
            self.level_m,
            self.width_m,
            self.final_width_m,
            self.widening_s,
            self.corridor_m,
        ];
        if finite.iter().any(|v| !v.is_finite()) {
            return bad("times, level and widths must be finite");
        }
        if self.width_m < 0.0 || self.final_width_m < 0.0 || self.corridor_m < 0.0 {
            return bad("widths must not be negative");
        }
        if self.widening_s < 0.0 {
            return bad("the widening time must not be negative");
        }
        Ok(())
    }
}

/// A breach resolved on the grid: candidate cells sorted by distance along the dike from the
/// breach centre, and how many are already cut.
#[derive(Debug, Clone)]
pub(super) struct BreachCells {
    pub spec: Breach,
    /// (distance along the dike from the centre, m; cell index), nearest first.
    pub cells: Vec<(f64, usize)>,
    /// Level in the solver's datum.
    pub level: f32,
    /// How many of `cells` are cut.
    pub applied: usize,
}

impl BreachCells {
    pub fn resolve(dem: &Raster, spec: Breach, datum: f64) -> Result<BreachCells, SolverError> {
        spec.check()?;
        let dike = [geometry::line_string(&spec.dike)];
        let nearest = |p: [f64; 2]| {
            geometry::nearest_along(p, &dike)
                .map_or((f64::INFINITY, 0.0), |n| (n.distance, n.along))
        };
        let total = geometry::length(&dike[0]);
        let s_centre = match spec.at {
            Some(p) => nearest(p).1,
            None => total * 0.5,
        };
        let t = &dem.transform;
        let reach = spec.corridor_m + 0.5 * t.dx_m.max(t.dy_m);
        let (mut w, mut s, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in &spec.dike {
            w = w.min(p[0] - reach);
            e = e.max(p[0] + reach);
            s = s.min(p[1] - reach);
            n = n.max(p[1] + reach);
        }
        let col = |x: f64| ((x - t.x_min_m) / t.dx_m).floor();
        let row = |y: f64| ((t.y_min_m + t.dy_m * dem.nrows as f64 - y) / t.dy_m).floor();
        let clampc = |v: f64, hi: usize| v.clamp(0.0, hi as f64) as usize;
        let (c0, c1) = (clampc(col(w), dem.ncols), clampc(col(e) + 1.0, dem.ncols));
        let (r0, r1) = (clampc(row(n), dem.nrows), clampc(row(s) + 1.0, dem.nrows));
        let min_half = 0.5 * t.dx_m.min(t.dy_m);
        let mut cells = Vec::new();
        for r in r0..r1 {
            for c in c0..c1 {
                let k = r * dem.ncols + c;
                if dem.data[k].is_nan() {
                    continue;
                }
                let (x, y) = dem.cell_centre(c, r);
                let (d, along) = nearest([x, y]);
                if d <= spec.corridor_m.max(min_half) {
                    cells.push(((along - s_centre).abs(), k));
                }
            }
        }
        cells.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        if cells.is_empty() {
            let p = geometry::point_along(&dike[0], s_centre).unwrap_or([0.0, 0.0]);
            return Err(SolverError::Parameter(format!(
                "breach at ({:.1}, {:.1}): the dike does not cross the grid",
                p[0], p[1]
            )));
        }
        Ok(BreachCells {
            level: (spec.level_m - datum) as f32,
            spec,
            cells,
            applied: 0,
        })
    }

    /// Cuts the cells the breach has reached by time `t` (bed lowered, depth kept). Returns the
    /// cells newly cut.
    pub fn apply(&mut self, t: f64, z: &mut [f32], min_half_cell_m: f64) -> &[(f64, usize)] {
        let Some(width) = self.spec.width_at(t) else {
            return &[];
        };
        let half = (0.5 * width).max(min_half_cell_m);
        let start = self.applied;
        while let Some(&(d, k)) = self.cells.get(self.applied) {
            if d > half {
                break;
            }
            if let Some(zk) = z.get_mut(k)
                && *zk > self.level
            {
                *zk = self.level;
            }
            self.applied += 1;
        }
        &self.cells[start..self.applied]
    }
}
