//! Exposure from the flood atlas on the bundled scenario, and terrain round trips.

mod common;

use std::sync::OnceLock;

use floodgrid_engine::assess::{Engine, Situation};
use floodgrid_engine::flood::{read_ascii, read_geotiff, write_ascii, write_geotiff};
use floodgrid_engine::scenario::Scenario;
use proptest::prelude::*;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        Engine::build(Scenario::load(common::bundled()).expect("bundled")).expect("engine")
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, .. ProptestConfig::default() })]

    /// No grid's exposure decreases as the discharge rises.
    #[test]
    fn exposure_never_decreases_with_discharge(q1 in 0.0f64..32_000.0, dq in 0.0f64..12_000.0) {
        let e = engine();
        let s = Situation::at_discharge(0.0);
        let lo = e.exposure_at(q1, &s);
        let hi = e.exposure_at(q1 + dq, &s);
        for (a, b) in lo.iter().zip(&hi) {
            prop_assert!(a.flooded_km2 <= b.flooded_km2, "{}: area {} > {}", a.grid, a.flooded_km2, b.flooded_km2);
            prop_assert!(a.max_depth_m <= b.max_depth_m + 1e-9, "{}: max depth", a.grid);
            prop_assert!(a.exposed_people <= b.exposed_people, "{}: people", a.grid);
            prop_assert!(a.exposed_key_persons <= b.exposed_key_persons);
            prop_assert!(a.exposed_households <= b.exposed_households);
            prop_assert!(a.exposed_shelters <= b.exposed_shelters);
            prop_assert!(a.exposed_depots <= b.exposed_depots);
            prop_assert!(a.roads_flooded_km <= b.roads_flooded_km + 1e-9);
            prop_assert_eq!(a.wet_discharge_m3s, b.wet_discharge_m3s);
        }
    }
}

#[test]
fn the_floodplain_floods_before_the_city_side() {
    let e = engine();
    let s = Situation::at_discharge(0.0);
    let sc = e.scenario();
    let town = sc.grids.iter().position(|g| g.parent.is_none()).unwrap();
    assert_eq!(
        e.exposure_at(3_000.0, &s)[town].flooded_km2,
        0.0,
        "below bankfull nothing floods"
    );
    let at_10k = e.exposure_at(10_000.0, &s);
    let at_30k = e.exposure_at(30_000.0, &s);
    assert!(at_10k[town].flooded_km2 > 0.5);
    for (i, g) in sc.grids.iter().enumerate() {
        if g.kind.is_working_grid() && !e.grid_facts()[i].floodplain {
            assert_eq!(
                at_30k[i].exposed_people, 0,
                "{} lies behind the main dike",
                g.id
            );
        }
    }
    let a = e.assess(&Situation::at_discharge(22_000.0)).unwrap();
    assert!(a.evacuation.persons > 0);
    assert!(
        a.evacuation
            .evacuees
            .windows(2)
            .all(|w| w[0].rank < w[1].rank)
    );
    assert!(a.evacuation.evacuees.iter().all(|v| {
        v.shelter.is_some()
            || a.evacuation
                .overflow
                .iter()
                .any(|o| o.id() == v.card.resident)
    }));
}

#[test]
fn ascii_to_geotiff_to_ascii_keeps_every_value_and_the_georeferencing() {
    let text = "ncols 4\nnrows 3\nxllcenter 469007.5\nyllcenter 3860007.5\ncellsize 15\nNODATA_value -9999\n91.25 91.5 -9999 92.01\n90 89.99 93.7 94\n88.125 97.5 97.6 -1.5\n";
    let a = read_ascii(text).unwrap();
    let mut tif = std::io::Cursor::new(Vec::new());
    write_geotiff(&a, 4547, &mut tif).unwrap();
    let g = read_geotiff(tif.get_ref()).unwrap();
    assert_eq!(g.epsg, Some(4547));
    let mut out = Vec::new();
    write_ascii(&g.raster, &mut out).unwrap();
    let b = read_ascii(std::str::from_utf8(&out).unwrap()).unwrap();
    assert_eq!(b.transform, a.transform);
    assert_eq!((b.ncols, b.nrows), (4, 3));
    for (x, y) in a.data.iter().zip(&b.data) {
        assert!(x == y || (x.is_nan() && y.is_nan()), "{x} vs {y}");
    }
    // The bundled DEM too, through GeoTIFF and back, bit for bit.
    let dem =
        read_ascii(&std::fs::read_to_string(common::bundled().join("dem.asc")).unwrap()).unwrap();
    let mut tif = std::io::Cursor::new(Vec::new());
    write_geotiff(&dem, 4547, &mut tif).unwrap();
    let back = read_geotiff(tif.get_ref()).unwrap().raster;
    assert_eq!(back.transform, dem.transform);
    assert!(
        back.data
            .iter()
            .zip(&dem.data)
            .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
    );
}

#[test]
fn integer_geotiffs_read_as_elevations() {
    use tiff::encoder::{TiffEncoder, colortype};
    use tiff::tags::Tag;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut enc = TiffEncoder::new(&mut buf).unwrap();
        let mut img = enc.new_image::<colortype::GrayI16>(3, 2).unwrap();
        img.encoder()
            .write_tag(Tag::Unknown(33550), &[10.0f64, 10.0, 0.0][..])
            .unwrap();
        img.encoder()
            .write_tag(
                Tag::Unknown(33922),
                &[0.0f64, 0.0, 0.0, 500_000.0, 3_900_000.0, 0.0][..],
            )
            .unwrap();
        img.encoder()
            .write_tag(Tag::Unknown(42113), "-32768")
            .unwrap();
        img.write_data(&[90i16, 91, -32768, 93, 94, 95]).unwrap();
    }
    let g = read_geotiff(buf.get_ref()).unwrap();
    assert_eq!(g.raster.get(1, 0), Some(91.0));
    assert!(g.raster.get(2, 0).unwrap().is_nan());
    assert_eq!(g.raster.transform.y_min_m, 3_899_980.0);
    assert_eq!(g.epsg, None);
}
