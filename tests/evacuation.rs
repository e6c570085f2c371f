//! The rule a commander relies on, over a whole rising flood: everyone whose home gets wet is
//! ordered out at least their lead time before the water arrives, or is named as unable to make
//! it with a reason; and every order due is on the to-do list of their grid (or their own task).

mod common;

use floodgrid_engine::assess::{Engine, EvacuationAudit};
use floodgrid_engine::scenario::Scenario;

/// Minutes between two assessments: within the scenario's order margin (1 h by default), as
/// the rule requires.
const STEP_MIN: f64 = 30.0;

/// A flood rising from 3,000 to the design flood of 22,000 m³/s in 48 hours, then holding.
const RISING: [(f64, f64); 3] = [
    (0.0, 3_000.0),
    (48.0 * 60.0, 22_000.0),
    (60.0 * 60.0, 22_000.0),
];

/// Runs the engine's audit (assessed every [`STEP_MIN`] along the hydrograph, the hydrograph
/// ahead as the forecast) and checks that the rule holds.
fn audit(engine: &Engine, hydrograph: &[(f64, f64)]) -> EvacuationAudit {
    let a = engine
        .evacuation_audit(hydrograph, STEP_MIN)
        .expect("a valid hydrograph");
    assert_eq!(a.late_count, 0, "ordered too late or never: {:?}", a.late);
    assert_eq!(
        a.uncovered_count, 0,
        "due but on no evacuation task: {:?}",
        a.uncovered
    );
    assert!(a.holds());
    a
}

#[test]
fn everyone_is_ordered_out_before_the_water_over_a_rising_flood() {
    let engine =
        Engine::build(Scenario::load(common::bundled()).expect("bundled")).expect("engine");
    let a = audit(&engine, &RISING);
    eprintln!(
        "rising flood: {} residents wet, {} ordered in time (ahead of the water: min {:.2} h, median {:.2} h), unable: {:?}",
        a.wet,
        a.in_time,
        a.min_ahead_h.unwrap_or(f64::NAN),
        a.median_ahead_h.unwrap_or(f64::NAN),
        a.unable_by_reason
    );
    assert!(
        a.wet > 1_000,
        "the flood reaches most of the floodplain: {}",
        a.wet
    );
    assert_eq!(
        a.in_time, a.wet,
        "two days' warning and the scenario's buses get everyone out in time: {:?}",
        a.unable_by_reason
    );
}

#[test]
fn a_sudden_rise_names_those_who_cannot_make_it() {
    let engine =
        Engine::build(Scenario::load(common::bundled()).expect("bundled")).expect("engine");
    // From 4,000 to 15,000 m³/s in 3 hours: the lowest homes flood before leaving is possible.
    let hydrograph = [(0.0, 4_000.0), (180.0, 15_000.0), (360.0, 15_000.0)];
    let a = audit(&engine, &hydrograph);
    eprintln!("sudden rise: unable {:?}", a.unable_by_reason);
    assert!(
        a.unable_by_reason
            .get("forecast_too_short")
            .copied()
            .unwrap_or(0)
            > 0,
        "a 3-hour rise is shorter than some lead times: {:?}",
        a.unable_by_reason
    );
}

/// The audit can fail: assessed only every 12 hours, orders fall due between two assessments
/// and reach some residents later than their lead time before the water.
#[test]
fn the_audit_catches_orders_given_too_late() {
    let engine =
        Engine::build(Scenario::load(common::bundled()).expect("bundled")).expect("engine");
    let a = engine
        .evacuation_audit(&RISING, 720.0)
        .expect("a valid hydrograph");
    eprintln!("every 12 h: {} of {} late", a.late_count, a.wet);
    assert!(a.late_count > 0, "{a:?}");
    assert!(!a.holds());
}
