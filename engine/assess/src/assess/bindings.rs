//! The values of the condition language's names: [`Globals`] once per assessment, and the two
//! environments conditions are evaluated in — [`StaticEnv`] at build (static facts only, the rest
//! unknown) and [`DynEnv`] at assess time.

use std::collections::HashMap;

use super::{Engine, Situation};
use crate::response::ResidentOrder;
use floodgrid_flood::GridExposure;
use floodgrid_model::grid::ResidentKind;
use floodgrid_model::hazard::HazardKind;
use floodgrid_model::hydro::{Trend, WarningLevel};
use floodgrid_model::plan::{Env, ForEach, Value, VarId, VarKey, hazard_count_kind};

/// Situation-wide values, computed once per assessment.
pub(super) struct Globals {
    pub(super) q: f64,
    /// Stage at the reference gauge, m, read to the micrometre (the assessment's `stage_m`).
    pub(super) stage: f64,
    pub(super) level: WarningLevel,
    pub(super) peak_level: WarningLevel,
    pub(super) trend: Trend,
    pub(super) forecast_peak: f64,
    pub(super) hours_to_peak: f64,
    pub(super) alarms: f64,
    pub(super) hazards: f64,
    pub(super) hazard_kinds: HashMap<HazardKind, f64>,
    pub(super) flooded_grids: f64,
    pub(super) exposed_people: f64,
    /// Active alarms per site (sensors count for their works).
    pub(super) site_alarms: Vec<u32>,
    pub(super) site_hazards: Vec<u32>,
    pub(super) grid_hazards: Vec<u32>,
    pub(super) exposure: Vec<GridExposure>,
    /// Each resident's evacuation order state, by resident index.
    pub(super) orders: Vec<ResidentOrder>,
    /// Due households, key persons and persons per grid, its subtree included.
    pub(super) grid_due: Vec<[u32; 3]>,
}

impl Globals {
    pub(super) fn new(
        engine: &Engine,
        s: &Situation,
        (q, level, peak_level, trend): (f64, WarningLevel, WarningLevel, Trend),
        exposure: &[GridExposure],
        orders: Vec<ResidentOrder>,
    ) -> Globals {
        let sc = &engine.scenario;
        let mut grid_due = vec![[0u32; 3]; sc.grids.len()];
        for (r, o) in sc.residents.iter().zip(&orders) {
            if !o.due {
                continue;
            }
            let slot = usize::from(matches!(r.kind, ResidentKind::KeyPerson { .. }));
            let mut cur = Some(r.grid);
            // A grid's ancestors are fewer than the grids (the loader refuses cycles).
            for _ in 0..sc.grids.len() {
                let Some(g) = cur else { break };
                if let Some(d) = grid_due.get_mut(g.ix()) {
                    d[slot] += 1;
                    d[2] = d[2].saturating_add(r.size);
                }
                cur = engine.grid_parent.get(g.ix()).copied().flatten();
            }
        }
        let mut site_alarms = vec![0u32; sc.sites.len()];
        for a in &s.alarms {
            if let Some(v) = site_alarms.get_mut(a.site.ix()) {
                *v += 1;
            }
            if let Some(w) = sc.sites.get(a.site.ix()).and_then(|x| x.work)
                && let Some(v) = site_alarms.get_mut(w.ix())
            {
                *v += 1;
            }
        }
        let mut site_hazards = vec![0u32; sc.sites.len()];
        let mut grid_hazards = vec![0u32; sc.grids.len()];
        let mut hazard_kinds: HashMap<HazardKind, f64> = HashMap::new();
        for h in &s.hazards {
            *hazard_kinds.entry(h.kind).or_default() += 1.0;
            if let Some(site) = h.site
                && let Some(v) = site_hazards.get_mut(site.ix())
            {
                *v += 1;
            }
            let mut cur = Some(h.grid);
            let mut steps = 0;
            while let Some(g) = cur {
                if let Some(v) = grid_hazards.get_mut(g.ix()) {
                    *v += 1;
                }
                steps += 1;
                if steps > sc.grids.len() {
                    break;
                }
                cur = sc.grids.get(g.ix()).and_then(|x| x.parent);
            }
        }
        let grids = &sc.grids;
        let flooded_grids = exposure
            .iter()
            .zip(grids)
            .filter(|(e, g)| g.kind.is_working_grid() && e.flooded_km2 > 0.0)
            .count() as f64;
        let exposed_people = exposure
            .iter()
            .zip(grids)
            .filter(|(_, g)| g.parent.is_none())
            .map(|(e, _)| f64::from(e.exposed_people))
            .sum();
        Globals {
            q,
            stage: sc.config.gauge_stage_m(q),
            level,
            peak_level,
            trend,
            forecast_peak: s.forecast.map(|f| f.peak_m3s).unwrap_or(q).max(q),
            hours_to_peak: s.forecast.map(|f| f.hours_to_peak).unwrap_or(0.0),
            alarms: s.alarms.len() as f64,
            hazards: s.hazards.len() as f64,
            hazard_kinds,
            flooded_grids,
            exposed_people,
            site_alarms,
            site_hazards,
            grid_hazards,
            exposure: exposure.to_vec(),
            orders,
            grid_due,
        }
    }
}

/// Values of names at build time: only static facts; everything situation-dependent is unknown.
pub(super) struct StaticEnv<'a> {
    pub(super) engine: &'a Engine,
    pub(super) ctx: (ForEach, u32),
}

impl Env for StaticEnv<'_> {
    fn value(&self, var: VarId) -> Option<Value<'_>> {
        self.engine.static_value(var, self.ctx)
    }
}

/// Values of names at assess time.
pub(super) struct DynEnv<'a> {
    pub(super) engine: &'a Engine,
    pub(super) globals: &'a Globals,
    pub(super) situation: &'a Situation,
    pub(super) ctx: Option<(ForEach, u32)>,
}

impl Env for DynEnv<'_> {
    fn value(&self, var: VarId) -> Option<Value<'_>> {
        use VarKey as K;
        let g = self.globals;
        let key = var.info().key;
        let num = |x: f64| Some(Value::Num(x));
        match key {
            K::Q => return num(g.q),
            K::Stage => return num(g.stage),
            K::Level => return Some(Value::Level(g.level)),
            K::PeakLevel => return Some(Value::Level(g.peak_level)),
            K::Trend => return Some(Value::Trend(g.trend)),
            K::ForecastPeak => return num(g.forecast_peak),
            K::ForecastHoursToPeak => return num(g.hours_to_peak),
            K::Alarms => return num(g.alarms),
            K::Hazards => return num(g.hazards),
            K::FloodedGrids => return num(g.flooded_grids),
            K::ExposedPeople => return num(g.exposed_people),
            K::Month => return num(f64::from(self.situation.month)),
            K::Hour => return num(f64::from(self.situation.hour)),
            // `hazard_count.<kind>`: one name per kind of the hazard vocabulary.
            K::HazardCount => {
                let kind = hazard_count_kind(var)?;
                return num(g.hazard_kinds.get(&kind).copied().unwrap_or(0.0));
            }
            _ => {}
        }
        let (fe, i) = self.ctx?;
        if let Some(v) = self.engine.static_value(var, (fe, i)) {
            return Some(v);
        }
        let e = self.engine;
        let sc = &e.scenario;
        let i = i as usize;
        let wet = |t: Option<&f32>| Some(Value::Bool(t.is_some_and(|&t| f64::from(t) <= g.q)));
        let x = || g.exposure.get(i);
        match key {
            K::GridHazards => num(f64::from(g.grid_hazards.get(i).copied().unwrap_or(0))),
            K::GridExposedPeople => num(x().map(|x| f64::from(x.exposed_people)).unwrap_or(0.0)),
            K::GridExposedKeyPersons => {
                num(x().map(|x| f64::from(x.exposed_key_persons)).unwrap_or(0.0))
            }
            K::GridExposedHouseholds => {
                num(x().map(|x| f64::from(x.exposed_households)).unwrap_or(0.0))
            }
            K::GridFloodedFraction => num(x().map(|x| x.flooded_fraction).unwrap_or(0.0)),
            K::GridMaxDepthM => num(x().map(|x| x.max_depth_m).unwrap_or(0.0)),
            K::GridMeanDepthM => num(x().map(|x| x.mean_depth_m).unwrap_or(0.0)),
            K::GridWetDischarge => num(x()
                .and_then(|x| x.wet_discharge_m3s)
                .unwrap_or(f64::INFINITY)),
            K::GridArrivalHours => num(self
                .situation
                .arrival_hours
                .as_ref()
                .and_then(|a| a.get(i).copied().flatten())
                .unwrap_or(f64::INFINITY)),
            K::SiteAlarms => num(f64::from(g.site_alarms.get(i).copied().unwrap_or(0))),
            K::SiteHazards => num(f64::from(g.site_hazards.get(i).copied().unwrap_or(0))),
            K::SiteExposed => wet(e.site_threshold.get(i)),
            K::KeyPersonExposed => wet(e.resident_threshold.get(*e.key_persons.get(i)? as usize)),
            K::HouseholdExposed => wet(e.resident_threshold.get(*e.households.get(i)? as usize)),
            K::GridHouseholdsDue | K::GridKeyPersonsDue | K::GridPersonsDue => {
                let d = g.grid_due.get(i)?;
                let slot = match key {
                    K::GridHouseholdsDue => 0,
                    K::GridKeyPersonsDue => 1,
                    _ => 2,
                };
                num(f64::from(d[slot]))
            }
            K::KeyPersonHoursToWater | K::KeyPersonOrderDue | K::KeyPersonAssisted => {
                let r = *e.key_persons.get(i)? as usize;
                let o = g.orders.get(r)?;
                match key {
                    K::KeyPersonHoursToWater => num(o.hours_to_water),
                    K::KeyPersonOrderDue => Some(Value::Bool(o.due)),
                    _ => Some(Value::Bool(e.evac_index.assisted(r))),
                }
            }
            K::HouseholdHoursToWater | K::HouseholdOrderDue => {
                let o = g.orders.get(*e.households.get(i)? as usize)?;
                match key {
                    K::HouseholdHoursToWater => num(o.hours_to_water),
                    _ => Some(Value::Bool(o.due)),
                }
            }
            K::HazardId
            | K::HazardKind
            | K::HazardEngineering
            | K::HazardSite
            | K::HazardGrid
            | K::HazardSeverity => {
                let h = self.situation.hazards.get(i)?;
                match key {
                    K::HazardId => Some(Value::Str(&h.id)),
                    K::HazardKind => Some(Value::Str(h.kind.name())),
                    K::HazardEngineering => Some(Value::Bool(h.kind.is_engineering())),
                    K::HazardSite => Some(Value::Str(
                        h.site
                            .and_then(|s| sc.sites.get(s.ix()))
                            .map(|s| s.id.as_str())
                            .unwrap_or(""),
                    )),
                    K::HazardGrid => Some(Value::Str(
                        sc.grids
                            .get(h.grid.ix())
                            .map(|g| g.id.as_str())
                            .unwrap_or(""),
                    )),
                    _ => num(f64::from(h.severity)),
                }
            }
            _ => None,
        }
    }
}
