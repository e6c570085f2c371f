//! floodgrid: the command line. Thin: parses arguments and calls the engine.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use floodgrid_engine::scenario::{Scenario, Severity, render_diagnostics};

/// Flood-response decision support and drill simulator.
#[derive(Parser)]
#[command(name = "floodgrid", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a scenario directory: every problem of every file, with file:line:column.
    /// Exits 0 when there are no errors, 1 when there are.
    Check(CheckArgs),
    /// Write JSON Schemas for scenario.toml, plan files and drill scripts (for editor completion).
    Schema(SchemaArgs),
}

#[derive(clap::Args)]
struct CheckArgs {
    /// The scenario directory.
    scenario: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(clap::Args)]
struct SchemaArgs {
    /// Directory to write the schemas into.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    /// Human-readable.
    Text,
    /// One JSON object.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check(args),
        Command::Schema(args) => schema(args),
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let started = Instant::now();
    let report = Scenario::check(&args.scenario);
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let errors = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = report.diagnostics.len() - errors;
    match args.format {
        Format::Json => {
            let json = serde_json::json!({
                "ok": report.ok(),
                "scenario": args.scenario.display().to_string(),
                "errors": errors,
                "warnings": warnings,
                "counts": report.counts,
                "diagnostics": report.diagnostics,
                "load_ms": (elapsed_ms * 10.0).round() / 10.0,
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
        }
        Format::Text => {
            print!("{}", render_diagnostics(&report.diagnostics));
            let c = &report.counts;
            println!(
                "{}: {errors} error(s), {warnings} warning(s) in {elapsed_ms:.0} ms",
                args.scenario.display()
            );
            println!(
                "  {} instructions; {} grids ({} dedicated) of {} grid-map features; {} people; {} key persons; {} households; {} sites ({} smart stones); {} DEM cells; {} drills",
                c.instructions,
                c.grids,
                c.dedicated_grids,
                c.grid_features,
                c.people,
                c.key_persons,
                c.households,
                c.sites,
                c.smart_stones,
                c.dem_cells,
                c.drills
            );
        }
    }
    if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn schema(args: SchemaArgs) -> ExitCode {
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("error: cannot create {}: {e}", args.out.display());
        return ExitCode::from(1);
    }
    for (name, text) in floodgrid_engine::schema::schemas() {
        let path = args.out.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
        println!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}
