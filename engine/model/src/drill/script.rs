use serde::{Deserialize, Serialize};

use crate::grid::{GridIdx, PersonIdx, SiteIdx};
use crate::plan::InstructionIdx;

/// What an inject simulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InjectKind {
    /// Piping (管涌).
    Piping,
    /// Seepage (渗水).
    Seepage,
    /// Slope sliding (滑坡).
    Sliding,
    /// Bank collapse at a works (坍塌).
    Collapse,
    /// Root-stone loss at a works.
    RootStone,
    /// A smart-stone alarm.
    SmartStoneAlarm,
    /// Water over the crest.
    Overtopping,
    /// A breach (溃口).
    Breach,
    /// A cut road.
    RoadCut,
    /// A person becomes unavailable.
    PersonUnavailable,
    /// A report from the public.
    PublicReport,
}

impl InjectKind {
    /// All kinds.
    pub const ALL: [InjectKind; 11] = [
        InjectKind::Piping,
        InjectKind::Seepage,
        InjectKind::Sliding,
        InjectKind::Collapse,
        InjectKind::RootStone,
        InjectKind::SmartStoneAlarm,
        InjectKind::Overtopping,
        InjectKind::Breach,
        InjectKind::RoadCut,
        InjectKind::PersonUnavailable,
        InjectKind::PublicReport,
    ];

    /// Name in files.
    pub fn name(self) -> &'static str {
        match self {
            InjectKind::Piping => "piping",
            InjectKind::Seepage => "seepage",
            InjectKind::Sliding => "sliding",
            InjectKind::Collapse => "collapse",
            InjectKind::RootStone => "root_stone",
            InjectKind::SmartStoneAlarm => "smart_stone_alarm",
            InjectKind::Overtopping => "overtopping",
            InjectKind::Breach => "breach",
            InjectKind::RoadCut => "road_cut",
            InjectKind::PersonUnavailable => "person_unavailable",
            InjectKind::PublicReport => "public_report",
        }
    }

    /// Parses a kind name.
    pub fn from_name(s: &str) -> Option<InjectKind> {
        InjectKind::ALL.into_iter().find(|k| k.name() == s)
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

/// One scripted event (a line of the master scenario events list).
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
    /// Expected responses.
    pub expect: Vec<Expectation>,
    /// What a `breach` inject cuts (`None` for every other kind).
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
