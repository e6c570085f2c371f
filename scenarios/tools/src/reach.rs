//! The river reach as smooth functions of chainage plus seeded noise: the channel, the south
//! floodplain with its swales, production-dike polders and raised hamlet platforms, the main
//! dikes, the works' spur dams, the north bank, and the city side with its closed ponds. Owns
//! every elevation in the DEM and the land class of any point; does no I/O.
//!
//! Elevations near the river are built *relative* to the reference gauge's chainage and then
//! lowered by the longitudinal slope, exactly as the stations' rating curves are, so the
//! discharge at which a cell wets does not depend on how far downstream it lies.

use crate::noise::ValueNoise;
use crate::preset::{Preset, ReachSpec, WorksKind};
use crate::rng::Rng;

/// Half the width of the main channel, bank to bank (m).
pub const CHANNEL_HALF_WIDTH_M: f64 = 500.0;
/// Half the footprint of the main dike, toe to toe (m).
pub const DIKE_HALF_FOOTPRINT_M: f64 = 40.0;
/// Water-surface and terrain fall downstream (m per m of chainage).
pub const SLOPE_M_PER_M: f64 = 0.18e-3;
/// Main-dike crest at the reference chainage: about 3 m above the design-flood stage.
pub const DIKE_CREST_REL_M: f64 = 97.6;
/// Production-dike crest at the reference chainage: overtopped at about 11,800 m³/s.
pub const PDIKE_CREST_REL_M: f64 = 93.3;
/// Control-works crest (the 5,000 m³/s stage plus 1 m).
pub const CONTROL_CREST_REL_M: f64 = 92.8;
/// Distance of the production dike from the channel bank (m).
pub const PDIKE_OFFSET_M: f64 = 100.0;
/// Spacing of the spur dams (坝垛) along works (m).
pub const SPUR_SPACING_M: f64 = 100.0;
/// How far a spur dam reaches into the channel from the dike toe or bank (m).
pub const SPUR_LENGTH_M: f64 = 55.0;

const BED_HALF_WIDTH_M: f64 = 470.0;
const BANK_RAMP_M: f64 = 60.0;
const DIKE_CREST_HALF_WIDTH_M: f64 = 6.0;
const DIKE_SIDE_SLOPE: f64 = 3.0;
// 12 m keeps the crest a 4-connected band of 15 m cells at any angle, so no 8-connected path
// slips through the polder wall between cell centres.
const PDIKE_CREST_HALF_WIDTH_M: f64 = 12.0;
const SPUR_CREST_REL_M: f64 = 94.5;
const SPUR_HALF_WIDTH_M: f64 = 8.0;
const PLATFORM_TOP_REL_M: f64 = 94.3;
const BANK_TOP_REL_M: f64 = 91.88;
const FLOODPLAIN_RISE_M: f64 = 1.75;
const FLOODPLAIN_RISE_SCALE_M: f64 = 500.0;
const BED_DEEP_REL_M: f64 = 88.0;
const BED_EDGE_REL_M: f64 = 89.5;
const CITY_BASE_M: f64 = 89.9;
const NORTH_LAND_M: f64 = 89.6;

/// A production-dike polder: a wall along the bank, `PDIKE_OFFSET_M` inside it, with arms back
/// to the main dike at both ends.
#[derive(Debug, Clone)]
pub struct Polder {
    /// West end, chainage m.
    pub s0_m: f64,
    /// East end, chainage m.
    pub s1_m: f64,
}

/// A floodplain hamlet, optionally on a raised platform (村台).
#[derive(Debug, Clone)]
pub struct Hamlet {
    /// Chainage, m.
    pub s_m: f64,
    /// Easting.
    pub x: f64,
    /// Northing.
    pub y: f64,
    /// Built on a platform.
    pub platform: bool,
}

const PLATFORM_HALF_X_M: f64 = 150.0;
const PLATFORM_HALF_Y_M: f64 = 100.0;
const PLATFORM_CORNER_M: f64 = 30.0;

/// A closed depression on the city side.
#[derive(Debug, Clone)]
pub struct Pond {
    /// Centre easting.
    pub x: f64,
    /// Centre northing.
    pub y: f64,
    /// Semi-axis east–west (m).
    pub rx: f64,
    /// Semi-axis north–south (m).
    pub ry: f64,
    /// Depth at the centre (m).
    pub depth: f64,
}

/// A works' geometry: its chainage range and the chainage of each spur dam.
#[derive(Debug, Clone)]
pub struct WorksGeom {
    /// West end, chainage m.
    pub s0_m: f64,
    /// East end, chainage m.
    pub s1_m: f64,
    /// On the channel bank (control works) rather than the dike.
    pub control: bool,
    /// Chainage of each spur dam.
    pub spurs: Vec<f64>,
}

/// What lies at a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Land {
    /// Main channel and its banks.
    Channel,
    /// Unprotected south floodplain.
    Floodplain,
    /// South floodplain inside a production-dike polder.
    Polder,
    /// A raised hamlet platform.
    Platform,
    /// On a production dike.
    ProductionDike,
    /// On a works' spur dam or a control works.
    WorksStructure,
    /// The main south dike.
    MainDike,
    /// City side behind the main dike.
    City,
    /// A pond on the city side.
    Pond,
    /// North-bank floodplain.
    NorthFloodplain,
    /// North dike and the land behind it.
    NorthBank,
}

impl Land {
    /// Whether the point is south floodplain ground (protected or not).
    pub fn is_floodplain(self) -> bool {
        matches!(self, Land::Floodplain | Land::Polder | Land::Platform)
    }
}

/// Per-column quantities, computed once per DEM column or query point.
#[derive(Debug, Clone)]
pub struct Column {
    /// Chainage, m.
    pub s: f64,
    /// Easting.
    pub x: f64,
    /// Channel centreline northing.
    pub yc: f64,
    /// Main-dike centre northing.
    pub yd: f64,
    /// Floodplain width (m).
    pub w: f64,
    cos_c: f64,
    cos_d: f64,
    hug: f64,
    /// Longitudinal offset added to relative elevations (m).
    pub slope_off: f64,
    swale_e: f64,
    swale_depth: f64,
    polders: Vec<usize>,
    spurs: Vec<(f64, f64, f64, f64)>,
    control: bool,
    ponds: Vec<usize>,
    platforms: Vec<usize>,
}

/// Polder wall corners, precomputed.
#[derive(Debug, Clone)]
struct PolderWall {
    s0: f64,
    s1: f64,
    top0: f64,
    bot0: f64,
    top1: f64,
    bot1: f64,
}

/// The reach: every function of chainage, the generated features and the noise fields.
#[derive(Debug, Clone)]
pub struct Reach {
    spec: ReachSpec,
    /// Polders west to east.
    pub polders: Vec<Polder>,
    walls: Vec<PolderWall>,
    /// Floodplain hamlets west to east.
    pub hamlets: Vec<Hamlet>,
    /// City-side ponds.
    pub ponds: Vec<Pond>,
    /// Works in preset order.
    pub works: Vec<WorksGeom>,
    /// Added to the city width everywhere (m), to meet the town area.
    pub city_offset_m: f64,
    fp_noise: ValueNoise,
    fine_noise: ValueNoise,
    bed_noise: ValueNoise,
    city_noise: ValueNoise,
    swale_noise: ValueNoise,
}

fn smoothstep(u: f64) -> f64 {
    let u = u.clamp(0.0, 1.0);
    u * u * (3.0 - 2.0 * u)
}

fn bump(u: f64) -> f64 {
    if u.abs() < 1.0 {
        let v = 1.0 - u * u;
        v * v
    } else {
        0.0
    }
}

/// Piecewise smoothstep through (s, value) knots, flat beyond the ends.
fn knot_eval(knots: &[(f64, f64)], s: f64) -> f64 {
    let Some(first) = knots.first() else {
        return 0.0;
    };
    if s <= first.0 {
        return first.1;
    }
    for pair in knots.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if s <= b.0 {
            let u = if b.0 > a.0 {
                (s - a.0) / (b.0 - a.0)
            } else {
                1.0
            };
            return a.1 + (b.1 - a.1) * smoothstep(u);
        }
    }
    knots.last().map_or(0.0, |k| k.1)
}

impl Reach {
    /// Builds the reach for a preset: polders and works from the preset, hamlets and ponds from
    /// the seed.
    pub fn new(preset: &Preset) -> Reach {
        let spec = preset.reach.clone();
        let seed = preset.seed;
        let field = |label: &str| ValueNoise::new(Rng::stream(seed, label).next_u64());
        let mut reach = Reach {
            polders: spec
                .polders
                .iter()
                .map(|&(s0_m, s1_m)| Polder { s0_m, s1_m })
                .collect(),
            walls: Vec::new(),
            hamlets: Vec::new(),
            ponds: Vec::new(),
            works: Vec::new(),
            city_offset_m: 0.0,
            fp_noise: field("terrain.floodplain"),
            fine_noise: field("terrain.fine"),
            bed_noise: field("terrain.bed"),
            city_noise: field("terrain.city"),
            swale_noise: field("terrain.swale"),
            spec,
        };
        reach.walls = reach
            .polders
            .iter()
            .map(|p| PolderWall {
                s0: p.s0_m,
                s1: p.s1_m,
                top0: reach.bank_y(p.s0_m) - PDIKE_OFFSET_M,
                bot0: reach.dike_y(p.s0_m),
                top1: reach.bank_y(p.s1_m) - PDIKE_OFFSET_M,
                bot1: reach.dike_y(p.s1_m),
            })
            .collect();
        reach.works = preset
            .works
            .iter()
            .map(|w| {
                let n = ((w.s1_m - w.s0_m) / SPUR_SPACING_M).floor().max(1.0) as usize;
                let gap = (w.s1_m - w.s0_m) / n as f64;
                WorksGeom {
                    s0_m: w.s0_m,
                    s1_m: w.s1_m,
                    control: w.kind == WorksKind::ControlWorks,
                    spurs: (0..n).map(|k| w.s0_m + gap * (k as f64 + 0.5)).collect(),
                }
            })
            .collect();
        reach.hamlets = reach.place_hamlets(&mut Rng::stream(seed, "hamlets"));
        reach.ponds = reach.place_ponds(&mut Rng::stream(seed, "ponds"), preset.reach.ponds);
        reach
    }

    fn place_hamlets(&self, rng: &mut Rng) -> Vec<Hamlet> {
        let mut out = Vec::new();
        let spacing = self.spec.hamlet_spacing_m;
        let mut s = 0.5 * spacing;
        // Every other hamlet stands on a raised platform (村台).
        let mut platform = rng.chance(0.5);
        while s < self.spec.length_m - 200.0 {
            let here =
                (s + rng.range(-0.25, 0.25) * spacing).clamp(200.0, self.spec.length_m - 200.0);
            s += spacing;
            let w = self.floodplain_width(here);
            if w < 650.0 || self.on_dike_works(here, 150.0) {
                continue;
            }
            let mut e = w * rng.range(0.4, 0.72);
            if self.polder_at(here).is_some() {
                e = e.max(PDIKE_OFFSET_M + PLATFORM_HALF_Y_M + 60.0);
            }
            let e = e.min(w - PLATFORM_HALF_Y_M - 40.0);
            out.push(Hamlet {
                s_m: here,
                x: self.x_of(here),
                y: self.bank_y(here) - e,
                platform,
            });
            platform = !platform;
        }
        out
    }

    fn place_ponds(&self, rng: &mut Rng, count: usize) -> Vec<Pond> {
        let mut out: Vec<Pond> = Vec::new();
        let mut tries = 0;
        while out.len() < count && tries < count * 50 {
            tries += 1;
            let s = rng.range(300.0, self.spec.length_m - 300.0);
            let rx = rng.range(120.0, 260.0);
            let ry = rx * rng.range(0.55, 1.0);
            let behind = rng.range(450.0, 1500.0);
            let y = self.dike_y(s) - DIKE_HALF_FOOTPRINT_M - behind;
            let x = self.x_of(s);
            let clear = out.iter().all(|p| {
                (p.x - x).abs() > p.rx + rx + 200.0 || (p.y - y).abs() > p.ry + ry + 200.0
            });
            if clear {
                out.push(Pond {
                    x,
                    y,
                    rx,
                    ry,
                    depth: rng.range(1.0, 1.4),
                });
            }
        }
        out
    }

    /// Length of the gridded reach (m).
    pub fn length_m(&self) -> f64 {
        self.spec.length_m
    }

    /// Chainage of the reference gauge (m).
    pub fn ref_chainage_m(&self) -> f64 {
        self.spec.ref_chainage_m
    }

    /// Easting of a chainage.
    pub fn x_of(&self, s: f64) -> f64 {
        self.spec.origin_x_m + s
    }

    /// Chainage of an easting.
    pub fn s_of(&self, x: f64) -> f64 {
        x - self.spec.origin_x_m
    }

    /// South floodplain width, bank to dike toe (m).
    pub fn floodplain_width(&self, s: f64) -> f64 {
        knot_eval(&self.spec.floodplain_knots, s)
    }

    /// Channel centreline northing.
    pub fn centre_y(&self, s: f64) -> f64 {
        self.spec.centre_base_y_m + self.spec.channel_shift * self.floodplain_width(s)
    }

    /// Main south dike centre northing.
    pub fn dike_y(&self, s: f64) -> f64 {
        self.spec.centre_base_y_m
            - CHANNEL_HALF_WIDTH_M
            - DIKE_HALF_FOOTPRINT_M
            - (1.0 - self.spec.channel_shift) * self.floodplain_width(s)
    }

    /// South channel bank northing.
    pub fn bank_y(&self, s: f64) -> f64 {
        self.centre_y(s) - CHANNEL_HALF_WIDTH_M
    }

    /// North dike crest northing.
    pub fn north_dike_y(&self) -> f64 {
        self.spec.north_dike_y_m
    }

    /// Northing where village land behind the dike gives way to the communities.
    pub fn back_edge_y(&self, s: f64) -> f64 {
        self.dike_y(s) - DIKE_HALF_FOOTPRINT_M - self.spec.back_band_m
    }

    /// The town's south edge.
    pub fn south_y(&self, s: f64) -> f64 {
        self.dike_y(s)
            - DIKE_HALF_FOOTPRINT_M
            - knot_eval(&self.spec.city_width_knots, s)
            - self.city_offset_m
    }

    /// Offset from relative to absolute elevation at a chainage (m).
    pub fn slope_offset(&self, s: f64) -> f64 {
        -SLOPE_M_PER_M * (s - self.spec.ref_chainage_m)
    }

    /// The polder covering a chainage, if any.
    pub fn polder_at(&self, s: f64) -> Option<usize> {
        self.polders.iter().position(|p| s > p.s0_m && s < p.s1_m)
    }

    /// Whether a chainage lies at (or within `margin` of) works on the main dike.
    fn on_dike_works(&self, s: f64, margin: f64) -> bool {
        self.works
            .iter()
            .any(|w| !w.control && s > w.s0_m - margin && s < w.s1_m + margin)
    }

    /// The column quantities at an easting.
    pub fn column(&self, x: f64) -> Column {
        let s = self.s_of(x);
        let h = 5.0;
        let dc = (self.centre_y(s + h) - self.centre_y(s - h)) / (2.0 * h);
        let dd = (self.dike_y(s + h) - self.dike_y(s - h)) / (2.0 * h);
        let w = self.floodplain_width(s);
        let mut spurs = Vec::new();
        let mut control = false;
        for wk in &self.works {
            if s < wk.s0_m - 40.0 || s > wk.s1_m + 40.0 {
                continue;
            }
            let (root, tip, crest) = if wk.control {
                if s >= wk.s0_m && s <= wk.s1_m {
                    control = true;
                }
                let bank = self.bank_y(s);
                (bank - 10.0, bank + SPUR_LENGTH_M, CONTROL_CREST_REL_M)
            } else {
                let yd = self.dike_y(s);
                (
                    yd,
                    yd + DIKE_HALF_FOOTPRINT_M + SPUR_LENGTH_M,
                    SPUR_CREST_REL_M,
                )
            };
            for &sk in &wk.spurs {
                if (s - sk).abs() < 30.0 {
                    spurs.push((s - sk, root, tip, crest));
                }
            }
        }
        Column {
            s,
            x,
            yc: self.centre_y(s),
            yd: self.dike_y(s),
            w,
            cos_c: 1.0 / (1.0 + dc * dc).sqrt(),
            cos_d: 1.0 / (1.0 + dd * dd).sqrt(),
            hug: smoothstep(1.0 - w / 400.0),
            slope_off: self.slope_offset(s),
            swale_e: w * (0.5 + 0.3 * self.swale_noise.along(s, 1500.0)),
            swale_depth: 0.45 * ((w - 500.0) / 400.0).clamp(0.0, 1.0),
            polders: (0..self.walls.len())
                .filter(|&k| s > self.walls[k].s0 - 60.0 && s < self.walls[k].s1 + 60.0)
                .collect(),
            spurs,
            control,
            ponds: (0..self.ponds.len())
                .filter(|&k| (self.ponds[k].x - x).abs() < self.ponds[k].rx + 1.0)
                .collect(),
            platforms: (0..self.hamlets.len())
                .filter(|&k| {
                    self.hamlets[k].platform
                        && (self.hamlets[k].x - x).abs() < PLATFORM_HALF_X_M + 40.0
                })
                .collect(),
        }
    }

    /// Absolute elevation (m) at northing `y` in a column, before quantisation.
    pub fn elevation(&self, col: &Column, y: f64) -> f64 {
        let d_south = (y - col.yd) * col.cos_d;
        let d_north = y - self.spec.north_dike_y_m;
        let crest = DIKE_CREST_REL_M + col.slope_off;
        let dike = crest - (d_south.abs() - DIKE_CREST_HALF_WIDTH_M).max(0.0) / DIKE_SIDE_SLOPE;
        let ndike = crest - (d_north.abs() - DIKE_CREST_HALF_WIDTH_M).max(0.0) / DIKE_SIDE_SLOPE;
        let terrain = if d_south < 0.0 {
            self.city(col, y)
        } else if d_north > 0.0 {
            NORTH_LAND_M + 0.3 * self.city_noise.fbm(col.x, y, 2000.0, 2)
        } else {
            self.river_rel(col, y) + col.slope_off
        };
        terrain.max(dike).max(ndike)
    }

    fn city(&self, col: &Column, y: f64) -> f64 {
        let behind = (col.yd - y).max(0.0);
        let mut z = CITY_BASE_M
            + 0.45 * self.city_noise.fbm(col.x, y, 2500.0, 2)
            + 0.15 * self.fine_noise.fbm(col.x, y, 600.0, 2)
            - 0.000_08 * behind;
        for &k in &col.ponds {
            let p = &self.ponds[k];
            let u = (((col.x - p.x) / p.rx).powi(2) + ((y - p.y) / p.ry).powi(2)).sqrt();
            z -= p.depth * bump(u);
        }
        z
    }

    fn bed_rel(&self, col: &Column, dv: f64) -> f64 {
        let off = -250.0 * col.hug;
        let u = ((dv - off) / BED_HALF_WIDTH_M).clamp(-1.0, 1.0);
        let z = BED_DEEP_REL_M
            + (BED_EDGE_REL_M - BED_DEEP_REL_M) * u * u
            + 0.12 * self.bed_noise.fbm(col.x, col.yc + dv, 800.0, 2);
        z.clamp(87.8, BED_EDGE_REL_M)
    }

    fn floodplain_rel(&self, col: &Column, y: f64, e: f64, south: bool) -> f64 {
        let e = e.max(0.0);
        let mut z = BANK_TOP_REL_M
            + FLOODPLAIN_RISE_M * e / (e + FLOODPLAIN_RISE_SCALE_M)
            + 0.12 * self.fp_noise.fbm(col.x, y, 500.0, 2)
            + 0.03 * self.fine_noise.at(col.x, y, 120.0);
        if south {
            z -= col.swale_depth * bump((e - col.swale_e) / 70.0);
        }
        z.max(BANK_TOP_REL_M)
    }

    /// Relative elevation between the dikes.
    fn river_rel(&self, col: &Column, y: f64) -> f64 {
        let dv = y - col.yc;
        let a = dv.abs();
        let south = dv < 0.0;
        let mut z = if a < BED_HALF_WIDTH_M {
            self.bed_rel(col, dv)
        } else {
            let fp = self.floodplain_rel(col, y, a - CHANNEL_HALF_WIDTH_M, south);
            if a < BED_HALF_WIDTH_M + BANK_RAMP_M {
                let b = self.bed_rel(col, dv.signum() * BED_HALF_WIDTH_M);
                b + (fp - b) * smoothstep((a - BED_HALF_WIDTH_M) / BANK_RAMP_M)
            } else {
                fp
            }
        };
        if !south {
            return z;
        }
        for &k in &col.polders {
            z = z.max(
                PDIKE_CREST_REL_M
                    - (self.wall_distance(k, col, y) - PDIKE_CREST_HALF_WIDTH_M).max(0.0) / 3.0,
            );
        }
        for &(ds, root, tip, crest) in &col.spurs {
            if y >= root {
                let z_sp = crest
                    - (ds.abs() - SPUR_HALF_WIDTH_M).max(0.0) * 1.5
                    - (y - tip).max(0.0) * 1.5;
                z = z.max(z_sp);
            }
        }
        if col.control {
            let d = (y - (col.yc - CHANNEL_HALF_WIDTH_M)).abs();
            z = z.max(CONTROL_CREST_REL_M - (d - 10.0).max(0.0) / 2.0);
        }
        for &k in &col.platforms {
            let d = self.platform_distance(k, col.x, y);
            z = z.max(PLATFORM_TOP_REL_M - d.max(0.0) / 3.0);
        }
        z
    }

    /// Distance from a point to polder `k`'s wall (bank wall and both arms).
    fn wall_distance(&self, k: usize, col: &Column, y: f64) -> f64 {
        let w = &self.walls[k];
        let s = col.s;
        let arm = |sa: f64, top: f64, bot: f64| {
            let ds = (s - sa).abs();
            if y <= top && y >= bot {
                ds
            } else {
                let dy = if y > top { y - top } else { bot - y };
                (ds * ds + dy * dy).sqrt()
            }
        };
        let mut d = arm(w.s0, w.top0, w.bot0).min(arm(w.s1, w.top1, w.bot1));
        if s >= w.s0 && s <= w.s1 {
            let line = col.yc - CHANNEL_HALF_WIDTH_M - PDIKE_OFFSET_M;
            d = d.min((y - line).abs() * col.cos_c);
        }
        d
    }

    /// Signed distance to hamlet `k`'s platform (negative inside).
    fn platform_distance(&self, k: usize, x: f64, y: f64) -> f64 {
        let h = &self.hamlets[k];
        let dx = (x - h.x).abs() - (PLATFORM_HALF_X_M - PLATFORM_CORNER_M);
        let dy = (y - h.y).abs() - (PLATFORM_HALF_Y_M - PLATFORM_CORNER_M);
        let outside = (dx.max(0.0).powi(2) + dy.max(0.0).powi(2)).sqrt();
        outside + dx.max(dy).min(0.0) - PLATFORM_CORNER_M
    }

    /// What lies at a point.
    pub fn land(&self, x: f64, y: f64) -> Land {
        let col = self.column(x);
        self.land_in(&col, y)
    }

    /// What lies at northing `y` in a column.
    pub fn land_in(&self, col: &Column, y: f64) -> Land {
        let d_south = (y - col.yd) * col.cos_d;
        if d_south.abs() <= DIKE_HALF_FOOTPRINT_M {
            return Land::MainDike;
        }
        if d_south < 0.0 {
            let in_pond = col.ponds.iter().any(|&k| {
                let p = &self.ponds[k];
                ((col.x - p.x) / p.rx).powi(2) + ((y - p.y) / p.ry).powi(2) < 1.0
            });
            return if in_pond { Land::Pond } else { Land::City };
        }
        if y >= self.spec.north_dike_y_m - DIKE_HALF_FOOTPRINT_M {
            return Land::NorthBank;
        }
        let dv = y - col.yc;
        if dv.abs() < BED_HALF_WIDTH_M + BANK_RAMP_M {
            return Land::Channel;
        }
        if dv > 0.0 {
            return Land::NorthFloodplain;
        }
        let near_structure = col.spurs.iter().any(|&(ds, root, tip, _)| {
            ds.abs() < SPUR_HALF_WIDTH_M + 4.0 && y >= root && y <= tip + 4.0
        }) || (col.control
            && (y - (col.yc - CHANNEL_HALF_WIDTH_M)).abs() < 14.0);
        if near_structure {
            return Land::WorksStructure;
        }
        if col
            .polders
            .iter()
            .any(|&k| self.wall_distance(k, col, y) < PDIKE_CREST_HALF_WIDTH_M + 12.0)
        {
            return Land::ProductionDike;
        }
        if col
            .platforms
            .iter()
            .any(|&k| self.platform_distance(k, col.x, y) < 0.0)
        {
            return Land::Platform;
        }
        let inside_polder = col.polders.iter().any(|&k| {
            let w = &self.walls[k];
            col.s > w.s0 && col.s < w.s1 && y < col.yc - CHANNEL_HALF_WIDTH_M - PDIKE_OFFSET_M
        });
        if inside_polder {
            Land::Polder
        } else {
            Land::Floodplain
        }
    }

    /// Relative elevation of a DEM value at an easting: the stage at the reference gauge that
    /// would stand at this height here.
    pub fn to_relative(&self, x: f64, z_abs: f64) -> f64 {
        z_abs - self.slope_offset(self.s_of(x))
    }

    /// The polder wall as a polyline (arm, bank wall, arm), every `step` metres.
    pub fn polder_line(&self, k: usize, step: f64) -> Vec<(f64, f64)> {
        let w = &self.walls[k];
        let mut out = vec![(self.x_of(w.s0), w.bot0 + DIKE_HALF_FOOTPRINT_M)];
        let n = ((w.s1 - w.s0) / step).ceil().max(1.0) as usize;
        for i in 0..=n {
            let s = w.s0 + (w.s1 - w.s0) * i as f64 / n as f64;
            out.push((self.x_of(s), self.bank_y(s) - PDIKE_OFFSET_M));
        }
        out.push((self.x_of(w.s1), w.bot1 + DIKE_HALF_FOOTPRINT_M));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knots_are_smooth_and_flat_beyond_ends() {
        let k = [(0.0, 0.0), (100.0, 10.0)];
        assert_eq!(knot_eval(&k, -5.0), 0.0);
        assert_eq!(knot_eval(&k, 50.0), 5.0);
        assert_eq!(knot_eval(&k, 500.0), 10.0);
    }

    #[test]
    fn channel_hugs_the_dike_at_the_works() {
        let r = Reach::new(&Preset::huayuankou());
        for w in &r.works {
            if !w.control {
                let s = 0.5 * (w.s0_m + w.s1_m);
                assert!(r.floodplain_width(s) < 1.0);
                assert!((r.bank_y(s) - r.dike_y(s) - DIKE_HALF_FOOTPRINT_M).abs() < 1.0);
            }
        }
    }
}
