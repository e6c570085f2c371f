//! A JSON reader that keeps the byte span of every value and key, so a GeoJSON problem can be
//! reported at its line and column (serde_json's values forget where they came from).
//! Bounded nesting depth; never panics on any input.

use std::ops::Range;

/// A JSON value with its byte span in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct JValue {
    /// Byte range of the value.
    pub span: Range<usize>,
    /// The value.
    pub kind: JKind,
}

/// The kinds of JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum JKind {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number.
    Num(f64),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<JValue>),
    /// An object: keys (with their spans) and values, in file order.
    Obj(Vec<(String, Range<usize>, JValue)>),
}

impl JValue {
    /// A member of an object by key (the first, if repeated).
    pub fn get(&self, key: &str) -> Option<&JValue> {
        match &self.kind {
            JKind::Obj(m) => m.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            JKind::Str(s) => Some(s),
            _ => None,
        }
    }
    /// The number, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self.kind {
            JKind::Num(n) => Some(n),
            _ => None,
        }
    }
    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[JValue]> {
        match &self.kind {
            JKind::Arr(a) => Some(a),
            _ => None,
        }
    }
    /// A short name of the kind, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            JKind::Null => "null",
            JKind::Bool(_) => "a bool",
            JKind::Num(_) => "a number",
            JKind::Str(_) => "a string",
            JKind::Arr(_) => "an array",
            JKind::Obj(_) => "an object",
        }
    }
}

/// A syntax error: byte offset and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset where the problem was found.
    pub offset: usize,
    /// What was found and what was expected.
    pub message: String,
}

const MAX_DEPTH: usize = 128;

struct Reader<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    depth: usize,
}

/// Parses a JSON document.
///
/// ```
/// use floodgrid_scenario::json::parse_json;
/// let v = parse_json(r#"{"a": [1, "x"]}"#).unwrap();
/// assert_eq!(v.get("a").unwrap().span, 6..14);
/// assert!(parse_json(r#"{"a": [1, "x"#).is_err());
/// ```
pub fn parse_json(text: &str) -> Result<JValue, JsonError> {
    let mut r = Reader {
        s: text,
        b: text.as_bytes(),
        i: 0,
        depth: 0,
    };
    r.ws();
    let v = r.value()?;
    r.ws();
    if r.i < r.b.len() {
        return Err(r.err(format!(
            "found {} after the document, expected the end of the file",
            r.found()
        )));
    }
    Ok(v)
}

impl Reader<'_> {
    fn err(&self, message: String) -> JsonError {
        JsonError {
            offset: self.i,
            message,
        }
    }
    fn found(&self) -> String {
        match self.s.get(self.i..).and_then(|r| r.chars().next()) {
            None => "the end of the file".into(),
            Some(c) => format!("`{c}`"),
        }
    }
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }
    fn value(&mut self) -> Result<JValue, JsonError> {
        let start = self.i;
        let kind = match self.b.get(self.i) {
            None => {
                return Err(self.err(
                    "found the end of the file, expected a value (the file may be truncated)"
                        .into(),
                ));
            }
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => JKind::Str(self.string()?),
            Some(b't') => self.word("true", JKind::Bool(true))?,
            Some(b'f') => self.word("false", JKind::Bool(false))?,
            Some(b'n') => self.word("null", JKind::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.err(format!("found {}, expected a value", self.found()))),
        };
        Ok(JValue {
            span: start..self.i,
            kind,
        })
    }
    fn word(&mut self, w: &str, k: JKind) -> Result<JKind, JsonError> {
        if self.s.get(self.i..self.i + w.len()) == Some(w) {
            self.i += w.len();
            Ok(k)
        } else {
            Err(self.err(format!("found {}, expected `{w}`", self.found())))
        }
    }
    fn enter(&mut self) -> Result<(), JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!(
                "nesting deeper than {MAX_DEPTH} levels; expected GeoJSON"
            )));
        }
        Ok(())
    }
    fn object(&mut self) -> Result<JKind, JsonError> {
        self.enter()?;
        self.i += 1;
        let mut members = Vec::new();
        self.ws();
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(JKind::Obj(members));
        }
        loop {
            self.ws();
            if self.b.get(self.i) != Some(&b'"') {
                return Err(self.err(format!("found {}, expected a quoted key", self.found())));
            }
            let ks = self.i;
            let key = self.string()?;
            let kspan = ks..self.i;
            self.ws();
            if self.b.get(self.i) != Some(&b':') {
                return Err(self.err(format!(
                    "found {}, expected `:` after the key",
                    self.found()
                )));
            }
            self.i += 1;
            self.ws();
            let v = self.value()?;
            members.push((key, kspan, v));
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(JKind::Obj(members));
                }
                _ => return Err(self.err(format!("found {}, expected `,` or `}}`", self.found()))),
            }
        }
    }
    fn array(&mut self) -> Result<JKind, JsonError> {
        self.enter()?;
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.b.get(self.i) == Some(&b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(JKind::Arr(items));
        }
        loop {
            self.ws();
            items.push(self.value()?);
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(JKind::Arr(items));
                }
                _ => return Err(self.err(format!("found {}, expected `,` or `]`", self.found()))),
            }
        }
    }
    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let run_start = self.i;
            while self.i < self.b.len()
                && !matches!(self.b[self.i], b'"' | b'\\')
                && self.b[self.i] >= 0x20
            {
                self.i += 1;
            }
            out.push_str(&self.s[run_start..self.i]);
            match self.b.get(self.i) {
                None => {
                    return Err(self.err(
                        "found the end of the file inside a string, expected a closing `\"`".into(),
                    ));
                }
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let esc = self.b.get(self.i + 1).copied();
                    self.i += 2;
                    match esc {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi)
                                && self.s.get(self.i..self.i + 2) == Some("\\u")
                            {
                                self.i += 2;
                                let lo = self.hex4()?;
                                char::from_u32(
                                    0x10000
                                        + ((hi - 0xD800) << 10)
                                        + (lo.wrapping_sub(0xDC00) & 0x3FF),
                                )
                            } else {
                                char::from_u32(hi)
                            };
                            out.push(c.unwrap_or('\u{fffd}'));
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.err(format!("found {}, expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)", self.found())));
                        }
                    }
                }
                Some(_) => return Err(self.err(
                    "found a control character inside a string, expected `\\n` or a closing `\"`"
                        .into(),
                )),
            }
        }
    }
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self
            .s
            .get(self.i..self.i + 4)
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        match h {
            Some(v) => {
                self.i += 4;
                Ok(v)
            }
            None => Err(self.err("expected four hex digits after \\u".into())),
        }
    }
    fn number(&mut self) -> Result<JKind, JsonError> {
        let start = self.i;
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        let digits = |r: &mut Self| {
            let s = r.i;
            while r.i < r.b.len() && r.b[r.i].is_ascii_digit() {
                r.i += 1;
            }
            r.i - s
        };
        if digits(self) == 0 {
            return Err(self.err(format!("found {}, expected a digit", self.found())));
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return Err(self.err(format!(
                    "found {}, expected a digit after `.`",
                    self.found()
                )));
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.err(format!("found {}, expected an exponent", self.found())));
            }
        }
        let v: f64 = self.s[start..self.i].parse().map_err(|_| JsonError {
            offset: start,
            message: "not a number".into(),
        })?;
        if !v.is_finite() {
            return Err(JsonError {
                offset: start,
                message: "number out of range".into(),
            });
        }
        Ok(JKind::Num(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_escapes() {
        let v =
            parse_json(r#" {"k\"": "a\u00e9\n", "n": -1.5e2, "z": [true, false, null]} "#).unwrap();
        assert_eq!(v.get("k\"").unwrap().as_str(), Some("aé\n"));
        assert_eq!(v.get("n").unwrap().as_f64(), Some(-150.0));
        assert_eq!(v.span, 1..60);
    }

    #[test]
    fn errors_have_offsets() {
        assert_eq!(parse_json("[1, 2").unwrap_err().offset, 5);
        assert_eq!(parse_json("[1 2]").unwrap_err().offset, 3);
        assert_eq!(parse_json("{\"a\" 1}").unwrap_err().offset, 5);
        assert!(parse_json("").is_err());
        assert!(parse_json("[1] x").is_err());
        assert!(parse_json("\"\\ud800").is_err());
        assert!(parse_json("1e999").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let s = "[".repeat(100_000);
        assert!(parse_json(&s).unwrap_err().message.contains("nesting"));
    }
}
