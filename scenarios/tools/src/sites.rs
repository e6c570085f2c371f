//! Sites (sites.geojson): the river works and their smart stones, material depots, shelters,
//! boat stations, command posts, the gauge, pumping stations, and the river, dikes, production
//! dikes and roads as lines. Point sites carry the id of the lowest grid that contains them.

use floodgrid_engine::flood::Raster;

use crate::geojson::{Feature, Geometry, Json};
use crate::grids::{Grids, Kind};
use crate::preset::{Preset, WorksKind};
use crate::reach::{
    DIKE_CREST_REL_M, DIKE_HALF_FOOTPRINT_M, Land, PDIKE_CREST_REL_M, Reach, SPUR_LENGTH_M,
};
use crate::rng::{Rng, apportion};

/// Flood-fighting materials: (id, Chinese name, English name, unit).
pub const MATERIALS: [(&str, &str, &str, &str); 23] = [
    ("woven_bag", "编织袋", "Woven bags", "条"),
    ("stone", "备防石", "Reserve stone", "立方米"),
    ("sand_gravel", "砂石料", "Sand and gravel", "立方米"),
    ("geotextile", "土工布", "Geotextile", "平方米"),
    ("tarpaulin", "篷布", "Tarpaulins", "块"),
    ("wire", "铅丝", "Binding wire", "千克"),
    ("stakes", "木桩", "Timber stakes", "根"),
    ("life_jacket", "救生衣", "Life jackets", "件"),
    ("life_buoy", "救生圈", "Life buoys", "个"),
    ("assault_boat", "冲锋舟", "Assault boats", "艘"),
    ("pump", "排涝水泵", "Drainage pumps", "台"),
    ("generator", "发电机组", "Generators", "台"),
    ("light", "照明灯具", "Floodlights", "套"),
    ("radio", "对讲机", "Radios", "部"),
    ("excavator", "挖掘机", "Excavators", "台"),
    ("truck", "自卸运输车", "Dump trucks", "辆"),
    ("bus", "转移客车", "Evacuation buses", "辆"),
    ("ambulance", "救护车", "Ambulances", "辆"),
    ("drone", "无人机", "Drones", "架"),
    ("tent", "帐篷", "Tents", "顶"),
    ("drinking_water", "饮用水", "Drinking water", "箱"),
    ("food_ration", "方便食品", "Food rations", "箱"),
    ("first_aid_kit", "急救包", "First-aid kits", "个"),
];

/// Stock of a village depot (SL 298-2004 style; a village example holds 30,000 woven bags, 2
/// excavators and 4 trucks).
const VILLAGE_STOCK: &[(&str, u32)] = &[
    ("woven_bag", 30_000),
    ("sand_gravel", 200),
    ("geotextile", 2000),
    ("tarpaulin", 100),
    ("wire", 500),
    ("stakes", 600),
    ("life_jacket", 150),
    ("life_buoy", 40),
    ("pump", 4),
    ("generator", 2),
    ("light", 20),
    ("radio", 10),
    ("excavator", 2),
    ("truck", 4),
    ("tent", 20),
    ("drinking_water", 200),
    ("food_ration", 200),
    ("first_aid_kit", 30),
];

/// The river bureau's reserve at a works (备防石 and emergency-repair materials).
const WORKS_STOCK: &[(&str, u32)] = &[
    ("woven_bag", 50_000),
    ("stone", 12_000),
    ("sand_gravel", 1500),
    ("geotextile", 20_000),
    ("tarpaulin", 300),
    ("wire", 6000),
    ("stakes", 3000),
    ("life_jacket", 100),
    ("generator", 6),
    ("light", 40),
    ("radio", 20),
    ("excavator", 4),
    ("truck", 8),
    ("drone", 2),
];

/// The town's central flood-materials store.
const TOWN_STOCK: &[(&str, u32)] = &[
    ("woven_bag", 100_000),
    ("sand_gravel", 1000),
    ("geotextile", 15_000),
    ("tarpaulin", 500),
    ("wire", 3000),
    ("stakes", 2000),
    ("life_jacket", 1500),
    ("life_buoy", 400),
    ("assault_boat", 6),
    ("pump", 20),
    ("generator", 10),
    ("light", 100),
    ("radio", 60),
    ("excavator", 4),
    ("truck", 12),
    ("bus", 20),
    ("ambulance", 6),
    ("drone", 6),
    ("tent", 300),
    ("drinking_water", 3000),
    ("food_ration", 3000),
    ("first_aid_kit", 500),
];

/// Rounds a varied quantity to two significant figures (small counts stay exact).
fn vary(rng: &mut Rng, q: u32) -> i64 {
    if q < 100 {
        return i64::from(q);
    }
    let v = f64::from(q) * rng.range(0.8, 1.25);
    let mag = 10f64.powi(v.log10().floor() as i32 - 1);
    ((v / mag).round() * mag) as i64
}

fn stock(rng: &mut Rng, table: &[(&str, u32)]) -> Json {
    Json::Obj(
        table
            .iter()
            .map(|&(id, q)| (id.to_string(), Json::Int(vary(rng, q))))
            .collect(),
    )
}

struct Placer<'a> {
    reach: &'a Reach,
    grids: &'a Grids,
}

impl Placer<'_> {
    /// The first point near (s, y) — stepping along the river — whose land passes `ok` and that
    /// lies clear inside a grid.
    fn near(
        &self,
        s: f64,
        y_of: &dyn Fn(f64) -> f64,
        ok: &dyn Fn(Land) -> bool,
    ) -> Option<(f64, f64, usize)> {
        for k in 0..120 {
            let step = 25.0 * f64::from((k + 1) / 2) * if k % 2 == 0 { 1.0 } else { -1.0 };
            let s2 = s + step;
            let (x, y) = (self.reach.x_of(s2), y_of(s2));
            let Some(g) = self.grids.lowest_at(x, y) else {
                continue;
            };
            let clear = [(-3.0, 0.0), (3.0, 0.0), (0.0, -3.0), (0.0, 3.0)]
                .iter()
                .all(|(dx, dy)| self.grids.lowest_at(x + dx, y + dy) == Some(g));
            if clear && ok(self.reach.land(x, y)) {
                return Some((x, y, g));
            }
        }
        None
    }
}

fn point(placer: &Placer, id: &str, name: &str, kind: &str, at: (f64, f64, usize)) -> Feature {
    Feature::new(id, name, kind, Geometry::Point(at.0, at.1))
        .with("grid", Json::s(&placer.grids.units[at.2].id))
}

fn city(l: Land) -> bool {
    l == Land::City
}

/// Everything in sites.geojson, in a fixed order.
pub fn generate(
    preset: &Preset,
    grids: &Grids,
    reach: &Reach,
    dem: &Raster,
) -> Result<Vec<Feature>, String> {
    let mut rng = Rng::stream(preset.seed, "sites");
    let placer = Placer { reach, grids };
    let mut out = Vec::new();
    let missing = |what: &str| format!("no place found for {what}");
    let dike_shoulder = |s: f64| reach.dike_y(s) + 8.0;
    let behind = |d: f64| move |s: f64| reach.dike_y(s) - DIKE_HALF_FOOTPRINT_M - d;

    // Works and their smart stones.
    let mut stones = Vec::new();
    for (k, w) in preset.works.iter().enumerate() {
        let geom = &reach.works[k];
        let line_y = |s: f64| match w.kind {
            WorksKind::Works => dike_shoulder(s),
            WorksKind::ControlWorks => reach.bank_y(s),
        };
        let n = ((w.s1_m - w.s0_m) / 50.0).ceil() as usize;
        let line: Vec<(f64, f64)> = (0..=n)
            .map(|i| {
                let s = w.s0_m + (w.s1_m - w.s0_m) * i as f64 / n as f64;
                (reach.x_of(s), line_y(s))
            })
            .collect();
        let ded = grids
            .of_kind(Kind::Dedicated)
            .find(|(_, u)| u.works == Some(k))
            .map(|(g, _)| g)
            .ok_or_else(|| format!("works {} has no dedicated grid", w.stem))?;
        let kind = match w.kind {
            WorksKind::Works => "works",
            WorksKind::ControlWorks => "control_works",
        };
        out.push(
            Feature::new(
                &format!("works.{}", w.stem),
                &w.name,
                kind,
                Geometry::LineString(line),
            )
            .with(
                "chainage_km",
                Json::Fixed(0.5 * (w.s0_m + w.s1_m) / 1000.0, 2),
            )
            .with("grid", Json::s(&grids.units[ded].id)),
        );
        // Stones sit on the root stones around each spur dam: up the upstream face, round the
        // head, down the downstream face, a few metres out in the water.
        let per_spur = apportion(w.smart_stones, &vec![1.0; geom.spurs.len()]);
        let mut no = 0;
        for (d, (&sk, &count)) in geom.spurs.iter().zip(&per_spur).enumerate() {
            let root = match w.kind {
                WorksKind::Works => reach.dike_y(sk) + DIKE_HALF_FOOTPRINT_M - 15.0,
                WorksKind::ControlWorks => reach.bank_y(sk),
            };
            let len = SPUR_LENGTH_M + 15.0;
            let half = 11.0;
            let path = 2.0 * len + 2.0 * half;
            for m in 0..count {
                let p = path * (m as f64 + 0.5) / count as f64;
                let (ds, dy) = if p < len {
                    (-half, p)
                } else if p < len + 2.0 * half {
                    (-half + (p - len), len + 3.0)
                } else {
                    (half, len - (p - len - 2.0 * half))
                };
                let (x, y) = (reach.x_of(sk + ds), root + dy);
                let g = grids
                    .lowest_at(x, y)
                    .ok_or_else(|| missing("a smart stone"))?;
                if g != ded {
                    return Err(format!(
                        "stone of {} at dam {} falls in {}",
                        w.stem,
                        d + 1,
                        grids.units[g].id
                    ));
                }
                no += 1;
                stones.push(
                    Feature::new(
                        &format!("stone.{}.{no:03}", w.stem),
                        &format!("{}{}号坝智能石头{}", w.name, d + 1, m + 1),
                        "smart_stone",
                        Geometry::Point(x, y),
                    )
                    .with("work", Json::s(format!("works.{}", w.stem)))
                    .with("grid", Json::s(&grids.units[g].id)),
                );
            }
        }
    }
    out.extend(stones);

    for (t, town) in preset.towns.iter().enumerate() {
        let seat = town.area.s0_m + 0.42 * (town.area.s1_m - town.area.s0_m);
        let town_works: Vec<usize> = (0..preset.works.len())
            .filter(|&k| {
                let mid = 0.5 * (preset.works[k].s0_m + preset.works[k].s1_m);
                mid >= town.area.s0_m && mid < town.area.s1_m
            })
            .collect();
        let mid = |a: &crate::preset::AreaSpec| 0.5 * (a.s0_m + a.s1_m);
        // Villages ranked by floodplain hamlets, then west to east: the floodplain villages.
        let mut fp_villages: Vec<(usize, usize)> = town
            .villages
            .iter()
            .enumerate()
            .map(|(v, a)| {
                (
                    reach
                        .hamlets
                        .iter()
                        .filter(|h| h.s_m >= a.s0_m && h.s_m < a.s1_m)
                        .count(),
                    v,
                )
            })
            .filter(|&(n, _)| n > 0)
            .collect();
        fp_villages.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        fp_villages.truncate(4);
        fp_villages.sort_by_key(|&(_, v)| v);

        // Depots.
        let at = placer
            .near(seat, &behind(900.0), &city)
            .ok_or_else(|| missing("town depot"))?;
        out.push(
            point(
                &placer,
                &format!("depot.{}_town", town.area.stem),
                &format!("{}防汛物资仓库", town.area.name),
                "depot",
                at,
            )
            .with("stock", {
                // The evacuation fleet grows with the town's residents.
                let fleet = |id: &str| ["bus", "ambulance"].contains(&id);
                let table: Vec<(&str, u32)> = TOWN_STOCK
                    .iter()
                    .map(|&(id, q)| {
                        let scaled = f64::from(q) * preset.evacuation_capacity;
                        (id, if fleet(id) { scaled.round() as u32 } else { q })
                    })
                    .collect();
                stock(&mut rng, &table)
            }),
        );
        if let Some(&k) = town_works.first() {
            let w = &preset.works[k];
            let at = placer
                .near(0.5 * (w.s0_m + w.s1_m), &behind(-25.0), &|l| {
                    l == Land::MainDike
                })
                .ok_or_else(|| missing("works depot"))?;
            out.push(
                point(
                    &placer,
                    &format!("depot.{}_works", w.stem),
                    &format!("{}备防料场", w.name),
                    "depot",
                    at,
                )
                .with("stock", stock(&mut rng, WORKS_STOCK)),
            );
        }
        for v in &town.villages {
            let at = placer
                .near(mid(v), &behind(180.0), &city)
                .ok_or_else(|| missing("village depot"))?;
            out.push(
                point(
                    &placer,
                    &format!("depot.{}", v.stem),
                    &format!("{}防汛物资储备点", v.name),
                    "depot",
                    at,
                )
                .with("stock", stock(&mut rng, VILLAGE_STOCK)),
            );
        }

        // Shelters: four town-level ones near the seat, a service centre and a school per
        // community.
        let mut shelters: Vec<(f64, f64)> = Vec::new();
        let mut shelter = |out: &mut Vec<Feature>,
                           rng: &mut Rng,
                           id: String,
                           name: String,
                           at: (f64, f64, usize),
                           beds: u32| {
            let beds = (f64::from(beds) * preset.evacuation_capacity * rng.range(0.85, 1.15) / 10.0)
                .round() as i64
                * 10;
            let children = beds / 5;
            let men = (beds - children) / 2;
            shelters.push((at.0, at.1));
            out.push(point(&placer, &id, &name, "shelter", at).with(
                "capacity",
                Json::Obj(vec![
                    ("men".into(), Json::Int(men)),
                    ("women".into(), Json::Int(beds - children - men)),
                    ("children".into(), Json::Int(children)),
                ]),
            ));
        };
        let town_shelters = [
            ("middle_school", "第一初级中学", 900.0, -900.0, 1500.0),
            ("primary_school", "中心小学", 600.0, 700.0, 1300.0),
            ("culture_centre", "文化活动中心", 500.0, -300.0, 1900.0),
            ("gym", "全民健身中心", 700.0, 1500.0, 1700.0),
        ];
        for (stem, zh, beds, ds, depth) in town_shelters {
            let at = placer
                .near(seat + ds, &behind(depth), &city)
                .ok_or_else(|| missing("shelter"))?;
            shelter(
                &mut out,
                &mut rng,
                format!("shelter.{}_{stem}", town.area.stem),
                format!("{}{zh}", town.area.name),
                at,
                beds as u32,
            );
        }
        for c in &town.communities {
            let width = c.s1_m - c.s0_m;
            let depth = |s: f64| 0.5 * (reach.back_edge_y(s) + reach.south_y(s));
            let at = placer
                .near(c.s0_m + 0.3 * width, &|s| depth(s) + 150.0, &city)
                .ok_or_else(|| missing("shelter"))?;
            shelter(
                &mut out,
                &mut rng,
                format!("shelter.{}_centre", c.stem),
                format!("{}服务中心", c.name),
                at,
                300,
            );
            let at = placer
                .near(c.s0_m + 0.7 * width, &|s| depth(s) - 150.0, &city)
                .ok_or_else(|| missing("shelter"))?;
            let school = format!("{}小学", c.name.trim_end_matches("社区"));
            shelter(
                &mut out,
                &mut rng,
                format!("shelter.{}_school", c.stem),
                school,
                at,
                450,
            );
        }

        // Boat stations at the dike's river toe of the floodplain villages.
        for &(_, v) in &fp_villages {
            let a = &town.villages[v];
            let s = reach
                .hamlets
                .iter()
                .find(|h| h.s_m >= a.s0_m && h.s_m < a.s1_m)
                .map_or(mid(a), |h| h.s_m);
            let at = placer
                .near(
                    s,
                    &|s| reach.dike_y(s) + DIKE_HALF_FOOTPRINT_M + 30.0,
                    &|l| l.is_floodplain(),
                )
                .ok_or_else(|| missing("boat station"))?;
            // The station's boats are also stock the plan's boat tasks draw on.
            let boats = 2 + rng.below(3) as u32;
            out.push(
                point(
                    &placer,
                    &format!("boat.{}", a.stem),
                    &format!("{}冲锋舟停靠点", a.name),
                    "boat_station",
                    at,
                )
                .with("boats", Json::Int(i64::from(boats)))
                .with("stock", stock(&mut rng, &[("assault_boat", boats)])),
            );
        }

        // Command posts: the front-line command centre behind the first works, a duty post in
        // each floodplain village.
        if let Some(&k) = town_works.first() {
            let w = &preset.works[k];
            let (id, name) = if t == 0 {
                ("post.front".to_string(), "黄河防汛前线指挥中心".to_string())
            } else {
                (
                    format!("post.{}", town.area.stem),
                    format!("{}黄河防汛前线指挥部", town.area.name),
                )
            };
            let at = placer
                .near(0.5 * (w.s0_m + w.s1_m) + 250.0, &behind(120.0), &city)
                .ok_or_else(|| missing("command post"))?;
            out.push(point(&placer, &id, &name, "command_post", at));
        }
        for &(_, v) in &fp_villages {
            let a = &town.villages[v];
            let at = placer
                .near(mid(a), &behind(320.0), &city)
                .ok_or_else(|| missing("village post"))?;
            out.push(point(
                &placer,
                &format!("post.{}", a.stem),
                &format!("{}防汛值班室", a.name),
                "command_post",
                at,
            ));
        }

        // The reference gauge on the dike shoulder at its station.
        if let Some(st) = preset
            .stations
            .iter()
            .find(|s| s.id == preset.gauge_station)
            && st.chainage_m >= town.area.s0_m
            && st.chainage_m < town.area.s1_m
        {
            let at = placer
                .near(st.chainage_m, &dike_shoulder, &|l| l == Land::MainDike)
                .ok_or_else(|| missing("gauge"))?;
            let id = if preset.gauge_station == "hyk" {
                "gauge.hyk".to_string()
            } else {
                format!("gauge.{}", st.id)
            };
            out.push(point(
                &placer,
                &id,
                &format!("{}水文站", st.name),
                "gauge",
                at,
            ));
        }

        // Pumping stations behind the first and last works.
        let mut pumps: Vec<usize> = town_works
            .iter()
            .copied()
            .filter(|&k| preset.works[k].kind == WorksKind::Works)
            .collect();
        if pumps.len() > 2 {
            pumps.drain(1..pumps.len() - 1);
        }
        for k in pumps {
            let w = &preset.works[k];
            let base = w.name.trim_end_matches("险工");
            let at = placer
                .near(0.5 * (w.s0_m + w.s1_m) - 300.0, &behind(90.0), &city)
                .ok_or_else(|| missing("pumping station"))?;
            out.push(point(
                &placer,
                &format!("pump.{}", w.stem),
                &format!("{base}排涝站"),
                "pumping_station",
                at,
            ));
        }

        // Roads: the dike-top road, a riverside county road and a trunk road south from the
        // seat, and a village road from every floodplain hamlet over a dike ramp to the nearest
        // shelter.
        let sample = |s0: f64, s1: f64, y: &dyn Fn(f64) -> f64| -> Vec<(f64, f64)> {
            let n = ((s1 - s0) / 100.0).ceil().max(1.0) as usize;
            (0..=n)
                .map(|i| {
                    let s = s0 + (s1 - s0) * i as f64 / n as f64;
                    (reach.x_of(s), y(s))
                })
                .collect()
        };
        let (s0, s1) = (town.area.s0_m, town.area.s1_m);
        out.push(
            Feature::new(
                &format!("road.{}.dike", town.area.stem),
                &format!("{}堤顶道路", town.area.name),
                "road",
                Geometry::LineString(sample(s0, s1, &|s| reach.dike_y(s))),
            )
            .with("class", Json::s("dike_road")),
        );
        let county_y = |s: f64| 0.5 * (reach.back_edge_y(s) + reach.south_y(s)) + 40.0;
        out.push(
            Feature::new(
                &format!("road.{}.binhe", town.area.stem),
                &format!("{}滨河路", town.area.name),
                "road",
                Geometry::LineString(sample(s0, s1, &county_y)),
            )
            .with("class", Json::s("county")),
        );
        let xs = reach.x_of(seat);
        let trunk = vec![
            (xs, reach.dike_y(seat) - DIKE_HALF_FOOTPRINT_M),
            (xs, reach.south_y(seat) - 200.0),
        ];
        out.push(
            Feature::new(
                &format!("road.{}.trunk", town.area.stem),
                &format!("{}大堤连接线", town.area.name),
                "road",
                Geometry::LineString(trunk),
            )
            .with("class", Json::s("county")),
        );
        for (h, hm) in reach.hamlets.iter().enumerate() {
            if hm.s_m < s0 || hm.s_m >= s1 {
                continue;
            }
            let village = town
                .villages
                .iter()
                .find(|a| hm.s_m >= a.s0_m && hm.s_m < a.s1_m)
                .map_or("", |a| a.name.as_str());
            let yd = reach.dike_y(hm.s_m);
            let toe = yd - DIKE_HALF_FOOTPRINT_M;
            let target = shelters
                .iter()
                .copied()
                .min_by(|a, b| {
                    let da = (a.0 - hm.x).powi(2) + (a.1 - toe).powi(2);
                    let db = (b.0 - hm.x).powi(2) + (b.1 - toe).powi(2);
                    da.total_cmp(&db)
                })
                .ok_or_else(|| missing("shelter for a road"))?;
            let line = vec![
                (hm.x, hm.y),
                (hm.x, yd + DIKE_HALF_FOOTPRINT_M),
                (hm.x, yd),
                (hm.x, toe),
                target,
            ];
            out.push(
                Feature::new(
                    &format!("road.hamlet.{:02}", h + 1),
                    &format!("{village}撤离道路"),
                    "road",
                    Geometry::LineString(line),
                )
                .with("class", Json::s("village")),
            );
        }
    }

    // Lines across the whole DEM: the river, both main dikes, the production dikes.
    let (w, _, e, _) = dem.bounds();
    let (s_w, s_e) = (reach.s_of(w) + 20.0, reach.s_of(e) - 20.0);
    let across = |y: &dyn Fn(f64) -> f64| -> Vec<(f64, f64)> {
        let n = ((s_e - s_w) / 100.0).ceil() as usize;
        (0..=n)
            .map(|i| {
                let s = s_w + (s_e - s_w) * i as f64 / n as f64;
                (reach.x_of(s), y(s))
            })
            .collect()
    };
    let crest_mid = |s: f64, rel: f64| Json::Fixed(rel + reach.slope_offset(s), 2);
    let mid_s = 0.5 * (s_w + s_e);
    out.push(Feature::new(
        "river.main",
        "黄河",
        "river",
        Geometry::LineString(across(&|s| reach.centre_y(s))),
    ));
    out.push(
        Feature::new(
            "dike.south",
            "黄河南岸临黄大堤",
            "main_dike",
            Geometry::LineString(across(&|s| reach.dike_y(s))),
        )
        .with("crest_m", crest_mid(mid_s, DIKE_CREST_REL_M)),
    );
    let yn = reach.north_dike_y();
    out.push(
        Feature::new(
            "dike.north",
            "黄河北岸大堤",
            "main_dike",
            Geometry::LineString(across(&|_| yn)),
        )
        .with("crest_m", crest_mid(mid_s, DIKE_CREST_REL_M)),
    );
    for (k, p) in reach.polders.iter().enumerate() {
        let line = reach.polder_line(k, 100.0);
        let m = 0.5 * (p.s0_m.max(s_w) + p.s1_m.min(s_e));
        let (x, y) = (reach.x_of(m), reach.bank_y(m) - 300.0);
        let owner = grids
            .lowest_at(x, y)
            .and_then(|g| grids.units[g].area_unit)
            .map_or_else(|| format!("{}号", k + 1), |v| grids.units[v].name.clone());
        out.push(
            Feature::new(
                &format!("pdike.{:02}", k + 1),
                &format!("{owner}生产堤"),
                "production_dike",
                Geometry::LineString(line),
            )
            .with("crest_m", crest_mid(m, PDIKE_CREST_REL_M)),
        );
    }
    Ok(out)
}
