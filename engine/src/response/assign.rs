use std::collections::HashMap;

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

/// People indexed by grid and role, with their remaining capacity during one assessment.
#[derive(Debug, Clone)]
pub struct Roster {
    by_grid_role: HashMap<(u32, u32), Vec<PersonIdx>>,
    capacity: Vec<u32>,
    /// The grid itself and every grid below it, per grid.
    subtree: Vec<Vec<GridIdx>>,
    roots: Vec<GridIdx>,
}

impl Roster {
    /// Indexes the personnel.
    pub fn new(grids: &[Grid], people: &[Person]) -> Roster {
        let mut by_grid_role: HashMap<(u32, u32), Vec<PersonIdx>> = HashMap::new();
        for (i, p) in people.iter().enumerate() {
            by_grid_role
                .entry((p.grid.0, p.role.0))
                .or_default()
                .push(PersonIdx(i as u32));
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
            by_grid_role,
            capacity: people.iter().map(|p| p.capacity).collect(),
            subtree,
            roots,
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

    /// Picks up to `needed` people of the given roles for a task in `grid`: own grid first, then
    /// neighbours, then the parent's grids, then town-level teams; within a tier, the least
    /// loaded first, ties by roster order. Takes their capacity.
    pub fn assign(
        &mut self,
        grid: GridIdx,
        roles: &[RoleIdx],
        needed: u32,
        grids: &[Grid],
        facts: &[GridFacts],
        out: &mut Vec<(PersonIdx, Tier)>,
    ) {
        let mut tiers: [Vec<GridIdx>; 4] = Default::default();
        if let Some(sub) = self.subtree.get(grid.ix()) {
            tiers[0] = sub.clone();
        }
        if let Some(f) = facts.get(grid.ix()) {
            for n in &f.neighbours {
                tiers[1].extend(self.subtree[n.ix()].iter().copied());
            }
        }
        if let Some(parent) = grids.get(grid.ix()).and_then(|g| g.parent) {
            tiers[2].extend(self.subtree[parent.ix()].iter().copied());
        }
        tiers[3] = self.roots.clone();
        let mut seen_grids: Vec<GridIdx> = Vec::new();
        let mut got = 0u32;
        for (t, tier_grids) in tiers.iter().enumerate() {
            if got >= needed {
                break;
            }
            let tier = [Tier::Own, Tier::Neighbour, Tier::Parent, Tier::Town][t];
            let mut cands: Vec<PersonIdx> = Vec::new();
            for &g in tier_grids {
                if seen_grids.contains(&g) {
                    continue;
                }
                seen_grids.push(g);
                for r in roles {
                    if let Some(list) = self.by_grid_role.get(&(g.0, r.0)) {
                        cands.extend(list.iter().copied().filter(|&p| {
                            self.remaining(p) > 0 && !out.iter().any(|(q, _)| *q == p)
                        }));
                    }
                }
            }
            cands.sort_by_key(|&p| (std::cmp::Reverse(self.remaining(p)), p));
            cands.dedup();
            for p in cands {
                if got >= needed {
                    break;
                }
                if self.take(p) {
                    out.push((p, tier));
                    got += 1;
                }
            }
        }
    }
}
