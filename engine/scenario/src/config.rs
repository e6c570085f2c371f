//! `scenario.toml`: name, CRS, reference gauge, warning thresholds, river stations with rating
//! curves, roles, materials and the paths of the other files.

use schemars::JsonSchema;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::diag::Diagnostics;
use super::source::SourceFile;
use super::toml_doc::{array_items, de_table, de_value, parse_toml, table_id};
use floodgrid_model::crs::Crs;
use floodgrid_model::grid::{EvacuationRules, Material, Role};
use floodgrid_model::hydro::{
    ConvertError, Converted, GaugeScale, GaugeUnit, LevelThreshold, RatedRange, RatingCurve,
    WarningThresholds, read_stage,
};

/// `scenario.toml` as written. The element types are parameters so the loader can read the head
/// of the file and each `[[station]]` / `[[role]]` / `[[material]]` separately.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "floodgrid scenario.toml")]
pub struct RawScenario<S = RawStation, R = RawRole, M = RawMaterial> {
    /// Scenario name (Chinese).
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// English name.
    pub name_en: Option<String>,
    /// Free description.
    pub description: Option<String>,
    /// Projected CRS of the DEM, e.g. "EPSG:4547". GeoJSON files are always lon/lat.
    #[schemars(with = "String")]
    pub crs: Spanned<String>,
    /// DEM path (ESRI ASCII .asc or GeoTIFF .tif), relative to the scenario directory.
    #[schemars(with = "String")]
    pub dem: Spanned<String>,
    /// Plan: a file or a directory of *.toml (default "plan.toml", else "plan/").
    #[schemars(with = "Option<String>")]
    pub plan: Option<Spanned<String>>,
    /// Grid map (default grids.geojson).
    #[schemars(with = "Option<String>")]
    pub grids: Option<Spanned<String>>,
    /// Sites (default sites.geojson).
    #[schemars(with = "Option<String>")]
    pub sites: Option<Spanned<String>>,
    /// Personnel roster (default people.csv).
    #[schemars(with = "Option<String>")]
    pub people: Option<Spanned<String>>,
    /// Key persons and households (default residents.csv).
    #[schemars(with = "Option<String>")]
    pub residents: Option<Spanned<String>>,
    /// Drill scripts directory (default drills/).
    #[schemars(with = "Option<String>")]
    pub drills: Option<Spanned<String>>,
    /// The reference gauge whose discharge sets the warning level.
    pub gauge: RawGauge,
    /// Warning thresholds and their hysteresis.
    pub warning: RawWarning,
    /// River stations, upstream first, each with its rating curve.
    #[serde(default)]
    pub station: Vec<S>,
    /// Personnel roles.
    #[serde(default)]
    pub role: Vec<R>,
    /// Materials.
    #[serde(default)]
    pub material: Vec<M>,
    /// How people are timed out of the water's way (every field optional, with defaults).
    pub evacuation: Option<RawEvacuation>,
}

/// `[evacuation]`: the rules the evacuation plan times people by. Every field is optional; the
/// defaults are those of [`EvacuationRules::default`].
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEvacuation {
    /// Walking speed of an evacuee, km/h (default 3).
    #[schemars(with = "Option<f64>")]
    pub walk_kmh: Option<Spanned<f64>>,
    /// Farthest shelter evacuees walk to, km (default 2); beyond it they ride.
    #[schemars(with = "Option<f64>")]
    pub walk_limit_km: Option<Spanned<f64>>,
    /// Speed of buses and ambulances on the evacuation routes, km/h (default 20).
    #[schemars(with = "Option<f64>")]
    pub vehicle_kmh: Option<Spanned<f64>>,
    /// Hours to warn, pack and gather for those who move on their own (default 1).
    #[schemars(with = "Option<f64>")]
    pub prepare_h: Option<Spanned<f64>>,
    /// Hours for those who must be carried (default 2).
    #[schemars(with = "Option<f64>")]
    pub assisted_prepare_h: Option<Spanned<f64>>,
    /// Hours to spare between reaching the shelter and the water (default 1).
    #[schemars(with = "Option<f64>")]
    pub safety_h: Option<Spanned<f64>>,
    /// Hours ahead of the lead time the order goes out: the longest gap between two assessments
    /// the plan is safe for (default 1).
    #[schemars(with = "Option<f64>")]
    pub order_margin_h: Option<Spanned<f64>>,
    /// Key-person categories carried by ambulance or escorted vehicle (default bedridden,
    /// disabled).
    pub assisted_categories: Option<Vec<String>>,
    /// Words in a resident's needs that mean they must be carried (default wheelchair,
    /// stretcher, 轮椅, 担架).
    pub assisted_needs: Option<Vec<String>>,
    /// Key-person categories moved first, most vulnerable first (default bedridden, disabled,
    /// elderly_alone, pregnant, child).
    pub first_categories: Option<Vec<String>>,
    /// The `[[material]]` that is the buses (default "bus" when declared).
    #[schemars(with = "Option<String>")]
    pub bus_material: Option<Spanned<String>>,
    /// The `[[material]]` that is the ambulances (default "ambulance" when declared).
    #[schemars(with = "Option<String>")]
    pub ambulance_material: Option<Spanned<String>>,
    /// Key-person categories who sleep in children's beds (default child).
    pub children_bed_categories: Option<Vec<String>>,
    /// Key-person categories who need a women's bed (default pregnant).
    pub women_bed_categories: Option<Vec<String>>,
}

/// `[gauge]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawGauge {
    /// Gauge id.
    pub id: String,
    /// Gauge name.
    pub name: Option<String>,
    /// The `[[station]]` whose rating curve belongs to the gauge.
    #[schemars(with = "String")]
    pub station: Spanned<String>,
    /// An upstream gauge used for routing forecasts: the id of a `[[station]]`.
    #[schemars(with = "Option<String>")]
    pub upstream: Option<Spanned<String>>,
    /// Bankfull discharge (平滩流量), m³/s: land wet at or below it is the river's channel, not
    /// flooded land (default 0).
    #[schemars(with = "Option<f64>")]
    pub bankfull_discharge_m3s: Option<Spanned<f64>>,
    /// The highest discharge the river can physically carry, m³/s; assessments above it are
    /// refused (default: twice the larger of the gauge's highest rated discharge and the red
    /// threshold).
    #[schemars(with = "Option<f64>")]
    pub max_discharge_m3s: Option<Spanned<f64>>,
    /// The same bound as a stage, m: the discharge at which the rating curve reaches it (give
    /// this or `max_discharge_m3s`, not both).
    #[schemars(with = "Option<f64>")]
    pub max_stage_m: Option<Spanned<f64>>,
}

/// `[warning]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawWarning {
    /// Minutes Q must stay below a level's exit value before the level is left.
    #[schemars(with = "f64")]
    pub dwell_minutes: Spanned<f64>,
    /// Window of readings for the trend, minutes (default 180).
    #[schemars(with = "Option<f64>")]
    pub trend_window_minutes: Option<Spanned<f64>>,
    /// Slope beyond which the trend is rising/falling, m³/s per hour (default 150).
    #[schemars(with = "Option<f64>")]
    pub trend_threshold_m3s_per_h: Option<Spanned<f64>>,
    /// The dike design discharge, m³/s (default: the red threshold).
    #[schemars(with = "Option<f64>")]
    pub design_discharge_m3s: Option<Spanned<f64>>,
    /// Blue (level IV).
    #[schemars(with = "RawThreshold")]
    pub blue: Spanned<RawThreshold>,
    /// Yellow (level III).
    #[schemars(with = "RawThreshold")]
    pub yellow: Spanned<RawThreshold>,
    /// Orange (level II).
    #[schemars(with = "RawThreshold")]
    pub orange: Spanned<RawThreshold>,
    /// Red (level I).
    #[schemars(with = "RawThreshold")]
    pub red: Spanned<RawThreshold>,
}

/// One level's threshold: by discharge (`discharge_m3s`, `band_m3s`) or by stage (`stage_m`,
/// `band_m`), the same unit for all four levels.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawThreshold {
    /// Discharge at the reference gauge at which the level is entered, m³/s (thresholds by
    /// discharge).
    #[schemars(with = "Option<f64>")]
    pub discharge_m3s: Option<Spanned<f64>>,
    /// Hysteresis band, m³/s: the level is left below discharge − band (thresholds by
    /// discharge).
    #[schemars(with = "Option<f64>")]
    pub band_m3s: Option<Spanned<f64>>,
    /// Stage (水位) at the reference gauge at which the level is entered, m, on the datum of the
    /// gauge station's rating curve (thresholds by stage).
    #[schemars(with = "Option<f64>")]
    pub stage_m: Option<Spanned<f64>>,
    /// Hysteresis band, m: the level is left below stage − band (thresholds by stage).
    #[schemars(with = "Option<f64>")]
    pub band_m: Option<Spanned<f64>>,
    /// Response level: IV, III, II or I (default: the level's own, IV for blue … I for red).
    #[schemars(with = "Option<String>")]
    pub response: Option<Spanned<String>>,
}

impl RawThreshold {
    /// The threshold field as written, in either unit (the first of the two when both are).
    fn value(&self) -> Option<(GaugeUnit, &Spanned<f64>)> {
        match (&self.discharge_m3s, &self.stage_m) {
            (Some(q), _) => Some((GaugeUnit::Discharge, q)),
            (None, Some(h)) => Some((GaugeUnit::Stage, h)),
            (None, None) => None,
        }
    }

    /// The band field of a unit, as written.
    fn band(&self, unit: GaugeUnit) -> Option<&Spanned<f64>> {
        match unit {
            GaugeUnit::Discharge => self.band_m3s.as_ref(),
            GaugeUnit::Stage => self.band_m.as_ref(),
        }
    }
}

/// `[[station]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStation {
    /// Station id.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Name.
    pub name: Option<String>,
    /// Longitude, degrees.
    #[schemars(with = "f64")]
    pub lon: Spanned<f64>,
    /// Latitude, degrees.
    #[schemars(with = "f64")]
    pub lat: Spanned<f64>,
    /// Chainage along the reach, km (0 to 10,000).
    #[schemars(with = "Option<f64>")]
    pub chainage_km: Option<Spanned<f64>>,
    /// Rating curve: [[discharge m³/s, stage m], ...], discharge increasing.
    #[schemars(with = "Vec<[f64; 2]>")]
    pub rating: Spanned<Vec<Spanned<[f64; 2]>>>,
}

/// `[[role]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRole {
    /// Role id.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// Task instances one person carries at once, 1 to 1,000 (default 1).
    #[schemars(with = "Option<u32>")]
    pub capacity: Option<Spanned<u32>>,
    /// Professional rather than mass team.
    #[serde(default)]
    pub professional: bool,
    /// Leads evacuations, with this preference (1 first); absent: does not lead them.
    pub leads_evacuation: Option<u32>,
    /// Comes from outside on request (troops, armed police, the district's mass teams): a
    /// shortfall of this role is support to request, not staff short in the grid.
    #[serde(default)]
    pub external: bool,
    /// Leads a grid: shown on the grid's card, and a grid with nobody of such a role in it or
    /// above it gets a warning.
    #[serde(default)]
    pub leads_grid: bool,
    /// Speed on the way to a task in a drill, km/h, 1 to 200 (default 12).
    #[schemars(with = "Option<f64>")]
    pub travel_kmh: Option<Spanned<f64>>,
}

/// `[[material]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMaterial {
    /// Material id.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// Unit.
    pub unit: String,
}

/// A river station with its rating curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Station {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Lon/lat, degrees.
    pub lonlat: [f64; 2],
    /// Projected position, metres.
    pub xy: [f64; 2],
    /// Chainage, km.
    pub chainage_km: Option<f64>,
    /// Stage from discharge.
    pub rating: RatingCurve,
}

/// The reference gauge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gauge {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Index of its station in [`ScenarioConfig::stations`].
    pub station: usize,
    /// Upstream gauge id for routing.
    pub upstream: Option<String>,
    /// Bankfull discharge, m³/s: cells wet at or below it are channel, not flood.
    pub bankfull_discharge_m3s: f64,
    /// The highest discharge the river can physically carry here, m³/s: a situation above it is
    /// refused (a typo, or a unit mistake), never extrapolated without a word.
    pub max_discharge_m3s: f64,
}

/// Relative paths of the scenario's files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioPaths {
    /// DEM.
    pub dem: String,
    /// Plan file or directory.
    pub plan: Option<String>,
    /// Grid map.
    pub grids: String,
    /// Sites.
    pub sites: String,
    /// Personnel.
    pub people: String,
    /// Residents.
    pub residents: String,
    /// Drill scripts directory.
    pub drills: String,
}

/// `scenario.toml`, checked and typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioConfig {
    /// Name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// The projected CRS.
    pub crs: Crs,
    /// File paths.
    pub paths: ScenarioPaths,
    /// Reference gauge.
    pub gauge: Gauge,
    /// Warning thresholds.
    pub warning: WarningThresholds,
    /// River stations.
    pub stations: Vec<Station>,
    /// Roles.
    pub roles: Vec<Role>,
    /// Materials.
    pub materials: Vec<Material>,
    /// How people are timed out of the water's way.
    pub evacuation: EvacuationRules,
}

impl ScenarioConfig {
    /// The reference gauge's rating curve (`None` only in a configuration with errors).
    pub fn gauge_rating(&self) -> Option<&RatingCurve> {
        self.stations.get(self.gauge.station).map(|s| &s.rating)
    }

    /// The stage at the reference gauge at a discharge, m, read to the micrometre
    /// ([`read_stage`]); extrapolated beyond the rated table (ask [`ScenarioConfig::stage_at`]
    /// to know); NaN without a rating curve.
    pub fn gauge_stage_m(&self, discharge_m3s: f64) -> f64 {
        self.gauge_rating()
            .map_or(f64::NAN, |r| read_stage(r.stage_m(discharge_m3s)))
    }

    /// The stage at the reference gauge at a discharge, read to the micrometre: an error for a
    /// discharge that cannot be (not finite, negative, above `max_discharge_m3s`), and whether
    /// it lies beyond the rated table.
    pub fn stage_at(&self, discharge_m3s: f64) -> Result<Converted, ConvertError> {
        let rating = self.gauge_rating().ok_or(ConvertError::NotFinite {
            value: discharge_m3s,
            what: "discharge at a gauge with a rating curve",
        })?;
        let c = rating.stage_for(discharge_m3s, self.gauge.max_discharge_m3s)?;
        Ok(Converted {
            value: read_stage(c.value),
            ..c
        })
    }

    /// The discharge at the reference gauge at a stage, m³/s, through the inverse of its rating
    /// curve: an error for a stage that cannot be (not finite, above the stage of
    /// `max_discharge_m3s`), and whether it lies beyond the rated table (above: extrapolated
    /// along the last segment; below: the first rated discharge).
    pub fn discharge_at(&self, stage_m: f64) -> Result<Converted, ConvertError> {
        let rating = self.gauge_rating().ok_or(ConvertError::NotFinite {
            value: stage_m,
            what: "stage at a gauge with a rating curve",
        })?;
        rating.discharge_for(stage_m, self.gauge.max_discharge_m3s)
    }

    /// Index of a role by id.
    pub fn role(&self, id: &str) -> Option<floodgrid_model::grid::RoleIdx> {
        self.roles
            .iter()
            .position(|r| r.id == id)
            .map(|i| floodgrid_model::grid::RoleIdx(i as u32))
    }
    /// Index of a material by id.
    pub fn material(&self, id: &str) -> Option<floodgrid_model::grid::MaterialIdx> {
        self.materials
            .iter()
            .position(|m| m.id == id)
            .map(|i| floodgrid_model::grid::MaterialIdx(i as u32))
    }
}

/// Reads `scenario.toml`. `None` when it cannot be used at all (diagnostics say why).
pub(crate) fn load_config(src: &SourceFile, d: &mut Diagnostics) -> Option<ScenarioConfig> {
    let root = parse_toml(src, d)?;
    let stations_raw = array_items(&root, "station");
    let roles_raw = array_items(&root, "role");
    let materials_raw = array_items(&root, "material");
    let head: RawScenario<IgnoredAny, IgnoredAny, IgnoredAny> = de_table(root, src, d)?;

    let crs = match Crs::lookup(head.crs.get_ref()) {
        Ok(c) => Some(c),
        Err(e) => {
            // A geographic CRS gets the zone of the first river station suggested.
            let near = stations_raw.first().and_then(|item| {
                let t = item.get_ref().as_table()?;
                let deg = |k: &str| {
                    let v = t.get(k)?.get_ref();
                    let digits = v.as_float().map(|f| f.as_str()).or_else(|| {
                        v.as_integer()
                            .filter(|i| i.radix() == 10)
                            .map(|i| i.as_str())
                    })?;
                    digits.replace('_', "").parse::<f64>().ok()
                };
                Some((deg("lon")?, deg("lat")?))
            });
            d.error(src, head.crs.span(), e.explain(head.crs.get_ref(), near));
            None
        }
    };

    let mut stations = Vec::new();
    for item in stations_raw {
        let Some(s) = de_value::<RawStation>(item, src, d) else {
            continue;
        };
        if stations.iter().any(|x: &Station| x.id == *s.id.get_ref()) {
            d.error(
                src,
                s.id.span(),
                format!(
                    "station `{}` is defined twice; expected unique station ids",
                    s.id.get_ref()
                ),
            );
            continue;
        }
        let (lon, lat) = (*s.lon.get_ref(), *s.lat.get_ref());
        let mut xy = [0.0, 0.0];
        if let Some(c) = &crs {
            if !c.covers_lonlat(lon, lat) {
                d.error(
                    src,
                    s.lon.span().start..s.lat.span().end.max(s.lon.span().end),
                    format!("station at lon {lon}, lat {lat} is outside the zone of EPSG:{}; expected lon/lat in degrees near {}°E", c.epsg, c.lon0_deg),
                );
            } else {
                let (x, y) = c.forward(lon, lat);
                xy = [x, y];
            }
        }
        let points: Vec<(f64, f64)> = s
            .rating
            .get_ref()
            .iter()
            .map(|p| (p.get_ref()[0], p.get_ref()[1]))
            .collect();
        let rating = match RatingCurve::new(points) {
            Ok(r) => r,
            Err(e) => {
                let span = s
                    .rating
                    .get_ref()
                    .get(e.index)
                    .map(|p| p.span())
                    .unwrap_or(s.rating.span());
                d.error(
                    src,
                    span,
                    format!(
                        "rating curve of station `{}`: {}",
                        s.id.get_ref(),
                        e.message
                    ),
                );
                continue;
            }
        };
        stations.push(Station {
            id: s.id.into_inner(),
            name: s.name.unwrap_or_default(),
            lonlat: [lon, lat],
            xy,
            chainage_km: s.chainage_km.and_then(|c| {
                let km = *c.get_ref();
                if km.is_finite() && (0.0..=MAX_CHAINAGE_KM).contains(&km) {
                    Some(km)
                } else {
                    d.error(
                        src,
                        c.span(),
                        format!("chainage_km {km}; expected kilometres 0 to {MAX_CHAINAGE_KM} along the reach"),
                    );
                    None
                }
            }),
            rating,
        });
    }
    if stations.is_empty() {
        d.error(src, 0..0, "no usable [[station]] with a rating curve; expected at least one river station (the atlas needs stages)");
    }

    let mut roles: Vec<Role> = Vec::new();
    for item in roles_raw {
        let id = table_id(&item);
        let Some(r) = de_value::<RawRole>(item, src, d) else {
            // Its error is above; people and plan entries naming it are not "unknown".
            if let Some(id) = id {
                d.reject("role", &id);
            }
            continue;
        };
        if roles.iter().any(|x| x.id == *r.id.get_ref()) {
            d.error(
                src,
                r.id.span(),
                format!("role `{}` is defined twice", r.id.get_ref()),
            );
            continue;
        }
        if !valid_id(r.id.get_ref()) {
            d.error(
                src,
                r.id.span(),
                format!(
                    "role id `{}`; expected letters, digits, `_`, `-` or `.`",
                    r.id.get_ref()
                ),
            );
        }
        let capacity = match &r.capacity {
            None => 1,
            Some(c) if (1..=MAX_CAPACITY).contains(c.get_ref()) => *c.get_ref(),
            Some(c) => {
                d.error(
                    src,
                    c.span(),
                    format!(
                        "capacity {}; expected 1 to {MAX_CAPACITY} task instances one person carries at once",
                        c.get_ref()
                    ),
                );
                1
            }
        };
        let travel_kmh = match &r.travel_kmh {
            None => Role::DEFAULT_TRAVEL_KMH,
            Some(v) if v.get_ref().is_finite() && (1.0..=MAX_TRAVEL_KMH).contains(v.get_ref()) => {
                *v.get_ref()
            }
            Some(v) => {
                d.error(
                    src,
                    v.span(),
                    format!(
                        "travel_kmh {}; expected 1 to {MAX_TRAVEL_KMH} km/h",
                        v.get_ref()
                    ),
                );
                Role::DEFAULT_TRAVEL_KMH
            }
        };
        roles.push(Role {
            id: r.id.into_inner(),
            name: r.name,
            name_en: r.name_en,
            capacity,
            professional: r.professional,
            leads_evacuation: r.leads_evacuation,
            external: r.external,
            leads_grid: r.leads_grid,
            travel_kmh,
        });
    }
    let mut materials: Vec<Material> = Vec::new();
    for item in materials_raw {
        let id = table_id(&item);
        let Some(m) = de_value::<RawMaterial>(item, src, d) else {
            if let Some(id) = id {
                d.reject("material", &id);
            }
            continue;
        };
        if materials.iter().any(|x| x.id == *m.id.get_ref()) {
            d.error(
                src,
                m.id.span(),
                format!("material `{}` is defined twice", m.id.get_ref()),
            );
            continue;
        }
        materials.push(Material {
            id: m.id.into_inner(),
            name: m.name,
            name_en: m.name_en,
            unit: m.unit,
        });
    }

    let w = &head.warning;
    let levels = [&w.blue, &w.yellow, &w.orange, &w.red];
    let mut thresholds_ok = true;
    let gauge_station = stations
        .iter()
        .position(|s| s.id == *head.gauge.station.get_ref());
    let gauge = gauge_station.and_then(|i| stations.get(i));
    let unit = threshold_unit(&levels, src, d);
    for (i, t) in levels.iter().enumerate() {
        if let Some(r) = &t.get_ref().response
            && !RESPONSE_LEVELS.contains(&r.get_ref().as_str())
        {
            d.error(
                src,
                r.span(),
                format!(
                    "{} response \"{}\"; expected one of {} (the emergency response level, Ⅳ lowest)",
                    LEVEL_NAMES[i],
                    r.get_ref(),
                    RESPONSE_LEVELS.join(", ")
                ),
            );
        }
    }
    // Optional numbers: each in its range, or a located error (never NaN or a silent default).
    let mut positive = |v: &Option<Spanned<f64>>, name: &str, zero_ok: bool, unit: &str| {
        let x = v.as_ref()?;
        let q = *x.get_ref();
        if q.is_finite() && (q > 0.0 || (zero_ok && q == 0.0)) {
            Some(q)
        } else {
            let bound = if zero_ok { "≥ 0" } else { "above 0" };
            d.error(
                src,
                x.span(),
                format!("{name} {q}; expected a number {bound} {unit}"),
            );
            None
        }
    };
    let bankfull = positive(
        &head.gauge.bankfull_discharge_m3s,
        "bankfull_discharge_m3s",
        true,
        "m³/s",
    );
    let trend_window = positive(
        &w.trend_window_minutes,
        "trend_window_minutes",
        false,
        "minutes",
    );
    let trend_threshold = positive(
        &w.trend_threshold_m3s_per_h,
        "trend_threshold_m3s_per_h",
        false,
        "m³/s per hour",
    );
    let design = positive(
        &w.design_discharge_m3s,
        "design_discharge_m3s",
        false,
        "m³/s",
    );
    let max_q = positive(
        &head.gauge.max_discharge_m3s,
        "max_discharge_m3s",
        false,
        "m³/s",
    );
    if let Some(up) = &head.gauge.upstream
        && !stations.iter().any(|s| s.id == *up.get_ref())
    {
        d.error(
            src,
            up.span(),
            format!(
                "upstream gauge `{}` is not a [[station]]; expected one of {}",
                up.get_ref(),
                stations
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    let dwell = *w.dwell_minutes.get_ref();
    if !(dwell.is_finite() && (0.0..=MAX_WINDOW_MIN).contains(&dwell)) {
        d.error(
            src,
            w.dwell_minutes.span(),
            format!("dwell_minutes {dwell}; expected minutes 0 to {MAX_WINDOW_MIN} (a week)"),
        );
        thresholds_ok = false;
    }
    if let (Some(t), Some(x)) = (trend_window, &w.trend_window_minutes)
        && t > MAX_WINDOW_MIN
    {
        d.error(
            src,
            x.span(),
            format!("trend_window_minutes {t}; expected minutes above 0 and at most {MAX_WINDOW_MIN} (a week)"),
        );
    }

    if gauge_station.is_none() && !stations.is_empty() {
        d.error(
            src,
            head.gauge.station.span(),
            format!(
                "gauge station `{}` is not a [[station]]; expected one of {}",
                head.gauge.station.get_ref(),
                stations
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    // Discharges beyond what the river can carry describe another river (or a typo).
    let gauge_max_q = max_discharge(&head.gauge, max_q, gauge, &w.red, src, d);
    let (scale, thresholds) = match unit {
        Some(unit) => check_thresholds(unit, &levels, gauge, gauge_max_q, src, d),
        None => (GaugeScale::Discharge, None),
    };
    thresholds_ok &= thresholds.is_some();
    let red_q = thresholds.as_ref().map_or(0.0, |t| t[3].discharge_m3s);
    for (value, field, name, what) in [
        (
            bankfull,
            &head.gauge.bankfull_discharge_m3s,
            "bankfull_discharge_m3s",
            "m³/s",
        ),
        (
            design,
            &w.design_discharge_m3s,
            "design_discharge_m3s",
            "m³/s",
        ),
        (
            trend_threshold,
            &w.trend_threshold_m3s_per_h,
            "trend_threshold_m3s_per_h",
            "m³/s per hour",
        ),
    ] {
        if let (Some(v), Some(f)) = (value, field)
            && v > gauge_max_q
        {
            d.error(
                src,
                f.span(),
                format!("{name} {v}; expected at most {gauge_max_q} {what}, the most this river can carry (max_discharge_m3s)"),
            );
        }
    }
    let evacuation = evacuation_rules(head.evacuation.unwrap_or_default(), &materials, src, d);
    let crs = crs?;
    // Thresholds with errors are not usable (NaN): the errors already stop the scenario from
    // being used, and the other files still get checked.
    let _ = thresholds_ok;
    let opt = |s: &Option<Spanned<String>>| s.as_ref().map(|v| v.get_ref().clone());
    Some(ScenarioConfig {
        name: head.name.into_inner(),
        name_en: head.name_en,
        description: head.description,
        crs,
        paths: ScenarioPaths {
            dem: head.dem.get_ref().clone(),
            plan: opt(&head.plan),
            grids: opt(&head.grids).unwrap_or_else(|| "grids.geojson".into()),
            sites: opt(&head.sites).unwrap_or_else(|| "sites.geojson".into()),
            people: opt(&head.people).unwrap_or_else(|| "people.csv".into()),
            residents: opt(&head.residents).unwrap_or_else(|| "residents.csv".into()),
            drills: opt(&head.drills).unwrap_or_else(|| "drills".into()),
        },
        gauge: Gauge {
            id: head.gauge.id,
            name: head.gauge.name.unwrap_or_default(),
            station: gauge_station.unwrap_or(0),
            upstream: head.gauge.upstream.map(Spanned::into_inner),
            bankfull_discharge_m3s: bankfull.unwrap_or(0.0),
            max_discharge_m3s: gauge_max_q,
        },
        warning: WarningThresholds {
            scale,
            levels: thresholds.unwrap_or_else(|| {
                std::array::from_fn(|_| LevelThreshold::by_discharge(f64::NAN, 0.0, ""))
            }),
            dwell_minutes: dwell,
            trend_window_minutes: trend_window.unwrap_or(180.0),
            trend_threshold_m3s_per_h: trend_threshold.unwrap_or(150.0),
            design_discharge_m3s: design.unwrap_or(red_q),
        },
        stations,
        roles,
        materials,
        evacuation,
    })
}

/// The level names of `[warning]`, in the order of its thresholds.
const LEVEL_NAMES: [&str; 4] = ["blue", "yellow", "orange", "red"];

/// The unit of `[warning]`'s thresholds: blue's (or the first level's that says), every level
/// written in it with its own band field. A located error for a level in neither unit, in both,
/// with the other unit's band, or in another unit than the first; `None` when no level says.
fn threshold_unit(
    levels: &[&Spanned<RawThreshold>; 4],
    src: &SourceFile,
    d: &mut Diagnostics,
) -> Option<GaugeUnit> {
    let unit = levels
        .iter()
        .find_map(|t| t.get_ref().value().map(|(u, _)| u));
    let mut ok = true;
    for (i, t) in levels.iter().enumerate() {
        let name = LEVEL_NAMES[i];
        let raw = t.get_ref();
        let Some((own, value)) = raw.value() else {
            d.error(
                src,
                t.span(),
                format!(
                    "{name} threshold has neither discharge_m3s nor stage_m; expected {{ discharge_m3s = …, band_m3s = … }} (m³/s) or {{ stage_m = …, band_m = … }} (m)"
                ),
            );
            ok = false;
            continue;
        };
        if let (Some(_), Some(h)) = (&raw.discharge_m3s, &raw.stage_m) {
            d.error(
                src,
                h.span(),
                format!("{name} threshold gives both discharge_m3s and stage_m; expected one of them (the other is read through the gauge's rating curve)"),
            );
            ok = false;
        }
        if Some(own) != unit {
            let first = unit.unwrap_or(own);
            d.error(
                src,
                value.span(),
                format!(
                    "{name} threshold is by {} ({}) while blue … red start by {} ({}); expected all four levels in one unit",
                    own.name(),
                    own.threshold_field(),
                    first.name(),
                    first.threshold_field()
                ),
            );
            ok = false;
            continue;
        }
        let other = match own {
            GaugeUnit::Discharge => GaugeUnit::Stage,
            GaugeUnit::Stage => GaugeUnit::Discharge,
        };
        if let Some(b) = raw.band(other) {
            d.error(
                src,
                b.span(),
                format!(
                    "{name} band {} with a threshold by {}; expected {} ({})",
                    other.band_field(),
                    own.name(),
                    own.band_field(),
                    own.symbol()
                ),
            );
            ok = false;
        } else if raw.band(own).is_none() {
            d.error(
                src,
                t.span(),
                format!(
                    "{name} threshold has no {}; expected a hysteresis band in {} (0 for none)",
                    own.band_field(),
                    own.symbol()
                ),
            );
            ok = false;
        }
    }
    unit.filter(|_| ok)
}

/// The most the river can carry at the gauge, m³/s: `max_discharge_m3s`, or `max_stage_m`
/// through the gauge's rating, or by default twice the larger of the highest rated discharge and
/// the red threshold's discharge. Both given, or a stage the curve cannot place, is a located
/// error (and the default is used).
fn max_discharge(
    raw: &RawGauge,
    declared_q: Option<f64>,
    gauge: Option<&Station>,
    red: &Spanned<RawThreshold>,
    src: &SourceFile,
    d: &mut Diagnostics,
) -> f64 {
    let from_stage = raw.max_stage_m.as_ref().and_then(|h| {
        if raw.max_discharge_m3s.is_some() {
            d.error(
                src,
                h.span(),
                "max_stage_m and max_discharge_m3s both given; expected one of them (the other follows from the rating curve)",
            );
            return None;
        }
        let rating = &gauge?.rating;
        let stage = *h.get_ref();
        let (_, lowest) = rating.first();
        match rating.discharge_for(stage, f64::INFINITY) {
            Ok(c) if stage > lowest => Some(c.value),
            Ok(_) => {
                d.error(
                    src,
                    h.span(),
                    format!("max_stage_m {stage}; expected a stage above {lowest} m, the lowest of the gauge's rating curve"),
                );
                None
            }
            Err(e) => {
                d.error(src, h.span(), format!("max_stage_m: {e}"));
                None
            }
        }
    });
    declared_q.or(from_stage).unwrap_or_else(|| {
        let rated = gauge.map_or(0.0, |s| s.rating.max_discharge_m3s());
        let red_q = match red.get_ref().value() {
            Some((GaugeUnit::Discharge, q)) => *q.get_ref(),
            Some((GaugeUnit::Stage, h)) => gauge
                .and_then(|s| s.rating.discharge_for_stage(*h.get_ref()))
                .unwrap_or(0.0),
            None => 0.0,
        };
        let m = 2.0 * rated.max(red_q);
        if m.is_finite() { m } else { 2.0 * rated }
    })
}

/// The four thresholds checked in their unit — each above the floor (0 m³/s, or the lowest
/// stage of the gauge's rating), rising, its band below the gap to the level under it, a stage
/// within what the river can carry (a warning when it lies beyond the rated table) — and the
/// discharge of each. `None` after any located error.
fn check_thresholds(
    unit: GaugeUnit,
    levels: &[&Spanned<RawThreshold>; 4],
    gauge: Option<&Station>,
    max_q: f64,
    src: &SourceFile,
    d: &mut Diagnostics,
) -> (GaugeScale, Option<[LevelThreshold; 4]>) {
    let scale = match (unit, gauge) {
        (GaugeUnit::Discharge, _) => GaugeScale::Discharge,
        (GaugeUnit::Stage, Some(s)) => GaugeScale::Stage(s.rating.clone()),
        // The missing gauge station is reported where it is named.
        (GaugeUnit::Stage, None) => return (GaugeScale::Discharge, None),
    };
    let sym = unit.symbol();
    let floor = match &scale {
        GaugeScale::Discharge => 0.0,
        GaugeScale::Stage(rating) => rating.first().1,
    };
    let mut out = Vec::with_capacity(4);
    let mut ok = true;
    for (i, t) in levels.iter().enumerate() {
        let name = LEVEL_NAMES[i];
        let raw = t.get_ref();
        let (Some((_, value)), Some(band)) = (raw.value(), raw.band(unit)) else {
            return (scale, None);
        };
        let v = *value.get_ref();
        let b = *band.get_ref();
        if !(v.is_finite() && v > floor) {
            let what = match unit {
                GaugeUnit::Discharge => "a discharge above 0 m³/s".to_string(),
                GaugeUnit::Stage => format!(
                    "a stage above {floor} m, the lowest of the gauge's rating curve (station `{}`)",
                    gauge.map_or("", |s| s.id.as_str())
                ),
            };
            d.error(
                src,
                value.span(),
                format!("{name} threshold {v}; expected {what}"),
            );
            ok = false;
            continue;
        }
        let prev = i
            .checked_sub(1)
            .and_then(|p| levels[p].get_ref().value())
            .map(|(_, p)| *p.get_ref());
        if let Some(prev) = prev
            && v <= prev
        {
            d.error(
                src,
                value.span(),
                format!(
                    "{name} threshold {v} {sym} is not above {} {prev} {sym}; expected blue < yellow < orange < red",
                    LEVEL_NAMES[i - 1]
                ),
            );
            ok = false;
        }
        let gap = match unit {
            GaugeUnit::Discharge => v - prev.unwrap_or(floor),
            GaugeUnit::Stage => read_stage(v - prev.unwrap_or(floor)),
        };
        if !(b.is_finite() && b >= 0.0) || (gap > 0.0 && b >= gap) {
            let below = if i == 0 && unit == GaugeUnit::Stage {
                "the gap to the rating curve's lowest stage"
            } else {
                "the gap to the level below"
            };
            d.error(
                src,
                band.span(),
                format!(
                    "{name} hysteresis band {b} {sym} does not fit below its threshold; expected 0 ≤ band < {gap} {sym} ({below})"
                ),
            );
            ok = false;
        }
        let discharge_m3s = match &scale {
            GaugeScale::Discharge => v,
            GaugeScale::Stage(rating) => match rating.discharge_for(v, max_q) {
                Ok(c) => {
                    if c.range == RatedRange::Above {
                        let (top_q, top_h) = rating.last();
                        d.warning(
                            src,
                            value.span(),
                            format!(
                                "{name} threshold {v} m lies above {top_h} m, the highest rated point of station `{}` ({top_q} m³/s); its discharge {:.0} m³/s is extrapolated along the curve's last segment",
                                gauge.map_or("", |s| s.id.as_str()),
                                c.value
                            ),
                        );
                    }
                    c.value
                }
                Err(e) => {
                    d.error(src, value.span(), format!("{name} threshold: {e}"));
                    ok = false;
                    continue;
                }
            },
        };
        out.push(LevelThreshold {
            value: v,
            band: b,
            response: raw
                .response
                .as_ref()
                .map(|r| r.get_ref().clone())
                .unwrap_or_else(|| RESPONSE_LEVELS[i].to_string()),
            discharge_m3s,
        });
    }
    let levels = <[LevelThreshold; 4]>::try_from(out).ok().filter(|_| ok);
    (scale, levels)
}

/// Longest time any of the evacuation hours may be, h: a week is far beyond any real lead time,
/// and keeps a typo (minutes written as hours) from passing.
const MAX_EVACUATION_H: f64 = 168.0;

/// `[evacuation]` checked: each number in its range, each material declared; a located error
/// otherwise, and the default in its place.
fn evacuation_rules(
    raw: RawEvacuation,
    materials: &[Material],
    src: &SourceFile,
    d: &mut Diagnostics,
) -> EvacuationRules {
    let mut rules = EvacuationRules::default();
    let mut num =
        |v: &Option<Spanned<f64>>, name: &str, lo: f64, hi: f64, unit: &str, slot: &mut f64| {
            let Some(x) = v else { return };
            let q = *x.get_ref();
            if q.is_finite() && q >= lo && q <= hi {
                *slot = q;
            } else {
                d.error(
                    src,
                    x.span(),
                    format!("evacuation {name} {q}; expected {lo} to {hi} {unit}"),
                );
            }
        };
    num(
        &raw.walk_kmh,
        "walk_kmh",
        0.5,
        10.0,
        "km/h",
        &mut rules.walk_kmh,
    );
    num(
        &raw.walk_limit_km,
        "walk_limit_km",
        0.0,
        50.0,
        "km",
        &mut rules.walk_limit_km,
    );
    num(
        &raw.vehicle_kmh,
        "vehicle_kmh",
        1.0,
        120.0,
        "km/h",
        &mut rules.vehicle_kmh,
    );
    num(
        &raw.prepare_h,
        "prepare_h",
        0.0,
        MAX_EVACUATION_H,
        "hours",
        &mut rules.prepare_h,
    );
    num(
        &raw.assisted_prepare_h,
        "assisted_prepare_h",
        0.0,
        MAX_EVACUATION_H,
        "hours",
        &mut rules.assisted_prepare_h,
    );
    num(
        &raw.safety_h,
        "safety_h",
        0.0,
        MAX_EVACUATION_H,
        "hours",
        &mut rules.safety_h,
    );
    num(
        &raw.order_margin_h,
        "order_margin_h",
        0.0,
        MAX_EVACUATION_H,
        "hours",
        &mut rules.order_margin_h,
    );
    if let Some(v) = raw.assisted_categories {
        rules.assisted_categories = v;
    }
    if let Some(v) = raw.assisted_needs {
        rules.assisted_needs = v;
    }
    if let Some(v) = raw.first_categories {
        rules.first_categories = v;
    }
    if let Some(v) = raw.children_bed_categories {
        rules.children_bed_categories = v;
    }
    if let Some(v) = raw.women_bed_categories {
        rules.women_bed_categories = v;
    }
    let declared = |id: &str| materials.iter().any(|m| m.id == id);
    let mut material = |v: Option<Spanned<String>>, name: &str, slot: &mut Option<String>| match v {
        Some(m) if declared(m.get_ref()) => *slot = Some(m.into_inner()),
        Some(m) => {
            d.error(
                src,
                m.span(),
                format!(
                    "evacuation {name} `{}` is not a [[material]]; expected one of {}",
                    m.get_ref(),
                    materials
                        .iter()
                        .map(|m| m.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            *slot = None;
        }
        // The default names a material only when the scenario declares it.
        None => *slot = slot.take().filter(|id| declared(id)),
    };
    material(raw.bus_material, "bus_material", &mut rules.bus_material);
    material(
        raw.ambulance_material,
        "ambulance_material",
        &mut rules.ambulance_material,
    );
    rules
}

/// The longest dwell or trend window, minutes (a week): longer than any flood's rise; beyond it a
/// level would never fall or a trend never show.
pub const MAX_WINDOW_MIN: f64 = 7.0 * 24.0 * 60.0;

/// The fastest a role may travel to a task, km/h (a helicopter's cruise is about 200).
pub const MAX_TRAVEL_KMH: f64 = 200.0;

/// The most task instances one person may carry at once.
pub const MAX_CAPACITY: u32 = 1_000;

/// The longest reach a station's chainage may lie along, km.
pub const MAX_CHAINAGE_KM: f64 = 10_000.0;

/// The emergency response levels a threshold may name (四级 … 一级).
pub const RESPONSE_LEVELS: [&str; 4] = ["IV", "III", "II", "I"];

/// Ids: ASCII letters, digits, `_`, `-`, `.`; not empty.
pub(crate) fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}
