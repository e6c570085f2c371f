use serde::{Deserialize, Serialize};

use super::cond::{Condition, ForEach};
use crate::grid::{MaterialIdx, RoleIdx};

/// Index of an instruction in [`Plan::instructions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct InstructionIdx(pub u32);

/// Index of a category in [`Plan::categories`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CategoryIdx(pub u32);

/// Index of a message template in [`Plan::templates`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TemplateIdx(pub u32);

/// The node of the plan tree an instruction belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Quiet times: monitoring, patrol, stock checks.
    Routine,
    /// Blue warning (level IV).
    Blue,
    /// Yellow warning (level III).
    Yellow,
    /// Orange warning (level II).
    Orange,
    /// Red warning (level I).
    Red,
    /// After the flood: standing down and recovery.
    StandDown,
}

impl Phase {
    /// All phases in tree order.
    pub const ALL: [Phase; 6] = [
        Phase::Routine,
        Phase::Blue,
        Phase::Yellow,
        Phase::Orange,
        Phase::Red,
        Phase::StandDown,
    ];

    /// Name in files.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Routine => "routine",
            Phase::Blue => "blue",
            Phase::Yellow => "yellow",
            Phase::Orange => "orange",
            Phase::Red => "red",
            Phase::StandDown => "stand_down",
        }
    }

    /// Parses a phase name.
    pub fn from_name(s: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.name() == s)
    }
}

/// What happens to an instance when its condition stops holding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OnFall {
    /// The instance stands down (visible as stood-down).
    #[default]
    StandDown,
    /// The instance stays until it is done (evacuation under way, an emergency repair).
    Keep,
}

crate::vocabulary! {
    /// What the engine and the drill do with a category's work beyond listing it. A plan's
    /// category says its kind (`kind = "patrol"`); by default a category whose id is one of these
    /// names has that kind, any other is `other`.
    pub enum CategoryKind {
        /// Dike patrol: a finished task is a patrol report on the map.
        Patrol = "patrol",
        /// Information: an instruction's work is its message, and pushing the message counts as
        /// the response, whoever sent it.
        Information = "information",
        /// Evacuation: every evacuation order due must be on a task of this kind for the
        /// resident's grid or for the resident (`Engine::evacuation_audit`); the console reads
        /// residents' progress from them.
        Evacuation = "evacuation",
        /// Anything else.
        Other = "other",
    }
}

// `vocabulary!` fixes the derive list, so the default is written out.
#[allow(clippy::derivable_impls)]
impl Default for CategoryKind {
    fn default() -> Self {
        CategoryKind::Other
    }
}

impl CategoryKind {
    /// The kind a category has when it does not say: the kind its id names, else `other`.
    pub fn default_for(id: &str) -> CategoryKind {
        CategoryKind::from_name(id).unwrap_or_default()
    }
}

/// A category of the plan (巡堤查险 ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    /// Stable id.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// What the engine does with its work beyond listing it.
    #[serde(default)]
    pub kind: CategoryKind,
}

/// A one-click push message template with `{placeholders}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    /// Stable id.
    pub id: String,
    /// Text with placeholders such as `{grid.name}` or `{Q}`.
    pub text: String,
    /// A notice to the public: pushed to the phones of the residents registered in the grids
    /// concerned as well as to the staff there.
    #[serde(default)]
    pub public: bool,
}

/// Where something was defined, for messages that point planners back at the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// File path as shown in diagnostics.
    pub file: String,
    /// 1-based line.
    pub line: usize,
}

/// One instruction of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instruction {
    /// Stable id (`red.patrol.two_groups`).
    pub id: String,
    /// Chinese title.
    pub title: String,
    /// English title.
    pub title_en: Option<String>,
    /// Category.
    pub category: CategoryIdx,
    /// Tree node.
    pub phase: Phase,
    /// When the instruction is active.
    pub when: Condition,
    /// What it iterates over, if anything.
    pub for_each: Option<ForEach>,
    /// Filter on the `for_each` items.
    pub filter: Option<Condition>,
    /// Roles that may carry it out (any of).
    pub roles: Vec<RoleIdx>,
    /// Headcount per instance.
    pub people: u32,
    /// Materials per instance.
    pub materials: Vec<(MaterialIdx, f64)>,
    /// Working time, minutes.
    pub duration_min: f64,
    /// Due this many minutes after the trigger.
    pub deadline_min: f64,
    /// Due this many hours before the water reaches the grid, when arrival is known.
    pub before_arrival_h: Option<f64>,
    /// Recurs every so many minutes while active.
    pub repeat_min: Option<f64>,
    /// Instructions that must be done first.
    pub depends_on: Vec<InstructionIdx>,
    /// 1 highest .. 5 lowest.
    pub priority: u8,
    /// One-click push template.
    pub message: Option<TemplateIdx>,
    /// What happens when the condition stops holding.
    pub on_fall: OnFall,
    /// Practice basis or remark.
    pub note: Option<String>,
    /// Where it is written.
    pub source: SourceRef,
}

/// The whole plan: categories, templates and instructions, ids resolved to indices.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Categories in declaration order.
    pub categories: Vec<Category>,
    /// Message templates in declaration order.
    pub templates: Vec<Template>,
    /// Instructions in file order (files in name order).
    pub instructions: Vec<Instruction>,
}

impl Plan {
    /// The ids of the categories of a kind (a task's `category` is one of its ids).
    pub fn category_ids(&self, kind: CategoryKind) -> Vec<&str> {
        self.categories
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| c.id.as_str())
            .collect()
    }

    /// Finds an instruction by id.
    pub fn instruction(&self, id: &str) -> Option<InstructionIdx> {
        self.instructions
            .iter()
            .position(|i| i.id == id)
            .map(|i| InstructionIdx(i as u32))
    }
}
