//! The bundled Huayuankou scenario: generation is deterministic, the committed files are a fresh
//! generation, and the files meet the counts and geometry rules the engine relies on.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use floodgrid_engine::crs::Crs;
use floodgrid_scengen::{Preset, Summary, generate};
use serde_json::Value;

const FILES: [&str; 6] = [
    "scenario.toml",
    "grids.geojson",
    "sites.geojson",
    "people.csv",
    "residents.csv",
    "dem.asc",
];

fn temp_dir(label: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("floodgrid-scengen-{}-{label}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// One generation shared by the tests of this binary.
fn fresh() -> &'static (PathBuf, Summary) {
    static FRESH: OnceLock<(PathBuf, Summary)> = OnceLock::new();
    FRESH.get_or_init(|| {
        let dir = temp_dir("a");
        let summary = generate(&Preset::huayuankou(), &dir).expect("generation succeeds");
        (dir, summary)
    })
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
}

fn json(name: &str) -> Value {
    serde_json::from_slice(&read(&fresh().0, name)).expect("valid JSON")
}

fn csv(name: &str) -> Vec<BTreeMap<String, String>> {
    let text = String::from_utf8(read(&fresh().0, name)).expect("UTF-8");
    let mut lines = text.lines();
    let head: Vec<String> = lines
        .next()
        .unwrap_or("")
        .split(',')
        .map(String::from)
        .collect();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            assert_eq!(cells.len(), head.len(), "row {l}");
            head.iter()
                .cloned()
                .zip(cells.iter().map(|c| c.to_string()))
                .collect()
        })
        .collect()
}

fn prop<'a>(f: &'a Value, key: &str) -> &'a str {
    f["properties"][key].as_str().unwrap_or("")
}

fn projected_ring(crs: &Crs, ring: &Value) -> Vec<(f64, f64)> {
    ring.as_array()
        .expect("ring")
        .iter()
        .map(|p| crs.forward(p[0].as_f64().unwrap_or(0.0), p[1].as_f64().unwrap_or(0.0)))
        .collect()
}

fn signed_area(ring: &[(f64, f64)]) -> f64 {
    ring.windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum::<f64>()
        * 0.5
}

fn inside(ring: &[(f64, f64)], (x, y): (f64, f64)) -> bool {
    let mut c = false;
    for w in ring.windows(2) {
        let ((x1, y1), (x2, y2)) = (w[0], w[1]);
        if (y1 > y) != (y2 > y) && x < x1 + (y - y1) * (x2 - x1) / (y2 - y1) {
            c = !c;
        }
    }
    c
}

/// Grid polygons by id, projected.
fn grid_rings() -> BTreeMap<String, Vec<(f64, f64)>> {
    let crs = Crs::from_epsg(4547).expect("crs");
    json("grids.geojson")["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| {
            (
                prop(f, "id").to_string(),
                projected_ring(&crs, &f["geometry"]["coordinates"][0]),
            )
        })
        .collect()
}

#[test]
fn generating_twice_gives_identical_files() {
    let other = temp_dir("b");
    generate(&Preset::huayuankou(), &other).expect("generation succeeds");
    for name in FILES {
        assert!(
            read(&fresh().0, name) == read(&other, name),
            "{name} differs between two runs"
        );
    }
    let _ = fs::remove_dir_all(other);
}

#[test]
fn committed_scenario_is_a_fresh_generation() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../huayuankou");
    for name in FILES {
        assert!(
            read(&fresh().0, name) == read(&committed, name),
            "scenarios/huayuankou/{name} is not what the generator makes; regenerate with \
             `cargo run -p floodgrid-scengen -- --preset huayuankou --out scenarios/huayuankou`"
        );
    }
}

#[test]
fn grid_hierarchy_counts_and_parents() {
    let grids = json("grids.geojson");
    let features = grids["features"].as_array().expect("features");
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    let ids: BTreeMap<&str, &str> = features
        .iter()
        .map(|f| (prop(f, "id"), prop(f, "kind")))
        .collect();
    assert_eq!(ids.len(), features.len(), "ids are unique");
    for f in features {
        *kinds.entry(prop(f, "kind")).or_default() += 1;
        let parent = prop(f, "parent");
        let expected: &[&str] = match prop(f, "kind") {
            "town" => &[""],
            "village" | "community" | "dedicated" => &["town"],
            "grid" => &["village", "community"],
            "micro" => &["grid"],
            other => panic!("unexpected kind {other}"),
        };
        let parent_kind = if parent.is_empty() {
            ""
        } else {
            ids.get(parent).copied().unwrap_or("missing")
        };
        assert!(
            expected.contains(&parent_kind),
            "{} under {parent} ({parent_kind})",
            prop(f, "id")
        );
    }
    assert_eq!(kinds["town"], 1);
    assert_eq!(kinds["grid"], 68);
    assert_eq!(kinds["dedicated"], 4);
    assert_eq!(kinds["micro"], 28);
    for d in ["d.huayuankou", "d.shenzhuang", "d.madu", "d.dongdaba"] {
        assert_eq!(ids.get(d), Some(&"dedicated"));
    }
    let town_pop = features
        .iter()
        .find(|f| prop(f, "kind") == "town")
        .and_then(|f| f["properties"]["population"].as_u64());
    assert!(
        town_pop.is_some_and(|p| (30_000..=40_000).contains(&p)),
        "town population {town_pop:?}"
    );
}

#[test]
fn people_by_role_and_team_ratio() {
    let people = csv("people.csv");
    assert_eq!(people.len(), 294);
    let grids = grid_rings();
    let mut roles: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &people {
        *roles.entry(p["role"].as_str()).or_default() += 1;
        assert!(
            grids.contains_key(&p["grid"]),
            "{} in unknown grid {}",
            p["id"],
            p["grid"]
        );
        assert!(["day", "night", "any"].contains(&p["shift"].as_str()));
        assert!(p["capacity"].is_empty() || p["capacity"].parse::<u32>().is_ok());
    }
    let expected = [
        ("town_official", 6),
        ("river_bureau", 4),
        ("grid_leader", 72),
        ("micro_grid_leader", 28),
        ("grid_worker", 136),
        ("party_vanguard", 14),
        ("veterans_commando", 12),
        ("boat_rescue", 8),
        ("pro_rescue", 14),
    ];
    for (role, n) in expected {
        assert_eq!(roles.get(role), Some(&n), "{role}");
    }
    let professionals = people
        .iter()
        .filter(|p| ["pro_rescue", "boat_rescue", "river_bureau"].contains(&p["role"].as_str()))
        .count();
    let mass = people
        .iter()
        .filter(|p| {
            ["party_vanguard", "veterans_commando"].contains(&p["role"].as_str())
                || p["team"] == "群众抢险队"
        })
        .count();
    assert_eq!((professionals, mass), (26, 78));
    let workers = people.iter().filter(|p| p["role"] == "grid_worker");
    assert!(
        workers
            .clone()
            .all(|p| p["skills"].starts_with("全职") || p["skills"].starts_with("兼职"))
    );
}

#[test]
fn residents_lie_inside_their_grids() {
    let crs = Crs::from_epsg(4547).expect("crs");
    let grids = grid_rings();
    let people: BTreeMap<String, String> = csv("people.csv")
        .into_iter()
        .map(|p| (p["id"].clone(), p["grid"].clone()))
        .collect();
    let residents = csv("residents.csv");
    let (mut kp, mut hh) = (0, 0);
    for r in &residents {
        let ring = grids
            .get(&r["grid"])
            .unwrap_or_else(|| panic!("{} in unknown grid {}", r["id"], r["grid"]));
        let p = crs.forward(
            r["lon"].parse().expect("lon"),
            r["lat"].parse().expect("lat"),
        );
        assert!(inside(ring, p), "{} is outside {}", r["id"], r["grid"]);
        if !r["guardian"].is_empty() {
            assert_eq!(
                people.get(&r["guardian"]),
                Some(&r["grid"]),
                "{}'s guardian works in its grid",
                r["id"]
            );
        }
        match r["kind"].as_str() {
            "key_person" => {
                kp += 1;
                assert_eq!(r["size"], "1");
            }
            "household" => {
                hh += 1;
                assert!(["1", "2", "3"].contains(&r["evac_class"].as_str()));
            }
            other => panic!("kind {other}"),
        }
    }
    assert_eq!((kp, hh), (240, 1100));
}

#[test]
fn polygons_are_closed_counter_clockwise_inside_the_dem_and_tile_the_town() {
    let grids = json("grids.geojson");
    let crs = Crs::from_epsg(4547).expect("crs");
    let features = grids["features"].as_array().expect("features");
    let parents: Vec<&str> = features.iter().map(|f| prop(f, "parent")).collect();
    let (mut town, mut leaves) = (0.0, 0.0);
    for f in features {
        assert_eq!(f["geometry"]["type"], "Polygon");
        let raw = f["geometry"]["coordinates"][0].as_array().expect("ring");
        assert_eq!(raw.first(), raw.last(), "{} is closed", prop(f, "id"));
        let ring = projected_ring(&crs, &f["geometry"]["coordinates"][0]);
        let area = signed_area(&ring);
        assert!(area > 0.0, "{} runs counter-clockwise", prop(f, "id"));
        for &(x, y) in &ring {
            assert!(
                (461_000.0..=479_000.0).contains(&x) && (3_857_000.0..=3_872_000.0).contains(&y)
            );
        }
        if prop(f, "kind") == "town" {
            town = area;
        } else if !parents.contains(&prop(f, "id")) {
            leaves += area;
        }
    }
    assert!(
        (town / 1.0e6 - 47.56).abs() < 0.01 * 47.56,
        "town area {} km²",
        town / 1.0e6
    );
    assert!(
        (leaves - town).abs() < 1.0,
        "leaves cover {leaves} m² of {town} m²"
    );
}

#[test]
fn sites_are_in_their_lowest_grid() {
    let crs = Crs::from_epsg(4547).expect("crs");
    let grids = grid_rings();
    let sites = json("sites.geojson");
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    let mut stones: BTreeMap<&str, usize> = BTreeMap::new();
    let mut works = Vec::new();
    for f in sites["features"].as_array().expect("features") {
        let kind = prop(f, "kind");
        *kinds.entry(kind).or_default() += 1;
        if kind == "smart_stone" {
            *stones.entry(prop(f, "work")).or_default() += 1;
        }
        if kind == "works" || kind == "control_works" {
            works.push((
                prop(f, "id").to_string(),
                f["properties"]["chainage_km"].as_f64().unwrap_or(-1.0),
            ));
        }
        if f["geometry"]["type"] == "Point" {
            let c = &f["geometry"]["coordinates"];
            let p = crs.forward(c[0].as_f64().unwrap_or(0.0), c[1].as_f64().unwrap_or(0.0));
            let grid = prop(f, "grid");
            let ring = grids
                .get(grid)
                .unwrap_or_else(|| panic!("{} in unknown grid {grid}", prop(f, "id")));
            assert!(inside(ring, p), "{} is outside {grid}", prop(f, "id"));
        }
    }
    assert_eq!(kinds["smart_stone"], 249);
    assert_eq!(
        stones["works.huayuankou"]
            + stones["works.shenzhuang"]
            + stones["works.madu"]
            + stones["works.dongdaba"],
        249
    );
    let order: Vec<&str> = works.iter().map(|w| w.0.as_str()).collect();
    assert_eq!(
        order,
        [
            "works.huayuankou",
            "works.shenzhuang",
            "works.madu",
            "works.dongdaba"
        ]
    );
    assert!(
        works.windows(2).all(|w| w[0].1 < w[1].1),
        "works run west to east: {works:?}"
    );
    assert!((9..=11).contains(&kinds["depot"]) && (10..=14).contains(&kinds["shelter"]));
    assert!(
        (3..=4).contains(&kinds["boat_station"])
            && kinds["gauge"] == 1
            && kinds["pumping_station"] == 2
    );
}

#[test]
fn scenario_toml_has_rising_ratings_on_the_generated_river() {
    let text = String::from_utf8(read(&fresh().0, "scenario.toml")).expect("UTF-8");
    assert!(text.starts_with("#:schema ../../schemas/scenario.schema.json\n"));
    let doc: toml::Table = text.parse().expect("valid TOML");
    let stations = doc["station"].as_array().expect("stations");
    assert_eq!(stations.len(), 5);
    let mut last_chainage = f64::NEG_INFINITY;
    for st in stations {
        let ch = st["chainage_km"].as_float().expect("chainage");
        assert!(ch > last_chainage);
        last_chainage = ch;
        let rating = st["rating"].as_array().expect("rating");
        let pairs: Vec<(f64, f64)> = rating
            .iter()
            .map(|p| {
                let num = |v: &toml::Value| {
                    v.as_float()
                        .or(v.as_integer().map(|i| i as f64))
                        .unwrap_or(f64::NAN)
                };
                (num(&p[0]), num(&p[1]))
            })
            .collect();
        assert!(
            pairs.windows(2).all(|w| w[1].0 > w[0].0 && w[1].1 > w[0].1),
            "{} rises",
            st["id"]
        );
    }
    assert_eq!(doc["role"].as_array().map(Vec::len), Some(11));
    assert_eq!(doc["material"].as_array().map(Vec::len), Some(23));
}

#[test]
fn terrain_wets_floodplain_then_polders_and_never_behind_the_dike() {
    let w = &fresh().1.wetting;
    assert!((4800.0..=7000.0).contains(&w.floodplain_min_m3s), "{w:?}");
    assert!((10_000.0..=12_000.0).contains(&w.polder_min_m3s), "{w:?}");
    assert!(w.city_min_m3s > 30_000.0, "{w:?}");
    let dem = String::from_utf8(read(&fresh().0, "dem.asc")).expect("UTF-8");
    assert!(
        dem.starts_with(
            "ncols 1200\nnrows 1000\nxllcorner 461000\nyllcorner 3857000\ncellsize 15\n"
        )
    );
}
