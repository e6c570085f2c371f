//! The convective acceleration of the momentum equation, for [`SolverConfig::advection`]
//! (`super::SolverConfig`): ∂(q·u)/∂x + ∂(q·v)/∂y on every face, from the state at the start of
//! the step, before the time step is chosen. Owns that term and the largest face velocity (the
//! time step then heeds |u| + √(g·h)); never touches the state.
//!
//! The discretisation is first-order upwind and momentum-conserving on the staggered grid, in
//! the manner of Stelling & Duinmeijer (2003): the x-momentum flux through a cell centre is the
//! cell's mean discharge times the velocity of the face upstream of it, and through a cell corner
//! the mean y-discharge there times the x-velocity of the face on its upstream side (and the same
//! turned by 90° for y faces), so what one face loses its neighbour gains. A face's velocity is
//! its discharge over its flow depth (0 where the face carries nothing), so water at rest, or a
//! lake at rest over any bed, gets exactly zero. Edge faces get no advection; across an open edge
//! the momentum flux outside equals the one inside (zero gradient).
//!
//! Two passes, each a pure function of the old state per row (rayon over rows), so the result is
//! the same for any thread count: face velocities, then the term.

use rayon::prelude::*;

use super::kernel::fmax;
use super::step::Span;

/// Everything the advection passes read.
pub(super) struct AdvCtx<'a> {
    pub nc: usize,
    pub nr: usize,
    pub z: &'a [f32],
    pub h: &'a [f32],
    pub qx: &'a [f32],
    pub qy: &'a [f32],
    pub active: &'a [Span],
    pub dx: f32,
    pub dy: f32,
    /// Faces with a flow depth at or below this carry nothing.
    pub h_min: f32,
}

/// Face velocities and the advection term of each face, kept between steps.
#[derive(Debug, Clone, Default)]
pub(super) struct AdvFields {
    /// x-face velocities, laid out like `qx`, m/s.
    pub ux: Vec<f32>,
    /// y-face velocities, laid out like `qy`, m/s.
    pub vy: Vec<f32>,
    /// ∂(qx·u)/∂x + ∂(qx·v)/∂y on each x face, m²/s².
    pub ax: Vec<f32>,
    /// ∂(qy·u)/∂x + ∂(qy·v)/∂y on each y face, m²/s².
    pub ay: Vec<f32>,
    /// The mass part u·(∂q̄/∂x + ∂p̄/∂y) of `ax` and `ay` (which hold the rest, the velocity part),
    /// m²/s².
    pub mx: Vec<f32>,
    /// The same for the y faces.
    pub my: Vec<f32>,
    /// The largest |u| of each x face's stencil (the face, its neighbours along the row and the
    /// faces above and below it), m/s: bounds the inertial part of its update
    /// (`kernel::inertia_bound`).
    pub bx: Vec<f32>,
    /// The same for the y faces.
    pub by: Vec<f32>,
    /// Largest |u| of each x-face row and |v| of each y-face row.
    row_umax: Vec<f32>,
}

impl AdvFields {
    pub fn new(nc: usize, nr: usize) -> AdvFields {
        AdvFields {
            ux: vec![0.0; nr * (nc + 1)],
            vy: vec![0.0; (nr + 1) * nc],
            ax: vec![0.0; nr * (nc + 1)],
            ay: vec![0.0; (nr + 1) * nc],
            mx: vec![0.0; nr * (nc + 1)],
            my: vec![0.0; (nr + 1) * nc],
            bx: vec![0.0; nr * (nc + 1)],
            by: vec![0.0; (nr + 1) * nc],
            row_umax: vec![0.0; 2 * nr + 1],
        }
    }
}

/// Velocity of a face with discharge `q` between cells (`zl`, `hl`) and (`zr`, `hr`).
#[inline(always)]
fn face_velocity(q: f32, zl: f32, hl: f32, zr: f32, hr: f32, h_min: f32) -> f32 {
    let hf = fmax(zl + hl, zr + hr) - fmax(zl, zr);
    if hf > h_min { q / hf } else { 0.0 }
}

/// The x faces of row `j` that the step may touch: `lo..=hi` of its active span.
fn x_range(a: Span) -> std::ops::Range<usize> {
    if a.is_empty() {
        0..0
    } else {
        a.lo as usize..a.hi as usize + 1
    }
}

/// The y faces of face row `f` that the step may touch: the union of the spans of the rows on
/// either side.
fn y_range(ctx: &AdvCtx<'_>, f: usize) -> std::ops::Range<usize> {
    let mut s = Span::EMPTY;
    if f > 0 {
        s = s.union(ctx.active[f - 1]);
    }
    if f < ctx.nr {
        s = s.union(ctx.active[f]);
    }
    if s.is_empty() {
        0..0
    } else {
        s.lo as usize..s.hi as usize
    }
}

/// Computes the face velocities and the advection term of every active face; returns the largest
/// face speed, m/s.
pub(super) fn compute(ctx: &AdvCtx<'_>, f: &mut AdvFields) -> f32 {
    let (nc, nr) = (ctx.nc, ctx.nr);
    let (umax_x, umax_y) = f.row_umax.split_at_mut(nr);
    // Velocities: x faces per row, y faces per face row.
    f.ux.par_chunks_mut(nc + 1)
        .zip(umax_x.par_iter_mut())
        .enumerate()
        .for_each(|(j, (u, m))| {
            let q = &ctx.qx[j * (nc + 1)..(j + 1) * (nc + 1)];
            let z = &ctx.z[j * nc..(j + 1) * nc];
            let h = &ctx.h[j * nc..(j + 1) * nc];
            let mut top = 0.0f32;
            for i in x_range(ctx.active[j]) {
                // Edge faces (0, nc) take the inside cell on both sides.
                let l = i.saturating_sub(1);
                let r = i.min(nc - 1);
                let v = face_velocity(q[i], z[l], h[l], z[r], h[r], ctx.h_min);
                u[i] = v;
                top = fmax(top, v.abs());
            }
            *m = top;
        });
    f.vy.par_chunks_mut(nc)
        .zip(umax_y.par_iter_mut())
        .enumerate()
        .for_each(|(row, (v, m))| {
            let q = &ctx.qy[row * nc..(row + 1) * nc];
            let (a, b) = (row.saturating_sub(1), row.min(nr - 1));
            let mut top = 0.0f32;
            for i in y_range(ctx, row) {
                let (kl, kr) = (a * nc + i, b * nc + i);
                let w = face_velocity(q[i], ctx.z[kl], ctx.h[kl], ctx.z[kr], ctx.h[kr], ctx.h_min);
                v[i] = w;
                top = fmax(top, w.abs());
            }
            *m = top;
        });
    let (ux, vy) = (&f.ux, &f.vy);
    // The term on x faces.
    f.ax.par_chunks_mut(nc + 1)
        .zip(f.mx.par_chunks_mut(nc + 1))
        .zip(f.bx.par_chunks_mut(nc + 1))
        .enumerate()
        .for_each(|(j, ((out, mass), bound))| {
            let xr = x_range(ctx.active[j]);
            let at = |row: usize| row * (nc + 1)..(row + 1) * (nc + 1);
            let (q, u) = (&ctx.qx[at(j)], &ux[at(j)]);
            let u_up = &ux[at(j.saturating_sub(1))];
            let u_dn = &ux[at((j + 1).min(nr - 1))];
            let qn = &ctx.qy[j * nc..(j + 1) * nc];
            let qs = &ctx.qy[(j + 1) * nc..(j + 2) * nc];
            // The discharge carried through the centre of cell c (that of the upwind face) and
            // the x-momentum flux it carries.
            let centre = |c: usize| {
                let qm = 0.5 * (q[c] + q[c + 1]);
                let k = if qm >= 0.0 { c } else { c + 1 };
                (q[k], q[k] * u[k])
            };
            for i in xr {
                if i == 0 || i == nc {
                    out[i] = 0.0;
                    mass[i] = 0.0;
                    bound[i] = u[i].abs();
                    continue;
                }
                let along = fmax(u[i - 1].abs(), fmax(u[i].abs(), u[i + 1].abs()));
                bound[i] = fmax(along, fmax(u_up[i].abs(), u_dn[i].abs()));
                let ((m1, f1), (m0, f0)) = (centre(i), centre(i - 1));
                // Through the corners north and south of the face (y discharge from positive =
                // southward).
                let tn = 0.5 * (qn[i - 1] + qn[i]);
                let gn = tn * if tn >= 0.0 { u_up[i] } else { u[i] };
                let ts = 0.5 * (qs[i - 1] + qs[i]);
                let gs = ts * if ts >= 0.0 { u[i] } else { u_dn[i] };
                let m = u[i] * ((m1 - m0) / ctx.dx + (ts - tn) / ctx.dy);
                mass[i] = m;
                out[i] = (f1 - f0) / ctx.dx + (gs - gn) / ctx.dy - m;
            }
        });
    // The term on y faces (face row `row` lies between cell rows `row - 1` and `row`).
    f.ay.par_chunks_mut(nc)
        .zip(f.my.par_chunks_mut(nc))
        .zip(f.by.par_chunks_mut(nc))
        .enumerate()
        .for_each(|(row, ((out, mass), bound))| {
            let yr = y_range(ctx, row);
            if row == 0 || row == nr {
                for i in yr {
                    out[i] = 0.0;
                    mass[i] = 0.0;
                    bound[i] = vy[row * nc + i].abs();
                }
                return;
            }
            let at = |r: usize| r * nc..(r + 1) * nc;
            let (v_up, v, v_dn) = (&vy[at(row - 1)], &vy[at(row)], &vy[at(row + 1)]);
            let (q_up, q, q_dn) = (&ctx.qy[at(row - 1)], &ctx.qy[at(row)], &ctx.qy[at(row + 1)]);
            let xa = &ctx.qx[(row - 1) * (nc + 1)..row * (nc + 1)];
            let xb = &ctx.qx[row * (nc + 1)..(row + 1) * (nc + 1)];
            for i in yr {
                // y-momentum flux through the centres of the cells north (row − 1) and south (row).
                let tn = 0.5 * (q_up[i] + q[i]);
                let (mn, fn_) = if tn >= 0.0 {
                    (q_up[i], q_up[i] * v_up[i])
                } else {
                    (q[i], q[i] * v[i])
                };
                let ts = 0.5 * (q[i] + q_dn[i]);
                let (ms, fs) = if ts >= 0.0 {
                    (q[i], q[i] * v[i])
                } else {
                    (q_dn[i], q_dn[i] * v_dn[i])
                };
                let along = (fs - fn_) / ctx.dy;
                // Through the corners west and east of the face.
                let tw = 0.5 * (xa[i] + xb[i]);
                let vw = if i > 0 { v[i - 1] } else { v[i] };
                let gw = tw * if tw >= 0.0 { vw } else { v[i] };
                let te = 0.5 * (xa[i + 1] + xb[i + 1]);
                let ve = if i + 1 < nc { v[i + 1] } else { v[i] };
                let across = fmax(vw.abs(), fmax(v[i].abs(), ve.abs()));
                bound[i] = fmax(across, fmax(v_up[i].abs(), v_dn[i].abs()));
                let ge = te * if te >= 0.0 { v[i] } else { ve };
                let m = v[i] * ((ms - mn) / ctx.dy + (te - tw) / ctx.dx);
                mass[i] = m;
                out[i] = along + (ge - gw) / ctx.dx - m;
            }
        });
    f.row_umax.iter().fold(0.0f32, |m, &v| fmax(m, v))
}
