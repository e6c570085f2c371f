//! The flooded extent of an assessment as GeoJSON (RFC 7946): one feature per working grid with
//! water, its outline in lon/lat degrees and its exposure as properties. Builds the
//! [`FeatureCollection`]; writing it anywhere is the caller's business (this module does no I/O).

use ::geojson::feature::Id;
use ::geojson::{Feature, FeatureCollection, Geometry, GeometryValue, JsonObject, JsonValue};
use floodgrid_flood::{cells_in_region, outline_cells};

use crate::assess::{Assessment, Engine};

/// Decimal places kept in a coordinate: 1e-7° is about a centimetre, well under a DEM cell.
const DEGREES_SCALE: f64 = 1e7;

/// The flooded extent at `assessment`'s discharge: a feature for each working grid whose
/// exposure has flooded area, in the scenario's grid order. Each feature's `id` is the grid id;
/// its geometry is a MultiPolygon of the wet DEM cells inside the grid (outer rings, then holes)
/// in lon/lat; its properties are the grid's [`GridExposure`](floodgrid_flood::GridExposure)
/// fields plus `name`, `kind` and `discharge_m3s`.
///
/// `assessment` must come from `engine` (its exposure is read grid by grid, in the scenario's
/// order).
pub fn flooded_extent(engine: &Engine, assessment: &Assessment) -> FeatureCollection {
    let sc = engine.scenario();
    let crs = sc.config.crs;
    let atlas = engine.atlas();
    let lon_lat = |p: &[f64; 2]| -> Vec<f64> {
        let (lon, lat) = crs.inverse(p[0], p[1]);
        let round = |v: f64| (v * DEGREES_SCALE).round() / DEGREES_SCALE;
        vec![round(lon), round(lat)]
    };
    let features = sc
        .grids
        .iter()
        .zip(&assessment.exposure)
        .filter(|(g, e)| g.kind.is_working_grid() && e.flooded_km2 > 0.0)
        .map(|(g, e)| {
            let cells = cells_in_region(&sc.dem, &g.region);
            let polygons = outline_cells(&sc.dem, &cells, |c| {
                f64::from(atlas.threshold[c as usize]) <= assessment.discharge_m3s
            });
            let geometry = GeometryValue::new_multi_polygon(polygons.iter().map(|p| {
                std::iter::once(p.exterior())
                    .chain(p.interiors())
                    .map(|ring| ring.coords().map(|c| lon_lat(&[c.x, c.y])))
            }));
            let mut properties = match serde_json::to_value(e) {
                Ok(JsonValue::Object(map)) => map,
                _ => JsonObject::new(),
            };
            properties.insert("name".into(), g.name.clone().into());
            properties.insert("kind".into(), g.kind.name().into());
            properties.insert("discharge_m3s".into(), assessment.discharge_m3s.into());
            Feature {
                id: Some(Id::String(g.id.clone())),
                geometry: Some(Geometry::new(geometry)),
                properties: Some(properties),
                ..Feature::default()
            }
        })
        .collect();
    FeatureCollection {
        features,
        ..FeatureCollection::default()
    }
}
