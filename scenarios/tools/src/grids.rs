//! The grid hierarchy: district (scale only) → town → village / community → grid → micro-grid,
//! plus the dedicated grids of the river works. Every unit is a set of mesh cells: villages run
//! from the channel centreline across the floodplain and the dike into the land behind it,
//! communities fill the city side, dedicated grids take the works' stretch out of the villages,
//! and grids are cut from villages and communities by repeatedly halving the largest piece, so
//! the counts come out exact and neighbours share every boundary vertex.

use crate::mesh::{Anchor, Cell, Level, Mesh, bounds};
use crate::preset::{AreaSpec, Preset, WorksKind};
use crate::reach::{Reach, SPUR_LENGTH_M};

/// The kind of a grid unit, as written in grids.geojson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A district above several towns (scale scenario only).
    District,
    /// 镇.
    Town,
    /// 村 (floodplain / rural).
    Village,
    /// 社区 (city side).
    Community,
    /// 网格.
    Grid,
    /// 微网格.
    Micro,
    /// 专属网格 of a river works.
    Dedicated,
}

impl Kind {
    /// The `kind` string.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::District => "district",
            Kind::Town => "town",
            Kind::Village => "village",
            Kind::Community => "community",
            Kind::Grid => "grid",
            Kind::Micro => "micro",
            Kind::Dedicated => "dedicated",
        }
    }
}

/// One unit of the hierarchy.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Id, e.g. `g.madu.03`.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Kind.
    pub kind: Kind,
    /// Parent unit index.
    pub parent: Option<usize>,
    /// Mesh cells, sorted.
    pub cells: Vec<Cell>,
    /// Area, m².
    pub area_m2: f64,
    /// The village or community unit a grid or micro-grid belongs to.
    pub area_unit: Option<usize>,
    /// The works a dedicated grid covers.
    pub works: Option<usize>,
    /// Whether the unit reaches north of the dike's river toe (floodplain or channel).
    pub river_side: bool,
    /// Population, filled in once residents are placed.
    pub population: Option<u64>,
}

/// Row indices of the anchor levels.
#[derive(Debug, Clone, Copy)]
pub struct Rows {
    /// The dike's river toe.
    pub river_toe: usize,
    /// The dike's land toe.
    pub land_toe: usize,
    /// Halfway across village land behind the dike.
    pub back_split: usize,
    /// Village land / communities.
    pub back_edge: usize,
    /// Micro-grid split in the communities.
    pub micro_split: usize,
}

/// The hierarchy over its mesh.
#[derive(Debug, Clone)]
pub struct Grids {
    /// The mesh all units are cut from.
    pub mesh: Mesh,
    /// Units, parents before children.
    pub units: Vec<Unit>,
    /// The lowest unit owning each cell.
    pub leaf: Vec<u32>,
}

/// A piece of a village or community while it is being cut into grids.
#[derive(Debug, Clone)]
struct Piece {
    owner: usize,
    cells: Vec<Cell>,
    area: f64,
}

impl Grids {
    /// Builds the mesh and every unit for a preset.
    pub fn build(preset: &Preset, reach: &Reach) -> Result<Grids, String> {
        let mut levels = vec![Level::at(Anchor::Centre)];
        for &f in &preset.river_splits {
            levels.push(Level {
                a: Anchor::Centre,
                b: Anchor::RiverToe,
                f,
            });
        }
        let back_split = Level {
            a: Anchor::LandToe,
            b: Anchor::BackEdge,
            f: 0.5,
        };
        let micro_split = Level {
            a: Anchor::BackEdge,
            b: Anchor::South,
            f: 0.5,
        };
        levels.extend([
            Level::at(Anchor::RiverToe),
            Level::at(Anchor::LandToe),
            back_split,
            Level::at(Anchor::BackEdge),
            micro_split,
            Level::at(Anchor::South),
        ]);
        let mut breaks = Vec::new();
        for t in &preset.towns {
            breaks.extend([t.area.s0_m, t.area.s1_m]);
            for a in t.villages.iter().chain(&t.communities) {
                breaks.extend([a.s0_m, a.s1_m]);
            }
        }
        for w in &preset.works {
            breaks.extend([w.s0_m, w.s1_m]);
        }
        let s0 = preset.towns.first().map_or(0.0, |t| t.area.s0_m);
        let s1 = preset.towns.last().map_or(0.0, |t| t.area.s1_m);
        let mesh = Mesh::new(reach, s0, s1, preset.mesh_step_m, &breaks, levels);
        let row = |l: Level| mesh.level_index(l).ok_or("missing level");
        let rows = Rows {
            river_toe: row(Level::at(Anchor::RiverToe))?,
            land_toe: row(Level::at(Anchor::LandToe))?,
            back_split: row(back_split)?,
            back_edge: row(Level::at(Anchor::BackEdge))?,
            micro_split: row(micro_split)?,
        };
        let mut b = Builder {
            mesh,
            rows,
            units: Vec::new(),
            dedicated_of: Vec::new(),
        };
        b.build(preset, reach)?;
        let Builder { mesh, units, .. } = b;
        let mut leaf = vec![u32::MAX; mesh.ni * mesh.nj];
        // Parents come before children, so the last writer is the lowest unit.
        for (k, u) in units.iter().enumerate() {
            for &c in &u.cells {
                leaf[c as usize] = k as u32;
            }
        }
        Ok(Grids { mesh, units, leaf })
    }

    /// The lowest unit containing a projected point.
    pub fn lowest_at(&self, x: f64, y: f64) -> Option<usize> {
        let c = self.mesh.locate(x, y)?;
        let k = self.leaf[c as usize];
        (k != u32::MAX).then_some(k as usize)
    }

    /// Units of one kind, in order.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = (usize, &Unit)> {
        self.units
            .iter()
            .enumerate()
            .filter(move |(_, u)| u.kind == kind)
    }

    /// Whether a unit is a leaf (has no children).
    pub fn is_leaf(&self, k: usize) -> bool {
        !self.units.iter().any(|u| u.parent == Some(k))
    }
}

struct Builder {
    mesh: Mesh,
    rows: Rows,
    units: Vec<Unit>,
    dedicated_of: Vec<Option<usize>>,
}

impl Builder {
    fn area(&self, cells: &[Cell]) -> f64 {
        cells.iter().map(|&c| self.mesh.cell_area(c)).sum()
    }

    fn push(
        &mut self,
        id: String,
        name: String,
        name_en: String,
        kind: Kind,
        parent: Option<usize>,
        mut cells: Vec<Cell>,
    ) -> usize {
        cells.sort_unstable();
        let river_side = cells
            .iter()
            .any(|&c| self.mesh.ij(c).1 < self.rows.river_toe);
        let area_m2 = self.area(&cells);
        self.units.push(Unit {
            id,
            name,
            name_en,
            kind,
            parent,
            cells,
            area_m2,
            area_unit: None,
            works: None,
            river_side,
            population: None,
        });
        self.units.len() - 1
    }

    /// Rows `[0, bottom)` of a control works: the first split level that lies well south of
    /// the bank everywhere along it, so the works and its spur dams sit inside.
    fn control_bottom(&self, reach: &Reach, i0: usize, i1: usize) -> usize {
        for j in 1..self.rows.river_toe {
            let ok = (i0..=i1).all(|i| {
                let (_, y) = self.mesh.node(i, j);
                y <= reach.bank_y(self.mesh.s_nodes[i]) - SPUR_LENGTH_M - 5.0
            });
            if ok {
                return j;
            }
        }
        self.rows.river_toe
    }

    fn build(&mut self, preset: &Preset, reach: &Reach) -> Result<(), String> {
        let nj = self.mesh.nj;
        self.dedicated_of = vec![None; self.mesh.ni * nj];
        let mut dedicated_cells = Vec::new();
        for (k, w) in preset.works.iter().enumerate() {
            let i0 = self.mesh.column_at(w.s0_m);
            let i1 = self.mesh.column_at(w.s1_m);
            let bottom = match w.kind {
                WorksKind::Works => self.rows.land_toe,
                WorksKind::ControlWorks => self.control_bottom(reach, i0, i1),
            };
            let cells = self.mesh.block(i0, i1, 0, bottom);
            for &c in &cells {
                self.dedicated_of[c as usize] = Some(k);
            }
            dedicated_cells.push(cells);
        }
        let root = match &preset.district {
            Some(d) => {
                let all = self.mesh.block(0, self.mesh.ni, 0, nj);
                Some(self.push(
                    format!("dist.{}", d.stem),
                    d.name.clone(),
                    d.name_en.clone(),
                    Kind::District,
                    None,
                    all,
                ))
            }
            None => None,
        };
        for town in &preset.towns {
            let ti0 = self.mesh.column_at(town.area.s0_m);
            let ti1 = self.mesh.column_at(town.area.s1_m);
            let town_unit = self.push(
                format!("t.{}", town.area.stem),
                town.area.name.clone(),
                town.area.name_en.clone(),
                Kind::Town,
                root,
                self.mesh.block(ti0, ti1, 0, nj),
            );
            for (k, w) in preset.works.iter().enumerate() {
                let mid = 0.5 * (w.s0_m + w.s1_m);
                if mid < town.area.s0_m || mid >= town.area.s1_m {
                    continue;
                }
                let u = self.push(
                    format!("d.{}", w.stem),
                    format!("{}专属网格", w.name),
                    format!("{} dedicated grid", w.name_en),
                    Kind::Dedicated,
                    Some(town_unit),
                    dedicated_cells[k].clone(),
                );
                self.units[u].works = Some(k);
            }
            // Villages and their first pieces.
            let mut village_units = Vec::new();
            let mut pieces = Vec::new();
            for (v, area) in town.villages.iter().enumerate() {
                let i0 = self.mesh.column_at(area.s0_m);
                let i1 = self.mesh.column_at(area.s1_m);
                let free = |b: &Builder, cells: Vec<Cell>| -> Vec<Cell> {
                    cells
                        .into_iter()
                        .filter(|&c| b.dedicated_of[c as usize].is_none())
                        .collect()
                };
                let region = free(self, self.mesh.block(i0, i1, 0, self.rows.back_edge));
                if !self.mesh.connected(&region) {
                    return Err(format!("village {} is cut in two by a works", area.stem));
                }
                let u = self.push(
                    format!("v.{}", area.stem),
                    area.name.clone(),
                    area.name_en.clone(),
                    Kind::Village,
                    Some(town_unit),
                    region,
                );
                village_units.push(u);
                for (j0, j1) in [
                    (0, self.rows.river_toe),
                    (self.rows.river_toe, self.rows.back_edge),
                ] {
                    let cells = free(self, self.mesh.block(i0, i1, j0, j1));
                    for comp in components(&self.mesh, cells) {
                        let area = self.area(&comp);
                        pieces.push(Piece {
                            owner: v,
                            cells: comp,
                            area,
                        });
                    }
                }
            }
            let mut allowed: Vec<usize> = (1..self.rows.river_toe).collect();
            allowed.push(self.rows.back_split);
            let pieces = split_to(&self.mesh, pieces, town.village_grids, &allowed)
                .map_err(|e| format!("town {}: village grids: {e}", town.area.stem))?;
            self.emit_grids(&town.villages, &village_units, pieces, false);
            // Communities.
            let mut community_units = Vec::new();
            let mut pieces = Vec::new();
            for (v, area) in town.communities.iter().enumerate() {
                let i0 = self.mesh.column_at(area.s0_m);
                let i1 = self.mesh.column_at(area.s1_m);
                let cells = self.mesh.block(i0, i1, self.rows.back_edge, nj);
                let u = self.push(
                    format!("c.{}", area.stem),
                    area.name.clone(),
                    area.name_en.clone(),
                    Kind::Community,
                    Some(town_unit),
                    cells.clone(),
                );
                community_units.push(u);
                let area = self.area(&cells);
                pieces.push(Piece {
                    owner: v,
                    cells,
                    area,
                });
            }
            let pieces = split_to(&self.mesh, pieces, town.community_grids, &[])
                .map_err(|e| format!("town {}: community grids: {e}", town.area.stem))?;
            self.emit_grids(&town.communities, &community_units, pieces, true);
        }
        for u in &self.units {
            self.mesh
                .outline(&u.cells)
                .map_err(|e| format!("{} has no single outline: {e:?}", u.id))?;
        }
        Ok(())
    }

    /// Names and emits the grids cut from villages or communities (`owners`, described by
    /// `areas`), with two micro-grids under each community grid.
    fn emit_grids(
        &mut self,
        areas: &[AreaSpec],
        owners: &[usize],
        pieces: Vec<Piece>,
        micro: bool,
    ) {
        let mut by_owner: Vec<Vec<Piece>> = vec![Vec::new(); owners.len()];
        for p in pieces {
            by_owner[p.owner].push(p);
        }
        for (v, mut list) in by_owner.into_iter().enumerate() {
            // Number grids west to east, then north to south.
            list.sort_by_key(|p| {
                let b = bounds(&self.mesh, &p.cells);
                (b.i0, b.j0)
            });
            let width = if list.len() > 99 { 3 } else { 2 };
            for (n, p) in list.into_iter().enumerate() {
                let area = &areas[v];
                let nn = format!("{:0width$}", n + 1);
                let g = self.push(
                    format!("g.{}.{nn}", area.stem),
                    format!("{}第{}网格", area.name, n + 1),
                    format!("{} grid {}", area.name_en, n + 1),
                    Kind::Grid,
                    Some(owners[v]),
                    p.cells,
                );
                self.units[g].area_unit = Some(owners[v]);
                if micro {
                    let cells = self.units[g].cells.clone();
                    let split = self.rows.micro_split;
                    let (north, south): (Vec<Cell>, Vec<Cell>) =
                        cells.into_iter().partition(|&c| self.mesh.ij(c).1 < split);
                    for (k, part) in [north, south].into_iter().enumerate() {
                        let m = self.push(
                            format!("m.{}.{nn}.{}", area.stem, k + 1),
                            format!("{}第{}网格{}号微网格", area.name, n + 1, k + 1),
                            format!("{} grid {} micro-grid {}", area.name_en, n + 1, k + 1),
                            Kind::Micro,
                            Some(g),
                            part,
                        );
                        self.units[m].area_unit = Some(owners[v]);
                    }
                }
            }
        }
    }
}

/// 4-connected components of a cell set, each sorted, in order of their first cell.
fn components(mesh: &Mesh, mut cells: Vec<Cell>) -> Vec<Vec<Cell>> {
    cells.sort_unstable();
    let mut label = vec![usize::MAX; cells.len()];
    let mut out: Vec<Vec<Cell>> = Vec::new();
    for start in 0..cells.len() {
        if label[start] != usize::MAX {
            continue;
        }
        let id = out.len();
        label[start] = id;
        let mut comp = vec![cells[start]];
        let mut stack = vec![start];
        while let Some(k) = stack.pop() {
            let (i, j) = mesh.ij(cells[k]);
            let mut around = Vec::with_capacity(4);
            if i > 0 {
                around.push(mesh.cell(i - 1, j));
            }
            if i + 1 < mesh.ni {
                around.push(mesh.cell(i + 1, j));
            }
            if j > 0 {
                around.push(mesh.cell(i, j - 1));
            }
            if j + 1 < mesh.nj {
                around.push(mesh.cell(i, j + 1));
            }
            for c in around {
                if let Ok(m) = cells.binary_search(&c)
                    && label[m] == usize::MAX
                {
                    label[m] = id;
                    comp.push(c);
                    stack.push(m);
                }
            }
        }
        comp.sort_unstable();
        out.push(comp);
    }
    out
}

/// Halves the largest piece until there are `target` pieces. A piece is cut across the river
/// (at a column) when it is longer than wide, else along it at one of the `allowed` rows; a cut
/// must leave two connected halves with single outlines.
fn split_to(
    mesh: &Mesh,
    mut pieces: Vec<Piece>,
    target: usize,
    allowed: &[usize],
) -> Result<Vec<Piece>, String> {
    if pieces.len() > target {
        return Err(format!(
            "{} pieces before cutting, more than the {target} wanted",
            pieces.len()
        ));
    }
    let mut order: Vec<usize> = Vec::new();
    while pieces.len() < target {
        order.clear();
        order.extend(0..pieces.len());
        order.sort_by(|&a, &b| {
            pieces[b]
                .area
                .total_cmp(&pieces[a].area)
                .then(pieces[a].cells[0].cmp(&pieces[b].cells[0]))
        });
        let mut cut = None;
        for &k in &order {
            if let Some(halves) = try_split(mesh, &pieces[k], allowed) {
                cut = Some((k, halves));
                break;
            }
        }
        let Some((k, (a, b))) = cut else {
            return Err(format!(
                "no piece can be cut further at {} of {target}",
                pieces.len()
            ));
        };
        pieces[k] = a;
        pieces.push(b);
    }
    Ok(pieces)
}

fn try_split(mesh: &Mesh, p: &Piece, allowed: &[usize]) -> Option<(Piece, Piece)> {
    let b = bounds(mesh, &p.cells);
    let mut by_col = vec![0.0; b.i1 - b.i0];
    let mut by_row = vec![0.0; b.j1 - b.j0];
    for &c in &p.cells {
        let (i, j) = mesh.ij(c);
        let a = mesh.cell_area(c);
        by_col[i - b.i0] += a;
        by_row[j - b.j0] += a;
    }
    let length = mesh.node(b.i1, 0).0 - mesh.node(b.i0, 0).0;
    let width = p.area / length.max(1.0);
    // Candidate cuts: (is column cut, index), nearest the area's median first.
    let ranked = |sums: &[f64], first: usize, ok: &dyn Fn(usize) -> bool| -> Vec<usize> {
        let mut acc = 0.0;
        let mut cand: Vec<(f64, usize)> = Vec::new();
        for (k, v) in sums.iter().enumerate().skip(1) {
            acc += sums[k - 1];
            let _ = v;
            if ok(first + k) {
                cand.push(((acc - 0.5 * p.area).abs(), first + k));
            }
        }
        cand.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        cand.into_iter().map(|c| c.1).collect()
    };
    let cols = ranked(&by_col, b.i0, &|_| true);
    let rows = ranked(&by_row, b.j0, &|j| allowed.contains(&j));
    let mut tries: Vec<(bool, usize)> = Vec::new();
    let col_first = length >= width;
    let c_iter = cols.iter().map(|&i| (true, i));
    let r_iter = rows.iter().map(|&j| (false, j));
    if col_first {
        tries.extend(c_iter.chain(r_iter));
    } else {
        tries.extend(r_iter.chain(c_iter));
    }
    for (is_col, at) in tries {
        let (a, bb): (Vec<Cell>, Vec<Cell>) = p.cells.iter().partition(|&&c| {
            let (i, j) = mesh.ij(c);
            if is_col { i < at } else { j < at }
        });
        if a.is_empty() || bb.is_empty() {
            continue;
        }
        if !mesh.connected(&a) || !mesh.connected(&bb) {
            continue;
        }
        if mesh.outline(&a).is_err() || mesh.outline(&bb).is_err() {
            continue;
        }
        let area_a: f64 = a.iter().map(|&c| mesh.cell_area(c)).sum();
        return Some((
            Piece {
                owner: p.owner,
                cells: a,
                area: area_a,
            },
            Piece {
                owner: p.owner,
                area: p.area - area_a,
                cells: bb,
            },
        ));
    }
    None
}
