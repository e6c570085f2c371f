//! `grids.geojson` and `sites.geojson` (RFC 7946, lon/lat): features read with positions, projected
//! into the scenario's CRS, and checked (closed rings, no self-crossing, plausible coordinates,
//! resolvable ids, a tree-shaped hierarchy).

use std::collections::HashMap;
use std::ops::Range;

use super::config::{ScenarioConfig, valid_id};
use super::diag::Diagnostics;
use super::diag::unknown;
use super::json::{JKind, JValue, parse_json};
use super::source::SourceFile;
use floodgrid_model::crs::Crs;
use floodgrid_model::grid::{
    Grid, GridIdx, GridKind, MaterialIdx, Polygon, Region, ShelterCapacity, Site, SiteGeometry,
    SiteIdx, SiteKind,
    geometry::{self, ring_self_intersection, ring_signed_area},
};

/// The features of a FeatureCollection, or `None` with a diagnostic.
fn features(src: &SourceFile, d: &mut Diagnostics) -> Option<JValue> {
    let root = match parse_json(&src.text) {
        Ok(v) => v,
        Err(e) => {
            d.error(
                src,
                e.offset..e.offset + 1,
                format!("JSON syntax: {}", e.message),
            );
            return None;
        }
    };
    if root.get("type").and_then(JValue::as_str) != Some("FeatureCollection") {
        let span = root
            .get("type")
            .map(|t| t.span.clone())
            .unwrap_or(root.span.start..root.span.start + 1);
        d.error(
            src,
            span,
            "expected a GeoJSON FeatureCollection (\"type\": \"FeatureCollection\")",
        );
        return None;
    }
    match root.get("features") {
        Some(f) if f.as_array().is_some() => Some(f.clone()),
        Some(f) => {
            d.error(
                src,
                f.span.clone(),
                format!(
                    "\"features\" is {}, expected an array of Feature objects",
                    f.kind_name()
                ),
            );
            None
        }
        None => {
            d.error(
                src,
                root.span.start..root.span.start + 1,
                "the FeatureCollection has no \"features\" array",
            );
            None
        }
    }
}

struct Feature<'a> {
    span: Range<usize>,
    props: Option<&'a JValue>,
    geometry: Option<&'a JValue>,
}

fn feature<'a>(f: &'a JValue, src: &SourceFile, d: &mut Diagnostics) -> Option<Feature<'a>> {
    if !matches!(f.kind, JKind::Obj(_)) {
        d.error(
            src,
            f.span.clone(),
            format!("found {}, expected a Feature object", f.kind_name()),
        );
        return None;
    }
    if f.get("type").and_then(JValue::as_str) != Some("Feature") {
        d.error(
            src,
            f.get("type")
                .map(|t| t.span.clone())
                .unwrap_or(f.span.start..f.span.start + 1),
            "expected \"type\": \"Feature\"",
        );
        return None;
    }
    let props = match f.get("properties") {
        Some(p) if matches!(p.kind, JKind::Obj(_)) => Some(p),
        Some(p) => {
            d.error(
                src,
                p.span.clone(),
                format!("\"properties\" is {}, expected an object", p.kind_name()),
            );
            None
        }
        None => {
            d.error(
                src,
                f.span.start..f.span.start + 1,
                "this Feature has no \"properties\"; expected id, name, kind ...",
            );
            None
        }
    };
    let geometry = match f.get("geometry") {
        Some(g) if matches!(g.kind, JKind::Obj(_)) => Some(g),
        Some(g) => {
            d.error(
                src,
                g.span.clone(),
                format!(
                    "\"geometry\" is {}, expected a geometry object",
                    g.kind_name()
                ),
            );
            None
        }
        None => {
            d.error(
                src,
                f.span.start..f.span.start + 1,
                "this Feature has no \"geometry\"",
            );
            None
        }
    };
    Some(Feature {
        span: f.span.clone(),
        props,
        geometry,
    })
}

/// Property accessors that report what they find wrong.
struct Props<'a> {
    obj: Option<&'a JValue>,
    at: Range<usize>,
}

impl<'a> Props<'a> {
    fn get(&self, key: &str) -> Option<&'a JValue> {
        self.obj
            .and_then(|o| o.get(key))
            .filter(|v| v.kind != JKind::Null)
    }
    fn req_str(
        &self,
        key: &str,
        src: &SourceFile,
        d: &mut Diagnostics,
    ) -> Option<(String, Range<usize>)> {
        match self.get(key) {
            Some(JValue {
                kind: JKind::Str(s),
                span,
            }) if !s.trim().is_empty() => Some((s.clone(), span.clone())),
            Some(v) => {
                d.error(
                    src,
                    v.span.clone(),
                    format!(
                        "property \"{key}\" is {}, expected a non-empty string",
                        v.kind_name()
                    ),
                );
                None
            }
            None => {
                if self.obj.is_some() {
                    d.error(
                        src,
                        self.at.clone(),
                        format!("this feature has no \"{key}\" property; expected a string"),
                    );
                }
                None
            }
        }
    }
    fn opt_str(
        &self,
        key: &str,
        src: &SourceFile,
        d: &mut Diagnostics,
    ) -> Option<(String, Range<usize>)> {
        match self.get(key) {
            Some(JValue {
                kind: JKind::Str(s),
                span,
            }) => Some((s.clone(), span.clone())),
            Some(v) => {
                d.error(
                    src,
                    v.span.clone(),
                    format!("property \"{key}\" is {}, expected a string", v.kind_name()),
                );
                None
            }
            None => None,
        }
    }
    fn opt_num(&self, key: &str, min: f64, src: &SourceFile, d: &mut Diagnostics) -> Option<f64> {
        match self.get(key) {
            Some(JValue {
                kind: JKind::Num(n),
                ..
            }) if *n >= min => Some(*n),
            Some(v) => {
                d.error(
                    src,
                    v.span.clone(),
                    format!(
                        "property \"{key}\" is {}, expected a number ≥ {min}",
                        describe(v)
                    ),
                );
                None
            }
            None => None,
        }
    }
}

fn describe(v: &JValue) -> String {
    match &v.kind {
        JKind::Num(n) => format!("{n}"),
        _ => v.kind_name().to_string(),
    }
}

/// Reads one position: [lon, lat] (an altitude may follow), checked and projected.
fn position(
    v: &JValue,
    crs: &Crs,
    src: &SourceFile,
    d: &mut Diagnostics,
) -> Option<([f64; 2], [f64; 2])> {
    let arr = match v.as_array() {
        Some(a) if a.len() >= 2 => a,
        _ => {
            d.error(
                src,
                v.span.clone(),
                format!(
                    "found {}, expected a position [longitude, latitude]",
                    v.kind_name()
                ),
            );
            return None;
        }
    };
    let (Some(lon), Some(lat)) = (arr[0].as_f64(), arr[1].as_f64()) else {
        d.error(
            src,
            v.span.clone(),
            "expected numbers in the position [longitude, latitude]",
        );
        return None;
    };
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        d.error(src, v.span.clone(), format!("position [{lon}, {lat}] is not longitude/latitude in degrees; expected WGS 84 lon/lat as RFC 7946 requires"));
        return None;
    }
    if !crs.covers_lonlat(lon, lat) {
        let hint = if crs.covers_lonlat(lat, lon) {
            " (longitude and latitude look swapped: GeoJSON is [lon, lat])"
        } else {
            ""
        };
        d.error(
            src,
            v.span.clone(),
            format!("position [{lon}, {lat}] is far outside EPSG:{} (central meridian {}°E){hint}; expected a point of the scenario's area", crs.epsg, crs.lon0_deg),
        );
        return None;
    }
    let (x, y) = crs.forward(lon, lat);
    Some(([x, y], [lon, lat]))
}

/// A ring in projected metres and in lon/lat.
type RingPair = (Vec<[f64; 2]>, Vec<[f64; 2]>);

/// Reads a ring: closed, at least 4 positions, not crossing itself.
fn ring(
    v: &JValue,
    crs: &Crs,
    exterior: bool,
    src: &SourceFile,
    d: &mut Diagnostics,
) -> Option<RingPair> {
    let Some(items) = v.as_array() else {
        d.error(
            src,
            v.span.clone(),
            format!(
                "found {}, expected a linear ring (an array of positions)",
                v.kind_name()
            ),
        );
        return None;
    };
    if items.len() < 4 {
        d.error(
            src,
            v.span.clone(),
            format!(
                "a ring of {} positions; expected at least 4 (a closed triangle)",
                items.len()
            ),
        );
        return None;
    }
    let mut xy = Vec::with_capacity(items.len());
    let mut ll = Vec::with_capacity(items.len());
    let mut ok = true;
    for p in items {
        match position(p, crs, src, d) {
            Some((a, b)) => {
                xy.push(a);
                ll.push(b);
            }
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    if ll.first() != ll.last() {
        let last = &items[items.len() - 1];
        d.error(
            src,
            last.span.clone(),
            "the ring is not closed; expected its last position to repeat the first",
        );
        return None;
    }
    if let Some((i, j)) = ring_self_intersection(&xy) {
        d.error(
            src,
            items[j].span.clone(),
            format!(
                "the ring crosses itself (edge {} crosses edge {}); expected a simple ring",
                i + 1,
                j + 1
            ),
        );
        return None;
    }
    let area = ring_signed_area(&xy);
    if area == 0.0 {
        d.error(
            src,
            v.span.clone(),
            "the ring has no area; expected a polygon",
        );
        return None;
    }
    if exterior && area < 0.0 {
        d.warning(
            src,
            v.span.clone(),
            "the exterior ring runs clockwise; RFC 7946 expects counter-clockwise exterior rings",
        );
    }
    Some((xy, ll))
}

fn polygon(
    v: &JValue,
    crs: &Crs,
    src: &SourceFile,
    d: &mut Diagnostics,
) -> Option<(Polygon, Polygon)> {
    let Some(rings) = v.as_array().filter(|r| !r.is_empty()) else {
        d.error(
            src,
            v.span.clone(),
            "expected a polygon: an array of rings, the exterior first",
        );
        return None;
    };
    let (ext, ext_ll) = ring(&rings[0], crs, true, src, d)?;
    let mut holes = Vec::new();
    let mut holes_ll = Vec::new();
    for h in &rings[1..] {
        let (a, b) = ring(h, crs, false, src, d)?;
        holes.push(a);
        holes_ll.push(b);
    }
    // Checked with positions; from here on the rings are `geo` polygons.
    Some((
        geometry::polygon(&ext, &holes),
        geometry::polygon(&ext_ll, &holes_ll),
    ))
}

fn region(
    g: &JValue,
    crs: &Crs,
    src: &SourceFile,
    d: &mut Diagnostics,
) -> Option<(Region, Region)> {
    let ty = g.get("type").and_then(JValue::as_str);
    let Some(coords) = g.get("coordinates") else {
        d.error(src, g.span.clone(), "the geometry has no \"coordinates\"");
        return None;
    };
    let mut xy = Vec::new();
    let mut ll = Vec::new();
    match ty {
        Some("Polygon") => {
            let (a, b) = polygon(coords, crs, src, d)?;
            xy.push(a);
            ll.push(b);
        }
        Some("MultiPolygon") => {
            let Some(polys) = coords.as_array().filter(|p| !p.is_empty()) else {
                d.error(src, coords.span.clone(), "expected an array of polygons");
                return None;
            };
            for p in polys {
                let (a, b) = polygon(p, crs, src, d)?;
                xy.push(a);
                ll.push(b);
            }
        }
        other => {
            wrong_geometry(g, other, "Polygon or MultiPolygon for a grid", src, d);
            return None;
        }
    }
    Some((Region::new(xy), Region::new(ll)))
}

/// Reports a geometry type that does not fit the feature.
fn wrong_geometry(
    g: &JValue,
    found: Option<&str>,
    expected: &str,
    src: &SourceFile,
    d: &mut Diagnostics,
) {
    let span = g
        .get("type")
        .map(|t| t.span.clone())
        .unwrap_or(g.span.clone());
    let found = found
        .map(|s| format!("\"{s}\""))
        .unwrap_or("missing".into());
    d.error(
        src,
        span,
        format!("geometry type {found}; expected {expected}"),
    );
}

/// Reads `grids.geojson`. Each returned grid keeps the span of its `parent` value for later checks.
pub(crate) fn load_grids(
    src: &SourceFile,
    crs: &Crs,
    d: &mut Diagnostics,
) -> (Vec<Grid>, Vec<Range<usize>>) {
    let Some(feats) = features(src, d) else {
        return (Vec::new(), Vec::new());
    };
    let mut grids: Vec<Grid> = Vec::new();
    let mut parents: Vec<Option<(String, Range<usize>)>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut id_spans: Vec<Range<usize>> = Vec::new();
    for f in feats.as_array().unwrap_or(&[]) {
        let Some(feat) = feature(f, src, d) else {
            continue;
        };
        let props = Props {
            obj: feat.props,
            at: feat.span.start..feat.span.start + 1,
        };
        let id = props.req_str("id", src, d);
        let name = props.req_str("name", src, d);
        let name_en = props.opt_str("name_en", src, d).map(|x| x.0);
        let kind = match props.req_str("kind", src, d) {
            Some((k, span)) => match GridKind::from_name(&k) {
                Some(kind) => Some(kind),
                None => {
                    d.error(
                        src,
                        span,
                        format!(
                            "grid kind \"{k}\"; expected one of {}",
                            GridKind::NAMES.join(", ")
                        ),
                    );
                    None
                }
            },
            None => None,
        };
        let parent = props.opt_str("parent", src, d);
        let population = props.opt_num("population", 0.0, src, d).unwrap_or(0.0);
        let geo = feat.geometry.and_then(|g| region(g, crs, src, d));
        let rejected = id.as_ref().map(|(id, _)| id.clone());
        let (Some((id, id_span)), Some((name, _)), Some(kind), Some((region, region_lonlat))) =
            (id, name, kind, geo)
        else {
            if let Some(id) = rejected {
                d.reject("grid", &id);
            }
            continue;
        };
        if !valid_id(&id) {
            d.error(
                src,
                id_span.clone(),
                format!("grid id \"{id}\"; expected letters, digits, `_`, `-` or `.`"),
            );
            continue;
        }
        if let Some(&first) = index.get(&id) {
            let (line, _) = src.locate(id_spans[first].start);
            d.error(
                src,
                id_span,
                format!("grid id \"{id}\" is already used on line {line}; expected unique ids"),
            );
            continue;
        }
        index.insert(id.clone(), grids.len());
        id_spans.push(id_span);
        let area_km2 = region.area() / 1e6;
        grids.push(Grid {
            id,
            name,
            name_en,
            kind,
            parent: None,
            children: Vec::new(),
            population: population.min(u32::MAX as f64) as u32,
            region,
            region_lonlat,
            area_km2,
        });
        parents.push(parent);
    }
    // Parents resolve, kinds nest, and the hierarchy is one tree.
    let mut roots = Vec::new();
    for i in 0..grids.len() {
        match &parents[i] {
            None => roots.push(i),
            Some((p, span)) => match index.get(p) {
                None if d.is_rejected("grid", p) => {}
                None => d.error(
                    src,
                    span.clone(),
                    unknown("parent grid", p, grids.iter().map(|g| g.id.as_str())),
                ),
                Some(&pi) if pi == i => d.error(
                    src,
                    span.clone(),
                    format!("grid \"{p}\" is its own parent; expected the id of the grid above it"),
                ),
                Some(&pi) => {
                    let (k, pk) = (grids[i].kind, grids[pi].kind);
                    if !k.allowed_parents().contains(&pk) {
                        let allowed: Vec<&str> =
                            k.allowed_parents().iter().map(|k| k.name()).collect();
                        d.error(src, span.clone(), format!("a {} cannot sit under the {} \"{p}\"; expected a parent of kind {}", k.name(), pk.name(), allowed.join(" or ")));
                    }
                    grids[i].parent = Some(GridIdx(pi as u32));
                }
            },
        }
    }
    // Cycles: walking up from any grid must end at a root within n steps.
    for i in 0..grids.len() {
        let mut cur = i;
        let mut steps = 0;
        while let Some(p) = grids[cur].parent {
            cur = p.ix();
            steps += 1;
            if steps > grids.len() {
                if let Some((_, span)) = &parents[i] {
                    d.error(
                        src,
                        span.clone(),
                        format!(
                            "the parent chain of \"{}\" loops back on itself; expected a tree",
                            grids[i].id
                        ),
                    );
                }
                grids[i].parent = None;
                break;
            }
        }
    }
    if roots.len() > 1 {
        for &r in &roots[1..] {
            d.error(
                src,
                id_spans[r].clone(),
                format!("grid \"{}\" has no parent, but \"{}\" is already the root; expected one root and a parent for every other grid", grids[r].id, grids[roots[0]].id),
            );
        }
    } else if roots.is_empty() && !grids.is_empty() {
        d.error(
            src,
            0..1,
            "no grid without a parent; expected the town (or district) at the root",
        );
    }
    for i in 0..grids.len() {
        if let Some(p) = grids[i].parent {
            grids[p.ix()].children.push(GridIdx(i as u32));
        }
    }
    // A child should lie inside its parent (checked on its first vertex nudged inward).
    for i in 0..grids.len() {
        let Some(p) = grids[i].parent else { continue };
        let probe = grids[i].region.interior_point();
        if let Some(pt) = probe
            && !grids[p.ix()].region.contains(pt)
        {
            d.warning(src, id_spans[i].clone(), format!("grid \"{}\" lies outside its parent \"{}\"; expected children inside their parent", grids[i].id, grids[p.ix()].id));
        }
    }
    (grids, id_spans)
}

/// The lowest (most specific) grid whose region contains a point.
pub(crate) fn grid_at(grids: &[Grid], p: [f64; 2]) -> Option<GridIdx> {
    grids
        .iter()
        .enumerate()
        .filter(|(_, g)| g.region.contains(p))
        .max_by_key(|(_, g)| depth(grids, g))
        .map(|(i, _)| GridIdx(i as u32))
}

fn depth(grids: &[Grid], g: &Grid) -> usize {
    let mut n = 0;
    let mut cur = g.parent;
    while let Some(p) = cur {
        n += 1;
        if n > grids.len() {
            break;
        }
        cur = grids[p.ix()].parent;
    }
    n
}

/// Reads `sites.geojson`.
pub(crate) fn load_sites(
    src: &SourceFile,
    cfg: &ScenarioConfig,
    grids: &[Grid],
    d: &mut Diagnostics,
) -> Vec<Site> {
    let Some(feats) = features(src, d) else {
        return Vec::new();
    };
    let crs = &cfg.crs;
    let grid_index: HashMap<&str, u32> = grids
        .iter()
        .enumerate()
        .map(|(i, g)| (g.id.as_str(), i as u32))
        .collect();
    let mut sites: Vec<Site> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut works_refs: Vec<(usize, String, Range<usize>)> = Vec::new();
    for f in feats.as_array().unwrap_or(&[]) {
        let Some(feat) = feature(f, src, d) else {
            continue;
        };
        let props = Props {
            obj: feat.props,
            at: feat.span.start..feat.span.start + 1,
        };
        let id = props.req_str("id", src, d);
        let name = props.req_str("name", src, d);
        let kind = match props.req_str("kind", src, d) {
            Some((k, span)) => match SiteKind::from_name(&k) {
                Some(kind) => Some(kind),
                None => {
                    let all: Vec<&str> = SiteKind::ALL.iter().map(|k| k.name()).collect();
                    d.error(
                        src,
                        span,
                        format!("site kind \"{k}\"; expected one of {}", all.join(", ")),
                    );
                    None
                }
            },
            None => None,
        };
        let geometry = feat
            .geometry
            .and_then(|g| site_geometry(g, kind, crs, src, d));
        let rejected = id.as_ref().map(|(id, _)| id.clone());
        let (Some((id, id_span)), Some((name, _)), Some(kind), Some((geometry, geometry_lonlat))) =
            (id, name, kind, geometry)
        else {
            if let Some(id) = rejected {
                d.reject("site", &id);
            }
            continue;
        };
        if !valid_id(&id) {
            d.error(
                src,
                id_span.clone(),
                format!("site id \"{id}\"; expected letters, digits, `_`, `-` or `.`"),
            );
            continue;
        }
        if index.contains_key(&id) {
            d.error(
                src,
                id_span,
                format!("site id \"{id}\" is already used; expected unique ids"),
            );
            continue;
        }
        let grid = match props.opt_str("grid", src, d) {
            Some((g, span)) => match grid_index.get(g.as_str()) {
                Some(&gi) => {
                    if let SiteGeometry::Point(p) = geometry
                        && !grids[gi as usize].region.contains(p)
                    {
                        d.warning(
                            src,
                            span,
                            format!("site \"{id}\" lies outside its grid \"{g}\""),
                        );
                    }
                    Some(GridIdx(gi))
                }
                None => {
                    d.unknown_ref(src, span, "grid", &g, grids.iter().map(|g| g.id.as_str()));
                    None
                }
            },
            None if kind.is_line() => None,
            None => grid_at(grids, geometry.anchor()),
        };
        if let Some((w, span)) = props.opt_str("work", src, d) {
            works_refs.push((sites.len(), w, span));
        } else if kind == SiteKind::SmartStone {
            d.error(
                src,
                id_span.clone(),
                format!(
                    "smart stone \"{id}\" has no \"work\"; expected the id of the works it guards"
                ),
            );
        }
        let mut stock = Vec::new();
        if let Some(s) = props.get("stock") {
            match &s.kind {
                JKind::Obj(members) => {
                    for (m, kspan, v) in members {
                        let Some(mi) = cfg.material(m) else {
                            d.unknown_ref(
                                src,
                                kspan.clone(),
                                "material",
                                m,
                                cfg.materials.iter().map(|m| m.id.as_str()),
                            );
                            continue;
                        };
                        match v.as_f64() {
                            Some(q) if q >= 0.0 => stock.push((mi, q)),
                            _ => d.error(
                                src,
                                v.span.clone(),
                                format!(
                                    "stock of \"{m}\" is {}, expected a quantity ≥ 0",
                                    describe(v)
                                ),
                            ),
                        }
                    }
                }
                _ => d.error(
                    src,
                    s.span.clone(),
                    format!(
                        "\"stock\" is {}, expected an object {{material id: quantity}}",
                        s.kind_name()
                    ),
                ),
            }
        }
        stock.sort_by_key(|(m, _): &(MaterialIdx, f64)| *m);
        let mut capacity = ShelterCapacity::default();
        if let Some(c) = props.get("capacity") {
            match &c.kind {
                JKind::Obj(members) => {
                    for (k, kspan, v) in members {
                        let n = match v.as_f64() {
                            Some(n) if n >= 0.0 && n.fract() == 0.0 => n as u32,
                            _ => {
                                d.error(
                                    src,
                                    v.span.clone(),
                                    format!(
                                        "capacity \"{k}\" is {}, expected a whole number of beds",
                                        describe(v)
                                    ),
                                );
                                continue;
                            }
                        };
                        match k.as_str() {
                            "men" => capacity.men = n,
                            "women" => capacity.women = n,
                            "children" => capacity.children = n,
                            _ => d.error(
                                src,
                                kspan.clone(),
                                format!(
                                    "capacity category \"{k}\"; expected men, women or children"
                                ),
                            ),
                        }
                    }
                }
                JKind::Num(n) if *n >= 0.0 => {
                    let n = *n as u32;
                    capacity = ShelterCapacity {
                        men: n / 2,
                        women: n - n / 2,
                        children: 0,
                    };
                }
                _ => d.error(
                    src,
                    c.span.clone(),
                    "\"capacity\" expected an object {\"men\": n, \"women\": n, \"children\": n}",
                ),
            }
        }
        if kind == SiteKind::Shelter && capacity.total() == 0 {
            d.warning(src, id_span.clone(), format!("shelter \"{id}\" has no capacity; expected {{\"men\": n, \"women\": n, \"children\": n}}"));
        }
        index.insert(id.clone(), sites.len());
        sites.push(Site {
            id,
            name,
            kind,
            geometry,
            geometry_lonlat,
            grid,
            chainage_km: props.opt_num("chainage_km", f64::MIN, src, d),
            work: None,
            stock,
            capacity,
            boats: props.opt_num("boats", 0.0, src, d).unwrap_or(0.0) as u32,
            crest_m: props.opt_num("crest_m", f64::MIN, src, d),
            road_class: props.opt_str("class", src, d).map(|x| x.0),
        });
    }
    for (i, w, span) in works_refs {
        match index.get(&w) {
            Some(&wi) if sites[wi].kind.is_works() => sites[i].work = Some(SiteIdx(wi as u32)),
            Some(&wi) => d.error(
                src,
                span,
                format!(
                    "\"work\" names \"{w}\", a {}; expected a works or control_works site",
                    sites[wi].kind.name()
                ),
            ),
            None => d.error(
                src,
                span,
                unknown(
                    "works",
                    &w,
                    sites
                        .iter()
                        .filter(|s| s.kind.is_works())
                        .map(|s| s.id.as_str()),
                ),
            ),
        }
    }
    sites
}

fn site_geometry(
    g: &JValue,
    kind: Option<SiteKind>,
    crs: &Crs,
    src: &SourceFile,
    d: &mut Diagnostics,
) -> Option<(SiteGeometry, SiteGeometry)> {
    let ty = g.get("type").and_then(JValue::as_str);
    let Some(coords) = g.get("coordinates") else {
        d.error(src, g.span.clone(), "the geometry has no \"coordinates\"");
        return None;
    };
    match ty {
        Some("Point") => {
            if kind.is_some_and(SiteKind::is_line) {
                d.error(
                    src,
                    g.span.clone(),
                    format!(
                        "a {} is a line; expected a LineString",
                        kind.map(|k| k.name()).unwrap_or("")
                    ),
                );
                return None;
            }
            let (xy, ll) = position(coords, crs, src, d)?;
            Some((SiteGeometry::Point(xy), SiteGeometry::Point(ll)))
        }
        Some("LineString") => {
            let Some(items) = coords.as_array().filter(|a| a.len() >= 2) else {
                d.error(
                    src,
                    coords.span.clone(),
                    "expected a LineString of at least 2 positions",
                );
                return None;
            };
            let mut xy = Vec::new();
            let mut ll = Vec::new();
            for p in items {
                let (a, b) = position(p, crs, src, d)?;
                xy.push(a);
                ll.push(b);
            }
            Some((SiteGeometry::Line(xy), SiteGeometry::Line(ll)))
        }
        other => {
            wrong_geometry(g, other, "Point or LineString for a site", src, d);
            None
        }
    }
}
