//! Key persons to watch and floodplain farm households (residents.csv). Households live on the
//! south floodplain, most of them in hamlets; their evacuation class comes from the discharge at
//! which their ground first gets wet. Key persons live everywhere people live, more of them in
//! the floodplain. Every point is drawn inside its grid's own mesh cells, so it lies inside the
//! grid polygon.

use floodgrid_engine::flood::Raster;

use crate::grids::{Grids, Kind};
use crate::mesh::Cell;
use crate::names::NameMaker;
use crate::people::{Person, Role};
use crate::preset::Preset;
use crate::reach::{Land, Reach};
use crate::rng::{Rng, apportion};
use crate::terrain::Wetting;

/// Households whose ground wets at or below this discharge go first (m³/s).
pub const CLASS1_MAX_M3S: f64 = 10_000.0;
/// Households whose ground wets at or below this discharge go second (m³/s).
pub const CLASS2_MAX_M3S: f64 = 14_000.0;

/// key_person or household.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResidentKind {
    /// A key person to watch.
    KeyPerson,
    /// A floodplain farm household.
    Household,
}

/// One row of residents.csv.
#[derive(Debug, Clone)]
pub struct Resident {
    /// Id.
    pub id: String,
    /// Kind.
    pub kind: ResidentKind,
    /// Category.
    pub category: &'static str,
    /// Evacuation class 1..3 (households).
    pub evac_class: Option<u8>,
    /// Name (the head, for a household).
    pub name: String,
    /// Lowest grid unit.
    pub grid: usize,
    /// Projected position.
    pub x: f64,
    /// Projected position.
    pub y: f64,
    /// Persons.
    pub size: u32,
    /// Phone.
    pub phone: String,
    /// Needs, `;`-separated.
    pub needs: String,
    /// Person id of the guardian.
    pub guardian: Option<String>,
}

struct Sampler<'a> {
    grids: &'a Grids,
    reach: &'a Reach,
}

impl Sampler<'_> {
    /// A point inside unit `k` whose land passes `ok`, near `around` when given.
    fn point(
        &self,
        rng: &mut Rng,
        k: usize,
        ok: &dyn Fn(Land) -> bool,
        around: Option<(f64, f64, f64)>,
    ) -> Option<(f64, f64)> {
        let unit = &self.grids.units[k];
        let areas: Vec<f64> = unit
            .cells
            .iter()
            .map(|&c| self.grids.mesh.cell_area(c))
            .collect();
        for _ in 0..400 {
            let (x, y) = match around {
                Some((cx, cy, r)) => {
                    let (dx, dy) = (rng.range(-r, r), rng.range(-r, r));
                    (cx + dx, cy + dy)
                }
                None => {
                    let c: Cell = unit.cells[rng.weighted(&areas)];
                    self.grids
                        .mesh
                        .point_in(c, rng.range(0.06, 0.94), rng.range(0.06, 0.94))
                }
            };
            if self.grids.lowest_at(x, y) == Some(k)
                && self.inside_margin(k, x, y)
                && ok(self.reach.land(x, y))
            {
                return Some((x, y));
            }
        }
        None
    }

    /// Keeps points a few metres clear of the cell edges so rounding to 7 decimals of a degree
    /// cannot move them out of their polygon.
    fn inside_margin(&self, k: usize, x: f64, y: f64) -> bool {
        [(-2.0, 0.0), (2.0, 0.0), (0.0, -2.0), (0.0, 2.0)]
            .iter()
            .all(|(dx, dy)| self.grids.lowest_at(x + dx, y + dy) == Some(k))
    }

    /// Share of a unit's area that passes `ok`, from four samples per cell.
    fn land_share(&self, k: usize, ok: &dyn Fn(Land) -> bool) -> f64 {
        let unit = &self.grids.units[k];
        let mut good = 0.0;
        let mut all = 0.0;
        for &c in &unit.cells {
            let a = self.grids.mesh.cell_area(c) / 4.0;
            for (u, v) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                let (x, y) = self.grids.mesh.point_in(c, u, v);
                all += a;
                if ok(self.reach.land(x, y)) {
                    good += a;
                }
            }
        }
        if all > 0.0 { good / all } else { 0.0 }
    }
}

fn floodplain(l: Land) -> bool {
    l.is_floodplain()
}

fn habitable(l: Land) -> bool {
    matches!(
        l,
        Land::City | Land::Floodplain | Land::Polder | Land::Platform
    )
}

const SIZES: [f64; 6] = [0.08, 0.22, 0.25, 0.25, 0.13, 0.07];

/// Generates key persons and households; `people` supplies guardians.
pub fn generate(
    preset: &Preset,
    grids: &Grids,
    reach: &Reach,
    dem: &Raster,
    wet: &Wetting,
    people: &[Person],
) -> Vec<Resident> {
    let mut rng = Rng::stream(preset.seed, "residents");
    let names = NameMaker::new();
    let sampler = Sampler { grids, reach };
    // Who looks after whom: the grid's workers, or the micro-grid leader in the city.
    let mut carers: Vec<Vec<&str>> = vec![Vec::new(); grids.units.len()];
    for p in people {
        if matches!(p.role, Role::GridWorker | Role::MicroGridLeader) {
            carers[p.grid].push(&p.id);
        }
    }
    let hamlets_in: Vec<Vec<usize>> = {
        let mut v = vec![Vec::new(); grids.units.len()];
        for (h, hm) in reach.hamlets.iter().enumerate() {
            if let Some(k) = grids.lowest_at(hm.x, hm.y) {
                v[k].push(h);
            }
        }
        v
    };
    let leaves: Vec<usize> = grids
        .units
        .iter()
        .enumerate()
        .filter(|(_, u)| {
            u.kind == Kind::Micro
                || (u.kind == Kind::Grid
                    && grids.units[u.area_unit.unwrap_or(0)].kind == Kind::Village)
        })
        .map(|(k, _)| k)
        .collect();
    let fp_area: Vec<f64> = leaves
        .iter()
        .map(|&k| {
            let u = &grids.units[k];
            if u.river_side {
                u.area_m2 * sampler.land_share(k, &floodplain)
            } else {
                0.0
            }
        })
        .collect();
    let mut out = Vec::new();

    // Households.
    let hh_weights: Vec<f64> = leaves
        .iter()
        .enumerate()
        .map(|(n, &k)| {
            if fp_area[n] > 20_000.0 {
                fp_area[n] * (1.0 + 2.0 * hamlets_in[k].len() as f64)
            } else {
                0.0
            }
        })
        .collect();
    let hh_counts = apportion(preset.households, &hh_weights);
    let mut hh_no = 0;
    for (n, &k) in leaves.iter().enumerate() {
        for m in 0..hh_counts[n] {
            let near = if !hamlets_in[k].is_empty() && rng.chance(0.5) {
                let hm = &reach.hamlets[rng.pick(&hamlets_in[k])];
                Some((hm.x, hm.y, 170.0))
            } else {
                None
            };
            let Some((x, y)) = sampler
                .point(&mut rng, k, &floodplain, near)
                .or_else(|| sampler.point(&mut rng, k, &floodplain, None))
            else {
                continue;
            };
            let q = wet.at(dem, x, y).unwrap_or(0.0);
            let class = if q <= CLASS1_MAX_M3S {
                1
            } else if q <= CLASS2_MAX_M3S {
                2
            } else {
                3
            };
            let category_w = if class == 1 {
                [0.40, 0.18, 0.07, 0.22, 0.13]
            } else {
                [0.40, 0.25, 0.12, 0.06, 0.17]
            };
            let category = ["grain", "vegetable", "orchard", "fish_pond", "livestock"]
                [rng.weighted(&category_w)];
            hh_no += 1;
            let guardian =
                (!carers[k].is_empty()).then(|| carers[k][m % carers[k].len()].to_string());
            out.push(Resident {
                id: String::new(),
                kind: ResidentKind::Household,
                category,
                evac_class: Some(class),
                name: {
                    let female = rng.chance(0.15);
                    names.name(&mut rng, female)
                },
                grid: k,
                x,
                y,
                size: rng.weighted(&SIZES) as u32 + 1,
                phone: format!("139{:08}", hh_no),
                needs: String::new(),
                guardian,
            });
        }
    }

    // Key persons: at least one in every inhabited leaf, more in the floodplain.
    let inhabited: Vec<bool> = leaves
        .iter()
        .enumerate()
        .map(|(n, &k)| {
            if grids.units[k].river_side {
                fp_area[n] > 5000.0
            } else {
                sampler.land_share(k, &habitable) > 0.05
            }
        })
        .collect();
    let kp_weights: Vec<f64> = leaves
        .iter()
        .enumerate()
        .map(|(n, &k)| {
            if !inhabited[n] {
                0.0
            } else if grids.units[k].river_side {
                3.0 * (1.0 + hamlets_in[k].len() as f64)
            } else if grids.units[k].kind == Kind::Micro {
                1.0
            } else {
                1.5
            }
        })
        .collect();
    let floor: Vec<usize> = inhabited.iter().map(|&b| usize::from(b)).collect();
    let floor_total: usize = floor.iter().sum();
    let kp_counts: Vec<usize> = if preset.key_persons >= floor_total {
        apportion(preset.key_persons - floor_total, &kp_weights)
            .iter()
            .zip(&floor)
            .map(|(a, b)| a + b)
            .collect()
    } else {
        apportion(preset.key_persons, &kp_weights)
    };
    let categories = [
        "elderly_alone",
        "disabled",
        "bedridden",
        "pregnant",
        "child",
        "chronic_ill",
    ];
    let cat_w = [0.35, 0.15, 0.10, 0.08, 0.17, 0.15];
    let mut kp_no = 0;
    for (n, &k) in leaves.iter().enumerate() {
        for m in 0..kp_counts[n] {
            let river = grids.units[k].river_side;
            let ok: &dyn Fn(Land) -> bool = if river { &floodplain } else { &habitable };
            let near = (river && !hamlets_in[k].is_empty() && rng.chance(0.7)).then(|| {
                let hm = &reach.hamlets[rng.pick(&hamlets_in[k])];
                (hm.x, hm.y, 150.0)
            });
            let Some((x, y)) = sampler
                .point(&mut rng, k, ok, near)
                .or_else(|| sampler.point(&mut rng, k, ok, None))
            else {
                continue;
            };
            let category = categories[rng.weighted(&cat_w)];
            let needs = match category {
                "elderly_alone" => {
                    if rng.chance(0.4) {
                        "escort;medication"
                    } else {
                        "escort"
                    }
                }
                "disabled" => {
                    if rng.chance(0.6) {
                        "wheelchair"
                    } else {
                        "escort"
                    }
                }
                "bedridden" => "stretcher;medication",
                "pregnant" => "medical_escort",
                "child" => "guardian_escort",
                _ => {
                    if rng.chance(0.2) {
                        "medication;oxygen"
                    } else {
                        "medication"
                    }
                }
            };
            kp_no += 1;
            let female = category == "pregnant" || rng.chance(0.55);
            let guardian =
                (!carers[k].is_empty()).then(|| carers[k][m % carers[k].len()].to_string());
            out.push(Resident {
                id: String::new(),
                kind: ResidentKind::KeyPerson,
                category,
                evac_class: None,
                name: names.name(&mut rng, female),
                grid: k,
                x,
                y,
                size: 1,
                phone: if category == "child" {
                    String::new()
                } else {
                    format!("137{:08}", kp_no)
                },
                needs: needs.into(),
                guardian,
            });
        }
    }
    // Key persons first, as the console lists them on the left.
    out.sort_by_key(|r| r.kind == ResidentKind::Household);
    let (mut nk, mut nh) = (0, 0);
    let wk = kp_no.to_string().len().max(4);
    let wh = hh_no.to_string().len().max(4);
    for r in &mut out {
        r.id = match r.kind {
            ResidentKind::KeyPerson => {
                nk += 1;
                format!("kp.{nk:0wk$}")
            }
            ResidentKind::Household => {
                nh += 1;
                format!("hh.{nh:0wh$}")
            }
        };
    }
    out
}
