//! The scenario's `crs`: every supported family is accepted, a geographic CRS is refused at its
//! `file:line:col` with the `gdalwarp` command to run, and an unknown code lists the families.

mod common;

use common::{Copy, position_of};
use floodgrid_engine::scenario::{CheckReport, Diagnostic, Scenario, Severity};

fn errors(r: &CheckReport) -> Vec<&Diagnostic> {
    r.diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

/// Checks a copy of the fixture `tiny` with `crs = "<crs>"` and returns the error reported on the
/// `crs` value (asserting it is located there) and the number of errors.
fn crs_error(crs: &str) -> (String, usize) {
    let s = Copy::tiny();
    s.replace(
        "scenario.toml",
        "crs = \"EPSG:4547\"",
        &format!("crs = \"{crs}\""),
    );
    let (line, col) = position_of(&s.read("scenario.toml"), &format!("\"{crs}\""));
    let r = Scenario::check(&s.dir);
    let errs = errors(&r);
    let hit = errs
        .iter()
        .find(|d| d.file == s.shown("scenario.toml") && d.line == line && d.column == col)
        .unwrap_or_else(|| panic!("no error at scenario.toml:{line}:{col}; got {errs:#?}"));
    (hit.message.clone(), errs.len())
}

#[test]
fn a_geographic_crs_names_the_gdalwarp_target_for_the_scenario_longitude() {
    // The fixture town's station is at 114.298°E 35.392°N: the CGCS2000 3° zone CM 114E
    // (EPSG:4547) for CGCS2000 lon/lat, UTM 50N (EPSG:32650, 114°E to 120°E) for WGS 84, and the
    // same 3° zone of Beijing 1954 (2435) and Xian 1980 (2383) for those datums.
    for (geographic, target) in [
        ("EPSG:4490", "EPSG:4547"),
        ("EPSG:4326", "EPSG:32650"),
        ("EPSG:4214", "EPSG:2435"),
        ("epsg:4610", "EPSG:2383"),
    ] {
        let (msg, n) = crs_error(geographic);
        assert!(
            msg.contains(&format!("gdalwarp -t_srs {target} ")) && msg.contains("geographic"),
            "{geographic}: {msg}"
        );
        assert_eq!(n, 1, "only the crs line is reported, not every grid: {msg}");
    }
}

#[test]
fn an_unknown_code_lists_every_supported_family() {
    let (msg, _) = crs_error("EPSG:3857");
    for f in floodgrid_engine::crs::FAMILIES {
        let range = format!("EPSG:{}-{}", f.first_epsg, f.last_epsg);
        assert!(msg.contains(&range), "{range} missing from: {msg}");
    }
}

#[test]
fn a_zone_prefixed_crs_loads_the_same_dem_shifted_by_the_zone_number() {
    // EPSG:4526 (CGCS2000 3° zone 38) is EPSG:4547 with 38,000,000 m added to the false easting.
    let s = Copy::tiny();
    s.replace(
        "scenario.toml",
        "crs = \"EPSG:4547\"",
        "crs = \"EPSG:4526\"",
    );
    let plain = Scenario::check(&s.dir);
    assert!(
        !errors(&plain).is_empty(),
        "a 4547 DEM read as 4526 must not fit the grids"
    );
    let dem = s.read("dem.asc");
    let line = dem
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("xll"))
        .unwrap()
        .to_string();
    let mut parts = line.split_whitespace();
    let (key, x) = (parts.next().unwrap(), parts.next().unwrap());
    let shifted: f64 = x.parse::<f64>().unwrap() + 38_000_000.0;
    s.replace("dem.asc", &line, &format!("{key} {shifted}"));
    let r = Scenario::check(&s.dir);
    assert!(errors(&r).is_empty(), "{:#?}", errors(&r));
}
