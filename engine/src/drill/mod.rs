//! Drills: scripts (hydrograph and injects), the clock, the simulated frontline, commander
//! actions, the crash-safe journal and the after-action report. Owns no terminal code.

mod action;
mod event;
mod journal;
mod report;
mod rng;
mod script;
mod session;

pub use action::{Action, Audience};
pub use event::{Event, EventKind, EventStatus};
pub use journal::{
    FileJournal, JournalError, JournalRecord, JournalSink, MemoryJournal, MessageSink, OutboxFile,
    PushedMessage, Recipient, TimedAction, read_actions, read_journal,
};
pub use report::{
    DrillReport, EvacuationResult, ExpectationResult, Outcome, ResponseTimes, report,
};
pub use rng::DrillRng;
pub use script::{DrillScript, Expectation, Inject, InjectBreach, InjectKind, InjectPlace};
pub use session::{
    BREACH_RUN_COARSEN, BreachRun, BreachRunFigures, Drill, DrillOptions, TaskTimes,
};
