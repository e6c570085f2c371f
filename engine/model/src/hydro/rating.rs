use serde::{Deserialize, Serialize};

/// A stage–discharge rating curve of one river station: stage rises with discharge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingCurve {
    /// (discharge m³/s, stage m) points, discharge strictly increasing, stage non-decreasing.
    points: Vec<(f64, f64)>,
}

/// Why a table is not a valid rating curve; `index` is the offending point (0-based).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("point {index}: {message}")]
pub struct RatingError {
    /// 0-based index of the offending point.
    pub index: usize,
    /// What is wrong.
    pub message: String,
}

impl RatingCurve {
    /// Builds a curve from a table, checking it is monotone.
    ///
    /// ```
    /// use floodgrid_model::hydro::RatingCurve;
    /// let c = RatingCurve::new(vec![(0.0, 88.0), (4000.0, 91.5), (22000.0, 94.7)]).unwrap();
    /// assert!((c.stage_m(2000.0) - 89.75).abs() < 1e-9);
    /// assert!(RatingCurve::new(vec![(0.0, 90.0), (1000.0, 89.0)]).is_err());
    /// ```
    pub fn new(points: Vec<(f64, f64)>) -> Result<RatingCurve, RatingError> {
        if points.len() < 2 {
            return Err(RatingError {
                index: points.len(),
                message: format!("found {} point(s), expected at least 2", points.len()),
            });
        }
        for (i, &(q, h)) in points.iter().enumerate() {
            if !(q.is_finite() && h.is_finite()) || q < 0.0 {
                return Err(RatingError {
                    index: i,
                    message: format!(
                        "found [{q}, {h}], expected a discharge ≥ 0 and a finite stage"
                    ),
                });
            }
            if i > 0 {
                let (pq, ph) = points[i - 1];
                if q <= pq {
                    return Err(RatingError {
                        index: i,
                        message: format!(
                            "discharge {q} does not rise above the previous {pq}; expected increasing discharges"
                        ),
                    });
                }
                if h < ph {
                    return Err(RatingError {
                        index: i,
                        message: format!(
                            "stage {h} falls below the previous {ph} while discharge rises; expected a monotone curve"
                        ),
                    });
                }
            }
        }
        Ok(RatingCurve { points })
    }

    /// The table.
    pub fn points(&self) -> &[(f64, f64)] {
        &self.points
    }

    /// The highest rated discharge, m³/s (beyond it the curve is extrapolated).
    pub fn max_discharge_m3s(&self) -> f64 {
        self.points.last().map_or(0.0, |p| p.0)
    }

    /// Stage in metres at a discharge: linear between points, extended along the last segment
    /// beyond the table (and clamped to the first stage below it).
    pub fn stage_m(&self, discharge_m3s: f64) -> f64 {
        let p = &self.points;
        let q = discharge_m3s;
        if q <= p[0].0 {
            return p[0].1;
        }
        let i = p.partition_point(|&(pq, _)| pq < q).clamp(1, p.len() - 1);
        let (q0, h0) = p[i - 1];
        let (q1, h1) = p[i];
        h0 + (h1 - h0) * (q - q0) / (q1 - q0)
    }

    /// The lowest discharge at which the stage reaches `stage_m`, or `None` when the curve never
    /// reaches it (a flat last segment below it).
    pub fn discharge_for_stage(&self, stage_m: f64) -> Option<f64> {
        let p = &self.points;
        if stage_m <= p[0].1 {
            return Some(p[0].0);
        }
        for w in p.windows(2) {
            let ((q0, h0), (q1, h1)) = (w[0], w[1]);
            if stage_m <= h1 && h1 > h0 {
                return Some(q0 + (q1 - q0) * (stage_m - h0) / (h1 - h0));
            }
        }
        let n = p.len();
        let ((q0, h0), (q1, h1)) = (p[n - 2], p[n - 1]);
        (h1 > h0).then(|| q1 + (q1 - q0) * (stage_m - h1) / (h1 - h0))
    }
}

/// Where a value converted through a rating curve lies against its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatedRange {
    /// Between the first and the last rated point: interpolated.
    Rated,
    /// Below the first rated point: held at the first point's value.
    Below,
    /// Beyond the last rated point: extended along the last segment, which nobody measured.
    Above,
}

/// A value converted through a rating curve, and where it lies against the table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Converted {
    /// The converted value (stage in m, or discharge in m³/s).
    pub value: f64,
    /// Whether the table covers the input, or the value is held or extrapolated.
    pub range: RatedRange,
}

/// Why a reading cannot be converted through a rating curve: it is not a possible reading.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConvertError {
    /// NaN or infinite.
    #[error("{value} is not a number; expected a finite {what}")]
    NotFinite {
        /// The reading as given.
        value: f64,
        /// What it should have been ("discharge in m³/s", "stage in m").
        what: &'static str,
    },
    /// A negative discharge.
    #[error("discharge {value} m³/s is negative; expected a discharge ≥ 0 m³/s")]
    Negative {
        /// The discharge as given.
        value: f64,
    },
    /// Beyond the most the river can physically carry at the gauge.
    #[error(
        "{value} {unit} is beyond {bound} {unit}, the most this river can carry at the gauge (the scenario's max_discharge_m3s or max_stage_m)"
    )]
    AboveBound {
        /// The reading as given.
        value: f64,
        /// The bound, in the reading's unit.
        bound: f64,
        /// The reading's unit symbol.
        unit: &'static str,
    },
    /// A stage the curve never reaches (its last segment is flat below it).
    #[error(
        "stage {value} m is above {top} m, where the rating curve ends flat; no discharge reaches it"
    )]
    Unreachable {
        /// The stage as given.
        value: f64,
        /// The highest stage of the curve.
        top: f64,
    },
}

impl RatingCurve {
    /// The first rated point, (discharge m³/s, stage m).
    pub fn first(&self) -> (f64, f64) {
        self.points[0]
    }

    /// The last rated point, (discharge m³/s, stage m): beyond it the curve is extrapolated.
    pub fn last(&self) -> (f64, f64) {
        self.points[self.points.len() - 1]
    }

    /// The stage at a discharge, refusing impossible discharges (not finite, negative, above
    /// `max_discharge_m3s`) and saying when the discharge lies beyond the table.
    ///
    /// ```
    /// use floodgrid_model::hydro::{RatedRange, RatingCurve};
    /// let c = RatingCurve::new(vec![(0.0, 88.0), (4000.0, 92.0)]).unwrap();
    /// let s = c.stage_for(2000.0, 10_000.0).unwrap();
    /// assert_eq!((s.value, s.range), (90.0, RatedRange::Rated));
    /// assert_eq!(c.stage_for(5000.0, 10_000.0).unwrap().range, RatedRange::Above);
    /// assert!(c.stage_for(-1.0, 10_000.0).is_err());
    /// assert!(c.stage_for(f64::NAN, 10_000.0).is_err());
    /// assert!(c.stage_for(20_000.0, 10_000.0).is_err());
    /// ```
    pub fn stage_for(
        &self,
        discharge_m3s: f64,
        max_discharge_m3s: f64,
    ) -> Result<Converted, ConvertError> {
        let q = discharge_m3s;
        if !q.is_finite() {
            return Err(ConvertError::NotFinite {
                value: q,
                what: "discharge in m³/s",
            });
        }
        if q < 0.0 {
            return Err(ConvertError::Negative { value: q });
        }
        if q > max_discharge_m3s {
            return Err(ConvertError::AboveBound {
                value: q,
                bound: max_discharge_m3s,
                unit: "m³/s",
            });
        }
        let range = if q < self.first().0 {
            RatedRange::Below
        } else if q > self.last().0 {
            RatedRange::Above
        } else {
            RatedRange::Rated
        };
        Ok(Converted {
            value: self.stage_m(q),
            range,
        })
    }

    /// The discharge at a stage (the lowest discharge at which the curve reaches it, the inverse
    /// of [`RatingCurve::stage_m`]), refusing impossible stages (not finite, above the stage of
    /// `max_discharge_m3s` read to the micrometre, above a flat end of the curve) and saying when
    /// the stage lies beyond the table. A stage below the first rated point gives the first
    /// rated discharge.
    ///
    /// ```
    /// use floodgrid_model::hydro::{RatedRange, RatingCurve};
    /// let c = RatingCurve::new(vec![(0.0, 88.0), (4000.0, 92.0)]).unwrap();
    /// let q = c.discharge_for(91.0, 10_000.0).unwrap();
    /// assert_eq!((q.value, q.range), (3000.0, RatedRange::Rated));
    /// assert_eq!(c.discharge_for(93.0, 10_000.0).unwrap().range, RatedRange::Above);
    /// assert_eq!(c.discharge_for(87.0, 10_000.0).unwrap().range, RatedRange::Below);
    /// assert!(c.discharge_for(f64::NAN, 10_000.0).is_err());
    /// assert!(c.discharge_for(99.0, 10_000.0).is_err(), "stage 98 m at 10,000 m³/s is the most");
    /// ```
    pub fn discharge_for(
        &self,
        stage_m: f64,
        max_discharge_m3s: f64,
    ) -> Result<Converted, ConvertError> {
        let h = stage_m;
        if !h.is_finite() {
            return Err(ConvertError::NotFinite {
                value: h,
                what: "stage in m",
            });
        }
        let bound = read_stage(self.stage_m(max_discharge_m3s.max(0.0)));
        if h > bound {
            return Err(ConvertError::AboveBound {
                value: h,
                bound,
                unit: "m",
            });
        }
        let Some(q) = self.discharge_for_stage(h) else {
            return Err(ConvertError::Unreachable {
                value: h,
                top: self.last().1,
            });
        };
        let range = if h < self.first().1 {
            RatedRange::Below
        } else if h > self.last().1 {
            RatedRange::Above
        } else {
            RatedRange::Rated
        };
        // Read to the micro-m³/s (so 63.0 m reads as 2000, not 1999.9999999999998, and the
        // stage of that discharge reads back as 63.0); at the bound itself, rounding must not
        // carry the discharge past it.
        let q = (q * DISCHARGE_STEPS_PER_M3S).round() / DISCHARGE_STEPS_PER_M3S;
        Ok(Converted {
            value: q.min(max_discharge_m3s),
            range,
        })
    }
}

/// Stages are read to the micrometre (this many steps per metre): far below any gauge's
/// centimetre, so a stage typed in (`46.1`) and the same stage computed through the curve's
/// inverse and back read as the same number, and compare equal with a threshold written the
/// same way.
pub const STAGE_STEPS_PER_M: f64 = 1e6;

/// Discharges converted from stages are read to the micro-m³/s (this many steps per m³/s): far
/// below what any stage resolves, so the stage of the discharge reads back as the stage.
const DISCHARGE_STEPS_PER_M3S: f64 = 1e6;

/// A stage rounded to the micrometre ([`STAGE_STEPS_PER_M`]); not finite stays as it is.
///
/// ```
/// use floodgrid_model::hydro::read_stage;
/// let h = 2100.0 / 2000.0 + 45.05; // 46.099999999999994 in floating point
/// assert_ne!(h, 46.1);
/// assert_eq!(read_stage(h), 46.1);
/// ```
pub fn read_stage(stage_m: f64) -> f64 {
    (stage_m * STAGE_STEPS_PER_M).round() / STAGE_STEPS_PER_M
}

impl RatingCurve {
    /// Fits a power-law rating, Q = C·(h − e)^β, to observed (discharge, stage) pairs by least
    /// squares in log space (the zero-flow stage `e` found by a scan below the lowest stage), and
    /// tabulates it at the given discharges. `None` when fewer than 3 usable observations or no
    /// monotone fit.
    ///
    /// ```
    /// use floodgrid_model::hydro::RatingCurve;
    /// let obs: Vec<(f64, f64)> = [1.0f64, 1.5, 2.0, 3.0, 4.5, 6.0].iter().map(|&d| (300.0 * d.powf(2.5), 87.0 + d)).collect();
    /// let c = RatingCurve::fit_power(&obs, &[0.0, 1000.0, 4000.0, 10000.0, 22000.0]).unwrap();
    /// assert!((c.stage_m(4000.0) - (87.0 + (4000.0f64 / 300.0).powf(1.0 / 2.5))).abs() < 0.05);
    /// ```
    pub fn fit_power(observations: &[(f64, f64)], at_discharges: &[f64]) -> Option<RatingCurve> {
        let obs: Vec<(f64, f64)> = observations
            .iter()
            .copied()
            .filter(|(q, h)| q.is_finite() && h.is_finite() && *q > 0.0)
            .collect();
        if obs.len() < 3 {
            return None;
        }
        let h_min = obs.iter().map(|o| o.1).fold(f64::INFINITY, f64::min);
        let h_max = obs.iter().map(|o| o.1).fold(f64::NEG_INFINITY, f64::max);
        let span = (h_max - h_min).max(0.01);
        let mut best: Option<(f64, f64, f64, f64)> = None; // (sse, e, ln C, beta)
        for k in 1..=400 {
            let e = h_min - span * 2.0 * f64::from(k) / 400.0;
            let xs: Vec<f64> = obs.iter().map(|o| (o.1 - e).ln()).collect();
            let ys: Vec<f64> = obs.iter().map(|o| o.0.ln()).collect();
            let a =
                nalgebra::DMatrix::from_fn(obs.len(), 2, |r, c| if c == 0 { 1.0 } else { xs[r] });
            let b = nalgebra::DVector::from_vec(ys.clone());
            let Some(sol) = (a.transpose() * &a).lu().solve(&(a.transpose() * &b)) else {
                continue;
            };
            let (ln_c, beta) = (sol[0], sol[1]);
            if !(beta > 0.0 && beta.is_finite()) {
                continue;
            }
            let sse: f64 = xs
                .iter()
                .zip(&ys)
                .map(|(x, y)| (ln_c + beta * x - y).powi(2))
                .sum();
            if best.is_none_or(|b| sse < b.0) {
                best = Some((sse, e, ln_c, beta));
            }
        }
        let (_, e, ln_c, beta) = best?;
        let stage = |q: f64| {
            if q <= 0.0 {
                e
            } else {
                e + (q / ln_c.exp()).powf(1.0 / beta)
            }
        };
        let mut qs: Vec<f64> = at_discharges
            .iter()
            .copied()
            .filter(|q| q.is_finite() && *q >= 0.0)
            .collect();
        qs.sort_by(f64::total_cmp);
        qs.dedup();
        RatingCurve::new(qs.into_iter().map(|q| (q, stage(q))).collect()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_and_inverse_agree() {
        let c = RatingCurve::new(vec![
            (0.0, 88.0),
            (1000.0, 89.6),
            (4000.0, 91.5),
            (22000.0, 94.7),
        ])
        .unwrap();
        for q in [0.0, 500.0, 4000.0, 9000.0, 22000.0, 26000.0] {
            let h = c.stage_m(q);
            let back = c.discharge_for_stage(h).unwrap();
            assert!((back - q).abs() < 1e-6, "{q} -> {h} -> {back}");
        }
    }

    #[test]
    fn rejects_falling_stage_and_repeated_discharge() {
        assert_eq!(
            RatingCurve::new(vec![(0.0, 1.0), (0.0, 2.0)])
                .unwrap_err()
                .index,
            1
        );
        assert_eq!(
            RatingCurve::new(vec![(0.0, 1.0), (5.0, 2.0), (9.0, 1.5)])
                .unwrap_err()
                .index,
            2
        );
        assert!(RatingCurve::new(vec![(0.0, f64::NAN), (5.0, 2.0)]).is_err());
    }
}
