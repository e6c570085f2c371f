//! The console on its own, until `floodgrid drill` is wired:
//! `cargo run -p floodgrid-tui --example console -- [SCENARIO] [--lang zh|en] [--journal FILE]`.

use clap::Parser;
use floodgrid_tui::ConsoleArgs;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    console: ConsoleArgs,
}

fn main() -> std::process::ExitCode {
    match floodgrid_tui::run(Cli::parse().console) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::from(1)
        }
    }
}
