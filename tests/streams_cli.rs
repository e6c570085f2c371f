//! Every subcommand keeps its streams apart: the answer (tables, JSON, reports) on stdout, so it
//! can be piped; diagnostics, progress and "wrote FILE" notes on stderr.

mod common;

use std::path::PathBuf;

use common::floodgrid;
use serde_json::Value;

/// A temporary directory for one test, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("floodgrid-streams-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    fn path(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn check_puts_the_problems_on_stderr_and_the_verdict_on_stdout() {
    let dir = Scratch::new("check");
    std::fs::write(dir.0.join("scenario.toml"), "[scenario]\nname = \"x\"\n").unwrap();
    let (code, out, err) = floodgrid(&["check", &dir.path()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("scenario.toml:1:"),
        "the diagnostic, with its line: {err}"
    );
    assert!(!out.contains("-->"), "no diagnostic on stdout: {out}");
    assert!(out.contains("error(s)"), "the verdict on stdout: {out}");
    // JSON: one object on stdout, diagnostics inside it.
    let (code, out, err) = floodgrid(&["check", &dir.path(), "--format", "json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).expect("one JSON object");
    assert!(!v["diagnostics"].as_array().unwrap().is_empty());
    assert!(err.is_empty(), "{err}");
}

#[test]
fn schema_and_atlas_write_files_and_say_so_on_stderr() {
    let dir = Scratch::new("files");
    let scenario = common::bundled().display().to_string();
    let schemas = dir.0.join("schemas").display().to_string();
    let atlas = dir.0.join("atlas").display().to_string();
    for args in [
        ["schema", "--out", &schemas].as_slice(),
        &["atlas", &scenario, "--out", &atlas],
    ] {
        let (code, out, err) = floodgrid(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(err.contains("wrote"), "{args:?}: {err}");
    }
}

#[test]
fn assess_answers_on_stdout_only() {
    let scenario = common::bundled().display().to_string();
    let extent = Scratch::new("assess");
    let file = extent.0.join("extent.geojson").display().to_string();
    let (code, out, err) = floodgrid(&[
        "assess",
        &scenario,
        "--discharge",
        "22000",
        "--format",
        "json",
        "--extent",
        &file,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    let v: Value = serde_json::from_str(&out).expect("the assessment alone on stdout");
    assert_eq!(v["level"], "red");
    let (code, out, err) = floodgrid(&["assess", &scenario, "--sweep", "0:20000:10000"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out.lines().count(), 4, "a header and three rows: {out}");
    // A usage error: nothing on stdout.
    let (code, out, err) = floodgrid(&["assess", &scenario, "--sweep", "9:1:1"]);
    assert_eq!(code, 2);
    assert!(out.is_empty() && err.contains("--sweep"), "{out} / {err}");
}

#[test]
fn report_of_a_missing_journal_is_an_error_on_stderr() {
    let (code, out, err) = floodgrid(&["report", "/nonexistent/journal.jsonl"]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("error"), "{err}");
}
