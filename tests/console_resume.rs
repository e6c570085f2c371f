//! End to end, issue #16: a console drill killed with SIGKILL and resumed with
//! `floodgrid drill --resume JOURNAL` in the console leaves the journal and the outbox of an
//! uninterrupted console drill that did the same, byte for byte.
//!
//! Both runs play the `tiny` fixture's drill on the real binary in tmux. The drill starts paused,
//! so the commander's actions land at minute 0 whatever the wall clock does: `:flow 3000`, a push
//! (`p`, Enter ×3), `:flow 2000`; then `:speed 3600` and Space run the clock to the drill's end,
//! and `q` quits (the drill is over, so it does not ask), which writes the journal's `end` record. The interrupted run is killed after
//! the push and resumed for the rest. Without a `tmux` command the test says so and passes.

mod common;

use common::copy_dir;

use std::path::Path;
use std::time::{Duration, Instant};

use common::tmux::{self, Tmux};

/// How long one step may take to show (the console's start builds the engine).
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// Types a console command and Enter.
fn command(t: &Tmux, name: &str, text: &str) {
    t.text(name, text);
    t.key(name, "Enter");
}

/// Presses named keys in turn.
fn keys(t: &Tmux, name: &str, keys: &[&str]) {
    for k in keys {
        t.key(name, k);
    }
}

fn alive(pid: i32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
}

fn wait_gone(pid: i32, what: &str) {
    let start = Instant::now();
    while alive(pid) {
        assert!(start.elapsed() < STEP_TIMEOUT, "{what} did not exit");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until a file holds a line containing `needle`.
fn wait_for_line(path: &Path, needle: &str) {
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.lines().any(|l| l.contains(needle)) {
            return;
        }
        assert!(
            start.elapsed() < STEP_TIMEOUT,
            "{} never held {needle:?}:\n{text}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The console is up with the drill at minute 0.
fn opened(t: &Tmux, name: &str) {
    t.wait_for(name, "the console", |s| {
        s.contains("? help") && s.contains("T+00:00")
    });
}

/// The commander's first actions: a yellow flow and a push of the selected order's message.
fn first_part(t: &Tmux, name: &str, journal: &Path) {
    command(t, name, ":flow 3000");
    wait_for_line(journal, "\"discharge_m3s\":3000");
    keys(t, name, &["p"]);
    t.wait_for(name, "the push dialog", |s| s.contains("Enter"));
    keys(t, name, &["Enter", "Enter", "Enter"]);
    wait_for_line(journal, "\"push\"");
}

/// The rest: another flow, the clock at ×3600 to the end, quit.
fn second_part(t: &Tmux, name: &str, journal: &Path, pid: i32) {
    command(t, name, ":flow 2000");
    wait_for_line(journal, "\"discharge_m3s\":2000");
    command(t, name, ":speed 3600");
    wait_for_line(journal, "3600");
    keys(t, name, &["Space"]);
    t.wait_for(name, "the drill's end", |s| s.contains("T+06:00"));
    // Once the drill is over, `q` quits without asking.
    t.wait_for(name, "the end banner", |s| s.contains("Drill over"));
    keys(t, name, &["q"]);
    wait_gone(pid, "the console");
}

#[test]
fn a_killed_console_drill_resumes_to_the_journal_and_outbox_of_an_uninterrupted_one() {
    if !tmux::installed() {
        println!("tmux not installed: skipping; CI installs it");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("tiny");
    copy_dir(&common::fixture("tiny"), &dir);
    let t = Tmux::new(STEP_TIMEOUT);
    let files = |n: &str| (dir.join(format!("{n}.jsonl")), dir.join(format!("{n}.out")));
    let s = |p: &Path| p.display().to_string();

    // Uninterrupted.
    let (whole_j, whole_o) = files("whole");
    let pid = t.start(
        "whole",
        &dir,
        &[
            "drill",
            ".",
            "--lang",
            "en",
            "--journal",
            &s(&whole_j),
            "--outbox",
            &s(&whole_o),
        ],
    );
    opened(&t, "whole");
    first_part(&t, "whole", &whole_j);
    second_part(&t, "whole", &whole_j, pid);

    // Killed after the push, then resumed in the console.
    let (cut_j, cut_o) = files("cut");
    let pid = t.start(
        "cut",
        &dir,
        &[
            "drill",
            ".",
            "--lang",
            "en",
            "--journal",
            &s(&cut_j),
            "--outbox",
            &s(&cut_o),
        ],
    );
    opened(&t, "cut");
    first_part(&t, "cut", &cut_j);
    // SAFETY: signalling a process this test started (the pane's only process).
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
    wait_gone(pid, "the killed console");
    let killed = std::fs::read_to_string(&cut_j).expect("journal");
    assert!(
        !killed.contains("\"end\""),
        "a killed console wrote an end record"
    );
    let pid = t.start(
        "resumed",
        &dir,
        &[
            "drill",
            ".",
            "--lang",
            "en",
            "--resume",
            &s(&cut_j),
            "--outbox",
            &s(&cut_o),
        ],
    );
    t.wait_for("resumed", "the resumed console", |s| s.contains("? help"));
    second_part(&t, "resumed", &cut_j, pid);

    let read = |p: &Path| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let (a, b) = (read(&whole_j), read(&cut_j));
    let text = String::from_utf8_lossy(&a);
    assert!(text.contains("\"push\""), "{text}");
    assert!(
        text.lines().last().unwrap_or("").contains("\"end\""),
        "the console's journal ends with its end record:\n{text}"
    );
    assert_eq!(
        String::from_utf8_lossy(&a),
        String::from_utf8_lossy(&b),
        "journals differ"
    );
    let (a, b) = (read(&whole_o), read(&cut_o));
    assert!(!a.is_empty(), "the push reached the outbox");
    assert_eq!(
        String::from_utf8_lossy(&a),
        String::from_utf8_lossy(&b),
        "outboxes differ"
    );
    println!(
        "console kill -9 and resume: journal {} lines, outbox {} lines, identical",
        text.lines().count(),
        String::from_utf8_lossy(&a).lines().count()
    );
}
