use serde::{Deserialize, Serialize};

/// What the water does to one grid at the assessed discharge.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GridExposure {
    /// Grid id.
    pub grid: String,
    /// Flooded area, km².
    pub flooded_km2: f64,
    /// Flooded share of the grid's area, 0..1.
    pub flooded_fraction: f64,
    /// Mean depth over the flooded area, m.
    pub mean_depth_m: f64,
    /// Deepest water, m.
    pub max_depth_m: f64,
    /// Lowest discharge at which any of the grid gets wet, m³/s (`None`: not below the atlas's top).
    pub wet_discharge_m3s: Option<f64>,
    /// Hours until the water arrives (2D solver), when known.
    pub arrival_hours: Option<f64>,
    /// People in flooded cells (key persons and household members).
    pub exposed_people: u32,
    /// Key persons in flooded cells.
    pub exposed_key_persons: u32,
    /// Farm households in flooded cells.
    pub exposed_households: u32,
    /// Shelters in flooded cells.
    pub exposed_shelters: u32,
    /// Depots in flooded cells.
    pub exposed_depots: u32,
    /// Road length under water, km.
    pub roads_flooded_km: f64,
}
