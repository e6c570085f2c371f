//! River hydrology: warning levels and their thresholds, the level over time (hysteresis and
//! dwell), trends, forecasts (from a hydrograph, or Muskingum routing from upstream), and rating
//! curves (stage from discharge per river station). Owns no file parsing.

mod level;
mod muskingum;
mod rating;
mod tracker;

pub use level::{LevelThreshold, Trend, WarningLevel, WarningThresholds};
pub use muskingum::{FitError, Muskingum};
pub use rating::{RatingCurve, RatingError};
pub use tracker::{
    ArrivalClock, Forecast, GaugeReading, LevelTracker, forecast_from_hydrograph, forecast_path,
    interpolate, trend,
};
