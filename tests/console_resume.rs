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

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long one step may take to show (the console's start builds the engine).
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// A private tmux server on a socket in a temporary directory, killed on drop.
struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(["-f", "/dev/null"])
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("tmux runs")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "tmux {args:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts `floodgrid ARGS` as the only process of a new 120×40 session `name` in `cwd`;
    /// returns its process id.
    fn start(&self, name: &str, cwd: &Path, args: &[&str]) -> i32 {
        let mut cmd = vec![
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "120",
            "-y",
            "40",
            "-c",
        ];
        let cwd = cwd.display().to_string();
        cmd.push(&cwd);
        cmd.extend(["-e", "LANG=C.UTF-8", env!("CARGO_BIN_EXE_floodgrid")]);
        cmd.extend_from_slice(args);
        // Keep the pane when the console exits, so a failure to start shows its message.
        cmd.extend([";", "set-option", "-t", name, "remain-on-exit", "on"]);
        self.ok(&cmd);
        let pid = self.ok(&["display-message", "-p", "-t", name, "#{pane_pid}"]);
        pid.trim().parse().expect("a pane pid")
    }

    fn screen(&self, name: &str) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", name]).stdout).into_owned()
    }

    fn wait_for(&self, name: &str, what: &str, done: impl Fn(&str) -> bool) {
        let start = Instant::now();
        loop {
            let screen = self.screen(name);
            if done(&screen) {
                return;
            }
            assert!(
                start.elapsed() < STEP_TIMEOUT,
                "timed out after {STEP_TIMEOUT:?} waiting for {what}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn keys(&self, name: &str, keys: &[&str]) {
        for k in keys {
            self.ok(&["send-keys", "-t", name, k]);
        }
    }

    fn text(&self, name: &str, text: &str) {
        self.ok(&["send-keys", "-t", name, "-l", text]);
        self.ok(&["send-keys", "-t", name, "Enter"]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn tmux_installed() -> bool {
    match Command::new("tmux").arg("-V").output() {
        Ok(_) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => panic!("tmux -V: {e}"),
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
    t.text(name, ":flow 3000");
    wait_for_line(journal, "\"discharge_m3s\":3000");
    t.keys(name, &["p"]);
    t.wait_for(name, "the push dialog", |s| s.contains("Enter"));
    t.keys(name, &["Enter", "Enter", "Enter"]);
    wait_for_line(journal, "\"push\"");
}

/// The rest: another flow, the clock at ×3600 to the end, quit.
fn second_part(t: &Tmux, name: &str, journal: &Path, pid: i32) {
    t.text(name, ":flow 2000");
    wait_for_line(journal, "\"discharge_m3s\":2000");
    t.text(name, ":speed 3600");
    wait_for_line(journal, "3600");
    t.keys(name, &["Space"]);
    t.wait_for(name, "the drill's end", |s| s.contains("T+06:00"));
    // Once the drill is over, `q` quits without asking.
    t.wait_for(name, "the end banner", |s| s.contains("Drill over"));
    t.keys(name, &["q"]);
    wait_gone(pid, "the console");
}

#[test]
fn a_killed_console_drill_resumes_to_the_journal_and_outbox_of_an_uninterrupted_one() {
    if !tmux_installed() {
        println!("tmux not installed: skipping; CI installs it");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("tiny");
    copy_dir(&common::fixture("tiny"), &dir);
    let t = Tmux {
        socket: tmp.path().join("tmux.sock"),
    };
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
