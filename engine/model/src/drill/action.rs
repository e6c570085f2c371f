//! Commander actions: everything the commander does goes through one enum and one function
//! ([`super::Drill::apply`]), so the console, the headless runner and a replayed journal act alike.

use serde::{Deserialize, Serialize};

/// Who a pushed message goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Audience {
    /// Everyone in a grid (and the grids below it).
    Grid {
        /// Grid id.
        grid: String,
    },
    /// Everyone with a role.
    Role {
        /// Role id.
        role: String,
    },
    /// Everyone.
    Everyone,
}

/// A commander action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Override the discharge (what-if inside a drill).
    SetDischarge {
        /// m³/s.
        discharge_m3s: f64,
    },
    /// 派单: send a task instance to people (empty: the engine's suggestion).
    Dispatch {
        /// Instance id.
        task: String,
        /// Person ids.
        #[serde(default)]
        people: Vec<String>,
    },
    /// Re-send a dispatched task to other people.
    Reassign {
        /// Instance id.
        task: String,
        /// Person ids.
        people: Vec<String>,
    },
    /// Mark accepted on behalf of the assignees (接单).
    Accept {
        /// Instance id.
        task: String,
    },
    /// Close a task as done (销单).
    Close {
        /// Instance id.
        task: String,
    },
    /// Verify a done task (访单).
    Verify {
        /// Instance id.
        task: String,
    },
    /// One-click push of a message (a plan template, or free text).
    Push {
        /// Template id, if from the plan.
        #[serde(default)]
        template: Option<String>,
        /// The text sent.
        text: String,
        /// Recipients.
        audience: Audience,
    },
    /// Acknowledge a sensor alarm.
    AcknowledgeAlarm {
        /// Site id (works or sensor).
        site: String,
    },
    /// Pause the clock.
    Pause,
    /// Run the clock.
    Resume,
    /// Clock speed (×1, ×10, ×60 ...).
    Speed {
        /// Drill minutes per wall minute.
        factor: f64,
    },
}

impl Action {
    /// The action kind as expectations name it (`dispatch`, `push`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Action::SetDischarge { .. } => "set_discharge",
            Action::Dispatch { .. } => "dispatch",
            Action::Reassign { .. } => "reassign",
            Action::Accept { .. } => "accept",
            Action::Close { .. } => "close",
            Action::Verify { .. } => "verify",
            Action::Push { .. } => "push",
            Action::AcknowledgeAlarm { .. } => "acknowledge_alarm",
            Action::Pause => "pause",
            Action::Resume => "resume",
            Action::Speed { .. } => "speed",
        }
    }
}
