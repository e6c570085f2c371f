//! Flood atlas build: the bundled DEM (target under 0.3 s) and a generated 4000×4000 valley
//! (target under 3 s on 2 cores), with 1 and 2 threads.

use criterion::{Criterion, criterion_group, criterion_main};
use floodgrid_engine::flood::{FloodAtlas, GeoTransform, Raster, RiverRatings};
use floodgrid_engine::hydro::RatingCurve;

/// A valley `n` cells square at 15 m: a river along the middle row falling eastward, floodplain
/// with swales, dikes 1.5 km from the river, land behind them lower than the floodplain.
fn valley(n: usize) -> (Raster, Vec<Vec<[f64; 2]>>, RiverRatings) {
    let dx = 15.0;
    let t = GeoTransform {
        x_min_m: 0.0,
        y_min_m: 0.0,
        dx_m: dx,
        dy_m: dx,
    };
    let mut r = Raster::filled(n, n, t, 0.0);
    let mid = n as f64 / 2.0;
    for row in 0..n {
        for col in 0..n {
            let off = (row as f64 - mid).abs() * dx; // metres from the river
            let fall = col as f64 * dx * 0.00018;
            let swale = ((col as f64 * 0.013).sin() * (row as f64 * 0.021).cos()) * 0.6;
            let z = if off < 500.0 {
                88.5
            } else if off < 1500.0 {
                92.0 + off / 1500.0 * 1.4 + swale
            } else if off < 1520.0 {
                97.5
            } else {
                90.0 + swale
            };
            r.data[row * n + col] = (z - fall) as f32;
        }
    }
    let y = mid * dx;
    let river = vec![vec![[0.0, y], [n as f64 * dx, y]]];
    let up = RatingCurve::new(vec![
        (0.0, 88.2),
        (4000.0, 91.5),
        (10000.0, 93.0),
        (22000.0, 94.7),
        (30000.0, 95.5),
    ])
    .unwrap();
    let fall = n as f64 * dx * 0.00018;
    let down = RatingCurve::new(up.points().iter().map(|&(q, h)| (q, h - fall)).collect()).unwrap();
    (
        r,
        river,
        RiverRatings {
            stations: vec![(0.0, up), (n as f64 * dx, down)],
        },
    )
}

fn atlas(c: &mut Criterion) {
    let mut g = c.benchmark_group("atlas");
    g.sample_size(10);
    let scenario = floodgrid_engine::scenario::Scenario::load(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/huayuankou"),
    )
    .expect("bundled");
    let river: Vec<Vec<[f64; 2]>> = scenario
        .sites
        .iter()
        .filter(|s| s.kind == floodgrid_engine::grid::SiteKind::River)
        .filter_map(|s| match &s.geometry {
            floodgrid_engine::grid::SiteGeometry::Line(l) => Some(l.clone()),
            _ => None,
        })
        .collect();
    let stations = RiverRatings {
        stations: scenario
            .config
            .stations
            .iter()
            .enumerate()
            .map(|(i, s)| (i as f64 * 3500.0, s.rating.clone()))
            .collect(),
    };
    g.bench_function("bundled_1200x1000", |b| {
        b.iter(|| {
            let a = FloodAtlas::build(&scenario.dem, &river, &stations);
            assert!(a.threshold.iter().any(|t| t.is_finite()));
            a.threshold.len()
        })
    });
    let (dem, river, ratings) = valley(4000);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        g.bench_function(format!("valley_4000x4000_{threads}thread"), |b| {
            b.iter(|| {
                let a = pool.install(|| FloodAtlas::build(&dem, &river, &ratings));
                let wet = a.threshold.iter().filter(|t| t.is_finite()).count();
                assert!(wet > 1_000_000);
                wet
            })
        });
    }
    g.finish();
}

criterion_group!(benches, atlas);
criterion_main!(benches);
