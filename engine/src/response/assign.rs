use serde::{Deserialize, Serialize};

use crate::grid::{Grid, GridFacts, GridIdx, Person, PersonIdx, RoleIdx};

/// How far from the task a person was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// In the task's own grid (or a grid below it).
    Own,
    /// In a neighbouring grid.
    Neighbour,
    /// In the parent grid (or its other children).
    Parent,
    /// A town-level team.
    Town,
}

/// People indexed by grid, with their remaining capacity during one assessment.
#[derive(Debug, Clone)]
pub struct Roster {
    /// People registered in each grid, in roster order.
    by_grid: Vec<Vec<PersonIdx>>,
    role: Vec<RoleIdx>,
    capacity: Vec<u32>,
    /// The grid itself and every grid below it, per grid.
    subtree: Vec<Vec<GridIdx>>,
    roots: Vec<GridIdx>,
    /// Generation marks: a grid is visited once per assignment, a person picked once.
    grid_mark: Vec<u32>,
    person_mark: Vec<u32>,
    generation: u32,
    cands: Vec<PersonIdx>,
}

impl Roster {
    /// Indexes the personnel.
    pub fn new(grids: &[Grid], people: &[Person]) -> Roster {
        let mut by_grid = vec![Vec::new(); grids.len()];
        for (i, p) in people.iter().enumerate() {
            if let Some(list) = by_grid.get_mut(p.grid.ix()) {
                list.push(PersonIdx(i as u32));
            }
        }
        let mut subtree = vec![Vec::new(); grids.len()];
        for (i, sub) in subtree.iter_mut().enumerate() {
            let mut stack = vec![GridIdx(i as u32)];
            while let Some(g) = stack.pop() {
                sub.push(g);
                if sub.len() > grids.len() {
                    break;
                }
                stack.extend(grids[g.ix()].children.iter().rev().copied());
            }
        }
        let roots = grids
            .iter()
            .enumerate()
            .filter(|(_, g)| g.parent.is_none())
            .map(|(i, _)| GridIdx(i as u32))
            .collect();
        Roster {
            by_grid,
            role: people.iter().map(|p| p.role).collect(),
            capacity: people.iter().map(|p| p.capacity).collect(),
            subtree,
            roots,
            grid_mark: vec![0; grids.len()],
            person_mark: vec![0; people.len()],
            generation: 0,
            cands: Vec::new(),
        }
    }

    /// Restores everyone's full capacity (start of an assessment), minus the unavailable.
    pub fn reset(&mut self, people: &[Person], unavailable: &[PersonIdx]) {
        for (c, p) in self.capacity.iter_mut().zip(people) {
            *c = p.capacity;
        }
        for u in unavailable {
            if let Some(c) = self.capacity.get_mut(u.ix()) {
                *c = 0;
            }
        }
    }

    /// Takes one unit of a person's capacity; false when they have none left.
    pub fn take(&mut self, p: PersonIdx) -> bool {
        match self.capacity.get_mut(p.ix()) {
            Some(c) if *c > 0 => {
                *c -= 1;
                true
            }
            _ => false,
        }
    }

    /// Remaining capacity of a person.
    pub fn remaining(&self, p: PersonIdx) -> u32 {
        self.capacity.get(p.ix()).copied().unwrap_or(0)
    }

    /// Picks up to `needed` people of the given roles for a task in `grid`: own grid (and the grids
    /// below it) first, then neighbours, then the parent's grids, then town-level teams; within a
    /// tier, the least loaded first, ties by roster order. Takes their capacity.
    pub fn assign(
        &mut self,
        grid: GridIdx,
        roles: &[RoleIdx],
        needed: u32,
        grids: &[Grid],
        facts: &[GridFacts],
        out: &mut Vec<(PersonIdx, Tier)>,
    ) {
        if needed == 0 || roles.is_empty() {
            return;
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.grid_mark.fill(0);
            self.person_mark.fill(0);
            self.generation = 1;
        }
        let generation = self.generation;
        let mut got = 0u32;
        let neighbours: &[GridIdx] = facts
            .get(grid.ix())
            .map(|f| f.neighbours.as_slice())
            .unwrap_or(&[]);
        let parent = grids.get(grid.ix()).and_then(|g| g.parent);
        for tier in [Tier::Own, Tier::Neighbour, Tier::Parent, Tier::Town] {
            if got >= needed {
                break;
            }
            let mut cands = std::mem::take(&mut self.cands);
            cands.clear();
            let mut visit = |g: GridIdx, this: &mut Roster| {
                match this.grid_mark.get_mut(g.ix()) {
                    Some(m) if *m != generation => *m = generation,
                    _ => return,
                }
                for &p in &this.by_grid[g.ix()] {
                    if this.person_mark[p.ix()] != generation
                        && this.capacity[p.ix()] > 0
                        && roles.contains(&this.role[p.ix()])
                    {
                        cands.push(p);
                    }
                }
            };
            match tier {
                Tier::Own => {
                    for k in 0..self.subtree.get(grid.ix()).map_or(0, Vec::len) {
                        let g = self.subtree[grid.ix()][k];
                        visit(g, self);
                    }
                }
                Tier::Neighbour => {
                    for n in neighbours {
                        for k in 0..self.subtree.get(n.ix()).map_or(0, Vec::len) {
                            let g = self.subtree[n.ix()][k];
                            visit(g, self);
                        }
                    }
                }
                Tier::Parent => {
                    if let Some(p) = parent {
                        for k in 0..self.subtree.get(p.ix()).map_or(0, Vec::len) {
                            let g = self.subtree[p.ix()][k];
                            visit(g, self);
                        }
                    }
                }
                Tier::Town => {
                    for k in 0..self.roots.len() {
                        let g = self.roots[k];
                        visit(g, self);
                    }
                }
            }
            cands.sort_by_key(|&p| (std::cmp::Reverse(self.capacity[p.ix()]), p));
            for &p in &cands {
                if got >= needed {
                    break;
                }
                if self.take(p) {
                    self.person_mark[p.ix()] = generation;
                    out.push((p, tier));
                    got += 1;
                }
            }
            self.cands = cands;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::{GridKind, Region, Shift};

    /// Town t → village v → grids a, b (neighbours), c (not a neighbour of a).
    fn map() -> (Vec<Grid>, Vec<GridFacts>) {
        let g = |id: &str, kind, parent: Option<u32>, children: Vec<u32>| Grid {
            id: id.into(),
            name: id.into(),
            name_en: None,
            kind,
            parent: parent.map(GridIdx),
            children: children.into_iter().map(GridIdx).collect(),
            population: 0,
            region: Region::new(vec![]),
            region_lonlat: Region::new(vec![]),
            area_km2: 1.0,
        };
        let grids = vec![
            g("t", GridKind::Town, None, vec![1]),
            g("v", GridKind::Village, Some(0), vec![2, 3, 4]),
            g("a", GridKind::Grid, Some(1), vec![]),
            g("b", GridKind::Grid, Some(1), vec![]),
            g("c", GridKind::Grid, Some(1), vec![]),
        ];
        let f = |n: Vec<u32>| GridFacts {
            anchor: [0.0, 0.0],
            floodplain: false,
            dike_km: 0.0,
            works: 0,
            key_persons: 0,
            households: 0,
            village: Some(GridIdx(1)),
            depth: 2,
            neighbours: n.into_iter().map(GridIdx).collect(),
        };
        let facts = vec![f(vec![]), f(vec![]), f(vec![3]), f(vec![2]), f(vec![])];
        (grids, facts)
    }

    fn person(id: &str, role: u32, grid: u32, capacity: u32) -> Person {
        Person {
            id: id.into(),
            name: id.into(),
            role: RoleIdx(role),
            team: String::new(),
            grid: GridIdx(grid),
            phone: String::new(),
            skills: vec![],
            shift: Shift::Any,
            capacity,
        }
    }

    const WORKER: RoleIdx = RoleIdx(0);
    const BOAT: RoleIdx = RoleIdx(1);

    fn pick(
        r: &mut Roster,
        grid: u32,
        roles: &[RoleIdx],
        n: u32,
        grids: &[Grid],
        facts: &[GridFacts],
    ) -> Vec<(String, Tier)> {
        let mut out = Vec::new();
        r.assign(GridIdx(grid), roles, n, grids, facts, &mut out);
        out.into_iter()
            .map(|(p, t)| (format!("p{}", p.0), t))
            .collect()
    }

    #[test]
    fn own_grid_then_neighbour_then_parent_then_town() {
        let (grids, facts) = map();
        let people = vec![
            person("p0", 0, 2, 1), // in a
            person("p1", 0, 3, 1), // in b, a's neighbour
            person("p2", 0, 4, 1), // in c, not a neighbour
            person("p3", 0, 1, 1), // at the village
            person("p4", 0, 0, 1), // town team
        ];
        let mut r = Roster::new(&grids, &people);
        let got = pick(&mut r, 2, &[WORKER], 5, &grids, &facts);
        let tiers: Vec<Tier> = got.iter().map(|x| x.1).collect();
        assert_eq!(got[0].0, "p0");
        assert_eq!(got[1].0, "p1");
        assert_eq!(
            tiers,
            vec![
                Tier::Own,
                Tier::Neighbour,
                Tier::Parent,
                Tier::Parent,
                Tier::Town
            ]
        );
    }

    #[test]
    fn nobody_is_booked_beyond_capacity() {
        let (grids, facts) = map();
        let people = vec![person("p0", 0, 2, 2)];
        let mut r = Roster::new(&grids, &people);
        assert_eq!(pick(&mut r, 2, &[WORKER], 1, &grids, &facts).len(), 1);
        assert_eq!(pick(&mut r, 2, &[WORKER], 1, &grids, &facts).len(), 1);
        assert!(
            pick(&mut r, 2, &[WORKER], 1, &grids, &facts).is_empty(),
            "capacity 2 used up"
        );
        // One instance never takes the same person twice.
        let mut r = Roster::new(&grids, &people);
        assert_eq!(pick(&mut r, 2, &[WORKER], 3, &grids, &facts).len(), 1);
    }

    #[test]
    fn only_the_required_role_is_taken() {
        let (grids, facts) = map();
        let people = vec![person("p0", 0, 2, 1), person("p1", 1, 2, 1)];
        let mut r = Roster::new(&grids, &people);
        let got = pick(&mut r, 2, &[BOAT], 2, &grids, &facts);
        assert_eq!(got, vec![("p1".to_string(), Tier::Own)]);
        let got = pick(&mut r, 2, &[WORKER, BOAT], 2, &grids, &facts);
        assert_eq!(
            got,
            vec![("p0".to_string(), Tier::Own)],
            "any of the listed roles"
        );
    }

    #[test]
    fn shortfall_when_nobody_fits() {
        let (grids, facts) = map();
        let people = vec![person("p0", 0, 2, 1)];
        let mut r = Roster::new(&grids, &people);
        assert!(pick(&mut r, 2, &[BOAT], 3, &grids, &facts).is_empty());
        r.reset(&people, &[PersonIdx(0)]);
        assert!(
            pick(&mut r, 2, &[WORKER], 1, &grids, &facts).is_empty(),
            "unavailable people are not assigned"
        );
    }

    #[test]
    fn least_loaded_first_with_a_stable_tie_break() {
        let (grids, facts) = map();
        let people = vec![
            person("p0", 0, 2, 1),
            person("p1", 0, 2, 3),
            person("p2", 0, 2, 3),
        ];
        let mut r = Roster::new(&grids, &people);
        let got = pick(&mut r, 2, &[WORKER], 1, &grids, &facts);
        assert_eq!(got[0].0, "p1", "most remaining capacity, then roster order");
        let got = pick(&mut r, 2, &[WORKER], 1, &grids, &facts);
        assert_eq!(got[0].0, "p2");
    }
}
