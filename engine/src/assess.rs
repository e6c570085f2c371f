//! `Situation → Assessment`: the one entry point that ties the engine together.
//!
//! **Architecture invariant**: [`Engine::build`] does every piece of work that does not depend on
//! the discharge (grid facts, static filters of the plan, roster and depot indexes); [`Engine::assess`]
//! only evaluates what does, and never mutates the engine, so assessments run side by side.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::flood::{ExposureIndex, FloodAtlas, GridExposure, RiverRatings};
use crate::grid::{
    GridFacts, GridIdx, PersonIdx, ResidentKind, SiteIdx, SiteKind, grid_facts, in_floodplain,
};
use crate::hydro::{Forecast, GaugeReading, Trend, WarningLevel, trend};
use crate::plan::{
    Env, ForEach, Instruction, OnFall, Phase, TaskStatus, Tri, Value, VarId, VarKey, eval_bool,
    eval_tri,
};
use crate::response::{
    DepotStocks, EvacuationInput, EvacuationPlan, MaterialDraw, Roster, Tier, plan_evacuation,
};
use crate::scenario::Scenario;

/// An active smart-stone alarm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensorAlarm {
    /// The sensor (or the works itself).
    pub site: SiteIdx,
}

/// An active hazard (piping, seepage, breach ...), from a report or an inject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hazard {
    /// Stable id.
    pub id: String,
    /// Kind (see `plan::HAZARD_KINDS`).
    pub kind: String,
    /// Site, if at one.
    pub site: Option<SiteIdx>,
    /// Grid.
    pub grid: GridIdx,
    /// 1 minor .. 3 severe.
    pub severity: u8,
}

/// What is known of a task instance from earlier steps (dispatches, reports).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    /// Status reached.
    pub status: TaskStatus,
    /// Minute the instance first became active.
    pub triggered_min: f64,
    /// People it was dispatched to (overrides automatic assignment).
    pub assignees: Vec<PersonIdx>,
}

/// Everything the assessment depends on that changes: the river, the clock, alarms, hazards,
/// who is unavailable, and the state of earlier tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Situation {
    /// Discharge at the reference gauge, m³/s.
    pub discharge_m3s: f64,
    /// Clock, minutes (drill minutes, or minutes since the feed began).
    pub now_min: f64,
    /// The level from a [`crate::hydro::LevelTracker`]; `None`: the entry rule on the discharge.
    pub level: Option<WarningLevel>,
    /// Highest level of the event; `None`: the level.
    pub peak_level: Option<WarningLevel>,
    /// Recent readings, for the trend.
    pub readings: Vec<GaugeReading>,
    /// Forecast peak.
    pub forecast: Option<Forecast>,
    /// Month (1-12) and hour (0-23) of the clock.
    pub month: u32,
    /// Hour of the clock.
    pub hour: u32,
    /// Active sensor alarms.
    pub alarms: Vec<SensorAlarm>,
    /// Active hazards.
    pub hazards: Vec<Hazard>,
    /// People who cannot be assigned.
    pub unavailable: Vec<PersonIdx>,
    /// Known task states by instance id.
    pub tasks: BTreeMap<String, TaskRecord>,
    /// Hours until the water reaches each grid (2D solver), by grid index.
    pub arrival_hours: Option<Vec<Option<f64>>>,
}

impl Situation {
    /// A situation that is only a discharge (what-if): no history, no alarms, nothing dispatched.
    pub fn at_discharge(discharge_m3s: f64) -> Situation {
        Situation {
            discharge_m3s,
            now_min: 0.0,
            level: None,
            peak_level: None,
            readings: Vec::new(),
            forecast: None,
            month: 7,
            hour: 8,
            alarms: Vec::new(),
            hazards: Vec::new(),
            unavailable: Vec::new(),
            tasks: BTreeMap::new(),
            arrival_hours: None,
        }
    }
}

/// A person on a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignee {
    /// Person id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Role id.
    pub role: String,
    /// Home grid id.
    pub grid: String,
    /// Phone.
    pub phone: String,
    /// Where they were found relative to the task.
    pub tier: Tier,
}

/// One material line of a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MaterialLine {
    /// Material id.
    pub material: String,
    /// Quantity needed.
    pub quantity: f64,
    /// Depots drawn from, nearest first.
    pub sources: Vec<MaterialSource>,
    /// Quantity no depot could supply.
    pub short: f64,
}

/// A depot's share of a material line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MaterialSource {
    /// Depot site id.
    pub depot: String,
    /// Quantity.
    pub quantity: f64,
}

/// What a `for_each` instance is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// `grid`, `site`, `key_person`, `household`, `person`, `hazard`.
    pub kind: ForEach,
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// One task instance on the to-do list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskInstance {
    /// Instance id: the instruction id, and `@item` for a `for_each` instance.
    pub id: String,
    /// Instruction id.
    pub instruction: String,
    /// Title (Chinese).
    pub title: String,
    /// Title (English), if the plan has one.
    pub title_en: Option<String>,
    /// Category id.
    pub category: String,
    /// Tree node of the instruction.
    pub phase: Phase,
    /// 1 highest .. 5.
    pub priority: u8,
    /// What the instance is about.
    pub target: Option<Target>,
    /// Grid it happens in.
    pub grid: String,
    /// Status.
    pub status: TaskStatus,
    /// Minute it became active.
    pub trigger_min: f64,
    /// Minute it is due.
    pub deadline_min: f64,
    /// Working time, minutes.
    pub duration_min: f64,
    /// Recurrence, minutes.
    pub repeat_min: Option<f64>,
    /// Instance ids it waits for.
    pub depends_on: Vec<String>,
    /// Whether everything it waits for is done.
    pub ready: bool,
    /// Headcount needed.
    pub people_needed: u32,
    /// People on it.
    pub assignees: Vec<Assignee>,
    /// Headcount nobody could fill.
    pub people_short: u32,
    /// Materials.
    pub materials: Vec<MaterialLine>,
    /// The one-click push message, rendered.
    pub message: Option<String>,
}

/// People short for one role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeopleShortfall {
    /// Role id.
    pub role: String,
    /// Headcount asked for by active instances.
    pub needed: u32,
    /// Headcount not filled.
    pub short: u32,
}

/// Material short across all depots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MaterialShortfall {
    /// Material id.
    pub material: String,
    /// Needed by active instances.
    pub needed: f64,
    /// In all depots.
    pub available: f64,
    /// Not supplied.
    pub short: f64,
}

/// All shortfalls of an assessment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Shortfalls {
    /// By role, roles with a shortfall only.
    pub people: Vec<PeopleShortfall>,
    /// By material, materials with a shortfall only.
    pub materials: Vec<MaterialShortfall>,
    /// Instance ids with any shortfall.
    pub tasks: Vec<String>,
}

/// Totals for a table row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Instructions with at least one instance.
    pub active_instructions: usize,
    /// Instances.
    pub instances: usize,
    /// Instances fully staffed.
    pub assigned: usize,
    /// Instances with nobody on them.
    pub unassigned: usize,
    /// Headcount short in total.
    pub people_short: u32,
    /// Material lines short.
    pub materials_short: usize,
}

/// The engine's answer for a situation. Plain data: the same in the library, the CLI's JSON and
/// the console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// Discharge assessed, m³/s.
    pub discharge_m3s: f64,
    /// Warning level.
    pub level: WarningLevel,
    /// Emergency response (IV..I), none below blue.
    pub response: Option<String>,
    /// Highest level of the event.
    pub peak_level: WarningLevel,
    /// Trend.
    pub trend: Trend,
    /// Forecast, when known.
    pub forecast: Option<Forecast>,
    /// Stage at the reference gauge, m.
    pub stage_m: f64,
    /// Clock, minutes.
    pub now_min: f64,
    /// Totals.
    pub summary: Summary,
    /// The to-do list: instances by priority, then deadline, then plan order.
    pub tasks: Vec<TaskInstance>,
    /// What is short.
    pub shortfalls: Shortfalls,
    /// Exposure per grid (every grid of the map, in file order).
    pub exposure: Vec<GridExposure>,
    /// Who leaves first, to which shelter, by what means, led by whom.
    pub evacuation: EvacuationPlan,
}

/// Why the engine could not be built.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BuildError {
    /// The scenario has no root grid.
    #[error("the scenario has no grids")]
    NoGrids,
}

/// Per-instruction data kept from build to build.
#[derive(Debug, Clone)]
struct Compiled {
    /// Items the static facts allow (indices into the for_each collection); all for hazards.
    candidates: Vec<u32>,
}

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
        let river: Vec<&[[f64; 2]]> =
            crate::grid::facts::lines_of(&scenario.sites, SiteKind::River);
        let dikes: Vec<&[[f64; 2]]> =
            crate::grid::facts::lines_of(&scenario.sites, SiteKind::MainDike);
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
        let resident_threshold = scenario.residents.iter().map(|r| thr_at(r.xy)).collect();
        let site_threshold = scenario
            .sites
            .iter()
            .map(|s| thr_at(s.geometry.anchor()))
            .collect();
        let mut engine = Engine {
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
        for fe in [
            ForEach::Grid,
            ForEach::Site,
            ForEach::KeyPerson,
            ForEach::Household,
            ForEach::Person,
        ] {
            for i in 0..engine.items(fe) as u32 {
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

    fn items(&self, fe: ForEach) -> usize {
        match fe {
            ForEach::Grid => self.scenario.grids.len(),
            ForEach::Site => self.scenario.sites.len(),
            ForEach::KeyPerson => self.key_persons.len(),
            ForEach::Household => self.households.len(),
            ForEach::Person => self.scenario.people.len(),
            ForEach::Hazard => 0,
        }
    }

    /// Drops, once, the items a condition can never select whatever the situation.
    fn compile(&self) -> Vec<Compiled> {
        self.scenario
            .plan
            .instructions
            .par_iter()
            .map(|ins| {
                let Some(fe) = ins.for_each else {
                    return Compiled {
                        candidates: Vec::new(),
                    };
                };
                let candidates = (0..self.items(fe) as u32)
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
                Compiled { candidates }
            })
            .collect()
    }

    /// Assesses a situation: level, the active task instances with people and materials, and the
    /// shortfalls. Results and their order are the same for any number of threads.
    pub fn assess(&self, situation: &Situation) -> Assessment {
        let sc = &self.scenario;
        let th = &sc.config.warning;
        let q = if situation.discharge_m3s.is_finite() {
            situation.discharge_m3s.max(0.0)
        } else {
            0.0
        };
        let level = situation.level.unwrap_or_else(|| th.level_for(q));
        let peak_level = situation.peak_level.unwrap_or(level).max(level);
        let trend_now = trend(
            &situation.readings,
            th.trend_window_minutes,
            th.trend_threshold_m3s_per_h,
        );
        let exposure = self.exposure_at(q, situation);
        let globals = Globals::new(self, situation, q, level, peak_level, trend_now, &exposure);

        // 1. Which instances are active: one pass per instruction, in parallel, in plan order.
        let per_instruction: Vec<Vec<(u32, Option<u32>)>> = sc
            .plan
            .instructions
            .par_iter()
            .enumerate()
            .map(|(k, ins)| self.activate(k as u32, ins, &globals, situation))
            .collect();
        let mut active: Vec<(u32, Option<u32>)> = per_instruction.into_iter().flatten().collect();

        let mut keys: Vec<String> = active
            .iter()
            .map(|&(k, item)| self.instance_key(k, item, situation))
            .collect();
        let mut stood_down = vec![false; active.len()];
        // Instances no longer active but known from earlier: kept (`on_fall = keep`) or shown as
        // stood down.
        if !situation.tasks.is_empty() {
            let present: std::collections::HashSet<String> = keys.iter().cloned().collect();
            for (key, rec) in &situation.tasks {
                if present.contains(key)
                    || rec.status.is_finished()
                    || rec.status == TaskStatus::StoodDown
                {
                    continue;
                }
                let Some((k, item)) = self.parse_key(key, situation) else {
                    continue;
                };
                let ins = &sc.plan.instructions[k as usize];
                stood_down.push(ins.on_fall == OnFall::StandDown);
                keys.push(key.clone());
                active.push((k, item));
            }
        }

        // 2. Order: priority, then plan order, then item order.
        let mut order: Vec<usize> = (0..active.len()).collect();
        order.sort_by_key(|&n| {
            let (k, item) = active[n];
            (
                sc.plan.instructions[k as usize].priority,
                k,
                item.unwrap_or(0),
            )
        });

        // 3. People and materials, sequentially in that order (deterministic).
        let mut roster = self.roster.clone();
        roster.reset(&sc.people, &situation.unavailable);
        let mut stocks = self.stocks.clone();
        stocks.reset();
        // Dispatched instances keep their people: take their capacity first.
        for &n in &order {
            if let Some(rec) = situation.tasks.get(&keys[n]) {
                for &p in &rec.assignees {
                    roster.take(p);
                }
            }
        }
        let mut tasks: Vec<TaskInstance> = Vec::with_capacity(active.len());
        let mut by_instruction: HashMap<u32, Vec<usize>> = HashMap::new();
        let mut role_need: BTreeMap<u32, (u32, u32)> = BTreeMap::new();
        let mut material_need: BTreeMap<u32, (f64, f64)> = BTreeMap::new();
        let mut picked: Vec<(PersonIdx, Tier)> = Vec::new();
        let mut draws: Vec<MaterialDraw> = Vec::new();
        for &n in &order {
            let (k, item) = active[n];
            let ins = &sc.plan.instructions[k as usize];
            let key = std::mem::take(&mut keys[n]);
            let rec = situation.tasks.get(&key);
            let grid = self.instance_grid(ins.for_each, item, situation);
            let mut status = rec.map(|r| r.status).unwrap_or_default();
            if stood_down[n] {
                status = TaskStatus::StoodDown;
            }
            let live = status != TaskStatus::StoodDown;
            picked.clear();
            match rec {
                Some(r) if !r.assignees.is_empty() => {
                    picked.extend(r.assignees.iter().map(|&p| (p, Tier::Own)))
                }
                _ if live && !status.is_finished() => roster.assign(
                    grid,
                    &ins.roles,
                    ins.people,
                    &sc.grids,
                    &self.facts,
                    &mut picked,
                ),
                _ => {}
            }
            let people_short = if live {
                ins.people.saturating_sub(picked.len() as u32)
            } else {
                0
            };
            if live && let Some(&r) = ins.roles.first() {
                let e = role_need.entry(r.0).or_default();
                e.0 += ins.people;
                e.1 += people_short;
            }
            let mut materials = Vec::with_capacity(ins.materials.len());
            for &(m, qty) in &ins.materials {
                draws.clear();
                let short = if live {
                    stocks.draw(m, qty, &self.depot_order[grid.ix()], &mut draws)
                } else {
                    0.0
                };
                if live {
                    let e = material_need.entry(m.0).or_default();
                    e.0 += qty;
                    e.1 += short;
                }
                materials.push(MaterialLine {
                    material: sc.config.materials[m.ix()].id.clone(),
                    quantity: qty,
                    sources: draws
                        .iter()
                        .map(|d| MaterialSource {
                            depot: sc.sites[d.depot.ix()].id.clone(),
                            quantity: d.quantity,
                        })
                        .collect(),
                    short,
                });
            }
            let trigger_min = rec.map(|r| r.triggered_min).unwrap_or(situation.now_min);
            let mut deadline_min = trigger_min + ins.deadline_min;
            if let (Some(before_h), Some(arr)) = (
                ins.before_arrival_h,
                situation
                    .arrival_hours
                    .as_ref()
                    .and_then(|a| a.get(grid.ix()).copied().flatten()),
            ) {
                deadline_min = deadline_min.min(situation.now_min + (arr - before_h) * 60.0);
            }
            if live && !status.is_finished() && situation.now_min > deadline_min {
                status = TaskStatus::Overdue;
            }
            by_instruction.entry(k).or_default().push(tasks.len());
            tasks.push(TaskInstance {
                id: key,
                instruction: ins.id.clone(),
                title: ins.title.clone(),
                title_en: ins.title_en.clone(),
                category: sc
                    .plan
                    .categories
                    .get(ins.category.0 as usize)
                    .map(|c| c.id.clone())
                    .unwrap_or_default(),
                phase: ins.phase,
                priority: ins.priority,
                target: item
                    .map(|i| self.target(ins.for_each.unwrap_or(ForEach::Grid), i, situation)),
                grid: sc.grids[grid.ix()].id.clone(),
                status,
                trigger_min,
                deadline_min,
                duration_min: ins.duration_min,
                repeat_min: ins.repeat_min,
                depends_on: Vec::new(),
                ready: true,
                people_needed: ins.people,
                assignees: picked
                    .iter()
                    .filter_map(|&(p, tier)| {
                        let person = sc.people.get(p.ix())?;
                        Some(Assignee {
                            id: person.id.clone(),
                            name: person.name.clone(),
                            role: sc.config.roles[person.role.ix()].id.clone(),
                            grid: sc.grids[person.grid.ix()].id.clone(),
                            phone: person.phone.clone(),
                            tier,
                        })
                    })
                    .collect(),
                people_short,
                materials,
                message: ins
                    .message
                    .and_then(|m| sc.plan.templates.get(m.0 as usize))
                    .map(|t| self.render(&t.text, &globals, ins.for_each, item, situation)),
            });
        }

        // 4. Dependencies: matched by item, else by grid (or an enclosing grid), else all.
        let grid_of: Vec<GridIdx> = order
            .iter()
            .map(|&n| {
                self.instance_grid(
                    sc.plan.instructions[active[n].0 as usize].for_each,
                    active[n].1,
                    situation,
                )
            })
            .collect();
        for t in 0..tasks.len() {
            let (k, item) = active[order[t]];
            let ins = &sc.plan.instructions[k as usize];
            let mut deps = Vec::new();
            let mut ready = true;
            for dep in &ins.depends_on {
                let Some(list) = by_instruction.get(&dep.0) else {
                    continue;
                };
                let dep_ins = &sc.plan.instructions[dep.0 as usize];
                let same_item: Vec<usize> =
                    if dep_ins.for_each.is_some() && dep_ins.for_each == ins.for_each {
                        list.iter()
                            .copied()
                            .filter(|&u| active[order[u]].1 == item)
                            .collect()
                    } else {
                        Vec::new()
                    };
                let matched = if !same_item.is_empty() {
                    same_item
                } else {
                    let mine = grid_of[t];
                    let by_grid: Vec<usize> = list
                        .iter()
                        .copied()
                        .filter(|&u| self.encloses(grid_of[u], mine))
                        .collect();
                    if by_grid.is_empty() {
                        list.clone()
                    } else {
                        by_grid
                    }
                };
                for u in matched {
                    ready &= tasks[u].status.is_finished();
                    deps.push(tasks[u].id.clone());
                }
            }
            tasks[t].depends_on = deps;
            tasks[t].ready = ready;
        }

        // 5. Totals.
        let mut shortfalls = Shortfalls::default();
        for (r, (needed, short)) in role_need {
            if short > 0 {
                shortfalls.people.push(PeopleShortfall {
                    role: sc.config.roles[r as usize].id.clone(),
                    needed,
                    short,
                });
            }
        }
        for (m, (needed, short)) in material_need {
            if short > 0.0 {
                let mi = crate::grid::MaterialIdx(m);
                shortfalls.materials.push(MaterialShortfall {
                    material: sc.config.materials[m as usize].id.clone(),
                    needed,
                    available: self.stocks.total(mi),
                    short,
                });
            }
        }
        let mut summary = Summary::default();
        let mut active_ins = std::collections::BTreeSet::new();
        for t in &tasks {
            if t.status == TaskStatus::StoodDown {
                continue;
            }
            active_ins.insert(t.instruction.as_str());
            summary.instances += 1;
            if t.people_short == 0 {
                summary.assigned += 1;
            } else if t.assignees.is_empty() {
                summary.unassigned += 1;
            }
            summary.people_short += t.people_short;
            let mat_short = t.materials.iter().filter(|m| m.short > 0.0).count();
            summary.materials_short += mat_short;
            if t.people_short > 0 || mat_short > 0 {
                shortfalls.tasks.push(t.id.clone());
            }
        }
        summary.active_instructions = active_ins.len();
        let gauge = sc.config.stations.get(sc.config.gauge.station);
        Assessment {
            discharge_m3s: q,
            level,
            response: th.threshold(level).map(|t| t.response.clone()),
            peak_level,
            trend: trend_now,
            forecast: situation.forecast,
            stage_m: gauge.map(|s| s.rating.stage_m(q)).unwrap_or(f64::NAN),
            now_min: situation.now_min,
            summary,
            tasks,
            shortfalls,
            exposure,
            evacuation: self.evacuation(q, situation),
        }
    }

    /// The evacuation plan for a situation.
    pub fn evacuation(&self, q: f64, situation: &Situation) -> EvacuationPlan {
        let sc = &self.scenario;
        let leader_roles: Vec<crate::grid::RoleIdx> =
            ["grid_worker", "micro_grid_leader", "grid_leader"]
                .iter()
                .filter_map(|r| sc.config.role(r))
                .collect();
        let grid_ids: Vec<String> = sc.grids.iter().map(|g| g.id.clone()).collect();
        let input = EvacuationInput {
            residents: &sc.residents,
            resident_threshold: &self.resident_threshold,
            sites: &sc.sites,
            site_threshold: &self.site_threshold,
            people: &sc.people,
            people_by_grid: &self.people_by_grid,
            leader_roles: &leader_roles,
            unavailable: &situation.unavailable,
            arrival_hours: situation.arrival_hours.as_deref(),
            grid_ids: &grid_ids,
        };
        plan_evacuation(&input, q, situation.forecast.map(|f| f.peak_m3s))
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

    /// The flood atlas.
    pub fn atlas(&self) -> &FloodAtlas {
        &self.atlas
    }

    fn encloses(&self, outer: GridIdx, inner: GridIdx) -> bool {
        let grids = &self.scenario.grids;
        let mut cur = Some(inner);
        let mut steps = 0;
        while let Some(g) = cur {
            if g == outer {
                return true;
            }
            steps += 1;
            if steps > grids.len() {
                break;
            }
            cur = grids[g.ix()].parent;
        }
        false
    }

    /// The active items of one instruction.
    fn activate(
        &self,
        k: u32,
        ins: &Instruction,
        globals: &Globals,
        situation: &Situation,
    ) -> Vec<(u32, Option<u32>)> {
        let global_env = DynEnv {
            engine: self,
            globals,
            situation,
            ctx: None,
        };
        let Some(fe) = ins.for_each else {
            return if eval_bool(&ins.when.expr, &global_env) {
                vec![(k, None)]
            } else {
                Vec::new()
            };
        };
        // A `when` that uses no item fields is decided once for the instruction.
        if ins.when.context.is_none() && !eval_bool(&ins.when.expr, &global_env) {
            return Vec::new();
        }
        let hazard_items: Vec<u32>;
        let items: &[u32] = if fe == ForEach::Hazard {
            hazard_items = (0..situation.hazards.len() as u32).collect();
            &hazard_items
        } else {
            &self.compiled[k as usize].candidates
        };
        items
            .iter()
            .filter(|&&i| {
                let env = DynEnv {
                    engine: self,
                    globals,
                    situation,
                    ctx: Some((fe, i)),
                };
                (ins.when.context.is_none() || eval_bool(&ins.when.expr, &env))
                    && ins.filter.as_ref().is_none_or(|f| eval_bool(&f.expr, &env))
            })
            .map(|&i| (k, Some(i)))
            .collect()
    }

    fn item_id<'a>(&'a self, fe: ForEach, i: u32, situation: &'a Situation) -> &'a str {
        let sc = &self.scenario;
        match fe {
            ForEach::Grid => &sc.grids[i as usize].id,
            ForEach::Site => &sc.sites[i as usize].id,
            ForEach::KeyPerson => &sc.residents[self.key_persons[i as usize] as usize].id,
            ForEach::Household => &sc.residents[self.households[i as usize] as usize].id,
            ForEach::Person => &sc.people[i as usize].id,
            ForEach::Hazard => situation
                .hazards
                .get(i as usize)
                .map(|h| h.id.as_str())
                .unwrap_or(""),
        }
    }

    fn instance_key(&self, k: u32, item: Option<u32>, situation: &Situation) -> String {
        let ins = &self.scenario.plan.instructions[k as usize];
        match (ins.for_each, item) {
            (Some(fe), Some(i)) => format!("{}@{}", ins.id, self.item_id(fe, i, situation)),
            _ => ins.id.clone(),
        }
    }

    fn parse_key(&self, key: &str, situation: &Situation) -> Option<(u32, Option<u32>)> {
        let (ins_id, item_id) = match key.split_once('@') {
            Some((a, b)) => (a, Some(b)),
            None => (key, None),
        };
        let k = *self.instruction_index.get(ins_id)?;
        let ins = &self.scenario.plan.instructions[k as usize];
        match (ins.for_each, item_id) {
            (None, None) => Some((k, None)),
            (Some(ForEach::Hazard), Some(id)) => situation
                .hazards
                .iter()
                .position(|h| h.id == id)
                .map(|i| (k, Some(i as u32))),
            (Some(fe), Some(id)) => self
                .item_index
                .get(&(fe, id.to_string()))
                .map(|&i| (k, Some(i))),
            _ => None,
        }
    }

    fn instance_grid(
        &self,
        fe: Option<ForEach>,
        item: Option<u32>,
        situation: &Situation,
    ) -> GridIdx {
        let sc = &self.scenario;
        let (Some(fe), Some(i)) = (fe, item) else {
            return self.root;
        };
        let i = i as usize;
        match fe {
            ForEach::Grid => GridIdx(i as u32),
            ForEach::Site => sc.sites[i].grid.unwrap_or(self.root),
            ForEach::KeyPerson => sc.residents[self.key_persons[i] as usize].grid,
            ForEach::Household => sc.residents[self.households[i] as usize].grid,
            ForEach::Person => sc.people[i].grid,
            ForEach::Hazard => situation
                .hazards
                .get(i)
                .map(|h| h.grid)
                .unwrap_or(self.root),
        }
    }

    fn target(&self, fe: ForEach, i: u32, situation: &Situation) -> Target {
        let sc = &self.scenario;
        let name = match fe {
            ForEach::Grid => sc.grids[i as usize].name.clone(),
            ForEach::Site => sc.sites[i as usize].name.clone(),
            ForEach::KeyPerson => sc.residents[self.key_persons[i as usize] as usize]
                .name
                .clone(),
            ForEach::Household => sc.residents[self.households[i as usize] as usize]
                .name
                .clone(),
            ForEach::Person => sc.people[i as usize].name.clone(),
            ForEach::Hazard => situation
                .hazards
                .get(i as usize)
                .map(|h| h.kind.clone())
                .unwrap_or_default(),
        };
        Target {
            kind: fe,
            id: self.item_id(fe, i, situation).to_string(),
            name,
        }
    }

    /// Fills `{name}` placeholders of a template.
    fn render(
        &self,
        text: &str,
        globals: &Globals,
        fe: Option<ForEach>,
        item: Option<u32>,
        situation: &Situation,
    ) -> String {
        let env = DynEnv {
            engine: self,
            globals,
            situation,
            ctx: fe.zip(item),
        };
        let mut out = String::with_capacity(text.len() + 16);
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                return out;
            };
            let name = &after[..close];
            let value = match name {
                "level_name" => Some(globals.level.name_zh().to_string()),
                _ => crate::plan::var_by_name(name)
                    .and_then(|v| env.value(v))
                    .map(|v| match v {
                        Value::Num(n) => format!("{}", (n * 10.0).round() / 10.0),
                        Value::Bool(b) => b.to_string(),
                        Value::Str(s) => s.to_string(),
                        Value::Level(l) => l.name_zh().to_string(),
                        Value::Trend(t) => t.name().to_string(),
                    }),
            };
            match value {
                Some(v) => out.push_str(&v),
                None => {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// Situation-wide values, computed once per assessment.
struct Globals {
    q: f64,
    level: WarningLevel,
    peak_level: WarningLevel,
    trend: Trend,
    forecast_peak: f64,
    hours_to_peak: f64,
    alarms: f64,
    hazards: f64,
    hazard_kinds: HashMap<String, f64>,
    flooded_grids: f64,
    exposed_people: f64,
    /// Active alarms per site (sensors count for their works).
    site_alarms: Vec<u32>,
    site_hazards: Vec<u32>,
    grid_hazards: Vec<u32>,
    exposure: Vec<GridExposure>,
}

impl Globals {
    fn new(
        engine: &Engine,
        s: &Situation,
        q: f64,
        level: WarningLevel,
        peak_level: WarningLevel,
        trend: Trend,
        exposure: &[GridExposure],
    ) -> Globals {
        let sc = &engine.scenario;
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
        let mut hazard_kinds: HashMap<String, f64> = HashMap::new();
        for h in &s.hazards {
            *hazard_kinds.entry(h.kind.clone()).or_default() += 1.0;
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
        }
    }
}

/// Values of names at build time: only static facts; everything situation-dependent is unknown.
struct StaticEnv<'a> {
    engine: &'a Engine,
    ctx: (ForEach, u32),
}

impl Env for StaticEnv<'_> {
    fn value(&self, var: VarId) -> Option<Value<'_>> {
        self.engine.static_value(var, self.ctx)
    }
}

/// Values of names at assess time.
struct DynEnv<'a> {
    engine: &'a Engine,
    globals: &'a Globals,
    situation: &'a Situation,
    ctx: Option<(ForEach, u32)>,
}

impl Env for DynEnv<'_> {
    fn value(&self, var: VarId) -> Option<Value<'_>> {
        use VarKey as K;
        let g = self.globals;
        let key = var.info().key;
        let num = |x: f64| Some(Value::Num(x));
        let kind_count = |k: &str| num(g.hazard_kinds.get(k).copied().unwrap_or(0.0));
        match key {
            K::Q => return num(g.q),
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
            K::HazardCountPiping => return kind_count("piping"),
            K::HazardCountSeepage => return kind_count("seepage"),
            K::HazardCountSliding => return kind_count("sliding"),
            K::HazardCountCollapse => return kind_count("collapse"),
            K::HazardCountRootStone => return kind_count("root_stone"),
            K::HazardCountOvertopping => return kind_count("overtopping"),
            K::HazardCountBreach => return kind_count("breach"),
            K::HazardCountRoadCut => return kind_count("road_cut"),
            K::HazardCountOther => return kind_count("other"),
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
            K::HazardId | K::HazardKind | K::HazardSite | K::HazardGrid | K::HazardSeverity => {
                let h = self.situation.hazards.get(i)?;
                match key {
                    K::HazardId => Some(Value::Str(&h.id)),
                    K::HazardKind => Some(Value::Str(&h.kind)),
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

/// The atlas of a scenario: the river centreline from `sites.geojson`, each station placed at its
/// nearest point along it.
fn build_atlas(scenario: &Scenario) -> FloodAtlas {
    let river: Vec<Vec<[f64; 2]>> = crate::grid::facts::lines_of(&scenario.sites, SiteKind::River)
        .into_iter()
        .map(<[[f64; 2]]>::to_vec)
        .collect();
    let mut stations: Vec<(f64, crate::hydro::RatingCurve)> = scenario
        .config
        .stations
        .iter()
        .map(|st| (distance_along(&river, st.xy), st.rating.clone()))
        .collect();
    stations.sort_by(|a, b| a.0.total_cmp(&b.0));
    FloodAtlas::build(&scenario.dem, &river, &RiverRatings { stations })
}

/// Distance along polylines (in order) to the point nearest `p`.
fn distance_along(lines: &[Vec<[f64; 2]>], p: [f64; 2]) -> f64 {
    let mut best = (f64::INFINITY, 0.0);
    let mut along = 0.0;
    for line in lines {
        for w in line.windows(2) {
            let (q, t) = crate::grid::facts::nearest_on_segment(p, w[0], w[1]);
            let len = (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]);
            let d = (q[0] - p[0]).hypot(q[1] - p[1]);
            if d < best.0 {
                best = (d, along + t * len);
            }
            along += len;
        }
    }
    best.1
}

impl Engine {
    /// The value of a name that depends only on the scenario, or `None`.
    fn static_value(&self, var: VarId, (fe, i): (ForEach, u32)) -> Option<Value<'_>> {
        use VarKey as K;
        let sc = &self.scenario;
        let key = var.info().key;
        let i = i as usize;
        let num = |x: f64| Some(Value::Num(x));
        fn s(x: &str) -> Option<Value<'_>> {
            Some(Value::Str(x))
        }
        let grid_id = |g: GridIdx| sc.grids.get(g.ix()).map(|g| g.id.as_str()).unwrap_or("");
        match fe {
            ForEach::Grid => {
                let g = sc.grids.get(i)?;
                let f = self.facts.get(i)?;
                match key {
                    K::GridId => s(&g.id),
                    K::GridName => s(&g.name),
                    K::GridKind => s(g.kind.name()),
                    K::GridParent => s(g.parent.map(grid_id).unwrap_or("")),
                    K::GridVillage => s(f.village.map(grid_id).unwrap_or("")),
                    K::GridPopulation => num(f64::from(g.population)),
                    K::GridAreaKm2 => num(g.area_km2),
                    K::GridDikeKm => num(f.dike_km),
                    K::GridWorks => num(f64::from(f.works)),
                    K::GridKeyPersons => num(f64::from(f.key_persons)),
                    K::GridHouseholds => num(f64::from(f.households)),
                    K::GridFloodplain => Some(Value::Bool(f.floodplain)),
                    _ => None,
                }
            }
            ForEach::Site => {
                let site = sc.sites.get(i)?;
                match key {
                    K::SiteId => s(&site.id),
                    K::SiteName => s(&site.name),
                    K::SiteKind => s(site.kind.name()),
                    K::SiteGrid => s(site.grid.map(grid_id).unwrap_or("")),
                    K::SiteWork => s(site
                        .work
                        .and_then(|w| sc.sites.get(w.ix()))
                        .map(|w| w.id.as_str())
                        .unwrap_or("")),
                    K::SiteChainageKm => num(site.chainage_km.unwrap_or(0.0)),
                    K::SiteSensors => {
                        num(f64::from(self.works_sensors.get(i).copied().unwrap_or(0)))
                    }
                    K::SiteCapacity => num(f64::from(site.capacity.total())),
                    _ => None,
                }
            }
            ForEach::KeyPerson | ForEach::Household => {
                let list = if fe == ForEach::KeyPerson {
                    &self.key_persons
                } else {
                    &self.households
                };
                let ri = *list.get(i)? as usize;
                let r = sc.residents.get(ri)?;
                let floodplain = || {
                    Some(Value::Bool(
                        self.resident_floodplain.get(ri).copied().unwrap_or(false),
                    ))
                };
                match (key, &r.kind) {
                    (K::KeyPersonId | K::HouseholdId, _) => s(&r.id),
                    (K::KeyPersonGrid | K::HouseholdGrid, _) => s(grid_id(r.grid)),
                    (K::KeyPersonNeeds, _) => s(&r.needs),
                    (K::KeyPersonCategory, ResidentKind::KeyPerson { category }) => s(category),
                    (K::HouseholdCategory, ResidentKind::Household { category, .. }) => s(category),
                    (K::HouseholdEvacClass, ResidentKind::Household { evac_class, .. }) => {
                        num(f64::from(*evac_class))
                    }
                    (K::HouseholdSize, _) => num(f64::from(r.size)),
                    (K::KeyPersonFloodplain | K::HouseholdFloodplain, _) => floodplain(),
                    _ => None,
                }
            }
            ForEach::Person => {
                let p = sc.people.get(i)?;
                match key {
                    K::PersonId => s(&p.id),
                    K::PersonRole => s(sc
                        .config
                        .roles
                        .get(p.role.ix())
                        .map(|r| r.id.as_str())
                        .unwrap_or("")),
                    K::PersonTeam => s(&p.team),
                    K::PersonGrid => s(grid_id(p.grid)),
                    K::PersonShift => s(match p.shift {
                        crate::grid::Shift::Day => "day",
                        crate::grid::Shift::Night => "night",
                        crate::grid::Shift::Any => "any",
                    }),
                    _ => None,
                }
            }
            ForEach::Hazard => None,
        }
    }
}
