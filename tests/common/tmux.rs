//! A private tmux server for the console's end-to-end tests: its socket in its own temporary
//! directory, no configuration file, killed (and the directory removed) however the test ends.
//! `.ci/run` installs tmux; without a `tmux` command the tests say so and pass.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Whether there is a `tmux` command; any other failure to run it fails the test.
pub fn installed() -> bool {
    match Command::new("tmux").arg("-V").output() {
        Ok(_) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => panic!("tmux -V: {e}"),
    }
}

/// A tmux server of one test; `dir` is a temporary directory the test may also use.
pub struct Tmux {
    pub dir: PathBuf,
    socket: PathBuf,
    /// How long one step may take to show on the screen.
    timeout: Duration,
}

impl Tmux {
    /// A new server; each wait gives up after `timeout`.
    pub fn new(timeout: Duration) -> Tmux {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("floodgrid-tmux-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a directory for the tmux socket");
        Tmux {
            socket: dir.join("tmux.sock"),
            dir,
            timeout,
        }
    }

    /// Runs a tmux command on this server.
    pub fn run(&self, args: &[&str]) -> Output {
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
    pub fn ok(&self, args: &[&str]) -> String {
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
    /// returns its process id. The pane stays when the console exits, so a failure to start
    /// shows its message.
    pub fn start(&self, name: &str, cwd: &Path, args: &[&str]) -> i32 {
        let cwd = cwd.display().to_string();
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
            &cwd,
            "-e",
            "LANG=C.UTF-8",
            env!("CARGO_BIN_EXE_floodgrid"),
        ];
        cmd.extend_from_slice(args);
        cmd.extend([";", "set-option", "-t", name, "remain-on-exit", "on"]);
        self.ok(&cmd);
        let pid = self.ok(&["display-message", "-p", "-t", name, "#{pane_pid}"]);
        pid.trim().parse().expect("a pane pid")
    }

    /// Session `name`'s pane as text; with `escapes`, with its colours as SGR sequences.
    pub fn capture(&self, name: &str, escapes: bool) -> String {
        if escapes {
            self.ok(&["capture-pane", "-p", "-e", "-t", name])
        } else {
            self.ok(&["capture-pane", "-p", "-t", name])
        }
    }

    /// Polls session `name`'s pane until `done` holds; panics with the last screen after the
    /// timeout.
    pub fn wait_for(&self, name: &str, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.capture(name, false);
            if done(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < self.timeout,
                "timed out after {:?} waiting for {what}; the screen:\n{screen}",
                self.timeout
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types literal text into session `name`.
    pub fn text(&self, name: &str, text: &str) {
        self.ok(&["send-keys", "-t", name, "-l", text]);
    }

    /// Presses a named key (`Enter`, `Escape`, `Space`, `BTab`) in session `name`.
    pub fn key(&self, name: &str, key: &str) {
        self.ok(&["send-keys", "-t", name, key]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
