//! The evacuation plan: who leaves first, to which shelter, by what means, led by whom.
//!
//! Everyone whose home gets wet at the discharge that matters (the current one or the forecast
//! peak, whichever is higher) must leave. Order: least margin first (the discharge that floods the
//! home minus that discharge; already-flooded homes come first), then the earlier arrival of the
//! water when the 2D solver gave one, then vulnerability (bedridden, disabled, elderly alone,
//! pregnant, children, chronically ill, then households by evacuation class), then id.
//! Shelters: dry at that discharge, with beds of the right category left (children's beds for
//! registered children, women's for expectant mothers, men's and women's for everyone else),
//! nearest first.

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
        // Adults (and households, whose make-up the registers do not give) use men's and women's
        // beds; children's beds stay for registered children.
        _ => beds[0] + beds[1] >= r.size,
    }
}

fn take_beds(r: &Resident, beds: &mut [u32; 3]) {
    match &r.kind {
        ResidentKind::KeyPerson { category } if category == "child" => beds[2] -= 1,
        ResidentKind::KeyPerson { category } if category == "pregnant" => beds[1] -= 1,
        _ => {
            // Alternate men's and women's beds.
            let mut left = r.size;
            let mut turn = 0;
            while left > 0 {
                let order = if turn % 2 == 0 { [0, 1] } else { [1, 0] };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::{GridIdx, ShelterCapacity, Shift, SiteGeometry};

    fn resident(id: &str, kind: ResidentKind, x: f64, size: u32, needs: &str) -> Resident {
        Resident {
            id: id.into(),
            kind,
            name: id.into(),
            grid: GridIdx(0),
            lonlat: [0.0, 0.0],
            xy: [x, 0.0],
            size,
            phone: String::new(),
            needs: needs.into(),
            guardian: None,
        }
    }

    fn shelter(id: &str, x: f64, cap: ShelterCapacity) -> Site {
        Site {
            id: id.into(),
            name: id.into(),
            kind: SiteKind::Shelter,
            geometry: SiteGeometry::Point([x, 0.0]),
            geometry_lonlat: SiteGeometry::Point([0.0, 0.0]),
            grid: Some(GridIdx(0)),
            chainage_km: None,
            work: None,
            stock: vec![],
            capacity: cap,
            boats: 0,
            crest_m: None,
            road_class: None,
        }
    }

    #[test]
    fn order_means_shelters_leaders_and_overflow() {
        let kp = |c: &str| ResidentKind::KeyPerson { category: c.into() };
        let hh = |class| ResidentKind::Household {
            category: "grain".into(),
            evac_class: class,
        };
        let residents = vec![
            resident("hh-high", hh(3), 100.0, 4, ""), // wets at 9,000
            resident("bedridden", kp("bedridden"), 200.0, 1, "担架"), // wets at 7,000
            resident("child", kp("child"), 300.0, 1, ""), // wets at 7,000
            resident("hh-low", hh(1), 5_000.0, 3, ""), // already wet at 5,000
            resident("dry", hh(2), 400.0, 2, ""),     // never at these discharges
        ];
        let thresholds = [9_000.0f32, 7_000.0, 7_000.0, 5_000.0, 40_000.0];
        let sites = vec![
            shelter(
                "near",
                0.0,
                ShelterCapacity {
                    men: 2,
                    women: 2,
                    children: 0,
                },
            ),
            shelter(
                "far",
                3_000.0,
                ShelterCapacity {
                    men: 1,
                    women: 1,
                    children: 1,
                },
            ),
            shelter(
                "flooded",
                50.0,
                ShelterCapacity {
                    men: 50,
                    women: 50,
                    children: 50,
                },
            ),
        ];
        let site_thresholds = [50_000.0f32, 50_000.0, 6_000.0];
        let worker = Person {
            id: "w1".into(),
            name: "网格员".into(),
            role: RoleIdx(0),
            team: String::new(),
            grid: GridIdx(0),
            phone: String::new(),
            skills: vec![],
            shift: Shift::Any,
            capacity: 1,
        };
        let people = vec![worker];
        let by_grid = vec![vec![PersonIdx(0)]];
        let ids = vec!["g".to_string()];
        let input = EvacuationInput {
            residents: &residents,
            resident_threshold: &thresholds,
            sites: &sites,
            site_threshold: &site_thresholds,
            people: &people,
            people_by_grid: &by_grid,
            leader_roles: &[RoleIdx(0)],
            unavailable: &[],
            arrival_hours: None,
            grid_ids: &ids,
        };
        let plan = plan_evacuation(&input, 6_000.0, Some(10_000.0));
        let order: Vec<&str> = plan.evacuees.iter().map(|e| e.resident.as_str()).collect();
        assert_eq!(
            order,
            ["hh-low", "bedridden", "child", "hh-high"],
            "least margin first, then vulnerability"
        );
        let by = |id: &str| plan.evacuees.iter().find(|e| e.resident == id).unwrap();
        assert_eq!(by("hh-low").means, Means::Boat, "already cut off at 6,000");
        assert_eq!(by("bedridden").means, Means::Vehicle);
        assert_eq!(
            by("child").shelter.as_deref(),
            Some("far"),
            "the only children's bed"
        );
        assert!(
            plan.evacuees
                .iter()
                .all(|e| e.shelter.as_deref() != Some("flooded")),
            "a shelter under water takes nobody"
        );
        assert_eq!(
            by("hh-low").shelter.as_deref(),
            Some("near"),
            "far has only 2 adult beds for 3 people"
        );
        assert_eq!(
            by("bedridden").shelter.as_deref(),
            Some("near"),
            "the last adult bed at near"
        );
        assert_eq!(plan.overflow, ["hh-high"]);
        assert_eq!(plan.persons, 3 + 1 + 1 + 4);
        assert_eq!(by("hh-low").leader.as_deref(), Some("w1"));
        assert!(by("hh-low").margin_m3s.unwrap() < 0.0);
    }
}
