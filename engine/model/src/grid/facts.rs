//! Facts derived once from the map, at engine build: which grids lie in the floodplain, dike
//! length per grid, neighbours (grids sharing a boundary), counts of residents and works, each
//! grid's village and representative point. None of it depends on the discharge.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::geometry::{self, LineString, Region};
use super::model::{
    Grid, GridIdx, GridKind, Resident, ResidentKind, Site, SiteGeometry, SiteIdx, SiteKind,
};

/// Derived facts of one grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridFacts {
    /// A point inside the grid (projected metres).
    pub anchor: [f64; 2],
    /// The grid lies in the floodplain: its anchor reaches the river without crossing a main dike.
    pub floodplain: bool,
    /// Main-dike length inside the grid, km.
    pub dike_km: f64,
    /// Defence works inside the grid.
    pub works: u32,
    /// Key persons registered in the grid or below it.
    pub key_persons: u32,
    /// Farm households registered in the grid or below it.
    pub households: u32,
    /// The village or community above (or the grid itself if it is one).
    pub village: Option<GridIdx>,
    /// Depth in the hierarchy (root 0).
    pub depth: u32,
    /// Grids of the same level sharing a boundary, in index order.
    pub neighbours: Vec<GridIdx>,
}

/// Whether a point reaches the river without crossing a main dike: the segment from the point to
/// the nearest point of the river centreline crosses no main-dike segment.
pub fn in_floodplain(p: [f64; 2], river: &[LineString<f64>], dikes: &[LineString<f64>]) -> bool {
    let Some((q, _)) = geometry::nearest_on_lines(p, river) else {
        return false;
    };
    !geometry::segment_crosses_any(p, q, dikes)
}

/// Length of polylines inside a region, metres, by sampling every `step_m` (a sample counts when
/// [`Region::contains`] holds it).
fn length_inside(region: &Region, lines: &[LineString<f64>], step_m: f64) -> f64 {
    let mut total = 0.0;
    for line in lines {
        for seg in line.lines() {
            let (a, b) = (geometry::xy(seg.start), geometry::xy(seg.end));
            let len = geometry::length(&LineString(vec![seg.start, seg.end]));
            if len == 0.0 || !region.bbox_touches_segment(a, b) {
                continue;
            }
            let n = (len / step_m).ceil().max(1.0) as usize;
            let piece = len / n as f64;
            for k in 0..n {
                let t = (k as f64 + 0.5) / n as f64;
                if region.contains([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]) {
                    total += piece;
                }
            }
        }
    }
    total
}

/// The polylines of every site of a kind (river, dikes, roads), in file order.
pub fn lines_of(sites: &[Site], kind: SiteKind) -> Vec<&[[f64; 2]]> {
    sites
        .iter()
        .filter(|s| s.kind == kind)
        .filter_map(|s| match &s.geometry {
            SiteGeometry::Line(l) => Some(l.as_slice()),
            SiteGeometry::Point(_) => None,
        })
        .collect()
}

/// The polylines of every site of a kind as `geo` line strings, in file order.
pub fn line_strings_of(sites: &[Site], kind: SiteKind) -> Vec<LineString<f64>> {
    lines_of(sites, kind)
        .into_iter()
        .map(geometry::line_string)
        .collect()
}

/// Computes the facts of every grid.
pub fn grid_facts(grids: &[Grid], sites: &[Site], residents: &[Resident]) -> Vec<GridFacts> {
    let river = line_strings_of(sites, SiteKind::River);
    let dikes = line_strings_of(sites, SiteKind::MainDike);
    let depth = |g: &Grid| {
        let mut n = 0u32;
        let mut cur = g.parent;
        while let Some(p) = cur {
            n += 1;
            if n as usize > grids.len() {
                break;
            }
            cur = grids[p.ix()].parent;
        }
        n
    };
    // Ancestors (self included) of each grid, for counting residents up the tree.
    let ancestors = |i: usize| {
        let mut out = vec![i];
        let mut cur = grids[i].parent;
        while let Some(p) = cur {
            if out.len() > grids.len() {
                break;
            }
            out.push(p.ix());
            cur = grids[p.ix()].parent;
        }
        out
    };
    let mut key_persons = vec![0u32; grids.len()];
    let mut households = vec![0u32; grids.len()];
    for r in residents {
        for a in ancestors(r.grid.ix()) {
            match r.kind {
                ResidentKind::KeyPerson { .. } => key_persons[a] += 1,
                ResidentKind::Household { .. } => households[a] += 1,
            }
        }
    }
    let mut works = vec![0u32; grids.len()];
    for s in sites.iter().filter(|s| s.kind.is_works()) {
        if let Some(g) = s.grid {
            for a in ancestors(g.ix()) {
                works[a] += 1;
            }
        }
    }
    let neighbours = neighbours(grids);
    grids
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let anchor = g
                .region
                .interior_point()
                .unwrap_or_else(|| g.region.bbox.map_or([0.0, 0.0], |b| geometry::xy(b.min())));
            let village = ancestors(i)
                .into_iter()
                .find(|&a| matches!(grids[a].kind, GridKind::Village | GridKind::Community))
                .map(|a| GridIdx(a as u32));
            GridFacts {
                anchor,
                floodplain: in_floodplain(anchor, &river, &dikes),
                dike_km: length_inside(&g.region, &dikes, 10.0) / 1000.0,
                works: works[i],
                key_persons: key_persons[i],
                households: households[i],
                village,
                depth: depth(g),
                neighbours: neighbours[i].clone(),
            }
        })
        .collect()
}

/// Grids of the same kind sharing at least two boundary vertices (rounded to 0.5 m) are
/// neighbours. Maps drawn with shared edges (as generated ones are, and as GIS snapping makes
/// them) give exact adjacency this way, without quadratic polygon tests.
fn neighbours(grids: &[Grid]) -> Vec<Vec<GridIdx>> {
    let key = |p: [f64; 2]| ((p[0] * 2.0).round() as i64, (p[1] * 2.0).round() as i64);
    let mut owners: HashMap<(i64, i64), Vec<u32>> = HashMap::new();
    for (i, g) in grids.iter().enumerate() {
        let mut seen = HashSet::new();
        for poly in &g.region.polygons {
            for p in poly.exterior().coords().map(|&c| geometry::xy(c)) {
                if seen.insert(key(p)) {
                    owners.entry(key(p)).or_default().push(i as u32);
                }
            }
        }
    }
    let mut shared: HashMap<(u32, u32), u32> = HashMap::new();
    for list in owners.values() {
        for (a, &x) in list.iter().enumerate() {
            for &y in &list[a + 1..] {
                if grids[x as usize].kind == grids[y as usize].kind
                    || (grids[x as usize].kind.is_working_grid()
                        && grids[y as usize].kind.is_working_grid())
                {
                    *shared.entry((x.min(y), x.max(y))).or_default() += 1;
                }
            }
        }
    }
    let mut out = vec![Vec::new(); grids.len()];
    for ((a, b), n) in shared {
        if n >= 2 {
            out[a as usize].push(GridIdx(b));
            out[b as usize].push(GridIdx(a));
        }
    }
    for v in &mut out {
        v.sort();
    }
    out
}

/// The main and production dike lines among sites (site index, crest line), in file order.
pub fn dike_lines(sites: &[Site]) -> Vec<(SiteIdx, &[[f64; 2]])> {
    sites
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s.kind, SiteKind::MainDike | SiteKind::ProductionDike))
        .filter_map(|(i, s)| match &s.geometry {
            SiteGeometry::Line(l) if l.len() >= 2 => Some((SiteIdx(i as u32), l.as_slice())),
            _ => None,
        })
        .collect()
}

/// The main or production dike line nearest a projected point, and its distance, m (ties: the
/// first in file order).
pub fn nearest_dike(sites: &[Site], p: [f64; 2]) -> Option<(SiteIdx, f64)> {
    dike_lines(sites)
        .into_iter()
        .map(|(i, l)| (i, geometry::distance_to_line(&geometry::line_string(l), p)))
        .fold(None, |best: Option<(SiteIdx, f64)>, c| match best {
            Some(b) if b.1 <= c.1 => Some(b),
            _ => Some(c),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dike_between_point_and_river_means_protected() {
        let river = [geometry::line_string(&[[0.0, 100.0], [100.0, 100.0]])];
        let dike = [geometry::line_string(&[[0.0, 50.0], [100.0, 50.0]])];
        assert!(in_floodplain([50.0, 70.0], &river, &dike));
        assert!(!in_floodplain([50.0, 20.0], &river, &dike));
        assert!(!in_floodplain([50.0, 20.0], &[], &dike));
    }
}
