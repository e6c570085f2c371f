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

impl EventKind {
    /// The kind's name, the same word in Markdown and JSON (its serde name).
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Inject => "inject",
            EventKind::Level => "level",
            EventKind::TasksActivated => "tasks_activated",
            EventKind::Dispatched => "dispatched",
            EventKind::Accepted => "accepted",
            EventKind::Arrived => "arrived",
            EventKind::Report => "report",
            EventKind::Done => "done",
            EventKind::Verified => "verified",
            EventKind::Overdue => "overdue",
            EventKind::Pushed => "pushed",
            EventKind::AlarmAcknowledged => "alarm_acknowledged",
            EventKind::Rejected => "rejected",
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_the_serde_names() {
        use EventKind as K;
        for k in [
            K::Inject,
            K::Level,
            K::TasksActivated,
            K::Dispatched,
            K::Accepted,
            K::Arrived,
            K::Report,
            K::Done,
            K::Verified,
            K::Overdue,
            K::Pushed,
            K::AlarmAcknowledged,
            K::Rejected,
        ] {
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.name())
            );
        }
    }
}
