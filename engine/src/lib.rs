//! # floodgrid-engine
//!
//! The decision-support engine of floodgrid: scenario files in, warning level, task instances,
//! exposure and evacuation out. No terminal code lives here, and no input makes it panic.
//!
//! This crate is the facade: it re-exports the engine's crates under one roof. Their
//! dependencies run one way (cargo refuses a wrong arrow):
//! `floodgrid-model` ← `floodgrid-flood` ← `floodgrid-scenario` ← `floodgrid-assess` ←
//! `floodgrid-session` (see docs/ARCHITECTURE.md).
//!
//! - [`scenario`]: load and check a scenario directory, with diagnostics at file:line:column.
//! - [`hydro`]: warning levels, thresholds, rating curves.
//! - [`plan`]: the task tree and its condition language.
//! - [`grid`]: grids, personnel, residents, sites, materials.
//! - [`flood`]: terrain I/O (ESRI ASCII, GeoTIFF), the flood atlas, exposure, the 2D solver.
//! - [`assess`]: the engine: `Engine::build`, `Engine::assess(&Situation) -> Result<Assessment, SituationError>`.
//! - [`response`]: assignment, materials, evacuation.
//! - [`geojson`]: the flooded extent as an RFC 7946 FeatureCollection.
//! - [`drill`]: drill scripts, the running drill, its journal and report.
//! - [`crs`]: lon/lat ↔ projected metres.
//! - [`schema`]: JSON Schemas of the planner-edited files.
//!
//! ```
//! use floodgrid_engine::assess::{Engine, Situation};
//! use floodgrid_engine::hydro::WarningLevel;
//! use floodgrid_engine::scenario::Scenario;
//! # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/huayuankou");
//! let scenario = Scenario::load(dir).expect("the bundled scenario loads"); // all diagnostics at once
//! let engine = Engine::build(scenario).expect("engine");                 // facts, atlas, plan filters
//! let a = engine.assess(&Situation::at_discharge(22_000.0)).expect("a valid situation");
//! assert_eq!(a.level, WarningLevel::Red);
//! assert!(a.tasks.iter().any(|t| t.card.instruction.starts_with("red.")));
//! assert!(a.evacuation.persons > 0);
//! ```

#![warn(missing_docs)]

pub use floodgrid_assess::{assess, geojson, response};
pub use floodgrid_flood as flood;
pub use floodgrid_model::{crs, grid, hazard, hydro, plan};
pub use floodgrid_scenario as scenario;
pub use floodgrid_scenario::schema;
pub use floodgrid_session as drill;
