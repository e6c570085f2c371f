//! Small fixture scenarios written for the tests (tests/fixtures, see each README), checked
//! against expected output files: `floodgrid check`, `assess --format json` at each level, the
//! drill report, and five planner mistakes overlaid on `tiny`. Set `UPDATE_EXPECT=1` to rewrite
//! the expected files after a deliberate change, then review the diff.

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
            &normalise_check(&(out + &err), &dir),
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
    let (_, err, code) = floodgrid(
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
    let (report, err, code) = floodgrid(&["report", &journal], Some(&dir));
    assert_eq!(code, 0, "{err}");
    expect(&dir.join("expect/drill-01.report.md"), &report);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            if entry.file_name() != "expect" {
                copy_dir(&entry.path(), &target);
            }
        } else if entry.file_name() != "expect.txt" {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
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
            &normalise_check(&(out + &err), &dir),
        );
        cases += 1;
    }
    assert_eq!(cases, 5);
}
