//! What the engine makes once at build and every assessment reads: per-instruction candidate
//! items and instance ids, the shared cards and strings an assessment copies by pointer, the Fx
//! hash of its indexes, and the flood atlas set up from the scenario's river and stations.

use std::collections::HashMap;
use std::sync::Arc;

use super::types::{InstructionCard, PersonCard, Target};
use crate::response::EvacuationNames;
use floodgrid_flood::{FloodAtlas, RiverRatings};
use floodgrid_model::grid::{GridIdx, ResidentKind, SiteKind};
use floodgrid_model::plan::ForEach;
use floodgrid_scenario::Scenario;

/// Per-instruction data kept from build to build.
#[derive(Debug, Clone)]
pub(super) struct Compiled {
    /// Items the static facts allow (indices into the for_each collection); all for hazards.
    pub(super) candidates: Vec<u32>,
    /// The instance id of each candidate (`instruction@item`), made once.
    pub(super) keys: Vec<Arc<str>>,
}

/// The Fx hash (as in rustc): fast for the small integer keys of an assessment's indexes, whose
/// iteration order is never used.
#[derive(Default, Clone, Copy)]
pub(super) struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.add(u64::from(b));
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(super) type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// Ids, names, titles and cards an assessment copies, made once per engine.
#[derive(Debug, Clone, Default)]
pub(super) struct Names {
    /// Grid, site and person ids and person names (shared with the evacuation planner).
    pub(super) evac: EvacuationNames,
    /// By person index.
    pub(super) people: Vec<Arc<PersonCard>>,
    pub(super) material_ids: Vec<Arc<str>>,
    /// By instruction index.
    pub(super) instructions: Vec<Arc<InstructionCard>>,
    /// Instruction ids (the instance id of an instruction without `for_each`).
    pub(super) instruction_ids: Vec<Arc<str>>,
    /// Whether any instruction depends on this one.
    pub(super) depended: Vec<bool>,
    /// Targets of the static `for_each` items.
    pub(super) grid_targets: Vec<Arc<Target>>,
    pub(super) site_targets: Vec<Arc<Target>>,
    pub(super) person_targets: Vec<Arc<Target>>,
    /// By resident index.
    pub(super) resident_targets: Vec<Arc<Target>>,
}

impl Names {
    pub(super) fn new(sc: &Scenario) -> Names {
        let shared = |s: &str| Arc::<str>::from(s);
        let target = |kind: ForEach, id: &str, name: &str| {
            Arc::new(Target {
                kind,
                id: id.to_string(),
                name: name.to_string(),
            })
        };
        let grid_id = |g: GridIdx| sc.grids.get(g.ix()).map_or("", |x| x.id.as_str());
        Names {
            evac: EvacuationNames {
                grid_ids: sc.grids.iter().map(|g| shared(&g.id)).collect(),
                site_ids: sc.sites.iter().map(|s| shared(&s.id)).collect(),
                person_ids: sc.people.iter().map(|p| shared(&p.id)).collect(),
                person_names: sc.people.iter().map(|p| shared(&p.name)).collect(),
            },
            people: sc
                .people
                .iter()
                .map(|p| {
                    Arc::new(PersonCard {
                        id: p.id.clone(),
                        name: p.name.clone(),
                        role: sc
                            .config
                            .roles
                            .get(p.role.ix())
                            .map(|r| r.id.clone())
                            .unwrap_or_default(),
                        grid: grid_id(p.grid).to_string(),
                        phone: p.phone.clone(),
                    })
                })
                .collect(),
            material_ids: sc.config.materials.iter().map(|m| shared(&m.id)).collect(),
            instructions: sc
                .plan
                .instructions
                .iter()
                .map(|i| {
                    Arc::new(InstructionCard {
                        instruction: i.id.clone(),
                        title: i.title.clone(),
                        title_en: i.title_en.clone(),
                        category: sc
                            .plan
                            .categories
                            .get(i.category.0 as usize)
                            .map(|c| c.id.clone())
                            .unwrap_or_default(),
                        phase: i.phase,
                        priority: i.priority,
                    })
                })
                .collect(),
            instruction_ids: sc.plan.instructions.iter().map(|i| shared(&i.id)).collect(),
            depended: {
                let mut d = vec![false; sc.plan.instructions.len()];
                for dep in sc.plan.instructions.iter().flat_map(|i| &i.depends_on) {
                    if let Some(x) = d.get_mut(dep.0 as usize) {
                        *x = true;
                    }
                }
                d
            },
            grid_targets: sc
                .grids
                .iter()
                .map(|g| target(ForEach::Grid, &g.id, &g.name))
                .collect(),
            site_targets: sc
                .sites
                .iter()
                .map(|s| target(ForEach::Site, &s.id, &s.name))
                .collect(),
            person_targets: sc
                .people
                .iter()
                .map(|p| target(ForEach::Person, &p.id, &p.name))
                .collect(),
            resident_targets: sc
                .residents
                .iter()
                .map(|r| {
                    let kind = match r.kind {
                        ResidentKind::KeyPerson { .. } => ForEach::KeyPerson,
                        ResidentKind::Household { .. } => ForEach::Household,
                    };
                    target(kind, &r.id, &r.name)
                })
                .collect(),
        }
    }
}

/// The atlas of a scenario: the river centreline from `sites.geojson`, each station placed at its
/// nearest point along it.
pub(super) fn build_atlas(scenario: &Scenario) -> FloodAtlas {
    let lines = floodgrid_model::grid::lines_of(&scenario.sites, SiteKind::River);
    let chain = floodgrid_model::grid::line_strings_of(&scenario.sites, SiteKind::River);
    let river: Vec<Vec<[f64; 2]>> = lines.into_iter().map(<[[f64; 2]]>::to_vec).collect();
    let mut stations: Vec<(f64, floodgrid_model::hydro::RatingCurve)> = scenario
        .config
        .stations
        .iter()
        .map(|st| {
            let along = floodgrid_model::grid::geometry::nearest_along(st.xy, &chain)
                .map_or(0.0, |n| n.along);
            (along, st.rating.clone())
        })
        .collect();
    stations.sort_by(|a, b| a.0.total_cmp(&b.0));
    FloodAtlas::build(&scenario.dem, &river, &RiverRatings { stations })
}
