//! The (chainage, level) mesh every polygon is cut from. Columns are chainages (dense along the
//! river, plus every boundary); levels are curves across the river (the channel centreline, the
//! dike toes, the back edge of village land, the town's south edge, and fractions between them).
//! A region is a set of mesh cells; its outline walks mesh nodes only, so two regions sharing a
//! boundary share every vertex on it, and a parent drawn from its children's cells is exactly
//! their union. Owns no terrain and no file format.

use crate::reach::{DIKE_HALF_FOOTPRINT_M, Reach};

/// A curve the levels are built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// The channel centreline (the town's north edge).
    Centre,
    /// The main dike's river-side toe.
    RiverToe,
    /// The main dike's land-side toe.
    LandToe,
    /// Where village land behind the dike ends and the communities begin.
    BackEdge,
    /// The town's south edge.
    South,
}

/// A level: `a + f·(b − a)` between two anchors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    /// From.
    pub a: Anchor,
    /// To.
    pub b: Anchor,
    /// Fraction.
    pub f: f64,
}

impl Level {
    /// A level on an anchor.
    pub fn at(a: Anchor) -> Level {
        Level { a, b: a, f: 0.0 }
    }
}

fn anchor_y(reach: &Reach, a: Anchor, s: f64) -> f64 {
    match a {
        Anchor::Centre => reach.centre_y(s),
        Anchor::RiverToe => reach.dike_y(s) + DIKE_HALF_FOOTPRINT_M,
        Anchor::LandToe => reach.dike_y(s) - DIKE_HALF_FOOTPRINT_M,
        Anchor::BackEdge => reach.back_edge_y(s),
        Anchor::South => reach.south_y(s),
    }
}

/// Cell index `i * nj + j`.
pub type Cell = u32;

/// The mesh: node columns and levels, with every node's projected position.
#[derive(Debug, Clone)]
pub struct Mesh {
    /// Chainage of each node column, ascending.
    pub s_nodes: Vec<f64>,
    /// Levels north to south.
    pub levels: Vec<Level>,
    /// Cell columns.
    pub ni: usize,
    /// Cell rows.
    pub nj: usize,
    xs: Vec<f64>,
    ys: Vec<f64>,
}

/// Why a region has no single outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutlineError {
    /// The region has no cells.
    Empty,
    /// Two parts touch only at a corner.
    Pinch,
    /// The region has a hole or several parts.
    NotSimple,
}

impl Mesh {
    /// Nodes every `step_m` from `s0` to `s1`, plus every breakpoint (regular nodes closer than a
    /// fifth of a step to a breakpoint give way to it).
    pub fn new(
        reach: &Reach,
        s0: f64,
        s1: f64,
        step_m: f64,
        breaks: &[f64],
        levels: Vec<Level>,
    ) -> Mesh {
        let mut b: Vec<f64> = breaks
            .iter()
            .copied()
            .filter(|&v| v >= s0 && v <= s1)
            .collect();
        b.push(s0);
        b.push(s1);
        b.sort_by(f64::total_cmp);
        b.dedup_by(|x, y| (*x - *y).abs() < 1e-6);
        let mut s_nodes = b.clone();
        let n = ((s1 - s0) / step_m).round() as i64;
        for k in 1..n {
            let v = s0 + k as f64 * step_m;
            if b.iter().all(|&q| (q - v).abs() > 0.2 * step_m) {
                s_nodes.push(v);
            }
        }
        s_nodes.sort_by(f64::total_cmp);
        let ni = s_nodes.len() - 1;
        let nj = levels.len() - 1;
        let mut xs = Vec::with_capacity(s_nodes.len());
        let mut ys = Vec::with_capacity(s_nodes.len() * levels.len());
        for &s in &s_nodes {
            xs.push(reach.x_of(s));
            for l in &levels {
                let ya = anchor_y(reach, l.a, s);
                let yb = anchor_y(reach, l.b, s);
                ys.push(ya + l.f * (yb - ya));
            }
        }
        Mesh {
            s_nodes,
            levels,
            ni,
            nj,
            xs,
            ys,
        }
    }

    /// Projected position of node (i, j).
    pub fn node(&self, i: usize, j: usize) -> (f64, f64) {
        (self.xs[i], self.ys[i * self.levels.len() + j])
    }

    /// The node column at a chainage (must be a breakpoint).
    pub fn column_at(&self, s: f64) -> usize {
        self.s_nodes.partition_point(|&v| v < s - 1e-6)
    }

    /// Index of a level.
    pub fn level_index(&self, l: Level) -> Option<usize> {
        self.levels.iter().position(|&m| m == l)
    }

    /// The cell id.
    pub fn cell(&self, i: usize, j: usize) -> Cell {
        (i * self.nj + j) as Cell
    }

    /// (i, j) of a cell id.
    pub fn ij(&self, c: Cell) -> (usize, usize) {
        (c as usize / self.nj, c as usize % self.nj)
    }

    /// Area of a cell (a trapezoid with vertical sides), m².
    pub fn cell_area(&self, c: Cell) -> f64 {
        let (i, j) = self.ij(c);
        let (x0, a0) = self.node(i, j);
        let (_, b0) = self.node(i, j + 1);
        let (x1, a1) = self.node(i + 1, j);
        let (_, b1) = self.node(i + 1, j + 1);
        (x1 - x0) * ((a0 - b0) + (a1 - b1)) * 0.5
    }

    /// The cell holding a projected point, by the same straight chords the polygons use.
    pub fn locate(&self, x: f64, y: f64) -> Option<Cell> {
        if x < self.xs[0] || x >= self.xs[self.ni] {
            return None;
        }
        let i = self.xs.partition_point(|&v| v <= x) - 1;
        let u = (x - self.xs[i]) / (self.xs[i + 1] - self.xs[i]);
        let level_y = |j: usize| {
            let (_, a) = self.node(i, j);
            let (_, b) = self.node(i + 1, j);
            a + u * (b - a)
        };
        if y > level_y(0) || y <= level_y(self.nj) {
            return None;
        }
        (0..self.nj)
            .find(|&j| y <= level_y(j) && y > level_y(j + 1))
            .map(|j| self.cell(i, j))
    }

    /// A point inside a cell: `u` across the column west to east, `v` down the cell north to
    /// south, both in [0, 1].
    pub fn point_in(&self, c: Cell, u: f64, v: f64) -> (f64, f64) {
        let (i, j) = self.ij(c);
        let (x0, a0) = self.node(i, j);
        let (_, b0) = self.node(i, j + 1);
        let (x1, a1) = self.node(i + 1, j);
        let (_, b1) = self.node(i + 1, j + 1);
        let top = a0 + u * (a1 - a0);
        let bottom = b0 + u * (b1 - b0);
        (x0 + u * (x1 - x0), top + v * (bottom - top))
    }

    /// Cells of the block of columns `[i0, i1)` and rows `[j0, j1)`.
    pub fn block(&self, i0: usize, i1: usize, j0: usize, j1: usize) -> Vec<Cell> {
        let mut out = Vec::with_capacity((i1 - i0) * (j1 - j0));
        for i in i0..i1 {
            for j in j0..j1 {
                out.push(self.cell(i, j));
            }
        }
        out
    }

    /// The counter-clockwise outline of a region as a closed ring of node (i, j) pairs, every
    /// node on the boundary included.
    pub fn outline(&self, cells: &[Cell]) -> Result<Vec<(usize, usize)>, OutlineError> {
        if cells.is_empty() {
            return Err(OutlineError::Empty);
        }
        let Bounds { i0, i1, j0, j1 } = bounds(self, cells);
        let w = i1 - i0 + 2;
        let h = j1 - j0 + 2;
        // Membership over the bounding box with a one-cell margin.
        let mut inside = vec![false; w * h];
        for &c in cells {
            let (i, j) = self.ij(c);
            inside[(i - i0 + 1) * h + (j - j0 + 1)] = true;
        }
        let has = |i: isize, j: isize| -> bool {
            let (a, b) = (i - i0 as isize + 1, j - j0 as isize + 1);
            a >= 0
                && b >= 0
                && (a as usize) < w
                && (b as usize) < h
                && inside[a as usize * h + b as usize]
        };
        // Directed boundary edges with the region on the left, in (i east, j south) node
        // coordinates; north is up, so "left" of an eastward edge is north of it.
        let nw = self.levels.len();
        let key = |i: usize, j: usize| i * nw + j;
        let mut next: Vec<(usize, usize, usize, usize)> = Vec::new();
        for &c in cells {
            let (i, j) = self.ij(c);
            let (ii, jj) = (i as isize, j as isize);
            if !has(ii, jj + 1) {
                next.push((i, j + 1, i + 1, j + 1));
            }
            if !has(ii + 1, jj) {
                next.push((i + 1, j + 1, i + 1, j));
            }
            if !has(ii, jj - 1) {
                next.push((i + 1, j, i, j));
            }
            if !has(ii - 1, jj) {
                next.push((i, j, i, j + 1));
            }
        }
        next.sort_by_key(|e| (key(e.0, e.1), key(e.2, e.3)));
        if next
            .windows(2)
            .any(|p| (p[0].0, p[0].1) == (p[1].0, p[1].1))
        {
            return Err(OutlineError::Pinch);
        }
        let find = |i: usize, j: usize| {
            next.binary_search_by_key(&key(i, j), |e| key(e.0, e.1))
                .ok()
        };
        let start = (next[0].0, next[0].1);
        let mut ring = vec![start];
        let mut at = start;
        for _ in 0..next.len() {
            let Some(k) = find(at.0, at.1) else {
                return Err(OutlineError::NotSimple);
            };
            at = (next[k].2, next[k].3);
            ring.push(at);
            if at == start {
                break;
            }
        }
        if ring.len() != next.len() + 1 || ring.last() != Some(&start) {
            return Err(OutlineError::NotSimple);
        }
        Ok(ring)
    }

    /// Whether a set of cells is 4-connected.
    pub fn connected(&self, cells: &[Cell]) -> bool {
        if cells.is_empty() {
            return false;
        }
        let mut sorted = cells.to_vec();
        sorted.sort_unstable();
        let mut seen = vec![false; sorted.len()];
        let mut stack = vec![0usize];
        seen[0] = true;
        let mut count = 1;
        while let Some(k) = stack.pop() {
            let (i, j) = self.ij(sorted[k]);
            let mut around = Vec::with_capacity(4);
            if i > 0 {
                around.push(self.cell(i - 1, j));
            }
            if i + 1 < self.ni {
                around.push(self.cell(i + 1, j));
            }
            if j > 0 {
                around.push(self.cell(i, j - 1));
            }
            if j + 1 < self.nj {
                around.push(self.cell(i, j + 1));
            }
            for c in around {
                if let Ok(m) = sorted.binary_search(&c)
                    && !seen[m]
                {
                    seen[m] = true;
                    count += 1;
                    stack.push(m);
                }
            }
        }
        count == sorted.len()
    }
}

/// Inclusive-exclusive index bounds of a region.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// First column.
    pub i0: usize,
    /// Past the last column.
    pub i1: usize,
    /// First row.
    pub j0: usize,
    /// Past the last row.
    pub j1: usize,
}

/// The bounds of a non-empty region.
pub fn bounds(mesh: &Mesh, cells: &[Cell]) -> Bounds {
    let mut b = Bounds {
        i0: usize::MAX,
        i1: 0,
        j0: usize::MAX,
        j1: 0,
    };
    for &c in cells {
        let (i, j) = mesh.ij(c);
        b.i0 = b.i0.min(i);
        b.i1 = b.i1.max(i + 1);
        b.j0 = b.j0.min(j);
        b.j1 = b.j1.max(j + 1);
    }
    b
}
