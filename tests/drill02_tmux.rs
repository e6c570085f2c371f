//! End to end, keys only: the real `floodgrid` binary in tmux plays drill 02 (the design flood
//! of 22,000 m³/s) to its end. It acknowledges every alarm from the alarm queue (both
//! smart-stone alarms at Madu), bulk-dispatches the to-do list to the suggested people, reassigns
//! one task and places one direct call; at the end the drill's banner says so, the after-action
//! report is written beside the journal with no missed acknowledgement, quitting does not ask,
//! and the journal holds each of those actions.
//!
//! CI (`.ci/run`) installs tmux. Without a `tmux` command the test says so and passes. It runs
//! on a private tmux server (`-S` socket in a temporary directory, no configuration file) that a
//! guard kills however the test ends.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::tmux::{self, Tmux};

/// How long one step may take to show on the screen.
const STEP_TIMEOUT: Duration = Duration::from_secs(120);

/// The console's tmux session.
const S: &str = "d02";

/// Whether the inject banner shows a smart-stone alarm waiting for its acknowledgement.
fn alarm_banner(screen: &str) -> bool {
    screen
        .lines()
        .any(|l| l.contains("smart-stone alarm") && l.contains("x acknowledge"))
}

/// The number in the alarm queue's title (`Alarms and reports N`).
fn queue_len(screen: &str) -> usize {
    let at = screen
        .find("Alarms and reports ")
        .expect("the alarm queue is on screen");
    screen[at + "Alarms and reports ".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .expect("a count")
}

/// Pauses, acknowledges every item of the alarm queue from the top with `x`, and waits until
/// the queue says none is waiting.
fn acknowledge_all(tmux: &Tmux) {
    tmux.text(S, "!");
    let screen = tmux.wait_for(S, "the alarm queue", |s| s.contains("Alarms and reports "));
    tmux.text(S, "g");
    for _ in 0..queue_len(&screen) {
        tmux.text(S, "xj");
    }
    tmux.wait_for(S, "every alarm acknowledged", |s| {
        s.contains("Alarms and reports ") && s.contains(" new 0 ")
    });
}

#[test]
fn drill_02_played_to_its_end_with_keys_only() {
    if !tmux::installed() {
        println!("tmux not installed: skipping; CI installs it");
        return;
    }
    let started = Instant::now();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = env!("CARGO_BIN_EXE_floodgrid");
    let script = std::fs::read_dir(root.join("scenarios/huayuankou/drills"))
        .expect("the drills")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("02-"))
        })
        .expect("drill 02");
    let tmux = Tmux::new(STEP_TIMEOUT);
    let journal = tmux.dir.join("d02.jsonl");
    let report = tmux.dir.join("d02.report.md");
    tmux.ok(&[
        "new-session",
        "-d",
        "-s",
        "d02",
        "-x",
        "160",
        "-y",
        "48",
        "-c",
        &root.display().to_string(),
        "-e",
        "LANG=C.UTF-8",
        "-e",
        "PS1=$ ",
        "sh",
    ]);
    tmux.ok(&["set-option", "-t", "d02", "status", "off"]);
    tmux.text(S, &format!(
        "'{bin}' drill scenarios/huayuankou --script '{}' --journal '{}' --lang en; echo \"console exit $?.\"",
        script.display(),
        journal.display()
    ));
    tmux.key(S, "Enter");
    tmux.wait_for(S, "the start prompt", |s| s.contains("Space starts"));

    // As fast as the drill goes; Space starts it.
    tmux.text(S, ":speed 3600");
    tmux.key(S, "Enter");
    tmux.text(S, " ");
    // The first smart-stone alarm (T+03:20) holds the banner until acknowledged.
    tmux.wait_for(S, "the first smart-stone alarm", alarm_banner);
    tmux.text(S, " ");
    tmux.wait_for(S, "the pause", |s| s.contains("paused"));
    acknowledge_all(&tmux);

    // Back to the to-do list (Shift-Tab from the queue): dispatch every task shown to the
    // suggested people, confirmed with the count.
    tmux.key(S, "BTab");
    tmux.text(S, "D");
    tmux.wait_for(S, "the bulk confirmation", |s| {
        s.contains("tasks of the list?")
    });
    tmux.text(S, "y");
    tmux.wait_for(S, "the bulk dispatch", |s| s.contains("Bulk dispatch"));

    // Reassign one sent task: filter the list to sent tasks, r, pick the person under the
    // cursor, confirm.
    tmux.text(S, "/sent");
    tmux.key(S, "Enter");
    tmux.text(S, "r");
    tmux.wait_for(S, "the reassign picker", |s| {
        s.contains("Reassign: pick people")
    });
    tmux.text(S, "j");
    tmux.key(S, "Enter");
    tmux.key(S, "Enter");
    // The picker closes and the status line shows the drill's answer (a task not yet accepted
    // is sent anew to the people picked).
    tmux.wait_for(S, "the reassignment", |s| {
        !s.contains("Reassign: pick people") && s.contains("to ")
    });

    // One direct call to someone in that task's grid.
    tmux.text(S, "t");
    tmux.wait_for(S, "the call dialog", |s| s.contains("Video call to"));
    tmux.key(S, "Enter");
    tmux.wait_for(S, "the call", |s| s.contains("Video call:"));
    tmux.key(S, "Escape");

    // Run on to the second alarm (T+08:00), acknowledge it from the queue too.
    tmux.text(S, " ");
    tmux.wait_for(S, "the second smart-stone alarm", alarm_banner);
    tmux.text(S, " ");
    tmux.wait_for(S, "the pause", |s| s.contains("paused"));
    acknowledge_all(&tmux);
    tmux.text(S, " ");

    // The end: the banner, the clock stopped, the report opened and written.
    let screen = tmux.wait_for(S, "the end of the drill", |s| s.contains("Drill over"));
    assert!(screen.contains("ended"), "{screen}");
    tmux.wait_for(S, "the report pane", |s| s.contains("After-action report"));
    let text = std::fs::read_to_string(&report).expect("the report beside the journal");
    assert!(
        text.contains("every smart-stone alarm was acknowledged"),
        "a missed acknowledgement:\n{text}"
    );
    assert!(!text.contains("smart-stone alarms were acknowledged on the console"));

    // q quits at once: no question after the end.
    tmux.key(S, "Escape");
    tmux.text(S, "q");
    tmux.wait_for(S, "the shell", |s| s.contains("console exit 0."));

    let journal = std::fs::read_to_string(&journal).expect("the journal");
    let actions: Vec<serde_json::Value> = journal
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|r| r.get("action").is_some())
        .collect();
    let count = |kind: &str| {
        actions
            .iter()
            .filter(|r| r["action"]["kind"] == kind && r["auto"] != true)
            .count()
    };
    assert_eq!(count("acknowledge_alarm"), 2, "{journal}");
    assert!(count("dispatch") > 1, "the bulk dispatch is journaled");
    assert_eq!(count("reassign"), 1);
    assert_eq!(count("call"), 1);
    println!(
        "drill 02 played in {:.1} s: {} dispatches",
        started.elapsed().as_secs_f64(),
        count("dispatch")
    );
}
