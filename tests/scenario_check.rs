//! `floodgrid check` on the bundled scenario (read in place) and on broken copies of the small
//! fixture `tests/fixtures/tiny`: every diagnostic names the file, the line and the column.

mod common;

use common::{Copy, position_of};
use floodgrid_engine::scenario::{CheckReport, Diagnostic, Scenario, Severity};

fn errors(r: &CheckReport) -> Vec<&Diagnostic> {
    r.diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

/// The one error expected, with its file, line and (when given) column.
fn expect_error(r: &CheckReport, file: &str, line: usize, column: Option<usize>, words: &str) {
    let errs = errors(r);
    let hit = errs.iter().find(|d| {
        d.file == file
            && d.line == line
            && column.is_none_or(|c| d.column == c)
            && d.message.contains(words)
    });
    assert!(
        hit.is_some(),
        "no error at {file}:{line}:{column:?} containing {words:?}; got:\n{errs:#?}"
    );
}

#[test]
fn bundled_scenario_checks_clean() {
    let r = Scenario::check(common::bundled());
    assert!(r.ok(), "{:#?}", errors(&r));
    let c = &r.counts;
    assert!(c.instructions >= 300, "{c:?}");
    assert_eq!(c.grids, 72, "68 grids + 4 dedicated grids");
    assert_eq!(c.dedicated_grids, 4);
    assert_eq!(c.people, 294);
    assert_eq!(c.smart_stones, 249);
    assert!(c.dem_cells >= 1_000_000);
    assert!(c.key_persons > 0 && c.households > 0);
    assert_eq!(c.drills, 3);
}

#[test]
fn unknown_grid_in_people_csv() {
    let s = Copy::tiny();
    let text = s.read("people.csv");
    let line3 = text.lines().nth(2).unwrap().to_string();
    let grid = line3.split(',').nth(4).unwrap().to_string();
    let broken = line3.replacen(&format!(",{grid},"), ",g.nowhere.99,", 1);
    s.write("people.csv", &text.replacen(&line3, &broken, 1));
    let col = broken.find("g.nowhere.99").unwrap() + 1;
    let r = Scenario::check(&s.dir);
    expect_error(
        &r,
        &s.shown("people.csv"),
        3,
        Some(broken[..col - 1].chars().count() + 1),
        "unknown grid `g.nowhere.99`",
    );
}

#[test]
fn depends_on_cycle() {
    let s = Copy::tiny();
    // Two instructions that depend on each other.
    let extra = "\n[[instruction]]\nid = \"test.cycle.a\"\ntitle = \"环A\"\ncategory = \"command\"\nrole = \"town_official\"\nwhen = \"level >= red\"\ndepends_on = [\"test.cycle.b\"]\n\n[[instruction]]\nid = \"test.cycle.b\"\ntitle = \"环B\"\ncategory = \"command\"\nrole = \"town_official\"\nwhen = \"level >= red\"\ndepends_on = [\"test.cycle.a\"]\n";
    let file = "plan/40-red.toml";
    let text = s.read(file) + extra;
    s.write(file, &text);
    let r = Scenario::check(&s.dir);
    let errs = errors(&r);
    let cycle = errs
        .iter()
        .find(|d| d.message.contains("cycle"))
        .expect("a cycle diagnostic");
    assert_eq!(cycle.file, s.shown(file));
    let (la, ca) = position_of(&text, "\"test.cycle.b\"]");
    let (lb, cb) = position_of(&text, "\"test.cycle.a\"]");
    assert!(
        (cycle.line, cycle.column) == (la, ca) || (cycle.line, cycle.column) == (lb, cb),
        "{cycle:?}"
    );
    assert!(cycle.message.contains("test.cycle.a") && cycle.message.contains("test.cycle.b"));
}

#[test]
fn thresholds_out_of_order() {
    let s = Copy::tiny();
    let text = s.read("scenario.toml");
    let yellow_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("yellow"))
        .unwrap()
        .to_string();
    // Yellow below blue (1,500 m³/s): the error is at yellow's value.
    let broken = yellow_line.replacen("2500", "1000", 1);
    s.write("scenario.toml", &text.replacen(&yellow_line, &broken, 1));
    let (line, _) = position_of(&s.read("scenario.toml"), &broken);
    let col = broken.find("1000").unwrap() + 1;
    let r = Scenario::check(&s.dir);
    expect_error(
        &r,
        &s.shown("scenario.toml"),
        line,
        Some(col),
        "blue < yellow < orange < red",
    );
}

#[test]
fn truncated_grids_geojson() {
    let s = Copy::tiny();
    let text = s.read("grids.geojson");
    let cut = &text[..text.len() * 2 / 3];
    s.write("grids.geojson", cut);
    let last_line = cut.matches('\n').count() + 1;
    let r = Scenario::check(&s.dir);
    expect_error(
        &r,
        &s.shown("grids.geojson"),
        last_line,
        None,
        "JSON syntax",
    );
}

#[test]
fn dem_header_promises_more_cells_than_it_holds() {
    let s = Copy::tiny();
    let text = s.read("dem.asc");
    let nrows_line = text
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("nrows"))
        .unwrap()
        .to_string();
    let n: usize = nrows_line
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    s.write(
        "dem.asc",
        &text.replacen(&nrows_line, &format!("nrows {}", n + 5), 1),
    );
    let lines = text.trim_end().lines().count();
    let r = Scenario::check(&s.dir);
    let last = text.trim_end().lines().last().unwrap();
    expect_error(
        &r,
        &s.shown("dem.asc"),
        lines,
        Some(last.chars().count() + 1),
        "promises",
    );
}

#[test]
fn syntax_error_inside_a_when_condition() {
    let s = Copy::tiny();
    let file = "plan/30-orange.toml";
    let text = s.read(file);
    let when_line = text
        .lines()
        .find(|l| l.starts_with("when = \"") && l.contains(">="))
        .unwrap()
        .to_string();
    let broken = when_line.replacen(">=", "=>", 1);
    s.write(file, &text.replacen(&when_line, &broken, 1));
    let (line, _) = position_of(&s.read(file), &broken);
    let col = broken.find("=>").unwrap() + 1;
    let r = Scenario::check(&s.dir);
    expect_error(&r, &s.shown(file), line, Some(col), "found `=`");
}

#[test]
fn type_error_inside_a_when_condition() {
    let s = Copy::tiny();
    let file = "plan/40-red.toml";
    let text = s.read(file);
    let when_line = text
        .lines()
        .find(|l| l.starts_with("when = \"") && l.contains("level >="))
        .unwrap()
        .to_string();
    let at = when_line.find("level >=").unwrap();
    let rest = &when_line[at + "level >= ".len()..];
    let level_name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let broken = when_line.replacen(&format!("level >= {level_name}"), "level >= 15000", 1);
    s.write(file, &text.replacen(&when_line, &broken, 1));
    let (line, _) = position_of(&s.read(file), &broken);
    let col = broken.find(">= 15000").unwrap() + 1;
    let r = Scenario::check(&s.dir);
    expect_error(
        &r,
        &s.shown(file),
        line,
        Some(col),
        "found a level and a number",
    );
}

#[test]
fn csv_row_with_a_missing_field() {
    let s = Copy::tiny();
    let text = s.read("residents.csv");
    let row = text.lines().nth(4).unwrap().to_string();
    let short = row[..row.rfind(',').unwrap()].to_string();
    s.write("residents.csv", &text.replacen(&row, &short, 1));
    let r = Scenario::check(&s.dir);
    expect_error(
        &r,
        &s.shown("residents.csv"),
        5,
        Some(short.chars().count() + 1),
        "expected 12",
    );
}

#[test]
fn every_problem_is_reported_in_one_pass() {
    let s = Copy::tiny();
    s.replace(
        "plan/30-orange.toml",
        "category = \"",
        "category = \"nonexistent_",
    );
    let text = s.read("people.csv");
    let line3 = text.lines().nth(2).unwrap().to_string();
    let role = line3.split(',').nth(2).unwrap().to_string();
    s.write(
        "people.csv",
        &text.replacen(
            &line3,
            &line3.replacen(&format!(",{role},"), ",firefighter,", 1),
            1,
        ),
    );
    let r = Scenario::check(&s.dir);
    let files: std::collections::BTreeSet<&str> =
        errors(&r).iter().map(|d| d.file.as_str()).collect();
    assert!(
        files.len() >= 2,
        "errors in several files at once: {files:?}"
    );
}

#[test]
fn a_geotiff_dem_loads_like_the_ascii_one() {
    let s = Copy::tiny();
    let ascii = floodgrid_engine::flood::read_ascii(&s.read("dem.asc")).unwrap();
    let file = std::fs::File::create(s.path("dem.tif")).unwrap();
    floodgrid_engine::flood::write_geotiff(&ascii, 4547, std::io::BufWriter::new(file)).unwrap();
    std::fs::remove_file(s.path("dem.asc")).unwrap();
    s.replace("scenario.toml", "dem = \"dem.asc\"", "dem = \"dem.tif\"");
    let r = Scenario::check(&s.dir);
    assert!(r.ok(), "{:#?}", errors(&r));
    let scenario = r.scenario.unwrap();
    assert_eq!(scenario.dem.transform, ascii.transform);
    assert!(
        scenario
            .dem
            .data
            .iter()
            .zip(&ascii.data)
            .all(|(a, b)| a == b || (a.is_nan() && b.is_nan()))
    );
}

#[test]
fn committed_schemas_match_the_loader() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    for (name, text) in floodgrid_engine::schema::schemas() {
        let committed = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert_eq!(
            committed, text,
            "schemas/{name} is stale: run `floodgrid schema --out schemas`"
        );
    }
}

#[test]
fn bundled_files_point_editors_at_the_schemas() {
    let dir = common::bundled();
    let first = |p: &std::path::Path| {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(
        first(&dir.join("scenario.toml")),
        "#:schema ../../schemas/scenario.schema.json"
    );
    for sub in ["plan", "drills"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let line = first(&e.unwrap().path());
            let want = if sub == "plan" {
                "#:schema ../../../schemas/plan.schema.json"
            } else {
                "#:schema ../../../schemas/drill.schema.json"
            };
            assert_eq!(line, want);
        }
    }
}
