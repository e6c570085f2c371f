use serde::{Deserialize, Serialize};

use super::rating::{RatingCurve, read_stage};

/// Warning level, ordered: `None < Blue < Yellow < Orange < Red`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningLevel {
    /// No warning: routine work.
    None,
    /// Blue warning, level IV response.
    Blue,
    /// Yellow warning, level III response.
    Yellow,
    /// Orange warning, level II response.
    Orange,
    /// Red warning, level I response.
    Red,
}

impl WarningLevel {
    /// All levels from lowest to highest.
    pub const ALL: [WarningLevel; 5] = [
        WarningLevel::None,
        WarningLevel::Blue,
        WarningLevel::Yellow,
        WarningLevel::Orange,
        WarningLevel::Red,
    ];

    /// The name used in files and JSON (`none`, `blue`, ...).
    pub fn name(self) -> &'static str {
        match self {
            WarningLevel::None => "none",
            WarningLevel::Blue => "blue",
            WarningLevel::Yellow => "yellow",
            WarningLevel::Orange => "orange",
            WarningLevel::Red => "red",
        }
    }

    /// Parses a level name.
    pub fn from_name(name: &str) -> Option<WarningLevel> {
        WarningLevel::ALL.into_iter().find(|l| l.name() == name)
    }

    /// Chinese name (蓝色预警 ...), `无预警` for none.
    pub fn name_zh(self) -> &'static str {
        match self {
            WarningLevel::None => "无预警",
            WarningLevel::Blue => "蓝色预警",
            WarningLevel::Yellow => "黄色预警",
            WarningLevel::Orange => "橙色预警",
            WarningLevel::Red => "红色预警",
        }
    }
}

/// Direction of the discharge over the recent readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// Discharge rising faster than the scenario's trend threshold.
    Rising,
    /// Neither rising nor falling beyond the threshold.
    Steady,
    /// Discharge falling faster than the threshold.
    Falling,
}

impl Trend {
    /// The name used in files and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Trend::Rising => "rising",
            Trend::Steady => "steady",
            Trend::Falling => "falling",
        }
    }

    /// The Chinese word, as messages and the console show it.
    pub fn name_zh(self) -> &'static str {
        match self {
            Trend::Rising => "上涨",
            Trend::Steady => "平稳",
            Trend::Falling => "回落",
        }
    }

    /// Parses a trend name.
    pub fn from_name(name: &str) -> Option<Trend> {
        [Trend::Rising, Trend::Steady, Trend::Falling]
            .into_iter()
            .find(|t| t.name() == name)
    }
}

crate::vocabulary! {
    /// What a scenario's warning thresholds are given in: the discharge at the reference gauge
    /// or its stage (水位). Bands are in the same unit, and the level is decided in it.
    pub enum GaugeUnit {
        /// Discharge, m³/s (`discharge_m3s`, `band_m3s`).
        Discharge = "discharge",
        /// Stage, m above the gauge's datum (`stage_m`, `band_m`).
        Stage = "stage",
    }
}

impl GaugeUnit {
    /// The unit's symbol: `m³/s` or `m`.
    pub fn symbol(self) -> &'static str {
        match self {
            GaugeUnit::Discharge => "m³/s",
            GaugeUnit::Stage => "m",
        }
    }

    /// The Chinese word: 流量 or 水位.
    pub fn name_zh(self) -> &'static str {
        match self {
            GaugeUnit::Discharge => "流量",
            GaugeUnit::Stage => "水位",
        }
    }

    /// The field a threshold is written in: `discharge_m3s` or `stage_m`.
    pub fn threshold_field(self) -> &'static str {
        match self {
            GaugeUnit::Discharge => "discharge_m3s",
            GaugeUnit::Stage => "stage_m",
        }
    }

    /// The field a hysteresis band is written in: `band_m3s` or `band_m`.
    pub fn band_field(self) -> &'static str {
        match self {
            GaugeUnit::Discharge => "band_m3s",
            GaugeUnit::Stage => "band_m",
        }
    }
}

/// How a discharge at the reference gauge reads in the thresholds' unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GaugeScale {
    /// Thresholds by discharge: the discharge itself.
    Discharge,
    /// Thresholds by stage: the stage the gauge's rating curve gives (a copy made at load of the
    /// gauge station's curve), read to the micrometre ([`read_stage`]).
    Stage(RatingCurve),
}

impl GaugeScale {
    /// The unit readings and thresholds are in.
    pub fn unit(&self) -> GaugeUnit {
        match self {
            GaugeScale::Discharge => GaugeUnit::Discharge,
            GaugeScale::Stage(_) => GaugeUnit::Stage,
        }
    }

    /// A discharge, m³/s, as the gauge reads it in the unit.
    pub fn reading(&self, discharge_m3s: f64) -> f64 {
        match self {
            GaugeScale::Discharge => discharge_m3s,
            GaugeScale::Stage(rating) => read_stage(rating.stage_m(discharge_m3s)),
        }
    }
}

/// The threshold of one warning level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelThreshold {
    /// The reading at which the level is entered, in the thresholds' unit (m³/s or m).
    pub value: f64,
    /// Hysteresis, same unit: the level is left only below `value - band`.
    pub band: f64,
    /// Emergency response level that goes with it (`IV` .. `I`).
    pub response: String,
    /// The discharge at which the gauge reads `value`, m³/s: `value` itself for thresholds by
    /// discharge, the lowest discharge reaching the stage for thresholds by stage. The atlas, the
    /// console's steps and the defaults tied to the red threshold use it.
    pub discharge_m3s: f64,
}

impl LevelThreshold {
    /// A threshold by discharge: entered at `discharge_m3s`, left below `discharge_m3s - band_m3s`.
    pub fn by_discharge(discharge_m3s: f64, band_m3s: f64, response: &str) -> LevelThreshold {
        LevelThreshold {
            value: discharge_m3s,
            band: band_m3s,
            response: response.to_string(),
            discharge_m3s,
        }
    }
}

/// Thresholds of the four warning levels, from `scenario.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarningThresholds {
    /// How a discharge reads in the thresholds' unit.
    pub scale: GaugeScale,
    /// Blue, yellow, orange, red, in that order, in the scale's unit.
    pub levels: [LevelThreshold; 4],
    /// Minutes the reading must stay below a level's exit value before the level is left.
    pub dwell_minutes: f64,
    /// Window of readings the trend is computed over, minutes.
    pub trend_window_minutes: f64,
    /// Slope beyond which the trend is rising or falling, m³/s per hour.
    pub trend_threshold_m3s_per_h: f64,
    /// The dike design discharge, m³/s.
    pub design_discharge_m3s: f64,
}

impl WarningThresholds {
    /// The unit of the thresholds and bands.
    pub fn unit(&self) -> GaugeUnit {
        self.scale.unit()
    }

    /// A discharge, m³/s, as read in the thresholds' unit.
    pub fn reading(&self, discharge_m3s: f64) -> f64 {
        self.scale.reading(discharge_m3s)
    }

    /// The level a discharge reaches without hysteresis (the entry rule), decided in the
    /// thresholds' unit.
    pub fn level_for(&self, discharge_m3s: f64) -> WarningLevel {
        let r = self.reading(discharge_m3s);
        let mut level = WarningLevel::None;
        for (i, t) in self.levels.iter().enumerate() {
            if r >= t.value {
                level = WarningLevel::ALL[i + 1];
            }
        }
        level
    }

    /// The reading below which a level may be left (after the dwell): its threshold minus its
    /// band, a stage read to the micrometre like the readings it is compared with (`None` for
    /// [`WarningLevel::None`]).
    pub fn exit(&self, level: WarningLevel) -> Option<f64> {
        let t = self.threshold(level)?;
        Some(match self.scale {
            GaugeScale::Discharge => t.value - t.band,
            GaugeScale::Stage(_) => read_stage(t.value - t.band),
        })
    }

    /// The threshold of a level (`None` for [`WarningLevel::None`]).
    pub fn threshold(&self, level: WarningLevel) -> Option<&LevelThreshold> {
        match level {
            WarningLevel::None => None,
            l => self.levels.get(l as usize - 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_stage() -> WarningThresholds {
        let rating = RatingCurve::new(vec![(0.0, 40.0), (1000.0, 45.0), (3000.0, 47.0)]).unwrap();
        let lt = |h: f64, b: f64| LevelThreshold {
            value: h,
            band: b,
            response: String::new(),
            discharge_m3s: rating.discharge_for_stage(h).unwrap(),
        };
        WarningThresholds {
            levels: [lt(44.0, 0.5), lt(45.5, 0.3), lt(46.1, 0.3), lt(46.8, 0.2)],
            scale: GaugeScale::Stage(rating.clone()),
            dwell_minutes: 60.0,
            trend_window_minutes: 180.0,
            trend_threshold_m3s_per_h: 150.0,
            design_discharge_m3s: 2800.0,
        }
    }

    #[test]
    fn stage_thresholds_decide_on_the_stage_the_rating_gives() {
        let th = by_stage();
        assert_eq!(th.unit(), GaugeUnit::Stage);
        // 46.1 m is 2,100 m³/s on this curve; floating point puts both a hair off 46.1.
        assert_eq!(th.level_for(2100.0), WarningLevel::Orange);
        assert_eq!(th.level_for(2099.0), WarningLevel::Yellow);
        for (i, t) in th.levels.iter().enumerate() {
            assert_eq!(th.reading(t.discharge_m3s), t.value);
            assert_eq!(th.level_for(t.discharge_m3s), WarningLevel::ALL[i + 1]);
            assert_eq!(th.level_for(t.discharge_m3s * 0.999), WarningLevel::ALL[i]);
        }
        assert_eq!(th.level_for(0.0), WarningLevel::None);
        // 46.8 − 0.2 is 46.599999999999994 in floating point; the exit is read as 46.6.
        assert_eq!(th.exit(WarningLevel::Red), Some(46.6));
        assert_eq!(th.exit(WarningLevel::None), None);
    }

    #[test]
    fn units_name_their_fields() {
        assert_eq!(GaugeUnit::NAMES, &["discharge", "stage"]);
        assert_eq!(GaugeUnit::Stage.threshold_field(), "stage_m");
        assert_eq!(GaugeUnit::Stage.band_field(), "band_m");
        assert_eq!(GaugeUnit::Discharge.band_field(), "band_m3s");
        assert_eq!(GaugeScale::Discharge.reading(123.4), 123.4);
    }
}
