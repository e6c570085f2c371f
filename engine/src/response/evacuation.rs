//! The evacuation plan: who leaves first, to which shelter, by what means, led by whom.
//!
//! Everyone whose home gets wet at the discharge that matters (the current one or the forecast
//! peak, whichever is higher) must leave. Order: least margin first (the discharge that floods the
//! home minus that discharge; already-flooded homes come first), then the earlier arrival of the
//! water when the 2D solver gave one, then vulnerability (bedridden, disabled, elderly alone,
//! pregnant, children, chronically ill, then households by evacuation class), then id.
//! Shelters: dry at that discharge, with beds of the right category left, nearest first.

use serde::{Deserialize, Serialize};

use crate::grid::{Person, PersonIdx, Resident, ResidentKind, RoleIdx, Site, SiteKind};

/// How an evacuee travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Means {
    /// Walks out with the grid worker.
    OnFoot,
    /// Needs a vehicle (far, or cannot walk).
    Vehicle,
    /// Cut off by water: a boat.
    Boat,
}

/// One evacuee (a key person or a household) in the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evacuee {
    /// Order in the plan, 1 first.
    pub rank: u32,
    /// Resident id.
    pub resident: String,
    /// Name.
    pub name: String,
    /// `key_person` or `household`.
    pub kind: String,
    /// Key-person category or household category.
    pub category: String,
    /// Evacuation class of a household.
    pub evac_class: Option<u8>,
    /// Persons.
    pub size: u32,
    /// Grid id.
    pub grid: String,
    /// Discharge at which the home gets wet, m³/s (None: not below the atlas's top).
    pub wet_discharge_m3s: Option<f64>,
    /// That discharge minus the discharge planned for; negative: already under water.
    pub margin_m3s: Option<f64>,
    /// Hours until the water arrives, when the 2D solver gave it.
    pub arrival_hours: Option<f64>,
    /// Shelter site id (None: overflow, no bed found).
    pub shelter: Option<String>,
    /// Straight-line distance to the shelter, km.
    pub distance_km: Option<f64>,
    /// How they travel.
    pub means: Means,
    /// Person id of the grid worker who leads them (None: nobody available).
    pub leader: Option<String>,
    /// Leader's name.
    pub leader_name: Option<String>,
}

/// The plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EvacuationPlan {
    /// Discharge planned for (current or forecast peak), m³/s.
    pub planning_discharge_m3s: f64,
    /// Evacuees in order.
    pub evacuees: Vec<Evacuee>,
    /// Persons to move.
    pub persons: u32,
    /// Resident ids with no shelter bed.
    pub overflow: Vec<String>,
    /// Resident ids with nobody to lead them.
    pub unassigned: Vec<String>,
}

/// What the planner needs about the places and the people.
pub struct EvacuationInput<'a> {
    /// Residents.
    pub residents: &'a [Resident],
    /// Discharge at which each resident's cell gets wet.
    pub resident_threshold: &'a [f32],
    /// Sites.
    pub sites: &'a [Site],
    /// Discharge at which each site gets wet.
    pub site_threshold: &'a [f32],
    /// Personnel.
    pub people: &'a [Person],
    /// Personnel registered in each grid (indices into `people`, roster order), by grid index.
    pub people_by_grid: &'a [Vec<PersonIdx>],
    /// Roles that lead evacuations, in order of preference.
    pub leader_roles: &'a [RoleIdx],
    /// People who cannot lead.
    pub unavailable: &'a [PersonIdx],
    /// Arrival hours per grid index, when known.
    pub arrival_hours: Option<&'a [Option<f64>]>,
    /// Grid ids by index.
    pub grid_ids: &'a [String],
}

fn vulnerability(r: &Resident) -> u32 {
    match &r.kind {
        ResidentKind::KeyPerson { category } => match category.as_str() {
            "bedridden" => 0,
            "disabled" => 1,
            "elderly_alone" => 2,
            "pregnant" => 3,
            "child" => 4,
            _ => 5,
        },
        ResidentKind::Household { evac_class, .. } => 5 + u32::from(*evac_class),
    }
}

/// Distance beyond which evacuees ride rather than walk, metres.
const WALK_LIMIT_M: f64 = 2_000.0;

/// Builds the plan for a discharge (and a higher forecast peak, if any).
pub fn plan_evacuation(
    input: &EvacuationInput<'_>,
    q: f64,
    forecast_peak: Option<f64>,
) -> EvacuationPlan {
    let planning = forecast_peak.unwrap_or(q).max(q);
    let mut who: Vec<usize> = (0..input.residents.len())
        .filter(|&i| {
            input
                .resident_threshold
                .get(i)
                .is_some_and(|&t| f64::from(t) <= planning)
        })
        .collect();
    let arrival = |i: usize| {
        input
            .arrival_hours
            .and_then(|a| a.get(input.residents[i].grid.ix()).copied().flatten())
    };
    who.sort_by(|&a, &b| {
        let ta = input.resident_threshold[a];
        let tb = input.resident_threshold[b];
        ta.total_cmp(&tb)
            .then(
                arrival(a)
                    .unwrap_or(f64::INFINITY)
                    .total_cmp(&arrival(b).unwrap_or(f64::INFINITY)),
            )
            .then(vulnerability(&input.residents[a]).cmp(&vulnerability(&input.residents[b])))
            .then(input.residents[a].id.cmp(&input.residents[b].id))
    });
    // Shelters dry at the planning discharge, with their beds.
    let mut shelters: Vec<(usize, [u32; 3])> = input
        .sites
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            s.kind == SiteKind::Shelter
                && input
                    .site_threshold
                    .get(*i)
                    .is_none_or(|&t| f64::from(t) > planning)
        })
        .map(|(i, s)| (i, [s.capacity.men, s.capacity.women, s.capacity.children]))
        .collect();
    // Leaders: each evacuee takes one lead slot; the guardian first, then grid workers of the grid.
    let mut load = vec![0u32; input.people.len()];
    for u in input.unavailable {
        if let Some(l) = load.get_mut(u.ix()) {
            *l = u32::MAX;
        }
    }
    let mut plan = EvacuationPlan {
        planning_discharge_m3s: planning,
        ..EvacuationPlan::default()
    };
    for (rank, &i) in who.iter().enumerate() {
        let r = &input.residents[i];
        let wet = input.resident_threshold[i];
        let cut_off = f64::from(wet) <= q;
        // Beds: children's beds for a child, women's for a pregnant woman, else men's or women's;
        // a household needs `size` beds of any adult category.
        let needs_walk_help = matches!(&r.kind, ResidentKind::KeyPerson { category } if matches!(category.as_str(), "bedridden" | "disabled"))
            || r.needs.contains("wheelchair")
            || r.needs.contains("stretcher")
            || r.needs.contains("轮椅")
            || r.needs.contains("担架");
        let mut best: Option<(f64, usize)> = None;
        for (k, (site, beds)) in shelters.iter().enumerate() {
            if !fits(r, beds) {
                continue;
            }
            let p = input.sites[*site].geometry.anchor();
            let d2 = (p[0] - r.xy[0]).powi(2) + (p[1] - r.xy[1]).powi(2);
            if best.is_none_or(|(bd, _)| d2 < bd) {
                best = Some((d2, k));
            }
        }
        let (shelter, distance_km) = match best {
            Some((d, k)) => {
                take_beds(r, &mut shelters[k].1);
                (
                    Some(input.sites[shelters[k].0].id.clone()),
                    Some(d.sqrt() / 1000.0),
                )
            }
            None => {
                plan.overflow.push(r.id.clone());
                (None, None)
            }
        };
        let means = if cut_off {
            Means::Boat
        } else if needs_walk_help || distance_km.is_some_and(|d| d * 1000.0 > WALK_LIMIT_M) {
            Means::Vehicle
        } else {
            Means::OnFoot
        };
        let leader = lead(input, r, &mut load);
        if leader.is_none() {
            plan.unassigned.push(r.id.clone());
        }
        let (kind, category, evac_class) = match &r.kind {
            ResidentKind::KeyPerson { category } => ("key_person", category.clone(), None),
            ResidentKind::Household {
                category,
                evac_class,
            } => ("household", category.clone(), Some(*evac_class)),
        };
        plan.persons += r.size;
        plan.evacuees.push(Evacuee {
            rank: rank as u32 + 1,
            resident: r.id.clone(),
            name: r.name.clone(),
            kind: kind.to_string(),
            category,
            evac_class,
            size: r.size,
            grid: input.grid_ids.get(r.grid.ix()).cloned().unwrap_or_default(),
            wet_discharge_m3s: wet.is_finite().then_some(f64::from(wet)),
            margin_m3s: wet.is_finite().then(|| f64::from(wet) - planning),
            arrival_hours: arrival(i),
            shelter,
            distance_km,
            means,
            leader: leader.map(|p| input.people[p].id.clone()),
            leader_name: leader.map(|p| input.people[p].name.clone()),
        });
    }
    plan
}

fn fits(r: &Resident, beds: &[u32; 3]) -> bool {
    match &r.kind {
        ResidentKind::KeyPerson { category } if category == "child" => beds[2] >= 1,
        ResidentKind::KeyPerson { category } if category == "pregnant" => beds[1] >= 1,
        _ => beds[0] + beds[1] + beds[2] >= r.size,
    }
}

fn take_beds(r: &Resident, beds: &mut [u32; 3]) {
    match &r.kind {
        ResidentKind::KeyPerson { category } if category == "child" => beds[2] -= 1,
        ResidentKind::KeyPerson { category } if category == "pregnant" => beds[1] -= 1,
        _ => {
            // Adults alternate men / women beds; children's beds take the rest.
            let mut left = r.size;
            let mut turn = 0;
            while left > 0 {
                let order = if turn % 2 == 0 { [0, 1, 2] } else { [1, 0, 2] };
                match order.into_iter().find(|&c| beds[c] > 0) {
                    Some(c) => {
                        beds[c] -= 1;
                        left -= 1;
                        turn += 1;
                    }
                    None => break,
                }
            }
        }
    }
}

/// The guardian when available, else the least-loaded leader-role person of the resident's grid,
/// ties by roster order.
fn lead(input: &EvacuationInput<'_>, r: &Resident, load: &mut [u32]) -> Option<usize> {
    if let Some(g) = r.guardian
        && load.get(g.ix()).is_some_and(|&l| l != u32::MAX)
    {
        load[g.ix()] += 1;
        return Some(g.ix());
    }
    for role in input.leader_roles {
        let best = input
            .people_by_grid
            .get(r.grid.ix())
            .into_iter()
            .flatten()
            .map(|p| p.ix())
            .filter(|&i| input.people[i].role == *role && load[i] != u32::MAX)
            .min_by_key(|&i| (load[i], i));
        if let Some(b) = best {
            load[b] += 1;
            return Some(b);
        }
    }
    None
}
