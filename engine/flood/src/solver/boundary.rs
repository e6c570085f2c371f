//! Domain edges: closed walls, free outflow at normal depth, and fixed (possibly time-varying)
//! stages. Owns the flux through an edge face; the interior faces are the kernel's business.

use serde::{Deserialize, Serialize};

use super::kernel::{FaceCoef, fmax, inv_cbrt};
use super::series::Series;

/// One of the four edges of the grid (row 0 is north).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Edge {
    /// Row 0.
    North,
    /// The last row.
    South,
    /// The last column.
    East,
    /// Column 0.
    West,
}

impl Edge {
    /// All four edges.
    pub const ALL: [Edge; 4] = [Edge::North, Edge::South, Edge::East, Edge::West];
}

/// What an edge does to water.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundaryKind {
    /// A wall: nothing passes (the default everywhere).
    Closed,
    /// Free outflow at normal depth for the given energy slope: the cell's water leaves as
    /// uniform flow down that slope would carry it (Manning; critical flow where n = 0). Where
    /// the slope makes that flow supercritical it is not capped at critical flow: a steep
    /// channel carries its water out supercritical, and a cap would back it up into a jump.
    /// Water only leaves.
    Free {
        /// Energy slope, m/m (> 0).
        slope: f64,
    },
    /// A water level held outside the edge (a river stage, the sea, a reservoir): water flows in
    /// or out by the local inertial momentum equation against it.
    Stage {
        /// Water level, m (same datum as the DEM), over time.
        level_m: Series,
    },
}

/// A boundary condition on a stretch of one edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Boundary {
    /// Which edge.
    pub edge: Edge,
    /// First cell along the edge (column for north/south, row for east/west).
    pub from: usize,
    /// One past the last cell along the edge.
    pub to: usize,
    /// What it does.
    pub kind: BoundaryKind,
}

impl Boundary {
    /// A condition on the whole of one edge.
    pub fn whole(edge: Edge, kind: BoundaryKind) -> Boundary {
        Boundary {
            edge,
            from: 0,
            to: usize::MAX,
            kind,
        }
    }
}

/// The condition of one edge cell, resolved for the kernel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum EdgeCell {
    Closed,
    Free {
        sqrt_slope: f32,
    },
    /// Index into the stage values of the step.
    Stage {
        index: u32,
    },
}

/// The physical constants an edge face needs besides the face coefficients.
#[derive(Debug, Clone, Copy)]
pub(super) struct EdgeEnv<'a> {
    pub g: f32,
    /// Stage levels of this step (datum-shifted), indexed by `EdgeCell::Stage::index`.
    pub stages: &'a [f32],
}

/// The discharge per unit width through an edge face. `outward` is +1 when positive `q` leaves
/// the domain (east, south) and −1 when it enters (west, north); `z`, `h` are the inside cell's
/// bed and depth, `q_old` the face's previous discharge, `n2` the cell's Manning n².
#[allow(clippy::too_many_arguments)]
#[inline]
pub(super) fn edge_face(
    kind: EdgeCell,
    outward: f32,
    z: f32,
    h: f32,
    q_old: f32,
    n2: f32,
    c: &FaceCoef,
    env: &EdgeEnv<'_>,
) -> f32 {
    match kind {
        EdgeCell::Closed => 0.0,
        EdgeCell::Free { sqrt_slope } => {
            if h <= c.h_min {
                return 0.0;
            }
            let q = if n2 > 0.0 {
                // h^(5/3) = h² · h^(-1/3)
                h * h * inv_cbrt(h) * sqrt_slope / n2.sqrt()
            } else {
                h * (env.g * h).sqrt()
            };
            outward * q
        }
        EdgeCell::Stage { index } => {
            let eta_b = env.stages.get(index as usize).copied().unwrap_or(z);
            let eta_c = z + h;
            let hf = fmax(eta_b, eta_c) - z;
            if hf <= c.h_min {
                return 0.0;
            }
            // Work in the outward direction: positive leaves the domain.
            let q = outward * q_old;
            let r = inv_cbrt(hf);
            let r2 = r * r;
            let r7 = r2 * r2 * r2 * r;
            let num = q - c.g_dt_over_d * hf * (eta_b - eta_c);
            let den = 1.0 + c.g_dt * n2 * q.abs() * r7;
            // Outflow is limited with the cell's other faces (`kernel::outflow_scale`).
            outward * (num / den)
        }
    }
}
