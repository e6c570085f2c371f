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
