//! `people.csv` and `residents.csv`: every row complete and typed, every id resolved, every
//! problem at its line and column.

use std::collections::HashMap;
use std::ops::Range;

use super::config::{ScenarioConfig, valid_id};
use super::diag::Diagnostics;
use super::source::SourceFile;
use floodgrid_model::grid::{Grid, GridIdx, Person, PersonIdx, Resident, ResidentKind, Shift};
use floodgrid_model::plan::{HOUSEHOLD_CATEGORIES, KEY_PERSON_CATEGORIES};

/// A row with the byte span of each field in the file.
struct Row {
    line: usize,
    fields: Vec<(String, Range<usize>)>,
    end: usize,
}

/// Byte ranges of the fields of the record starting at `start` (quotes included in the range).
fn field_spans(text: &str, start: usize) -> (Vec<Range<usize>>, usize) {
    let b = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = start;
    let mut field_start = start;
    let mut in_quotes = false;
    while i < b.len() {
        match b[i] {
            b'"' => in_quotes = !in_quotes,
            b',' if !in_quotes => {
                spans.push(field_start..i);
                field_start = i + 1;
            }
            b'\n' | b'\r' if !in_quotes => break,
            _ => {}
        }
        i += 1;
    }
    spans.push(field_start..i);
    (spans, i)
}

/// Reads a CSV file into rows keyed by the expected column names. Reports missing columns, short
/// and long rows; returns the header→index map and the usable rows.
fn read_rows(
    src: &SourceFile,
    required: &[&str],
    optional: &[&str],
    d: &mut Diagnostics,
) -> Option<(HashMap<String, usize>, Vec<Row>)> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(src.text.as_bytes());
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            d.error(src, 0..1, format!("cannot read the header row: {e}"));
            return None;
        }
    };
    let (head_spans, _) = field_spans(&src.text, 0);
    let mut cols: HashMap<String, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let name = h.trim().to_string();
        let span = head_spans.get(i).cloned().unwrap_or(0..1);
        if cols.contains_key(&name) {
            d.error(
                src,
                span,
                format!("column \"{name}\" appears twice; expected each column once"),
            );
            continue;
        }
        if !required.contains(&name.as_str()) && !optional.contains(&name.as_str()) {
            d.warning(
                src,
                span,
                format!(
                    "unknown column \"{name}\" is ignored; expected {}",
                    [required, optional].concat().join(",")
                ),
            );
        }
        cols.insert(name, i);
    }
    let mut missing = false;
    for r in required {
        if !cols.contains_key(*r) {
            d.error(
                src,
                0..src.line_text(1).len().max(1),
                format!(
                    "the header has no \"{r}\" column; expected {}",
                    required.join(",")
                ),
            );
            missing = true;
        }
    }
    if missing {
        return None;
    }
    let ncols = headers.len();
    let mut rows = Vec::new();
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let (line, byte) = e
                    .position()
                    .map(|p| (p.line() as usize, p.byte() as usize))
                    .unwrap_or((0, 0));
                let _ = line;
                d.error(src, byte..byte + 1, format!("unreadable row: {e}"));
                // csv cannot resume after some errors; stop rather than guess.
                break;
            }
        }
        let Some(pos) = rec.position() else { continue };
        let start = pos.byte() as usize;
        let line = pos.line() as usize;
        if rec.len() == 1 && rec.get(0).is_some_and(|f| f.trim().is_empty()) {
            continue; // blank line
        }
        let (spans, end) = field_spans(&src.text, start);
        if rec.len() < ncols {
            let missing: Vec<&str> = headers.iter().skip(rec.len()).collect();
            d.error(
                src,
                end..end + 1,
                format!(
                    "found {} fields, expected {ncols}: the row ends before {}",
                    rec.len(),
                    missing
                        .iter()
                        .map(|m| format!("\"{m}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            continue;
        }
        if rec.len() > ncols {
            let span = spans.get(ncols).cloned().unwrap_or(end..end + 1);
            d.error(
                src,
                span,
                format!(
                    "found {} fields, expected {ncols} (a comma inside a field needs quotes)",
                    rec.len()
                ),
            );
            continue;
        }
        let fields = rec
            .iter()
            .enumerate()
            .map(|(i, f)| {
                (
                    f.trim().to_string(),
                    spans.get(i).cloned().unwrap_or(start..start + 1),
                )
            })
            .collect();
        rows.push(Row { line, fields, end });
    }
    Some((cols, rows))
}

impl Row {
    fn get<'a>(
        &'a self,
        cols: &HashMap<String, usize>,
        name: &str,
    ) -> Option<(&'a str, Range<usize>)> {
        cols.get(name)
            .and_then(|&i| self.fields.get(i))
            .map(|(s, r)| (s.as_str(), r.clone()))
    }
    fn required<'a>(
        &'a self,
        cols: &HashMap<String, usize>,
        name: &str,
        src: &SourceFile,
        d: &mut Diagnostics,
    ) -> Option<(&'a str, Range<usize>)> {
        match self.get(cols, name) {
            Some((s, r)) if !s.is_empty() => Some((s, r)),
            Some((_, r)) => {
                d.error(
                    src,
                    r.start..r.start + 1,
                    format!("empty \"{name}\" on line {}; expected a value", self.line),
                );
                None
            }
            None => {
                d.error(
                    src,
                    self.end..self.end + 1,
                    format!("no \"{name}\" field; expected a value"),
                );
                None
            }
        }
    }
}

fn resolve_grid(
    index: &HashMap<&str, u32>,
    grids: &[Grid],
    id: &str,
    span: Range<usize>,
    src: &SourceFile,
    d: &mut Diagnostics,
) -> Option<GridIdx> {
    match index.get(id) {
        Some(&g) => Some(GridIdx(g)),
        None => {
            d.unknown_ref(src, span, "grid", id, grids.iter().map(|g| g.id.as_str()));
            None
        }
    }
}

/// People columns.
pub const PEOPLE_COLUMNS: &[&str] = &[
    "id", "name", "role", "team", "grid", "phone", "skills", "shift", "capacity",
];
/// Resident columns.
pub const RESIDENT_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "category",
    "evac_class",
    "name",
    "grid",
    "lon",
    "lat",
    "size",
    "phone",
    "needs",
    "guardian",
];

/// Reads `people.csv`.
pub(crate) fn load_people(
    src: &SourceFile,
    cfg: &ScenarioConfig,
    grids: &[Grid],
    d: &mut Diagnostics,
) -> Vec<Person> {
    let Some((cols, rows)) = read_rows(src, &PEOPLE_COLUMNS[..8], &PEOPLE_COLUMNS[8..], d) else {
        return Vec::new();
    };
    let grid_index: HashMap<&str, u32> = grids
        .iter()
        .enumerate()
        .map(|(i, g)| (g.id.as_str(), i as u32))
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut people = Vec::new();
    for row in &rows {
        let id = row.required(&cols, "id", src, d);
        let name = row.required(&cols, "name", src, d);
        let role = row
            .required(&cols, "role", src, d)
            .and_then(|(r, span)| match cfg.role(r) {
                Some(ri) => Some(ri),
                None => {
                    d.unknown_ref(
                        src,
                        span,
                        "role",
                        r,
                        cfg.roles.iter().map(|r| r.id.as_str()),
                    );
                    None
                }
            });
        let grid = row
            .required(&cols, "grid", src, d)
            .and_then(|(g, span)| resolve_grid(&grid_index, grids, g, span, src, d));
        let shift = match row.get(&cols, "shift") {
            Some(("", _)) | None => Some(Shift::Any),
            Some((s, span)) => Shift::from_name(s).or_else(|| {
                d.error(
                    src,
                    span,
                    format!("shift \"{s}\"; expected {}", Shift::NAMES.join(", ")),
                );
                None
            }),
        };
        let capacity = match row.get(&cols, "capacity") {
            Some(("", _)) | None => None,
            Some((c, span)) => match c.parse::<u32>() {
                Ok(n) if (1..=50).contains(&n) => Some(n),
                _ => {
                    d.error(src, span, format!("capacity \"{c}\"; expected a whole number from 1 to 50 (or empty for the role's)"));
                    None
                }
            },
        };
        let rejected = id.as_ref().map(|(id, _)| *id);
        let (Some((id, id_span)), Some((name, _)), Some(role), Some(grid), Some(shift)) =
            (id, name, role, grid, shift)
        else {
            if let Some(id) = rejected {
                d.reject("person", id);
            }
            continue;
        };
        if !valid_id(id) {
            d.error(
                src,
                id_span,
                format!("person id \"{id}\"; expected letters, digits, `_`, `-` or `.`"),
            );
            continue;
        }
        if let Some(first) = seen.get(id) {
            d.error(
                src,
                id_span,
                format!("person id \"{id}\" is already used on line {first}; expected unique ids"),
            );
            continue;
        }
        seen.insert(id.to_string(), row.line);
        let phone = row
            .get(&cols, "phone")
            .map(|p| p.0.to_string())
            .unwrap_or_default();
        if let Some((p, span)) = row.get(&cols, "phone")
            && !p.is_empty()
            && !p
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' '))
        {
            d.warning(
                src,
                span,
                format!("phone \"{p}\" has characters other than digits, '-', '+' and spaces"),
            );
        }
        people.push(Person {
            id: id.to_string(),
            name: name.to_string(),
            role,
            team: row
                .get(&cols, "team")
                .map(|t| t.0.to_string())
                .unwrap_or_default(),
            grid,
            phone,
            skills: row
                .get(&cols, "skills")
                .map(|s| {
                    s.0.split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default(),
            shift,
            capacity: capacity.unwrap_or(cfg.roles[role.ix()].capacity),
        });
    }
    people
}

/// Reads `residents.csv`.
pub(crate) fn load_residents(
    src: &SourceFile,
    cfg: &ScenarioConfig,
    grids: &[Grid],
    people: &[Person],
    d: &mut Diagnostics,
) -> Vec<Resident> {
    let Some((cols, rows)) = read_rows(src, &RESIDENT_COLUMNS[..10], &RESIDENT_COLUMNS[10..], d)
    else {
        return Vec::new();
    };
    let grid_index: HashMap<&str, u32> = grids
        .iter()
        .enumerate()
        .map(|(i, g)| (g.id.as_str(), i as u32))
        .collect();
    let person_index: HashMap<&str, u32> = people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i as u32))
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    let crs = &cfg.crs;
    for row in &rows {
        let id = row.required(&cols, "id", src, d);
        let kind = row.required(&cols, "kind", src, d);
        let category = row.required(&cols, "category", src, d);
        let name = row.required(&cols, "name", src, d);
        let grid = row
            .required(&cols, "grid", src, d)
            .and_then(|(g, span)| resolve_grid(&grid_index, grids, g, span, src, d));
        let num = |name: &str, d: &mut Diagnostics| -> Option<(f64, Range<usize>)> {
            let (v, span) = row.required(&cols, name, src, d)?;
            match v.parse::<f64>() {
                Ok(x) if x.is_finite() => Some((x, span)),
                _ => {
                    d.error(src, span, format!("{name} \"{v}\"; expected a number"));
                    None
                }
            }
        };
        let lon = num("lon", d);
        let lat = num("lat", d);
        let size = match row.get(&cols, "size") {
            Some(("", _)) | None => Some(1),
            Some((s, span)) => match s.parse::<u32>() {
                Ok(n) if (1..=30).contains(&n) => Some(n),
                _ => {
                    d.error(
                        src,
                        span,
                        format!("size \"{s}\"; expected the number of persons, 1 to 30"),
                    );
                    None
                }
            },
        };
        let resident_kind = match (kind, category) {
            (Some(("key_person", _)), Some((c, cspan))) => {
                if !KEY_PERSON_CATEGORIES.contains(&c) {
                    d.error(
                        src,
                        cspan,
                        format!(
                            "key-person category \"{c}\"; expected one of {}",
                            KEY_PERSON_CATEGORIES.join(", ")
                        ),
                    );
                    None
                } else {
                    Some(ResidentKind::KeyPerson {
                        category: c.to_string(),
                    })
                }
            }
            (Some(("household", _)), Some((c, cspan))) => {
                let class = match row.get(&cols, "evac_class") {
                    Some((v, span)) => match v.parse::<u8>() {
                        Ok(n @ 1..=3) => Some(n),
                        _ => {
                            d.error(
                                src,
                                if v.is_empty() {
                                    span.start..span.start + 1
                                } else {
                                    span
                                },
                                format!("evac_class \"{v}\" for a household; expected 1, 2 or 3"),
                            );
                            None
                        }
                    },
                    None => None,
                };
                if !HOUSEHOLD_CATEGORIES.contains(&c) {
                    d.error(
                        src,
                        cspan,
                        format!(
                            "household category \"{c}\"; expected one of {}",
                            HOUSEHOLD_CATEGORIES.join(", ")
                        ),
                    );
                    None
                } else {
                    class.map(|evac_class| ResidentKind::Household {
                        category: c.to_string(),
                        evac_class,
                    })
                }
            }
            (Some((k, span)), _) if k != "key_person" && k != "household" => {
                d.error(
                    src,
                    span,
                    format!("kind \"{k}\"; expected key_person or household"),
                );
                None
            }
            _ => None,
        };
        let guardian = match row.get(&cols, "guardian") {
            Some(("", _)) | None => Some(None),
            Some((g, span)) => match person_index.get(g) {
                Some(&p) => Some(Some(PersonIdx(p))),
                None => {
                    d.unknown_ref(src, span, "person", g, people.iter().map(|p| p.id.as_str()));
                    None
                }
            },
        };
        let (
            Some((id, id_span)),
            Some(kind),
            Some((name, _)),
            Some(grid),
            Some((lon, lon_span)),
            Some((lat, lat_span)),
            Some(size),
            Some(guardian),
        ) = (
            id.clone(),
            resident_kind,
            name,
            grid,
            lon,
            lat,
            size,
            guardian,
        )
        else {
            if let Some((id, _)) = id {
                d.reject("resident", id);
            }
            continue;
        };
        let ll_span = lon_span.start..lat_span.end;
        if !(-180.0..=180.0).contains(&lon)
            || !(-90.0..=90.0).contains(&lat)
            || !crs.covers_lonlat(lon, lat)
        {
            d.error(src, ll_span, format!("position {lon}, {lat} is not in the scenario's area (EPSG:{} near {}°E); expected lon, lat in degrees", crs.epsg, crs.lon0_deg));
            continue;
        }
        let (x, y) = crs.forward(lon, lat);
        if !grids[grid.ix()].region.contains([x, y]) {
            d.warning(
                src,
                ll_span,
                format!(
                    "{id} at {lon}, {lat} lies outside its grid \"{}\"",
                    grids[grid.ix()].id
                ),
            );
        }
        if !valid_id(id) {
            d.error(
                src,
                id_span,
                format!("resident id \"{id}\"; expected letters, digits, `_`, `-` or `.`"),
            );
            continue;
        }
        if let Some(first) = seen.get(id) {
            d.error(
                src,
                id_span,
                format!(
                    "resident id \"{id}\" is already used on line {first}; expected unique ids"
                ),
            );
            continue;
        }
        seen.insert(id.to_string(), row.line);
        out.push(Resident {
            id: id.to_string(),
            kind,
            name: name.to_string(),
            grid,
            lonlat: [lon, lat],
            xy: [x, y],
            size,
            phone: row
                .get(&cols, "phone")
                .map(|p| p.0.to_string())
                .unwrap_or_default(),
            needs: row
                .get(&cols, "needs")
                .map(|p| p.0.to_string())
                .unwrap_or_default(),
            guardian,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_respect_quotes() {
        let text = "a,\"b,c\",d\nx,y\n";
        let (spans, end) = field_spans(text, 0);
        assert_eq!(spans, vec![0..1, 2..7, 8..9]);
        assert_eq!(end, 9);
    }
}
