//! Lines on the grid: which cells a polyline crosses (plane geometry itself — lengths, nearest
//! points, points along a line — is `floodgrid_model::grid::geometry`). Owns no hydraulics.

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
