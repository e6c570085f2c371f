//! # floodgrid-scenario
//!
//! Loading and validating a scenario directory. Every file is read, every problem of every file
//! is reported in one pass as a [`Diagnostic`] with file, line and column; nothing here panics on
//! any input. A [`Scenario`] exists only when there are no errors.
//!
//! **Invariant**: ids in the typed structures are resolved to indices; the grid hierarchy is a
//! tree; `depends_on` is acyclic; thresholds rise; rating curves are monotone.

mod config;
mod diag;
mod drill_file;
mod geo_files;
pub mod json;
#[cfg(test)]
mod never_panic;
mod plan_file;
pub mod schema;
mod source;
mod tables;
mod toml_doc;

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use config::{Gauge, RawScenario, ScenarioConfig, ScenarioPaths, Station};
pub use diag::{Diagnostic, Diagnostics, Severity, render_diagnostics};
pub use drill_file::RawDrill;
pub use floodgrid_model::grid::geometry::interior_point;
pub use plan_file::RawPlanFile;
pub use source::SourceFile;
pub use tables::{PEOPLE_COLUMNS, RESIDENT_COLUMNS};

use floodgrid_flood::{Raster, read_ascii, read_geotiff_for};
use floodgrid_model::crs::Crs;
use floodgrid_model::drill::DrillScript;
use floodgrid_model::grid::{
    Grid, GridKind, Person, Resident, ResidentKind, Site, SiteGeometry, SiteKind,
};
use floodgrid_model::plan::Plan;

/// A loaded, checked scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The directory it was loaded from.
    pub dir: PathBuf,
    /// `scenario.toml`.
    pub config: ScenarioConfig,
    /// The plan.
    pub plan: Plan,
    /// Grids, in file order; parents and children resolved.
    pub grids: Vec<Grid>,
    /// Sites.
    pub sites: Vec<Site>,
    /// Personnel.
    pub people: Vec<Person>,
    /// Key persons and farm households.
    pub residents: Vec<Resident>,
    /// Terrain.
    pub dem: Raster,
    /// Drill scripts, by file name.
    pub drills: Vec<DrillScript>,
    /// Warnings found while loading.
    pub warnings: Vec<Diagnostic>,
}

/// How much a scenario holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Plan instructions.
    pub instructions: usize,
    /// Working grids: kind `grid` plus kind `dedicated` (not town, village, community or micro).
    pub grids: usize,
    /// Every feature of the grid map, all levels.
    pub grid_features: usize,
    /// Micro-grids.
    pub micro_grids: usize,
    /// Dedicated grids.
    pub dedicated_grids: usize,
    /// Personnel.
    pub people: usize,
    /// Key persons.
    pub key_persons: usize,
    /// Farm households.
    pub households: usize,
    /// Sites (all kinds, lines included).
    pub sites: usize,
    /// Smart-stone sensors.
    pub smart_stones: usize,
    /// DEM cells.
    pub dem_cells: usize,
    /// Drill scripts.
    pub drills: usize,
}

/// The result of checking a scenario: its diagnostics and counts, and the scenario when it has no
/// errors.
#[derive(Debug)]
pub struct CheckReport {
    /// Every problem found, errors and warnings, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// What was loaded (partial when there are errors).
    pub counts: Counts,
    /// The scenario, when there are no errors.
    pub scenario: Option<Scenario>,
}

impl CheckReport {
    /// Whether the scenario has no errors.
    pub fn ok(&self) -> bool {
        !self
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// A scenario that failed to load: its diagnostics.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the scenario has {} error(s); first: {}", self.error_count(), self.first())]
pub struct LoadError {
    /// Every problem found.
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadError {
    fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }
    fn first(&self) -> String {
        self.diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
            .map(|d| format!("{}:{}:{}: {}", d.file, d.line, d.column, d.message))
            .unwrap_or_default()
    }
}

/// What drill scripts need from the rest of the scenario.
pub(crate) struct ScenarioParts<'a> {
    pub crs: Option<Crs>,
    pub grids: &'a [Grid],
    pub sites: &'a [Site],
    pub people: &'a [Person],
    pub plan: &'a Plan,
    /// The most the river can carry, m³/s (the scenario's `max_discharge_m3s`); `None` when
    /// scenario.toml could not be read.
    pub max_discharge_m3s: Option<f64>,
}

impl Scenario {
    /// Loads and checks a scenario directory.
    ///
    /// ```
    /// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/huayuankou");
    /// let scenario = floodgrid_scenario::Scenario::load(dir).unwrap();
    /// assert!(scenario.plan.instructions.len() >= 300);
    /// ```
    pub fn load(dir: impl AsRef<Path>) -> Result<Scenario, LoadError> {
        let report = Scenario::check(dir);
        match report.scenario {
            Some(s) => Ok(s),
            None => Err(LoadError {
                diagnostics: report.diagnostics,
            }),
        }
    }

    /// Checks a scenario directory: every diagnostic of every file, the counts, and the scenario
    /// when there are no errors.
    pub fn check(dir: impl AsRef<Path>) -> CheckReport {
        let dir = dir.as_ref();
        let mut d = Diagnostics::default();
        let show = |name: &str| dir.join(name).display().to_string();
        let mut counts = Counts::default();

        let config_src = read_text(dir, "scenario.toml", &mut d);
        let config = config_src
            .as_ref()
            .and_then(|s| config::load_config(s, &mut d));

        // Plan: plan.toml, or a directory of *.toml.
        let plan_files = read_plan_files(
            dir,
            config.as_ref().and_then(|c| c.paths.plan.as_deref()),
            &mut d,
        );
        let plan = plan_file::load_plan(&plan_files, config.as_ref(), &mut d);
        counts.instructions = plan.instructions.len();

        let Some(cfg) = config else {
            // Without scenario.toml the rest cannot be checked for meaning; still report syntax.
            for name in ["grids.geojson", "sites.geojson"] {
                if let Some(src) = read_text(dir, name, &mut d)
                    && let Err(e) = json::parse_json(&src.text)
                {
                    d.error(
                        &src,
                        e.offset..e.offset + 1,
                        format!("JSON syntax: {}", e.message),
                    );
                }
            }
            return CheckReport {
                diagnostics: sorted(d),
                counts,
                scenario: None,
            };
        };

        let dem = if named_file_exists(dir, &cfg.paths.dem, config_src.as_ref(), "DEM", &mut d) {
            load_dem(dir, &cfg, config_src.as_ref(), &mut d)
        } else {
            None
        };
        let cs = config_src.as_ref();
        let (grids, grid_spans, grids_src) =
            match read_named(dir, &cfg.paths.grids, cs, "grid map", &mut d) {
                Some(src) => {
                    let (g, spans) = geo_files::load_grids(&src, &cfg.crs, &mut d);
                    (g, spans, Some(src))
                }
                None => {
                    d.reject_all("grid");
                    (Vec::new(), Vec::new(), None)
                }
            };
        let sites = read_named(dir, &cfg.paths.sites, cs, "sites", &mut d)
            .map(|src| {
                let sites = geo_files::load_sites(&src, &cfg, &grids, &mut d);
                // Without the river's line nothing can flood: every answer would be "dry".
                let river = sites
                    .iter()
                    .any(|s| s.kind == SiteKind::River && matches!(s.geometry, SiteGeometry::Line(_)));
                if !river && !d.is_rejected_kind("site") {
                    d.error(
                        &src,
                        0..0,
                        "no river: expected a feature with \"kind\": \"river\" and the centreline as a LineString, upstream first (without it nothing floods)",
                    );
                }
                sites
            })
            .unwrap_or_else(|| {
                d.reject_all("site");
                Vec::new()
            });
        let people = match read_named(dir, &cfg.paths.people, cs, "roster", &mut d) {
            Some(src) => tables::load_people(&src, &cfg, &grids, &mut d),
            None => {
                // Its error is above: no one in it is "unknown" later.
                d.reject_all("person");
                Vec::new()
            }
        };
        let residents = match read_named(dir, &cfg.paths.residents, cs, "residents' table", &mut d)
        {
            Some(src) => tables::load_residents(&src, &cfg, &grids, &people, &mut d),
            None => {
                d.reject_all("resident");
                Vec::new()
            }
        };

        // Everything on the map must lie on the terrain.
        if let (Some(dem), Some(src)) = (&dem, &grids_src) {
            let (w, s, e, n) = dem.bounds();
            for (g, span) in grids.iter().zip(&grid_spans) {
                let Some(b) = g.region.bbox else { continue };
                let (lo, hi) = (b.min(), b.max());
                if lo.x < w || lo.y < s || hi.x > e || hi.y > n {
                    d.error(
                        src,
                        span.clone(),
                        format!(
                            "grid \"{}\" reaches outside the DEM (grid {:.0}..{:.0} E, {:.0}..{:.0} N; DEM {w:.0}..{e:.0} E, {s:.0}..{n:.0} N); expected every grid on the terrain",
                            g.id, lo.x, hi.x, lo.y, hi.y
                        ),
                    );
                }
            }
            if let Some(src) = &config_src {
                for st in &cfg.stations {
                    if !dem.contains(st.xy[0], st.xy[1]) {
                        let span = find_span(src, &format!("\"{}\"", st.id));
                        d.error(src, span, format!("station \"{}\" at {:.5}, {:.5} lies outside the DEM; expected river stations on the terrain", st.id, st.lonlat[0], st.lonlat[1]));
                    }
                }
            }
        }
        cross_checks(dir, &cfg, &plan, &grids, &people, &mut d);

        let parts = ScenarioParts {
            crs: Some(cfg.crs),
            grids: &grids,
            sites: &sites,
            people: &people,
            plan: &plan,
            max_discharge_m3s: Some(cfg.gauge.max_discharge_m3s),
        };
        let mut drills = Vec::new();
        let drill_dir = dir.join(&cfg.paths.drills);
        if drill_dir.is_dir() {
            for name in sorted_toml_files(&drill_dir, &mut d, &show(&cfg.paths.drills)) {
                let rel = format!("{}/{}", cfg.paths.drills, name);
                if let Some(src) = read_text(dir, &rel, &mut d)
                    && let Some(script) =
                        drill_file::load_drill(&src, name.trim_end_matches(".toml"), &parts, &mut d)
                {
                    drills.push(script);
                }
            }
        }

        counts.grids = grids.iter().filter(|g| g.kind.is_working_grid()).count();
        counts.grid_features = grids.len();
        counts.micro_grids = grids.iter().filter(|g| g.kind == GridKind::Micro).count();
        counts.dedicated_grids = grids
            .iter()
            .filter(|g| g.kind == GridKind::Dedicated)
            .count();
        counts.people = people.len();
        counts.key_persons = residents
            .iter()
            .filter(|r| matches!(r.kind, ResidentKind::KeyPerson { .. }))
            .count();
        counts.households = residents
            .iter()
            .filter(|r| matches!(r.kind, ResidentKind::Household { .. }))
            .count();
        counts.sites = sites.len();
        counts.smart_stones = sites
            .iter()
            .filter(|s| s.kind == floodgrid_model::grid::SiteKind::SmartStone)
            .count();
        counts.dem_cells = dem.as_ref().map(Raster::len).unwrap_or(0);
        counts.drills = drills.len();

        let diagnostics = sorted(d);
        let ok = !diagnostics.iter().any(|x| x.severity == Severity::Error);
        let scenario = match (ok, dem) {
            (true, Some(dem)) => Some(Scenario {
                dir: dir.to_path_buf(),
                config: cfg,
                plan,
                grids,
                sites,
                people,
                residents,
                dem,
                drills,
                warnings: diagnostics.clone(),
            }),
            _ => None,
        };
        CheckReport {
            diagnostics,
            counts,
            scenario,
        }
    }
}

impl Scenario {
    /// Loads one drill script against this scenario (ids resolved), or its diagnostics.
    pub fn load_drill(&self, path: impl AsRef<Path>) -> Result<DrillScript, Vec<Diagnostic>> {
        let path = path.as_ref();
        let mut d = Diagnostics::default();
        let display = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                d.file(
                    Severity::Error,
                    display,
                    format!("cannot read the drill script: {e}"),
                );
                return Err(d.list);
            }
        };
        let src = SourceFile::new(display, text);
        let parts = ScenarioParts {
            crs: Some(self.config.crs),
            grids: &self.grids,
            sites: &self.sites,
            people: &self.people,
            plan: &self.plan,
            max_discharge_m3s: Some(self.config.gauge.max_discharge_m3s),
        };
        let id = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let script = drill_file::load_drill(&src, &id, &parts, &mut d);
        match script {
            Some(s) if !d.has_errors() => Ok(s),
            _ => Err(sorted(d)),
        }
    }
}

fn sorted(d: Diagnostics) -> Vec<Diagnostic> {
    let mut list = d.list;
    // Errors first (what stops the scenario), then warnings; each in file order.
    list.sort_by(|a, b| {
        (a.severity, a.file.as_str(), a.line, a.column).cmp(&(
            b.severity,
            b.file.as_str(),
            b.line,
            b.column,
        ))
    });
    // A `[defaults]` value shared by many instructions fails once, not once per instruction.
    list.dedup_by(|a, b| {
        a.file == b.file && a.line == b.line && a.column == b.column && a.message == b.message
    });
    list
}

/// Whether a file the scenario names exists; when it does not and scenario.toml names it, the
/// error points at that line (the mistake is the path), not at a file that is not there.
fn named_file_exists(
    dir: &Path,
    rel: &str,
    config: Option<&SourceFile>,
    what: &str,
    d: &mut Diagnostics,
) -> bool {
    let path = dir.join(rel);
    if path.exists() {
        return true;
    }
    let span = config.map(|c| (c, find_span(c, &format!("\"{rel}\""))));
    match span {
        Some((c, span)) if !span.is_empty() => d.error(
            c,
            span,
            format!(
                "the {what} `{rel}` is not in {}; expected a path relative to the scenario directory",
                dir.display()
            ),
        ),
        _ => d.file(
            Severity::Error,
            path.display().to_string(),
            format!("cannot find the {what}; expected this file (or its path in scenario.toml)"),
        ),
    }
    false
}

/// [`read_text`] for a file the scenario names, the missing case reported by
/// [`named_file_exists`].
fn read_named(
    dir: &Path,
    rel: &str,
    config: Option<&SourceFile>,
    what: &str,
    d: &mut Diagnostics,
) -> Option<SourceFile> {
    if named_file_exists(dir, rel, config, what, d) {
        read_text(dir, rel, d)
    } else {
        None
    }
}

fn find_span(src: &SourceFile, needle: &str) -> Range<usize> {
    match src.text.find(needle) {
        Some(i) => i..i + needle.len(),
        None => 0..0,
    }
}

/// Checks that span files: roles the plan needs have people, working grids have a leader.
fn cross_checks(
    dir: &Path,
    cfg: &ScenarioConfig,
    plan: &Plan,
    grids: &[Grid],
    people: &[Person],
    d: &mut Diagnostics,
) {
    // With rows of the roster (or the whole file) rejected above, "nobody has role X" would be a
    // follow-on of those errors, not news.
    if d.is_rejected_kind("person") || d.is_rejected_kind("grid") {
        return;
    }
    let mut staffed = vec![0usize; cfg.roles.len()];
    for p in people {
        if let Some(n) = staffed.get_mut(p.role.ix()) {
            *n += 1;
        }
    }
    let roster = dir.join(&cfg.paths.people).display().to_string();
    for (i, role) in cfg.roles.iter().enumerate() {
        let needed = plan
            .instructions
            .iter()
            .any(|ins| ins.roles.len() == 1 && ins.roles[0].ix() == i);
        if needed && staffed[i] == 0 {
            d.file(
                Severity::Warning,
                roster.clone(),
                format!(
                    "the plan needs role \"{}\" ({}) but nobody on the roster has it",
                    role.id, role.name
                ),
            );
        }
    }
    // A grid is led when someone of a grid-leading role is registered in it or in a grid above
    // it (one leader may cover several grids).
    let leading: Vec<&str> = cfg
        .roles
        .iter()
        .filter(|r| r.leads_grid)
        .map(|r| r.id.as_str())
        .collect();
    if !leading.is_empty() {
        let mut has = vec![false; grids.len()];
        for p in people
            .iter()
            .filter(|p| cfg.roles.get(p.role.ix()).is_some_and(|r| r.leads_grid))
        {
            if let Some(h) = has.get_mut(p.grid.ix()) {
                *h = true;
            }
        }
        let led = |g: usize| {
            let mut at = Some(g);
            let mut steps = 0;
            while let Some(x) = at {
                if has[x] {
                    return true;
                }
                steps += 1;
                if steps > grids.len() {
                    break;
                }
                at = grids[x].parent.map(|p| p.ix()).filter(|&p| p < grids.len());
            }
            false
        };
        let missing: Vec<&str> = grids
            .iter()
            .enumerate()
            .filter(|(i, g)| g.kind.is_working_grid() && !led(*i))
            .map(|(_, g)| g.id.as_str())
            .collect();
        if !missing.is_empty() {
            d.file(
                Severity::Warning,
                roster,
                format!(
                    "{} grid(s) have nobody of a grid-leading role ({}) in them or above them: {}",
                    missing.len(),
                    leading.join(", "),
                    missing
                        .iter()
                        .take(10)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
}

/// Reads a file's bytes; an unreadable file is a diagnostic.
fn read_bytes(path: &Path, display: &str, d: &mut Diagnostics) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Ok(b) => Some(b),
        Err(e) => {
            d.file(
                Severity::Error,
                display.to_string(),
                format!("cannot read the file: {e}"),
            );
            None
        }
    }
}

/// Reads a file as UTF-8 text; a missing or non-UTF-8 file is a diagnostic.
fn read_text(dir: &Path, rel: &str, d: &mut Diagnostics) -> Option<SourceFile> {
    let path = dir.join(rel);
    let display = path.display().to_string();
    let bytes = read_bytes(&path, &display, d)?;
    match String::from_utf8(bytes) {
        Ok(text) => Some(SourceFile::new(display, text)),
        Err(e) => {
            let good = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..good]).into_owned();
            let src = SourceFile::new(display, prefix);
            let at = src.text.len();
            d.error(&src, at..at, format!("the file is not UTF-8 text (byte {good}); expected UTF-8 — in Excel save as \"CSV UTF-8\", not GBK/ANSI"));
            None
        }
    }
}

fn sorted_toml_files(dir: &Path, d: &mut Diagnostics, show: &str) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml") && !n.starts_with('.'))
            .collect(),
        Err(e) => {
            d.file(
                Severity::Error,
                show.to_string(),
                format!("cannot list the directory: {e}"),
            );
            Vec::new()
        }
    };
    names.sort();
    names
}

fn read_plan_files(dir: &Path, configured: Option<&str>, d: &mut Diagnostics) -> Vec<SourceFile> {
    let candidates: Vec<&str> = match configured {
        Some(p) => vec![p],
        None => vec!["plan.toml", "plan"],
    };
    for rel in candidates {
        let path = dir.join(rel);
        if path.is_file() {
            return read_text(dir, rel, d).into_iter().collect();
        }
        if path.is_dir() {
            let names = sorted_toml_files(&path, d, &path.display().to_string());
            if names.is_empty() {
                d.file(
                    Severity::Error,
                    path.display().to_string(),
                    "the plan directory holds no *.toml files",
                );
            }
            return names
                .iter()
                .filter_map(|n| read_text(dir, &format!("{rel}/{n}"), d))
                .collect();
        }
    }
    d.file(
        Severity::Error,
        dir.join(configured.unwrap_or("plan.toml"))
            .display()
            .to_string(),
        "no plan: expected plan.toml or a plan/ directory of *.toml",
    );
    Vec::new()
}

fn load_dem(
    dir: &Path,
    cfg: &ScenarioConfig,
    config: Option<&SourceFile>,
    d: &mut Diagnostics,
) -> Option<Raster> {
    let rel = &cfg.paths.dem;
    let path = dir.join(rel);
    let display = path.display().to_string();
    // A problem of the file as a whole (binary, or all NODATA) is reported at the line of
    // scenario.toml that names it, with the file's path in the message.
    let whole_file = |d: &mut Diagnostics, severity: Severity, message: String| match config
        .map(|c| (c, find_span(c, &format!("\"{rel}\""))))
    {
        Some((c, span)) if !span.is_empty() => {
            d.at(severity, c, span, format!("{display}: {message}"));
        }
        _ => d.file(severity, display.clone(), message),
    };
    let lower = rel.to_ascii_lowercase();
    let raster = if lower.ends_with(".asc") {
        let src = read_text(dir, rel, d)?;
        match read_ascii(&src.text) {
            Ok(r) => r,
            Err(e) => {
                let len = src
                    .line_text(e.line)
                    .len()
                    .saturating_sub(e.column.saturating_sub(1))
                    .clamp(1, 12);
                d.at_line(
                    Severity::Error,
                    &src,
                    e.line.max(1),
                    e.column.max(1),
                    len,
                    e.message,
                );
                return None;
            }
        }
    } else if lower.ends_with(".tif") || lower.ends_with(".tiff") {
        let bytes = read_bytes(&path, &display, d)?;
        match read_geotiff_for(&bytes, Some(cfg.crs.epsg)) {
            Ok(g) => {
                if g.epsg.is_some_and(|e| e != cfg.crs.epsg) {
                    whole_file(
                        d,
                        Severity::Warning,
                        format!(
                            "the GeoTIFF says EPSG:{} but scenario.toml says EPSG:{}; the scenario's CRS is used",
                            g.epsg.unwrap_or(0),
                            cfg.crs.epsg
                        ),
                    );
                }
                g.raster
            }
            Err(e) => {
                whole_file(d, Severity::Error, e.message);
                return None;
            }
        }
    } else {
        d.file(
            Severity::Error,
            display,
            "unknown DEM format; expected an ESRI ASCII grid (.asc) or a GeoTIFF (.tif)",
        );
        return None;
    };
    let valid = raster.data.iter().filter(|v| v.is_finite()).count();
    if valid == 0 {
        whole_file(d, Severity::Error, "the DEM holds only NODATA cells".into());
        return None;
    }
    Some(raster)
}
