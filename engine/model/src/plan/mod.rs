//! The task tree: the condition language, instructions and their compiled form. Evaluation and the
//! task lifecycle build on this. Owns no file reading (the scenario loader fills it).

mod cond;
mod eval;
mod lifecycle;
mod model;

pub use cond::{
    BinOp, CondError, Condition, Expr, ForEach, GRID_KINDS, HAZARD_KINDS, HOUSEHOLD_CATEGORIES,
    KEY_PERSON_CATEGORIES, SHIFTS, SITE_KINDS, Scope, Type, VARS, VarId, VarInfo, VarKey,
    edit_distance, hazard_count_kind, var_by_name,
};
pub use eval::{Env, Tri, Value, eval_bool, eval_tri, eval_value};
pub use lifecycle::{TaskStatus, TaskStep, TransitionError};
pub use model::*;
