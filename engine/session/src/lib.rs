//! # floodgrid-session
//!
//! Drills: a situation over time. Scripts (hydrograph and injects) and commander actions come
//! from the model; this crate owns the clock, the simulated frontline, breach runs, the
//! crash-safe journal and the after-action report. Owns no terminal code.

#![warn(missing_docs)]

mod event;
mod journal;
mod report;
mod rng;
mod session;

pub use event::{Event, EventKind, EventStatus};
pub use floodgrid_model::drill::{
    Action, Audience, DrillScript, Expectation, Inject, InjectBreach, InjectKind, InjectPlace,
};
pub use journal::{
    FileJournal, JournalError, JournalRecord, JournalSink, MemoryJournal, MessageSink, OutboxFile,
    PushedMessage, Recipient, TimedAction, read_actions, read_journal,
};
pub use report::{
    Better, DrillReport, EvacuationResult, ExpectationResult, Finding, ObjectiveScore, Outcome,
    ResponseTimes, report,
};
pub use rng::DrillRng;
pub use session::{
    BREACH_RUN_COARSEN, BreachRun, BreachRunFigures, Drill, DrillOptions, TaskTimes,
};
