//! The town's grid system: grids and their hierarchy, personnel and roles, residents (key persons
//! and farm households), sites (works, sensors, depots, shelters, ...), materials, and the plane
//! geometry they share. Plain data; the scenario loader fills it and checks it.

pub(crate) mod facts;
pub mod geometry;
mod model;

pub use facts::{GridFacts, grid_facts, in_floodplain};
pub use geometry::{Bbox, Polygon, Region, Ring};
pub use model::*;
