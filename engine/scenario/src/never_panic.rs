//! Never-panic property tests: random truncations, byte flips, line deletions and line
//! duplications of every bundled file go through that file's loader; each must return (with
//! diagnostics, every one at a line and column), never panic and never hang.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::config::{ScenarioConfig, load_config};
use super::diag::Diagnostics;
use super::source::SourceFile;
use super::{ScenarioParts, drill_file, geo_files, plan_file, tables};
use floodgrid_model::grid::{Grid, Person};

struct Base {
    files: Vec<(String, String)>,
    config: ScenarioConfig,
    grids: Vec<Grid>,
    people: Vec<Person>,
}

fn dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/huayuankou")
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let read = |rel: &str| std::fs::read_to_string(dir().join(rel)).unwrap_or_default();
        let mut files: Vec<(String, String)> = [
            "scenario.toml",
            "grids.geojson",
            "sites.geojson",
            "people.csv",
            "residents.csv",
        ]
        .iter()
        .map(|f| (f.to_string(), read(f)))
        .collect();
        for sub in ["plan", "drills"] {
            let mut names: Vec<String> = std::fs::read_dir(dir().join(sub))
                .map(|rd| {
                    rd.filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            names.sort();
            for n in names {
                let rel = format!("{sub}/{n}");
                let text = read(&rel);
                files.push((rel, text));
            }
        }
        // The DEM: its header and the first rows, so each case stays fast.
        let dem = read("dem.asc");
        let mut lines = dem.lines();
        let mut small = String::new();
        let mut ncols = 0;
        for l in lines.by_ref() {
            let lower = l.to_ascii_lowercase();
            if lower.starts_with("nrows") {
                small.push_str("nrows 20\n");
                continue;
            }
            if lower.starts_with("ncols") {
                ncols = l
                    .split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
            }
            small.push_str(l);
            small.push('\n');
            if lower.starts_with("nodata") {
                break;
            }
        }
        for l in lines.take(20) {
            small.push_str(l);
            small.push('\n');
        }
        assert!(ncols > 0, "bundled DEM header");
        files.push(("dem.asc".into(), small));
        let mut d = Diagnostics::default();
        let config = load_config(
            &SourceFile::new("scenario.toml", files[0].1.clone()),
            &mut d,
        )
        .expect("bundled scenario.toml loads");
        let (grids, _) = geo_files::load_grids(
            &SourceFile::new("grids.geojson", files[1].1.clone()),
            &config.crs,
            &mut d,
        );
        let people = tables::load_people(
            &SourceFile::new("people.csv", files[3].1.clone()),
            &config,
            &grids,
            &mut d,
        );
        Base {
            files,
            config,
            grids,
            people,
        }
    })
}

/// Runs the loader of one file on a text.
fn load(rel: &str, text: String) {
    let b = base();
    let src = SourceFile::new(rel, text);
    let mut d = Diagnostics::default();
    match rel {
        "scenario.toml" => {
            load_config(&src, &mut d);
        }
        "grids.geojson" => {
            geo_files::load_grids(&src, &b.config.crs, &mut d);
        }
        "sites.geojson" => {
            geo_files::load_sites(&src, &b.config, &b.grids, &mut d);
        }
        "people.csv" => {
            tables::load_people(&src, &b.config, &b.grids, &mut d);
        }
        "residents.csv" => {
            tables::load_residents(&src, &b.config, &b.grids, &b.people, &mut d);
        }
        "dem.asc" => {
            let _ = floodgrid_flood::read_ascii(&src.text);
        }
        r if r.starts_with("plan/") => {
            plan_file::load_plan(std::slice::from_ref(&src), Some(&b.config), &mut d);
        }
        r if r.starts_with("drills/") => {
            let plan = floodgrid_model::plan::Plan::default();
            let parts = ScenarioParts {
                crs: Some(b.config.crs),
                grids: &b.grids,
                sites: &[],
                people: &b.people,
                plan: &plan,
                max_discharge_m3s: Some(b.config.gauge.max_discharge_m3s),
            };
            drill_file::load_drill(&src, "drill", &parts, &mut d);
        }
        _ => {}
    }
    // Every problem of a text is located: a line (and column) in it, never only the file.
    for x in &d.list {
        assert!(
            x.line >= 1 && x.column >= 1,
            "{rel}: an unlocated diagnostic: {}",
            x.message
        );
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Truncate(f64),
    FlipByte(f64, u8),
    DeleteLine(f64),
    DuplicateLine(f64),
}

fn mutate(text: &str, m: &Mutation) -> String {
    let bytes = text.as_bytes();
    let at = |f: f64, n: usize| ((f * n as f64) as usize).min(n.saturating_sub(1));
    match *m {
        Mutation::Truncate(f) => {
            String::from_utf8_lossy(&bytes[..at(f, bytes.len() + 1)]).into_owned()
        }
        Mutation::FlipByte(f, x) => {
            let mut b = bytes.to_vec();
            if !b.is_empty() {
                let i = at(f, b.len());
                b[i] ^= x.max(1);
            }
            String::from_utf8_lossy(&b).into_owned()
        }
        Mutation::DeleteLine(f) | Mutation::DuplicateLine(f) => {
            let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
            if !lines.is_empty() {
                let i = at(f, lines.len());
                if matches!(m, Mutation::DeleteLine(_)) {
                    lines.remove(i);
                } else {
                    lines.insert(i, lines[i]);
                }
            }
            lines.concat()
        }
    }
}

fn run(file: usize, m: Mutation) {
    let b = base();
    let (rel, text) = &b.files[file % b.files.len()];
    let mutated = mutate(text, &m);
    let start = Instant::now();
    load(rel, mutated);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{rel} with {m:?} took {:?}",
        start.elapsed()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn truncations_never_panic(file in 0usize..64, f in 0.0f64..1.0) {
        run(file, Mutation::Truncate(f));
    }

    #[test]
    fn byte_flips_never_panic(file in 0usize..64, f in 0.0f64..1.0, x in any::<u8>()) {
        run(file, Mutation::FlipByte(f, x));
    }

    #[test]
    fn line_deletions_never_panic(file in 0usize..64, f in 0.0f64..1.0) {
        run(file, Mutation::DeleteLine(f));
    }

    #[test]
    fn line_duplications_never_panic(file in 0usize..64, f in 0.0f64..1.0) {
        run(file, Mutation::DuplicateLine(f));
    }
}

#[test]
fn the_fixture_covers_every_file_kind() {
    let names: Vec<&str> = base().files.iter().map(|(n, _)| n.as_str()).collect();
    for want in [
        "scenario.toml",
        "grids.geojson",
        "sites.geojson",
        "people.csv",
        "residents.csv",
        "dem.asc",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    assert!(names.iter().any(|n| n.starts_with("plan/")));
    assert!(names.iter().any(|n| n.starts_with("drills/")));
    assert!(base().files.iter().all(|(_, t)| !t.is_empty()));
}
