//! Warning by stage (水位) on the fixture `tests/fixtures/stage` (tiny, warned by stage):
//! `floodgrid assess DIR --stage X` and `--discharge Q` give the same level and stage where the
//! rating maps X to Q, at and around each threshold and band edge; impossible stages are refused;
//! thresholds written wrongly are located errors.

mod common;

use std::path::{Path, PathBuf};

use common::{floodgrid, position_of};
use floodgrid_engine::assess::{Engine, Situation};
use floodgrid_engine::hydro::{GaugeUnit, RatedRange, WarningLevel};
use floodgrid_engine::scenario::{CheckReport, Scenario, Severity};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn stage_dir() -> String {
    fixtures().join("stage").display().to_string()
}

/// `assess --format json` with extra arguments: (level, discharge, stage).
fn assess(extra: &[&str]) -> (String, f64, f64) {
    let dir = stage_dir();
    let mut args = vec!["assess", dir.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = floodgrid(&args);
    assert_eq!(code, 0, "{extra:?}: {err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    (
        v["level"].as_str().expect("level").to_string(),
        v["discharge_m3s"].as_f64().expect("discharge"),
        v["stage_m"].as_f64().expect("stage"),
    )
}

/// The fixture's thresholds as its README gives them: (level, stage m, the discharge the rating
/// gives, exit stage m).
const THRESHOLDS: [(&str, f64, f64, f64); 4] = [
    ("blue", 62.15, 1250.0, 62.0),
    ("yellow", 63.0, 2000.0, 62.8),
    ("orange", 64.3, 3500.0, 64.0),
    ("red", 65.3, 5000.0, 64.9),
];

#[test]
fn stage_and_discharge_give_the_same_level_at_and_around_each_threshold() {
    let below = ["none", "blue", "yellow", "orange"];
    for (i, &(level, stage, q, exit)) in THRESHOLDS.iter().enumerate() {
        // (stage typed in, the level the entry rule gives, the discharge when it is a round one)
        let cases = [
            (stage, level, Some(q)),
            (stage - 0.01, below[i], None),
            (stage + 0.01, level, None),
            // The band's edge: without a tracker's history, the entry rule gives the level below.
            (exit, below[i], None),
            (exit - 0.01, below[i], None),
        ];
        for (x, want, round_q) in cases {
            let x_text = format!("{x:.2}");
            let (by_stage, q_of_x, h) = assess(&["--stage", &x_text]);
            assert_eq!(by_stage, want, "--stage {x_text}");
            assert_eq!(
                h,
                x_text.parse::<f64>().unwrap(),
                "stage_m at --stage {x_text}"
            );
            // The discharge the stage gave, typed back in, reads as the same stage and level.
            let (by_q, q_back, h_back) = assess(&["--discharge", &q_of_x.to_string()]);
            assert_eq!(
                (by_q.as_str(), q_back, h_back),
                (want, q_of_x, h),
                "{x_text}"
            );
            if let Some(q) = round_q {
                // The discharge a planner works out by hand from the table, typed as a round
                // number, gives the threshold's level too (stages are read to the micrometre).
                assert!((q_of_x - q).abs() < 1e-6, "{x_text} m is {q_of_x}, not {q}");
                let (by_round, _, h_round) = assess(&["--discharge", &q.to_string()]);
                assert_eq!((by_round.as_str(), h_round), (want, h), "--discharge {q}");
            }
        }
    }
}

#[test]
fn every_centimetre_of_stage_gives_the_level_of_its_thresholds() {
    let sc = Scenario::load(fixtures().join("stage")).expect("stage fixture loads");
    let th = sc.config.warning.clone();
    assert_eq!(th.unit(), GaugeUnit::Stage);
    for (t, &(_, stage, q, exit)) in th.levels.iter().zip(&THRESHOLDS) {
        assert_eq!(t.value, stage);
        assert!(
            (t.discharge_m3s - q).abs() < 1e-6,
            "{} vs {q}",
            t.discharge_m3s
        );
        assert_eq!(th.exit(th.level_for(t.discharge_m3s)), Some(exit));
    }
    let config = sc.config.clone();
    let engine = Engine::build(sc).expect("engine");
    // 59.00 m (the lowest rated stage) to 68.50 m (the declared bound), every centimetre.
    for cm in 5900..=6850 {
        let x = f64::from(cm) / 100.0;
        let q = config.discharge_at(x).expect("a possible stage").value;
        let want = THRESHOLDS.iter().filter(|t| x >= t.1).count();
        let a = engine
            .assess(&Situation::at_discharge(q))
            .expect("assessment");
        assert_eq!(a.level, WarningLevel::ALL[want], "{x} m = {q} m³/s");
        assert_eq!(a.stage_m, x, "{q} m³/s reads as {x} m");
    }
}

#[test]
fn impossible_stages_are_refused_and_extrapolation_is_said() {
    let dir = stage_dir();
    for (stage, words) in [
        ("NaN", "not a number"),
        ("inf", "not a number"),
        ("68.51", "beyond 68.5 m, the most this river can carry"),
    ] {
        let (code, out, err) = floodgrid(&["assess", &dir, "--stage", stage]);
        assert_eq!(code, 2, "--stage {stage}: {out}");
        assert!(
            err.contains(&format!("error: --stage {}", stage.parse::<f64>().unwrap()))
                && err.contains(words),
            "--stage {stage}: {err}"
        );
    }
    // Beyond the last rated point (67.8 m at 10,000 m³/s) but within the bound: a warning.
    let (code, out, err) = floodgrid(&["assess", &dir, "--stage", "68.5", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("extrapolated"), "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["discharge_m3s"].as_f64(), Some(11_500.0));
    assert_eq!(v["level"], "red");
    // Below the lowest rated stage: the first rated discharge, said.
    let (code, _, err) = floodgrid(&["assess", &dir, "--stage", "-3", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("below 59 m"), "{err}");
    // Stage and discharge together is a usage error.
    let (code, _, err) = floodgrid(&["assess", &dir, "--stage", "63", "--discharge", "2000"]);
    assert_eq!(code, 2, "{err}");
    // A discharge beyond the rated table is said too, not extrapolated silently.
    let (code, _, err) = floodgrid(&["assess", &dir, "--discharge", "11000"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("extrapolated"), "{err}");
    let (code, _, err) = floodgrid(&["assess", &dir, "--discharge", "9000"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("extrapolated"), "{err}");
}

#[test]
fn stage_conversions_report_where_they_lie() {
    let sc = Scenario::load(fixtures().join("stage")).expect("stage fixture loads");
    let c = &sc.config;
    assert_eq!(c.gauge.max_discharge_m3s, 11_500.0, "max_stage_m 68.5 m");
    let at = |h: f64| c.discharge_at(h).map(|x| (x.value, x.range));
    assert_eq!(at(62.5), Ok((1500.0, RatedRange::Rated)));
    assert_eq!(at(58.0), Ok((0.0, RatedRange::Below)));
    assert_eq!(at(68.5).map(|x| x.1), Ok(RatedRange::Above));
    assert!(at(68.6).is_err() && at(f64::NAN).is_err());
    let st = |q: f64| c.stage_at(q).map(|x| (x.value, x.range));
    assert_eq!(st(1250.0), Ok((62.15, RatedRange::Rated)));
    assert_eq!(st(10_500.0).map(|x| x.1), Ok(RatedRange::Above));
    assert!(st(-1.0).is_err() && st(11_501.0).is_err() && st(f64::NAN).is_err());
}

/// Checks the stage fixture with one edit of its `scenario.toml`, the other files read from
/// `tiny` where they are: the report, and the edited text with its display path.
fn check_edited(from: &str, to: &str) -> (CheckReport, String, String) {
    let text = std::fs::read_to_string(fixtures().join("stage/scenario.toml")).expect("toml");
    assert!(text.contains(from), "scenario.toml has no {from:?}");
    let tiny = fixtures().join("tiny").display().to_string();
    let text = text
        .replacen(from, to, 1)
        .replace("\"../tiny/", &format!("\"{tiny}/"));
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = tmp.path().join("scenario.toml");
    std::fs::write(&path, &text).expect("write");
    let report = Scenario::check(tmp.path());
    (report, text, path.display().to_string())
}

/// The diagnostic of a severity at the first occurrence of `at` in the edited text, with words.
fn expect_at(r: &CheckReport, severity: Severity, text: &str, file: &str, at: &str, words: &str) {
    let (line, column) = position_of(text, at);
    let hit = r.diagnostics.iter().any(|d| {
        d.severity == severity
            && d.file == file
            && (d.line, d.column) == (line, column)
            && d.message.contains(words)
    });
    assert!(
        hit,
        "no {severity:?} at {line}:{column} with {words:?}: {:#?}",
        r.diagnostics
    );
}

#[test]
fn thresholds_by_stage_written_wrongly_are_located() {
    let (r, _, _) = check_edited("", "");
    assert!(r.ok(), "the fixture itself: {:#?}", r.diagnostics);
    // Mixing units.
    let (r, text, file) = check_edited(
        "yellow = { stage_m = 63.0,  band_m = 0.2,",
        "yellow = { discharge_m3s = 2000,  band_m3s = 200,",
    );
    expect_at(&r, Severity::Error, &text, &file, "2000,", "one unit");
    // A discharge band with a stage threshold.
    let (r, text, file) = check_edited("band_m = 0.15", "band_m3s = 100");
    expect_at(&r, Severity::Error, &text, &file, "100,", "expected band_m");
    // Both units in one level.
    let (r, text, file) = check_edited("stage_m = 64.3,", "stage_m = 64.3, discharge_m3s = 3500,");
    expect_at(&r, Severity::Error, &text, &file, "64.3,", "both");
    // Below the rating curve, above the river's bound, out of order, a band too wide.
    let (r, text, file) = check_edited("stage_m = 62.15", "stage_m = 58.5");
    expect_at(&r, Severity::Error, &text, &file, "58.5", "above 59 m");
    let (r, text, file) = check_edited("stage_m = 65.3", "stage_m = 69");
    expect_at(&r, Severity::Error, &text, &file, "69,", "68.5 m");
    let (r, text, file) = check_edited("stage_m = 64.3", "stage_m = 62.9");
    expect_at(
        &r,
        Severity::Error,
        &text,
        &file,
        "62.9",
        "blue < yellow < orange < red",
    );
    let (r, text, file) = check_edited("band_m = 0.3", "band_m = 1.3");
    expect_at(&r, Severity::Error, &text, &file, "1.3", "band < 1.3");
    // Above the last rated point (67.8 m) but possible: a warning, not an error.
    let (r, text, file) = check_edited("stage_m = 65.3", "stage_m = 68.0");
    expect_at(&r, Severity::Warning, &text, &file, "68.0", "extrapolated");
    assert!(r.ok(), "{:#?}", r.diagnostics);
    // The bound given twice.
    let (r, text, file) = check_edited(
        "max_stage_m = 68.5",
        "max_stage_m = 68.5\nmax_discharge_m3s = 11000",
    );
    expect_at(&r, Severity::Error, &text, &file, "68.5", "both given");
}
