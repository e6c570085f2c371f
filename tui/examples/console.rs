//! The console on its own, without the `floodgrid` binary:
//! `cargo run -p floodgrid-tui --example console -- [SCENARIO]` opens the scenario's default drill
//! (the bundled scenario without an argument). `floodgrid drill` has every flag.

use floodgrid_tui::ConsoleOptions;

fn main() -> std::process::ExitCode {
    let options = ConsoleOptions {
        scenario: std::env::args_os().nth(1).map(Into::into),
        ..ConsoleOptions::default()
    };
    match floodgrid_tui::run(options) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::from(1)
        }
    }
}
