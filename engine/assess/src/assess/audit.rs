//! The evacuation rule checked over a whole flood: the engine assessed at steps along a
//! hydrograph, with the hydrograph ahead as the forecast, as a command post would run it. Every
//! resident whose home gets wet must be ordered out at least their lead time before the water,
//! or named as unable to make it with a reason; every order due must be on the to-do list of the
//! resident's grid (or be the resident's own task). Used by the invariant tests and by
//! `floodgrid bench` on the scale scenario.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use floodgrid_model::hydro::{ArrivalClock, interpolate};
use floodgrid_model::plan::CategoryKind;

use super::{Engine, Situation, SituationError};
use crate::response::{OrderStatus, Unable};

/// The most assessments one audit runs (hydrograph length over step).
pub const MAX_AUDIT_STEPS: usize = 10_000;

/// What an audit found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EvacuationAudit {
    /// Assessments run.
    pub assessments: u32,
    /// Residents whose home the hydrograph wets.
    pub wet: u32,
    /// Of those, residents ordered out at least their lead time before the water.
    pub in_time: u32,
    /// Residents the plan named as unable to make it at their order.
    pub unable: u32,
    /// Those residents by reason (one resident may have several), by reason name.
    pub unable_by_reason: BTreeMap<String, u32>,
    /// Violations of the rule: wet residents never ordered, ordered later than their lead time
    /// before the water without being named unable, or first ordered when already cut off
    /// after the first assessment (resident ids, at most 100 listed).
    pub late: Vec<String>,
    /// How many violations in all.
    pub late_count: u32,
    /// Orders due that no task of the audited category covered (resident ids, at most 100).
    pub uncovered: Vec<String>,
    /// How many uncovered orders in all.
    pub uncovered_count: u32,
    /// Least hours between the order and the water among those in time.
    pub min_ahead_h: Option<f64>,
    /// Median of the same.
    pub median_ahead_h: Option<f64>,
}

impl EvacuationAudit {
    /// The rule holds: nobody late, every due order covered by a task.
    pub fn holds(&self) -> bool {
        self.late_count == 0 && self.uncovered_count == 0
    }
}

/// A resident's first order over the flood.
#[derive(Clone, Copy)]
struct Ordered {
    minute: f64,
    lead_h: f64,
    unable: bool,
}

impl Engine {
    /// Runs the engine along `hydrograph` ((minute, m³/s), ascending minutes) every `step_min`
    /// minutes with the hydrograph ahead as the forecast, and checks the evacuation rule (see
    /// the module docs); the evacuation tasks are those of the plan's categories of kind
    /// `evacuation`. The step should be at most the scenario's order margin, or
    /// orders can fall due between two assessments.
    pub fn evacuation_audit(
        &self,
        hydrograph: &[(f64, f64)],
        step_min: f64,
    ) -> Result<EvacuationAudit, SituationError> {
        let bad = |field: &'static str, value: f64, expected: &str| SituationError::OutOfRange {
            field,
            value,
            expected: expected.to_string(),
        };
        let Some(&(start, q0)) = hydrograph.first() else {
            return Err(bad("hydrograph", 0.0, "at least one point"));
        };
        let end = hydrograph.last().map_or(start, |p| p.0);
        if !(step_min.is_finite() && step_min > 0.0) {
            return Err(bad(
                "step_min",
                step_min,
                "a finite number of minutes above 0",
            ));
        }
        let steps = (end - start) / step_min;
        if !(steps.is_finite() && steps <= MAX_AUDIT_STEPS as f64) {
            return Err(bad(
                "step_min",
                step_min,
                &format!("at most {MAX_AUDIT_STEPS} steps over the hydrograph"),
            ));
        }
        let sc = self.scenario();
        let evacuation = sc.plan.category_ids(CategoryKind::Evacuation);
        let index: HashMap<&str, usize> = sc
            .residents
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let mut first: Vec<Option<Ordered>> = vec![None; sc.residents.len()];
        let mut audit = EvacuationAudit::default();
        let mut uncovered: Vec<usize> = Vec::new();
        for k in 0..=steps as usize {
            let t = start + k as f64 * step_min;
            let mut s = Situation::at_discharge(interpolate(hydrograph, t));
            s.now_min = t;
            s.forecast_path = hydrograph
                .iter()
                .filter(|(m, _)| *m > t)
                .map(|&(m, q)| ((m - t) / 60.0, q))
                .collect();
            let a = self.assess(&s)?;
            audit.assessments += 1;
            let mut grids: HashSet<&str> = HashSet::new();
            let mut targets: HashSet<&str> = HashSet::new();
            for task in a
                .tasks
                .iter()
                .filter(|x| evacuation.contains(&x.card.category.as_str()))
            {
                grids.insert(&task.grid);
                if let Some(target) = &task.target {
                    targets.insert(&target.id);
                }
            }
            for e in &a.evacuation.evacuees {
                let Some(&i) = index.get(e.card.resident.as_str()) else {
                    continue;
                };
                if first[i].is_some() || e.status == OrderStatus::Later {
                    continue;
                }
                // Cut off at a later assessment means the order came too late (the forecast
                // saw the water coming): a violation, not a reason. Only those already cut off
                // at the first assessment are named unable for it.
                let late_cut = k > 0 && e.unable.contains(Unable::CutOff);
                first[i] = Some(Ordered {
                    minute: t,
                    lead_h: e.lead_h,
                    unable: !e.unable.is_empty() && !late_cut,
                });
                if !e.unable.is_empty() && !late_cut {
                    audit.unable += 1;
                    for u in e.unable.iter() {
                        let name = serde_json::to_value(u)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default();
                        *audit.unable_by_reason.entry(name).or_default() += 1;
                    }
                }
                if !grids.contains(e.card.grid.as_str())
                    && !targets.contains(e.card.resident.as_str())
                {
                    uncovered.push(i);
                }
            }
        }
        // When the water reaches each home: the hydrograph's first crossing of its wetting
        // discharge.
        let path: Vec<(f64, f64)> = hydrograph
            .iter()
            .skip(1)
            .map(|&(m, q)| ((m - start) / 60.0, q))
            .collect();
        let clock = ArrivalClock::new(q0, &path);
        let wet = self.resident_wet_discharge();
        let mut ahead = Vec::new();
        let mut late = Vec::new();
        for (i, r) in sc.residents.iter().enumerate() {
            let Some(water_h) = wet
                .get(i)
                .filter(|w| w.is_finite())
                .and_then(|&w| clock.hours_to(f64::from(w)))
            else {
                continue;
            };
            audit.wet += 1;
            let water_min = start + water_h * 60.0;
            match first[i] {
                Some(o) if o.unable => {}
                Some(o) if (water_min - o.minute) / 60.0 + 1e-9 >= o.lead_h => {
                    audit.in_time += 1;
                    ahead.push((water_min - o.minute) / 60.0);
                }
                _ => late.push(r.id.clone()),
            }
        }
        ahead.sort_by(f64::total_cmp);
        audit.min_ahead_h = ahead.first().copied();
        audit.median_ahead_h = ahead.get(ahead.len() / 2).copied();
        audit.late_count = late.len() as u32;
        late.truncate(100);
        audit.late = late;
        audit.uncovered_count = uncovered.len() as u32;
        audit.uncovered = uncovered
            .into_iter()
            .take(100)
            .map(|i| sc.residents[i].id.clone())
            .collect();
        Ok(audit)
    }
}
