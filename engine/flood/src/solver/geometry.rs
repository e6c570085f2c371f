//! Lines and points on the grid: which cells a polyline crosses, where along a line a cell lies.
//! Owns no hydraulics.

use crate::Raster;

/// The cells a polyline passes through, in order along it, each once.
pub(super) fn line_cells(dem: &Raster, line: &[[f64; 2]]) -> Vec<usize> {
    let step = dem.transform.dx_m.min(dem.transform.dy_m) * 0.25;
    let mut out: Vec<usize> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut push = |p: [f64; 2]| {
        if let Some((c, r)) = dem.cell_at(p[0], p[1]) {
            let k = r * dem.ncols + c;
            if seen.insert(k) {
                out.push(k);
            }
        }
    };
    if let [only] = line {
        push(*only);
    }
    for w in line.windows(2) {
        let (a, b) = (w[0], w[1]);
        let len = (b[0] - a[0]).hypot(b[1] - a[1]);
        let n = (len / step).ceil().clamp(1.0, 1e7) as usize;
        for k in 0..=n {
            let t = k as f64 / n as f64;
            push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
        }
    }
    out
}

/// Length of a polyline, m.
pub(super) fn length(line: &[[f64; 2]]) -> f64 {
    line.windows(2)
        .map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]))
        .sum()
}

/// The nearest point of a polyline to `p`: (distance from `p`, distance along the line).
pub(super) fn nearest(line: &[[f64; 2]], p: [f64; 2]) -> (f64, f64) {
    let mut best = (f64::INFINITY, 0.0);
    let mut along = 0.0;
    if let [only] = line {
        return ((only[0] - p[0]).hypot(only[1] - p[1]), 0.0);
    }
    for w in line.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 {
            (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let d = (a[0] + t * dx - p[0]).hypot(a[1] + t * dy - p[1]);
        if d < best.0 {
            best = (d, along + t * len2.sqrt());
        }
        along += len2.sqrt();
    }
    best
}

/// The point at distance `s` along a polyline (clamped to its ends).
pub(super) fn point_along(line: &[[f64; 2]], s: f64) -> [f64; 2] {
    let mut left = s.max(0.0);
    for w in line.windows(2) {
        let len = (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]);
        if left <= len && len > 0.0 {
            let t = left / len;
            return [
                w[0][0] + t * (w[1][0] - w[0][0]),
                w[0][1] + t * (w[1][1] - w[0][1]),
            ];
        }
        left -= len;
    }
    line.last().copied().unwrap_or([0.0, 0.0])
}
