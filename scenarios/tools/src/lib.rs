//! # floodgrid-scengen
//!
//! The seeded generator of floodgrid scenarios. [`generate`] turns a [`Preset`] into a scenario
//! directory: `scenario.toml`, `grids.geojson`, `sites.geojson`, `people.csv`, `residents.csv`
//! and the DEM, byte-identical for the same preset and seed.
//!
//! - [`Preset::huayuankou`] is the bundled scenario under `scenarios/huayuankou` (花园口镇: a
//!   14.22 km reach of the Yellow River's south bank, 47.56 km², 68 grids + 4 dedicated grids,
//!   28 micro-grids, 294 staff, 249 smart stones on four works).
//! - [`Preset::scale`] stretches the same generator over a 58 km reach with eight towns, 5,000
//!   grids, 50,000 staff, 200,000 residents and a 4000×4000 GeoTIFF DEM, for benchmarks.
//!
//! How it is built: [`reach`] defines the river, floodplain, dikes and city side as smooth
//! functions of chainage plus seeded noise; a (chainage, level) mesh is cut into the grid
//! hierarchy so that neighbouring polygons share every vertex; the DEM is sampled from the
//! reach, and a priority flood over it gives each floodplain household its evacuation class.
//! Randomness comes from a SplitMix64 written out in this crate, so no dependency upgrade can
//! change a generated file.
//!
//! ```no_run
//! let preset = floodgrid_scengen::Preset::huayuankou();
//! let summary = floodgrid_scengen::generate(&preset, std::path::Path::new("/tmp/hyk")).unwrap();
//! println!("{summary}");
//! ```

use std::fmt;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use floodgrid_engine::crs::Crs;
use floodgrid_engine::flood::{write_ascii, write_geotiff};

mod geojson;
mod grids;
mod mesh;
mod names;
mod noise;
mod people;
mod preset;
pub mod reach;
mod residents;
mod rng;
mod scenario_toml;
mod sites;
mod terrain;

pub use grids::Kind;
pub use people::Role;
pub use preset::{
    AreaSpec, DemFormat, DemSpec, PeopleSpec, Preset, ReachSpec, StationSpec, TownSpec, WorksKind,
    WorksSpec,
};
pub use terrain::{REF_RATING, WettingCheck, discharge_for_stage};

/// What a generation produced.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Grid units per kind, in hierarchy order.
    pub grids_by_kind: Vec<(&'static str, usize)>,
    /// People per role.
    pub people_by_role: Vec<(&'static str, usize)>,
    /// Key persons.
    pub key_persons: usize,
    /// Households per evacuation class 1, 2, 3.
    pub households_by_class: [usize; 3],
    /// Sites per kind.
    pub sites_by_kind: Vec<(String, usize)>,
    /// Area of each town, km² (projected CRS).
    pub town_areas_km2: Vec<(String, f64)>,
    /// Total population over the towns.
    pub population: u64,
    /// How the terrain wets against the rating curves.
    pub wetting: WettingCheck,
    /// Files written with their sizes in bytes.
    pub files: Vec<(String, u64)>,
    /// Wall time per stage.
    pub timings: Vec<(&'static str, Duration)>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[(&str, usize)]| {
            v.iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(f, "grids:      {}", list(&self.grids_by_kind))?;
        writeln!(
            f,
            "people:     {} ({})",
            self.people_by_role.iter().map(|p| p.1).sum::<usize>(),
            list(&self.people_by_role)
        )?;
        let [c1, c2, c3] = self.households_by_class;
        writeln!(
            f,
            "residents:  {} key persons, {} households (class 1 {c1}, 2 {c2}, 3 {c3})",
            self.key_persons,
            c1 + c2 + c3
        )?;
        let sites: Vec<(&str, usize)> = self
            .sites_by_kind
            .iter()
            .map(|(k, n)| (k.as_str(), *n))
            .collect();
        writeln!(f, "sites:      {}", list(&sites))?;
        for (id, a) in &self.town_areas_km2 {
            writeln!(f, "area:       {id} {a:.3} km²")?;
        }
        writeln!(f, "population: {}", self.population)?;
        let w = &self.wetting;
        writeln!(
            f,
            "wetting:    floodplain from {:.0} m³/s (median {:.0}), polders from {:.0}, platforms from {:.0}, behind the main dike from {:.0}",
            w.floodplain_min_m3s,
            w.floodplain_median_m3s,
            w.polder_min_m3s,
            w.platform_min_m3s,
            w.city_min_m3s
        )?;
        for (name, size) in &self.files {
            writeln!(f, "file:       {name} {size} bytes")?;
        }
        let total: Duration = self.timings.iter().map(|t| t.1).sum();
        let times: Vec<String> = self
            .timings
            .iter()
            .map(|(k, d)| format!("{k} {:.2}s", d.as_secs_f64()))
            .collect();
        write!(
            f,
            "time:       {:.2}s ({})",
            total.as_secs_f64(),
            times.join(", ")
        )
    }
}

fn invalid(e: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// Solves the city-side width so the town covers the wanted area (the south edge moves in
/// parallel, so area grows exactly by offset × length).
fn fit_town_area(preset: &Preset, reach: &mut reach::Reach) {
    let (Some(target), Some(town)) = (preset.town_area_km2, preset.towns.first()) else {
        return;
    };
    reach.city_offset_m = 0.0;
    let levels = vec![
        mesh::Level::at(mesh::Anchor::Centre),
        mesh::Level::at(mesh::Anchor::South),
    ];
    let m = mesh::Mesh::new(
        reach,
        town.area.s0_m,
        town.area.s1_m,
        preset.mesh_step_m,
        &[],
        levels,
    );
    let area: f64 = (0..m.ni).map(|i| m.cell_area(m.cell(i, 0))).sum();
    reach.city_offset_m = (target * 1.0e6 - area) / (town.area.s1_m - town.area.s0_m);
}

/// Shoelace area of a ring, m² (positive when counter-clockwise).
fn ring_area(ring: &[(f64, f64)]) -> f64 {
    ring.windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum::<f64>()
        * 0.5
}

fn write_file(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    files: &mut Vec<(String, u64)>,
) -> io::Result<()> {
    fs::write(dir.join(name), bytes)?;
    files.push((name.to_string(), bytes.len() as u64));
    Ok(())
}

fn csv_field(s: &str) -> io::Result<&str> {
    if s.contains([',', '"', '\n']) {
        return Err(invalid(format!("CSV field needs quoting: {s}")));
    }
    Ok(s)
}

/// Generates a scenario into `out_dir` (created if missing). The plan is copied only when the
/// preset names one.
pub fn generate(preset: &Preset, out_dir: &Path) -> io::Result<Summary> {
    let mut summary = Summary::default();
    let mut clock = Instant::now();
    let mut lap = |summary: &mut Summary, name: &'static str| {
        summary.timings.push((name, clock.elapsed()));
        clock = Instant::now();
    };
    fs::create_dir_all(out_dir)?;
    let crs = Crs::from_epsg(4547).ok_or_else(|| invalid("EPSG:4547 unsupported".into()))?;

    let mut reach = reach::Reach::new(preset);
    fit_town_area(preset, &mut reach);
    let grids = grids::Grids::build(preset, &reach).map_err(invalid)?;
    lap(&mut summary, "grids");
    let dem = terrain::build_dem(&preset.dem, &reach);
    lap(&mut summary, "dem");
    let wet = terrain::Wetting::compute(&dem, &reach);
    summary.wetting = wet.check(&dem, &reach);
    lap(&mut summary, "wetting");
    let people = people::generate(preset, &grids);
    let residents = residents::generate(preset, &grids, &reach, &dem, &wet, &people);
    let sites = sites::generate(preset, &grids, &reach, &dem).map_err(invalid)?;
    let mut grids = grids;
    assign_population(preset, &mut grids, &residents);
    lap(&mut summary, "people, residents, sites");

    // grids.geojson
    let mut features = Vec::with_capacity(grids.units.len());
    for u in &grids.units {
        let ring_nodes = grids
            .mesh
            .outline(&u.cells)
            .map_err(|e| invalid(format!("{}: {e:?}", u.id)))?;
        let ring: Vec<(f64, f64)> = ring_nodes
            .iter()
            .map(|&(i, j)| grids.mesh.node(i, j))
            .collect();
        if matches!(u.kind, Kind::Town) {
            // Area as a reader computes it: from the written lon/lat, projected again.
            let back: Vec<(f64, f64)> = ring
                .iter()
                .map(|&(x, y)| {
                    let (lon, lat) = crs.inverse(x, y);
                    let r = |v: f64| (v * 1e7).round() / 1e7;
                    crs.forward(r(lon), r(lat))
                })
                .collect();
            summary
                .town_areas_km2
                .push((u.id.clone(), ring_area(&back) / 1.0e6));
        }
        let mut f = geojson::Feature {
            props: vec![
                ("id".into(), geojson::Json::s(&u.id)),
                ("name".into(), geojson::Json::s(&u.name)),
                ("name_en".into(), geojson::Json::s(&u.name_en)),
                ("kind".into(), geojson::Json::s(u.kind.as_str())),
            ],
            geometry: geojson::Geometry::Polygon(ring),
        };
        if let Some(p) = u.parent {
            f.props
                .push(("parent".into(), geojson::Json::s(&grids.units[p].id)));
        }
        if let Some(pop) = u.population {
            f.props
                .push(("population".into(), geojson::Json::Int(pop as i64)));
        }
        features.push(f);
    }
    let mut files = Vec::new();
    write_file(
        out_dir,
        "scenario.toml",
        scenario_toml::render(preset, &reach, &crs).as_bytes(),
        &mut files,
    )?;
    write_file(
        out_dir,
        "grids.geojson",
        geojson::collection(&crs, &features).as_bytes(),
        &mut files,
    )?;
    write_file(
        out_dir,
        "sites.geojson",
        geojson::collection(&crs, &sites).as_bytes(),
        &mut files,
    )?;

    // people.csv
    let mut text = String::from("id,name,role,team,grid,phone,skills,shift,capacity\n");
    for p in &people {
        let cap = p.capacity.map_or(String::new(), |c| c.to_string());
        let line = [
            p.id.as_str(),
            &p.name,
            p.role.id(),
            &p.team,
            &grids.units[p.grid].id,
            &p.phone,
            &p.skills.join(";"),
            p.shift,
            &cap,
        ];
        for (k, v) in line.iter().enumerate() {
            if k > 0 {
                text.push(',');
            }
            text.push_str(csv_field(v)?);
        }
        text.push('\n');
    }
    write_file(out_dir, "people.csv", text.as_bytes(), &mut files)?;

    // residents.csv
    let mut text =
        String::from("id,kind,category,evac_class,name,grid,lon,lat,size,phone,needs,guardian\n");
    for r in &residents {
        let (lon, lat) = crs.inverse(r.x, r.y);
        let kind = match r.kind {
            residents::ResidentKind::KeyPerson => "key_person",
            residents::ResidentKind::Household => "household",
        };
        let class = r.evac_class.map_or(String::new(), |c| c.to_string());
        let line = [
            r.id.as_str(),
            kind,
            r.category,
            &class,
            &r.name,
            &grids.units[r.grid].id,
            &format!("{lon:.7}"),
            &format!("{lat:.7}"),
            &r.size.to_string(),
            &r.phone,
            &r.needs,
            r.guardian.as_deref().unwrap_or(""),
        ];
        for (k, v) in line.iter().enumerate() {
            if k > 0 {
                text.push(',');
            }
            text.push_str(csv_field(v)?);
        }
        text.push('\n');
    }
    write_file(out_dir, "residents.csv", text.as_bytes(), &mut files)?;

    // The DEM.
    match preset.dem.format {
        DemFormat::Ascii => {
            let path = out_dir.join("dem.asc");
            let mut w = BufWriter::new(fs::File::create(&path)?);
            write_ascii(&dem, &mut w)?;
            w.flush()?;
            files.push(("dem.asc".into(), fs::metadata(&path)?.len()));
        }
        DemFormat::GeoTiff => {
            let path = out_dir.join("dem.tif");
            let mut w = BufWriter::new(fs::File::create(&path)?);
            write_geotiff(&dem, crs.epsg, &mut w).map_err(|e| invalid(e.to_string()))?;
            w.flush()?;
            files.push(("dem.tif".into(), fs::metadata(&path)?.len()));
        }
    }
    if let Some(src) = &preset.plan_source {
        copy_plan(src, &out_dir.join("plan"))?;
        files.push(("plan/".into(), 0));
    }
    lap(&mut summary, "write");

    let kinds = [
        Kind::District,
        Kind::Town,
        Kind::Village,
        Kind::Community,
        Kind::Grid,
        Kind::Micro,
        Kind::Dedicated,
    ];
    summary.grids_by_kind = kinds
        .iter()
        .map(|&k| (k.as_str(), grids.of_kind(k).count()))
        .filter(|&(_, n)| n > 0)
        .collect();
    summary.people_by_role = people::ROLES
        .iter()
        .map(|&r| (r.id(), people.iter().filter(|p| p.role == r).count()))
        .collect();
    for r in &residents {
        match r.evac_class {
            Some(c) => summary.households_by_class[usize::from(c.clamp(1, 3)) - 1] += 1,
            None => summary.key_persons += 1,
        }
    }
    let mut kinds_seen: Vec<(String, usize)> = Vec::new();
    for s in &sites {
        if let Some(geojson::Json::Str(k)) = s.get("kind") {
            match kinds_seen.iter_mut().find(|(n, _)| n == k) {
                Some(e) => e.1 += 1,
                None => kinds_seen.push((k.clone(), 1)),
            }
        }
    }
    summary.sites_by_kind = kinds_seen;
    summary.population = grids
        .of_kind(Kind::Town)
        .filter_map(|(_, u)| u.population)
        .sum();
    summary.files = files;
    Ok(summary)
}

/// Populations: micro-grids and rural grids from their households and key persons plus a seeded
/// registered population; parents sum their children.
fn assign_population(preset: &Preset, grids: &mut grids::Grids, residents: &[residents::Resident]) {
    let mut rng = rng::Rng::stream(preset.seed, "population");
    let mut own = vec![0u64; grids.units.len()];
    for r in residents {
        own[r.grid] += u64::from(r.size);
    }
    let n = grids.units.len();
    let mut pop = vec![0u64; n];
    for k in 0..n {
        let u = &grids.units[k];
        let leaf = grids.is_leaf(k);
        pop[k] = match u.kind {
            Kind::Micro => own[k] + 450 + rng.below(550) as u64,
            Kind::Grid if leaf && u.river_side => own[k] + rng.below(40) as u64,
            Kind::Grid if leaf => own[k] + 250 + rng.below(350) as u64,
            _ => 0,
        };
    }
    // Children come after parents: sum from the end.
    for k in (0..n).rev() {
        if let Some(p) = grids.units[k].parent
            && grids.units[k].kind != Kind::Dedicated
        {
            pop[p] += pop[k];
        }
    }
    for (k, u) in grids.units.iter_mut().enumerate() {
        u.population = Some(pop[k]);
    }
}

/// Copies a plan file or the `*.toml` files of a plan directory.
fn copy_plan(src: &Path, dst: &Path) -> io::Result<()> {
    if src.is_file() {
        fs::copy(src, dst.with_extension("toml"))?;
        return Ok(());
    }
    fs::create_dir_all(dst)?;
    let mut entries: Vec<_> = fs::read_dir(src)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.extension().is_some_and(|e| e == "toml")
            && let Some(name) = p.file_name()
        {
            fs::copy(&p, dst.join(name))?;
        }
    }
    Ok(())
}
