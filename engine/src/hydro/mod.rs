//! River hydrology: warning levels and their thresholds, trends, rating curves (stage from
//! discharge per river station). Owns no file parsing; the scenario loader builds these.

mod level;
mod rating;

pub use level::{LevelThreshold, Trend, WarningLevel, WarningThresholds};
pub use rating::{RatingCurve, RatingError};
