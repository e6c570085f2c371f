//! Plane geometry in projected metres: rings, polygons with holes, regions (multi-polygons).

use serde::{Deserialize, Serialize};

/// A closed ring of points (first point repeated at the end, as in GeoJSON).
pub type Ring = Vec<[f64; 2]>;

/// An axis-aligned bounding box.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bbox {
    /// West.
    pub min_x: f64,
    /// South.
    pub min_y: f64,
    /// East.
    pub max_x: f64,
    /// North.
    pub max_y: f64,
}

impl Bbox {
    /// The empty box (grows with [`Bbox::add`]).
    pub const EMPTY: Bbox = Bbox {
        min_x: f64::INFINITY,
        min_y: f64::INFINITY,
        max_x: f64::NEG_INFINITY,
        max_y: f64::NEG_INFINITY,
    };

    /// Grows the box to hold a point.
    pub fn add(&mut self, p: [f64; 2]) {
        self.min_x = self.min_x.min(p[0]);
        self.min_y = self.min_y.min(p[1]);
        self.max_x = self.max_x.max(p[0]);
        self.max_y = self.max_y.max(p[1]);
    }

    /// Whether a point lies inside or on the edge.
    pub fn contains(&self, p: [f64; 2]) -> bool {
        p[0] >= self.min_x && p[0] <= self.max_x && p[1] >= self.min_y && p[1] <= self.max_y
    }

    /// Whether two boxes touch or overlap.
    pub fn touches(&self, o: &Bbox) -> bool {
        self.min_x <= o.max_x
            && o.min_x <= self.max_x
            && self.min_y <= o.max_y
            && o.min_y <= self.max_y
    }
}

/// A polygon: one exterior ring, any number of holes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Polygon {
    /// Exterior ring.
    pub exterior: Ring,
    /// Holes.
    pub holes: Vec<Ring>,
}

/// Signed area of a closed ring (positive when counter-clockwise).
pub fn ring_signed_area(ring: &[[f64; 2]]) -> f64 {
    let mut s = 0.0;
    for w in ring.windows(2) {
        s += w[0][0] * w[1][1] - w[1][0] * w[0][1];
    }
    s / 2.0
}

fn ring_contains(ring: &[[f64; 2]], p: [f64; 2]) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if p[0] < x {
                inside = !inside;
            }
        }
    }
    inside
}

fn segments_cross(a: [f64; 2], b: [f64; 2], c: [f64; 2], d: [f64; 2]) -> bool {
    let orient = |p: [f64; 2], q: [f64; 2], r: [f64; 2]| {
        (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    };
    let (d1, d2) = (orient(c, d, a), orient(c, d, b));
    let (d3, d4) = (orient(a, b, c), orient(a, b, d));
    ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
}

/// The first pair of non-adjacent edges of a closed ring that properly cross, as edge indices.
pub fn ring_self_intersection(ring: &[[f64; 2]]) -> Option<(usize, usize)> {
    let n = ring.len().saturating_sub(1);
    if n < 4 {
        return None;
    }
    let boxes: Vec<Bbox> = (0..n)
        .map(|i| {
            let mut b = Bbox::EMPTY;
            b.add(ring[i]);
            b.add(ring[i + 1]);
            b
        })
        .collect();
    // Sort edges by their west edge and sweep, so long rings stay cheap.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| boxes[a].min_x.total_cmp(&boxes[b].min_x));
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            if boxes[j].min_x > boxes[i].max_x {
                break;
            }
            let (lo, hi) = (i.min(j), i.max(j));
            if hi == lo + 1 || (lo == 0 && hi == n - 1) || !boxes[i].touches(&boxes[j]) {
                continue;
            }
            if segments_cross(ring[i], ring[i + 1], ring[j], ring[j + 1]) {
                return Some((lo, hi));
            }
        }
    }
    None
}

impl Polygon {
    /// Area in square units (holes subtracted).
    pub fn area(&self) -> f64 {
        ring_signed_area(&self.exterior).abs()
            - self
                .holes
                .iter()
                .map(|h| ring_signed_area(h).abs())
                .sum::<f64>()
    }

    /// Whether a point lies inside (not in a hole).
    pub fn contains(&self, p: [f64; 2]) -> bool {
        ring_contains(&self.exterior, p) && !self.holes.iter().any(|h| ring_contains(h, p))
    }
}

/// One or more polygons: the outline of a grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    /// The polygons.
    pub polygons: Vec<Polygon>,
    /// Bounding box of all of them.
    pub bbox: Bbox,
}

impl Region {
    /// A region from polygons, with its bounding box.
    ///
    /// ```
    /// use floodgrid_model::grid::{Polygon, Region};
    /// let square = Polygon { exterior: vec![[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0], [0.0, 0.0]], holes: vec![] };
    /// let r = Region::new(vec![square]);
    /// assert_eq!(r.area(), 4.0);
    /// assert!(r.contains([1.0, 1.0]) && !r.contains([3.0, 1.0]));
    /// ```
    pub fn new(polygons: Vec<Polygon>) -> Region {
        let mut bbox = Bbox::EMPTY;
        for p in &polygons {
            for &q in &p.exterior {
                bbox.add(q);
            }
        }
        Region { polygons, bbox }
    }

    /// Area (sum of the polygons).
    pub fn area(&self) -> f64 {
        self.polygons.iter().map(Polygon::area).sum()
    }

    /// Whether a point lies inside.
    pub fn contains(&self, p: [f64; 2]) -> bool {
        self.bbox.contains(p) && self.polygons.iter().any(|g| g.contains(p))
    }
}

/// A point well inside a region: the centroid of its first polygon if inside, else a vertex nudged
/// toward that centroid.
pub fn interior_point(r: &Region) -> Option<[f64; 2]> {
    let poly = r.polygons.first()?;
    let n = poly.exterior.len().saturating_sub(1).max(1) as f64;
    let c = poly
        .exterior
        .iter()
        .take(poly.exterior.len().saturating_sub(1))
        .fold([0.0, 0.0], |a, p| [a[0] + p[0] / n, a[1] + p[1] / n]);
    if poly.contains(c) {
        return Some(c);
    }
    for p in &poly.exterior {
        for t in [0.01, 0.05, 0.2] {
            let q = [p[0] + (c[0] - p[0]) * t, p[1] + (c[1] - p[1]) * t];
            if poly.contains(q) {
                return Some(q);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bow_tie_is_found() {
        let ring = vec![[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 2.0], [0.0, 0.0]];
        assert!(ring_self_intersection(&ring).is_some());
        let square = vec![[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0], [0.0, 0.0]];
        assert!(ring_self_intersection(&square).is_none());
        assert!(ring_signed_area(&square) > 0.0);
    }

    #[test]
    fn holes_are_not_inside() {
        let p = Polygon {
            exterior: vec![[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0], [0.0, 0.0]],
            holes: vec![vec![
                [1.0, 1.0],
                [1.0, 3.0],
                [3.0, 3.0],
                [3.0, 1.0],
                [1.0, 1.0],
            ]],
        };
        assert!(!p.contains([2.0, 2.0]));
        assert!(p.contains([0.5, 2.0]));
        assert_eq!(p.area(), 12.0);
    }
}
