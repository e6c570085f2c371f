//! `scengen --preset huayuankou|scale --out DIR [--seed N] [--plan PATH]`: writes a generated
//! scenario and prints what it made.

use std::path::PathBuf;
use std::process::ExitCode;

use floodgrid_scengen::{Preset, generate};

const USAGE: &str = "usage: scengen --preset huayuankou|scale --out DIR [--seed N] [--plan PATH]

  --preset NAME  huayuankou (the bundled scenario) or scale (5,000 grids, 4000x4000 DEM)
  --out DIR      directory to write into (created if missing)
  --seed N       seed of every random choice (default: the preset's)
  --plan PATH    plan file or directory to copy into DIR/plan (default: the preset's)";

fn main() -> ExitCode {
    let mut preset = None;
    let mut out = None;
    let mut seed = None;
    let mut plan = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |what: &str| args.next().ok_or_else(|| format!("{a} needs {what}"));
        let step = match a.as_str() {
            "--preset" => value("a name")
                .and_then(|v| Preset::by_name(&v).ok_or(format!("unknown preset {v}")))
                .map(|p| preset = Some(p)),
            "--out" => value("a directory").map(|v| out = Some(PathBuf::from(v))),
            "--seed" => value("a number")
                .and_then(|v| v.parse::<u64>().map_err(|e| format!("--seed {v}: {e}")))
                .map(|v| seed = Some(v)),
            "--plan" => value("a path").map(|v| plan = Some(PathBuf::from(v))),
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => Err(format!("unknown argument {other}")),
        };
        if let Err(e) = step {
            eprintln!("scengen: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let (Some(mut preset), Some(out)) = (preset, out) else {
        eprintln!("scengen: --preset and --out are required\n\n{USAGE}");
        return ExitCode::from(2);
    };
    if let Some(s) = seed {
        preset.seed = s;
    }
    if let Some(p) = plan {
        preset.plan_source = Some(p);
    }
    match generate(&preset, &out) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("scengen: {e}");
            ExitCode::from(1)
        }
    }
}
