//! Drill events: what the commander sees happen (injects, level changes, field reports). Each has a
//! kind and a status the console colours.

use serde::{Deserialize, Serialize};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A scripted inject arrived.
    Inject,
    /// The warning level changed.
    Level,
    /// New task instances became active.
    TasksActivated,
    /// A task was dispatched.
    Dispatched,
    /// The assignees accepted (接单).
    Accepted,
    /// They reached the place and started.
    Arrived,
    /// A patrol or progress report from the field.
    Report,
    /// The task was reported done (销单).
    Done,
    /// A done task was verified (访单).
    Verified,
    /// A task passed its deadline.
    Overdue,
    /// A message was pushed.
    Pushed,
    /// An alarm was acknowledged.
    AlarmAcknowledged,
    /// The action could not be applied.
    Rejected,
}

/// How it stands: the colour on the map and in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Routine, nothing wrong.
    Normal,
    /// Needs attention.
    Attention,
    /// Danger.
    Danger,
    /// Resolved.
    Resolved,
}

/// One event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Drill minute.
    pub t_min: f64,
    /// Kind.
    pub kind: EventKind,
    /// Status.
    pub status: EventStatus,
    /// Task instance concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// Person concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// Grid where it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid: Option<String>,
    /// Text for the log.
    pub text: String,
}
