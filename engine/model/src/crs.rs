//! Coordinate reference systems: lon/lat (RFC 7946 GeoJSON) to and from the scenario's projected
//! metre CRS (the DEM's). Owns the Transverse Mercator maths (Krüger series, sub-millimetre within a
//! zone) so the engine needs no C PROJ. Supports the CRSs a Chinese river town uses:
//! CGCS2000 3-degree Gauss–Krüger zones (EPSG:4534–4554) and WGS 84 / UTM north (EPSG:32601–32660).

use serde::{Deserialize, Serialize};

/// A projected coordinate reference system the engine can convert to and from lon/lat.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Crs {
    /// EPSG code, e.g. 4547.
    pub epsg: u32,
    /// Central meridian in degrees.
    pub lon0_deg: f64,
    /// Scale factor on the central meridian.
    pub k0: f64,
    /// False easting, metres.
    pub false_easting_m: f64,
    /// False northing, metres.
    pub false_northing_m: f64,
    /// Ellipsoid semi-major axis, metres.
    pub a_m: f64,
    /// Ellipsoid flattening.
    pub f: f64,
}

const GRS80_F: f64 = 1.0 / 298.257_222_101;
const WGS84_F: f64 = 1.0 / 298.257_223_563;

impl Crs {
    /// The CRS for an EPSG code, or `None` when the engine does not support it.
    ///
    /// ```
    /// let crs = floodgrid_model::crs::Crs::from_epsg(4547).unwrap();
    /// assert_eq!(crs.lon0_deg, 114.0);
    /// ```
    pub fn from_epsg(epsg: u32) -> Option<Crs> {
        match epsg {
            4534..=4554 => Some(Crs {
                epsg,
                lon0_deg: 75.0 + 3.0 * f64::from(epsg - 4534),
                k0: 1.0,
                false_easting_m: 500_000.0,
                false_northing_m: 0.0,
                a_m: 6_378_137.0,
                f: GRS80_F,
            }),
            32601..=32660 => Some(Crs {
                epsg,
                lon0_deg: -183.0 + 6.0 * f64::from(epsg - 32600),
                k0: 0.9996,
                false_easting_m: 500_000.0,
                false_northing_m: 0.0,
                a_m: 6_378_137.0,
                f: WGS84_F,
            }),
            _ => None,
        }
    }

    /// Parses `"EPSG:4547"` (case-insensitive prefix) and returns the CRS if supported.
    pub fn parse(text: &str) -> Option<Crs> {
        let t = text.trim();
        let code = t
            .get(..5)
            .filter(|p| p.eq_ignore_ascii_case("epsg:"))
            .and_then(|_| t.get(5..))?;
        Crs::from_epsg(code.trim().parse().ok()?)
    }

    /// Whether a lon/lat lies where this projection is meaningful (within about 6° of the
    /// central meridian, latitudes inside ±84°).
    pub fn covers_lonlat(&self, lon: f64, lat: f64) -> bool {
        lon.is_finite()
            && lat.is_finite()
            && (lon - self.lon0_deg).abs() <= 6.0
            && lat.abs() <= 84.0
    }

    fn series(&self) -> Series {
        let n = self.f / (2.0 - self.f);
        let (n2, n3, n4) = (n * n, n * n * n, n * n * n * n);
        Series {
            big_a: self.a_m / (1.0 + n) * (1.0 + n2 / 4.0 + n4 / 64.0),
            e: (self.f * (2.0 - self.f)).sqrt(),
            alpha: [
                n / 2.0 - 2.0 * n2 / 3.0 + 5.0 * n3 / 16.0 + 41.0 * n4 / 180.0,
                13.0 * n2 / 48.0 - 3.0 * n3 / 5.0 + 557.0 * n4 / 1440.0,
                61.0 * n3 / 240.0 - 103.0 * n4 / 140.0,
                49561.0 * n4 / 161_280.0,
            ],
            beta: [
                n / 2.0 - 2.0 * n2 / 3.0 + 37.0 * n3 / 96.0 - n4 / 360.0,
                n2 / 48.0 + n3 / 15.0 - 437.0 * n4 / 1440.0,
                17.0 * n3 / 480.0 - 37.0 * n4 / 840.0,
                4397.0 * n4 / 161_280.0,
            ],
            delta: [
                2.0 * n - 2.0 * n2 / 3.0 - 2.0 * n3 + 116.0 * n4 / 45.0,
                7.0 * n2 / 3.0 - 8.0 * n3 / 5.0 - 227.0 * n4 / 45.0,
                56.0 * n3 / 15.0 - 136.0 * n4 / 35.0,
                4279.0 * n4 / 630.0,
            ],
        }
    }

    /// Projects lon/lat degrees to (easting, northing) metres.
    ///
    /// ```
    /// use floodgrid_model::crs::Crs;
    /// let crs = Crs::from_epsg(4547).unwrap();
    /// let (x, y) = crs.forward(113.66, 34.91);
    /// let (lon, lat) = crs.inverse(x, y);
    /// assert!((lon - 113.66).abs() < 1e-9 && (lat - 34.91).abs() < 1e-9);
    /// ```
    pub fn forward(&self, lon_deg: f64, lat_deg: f64) -> (f64, f64) {
        let s = self.series();
        let phi = lat_deg.to_radians();
        let lam = (lon_deg - self.lon0_deg).to_radians();
        let sin_phi = phi.sin();
        let t = (sin_phi.atanh() - s.e * (s.e * sin_phi).atanh()).sinh();
        let xi_p = t.atan2(lam.cos());
        let eta_p = (lam.sin() / (1.0 + t * t).sqrt()).atanh();
        let mut xi = xi_p;
        let mut eta = eta_p;
        for (j, a) in s.alpha.iter().enumerate() {
            let k = 2.0 * (j as f64 + 1.0);
            xi += a * (k * xi_p).sin() * (k * eta_p).cosh();
            eta += a * (k * xi_p).cos() * (k * eta_p).sinh();
        }
        (
            self.false_easting_m + self.k0 * s.big_a * eta,
            self.false_northing_m + self.k0 * s.big_a * xi,
        )
    }

    /// Inverse of [`Crs::forward`]: (easting, northing) metres to lon/lat degrees.
    pub fn inverse(&self, x_m: f64, y_m: f64) -> (f64, f64) {
        let s = self.series();
        let xi = (y_m - self.false_northing_m) / (self.k0 * s.big_a);
        let eta = (x_m - self.false_easting_m) / (self.k0 * s.big_a);
        let mut xi_p = xi;
        let mut eta_p = eta;
        for (j, b) in s.beta.iter().enumerate() {
            let k = 2.0 * (j as f64 + 1.0);
            xi_p -= b * (k * xi).sin() * (k * eta).cosh();
            eta_p -= b * (k * xi).cos() * (k * eta).sinh();
        }
        let chi = (xi_p.sin() / eta_p.cosh()).asin();
        let mut phi = chi;
        for (j, d) in s.delta.iter().enumerate() {
            phi += d * (2.0 * (j as f64 + 1.0) * chi).sin();
        }
        let lam = eta_p.sinh().atan2(xi_p.cos());
        (self.lon0_deg + lam.to_degrees(), phi.to_degrees())
    }
}

struct Series {
    big_a: f64,
    e: f64,
    alpha: [f64; 4],
    beta: [f64; 4],
    delta: [f64; 4],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn central_meridian_maps_to_false_easting() {
        let crs = Crs::from_epsg(4547).unwrap();
        let (x, _) = crs.forward(114.0, 34.9);
        assert!((x - 500_000.0).abs() < 1e-6);
    }

    #[test]
    fn matches_proj_reference_points() {
        // Zone 49N: lon0 = 111°. One degree east at 35°N is about 91.3 km east of the meridian.
        let crs = Crs::from_epsg(32649).unwrap();
        let (x, y) = crs.forward(112.0, 35.0);
        // Reference values from PROJ (pyproj 3) for the same points.
        assert!((x - 591_253.252_8).abs() < 1e-3, "x = {x}");
        assert!((y - 3_873_499.850_8).abs() < 1e-3, "y = {y}");
        let gk = Crs::from_epsg(4547).unwrap();
        let (x, y) = gk.forward(113.66, 34.91);
        assert!((x - 468_928.012_8).abs() < 1e-3, "x = {x}");
        assert!((y - 3_864_661.085_1).abs() < 1e-3, "y = {y}");
    }

    #[test]
    fn round_trip_across_zone() {
        let crs = Crs::from_epsg(4547).unwrap();
        for (lon, lat) in [(113.5, 34.8), (114.9, 35.2), (112.6, 20.0)] {
            let (x, y) = crs.forward(lon, lat);
            let (lo, la) = crs.inverse(x, y);
            assert!((lo - lon).abs() < 1e-9 && (la - lat).abs() < 1e-9);
        }
    }

    #[test]
    fn parse_rejects_unknown() {
        assert!(Crs::parse("EPSG:4547").is_some());
        assert!(Crs::parse("epsg:32650").is_some());
        assert!(Crs::parse("EPSG:4326").is_none());
        assert!(Crs::parse("4547").is_none());
        assert!(Crs::parse("EPSG:").is_none());
    }
}
