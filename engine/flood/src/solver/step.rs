//! One time step over the grid in bands of rows, in parallel and with the same bits for any
//! thread count. Owns the data layout and the order of work; the arithmetic is in `kernel` and
//! `boundary`.
//!
//! Layout: cell arrays are row-major (`nrows × ncols`, row 0 north). `qx` holds `ncols + 1` faces
//! per row (face `i` lies west of cell `i`; faces 0 and `ncols` are the west and east edges); `qy`
//! holds `nrows + 1` face rows of `ncols` (face row `j` lies north of cell row `j`; rows 0 and
//! `nrows` are the north and south edges). Positive discharge flows east or south.
//!
//! One pass streams through the rows of a band, 512 columns (a chunk) at a time so the dozen
//! rows of data a chunk touches stay in L1, and runs one row behind itself because the outflow
//! limiter needs every face of a cell before the cell is updated. On each chunk it does stage A
//! of row `j`: the x faces of row `j` and the y faces between rows `j` and `j + 1`, raw, then a
//! cheap test whether any cell of the chunk gives more than it holds; only where one does (at
//! thin, fast fronts: rarely) it works out the chunk's outflow scale and flags the chunk. Then
//! stage B of row `j − 1` on the same chunk: it limits the faces around flagged chunks (a face
//! at a chunk edge looks at the flag of the chunk its donor lies in) and updates the depths of
//! row `j − 1`, whose faces are all final by then. The scale lives in a ring of two rows per band
//! (1 except in flagged chunks, which are put back to 1 before the slot is reused), so the
//! limiter adds no plane to the memory traffic and, where nothing is limited, only the test to
//! the arithmetic. Each array is read and written once per step. The discharges are double
//! buffered: a step reads the old ones from one buffer and writes the new ones to the other (the
//! two swap after the step), so the θ term finds its old neighbours without saving them first —
//! copying each row aside cost about a tenth of a step. A band cannot compute the face row on
//! its top edge (the band above updates those depths concurrently), so those rows — and the two
//! domain edges — are computed first from the old state into separate buffers ("edge rows"),
//! with the raw faces and outflow scales of the cell rows either side of them so they can be
//! limited (the bands copy those faces rather than compute them again), and copied in after
//! all bands finish. Every face is therefore computed and limited
//! from the same old values whatever the banding, which is why the result does not depend on
//! the thread count (nor on the chunking: the scale is exact, and 1 where nothing is limited).
//!
//! Rows have an active span of columns: the cells within one cell of a cell that has ever been
//! wet (or of an inflow or a stage boundary). Cells outside it are dry and cannot wet in this
//! step, and faces outside it have never carried water, so they are skipped: a mostly dry
//! floodplain costs little. Spans only grow, which keeps that invariant trivially true.

use rayon::prelude::*;

use super::boundary::{EdgeCell, EdgeEnv, edge_face};
use super::kernel::{
    Adv, CellCoef, CellFaces, CellN2, FaceCoef, FaceRun, NoAdv, Trackers, UniformN2, cells,
    dispatch, faces, limit_faces, outflow_exceeds, outflow_scale, run_max,
};

/// A half-open run of columns `lo..hi` (empty when `lo >= hi`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Span {
    pub lo: u32,
    pub hi: u32,
}

impl Span {
    pub const EMPTY: Span = Span { lo: 0, hi: 0 };

    pub fn is_empty(self) -> bool {
        self.lo >= self.hi
    }

    pub fn union(self, o: Span) -> Span {
        if self.is_empty() {
            o
        } else if o.is_empty() {
            self
        } else {
            Span {
                lo: self.lo.min(o.lo),
                hi: self.hi.max(o.hi),
            }
        }
    }

    pub fn with(self, col: usize) -> Span {
        self.union(Span {
            lo: col as u32,
            hi: col as u32 + 1,
        })
    }

    /// Grown by one column each side, within `0..ncols`.
    pub fn dilate(self, ncols: usize) -> Span {
        if self.is_empty() {
            self
        } else {
            Span {
                lo: self.lo.saturating_sub(1),
                hi: (self.hi + 1).min(ncols as u32),
            }
        }
    }

    fn range(self) -> std::ops::Range<usize> {
        if self.is_empty() {
            0..0
        } else {
            self.lo as usize..self.hi as usize
        }
    }
}

/// Everything a step reads and nobody writes during it.
pub(super) struct StepCtx<'a> {
    pub nc: usize,
    pub nr: usize,
    pub z: &'a [f32],
    /// Manning n² per cell, or `None` for `n2_uniform` everywhere.
    pub n2: Option<&'a [f32]>,
    pub n2_uniform: f32,
    /// Active span of each row.
    pub active: &'a [Span],
    pub xc: FaceCoef,
    pub yc: FaceCoef,
    pub cell: CellCoef,
    pub west: &'a [EdgeCell],
    pub east: &'a [EdgeCell],
    pub north: &'a [EdgeCell],
    pub south: &'a [EdgeCell],
    pub env: EdgeEnv<'a>,
    pub track: bool,
    /// The advection term and the speed bound of every x face and y face (each laid out like
    /// `qx`, `qy`), when the convective acceleration is on.
    pub adv_x: Option<AdvRows<'a>>,
    pub adv_y: Option<AdvRows<'a>>,
}

/// The advection pass's output for one direction, each laid out like that direction's faces:
/// the velocity part of the convective term, its mass part, and the speed bound.
#[derive(Clone, Copy)]
pub(super) struct AdvRows<'a> {
    pub term: &'a [f32],
    pub mass: &'a [f32],
    pub speed: &'a [f32],
}

impl<'a> AdvRows<'a> {
    /// The faces `r` of each.
    fn at(&self, r: std::ops::Range<usize>) -> Adv<'a> {
        Adv {
            term: &self.term[r.clone()],
            mass: &self.mass[r.clone()],
            speed: &self.speed[r],
        }
    }
}

/// The momentum update of a run of faces with the roughness (per cell, or `n2u` everywhere) and
/// advection (or none) chosen once per run, so each combination compiles to its own loop.
#[inline(always)]
fn face_run(
    c: &FaceCoef,
    run: &FaceRun<'_>,
    n2: Option<CellN2<'_>>,
    n2u: f32,
    adv: Option<Adv<'_>>,
    out: &mut [f32],
) {
    match (n2, adv) {
        (Some(n2), Some(a)) => faces(c, run, n2, a, out),
        (Some(n2), None) => faces(c, run, n2, NoAdv, out),
        (None, Some(a)) => faces(c, run, UniformN2(n2u), a, out),
        (None, None) => faces(c, run, UniformN2(n2u), NoAdv, out),
    }
}

impl StepCtx<'_> {
    fn n2_cell(&self, k: usize) -> f32 {
        self.n2
            .and_then(|v| v.get(k).copied())
            .unwrap_or(self.n2_uniform)
    }
}

/// The rows `j0..j1` of one band, and the two edge rows around it.
pub(super) struct BandWork<'a> {
    pub j0: usize,
    pub j1: usize,
    pub h: &'a mut [f32],
    /// The band's x faces before the step, and after it (written here).
    pub qx_old: &'a [f32],
    pub qx: &'a mut [f32],
    /// Every y face before the step (all rows: the θ term reads across band edges).
    pub qy_old: &'a [f32],
    /// Face rows `j0 + 1 .. j1` after the step (written here).
    pub qy_inner: &'a mut [f32],
    /// Face rows `j0` and `j1` (the edge rows, computed before the bands): raw, for the outflow
    /// of the band's first and last rows, and limited, the discharges after the step.
    pub top: &'a EdgeRow,
    pub bot: &'a EdgeRow,
    /// Outflow scale of two rows (row `j` in slot `j % 2`): 1 except in flagged chunks, and
    /// there 1 outside the row's active span.
    pub scale: &'a mut [f32],
    /// Per slot and chunk: whether some cell of the chunk is limited (its scale below 1).
    pub limited: Vec<bool>,
    /// Chunks per row.
    pub nch: usize,
    pub hmax: &'a mut [f32],
    pub v2max: &'a mut [f32],
    pub arrival: &'a mut [f32],
    pub wet: &'a mut [Span],
    pub row_hmax: &'a mut [f32],
}

/// One face row between bands (or on the north or south edge of the domain), computed from the
/// old state before the bands run, with what it takes to limit it: the raw discharges of the
/// face rows above and below it and of the x faces of the cell rows either side, and the outflow
/// scale of those two cell rows.
#[derive(Debug, Clone, Default)]
pub(super) struct EdgeRow {
    /// The face row as the momentum update gives it.
    pub raw: Vec<f32>,
    /// The face row after the outflow limiter: the discharges after the step.
    pub lim: Vec<f32>,
    y_up: Vec<f32>,
    y_dn: Vec<f32>,
    x_up: Vec<f32>,
    x_dn: Vec<f32>,
    s_up: Vec<f32>,
    s_dn: Vec<f32>,
}

impl EdgeRow {
    pub fn new(nc: usize) -> EdgeRow {
        EdgeRow {
            raw: vec![0.0; nc],
            lim: vec![0.0; nc],
            y_up: vec![0.0; nc],
            y_dn: vec![0.0; nc],
            x_up: vec![0.0; nc + 1],
            x_dn: vec![0.0; nc + 1],
            s_up: vec![1.0; nc],
            s_dn: vec![1.0; nc],
        }
    }
}

/// Computes face row `f` (raw) from the old state (`h`, `qy`) into `out`.
#[inline(always)]
fn y_row(ctx: &StepCtx<'_>, h: &[f32], qy: &[f32], f: usize, out: &mut [f32]) {
    let nc = ctx.nc;
    out.copy_from_slice(&qy[f * nc..(f + 1) * nc]);
    if f == 0 || f == ctx.nr {
        let (j, kinds, outward) = if f == 0 {
            (0, ctx.north, -1.0)
        } else {
            (ctx.nr - 1, ctx.south, 1.0)
        };
        for i in ctx.active[j].range() {
            let k = j * nc + i;
            out[i] = edge_face(
                kinds[i],
                outward,
                ctx.z[k],
                h[k],
                out[i],
                ctx.n2_cell(k),
                &ctx.yc,
                &ctx.env,
            );
        }
        return;
    }
    let u = ctx.active[f - 1].union(ctx.active[f]).range();
    let at = |row: usize| row * nc + u.start..row * nc + u.end;
    let run = FaceRun {
        zl: &ctx.z[at(f - 1)],
        zr: &ctx.z[at(f)],
        hl: &h[at(f - 1)],
        hr: &h[at(f)],
        qm: &qy[at(f - 1)],
        q0: &qy[at(f)],
        qp: &qy[at(f + 1)],
    };
    let o = &mut out[u.clone()];
    let n2 = ctx.n2.map(|n2| CellN2 {
        l: &n2[at(f - 1)],
        r: &n2[at(f)],
    });
    let adv = ctx.adv_y.map(|a| a.at(at(f)));
    face_run(&ctx.yc, &run, n2, ctx.n2_uniform, adv, o);
}

/// The x faces of row `j` that its active span needs (`lo..=hi`; faces 0 and `ncols` are
/// edges), raw, from the row's depths `h` and old discharges `old` into `q`.
#[inline(always)]
fn x_row(ctx: &StepCtx<'_>, j: usize, h: &[f32], old: &[f32], q: &mut [f32]) {
    let a = ctx.active[j];
    if a.is_empty() {
        return;
    }
    x_faces(ctx, j, h, old, q, a.lo as usize, a.hi as usize);
}

/// The x faces `fa..=fb` of row `j` (faces 0 and `ncols` are edges), raw, from the row's depths
/// `h` and old discharges `old` into `q`.
#[inline(always)]
fn x_faces(
    ctx: &StepCtx<'_>,
    j: usize,
    h: &[f32],
    old: &[f32],
    q: &mut [f32],
    fa: usize,
    fb: usize,
) {
    let nc = ctx.nc;
    let z = &ctx.z[j * nc..(j + 1) * nc];
    // Interior faces ia..ib (face i lies between cells i - 1 and i).
    let ia = fa.max(1);
    let ib = (fb + 1).min(nc);
    if ia < ib {
        let run = FaceRun {
            zl: &z[ia - 1..ib - 1],
            zr: &z[ia..ib],
            hl: &h[ia - 1..ib - 1],
            hr: &h[ia..ib],
            qm: &old[ia - 1..ib - 1],
            q0: &old[ia..ib],
            qp: &old[ia + 1..ib + 1],
        };
        let n2 = ctx.n2.map(|n2| {
            let n2 = &n2[j * nc..(j + 1) * nc];
            CellN2 {
                l: &n2[ia - 1..ib - 1],
                r: &n2[ia..ib],
            }
        });
        let adv = ctx
            .adv_x
            .map(|a| a.at(j * (nc + 1) + ia..j * (nc + 1) + ib));
        face_run(&ctx.xc, &run, n2, ctx.n2_uniform, adv, &mut q[ia..ib]);
    }
    if fa == 0 {
        q[0] = edge_face(
            ctx.west[j],
            -1.0,
            z[0],
            h[0],
            old[0],
            ctx.n2_cell(j * nc),
            &ctx.xc,
            &ctx.env,
        );
    }
    if fb == nc {
        q[nc] = edge_face(
            ctx.east[j],
            1.0,
            z[nc - 1],
            h[nc - 1],
            old[nc],
            ctx.n2_cell(j * nc + nc - 1),
            &ctx.xc,
            &ctx.env,
        );
    }
}

/// The outflow scale of the active cells of row `j` from its depths `h`, its x faces `qx` and
/// the face rows north and south of it (all raw), into `s` (the row's scale; others untouched).
#[inline(always)]
fn scale_row(
    ctx: &StepCtx<'_>,
    j: usize,
    h: &[f32],
    qx: &[f32],
    north: &[f32],
    south: &[f32],
    s: &mut [f32],
) {
    let r = ctx.active[j].range();
    if r.is_empty() {
        return;
    }
    let faces = CellFaces {
        qw: &qx[r.start..r.end],
        qe: &qx[r.start + 1..r.end + 1],
        qn: &north[r.clone()],
        qs: &south[r.clone()],
    };
    outflow_scale(&ctx.cell, &h[r.clone()], &faces, &mut s[r]);
}

/// Limits the x faces `fa..=fb` of row `j` (as `x_faces` left them) with the row's outflow
/// scale `s`.
#[inline(always)]
fn limit_x_faces(ctx: &StepCtx<'_>, s: &[f32], q: &mut [f32], fa: usize, fb: usize) {
    let nc = ctx.nc;
    let ia = fa.max(1);
    let ib = (fb + 1).min(nc);
    if ia < ib {
        limit_faces(&mut q[ia..ib], &s[ia - 1..ib - 1], &s[ia..ib]);
    }
    // Edge faces: the outside gives without limit.
    if fa == 0 && q[0] < 0.0 {
        q[0] *= s[0];
    }
    if fb == nc && q[nc] > 0.0 {
        q[nc] *= s[nc - 1];
    }
}

/// The columns of face row `f` that the step computes.
fn y_span(ctx: &StepCtx<'_>, f: usize) -> std::ops::Range<usize> {
    if f == 0 {
        ctx.active[0].range()
    } else if f == ctx.nr {
        ctx.active[ctx.nr - 1].range()
    } else {
        ctx.active[f - 1].union(ctx.active[f]).range()
    }
}

/// Face row `f` between bands (or on the domain's north or south edge), raw and limited, from
/// the old state.
#[inline(always)]
fn edge_row_body(ctx: &StepCtx<'_>, h: &[f32], qx: &[f32], qy: &[f32], f: usize, e: &mut EdgeRow) {
    let (nc, nr) = (ctx.nc, ctx.nr);
    y_row(ctx, h, qy, f, &mut e.raw);
    let xr = |j: usize| j * (nc + 1)..(j + 1) * (nc + 1);
    let hr = |j: usize| j * nc..(j + 1) * nc;
    e.s_up.fill(1.0);
    e.s_dn.fill(1.0);
    if f > 0 {
        let j = f - 1;
        y_row(ctx, h, qy, f - 1, &mut e.y_up);
        e.x_up.copy_from_slice(&qx[xr(j)]);
        x_row(ctx, j, &h[hr(j)], &qx[xr(j)], &mut e.x_up);
        scale_row(ctx, j, &h[hr(j)], &e.x_up, &e.y_up, &e.raw, &mut e.s_up);
    }
    if f < nr {
        let j = f;
        y_row(ctx, h, qy, f + 1, &mut e.y_dn);
        e.x_dn.copy_from_slice(&qx[xr(j)]);
        x_row(ctx, j, &h[hr(j)], &qx[xr(j)], &mut e.x_dn);
        scale_row(ctx, j, &h[hr(j)], &e.x_dn, &e.raw, &e.y_dn, &mut e.s_dn);
    }
    e.lim.copy_from_slice(&e.raw);
    let u = y_span(ctx, f);
    limit_faces(&mut e.lim[u.clone()], &e.s_up[u.clone()], &e.s_dn[u]);
}

dispatch! {
    /// One edge row, with the chosen instruction set.
    pub(super) fn edge_row<'a>(ctx: &StepCtx<'a>, h: &[f32], qx: &[f32], qy: &[f32], f: usize, e: &mut EdgeRow) -> () => edge_row_body
}

/// Columns handled together, so the dozen rows of data a chunk touches stay in L1. Chunks are
/// aligned to multiples of `CHUNK` (the limiter's flags are per chunk).
const CHUNK: usize = 512;

/// The columns of chunk `c`.
#[inline(always)]
fn chunk_cols(nc: usize, c: usize) -> (usize, usize) {
    (c * CHUNK, ((c + 1) * CHUNK).min(nc))
}

/// Stage A of row `j` (local row `r`) on the columns `c0..c1` of chunk `c`: its x faces and,
/// inside the band, the y faces south of it, raw; then, where some cell's outflow exceeds its
/// water, its outflow scale (elsewhere the scale stays 1 and the chunk is not flagged).
#[inline(always)]
fn stage_a(ctx: &StepCtx<'_>, w: &mut BandWork<'_>, j: usize, r: usize, c: usize) {
    let nc = ctx.nc;
    let (c0, c1) = chunk_cols(nc, c);
    let a = ctx.active[j];
    let (d0, d1) = (c0.max(a.lo as usize), c1.min(a.hi as usize));
    // The edge rows computed the x faces of the band's first and last rows, and the y faces
    // next to them, from the same old state with the same arithmetic: they are copied.
    if d0 < d1 {
        let fa = if d0 == a.lo as usize { d0 } else { d0 + 1 };
        let q = &mut w.qx[r * (nc + 1)..(r + 1) * (nc + 1)];
        if j == w.j0 {
            q[fa..=d1].copy_from_slice(&w.top.x_dn[fa..=d1]);
        } else if j + 1 == w.j1 {
            q[fa..=d1].copy_from_slice(&w.bot.x_up[fa..=d1]);
        } else {
            let h = &w.h[r * nc..(r + 1) * nc];
            let old = &w.qx_old[r * (nc + 1)..(r + 1) * (nc + 1)];
            x_faces(ctx, j, h, old, q, fa, d1);
        }
    }
    if j + 1 < w.j1 {
        let u = ctx.active[j].union(ctx.active[j + 1]);
        let (u0, u1) = (c0.max(u.lo as usize), c1.min(u.hi as usize));
        if !u.is_empty() && u0 < u1 {
            let fi = j - w.j0;
            let q = &mut w.qy_inner[fi * nc + u0..fi * nc + u1];
            if j == w.j0 {
                q.copy_from_slice(&w.top.y_dn[u0..u1]);
            } else if j + 2 == w.j1 {
                q.copy_from_slice(&w.bot.y_up[u0..u1]);
            } else {
                y_faces(ctx, w, j, r, u0, u1);
            }
        }
    }
    if d0 >= d1 {
        return;
    }
    let north: &[f32] = if j == w.j0 {
        &w.top.raw
    } else {
        let fi = j - w.j0 - 1;
        &w.qy_inner[fi * nc..(fi + 1) * nc]
    };
    let south: &[f32] = if j + 1 == w.j1 {
        &w.bot.raw
    } else {
        let fi = j - w.j0;
        &w.qy_inner[fi * nc..(fi + 1) * nc]
    };
    let qx = &w.qx[r * (nc + 1)..(r + 1) * (nc + 1)];
    let faces = CellFaces {
        qw: &qx[d0..d1],
        qe: &qx[d0 + 1..d1 + 1],
        qn: &north[d0..d1],
        qs: &south[d0..d1],
    };
    let h = &w.h[r * nc + d0..r * nc + d1];
    if outflow_exceeds(&ctx.cell, h, &faces) {
        let slot = j & 1;
        let s = &mut w.scale[slot * nc + d0..slot * nc + d1];
        outflow_scale(&ctx.cell, h, &faces, s);
        w.limited[slot * w.nch + c] = true;
    }
}

/// The y faces `c0..c1` between rows `j` and `j + 1`, both inside the band (raw).
#[inline(always)]
fn y_faces(ctx: &StepCtx<'_>, w: &mut BandWork<'_>, j: usize, r: usize, c0: usize, c1: usize) {
    let nc = ctx.nc;
    let fi = j - w.j0; // inner index of face row j + 1
    let this = &mut w.qy_inner[fi * nc..(fi + 1) * nc];
    let old = |f: usize| &w.qy_old[f * nc..(f + 1) * nc];
    let (above, cur, below) = (old(j), old(j + 1), old(j + 2));
    let (up, dn) = (r * nc, (r + 1) * nc);
    let (zu, zd) = (j * nc, (j + 1) * nc);
    let run = FaceRun {
        zl: &ctx.z[zu + c0..zu + c1],
        zr: &ctx.z[zd + c0..zd + c1],
        hl: &w.h[up + c0..up + c1],
        hr: &w.h[dn + c0..dn + c1],
        qm: &above[c0..c1],
        q0: &cur[c0..c1],
        qp: &below[c0..c1],
    };
    let out = &mut this[c0..c1];
    let n2 = ctx.n2.map(|n2| CellN2 {
        l: &n2[zu + c0..zu + c1],
        r: &n2[zd + c0..zd + c1],
    });
    let adv = ctx.adv_y.map(|a| a.at(zd + c0..zd + c1));
    face_run(&ctx.yc, &run, n2, ctx.n2_uniform, adv, out);
}

/// Stage B of row `j` (local row `r`) on the columns of chunk `c`, once the outflow scale of
/// row `j + 1` is known there: limits its x faces and the y faces south of it (only where a
/// donor is flagged), then updates its depths (and trackers) over its active span; returns
/// their largest depth.
#[inline(always)]
fn stage_b<const TRACK: bool>(
    ctx: &StepCtx<'_>,
    w: &mut BandWork<'_>,
    j: usize,
    r: usize,
    c: usize,
) -> f32 {
    let nc = ctx.nc;
    let nch = w.nch;
    let (c0, c1) = chunk_cols(nc, c);
    let a = ctx.active[j];
    let (d0, d1) = (c0.max(a.lo as usize), c1.min(a.hi as usize));
    let (this, next) = ((j & 1) * nch, ((j + 1) & 1) * nch);
    if d0 < d1 {
        // The faces fa..=d1 give from the cells of this chunk and from cell d1, the first of
        // the next chunk (face fa = d0 gives from cell d0 - 1 only at the start of the active
        // span, and a cell outside it is never limited).
        let lim = &w.limited;
        let flagged = lim[this + c] || (c + 1 < nch && lim[this + c + 1]);
        if flagged {
            let fa = if d0 == a.lo as usize { d0 } else { d0 + 1 };
            let slot = j & 1;
            let s = &w.scale[slot * nc..(slot + 1) * nc];
            let q = &mut w.qx[r * (nc + 1)..(r + 1) * (nc + 1)];
            limit_x_faces(ctx, s, q, fa, d1);
        }
    }
    if j + 1 < w.j1 && (w.limited[this + c] || w.limited[next + c]) {
        let u = ctx.active[j].union(ctx.active[j + 1]);
        let (u0, u1) = (c0.max(u.lo as usize), c1.min(u.hi as usize));
        if !u.is_empty() && u0 < u1 {
            let fi = j - w.j0;
            let q = &mut w.qy_inner[fi * nc + u0..fi * nc + u1];
            let (su, sd) = ((j & 1) * nc, ((j + 1) & 1) * nc);
            let su = &w.scale[su + u0..su + u1];
            let sd = &w.scale[sd + u0..sd + u1];
            limit_faces(q, su, sd);
        }
    }
    if d0 >= d1 {
        return 0.0;
    }
    let north: &[f32] = if j == w.j0 {
        &w.top.lim
    } else {
        let fi = j - w.j0 - 1;
        &w.qy_inner[fi * nc..(fi + 1) * nc]
    };
    let south: &[f32] = if j + 1 == w.j1 {
        &w.bot.lim
    } else {
        let fi = j - w.j0;
        &w.qy_inner[fi * nc..(fi + 1) * nc]
    };
    let qx = &w.qx[r * (nc + 1)..(r + 1) * (nc + 1)];
    let h = &mut w.h[r * nc + d0..r * nc + d1];
    let faces = CellFaces {
        qw: &qx[d0..d1],
        qe: &qx[d0 + 1..d1 + 1],
        qn: &north[d0..d1],
        qs: &south[d0..d1],
    };
    if TRACK {
        let cells_at = r * nc + d0..r * nc + d1;
        let mut t = Trackers {
            hmax: &mut w.hmax[cells_at.clone()],
            v2max: &mut w.v2max[cells_at.clone()],
            arrival: &mut w.arrival[cells_at],
        };
        cells::<true>(&ctx.cell, h, &faces, &mut t);
    } else {
        let mut t = Trackers {
            hmax: &mut [],
            v2max: &mut [],
            arrival: &mut [],
        };
        cells::<false>(&ctx.cell, h, &faces, &mut t);
    }
    run_max(h)
}

/// Grows the wet span of row `j` with the cells of its active span wet now.
#[inline(always)]
fn grow_wet(ctx: &StepCtx<'_>, w: &mut BandWork<'_>, j: usize, r: usize) {
    let nc = ctx.nc;
    let a = ctx.active[j];
    let (lo, hi) = (a.lo as usize, a.hi as usize);
    let h = &w.h[r * nc..(r + 1) * nc];
    let wet = w.wet[r];
    let (wl, wh) = if wet.is_empty() {
        (hi, lo)
    } else {
        (wet.lo as usize, wet.hi as usize)
    };
    let mut span = wet;
    if let Some(i) = (lo..wl.min(hi)).find(|&i| h[i] > 0.0) {
        span = span.with(i);
    }
    if let Some(i) = (wh.max(lo)..hi).rev().find(|&i| h[i] > 0.0) {
        span = span.with(i);
    }
    w.wet[r] = span;
}

/// The chunks that cover `span` (empty range for an empty span).
#[inline(always)]
fn chunks_of(span: Span) -> std::ops::Range<usize> {
    if span.is_empty() {
        0..0
    } else {
        span.lo as usize / CHUNK..(span.hi as usize).div_ceil(CHUNK)
    }
}

/// The bookkeeping of row `j` once stage B has run over all its chunks (largest depth
/// `hmax`); returns the cells updated.
#[inline(always)]
fn finish_row(ctx: &StepCtx<'_>, w: &mut BandWork<'_>, j: usize, hmax: f32) -> usize {
    let r = j - w.j0;
    w.row_hmax[r] = hmax;
    let a = ctx.active[j];
    if a.is_empty() {
        return 0;
    }
    grow_wet(ctx, w, j, r);
    (a.hi - a.lo) as usize
}

/// Puts the outflow scale of the flagged chunks of the ring slot of row `j` back to 1 (the
/// row two above, which used the slot, is finished).
#[inline(always)]
fn clear_slot(w: &mut BandWork<'_>, nc: usize, j: usize) {
    let slot = j & 1;
    for c in 0..w.nch {
        if std::mem::take(&mut w.limited[slot * w.nch + c]) {
            let (c0, c1) = chunk_cols(nc, c);
            w.scale[slot * nc + c0..slot * nc + c1].fill(1.0);
        }
    }
}

/// The band's rows, pipelined one row apart and chunk by chunk: the faces and outflow scale of
/// row `j` on a chunk, then the limiting and continuity update of row `j − 1` on the same
/// chunk (which needs the scale of row `j` there, and of row `j − 1` on all its chunks).
#[inline(always)]
fn band_rows<const TRACK: bool>(ctx: &StepCtx<'_>, w: &mut BandWork<'_>) -> u64 {
    let nc = ctx.nc;
    w.scale.fill(1.0);
    w.limited.fill(false);
    let mut updated = 0u64;
    for j in w.j0..w.j1 {
        let r = j - w.j0;
        clear_slot(w, nc, j);
        let mut span = ctx.active[j];
        if j > w.j0 {
            span = span.union(ctx.active[j - 1]);
        }
        if j + 1 < w.j1 {
            span = span.union(ctx.active[j + 1]);
        }
        let mut hmax = 0.0f32;
        for c in chunks_of(span) {
            stage_a(ctx, w, j, r, c);
            if j > w.j0 {
                hmax = hmax.max(stage_b::<TRACK>(ctx, w, j - 1, r - 1, c));
            }
        }
        if j > w.j0 {
            updated += finish_row(ctx, w, j - 1, hmax) as u64;
        }
    }
    let j = w.j1 - 1;
    let mut hmax = 0.0f32;
    for c in chunks_of(ctx.active[j]) {
        hmax = hmax.max(stage_b::<TRACK>(ctx, w, j, j - w.j0, c));
    }
    updated += finish_row(ctx, w, j, hmax) as u64;
    updated
}

#[inline(always)]
fn band_body(ctx: &StepCtx<'_>, w: &mut BandWork<'_>) -> u64 {
    if ctx.track {
        band_rows::<true>(ctx, w)
    } else {
        band_rows::<false>(ctx, w)
    }
}

dispatch! {
    /// One band, with the chosen instruction set; returns the cells updated.
    pub(super) fn band<'a>(ctx: &StepCtx<'a>, w: &mut BandWork<'a>) -> u64 => band_body
}

/// Row ranges of the bands for `threads` workers: about eight bands per worker (so a worker
/// that finishes early takes another), at least four rows each; one band on one worker (each
/// band edge costs an edge row, which computes the faces and outflow scales of the rows either
/// side of it again).
pub(super) fn bands(nr: usize, threads: usize) -> Vec<(usize, usize)> {
    let per = if threads <= 1 {
        nr.max(1)
    } else {
        nr.div_ceil(threads * 8).max(4)
    };
    (0..nr)
        .step_by(per)
        .map(|j0| (j0, (j0 + per).min(nr)))
        .collect()
}

/// The state a step splits into bands: the discharges before the step (read anywhere) and the
/// arrays it writes (`qx`, `qy` are the other buffers of each pair; the edge rows of `qy` are
/// written by the caller).
pub(super) struct Fields<'a> {
    pub h: &'a mut [f32],
    pub qx_old: &'a [f32],
    pub qy_old: &'a [f32],
    pub qx: &'a mut [f32],
    pub qy: &'a mut [f32],
    pub hmax: &'a mut [f32],
    pub v2max: &'a mut [f32],
    pub arrival: &'a mut [f32],
    pub wet: &'a mut [Span],
    pub row_hmax: &'a mut [f32],
    pub scale: &'a mut [f32],
}

/// The first `n` values of `rest`, leaving the others in it.
fn take<'a>(rest: &mut &'a mut [f32], n: usize) -> &'a mut [f32] {
    let (a, b) = std::mem::take(rest).split_at_mut(n);
    *rest = b;
    a
}

/// Runs the bands in parallel (edge rows already in `edge_rows`). Returns the cells updated.
pub(super) fn run_bands(
    isa: super::kernel::Isa,
    ctx: &StepCtx<'_>,
    bands: &[(usize, usize)],
    f: Fields<'_>,
    edge_rows: &[EdgeRow],
    track: bool,
) -> u64 {
    let nc = ctx.nc;
    let Fields {
        mut h,
        qx_old,
        qy_old,
        mut qx,
        mut qy,
        mut hmax,
        mut v2max,
        mut arrival,
        mut wet,
        mut row_hmax,
        mut scale,
    } = f;
    let nch = nc.div_ceil(CHUNK);
    let mut works = Vec::with_capacity(bands.len());
    // Face row 0 is an edge row; each band then owns its inner face rows, and the row below it
    // is the next edge row.
    take(&mut qy, nc);
    for (k, &(j0, j1)) in bands.iter().enumerate() {
        let rows = j1 - j0;
        let cells = if track { rows * nc } else { 0 };
        let (w0, w1) = std::mem::take(&mut wet).split_at_mut(rows);
        wet = w1;
        let (m0, m1) = std::mem::take(&mut row_hmax).split_at_mut(rows);
        row_hmax = m1;
        let inner = take(&mut qy, (rows - 1) * nc);
        take(&mut qy, nc);
        let (Some(top), Some(bot)) = (edge_rows.get(k), edge_rows.get(k + 1)) else {
            break;
        };
        works.push(BandWork {
            j0,
            j1,
            h: take(&mut h, rows * nc),
            qx_old: &qx_old[j0 * (nc + 1)..j1 * (nc + 1)],
            qx: take(&mut qx, rows * (nc + 1)),
            qy_old,
            qy_inner: inner,
            top,
            bot,
            scale: take(&mut scale, 2 * nc),
            limited: vec![false; 2 * nch],
            nch,
            hmax: take(&mut hmax, cells),
            v2max: take(&mut v2max, cells),
            arrival: take(&mut arrival, cells),
            wet: w0,
            row_hmax: m0,
        });
    }
    works.par_iter_mut().map(|w| band(isa, ctx, w)).sum()
}
