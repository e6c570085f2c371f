//! # floodgrid-assess
//!
//! The engine proper: [`assess::Engine`] is built once from a checked scenario and turns each
//! [`assess::Situation`] into an [`assess::Assessment`] (warning level, task instances with
//! people and materials, shortfalls, exposure and evacuation); [`response`] owns assignment,
//! depot draws and the evacuation plan.

#![warn(missing_docs)]

pub mod assess;
pub mod geojson;
pub mod response;
