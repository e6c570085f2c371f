//! The engine's wire types: what a caller gives ([`Situation`]) and what it gets back
//! ([`Assessment`] and its parts), plain serde data; and the errors of building and assessing.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::response::{EvacuationPlan, Tier};
use floodgrid_flood::GridExposure;
use floodgrid_model::grid::{GridIdx, PersonIdx, SiteIdx};
use floodgrid_model::hazard::HazardKind;
use floodgrid_model::hydro::{Forecast, GaugeReading, Trend, WarningLevel};
use floodgrid_model::plan::{ForEach, Phase, TaskStatus};

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
    /// Kind (the [`HazardKind`] vocabulary).
    pub kind: HazardKind,
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
    /// The forecast hydrograph ahead: (hours from now, m³/s), hours increasing. The evacuation
    /// plan times everyone by when it reaches the discharge that wets their home. Empty: a
    /// straight rise from now to the forecast peak, or, without a forecast, the river stays.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forecast_path: Vec<(f64, f64)>,
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
            forecast_path: Vec::new(),
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

/// External support to request for one role: people the town does not have and must ask the
/// district for (troops, armed police, mass teams), by the scenario's `external` roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupportRequest {
    /// Role id (an `external` role).
    pub role: String,
    /// Headcount to request: what the town's own people could not fill on instances that
    /// accept this role.
    pub request: u32,
    /// Instances the request is for.
    pub instances: u32,
}

/// All shortfalls of an assessment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Shortfalls {
    /// Staff short in the town, by the first role each instance asks for; roles with a
    /// shortfall only. Instances that accept an external role count under `support` instead.
    pub people: Vec<PeopleShortfall>,
    /// External support to request, by external role.
    #[serde(default)]
    pub support: Vec<SupportRequest>,
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
    /// The evacuation plan's decisions: who goes when, where and how (before stage 1, whose
    /// conditions read them).
    pub evacuation_ms: f64,
    /// Writing the evacuation plan out with its names, on another thread while stages 1–5 run
    /// (one thread: after them).
    pub evacuation_plan_ms: f64,
}

/// Why a situation cannot be assessed: a reference that is not in the scenario, or a number
/// outside its range. The field is named as a path into the situation (`hazards[2].grid`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SituationError {
    /// An index beyond the scenario's list.
    #[error("{field}: {kind} index {index} is not in the scenario, which has {len}")]
    UnknownIndex {
        /// Where in the situation.
        field: String,
        /// What it refers to (`grid`, `site`, `person`).
        kind: &'static str,
        /// The index given.
        index: u32,
        /// How many the scenario has.
        len: usize,
    },
    /// A number outside its range.
    #[error("{field}: {value} is out of range; expected {expected}")]
    OutOfRange {
        /// Where in the situation.
        field: &'static str,
        /// The value given.
        value: f64,
        /// The range it must lie in.
        expected: String,
    },
}

/// Why the engine could not be built.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BuildError {
    /// The scenario has no root grid.
    #[error("the scenario has no grids")]
    NoGrids,
}
