//! Piecewise-linear time series: inflow hydrographs (m³/s) and boundary stages (m). Owns parsing
//! the two-column CSV the stand-alone CLI reads; never panics on a bad file.

use serde::{Deserialize, Serialize};

/// A value that varies linearly between `(time_s, value)` points and stays at the first and last
/// value outside them.
///
/// ```
/// use floodgrid_flood::solver::Series;
/// let q = Series::new(vec![(0.0, 60.0), (1200.0, 600.0)]).unwrap();
/// assert_eq!(q.at(600.0), 330.0);
/// assert_eq!(q.at(5000.0), 600.0);
/// // The volume between two times is exact for a piecewise-linear series.
/// assert_eq!(q.integral(0.0, 1200.0), 0.5 * (60.0 + 600.0) * 1200.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    points: Vec<(f64, f64)>,
}

/// Why a series cannot be used; `line` is 1-based in the CSV (0 when not from a file).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct SeriesError {
    /// 1-based line of the CSV (0 when the series did not come from text).
    pub line: usize,
    /// What was found and what was expected.
    pub message: String,
}

impl Series {
    /// A series from points with strictly increasing, finite times and finite values.
    pub fn new(points: Vec<(f64, f64)>) -> Result<Series, SeriesError> {
        let err = |message: String| SeriesError { line: 0, message };
        if points.is_empty() {
            return Err(err("a series needs at least one point".into()));
        }
        for (i, &(t, v)) in points.iter().enumerate() {
            if !t.is_finite() || !v.is_finite() {
                return Err(err(format!("point {i}: ({t}, {v}) is not finite")));
            }
            if i > 0 && t <= points[i - 1].0 {
                return Err(err(format!(
                    "point {i}: time {t} s does not increase (previous {} s)",
                    points[i - 1].0
                )));
            }
        }
        Ok(Series { points })
    }

    /// A constant.
    pub fn constant(value: f64) -> Series {
        Series {
            points: vec![(0.0, value)],
        }
    }

    /// Reads `time_s,value` rows (an optional header line of names, `#` comments and blank lines
    /// allowed). Times must increase; values must be finite and, when `non_negative`, at least 0.
    ///
    /// ```
    /// use floodgrid_flood::solver::Series;
    /// let s = Series::from_csv("time_s,discharge_m3s\n0,10\n3600,20\n", true).unwrap();
    /// assert_eq!(s.at(1800.0), 15.0);
    /// let e = Series::from_csv("0,10\n0,20\n", true).unwrap_err();
    /// assert_eq!(e.line, 2);
    /// ```
    pub fn from_csv(text: &str, non_negative: bool) -> Result<Series, SeriesError> {
        let mut points: Vec<(f64, f64)> = Vec::new();
        for (k, raw) in text.lines().enumerate() {
            let line = k + 1;
            let err = |message: String| SeriesError { line, message };
            let s = raw.split('#').next().unwrap_or("").trim();
            if s.is_empty() {
                continue;
            }
            let fields: Vec<&str> = s.split([',', ';', '\t']).map(str::trim).collect();
            let nums: Vec<Option<f64>> = fields.iter().map(|f| f.parse::<f64>().ok()).collect();
            if points.is_empty() && nums.iter().all(Option::is_none) {
                continue; // header
            }
            if fields.len() < 2 {
                return Err(err(format!(
                    "found `{s}`, expected two comma-separated numbers: time_s,value"
                )));
            }
            let (Some(t), Some(v)) = (nums[0], nums[1]) else {
                return Err(err(format!(
                    "found `{s}`, expected two comma-separated numbers: time_s,value"
                )));
            };
            if !t.is_finite() || !v.is_finite() {
                return Err(err(format!("found `{s}`, expected finite numbers")));
            }
            if non_negative && v < 0.0 {
                return Err(err(format!("value {v} is negative, expected 0 or more")));
            }
            if let Some(&(tp, _)) = points.last()
                && t <= tp
            {
                return Err(err(format!(
                    "time {t} s does not increase (previous row {tp} s)"
                )));
            }
            points.push((t, v));
        }
        if points.is_empty() {
            return Err(SeriesError {
                line: 0,
                message: "no rows; expected time_s,value rows".into(),
            });
        }
        Ok(Series { points })
    }

    /// The points.
    pub fn points(&self) -> &[(f64, f64)] {
        &self.points
    }

    /// The value at a time.
    pub fn at(&self, t: f64) -> f64 {
        let p = &self.points;
        let i = p.partition_point(|x| x.0 <= t);
        if i == 0 {
            return p[0].1;
        }
        if i == p.len() {
            return p[i - 1].1;
        }
        let (t0, v0) = p[i - 1];
        let (t1, v1) = p[i];
        v0 + (v1 - v0) * (t - t0) / (t1 - t0)
    }

    /// The exact integral of the series between two times (`t0 <= t1`).
    pub fn integral(&self, t0: f64, t1: f64) -> f64 {
        if t1 <= t0 {
            return 0.0;
        }
        // Integrate piece by piece between the breakpoints inside (t0, t1).
        let p = &self.points;
        let mut sum = 0.0;
        let mut a = t0;
        let start = p.partition_point(|x| x.0 <= t0);
        for &(tb, _) in &p[start..] {
            if tb >= t1 {
                break;
            }
            sum += 0.5 * (self.at(a) + self.at(tb)) * (tb - a);
            a = tb;
        }
        sum + 0.5 * (self.at(a) + self.at(t1)) * (t1 - a)
    }

    /// The largest value.
    pub fn max(&self) -> f64 {
        self.points
            .iter()
            .map(|p| p.1)
            .fold(f64::NEG_INFINITY, f64::max)
    }
}
