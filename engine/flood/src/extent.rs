//! Outlines of a set of raster cells as polygons: every cell edge between a wet and a dry cell,
//! directed so the wet cell is on its left, linked into rings (counter-clockwise outlines,
//! clockwise holes). At a vertex where two wet cells touch only diagonally the walk turns left,
//! around the same cell, so the rings stay simple (they may touch at that point).

use std::collections::HashMap;

use super::raster::Raster;
use floodgrid_model::grid::geometry::{self, Polygon, Region};

type Corner = (i64, i64); // (column, row) of a cell corner; rows grow southwards
/// A ring as points, closed.
type Points = Vec<[f64; 2]>;

/// Polygons (projected metres) covering the cells for which `wet` is true among `cells`.
pub fn outline_cells(dem: &Raster, cells: &[u32], wet: impl Fn(u32) -> bool) -> Vec<Polygon> {
    let nc = dem.ncols as i64;
    let wet_set: std::collections::HashSet<u32> =
        cells.iter().copied().filter(|&c| wet(c)).collect();
    let is_wet = |c: i64, r: i64| {
        c >= 0
            && r >= 0
            && c < nc
            && r < dem.nrows as i64
            && wet_set.contains(&((r * nc + c) as u32))
    };
    let mut edges: Vec<(Corner, Corner)> = Vec::new();
    let mut sorted: Vec<u32> = wet_set.iter().copied().collect();
    sorted.sort_unstable();
    for cell in sorted {
        let (c, r) = (i64::from(cell) % nc, i64::from(cell) / nc);
        if !is_wet(c, r + 1) {
            edges.push(((c, r + 1), (c + 1, r + 1)));
        }
        if !is_wet(c + 1, r) {
            edges.push(((c + 1, r + 1), (c + 1, r)));
        }
        if !is_wet(c, r - 1) {
            edges.push(((c + 1, r), (c, r)));
        }
        if !is_wet(c - 1, r) {
            edges.push(((c, r), (c, r + 1)));
        }
    }
    let mut from: HashMap<Corner, Vec<usize>> = HashMap::new();
    for (i, e) in edges.iter().enumerate() {
        from.entry(e.0).or_default().push(i);
    }
    let mut used = vec![false; edges.len()];
    let mut rings: Vec<Vec<Corner>> = Vec::new();
    for start in 0..edges.len() {
        if used[start] {
            continue;
        }
        used[start] = true;
        let mut ring = vec![edges[start].0];
        let mut cur = start;
        loop {
            let (a, b) = edges[cur];
            ring.push(b);
            let next = from.get(&b).and_then(|outs| {
                let free: Vec<usize> = outs.iter().copied().filter(|&o| !used[o]).collect();
                match free.len() {
                    0 => None,
                    1 => Some(free[0]),
                    _ => {
                        // y-up direction vectors: (dc, -dr)
                        let din = (b.0 - a.0, -(b.1 - a.1));
                        free.into_iter().max_by_key(|&o| {
                            let e = edges[o];
                            let dout = (e.1.0 - e.0.0, -(e.1.1 - e.0.1));
                            // cross > 0 is a left turn: keep to the same cell, so rings only touch.
                            din.0 * dout.1 - din.1 * dout.0
                        })
                    }
                }
            });
            match next {
                Some(n) => {
                    used[n] = true;
                    cur = n;
                    if edges[n].1 == ring[0] {
                        ring.push(edges[n].1);
                        break;
                    }
                }
                None => break,
            }
        }
        if ring.len() >= 4 && ring.first() == ring.last() {
            rings.push(simplify(ring));
        }
    }
    let t = &dem.transform;
    let (_, _, _, north) = dem.bounds();
    let to_xy = |p: &Corner| [t.x_min_m + p.0 as f64 * t.dx_m, north - p.1 as f64 * t.dy_m];
    // Outer rings with their holes, as points until every hole has found its ring.
    let mut outer: Vec<(Points, Vec<Points>)> = Vec::new();
    let mut holes: Vec<Vec<[f64; 2]>> = Vec::new();
    for ring in rings {
        let xy: Vec<[f64; 2]> = ring.iter().map(to_xy).collect();
        if geometry::ring_signed_area(&xy) > 0.0 {
            outer.push((xy, Vec::new()));
        } else {
            holes.push(xy);
        }
    }
    let outlines: Vec<Region> = outer
        .iter()
        .map(|(ext, _)| Region::new(vec![geometry::polygon(ext, &[])]))
        .collect();
    for h in holes {
        let probe = [(h[0][0] + h[1][0]) / 2.0, (h[0][1] + h[1][1]) / 2.0];
        // A point just inside the hole's first edge lies in the polygon that holds the hole.
        if let Some(k) = outlines.iter().position(|o| o.contains(probe)) {
            outer[k].1.push(h);
        }
    }
    outer
        .iter()
        .map(|(ext, holes)| geometry::polygon(ext, holes))
        .collect()
}

/// Drops the middle vertex of straight runs.
fn simplify(ring: Vec<Corner>) -> Vec<Corner> {
    let n = ring.len() - 1; // closed
    let mut out: Vec<Corner> = Vec::with_capacity(n);
    for i in 0..n {
        let prev = ring[(i + n - 1) % n];
        let cur = ring[i];
        let next = ring[(i + 1) % n];
        let d1 = (cur.0 - prev.0, cur.1 - prev.1);
        let d2 = (next.0 - cur.0, next.1 - cur.1);
        if d1.0 * d2.1 - d1.1 * d2.0 != 0 {
            out.push(cur);
        }
    }
    if let Some(&f) = out.first() {
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GeoTransform;

    fn dem(nc: usize, nr: usize) -> Raster {
        Raster::filled(
            nc,
            nr,
            GeoTransform {
                x_min_m: 0.0,
                y_min_m: 0.0,
                dx_m: 10.0,
                dy_m: 10.0,
            },
            0.0,
        )
    }

    #[test]
    fn a_block_with_a_hole() {
        let d = dem(5, 5);
        let all: Vec<u32> = (0..25).collect();
        // 3×3 block at (1..4, 1..4) with the centre dry
        let wet = |c: u32| {
            let (x, y) = (c % 5, c / 5);
            (1..4).contains(&x) && (1..4).contains(&y) && !(x == 2 && y == 2)
        };
        let polys = outline_cells(&d, &all, wet);
        assert_eq!(polys.len(), 1);
        assert_eq!(polys[0].interiors().len(), 1);
        assert_eq!(
            polys[0].exterior().0.len(),
            5,
            "a square after simplification"
        );
        assert!(
            (Region::new(polys.clone()).area() - 800.0).abs() < 1e-9,
            "8 cells of 100 m²"
        );
    }

    #[test]
    fn diagonal_cells_make_two_simple_rings() {
        let d = dem(3, 3);
        let all: Vec<u32> = (0..9).collect();
        let polys = outline_cells(&d, &all, |c| c == 0 || c == 4);
        assert_eq!(polys.len(), 2);
        for p in &polys {
            let ring: Vec<[f64; 2]> = p.exterior().coords().map(|&c| geometry::xy(c)).collect();
            assert_eq!(ring.len(), 5);
            assert!(geometry::ring_self_intersection(&ring).is_none());
        }
    }
}
