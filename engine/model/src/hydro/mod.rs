//! River hydrology: warning levels and their thresholds, the level over time (hysteresis and
//! dwell), trends, forecasts (from a hydrograph, or Muskingum routing from upstream), and rating
//! curves (stage from discharge per river station, and back). Thresholds are by discharge or by
//! stage ([`GaugeUnit`]): the engine works in discharge and reads it in the thresholds' unit
//! ([`GaugeScale`]) to decide the level. Owns no file parsing.

mod level;
mod muskingum;
mod rating;
mod tracker;

pub use level::{GaugeScale, GaugeUnit, LevelThreshold, Trend, WarningLevel, WarningThresholds};
pub use muskingum::{FitError, Muskingum};
pub use rating::{
    ConvertError, Converted, RatedRange, RatingCurve, RatingError, STAGE_STEPS_PER_M, read_stage,
};
pub use tracker::{
    ArrivalClock, Forecast, GaugeReading, LevelTracker, forecast_from_hydrograph, forecast_path,
    interpolate, trend,
};
