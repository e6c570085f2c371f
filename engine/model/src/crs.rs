//! Coordinate reference systems: lon/lat (RFC 7946 GeoJSON) to and from the scenario's projected
//! metre CRS (the DEM's). Owns the Transverse Mercator maths (Krüger series to n⁴, sub-millimetre
//! within a zone) so the engine needs no C PROJ.
//!
//! Supported projected CRSs are listed once, in [`FAMILIES`]: the CGCS2000, Xi'an 1980 and
//! Beijing 1954 Gauss–Krüger zones (6° and 3°, with and without the zone number prefixed to the
//! false easting) and WGS 84 / UTM north and south. The geographic CRSs of the same datums
//! ([`GEOGRAPHIC`]) are recognised only to be refused with a suggested projected code.
//!
//! Beijing 1954 and Xi'an 1980 are different datums from CGCS2000 (shifts of tens of metres
//! to ~100 m in China). This module projects on each CRS's own ellipsoid only: lon/lat *on that
//! datum* ↔ easting/northing. GeoJSON in CGCS2000 or WGS 84 lon/lat used with a Beijing 1954 or
//! Xi'an 1980 DEM is therefore off by that datum shift; reproject the DEM to CGCS2000 instead
//! (`gdalwarp -t_srs EPSG:4547` and so on) when the other files are in CGCS2000 / WGS 84.
//!
//! Coordinates are always (easting, northing), the GIS order GDAL writes rasters in, although
//! the EPSG definitions of the Gauss–Krüger CRSs name northing (X) first.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A projected coordinate reference system the engine can convert to and from lon/lat.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Crs {
    /// EPSG code, e.g. 4547.
    pub epsg: u32,
    /// Central meridian in degrees.
    pub lon0_deg: f64,
    /// Scale factor on the central meridian.
    pub k0: f64,
    /// False easting, metres (includes the zone number × 1,000,000 m for zone-prefixed CRSs).
    pub false_easting_m: f64,
    /// False northing, metres.
    pub false_northing_m: f64,
    /// Ellipsoid semi-major axis, metres.
    pub a_m: f64,
    /// Ellipsoid flattening.
    pub f: f64,
}

/// A reference ellipsoid: semi-major axis and inverse flattening as EPSG defines them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ellipsoid {
    /// EPSG name, e.g. "Krassowsky 1940".
    pub name: &'static str,
    /// Semi-major axis a, metres.
    pub a_m: f64,
    /// Inverse flattening 1/f.
    pub inv_f: f64,
}

/// CGCS2000 ellipsoid (EPSG:1024): a = 6378137 m, 1/f = 298.257222101 (GRS 1980's values).
pub const CGCS2000_ELLIPSOID: Ellipsoid = Ellipsoid {
    name: "CGCS2000",
    a_m: 6_378_137.0,
    inv_f: 298.257_222_101,
};
/// WGS 84 ellipsoid (EPSG:7030): a = 6378137 m, 1/f = 298.257223563.
pub const WGS84_ELLIPSOID: Ellipsoid = Ellipsoid {
    name: "WGS 84",
    a_m: 6_378_137.0,
    inv_f: 298.257_223_563,
};
/// IAG 1975 ellipsoid of Xi'an 1980 (EPSG:7049): a = 6378140 m, 1/f = 298.257.
pub const IAG1975_ELLIPSOID: Ellipsoid = Ellipsoid {
    name: "IAG 1975",
    a_m: 6_378_140.0,
    inv_f: 298.257,
};
/// Krassowsky 1940 ellipsoid of Beijing 1954 (EPSG:7024): a = 6378245 m, 1/f = 298.3.
pub const KRASSOWSKY_ELLIPSOID: Ellipsoid = Ellipsoid {
    name: "Krassowsky 1940",
    a_m: 6_378_245.0,
    inv_f: 298.3,
};

/// A run of consecutive EPSG codes, one per zone, that share datum, zone width and false-easting
/// convention. Zone `i` (0-based from `first_epsg`) has central meridian
/// `first_lon0_deg + i × zone_width_deg`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Family {
    /// Human-readable name used in messages, e.g. "CGCS2000 3° Gauss-Kruger, zone prefix".
    pub name: &'static str,
    /// First EPSG code of the run.
    pub first_epsg: u32,
    /// Last EPSG code of the run (inclusive).
    pub last_epsg: u32,
    /// EPSG code of the geographic (lon/lat) CRS of the same datum.
    pub geographic_epsg: u32,
    /// The datum's ellipsoid.
    pub ellipsoid: Ellipsoid,
    /// Central meridian of `first_epsg`, degrees.
    pub first_lon0_deg: f64,
    /// Zone width, degrees (3 or 6); consecutive codes step the central meridian by this.
    pub zone_width_deg: f64,
    /// Scale factor on the central meridian.
    pub k0: f64,
    /// `Some(z)`: the false easting carries the zone number (zone of `first_epsg` is `z`):
    /// zone × 1,000,000 + 500,000 m. `None`: the false easting is 500,000 m.
    pub first_zone_prefix: Option<u32>,
    /// False northing, metres (10,000,000 for UTM south).
    pub false_northing_m: f64,
    /// Whether EPSG marks the codes deprecated (still accepted, as GDAL still writes them).
    pub deprecated: bool,
}

const fn gk(
    name: &'static str,
    first_epsg: u32,
    last_epsg: u32,
    geographic_epsg: u32,
    ellipsoid: Ellipsoid,
    zone_width_deg: f64,
    first_zone_prefix: Option<u32>,
) -> Family {
    Family {
        name,
        first_epsg,
        last_epsg,
        geographic_epsg,
        ellipsoid,
        first_lon0_deg: 75.0,
        zone_width_deg,
        k0: 1.0,
        first_zone_prefix,
        false_northing_m: 0.0,
        deprecated: false,
    }
}

/// Every supported projected CRS family: the one table `Crs::from_epsg`, the messages and the
/// docs derive from.
///
/// Source of every range and parameter: the EPSG dataset as shipped in PROJ 9.5.1's `proj.db`
/// (read with pyproj 3.7.2, `CRS.from_epsg(code).to_dict()` and `.ellipsoid` for each code, and
/// `pyproj.database.query_crs_info(auth_name="EPSG")` for the names), cross-checked against the
/// epsg.io pages of the first and last code of each run. All Chinese Gauss–Krüger zones are
/// Transverse Mercator with k0 = 1, latitude of origin 0, false northing 0; the 6° zones are
/// numbered 13–23 (central meridians 75°E–135°E) and the 3° zones 25–45 (75°E–135°E).
pub const FAMILIES: &[Family] = &[
    // EPSG:4491–4501 "CGCS2000 / Gauss-Kruger zone 13" … "zone 23": FE = zone × 1e6 + 500 000.
    gk(
        "CGCS2000 6° Gauss-Kruger, zone prefix",
        4491,
        4501,
        4490,
        CGCS2000_ELLIPSOID,
        6.0,
        Some(13),
    ),
    // EPSG:4502–4512 "CGCS2000 / Gauss-Kruger CM 75E" … "CM 135E": FE = 500 000.
    gk(
        "CGCS2000 6° Gauss-Kruger",
        4502,
        4512,
        4490,
        CGCS2000_ELLIPSOID,
        6.0,
        None,
    ),
    // EPSG:4513–4533 "CGCS2000 / 3-degree Gauss-Kruger zone 25" … "zone 45".
    gk(
        "CGCS2000 3° Gauss-Kruger, zone prefix",
        4513,
        4533,
        4490,
        CGCS2000_ELLIPSOID,
        3.0,
        Some(25),
    ),
    // EPSG:4534–4554 "CGCS2000 / 3-degree Gauss-Kruger CM 75E" … "CM 135E".
    gk(
        "CGCS2000 3° Gauss-Kruger",
        4534,
        4554,
        4490,
        CGCS2000_ELLIPSOID,
        3.0,
        None,
    ),
    // EPSG:2327–2337 "Xian 1980 / Gauss-Kruger zone 13" … "zone 23".
    gk(
        "Xian 1980 6° Gauss-Kruger, zone prefix",
        2327,
        2337,
        4610,
        IAG1975_ELLIPSOID,
        6.0,
        Some(13),
    ),
    // EPSG:2338–2348 "Xian 1980 / Gauss-Kruger CM 75E" … "CM 135E".
    gk(
        "Xian 1980 6° Gauss-Kruger",
        2338,
        2348,
        4610,
        IAG1975_ELLIPSOID,
        6.0,
        None,
    ),
    // EPSG:2349–2369 "Xian 1980 / 3-degree Gauss-Kruger zone 25" … "zone 45".
    gk(
        "Xian 1980 3° Gauss-Kruger, zone prefix",
        2349,
        2369,
        4610,
        IAG1975_ELLIPSOID,
        3.0,
        Some(25),
    ),
    // EPSG:2370–2390 "Xian 1980 / 3-degree Gauss-Kruger CM 75E" … "CM 135E".
    gk(
        "Xian 1980 3° Gauss-Kruger",
        2370,
        2390,
        4610,
        IAG1975_ELLIPSOID,
        3.0,
        None,
    ),
    // EPSG:21413–21423 "Beijing 1954 / Gauss-Kruger zone 13" … "zone 23".
    gk(
        "Beijing 1954 6° Gauss-Kruger, zone prefix",
        21413,
        21423,
        4214,
        KRASSOWSKY_ELLIPSOID,
        6.0,
        Some(13),
    ),
    // EPSG:21453–21463 "Beijing 1954 / Gauss-Kruger CM 75E" … "CM 135E".
    gk(
        "Beijing 1954 6° Gauss-Kruger",
        21453,
        21463,
        4214,
        KRASSOWSKY_ELLIPSOID,
        6.0,
        None,
    ),
    // EPSG:21473–21483 "Beijing 1954 / Gauss-Kruger 13N" … "23N": deprecated duplicates of
    // 21453–21463 (same parameters, FE 500 000), still found in older files.
    Family {
        deprecated: true,
        ..gk(
            "Beijing 1954 6° Gauss-Kruger (deprecated codes)",
            21473,
            21483,
            4214,
            KRASSOWSKY_ELLIPSOID,
            6.0,
            None,
        )
    },
    // EPSG:2401–2421 "Beijing 1954 / 3-degree Gauss-Kruger zone 25" … "zone 45".
    gk(
        "Beijing 1954 3° Gauss-Kruger, zone prefix",
        2401,
        2421,
        4214,
        KRASSOWSKY_ELLIPSOID,
        3.0,
        Some(25),
    ),
    // EPSG:2422–2442 "Beijing 1954 / 3-degree Gauss-Kruger CM 75E" … "CM 135E".
    gk(
        "Beijing 1954 3° Gauss-Kruger",
        2422,
        2442,
        4214,
        KRASSOWSKY_ELLIPSOID,
        3.0,
        None,
    ),
    // EPSG:32601–32660 "WGS 84 / UTM zone 1N" … "60N": central meridian −177° + 6°(zone − 1),
    // k0 = 0.9996, FE 500 000, FN 0.
    Family {
        name: "WGS 84 / UTM north",
        first_epsg: 32601,
        last_epsg: 32660,
        geographic_epsg: 4326,
        ellipsoid: WGS84_ELLIPSOID,
        first_lon0_deg: -177.0,
        zone_width_deg: 6.0,
        k0: 0.9996,
        first_zone_prefix: None,
        false_northing_m: 0.0,
        deprecated: false,
    },
    // EPSG:32701–32760 "WGS 84 / UTM zone 1S" … "60S": as north with FN 10 000 000.
    Family {
        name: "WGS 84 / UTM south",
        first_epsg: 32701,
        last_epsg: 32760,
        geographic_epsg: 4326,
        ellipsoid: WGS84_ELLIPSOID,
        first_lon0_deg: -177.0,
        zone_width_deg: 6.0,
        k0: 0.9996,
        first_zone_prefix: None,
        false_northing_m: 10_000_000.0,
        deprecated: false,
    },
];

/// Geographic (lon/lat degree) CRSs of the supported datums: EPSG code and datum name. A DEM in
/// one of them is refused with a suggested projected code (see [`suggest_projected`]).
pub const GEOGRAPHIC: &[(u32, &str)] = &[
    (4490, "CGCS2000"),
    (4326, "WGS 84"),
    (4214, "Beijing 1954"),
    (4610, "Xian 1980"),
];

impl Family {
    /// The CRS of one code of this family, or `None` when `epsg` is outside the run.
    pub fn crs(&self, epsg: u32) -> Option<Crs> {
        if !(self.first_epsg..=self.last_epsg).contains(&epsg) {
            return None;
        }
        let i = epsg - self.first_epsg;
        let false_easting_m = match self.first_zone_prefix {
            Some(z) => f64::from(z + i) * 1_000_000.0 + 500_000.0,
            None => 500_000.0,
        };
        Some(Crs {
            epsg,
            lon0_deg: self.first_lon0_deg + self.zone_width_deg * f64::from(i),
            k0: self.k0,
            false_easting_m,
            false_northing_m: self.false_northing_m,
            a_m: self.ellipsoid.a_m,
            f: 1.0 / self.ellipsoid.inv_f,
        })
    }

    /// The code of this family whose zone contains `lon_deg`, or `None` when no zone does.
    pub fn code_for_lon(&self, lon_deg: f64) -> Option<u32> {
        if !lon_deg.is_finite() {
            return None;
        }
        let i = ((lon_deg - self.first_lon0_deg) / self.zone_width_deg).round();
        let n = f64::from(self.last_epsg - self.first_epsg);
        (0.0..=n).contains(&i).then(|| self.first_epsg + i as u32)
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} EPSG:{}-{}",
            self.name, self.first_epsg, self.last_epsg
        )
    }
}

/// One line per family, "CGCS2000 3° Gauss-Kruger EPSG:4534-4554; …", for error messages.
pub fn supported_summary() -> String {
    FAMILIES
        .iter()
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why a CRS text cannot be used.
#[derive(Debug, Clone, PartialEq)]
pub enum CrsError {
    /// Not of the form `EPSG:<number>`.
    NotEpsg,
    /// A geographic (degree) CRS of a known datum: the DEM must be reprojected.
    Geographic {
        /// The geographic code, e.g. 4490.
        epsg: u32,
        /// Its datum, e.g. "CGCS2000".
        datum: &'static str,
    },
    /// A well-formed EPSG code that is not in [`FAMILIES`].
    Unsupported(u32),
}

impl CrsError {
    /// The message for a scenario whose `crs` is `text`: what is wrong and what to write instead.
    /// `near_lonlat` (e.g. the first river station) picks the projected code a geographic DEM
    /// should be reprojected to; without it the message names the family to choose from.
    ///
    /// ```
    /// use floodgrid_model::crs::Crs;
    /// let e = Crs::lookup("EPSG:4490").unwrap_err();
    /// let m = e.explain("EPSG:4490", Some((113.66, 34.91)));
    /// assert!(m.contains("gdalwarp -t_srs EPSG:4547"), "{m}");
    /// ```
    pub fn explain(&self, text: &str, near_lonlat: Option<(f64, f64)>) -> String {
        match self {
            CrsError::Geographic { epsg, datum } => {
                let target = near_lonlat
                    .and_then(|(lon, lat)| suggest_projected(*epsg, lon, lat))
                    .map(|c| format!("EPSG:{c}"))
                    .unwrap_or_else(|| {
                        "EPSG:<a projected zone of the area, e.g. 4547 for CGCS2000 3° CM 114E>"
                            .to_string()
                    });
                format!(
                    "`{}` is the {datum} geographic CRS (degrees); expected the projected metre CRS of the DEM: reproject it with `gdalwarp -t_srs {target} -r bilinear IN.tif OUT.tif` and write crs = \"{target}\"",
                    text.trim()
                )
            }
            CrsError::NotEpsg | CrsError::Unsupported(_) => format!(
                "unsupported CRS `{}`; expected \"EPSG:<code>\" of a projected metre CRS: {}",
                text.trim(),
                supported_summary()
            ),
        }
    }
}

/// A projected code for data in geographic CRS `geographic_epsg` around (`lon_deg`, `lat_deg`):
/// the 3° Gauss–Krüger zone without prefix of the same datum when one covers the longitude
/// (75°E–135°E), else the WGS 84 UTM zone (north or south by latitude). `None` for an unknown
/// geographic code or a non-finite position.
///
/// ```
/// use floodgrid_model::crs::suggest_projected;
/// assert_eq!(suggest_projected(4490, 113.66, 34.91), Some(4547));
/// assert_eq!(suggest_projected(4326, 113.66, 34.91), Some(32649));
/// assert_eq!(suggest_projected(4326, 151.2, -33.9), Some(32756));
/// ```
pub fn suggest_projected(geographic_epsg: u32, lon_deg: f64, lat_deg: f64) -> Option<u32> {
    if !lon_deg.is_finite() || !lat_deg.is_finite() {
        return None;
    }
    GEOGRAPHIC.iter().find(|g| g.0 == geographic_epsg)?;
    let same_datum_3deg = FAMILIES.iter().find(|f| {
        f.geographic_epsg == geographic_epsg
            && f.zone_width_deg == 3.0
            && f.first_zone_prefix.is_none()
            && !f.deprecated
    });
    if let Some(code) = same_datum_3deg.and_then(|f| f.code_for_lon(lon_deg)) {
        return Some(code);
    }
    // UTM zone z spans [-180 + 6(z-1), -180 + 6z) degrees; 180°E belongs to zone 60.
    let zone = (((lon_deg + 180.0) / 6.0).floor() as i64 + 1).clamp(1, 60) as u32;
    let first = if lat_deg < 0.0 { 32701 } else { 32601 };
    let utm = FAMILIES.iter().find(|f| f.first_epsg == first)?;
    Some(utm.first_epsg + zone - 1)
}

impl Crs {
    /// The CRS for an EPSG code, or `None` when the engine does not support it (see [`FAMILIES`]).
    ///
    /// ```
    /// let crs = floodgrid_model::crs::Crs::from_epsg(4547).unwrap();
    /// assert_eq!(crs.lon0_deg, 114.0);
    /// let prefixed = floodgrid_model::crs::Crs::from_epsg(4526).unwrap();
    /// assert_eq!(prefixed.false_easting_m, 38_500_000.0);
    /// ```
    pub fn from_epsg(epsg: u32) -> Option<Crs> {
        FAMILIES.iter().find_map(|f| f.crs(epsg))
    }

    /// The family this CRS's code belongs to.
    pub fn family(&self) -> Option<&'static Family> {
        FAMILIES
            .iter()
            .find(|f| (f.first_epsg..=f.last_epsg).contains(&self.epsg))
    }

    /// Parses `"EPSG:4547"` (case-insensitive prefix) and returns the CRS if supported.
    pub fn parse(text: &str) -> Option<Crs> {
        Crs::lookup(text).ok()
    }

    /// Parses `"EPSG:<code>"` (case-insensitive prefix) and says why it cannot be used if so.
    ///
    /// ```
    /// use floodgrid_model::crs::{Crs, CrsError};
    /// assert_eq!(Crs::lookup("EPSG:4490"), Err(CrsError::Geographic { epsg: 4490, datum: "CGCS2000" }));
    /// assert_eq!(Crs::lookup("EPSG:3857"), Err(CrsError::Unsupported(3857)));
    /// assert_eq!(Crs::lookup("4547"), Err(CrsError::NotEpsg));
    /// ```
    pub fn lookup(text: &str) -> Result<Crs, CrsError> {
        let t = text.trim();
        let code: u32 = t
            .get(..5)
            .filter(|p| p.eq_ignore_ascii_case("epsg:"))
            .and_then(|_| t.get(5..))
            .and_then(|c| c.trim().parse().ok())
            .ok_or(CrsError::NotEpsg)?;
        if let Some(&(epsg, datum)) = GEOGRAPHIC.iter().find(|g| g.0 == code) {
            return Err(CrsError::Geographic { epsg, datum });
        }
        Crs::from_epsg(code).ok_or(CrsError::Unsupported(code))
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
    fn summary_lists_every_family_once() {
        let text = supported_summary();
        for f in FAMILIES {
            let range = format!("EPSG:{}-{}", f.first_epsg, f.last_epsg);
            assert_eq!(text.matches(&range).count(), 1, "{range} in {text}");
        }
    }

    #[test]
    fn families_do_not_overlap() {
        for (i, a) in FAMILIES.iter().enumerate() {
            assert!(a.first_epsg <= a.last_epsg, "{a}");
            for b in &FAMILIES[i + 1..] {
                assert!(
                    a.last_epsg < b.first_epsg || b.last_epsg < a.first_epsg,
                    "{a} / {b}"
                );
            }
            assert!(GEOGRAPHIC.iter().any(|g| g.0 == a.geographic_epsg), "{a}");
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
