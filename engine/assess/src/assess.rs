//! `Situation → Assessment`: the one entry point that ties the engine together.
//!
//! **Architecture invariant**: [`Engine::build`] does every piece of work that does not depend on
//! the discharge (grid facts, static filters of the plan, roster and depot indexes); [`Engine::assess`]
//! only evaluates what does, and never mutates the engine, so assessments run side by side.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::response::{
    DepotStocks, EvacuationIndex, EvacuationInput, EvacuationNames, EvacuationPlan, MaterialDraw,
    Roster, Tier, plan_evacuation,
};
use floodgrid_flood::{ExposureIndex, FloodAtlas, GridExposure, RiverRatings};
use floodgrid_model::grid::{
    GridFacts, GridIdx, PersonIdx, ResidentKind, SiteIdx, SiteKind, grid_facts, in_floodplain,
};
use floodgrid_model::hydro::{Forecast, GaugeReading, Trend, WarningLevel, trend};
use floodgrid_model::plan::{
    Env, ForEach, Instruction, OnFall, Phase, TaskStatus, Tri, Value, VarId, VarKey, eval_bool,
    eval_tri,
};
use floodgrid_scenario::Scenario;

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
    /// The level from a [`floodgrid_model::hydro::LevelTracker`]; `None`: the entry rule on the discharge.
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

/// Who a person is, as a task shows them: made once per engine and shared by every task the
/// person is on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonCard {
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
}

/// A person on a task. In JSON the card's fields sit beside `tier`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignee {
    /// Who.
    #[serde(flatten)]
    pub person: Arc<PersonCard>,
    /// Where they were found relative to the task.
    pub tier: Tier,
}

/// One material line of a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MaterialLine {
    /// Material id.
    pub material: Arc<str>,
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
    pub depot: Arc<str>,
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

/// What every instance of one instruction shares: made once per engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstructionCard {
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
}

/// One task instance on the to-do list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskInstance {
    /// Instance id: the instruction id, and `@item` for a `for_each` instance.
    pub id: Arc<str>,
    /// The instruction: id, titles, category, phase, priority (in JSON, fields of the instance).
    #[serde(flatten)]
    pub card: Arc<InstructionCard>,
    /// What the instance is about.
    pub target: Option<Arc<Target>>,
    /// Grid it happens in.
    pub grid: Arc<str>,
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
    pub depends_on: Vec<Arc<str>>,
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
    pub tasks: Vec<Arc<str>>,
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

/// Wall time of each stage of one assessment, milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StageTimes {
    /// Exposure per grid and the plan's global values.
    pub exposure_ms: f64,
    /// Which instances are active (parallel over instructions and large item sets).
    pub activation_ms: f64,
    /// Ordering, people and materials (sequential, for determinism).
    pub assignment_ms: f64,
    /// Dependencies and readiness (parallel).
    pub dependencies_ms: f64,
    /// The instances themselves (parallel).
    pub instances_ms: f64,
    /// Totals, shortfalls and the evacuation plan.
    pub evacuation_ms: f64,
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
    /// The instance id of each candidate (`instruction@item`), made once.
    keys: Vec<Arc<str>>,
}

/// The Fx hash (as in rustc): fast for the small integer keys of an assessment's indexes, whose
/// iteration order is never used.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.add(u64::from(b));
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

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
    /// Compact copies of what step 3 reads per instance: each resident's grid and guardian
    /// (`u32::MAX`: none), each person's role, each grid's parent.
    resident_grid: Vec<GridIdx>,
    resident_guardian: Vec<u32>,
    person_role: Vec<floodgrid_model::grid::RoleIdx>,
    grid_parent: Vec<Option<GridIdx>>,
    /// Ids, names and titles as shared strings: an assessment copies pointers.
    names: Names,
}

/// Ids, names, titles and cards an assessment copies, made once per engine.
#[derive(Debug, Clone, Default)]
struct Names {
    /// Grid, site and person ids and person names (shared with the evacuation planner).
    evac: EvacuationNames,
    /// By person index.
    people: Vec<Arc<PersonCard>>,
    material_ids: Vec<Arc<str>>,
    /// By instruction index.
    instructions: Vec<Arc<InstructionCard>>,
    /// Instruction ids (the instance id of an instruction without `for_each`).
    instruction_ids: Vec<Arc<str>>,
    /// Whether any instruction depends on this one.
    depended: Vec<bool>,
    /// Targets of the static `for_each` items.
    grid_targets: Vec<Arc<Target>>,
    site_targets: Vec<Arc<Target>>,
    person_targets: Vec<Arc<Target>>,
    /// By resident index.
    resident_targets: Vec<Arc<Target>>,
}

/// An active instance from step 1: instruction index, `for_each` item, instance id.
type Activated = (u32, Option<u32>, Arc<str>);

/// What step 3 of an assessment decided for one instance: indices only.
struct Decided {
    /// Index into the active list.
    n: usize,
    grid: GridIdx,
    status: TaskStatus,
    picks: std::ops::Range<u32>,
    people_short: u32,
    lines: std::ops::Range<u32>,
    trigger_min: f64,
    deadline_min: f64,
}

/// One material line decided in step 3.
struct Line {
    material: floodgrid_model::grid::MaterialIdx,
    quantity: f64,
    short: f64,
    draws: std::ops::Range<u32>,
}

/// Flat storage of step 3's picks, material lines and depot draws.
#[derive(Default)]
struct Arena {
    picks: Vec<(PersonIdx, Tier)>,
    lines: Vec<Line>,
    draws: Vec<MaterialDraw>,
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
            floodgrid_model::grid::lines_of(&scenario.sites, SiteKind::River);
        let dikes: Vec<&[[f64; 2]]> =
            floodgrid_model::grid::lines_of(&scenario.sites, SiteKind::MainDike);
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
        );
        let mut engine = Engine {
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
                        keys: Vec::new(),
                    };
                };
                let candidates: Vec<u32> = (0..self.items(fe) as u32)
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
                let empty = Situation::at_discharge(0.0);
                let keys = candidates
                    .iter()
                    .map(|&i| Arc::from(format!("{}@{}", ins.id, self.item_id(fe, i, &empty))))
                    .collect();
                Compiled { candidates, keys }
            })
            .collect()
    }

    /// Assesses a situation: level, the active task instances with people and materials, and the
    /// shortfalls. Results and their order are the same for any number of threads.
    pub fn assess(&self, situation: &Situation) -> Assessment {
        self.assess_timed(situation).0
    }

    /// [`Engine::assess`], with the wall time of each stage (for `floodgrid bench` and
    /// profiling).
    pub fn assess_timed(&self, situation: &Situation) -> (Assessment, StageTimes) {
        let mut times = StageTimes::default();
        let mut clock = std::time::Instant::now();
        let mut lap = |slot: &mut f64| {
            let now = std::time::Instant::now();
            *slot = (now - clock).as_secs_f64() * 1e3;
            clock = now;
        };
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
        lap(&mut times.exposure_ms);

        // 1. Which instances are active: one pass per instruction, in parallel, in plan order.
        let per_instruction: Vec<Vec<Activated>> = sc
            .plan
            .instructions
            .par_iter()
            .enumerate()
            .map(|(k, ins)| self.activate(k as u32, ins, &globals, situation))
            .collect();
        let total = per_instruction.iter().map(Vec::len).sum();
        let mut active: Vec<(u32, Option<u32>)> = Vec::with_capacity(total);
        let mut keys: Vec<Arc<str>> = Vec::with_capacity(total);
        for (k, item, key) in per_instruction.into_iter().flatten() {
            active.push((k, item));
            keys.push(key);
        }
        let mut stood_down = vec![false; active.len()];
        // Instances no longer active but known from earlier: kept (`on_fall = keep`) or shown as
        // stood down.
        if !situation.tasks.is_empty() {
            let present: std::collections::HashSet<&str> = keys.iter().map(|k| &**k).collect();
            let mut gone = Vec::new();
            for (key, rec) in &situation.tasks {
                if present.contains(key.as_str())
                    || rec.status.is_finished()
                    || rec.status == TaskStatus::StoodDown
                {
                    continue;
                }
                let Some((k, item)) = self.parse_key(key, situation) else {
                    continue;
                };
                gone.push((k, item, Arc::<str>::from(key.as_str())));
            }
            for (k, item, key) in gone {
                let ins = &sc.plan.instructions[k as usize];
                stood_down.push(ins.on_fall == OnFall::StandDown);
                keys.push(key);
                active.push((k, item));
            }
        }

        lap(&mut times.activation_ms);
        // 2. Order: priority, then plan order, then item order.
        // `active` runs in plan order with items ascending, then the stood-down ones: sort runs
        // of one instruction by (priority, instruction), and items within a run only when needed.
        let mut runs: Vec<(u8, u32, usize, usize)> = Vec::new();
        for (n, &(k, _)) in active.iter().enumerate() {
            match runs.last_mut() {
                Some(r) if r.1 == k && r.3 == n => r.3 = n + 1,
                _ => runs.push((sc.plan.instructions[k as usize].priority, k, n, n + 1)),
            }
        }
        runs.sort_by_key(|r| (r.0, r.1, active[r.2].1.unwrap_or(0)));
        let mut order: Vec<usize> = Vec::with_capacity(active.len());
        let mut from = 0;
        while from < runs.len() {
            let (p, k) = (runs[from].0, runs[from].1);
            let to = from
                + runs[from..]
                    .iter()
                    .take_while(|r| (r.0, r.1) == (p, k))
                    .count();
            let start = order.len();
            for r in &runs[from..to] {
                order.extend(r.2..r.3);
            }
            if to - from > 1 {
                order[start..].sort_by_key(|&n| active[n].1.unwrap_or(0));
            }
            from = to;
        }

        // 3. People and materials, sequentially in that order (deterministic); only indices here,
        // the strings come in step 5.
        let mut roster = self.roster.clone();
        roster.reset(&sc.people, &situation.unavailable);
        let mut stocks = self.stocks.clone();
        stocks.reset();
        let known = !situation.tasks.is_empty();
        // Dispatched instances keep their people: take their capacity first.
        if known {
            for &n in &order {
                if let Some(rec) = situation.tasks.get(&*keys[n]) {
                    for &p in &rec.assignees {
                        roster.take(p);
                    }
                }
            }
        }
        let mut arena = Arena::default();
        let mut decided: Vec<Decided> = Vec::with_capacity(active.len());
        let mut role_need: Vec<(u32, u32)> = vec![(0, 0); sc.config.roles.len()];
        let mut material_need: Vec<(f64, f64)> = vec![(0.0, 0.0); sc.config.materials.len()];
        let mut picked: Vec<(PersonIdx, Tier)> = Vec::new();
        let mut draws: Vec<MaterialDraw> = Vec::new();
        for &n in &order {
            let (k, item) = active[n];
            let ins = &sc.plan.instructions[k as usize];
            let rec = if known {
                situation.tasks.get(&*keys[n])
            } else {
                None
            };
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
                _ if live && !status.is_finished() => {
                    // A resident's guardian leads their own key persons' and households' tasks:
                    // a standing duty of the 包保 register, outside the roster's capacity.
                    if let Some(g) = self.guardian(ins, item, situation) {
                        picked.push((g, Tier::Own));
                    }
                    roster.assign(
                        grid,
                        &ins.roles,
                        ins.people.saturating_sub(picked.len() as u32),
                        &sc.grids,
                        &self.facts,
                        &mut picked,
                    )
                }
                _ => {}
            }
            let people_short = if live {
                ins.people.saturating_sub(picked.len() as u32)
            } else {
                0
            };
            if live
                && let Some(&r) = ins.roles.first()
                && let Some(e) = role_need.get_mut(r.ix())
            {
                e.0 += ins.people;
                e.1 += people_short;
            }
            let picks_from = arena.picks.len() as u32;
            arena.picks.extend_from_slice(&picked);
            let lines_from = arena.lines.len() as u32;
            for &(m, qty) in &ins.materials {
                draws.clear();
                let short = if live {
                    stocks.draw(m, qty, &self.depot_order[grid.ix()], &mut draws)
                } else {
                    0.0
                };
                if live && let Some(e) = material_need.get_mut(m.ix()) {
                    e.0 += qty;
                    e.1 += short;
                }
                let draws_from = arena.draws.len() as u32;
                arena.draws.extend_from_slice(&draws);
                arena.lines.push(Line {
                    material: m,
                    quantity: qty,
                    short,
                    draws: draws_from..arena.draws.len() as u32,
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
            decided.push(Decided {
                n,
                grid,
                status,
                picks: picks_from..arena.picks.len() as u32,
                people_short,
                lines: lines_from..arena.lines.len() as u32,
                trigger_min,
                deadline_min,
            });
        }

        lap(&mut times.assignment_ms);
        // 4. Dependencies: matched by item, else by grid (or an enclosing grid), else all.
        let deps = self.dependencies(&decided, &active, &keys);

        lap(&mut times.dependencies_ms);
        // 5. The instances, in parallel, in order.
        let names = &self.names;
        let tasks: Vec<TaskInstance> = decided
            .par_iter()
            .zip(deps.into_par_iter())
            .map(|(d, (depends_on, ready))| {
                let (k, item) = active[d.n];
                let ins = &sc.plan.instructions[k as usize];
                TaskInstance {
                    id: keys[d.n].clone(),
                    card: names.instructions[k as usize].clone(),
                    target: item
                        .map(|i| self.target(ins.for_each.unwrap_or(ForEach::Grid), i, situation)),
                    grid: names.evac.grid_ids[d.grid.ix()].clone(),
                    status: d.status,
                    trigger_min: d.trigger_min,
                    deadline_min: d.deadline_min,
                    duration_min: ins.duration_min,
                    repeat_min: ins.repeat_min,
                    depends_on,
                    ready,
                    people_needed: ins.people,
                    assignees: arena.picks[d.picks.start as usize..d.picks.end as usize]
                        .iter()
                        .filter_map(|&(p, tier)| {
                            Some(Assignee {
                                person: names.people.get(p.ix())?.clone(),
                                tier,
                            })
                        })
                        .collect(),
                    people_short: d.people_short,
                    materials: arena.lines[d.lines.start as usize..d.lines.end as usize]
                        .iter()
                        .map(|l| MaterialLine {
                            material: names.material_ids[l.material.ix()].clone(),
                            quantity: l.quantity,
                            sources: arena.draws[l.draws.start as usize..l.draws.end as usize]
                                .iter()
                                .map(|d| MaterialSource {
                                    depot: names.evac.site_ids[d.depot.ix()].clone(),
                                    quantity: d.quantity,
                                })
                                .collect(),
                            short: l.short,
                        })
                        .collect(),
                    message: ins
                        .message
                        .and_then(|m| sc.plan.templates.get(m.0 as usize))
                        .map(|t| self.render(&t.text, &globals, ins.for_each, item, situation)),
                }
            })
            .collect();

        lap(&mut times.instances_ms);
        // 6. Totals.
        let mut shortfalls = Shortfalls::default();
        for (r, (needed, short)) in role_need.into_iter().enumerate() {
            if short > 0 {
                shortfalls.people.push(PeopleShortfall {
                    role: sc.config.roles[r].id.clone(),
                    needed,
                    short,
                });
            }
        }
        for (m, (needed, short)) in material_need.into_iter().enumerate() {
            if short > 0.0 {
                let mi = floodgrid_model::grid::MaterialIdx(m as u32);
                shortfalls.materials.push(MaterialShortfall {
                    material: sc.config.materials[m].id.clone(),
                    needed,
                    available: self.stocks.total(mi),
                    short,
                });
            }
        }
        let mut summary = Summary::default();
        let mut active_ins = vec![false; sc.plan.instructions.len()];
        for (t, d) in tasks.iter().zip(&decided) {
            if t.status == TaskStatus::StoodDown {
                continue;
            }
            active_ins[active[d.n].0 as usize] = true;
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
        summary.active_instructions = active_ins.iter().filter(|&&a| a).count();
        let gauge = sc.config.stations.get(sc.config.gauge.station);
        let evacuation = self.evacuation(q, situation);
        lap(&mut times.evacuation_ms);
        let assessment = Assessment {
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
            evacuation,
        };
        (assessment, times)
    }

    /// The evacuation plan for a situation.
    pub fn evacuation(&self, q: f64, situation: &Situation) -> EvacuationPlan {
        let sc = &self.scenario;
        let leader_roles: Vec<floodgrid_model::grid::RoleIdx> =
            ["grid_worker", "micro_grid_leader", "grid_leader"]
                .iter()
                .filter_map(|r| sc.config.role(r))
                .collect();
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
            names: &self.names.evac,
            index: &self.evac_index,
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

    /// The active items of one instruction.
    fn activate(
        &self,
        k: u32,
        ins: &Instruction,
        globals: &Globals,
        situation: &Situation,
    ) -> Vec<Activated> {
        let global_env = DynEnv {
            engine: self,
            globals,
            situation,
            ctx: None,
        };
        let Some(fe) = ins.for_each else {
            return if eval_bool(&ins.when.expr, &global_env) {
                vec![(k, None, self.names.instruction_ids[k as usize].clone())]
            } else {
                Vec::new()
            };
        };
        // A `when` that uses no item fields is decided once for the instruction.
        if ins.when.context.is_none() && !eval_bool(&ins.when.expr, &global_env) {
            return Vec::new();
        }
        let holds = |i: u32| {
            let env = DynEnv {
                engine: self,
                globals,
                situation,
                ctx: Some((fe, i)),
            };
            (ins.when.context.is_none() || eval_bool(&ins.when.expr, &env))
                && ins.filter.as_ref().is_none_or(|f| eval_bool(&f.expr, &env))
        };
        if fe == ForEach::Hazard {
            return (0..situation.hazards.len() as u32)
                .filter(|&i| holds(i))
                .map(|i| (k, Some(i), self.instance_key(k, Some(i), situation)))
                .collect();
        }
        let c = &self.compiled[k as usize];
        c.candidates
            .par_iter()
            .zip(c.keys.par_iter())
            .with_min_len(2048)
            .filter(|&(&i, _)| holds(i))
            .map(|(&i, key)| (k, Some(i), key.clone()))
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

    fn instance_key(&self, k: u32, item: Option<u32>, situation: &Situation) -> Arc<str> {
        let ins = &self.scenario.plan.instructions[k as usize];
        match (ins.for_each, item) {
            (Some(fe), Some(i)) => {
                Arc::from(format!("{}@{}", ins.id, self.item_id(fe, i, situation)))
            }
            _ => self.names.instruction_ids[k as usize].clone(),
        }
    }

    /// The resident's guardian (包保责任人) for a key-person or household instance, when they hold
    /// one of the instruction's roles and are available: they lead their own residents' tasks,
    /// door to door, whatever else the roster has booked them for.
    fn guardian(
        &self,
        ins: &Instruction,
        item: Option<u32>,
        situation: &Situation,
    ) -> Option<PersonIdx> {
        let r = match (ins.for_each, item) {
            (Some(ForEach::KeyPerson), Some(i)) => *self.key_persons.get(i as usize)?,
            (Some(ForEach::Household), Some(i)) => *self.households.get(i as usize)?,
            _ => return None,
        };
        let g = *self.resident_guardian.get(r as usize)?;
        let role = *self.person_role.get(g as usize)?;
        let g = PersonIdx(g);
        (ins.people > 0 && ins.roles.contains(&role) && !situation.unavailable.contains(&g))
            .then_some(g)
    }

    /// Step 4 of an assessment: each instance's dependencies (ids) and whether they are all done.
    /// A dependency is matched by the same item, else by the instance's grid or a grid enclosing
    /// it, else every instance of the instruction depended on; lists keep the to-do order.
    fn dependencies(
        &self,
        decided: &[Decided],
        active: &[(u32, Option<u32>)],
        keys: &[Arc<str>],
    ) -> Vec<(Vec<Arc<str>>, bool)> {
        let sc = &self.scenario;
        let ins_of = |t: usize| &sc.plan.instructions[active[decided[t].n].0 as usize];
        let depended = &self.names.depended;
        let mut by_instruction: FxMap<u32, Vec<usize>> = FxMap::default();
        let mut by_item: FxMap<(u32, u32), Vec<usize>> = FxMap::default();
        let mut by_grid: FxMap<(u32, GridIdx), Vec<usize>> = FxMap::default();
        for (t, d) in decided.iter().enumerate() {
            let (k, item) = active[d.n];
            if !depended[k as usize] {
                continue;
            }
            by_instruction.entry(k).or_default().push(t);
            if let Some(i) = item {
                by_item.entry((k, i)).or_default().push(t);
            }
            by_grid.entry((k, d.grid)).or_default().push(t);
        }
        // The grid and the grids enclosing it (bounded, in case of a malformed tree).
        let ancestors = |g: GridIdx| {
            std::iter::successors(Some(g), |c| self.grid_parent.get(c.ix()).copied().flatten())
                .take(sc.grids.len() + 1)
        };
        (0..decided.len())
            .into_par_iter()
            .map(|t| {
                let ins = ins_of(t);
                let (_, item) = active[decided[t].n];
                let mut deps = Vec::new();
                let mut ready = true;
                for dep in &ins.depends_on {
                    let Some(list) = by_instruction.get(&dep.0) else {
                        continue;
                    };
                    let dep_ins = &sc.plan.instructions[dep.0 as usize];
                    let same_item = match item {
                        Some(i)
                            if dep_ins.for_each.is_some() && dep_ins.for_each == ins.for_each =>
                        {
                            by_item.get(&(dep.0, i)).map(Vec::as_slice)
                        }
                        _ => None,
                    };
                    let mut enclosing: Vec<usize>;
                    let matched: &[usize] = match same_item {
                        Some(m) if !m.is_empty() => m,
                        _ => {
                            enclosing = ancestors(decided[t].grid)
                                .filter_map(|g| by_grid.get(&(dep.0, g)))
                                .flatten()
                                .copied()
                                .collect();
                            if enclosing.is_empty() {
                                list
                            } else {
                                enclosing.sort_unstable();
                                &enclosing
                            }
                        }
                    };
                    for &u in matched {
                        ready &= decided[u].status.is_finished();
                        deps.push(keys[decided[u].n].clone());
                    }
                }
                (deps, ready)
            })
            .collect()
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
            ForEach::KeyPerson => self.resident_grid[self.key_persons[i] as usize],
            ForEach::Household => self.resident_grid[self.households[i] as usize],
            ForEach::Person => sc.people[i].grid,
            ForEach::Hazard => situation
                .hazards
                .get(i)
                .map(|h| h.grid)
                .unwrap_or(self.root),
        }
    }

    fn target(&self, fe: ForEach, i: u32, situation: &Situation) -> Arc<Target> {
        let names = &self.names;
        let i = i as usize;
        let resident = |r: u32| names.resident_targets.get(r as usize).cloned();
        let found = match fe {
            ForEach::Grid => names.grid_targets.get(i).cloned(),
            ForEach::Site => names.site_targets.get(i).cloned(),
            ForEach::KeyPerson => self.key_persons.get(i).and_then(|&r| resident(r)),
            ForEach::Household => self.households.get(i).and_then(|&r| resident(r)),
            ForEach::Person => names.person_targets.get(i).cloned(),
            ForEach::Hazard => situation.hazards.get(i).map(|h| {
                Arc::new(Target {
                    kind: ForEach::Hazard,
                    id: h.id.clone(),
                    name: h.kind.clone(),
                })
            }),
        };
        found.unwrap_or_else(|| {
            Arc::new(Target {
                kind: fe,
                id: String::new(),
                name: String::new(),
            })
        })
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
                _ => floodgrid_model::plan::var_by_name(name)
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

impl Names {
    fn new(sc: &Scenario) -> Names {
        let shared = |s: &str| Arc::<str>::from(s);
        let target = |kind: ForEach, id: &str, name: &str| {
            Arc::new(Target {
                kind,
                id: id.to_string(),
                name: name.to_string(),
            })
        };
        let grid_id = |g: GridIdx| sc.grids.get(g.ix()).map_or("", |x| x.id.as_str());
        Names {
            evac: EvacuationNames {
                grid_ids: sc.grids.iter().map(|g| shared(&g.id)).collect(),
                site_ids: sc.sites.iter().map(|s| shared(&s.id)).collect(),
                person_ids: sc.people.iter().map(|p| shared(&p.id)).collect(),
                person_names: sc.people.iter().map(|p| shared(&p.name)).collect(),
            },
            people: sc
                .people
                .iter()
                .map(|p| {
                    Arc::new(PersonCard {
                        id: p.id.clone(),
                        name: p.name.clone(),
                        role: sc
                            .config
                            .roles
                            .get(p.role.ix())
                            .map(|r| r.id.clone())
                            .unwrap_or_default(),
                        grid: grid_id(p.grid).to_string(),
                        phone: p.phone.clone(),
                    })
                })
                .collect(),
            material_ids: sc.config.materials.iter().map(|m| shared(&m.id)).collect(),
            instructions: sc
                .plan
                .instructions
                .iter()
                .map(|i| {
                    Arc::new(InstructionCard {
                        instruction: i.id.clone(),
                        title: i.title.clone(),
                        title_en: i.title_en.clone(),
                        category: sc
                            .plan
                            .categories
                            .get(i.category.0 as usize)
                            .map(|c| c.id.clone())
                            .unwrap_or_default(),
                        phase: i.phase,
                        priority: i.priority,
                    })
                })
                .collect(),
            instruction_ids: sc.plan.instructions.iter().map(|i| shared(&i.id)).collect(),
            depended: {
                let mut d = vec![false; sc.plan.instructions.len()];
                for dep in sc.plan.instructions.iter().flat_map(|i| &i.depends_on) {
                    if let Some(x) = d.get_mut(dep.0 as usize) {
                        *x = true;
                    }
                }
                d
            },
            grid_targets: sc
                .grids
                .iter()
                .map(|g| target(ForEach::Grid, &g.id, &g.name))
                .collect(),
            site_targets: sc
                .sites
                .iter()
                .map(|s| target(ForEach::Site, &s.id, &s.name))
                .collect(),
            person_targets: sc
                .people
                .iter()
                .map(|p| target(ForEach::Person, &p.id, &p.name))
                .collect(),
            resident_targets: sc
                .residents
                .iter()
                .map(|r| {
                    let kind = match r.kind {
                        ResidentKind::KeyPerson { .. } => ForEach::KeyPerson,
                        ResidentKind::Household { .. } => ForEach::Household,
                    };
                    target(kind, &r.id, &r.name)
                })
                .collect(),
        }
    }
}

/// The atlas of a scenario: the river centreline from `sites.geojson`, each station placed at its
/// nearest point along it.
fn build_atlas(scenario: &Scenario) -> FloodAtlas {
    let river: Vec<Vec<[f64; 2]>> =
        floodgrid_model::grid::lines_of(&scenario.sites, SiteKind::River)
            .into_iter()
            .map(<[[f64; 2]]>::to_vec)
            .collect();
    let mut stations: Vec<(f64, floodgrid_model::hydro::RatingCurve)> = scenario
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
            let (q, t) = floodgrid_model::grid::nearest_on_segment(p, w[0], w[1]);
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
                        floodgrid_model::grid::Shift::Day => "day",
                        floodgrid_model::grid::Shift::Night => "night",
                        floodgrid_model::grid::Shift::Any => "any",
                    }),
                    _ => None,
                }
            }
            ForEach::Hazard => None,
        }
    }
}
