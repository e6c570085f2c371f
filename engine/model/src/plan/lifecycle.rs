//! The task lifecycle, the closed loop of the grid system: pending → dispatched (派单) → accepted
//! (接单) → in progress → done (销单) → verified (访单). Overdue and stood-down are visible states
//! too. A transition out of order is an error value, never a panic.

use serde::{Deserialize, Serialize};

/// Where a task instance stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Active, not yet dispatched.
    #[default]
    Pending,
    /// Sent to people (派单).
    Dispatched,
    /// Accepted by them (接单).
    Accepted,
    /// Work under way.
    InProgress,
    /// Reported done (销单).
    Done,
    /// Checked by a follow-up (访单).
    Verified,
    /// Past its deadline and not done.
    Overdue,
    /// No longer needed: the condition stopped holding before it was done.
    StoodDown,
}

impl TaskStatus {
    /// Name in JSON and files.
    pub fn name(self) -> &'static str {
        match self {
            TaskStatus::Pending => "pending",
            TaskStatus::Dispatched => "dispatched",
            TaskStatus::Accepted => "accepted",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
            TaskStatus::Verified => "verified",
            TaskStatus::Overdue => "overdue",
            TaskStatus::StoodDown => "stood_down",
        }
    }

    /// Whether the work is finished (done or verified).
    pub fn is_finished(self) -> bool {
        matches!(self, TaskStatus::Done | TaskStatus::Verified)
    }
}

/// A step of the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStep {
    /// 派单: send to people.
    Dispatch,
    /// 接单: the people accept.
    Accept,
    /// Work starts.
    Start,
    /// 销单: reported done.
    Complete,
    /// 访单: follow-up confirms.
    Verify,
    /// The deadline passed.
    MarkOverdue,
    /// The condition stopped holding.
    StandDown,
    /// The condition holds again after a stand-down.
    Reactivate,
}

/// A step that does not apply to the current status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {step:?} a task that is {}", from.name())]
pub struct TransitionError {
    /// Status before.
    pub from: TaskStatus,
    /// The refused step.
    pub step: TaskStep,
}

impl TaskStatus {
    /// The status after a step, or why the step does not apply.
    ///
    /// ```
    /// use floodgrid_model::plan::{TaskStatus, TaskStep};
    /// let s = TaskStatus::Pending.apply(TaskStep::Dispatch).unwrap();
    /// assert_eq!(s, TaskStatus::Dispatched);
    /// assert!(TaskStatus::Pending.apply(TaskStep::Verify).is_err());
    /// ```
    pub fn apply(self, step: TaskStep) -> Result<TaskStatus, TransitionError> {
        use TaskStatus as S;
        use TaskStep as T;
        let next = match (self, step) {
            (S::Pending | S::Overdue, T::Dispatch) => S::Dispatched,
            (S::Dispatched, T::Dispatch) => S::Dispatched, // re-dispatch (reassign)
            (S::Dispatched, T::Accept) => S::Accepted,
            (S::Overdue, T::Accept) => S::Accepted,
            (S::Accepted, T::Start) => S::InProgress,
            (S::Accepted | S::InProgress, T::Complete) => S::Done,
            (S::Overdue, T::Complete) => S::Done,
            (S::Done, T::Verify) => S::Verified,
            (S::Pending | S::Dispatched | S::Accepted | S::InProgress, T::MarkOverdue) => {
                S::Overdue
            }
            (
                S::Pending | S::Dispatched | S::Accepted | S::InProgress | S::Overdue,
                T::StandDown,
            ) => S::StoodDown,
            (S::StoodDown, T::Reactivate) => S::Pending,
            (from, step) => return Err(TransitionError { from, step }),
        };
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskStatus as S;
    use TaskStep as T;

    #[test]
    fn the_closed_loop() {
        let mut s = S::Pending;
        for (step, want) in [
            (T::Dispatch, S::Dispatched),
            (T::Accept, S::Accepted),
            (T::Start, S::InProgress),
            (T::Complete, S::Done),
            (T::Verify, S::Verified),
        ] {
            s = s.apply(step).unwrap();
            assert_eq!(s, want);
        }
    }

    #[test]
    fn every_transition_is_defined_and_out_of_order_is_an_error() {
        let all_s = [
            S::Pending,
            S::Dispatched,
            S::Accepted,
            S::InProgress,
            S::Done,
            S::Verified,
            S::Overdue,
            S::StoodDown,
        ];
        let all_t = [
            T::Dispatch,
            T::Accept,
            T::Start,
            T::Complete,
            T::Verify,
            T::MarkOverdue,
            T::StandDown,
            T::Reactivate,
        ];
        let mut ok = 0;
        for s in all_s {
            for t in all_t {
                match s.apply(t) {
                    Ok(_) => ok += 1,
                    Err(e) => assert_eq!((e.from, e.step), (s, t)),
                }
            }
        }
        assert_eq!(ok, 20, "the allowed transitions");
        assert!(S::Verified.apply(T::Dispatch).is_err());
        assert!(
            S::Done.apply(T::StandDown).is_err(),
            "finished work does not stand down"
        );
        assert!(
            S::Pending.apply(T::Complete).is_err(),
            "cannot close what nobody accepted"
        );
        assert_eq!(S::Overdue.apply(T::Complete), Ok(S::Done));
        assert_eq!(S::StoodDown.apply(T::Reactivate), Ok(S::Pending));
    }
}
