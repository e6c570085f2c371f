use serde::{Deserialize, Serialize};

use super::geometry::Region;

macro_rules! index_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub struct $name(pub u32);
        impl $name {
            /// As a `usize` index.
            pub fn ix(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_type!(
    /// Index of a grid in the scenario's grid list (`Scenario::grids`, file order).
    GridIdx
);
index_type!(
    /// Index of a site in `Scenario::sites`.
    SiteIdx
);
index_type!(
    /// Index of a person in `Scenario::people`.
    PersonIdx
);
index_type!(
    /// Index of a resident in `Scenario::residents`.
    ResidentIdx
);
index_type!(
    /// Index of a role in `ScenarioConfig::roles`.
    RoleIdx
);
index_type!(
    /// Index of a material in `ScenarioConfig::materials`.
    MaterialIdx
);

/// A personnel role (网格员, 冲锋舟救援队 ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    /// Stable id (`grid_worker`).
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// Instances one person carries at once, unless the roster says otherwise.
    pub capacity: u32,
    /// A professional (rather than mass-team) role.
    pub professional: bool,
    /// Leads evacuations, with this preference (1 first); `None`: does not lead them.
    #[serde(default)]
    pub leads_evacuation: Option<u32>,
    /// Comes from outside the town on request (troops, armed police, mass teams of the
    /// district): a shortfall of this role is support to request, not staff short in the grid.
    #[serde(default)]
    pub external: bool,
    /// Leads a grid (网格长, 网格员 ...): shown on the grid's card in the console, and a grid with
    /// nobody of such a role in it or above it gets a warning from `check`.
    #[serde(default)]
    pub leads_grid: bool,
    /// Speed of this role's people on the way to a task in a drill, km/h (default
    /// [`Role::DEFAULT_TRAVEL_KMH`]: by bicycle or on foot through the village).
    #[serde(default = "Role::default_travel_kmh")]
    pub travel_kmh: f64,
}

impl Role {
    /// The travel speed of a role that does not say, km/h.
    pub const DEFAULT_TRAVEL_KMH: f64 = 12.0;

    fn default_travel_kmh() -> f64 {
        Role::DEFAULT_TRAVEL_KMH
    }
}

/// A kind of flood-fighting material.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Material {
    /// Stable id (`woven_bag`).
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// Unit (个, m³, 艘 ...).
    pub unit: String,
}

crate::vocabulary! {
    /// Level of a grid in the hierarchy.
    pub enum GridKind {
        /// A district above the towns (scale scenarios).
        District = "district",
        /// The town (镇).
        Town = "town",
        /// A rural village (村).
        Village = "village",
        /// An urban community (社区).
        Community = "community",
        /// A grid (网格).
        Grid = "grid",
        /// A micro-grid (微网格).
        Micro = "micro",
        /// A dedicated grid (专属网格), e.g. for a defence works.
        Dedicated = "dedicated",
    }
}

impl GridKind {
    /// Kinds a grid of this kind may have as parent.
    pub fn allowed_parents(self) -> &'static [GridKind] {
        match self {
            GridKind::District => &[GridKind::District],
            GridKind::Town => &[GridKind::District],
            GridKind::Village | GridKind::Community => &[GridKind::Town],
            GridKind::Grid => &[GridKind::Village, GridKind::Community],
            GridKind::Micro => &[GridKind::Grid],
            GridKind::Dedicated => &[GridKind::Town, GridKind::Village, GridKind::Community],
        }
    }

    /// Whether this is a working grid (grid or dedicated grid), the unit counted as "grids".
    pub fn is_working_grid(self) -> bool {
        matches!(self, GridKind::Grid | GridKind::Dedicated)
    }
}

/// A grid of the hierarchy with its outline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    /// Stable id.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// Level in the hierarchy.
    pub kind: GridKind,
    /// Parent grid (`None` for the root).
    pub parent: Option<GridIdx>,
    /// Children, in file order.
    pub children: Vec<GridIdx>,
    /// Residents (from the file's `population`, 0 when absent).
    pub population: u32,
    /// Outline in projected metres.
    pub region: Region,
    /// Outline in lon/lat degrees, as written in the file.
    pub region_lonlat: Region,
    /// Area, km².
    pub area_km2: f64,
}

crate::vocabulary! {
    /// Kind of a site.
    pub enum SiteKind {
        /// Dike works (险工).
        Works = "works",
        /// River control works (控导工程).
        ControlWorks = "control_works",
        /// A smart-stone root-stone sensor.
        SmartStone = "smart_stone",
        /// A material depot.
        Depot = "depot",
        /// A shelter.
        Shelter = "shelter",
        /// An assault-boat station.
        BoatStation = "boat_station",
        /// A command post.
        CommandPost = "command_post",
        /// A hydrological gauge.
        Gauge = "gauge",
        /// A pumping station.
        PumpingStation = "pumping_station",
        /// The river's centreline.
        River = "river",
        /// A main dike (line).
        MainDike = "main_dike",
        /// A production dike (line).
        ProductionDike = "production_dike",
        /// A road (line).
        Road = "road",
    }
}

impl SiteKind {
    /// Whether the kind is drawn as a line (river, dikes, roads).
    pub fn is_line(self) -> bool {
        matches!(
            self,
            SiteKind::River | SiteKind::MainDike | SiteKind::ProductionDike | SiteKind::Road
        )
    }

    /// Whether the kind is a defence works (险工 or 控导).
    pub fn is_works(self) -> bool {
        matches!(self, SiteKind::Works | SiteKind::ControlWorks)
    }
}

/// Geometry of a site in projected metres.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteGeometry {
    /// A point.
    Point([f64; 2]),
    /// A polyline.
    Line(Vec<[f64; 2]>),
}

impl SiteGeometry {
    /// A representative point: the point, or the middle vertex of a line.
    pub fn anchor(&self) -> [f64; 2] {
        match self {
            SiteGeometry::Point(p) => *p,
            SiteGeometry::Line(l) => l.get(l.len() / 2).copied().unwrap_or([0.0, 0.0]),
        }
    }
}

/// Shelter beds by category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShelterCapacity {
    /// Beds for men.
    pub men: u32,
    /// Beds for women.
    pub women: u32,
    /// Beds for children.
    pub children: u32,
}

impl ShelterCapacity {
    /// All beds.
    pub fn total(&self) -> u32 {
        self.men + self.women + self.children
    }
}

/// A site: works, sensor, depot, shelter, boat station, command post, or a line feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Stable id.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// Kind.
    pub kind: SiteKind,
    /// Geometry in projected metres.
    pub geometry: SiteGeometry,
    /// Geometry in lon/lat degrees.
    pub geometry_lonlat: SiteGeometry,
    /// The grid holding it (lines may have none).
    pub grid: Option<GridIdx>,
    /// Chainage along the reach, km (works).
    pub chainage_km: Option<f64>,
    /// For a smart stone, the works it guards.
    pub work: Option<SiteIdx>,
    /// Depot stock.
    pub stock: Vec<(MaterialIdx, f64)>,
    /// Shelter beds.
    pub capacity: ShelterCapacity,
    /// Boats at a boat station.
    pub boats: u32,
    /// Dike crest elevation, m.
    pub crest_m: Option<f64>,
    /// Road class.
    pub road_class: Option<String>,
}

crate::vocabulary! {
    /// A shift.
    pub enum Shift {
        /// Day shift.
        Day = "day",
        /// Night shift.
        Night = "night",
        /// Any time.
        Any = "any",
    }
}

/// A member of the flood personnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// Stable id.
    pub id: String,
    /// Name (synthetic in the bundled scenario).
    pub name: String,
    /// Role.
    pub role: RoleIdx,
    /// Team.
    pub team: String,
    /// Home grid.
    pub grid: GridIdx,
    /// Phone (fake in the bundled scenario).
    pub phone: String,
    /// Skills.
    pub skills: Vec<String>,
    /// Shift.
    pub shift: Shift,
    /// Instances carried at once.
    pub capacity: u32,
}

/// What a resident record is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ResidentKind {
    /// A key person to watch (elderly alone, disabled, bedridden, pregnant, child, chronic ill).
    KeyPerson {
        /// Category.
        category: String,
    },
    /// A floodplain farm household.
    Household {
        /// What it farms.
        category: String,
        /// Evacuation class, 1 first.
        evac_class: u8,
    },
}

/// A key person or farm household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resident {
    /// Stable id.
    pub id: String,
    /// Kind and category.
    pub kind: ResidentKind,
    /// Name (synthetic).
    pub name: String,
    /// Grid.
    pub grid: GridIdx,
    /// Longitude, latitude in degrees.
    pub lonlat: [f64; 2],
    /// Projected position, metres.
    pub xy: [f64; 2],
    /// Persons (1 for a key person).
    pub size: u32,
    /// Phone (fake).
    pub phone: String,
    /// Special needs.
    pub needs: String,
    /// Responsible grid worker.
    pub guardian: Option<PersonIdx>,
}
