//! Drill scripts (injects, expected responses) and the commander's actions: the data a drill
//! is made of. Running a drill is the session layer's business.

mod action;
mod script;

pub use action::{Action, ActionKind, Audience};
pub use script::{
    Contingency, DrillScript, Expectation, Inject, InjectBreach, InjectKind, InjectPlace,
    StoneAlarm,
};
