//! What to generate: the bundled Huayuankou reach and the scale scenario, as plain data. Every
//! number a planner might question lives here with a note on where it comes from; the generator
//! modules only turn a [`Preset`] into files.

use std::path::PathBuf;

/// A generation recipe. Build one with [`Preset::huayuankou`] or [`Preset::scale`] and adjust
/// fields (seed, DEM size) before calling [`crate::generate`].
#[derive(Debug, Clone)]
pub struct Preset {
    /// Short name, e.g. `huayuankou`.
    pub id: String,
    /// Seed of every random choice.
    pub seed: u64,
    /// `name` in scenario.toml.
    pub name: String,
    /// `name_en` in scenario.toml.
    pub name_en: String,
    /// The terrain raster.
    pub dem: DemSpec,
    /// The river and its banks.
    pub reach: ReachSpec,
    /// Spacing of grid-polygon vertices along the river, metres.
    pub mesh_step_m: f64,
    /// Fractions between the channel centreline and the dike's river toe where floodplain grids
    /// may be cut across the river (ascending, in (0, 1)).
    pub river_splits: Vec<f64>,
    /// A district above the towns (the scale scenario); `None` makes the single town the root.
    pub district: Option<AreaSpec>,
    /// Towns west to east.
    pub towns: Vec<TownSpec>,
    /// River works west to east.
    pub works: Vec<WorksSpec>,
    /// River stations with rating curves, downstream order.
    pub stations: Vec<StationSpec>,
    /// The station whose curve belongs to the reference gauge.
    pub gauge_station: String,
    /// Personnel counts.
    pub people: PeopleSpec,
    /// Number of key persons to watch.
    pub key_persons: usize,
    /// Number of floodplain farm households.
    pub households: usize,
    /// When set, the area the (single) town must have, km²; the city-side width is adjusted.
    pub town_area_km2: Option<f64>,
    /// A plan file or directory copied into the output (`None`: write no plan).
    pub plan_source: Option<PathBuf>,
    /// Multiplies every shelter's beds and the town stores' buses and ambulances: a town of the
    /// scale scenario holds about eleven times the bundled town's residents, and its shelters
    /// and fleet are sized for them (1 for the bundled town).
    pub evacuation_capacity: f64,
}

/// Raster size and placement in EPSG:4547.
#[derive(Debug, Clone)]
pub struct DemSpec {
    /// Columns.
    pub ncols: usize,
    /// Rows.
    pub nrows: usize,
    /// Cell size, metres.
    pub cell_m: f64,
    /// West edge, metres.
    pub x_min_m: f64,
    /// South edge, metres.
    pub y_min_m: f64,
    /// File format.
    pub format: DemFormat,
}

/// How the DEM is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemFormat {
    /// `dem.asc`, ESRI ASCII grid.
    Ascii,
    /// `dem.tif`, deflate GeoTIFF.
    GeoTiff,
}

/// The river reach. Chainage `s` is metres east of `origin_x_m` along the valley axis, which is
/// how dike chainage (桩号) runs; the town reach starts at chainage 0.
#[derive(Debug, Clone)]
pub struct ReachSpec {
    /// Easting of chainage 0, metres.
    pub origin_x_m: f64,
    /// Length of the gridded reach, metres.
    pub length_m: f64,
    /// Northing of the channel centreline where the floodplain vanishes (at the works).
    pub centre_base_y_m: f64,
    /// Share of floodplain width gained by the channel moving north (the rest is the dike
    /// receding south).
    pub channel_shift: f64,
    /// South floodplain width between channel bank and dike toe, (chainage m, width m) knots
    /// joined by smoothsteps; zero stretches are where the channel hugs the dike.
    pub floodplain_knots: Vec<(f64, f64)>,
    /// Production-dike polders, chainage ranges (m).
    pub polders: Vec<(f64, f64)>,
    /// Spacing of floodplain hamlets along the reach (m).
    pub hamlet_spacing_m: f64,
    /// Number of closed ponds on the city side.
    pub ponds: usize,
    /// Chainage of the reference gauge, where relative elevations equal absolute ones (m).
    pub ref_chainage_m: f64,
    /// Northing of the north dike crest.
    pub north_dike_y_m: f64,
    /// Width of the city side from the dike's land toe to the town's south edge, (chainage m,
    /// width m) knots; shifted as a whole to meet `town_area_km2`.
    pub city_width_knots: Vec<(f64, f64)>,
    /// Width of village land behind the dike before the communities begin (m).
    pub back_band_m: f64,
}

/// A named area (village, community, town or district) over a chainage range.
#[derive(Debug, Clone)]
pub struct AreaSpec {
    /// Pinyin stem used in ids, e.g. `huayuankou`.
    pub stem: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// West end, chainage m.
    pub s0_m: f64,
    /// East end, chainage m.
    pub s1_m: f64,
}

/// A town: villages reach from the channel centreline across the floodplain and the dike into
/// the land behind it; communities fill the city side south of them.
#[derive(Debug, Clone)]
pub struct TownSpec {
    /// The town itself.
    pub area: AreaSpec,
    /// Villages west to east, covering the town's chainage.
    pub villages: Vec<AreaSpec>,
    /// Communities west to east, covering the town's chainage.
    pub communities: Vec<AreaSpec>,
    /// Grids to cut the villages into.
    pub village_grids: usize,
    /// Grids to cut the communities into (each becomes two micro-grids).
    pub community_grids: usize,
}

/// 险工 on the dike or 控导工程 on the channel bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorksKind {
    /// Works protecting the main dike where the channel runs against it.
    Works,
    /// Control works guiding the channel from the floodplain bank.
    ControlWorks,
}

/// A river works and its dedicated grid.
#[derive(Debug, Clone)]
pub struct WorksSpec {
    /// Pinyin stem: site `works.<stem>`, dedicated grid `d.<stem>`.
    pub stem: String,
    /// Chinese name, e.g. 花园口险工.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Kind.
    pub kind: WorksKind,
    /// West end, chainage m.
    pub s0_m: f64,
    /// East end, chainage m.
    pub s1_m: f64,
    /// Smart stones buried at its dams.
    pub smart_stones: usize,
}

/// A river station.
#[derive(Debug, Clone)]
pub struct StationSpec {
    /// Station id.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// Chainage, m.
    pub chainage_m: f64,
}

/// How many people of each role; grid and micro-grid leaders follow from the grids.
#[derive(Debug, Clone)]
pub struct PeopleSpec {
    /// Town officials per town.
    pub town_officials_per_town: usize,
    /// River-bureau staff (one per works first, then spread).
    pub river_bureau: usize,
    /// Rural grid workers.
    pub grid_workers: usize,
    /// How many of the grid workers also form the mass rescue team (群众抢险队).
    pub mass_team_grid_workers: usize,
    /// 河地协同党员先锋岗.
    pub party_vanguard: usize,
    /// 退役军人突击队.
    pub veterans_commando: usize,
    /// 冲锋舟救援队.
    pub boat_rescue: usize,
    /// 专业抢险队.
    pub pro_rescue: usize,
}

fn area(stem: &str, name: &str, name_en: &str, s0_km: f64, s1_km: f64) -> AreaSpec {
    AreaSpec {
        stem: stem.into(),
        name: name.into(),
        name_en: name_en.into(),
        s0_m: s0_km * 1000.0,
        s1_m: s1_km * 1000.0,
    }
}

fn works(
    stem: &str,
    name: &str,
    name_en: &str,
    kind: WorksKind,
    s: (f64, f64),
    stones: usize,
) -> WorksSpec {
    WorksSpec {
        stem: stem.into(),
        name: name.into(),
        name_en: name_en.into(),
        kind,
        s0_m: s.0 * 1000.0,
        s1_m: s.1 * 1000.0,
        smart_stones: stones,
    }
}

fn station(id: &str, name: &str, chainage_km: f64) -> StationSpec {
    StationSpec {
        id: id.into(),
        name: name.into(),
        chainage_m: chainage_km * 1000.0,
    }
}

/// Town reach length inside 花园口镇 (DOMAIN.md).
const HUAYUANKOU_REACH_M: f64 = 14_220.0;

impl Preset {
    /// The bundled scenario: 花园口镇, 14.22 km of the Yellow River's south bank, 47.56 km², 68
    /// grids + 4 dedicated grids, 28 micro-grids, 294 staff, 249 smart stones.
    pub fn huayuankou() -> Preset {
        let km = |v: f64| v * 1000.0;
        Preset {
            id: "huayuankou".into(),
            seed: 20_210_927,
            name: "花园口镇".into(),
            name_en: "Huayuankou town".into(),
            dem: DemSpec {
                ncols: 1200,
                nrows: 1000,
                cell_m: 15.0,
                x_min_m: 461_000.0,
                y_min_m: 3_857_000.0,
                format: DemFormat::Ascii,
            },
            reach: ReachSpec {
                origin_x_m: 463_000.0,
                length_m: HUAYUANKOU_REACH_M,
                centre_base_y_m: 3_866_150.0,
                channel_shift: 0.45,
                floodplain_knots: vec![
                    (km(-5.0), 2200.0),
                    (km(0.2), 2200.0),
                    (km(2.2), 0.0),
                    (km(3.8), 0.0),
                    (km(4.95), 1000.0),
                    (km(6.1), 0.0),
                    (km(7.5), 0.0),
                    (km(8.5), 900.0),
                    (km(9.5), 0.0),
                    (km(11.1), 0.0),
                    (km(13.8), 2600.0),
                    (km(30.0), 2600.0),
                ],
                polders: vec![
                    (km(-1.5), km(0.9)),
                    (km(4.5), km(5.4)),
                    (km(12.9), km(15.6)),
                ],
                hamlet_spacing_m: 800.0,
                ponds: 6,
                ref_chainage_m: km(3.0),
                north_dike_y_m: 3_871_550.0,
                city_width_knots: vec![
                    (km(-5.0), 1600.0),
                    (km(1.0), 1600.0),
                    (km(5.0), 2400.0),
                    (km(8.0), 2400.0),
                    (km(12.0), 1700.0),
                    (km(30.0), 1700.0),
                ],
                back_band_m: 650.0,
            },
            mesh_step_m: 50.0,
            river_splits: vec![0.25, 0.45, 0.6, 0.8],
            district: None,
            towns: vec![TownSpec {
                area: area("huayuankou", "花园口镇", "Huayuankou town", 0.0, 14.22),
                villages: vec![
                    area("liutan", "柳滩村", "Liutan village", 0.0, 1.9),
                    area("huayuankou", "花园口村", "Huayuankou village", 1.9, 3.95),
                    area("nandi", "南堤村", "Nandi village", 3.95, 5.7),
                    area("shenzhuang", "申庄村", "Shenzhuang village", 5.7, 7.7),
                    area("miaoqian", "庙前村", "Miaoqian village", 7.7, 9.45),
                    area("madu", "马渡村", "Madu village", 9.45, 11.3),
                    area("yangqiao", "杨桥村", "Yangqiao village", 11.3, 12.45),
                    area("dongbatou", "东坝头村", "Dongbatou village", 12.45, 14.22),
                ],
                communities: vec![
                    area("huayuan", "花园社区", "Huayuan community", 0.0, 3.6),
                    area("jingshui", "京水社区", "Jingshui community", 3.6, 7.1),
                    area("xinglong", "兴隆社区", "Xinglong community", 7.1, 10.7),
                    area("fengle", "丰乐社区", "Fengle community", 10.7, 14.22),
                ],
                village_grids: 54,
                community_grids: 14,
            }],
            works: vec![
                works(
                    "huayuankou",
                    "花园口险工",
                    "Huayuankou works",
                    WorksKind::Works,
                    (2.3, 3.7),
                    62,
                ),
                works(
                    "shenzhuang",
                    "申庄险工",
                    "Shenzhuang works",
                    WorksKind::Works,
                    (6.15, 7.45),
                    58,
                ),
                works(
                    "madu",
                    "马渡险工",
                    "Madu works",
                    WorksKind::Works,
                    (9.6, 11.0),
                    71,
                ),
                works(
                    "dongdaba",
                    "东大坝下延控导工程",
                    "Dongdaba extension control works",
                    WorksKind::ControlWorks,
                    (12.5, 14.0),
                    58,
                ),
            ],
            stations: vec![
                station("mangshan", "邙山", 0.0),
                station("hyk", "花园口", 3.0),
                station("shenzhuang", "申庄", 6.8),
                station("madu", "马渡", 10.3),
                station("dongdaba", "东大坝", 13.25),
            ],
            gauge_station: "hyk".into(),
            people: PeopleSpec {
                town_officials_per_town: 6,
                river_bureau: 4,
                grid_workers: 136,
                mass_team_grid_workers: 52,
                party_vanguard: 14,
                veterans_commando: 12,
                boat_rescue: 8,
                pro_rescue: 14,
            },
            key_persons: 240,
            households: 1100,
            town_area_km2: Some(47.56),
            plan_source: None,
            evacuation_capacity: 1.0,
        }
    }

    /// The scale scenario: the same generator over a 58 km reach under one district with eight
    /// towns, 5,000 grids (grid + dedicated), 50,000 staff, 200,000 residents and a 4000×4000
    /// DEM written as GeoTIFF. The plan is copied from the bundled scenario.
    pub fn scale() -> Preset {
        const TOWNS: usize = 8;
        const TOWN_M: f64 = 7250.0;
        const VILLAGES: usize = 16;
        const COMMUNITIES: usize = 6;
        let town_names = crate::names::SCALE_TOWNS;
        let mut stems = crate::names::place_names();
        let mut knots = vec![(-10_000.0, 2000.0)];
        let mut polders = Vec::new();
        let mut towns = Vec::new();
        let mut works_list = Vec::new();
        let mut stations = Vec::new();
        for (t, &(stem, name, name_en)) in town_names.iter().enumerate().take(TOWNS) {
            let o = t as f64 * TOWN_M;
            knots.extend([
                (o + 1200.0, 0.0),
                (o + 2600.0, 0.0),
                (o + 3500.0, 1300.0),
                (o + 4400.0, 0.0),
                (o + 5600.0, 0.0),
                (o + 7025.0, 2000.0),
            ]);
            polders.push((o + 3150.0, o + 3850.0));
            polders.push((o + 6300.0, o + 7800.0));
            let split = |n: usize, k: usize| o + TOWN_M * k as f64 / n as f64;
            let mut villages = Vec::new();
            for k in 0..VILLAGES {
                let (vs, vn, ve) = stems.next().unwrap_or_default();
                villages.push(AreaSpec {
                    stem: vs,
                    name: format!("{vn}村"),
                    name_en: format!("{ve} village"),
                    s0_m: split(VILLAGES, k),
                    s1_m: split(VILLAGES, k + 1),
                });
            }
            let mut communities = Vec::new();
            for k in 0..COMMUNITIES {
                let (cs, cn, ce) = stems.next().unwrap_or_default();
                communities.push(AreaSpec {
                    stem: cs,
                    name: format!("{cn}社区"),
                    name_en: format!("{ce} community"),
                    s0_m: split(COMMUNITIES, k),
                    s1_m: split(COMMUNITIES, k + 1),
                });
            }
            towns.push(TownSpec {
                area: AreaSpec {
                    stem: stem.into(),
                    name: name.into(),
                    name_en: name_en.into(),
                    s0_m: o,
                    s1_m: o + TOWN_M,
                },
                villages,
                communities,
                village_grids: 500,
                community_grids: 122,
            });
            let w = |suffix: &str, zh: &str, en: &str, kind, a: f64, b: f64| WorksSpec {
                stem: format!("{stem}_{suffix}"),
                name: format!("{}{zh}", name.trim_end_matches('镇')),
                name_en: format!("{} {en}", name_en.trim_end_matches(" town")),
                kind,
                s0_m: o + a,
                s1_m: o + b,
                smart_stones: 60,
            };
            works_list.push(w(
                "west",
                "西险工",
                "west works",
                WorksKind::Works,
                1300.0,
                2500.0,
            ));
            works_list.push(w(
                "ctrl",
                "控导工程",
                "control works",
                WorksKind::ControlWorks,
                3100.0,
                3900.0,
            ));
            works_list.push(w(
                "east",
                "东险工",
                "east works",
                WorksKind::Works,
                4500.0,
                5500.0,
            ));
            let station_id = if t == 0 {
                "hyk".to_string()
            } else {
                stem.to_string()
            };
            stations.push(StationSpec {
                id: station_id,
                name: name.trim_end_matches('镇').to_string(),
                chainage_m: o + 1900.0,
            });
        }
        knots.push((1.0e7, 2000.0));
        let length = TOWNS as f64 * TOWN_M;
        stations.push(station("outlet", "出口", length / 1000.0));
        Preset {
            id: "scale".into(),
            seed: 20_210_927,
            name: "惠济区黄河段（规模测试）".into(),
            name_en: "Huiji reach (scale test)".into(),
            dem: DemSpec {
                ncols: 4000,
                nrows: 4000,
                cell_m: 15.0,
                x_min_m: 440_000.0,
                y_min_m: 3_840_000.0,
                format: DemFormat::GeoTiff,
            },
            reach: ReachSpec {
                origin_x_m: 441_000.0,
                length_m: length,
                centre_base_y_m: 3_866_150.0,
                channel_shift: 0.45,
                floodplain_knots: knots,
                polders,
                hamlet_spacing_m: 500.0,
                ponds: 40,
                ref_chainage_m: 1900.0,
                north_dike_y_m: 3_871_550.0,
                city_width_knots: vec![(-1.0e7, 2100.0), (1.0e7, 2100.0)],
                back_band_m: 650.0,
            },
            mesh_step_m: 20.0,
            river_splits: vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
            district: Some(area(
                "huiji",
                "惠济区",
                "Huiji district",
                0.0,
                length / 1000.0,
            )),
            towns,
            works: works_list,
            stations,
            gauge_station: "hyk".into(),
            people: PeopleSpec {
                town_officials_per_town: 6,
                river_bureau: 480,
                grid_workers: 38_960,
                mass_team_grid_workers: 4920,
                party_vanguard: 1000,
                veterans_commando: 800,
                boat_rescue: 480,
                pro_rescue: 1280,
            },
            key_persons: 20_000,
            households: 180_000,
            town_area_km2: None,
            plan_source: Some(PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../huayuankou/plan"
            ))),
            // 620,941 persons against 58,060 beds at capacity 1.
            evacuation_capacity: 12.0,
        }
    }

    /// Looks a preset up by name (`huayuankou` or `scale`).
    pub fn by_name(name: &str) -> Option<Preset> {
        match name {
            "huayuankou" => Some(Preset::huayuankou()),
            "scale" => Some(Preset::scale()),
            _ => None,
        }
    }
}
