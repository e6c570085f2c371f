use serde::{Deserialize, Serialize};

use floodgrid_model::grid::{Grid, GridFacts, GridIdx, Person, PersonIdx, RoleIdx};

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
    /// Registered in a grid further up than the parent, below the root (a town's team for a
    /// village grid's task in a district scenario).
    Ancestor,
    /// Registered at the root of the hierarchy (the top command's own teams).
    Town,
}

/// People indexed by grid, with their remaining capacity during one assessment.
#[derive(Debug, Clone)]
pub struct Roster {
    /// People registered in each grid, in roster order.
    by_grid: Vec<Vec<PersonIdx>>,
    role: Vec<RoleIdx>,
    capacity: Vec<u32>,
    roots: Vec<GridIdx>,
    /// The grid's own children and parent.
    children: Vec<Vec<GridIdx>>,
    parent: Vec<Option<GridIdx>>,
    /// Each person's grid.
    home: Vec<GridIdx>,
    /// Roles in the roster (highest role index + 1).
    roles: usize,
    /// `avail[g * roles + r]`: people of role `r` with capacity left in `g` and the grids below
    /// it; a search skips a subtree with nobody of the roles it needs.
    avail: Vec<u32>,
    /// `own[g * roles + r]`: the same for the people registered in `g` itself (a team at a
    /// town or district), so a search for teams above skips a grid whose own are all busy.
    own: Vec<u32>,
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
        let roots = grids
            .iter()
            .enumerate()
            .filter(|(_, g)| g.parent.is_none())
            .map(|(i, _)| GridIdx(i as u32))
            .collect();
        let roles = people.iter().map(|p| p.role.ix() + 1).max().unwrap_or(0);
        let mut r = Roster {
            by_grid,
            role: people.iter().map(|p| p.role).collect(),
            capacity: people.iter().map(|p| p.capacity).collect(),
            roots,
            children: grids.iter().map(|g| g.children.clone()).collect(),
            parent: grids.iter().map(|g| g.parent).collect(),
            home: people.iter().map(|p| p.grid).collect(),
            roles,
            avail: vec![0; grids.len() * roles],
            own: vec![0; grids.len() * roles],
            grid_mark: vec![0; grids.len()],
            person_mark: vec![0; people.len()],
            generation: 0,
            cands: Vec::new(),
        };
        r.count_available();
        r
    }

    /// Recounts `avail` from the capacities.
    fn count_available(&mut self) {
        self.avail.fill(0);
        self.own.fill(0);
        for p in 0..self.capacity.len() {
            if self.capacity[p] > 0 {
                self.add_available(p, 1);
            }
        }
    }

    /// Adds `d` (±1) to the availability of person `p`'s role in their grid and every grid above.
    fn add_available(&mut self, p: usize, d: i32) {
        let role = self.role[p].ix();
        let mut g = self.home.get(p).copied();
        if let Some(h) = g
            && let Some(a) = self.own.get_mut(h.ix() * self.roles + role)
        {
            *a = a.saturating_add_signed(d);
        }
        let mut steps = 0;
        while let Some(x) = g {
            if let Some(a) = self.avail.get_mut(x.ix() * self.roles + role) {
                *a = a.saturating_add_signed(d);
            }
            steps += 1;
            if steps > self.parent.len() {
                break;
            }
            g = self.parent.get(x.ix()).copied().flatten();
        }
    }

    /// Whether anyone of `roles` has capacity left in `g` or below it.
    fn any_available(&self, g: GridIdx, roles: &[RoleIdx]) -> bool {
        self.counted(&self.avail, g, roles)
    }

    /// Whether a per-(grid, role) count table has anyone of `roles` at `g`.
    fn counted(&self, table: &[u32], g: GridIdx, roles: &[RoleIdx]) -> bool {
        roles.iter().any(|r| {
            r.ix() < self.roles
                && table
                    .get(g.ix() * self.roles + r.ix())
                    .is_some_and(|&a| a > 0)
        })
    }

    /// Whether anyone of `roles` registered in `g` itself has capacity left.
    fn own_available(&self, g: GridIdx, roles: &[RoleIdx]) -> bool {
        self.counted(&self.own, g, roles)
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
        self.count_available();
    }

    /// Takes one unit of a person's capacity; false when they have none left.
    pub fn take(&mut self, p: PersonIdx) -> bool {
        match self.capacity.get_mut(p.ix()) {
            Some(c) if *c > 0 => {
                *c -= 1;
                if *c == 0 {
                    self.add_available(p.ix(), -1);
                }
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
        // Whoever is already on the instance (a guardian leading their own resident's task) is
        // not a candidate again: one person, one place.
        for &(p, _) in out.iter() {
            if let Some(m) = self.person_mark.get_mut(p.ix()) {
                *m = generation;
            }
        }
        let mut got = 0u32;
        let neighbours: &[GridIdx] = facts
            .get(grid.ix())
            .map(|f| f.neighbours.as_slice())
            .unwrap_or(&[]);
        let parent = grids.get(grid.ix()).and_then(|g| g.parent);
        for tier in [
            Tier::Own,
            Tier::Neighbour,
            Tier::Parent,
            Tier::Ancestor,
            Tier::Town,
        ] {
            if got >= needed {
                break;
            }
            let mut cands = std::mem::take(&mut self.cands);
            cands.clear();
            // Every grid of the subtree under `top` not yet visited, skipping subtrees with
            // nobody of the roles left; the people of the roles with capacity go to `cands`.
            let mut collect = |top: GridIdx, whole: bool, this: &mut Roster| {
                let mut stack = vec![top];
                while let Some(g) = stack.pop() {
                    let available = if whole {
                        this.any_available(g, roles)
                    } else {
                        this.own_available(g, roles)
                    };
                    if !available {
                        continue;
                    }
                    match this.grid_mark.get_mut(g.ix()) {
                        Some(m) if *m != generation => {
                            *m = generation;
                            for &p in &this.by_grid[g.ix()] {
                                if this.person_mark[p.ix()] != generation
                                    && this.capacity[p.ix()] > 0
                                    && roles.contains(&this.role[p.ix()])
                                {
                                    cands.push(p);
                                }
                            }
                        }
                        Some(_) => {}
                        None => continue,
                    }
                    if whole && let Some(ch) = this.children.get(g.ix()) {
                        stack.extend(ch.iter().copied());
                    }
                }
            };
            match tier {
                Tier::Own => collect(grid, true, self),
                Tier::Neighbour => {
                    for &n in neighbours {
                        collect(n, true, self);
                    }
                }
                Tier::Parent => {
                    if let Some(p) = parent {
                        collect(p, true, self);
                    }
                }
                Tier::Ancestor => {
                    // Every grid above the parent up to (not including) the root, nearest first;
                    // bounded by the number of grids in case of a malformed tree.
                    let mut up = parent
                        .and_then(|p| grids.get(p.ix()))
                        .and_then(|g| g.parent);
                    let mut steps = 0;
                    while let Some(a) = up {
                        let above = grids.get(a.ix()).and_then(|g| g.parent);
                        if above.is_none() || steps > grids.len() {
                            break;
                        }
                        collect(a, false, self);
                        up = above;
                        steps += 1;
                    }
                }
                Tier::Town => {
                    for k in 0..self.roots.len() {
                        let g = self.roots[k];
                        collect(g, false, self);
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
    use floodgrid_model::grid::{GridKind, Region, Shift};

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
