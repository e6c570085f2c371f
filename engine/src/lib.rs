//! # floodgrid-engine
//!
//! The decision-support engine of floodgrid: scenario files in, warning level, task instances,
//! exposure and evacuation out. No terminal code lives here, and no input makes it panic.

#![warn(missing_docs)]

pub mod crs;
pub mod flood;
