//! End to end: the real `floodgrid` binary in tmux at 80×24. It opens the console on the bundled
//! scenario's default drill, takes `:flow 22000` and Enter, shows the red warning (in red) and the
//! red-level orders at the head of the to-do list, then quits on `q` `y` and gives the shell its
//! screen back.
//!
//! CI (`.ci/run`) installs tmux. Without a `tmux` command the test says so and passes; any other
//! tmux failure fails it. It runs on a private tmux server (`-S` socket in a temporary directory,
//! no configuration file) that a guard kills however the test ends.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long one step may take to show on the screen (the console's start builds the engine).
const STEP_TIMEOUT: Duration = Duration::from_secs(20);

/// A private tmux server on a socket in its own temporary directory; killed, and the directory
/// removed, on drop.
struct Tmux {
    dir: PathBuf,
    socket: PathBuf,
}

impl Tmux {
    fn new() -> Tmux {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("floodgrid-e2e-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a directory for the tmux socket");
        Tmux {
            socket: dir.join("tmux.sock"),
            dir,
        }
    }

    /// Runs a tmux command on this server (no configuration file).
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

    /// Runs a tmux command that must succeed; returns its stdout.
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

    /// The pane as text; with `escapes`, with its colours as SGR sequences.
    fn capture(&self, escapes: bool) -> String {
        if escapes {
            self.ok(&["capture-pane", "-p", "-e", "-t", "e2e"])
        } else {
            self.ok(&["capture-pane", "-p", "-t", "e2e"])
        }
    }

    /// Polls the pane until `done` holds; panics with the last screen after [`STEP_TIMEOUT`].
    fn wait_for(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.capture(false);
            if done(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < STEP_TIMEOUT,
                "timed out after {STEP_TIMEOUT:?} waiting for {what}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Types keys (tmux key names, e.g. `Enter`, or literal text with `literal`).
    fn keys(&self, keys: &str, literal: bool) {
        if literal {
            self.ok(&["send-keys", "-t", "e2e", "-l", keys]);
        } else {
            self.ok(&["send-keys", "-t", "e2e", keys]);
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Whether there is a `tmux` command; any other failure to run it fails the test.
fn tmux_installed() -> bool {
    match Command::new("tmux").arg("-V").output() {
        Ok(_) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => panic!("tmux -V: {e}"),
    }
}

#[test]
fn flow_22000_shows_the_red_warning_on_the_real_terminal_and_q_restores_the_shell() {
    if !tmux_installed() {
        println!("tmux not installed: skipping; CI installs it");
        return;
    }
    let started = Instant::now();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = env!("CARGO_BIN_EXE_floodgrid");
    let tmux = Tmux::new();
    // A plain shell at 80×24, in English, so the console's output and the shell's can be told
    // apart after it quits.
    tmux.ok(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "80",
        "-y",
        "24",
        "-c",
        &root.display().to_string(),
        "-e",
        "LANG=C.UTF-8",
        "-e",
        "PS1=$ ",
        "sh",
    ]);
    tmux.ok(&["set-option", "-t", "e2e", "status", "off"]);
    let size = tmux.ok(&[
        "display-message",
        "-p",
        "-t",
        "e2e",
        "#{pane_width}x#{pane_height}",
    ]);
    assert_eq!(size.trim(), "80x24");
    tmux.keys(
        &format!("'{bin}' drill scenarios/huayuankou --lang en; echo \"console exit $?.\""),
        true,
    );
    tmux.keys("Enter", false);
    let screen = tmux.wait_for("the console", |s| {
        s.contains("? help") && s.contains("T+00:00")
    });
    assert!(!screen.contains("RED WARNING"), "{screen}");
    let opened = started.elapsed();

    tmux.keys(":flow 22000", true);
    tmux.keys("Enter", false);
    let screen = tmux.wait_for("the red warning", |s| s.contains("RED WARNING"));
    assert!(screen.contains("Q 22,000 m3/s"), "{screen}");
    // The to-do list leads with the red level's orders, marked new.
    let todo: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("To-do"))
        .skip(2)
        .take(3)
        .collect();
    assert_eq!(todo.len(), 3, "{screen}");
    for row in &todo {
        assert!(row.contains("NEW"), "not a new order: {row}\n{screen}");
    }
    assert!(screen.contains("level I"), "{screen}");
    // In red: the banner's cells carry a red background.
    let coloured = tmux.capture(true);
    let banner = coloured
        .lines()
        .find(|l| l.contains("RED WARNING"))
        .expect("the banner line");
    assert!(
        banner.contains("[41m") || banner.contains(";41m") || banner.contains("48;5;1m"),
        "the banner is not red: {banner:?}"
    );

    // q asks during a drill; y quits. The shell is back, the console's screen gone.
    tmux.keys("q", true);
    tmux.wait_for("the quit question", |s| s.contains("Quit?"));
    tmux.keys("y", true);
    // The shell's echo, not the command line that typed it (under load the shell may print
    // its prompt, `# ` or `$ `, before the echo lands on the same line).
    let exit_line = |s: &str| {
        s.lines()
            .map(|l| l.trim_start_matches(['#', '$', ' ']))
            .find(|l| l.starts_with("console exit ") && !l.contains('$'))
            .map(str::to_string)
    };
    let screen = tmux.wait_for("the shell", |s| exit_line(s).is_some());
    assert_eq!(
        exit_line(&screen).as_deref(),
        Some("console exit 0."),
        "{screen}"
    );
    assert!(
        !screen.contains("RED WARNING") && !screen.contains("? help"),
        "the alternate screen was not left:\n{screen}"
    );
    let alternate = tmux.ok(&["display-message", "-p", "-t", "e2e", "#{alternate_on}"]);
    assert_eq!(
        alternate.trim(),
        "0",
        "tmux still shows the alternate screen"
    );
    println!(
        "console opened in {:.1} s; whole test {:.1} s",
        opened.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}
