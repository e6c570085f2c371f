//! The evacuation plan: who must leave, when the order must go out, to which shelter, by what
//! means, led by whom, and who cannot make it in time and why.
//!
//! Everyone whose home gets wet at the discharge planned for (the current one or the forecast
//! peak, whichever is higher) must leave. The water reaches a home when the forecast path first
//! reaches the discharge that wets it (or sooner, when a 2D run says the water arrives in the grid
//! earlier). Each evacuee's **lead time** is what leaving takes: preparation (longer for those who
//! must be carried), travel to the shelter on foot, by bus or by ambulance, and a safety margin
//! ([`EvacuationRules`]). The order goes out at `arrival − lead − order margin`; the plan lists
//! people in that order (most urgent first, ties by vulnerability, then by the discharge that wets
//! the home, then id). Homes already wet are cut off: a boat.
//!
//! Shelters: dry at the planning discharge, with beds of the right category left (children's
//! beds for registered children, women's for expectant mothers, men's and women's for everyone
//! else), nearest first. Vehicles: each bus and ambulance of the scenario's stock shuttles between
//! the homes and the shelters in plan order; an ambulance carries one person a trip, a bus
//! `bus_seats` persons (a household takes its share of a trip).
//!
//! Anyone who cannot be out in time is named with every reason that applies ([`Unable`]).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use floodgrid_model::grid::{
    EvacuationRules, Person, PersonIdx, Resident, ResidentKind, RoleIdx, Site, SiteKind,
};
use floodgrid_model::hydro::ArrivalClock;

/// How an evacuee travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Means {
    /// Walks out with the grid worker (shelter within the walking limit).
    OnFoot,
    /// Rides an evacuation bus (the shelter is farther than the walking limit).
    Bus,
    /// Carried by ambulance or escorted vehicle, with a stretcher team (bedridden, disabled, or
    /// needs a wheelchair or stretcher).
    Ambulance,
    /// Cut off by water: a boat.
    Boat,
}

/// Where an evacuee's order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// The order must go out now.
    Now,
    /// The order is due later (`order_in_h` hours from now).
    Later,
    /// The water is already there: rescue by boat.
    CutOff,
}

/// Why an evacuee cannot be out before the water.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unable {
    /// The water is already at the home.
    CutOff,
    /// The forecast gives less time than leaving takes.
    ForecastTooShort,
    /// No bus or ambulance can reach them in time (or the scenario has none).
    NoTransport,
    /// Nobody is free to carry or lead someone who cannot go alone.
    NoStaff,
    /// No dry shelter has a bed left for them.
    NoShelter,
}

impl Unable {
    /// Every reason, in the order a list shows them.
    pub const ALL: [Unable; 5] = [
        Unable::CutOff,
        Unable::ForecastTooShort,
        Unable::NoTransport,
        Unable::NoStaff,
        Unable::NoShelter,
    ];
}

/// The reasons an evacuee cannot be out before the water: a set of [`Unable`] (in JSON, a list
/// in [`Unable::ALL`]'s order), kept in one byte so a plan of many thousands allocates nothing
/// for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Reasons(u8);

impl Reasons {
    fn bit(u: Unable) -> u8 {
        1 << Unable::ALL.iter().position(|&x| x == u).unwrap_or(0)
    }

    /// Adds a reason.
    pub fn insert(&mut self, u: Unable) {
        self.0 |= Reasons::bit(u);
    }

    /// Whether a reason is in the set.
    pub fn contains(&self, u: Unable) -> bool {
        self.0 & Reasons::bit(u) != 0
    }

    /// No reason: the evacuee can be out in time.
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    /// The reasons, in [`Unable::ALL`]'s order.
    pub fn iter(self) -> impl Iterator<Item = Unable> {
        Unable::ALL.into_iter().filter(move |&u| self.contains(u))
    }
}

impl Serialize for Reasons {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Reasons {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let list = Vec::<Unable>::deserialize(de)?;
        let mut r = Reasons::default();
        for u in list {
            r.insert(u);
        }
        Ok(r)
    }
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
    /// Must be carried (ambulance or escorted vehicle, stretcher team).
    pub assisted: bool,
}

/// A resident's card in the table of cards an engine makes once and every plan shares: copying
/// one into a plan touches the table's single reference count, not one per resident (a plan of
/// 200,000 evacuees would otherwise spend most of its time on cache misses). Reads as the
/// [`ResidentCard`] it points at.
#[derive(Clone)]
pub struct CardRef {
    table: Arc<[ResidentCard]>,
    at: u32,
}

impl CardRef {
    /// A card on its own (tests, or a plan read back from JSON).
    pub fn new(card: ResidentCard) -> CardRef {
        CardRef {
            table: Arc::from(vec![card]),
            at: 0,
        }
    }
}

impl std::ops::Deref for CardRef {
    type Target = ResidentCard;
    fn deref(&self) -> &ResidentCard {
        &self.table[self.at as usize]
    }
}

impl PartialEq for CardRef {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl std::fmt::Debug for CardRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl Serialize for CardRef {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(ser)
    }
}

impl<'de> Deserialize<'de> for CardRef {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        ResidentCard::deserialize(de).map(CardRef::new)
    }
}

/// A resident named in one of the plan's lists: in JSON, their id.
#[derive(Clone, PartialEq)]
pub struct ResidentRef(pub CardRef);

impl ResidentRef {
    /// The resident's id.
    pub fn id(&self) -> &str {
        &self.0.resident
    }
}

impl std::fmt::Debug for ResidentRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.id().fmt(f)
    }
}

impl std::fmt::Display for ResidentRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for ResidentRef {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for ResidentRef {
    /// Read back from JSON, only the id is known; the card's other fields are empty.
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let id = String::deserialize(de)?;
        Ok(ResidentRef(CardRef::new(ResidentCard {
            resident: id,
            name: String::new(),
            kind: EvacueeKind::KeyPerson,
            category: String::new(),
            evac_class: None,
            size: 0,
            grid: String::new(),
            assisted: false,
        })))
    }
}

/// One evacuee (a key person or a household) in the plan. In JSON the card's fields sit beside
/// the plan's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evacuee {
    /// Order in the plan, 1 first.
    pub rank: u32,
    /// Who.
    #[serde(flatten)]
    pub card: CardRef,
    /// Discharge at which the home gets wet, m³/s (None: not below the atlas's top).
    pub wet_discharge_m3s: Option<f64>,
    /// That discharge minus the discharge planned for; negative: already under water.
    pub margin_m3s: Option<f64>,
    /// Hours until the water arrives, when a 2D run gave it for the grid.
    pub arrival_hours: Option<f64>,
    /// Hours until the water reaches the home (forecast path, or the 2D arrival when sooner).
    pub hours_to_water: f64,
    /// Hours leaving takes: preparation, travel and the safety margin.
    pub lead_h: f64,
    /// Hours from now until the order must go out (≤ 0: now).
    pub order_in_h: f64,
    /// Where the order stands.
    pub status: OrderStatus,
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
    /// Why they cannot be out before the water (empty: they can).
    #[serde(default, skip_serializing_if = "Reasons::is_empty")]
    pub unable: Reasons,
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
    /// Evacuees whose order is due now (cut off included).
    pub ordered: u32,
    /// Residents with no shelter bed (in JSON, their ids).
    pub overflow: Vec<ResidentRef>,
    /// Residents with nobody to lead them.
    pub unassigned: Vec<ResidentRef>,
    /// Residents who cannot be out before the water (see each evacuee's `unable`).
    pub unable: Vec<ResidentRef>,
}

/// Where each resident stands in a plan, by resident index: what the plan's conditions read
/// (`household.order_due`, `grid.households_due`, ...).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResidentOrder {
    /// Hours until the water reaches the home (infinite: not within the forecast).
    pub hours_to_water: f64,
    /// The order is due now (or the home is cut off).
    pub due: bool,
}

impl ResidentOrder {
    /// A resident the plan does not move.
    pub const NONE: ResidentOrder = ResidentOrder {
        hours_to_water: f64::INFINITY,
        due: false,
    };
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
    /// The timing rules.
    pub rules: &'a EvacuationRules,
    /// Buses in the scenario's stock.
    pub buses: u32,
    /// Ambulances in the scenario's stock.
    pub ambulances: u32,
    /// Ids and names to copy into the plan.
    pub names: &'a EvacuationNames,
    /// The scenario's static ordering and nearest shelters ([`EvacuationIndex::new`]).
    pub index: &'a EvacuationIndex,
}

/// Seats of an evacuation bus: a household takes its size in seats of a trip.
const BUS_SEATS: f64 = 40.0;

/// Hours to load and unload a vehicle at each end of a trip.
const LOAD_H: f64 = 0.25;

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
    fn of(r: &Resident, rules: &EvacuationRules) -> BedNeed {
        match &r.kind {
            ResidentKind::KeyPerson { category }
                if rules.children_bed_categories.contains(category) =>
            {
                BedNeed::Child
            }
            ResidentKind::KeyPerson { category }
                if rules.women_bed_categories.contains(category) =>
            {
                BedNeed::Woman
            }
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
/// must be carried, their nearest shelters, and their ids, names and categories as shared strings.
#[derive(Debug, Clone, Default)]
pub struct EvacuationIndex {
    /// What planning reads of each resident, in the static order: one cache line or two per
    /// evacuee instead of a miss in each of several arrays (the plan visits residents in an
    /// order of its own). Each holds its nearest shelters (positions in `shelters`, nearest
    /// first, ties in site order, `u32::MAX` pads).
    hot: Vec<Hot>,
    /// The discharge that wets each home, in the static order.
    order_wet: Vec<f32>,
    /// Whether each resident (by resident index) must be carried.
    assisted: Vec<bool>,
    /// Site index of every shelter, in site order.
    shelters: Vec<u32>,
    /// Where each shelter is (by position in `shelters`).
    anchors: Vec<[f64; 2]>,
    cards: Arc<[ResidentCard]>,
}

/// What the planner reads of one resident, packed together (see [`EvacuationIndex`]).
#[derive(Debug, Clone, Copy)]
struct Hot {
    xy: [f64; 2],
    nearest: [u32; NEAREST],
    resident: u32,
    grid: u32,
    /// Person index of the guardian (`u32::MAX`: none).
    guardian: u32,
    size: u32,
    wet: f32,
    need: BedNeed,
    vulnerability: u8,
    assisted: bool,
}

/// Rank among those due at the same time: the rules' first categories in their order, other key
/// persons after them, households last by evacuation class.
fn vulnerability(r: &Resident, rules: &EvacuationRules) -> u8 {
    let first = rules.first_categories.len().min(200) as u8;
    match &r.kind {
        ResidentKind::KeyPerson { category } => rules
            .first_categories
            .iter()
            .position(|c| c == category)
            .map_or(first, |p| p as u8),
        ResidentKind::Household { evac_class, .. } => {
            first.saturating_add(1).saturating_add(*evac_class)
        }
    }
}

/// Must be carried: an assisted category, or needs that say so.
fn must_be_carried(r: &Resident, rules: &EvacuationRules) -> bool {
    matches!(&r.kind, ResidentKind::KeyPerson { category } if rules.assisted_categories.contains(category))
        || rules
            .assisted_needs
            .iter()
            .any(|n| !n.is_empty() && r.needs.contains(n.as_str()))
}

impl EvacuationIndex {
    /// Builds the index from the residents, the discharge that wets each one's home, the sites,
    /// the grid ids (by grid index) and the scenario's evacuation rules.
    pub fn new(
        residents: &[Resident],
        resident_threshold: &[f32],
        sites: &[Site],
        grid_ids: &[Arc<str>],
        rules: &EvacuationRules,
    ) -> Self {
        let wet = |i: usize| {
            resident_threshold
                .get(i)
                .copied()
                .filter(|t| !t.is_nan())
                .unwrap_or(f32::INFINITY)
        };
        let vulnerability: Vec<u8> = residents.iter().map(|r| vulnerability(r, rules)).collect();
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
        let nearest: Vec<[u32; NEAREST]> = residents
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
        let assisted: Vec<bool> = residents
            .iter()
            .map(|r| must_be_carried(r, rules))
            .collect();
        let need: Vec<BedNeed> = residents.iter().map(|r| BedNeed::of(r, rules)).collect();
        let hot = order
            .iter()
            .map(|&i| {
                let (r, i) = (&residents[i as usize], i as usize);
                Hot {
                    xy: r.xy,
                    nearest: nearest[i],
                    resident: i as u32,
                    grid: r.grid.0,
                    guardian: r.guardian.map_or(u32::MAX, |g| g.0),
                    size: r.size,
                    wet: wet(i),
                    need: need[i],
                    vulnerability: vulnerability[i],
                    assisted: assisted[i],
                }
            })
            .collect();
        EvacuationIndex {
            hot,
            order_wet,
            shelters,
            anchors,
            cards: residents
                .iter()
                .zip(&assisted)
                .map(|(r, &assisted)| {
                    let (kind, category, evac_class) = match &r.kind {
                        ResidentKind::KeyPerson { category } => {
                            (EvacueeKind::KeyPerson, category, None)
                        }
                        ResidentKind::Household {
                            category,
                            evac_class,
                        } => (EvacueeKind::Household, category, Some(*evac_class)),
                    };
                    ResidentCard {
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
                        assisted,
                    }
                })
                .collect(),
            assisted,
        }
    }

    /// Whether resident `i` must be carried (ambulance or escorted vehicle, stretcher team).
    pub fn assisted(&self, i: usize) -> bool {
        self.assisted.get(i).copied().unwrap_or(false)
    }
}

/// An hour as a heap key (ordered by `total_cmp`).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Hour(f64);

impl Eq for Hour {}

impl PartialOrd for Hour {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Hour {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// A fleet of one kind of vehicle shuttling between homes and shelters on the plan's schedule:
/// each vehicle is free again at some hour; the earliest free one takes the next rider. Hours
/// are from now and may be negative: a rider whose order went out earlier was picked up on the
/// schedule of that order, so the plan followed so far never blocks today's riders.
struct Fleet {
    free_at: BinaryHeap<Reverse<(Hour, u32)>>,
}

impl Fleet {
    fn new(n: u32) -> Fleet {
        Fleet {
            free_at: (0..n)
                .map(|k| Reverse((Hour(f64::NEG_INFINITY), k)))
                .collect(),
        }
    }

    /// Books a ride for someone ready at `ready_h`, `km` from the shelter, taking `share` of a
    /// trip: the hour they reach the shelter (`None`: the fleet is empty).
    fn book(&mut self, ready_h: f64, km: f64, kmh: f64, share: f64) -> Option<f64> {
        // The earliest free vehicle is replaced in place (one sift, not a pop and a push).
        let mut top = self.free_at.peek_mut()?;
        let Reverse((Hour(free), k)) = *top;
        let pickup = ready_h.max(free);
        let one_way = km / kmh + LOAD_H;
        let busy = 2.0 * one_way * share.clamp(0.0, 1.0);
        *top = Reverse((Hour(pickup + busy), k));
        Some(pickup + one_way)
    }
}

/// The sort key of an evacuee: cut-off homes first, then the hour the order is due, then
/// vulnerability, then the position in the static order. Packed into one integer whose order is
/// that order (the hour by the bits of [`f64::total_cmp`]).
fn urgency_key(hours_to_water: f64, order_in_h: f64, vulnerability: u8, rank: u32) -> u128 {
    let bits = order_in_h.to_bits();
    let ordered = if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    };
    (u128::from(hours_to_water > 0.0) << 104)
        | (u128::from(ordered) << 40)
        | (u128::from(vulnerability) << 32)
        | u128::from(rank)
}

/// The most beds of each kind (adults' beds, women's, children's) any one shelter still has, and
/// how many shelters have that many: an evacuee nothing can fit skips the search, and the maxima
/// are recomputed only when the last shelter holding one drops below it.
struct Room {
    most: [u32; 3],
    at_most: [u32; 3],
}

impl Room {
    /// Adults' beds (men's and women's), women's and children's beds of a shelter.
    fn kinds(b: &[u32; 3]) -> [u32; 3] {
        [b[0].saturating_add(b[1]), b[1], b[2]]
    }

    fn new(beds: &[[u32; 3]]) -> Room {
        let mut room = Room {
            most: [0; 3],
            at_most: [0; 3],
        };
        for c in 0..3 {
            room.recount(beds, c);
        }
        room
    }

    fn recount(&mut self, beds: &[[u32; 3]], c: usize) {
        let (mut most, mut at) = (0u32, 0u32);
        for b in beds {
            let v = Room::kinds(b)[c];
            if v > most {
                (most, at) = (v, 1);
            } else if v == most {
                at += 1;
            }
        }
        (self.most[c], self.at_most[c]) = (most, at);
    }

    fn fits(&self, need: BedNeed) -> bool {
        match need {
            BedNeed::Child => self.most[2] >= 1,
            BedNeed::Woman => self.most[1] >= 1,
            BedNeed::Adults(n) => self.most[0] >= n,
        }
    }

    /// Beds were taken from shelter `k`, which had `before`; `beds` is every shelter now.
    fn taken(&mut self, before: [u32; 3], k: usize, beds: &[[u32; 3]]) {
        let (before, after) = (Room::kinds(&before), Room::kinds(&beds[k]));
        for c in 0..3 {
            if after[c] < before[c] && before[c] == self.most[c] {
                self.at_most[c] -= 1;
                if self.at_most[c] == 0 {
                    self.recount(beds, c);
                }
            }
        }
    }
}

/// Builds the plan for a discharge and the forecast ahead (the clock's peak is the discharge
/// planned for when it is higher). Returns the plan and each resident's order state.
pub fn plan_evacuation(
    input: &EvacuationInput<'_>,
    q: f64,
    clock: &ArrivalClock,
) -> (EvacuationPlan, Vec<ResidentOrder>) {
    let (decisions, orders) = decide_evacuation(input, q, clock);
    (decisions.into_plan(input), orders)
}

/// One evacuee as decided, in the plan's order: indices and figures only, written out as an
/// [`Evacuee`] by [`EvacuationDecisions::into_plan`].
#[derive(Debug, Clone, Copy)]
struct Decision {
    /// Position in the index's static order.
    rank: u32,
    hours_to_water: f64,
    lead_h: f64,
    order_in_h: f64,
    /// Straight-line km to the shelter (NaN: no shelter).
    km: f64,
    /// Position in the index's shelters (`u32::MAX`: none).
    shelter: u32,
    /// Person index of the leader (`u32::MAX`: none).
    leader: u32,
    means: Means,
    status: OrderStatus,
    unable: Reasons,
}

/// The evacuation plan decided but not yet written out as lists of names: what the plan's
/// conditions need ([`ResidentOrder`]s) comes with it, so the assessment's later stages can run
/// while [`EvacuationDecisions::into_plan`] writes the plan on another thread.
#[derive(Debug, Clone, Default)]
pub struct EvacuationDecisions {
    planning: f64,
    persons: u32,
    ordered: u32,
    decisions: Vec<Decision>,
}

impl EvacuationDecisions {
    /// The plan with its names, from the same input the decisions were made from.
    pub fn into_plan(self, input: &EvacuationInput<'_>) -> EvacuationPlan {
        let (ix, names) = (input.index, input.names);
        let arrival = |grid: u32| {
            input
                .arrival_hours
                .and_then(|a| a.get(grid as usize).copied().flatten())
        };
        let mut evacuees = Vec::with_capacity(self.decisions.len());
        let (mut overflow, mut unassigned, mut unable) = (Vec::new(), Vec::new(), Vec::new());
        // Serial: the shared names' reference counts would be fought over by threads.
        for d in &self.decisions {
            let r = &ix.hot[d.rank as usize];
            let card = CardRef {
                table: ix.cards.clone(),
                at: r.resident,
            };
            let has_shelter = d.shelter != u32::MAX;
            let leader = (d.leader != u32::MAX).then_some(d.leader as usize);
            if !has_shelter {
                overflow.push(ResidentRef(card.clone()));
            }
            if leader.is_none() {
                unassigned.push(ResidentRef(card.clone()));
            }
            if !d.unable.is_empty() {
                unable.push(ResidentRef(card.clone()));
            }
            let wet = r.wet;
            evacuees.push(Evacuee {
                rank: evacuees.len() as u32 + 1,
                card,
                wet_discharge_m3s: wet.is_finite().then_some(f64::from(wet)),
                margin_m3s: wet.is_finite().then(|| f64::from(wet) - self.planning),
                arrival_hours: arrival(r.grid),
                hours_to_water: d.hours_to_water,
                lead_h: d.lead_h,
                order_in_h: d.order_in_h,
                status: d.status,
                shelter: ix
                    .shelters
                    .get(d.shelter as usize)
                    .and_then(|&s| names.site_ids.get(s as usize))
                    .cloned(),
                distance_km: has_shelter.then_some(d.km),
                means: d.means,
                leader: leader.and_then(|p| names.person_ids.get(p)).cloned(),
                leader_name: leader.and_then(|p| names.person_names.get(p)).cloned(),
                unable: d.unable,
            });
        }
        EvacuationPlan {
            planning_discharge_m3s: self.planning,
            persons: self.persons,
            ordered: self.ordered,
            overflow,
            unassigned,
            unable,
            evacuees,
        }
    }
}

/// Decides the plan for a discharge and the forecast ahead (see [`plan_evacuation`]): who goes
/// in which order, when, where and how, and each resident's order state; the plan's lists of
/// names come from [`EvacuationDecisions::into_plan`].
pub fn decide_evacuation(
    input: &EvacuationInput<'_>,
    q: f64,
    clock: &ArrivalClock,
) -> (EvacuationDecisions, Vec<ResidentOrder>) {
    let ix = input.index;
    let rules = input.rules;
    let planning = clock.peak().max(q);
    let n = ix.order_wet.partition_point(|&t| f64::from(t) <= planning);
    let arrival = |i: usize| {
        input
            .arrival_hours
            .and_then(|a| a.get(i).copied().flatten())
    };
    // Shelters dry at the planning discharge, with their beds.
    let dry: Vec<bool> = ix
        .shelters
        .iter()
        .map(|&s| {
            input
                .site_threshold
                .get(s as usize)
                .is_none_or(|&t| f64::from(t) > planning)
        })
        .collect();
    let mut beds: Vec<[u32; 3]> = ix
        .shelters
        .iter()
        .zip(&dry)
        .map(|(&s, &dry)| {
            let c = &input.sites[s as usize].capacity;
            if dry {
                [c.men, c.women, c.children]
            } else {
                [0; 3]
            }
        })
        .collect();
    let d2 = |r: &Hot, k: u32| {
        let p = ix.anchors[k as usize];
        (p[0] - r.xy[0]).powi(2) + (p[1] - r.xy[1]).powi(2)
    };
    // How leaving goes for a resident with a shelter `km` away (None: unknown).
    let leaving = |carried: bool, km: Option<f64>| {
        let km = km.unwrap_or(rules.walk_limit_km.max(0.0) * 2.0);
        let means = if carried {
            Means::Ambulance
        } else if km > rules.walk_limit_km {
            Means::Bus
        } else {
            Means::OnFoot
        };
        // A ride adds loading at the home to the road time.
        let (prepare, kmh, load) = match means {
            Means::OnFoot => (rules.prepare_h, rules.walk_kmh, 0.0),
            Means::Bus => (rules.prepare_h, rules.vehicle_kmh, LOAD_H),
            _ => (rules.assisted_prepare_h, rules.vehicle_kmh, LOAD_H),
        };
        (means, prepare, prepare + load + km / kmh + rules.safety_h)
    };
    // 1. When the water comes and when each order is due, with the nearest dry shelter: by
    // position in the static order (`rank`), the hours to the water and the sort key.
    let (hours, mut keys): (Vec<f64>, Vec<u128>) = ix.hot[..n]
        .par_iter()
        .enumerate()
        .map(|(rank, r)| {
            let by_river = clock.hours_to(f64::from(r.wet)).unwrap_or(f64::INFINITY);
            let h = arrival(r.grid as usize).map_or(by_river, |a| a.max(0.0).min(by_river));
            let near = r
                .nearest
                .iter()
                .take_while(|&&k| k != u32::MAX)
                .find(|&&k| dry[k as usize])
                .map(|&k| d2(r, k).sqrt() / 1000.0);
            let (_, _, lead) = leaving(r.assisted, near);
            let key = urgency_key(
                h,
                h - lead - rules.order_margin_h,
                r.vulnerability,
                rank as u32,
            );
            (h, key)
        })
        .unzip();
    // Most urgent first: cut-off homes, then by the hour the order is due; ties by
    // vulnerability, then the static order (wet discharge, id). Keys are unique (the rank is in
    // them), so an unstable sort is deterministic.
    keys.par_sort_unstable();
    let mut room = Room::new(&beds);
    // Leaders: each evacuee takes one lead slot; the guardian first, then grid workers of the grid.
    let mut load = vec![0u32; input.people.len()];
    for u in input.unavailable {
        if let Some(l) = load.get_mut(u.ix()) {
            *l = u32::MAX;
        }
    }
    let mut buses = Fleet::new(input.buses);
    let mut ambulances = Fleet::new(input.ambulances);
    let mut decisions = Vec::with_capacity(keys.len());
    let mut orders = vec![ResidentOrder::NONE; input.residents.len()];
    let (mut persons, mut ordered) = (0u32, 0u32);
    for &key in &keys {
        let rank = key as u32 as usize;
        let (h, r) = (hours[rank], &ix.hot[rank]);
        let i = r.resident;
        let need = r.need;
        let can = room.fits(need);
        let mut best: Option<(u32, f64)> = None;
        if can {
            best = r
                .nearest
                .iter()
                .take_while(|&&k| k != u32::MAX)
                .find(|&&k| need.fits(&beds[k as usize]))
                .map(|&k| (k, d2(r, k)));
            if best.is_none() {
                for k in 0..beds.len() as u32 {
                    if need.fits(&beds[k as usize]) {
                        let d = d2(r, k);
                        if best.is_none_or(|(_, bd)| d < bd) {
                            best = Some((k, d));
                        }
                    }
                }
            }
        }
        if let Some((k, _)) = best {
            let before = beds[k as usize];
            need.take(&mut beds[k as usize]);
            room.taken(before, k as usize, &beds);
        }
        let km = best.map(|(_, d)| d.sqrt() / 1000.0);
        let cut_off = h <= 0.0;
        let (mut means, prepare, lead) = leaving(r.assisted, km);
        let order_in = h - lead - rules.order_margin_h;
        let status = if cut_off {
            means = Means::Boat;
            OrderStatus::CutOff
        } else if order_in <= 0.0 {
            OrderStatus::Now
        } else {
            OrderStatus::Later
        };
        let leader = pick_leader(input, r.guardian, r.grid as usize, &mut load);
        let mut unable = Reasons::default();
        if cut_off {
            unable.insert(Unable::CutOff);
        } else {
            if h < lead {
                unable.insert(Unable::ForecastTooShort);
            }
            // The ride: booked from when the order goes out plus the preparation; it must reach
            // the shelter a safety margin before the water.
            let ready = order_in + prepare;
            let share = f64::from(r.size) / BUS_SEATS;
            let ride = match means {
                Means::Bus => Some(buses.book(ready, km.unwrap_or(0.0), rules.vehicle_kmh, share)),
                Means::Ambulance => {
                    Some(ambulances.book(ready, km.unwrap_or(0.0), rules.vehicle_kmh, 1.0))
                }
                _ => None,
            };
            if let Some(at) = ride
                && at.is_none_or(|t| t > h - rules.safety_h)
                && !unable.contains(Unable::ForecastTooShort)
            {
                unable.insert(Unable::NoTransport);
            }
            if r.assisted && leader.is_none() {
                unable.insert(Unable::NoStaff);
            }
        }
        if best.is_none() {
            unable.insert(Unable::NoShelter);
        }
        persons = persons.saturating_add(r.size);
        let due = status != OrderStatus::Later;
        orders[i as usize] = ResidentOrder {
            hours_to_water: h,
            due,
        };
        ordered += u32::from(due);
        decisions.push(Decision {
            rank: rank as u32,
            hours_to_water: h,
            lead_h: lead,
            order_in_h: order_in,
            km: km.unwrap_or(f64::NAN),
            shelter: best.map_or(u32::MAX, |(k, _)| k),
            leader: leader.map_or(u32::MAX, |p| p as u32),
            means,
            status,
            unable,
        });
    }
    let decided = EvacuationDecisions {
        planning,
        persons,
        ordered,
        decisions,
    };
    (decided, orders)
}

/// The guardian when available, else the least-loaded leader-role person of the resident's grid,
/// ties by roster order.
fn pick_leader(
    input: &EvacuationInput<'_>,
    guardian: u32,
    grid: usize,
    load: &mut [u32],
) -> Option<usize> {
    let g = guardian as usize;
    if load.get(g).is_some_and(|&l| l != u32::MAX) {
        load[g] += 1;
        return Some(g);
    }
    for role in input.leader_roles {
        let best = input
            .people_by_grid
            .get(grid)
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
    use floodgrid_model::hydro::ArrivalClock;

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
        let rules = EvacuationRules::default();
        let index = EvacuationIndex::new(&residents, &thresholds, &sites, &names.grid_ids, &rules);
        let input = |buses, ambulances| EvacuationInput {
            residents: &residents,
            resident_threshold: &thresholds,
            sites: &sites,
            site_threshold: &site_thresholds,
            people: &people,
            people_by_grid: &by_grid,
            leader_roles: &[RoleIdx(0)],
            unavailable: &[],
            arrival_hours: None,
            rules: &rules,
            buses,
            ambulances,
            names: &names,
            index: &index,
        };
        // 6,000 now, rising straight to 10,000 in 10 h: 7,000 comes in 2.5 h, 9,000 in 7.5 h.
        let clock = ArrivalClock::new(6_000.0, &[(10.0, 10_000.0)]);
        let (plan, orders) = plan_evacuation(&input(0, 1), 6_000.0, &clock);
        let order: Vec<&str> = plan
            .evacuees
            .iter()
            .map(|e| e.card.resident.as_str())
            .collect();
        assert_eq!(
            order,
            ["hh-low", "bedridden", "child", "hh-high"],
            "cut off first, then the earliest order (the bedridden need longer), then later ones"
        );
        let by = |id: &str| {
            plan.evacuees
                .iter()
                .find(|e| e.card.resident == id)
                .unwrap()
        };
        let low = by("hh-low");
        assert_eq!(
            (low.means, low.status, low.unable.iter().collect::<Vec<_>>()),
            (Means::Boat, OrderStatus::CutOff, vec![Unable::CutOff]),
            "already wet at 6,000"
        );
        let bed = by("bedridden");
        assert_eq!(
            (bed.means, bed.status),
            (Means::Ambulance, OrderStatus::Now)
        );
        assert!((bed.hours_to_water - 2.5).abs() < 1e-9);
        assert!(bed.lead_h > 3.0, "2 h to prepare, the ride, 1 h to spare");
        assert_eq!(
            bed.unable.iter().collect::<Vec<_>>(),
            [Unable::ForecastTooShort]
        );
        let child = by("child");
        assert_eq!(
            child.shelter.as_deref(),
            Some("far"),
            "the only children's bed"
        );
        assert_eq!(
            child.means,
            Means::Bus,
            "far is 2.7 km away, beyond the 2 km walk"
        );
        assert_eq!(
            child.unable.iter().collect::<Vec<_>>(),
            [Unable::NoTransport],
            "the scenario has no bus"
        );
        let high = by("hh-high");
        assert_eq!(high.status, OrderStatus::Later);
        assert!(high.order_in_h > 0.0);
        assert!(high.unable.contains(Unable::NoShelter));
        assert!(
            plan.evacuees
                .iter()
                .all(|e| e.shelter.as_deref() != Some("flooded")),
            "a shelter under water takes nobody"
        );
        assert_eq!(by("hh-low").shelter.as_deref(), Some("near"));
        assert_eq!(
            plan.overflow.iter().map(|s| s.id()).collect::<Vec<_>>(),
            ["hh-high"]
        );
        assert_eq!(plan.persons, 3 + 1 + 1 + 4);
        assert_eq!(plan.ordered, 3);
        assert_eq!(by("hh-low").leader.as_deref(), Some("w1"));
        assert!(by("hh-low").margin_m3s.unwrap() < 0.0);
        let due: Vec<bool> = orders.iter().map(|o| o.due).collect();
        assert_eq!(due, [false, true, true, true, false]);

        // With a day's warning and a bus, everyone with a bed leaves in time, the bedridden
        // first.
        let slow = ArrivalClock::new(6_000.0, &[(40.0, 10_000.0)]);
        let (plan, _) = plan_evacuation(&input(1, 1), 6_000.0, &slow);
        for e in &plan.evacuees {
            let expected: &[Unable] = match e.card.resident.as_str() {
                "hh-low" => &[Unable::CutOff],
                "hh-high" => &[Unable::NoShelter],
                _ => &[],
            };
            assert_eq!(
                e.unable.iter().collect::<Vec<_>>(),
                expected,
                "{}",
                e.card.resident
            );
            if e.status != OrderStatus::CutOff {
                assert!(
                    e.order_in_h + e.lead_h + rules.order_margin_h <= e.hours_to_water + 1e-9,
                    "{}: ordered at least the lead time ahead",
                    e.card.resident
                );
            }
        }
    }
}
