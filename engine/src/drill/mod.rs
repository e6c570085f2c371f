//! Drills: scripts (hydrograph and injects), and later the clock, the simulated frontline, the
//! journal and scoring. Owns no terminal code.

mod script;

pub use script::{DrillScript, Expectation, Inject, InjectKind, InjectPlace};
