//! How a scenario's people leave: speeds, preparation and safety times, which key-person
//! categories and needs must be carried, and which materials are the buses and ambulances.
//! Plain data with documented defaults; the scenario's `[evacuation]` table overrides them.

use serde::{Deserialize, Serialize};

/// The rules the evacuation plan times people by. Every field has a default from practice
/// ([`EvacuationRules::default`]); a scenario overrides any of them in `[evacuation]`.
///
/// A resident's lead time is `prepare + travel + safety`: `prepare_h` for those who walk out on
/// their own (`assisted_prepare_h` for those who must be carried), travel at `walk_kmh` to a
/// shelter within `walk_limit_km`, else by bus or ambulance at `vehicle_kmh`, and `safety_h` to
/// spare before the water. The order goes out `order_margin_h` before the lead time runs out, so
/// that a plan reassessed at least that often never orders anyone late.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvacuationRules {
    /// Walking speed of an evacuee, km/h (default 3: the elderly and children walk too).
    pub walk_kmh: f64,
    /// Farthest shelter evacuees walk to, km (default 2); beyond it they ride.
    pub walk_limit_km: f64,
    /// Speed of a bus or ambulance on the evacuation routes, km/h (default 20: village roads,
    /// rain, crowds).
    pub vehicle_kmh: f64,
    /// Hours to warn, pack and gather for people who move on their own (default 1).
    pub prepare_h: f64,
    /// Hours for people who must be carried: stretcher team, medic, loading (default 2).
    pub assisted_prepare_h: f64,
    /// Hours to spare between arriving at the shelter and the water (default 1).
    pub safety_h: f64,
    /// Hours ahead of the lead time the order goes out (default 1): the longest gap between two
    /// assessments the plan is safe for.
    pub order_margin_h: f64,
    /// Key-person categories that go by ambulance or escorted vehicle (default: bedridden,
    /// disabled).
    pub assisted_categories: Vec<String>,
    /// Words in a resident's needs that mean they must be carried (default: wheelchair,
    /// stretcher, 轮椅, 担架).
    pub assisted_needs: Vec<String>,
    /// Key-person categories moved first among those due at the same time, most vulnerable first
    /// (default: bedridden, disabled, elderly_alone, pregnant, child); other key persons follow,
    /// then households by evacuation class.
    pub first_categories: Vec<String>,
    /// Material id of the buses that carry those who ride (None: the scenario has none, and
    /// those who must ride are listed as having no transport).
    pub bus_material: Option<String>,
    /// Material id of the ambulances (or escorted vehicles) that carry those who must be carried.
    pub ambulance_material: Option<String>,
    /// Key-person categories who sleep in a shelter's children's beds (default: child).
    pub children_bed_categories: Vec<String>,
    /// Key-person categories who need a women's bed (default: pregnant).
    pub women_bed_categories: Vec<String>,
}

impl Default for EvacuationRules {
    fn default() -> Self {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect();
        EvacuationRules {
            walk_kmh: 3.0,
            walk_limit_km: 2.0,
            vehicle_kmh: 20.0,
            prepare_h: 1.0,
            assisted_prepare_h: 2.0,
            safety_h: 1.0,
            order_margin_h: 1.0,
            assisted_categories: words(&["bedridden", "disabled"]),
            assisted_needs: words(&["wheelchair", "stretcher", "轮椅", "担架"]),
            first_categories: words(&[
                "bedridden",
                "disabled",
                "elderly_alone",
                "pregnant",
                "child",
            ]),
            bus_material: Some("bus".into()),
            ambulance_material: Some("ambulance".into()),
            children_bed_categories: words(&["child"]),
            women_bed_categories: words(&["pregnant"]),
        }
    }
}
