//! `floodgrid assess` and `floodgrid check` as an integrator calls them: JSON out, exit codes,
//! determinism across thread counts.

mod common;

use std::process::Command;

use serde_json::Value;

fn floodgrid(args: &[&str], threads: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_floodgrid"));
    cmd.args(args);
    if let Some(t) = threads {
        cmd.env("RAYON_NUM_THREADS", t);
    }
    let out = cmd.output().expect("run floodgrid");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn bundled() -> String {
    common::bundled().display().to_string()
}

#[test]
fn check_json_reports_the_bundled_counts() {
    let (code, out, err) = floodgrid(&["check", &bundled(), "--format", "json"], None);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["ok"], true);
    assert!(v["counts"]["instructions"].as_u64().unwrap() >= 300);
    assert_eq!(v["counts"]["grids"], 72);
    assert_eq!(v["counts"]["people"], 294);
    for key in ["key_persons", "households", "sites", "dem_cells"] {
        assert!(v["counts"][key].as_u64().unwrap() > 0, "{key}");
    }
    assert!(v["diagnostics"].is_array());
}

#[test]
fn check_exits_1_on_errors_and_2_on_usage() {
    let (code, _, _) = floodgrid(&["check", "/nonexistent/scenario"], None);
    assert_eq!(code, 1);
    let (code, _, _) = floodgrid(&["check"], None);
    assert_eq!(code, 2);
    let (code, _, _) = floodgrid(&["assess", &bundled(), "--sweep", "5:1:1"], None);
    assert_eq!(code, 2);
}

#[test]
fn design_flood_is_red_and_every_instance_is_staffed_or_short() {
    let (code, out, err) = floodgrid(
        &[
            "assess",
            &bundled(),
            "--discharge",
            "22000",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["level"], "red");
    assert_eq!(v["response"], "I");
    let tasks = v["tasks"].as_array().expect("tasks");
    assert!(
        tasks.iter().any(|t| t["phase"] == "red"),
        "red-level instructions are active"
    );
    assert!(
        !tasks.iter().any(|t| t["phase"] == "routine"),
        "routine work is not on the red list"
    );
    let short: Vec<&str> = v["shortfalls"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for t in tasks {
        for key in ["id", "instruction", "status", "assignees", "deadline_min"] {
            assert!(!t[key].is_null(), "task key {key}");
        }
        let staffed = t["people_short"] == 0;
        let listed = short.contains(&t["id"].as_str().unwrap());
        let materials_short = t["materials"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["short"].as_f64().unwrap() > 0.0);
        assert!(
            (staffed && !materials_short) || listed,
            "{} neither fully supplied nor listed as a shortfall",
            t["id"]
        );
        assert_eq!(
            t["assignees"].as_array().unwrap().len() as u64 + t["people_short"].as_u64().unwrap(),
            t["people_needed"].as_u64().unwrap()
        );
    }
}

#[test]
fn sweep_never_lowers_the_level_and_is_identical_for_1_and_2_threads() {
    let args = [
        "assess",
        &bundled(),
        "--sweep",
        "0:30000:1000",
        "--format",
        "json",
    ];
    let (code, one, err) = floodgrid(&args, Some("1"));
    assert_eq!(code, 0, "{err}");
    let (_, two, _) = floodgrid(&args, Some("2"));
    assert_eq!(one, two, "sweep JSON differs between 1 and 2 threads");
    let rows: Vec<Value> = serde_json::from_str(&one).expect("json");
    assert_eq!(rows.len(), 31);
    let rank = |l: &str| {
        ["none", "blue", "yellow", "orange", "red"]
            .iter()
            .position(|x| *x == l)
            .unwrap()
    };
    let levels: Vec<usize> = rows
        .iter()
        .map(|r| rank(r["level"].as_str().unwrap()))
        .collect();
    assert!(levels.windows(2).all(|w| w[0] <= w[1]), "{levels:?}");
    assert_eq!(levels[0], 0);
    assert_eq!(*levels.last().unwrap(), 4);
    assert!(
        rows.iter().all(|r| r["instances"].as_u64().unwrap() > 0),
        "every discharge has work (routine or warning)"
    );
}

#[test]
fn full_assessment_json_is_identical_for_1_and_2_threads() {
    let args = [
        "assess",
        &bundled(),
        "--discharge",
        "22000",
        "--format",
        "json",
    ];
    let (_, one, _) = floodgrid(&args, Some("1"));
    let (_, two, _) = floodgrid(&args, Some("2"));
    assert!(one.len() > 1000);
    assert_eq!(one, two);
}

/// Every position of a GeoJSON geometry, as [x, y].
fn positions(g: &geojson::Geometry) -> Vec<[f64; 2]> {
    use geojson::GeometryValue as V;
    let rings: Vec<&Vec<geojson::Position>> = match &g.value {
        V::Polygon { coordinates } => coordinates.iter().collect(),
        V::MultiPolygon { coordinates } => coordinates.iter().flatten().collect(),
        other => panic!("unexpected geometry {}", other.type_name()),
    };
    rings.into_iter().flatten().map(|p| [p[0], p[1]]).collect()
}

#[test]
fn extent_geojson_has_grid_ids_and_lon_lat_inside_each_grid() {
    use geojson::FeatureCollection;
    use geojson::feature::Id;
    let path =
        std::env::temp_dir().join(format!("floodgrid-extent-{}.geojson", std::process::id()));
    let (code, _, err) = floodgrid(
        &[
            "assess",
            &bundled(),
            "--discharge",
            "22000",
            "--extent",
            &path.display().to_string(),
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&path).expect("extent written");
    let _ = std::fs::remove_file(&path);
    let extent: FeatureCollection = text.parse().expect("RFC 7946 FeatureCollection");
    let grids: FeatureCollection = std::fs::read_to_string(common::bundled().join("grids.geojson"))
        .expect("grids.geojson")
        .parse()
        .expect("grids FeatureCollection");
    // Each grid's lon/lat bounding box, from the scenario's own file.
    let bbox = |id: &str| -> [f64; 4] {
        let g = grids
            .features
            .iter()
            .find(|f| f.property("id").and_then(|v| v.as_str()) == Some(id))
            .unwrap_or_else(|| panic!("extent feature {id} is no grid of grids.geojson"));
        positions(g.geometry.as_ref().expect("grid outline"))
            .iter()
            .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, p| {
                [
                    b[0].min(p[0]),
                    b[1].min(p[1]),
                    b[2].max(p[0]),
                    b[3].max(p[1]),
                ]
            })
    };
    assert!(
        extent.features.len() > 10,
        "the design flood wets many grids"
    );
    let mut seen = std::collections::HashSet::new();
    for f in &extent.features {
        let Some(Id::String(id)) = &f.id else {
            panic!("feature without a string id: {f:?}");
        };
        assert!(seen.insert(id.clone()), "{id} twice");
        assert_eq!(
            f.property("grid").and_then(|v| v.as_str()),
            Some(id.as_str())
        );
        for key in [
            "name",
            "kind",
            "discharge_m3s",
            "flooded_km2",
            "exposed_people",
        ] {
            assert!(f.contains_property(key), "{id} lacks {key}");
        }
        // Wet cells lie inside the grid's outline, give or take a DEM cell (~0.0003°); were x and
        // y swapped or left in metres, they would be far outside it.
        let [w, s, e, n] = bbox(id);
        let slack = 0.0005;
        for [lon, lat] in positions(f.geometry.as_ref().expect("extent geometry")) {
            assert!(
                (w - slack..=e + slack).contains(&lon) && (s - slack..=n + slack).contains(&lat),
                "{id}: ({lon}, {lat}) outside {:?}",
                [w, s, e, n]
            );
        }
    }
}

#[test]
fn assess_table_keeps_columns_in_line_with_chinese_names() {
    use unicode_width::UnicodeWidthChar;
    let (code, out, err) = floodgrid(&["assess", &bundled(), "--discharge", "22000"], None);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines().skip_while(|l| !l.starts_with("pri "));
    let head = lines.next().expect("the table's header");
    // The title starts at the same display column in every row, whatever the names before it.
    let title_at = head.find("title").expect("title column");
    let mut chinese_rows = 0;
    for line in lines.take_while(|l| !l.is_empty()) {
        let (mut col, mut prev) = (0, ' ');
        let mut chars = line.chars();
        let mut cjk_before_title = false;
        while col < title_at {
            prev = chars.next().unwrap_or_else(|| panic!("short row: {line}"));
            cjk_before_title |= prev.width() == Some(2);
            col += prev.width().unwrap_or(0);
        }
        assert_eq!(
            col, title_at,
            "a wide character straddles the title column: {line}"
        );
        assert!(
            prev == ' ' && chars.next().is_some_and(|c| c != ' '),
            "the title is not one space after the assignees: {line}"
        );
        chinese_rows += usize::from(cjk_before_title);
    }
    assert!(
        chinese_rows > 100,
        "the bundled assignees have Chinese names"
    );
}

/// Bounded work and physical input: a discharge beyond what the river can carry and a sweep of
/// more than 2,001 rows are refused with exit 2, at once.
#[test]
fn impossible_discharges_and_huge_sweeps_are_refused() {
    let dir = common::bundled().display().to_string();
    let (code, _, err) = common::floodgrid(&["assess", &dir, "--discharge", "1e12"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the most this river can carry"), "{err}");
    let (code, _, err) = common::floodgrid(&["assess", &dir, "--sweep", "0:100000:1"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("at most 2001 rows"), "{err}");
    let (code, _, err) = common::floodgrid(&["assess", &dir, "--sweep", "0:1000000:1000"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("beyond the"), "{err}");
}

/// `--at` sets the clock: month- and hour-gated routine tasks (summer drowning patrols, day
/// checks) differ between a July morning and a January night; a bad time is a usage error.
#[test]
fn at_sets_the_clock_of_the_assessment() {
    let dir = common::bundled().display().to_string();
    let count = |at: Option<&str>| {
        let mut args = vec!["assess", &dir, "--discharge", "0", "--format", "json"];
        if let Some(t) = at {
            args.extend(["--at", t]);
        }
        let (code, out, err) = common::floodgrid(&args);
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(&out).expect("json");
        v["summary"]["active_instructions"]
            .as_u64()
            .expect("a count")
    };
    let july = count(Some("2026-07-21T08:00"));
    assert_eq!(july, count(None), "the default clock is a July morning");
    let january = count(Some("2026-01-10T22:30+08:00"));
    assert_ne!(july, january);
    let (code, _, err) = common::floodgrid(&[
        "assess",
        &dir,
        "--discharge",
        "0",
        "--at",
        "2026-13-10T22:30",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("expected a time such as"), "{err}");
}
