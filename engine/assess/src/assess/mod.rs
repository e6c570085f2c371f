//! `Situation → Assessment`: the one entry point that ties the engine together.
//!
//! **Architecture invariant**: [`Engine::build`] does every piece of work that does not depend on
//! the discharge (grid facts, static filters of the plan, roster and depot indexes); [`Engine::assess`]
//! only evaluates what does, and never mutates the engine, so assessments run side by side.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::response::{
    DepotStocks, EvacuationIndex, EvacuationInput, EvacuationPlan, ResidentOrder, Roster,
    decide_evacuation, plan_evacuation,
};
use floodgrid_flood::{ExposureIndex, FloodAtlas, GridExposure};
use floodgrid_model::grid::{
    GridFacts, GridIdx, PersonIdx, ResidentKind, RoleIdx, SiteKind, grid_facts, in_floodplain,
};
use floodgrid_model::hydro::{ArrivalClock, trend};
use floodgrid_model::plan::{ForEach, Tri, eval_tri};
use floodgrid_scenario::Scenario;

mod audit;
mod bindings;
mod index;
mod items;
mod render;
mod stages;
mod types;

pub use audit::{EvacuationAudit, MAX_AUDIT_STEPS};
pub use types::*;

/// When the river reaches each discharge: the situation's forecast path; without one, a straight
/// rise to the forecast peak; without a forecast, the river stays where it is.
fn arrival_clock(s: &Situation) -> ArrivalClock {
    let q = s.discharge_m3s;
    if !s.forecast_path.is_empty() {
        return ArrivalClock::new(q, &s.forecast_path);
    }
    match s.forecast {
        Some(f) if f.peak_m3s > q => {
            ArrivalClock::new(q, &[(f.hours_to_peak.max(f64::MIN_POSITIVE), f.peak_m3s)])
        }
        _ => ArrivalClock::new(q, &[]),
    }
}

/// The most points a situation's forecast path may have (a 30-day hydrograph at 1-minute steps
/// is 43,200).
pub const MAX_FORECAST_POINTS: usize = 50_000;

use bindings::{Globals, StaticEnv};
use index::{Compiled, Names, build_atlas};

/// The engine: a scenario with everything prepared that does not depend on the situation.
#[derive(Debug)]
pub struct Engine {
    scenario: Scenario,
    facts: Vec<GridFacts>,
    key_persons: Vec<u32>,
    households: Vec<u32>,
    resident_floodplain: Vec<bool>,
    works_sensors: Vec<u32>,
    compiled: Vec<Compiled>,
    roster: Roster,
    stocks: DepotStocks,
    /// Depot positions by distance from each grid's anchor.
    depot_order: Vec<Vec<u32>>,
    root: GridIdx,
    atlas: FloodAtlas,
    exposure_index: ExposureIndex,
    /// Discharge at which each resident's cell gets wet.
    resident_threshold: Vec<f32>,
    /// Discharge at which each site's anchor cell gets wet.
    site_threshold: Vec<f32>,
    /// Personnel registered in each grid.
    people_by_grid: Vec<Vec<PersonIdx>>,
    /// Instruction index by id.
    instruction_index: HashMap<String, u32>,
    /// `for_each` item index by (kind, item id), for reading task states back.
    item_index: HashMap<(ForEach, String), u32>,
    /// Residents' static evacuation order and nearest shelters.
    evac_index: EvacuationIndex,
    /// Roles that lead evacuations, most preferred first.
    evac_leaders: Vec<RoleIdx>,
    /// Buses and ambulances in the scenario's stock.
    evac_vehicles: [u32; 2],
    /// Compact copies of what step 3 reads per instance: each resident's grid and guardian
    /// (`u32::MAX`: none), each person's role, each grid's parent.
    resident_grid: Vec<GridIdx>,
    resident_guardian: Vec<u32>,
    person_role: Vec<floodgrid_model::grid::RoleIdx>,
    grid_parent: Vec<Option<GridIdx>>,
    /// Ids, names and titles as shared strings: an assessment copies pointers.
    names: Names,
}

impl Engine {
    /// Prepares a scenario: grid facts, static plan filters, roster and depot indexes.
    pub fn build(scenario: Scenario) -> Result<Engine, BuildError> {
        let root = scenario
            .grids
            .iter()
            .position(|g| g.parent.is_none())
            .map(|i| GridIdx(i as u32))
            .ok_or(BuildError::NoGrids)?;
        let facts = grid_facts(&scenario.grids, &scenario.sites, &scenario.residents);
        let river = floodgrid_model::grid::line_strings_of(&scenario.sites, SiteKind::River);
        let dikes = floodgrid_model::grid::line_strings_of(&scenario.sites, SiteKind::MainDike);
        let resident_floodplain = scenario
            .residents
            .iter()
            .map(|r| in_floodplain(r.xy, &river, &dikes))
            .collect();
        let key_persons = (0..scenario.residents.len() as u32)
            .filter(|&i| {
                matches!(
                    scenario.residents[i as usize].kind,
                    ResidentKind::KeyPerson { .. }
                )
            })
            .collect();
        let households = (0..scenario.residents.len() as u32)
            .filter(|&i| {
                matches!(
                    scenario.residents[i as usize].kind,
                    ResidentKind::Household { .. }
                )
            })
            .collect();
        let mut works_sensors = vec![0u32; scenario.sites.len()];
        for s in &scenario.sites {
            if let Some(w) = s.work {
                works_sensors[w.ix()] += 1;
            }
        }
        let roster = Roster::new(&scenario.grids, &scenario.people);
        let stocks = DepotStocks::new(&scenario.sites, scenario.config.materials.len());
        let depot_order = facts
            .iter()
            .map(|f| {
                let mut order: Vec<(f64, u32)> = stocks
                    .depots()
                    .iter()
                    .enumerate()
                    .map(|(pos, d)| {
                        let p = scenario.sites[d.ix()].geometry.anchor();
                        ((p[0] - f.anchor[0]).hypot(p[1] - f.anchor[1]), pos as u32)
                    })
                    .collect();
                order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                order.into_iter().map(|(_, p)| p).collect()
            })
            .collect();
        let atlas = build_atlas(&scenario);
        let exposure_index = ExposureIndex::build(
            &atlas,
            &scenario.dem,
            &scenario.grids,
            &scenario.residents,
            &scenario.sites,
            scenario.config.gauge.bankfull_discharge_m3s,
        );
        let dem = &scenario.dem;
        let thr_at = |p: [f64; 2]| {
            dem.cell_at(p[0], p[1])
                .map(|(c, r)| atlas.threshold[r * dem.ncols + c])
                .unwrap_or(f32::INFINITY)
        };
        let resident_threshold: Vec<f32> =
            scenario.residents.iter().map(|r| thr_at(r.xy)).collect();
        let site_threshold = scenario
            .sites
            .iter()
            .map(|s| thr_at(s.geometry.anchor()))
            .collect();
        let names = Names::new(&scenario);
        let evac_index = EvacuationIndex::new(
            &scenario.residents,
            &resident_threshold,
            &scenario.sites,
            &names.evac.grid_ids,
            &scenario.config.evacuation,
        );
        // The roles that lead evacuations, by their preference; the vehicles by stock.
        let mut evac_leaders: Vec<(u32, RoleIdx)> = scenario
            .config
            .roles
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.leads_evacuation.map(|rank| (rank, RoleIdx(i as u32))))
            .collect();
        evac_leaders.sort();
        let stock_of = |id: &Option<String>| -> u32 {
            let Some(m) = id.as_deref().and_then(|m| scenario.config.material(m)) else {
                return 0;
            };
            let total: f64 = scenario
                .sites
                .iter()
                .flat_map(|s| &s.stock)
                .filter(|(k, _)| *k == m)
                .map(|(_, n)| n.max(0.0))
                .sum();
            total.min(f64::from(u32::MAX)) as u32
        };
        let evac_vehicles = [
            stock_of(&scenario.config.evacuation.bus_material),
            stock_of(&scenario.config.evacuation.ambulance_material),
        ];
        let mut engine = Engine {
            evac_leaders: evac_leaders.into_iter().map(|(_, r)| r).collect(),
            evac_vehicles,
            resident_grid: scenario.residents.iter().map(|r| r.grid).collect(),
            resident_guardian: scenario
                .residents
                .iter()
                .map(|r| r.guardian.map_or(u32::MAX, |g| g.0))
                .collect(),
            person_role: scenario.people.iter().map(|p| p.role).collect(),
            grid_parent: scenario.grids.iter().map(|g| g.parent).collect(),
            evac_index,
            names,
            scenario,
            facts,
            key_persons,
            households,
            resident_floodplain,
            works_sensors,
            compiled: Vec::new(),
            roster,
            stocks,
            depot_order,
            root,
            atlas,
            exposure_index,
            resident_threshold,
            site_threshold,
            people_by_grid: Vec::new(),
            instruction_index: HashMap::new(),
            item_index: HashMap::new(),
        };
        engine.instruction_index = engine
            .scenario
            .plan
            .instructions
            .iter()
            .enumerate()
            .map(|(i, x)| (x.id.clone(), i as u32))
            .collect();
        let empty = Situation::at_discharge(0.0);
        let mut item_index = HashMap::new();
        for fe in ForEach::ALL {
            for i in 0..engine.items(fe, &empty) as u32 {
                item_index.insert((fe, engine.item_id(fe, i, &empty).to_string()), i);
            }
        }
        engine.item_index = item_index;
        engine.people_by_grid = vec![Vec::new(); engine.scenario.grids.len()];
        for (i, p) in engine.scenario.people.iter().enumerate() {
            if let Some(list) = engine.people_by_grid.get_mut(p.grid.ix()) {
                list.push(PersonIdx(i as u32));
            }
        }
        engine.compiled = engine.compile();
        Ok(engine)
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Derived facts of every grid.
    pub fn grid_facts(&self) -> &[GridFacts] {
        &self.facts
    }

    /// Drops, once, the items a condition can never select whatever the situation.
    fn compile(&self) -> Vec<Compiled> {
        let empty = Situation::at_discharge(0.0);
        self.scenario
            .plan
            .instructions
            .par_iter()
            .map(|ins| {
                let Some(fe) = ins.for_each else {
                    return Compiled {
                        candidates: Vec::new(),
                        keys: Vec::new(),
                    };
                };
                let candidates: Vec<u32> = (0..self.items(fe, &empty) as u32)
                    .filter(|&i| {
                        let env = StaticEnv {
                            engine: self,
                            ctx: (fe, i),
                        };
                        let when = eval_tri(&ins.when.expr, &env);
                        let filter = ins
                            .filter
                            .as_ref()
                            .map(|f| eval_tri(&f.expr, &env))
                            .unwrap_or(Tri::True);
                        when != Tri::False && filter != Tri::False
                    })
                    .collect();
                let keys = candidates
                    .iter()
                    .map(|&i| Arc::from(format!("{}@{}", ins.id, self.item_id(fe, i, &empty))))
                    .collect();
                Compiled { candidates, keys }
            })
            .collect()
    }

    /// Assesses a situation: level, the active task instances with people and materials, and the
    /// shortfalls. Results and their order are the same for any number of threads. A situation
    /// that refers to a grid, site or person the scenario does not have, or holds a number out
    /// of range, is refused with a [`SituationError`] (see [`Engine::check_situation`]).
    pub fn assess(&self, situation: &Situation) -> Result<Assessment, SituationError> {
        Ok(self.assess_timed(situation)?.0)
    }

    /// Checks that every index in a situation is in the scenario and every number in range:
    /// the discharge from 0 to the scenario's `max_discharge_m3s`, the clock finite and not
    /// negative, the month 1–12, the hour 0–23.
    pub fn check_situation(&self, s: &Situation) -> Result<(), SituationError> {
        let sc = &self.scenario;
        let idx = |field: String, kind: &'static str, index: u32, len: usize| {
            if (index as usize) < len {
                Ok(())
            } else {
                Err(SituationError::UnknownIndex {
                    field,
                    kind,
                    index,
                    len,
                })
            }
        };
        // The expected range is worded only when a value is out of it (this runs on every
        // assessment).
        let range = |field: &'static str, value: f64, ok: bool, expected: &dyn Fn() -> String| {
            if ok {
                Ok(())
            } else {
                Err(SituationError::OutOfRange {
                    field,
                    value,
                    expected: expected(),
                })
            }
        };
        let q = s.discharge_m3s;
        let max_q = sc.config.gauge.max_discharge_m3s;
        range(
            "discharge_m3s",
            q,
            q.is_finite() && q >= 0.0 && q <= max_q,
            &|| {
                format!(
                    "0 to {max_q} m³/s, the most this river can carry (the scenario's max_discharge_m3s)"
                )
            },
        )?;
        range(
            "forecast_path",
            s.forecast_path.len() as f64,
            s.forecast_path.len() <= MAX_FORECAST_POINTS,
            &|| format!("at most {MAX_FORECAST_POINTS} points"),
        )?;
        let mut last_h = 0.0;
        for &(h, fq) in &s.forecast_path {
            range(
                "forecast_path hours",
                h,
                h.is_finite() && h > last_h,
                &|| format!("hours from now, finite and above {last_h} (the point before)"),
            )?;
            range(
                "forecast_path discharge",
                fq,
                fq.is_finite() && fq >= 0.0 && fq <= max_q,
                &|| format!("0 to {max_q} m³/s, the most this river can carry"),
            )?;
            last_h = h;
        }
        let t = s.now_min;
        range("now_min", t, t.is_finite() && t >= 0.0, &|| {
            "a finite minute ≥ 0".into()
        })?;
        let m = f64::from(s.month);
        range("month", m, (1..=12).contains(&s.month), &|| {
            "1 to 12".into()
        })?;
        let h = f64::from(s.hour);
        range("hour", h, s.hour <= 23, &|| "0 to 23".into())?;
        let (grids, sites, people) = (sc.grids.len(), sc.sites.len(), sc.people.len());
        for (i, a) in s.alarms.iter().enumerate() {
            idx(format!("alarms[{i}].site"), "site", a.site.0, sites)?;
        }
        for (i, h) in s.hazards.iter().enumerate() {
            idx(format!("hazards[{i}].grid"), "grid", h.grid.0, grids)?;
            if let Some(site) = h.site {
                idx(format!("hazards[{i}].site"), "site", site.0, sites)?;
            }
        }
        for (i, p) in s.unavailable.iter().enumerate() {
            idx(format!("unavailable[{i}]"), "person", p.0, people)?;
        }
        for (key, rec) in &s.tasks {
            for (i, p) in rec.assignees.iter().enumerate() {
                idx(
                    format!("tasks[{key}].assignees[{i}]"),
                    "person",
                    p.0,
                    people,
                )?;
            }
        }
        Ok(())
    }

    /// [`Engine::assess`], with the wall time of each stage (for `floodgrid bench` and
    /// profiling).
    pub fn assess_timed(
        &self,
        situation: &Situation,
    ) -> Result<(Assessment, StageTimes), SituationError> {
        self.check_situation(situation)?;
        let mut times = StageTimes::default();
        let mut clock = std::time::Instant::now();
        let mut lap = |slot: &mut f64| {
            let now = std::time::Instant::now();
            *slot = (now - clock).as_secs_f64() * 1e3;
            clock = now;
        };
        let sc = &self.scenario;
        let th = &sc.config.warning;
        // 0. The river and the plan's global values.
        let q = situation.discharge_m3s;
        let level = situation.level.unwrap_or_else(|| th.level_for(q));
        let peak_level = situation.peak_level.unwrap_or(level).max(level);
        let trend_now = trend(
            &situation.readings,
            th.trend_window_minutes,
            th.trend_threshold_m3s_per_h,
        );
        let exposure = self.exposure_at(q, situation);
        lap(&mut times.exposure_ms);
        // 0b. The evacuation plan's decisions: who must be ordered out, and when (the plan's
        // conditions read them).
        let input = self.evacuation_input(situation);
        let (decisions, orders) =
            decide_evacuation(&input, situation.discharge_m3s, &arrival_clock(situation));
        lap(&mut times.evacuation_ms);
        let globals = Globals::new(
            self,
            situation,
            (q, level, peak_level, trend_now),
            &exposure,
            orders,
        );
        // The plan is written out with its names beside stages 1–5.
        let ((evacuation, plan_ms), (tasks, active, assigned)) = rayon::join(
            || {
                let t = std::time::Instant::now();
                let plan = decisions.into_plan(&input);
                (plan, t.elapsed().as_secs_f64() * 1e3)
            },
            || {
                // 1. Which instances are active (parallel over instructions and large item
                // sets).
                let active = self.activate_all(situation, &globals);
                lap(&mut times.activation_ms);
                // 2–3. Their order, then people and materials in that order (sequential,
                // deterministic).
                let order = self.order(&active.items);
                let assigned = self.assign(situation, &active, &order);
                lap(&mut times.assignment_ms);
                // 4. Dependencies (parallel).
                let deps = self.dependencies(&assigned.decided, &active.items, &active.keys);
                lap(&mut times.dependencies_ms);
                // 5. The instances themselves (parallel, in order).
                let tasks = self.instances(situation, &globals, &active, &assigned, deps);
                lap(&mut times.instances_ms);
                (tasks, active, assigned)
            },
        );
        times.evacuation_plan_ms = plan_ms;
        // 6. Totals and shortfalls.
        let (summary, shortfalls) = self.totals(&tasks, &active, assigned);
        let assessment = Assessment {
            discharge_m3s: q,
            level,
            response: th.threshold(level).map(|t| t.response.clone()),
            peak_level,
            trend: trend_now,
            forecast: situation.forecast,
            stage_m: globals.stage,
            now_min: situation.now_min,
            summary,
            tasks,
            shortfalls,
            exposure,
            evacuation,
        };
        Ok((assessment, times))
    }

    /// The evacuation plan for a situation, and each resident's order state (by resident
    /// index).
    pub fn evacuation(&self, situation: &Situation) -> (EvacuationPlan, Vec<ResidentOrder>) {
        plan_evacuation(
            &self.evacuation_input(situation),
            situation.discharge_m3s,
            &arrival_clock(situation),
        )
    }

    /// What the evacuation planner reads for a situation.
    fn evacuation_input<'a>(&'a self, situation: &'a Situation) -> EvacuationInput<'a> {
        let sc = &self.scenario;
        EvacuationInput {
            residents: &sc.residents,
            resident_threshold: &self.resident_threshold,
            sites: &sc.sites,
            site_threshold: &self.site_threshold,
            people: &sc.people,
            people_by_grid: &self.people_by_grid,
            leader_roles: &self.evac_leaders,
            unavailable: &situation.unavailable,
            arrival_hours: situation.arrival_hours.as_deref(),
            rules: &sc.config.evacuation,
            buses: self.evac_vehicles[0],
            ambulances: self.evac_vehicles[1],
            names: &self.names.evac,
            index: &self.evac_index,
        }
    }

    /// Exposure of every grid at a discharge (arrival times from the situation when known).
    pub fn exposure_at(&self, q: f64, situation: &Situation) -> Vec<GridExposure> {
        (0..self.scenario.grids.len())
            .map(|g| {
                let mut e = self.exposure_index.at(&self.atlas, g, q);
                e.arrival_hours = situation
                    .arrival_hours
                    .as_ref()
                    .and_then(|a| a.get(g).copied().flatten());
                e
            })
            .collect()
    }

    /// Discharge at which each resident's home gets wet (by resident index; infinite: never).
    pub fn resident_wet_discharge(&self) -> &[f32] {
        &self.resident_threshold
    }

    /// The place a 2D scenario run is set up for: this scenario's DEM, sites, stations, grids and
    /// residents, with the engine's flood atlas.
    pub fn run_place(&self) -> floodgrid_flood::scenario_run::RunPlace<'_> {
        let sc = &self.scenario;
        floodgrid_flood::scenario_run::RunPlace {
            dem: &sc.dem,
            sites: &sc.sites,
            atlas: &self.atlas,
            stations: sc
                .config
                .stations
                .iter()
                .map(|s| (s.xy, &s.rating))
                .collect(),
            grids: &sc.grids,
            residents: &sc.residents,
        }
    }

    /// The flood atlas.
    pub fn atlas(&self) -> &FloodAtlas {
        &self.atlas
    }

    /// Builds the scenario's flood atlas afresh (what [`Engine::build`] does once): for
    /// measuring it, or for a DEM edited in place by a caller that owns a copy.
    pub fn rebuild_atlas(&self) -> FloodAtlas {
        build_atlas(&self.scenario)
    }
}
