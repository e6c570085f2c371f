use serde::{Deserialize, Serialize};

/// What the water does to one grid at the assessed discharge.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GridExposure {
    /// Grid id.
    pub grid: String,
    /// Flooded area, km².
    pub flooded_km2: f64,
    /// Flooded share of the grid's area, 0..1.
    pub flooded_fraction: f64,
    /// Mean depth over the flooded area, m.
    pub mean_depth_m: f64,
    /// Deepest water, m.
    pub max_depth_m: f64,
    /// Lowest discharge at which any of the grid gets wet, m³/s (`None`: not below the atlas's top).
    pub wet_discharge_m3s: Option<f64>,
    /// Hours until the water arrives (2D solver), when known.
    pub arrival_hours: Option<f64>,
    /// People in flooded cells (key persons and household members).
    pub exposed_people: u32,
    /// Key persons in flooded cells.
    pub exposed_key_persons: u32,
    /// Farm households in flooded cells.
    pub exposed_households: u32,
    /// Shelters in flooded cells.
    pub exposed_shelters: u32,
    /// Depots in flooded cells.
    pub exposed_depots: u32,
    /// Road length under water, km.
    pub roads_flooded_km: f64,
}

use super::atlas::FloodAtlas;
use super::raster::Raster;
use floodgrid_model::grid::{Grid, Region, Resident, ResidentKind, Site, SiteGeometry, SiteKind};

/// Cells whose centres lie inside a region, by scanline: for each row, the crossings of the row's
/// centre line with the region's edges ([`Region::row_crossings`]), filled pairwise (even–odd,
/// holes included).
pub fn cells_in_region(dem: &Raster, region: &Region) -> Vec<u32> {
    let t = &dem.transform;
    let (_, _, _, north) = dem.bounds();
    let Some(b) = region.bbox else {
        return Vec::new();
    };
    let row_of = |y: f64| ((north - y) / t.dy_m - 0.5).floor();
    let r0 = row_of(b.max().y).max(0.0) as usize;
    let r1 = (row_of(b.min().y) + 1.0).clamp(0.0, dem.nrows as f64) as usize;
    let mut out = Vec::new();
    let mut xs: Vec<f64> = Vec::new();
    for r in r0..r1.min(dem.nrows) {
        let y = north - (r as f64 + 0.5) * t.dy_m;
        xs.clear();
        region.row_crossings(y, &mut xs);
        xs.sort_by(f64::total_cmp);
        for pair in xs.chunks_exact(2) {
            let c0 = ((pair[0] - t.x_min_m) / t.dx_m - 0.5).ceil().max(0.0) as usize;
            let c1 = ((pair[1] - t.x_min_m) / t.dx_m - 0.5).floor();
            if c1 < 0.0 {
                continue;
            }
            let c1 = (c1 as usize).min(dem.ncols.saturating_sub(1));
            for c in c0..=c1 {
                out.push((r * dem.ncols + c) as u32);
            }
        }
    }
    out
}

/// Sorted thresholds with a cumulative weight: how much is wet at a discharge is a binary search.
#[derive(Debug, Clone, Default)]
struct Ladder {
    thresholds: Vec<f32>,
    cumulative: Vec<f64>,
}

impl Ladder {
    fn new(mut items: Vec<(f32, f64)>) -> Ladder {
        items.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut sum = 0.0;
        let mut cumulative = Vec::with_capacity(items.len());
        for &(_, w) in &items {
            sum += w;
            cumulative.push(sum);
        }
        Ladder {
            thresholds: items.into_iter().map(|x| x.0).collect(),
            cumulative,
        }
    }
    fn count(&self, q: f64) -> usize {
        self.thresholds.partition_point(|&t| f64::from(t) <= q)
    }
    fn weight(&self, q: f64) -> f64 {
        match self.count(q) {
            0 => 0.0,
            k => self.cumulative[k - 1],
        }
    }
}

#[derive(Debug, Clone, Default)]
struct GridLadders {
    /// Cell thresholds with cumulative ground elevation (for the mean depth).
    cells: Ladder,
    /// Lowest ground among the first k flooded cells (for the max depth).
    min_z: Vec<f32>,
    area_km2: f64,
    source: u32,
    people: Ladder,
    key_persons: Ladder,
    households: Ladder,
    shelters: Ladder,
    depots: Ladder,
    roads_km: Ladder,
}

/// Exposure of every grid at any discharge, from the atlas: per grid, the thresholds of its cells,
/// residents, shelters, depots and road samples sorted once, so a discharge is a binary search.
#[derive(Debug, Clone, Default)]
pub struct ExposureIndex {
    grids: Vec<GridLadders>,
    ids: Vec<String>,
    cell_km2: f64,
}

impl ExposureIndex {
    /// Builds the index for every grid. Cells wet at or below `bankfull_m3s` are the river's
    /// channel: they never count as flooded land.
    pub fn build(
        atlas: &FloodAtlas,
        dem: &Raster,
        grids: &[Grid],
        residents: &[Resident],
        sites: &[Site],
        bankfull_m3s: f64,
    ) -> ExposureIndex {
        use rayon::prelude::*;
        let cell_km2 = dem.transform.dx_m * dem.transform.dy_m / 1e6;
        let thr_at = |p: [f64; 2]| -> f32 {
            dem.cell_at(p[0], p[1])
                .map(|(c, r)| atlas.threshold[r * dem.ncols + c])
                .unwrap_or(f32::INFINITY)
        };
        // Everything a grid holds: its own and its descendants' records.
        let mut subtree_of: Vec<Vec<usize>> = vec![Vec::new(); grids.len()];
        for i in 0..grids.len() {
            let mut cur = Some(i);
            let mut steps = 0;
            while let Some(g) = cur {
                subtree_of[g].push(i);
                steps += 1;
                if steps > grids.len() {
                    break;
                }
                cur = grids[g].parent.map(|p| p.ix());
            }
        }
        let in_subtree = |g: usize| {
            let mut mask = vec![false; grids.len()];
            for &d in &subtree_of[g] {
                mask[d] = true;
            }
            mask
        };
        let ladders: Vec<GridLadders> = (0..grids.len())
            .into_par_iter()
            .map(|g| {
                let cells = cells_in_region(dem, &grids[g].region);
                let mut items: Vec<(f32, f64, f32)> = cells
                    .iter()
                    .filter_map(|&c| {
                        let z = dem.data[c as usize];
                        let t = atlas.threshold[c as usize];
                        (z.is_finite() && f64::from(t) > bankfull_m3s).then(|| (t, f64::from(z), z))
                    })
                    .collect();
                items.sort_by(|a, b| a.0.total_cmp(&b.0));
                let mut min_z = Vec::with_capacity(items.len());
                let mut m = f32::INFINITY;
                for it in &items {
                    m = m.min(it.2);
                    min_z.push(m);
                }
                let first_cell = cells.iter().copied().min_by(|&a, &b| {
                    atlas.threshold[a as usize]
                        .total_cmp(&atlas.threshold[b as usize])
                        .then(a.cmp(&b))
                });
                let source = first_cell
                    .map(|c| atlas.source[c as usize])
                    .unwrap_or(u32::MAX);
                let mask = in_subtree(g);
                let mut people = Vec::new();
                let mut key_persons = Vec::new();
                let mut households = Vec::new();
                for r in residents.iter().filter(|r| mask[r.grid.ix()]) {
                    let t = thr_at(r.xy);
                    people.push((t, f64::from(r.size)));
                    match r.kind {
                        ResidentKind::KeyPerson { .. } => key_persons.push((t, 1.0)),
                        ResidentKind::Household { .. } => households.push((t, 1.0)),
                    }
                }
                let mut shelters = Vec::new();
                let mut depots = Vec::new();
                let mut roads = Vec::new();
                for s in sites {
                    match (&s.geometry, s.kind) {
                        (SiteGeometry::Point(p), SiteKind::Shelter)
                            if grids[g].region.contains(*p) =>
                        {
                            shelters.push((thr_at(*p), 1.0))
                        }
                        (SiteGeometry::Point(p), SiteKind::Depot)
                            if grids[g].region.contains(*p) =>
                        {
                            depots.push((thr_at(*p), 1.0))
                        }
                        (SiteGeometry::Line(l), SiteKind::Road) => {
                            for w in l.windows(2) {
                                let len = (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]);
                                let k = (len / 20.0).ceil().max(1.0) as usize;
                                for j in 0..k {
                                    let tt = (j as f64 + 0.5) / k as f64;
                                    let p = [
                                        w[0][0] + tt * (w[1][0] - w[0][0]),
                                        w[0][1] + tt * (w[1][1] - w[0][1]),
                                    ];
                                    if grids[g].region.contains(p) {
                                        roads.push((thr_at(p), len / k as f64 / 1000.0));
                                    }
                                }
                            }
                        }
                        _ => {}
                    }
                }
                GridLadders {
                    cells: Ladder {
                        thresholds: items.iter().map(|x| x.0).collect(),
                        cumulative: items
                            .iter()
                            .scan(0.0, |acc, x| {
                                *acc += x.1;
                                Some(*acc)
                            })
                            .collect(),
                    },
                    min_z,
                    area_km2: grids[g].area_km2,
                    source,
                    people: Ladder::new(people),
                    key_persons: Ladder::new(key_persons),
                    households: Ladder::new(households),
                    shelters: Ladder::new(shelters),
                    depots: Ladder::new(depots),
                    roads_km: Ladder::new(roads),
                }
            })
            .collect();
        ExposureIndex {
            grids: ladders,
            ids: grids.iter().map(|g| g.id.clone()).collect(),
            cell_km2,
        }
    }

    /// Exposure of one grid (by index) at a discharge.
    pub fn at(&self, atlas: &FloodAtlas, grid: usize, q: f64) -> GridExposure {
        let Some(l) = self.grids.get(grid) else {
            return GridExposure::default();
        };
        let k = l.cells.count(q);
        let stage = atlas
            .sources
            .get(l.source as usize)
            .map(|s| s.stage(q))
            .unwrap_or(f64::NEG_INFINITY);
        let (mean, max) = if k > 0 {
            let mean_z = l.cells.cumulative[k - 1] / k as f64;
            (
                (stage - mean_z).max(0.0),
                (stage - f64::from(l.min_z[k - 1])).max(0.0),
            )
        } else {
            (0.0, 0.0)
        };
        let flooded = k as f64 * self.cell_km2;
        GridExposure {
            grid: self.ids[grid].clone(),
            flooded_km2: flooded,
            flooded_fraction: if l.area_km2 > 0.0 {
                (flooded / l.area_km2).min(1.0)
            } else {
                0.0
            },
            mean_depth_m: mean,
            max_depth_m: max,
            wet_discharge_m3s: l
                .cells
                .thresholds
                .first()
                .filter(|t| t.is_finite())
                .map(|&t| f64::from(t)),
            arrival_hours: None,
            exposed_people: l.people.weight(q) as u32,
            exposed_key_persons: l.key_persons.count(q) as u32,
            exposed_households: l.households.count(q) as u32,
            exposed_shelters: l.shelters.count(q) as u32,
            exposed_depots: l.depots.count(q) as u32,
            roads_flooded_km: l.roads_km.weight(q),
        }
    }
}
