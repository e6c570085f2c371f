//! `floodgrid bench`: every figure comes with its target and a pass or fail, in JSON for
//! machines. The quick run of the bundled part only (the scale and solver parts are the same
//! mechanism on bigger workloads; their figures are in README's performance table).

mod common;

use std::process::Command;

#[test]
fn bench_json_gives_every_figure_its_target_and_a_verdict() {
    let out = Command::new(env!("CARGO_BIN_EXE_floodgrid"))
        .args(["bench", "--quick", "--only", "bundled", "--format", "json"])
        .arg("--scenario")
        .arg(common::bundled())
        .output()
        .expect("floodgrid runs");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert!(r["machine"]["cores"].as_u64().unwrap() >= 1);
    assert_eq!(r["quick"], true);
    let figures = r["figures"].as_array().expect("figures");
    let names: Vec<&str> = figures
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    for want in [
        "bundled.load_ms",
        "bundled.build_ms",
        "bundled.assess_median_ms",
        "console.frame_200x60_ms",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    let mut verdicts = 0;
    for f in figures {
        assert!(f["value"].as_f64().is_some_and(f64::is_finite), "{f}");
        match f["goal"].as_str().unwrap() {
            "none" => assert!(f["target"].is_null() && f["pass"].is_null(), "{f}"),
            goal => {
                let (v, t) = (f["value"].as_f64().unwrap(), f["target"].as_f64().unwrap());
                let pass = if goal == "below" { v < t } else { v >= t };
                assert_eq!(f["pass"].as_bool(), Some(pass), "{f}");
                verdicts += 1;
            }
        }
    }
    assert!(verdicts >= 3);
    let all = figures.iter().all(|f| f["pass"].as_bool() != Some(false));
    assert_eq!(r["all_pass"].as_bool(), Some(all));
    assert_eq!(
        out.status.success(),
        all,
        "the exit code says whether every target was met"
    );
    assert_eq!(
        r["scaling"][0]["scenario"], "bundled",
        "the work × time table starts from the bundled scenario"
    );
}

#[test]
fn bench_only_with_an_unknown_part_is_an_error_naming_the_parts() {
    let out = Command::new(env!("CARGO_BIN_EXE_floodgrid"))
        .args(["bench", "--quick", "--only", "bogus"])
        .output()
        .expect("floodgrid runs");
    assert_eq!(out.status.code(), Some(2), "a usage error, not a run");
    assert!(out.stdout.is_empty(), "no figures, no verdict");
    let err = String::from_utf8_lossy(&out.stderr);
    for part in ["bogus", "bundled", "scale", "solver"] {
        assert!(err.contains(part), "{part} not named in {err}");
    }
}
