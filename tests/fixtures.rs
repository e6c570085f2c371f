//! Small fixture scenarios written for the tests (tests/fixtures, see each README), checked
//! against expected output files: `floodgrid check`, `assess --format json` at each level, the
//! drill report, and five planner mistakes overlaid on `tiny`. Set `UPDATE_EXPECT=1` to rewrite
//! the expected files after a deliberate change, then review the diff.

mod common;

use common::copy_dir;

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn floodgrid(args: &[&str], dir: Option<&Path>) -> (String, String, i32) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_floodgrid"));
    cmd.args(args);
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let out = cmd.output().expect("floodgrid runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// `check` output made path- and time-free: the directory as `<dir>`, the load time `N ms`.
fn normalise_check(text: &str, dir: &Path) -> String {
    let text = text.replace(&dir.display().to_string(), "<dir>");
    text.lines()
        .map(|l| match (l.rfind(" in "), l.ends_with(" ms")) {
            (Some(at), true) if l[at + 4..l.len() - 3].chars().all(|c| c.is_ascii_digit()) => {
                format!("{} in N ms", &l[..at])
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + if text.ends_with('\n') { "\n" } else { "" }
}

/// Compares with an expected file, or rewrites it under `UPDATE_EXPECT=1`.
fn expect(path: &Path, actual: &str) {
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(path, actual).expect("write expected file");
        return;
    }
    let want = std::fs::read_to_string(path).expect("expected file");
    if want != actual {
        let first = want
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(want.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output at line {} (UPDATE_EXPECT=1 rewrites it):\n  want: {:?}\n  got:  {:?}",
            path.display(),
            first + 1,
            want.lines().nth(first).unwrap_or("<end>"),
            actual.lines().nth(first).unwrap_or("<end>")
        );
    }
}

#[test]
fn fixtures_check_clean() {
    for name in ["tiny", "deep"] {
        let dir = fixtures().join(name);
        let (out, err, code) = floodgrid(&["check", &dir.display().to_string()], None);
        assert_eq!(code, 0, "{name}: {out}{err}");
        expect(
            &dir.join("expect/check.txt"),
            &normalise_check(&(err + &out), &dir),
        );
    }
}

#[test]
fn fixture_assessments_match_their_expected_json() {
    for name in ["tiny", "deep"] {
        let dir = fixtures().join(name);
        let mut seen = 0;
        for entry in std::fs::read_dir(dir.join("expect")).expect("expect dir") {
            let path = entry.expect("entry").path();
            let file = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
            let Some(q) = file
                .strip_prefix("assess_")
                .and_then(|f| f.strip_suffix(".json"))
            else {
                continue;
            };
            let (out, err, code) = floodgrid(
                &[
                    "assess",
                    &dir.display().to_string(),
                    "--discharge",
                    q,
                    "--format",
                    "json",
                ],
                None,
            );
            assert_eq!(code, 0, "{name} at {q}: {err}");
            expect(&path, &out);
            seen += 1;
        }
        assert!(seen >= 5, "{name}: only {seen} expected assessments");
    }
}

#[test]
fn tiny_drill_report_matches() {
    let dir = fixtures().join("tiny");
    let tmp = tempfile::tempdir().expect("temp dir");
    let journal = tmp.path().join("j.jsonl");
    let journal = journal.display().to_string();
    let (own, err, code) = floodgrid(
        &[
            "drill",
            ".",
            "--headless",
            "--script",
            "drills/01-rise-to-yellow.toml",
            "--auto-dispatch",
            "--journal",
            &journal,
        ],
        Some(&dir),
    );
    assert_eq!(code, 0, "{err}");
    // From another working directory, the same report the drill gave (duration included).
    let (report, err, code) = floodgrid(&["report", &journal], Some(tmp.path()));
    assert_eq!(code, 0, "{err}");
    assert_eq!(report, own, "report JOURNAL equals the drill's own report");
    expect(&dir.join("expect/drill-01.report.md"), &report);
}

#[test]
fn planner_mistakes_give_their_expected_diagnostics() {
    let broken = fixtures().join("broken");
    let mut cases = 0;
    for entry in std::fs::read_dir(&broken).expect("broken dir") {
        let case = entry.expect("entry").path();
        if !case.is_dir() {
            continue;
        }
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("scenario");
        copy_dir(&fixtures().join("tiny"), &dir);
        copy_dir(&case, &dir);
        let (out, err, code) = floodgrid(&["check", &dir.display().to_string()], None);
        assert_eq!(code, 1, "{}: errors exit 1\n{out}{err}", case.display());
        expect(
            &case.join("expect.txt"),
            &normalise_check(&(err + &out), &dir),
        );
        cases += 1;
    }
    assert_eq!(cases, 5);
}

/// In a five-level hierarchy (district → town → village → grid → micro-grid) the search climbs
/// past the parent: the town's boat crew is found for a micro-grid's task, reported as tier
/// `ancestor`, instead of "boat_rescue short" while the crew sits idle.
#[test]
fn a_town_team_is_assigned_to_a_micro_grid_task() {
    use floodgrid_engine::assess::{Engine, Situation};
    use floodgrid_engine::response::Tier;
    use floodgrid_engine::scenario::Scenario;
    let sc = Scenario::load(fixtures().join("deep")).expect("deep loads");
    let engine = Engine::build(sc).expect("engine");
    let a = engine
        .assess(&Situation::at_discharge(3_500.0))
        .expect("assessment");
    let watches: Vec<_> = a
        .tasks
        .iter()
        .filter(|t| t.card.instruction == "orange.rescue.micro_boat_watch")
        .collect();
    assert_eq!(watches.len(), 3, "three micro-grids have exposed people");
    for t in watches {
        assert_eq!(t.people_short, 0, "{}", t.id);
        let p = &t.assignees[0];
        assert_eq!(p.person.role, "boat_rescue", "{}", t.id);
        assert_eq!(
            p.person.grid, "t.qinghe",
            "registered at the town: {}",
            t.id
        );
        assert_eq!(p.tier, Tier::Ancestor, "{}", t.id);
    }
}

/// A template placeholder the instruction's `for_each` cannot fill is a warning at the
/// instruction's `message =`, naming the placeholder (it would be sent as written).
#[test]
fn a_placeholder_the_instruction_cannot_fill_is_flagged_where_it_is_used() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("scenario");
    copy_dir(&fixtures().join("tiny"), &dir);
    let cats = dir.join("plan/00-categories.toml");
    let text = std::fs::read_to_string(&cats).expect("categories");
    let from = "滩区一类户请立即撤离";
    assert!(text.contains(from));
    std::fs::write(
        &cats,
        text.replacen(from, "{grid.name}滩区一类户请立即撤离", 1),
    )
    .expect("write");
    let (out, err, code) = floodgrid(&["check", &dir.display().to_string()], None);
    let all = out + &err;
    assert_eq!(code, 0, "a warning, not an error:\n{all}");
    let blue = dir.join("plan/10-blue.toml").display().to_string();
    assert!(
        all.contains(&format!("--> {blue}:49:11")),
        "located at the instruction's message line:\n{all}"
    );
    assert!(
        all.contains(
            "template `household_evac` uses {grid.name} but this instruction has for_each = \"household\""
        ),
        "{all}"
    );
    assert!(all.contains("0 error(s), 1 warning(s)"), "{all}");
}

/// Root cause first: the five planner mistakes of `broken/` made together in one copy of `tiny`
/// give exactly five errors, one at each mistake's own file:line:col — none of the follow-on
/// "unknown grid" or "unknown person" errors about rows that were in their file but rejected.
#[test]
fn five_mistakes_give_exactly_five_errors_each_at_its_place() {
    let tiny = fixtures().join("tiny");
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("scenario");
    copy_dir(&tiny, &dir);
    // Merge the overlays line by line: each changes a few lines of one file.
    let mut places = Vec::new();
    for entry in std::fs::read_dir(fixtures().join("broken")).expect("broken dir") {
        let case = entry.expect("entry").path();
        if !case.is_dir() {
            continue;
        }
        let mut stack = vec![case.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("case dir") {
                let path = e.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let rel = path.strip_prefix(&case).expect("inside the case");
                if rel == Path::new("expect.txt") {
                    continue;
                }
                let broken = std::fs::read_to_string(&path).expect("overlay");
                let target = dir.join(rel);
                let current = std::fs::read_to_string(&target).expect("tiny file");
                let original = std::fs::read_to_string(tiny.join(rel)).expect("tiny file");
                let (b, o): (Vec<&str>, Vec<&str>) =
                    (broken.lines().collect(), original.lines().collect());
                assert_eq!(b.len(), o.len(), "{}: a line-for-line edit", rel.display());
                let mut lines: Vec<String> = current.lines().map(String::from).collect();
                for (i, (x, y)) in b.iter().zip(&o).enumerate() {
                    if x != y {
                        lines[i] = x.to_string();
                        places.push(format!("{}:{}:", rel.display(), i + 1));
                    }
                }
                std::fs::write(&target, lines.join("\n") + "\n").expect("write");
            }
        }
    }
    assert_eq!(places.len(), 5, "{places:?}");
    let (out, err, code) = floodgrid(&["check", &dir.display().to_string()], None);
    assert_eq!(code, 1, "{out}{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 5, "exactly five errors:\n{err}");
    assert!(out.contains("5 error(s)"), "{out}");
    for place in &places {
        let at = format!("{}/{place}", dir.display());
        assert_eq!(err.matches(&at).count(), 1, "one error at {place}:\n{err}");
    }
}

/// No silent nonsense: each value below used to be accepted without a word (or the river's
/// absence flooded nothing); each is now one located error of `check`.
#[test]
fn nonsense_values_are_located_errors() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "scenario.toml",
            "dem = \"dem.asc\"",
            "dem = \"nodem.asc\"",
            "the DEM `nodem.asc` is not in",
        ),
        (
            "scenario.toml",
            "plan = \"plan\"",
            "plan = \"plan\"\npeople = \"staff.csv\"",
            "the roster `staff.csv` is not in",
        ),
        (
            "scenario.toml",
            "bankfull_discharge_m3s = 1000",
            "bankfull_discharge_m3s = nan",
            "bankfull_discharge_m3s NaN; expected a number ≥ 0 m³/s",
        ),
        (
            "scenario.toml",
            "bankfull_discharge_m3s = 1000",
            "bankfull_discharge_m3s = -1",
            "bankfull_discharge_m3s -1; expected a number ≥ 0 m³/s",
        ),
        (
            "scenario.toml",
            "response = \"IV\"",
            "response = \"level five\"",
            "blue response \"level five\"; expected one of IV, III, II, I",
        ),
        (
            "scenario.toml",
            "station = \"qh\"",
            "station = \"qh\"\nupstream = \"no_such_gauge\"",
            "upstream gauge `no_such_gauge` is not a [[station]]",
        ),
        (
            "scenario.toml",
            "trend_threshold_m3s_per_h = 100",
            "trend_threshold_m3s_per_h = -5",
            "trend_threshold_m3s_per_h -5; expected a number above 0",
        ),
        (
            "sites.geojson",
            "\"kind\": \"river\"",
            "\"kind\": \"road\"",
            "no river: expected a feature with \"kind\": \"river\"",
        ),
        (
            "drills/01-rise-to-yellow.toml",
            "within_min = 30 }]",
            "within_min = nan }]",
            "within_min NaN; expected minutes 0 to 43200",
        ),
        (
            "drills/01-rise-to-yellow.toml",
            "at_min = 45",
            "at_min = 1e9",
            "at_min 1000000000; expected minutes 0 to 43200",
        ),
        (
            "dem.asc",
            "cellsize 30",
            "cellsize 1e300",
            "expected a cell size above 0 and at most 10000 m",
        ),
        // Absurd, not only invalid: more than the river can carry, longer than a flood.
        (
            "scenario.toml",
            "bankfull_discharge_m3s = 1000",
            "bankfull_discharge_m3s = 1e300",
            "expected at most 20000 m³/s, the most this river can carry",
        ),
        (
            "scenario.toml",
            "design_discharge_m3s = 5000",
            "design_discharge_m3s = 1e300",
            "expected at most 20000 m³/s, the most this river can carry",
        ),
        (
            "scenario.toml",
            "trend_threshold_m3s_per_h = 100",
            "trend_threshold_m3s_per_h = 1e300",
            "expected at most 20000 m³/s per hour",
        ),
        (
            "scenario.toml",
            "dwell_minutes = 60",
            "dwell_minutes = 1e300",
            "expected minutes 0 to 10080 (a week)",
        ),
        (
            "scenario.toml",
            "trend_window_minutes = 120",
            "trend_window_minutes = 1e300",
            "at most 10080 (a week)",
        ),
        (
            "scenario.toml",
            "chainage_km = 0.1",
            "chainage_km = nan",
            "chainage_km NaN; expected kilometres 0 to 10000",
        ),
        (
            "scenario.toml",
            "chainage_km = 0.1",
            "chainage_km = -1",
            "chainage_km -1; expected kilometres 0 to 10000",
        ),
        // A capacity of 0 was silently made 1.
        (
            "scenario.toml",
            "capacity = 4",
            "capacity = 0",
            "capacity 0; expected 1 to 1000",
        ),
        (
            "scenario.toml",
            "capacity = 4",
            "capacity = 100000000",
            "capacity 100000000; expected 1 to 1000",
        ),
        // A role rejected for a bad value is still known by its id: one error, not one per
        // person and instruction naming it.
        (
            "scenario.toml",
            "capacity = 4",
            "capacity = -1",
            "invalid value: integer `-1`, expected u32",
        ),
    ];
    for &(file, from, to, message) in cases {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("scenario");
        copy_dir(&fixtures().join("tiny"), &dir);
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).expect("fixture file");
        assert!(text.contains(from), "{file} has no {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
        let (out, err, code) = floodgrid(&["check", &dir.display().to_string()], None);
        assert_eq!(code, 1, "{to}: an error\n{out}{err}");
        let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
        assert_eq!(errors.len(), 1, "{to}: one error\n{err}");
        assert!(errors[0].contains(message), "{to}:\n{err}");
        let shown = format!("{}:", path.display());
        assert!(err.contains(&shown), "{to}: located in {file}\n{err}");
    }
}

/// A roster saved in GBK (Excel's "CSV" on a Chinese system) is one error, the encoding one with
/// its hint, not one per later reference to a person in it.
#[test]
fn a_gbk_roster_is_one_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("scenario");
    copy_dir(&fixtures().join("tiny"), &dir);
    let people = dir.join("people.csv");
    let text = std::fs::read_to_string(&people).expect("people");
    // GBK for the CJK characters of the roster: two bytes each, never valid UTF-8 here.
    let gbk: Vec<u8> = text
        .chars()
        .flat_map(|c| {
            if c.is_ascii() {
                vec![c as u8]
            } else {
                vec![0xB0, 0xA1]
            }
        })
        .collect();
    std::fs::write(&people, gbk).expect("write");
    let (out, err, code) = floodgrid(&["check", &dir.display().to_string()], None);
    assert_eq!(code, 1, "{out}{err}");
    let problems: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("error") || l.starts_with("warning"))
        .collect();
    assert_eq!(problems.len(), 1, "one problem for the file:\n{err}");
    assert!(problems[0].contains("CSV UTF-8"), "{err}");
}
