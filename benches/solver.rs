//! The 2D flood solver: one step of the kernel on fully wet 1000² and 4000² grids with 1 and 2
//! threads, local inertial (with and without the trackers) and with advection (throughput in
//! cells, so criterion reports cell updates per second), and the two
//! 1000² valley runs of an hour (targets on one thread: wet under 6 s, mostly dry under 2 s).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use floodgrid_engine::flood::solver::{Simulation, cases};

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
}

/// Steps `sim` once in `pool` and checks the step happened, so nothing is optimised away.
fn one_step(pool: &rayon::ThreadPool, sim: &mut Simulation) -> f64 {
    let dt = pool.install(|| sim.step(f64::INFINITY));
    assert!(dt > 0.0 && dt.is_finite(), "step of {dt} s");
    black_box(dt)
}

/// The grid sizes of the kernel benchmarks: `SOLVER_BENCH_SIZES` (comma-separated, e.g. `1000`
/// for a short run: each size's basins are set up whatever criterion's filter), else 1000 and
/// 4000.
fn sizes() -> Vec<usize> {
    std::env::var("SOLVER_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| vec![1000, 4000])
}

fn kernel(c: &mut Criterion) {
    for n in sizes() {
        let mut group = c.benchmark_group(format!("solver_kernel_{n}"));
        group.throughput(Throughput::Elements((n * n) as u64));
        if n > 1000 {
            group
                .sample_size(10)
                .measurement_time(Duration::from_secs(8));
        }
        for threads in [1usize, 2] {
            let p = pool(threads);
            for (name, every, advection) in [
                ("kernel", 0u32, false),
                ("tracking_every_step", 1, false),
                ("tracking_every_4", 4, false),
                ("kernel_advection", 0, true),
            ] {
                let (_, mut sim) = cases::wet_basin(n, 10.0);
                sim_config(&mut sim, every, advection);
                // Warm up outside the timing: first touch of every array.
                for _ in 0..3 {
                    one_step(&p, &mut sim);
                }
                group.bench_function(format!("{name}_{threads}thread"), |b| {
                    b.iter(|| one_step(&p, &mut sim))
                });
                let mb = sim.mass_balance();
                assert!(mb.relative_error.abs() < 1e-6, "{mb:?}");
            }
        }
        group.finish();
    }
}

fn sim_config(sim: &mut Simulation, track_every_steps: u32, advection: bool) {
    let cfg = sim.config().clone();
    let mut fresh = cfg;
    fresh.track_every_steps = track_every_steps;
    fresh.advection = advection;
    sim.set_config(fresh).expect("valid config");
}

fn valleys(c: &mut Criterion) {
    let one = pool(1);
    let mut group = c.benchmark_group("solver_valley_1000_1h");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(60));
    type Case = fn(usize, f64) -> (floodgrid_engine::flood::Raster, Simulation);
    for (name, case) in [
        ("wet_1thread", cases::valley_wet as Case),
        ("dry_1thread", cases::valley_dry as Case),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || case(1000, 10.0).1,
                |mut sim| {
                    one.install(|| sim.advance_to(3600.0));
                    let s = sim.summary(0.0);
                    assert!(s.flooded_cells > 1000 && s.mass_balance_error.abs() < 1e-3);
                    black_box(s.steps)
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, kernel, valleys);
criterion_main!(benches);
