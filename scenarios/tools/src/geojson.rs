//! A small, byte-stable GeoJSON writer (RFC 7946): properties in the order given, coordinates
//! projected back to lon/lat and written with exactly 7 decimals, one feature per line.

use floodgrid_engine::crs::Crs;

/// A JSON value for feature properties.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A number written with a fixed number of decimals.
    Fixed(f64, usize),
    /// An object with keys in order.
    Obj(Vec<(String, Json)>),
}

impl Json {
    /// A string value.
    pub fn s(v: impl Into<String>) -> Json {
        Json::Str(v.into())
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Str(s) => escape(s, out),
            Json::Int(v) => out.push_str(&v.to_string()),
            Json::Fixed(v, d) => out.push_str(&format!("{v:.d$}")),
            Json::Obj(items) => {
                out.push('{');
                for (k, (key, v)) in items.iter().enumerate() {
                    if k > 0 {
                        out.push(',');
                    }
                    escape(key, out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

fn escape(s: &str, out: &mut String) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A geometry in projected metres.
#[derive(Debug, Clone, PartialEq)]
pub enum Geometry {
    /// A point.
    Point(f64, f64),
    /// A line, in order.
    LineString(Vec<(f64, f64)>),
    /// One closed, counter-clockwise exterior ring.
    Polygon(Vec<(f64, f64)>),
}

/// A feature: properties in order and a geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// Properties.
    pub props: Vec<(String, Json)>,
    /// Geometry.
    pub geometry: Geometry,
}

impl Feature {
    /// A feature with `id`, `name` and `kind` first.
    pub fn new(id: &str, name: &str, kind: &str, geometry: Geometry) -> Feature {
        Feature {
            props: vec![
                ("id".into(), Json::s(id)),
                ("name".into(), Json::s(name)),
                ("kind".into(), Json::s(kind)),
            ],
            geometry,
        }
    }

    /// Adds a property.
    pub fn with(mut self, key: &str, v: Json) -> Feature {
        self.props.push((key.into(), v));
        self
    }

    /// The value of a property.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.props.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

fn coord(crs: &Crs, (x, y): (f64, f64), out: &mut String) {
    let (lon, lat) = crs.inverse(x, y);
    out.push_str(&format!("[{lon:.7},{lat:.7}]"));
}

fn coords(crs: &Crs, pts: &[(f64, f64)], out: &mut String) {
    out.push('[');
    for (k, &p) in pts.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        coord(crs, p, out);
    }
    out.push(']');
}

/// The FeatureCollection text.
pub fn collection(crs: &Crs, features: &[Feature]) -> String {
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (k, f) in features.iter().enumerate() {
        out.push_str("{\"type\":\"Feature\",\"properties\":");
        Json::Obj(f.props.clone()).write(&mut out);
        out.push_str(",\"geometry\":{\"type\":");
        match &f.geometry {
            Geometry::Point(x, y) => {
                out.push_str("\"Point\",\"coordinates\":");
                coord(crs, (*x, *y), &mut out);
            }
            Geometry::LineString(pts) => {
                out.push_str("\"LineString\",\"coordinates\":");
                coords(crs, pts, &mut out);
            }
            Geometry::Polygon(ring) => {
                out.push_str("\"Polygon\",\"coordinates\":[");
                coords(crs, ring, &mut out);
                out.push(']');
            }
        }
        out.push_str("}}");
        out.push_str(if k + 1 < features.len() { ",\n" } else { "\n" });
    }
    out.push_str("]}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_orders() {
        let mut s = String::new();
        Json::Obj(vec![
            ("a\"".into(), Json::Int(1)),
            ("b".into(), Json::Fixed(1.0, 2)),
        ])
        .write(&mut s);
        assert_eq!(s, r#"{"a\"":1,"b":1.00}"#);
    }
}
