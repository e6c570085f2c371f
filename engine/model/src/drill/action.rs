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
    /// A public notice: the staff of a grid (and the grids below it) and the phones of the
    /// residents registered there.
    Public {
        /// Grid id.
        grid: String,
    },
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
    /// Acknowledge a sensor alarm: the one named, or the oldest alarm at the site not yet
    /// acknowledged (each alarm is acknowledged on its own, however many a works raises).
    AcknowledgeAlarm {
        /// Site id (works or sensor).
        site: String,
        /// The alarm's id (a drill names it after its inject: `inject7`); `None`: the oldest
        /// unacknowledged alarm at the site.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        alarm: Option<String>,
    },
    /// 云视讯调度: a direct video call from the command post to one person in a grid (the
    /// person must belong to that grid or one below it).
    Call {
        /// Person id.
        person: String,
        /// Grid id the call was placed through.
        grid: String,
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

crate::vocabulary! {
    /// The kinds of commander action, as journals and drill expectations name them.
    pub enum ActionKind {
        /// [`Action::SetDischarge`].
        SetDischarge = "set_discharge",
        /// [`Action::Dispatch`].
        Dispatch = "dispatch",
        /// [`Action::Reassign`].
        Reassign = "reassign",
        /// [`Action::Accept`].
        Accept = "accept",
        /// [`Action::Close`].
        Close = "close",
        /// [`Action::Verify`].
        Verify = "verify",
        /// [`Action::Push`].
        Push = "push",
        /// [`Action::AcknowledgeAlarm`].
        AcknowledgeAlarm = "acknowledge_alarm",
        /// [`Action::Call`].
        Call = "call",
        /// [`Action::Pause`].
        Pause = "pause",
        /// [`Action::Resume`].
        Resume = "resume",
        /// [`Action::Speed`].
        Speed = "speed",
    }
}

impl ActionKind {
    /// Whether it only drives the drill clock (pause, resume, speed): never an expected
    /// response of a drill script.
    pub fn is_clock(self) -> bool {
        matches!(
            self,
            ActionKind::Pause | ActionKind::Resume | ActionKind::Speed
        )
    }
}

impl Action {
    /// The action's kind.
    pub fn action_kind(&self) -> ActionKind {
        match self {
            Action::SetDischarge { .. } => ActionKind::SetDischarge,
            Action::Dispatch { .. } => ActionKind::Dispatch,
            Action::Reassign { .. } => ActionKind::Reassign,
            Action::Accept { .. } => ActionKind::Accept,
            Action::Close { .. } => ActionKind::Close,
            Action::Verify { .. } => ActionKind::Verify,
            Action::Push { .. } => ActionKind::Push,
            Action::AcknowledgeAlarm { .. } => ActionKind::AcknowledgeAlarm,
            Action::Call { .. } => ActionKind::Call,
            Action::Pause => ActionKind::Pause,
            Action::Resume => ActionKind::Resume,
            Action::Speed { .. } => ActionKind::Speed,
        }
    }

    /// The action kind as expectations name it (`dispatch`, `push`, ...).
    pub fn kind(&self) -> &'static str {
        self.action_kind().name()
    }
}
