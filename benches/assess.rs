//! Assessment at a new discharge on the bundled scenario (target: median under 2 ms on one core),
//! and scenario load + engine build.

use criterion::{Criterion, criterion_group, criterion_main};
use floodgrid_engine::assess::{Engine, Situation};
use floodgrid_engine::hydro::WarningLevel;
use floodgrid_engine::scenario::Scenario;

fn dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/huayuankou")
}

fn assess(c: &mut Criterion) {
    let engine = Engine::build(Scenario::load(dir()).expect("bundled scenario")).expect("engine");
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    // A new discharge every iteration, sweeping through all levels.
    let discharges: Vec<f64> = (0..60).map(|i| 500.0 * i as f64).collect();
    let mut k = 0usize;
    c.bench_function("assess_bundled_new_discharge_1thread", |b| {
        b.iter(|| {
            k = (k + 7) % discharges.len();
            let a = one.install(|| engine.assess(&Situation::at_discharge(discharges[k])));
            assert!(
                a.level >= WarningLevel::None
                    && a.tasks.len()
                        == a.summary.instances
                            + a.tasks
                                .iter()
                                .filter(
                                    |t| t.status == floodgrid_engine::plan::TaskStatus::StoodDown
                                )
                                .count()
            );
            a.summary.instances
        })
    });
    c.bench_function("assess_bundled_22000_1thread", |b| {
        b.iter(|| {
            let a = one.install(|| engine.assess(&Situation::at_discharge(22_000.0)));
            assert_eq!(a.level, WarningLevel::Red);
            a.summary.instances
        })
    });
}

fn load_and_build(c: &mut Criterion) {
    let mut g = c.benchmark_group("bundled");
    g.sample_size(10);
    g.bench_function("scenario_load", |b| {
        b.iter(|| {
            Scenario::load(dir())
                .expect("loads")
                .plan
                .instructions
                .len()
        })
    });
    let scenario = Scenario::load(dir()).expect("loads");
    g.bench_function("engine_build", |b| {
        b.iter(|| {
            Engine::build(scenario.clone())
                .expect("builds")
                .grid_facts()
                .len()
        })
    });
    g.finish();
}

criterion_group!(benches, assess, load_and_build);
criterion_main!(benches);
