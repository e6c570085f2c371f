//! # floodgrid-model
//!
//! The plain data every other floodgrid crate shares, and nothing that reads a file or depends
//! on the discharge: ids and kind vocabularies, grids, people, residents, sites and materials,
//! plane geometry, coordinate systems, hydrology (warning levels, rating curves, the level
//! tracker, routing), the plan and its condition language, and drill scripts and actions.
//!
//! - [`grid`]: grids, personnel, residents, sites, materials; geometry and facts from the map.
//! - [`hydro`]: warning levels, thresholds, rating curves, the level tracker, Muskingum routing.
//! - [`plan`]: the task tree and its condition language.
//! - [`drill`]: drill scripts (injects, expectations) and the commander's [`drill::Action`].
//! - [`crs`]: lon/lat ↔ projected metres.
//! - [`vocab`]: one enum per vocabulary ([`vocabulary!`]), the lists derived from it.

#![warn(missing_docs)]

pub mod crs;
pub mod drill;
pub mod grid;
pub mod hazard;
pub mod hydro;
pub mod plan;
pub mod vocab;
