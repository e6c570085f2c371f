//! The stages of an assessment (see [`super::Engine::assess_timed`]): activation, order,
//! assignment, dependencies, instances and totals. Only indices pass between the early stages;
//! strings are made once, in the instances stage.

use std::sync::Arc;

use rayon::prelude::*;

use super::bindings::{DynEnv, Globals};
use super::index::FxMap;
use super::items::kind;
use super::types::{
    Assignee, MaterialLine, MaterialShortfall, MaterialSource, PeopleShortfall, Shortfalls,
    Summary, SupportRequest, TaskInstance,
};
use super::{Engine, Situation};
use crate::response::{MaterialDraw, Tier};
use floodgrid_model::grid::{GridIdx, PersonIdx};
use floodgrid_model::plan::{ForEach, Instruction, OnFall, TaskStatus, eval_bool};

/// An active instance from step 1: instruction index, `for_each` item, instance id.
/// Stage 1's result: the active instances (instruction, item), their ids, and which are shown
/// stood down.
pub(super) struct Active {
    pub(super) items: Vec<(u32, Option<u32>)>,
    pub(super) keys: Vec<Arc<str>>,
    pub(super) stood_down: Vec<bool>,
}

/// Stage 3's result: per instance, in order, what was decided; the picks, lines and draws; and
/// per role and material, (needed, short).
pub(super) struct Assigned {
    pub(super) decided: Vec<Decided>,
    pub(super) arena: Arena,
    pub(super) role_need: Vec<(u32, u32)>,
    /// Per role: headcount to request and instances, for external roles.
    pub(super) support_need: Vec<(u32, u32)>,
    pub(super) material_need: Vec<(f64, f64)>,
}

pub(super) type Activated = (u32, Option<u32>, Arc<str>);

/// What step 3 of an assessment decided for one instance: indices only.
pub(super) struct Decided {
    /// Index into the active list.
    pub(super) n: usize,
    pub(super) grid: GridIdx,
    pub(super) status: TaskStatus,
    pub(super) picks: std::ops::Range<u32>,
    pub(super) people_short: u32,
    pub(super) lines: std::ops::Range<u32>,
    pub(super) trigger_min: f64,
    pub(super) deadline_min: f64,
}

/// One material line decided in step 3.
pub(super) struct Line {
    pub(super) material: floodgrid_model::grid::MaterialIdx,
    pub(super) quantity: f64,
    pub(super) short: f64,
    pub(super) draws: std::ops::Range<u32>,
}

/// Flat storage of step 3's picks, material lines and depot draws.
#[derive(Default)]
pub(super) struct Arena {
    pub(super) picks: Vec<(PersonIdx, Tier)>,
    pub(super) lines: Vec<Line>,
    pub(super) draws: Vec<MaterialDraw>,
}

impl Engine {
    /// Stage 1: the active instances, one pass per instruction, in parallel, in plan order; then
    /// the instances no longer active but known from earlier, kept (`on_fall = keep`) or marked
    /// stood down.
    pub(super) fn activate_all(&self, situation: &Situation, globals: &Globals) -> Active {
        let sc = &self.scenario;
        let per_instruction: Vec<Vec<Activated>> = sc
            .plan
            .instructions
            .par_iter()
            .enumerate()
            .map(|(k, ins)| self.activate(k as u32, ins, globals, situation))
            .collect();
        let total = per_instruction.iter().map(Vec::len).sum();
        let mut active: Vec<(u32, Option<u32>)> = Vec::with_capacity(total);
        let mut keys: Vec<Arc<str>> = Vec::with_capacity(total);
        for (k, item, key) in per_instruction.into_iter().flatten() {
            active.push((k, item));
            keys.push(key);
        }
        let mut stood_down = vec![false; active.len()];
        // Instances no longer active but known from earlier: kept (`on_fall = keep`) or shown as
        // stood down.
        if !situation.tasks.is_empty() {
            let present: std::collections::HashSet<&str> = keys.iter().map(|k| &**k).collect();
            let mut gone = Vec::new();
            for (key, rec) in &situation.tasks {
                if present.contains(key.as_str())
                    || rec.status.is_finished()
                    || rec.status == TaskStatus::StoodDown
                {
                    continue;
                }
                let Some((k, item)) = self.parse_key(key, situation) else {
                    continue;
                };
                gone.push((k, item, Arc::<str>::from(key.as_str())));
            }
            for (k, item, key) in gone {
                let ins = &sc.plan.instructions[k as usize];
                stood_down.push(ins.on_fall == OnFall::StandDown);
                keys.push(key);
                active.push((k, item));
            }
        }
        Active {
            items: active,
            keys,
            stood_down,
        }
    }

    /// Stage 2: the order of the active instances: priority, then plan order, then item order.
    pub(super) fn order(&self, active: &[(u32, Option<u32>)]) -> Vec<usize> {
        let sc = &self.scenario;
        // `active` runs in plan order with items ascending, then the stood-down ones: sort runs
        // of one instruction by (priority, instruction), and items within a run only when needed.
        let mut runs: Vec<(u8, u32, usize, usize)> = Vec::new();
        for (n, &(k, _)) in active.iter().enumerate() {
            match runs.last_mut() {
                Some(r) if r.1 == k && r.3 == n => r.3 = n + 1,
                _ => runs.push((sc.plan.instructions[k as usize].priority, k, n, n + 1)),
            }
        }
        runs.sort_by_key(|r| (r.0, r.1, active[r.2].1.unwrap_or(0)));
        let mut order: Vec<usize> = Vec::with_capacity(active.len());
        let mut from = 0;
        while from < runs.len() {
            let (p, k) = (runs[from].0, runs[from].1);
            let to = from
                + runs[from..]
                    .iter()
                    .take_while(|r| (r.0, r.1) == (p, k))
                    .count();
            let start = order.len();
            for r in &runs[from..to] {
                order.extend(r.2..r.3);
            }
            if to - from > 1 {
                order[start..].sort_by_key(|&n| active[n].1.unwrap_or(0));
            }
            from = to;
        }
        order
    }

    /// Stage 3: people and materials, sequentially in `order` (deterministic); only indices here,
    /// the strings come in stage 5. Dispatched instances keep their people and take their
    /// capacity first.
    pub(super) fn assign(
        &self,
        situation: &Situation,
        active: &Active,
        order: &[usize],
    ) -> Assigned {
        let sc = &self.scenario;
        let (items, keys, stood_down) = (&active.items, &active.keys, &active.stood_down);
        let mut roster = self.roster.clone();
        roster.reset(&sc.people, &situation.unavailable);
        let mut stocks = self.stocks.clone();
        stocks.reset();
        let known = !situation.tasks.is_empty();
        // Dispatched instances keep their people: take their capacity first. A finished
        // instance's people are free again.
        if known {
            for &n in order {
                if let Some(rec) = situation.tasks.get(&*keys[n])
                    && !rec.status.is_finished()
                {
                    for &p in &rec.assignees {
                        roster.take(p);
                    }
                }
            }
        }
        let mut arena = Arena::default();
        let mut decided: Vec<Decided> = Vec::with_capacity(items.len());
        let mut role_need: Vec<(u32, u32)> = vec![(0, 0); sc.config.roles.len()];
        let mut support_need: Vec<(u32, u32)> = vec![(0, 0); sc.config.roles.len()];
        let mut material_need: Vec<(f64, f64)> = vec![(0.0, 0.0); sc.config.materials.len()];
        let mut picked: Vec<(PersonIdx, Tier)> = Vec::new();
        let mut draws: Vec<MaterialDraw> = Vec::new();
        for &n in order {
            let (k, item) = items[n];
            let ins = &sc.plan.instructions[k as usize];
            let rec = if known {
                situation.tasks.get(&*keys[n])
            } else {
                None
            };
            let grid = self.instance_grid(ins.for_each, item, situation);
            let mut status = rec.map(|r| r.status).unwrap_or_default();
            if stood_down[n] {
                status = TaskStatus::StoodDown;
            }
            let live = status != TaskStatus::StoodDown;
            picked.clear();
            match rec {
                Some(r) if !r.assignees.is_empty() => {
                    picked.extend(r.assignees.iter().map(|&p| (p, Tier::Own)))
                }
                _ if live && !status.is_finished() => {
                    // A resident's guardian leads their own key persons' and households' tasks:
                    // a standing duty of the 包保 register, outside the roster's capacity.
                    if let Some(g) = self.guardian(ins, item, situation) {
                        picked.push((g, Tier::Own));
                    }
                    roster.assign(
                        grid,
                        &ins.roles,
                        ins.people.saturating_sub(picked.len() as u32),
                        &sc.grids,
                        &self.facts,
                        &mut picked,
                    )
                }
                _ => {}
            }
            let people_short = if live && !status.is_finished() {
                ins.people.saturating_sub(picked.len() as u32)
            } else {
                0
            };
            if live {
                // What the town's own people could not fill is support to request when the
                // instruction accepts an external role, else staff short.
                let external = ins
                    .roles
                    .iter()
                    .find(|r| sc.config.roles.get(r.ix()).is_some_and(|x| x.external));
                if let Some(e) = ins.roles.first().and_then(|r| role_need.get_mut(r.ix())) {
                    e.0 += ins.people;
                    if external.is_none() {
                        e.1 += people_short;
                    }
                }
                if let Some(e) = external.and_then(|x| support_need.get_mut(x.ix()))
                    && people_short > 0
                {
                    e.0 += people_short;
                    e.1 += 1;
                }
            }
            let picks_from = arena.picks.len() as u32;
            arena.picks.extend_from_slice(&picked);
            let lines_from = arena.lines.len() as u32;
            for &(m, qty) in &ins.materials {
                draws.clear();
                let short = if live {
                    stocks.draw(m, qty, &self.depot_order[grid.ix()], &mut draws)
                } else {
                    0.0
                };
                if live && let Some(e) = material_need.get_mut(m.ix()) {
                    e.0 += qty;
                    e.1 += short;
                }
                let draws_from = arena.draws.len() as u32;
                arena.draws.extend_from_slice(&draws);
                arena.lines.push(Line {
                    material: m,
                    quantity: qty,
                    short,
                    draws: draws_from..arena.draws.len() as u32,
                });
            }
            let trigger_min = rec.map(|r| r.triggered_min).unwrap_or(situation.now_min);
            let mut deadline_min = trigger_min + ins.deadline_min;
            if let (Some(before_h), Some(arr)) = (
                ins.before_arrival_h,
                situation
                    .arrival_hours
                    .as_ref()
                    .and_then(|a| a.get(grid.ix()).copied().flatten()),
            ) {
                deadline_min = deadline_min.min(situation.now_min + (arr - before_h) * 60.0);
            }
            if live && !status.is_finished() && situation.now_min > deadline_min {
                status = TaskStatus::Overdue;
            }
            decided.push(Decided {
                n,
                grid,
                status,
                picks: picks_from..arena.picks.len() as u32,
                people_short,
                lines: lines_from..arena.lines.len() as u32,
                trigger_min,
                deadline_min,
            });
        }
        Assigned {
            decided,
            arena,
            role_need,
            support_need,
            material_need,
        }
    }

    /// Stage 5: the instances themselves, in parallel, in order; what many share (cards, ids) is
    /// copied by pointer.
    pub(super) fn instances(
        &self,
        situation: &Situation,
        globals: &Globals,
        active: &Active,
        assigned: &Assigned,
        deps: Vec<(Vec<Arc<str>>, bool)>,
    ) -> Vec<TaskInstance> {
        let sc = &self.scenario;
        let names = &self.names;
        let (decided, arena) = (&assigned.decided, &assigned.arena);
        decided
            .par_iter()
            .zip(deps.into_par_iter())
            .map(|(d, (depends_on, ready))| {
                let (k, item) = active.items[d.n];
                let ins = &sc.plan.instructions[k as usize];
                TaskInstance {
                    id: active.keys[d.n].clone(),
                    card: names.instructions[k as usize].clone(),
                    target: item
                        .map(|i| self.target(ins.for_each.unwrap_or(ForEach::Grid), i, situation)),
                    grid: names.evac.grid_ids[d.grid.ix()].clone(),
                    status: d.status,
                    trigger_min: d.trigger_min,
                    deadline_min: d.deadline_min,
                    duration_min: ins.duration_min,
                    repeat_min: ins.repeat_min,
                    depends_on,
                    ready,
                    people_needed: ins.people,
                    assignees: arena.picks[d.picks.start as usize..d.picks.end as usize]
                        .iter()
                        .filter_map(|&(p, tier)| {
                            Some(Assignee {
                                person: names.people.get(p.ix())?.clone(),
                                tier,
                            })
                        })
                        .collect(),
                    people_short: d.people_short,
                    materials: arena.lines[d.lines.start as usize..d.lines.end as usize]
                        .iter()
                        .map(|l| MaterialLine {
                            material: names.material_ids[l.material.ix()].clone(),
                            quantity: l.quantity,
                            sources: arena.draws[l.draws.start as usize..l.draws.end as usize]
                                .iter()
                                .map(|d| MaterialSource {
                                    depot: names.evac.site_ids[d.depot.ix()].clone(),
                                    quantity: d.quantity,
                                })
                                .collect(),
                            short: l.short,
                        })
                        .collect(),
                    message: ins
                        .message
                        .and_then(|m| sc.plan.templates.get(m.0 as usize))
                        .map(|t| self.render(&t.text, globals, ins.for_each, item, situation)),
                }
            })
            .collect()
    }

    /// Stage 6: totals and shortfalls.
    pub(super) fn totals(
        &self,
        tasks: &[TaskInstance],
        active: &Active,
        assigned: Assigned,
    ) -> (Summary, Shortfalls) {
        let sc = &self.scenario;
        let mut shortfalls = Shortfalls::default();
        for (r, (needed, short)) in assigned.role_need.into_iter().enumerate() {
            if short > 0 {
                shortfalls.people.push(PeopleShortfall {
                    role: sc.config.roles[r].id.clone(),
                    needed,
                    short,
                });
            }
        }
        for (r, (request, instances)) in assigned.support_need.into_iter().enumerate() {
            if request > 0 {
                shortfalls.support.push(SupportRequest {
                    role: sc.config.roles[r].id.clone(),
                    request,
                    instances,
                });
            }
        }
        for (m, (needed, short)) in assigned.material_need.into_iter().enumerate() {
            if short > 0.0 {
                let mi = floodgrid_model::grid::MaterialIdx(m as u32);
                shortfalls.materials.push(MaterialShortfall {
                    material: sc.config.materials[m].id.clone(),
                    needed,
                    available: self.stocks.total(mi),
                    short,
                });
            }
        }
        let mut summary = Summary::default();
        let mut active_ins = vec![false; sc.plan.instructions.len()];
        for (t, d) in tasks.iter().zip(&assigned.decided) {
            if t.status == TaskStatus::StoodDown {
                continue;
            }
            active_ins[active.items[d.n].0 as usize] = true;
            summary.instances += 1;
            if t.people_short == 0 {
                summary.assigned += 1;
            } else if t.assignees.is_empty() {
                summary.unassigned += 1;
            }
            summary.people_short += t.people_short;
            let mat_short = t.materials.iter().filter(|m| m.short > 0.0).count();
            summary.materials_short += mat_short;
            if t.people_short > 0 || mat_short > 0 {
                shortfalls.tasks.push(t.id.clone());
            }
        }
        summary.active_instructions = active_ins.iter().filter(|&&a| a).count();
        (summary, shortfalls)
    }

    /// The active items of one instruction.
    pub(super) fn activate(
        &self,
        k: u32,
        ins: &Instruction,
        globals: &Globals,
        situation: &Situation,
    ) -> Vec<Activated> {
        let global_env = DynEnv {
            engine: self,
            globals,
            situation,
            ctx: None,
        };
        let Some(fe) = ins.for_each else {
            return if eval_bool(&ins.when.expr, &global_env) {
                vec![(k, None, self.names.instruction_ids[k as usize].clone())]
            } else {
                Vec::new()
            };
        };
        // A `when` that uses no item fields is decided once for the instruction.
        if ins.when.context.is_none() && !eval_bool(&ins.when.expr, &global_env) {
            return Vec::new();
        }
        let holds = |i: u32| {
            let env = DynEnv {
                engine: self,
                globals,
                situation,
                ctx: Some((fe, i)),
            };
            (ins.when.context.is_none() || eval_bool(&ins.when.expr, &env))
                && ins.filter.as_ref().is_none_or(|f| eval_bool(&f.expr, &env))
        };
        let items = kind(fe);
        if !items.is_static() {
            return (0..items.count(self, situation) as u32)
                .filter(|&i| holds(i))
                .map(|i| (k, Some(i), self.instance_key(k, Some(i), situation)))
                .collect();
        }
        let c = &self.compiled[k as usize];
        c.candidates
            .par_iter()
            .zip(c.keys.par_iter())
            .with_min_len(2048)
            .filter(|&(&i, _)| holds(i))
            .map(|(&i, key)| (k, Some(i), key.clone()))
            .collect()
    }

    pub(super) fn instance_key(
        &self,
        k: u32,
        item: Option<u32>,
        situation: &Situation,
    ) -> Arc<str> {
        let ins = &self.scenario.plan.instructions[k as usize];
        match (ins.for_each, item) {
            (Some(fe), Some(i)) => {
                Arc::from(format!("{}@{}", ins.id, self.item_id(fe, i, situation)))
            }
            _ => self.names.instruction_ids[k as usize].clone(),
        }
    }

    /// The resident's guardian (包保责任人) for a key-person or household instance, when they hold
    /// one of the instruction's roles and are available: they lead their own residents' tasks,
    /// door to door, whatever else the roster has booked them for.
    pub(super) fn guardian(
        &self,
        ins: &Instruction,
        item: Option<u32>,
        situation: &Situation,
    ) -> Option<PersonIdx> {
        let r = kind(ins.for_each?).resident(self, item? as usize)?;
        let g = *self.resident_guardian.get(r as usize)?;
        let role = *self.person_role.get(g as usize)?;
        let g = PersonIdx(g);
        (ins.people > 0 && ins.roles.contains(&role) && !situation.unavailable.contains(&g))
            .then_some(g)
    }

    /// Step 4 of an assessment: each instance's dependencies (ids) and whether they are all done.
    /// A dependency is matched by the same item, else by the instance's grid or a grid enclosing
    /// it, else every instance of the instruction depended on; lists keep the to-do order.
    pub(super) fn dependencies(
        &self,
        decided: &[Decided],
        active: &[(u32, Option<u32>)],
        keys: &[Arc<str>],
    ) -> Vec<(Vec<Arc<str>>, bool)> {
        let sc = &self.scenario;
        let ins_of = |t: usize| &sc.plan.instructions[active[decided[t].n].0 as usize];
        let depended = &self.names.depended;
        let mut by_instruction: FxMap<u32, Vec<usize>> = FxMap::default();
        let mut by_item: FxMap<(u32, u32), Vec<usize>> = FxMap::default();
        let mut by_grid: FxMap<(u32, GridIdx), Vec<usize>> = FxMap::default();
        for (t, d) in decided.iter().enumerate() {
            let (k, item) = active[d.n];
            if !depended[k as usize] {
                continue;
            }
            by_instruction.entry(k).or_default().push(t);
            if let Some(i) = item {
                by_item.entry((k, i)).or_default().push(t);
            }
            by_grid.entry((k, d.grid)).or_default().push(t);
        }
        // The grid and the grids enclosing it (bounded, in case of a malformed tree).
        let ancestors = |g: GridIdx| {
            std::iter::successors(Some(g), |c| self.grid_parent.get(c.ix()).copied().flatten())
                .take(sc.grids.len() + 1)
        };
        (0..decided.len())
            .into_par_iter()
            .map(|t| {
                let ins = ins_of(t);
                let (_, item) = active[decided[t].n];
                let mut deps = Vec::new();
                let mut ready = true;
                for dep in &ins.depends_on {
                    let Some(list) = by_instruction.get(&dep.0) else {
                        continue;
                    };
                    let dep_ins = &sc.plan.instructions[dep.0 as usize];
                    let same_item = match item {
                        Some(i)
                            if dep_ins.for_each.is_some() && dep_ins.for_each == ins.for_each =>
                        {
                            by_item.get(&(dep.0, i)).map(Vec::as_slice)
                        }
                        _ => None,
                    };
                    let mut enclosing: Vec<usize>;
                    let matched: &[usize] = match same_item {
                        Some(m) if !m.is_empty() => m,
                        _ => {
                            enclosing = ancestors(decided[t].grid)
                                .filter_map(|g| by_grid.get(&(dep.0, g)))
                                .flatten()
                                .copied()
                                .collect();
                            if enclosing.is_empty() {
                                list
                            } else {
                                enclosing.sort_unstable();
                                &enclosing
                            }
                        }
                    };
                    for &u in matched {
                        ready &= decided[u].status.is_finished();
                        deps.push(keys[decided[u].n].clone());
                    }
                }
                (deps, ready)
            })
            .collect()
    }

    pub(super) fn parse_key(&self, key: &str, situation: &Situation) -> Option<(u32, Option<u32>)> {
        let (ins_id, item_id) = match key.split_once('@') {
            Some((a, b)) => (a, Some(b)),
            None => (key, None),
        };
        let k = *self.instruction_index.get(ins_id)?;
        let ins = &self.scenario.plan.instructions[k as usize];
        match (ins.for_each, item_id) {
            (None, None) => Some((k, None)),
            (Some(fe), Some(id)) if !kind(fe).is_static() => {
                let items = kind(fe);
                (0..items.count(self, situation))
                    .find(|&i| items.id(self, situation, i) == Some(id))
                    .map(|i| (k, Some(i as u32)))
            }
            (Some(fe), Some(id)) => self
                .item_index
                .get(&(fe, id.to_string()))
                .map(|&i| (k, Some(i))),
            _ => None,
        }
    }
}
