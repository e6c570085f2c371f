//! `floodgrid bench`: the arguments and the printing; the figures are measured by the
//! `floodgrid-bench` library (benches/harness).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use floodgrid_bench::{BenchOptions, Part};

/// `floodgrid bench` arguments.
#[derive(clap::Args)]
pub struct BenchArgs {
    /// Fewer repetitions: finishes in under a minute on two cores.
    #[arg(long)]
    quick: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BenchFormat::Table)]
    format: BenchFormat,
    /// Keep the generated scale scenario here (reused when it is already there).
    #[arg(long)]
    scale_dir: Option<PathBuf>,
    /// The bundled scenario (default: scenarios/huayuankou).
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Only these parts, comma-separated: bundled (with the console frame), scale, solver.
    #[arg(
        long,
        value_delimiter = ',',
        value_parser = PossibleValuesParser::new(Part::ALL.map(Part::name))
            .try_map(|s| s.parse::<Part>())
    )]
    only: Vec<Part>,
}

/// How `floodgrid bench` prints.
#[derive(Clone, Copy, ValueEnum)]
enum BenchFormat {
    /// Aligned columns.
    Table,
    /// One JSON object.
    Json,
}

/// Measures the figures (progress on stderr) and prints the report on stdout. Exits 0 when
/// every target is met, 1 when one is missed, 2 when the figures could not be measured.
pub fn run(args: BenchArgs) -> ExitCode {
    let options = BenchOptions {
        quick: args.quick,
        scale_dir: args.scale_dir,
        scenario: args.scenario,
        parts: if args.only.is_empty() {
            Part::ALL.to_vec()
        } else {
            args.only
        },
    };
    let report = match floodgrid_bench::run(&options, &mut |p| eprintln!("{p}")) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match args.format {
        BenchFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
        BenchFormat::Table => print!("{report}"),
    }
    if report.all_pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
