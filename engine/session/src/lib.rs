//! # floodgrid-session
//!
//! Drills: a situation over time. Scripts (hydrograph and injects) and commander actions come
//! from the model; this crate owns the clock, the simulated frontline, breach runs, the
//! crash-safe journal and the after-action report. Owns no terminal code.

#![warn(missing_docs)]

mod event;
mod journal;
mod provenance;
mod report;
mod resume;
mod rng;
mod session;

pub use event::{Event, EventDetail, EventKind, EventStatus, Refusal};
pub use floodgrid_model::drill::{
    Action, ActionKind, Audience, Contingency, DrillScript, Expectation, Inject, InjectBreach,
    InjectKind, InjectPlace, StoneAlarm,
};
pub use journal::{
    FileJournal, JournalError, JournalRecord, JournalSink, MemoryJournal, MessageSink, OutboxFile,
    PushedMessage, Recipient, TimedAction, read_actions, read_journal,
};
pub use provenance::{Provenance, file_hash, scenario_hash};
pub use report::{
    Better, DrillReport, EvacuationResult, ExpectationResult, Finding, MselLine, ObjectiveScore,
    Outcome, ResponseTimes, report,
};
pub use resume::{
    CatchUpOutbox, FreshError, JournalHeader, ResumeError, ResumeInputs, fresh_file, open_journal,
    replay_of, resume, run_actions, verify,
};
pub use rng::DrillRng;
pub use session::{
    BREACH_RUN_COARSEN, BreachRun, BreachRunFigures, Drill, DrillOptions, RaisedAlarm, TaskTimes,
};
