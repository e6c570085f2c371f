//! Plane geometry in projected metres, the one place it lives: grid outlines ([`Region`], a
//! `geo::MultiPolygon`), polylines (river, dikes, roads) and the questions asked of them — point in
//! region, areas, an anchor inside a region, nearest points and distances to lines, crossings.
//! Types and algorithms are the georust `geo` crate's (`CoordinatePosition`, `Intersects`, `Area`, `Centroid`,
//! `InteriorPoint`, `BoundingRect`, `line_intersection`, Euclidean `Distance` and
//! `Length`, `LineLocatePoint`, `InterpolateLine`); the scenario reader checks files with
//! positions and converts to these types after checking.
//!
//! Points are `[x, y]` arrays at the API (the model's sites and residents keep them so), and
//! `geo` types inside.

pub use geo::{Coord, Line, LineString, MultiPoint, MultiPolygon, Point, Polygon, Rect};

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{
    Area, BoundingRect, Centroid, Distance, Euclidean, InteriorPoint, InterpolateLine, Intersects,
    Length, LineLocatePoint,
};
use serde::{Deserialize, Serialize};

/// A closed ring of points (first point repeated at the end, as in GeoJSON).
pub type Ring = LineString<f64>;

/// A `geo` coordinate from an `[x, y]` point.
pub fn coord(p: [f64; 2]) -> Coord<f64> {
    Coord { x: p[0], y: p[1] }
}

/// An `[x, y]` point from a `geo` coordinate.
pub fn xy(c: Coord<f64>) -> [f64; 2] {
    [c.x, c.y]
}

/// A `geo` line string (a ring when its first and last points are equal) from `[x, y]` points.
pub fn line_string(points: &[[f64; 2]]) -> LineString<f64> {
    LineString(points.iter().copied().map(coord).collect())
}

/// A polygon from an exterior ring and holes, each as closed `[x, y]` rings.
///
/// ```
/// use floodgrid_model::grid::geometry::polygon;
/// use geo::Area;
/// let square = polygon(&[[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0], [0.0, 0.0]], &[]);
/// assert_eq!(square.unsigned_area(), 4.0);
/// ```
pub fn polygon(exterior: &[[f64; 2]], holes: &[Vec<[f64; 2]>]) -> Polygon<f64> {
    Polygon::new(
        line_string(exterior),
        holes.iter().map(|h| line_string(h)).collect(),
    )
}

/// Signed area of a closed ring (positive when counter-clockwise), by `geo`'s `Area`.
pub fn ring_signed_area(ring: &[[f64; 2]]) -> f64 {
    Polygon::new(line_string(ring), Vec::new()).signed_area()
}

/// The first pair of non-adjacent edges of a closed ring that properly cross (each at a point
/// inside both edges), as edge indices. Edges are swept by their bounding boxes, west to east,
/// so long rings stay cheap; each candidate pair is tested by `geo`'s `line_intersection`.
pub fn ring_self_intersection(ring: &[[f64; 2]]) -> Option<(usize, usize)> {
    let n = ring.len().saturating_sub(1);
    if n < 4 {
        return None;
    }
    let edges: Vec<Line<f64>> = (0..n)
        .map(|i| Line::new(coord(ring[i]), coord(ring[i + 1])))
        .collect();
    let boxes: Vec<Rect<f64>> = edges.iter().map(|e| e.bounding_rect()).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| boxes[a].min().x.total_cmp(&boxes[b].min().x));
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            if boxes[j].min().x > boxes[i].max().x {
                break;
            }
            let (lo, hi) = (i.min(j), i.max(j));
            if hi == lo + 1 || (lo == 0 && hi == n - 1) || !boxes[i].intersects(&boxes[j]) {
                continue;
            }
            if properly_cross(edges[i], edges[j]) {
                return Some((lo, hi));
            }
        }
    }
    None
}

/// Whether two segments cross at one point inside both (touching at an end, or overlapping
/// collinear segments, is not a crossing).
pub fn properly_cross(a: Line<f64>, b: Line<f64>) -> bool {
    matches!(
        line_intersection(a, b),
        Some(LineIntersection::SinglePoint {
            is_proper: true,
            ..
        })
    )
}

/// One or more polygons: the outline of a grid, with its bounding box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    /// The polygons (exterior rings counter-clockwise as the scenario checks them; holes inside).
    pub polygons: MultiPolygon<f64>,
    /// Bounding box of all of them (`None` for a region without polygons).
    pub bbox: Option<Rect<f64>>,
}

impl Region {
    /// A region from polygons, with its bounding box.
    ///
    /// ```
    /// use floodgrid_model::grid::{Region, geometry::polygon};
    /// let square = polygon(&[[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0], [0.0, 0.0]], &[]);
    /// let r = Region::new(vec![square]);
    /// assert_eq!(r.area(), 4.0);
    /// assert!(r.contains([1.0, 1.0]) && !r.contains([3.0, 1.0]));
    /// ```
    pub fn new(polygons: Vec<Polygon<f64>>) -> Region {
        let polygons = MultiPolygon(polygons);
        let bbox = polygons.bounding_rect();
        Region { polygons, bbox }
    }

    /// Area in square units: the polygons' areas, holes subtracted (`geo`'s unsigned `Area`).
    pub fn area(&self) -> f64 {
        self.polygons.unsigned_area()
    }

    /// Whether a point lies in the region (not in a hole), by `geo`'s `CoordinatePosition` after
    /// the bounding box. A point on an edge belongs to the side east of it (north of it on an
    /// east–west edge): the next `f64` east of the point decides, else the next north, else the
    /// next north-east (a south-west corner). So regions that
    /// share an edge divide its points between them, none counted twice or lost — the half-open
    /// rule of the crossing test the model used before `geo`.
    ///
    /// ```
    /// use floodgrid_model::grid::{Region, geometry::polygon};
    /// let west = Region::new(vec![polygon(&[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]], &[])]);
    /// let east = Region::new(vec![polygon(&[[1.0, 0.0], [2.0, 0.0], [2.0, 1.0], [1.0, 1.0], [1.0, 0.0]], &[])]);
    /// assert!(!west.contains([1.0, 0.5]) && east.contains([1.0, 0.5]));
    /// assert!(west.contains([0.5, 0.0]) && !west.contains([0.5, 1.0]));
    /// ```
    pub fn contains(&self, p: [f64; 2]) -> bool {
        if !self.bbox_contains(p) {
            return false;
        }
        self.polygons.iter().any(|poly| polygon_holds(poly, p))
    }

    /// Whether the region's bounding box holds the point (inside or on its edge): a quick test
    /// before [`Region::contains`].
    pub fn bbox_contains(&self, p: [f64; 2]) -> bool {
        self.bbox.is_some_and(|b| b.intersects(&coord(p)))
    }

    /// Whether the region's bounding box touches or overlaps the box of a segment.
    pub fn bbox_touches_segment(&self, a: [f64; 2], b: [f64; 2]) -> bool {
        self.bbox
            .is_some_and(|r| r.intersects(&Line::new(coord(a), coord(b)).bounding_rect()))
    }

    /// The x of every crossing of the horizontal line at `y` with the region's rings (exterior
    /// and holes), appended to `xs` unsorted. An edge counts when one end is above `y` and the
    /// other not, so filling between sorted pairs is an even–odd scanline fill.
    pub fn row_crossings(&self, y: f64, xs: &mut Vec<f64>) {
        for poly in &self.polygons {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for l in ring.lines() {
                    let (a, c) = (l.start, l.end);
                    if (a.y > y) != (c.y > y) {
                        xs.push(a.x + (y - a.y) / (c.y - a.y) * (c.x - a.x));
                    }
                }
            }
        }
    }

    /// A point well inside the region: the centroid of its first polygon's exterior vertices
    /// (`geo`'s `Centroid` of them as a `MultiPoint`) when the polygon holds it (the rule of
    /// [`Region::contains`]), else `geo`'s `InteriorPoint` of that polygon. `None` for an empty
    /// region.
    pub fn interior_point(&self) -> Option<[f64; 2]> {
        let poly = self.polygons.0.first()?;
        let ring = &poly.exterior().0;
        let vertices: MultiPoint<f64> = ring[..ring.len().saturating_sub(1)]
            .iter()
            .map(|&c| Point(c))
            .collect();
        if let Some(c) = vertices.centroid()
            && polygon_holds(poly, xy(c.0))
        {
            return Some(xy(c.0));
        }
        poly.interior_point().map(|p| xy(p.0))
    }
}

/// Whether a polygon holds a point, by the rule of [`Region::contains`].
fn polygon_holds(poly: &Polygon<f64>, p: [f64; 2]) -> bool {
    let at = |q: [f64; 2]| poly.coordinate_position(&coord(q));
    match at(p) {
        CoordPos::Inside => true,
        CoordPos::Outside => false,
        CoordPos::OnBoundary => [
            [p[0].next_up(), p[1]],
            [p[0], p[1].next_up()],
            [p[0].next_up(), p[1].next_up()],
        ]
        .into_iter()
        .find_map(|q| match at(q) {
            CoordPos::Inside => Some(true),
            CoordPos::Outside => Some(false),
            CoordPos::OnBoundary => None,
        })
        .unwrap_or(false),
    }
}

/// A point well inside a region ([`Region::interior_point`]).
pub fn interior_point(r: &Region) -> Option<[f64; 2]> {
    r.interior_point()
}

/// The point of any of `lines` nearest `p`, with its distance (ties: the first in order). `None`
/// when the lines have no points. Cheaper than [`nearest_along`]: no lengths.
pub fn nearest_on_lines(p: [f64; 2], lines: &[LineString<f64>]) -> Option<([f64; 2], f64)> {
    walk_nearest(p, lines, false).map(|n| (n.point, n.distance))
}

/// Where a point is nearest a chain of polylines taken in order (the river's lines, upstream
/// first): the point, its distance from `p` and its distance along the chain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearest {
    /// The nearest point of the chain.
    pub point: [f64; 2],
    /// Its distance from the point asked about, m.
    pub distance: f64,
    /// Its distance along the chain from the first line's start, m (the lines' lengths summed).
    pub along: f64,
}

/// The nearest point of a chain of polylines to `p`, and how far along the chain it is (ties: the
/// first segment). A single-point line counts as that point. `None` when the chain has no points.
pub fn nearest_along(p: [f64; 2], lines: &[LineString<f64>]) -> Option<Nearest> {
    walk_nearest(p, lines, true)
}

/// Segment by segment: the fraction along each that is nearest `p` is `geo`'s `LineLocatePoint`
/// (the projection clamped to the segment, as `ClosestPoint` computes it, without its square
/// roots); candidates compare by squared distance, and the winner's distance is `geo`'s Euclidean
/// `Distance`. With `along`, each segment's Euclidean `Length` is summed on the way.
fn walk_nearest(p: [f64; 2], lines: &[LineString<f64>], along: bool) -> Option<Nearest> {
    let pt = Point(coord(p));
    let c = coord(p);
    // (point, squared distance, distance along)
    let mut best: Option<(Coord<f64>, f64, f64)> = None;
    let mut walked = 0.0;
    let mut consider = |q: Coord<f64>, s: f64| {
        let d = q - c;
        let d2 = d.x * d.x + d.y * d.y;
        if best.is_none_or(|b| d2 < b.1) {
            best = Some((q, d2, s));
        }
    };
    for line in lines {
        if let [only] = line.0.as_slice() {
            consider(*only, walked);
        }
        for seg in line.lines() {
            let t = seg.line_locate_point(&pt).unwrap_or(0.0);
            let len = if along { Euclidean.length(&seg) } else { 0.0 };
            consider(seg.start + seg.delta() * t, walked + t * len);
            walked += len;
        }
    }
    best.map(|(q, _, s)| Nearest {
        point: xy(q),
        distance: Euclidean.distance(pt, Point(q)),
        along: s,
    })
}

/// Length of a polyline, m (`geo`'s Euclidean `Length`).
pub fn length(line: &LineString<f64>) -> f64 {
    Euclidean.length(line)
}

/// The point at distance `s` along a polyline, clamped to its ends (`geo`'s `InterpolateLine`). `None` for a line without points.
pub fn point_along(line: &LineString<f64>, s: f64) -> Option<[f64; 2]> {
    let total = length(line);
    if total <= 0.0 {
        return line.0.first().map(|&c| xy(c));
    }
    Euclidean
        .point_at_ratio_from_start(line, (s / total).clamp(0.0, 1.0))
        .map(|p| xy(p.0))
}

/// Distance from a point to a polyline, m (`geo`'s Euclidean `Distance`).
pub fn distance_to_line(line: &LineString<f64>, p: [f64; 2]) -> f64 {
    Euclidean.distance(&Point(coord(p)), line)
}

/// Whether the segment a–b properly crosses any segment of any of `lines`.
pub fn segment_crosses_any(a: [f64; 2], b: [f64; 2], lines: &[LineString<f64>]) -> bool {
    let s = Line::new(coord(a), coord(b));
    let sb = s.bounding_rect();
    lines.iter().any(|line| {
        line.lines()
            .any(|l| sb.intersects(&l.bounding_rect()) && properly_cross(s, l))
    })
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
        let r = Region::new(vec![polygon(
            &[[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0], [0.0, 0.0]],
            &[vec![
                [1.0, 1.0],
                [1.0, 3.0],
                [3.0, 3.0],
                [3.0, 1.0],
                [1.0, 1.0],
            ]],
        )]);
        assert!(!r.contains([2.0, 2.0]));
        assert!(r.contains([0.5, 2.0]));
        assert_eq!(r.area(), 12.0);
    }

    /// The even–odd crossing test with a ray to the east that the model used before `geo`: the
    /// reference for the rule on edges.
    fn crossing_rule(ring: &[[f64; 2]], p: [f64; 2]) -> bool {
        let mut inside = false;
        for w in ring.windows(2) {
            let (a, b) = (w[0], w[1]);
            if (a[1] > p[1]) != (b[1] > p[1])
                && p[0] < a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0])
            {
                inside = !inside;
            }
        }
        inside
    }

    #[test]
    fn points_on_edges_fall_as_the_crossing_rule_put_them() {
        // A shape with a hole and a slanted edge; every point of a half-unit lattice, so many
        // lie on edges and vertices (these agree here too, though a vertex where edges meet at
        // other angles may not).
        let ext = [
            [0.0, 0.0],
            [6.0, 0.0],
            [6.0, 2.0],
            [3.0, 3.0],
            [3.0, 6.0],
            [0.0, 6.0],
            [0.0, 0.0],
        ];
        let hole = vec![[1.0, 1.0], [1.0, 2.0], [2.0, 2.0], [2.0, 1.0], [1.0, 1.0]];
        let r = Region::new(vec![polygon(&ext, std::slice::from_ref(&hole))]);
        for i in -2..=14 {
            for j in -2..=14 {
                let p = [f64::from(i) * 0.5, f64::from(j) * 0.5];
                let want = crossing_rule(&ext, p) && !crossing_rule(&hole, p);
                assert_eq!(r.contains(p), want, "{p:?}");
            }
        }
    }

    #[test]
    fn an_empty_region_holds_nothing() {
        let r = Region::new(vec![]);
        assert!(r.bbox.is_none() && !r.contains([0.0, 0.0]));
        assert_eq!(r.interior_point(), None);
    }

    #[test]
    fn a_concave_region_gets_a_point_inside_it() {
        // A U shape whose vertex centroid falls in the gap.
        let u = Region::new(vec![polygon(
            &[
                [0.0, 0.0],
                [10.0, 0.0],
                [10.0, 10.0],
                [8.0, 10.0],
                [8.0, 1.0],
                [2.0, 1.0],
                [2.0, 10.0],
                [0.0, 10.0],
                [0.0, 0.0],
            ],
            &[],
        )]);
        let p = u.interior_point().unwrap();
        assert!(u.contains(p), "{p:?}");
    }

    #[test]
    fn nearest_along_a_chain_of_lines() {
        let lines = [
            line_string(&[[0.0, 0.0], [10.0, 0.0]]),
            line_string(&[[10.0, 0.0], [10.0, 10.0]]),
        ];
        let n = nearest_along([12.0, 5.0], &lines).unwrap();
        assert_eq!(n.point, [10.0, 5.0]);
        assert_eq!(n.distance, 2.0);
        assert_eq!(n.along, 15.0);
        assert_eq!(point_along(&lines[0], 4.0), Some([4.0, 0.0]));
        assert_eq!(distance_to_line(&lines[1], [7.0, 3.0]), 3.0);
        assert!(segment_crosses_any([5.0, -1.0], [5.0, 1.0], &lines));
        assert!(!segment_crosses_any([5.0, 0.0], [5.0, 1.0], &lines));
    }
}
