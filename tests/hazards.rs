//! Hazards by kind over the bundled plan: a public-safety report goes to public-safety work,
//! never to the engineering crews and materials a failure of the dike calls out.

mod common;

use std::collections::BTreeSet;

use floodgrid_engine::assess::{Assessment, Engine, Hazard, Situation};
use floodgrid_engine::grid::GridIdx;
use floodgrid_engine::hazard::HazardKind;
use floodgrid_engine::scenario::Scenario;

/// Discharges from quiet water to the design flood (every warning level).
const SWEEP: [f64; 5] = [3_000.0, 5_000.0, 8_000.0, 12_000.0, 22_000.0];

fn assess(e: &Engine, q: f64, hazard: Option<(HazardKind, GridIdx, u8)>) -> Assessment {
    let mut s = Situation::at_discharge(q);
    if let Some((kind, grid, severity)) = hazard {
        s.hazards.push(Hazard {
            id: "h1".into(),
            kind,
            site: None,
            grid,
            severity,
        });
    }
    e.assess(&s).expect("a valid situation")
}

/// The instances a hazard adds to the assessment without it: (instance id, category,
/// draws materials).
fn added(
    e: &Engine,
    q: f64,
    kind: HazardKind,
    grid: GridIdx,
    severity: u8,
) -> Vec<(String, String, bool)> {
    let plan = &e.scenario().plan;
    let base: BTreeSet<String> = assess(e, q, None)
        .tasks
        .iter()
        .map(|t| t.id.to_string())
        .collect();
    assess(e, q, Some((kind, grid, severity)))
        .tasks
        .iter()
        .filter(|t| !base.contains(&*t.id))
        .map(|t| {
            let materials = plan
                .instruction(&t.card.instruction)
                .and_then(|i| plan.instructions.get(i.0 as usize))
                .is_some_and(|i| !i.materials.is_empty());
            (t.id.to_string(), t.card.category.clone(), materials)
        })
        .collect()
}

/// Engineering mobilisation is taken from the plan, not named here: the categories of the work
/// with materials that a failure of the dike body or works (an engineering hazard that does not
/// flood: piping, seepage, a slide, a collapse, root-stone loss) adds, at any discharge.
/// Over the whole sweep and every severity, a public-safety report (and every other hazard that
/// is not a failure of the dike) adds work, and none of it in those categories.
#[test]
fn a_public_safety_report_fires_no_engineering_mobilisation() {
    let e = Engine::build(Scenario::load(common::bundled()).expect("bundled")).expect("engine");
    let sc = e.scenario();
    let grid = GridIdx(
        sc.grids
            .iter()
            .position(|g| g.kind.name() == "grid")
            .expect("a grid") as u32,
    );
    let mut engineering: BTreeSet<String> = BTreeSet::new();
    for q in SWEEP {
        for kind in HazardKind::ALL
            .into_iter()
            .filter(|k| k.is_engineering() && !k.floods())
        {
            for (_, category, materials) in added(&e, q, kind, grid, kind.default_severity()) {
                if materials {
                    engineering.insert(category);
                }
            }
        }
    }
    assert!(
        !engineering.is_empty(),
        "the plan mobilises crews with materials for dike failures"
    );
    for q in SWEEP {
        // Whatever severity a report is given.
        for (kind, severity) in HazardKind::ALL
            .into_iter()
            .filter(|k| !k.is_engineering())
            .flat_map(|k| (1..=3).map(move |s| (k, s)))
        {
            let work = added(&e, q, kind, grid, severity);
            if kind == HazardKind::PublicSafety {
                assert!(
                    !work.is_empty(),
                    "a public-safety report at {q} m³/s is answered"
                );
            }
            for (id, category, _) in &work {
                assert!(
                    !engineering.contains(category),
                    "{kind:?} (severity {severity}) at {q} m³/s fires {id} of engineering category {category} \
                     (engineering: {engineering:?})"
                );
            }
        }
    }
}

/// Every `hazard_count.<kind>` name of the condition language is one kind of the hazard
/// vocabulary and every kind has one: the names come from the vocabulary.
#[test]
fn hazard_counts_follow_the_vocabulary() {
    use floodgrid_engine::plan::{HAZARD_KINDS, VARS, hazard_count_kind, var_by_name};
    let counted: BTreeSet<&str> = VARS
        .iter()
        .filter_map(|v| v.name.strip_prefix("hazard_count."))
        .collect();
    let kinds: BTreeSet<&str> = HAZARD_KINDS.iter().copied().collect();
    assert_eq!(counted, kinds);
    for k in HazardKind::ALL {
        let v = var_by_name(&format!("hazard_count.{}", k.name())).expect("a name");
        assert_eq!(hazard_count_kind(v), Some(k));
    }
}
