//! The hot loops of the local inertial scheme, written so the compiler vectorises them: straight
//! loops over equal-length slices, branch-free selects, no `powf`/`cbrt` (a bit-trick cube root
//! with Newton steps instead) and no fused multiply-add, so every instruction set gives the same
//! bits. Owns the per-face momentum update, the per-cell continuity update and the runtime
//! choice of instruction set; knows nothing of boundaries, bands or time.

/// `max` that compiles to one `maxps` (no NaN handling: the state never holds NaN).
#[inline(always)]
pub(super) fn fmax(a: f32, b: f32) -> f32 {
    if a > b { a } else { b }
}

/// `min` that compiles to one `minps`.
#[inline(always)]
pub(super) fn fmin(a: f32, b: f32) -> f32 {
    if a < b { a } else { b }
}

/// Initial guess of `x^(-1/3)` from the float's bits (maximum relative error 3.4 %).
const INV_CBRT_MAGIC: u32 = 0x54a2_37fb;

/// `x^(-1/3)` for a positive normal `x`: a bit-trick guess and two Newton steps, relative error
/// below 1.2e-5 (checked over 1e-4..1e3 in the tests) — far below the uncertainty of any
/// Manning coefficient, and cheap enough to vectorise where libm's `cbrt` would not.
#[inline(always)]
pub(super) fn inv_cbrt(x: f32) -> f32 {
    let y = f32::from_bits(INV_CBRT_MAGIC.wrapping_sub(x.to_bits() / 3));
    let x3 = x * (1.0 / 3.0);
    let y = y * (4.0 / 3.0 - x3 * y * y * y);
    y * (4.0 / 3.0 - x3 * y * y * y)
}

/// Initial guess of `1/x` from the float's bits (maximum relative error 5 %).
const RECIP_MAGIC: u32 = 0x7ef3_11c7;

/// `1/x` for a positive normal `x`: a bit-trick guess and two Newton steps, relative error below
/// 7e-6 (checked in the tests). A hardware division costs more than the rest of a face's
/// friction term, and the friction denominator needs no more precision than this.
#[inline(always)]
pub(super) fn recip(x: f32) -> f32 {
    let y = f32::from_bits(RECIP_MAGIC.wrapping_sub(x.to_bits()));
    let y = y * (2.0 - x * y);
    y * (2.0 - x * y)
}

/// Coefficients of the momentum update for faces normal to one direction (cell size `d`).
#[derive(Debug, Clone, Copy)]
pub(super) struct FaceCoef {
    /// g·dt/d.
    pub g_dt_over_d: f32,
    /// g·dt (multiplies n² in the friction term).
    pub g_dt: f32,
    /// θ of de Almeida et al. (2012).
    pub theta: f32,
    /// (1 − θ)/2.
    pub side: f32,
    /// Flow depth at or below which a face carries nothing.
    pub h_min: f32,
    /// dt (multiplies the advection term).
    pub dt: f32,
    /// √g (the critical discharge that bounds the θ average of the local inertial scheme).
    pub sqrt_g: f32,
}

/// Manning's n² on a run of faces: one value, or the mean of the two cells' values.
pub(super) trait FaceN2: Copy {
    fn at(&self, i: usize) -> f32;
}

/// The same n² everywhere.
#[derive(Clone, Copy)]
pub(super) struct UniformN2(pub f32);

impl FaceN2 for UniformN2 {
    #[inline(always)]
    fn at(&self, _i: usize) -> f32 {
        self.0
    }
}

/// n² per cell; a face takes the mean of its two cells.
#[derive(Clone, Copy)]
pub(super) struct CellN2<'a> {
    pub l: &'a [f32],
    pub r: &'a [f32],
}

impl FaceN2 for CellN2<'_> {
    #[inline(always)]
    fn at(&self, i: usize) -> f32 {
        0.5 * (self.l[i] + self.r[i])
    }
}

/// The convective acceleration on a run of faces: none (the local inertial scheme), or the term
/// the advection pass computed for each face, with the speed bound of its stencil.
pub(super) trait FaceAdv: Copy {
    /// Whether this is the full scheme.
    const ON: bool;
    /// The velocity part of the convective term, m²/s².
    fn at(&self, i: usize) -> f32;
    /// The mass part of the convective term, m²/s².
    fn mass(&self, i: usize) -> f32;
    /// The largest face speed of the face's stencil, m/s.
    fn speed(&self, i: usize) -> f32;
}

/// No convective acceleration.
#[derive(Clone, Copy)]
pub(super) struct NoAdv;

impl FaceAdv for NoAdv {
    const ON: bool = false;
    #[inline(always)]
    fn at(&self, _i: usize) -> f32 {
        0.0
    }
    #[inline(always)]
    fn mass(&self, _i: usize) -> f32 {
        0.0
    }
    #[inline(always)]
    fn speed(&self, _i: usize) -> f32 {
        0.0
    }
}

/// The advection pass's output for each face of the run (see `advection.rs`): the velocity part
/// of the convective term and its mass part, m²/s², and the largest face speed of the face's
/// stencil, m/s.
#[derive(Clone, Copy)]
pub(super) struct Adv<'a> {
    pub term: &'a [f32],
    pub mass: &'a [f32],
    pub speed: &'a [f32],
}

impl FaceAdv for Adv<'_> {
    const ON: bool = true;
    #[inline(always)]
    fn at(&self, i: usize) -> f32 {
        self.term[i]
    }
    #[inline(always)]
    fn mass(&self, i: usize) -> f32 {
        self.mass[i]
    }
    #[inline(always)]
    fn speed(&self, i: usize) -> f32 {
        self.speed[i]
    }
}

/// The inputs of one run of faces, each slice as long as `out`: bed and depth on the low side
/// (`l`: west or north) and the high side (`r`), the old discharges per unit width at the
/// previous, this and the next face along the same direction.
pub(super) struct FaceRun<'a> {
    pub zl: &'a [f32],
    pub zr: &'a [f32],
    pub hl: &'a [f32],
    pub hr: &'a [f32],
    pub qm: &'a [f32],
    pub q0: &'a [f32],
    pub qp: &'a [f32],
}

/// Momentum update of a run of faces (Bates et al. 2010, θ-weighted after de Almeida et al.
/// 2012), with semi-implicit friction and the convective acceleration when `adv` has it (and then
/// the friction depth of the full scheme). Positive `q` flows from `l` to `r`. The result is the
/// raw discharge: positivity is the business of [`outflow_scale`] and [`limit_faces`], which
/// see every face of a donor cell.
#[inline(always)]
pub(super) fn faces<N: FaceN2, A: FaceAdv>(
    c: &FaceCoef,
    f: &FaceRun<'_>,
    n2: N,
    adv: A,
    out: &mut [f32],
) {
    let n = out.len();
    let (zl, zr, hl, hr) = (&f.zl[..n], &f.zr[..n], &f.hl[..n], &f.hr[..n]);
    let (qm, q0, qp) = (&f.qm[..n], &f.q0[..n], &f.qp[..n]);
    for i in 0..n {
        let el = zl[i] + hl[i];
        let er = zr[i] + hr[i];
        // Flow depth: highest water surface above highest bed (never negative).
        let hf = fmax(el, er) - fmax(zl[i], zr[i]);
        // Friction depth: the flow depth in the local inertial scheme (Bates et al. 2010); with
        // advection the mean depth of the two half cells the face's momentum spans, so a thin
        // tip running onto dry ground feels its own depth, not the deeper water behind it
        // (Hunter's front otherwise runs two cells ahead) — but never more than the flow depth,
        // so water spilling over a step onto higher ground feels the depth over the step. Each
        // cell's depth is its own (not measured above the higher bed, which on a slope S makes
        // the friction depth S·Δx/2 too small: +4 % on the normal depth at Fr 1 on 5 m cells).
        let hfr = if A::ON {
            fmin(hf, 0.5 * (hl[i] + hr[i]))
        } else {
            hf
        };
        let hc = fmax(hfr, c.h_min);
        let r = inv_cbrt(hc);
        let r2 = r * r;
        let r7 = r2 * r2 * r2 * r; // hc^(-7/3)
        let q = q0[i];
        // θ smoothing along the flow direction; a neighbour face that carries nothing (a wall,
        // dry ground ahead of a front) counts as this face: zero gradient there, so momentum does
        // not leak into walls or hold a wetting front back.
        let m = if qm[i] == 0.0 { q } else { qm[i] };
        let p = if qp[i] == 0.0 { q } else { qp[i] };
        // The θ average also runs on supercritical faces with advection: dropping it there
        // (q² > g·hf³) removes the 2Δx waves it grows in long supercritical reaches (uniform
        // flow at Fr 2: 0.007 % instead of 5.7 %) but leaves Ritter's 1 mm front 89 m behind
        // 2·c0·t on 5 m cells, the thin tip then advancing by the upwind terms alone.
        let qt = c.theta * q + c.side * (m + p);
        let qa = qt - c.dt * adv.at(i);
        // The inertial part (old discharge, θ average, advected velocity) may not give the face
        // a speed its stencil does not have; see [`inertia_bound`]. The mass part of the
        // convective term (u·∂h/∂t of the face's own velocity) comes after it.
        let lim = inertia_bound(c, hf, q, adv.speed(i), A::ON);
        let qa = fmax(fmin(qa, lim), -lim) - c.dt * adv.mass(i);
        let num = qa - c.g_dt_over_d * hf * (er - el);
        let den = 1.0 + c.g_dt * n2.at(i) * q.abs() * r7;
        let qn = num * recip(den);
        out[i] = if hf > c.h_min { qn } else { 0.0 };
    }
}

/// The largest |q| the inertial part of a face's momentum update — its old discharge, the θ
/// average with its neighbours along the flow and, with advection, the velocity part of the
/// convective term — may give a face of flow depth `hf` (old discharge `q`; `speed`: the largest
/// face speed of its stencil, with advection). Pressure, friction and, with advection, the mass
/// part of the convective term act after it, so it bounds no acceleration by the surface slope.
///
/// Both averages are, in velocity form, convex combinations of the velocities of the faces they
/// read: the θ weighting of de Almeida et al. (2012) averages neighbouring faces, and first-order
/// upwind momentum-conservative advection (Stelling & Duinmeijer 2003, whose velocity form
/// h·∂u/∂t + ∂(q·u*)/∂x − u·∂q/∂x = … is used here: `advection.rs` splits ∂(q·u*)/∂x into that
/// velocity part and the mass part u·∂q/∂x) moves a face's velocity toward its upwind
/// neighbour's by the fraction Δt·q/(h·Δx), at most 1 under the CFL condition — so neither
/// creates a velocity its stencil lacks. Written for discharges, as here, they average the
/// neighbours' *discharges*, which is the same where depths are smooth but not at a face much
/// thinner than its neighbours: a 1 mm face on a bank beside a channel took a share of the
/// channel's metres of discharge per metre and ran at hundreds of m/s. The bound restores the
/// velocity-form property:
///
/// - with advection, |q| ≤ h_f·(U + 2·√(g·h_f)), U the largest face speed of the stencil (the
///   face, its two neighbours along the flow and the two across it, from the state before the
///   step). The 2·√(g·h_f) is the most a layer of depth h_f can outrun the water feeding it
///   (the dry-bed dam break: the front moves at u + 2·√(g·h) of the feeding flow; Ritter 1892,
///   Stoker 1957), with the face's own depth, the thinner, as the feeding depth. It keeps a
///   dam break's tip, which only pressure accelerates beyond its stencil and which the discrete
///   pressure term of a thin face accelerates too slowly: with U alone Ritter's 1 mm front ran
///   54 m behind 2·c0·t on 5 m cells; with it, 2 m ahead;
/// - in the local inertial scheme, which keeps no face velocities, the θ average may not lift a
///   face above its own old discharge or, if larger, its critical discharge h_f·√(g·h_f) (the
///   limit of LISFLOOD-FP's `max_Froude` at Fr = 1, where the local inertial equations lose
///   stability: de Almeida & Bates 2013). Where neighbours and face carry similar discharges —
///   every smooth flow — the average lies within that and nothing changes.
///
/// No constant is tuned: the bound has none.
#[inline(always)]
pub(super) fn inertia_bound(c: &FaceCoef, hf: f32, q: f32, speed: f32, advection: bool) -> f32 {
    if advection {
        hf * (speed + 2.0 * (c.sqrt_g * hf.sqrt()))
    } else {
        fmax(q.abs(), hf * (c.sqrt_g * hf.sqrt()))
    }
}

/// The outflow scale of a run of cells (the faces as in [`cells`], before limiting): the share
/// of each cell's raw outflow over the step that its water covers, min(1, h / outflow depth),
/// where the outflow depth is Δt/Δx·(outgoing x discharges) + Δt/Δy·(outgoing y discharges).
/// Scaling every outgoing face of a cell by it (see [`limit_faces`]) empties the cell at most,
/// whatever the number of faces it drains through, and leaves a cell whose water covers its
/// outflow untouched (scale exactly 1).
#[inline(always)]
pub(super) fn outflow_scale(c: &CellCoef, h: &[f32], q: &CellFaces<'_>, s: &mut [f32]) {
    let n = s.len();
    let h = &h[..n];
    let (qw, qe, qn, qs) = (&q.qw[..n], &q.qe[..n], &q.qn[..n], &q.qs[..n]);
    for i in 0..n {
        let out_x = fmax(qe[i], 0.0) - fmin(qw[i], 0.0);
        let out_y = fmax(qs[i], 0.0) - fmin(qn[i], 0.0);
        let out = c.cx * out_x + c.cy * out_y;
        // IEEE division (the same bits on every instruction set); the quotient is discarded
        // where out ≤ h (including 0/0).
        let part = h[i] / out;
        s[i] = if out > h[i] { part } else { 1.0 };
    }
}

/// Whether any cell of a run must be limited (its raw outflow over the step, as in
/// [`outflow_scale`], exceeds its water): the cheap test that lets most runs skip the division
/// and the limiting passes.
#[inline(always)]
pub(super) fn outflow_exceeds(c: &CellCoef, h: &[f32], q: &CellFaces<'_>) -> bool {
    let n = h.len();
    let (qw, qe, qn, qs) = (&q.qw[..n], &q.qe[..n], &q.qn[..n], &q.qs[..n]);
    let mut any = 0u32;
    for i in 0..n {
        let out_x = fmax(qe[i], 0.0) - fmin(qw[i], 0.0);
        let out_y = fmax(qs[i], 0.0) - fmin(qn[i], 0.0);
        let out = c.cx * out_x + c.cy * out_y;
        any |= u32::from(out > h[i]);
    }
    any != 0
}

/// Scales a run of faces by the outflow scale of their donor cells: `sl` of the cell on the low
/// side (which gives when q > 0), `sr` of the high side (when q < 0).
#[inline(always)]
pub(super) fn limit_faces(q: &mut [f32], sl: &[f32], sr: &[f32]) {
    let n = q.len();
    let (sl, sr) = (&sl[..n], &sr[..n]);
    for i in 0..n {
        let s = if q[i] > 0.0 { sl[i] } else { sr[i] };
        q[i] *= s;
    }
}

/// Coefficients of the continuity update and the trackers.
#[derive(Debug, Clone, Copy)]
pub(super) struct CellCoef {
    /// dt/dx.
    pub cx: f32,
    /// dt/dy.
    pub cy: f32,
    /// Time at the end of the step, s (for arrival times).
    pub t_end: f32,
    /// Depth that counts as arrival, m.
    pub arrival_m: f32,
    /// Depth below which velocities are not tracked, m.
    pub velocity_min_m: f32,
}

/// The faces around a run of cells: west, east (x faces), north, south (y faces).
pub(super) struct CellFaces<'a> {
    pub qw: &'a [f32],
    pub qe: &'a [f32],
    pub qn: &'a [f32],
    pub qs: &'a [f32],
}

/// Running maxima and arrival times of a run of cells (empty slices when not tracking).
pub(super) struct Trackers<'a> {
    pub hmax: &'a mut [f32],
    pub v2max: &'a mut [f32],
    pub arrival: &'a mut [f32],
}

/// Continuity update of a run of cells; with `TRACK`, also the running maximum depth, maximum
/// speed squared and first arrival (the step at which the running maximum first reaches the
/// arrival depth).
#[inline(always)]
pub(super) fn cells<const TRACK: bool>(
    c: &CellCoef,
    h: &mut [f32],
    q: &CellFaces<'_>,
    t: &mut Trackers<'_>,
) {
    let n = h.len();
    let (qw, qe, qn, qs) = (&q.qw[..n], &q.qe[..n], &q.qn[..n], &q.qs[..n]);
    if TRACK {
        let (hmax, v2max, arrival) = (&mut t.hmax[..n], &mut t.v2max[..n], &mut t.arrival[..n]);
        for i in 0..n {
            let h0 = h[i];
            let hn = fmax(h0 + c.cx * (qw[i] - qe[i]) + c.cy * (qn[i] - qs[i]), 0.0);
            h[i] = hn;
            let hm = hmax[i];
            if hm < c.arrival_m && hn >= c.arrival_m {
                arrival[i] = c.t_end;
            }
            hmax[i] = fmax(hm, hn);
            let ux = 0.5 * (qw[i] + qe[i]);
            let uy = 0.5 * (qn[i] + qs[i]);
            // The speed of the water that moved in the step: its discharge over the deeper of
            // the depths before and after the step, not the depth left at its end — a cell that
            // drains in one step would otherwise report the discharge that emptied it over the
            // film that remains (tens of m/s on a bank top at 1 cm), and one that fills from dry,
            // the water that poured in over the film it had (or, with the mean of the two, over
            // half its new depth: 10 m/s in a bank cell that filled to 2 cm in a step from a
            // channel whose water crossed the bank at 1 m/s).
            let hs = fmax(fmax(h0, hn), c.velocity_min_m);
            let v2 = (ux * ux + uy * uy) * recip(hs * hs);
            let v2 = if hn >= c.velocity_min_m { v2 } else { 0.0 };
            v2max[i] = fmax(v2max[i], v2);
        }
    } else {
        for i in 0..n {
            h[i] = fmax(h[i] + c.cx * (qw[i] - qe[i]) + c.cy * (qn[i] - qs[i]), 0.0);
        }
    }
}

/// The largest value of a run (0 for an empty run), in lanes so it vectorises.
#[inline(always)]
pub(super) fn run_max(v: &[f32]) -> f32 {
    const L: usize = 16;
    let mut lanes = [0.0f32; L];
    let mut chunks = v.chunks_exact(L);
    for ch in &mut chunks {
        for k in 0..L {
            lanes[k] = fmax(lanes[k], ch[k]);
        }
    }
    let mut m = 0.0f32;
    for &x in chunks.remainder() {
        m = fmax(m, x);
    }
    for x in lanes {
        m = fmax(m, x);
    }
    m
}

/// The instruction set the kernels run with, chosen once at start-up. Every choice gives the
/// same bits (no FMA contraction, IEEE division, compare-select min/max).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// Whatever the build targets (SSE2 on x86-64).
    Baseline,
    /// AVX2 with FMA available (x86-64-v3).
    Avx2,
    /// AVX-512 F/VL/BW/DQ (x86-64-v4).
    Avx512,
}

impl Isa {
    /// The best instruction set this processor has.
    pub fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx512f")
                && std::is_x86_feature_detected!("avx512vl")
                && std::is_x86_feature_detected!("avx512bw")
                && std::is_x86_feature_detected!("avx512dq")
                && std::is_x86_feature_detected!("avx2")
                && std::is_x86_feature_detected!("fma")
            {
                return Isa::Avx512;
            }
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                return Isa::Avx2;
            }
        }
        Isa::Baseline
    }

    /// Whether this processor can run `self`.
    pub fn available(self) -> bool {
        match self {
            Isa::Baseline => true,
            _ => {
                let best = Isa::detect();
                matches!(
                    (self, best),
                    (Isa::Avx2, Isa::Avx2 | Isa::Avx512) | (Isa::Avx512, Isa::Avx512)
                )
            }
        }
    }
}

/// Defines `$name(isa, args) -> ret` that runs the `#[inline(always)]` function `$body` compiled
/// for the chosen instruction set.
macro_rules! dispatch {
    ($(#[$m:meta])* $vis:vis fn $name:ident<$lt:lifetime>($($arg:ident: $ty:ty),*) -> $ret:ty => $body:path) => {
        $(#[$m])*
        $vis fn $name<$lt>(isa: $crate::solver::kernel::Isa, $($arg: $ty),*) -> $ret {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma,bmi1,bmi2,lzcnt,popcnt")]
                fn v4<$lt>($($arg: $ty),*) -> $ret {
                    $body($($arg),*)
                }
                #[target_feature(enable = "avx2,fma,bmi1,bmi2,lzcnt,popcnt")]
                fn v3<$lt>($($arg: $ty),*) -> $ret {
                    $body($($arg),*)
                }
                match isa {
                    // SAFETY: `Isa::Avx512` and `Isa::Avx2` are only produced by `Isa::detect`
                    // (directly or through `Isa::available`), which checked these features.
                    $crate::solver::kernel::Isa::Avx512 => unsafe { v4($($arg),*) },
                    // SAFETY: as above.
                    $crate::solver::kernel::Isa::Avx2 => unsafe { v3($($arg),*) },
                    $crate::solver::kernel::Isa::Baseline => $body($($arg),*),
                }
            }
            #[cfg(not(target_arch = "x86_64"))]
            {
                let _ = isa;
                $body($($arg),*)
            }
        }
    };
}
pub(super) use dispatch;
