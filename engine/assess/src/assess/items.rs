//! The `for_each` kinds. Each is one [`ItemKind`]: how many items it has, an item's id, grid
//! and target, and the values of its static fields. Everything else in the engine asks [`kind`]
//! and never matches on [`ForEach`] itself.
//!
//! A new kind is: its variant and fields in the condition language (`floodgrid_model::plan`),
//! one implementation here, and its arm in [`kind`].

use std::sync::Arc;

use super::types::Target;
use super::{Engine, Situation};
use floodgrid_model::grid::{GridIdx, ResidentKind};
use floodgrid_model::plan::{ForEach, Value, VarId, VarKey};

/// One `for_each` kind as the engine sees it. Item indices are positions in the kind's list
/// (for residents, in the engine's list of key persons or of households).
pub(super) trait ItemKind: Sync {
    /// Its items are known at build (false: they come with the situation, as hazards do).
    fn is_static(&self) -> bool {
        true
    }
    /// How many items there are (for a kind that is not static: in this situation).
    fn count(&self, e: &Engine, s: &Situation) -> usize;
    /// An item's id: the part after `@` of an instance id.
    fn id<'a>(&self, e: &'a Engine, s: &'a Situation, i: usize) -> Option<&'a str>;
    /// The grid an item belongs to (`None`: the root).
    fn grid(&self, e: &Engine, s: &Situation, i: usize) -> Option<GridIdx>;
    /// What an instance for this item is about, as the to-do list shows it.
    fn target(&self, e: &Engine, s: &Situation, i: usize) -> Option<Arc<Target>>;
    /// The value of a field that depends only on the scenario (`None`: not one of its static
    /// fields).
    fn static_value<'a>(&self, e: &'a Engine, key: VarKey, i: usize) -> Option<Value<'a>>;
    /// The resident an item is (key persons and households), whose guardian leads its tasks.
    fn resident(&self, _e: &Engine, _i: usize) -> Option<u32> {
        None
    }
}

/// The implementation of a kind.
pub(super) fn kind(fe: ForEach) -> &'static dyn ItemKind {
    match fe {
        ForEach::Grid => &Grids,
        ForEach::Site => &Sites,
        ForEach::KeyPerson => &Residents(ForEach::KeyPerson),
        ForEach::Household => &Residents(ForEach::Household),
        ForEach::Person => &People,
        ForEach::Hazard => &Hazards,
    }
}

/// Grids of the map.
struct Grids;

impl ItemKind for Grids {
    fn count(&self, e: &Engine, _s: &Situation) -> usize {
        e.scenario.grids.len()
    }
    fn id<'a>(&self, e: &'a Engine, _s: &'a Situation, i: usize) -> Option<&'a str> {
        e.scenario.grids.get(i).map(|g| g.id.as_str())
    }
    fn grid(&self, _e: &Engine, _s: &Situation, i: usize) -> Option<GridIdx> {
        Some(GridIdx(i as u32))
    }
    fn target(&self, e: &Engine, _s: &Situation, i: usize) -> Option<Arc<Target>> {
        e.names.grid_targets.get(i).cloned()
    }
    fn static_value<'a>(&self, e: &'a Engine, key: VarKey, i: usize) -> Option<Value<'a>> {
        use VarKey as K;
        let sc = &e.scenario;
        let grid_id = |g: GridIdx| sc.grids.get(g.ix()).map(|g| g.id.as_str()).unwrap_or("");
        let g = sc.grids.get(i)?;
        let f = e.facts.get(i)?;
        match key {
            K::GridId => s(&g.id),
            K::GridName => s(&g.name),
            K::GridKind => s(g.kind.name()),
            K::GridParent => s(g.parent.map(grid_id).unwrap_or("")),
            K::GridVillage => s(f.village.map(grid_id).unwrap_or("")),
            K::GridPopulation => num(f64::from(g.population)),
            K::GridAreaKm2 => num(g.area_km2),
            K::GridDikeKm => num(f.dike_km),
            K::GridWorks => num(f64::from(f.works)),
            K::GridKeyPersons => num(f64::from(f.key_persons)),
            K::GridHouseholds => num(f64::from(f.households)),
            K::GridFloodplain => Some(Value::Bool(f.floodplain)),
            _ => None,
        }
    }
}

/// Sites (works, sensors, depots, shelters, ...).
struct Sites;

impl ItemKind for Sites {
    fn count(&self, e: &Engine, _s: &Situation) -> usize {
        e.scenario.sites.len()
    }
    fn id<'a>(&self, e: &'a Engine, _s: &'a Situation, i: usize) -> Option<&'a str> {
        e.scenario.sites.get(i).map(|x| x.id.as_str())
    }
    fn grid(&self, e: &Engine, _s: &Situation, i: usize) -> Option<GridIdx> {
        e.scenario.sites.get(i)?.grid
    }
    fn target(&self, e: &Engine, _s: &Situation, i: usize) -> Option<Arc<Target>> {
        e.names.site_targets.get(i).cloned()
    }
    fn static_value<'a>(&self, e: &'a Engine, key: VarKey, i: usize) -> Option<Value<'a>> {
        use VarKey as K;
        let sc = &e.scenario;
        let grid_id = |g: GridIdx| sc.grids.get(g.ix()).map(|g| g.id.as_str()).unwrap_or("");
        let site = sc.sites.get(i)?;
        match key {
            K::SiteId => s(&site.id),
            K::SiteName => s(&site.name),
            K::SiteKind => s(site.kind.name()),
            K::SiteGrid => s(site.grid.map(grid_id).unwrap_or("")),
            K::SiteWork => s(site
                .work
                .and_then(|w| sc.sites.get(w.ix()))
                .map(|w| w.id.as_str())
                .unwrap_or("")),
            K::SiteChainageKm => num(site.chainage_km.unwrap_or(0.0)),
            K::SiteSensors => num(f64::from(e.works_sensors.get(i).copied().unwrap_or(0))),
            K::SiteCapacity => num(f64::from(site.capacity.total())),
            _ => None,
        }
    }
}

/// Key persons or households: residents of one kind, in the engine's list of that kind.
struct Residents(ForEach);

impl Residents {
    fn list<'a>(&self, e: &'a Engine) -> &'a [u32] {
        if self.0 == ForEach::KeyPerson {
            &e.key_persons
        } else {
            &e.households
        }
    }
}

impl ItemKind for Residents {
    fn count(&self, e: &Engine, _s: &Situation) -> usize {
        self.list(e).len()
    }
    fn id<'a>(&self, e: &'a Engine, _s: &'a Situation, i: usize) -> Option<&'a str> {
        let r = self.resident(e, i)?;
        e.scenario.residents.get(r as usize).map(|r| r.id.as_str())
    }
    fn grid(&self, e: &Engine, _s: &Situation, i: usize) -> Option<GridIdx> {
        e.resident_grid.get(self.resident(e, i)? as usize).copied()
    }
    fn target(&self, e: &Engine, _s: &Situation, i: usize) -> Option<Arc<Target>> {
        let r = self.resident(e, i)?;
        e.names.resident_targets.get(r as usize).cloned()
    }
    fn resident(&self, e: &Engine, i: usize) -> Option<u32> {
        self.list(e).get(i).copied()
    }
    fn static_value<'a>(&self, e: &'a Engine, key: VarKey, i: usize) -> Option<Value<'a>> {
        use VarKey as K;
        let sc = &e.scenario;
        let grid_id = |g: GridIdx| sc.grids.get(g.ix()).map(|g| g.id.as_str()).unwrap_or("");
        let ri = self.resident(e, i)? as usize;
        let r = sc.residents.get(ri)?;
        let floodplain = || {
            Some(Value::Bool(
                e.resident_floodplain.get(ri).copied().unwrap_or(false),
            ))
        };
        match (key, &r.kind) {
            (K::KeyPersonId | K::HouseholdId, _) => s(&r.id),
            (K::KeyPersonName | K::HouseholdName, _) => s(&r.name),
            (K::KeyPersonGrid | K::HouseholdGrid, _) => s(grid_id(r.grid)),
            (K::KeyPersonNeeds, _) => s(&r.needs),
            (K::KeyPersonCategory, ResidentKind::KeyPerson { category }) => s(category),
            (K::HouseholdCategory, ResidentKind::Household { category, .. }) => s(category),
            (K::HouseholdEvacClass, ResidentKind::Household { evac_class, .. }) => {
                num(f64::from(*evac_class))
            }
            (K::HouseholdSize, _) => num(f64::from(r.size)),
            (K::KeyPersonFloodplain | K::HouseholdFloodplain, _) => floodplain(),
            _ => None,
        }
    }
}

/// Personnel of the roster.
struct People;

impl ItemKind for People {
    fn count(&self, e: &Engine, _s: &Situation) -> usize {
        e.scenario.people.len()
    }
    fn id<'a>(&self, e: &'a Engine, _s: &'a Situation, i: usize) -> Option<&'a str> {
        e.scenario.people.get(i).map(|p| p.id.as_str())
    }
    fn grid(&self, e: &Engine, _s: &Situation, i: usize) -> Option<GridIdx> {
        e.scenario.people.get(i).map(|p| p.grid)
    }
    fn target(&self, e: &Engine, _s: &Situation, i: usize) -> Option<Arc<Target>> {
        e.names.person_targets.get(i).cloned()
    }
    fn static_value<'a>(&self, e: &'a Engine, key: VarKey, i: usize) -> Option<Value<'a>> {
        use VarKey as K;
        let sc = &e.scenario;
        let grid_id = |g: GridIdx| sc.grids.get(g.ix()).map(|g| g.id.as_str()).unwrap_or("");
        let p = sc.people.get(i)?;
        match key {
            K::PersonId => s(&p.id),
            K::PersonRole => s(sc
                .config
                .roles
                .get(p.role.ix())
                .map(|r| r.id.as_str())
                .unwrap_or("")),
            K::PersonTeam => s(&p.team),
            K::PersonGrid => s(grid_id(p.grid)),
            K::PersonShift => s(match p.shift {
                floodgrid_model::grid::Shift::Day => "day",
                floodgrid_model::grid::Shift::Night => "night",
                floodgrid_model::grid::Shift::Any => "any",
            }),
            _ => None,
        }
    }
}

/// Active hazards of the situation (their fields are dynamic; see the bindings).
struct Hazards;

impl ItemKind for Hazards {
    fn is_static(&self) -> bool {
        false
    }
    fn count(&self, _e: &Engine, s: &Situation) -> usize {
        s.hazards.len()
    }
    fn id<'a>(&self, _e: &'a Engine, s: &'a Situation, i: usize) -> Option<&'a str> {
        s.hazards.get(i).map(|h| h.id.as_str())
    }
    fn grid(&self, _e: &Engine, s: &Situation, i: usize) -> Option<GridIdx> {
        s.hazards.get(i).map(|h| h.grid)
    }
    fn target(&self, _e: &Engine, s: &Situation, i: usize) -> Option<Arc<Target>> {
        s.hazards.get(i).map(|h| {
            Arc::new(Target {
                kind: ForEach::Hazard,
                id: h.id.clone(),
                name: h.kind.name_zh().to_string(),
            })
        })
    }
    fn static_value<'a>(&self, _e: &'a Engine, _key: VarKey, _i: usize) -> Option<Value<'a>> {
        None
    }
}

/// A number field.
fn num<'a>(x: f64) -> Option<Value<'a>> {
    Some(Value::Num(x))
}

/// A text field.
fn s(x: &str) -> Option<Value<'_>> {
    Some(Value::Str(x))
}

impl Engine {
    /// How many static items a kind has (0 for kinds that come with the situation).
    pub(super) fn items(&self, fe: ForEach, empty: &Situation) -> usize {
        let k = kind(fe);
        if k.is_static() {
            k.count(self, empty)
        } else {
            0
        }
    }

    /// An item's id (`""` when out of range).
    pub(super) fn item_id<'a>(&'a self, fe: ForEach, i: u32, situation: &'a Situation) -> &'a str {
        kind(fe).id(self, situation, i as usize).unwrap_or("")
    }

    /// The grid of an instance: its item's grid, else the root.
    pub(super) fn instance_grid(
        &self,
        fe: Option<ForEach>,
        item: Option<u32>,
        situation: &Situation,
    ) -> GridIdx {
        fe.zip(item)
            .and_then(|(fe, i)| kind(fe).grid(self, situation, i as usize))
            .unwrap_or(self.root)
    }

    /// What an instance is about (an empty target when the item is out of range).
    pub(super) fn target(&self, fe: ForEach, i: u32, situation: &Situation) -> Arc<Target> {
        kind(fe)
            .target(self, situation, i as usize)
            .unwrap_or_else(|| {
                Arc::new(Target {
                    kind: fe,
                    id: String::new(),
                    name: String::new(),
                })
            })
    }

    /// The value of a name that depends only on the scenario, or `None`.
    pub(super) fn static_value(&self, var: VarId, (fe, i): (ForEach, u32)) -> Option<Value<'_>> {
        // The hot path of condition evaluation: dispatched statically (the same implementations
        // as [`kind`] returns).
        let (key, i) = (var.info().key, i as usize);
        match fe {
            ForEach::Grid => Grids.static_value(self, key, i),
            ForEach::Site => Sites.static_value(self, key, i),
            ForEach::KeyPerson | ForEach::Household => Residents(fe).static_value(self, key, i),
            ForEach::Person => People.static_value(self, key, i),
            ForEach::Hazard => Hazards.static_value(self, key, i),
        }
    }
}
