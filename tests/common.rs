//! Shared fixtures for the end-to-end tests: the bundled scenario (read in place, never copied)
//! and copies of the small fixture scenarios under `tests/fixtures` that a test may break.

#![allow(dead_code)]

#[path = "common/tmux.rs"]
pub mod tmux;

use std::path::{Path, PathBuf};

/// The bundled scenario's directory. Tests read it in place; a test that breaks a file copies a
/// small fixture instead ([`Copy::tiny`]).
pub fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/huayuankou")
}

/// A fixture scenario's directory: `tests/fixtures/<name>` (`tiny`, `deep`, `stage`, `broken`).
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fresh copy of a fixture scenario in a temporary directory, removed on drop.
pub struct Copy {
    /// The copy's scenario directory.
    pub dir: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Copy {
    /// A copy of `tests/fixtures/tiny` (a few KB), for a test that breaks one of its files.
    pub fn tiny() -> Copy {
        Copy::of("tiny")
    }

    /// A copy of the fixture `tests/fixtures/<name>`.
    pub fn of(name: &str) -> Copy {
        let tmp = tempfile::Builder::new()
            .prefix(&format!("floodgrid-{name}-"))
            .tempdir()
            .expect("temp dir");
        let dir = tmp.path().join(name);
        copy_dir(&fixture(name), &dir);
        Copy { dir, _tmp: tmp }
    }

    /// A file of the copy, by its path relative to the scenario directory.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    /// The text of a file of the copy.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).expect("fixture file")
    }

    /// Overwrites a file of the copy.
    pub fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.path(rel), text).expect("write fixture");
    }

    /// Replaces the first occurrence of `from` in a file; panics when it is absent, so a test
    /// cannot silently stop testing anything.
    pub fn replace(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} has no {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// The display path the diagnostics use for a file.
    pub fn shown(&self, rel: &str) -> String {
        self.dir.join(rel).display().to_string()
    }
}

/// Copies a scenario directory tree into `to` (created), leaving out the fixtures' expected
/// outputs (`expect/` directories and `expect.txt` files), which are not scenario files. Also
/// overlays a directory on an existing copy (`tests/fixtures/broken/<case>` on `tiny`).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create fixture dir");
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            if entry.file_name() != "expect" {
                copy_dir(&entry.path(), &target);
            }
        } else if entry.file_name() != "expect.txt" {
            std::fs::copy(entry.path(), target).expect("copy fixture");
        }
    }
}

/// 1-based (line, column in characters) of the first occurrence of `needle` in `text`.
pub fn position_of(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).expect("needle present");
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

/// Runs the `floodgrid` binary: exit code (-1 when killed by a signal), stdout, stderr.
pub fn floodgrid(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_floodgrid"))
        .args(args)
        .output()
        .expect("run floodgrid");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
