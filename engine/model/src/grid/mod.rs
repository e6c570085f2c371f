//! The town's grid system: grids and their hierarchy, personnel and roles, residents (key persons
//! and farm households), sites (works, sensors, depots, shelters, ...), materials, and the plane
//! geometry they share. Plain data; the scenario loader fills it and checks it.

mod evacuation;
pub(crate) mod facts;
pub mod geometry;
mod model;

pub use evacuation::EvacuationRules;
pub use facts::{
    GridFacts, dike_lines, grid_facts, in_floodplain, line_strings_of, lines_of, nearest_dike,
};
pub use geometry::{Polygon, Region, Ring};
pub use model::*;
