//! The warning level over time: entered at once when a threshold is reached, left only when the
//! reading (discharge or stage, the thresholds' unit) has stayed below the threshold minus its
//! band for the dwell time. Alerts that flap
//! around a threshold get ignored; this is what stops the flapping.

use serde::{Deserialize, Serialize};

use super::level::{Trend, WarningLevel, WarningThresholds};

/// One gauge reading.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GaugeReading {
    /// Minutes since the start of the series (drill minutes, or minutes of the feed).
    pub t_min: f64,
    /// Discharge, m³/s.
    pub discharge_m3s: f64,
}

/// Follows the warning level through a series of readings, with hysteresis and dwell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelTracker {
    level: WarningLevel,
    peak: WarningLevel,
    /// Since when the reading has been below the current level's exit value (`None` when it is
    /// not).
    below_since_min: Option<f64>,
    last_t_min: Option<f64>,
}

impl Default for LevelTracker {
    fn default() -> Self {
        LevelTracker {
            level: WarningLevel::None,
            peak: WarningLevel::None,
            below_since_min: None,
            last_t_min: None,
        }
    }
}

impl LevelTracker {
    /// A tracker at no warning.
    pub fn new() -> LevelTracker {
        LevelTracker::default()
    }

    /// The current level.
    pub fn level(&self) -> WarningLevel {
        self.level
    }

    /// The highest level of the event (reset by [`LevelTracker::end_event`]).
    pub fn peak(&self) -> WarningLevel {
        self.peak
    }

    /// Ends the flood event: the peak falls back to the current level.
    pub fn end_event(&mut self) {
        self.peak = self.level;
    }

    /// Feeds one discharge and returns the level after it: the discharge is read in the
    /// thresholds' unit (a stage through the gauge's rating for thresholds by stage), and entry,
    /// bands and dwell are decided on that reading. Readings out of time order or not finite are
    /// ignored (the level stays).
    ///
    /// ```
    /// use floodgrid_model::hydro::{GaugeScale, LevelTracker, WarningLevel, WarningThresholds, LevelThreshold};
    /// let lt = |q, b| LevelThreshold::by_discharge(q, b, "");
    /// let th = WarningThresholds {
    ///     scale: GaugeScale::Discharge,
    ///     levels: [lt(4000.0, 300.0), lt(6000.0, 400.0), lt(10000.0, 600.0), lt(15000.0, 800.0)],
    ///     dwell_minutes: 120.0, trend_window_minutes: 180.0, trend_threshold_m3s_per_h: 150.0,
    ///     design_discharge_m3s: 22000.0,
    /// };
    /// let mut t = LevelTracker::new();
    /// assert_eq!(t.update(&th, 0.0, 4100.0), WarningLevel::Blue);
    /// assert_eq!(t.update(&th, 60.0, 3900.0), WarningLevel::Blue);   // inside the band
    /// assert_eq!(t.update(&th, 120.0, 3600.0), WarningLevel::Blue);  // below, dwell starts
    /// assert_eq!(t.update(&th, 240.0, 3600.0), WarningLevel::None);  // dwelt 120 min
    /// ```
    pub fn update(
        &mut self,
        th: &WarningThresholds,
        t_min: f64,
        discharge_m3s: f64,
    ) -> WarningLevel {
        if !(t_min.is_finite() && discharge_m3s.is_finite())
            || self.last_t_min.is_some_and(|last| t_min < last)
        {
            return self.level;
        }
        self.last_t_min = Some(t_min);
        let reading = th.reading(discharge_m3s);
        let entry = th.level_for(discharge_m3s);
        if entry > self.level {
            self.level = entry;
            self.below_since_min = None;
        } else if self.level > WarningLevel::None {
            let exit = th.exit(self.level).unwrap_or(f64::NEG_INFINITY);
            if reading < exit {
                let since = *self.below_since_min.get_or_insert(t_min);
                if t_min - since >= th.dwell_minutes {
                    // Drop to the highest level whose own exit value the reading still holds.
                    let mut next = WarningLevel::None;
                    for l in WarningLevel::ALL
                        .into_iter()
                        .filter(|&l| l > WarningLevel::None && l < self.level)
                    {
                        let t = th.exit(l).unwrap_or(f64::INFINITY);
                        if reading >= t {
                            next = l;
                        }
                    }
                    self.level = next;
                    // The lower level's own dwell starts now if the reading is below its exit too.
                    self.below_since_min = None;
                }
            } else {
                self.below_since_min = None;
            }
        }
        self.peak = self.peak.max(self.level);
        self.level
    }
}

/// Trend of a series: the least-squares slope over the readings in the window ending at the last
/// reading, compared with the threshold (m³/s per hour).
pub fn trend(readings: &[GaugeReading], window_min: f64, threshold_m3s_per_h: f64) -> Trend {
    let Some(last) = readings.last() else {
        return Trend::Steady;
    };
    let recent: Vec<&GaugeReading> = readings
        .iter()
        .filter(|r| r.t_min >= last.t_min - window_min && r.t_min <= last.t_min)
        .collect();
    if recent.len() < 2 {
        return Trend::Steady;
    }
    let n = recent.len() as f64;
    let mt = recent.iter().map(|r| r.t_min).sum::<f64>() / n;
    let mq = recent.iter().map(|r| r.discharge_m3s).sum::<f64>() / n;
    let sxx: f64 = recent.iter().map(|r| (r.t_min - mt).powi(2)).sum();
    if sxx <= 0.0 {
        return Trend::Steady;
    }
    let sxy: f64 = recent
        .iter()
        .map(|r| (r.t_min - mt) * (r.discharge_m3s - mq))
        .sum();
    let per_hour = sxy / sxx * 60.0;
    if per_hour > threshold_m3s_per_h {
        Trend::Rising
    } else if per_hour < -threshold_m3s_per_h {
        Trend::Falling
    } else {
        Trend::Steady
    }
}

/// A forecast: the coming peak and when.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// Peak discharge, m³/s.
    pub peak_m3s: f64,
    /// Hours from now to the peak (0 when the peak is now or past).
    pub hours_to_peak: f64,
}

/// The forecast from a hydrograph ((minute, m³/s), time increasing) as seen at `now_min`: the
/// highest discharge from now on, interpolating the current value.
pub fn forecast_from_hydrograph(hydrograph: &[(f64, f64)], now_min: f64) -> Option<Forecast> {
    let first = hydrograph.first()?;
    let now_q = interpolate(hydrograph, now_min);
    let mut best = Forecast {
        peak_m3s: now_q,
        hours_to_peak: 0.0,
    };
    for &(t, q) in hydrograph.iter().filter(|(t, _)| *t > now_min) {
        if q > best.peak_m3s {
            best = Forecast {
                peak_m3s: q,
                hours_to_peak: (t - now_min) / 60.0,
            };
        }
    }
    let _ = first;
    Some(best)
}

/// Linear interpolation in a (minute, value) series, clamped at the ends.
pub fn interpolate(series: &[(f64, f64)], t: f64) -> f64 {
    let Some(&(t0, q0)) = series.first() else {
        return 0.0;
    };
    if t <= t0 {
        return q0;
    }
    let i = series.partition_point(|&(ti, _)| ti <= t);
    if i >= series.len() {
        return series[series.len() - 1].1;
    }
    let (ta, qa) = series[i - 1];
    let (tb, qb) = series[i];
    if tb <= ta {
        qb
    } else {
        qa + (qb - qa) * (t - ta) / (tb - ta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hydro::{GaugeScale, LevelThreshold, RatingCurve};

    fn th() -> WarningThresholds {
        let lt = |q, b| LevelThreshold::by_discharge(q, b, "");
        WarningThresholds {
            scale: GaugeScale::Discharge,
            levels: [
                lt(4000.0, 300.0),
                lt(6000.0, 400.0),
                lt(10000.0, 600.0),
                lt(15000.0, 800.0),
            ],
            dwell_minutes: 120.0,
            trend_window_minutes: 180.0,
            trend_threshold_m3s_per_h: 150.0,
            design_discharge_m3s: 22000.0,
        }
    }

    #[test]
    fn oscillation_around_a_threshold_does_not_flap() {
        let th = th();
        let mut t = LevelTracker::new();
        let mut changes = 0;
        let mut last = WarningLevel::None;
        // ±200 m³/s around blue's 4,000 every 15 minutes for two days.
        for k in 0..192 {
            let q = if k % 2 == 0 { 4200.0 } else { 3800.0 };
            let l = t.update(&th, k as f64 * 15.0, q);
            if l != last {
                changes += 1;
                last = l;
            }
        }
        assert_eq!(changes, 1, "entered blue once and stayed");
        assert_eq!(last, WarningLevel::Blue);
    }

    #[test]
    fn oscillation_around_red_does_not_flap() {
        let th = th();
        let mut t = LevelTracker::new();
        let levels: Vec<WarningLevel> = (0..100)
            .map(|k| {
                t.update(
                    &th,
                    k as f64 * 10.0,
                    if k % 2 == 0 { 15_200.0 } else { 14_800.0 },
                )
            })
            .collect();
        assert!(levels.iter().all(|&l| l == WarningLevel::Red));
    }

    #[test]
    fn a_real_fall_steps_down_after_dwell() {
        let th = th();
        let mut t = LevelTracker::new();
        assert_eq!(t.update(&th, 0.0, 16_000.0), WarningLevel::Red);
        // Fall to 9,000: below red's exit (14,200) and orange's exit (9,400); yellow holds.
        assert_eq!(t.update(&th, 10.0, 9_000.0), WarningLevel::Red);
        assert_eq!(t.update(&th, 129.0, 9_000.0), WarningLevel::Red);
        assert_eq!(t.update(&th, 130.0, 9_000.0), WarningLevel::Yellow);
        assert_eq!(t.peak(), WarningLevel::Red);
        // A brief rise above the exit value restarts the dwell.
        assert_eq!(t.update(&th, 140.0, 3_000.0), WarningLevel::Yellow);
        assert_eq!(t.update(&th, 200.0, 5_700.0), WarningLevel::Yellow);
        assert_eq!(t.update(&th, 300.0, 3_000.0), WarningLevel::Yellow);
        assert_eq!(t.update(&th, 419.0, 3_000.0), WarningLevel::Yellow);
        assert_eq!(t.update(&th, 420.0, 3_000.0), WarningLevel::None);
        t.end_event();
        assert_eq!(t.peak(), WarningLevel::None);
    }

    /// Thresholds by stage on a curve of 1 m per 500 m³/s above 1,000 m³/s: blue at 46.0 m
    /// (2,000 m³/s) with a band of 0.3 m (exit 45.7 m, 1,850 m³/s).
    fn by_stage() -> WarningThresholds {
        let rating = RatingCurve::new(vec![(0.0, 40.0), (1000.0, 44.0), (6000.0, 54.0)]).unwrap();
        let lt = |h: f64, b: f64| LevelThreshold {
            value: h,
            band: b,
            response: String::new(),
            discharge_m3s: rating.discharge_for_stage(h).unwrap(),
        };
        WarningThresholds {
            scale: GaugeScale::Stage(rating.clone()),
            levels: [lt(46.0, 0.3), lt(47.0, 0.3), lt(48.5, 0.4), lt(50.0, 0.5)],
            dwell_minutes: 60.0,
            trend_window_minutes: 180.0,
            trend_threshold_m3s_per_h: 150.0,
            design_discharge_m3s: 4000.0,
        }
    }

    #[test]
    fn stage_bands_and_dwell_are_in_metres() {
        let th = by_stage();
        let mut t = LevelTracker::new();
        assert_eq!(t.update(&th, 0.0, 2000.0), WarningLevel::Blue, "46.0 m");
        // 45.7 m is the band's edge: not below it, so no dwell starts however long it lasts.
        assert_eq!(t.update(&th, 10.0, 1850.0), WarningLevel::Blue);
        assert_eq!(t.update(&th, 200.0, 1850.0), WarningLevel::Blue);
        // 45.69 m is below: the dwell starts, and the level drops after 60 minutes.
        assert_eq!(t.update(&th, 210.0, 1845.0), WarningLevel::Blue);
        assert_eq!(t.update(&th, 269.0, 1845.0), WarningLevel::Blue);
        assert_eq!(t.update(&th, 270.0, 1845.0), WarningLevel::None);
        // Up to red (50.0 m) and down to 47.6 m: below red's and orange's exits (49.5, 48.1),
        // inside yellow's band, so yellow after the dwell.
        assert_eq!(t.update(&th, 300.0, 4000.0), WarningLevel::Red);
        assert_eq!(t.update(&th, 310.0, 2800.0), WarningLevel::Red);
        assert_eq!(t.update(&th, 370.0, 2800.0), WarningLevel::Yellow);
        assert_eq!(t.peak(), WarningLevel::Red);
    }

    #[test]
    fn rising_jumps_straight_to_the_level() {
        let th = th();
        let mut t = LevelTracker::new();
        assert_eq!(t.update(&th, 0.0, 22_000.0), WarningLevel::Red);
        assert_eq!(t.update(&th, 5.0, f64::NAN), WarningLevel::Red);
        assert_eq!(
            t.update(&th, 1.0, 0.0),
            WarningLevel::Red,
            "out-of-order reading ignored"
        );
    }

    #[test]
    fn trend_from_slope() {
        let r = |t: f64, q: f64| GaugeReading {
            t_min: t,
            discharge_m3s: q,
        };
        assert_eq!(
            trend(
                &[r(0.0, 4000.0), r(60.0, 4300.0), r(120.0, 4600.0)],
                180.0,
                150.0
            ),
            Trend::Rising
        );
        assert_eq!(
            trend(
                &[r(0.0, 4600.0), r(60.0, 4300.0), r(120.0, 4000.0)],
                180.0,
                150.0
            ),
            Trend::Falling
        );
        assert_eq!(
            trend(
                &[r(0.0, 4000.0), r(60.0, 4100.0), r(120.0, 4000.0)],
                180.0,
                150.0
            ),
            Trend::Steady
        );
        assert_eq!(trend(&[r(0.0, 4000.0)], 180.0, 150.0), Trend::Steady);
    }

    #[test]
    fn forecast_finds_the_coming_peak() {
        let h = [
            (0.0, 3000.0),
            (120.0, 6000.0),
            (360.0, 11000.0),
            (600.0, 8000.0),
        ];
        let f = forecast_from_hydrograph(&h, 60.0).unwrap();
        assert_eq!(f.peak_m3s, 11000.0);
        assert!((f.hours_to_peak - 5.0).abs() < 1e-9);
        let f = forecast_from_hydrograph(&h, 700.0).unwrap();
        assert_eq!((f.peak_m3s, f.hours_to_peak), (8000.0, 0.0));
        assert!((interpolate(&h, 240.0) - 8500.0).abs() < 1e-9);
    }
}

/// The hydrograph ((minute, m³/s), time increasing) ahead of `now_min` as (hours from now,
/// m³/s) points: the forecast path an evacuation plan times people by.
pub fn forecast_path(hydrograph: &[(f64, f64)], now_min: f64) -> Vec<(f64, f64)> {
    hydrograph
        .iter()
        .filter(|(t, _)| *t > now_min)
        .map(|&(t, q)| ((t - now_min) / 60.0, q))
        .collect()
}

/// When the river reaches a discharge: the first crossing of the forecast path that starts at the
/// current discharge. Built once per assessment; each question is a binary search.
#[derive(Debug, Clone)]
pub struct ArrivalClock {
    /// (hours from now, m³/s), starting at (0, now).
    points: Vec<(f64, f64)>,
    /// The highest discharge reached up to and including each point.
    running_max: Vec<f64>,
}

impl ArrivalClock {
    /// The clock for a river at `q_now` with a forecast `path` of (hours from now, m³/s) points,
    /// hours increasing; points at or before now and non-finite ones are ignored. An empty path
    /// means the river stays where it is.
    pub fn new(q_now: f64, path: &[(f64, f64)]) -> ArrivalClock {
        let mut points = vec![(0.0, q_now)];
        for &(h, q) in path {
            let last = points[points.len() - 1].0;
            if h.is_finite() && q.is_finite() && h > last {
                points.push((h, q));
            }
        }
        let mut m = f64::NEG_INFINITY;
        let running_max = points
            .iter()
            .map(|&(_, q)| {
                m = m.max(q);
                m
            })
            .collect();
        ArrivalClock {
            points,
            running_max,
        }
    }

    /// Hours from now until the discharge first reaches `q` (0: it already has; `None`: not
    /// within the forecast).
    pub fn hours_to(&self, q: f64) -> Option<f64> {
        let i = self.running_max.partition_point(|&m| m < q);
        if i == 0 {
            return Some(0.0);
        }
        let &(hb, qb) = self.points.get(i)?;
        let (ha, qa) = self.points[i - 1];
        // qa < q <= qb: the crossing lies inside this segment.
        Some(ha + (hb - ha) * ((q - qa) / (qb - qa)).clamp(0.0, 1.0))
    }

    /// The highest discharge of the forecast, now included.
    pub fn peak(&self) -> f64 {
        self.running_max[self.running_max.len() - 1]
    }
}

#[cfg(test)]
mod arrival_tests {
    use super::ArrivalClock;

    #[test]
    fn first_crossing_of_a_rise_a_dip_and_a_second_rise() {
        let c = ArrivalClock::new(1_000.0, &[(2.0, 3_000.0), (4.0, 2_000.0), (6.0, 5_000.0)]);
        assert_eq!(c.hours_to(500.0), Some(0.0), "already reached");
        assert_eq!(c.hours_to(2_000.0), Some(1.0));
        assert_eq!(c.hours_to(3_000.0), Some(2.0));
        // 4,000 is crossed only on the second rise, between 4 h (2,000) and 6 h (5,000).
        let h = c.hours_to(4_000.0).unwrap();
        assert!((h - (4.0 + 2.0 * 2.0 / 3.0)).abs() < 1e-12, "{h}");
        assert_eq!(c.hours_to(6_000.0), None, "above the forecast peak");
        assert_eq!(c.peak(), 5_000.0);
        let still = ArrivalClock::new(1_000.0, &[]);
        assert_eq!(still.hours_to(1_000.0), Some(0.0));
        assert_eq!(still.hours_to(1_000.1), None);
    }
}
