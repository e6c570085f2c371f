//! End to end: the real `floodgrid` binary in tmux at 80×24. It opens the console on the bundled
//! scenario's default drill, takes `:flow 22000` and Enter, shows the red warning (in red) and the
//! red-level orders at the head of the to-do list, then quits on `q` `y` and gives the shell its
//! screen back.
//!
//! CI (`.ci/run`) installs tmux. Without a `tmux` command the test says so and passes; any other
//! tmux failure fails it. It runs on a private tmux server (`-S` socket in a temporary directory,
//! no configuration file) that a guard kills however the test ends.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::tmux::{self, Tmux};

/// How long one step may take to show on the screen (the console's start builds the engine).
const STEP_TIMEOUT: Duration = Duration::from_secs(20);

/// The shell's tmux session.
const S: &str = "e2e";

#[test]
fn flow_22000_shows_the_red_warning_on_the_real_terminal_and_q_restores_the_shell() {
    if !tmux::installed() {
        println!("tmux not installed: skipping; CI installs it");
        return;
    }
    let started = Instant::now();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = env!("CARGO_BIN_EXE_floodgrid");
    let tmux = Tmux::new(STEP_TIMEOUT);
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
    tmux.text(
        S,
        &format!("'{bin}' drill scenarios/huayuankou --lang en; echo \"console exit $?.\""),
    );
    tmux.key(S, "Enter");
    let screen = tmux.wait_for(S, "the console", |s| {
        s.contains("? help") && s.contains("T+00:00")
    });
    assert!(!screen.contains("RED WARNING"), "{screen}");
    let opened = started.elapsed();

    tmux.text(S, ":flow 22000");
    tmux.key(S, "Enter");
    let screen = tmux.wait_for(S, "the red warning", |s| s.contains("RED WARNING"));
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
    let coloured = tmux.capture(S, true);
    let banner = coloured
        .lines()
        .find(|l| l.contains("RED WARNING"))
        .expect("the banner line");
    assert!(
        banner.contains("[41m") || banner.contains(";41m") || banner.contains("48;5;1m"),
        "the banner is not red: {banner:?}"
    );

    // q asks during a drill; y quits. The shell is back, the console's screen gone.
    tmux.text(S, "q");
    tmux.wait_for(S, "the quit question", |s| s.contains("Quit?"));
    tmux.text(S, "y");
    // The shell's echo, not the command line that typed it (under load the shell may print
    // its prompt, `# ` or `$ `, before the echo lands on the same line).
    let exit_line = |s: &str| {
        s.lines()
            .map(|l| l.trim_start_matches(['#', '$', ' ']))
            .find(|l| l.starts_with("console exit ") && !l.contains('$'))
            .map(str::to_string)
    };
    let screen = tmux.wait_for(S, "the shell", |s| exit_line(s).is_some());
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
