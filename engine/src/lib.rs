//! # floodgrid-engine
//!
//! The decision-support engine of floodgrid: scenario files in, warning level, task instances,
//! exposure and evacuation out. No terminal code lives here, and no input makes it panic.
//!
//! - [`scenario`]: load and check a scenario directory, with diagnostics at file:line:column.
//! - [`hydro`]: warning levels, thresholds, rating curves.
//! - [`plan`]: the task tree and its condition language.
//! - [`grid`]: grids, personnel, residents, sites, materials.
//! - [`flood`]: terrain I/O (ESRI ASCII, GeoTIFF).
//! - [`assess`]: the engine: `Engine::build`, `Engine::assess(&Situation) -> Assessment`.
//! - [`response`]: assignment, materials, evacuation.
//! - [`drill`]: drill scripts.
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
//! let a = engine.assess(&Situation::at_discharge(22_000.0));
//! assert_eq!(a.level, WarningLevel::Red);
//! assert!(a.tasks.iter().any(|t| t.card.instruction.starts_with("red.")));
//! assert!(a.evacuation.persons > 0);
//! ```

#![warn(missing_docs)]

pub mod assess;
pub mod crs;
pub mod drill;
pub mod flood;
pub mod grid;
pub mod hydro;
pub mod plan;
pub mod response;
pub mod scenario;
pub mod schema;
