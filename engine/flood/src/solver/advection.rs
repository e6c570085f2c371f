//! The convective acceleration of the momentum equation, for [`SolverConfig::advection`]
//! (`super::SolverConfig`): ∂(q·u)/∂x + ∂(q·v)/∂y on every face, from the state at the start of
//! the step, before the time step is chosen. Owns that term and the largest face velocity (the
//! time step then heeds |u| + √(g·h)); never touches the state.
//!
//! The discretisation is first-order upwind and momentum-conserving on the staggered grid, in
//! the manner of Stelling & Duinmeijer (2003): the x-momentum flux through a cell centre is the
//! discharge of the face upstream of it (by the sign of the cell's mean discharge) times that
//! face's velocity, and through a cell corner
//! the mean y-discharge there times the x-velocity of the face on its upstream side (and the same
//! turned by 90° for y faces), so what one face loses its neighbour gains. A face's velocity is
//! its discharge over its flow depth (0 where the face carries nothing), so water at rest, or a
//! lake at rest over any bed, gets exactly zero. Edge faces get no advection; across an open edge
//! the momentum flux outside equals the one inside (zero gradient).
//!
//! The term is handed to the kernel in two parts, as in Stelling & Duinmeijer's velocity form
//! h·∂u/∂t + [∂(q·u*)/∂x − u·∂q/∂x] + u·∂q/∂x: the *velocity part* (the bracket, which moves a
//! face's velocity toward its upwind neighbours') and the *mass part* u·(∂q̄/∂x + ∂p̄/∂y) of the
//! face's own velocity and the discharges its momentum is carried by. With the largest face speed
//! of each face's stencil, this lets the kernel bound the velocity part where a thin face sits
//! beside deep, fast water (`kernel::inertia_bound`); their sum is the term as before.
//!
//! Two passes, each a pure function of the old state per row (rayon over rows), so the result is
//! the same for any thread count: face velocities, then the term. Both run over rows in
//! branch-free runs (selects on values, not addresses, so nothing gathers), compiled for each
//! instruction set like the kernels, with the same bits on all.

use rayon::prelude::*;

use super::kernel::{Isa, dispatch, fmax};
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
    /// The instruction set the passes run with.
    pub isa: Isa,
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

/// Velocities of a run of faces (discharge `q`, bed and depth on the low side `zl`, `hl` and the
/// high side `zr`, `hr`): discharge over flow depth, 0 where the face carries nothing.
#[inline(always)]
fn velocities(
    q: &[f32],
    zl: &[f32],
    hl: &[f32],
    zr: &[f32],
    hr: &[f32],
    h_min: f32,
    u: &mut [f32],
) {
    let n = u.len();
    let (q, zl, hl, zr, hr) = (&q[..n], &zl[..n], &hl[..n], &zr[..n], &hr[..n]);
    for i in 0..n {
        let hf = fmax(zl[i] + hl[i], zr[i] + hr[i]) - fmax(zl[i], zr[i]);
        // IEEE division (the same bits on every instruction set); discarded where the face
        // carries nothing (including hf = 0).
        let v = q[i] / hf;
        u[i] = if hf > h_min { v } else { 0.0 };
    }
}

/// The largest |v| of a run (0 for an empty run), in lanes so it vectorises.
#[inline(always)]
fn run_max_abs(v: &[f32]) -> f32 {
    const L: usize = 16;
    let mut lanes = [0.0f32; L];
    let mut chunks = v.chunks_exact(L);
    for ch in &mut chunks {
        for k in 0..L {
            lanes[k] = fmax(lanes[k], ch[k].abs());
        }
    }
    let mut m = 0.0f32;
    for &x in chunks.remainder() {
        m = fmax(m, x.abs());
    }
    for x in lanes {
        m = fmax(m, x);
    }
    m
}

/// The velocities of x-face row `j` over its active faces; returns their largest |u|.
#[inline(always)]
fn x_velocity_row_body(ctx: &AdvCtx<'_>, j: usize, u: &mut [f32]) -> f32 {
    let nc = ctx.nc;
    let r = x_range(ctx.active[j]);
    if r.is_empty() {
        return 0.0;
    }
    let q = &ctx.qx[j * (nc + 1)..(j + 1) * (nc + 1)];
    let z = &ctx.z[j * nc..(j + 1) * nc];
    let h = &ctx.h[j * nc..(j + 1) * nc];
    // Edge faces (0, nc) take the inside cell on both sides.
    for i in [0, nc] {
        if r.contains(&i) {
            let k = i.min(nc - 1);
            velocities(
                &q[i..=i],
                &z[k..=k],
                &h[k..=k],
                &z[k..=k],
                &h[k..=k],
                ctx.h_min,
                &mut u[i..=i],
            );
        }
    }
    let (a, b) = (r.start.max(1), r.end.min(nc));
    if a < b {
        velocities(
            &q[a..b],
            &z[a - 1..b - 1],
            &h[a - 1..b - 1],
            &z[a..b],
            &h[a..b],
            ctx.h_min,
            &mut u[a..b],
        );
    }
    run_max_abs(&u[r])
}

dispatch! {
    /// The velocities of one x-face row, with the chosen instruction set.
    fn x_velocity_row<'a>(ctx: &AdvCtx<'a>, j: usize, u: &mut [f32]) -> f32 => x_velocity_row_body
}

/// The velocities of y-face row `row` over its active faces; returns their largest |v|.
#[inline(always)]
fn y_velocity_row_body(ctx: &AdvCtx<'_>, row: usize, v: &mut [f32]) -> f32 {
    let (nc, nr) = (ctx.nc, ctx.nr);
    let r = y_range(ctx, row);
    if r.is_empty() {
        return 0.0;
    }
    let q = &ctx.qy[row * nc..(row + 1) * nc];
    let (a, b) = (row.saturating_sub(1) * nc, row.min(nr - 1) * nc);
    let (zl, hl) = (
        &ctx.z[a + r.start..a + r.end],
        &ctx.h[a + r.start..a + r.end],
    );
    let (zr, hr) = (
        &ctx.z[b + r.start..b + r.end],
        &ctx.h[b + r.start..b + r.end],
    );
    velocities(&q[r.clone()], zl, hl, zr, hr, ctx.h_min, &mut v[r.clone()]);
    run_max_abs(&v[r])
}

dispatch! {
    /// The velocities of one y-face row, with the chosen instruction set.
    fn y_velocity_row<'a>(ctx: &AdvCtx<'a>, row: usize, v: &mut [f32]) -> f32 => y_velocity_row_body
}

/// `a` if `c`, else `b`, as a select on the values (a select on the two addresses would make
/// the compiler gather).
#[inline(always)]
fn sel(c: bool, a: f32, b: f32) -> f32 {
    let m = u32::from(c).wrapping_neg();
    f32::from_bits((a.to_bits() & m) | (b.to_bits() & !m))
}

/// The inputs of the x-face term on a run of interior faces, each slice as long as the run:
/// discharges and velocities of the face before (`m`), at (`0`) and after (`p`) along the row,
/// velocities of the faces north (`un`) and south (`us`) of it, and the y discharges of the
/// cells either side on the north (`nl`, `nr`) and south (`sl`, `sr`) face rows.
struct XRun<'a> {
    qm: &'a [f32],
    q0: &'a [f32],
    qp: &'a [f32],
    um: &'a [f32],
    u0: &'a [f32],
    up: &'a [f32],
    un: &'a [f32],
    us: &'a [f32],
    nl: &'a [f32],
    nr: &'a [f32],
    sl: &'a [f32],
    sr: &'a [f32],
}

/// What the term pass writes for a run of faces: the velocity part of the term, its mass part
/// and the speed bound (see [`AdvFields`]).
struct TermOut<'a> {
    term: &'a mut [f32],
    mass: &'a mut [f32],
    bound: &'a mut [f32],
}

/// The x-face term on a run of interior faces (branch-free, so it vectorises).
#[inline(always)]
fn x_terms(x: &XRun<'_>, dx: f32, dy: f32, o: &mut TermOut<'_>) {
    let n = o.term.len();
    let (qm, q0, qp) = (&x.qm[..n], &x.q0[..n], &x.qp[..n]);
    let (um, u0, up, un, us) = (&x.um[..n], &x.u0[..n], &x.up[..n], &x.un[..n], &x.us[..n]);
    let (nl, nr, sl, sr) = (&x.nl[..n], &x.nr[..n], &x.sl[..n], &x.sr[..n]);
    let (term, mass, bound) = (&mut o.term[..n], &mut o.mass[..n], &mut o.bound[..n]);
    for i in 0..n {
        // The discharge carried through the centres of the cells east and west of the face
        // (that of the upwind face) and the x-momentum flux it carries.
        let e = 0.5 * (q0[i] + qp[i]) >= 0.0;
        let (m1, f1) = (sel(e, q0[i], qp[i]), sel(e, q0[i] * u0[i], qp[i] * up[i]));
        let w = 0.5 * (qm[i] + q0[i]) >= 0.0;
        let (m0, f0) = (sel(w, qm[i], q0[i]), sel(w, qm[i] * um[i], q0[i] * u0[i]));
        // Through the corners north and south of the face (y discharge positive southward).
        let tn = 0.5 * (nl[i] + nr[i]);
        let gn = tn * sel(tn >= 0.0, un[i], u0[i]);
        let ts = 0.5 * (sl[i] + sr[i]);
        let gs = ts * sel(ts >= 0.0, u0[i], us[i]);
        let along = fmax(um[i].abs(), fmax(u0[i].abs(), up[i].abs()));
        bound[i] = fmax(along, fmax(un[i].abs(), us[i].abs()));
        let m = u0[i] * ((m1 - m0) / dx + (ts - tn) / dy);
        mass[i] = m;
        term[i] = (f1 - f0) / dx + (gs - gn) / dy - m;
    }
}

/// The term on the active faces of x-face row `j` (`u_up`, `u_dn`: the velocity rows above and
/// below it, itself at the grid's edges).
#[inline(always)]
fn x_term_row_body(ctx: &AdvCtx<'_>, vel: &[f32], j: usize, o: &mut TermOut<'_>) {
    let (nc, nr) = (ctx.nc, ctx.nr);
    let xr = x_range(ctx.active[j]);
    if xr.is_empty() {
        return;
    }
    let at = |row: usize| row * (nc + 1)..(row + 1) * (nc + 1);
    let (q, u) = (&ctx.qx[at(j)], &vel[at(j)]);
    let u_up = &vel[at(j.saturating_sub(1))];
    let u_dn = &vel[at((j + 1).min(nr - 1))];
    let qn = &ctx.qy[j * nc..(j + 1) * nc];
    let qs = &ctx.qy[(j + 1) * nc..(j + 2) * nc];
    for i in [0, nc] {
        if xr.contains(&i) {
            o.term[i] = 0.0;
            o.mass[i] = 0.0;
            o.bound[i] = u[i].abs();
        }
    }
    let (a, b) = (xr.start.max(1), xr.end.min(nc));
    if a >= b {
        return;
    }
    let run = XRun {
        qm: &q[a - 1..b - 1],
        q0: &q[a..b],
        qp: &q[a + 1..b + 1],
        um: &u[a - 1..b - 1],
        u0: &u[a..b],
        up: &u[a + 1..b + 1],
        un: &u_up[a..b],
        us: &u_dn[a..b],
        nl: &qn[a - 1..b - 1],
        nr: &qn[a..b],
        sl: &qs[a - 1..b - 1],
        sr: &qs[a..b],
    };
    let mut out = TermOut {
        term: &mut o.term[a..b],
        mass: &mut o.mass[a..b],
        bound: &mut o.bound[a..b],
    };
    x_terms(&run, ctx.dx, ctx.dy, &mut out);
}

dispatch! {
    /// The term on one x-face row, with the chosen instruction set.
    fn x_term_row<'a>(ctx: &AdvCtx<'a>, vel: &[f32], j: usize, o: &mut TermOut<'_>) -> () => x_term_row_body
}

/// The inputs of the y-face term on a run of faces, each slice as long as the run: discharges
/// and velocities of the face row above (`up`), this one (`0`) and below (`dn`), the velocities
/// of the faces west (`vw`) and east (`ve`) along the row (the face itself at the grid's
/// edges), and the x discharges at the west (`wa`, `wb`) and east (`ea`, `eb`) corners in the
/// cell rows above (`a`) and below (`b`).
struct YRun<'a> {
    q_up: &'a [f32],
    q0: &'a [f32],
    q_dn: &'a [f32],
    v_up: &'a [f32],
    v0: &'a [f32],
    v_dn: &'a [f32],
    vw: &'a [f32],
    ve: &'a [f32],
    wa: &'a [f32],
    wb: &'a [f32],
    ea: &'a [f32],
    eb: &'a [f32],
}

/// The y-face term on a run of faces (branch-free, so it vectorises).
#[inline(always)]
fn y_terms(y: &YRun<'_>, dx: f32, dy: f32, o: &mut TermOut<'_>) {
    let n = o.term.len();
    let (q_up, q, q_dn) = (&y.q_up[..n], &y.q0[..n], &y.q_dn[..n]);
    let (v_up, v, v_dn, vw, ve) = (
        &y.v_up[..n],
        &y.v0[..n],
        &y.v_dn[..n],
        &y.vw[..n],
        &y.ve[..n],
    );
    let (wa, wb, ea, eb) = (&y.wa[..n], &y.wb[..n], &y.ea[..n], &y.eb[..n]);
    let (term, mass, bound) = (&mut o.term[..n], &mut o.mass[..n], &mut o.bound[..n]);
    for i in 0..n {
        // y-momentum flux through the centres of the cells north and south of the face.
        let tn = 0.5 * (q_up[i] + q[i]);
        let north = tn >= 0.0;
        let (mn, fn_) = (
            sel(north, q_up[i], q[i]),
            sel(north, q_up[i] * v_up[i], q[i] * v[i]),
        );
        let ts = 0.5 * (q[i] + q_dn[i]);
        let south = ts >= 0.0;
        let (ms, fs) = (
            sel(south, q[i], q_dn[i]),
            sel(south, q[i] * v[i], q_dn[i] * v_dn[i]),
        );
        let along = (fs - fn_) / dy;
        // Through the corners west and east of the face.
        let tw = 0.5 * (wa[i] + wb[i]);
        let gw = tw * sel(tw >= 0.0, vw[i], v[i]);
        let te = 0.5 * (ea[i] + eb[i]);
        let ge = te * sel(te >= 0.0, v[i], ve[i]);
        let across = fmax(vw[i].abs(), fmax(v[i].abs(), ve[i].abs()));
        bound[i] = fmax(across, fmax(v_up[i].abs(), v_dn[i].abs()));
        let m = v[i] * ((ms - mn) / dy + (te - tw) / dx);
        mass[i] = m;
        term[i] = along + (ge - gw) / dx - m;
    }
}

/// The term on the active faces of y-face row `row` (face row `row` lies between cell rows
/// `row - 1` and `row`).
#[inline(always)]
fn y_term_row_body(ctx: &AdvCtx<'_>, vel: &[f32], row: usize, o: &mut TermOut<'_>) {
    let (nc, nr) = (ctx.nc, ctx.nr);
    let yr = y_range(ctx, row);
    if yr.is_empty() {
        return;
    }
    if row == 0 || row == nr {
        for i in yr {
            o.term[i] = 0.0;
            o.mass[i] = 0.0;
            o.bound[i] = vel[row * nc + i].abs();
        }
        return;
    }
    let at = |r: usize| r * nc..(r + 1) * nc;
    let (v_up, v, v_dn) = (&vel[at(row - 1)], &vel[at(row)], &vel[at(row + 1)]);
    let (q_up, q, q_dn) = (&ctx.qy[at(row - 1)], &ctx.qy[at(row)], &ctx.qy[at(row + 1)]);
    let xa = &ctx.qx[(row - 1) * (nc + 1)..row * (nc + 1)];
    let xb = &ctx.qx[row * (nc + 1)..(row + 1) * (nc + 1)];
    // Runs: the first and last face of the row alone (each its own west or east neighbour at
    // the grid's edge), the faces between them together.
    let rows = YRows {
        q_up,
        q,
        q_dn,
        v_up,
        v,
        v_dn,
        xa,
        xb,
    };
    let (lo, hi) = (yr.start, yr.end);
    let (a, b) = (lo.max(1), hi.min(nc - 1));
    if lo == 0 {
        let e = if nc > 1 { 1..2 } else { 0..1 };
        y_run(ctx, &rows, 0, 1, 0..1, e, o);
    }
    if a < b {
        y_run(ctx, &rows, a, b, a - 1..b - 1, a + 1..b + 1, o);
    }
    if hi == nc && nc > 1 {
        y_run(ctx, &rows, nc - 1, nc, nc - 2..nc - 1, nc - 1..nc, o);
    }
}

/// The rows a y-face row's term reads (see [`YRun`]; `xa`, `xb`: the x discharges of the cell
/// rows above and below).
struct YRows<'a> {
    q_up: &'a [f32],
    q: &'a [f32],
    q_dn: &'a [f32],
    v_up: &'a [f32],
    v: &'a [f32],
    v_dn: &'a [f32],
    xa: &'a [f32],
    xb: &'a [f32],
}

/// The term on the y faces `a..b` of a row whose west and east neighbours are the faces `w` and
/// `e`.
#[inline(always)]
fn y_run(
    ctx: &AdvCtx<'_>,
    r: &YRows<'_>,
    a: usize,
    b: usize,
    w: std::ops::Range<usize>,
    e: std::ops::Range<usize>,
    o: &mut TermOut<'_>,
) {
    let y = YRun {
        q_up: &r.q_up[a..b],
        q0: &r.q[a..b],
        q_dn: &r.q_dn[a..b],
        v_up: &r.v_up[a..b],
        v0: &r.v[a..b],
        v_dn: &r.v_dn[a..b],
        vw: &r.v[w],
        ve: &r.v[e],
        wa: &r.xa[a..b],
        wb: &r.xb[a..b],
        ea: &r.xa[a + 1..b + 1],
        eb: &r.xb[a + 1..b + 1],
    };
    let mut out = TermOut {
        term: &mut o.term[a..b],
        mass: &mut o.mass[a..b],
        bound: &mut o.bound[a..b],
    };
    y_terms(&y, ctx.dx, ctx.dy, &mut out);
}

dispatch! {
    /// The term on one y-face row, with the chosen instruction set.
    fn y_term_row<'a>(ctx: &AdvCtx<'a>, vel: &[f32], row: usize, o: &mut TermOut<'_>) -> () => y_term_row_body
}

/// Computes the face velocities and the advection term of every active face; returns the largest
/// face speed, m/s.
pub(super) fn compute(ctx: &AdvCtx<'_>, f: &mut AdvFields) -> f32 {
    let (nc, nr, isa) = (ctx.nc, ctx.nr, ctx.isa);
    let (umax_x, umax_y) = f.row_umax.split_at_mut(nr);
    // Velocities: x faces per row, y faces per face row.
    f.ux.par_chunks_mut(nc + 1)
        .zip(umax_x.par_iter_mut())
        .enumerate()
        .for_each(|(j, (u, m))| *m = x_velocity_row(isa, ctx, j, u));
    f.vy.par_chunks_mut(nc)
        .zip(umax_y.par_iter_mut())
        .enumerate()
        .for_each(|(row, (v, m))| *m = y_velocity_row(isa, ctx, row, v));
    let (ux, vy) = (&f.ux, &f.vy);
    f.ax.par_chunks_mut(nc + 1)
        .zip(f.mx.par_chunks_mut(nc + 1))
        .zip(f.bx.par_chunks_mut(nc + 1))
        .enumerate()
        .for_each(|(j, ((term, mass), bound))| {
            x_term_row(isa, ctx, ux, j, &mut TermOut { term, mass, bound });
        });
    f.ay.par_chunks_mut(nc)
        .zip(f.my.par_chunks_mut(nc))
        .zip(f.by.par_chunks_mut(nc))
        .enumerate()
        .for_each(|(row, ((term, mass), bound))| {
            y_term_row(isa, ctx, vy, row, &mut TermOut { term, mass, bound });
        });
    f.row_umax.iter().fold(0.0f32, |m, &v| fmax(m, v))
}
