//! ESRI ASCII grid (`.asc`) reading and writing. Reading never panics: a bad header, a value that
//! is not a number or a count that does not match the header comes back as a [`RasterError`] with
//! the line and column where it was found.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::RasterError;
use super::raster::{GeoTransform, MAX_RASTER_CELLS, Raster};

/// NODATA marker written when a raster has missing cells but names no marker of its own.
pub const DEFAULT_NODATA: f32 = -9999.0;

#[derive(Default)]
struct Header {
    ncols: Option<usize>,
    nrows: Option<usize>,
    x: Option<(f64, bool)>, // value, is_centre
    y: Option<(f64, bool)>,
    cellsize: Option<f64>,
    dx: Option<f64>,
    dy: Option<f64>,
    nodata: Option<f32>,
    /// Line and value column of the later of `ncols` and `nrows`, where their product is judged.
    dims_at: (usize, usize),
}

/// The largest cell a DEM may have, m: coarser than any terrain a town's flood is read from, and
/// small enough that cell coordinates stay exact.
pub const MAX_CELL_M: f64 = 10_000.0;

const HEADER_HELP: &str = "ncols, nrows, xllcorner|xllcenter, yllcorner|yllcenter, cellsize (or dx and dy), optional NODATA_value";

/// Reads an ESRI ASCII grid from text.
///
/// ```
/// let text = "ncols 2\nnrows 2\nxllcorner 100\nyllcorner 200\ncellsize 10\nNODATA_value -9999\n1 2\n3 -9999\n";
/// let r = floodgrid_flood::read_ascii(text).unwrap();
/// assert_eq!((r.ncols, r.nrows), (2, 2));
/// assert_eq!(r.get(0, 1), Some(3.0));
/// assert!(r.get(1, 1).unwrap().is_nan());
/// assert_eq!(r.transform.y_min_m, 200.0);
/// ```
pub fn read_ascii(text: &str) -> Result<Raster, RasterError> {
    let mut h = Header::default();
    let mut pos = 0usize; // byte offset of the current line start
    let mut line_no = 1usize;
    // Header: lines whose first token starts with a letter.
    loop {
        let rest = &text[pos..];
        let line_end = rest.find('\n').map(|i| pos + i + 1).unwrap_or(text.len());
        let line = &text[pos..line_end];
        let trimmed = line.trim_start();
        let first = trimmed.chars().next();
        match first {
            Some(c) if c.is_ascii_alphabetic() => {}
            None if line_end < text.len() => {
                // blank line inside the header
                pos = line_end;
                line_no += 1;
                continue;
            }
            _ => break,
        }
        let indent = line.len() - trimmed.len();
        let mut parts = trimmed.split_whitespace();
        let key = parts.next().unwrap_or("");
        let value = parts.next();
        let key_lc = key.to_ascii_lowercase();
        let value_col = value
            .and_then(|v| line.find(v).map(|i| char_col(line, i)))
            .unwrap_or(char_col(line, indent + key.len()) + 1);
        let err = |msg: String| RasterError::at(line_no, value_col, msg);
        let Some(value) = value else {
            return Err(RasterError::at(
                line_no,
                char_col(line, indent + key.len()) + 1,
                format!("`{key}` has no value; expected a number after it"),
            ));
        };
        let num = |v: &str| -> Result<f64, RasterError> {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| err(format!("found `{v}` for `{key}`, expected a finite number")))
        };
        let count = |v: &str| -> Result<usize, RasterError> {
            v.parse::<usize>().ok().filter(|&n| n > 0).ok_or_else(|| {
                err(format!(
                    "found `{v}` for `{key}`, expected a whole number above 0"
                ))
            })
        };
        let positive = |v: &str| -> Result<f64, RasterError> {
            let x = num(v)?;
            if x > 0.0 && x <= MAX_CELL_M {
                Ok(x)
            } else {
                Err(err(format!(
                    "found `{v}` for `{key}`, expected a cell size above 0 and at most {MAX_CELL_M} m (a DEM in a projected CRS, metres)"
                )))
            }
        };
        match key_lc.as_str() {
            "ncols" => {
                h.ncols = Some(count(value)?);
                h.dims_at = (line_no, value_col);
            }
            "nrows" => {
                h.nrows = Some(count(value)?);
                h.dims_at = (line_no, value_col);
            }
            "xllcorner" => h.x = Some((num(value)?, false)),
            "xllcenter" => h.x = Some((num(value)?, true)),
            "yllcorner" => h.y = Some((num(value)?, false)),
            "yllcenter" => h.y = Some((num(value)?, true)),
            "cellsize" => h.cellsize = Some(positive(value)?),
            "dx" => h.dx = Some(positive(value)?),
            "dy" => h.dy = Some(positive(value)?),
            "nodata_value" => h.nodata = Some(num(value)? as f32),
            _ => {
                return Err(RasterError::at(
                    line_no,
                    char_col(line, indent),
                    format!("unknown header key `{key}`; expected {HEADER_HELP}"),
                ));
            }
        }
        pos = line_end;
        line_no += 1;
        if pos >= text.len() {
            break;
        }
    }
    let missing = |what: &str| {
        RasterError::at(
            line_no,
            1,
            format!("the header has no `{what}`; expected {HEADER_HELP} before the values"),
        )
    };
    let ncols = h.ncols.ok_or_else(|| missing("ncols"))?;
    let nrows = h.nrows.ok_or_else(|| missing("nrows"))?;
    let (x0, x_centre) = h.x.ok_or_else(|| missing("xllcorner"))?;
    let (y0, y_centre) = h.y.ok_or_else(|| missing("yllcorner"))?;
    let (dx, dy) = match (h.cellsize, h.dx, h.dy) {
        (Some(c), None, None) => (c, c),
        (None, Some(dx), Some(dy)) => (dx, dy),
        (Some(c), Some(dx), None) => (dx, c),
        (Some(c), None, Some(dy)) => (c, dy),
        (Some(_), Some(dx), Some(dy)) => (dx, dy),
        (None, _, _) => return Err(missing("cellsize")),
    };
    let expected = ncols
        .checked_mul(nrows)
        .filter(|&n| n <= MAX_RASTER_CELLS)
        .ok_or_else(|| {
            RasterError::at(
                h.dims_at.0,
                h.dims_at.1,
                format!(
                    "ncols {ncols} × nrows {nrows} is more than {MAX_RASTER_CELLS} cells; expected a DEM of the flood's area (crop or coarsen it)"
                ),
            )
        })?;
    let transform = GeoTransform {
        x_min_m: if x_centre { x0 - dx / 2.0 } else { x0 },
        y_min_m: if y_centre { y0 - dy / 2.0 } else { y0 },
        dx_m: dx,
        dy_m: dy,
    };

    // Values. Do not trust the header for the allocation: a bad header must not exhaust memory.
    let mut data: Vec<f32> = Vec::with_capacity(expected.min(text.len() / 2 + 1));
    let bytes = text.as_bytes();
    let mut i = pos;
    let mut line_start = pos;
    let mut last_end = (line_no, line_start, pos); // line, its start, and the byte just after the last value
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            line_no += 1;
            i += 1;
            line_start = i;
            continue;
        }
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let token = &text[start..i];
        if data.len() == expected {
            return Err(RasterError::at(
                line_no,
                char_col(&text[line_start..], start - line_start),
                format!(
                    "found more values than the header promises: ncols {ncols} × nrows {nrows} = {expected}; expected the file to end here"
                ),
            ));
        }
        let v = match token.parse::<f32>() {
            Ok(v) if v.is_finite() => v,
            _ => {
                return Err(RasterError::at(
                    line_no,
                    char_col(&text[line_start..], start - line_start),
                    format!(
                        "found `{}`, expected a number (value {} of {expected})",
                        shorten(token),
                        data.len() + 1
                    ),
                ));
            }
        };
        data.push(if h.nodata == Some(v) { f32::NAN } else { v });
        last_end = (line_no, line_start, i);
    }
    if data.len() < expected {
        return Err(RasterError::at(
            last_end.0,
            char_col(&text[last_end.1..], last_end.2 - last_end.1),
            format!(
                "the header promises ncols {ncols} × nrows {nrows} = {expected} values but the file holds {} ({} full rows); expected {} more",
                data.len(),
                data.len() / ncols,
                expected - data.len()
            ),
        ));
    }
    Ok(Raster {
        ncols,
        nrows,
        transform,
        nodata: h.nodata,
        data,
    })
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 24 {
        let head: String = s.chars().take(24).collect();
        format!("{head}…")
    } else {
        s.to_string()
    }
}

/// 1-based character column of a byte offset within a line (clamped to a char boundary).
fn char_col(line: &str, byte: usize) -> usize {
    let mut b = byte.min(line.len());
    while !line.is_char_boundary(b) {
        b -= 1;
    }
    line[..b].chars().count() + 1
}

/// Writes a raster as an ESRI ASCII grid. Values are written in their shortest form that reads back
/// to the same `f32`, so a write–read round trip keeps every value.
pub fn write_ascii<W: Write>(raster: &Raster, mut out: W) -> io::Result<()> {
    let t = &raster.transform;
    let has_nan = raster.data.iter().any(|v| v.is_nan());
    let nodata = raster.nodata.or(has_nan.then_some(DEFAULT_NODATA));
    let mut head = String::new();
    let _ = writeln!(head, "ncols {}", raster.ncols);
    let _ = writeln!(head, "nrows {}", raster.nrows);
    let _ = writeln!(head, "xllcorner {}", t.x_min_m);
    let _ = writeln!(head, "yllcorner {}", t.y_min_m);
    if t.dx_m == t.dy_m {
        let _ = writeln!(head, "cellsize {}", t.dx_m);
    } else {
        let _ = writeln!(head, "dx {}", t.dx_m);
        let _ = writeln!(head, "dy {}", t.dy_m);
    }
    if let Some(nd) = nodata {
        let _ = writeln!(head, "NODATA_value {nd}");
    }
    out.write_all(head.as_bytes())?;
    let mut line = String::with_capacity(raster.ncols * 8);
    for row in raster.data.chunks(raster.ncols.max(1)) {
        line.clear();
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                line.push(' ');
            }
            let v = if v.is_nan() {
                nodata.unwrap_or(DEFAULT_NODATA)
            } else {
                *v
            };
            let _ = write!(line, "{v}");
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "ncols 3\nnrows 2\nxllcenter 5\nyllcenter 5\ncellsize 10\n";

    #[test]
    fn centre_registration_moves_the_corner() {
        let r = read_ascii(&format!("{HEAD}1 2 3\n4 5 6\n")).unwrap();
        assert_eq!(r.transform.x_min_m, 0.0);
        assert_eq!(r.transform.y_min_m, 0.0);
        assert_eq!(r.get(2, 1), Some(6.0));
    }

    #[test]
    fn dx_dy_header() {
        let r = read_ascii("ncols 1\nnrows 1\nxllcorner 0\nyllcorner 0\ndx 2\ndy 3\n7\n").unwrap();
        assert_eq!((r.transform.dx_m, r.transform.dy_m), (2.0, 3.0));
    }

    #[test]
    fn short_file_points_at_the_end() {
        let e = read_ascii(&format!("{HEAD}1 2 3\n4 5\n")).unwrap_err();
        assert_eq!((e.line, e.column), (7, 4));
        assert!(e.message.contains("promises"), "{}", e.message);
        assert!(e.message.contains("expected 1 more"), "{}", e.message);
    }

    #[test]
    fn extra_value_is_located() {
        let e = read_ascii(&format!("{HEAD}1 2 3\n4 5 6 7\n")).unwrap_err();
        assert_eq!((e.line, e.column), (7, 7));
    }

    #[test]
    fn bad_token_is_located() {
        let e = read_ascii(&format!("{HEAD}1 2 3\n4 x5 6\n")).unwrap_err();
        assert_eq!((e.line, e.column), (7, 3));
    }

    #[test]
    fn bad_header_value() {
        let e = read_ascii("ncols 3\nnrows -2\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 7));
        let e = read_ascii("ncols 1\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 1e300\n1\n")
            .unwrap_err();
        assert!(e.message.contains("at most 10000 m"), "{}", e.message);
        let e = read_ascii("ncols 3\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 0\n").unwrap_err();
        assert_eq!(e.line, 5);
    }

    #[test]
    fn missing_header_key() {
        let e = read_ascii("ncols 3\nnrows 2\n1 2 3\n").unwrap_err();
        assert!(e.message.contains("xllcorner"));
    }

    #[test]
    fn huge_header_does_not_allocate() {
        let e = read_ascii(
            "ncols 4000000000\nnrows 4000000000\nxllcorner 0\nyllcorner 0\ncellsize 1\n1\n",
        )
        .unwrap_err();
        assert!(
            e.message.contains("more than 100000000 cells"),
            "{}",
            e.message
        );
        // At the header line that made it too large.
        assert_eq!((e.line, e.column), (2, 7));
    }

    #[test]
    fn write_read_round_trip() {
        let t = GeoTransform {
            x_min_m: 469_000.5,
            y_min_m: 3_860_000.0,
            dx_m: 15.0,
            dy_m: 15.0,
        };
        let mut r = Raster::filled(4, 3, t, 0.0);
        for (i, v) in r.data.iter_mut().enumerate() {
            *v = 90.0 + i as f32 * 0.013_7;
        }
        r.data[5] = f32::NAN;
        let mut buf = Vec::new();
        write_ascii(&r, &mut buf).unwrap();
        let back = read_ascii(std::str::from_utf8(&buf).unwrap()).unwrap();
        assert_eq!(back.transform, r.transform);
        for (a, b) in back.data.iter().zip(&r.data) {
            assert!(a == b || (a.is_nan() && b.is_nan()));
        }
    }
}
