use serde::{Deserialize, Serialize};

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

/// The threshold of one warning level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelThreshold {
    /// Discharge at the reference gauge at which the level is entered, m³/s.
    pub discharge_m3s: f64,
    /// Hysteresis: the level is left only below `discharge_m3s - band_m3s`.
    pub band_m3s: f64,
    /// Emergency response level that goes with it (`IV` .. `I`).
    pub response: String,
}

/// Thresholds of the four warning levels, from `scenario.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarningThresholds {
    /// Blue, yellow, orange, red, in that order.
    pub levels: [LevelThreshold; 4],
    /// Minutes Q must stay below a level's exit value before the level is left.
    pub dwell_minutes: f64,
    /// Window of readings the trend is computed over, minutes.
    pub trend_window_minutes: f64,
    /// Slope beyond which the trend is rising or falling, m³/s per hour.
    pub trend_threshold_m3s_per_h: f64,
    /// The dike design discharge, m³/s.
    pub design_discharge_m3s: f64,
}

impl WarningThresholds {
    /// The level a discharge reaches without hysteresis (the entry rule).
    pub fn level_for(&self, discharge_m3s: f64) -> WarningLevel {
        let mut level = WarningLevel::None;
        for (i, t) in self.levels.iter().enumerate() {
            if discharge_m3s >= t.discharge_m3s {
                level = WarningLevel::ALL[i + 1];
            }
        }
        level
    }

    /// The threshold of a level (`None` for [`WarningLevel::None`]).
    pub fn threshold(&self, level: WarningLevel) -> Option<&LevelThreshold> {
        match level {
            WarningLevel::None => None,
            l => self.levels.get(l as usize - 1),
        }
    }
}
