//! Muskingum routing of an upstream hydrograph to the reference gauge, with K and X fitted by
//! least squares from paired historical series (nalgebra). Gives the forecast when only the
//! upstream station (a reservoir release, an upstream gauge) is known ahead.

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

/// Muskingum parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Muskingum {
    /// Storage constant K, hours (travel time of the reach).
    pub k_hours: f64,
    /// Weighting factor X, 0..0.5.
    pub x: f64,
}

/// Why routing parameters could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// Too few paired readings.
    #[error("found {0} paired readings, expected at least 4")]
    TooShort(usize),
    /// The series do not look like a routed flood (K or X out of range).
    #[error("the fit gives K = {k_hours:.2} h, X = {x:.3}; expected K > 0 and 0 ≤ X ≤ 0.5")]
    OutOfRange {
        /// Fitted K.
        k_hours: f64,
        /// Fitted X.
        x: f64,
    },
    /// The least-squares system is singular.
    #[error("the series are degenerate (constant flow); nothing to fit")]
    Singular,
}

impl Muskingum {
    /// Routing coefficients (C0, C1, C2) for a time step in hours.
    pub fn coefficients(&self, dt_hours: f64) -> (f64, f64, f64) {
        let k = self.k_hours;
        let x = self.x;
        let den = 2.0 * k * (1.0 - x) + dt_hours;
        (
            (dt_hours - 2.0 * k * x) / den,
            (dt_hours + 2.0 * k * x) / den,
            (2.0 * k * (1.0 - x) - dt_hours) / den,
        )
    }

    /// Routes an inflow series at a fixed step; the outflow starts equal to the inflow.
    ///
    /// ```
    /// use floodgrid_model::hydro::Muskingum;
    /// let m = Muskingum { k_hours: 6.0, x: 0.2 };
    /// let inflow = [1000.0, 3000.0, 6000.0, 4000.0, 2000.0, 1000.0, 1000.0, 1000.0];
    /// let out = m.route(&inflow, 6.0);
    /// let peak_in = inflow.iter().cloned().fold(0.0, f64::max);
    /// let peak_out = out.iter().cloned().fold(0.0, f64::max);
    /// assert!(peak_out < peak_in); // attenuated
    /// ```
    pub fn route(&self, inflow: &[f64], dt_hours: f64) -> Vec<f64> {
        let (c0, c1, c2) = self.coefficients(dt_hours);
        let mut out = Vec::with_capacity(inflow.len());
        for (i, &q) in inflow.iter().enumerate() {
            if i == 0 {
                out.push(q);
            } else {
                let o = c0 * q + c1 * inflow[i - 1] + c2 * out[i - 1];
                out.push(o.max(0.0));
            }
        }
        out
    }

    /// Fits K and X from paired inflow/outflow series at a fixed step by least squares on
    /// O₂ = C0·I₂ + C1·I₁ + C2·O₁, then recovers K and X from the coefficients.
    pub fn fit(inflow: &[f64], outflow: &[f64], dt_hours: f64) -> Result<Muskingum, FitError> {
        let n = inflow.len().min(outflow.len());
        if n < 4 {
            return Err(FitError::TooShort(n));
        }
        let rows = n - 1;
        let a = DMatrix::from_fn(rows, 3, |r, c| match c {
            0 => inflow[r + 1],
            1 => inflow[r],
            _ => outflow[r],
        });
        let b = DVector::from_fn(rows, |r, _| outflow[r + 1]);
        let ata = a.transpose() * &a;
        let atb = a.transpose() * b;
        let sol = ata.lu().solve(&atb).ok_or(FitError::Singular)?;
        let (c0, c1, c2) = (sol[0], sol[1], sol[2]);
        // From the definitions: C1 - C0 = 4KX/den, 1 - C2 = 2dt/den, C0 + C1 = 2(dt)/den ...
        // den = 2dt / (1 - C2); K = (dt + den·... ) solved directly:
        if !(1.0 - c2).is_finite() || (1.0 - c2).abs() < 1e-12 {
            return Err(FitError::Singular);
        }
        let den = 2.0 * dt_hours / (1.0 - c2);
        let kx = (c1 - c0) * den / 4.0;
        let k = (den - dt_hours + 2.0 * kx) / 2.0;
        let x = if k > 0.0 { kx / k } else { f64::NAN };
        if !(k.is_finite() && k > 0.0 && (-0.05..=0.55).contains(&x)) {
            return Err(FitError::OutOfRange { k_hours: k, x });
        }
        Ok(Muskingum {
            k_hours: k,
            x: x.clamp(0.0, 0.5),
        })
    }
}

impl Muskingum {
    /// The forecast at the reference gauge from an upstream hydrograph ((minute, m³/s), time
    /// increasing, reaching into the future): the upstream series is resampled at `dt_min`, routed,
    /// and the routed peak after `now_min` reported.
    pub fn forecast(
        &self,
        upstream: &[(f64, f64)],
        now_min: f64,
        dt_min: f64,
    ) -> Option<super::Forecast> {
        let (&(t0, _), &(t1, _)) = (upstream.first()?, upstream.last()?);
        if dt_min.is_nan() || dt_min <= 0.0 || t1 <= t0 {
            return None;
        }
        let n = ((t1 - t0) / dt_min).floor() as usize + 1;
        let inflow: Vec<f64> = (0..n)
            .map(|i| super::interpolate(upstream, t0 + i as f64 * dt_min))
            .collect();
        let routed = self.route(&inflow, dt_min / 60.0);
        let mut best: Option<(f64, f64)> = None;
        for (i, &q) in routed.iter().enumerate() {
            let t = t0 + i as f64 * dt_min;
            if t >= now_min && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, t));
            }
        }
        best.map(|(q, t)| super::Forecast {
            peak_m3s: q,
            hours_to_peak: (t - now_min).max(0.0) / 60.0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_recovers_known_parameters() {
        let truth = Muskingum {
            k_hours: 10.0,
            x: 0.25,
        };
        let inflow: Vec<f64> = (0..60)
            .map(|i| 2000.0 + 9000.0 * (-(((i as f64) - 15.0) / 6.0).powi(2)).exp())
            .collect();
        let outflow = truth.route(&inflow, 3.0);
        let fit = Muskingum::fit(&inflow, &outflow, 3.0).unwrap();
        assert!((fit.k_hours - 10.0).abs() < 0.05, "{fit:?}");
        assert!((fit.x - 0.25).abs() < 0.01, "{fit:?}");
    }

    #[test]
    fn forecast_delays_and_attenuates_the_upstream_peak() {
        let m = Muskingum {
            k_hours: 8.0,
            x: 0.2,
        };
        let upstream: Vec<(f64, f64)> = (0..=96)
            .map(|i| {
                let t = i as f64 * 60.0;
                (
                    t,
                    3000.0 + 12_000.0 * (-((t / 60.0 - 24.0) / 8.0).powi(2)).exp(),
                )
            })
            .collect();
        let f = m.forecast(&upstream, 0.0, 30.0).unwrap();
        assert!(f.peak_m3s < 15_000.0 && f.peak_m3s > 10_000.0, "{f:?}");
        assert!(f.hours_to_peak > 24.0 && f.hours_to_peak < 34.0, "{f:?}");
        assert!(m.forecast(&[], 0.0, 30.0).is_none());
    }

    #[test]
    fn degenerate_series_are_errors() {
        assert!(matches!(
            Muskingum::fit(&[1.0, 2.0], &[1.0, 2.0], 1.0),
            Err(FitError::TooShort(2))
        ));
        assert!(Muskingum::fit(&[5.0; 10], &[5.0; 10], 1.0).is_err());
    }
}
