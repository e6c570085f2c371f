//! Assessment at a new discharge on the bundled scenario (target: median under 2 ms on one core),
//! scenario load + engine build, and the assessment of the generated scale scenario (5,000 grids,
//! 50,000 people, 200,000 residents, over 100,000 instances at 22,000 m³/s; target under 100 ms
//! on two cores), generated into a temporary directory first.

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
            let a = one.install(|| {
                engine
                    .assess(&Situation::at_discharge(discharges[k]))
                    .unwrap()
            });
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
            let a = one.install(|| engine.assess(&Situation::at_discharge(22_000.0)).unwrap());
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

fn scale(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("floodgrid-bench-scale-{}", std::process::id()));
    floodgrid_scengen::generate(&floodgrid_scengen::Preset::scale(), &dir)
        .expect("the scale scenario generates");
    let engine = Engine::build(Scenario::load(&dir).expect("scale scenario")).expect("engine");
    let _ = std::fs::remove_dir_all(&dir);
    let mut g = c.benchmark_group("scale");
    g.sample_size(10);
    for threads in [2usize, 1] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        g.bench_function(format!("assess_22000_{threads}thread"), |b| {
            b.iter(|| {
                let a = pool.install(|| engine.assess(&Situation::at_discharge(22_000.0)).unwrap());
                assert!(a.level == WarningLevel::Red && a.summary.instances > 100_000);
                a.summary.instances
            })
        });
    }
    g.finish();
}

criterion_group!(benches, assess, load_and_build, scale);
criterion_main!(benches);
