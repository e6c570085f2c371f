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

use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use floodgrid_model::grid::{Person, PersonIdx, Resident, ResidentKind, RoleIdx, Site, SiteKind};

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

/// Whether an evacuee is a key person or a household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvacueeKind {
    /// A key person (elderly alone, disabled, bedridden, pregnant, child, chronically ill).
    KeyPerson,
    /// A floodplain farm household.
    Household,
}

/// Who a resident is, as the evacuation plan shows them: made once per engine and shared by
/// every plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResidentCard {
    /// Resident id.
    pub resident: String,
    /// Name.
    pub name: String,
    /// `key_person` or `household`.
    pub kind: EvacueeKind,
    /// Key-person category or household category.
    pub category: String,
    /// Evacuation class of a household.
    pub evac_class: Option<u8>,
    /// Persons.
    pub size: u32,
    /// Grid id.
    pub grid: String,
}

/// One evacuee (a key person or a household) in the plan. In JSON the card's fields sit beside
/// the plan's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evacuee {
    /// Order in the plan, 1 first.
    pub rank: u32,
    /// Who.
    #[serde(flatten)]
    pub card: Arc<ResidentCard>,
    /// Discharge at which the home gets wet, m³/s (None: not below the atlas's top).
    pub wet_discharge_m3s: Option<f64>,
    /// That discharge minus the discharge planned for; negative: already under water.
    pub margin_m3s: Option<f64>,
    /// Hours until the water arrives, when the 2D solver gave it.
    pub arrival_hours: Option<f64>,
    /// Shelter site id (None: overflow, no bed found).
    pub shelter: Option<Arc<str>>,
    /// Straight-line distance to the shelter, km.
    pub distance_km: Option<f64>,
    /// How they travel.
    pub means: Means,
    /// Person id of the grid worker who leads them (None: nobody available).
    pub leader: Option<Arc<str>>,
    /// Leader's name.
    pub leader_name: Option<Arc<str>>,
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
    pub overflow: Vec<Arc<str>>,
    /// Resident ids with nobody to lead them.
    pub unassigned: Vec<Arc<str>>,
}

/// Ids and names shared by every plan of a scenario, made once so a plan copies pointers rather
/// than strings.
#[derive(Debug, Clone, Default)]
pub struct EvacuationNames {
    /// Grid ids by grid index.
    pub grid_ids: Vec<Arc<str>>,
    /// Site ids by site index.
    pub site_ids: Vec<Arc<str>>,
    /// Person ids by person index.
    pub person_ids: Vec<Arc<str>>,
    /// Person names by person index.
    pub person_names: Vec<Arc<str>>,
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
    /// Ids and names to copy into the plan.
    pub names: &'a EvacuationNames,
    /// The scenario's static ordering and nearest shelters ([`EvacuationIndex::new`]).
    pub index: &'a EvacuationIndex,
}

fn vulnerability(r: &Resident) -> u8 {
    match &r.kind {
        ResidentKind::KeyPerson { category } => match category.as_str() {
            "bedridden" => 0,
            "disabled" => 1,
            "elderly_alone" => 2,
            "pregnant" => 3,
            "child" => 4,
            _ => 5,
        },
        ResidentKind::Household { evac_class, .. } => 5u8.saturating_add(*evac_class),
    }
}

/// Distance beyond which evacuees ride rather than walk, metres.
const WALK_LIMIT_M: f64 = 2_000.0;

/// Shelters tried first for each resident: the nearest ones by straight line. A scan of every
/// shelter follows only when none of them is dry with beds left and another shelter may be.
const NEAREST: usize = 8;

/// The beds a resident needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BedNeed {
    /// A registered child: one children's bed.
    Child,
    /// An expectant mother: one women's bed.
    Woman,
    /// Adults (and households, whose make-up the registers do not give): men's or women's beds.
    Adults(u32),
}

impl BedNeed {
    fn of(r: &Resident) -> BedNeed {
        match &r.kind {
            ResidentKind::KeyPerson { category } if category == "child" => BedNeed::Child,
            ResidentKind::KeyPerson { category } if category == "pregnant" => BedNeed::Woman,
            _ => BedNeed::Adults(r.size),
        }
    }

    fn fits(self, beds: &[u32; 3]) -> bool {
        match self {
            BedNeed::Child => beds[2] >= 1,
            BedNeed::Woman => beds[1] >= 1,
            BedNeed::Adults(n) => beds[0].saturating_add(beds[1]) >= n,
        }
    }

    fn take(self, beds: &mut [u32; 3]) {
        match self {
            BedNeed::Child => beds[2] -= 1,
            BedNeed::Woman => beds[1] -= 1,
            BedNeed::Adults(n) => {
                // Alternate men's and women's beds.
                let mut left = n;
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
}

/// What the planner precomputes once per scenario: the residents in their static order (the
/// discharge that wets the home, then vulnerability, then id), what beds each needs, whether they
/// can walk, their nearest shelters, and their ids, names and categories as shared strings.
#[derive(Debug, Clone, Default)]
pub struct EvacuationIndex {
    order: Vec<u32>,
    order_wet: Vec<f32>,
    /// The discharge that wets each resident's home, by resident index.
    resident_wet: Vec<f32>,
    walk_help: Vec<bool>,
    need: Vec<BedNeed>,
    /// Site index of every shelter, in site order.
    shelters: Vec<u32>,
    /// Where each shelter is (by position in `shelters`).
    anchors: Vec<[f64; 2]>,
    /// Per resident: positions in `shelters`, nearest first (ties: site order); `u32::MAX` pads.
    nearest: Vec<[u32; NEAREST]>,
    ids: Vec<Arc<str>>,
    cards: Vec<Arc<ResidentCard>>,
}

impl EvacuationIndex {
    /// Builds the index from the residents, the discharge that wets each one's home, the sites
    /// and the grid ids (by grid index).
    pub fn new(
        residents: &[Resident],
        resident_threshold: &[f32],
        sites: &[Site],
        grid_ids: &[Arc<str>],
    ) -> Self {
        let wet = |i: usize| {
            resident_threshold
                .get(i)
                .copied()
                .filter(|t| !t.is_nan())
                .unwrap_or(f32::INFINITY)
        };
        let vulnerability: Vec<u8> = residents.iter().map(vulnerability).collect();
        let mut order: Vec<u32> = (0..residents.len() as u32).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            wet(a)
                .total_cmp(&wet(b))
                .then(vulnerability[a].cmp(&vulnerability[b]))
                .then(residents[a].id.cmp(&residents[b].id))
        });
        let order_wet = order.iter().map(|&i| wet(i as usize)).collect();
        let shelters: Vec<u32> = sites
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == SiteKind::Shelter)
            .map(|(i, _)| i as u32)
            .collect();
        let anchors: Vec<[f64; 2]> = shelters
            .iter()
            .map(|&s| sites[s as usize].geometry.anchor())
            .collect();
        let nearest = residents
            .par_iter()
            .map(|r| {
                let mut best: Vec<(f64, u32)> = anchors
                    .iter()
                    .enumerate()
                    .map(|(k, p)| {
                        (
                            (p[0] - r.xy[0]).powi(2) + (p[1] - r.xy[1]).powi(2),
                            k as u32,
                        )
                    })
                    .collect();
                let k = NEAREST.min(best.len());
                if k < best.len() {
                    best.select_nth_unstable_by(k, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                    best.truncate(k);
                }
                best.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                let mut out = [u32::MAX; NEAREST];
                for (o, (_, k)) in out.iter_mut().zip(best) {
                    *o = k;
                }
                out
            })
            .collect();
        let walk_help = residents
            .iter()
            .map(|r| {
                matches!(&r.kind, ResidentKind::KeyPerson { category } if matches!(category.as_str(), "bedridden" | "disabled"))
                    || ["wheelchair", "stretcher", "轮椅", "担架"]
                        .iter()
                        .any(|n| r.needs.contains(n))
            })
            .collect();
        EvacuationIndex {
            resident_wet: (0..residents.len()).map(wet).collect(),
            order,
            order_wet,
            walk_help,
            need: residents.iter().map(BedNeed::of).collect(),
            shelters,
            anchors,
            nearest,
            ids: residents.iter().map(|r| Arc::from(r.id.as_str())).collect(),
            cards: residents
                .iter()
                .map(|r| {
                    let (kind, category, evac_class) = match &r.kind {
                        ResidentKind::KeyPerson { category } => {
                            (EvacueeKind::KeyPerson, category, None)
                        }
                        ResidentKind::Household {
                            category,
                            evac_class,
                        } => (EvacueeKind::Household, category, Some(*evac_class)),
                    };
                    Arc::new(ResidentCard {
                        resident: r.id.clone(),
                        name: r.name.clone(),
                        kind,
                        category: category.clone(),
                        evac_class,
                        size: r.size,
                        grid: grid_ids
                            .get(r.grid.ix())
                            .map(|g| g.to_string())
                            .unwrap_or_default(),
                    })
                })
                .collect(),
        }
    }
}

/// One evacuee's place in the plan, decided in order; turned into an [`Evacuee`] afterwards.
struct Decision {
    resident: u32,
    /// Position in the index's shelters and squared distance, m².
    shelter: Option<(u32, f64)>,
    means: Means,
    leader: Option<u32>,
}

/// Builds the plan for a discharge (and a higher forecast peak, if any).
pub fn plan_evacuation(
    input: &EvacuationInput<'_>,
    q: f64,
    forecast_peak: Option<f64>,
) -> EvacuationPlan {
    let ix = input.index;
    let planning = forecast_peak.unwrap_or(q).max(q);
    let n = ix.order_wet.partition_point(|&t| f64::from(t) <= planning);
    let mut who: Vec<u32> = ix.order[..n].to_vec();
    let arrival = |i: usize| {
        input
            .arrival_hours
            .and_then(|a| a.get(input.residents[i].grid.ix()).copied().flatten())
    };
    if input.arrival_hours.is_some() {
        // Stable: within the same wet discharge and arrival, the static order stands.
        let wet = |i: u32| ix.order_wet_of(i);
        who.sort_by(|&a, &b| {
            wet(a).total_cmp(&wet(b)).then(
                arrival(a as usize)
                    .unwrap_or(f64::INFINITY)
                    .total_cmp(&arrival(b as usize).unwrap_or(f64::INFINITY)),
            )
        });
    }
    // Shelters dry at the planning discharge, with their beds.
    let mut beds: Vec<[u32; 3]> = ix
        .shelters
        .iter()
        .map(|&s| {
            let site = &input.sites[s as usize];
            let dry = input
                .site_threshold
                .get(s as usize)
                .is_none_or(|&t| f64::from(t) > planning);
            if dry {
                [
                    site.capacity.men,
                    site.capacity.women,
                    site.capacity.children,
                ]
            } else {
                [0; 3]
            }
        })
        .collect();
    // The most beds of each kind any one shelter still has: an evacuee nothing can fit skips the
    // search.
    let most = |beds: &[[u32; 3]]| {
        beds.iter().fold([0u32; 3], |m, b| {
            [
                m[0].max(b[0].saturating_add(b[1])),
                m[1].max(b[1]),
                m[2].max(b[2]),
            ]
        })
    };
    let mut room = most(&beds);
    // Leaders: each evacuee takes one lead slot; the guardian first, then grid workers of the grid.
    let mut load = vec![0u32; input.people.len()];
    for u in input.unavailable {
        if let Some(l) = load.get_mut(u.ix()) {
            *l = u32::MAX;
        }
    }
    let mut decisions = Vec::with_capacity(who.len());
    let mut persons = 0u32;
    for &i in &who {
        let r = &input.residents[i as usize];
        let need = ix.need[i as usize];
        let d2 = |k: u32| {
            let p = ix.anchors[k as usize];
            (p[0] - r.xy[0]).powi(2) + (p[1] - r.xy[1]).powi(2)
        };
        let can = match need {
            BedNeed::Child => room[2] >= 1,
            BedNeed::Woman => room[1] >= 1,
            BedNeed::Adults(n) => room[0] >= n,
        };
        let mut best: Option<(u32, f64)> = None;
        if can {
            best = ix.nearest[i as usize]
                .iter()
                .take_while(|&&k| k != u32::MAX)
                .find(|&&k| need.fits(&beds[k as usize]))
                .map(|&k| (k, d2(k)));
            if best.is_none() {
                for k in 0..beds.len() as u32 {
                    if need.fits(&beds[k as usize]) {
                        let d = d2(k);
                        if best.is_none_or(|(_, bd)| d < bd) {
                            best = Some((k, d));
                        }
                    }
                }
            }
        }
        if let Some((k, _)) = best {
            need.take(&mut beds[k as usize]);
            room = most(&beds);
        }
        let cut_off = f64::from(ix.order_wet_of(i)) <= q;
        let means = if cut_off {
            Means::Boat
        } else if ix.walk_help[i as usize] || best.is_some_and(|(_, d)| d.sqrt() > WALK_LIMIT_M) {
            Means::Vehicle
        } else {
            Means::OnFoot
        };
        persons = persons.saturating_add(r.size);
        decisions.push(Decision {
            resident: i,
            shelter: best,
            means,
            leader: lead(input, r, &mut load).map(|p| p as u32),
        });
    }
    let names = input.names;
    let evacuees: Vec<Evacuee> = decisions
        .par_iter()
        .enumerate()
        .map(|(rank, d)| {
            let i = d.resident as usize;
            let wet = ix.order_wet_of(d.resident);
            Evacuee {
                rank: rank as u32 + 1,
                card: ix.cards[i].clone(),
                wet_discharge_m3s: wet.is_finite().then_some(f64::from(wet)),
                margin_m3s: wet.is_finite().then(|| f64::from(wet) - planning),
                arrival_hours: arrival(i),
                shelter: d
                    .shelter
                    .and_then(|(k, _)| names.site_ids.get(ix.shelters[k as usize] as usize))
                    .cloned(),
                distance_km: d.shelter.map(|(_, d2)| d2.sqrt() / 1000.0),
                means: d.means,
                leader: d
                    .leader
                    .and_then(|p| names.person_ids.get(p as usize))
                    .cloned(),
                leader_name: d
                    .leader
                    .and_then(|p| names.person_names.get(p as usize))
                    .cloned(),
            }
        })
        .collect();
    EvacuationPlan {
        planning_discharge_m3s: planning,
        evacuees,
        persons,
        overflow: decisions
            .par_iter()
            .filter(|d| d.shelter.is_none())
            .map(|d| ix.ids[d.resident as usize].clone())
            .collect(),
        unassigned: decisions
            .par_iter()
            .filter(|d| d.leader.is_none())
            .map(|d| ix.ids[d.resident as usize].clone())
            .collect(),
    }
}

impl EvacuationIndex {
    /// The discharge that wets resident `i`'s home (infinite: never).
    fn order_wet_of(&self, i: u32) -> f32 {
        self.resident_wet
            .get(i as usize)
            .copied()
            .unwrap_or(f32::INFINITY)
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
    use floodgrid_model::grid::{GridIdx, ShelterCapacity, Shift, SiteGeometry};

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
        let names = EvacuationNames {
            grid_ids: vec![Arc::from("g")],
            site_ids: sites.iter().map(|s| Arc::from(s.id.as_str())).collect(),
            person_ids: people.iter().map(|p| Arc::from(p.id.as_str())).collect(),
            person_names: people.iter().map(|p| Arc::from(p.name.as_str())).collect(),
        };
        let index = EvacuationIndex::new(&residents, &thresholds, &sites, &names.grid_ids);
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
            names: &names,
            index: &index,
        };
        let plan = plan_evacuation(&input, 6_000.0, Some(10_000.0));
        let order: Vec<&str> = plan
            .evacuees
            .iter()
            .map(|e| e.card.resident.as_str())
            .collect();
        assert_eq!(
            order,
            ["hh-low", "bedridden", "child", "hh-high"],
            "least margin first, then vulnerability"
        );
        let by = |id: &str| {
            plan.evacuees
                .iter()
                .find(|e| e.card.resident == id)
                .unwrap()
        };
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
        assert_eq!(
            plan.overflow.iter().map(|s| &**s).collect::<Vec<_>>(),
            ["hh-high"]
        );
        assert_eq!(plan.persons, 3 + 1 + 1 + 4);
        assert_eq!(by("hh-low").leader.as_deref(), Some("w1"));
        assert!(by("hh-low").margin_m3s.unwrap() < 0.0);
    }
}
