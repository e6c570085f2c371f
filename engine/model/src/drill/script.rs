use serde::{Deserialize, Serialize};

use crate::grid::{GridIdx, PersonIdx, SiteIdx};
use crate::hazard::HazardKind;
use crate::plan::InstructionIdx;

use super::action::ActionKind;

/// What an inject simulates: a hazard (of the [`HazardKind`] vocabulary), a smart-stone alarm
/// or a person dropping out. Written in files by name: the hazard's name, `smart_stone_alarm`
/// or `person_unavailable`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InjectKind {
    /// A hazard reported or found.
    Hazard(HazardKind),
    /// A smart-stone alarm (智能石头报警) at a works.
    SmartStoneAlarm,
    /// A person becomes unavailable.
    PersonUnavailable,
}

impl InjectKind {
    /// The kinds that are not hazards, with their names in files.
    const OTHERS: [(&'static str, InjectKind); 2] = [
        ("smart_stone_alarm", InjectKind::SmartStoneAlarm),
        ("person_unavailable", InjectKind::PersonUnavailable),
    ];

    /// Name in files.
    pub fn name(self) -> &'static str {
        match self {
            InjectKind::Hazard(h) => h.name(),
            InjectKind::SmartStoneAlarm => "smart_stone_alarm",
            InjectKind::PersonUnavailable => "person_unavailable",
        }
    }

    /// Parses a kind name: a hazard kind, `smart_stone_alarm` or `person_unavailable`.
    pub fn from_name(s: &str) -> Option<InjectKind> {
        HazardKind::from_name(s)
            .map(InjectKind::Hazard)
            .or_else(|| {
                InjectKind::OTHERS
                    .iter()
                    .find(|(n, _)| *n == s)
                    .map(|(_, k)| *k)
            })
    }

    /// Every kind's name, hazards first (what an error about an unknown kind lists).
    pub fn names() -> Vec<&'static str> {
        HazardKind::NAMES
            .iter()
            .copied()
            .chain(InjectKind::OTHERS.iter().map(|(n, _)| *n))
            .collect()
    }

    /// The hazard, if it is one.
    pub fn hazard(self) -> Option<HazardKind> {
        match self {
            InjectKind::Hazard(h) => Some(h),
            _ => None,
        }
    }
}

impl Serialize for InjectKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for InjectKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        InjectKind::from_name(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "inject kind \"{s}\"; expected one of {}",
                InjectKind::names().join(", ")
            ))
        })
    }
}

/// Where an inject happens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InjectPlace {
    /// At a site.
    Site(SiteIdx),
    /// In a grid.
    Grid(GridIdx),
    /// At a lon/lat point (projected metres kept too).
    Point {
        /// Lon/lat degrees.
        lonlat: [f64; 2],
        /// Projected metres.
        xy: [f64; 2],
    },
    /// Concerns a person (unavailable).
    Person(PersonIdx),
    /// Nowhere in particular.
    None,
}

/// A response the evaluators expect after an inject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expectation {
    /// An instruction that should be dispatched or done.
    pub instruction: Option<InstructionIdx>,
    /// Or a commander action kind (dispatch, push, ...).
    pub action: Option<String>,
    /// Within this many minutes of the inject.
    pub within_min: f64,
}

/// The breach a `breach` inject opens: the 2D solver runs it from the inject's minute so
/// evacuation deadlines come from the water's arrival.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InjectBreach {
    /// The main or production dike cut (the inject's site, or the dike line nearest its point).
    pub dike: SiteIdx,
    /// Where along the dike it opens (projected metres; the nearest point of the line). `None`:
    /// halfway along the line.
    pub at_xy: Option<[f64; 2]>,
    /// Level the dike is cut down to, m (`None`: the median ground within 100 m of the breach).
    pub level_m: Option<f64>,
    /// Width when it opens, m.
    pub width_m: f64,
    /// Width it grows to, m.
    pub final_width_m: f64,
    /// Minutes it takes to grow to the final width.
    pub widening_min: f64,
    /// Hours of drill time the solver runs from the inject.
    pub horizon_h: f64,
}

/// What a smart-stone alarm reports: the stones in alarm at one groyne (坝垛) of a works and
/// their largest reading. Each alarm is one alarm, acknowledged on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoneAlarm {
    /// Stones in alarm (at least 1).
    pub stones: u32,
    /// The groyne (坝垛) number as the works numbers them, e.g. `28`.
    pub groyne: Option<String>,
    /// Largest displacement among the stones, mm.
    pub displacement_mm: Option<f64>,
    /// Largest tilt among the stones, degrees.
    pub tilt_deg: Option<f64>,
}

/// When a contingency inject fires: only if the expected response has not happened between
/// `since_min` and the inject's minute (MSEL "if the players have not …").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contingency {
    /// An instruction that should have been dispatched (or done) by then.
    pub instruction: Option<InstructionIdx>,
    /// Or a commander action kind that should have been taken by then.
    pub action: Option<ActionKind>,
    /// Counted from this drill minute (0 when not given).
    pub since_min: f64,
}

/// One scripted event (a line of the master scenario events list, MSEL: time, inject,
/// controller, player, expected action, objective).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inject {
    /// Drill minute it arrives at.
    pub at_min: f64,
    /// Kind.
    pub kind: InjectKind,
    /// Place.
    pub place: InjectPlace,
    /// Text the players receive.
    pub text: String,
    /// Objective it tests.
    pub objective: Option<String>,
    /// The controller (导调) who delivers it.
    pub controller: Option<String>,
    /// The player (受训人员 or post) it goes to.
    pub player: Option<String>,
    /// Field-report attachments (photo paths or URLs), listed by the report.
    pub attachments: Vec<String>,
    /// What a smart-stone alarm reports (`None` for every other kind).
    pub alarm: Option<StoneAlarm>,
    /// A contingency inject fires only when this response is missing (`None`: always fires).
    pub unless: Option<Contingency>,
    /// Expected responses.
    pub expect: Vec<Expectation>,
    /// What a breach inject cuts (`None` for every other kind).
    pub breach: Option<InjectBreach>,
}

/// A drill script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillScript {
    /// File stem.
    pub id: String,
    /// Name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Start time (RFC 3339).
    pub start: String,
    /// Seed of all drill randomness.
    pub seed: u64,
    /// (minute, discharge m³/s), time increasing.
    pub hydrograph: Vec<(f64, f64)>,
    /// Injects in time order.
    pub injects: Vec<Inject>,
    /// Scoring weights by objective.
    pub scoring: std::collections::BTreeMap<String, f64>,
    /// Source file.
    pub file: String,
}
