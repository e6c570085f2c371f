//! The rule a commander relies on, over a whole rising flood: everyone whose home gets wet is
//! ordered out at least their lead time before the water arrives, or is named as unable to make
//! it with a reason; and every order due is on the to-do list of their grid (or their own task).

mod common;

use std::collections::HashMap;

use floodgrid_engine::assess::{Engine, Situation};
use floodgrid_engine::hydro::interpolate;
use floodgrid_engine::response::OrderStatus;
use floodgrid_engine::scenario::Scenario;

/// Minutes between two assessments: within the scenario's order margin (1 h by default), as
/// the rule requires.
const STEP_MIN: f64 = 30.0;

/// One resident's story over the flood.
#[derive(Debug, Default, Clone)]
struct Story {
    /// Minute of the first assessment that ordered them out.
    ordered_min: Option<f64>,
    /// Their lead time then, hours.
    lead_h: f64,
    /// Why they could not make it, when the plan said so at the order.
    unable: Vec<String>,
    /// Minute the water reached the home (the hydrograph crossing its wetting discharge).
    water_min: Option<f64>,
}

/// Runs the engine over `hydrograph` ((minute, m³/s)) every [`STEP_MIN`] with the hydrograph
/// ahead as the forecast, and checks the rule at every step; returns each resident's story.
fn run(engine: &Engine, hydrograph: &[(f64, f64)], category: &str) -> HashMap<String, Story> {
    let sc = engine.scenario();
    let end = hydrograph.last().unwrap().0;
    let wet = engine.resident_wet_discharge();
    let mut stories: HashMap<String, Story> = HashMap::new();
    let mut t = 0.0;
    while t <= end {
        let q = interpolate(hydrograph, t);
        let mut s = Situation::at_discharge(q);
        s.now_min = t;
        s.forecast_path = hydrograph
            .iter()
            .filter(|(m, _)| *m > t)
            .map(|&(m, q)| ((m - t) / 60.0, q))
            .collect();
        let a = engine.assess(&s).expect("a valid situation");
        // Grids and residents with an active evacuation task now.
        let mut covered_grids = std::collections::HashSet::new();
        let mut covered_residents = std::collections::HashSet::new();
        for task in a.tasks.iter().filter(|x| x.card.category == category) {
            covered_grids.insert(task.grid.to_string());
            if let Some(target) = &task.target {
                covered_residents.insert(target.id.to_string());
            }
        }
        for e in &a.evacuation.evacuees {
            let story = stories.entry(e.card.resident.clone()).or_default();
            if story.ordered_min.is_some() || e.status == OrderStatus::Later {
                continue;
            }
            story.ordered_min = Some(t);
            story.lead_h = e.lead_h;
            story.unable = e.unable.iter().map(|u| format!("{u:?}")).collect();
            assert!(
                covered_grids.contains(&e.card.grid)
                    || covered_residents.contains(&e.card.resident),
                "minute {t}: {} is due but no {category} task covers grid {}",
                e.card.resident,
                e.card.grid
            );
        }
        t += STEP_MIN;
    }
    for (i, r) in sc.residents.iter().enumerate() {
        let w = f64::from(wet[i]);
        // The first minute the hydrograph reaches the home's wetting discharge.
        let mut water = None;
        let mut m = 0.0;
        while m <= end {
            if interpolate(hydrograph, m) >= w {
                water = Some(m);
                break;
            }
            m += 1.0;
        }
        if let Some(m) = water {
            stories.entry(r.id.clone()).or_default().water_min = Some(m);
        }
    }
    stories
}

/// Checks the rule and returns (ordered, unable by reason, minimum and median lead to spare in
/// hours).
fn check(stories: &HashMap<String, Story>) -> (usize, HashMap<String, usize>, f64, f64) {
    let mut spare = Vec::new();
    let mut unable: HashMap<String, usize> = HashMap::new();
    for (id, s) in stories {
        let Some(water) = s.water_min else { continue };
        let ordered = s
            .ordered_min
            .unwrap_or_else(|| panic!("{id}: the water comes at minute {water} but no order"));
        if !s.unable.is_empty() {
            for u in &s.unable {
                *unable.entry(u.clone()).or_default() += 1;
            }
            continue;
        }
        // Minute steps of the water time: allow one minute of rounding.
        let ahead_h = (water - ordered) / 60.0;
        assert!(
            ahead_h + 1.0 / 60.0 >= s.lead_h,
            "{id}: ordered at minute {ordered}, water at {water}: {ahead_h:.2} h ahead, lead {:.2} h",
            s.lead_h
        );
        spare.push(ahead_h);
    }
    spare.sort_by(f64::total_cmp);
    let min = spare.first().copied().unwrap_or(f64::NAN);
    let median = spare.get(spare.len() / 2).copied().unwrap_or(f64::NAN);
    (spare.len(), unable, min, median)
}

#[test]
fn everyone_is_ordered_out_before_the_water_over_a_rising_flood() {
    let engine =
        Engine::build(Scenario::load(common::bundled()).expect("bundled")).expect("engine");
    // A flood rising from 3,000 to the design flood of 22,000 m³/s in 48 hours, then holding.
    let hydrograph = [
        (0.0, 3_000.0),
        (48.0 * 60.0, 22_000.0),
        (60.0 * 60.0, 22_000.0),
    ];
    let stories = run(&engine, &hydrograph, "evacuation");
    let (ordered, unable, min, median) = check(&stories);
    let wet = stories.values().filter(|s| s.water_min.is_some()).count();
    eprintln!(
        "rising flood: {wet} residents wet, {ordered} ordered in time (lead to spare: min {min:.2} h, median {median:.2} h), unable: {unable:?}"
    );
    assert!(
        wet > 1_000,
        "the flood reaches most of the floodplain: {wet}"
    );
    assert_eq!(
        ordered, wet,
        "two days' warning and the scenario's buses get everyone out in time: {unable:?}"
    );
}

#[test]
fn a_sudden_rise_names_those_who_cannot_make_it() {
    let engine =
        Engine::build(Scenario::load(common::bundled()).expect("bundled")).expect("engine");
    // From 4,000 to 15,000 m³/s in 3 hours: the lowest homes flood before leaving is possible.
    let hydrograph = [(0.0, 4_000.0), (180.0, 15_000.0), (360.0, 15_000.0)];
    let stories = run(&engine, &hydrograph, "evacuation");
    let (_, unable, _, _) = check(&stories);
    eprintln!("sudden rise: unable {unable:?}");
    assert!(
        unable.get("ForecastTooShort").copied().unwrap_or(0) > 0,
        "a 3-hour rise is shorter than some lead times: {unable:?}"
    );
}
