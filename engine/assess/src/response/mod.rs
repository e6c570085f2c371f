//! The response: who does each task (assignment by role, grid, neighbours, parent, town teams,
//! within capacity), which depot supplies each material, and what is short. Deterministic: the
//! same instances in the same order give the same answer.

mod assign;
mod evacuation;
mod materials;

pub use assign::{Roster, Tier};
pub use evacuation::{
    CardRef, EvacuationDecisions, EvacuationIndex, EvacuationInput, EvacuationNames,
    EvacuationPlan, Evacuee, EvacueeKind, Means, OrderStatus, Reasons, ResidentCard, ResidentOrder,
    ResidentRef, Unable, decide_evacuation, plan_evacuation,
};
pub use materials::{DepotStocks, MaterialDraw};
