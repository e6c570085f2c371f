//! The after-action report: expected responses on time, late or missed; key persons and
//! households out before the water; dispatch → accept → done times; shortfalls; and three
//! strengths and three things to improve, derived from those figures.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::event::{Event, EventKind};
use super::session::{BreachRunFigures, Drill};
use floodgrid_model::drill::InjectKind;
use floodgrid_model::grid::ResidentKind;
use floodgrid_model::hydro::WarningLevel;

/// How an expected response went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Within the time allowed.
    OnTime,
    /// Done, but later than allowed.
    Late,
    /// Never done.
    Missed,
}

/// One expected response of one inject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectationResult {
    /// Inject minute.
    pub inject_min: f64,
    /// Inject kind.
    pub inject: String,
    /// Objective tested.
    pub objective: String,
    /// Instruction id or action kind expected.
    pub expected: String,
    /// Minutes allowed.
    pub within_min: f64,
    /// Minutes it took (None: missed).
    pub response_min: Option<f64>,
    /// Outcome.
    pub outcome: Outcome,
}

/// Evacuation against the water.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EvacuationResult {
    /// Key persons the water reached during the drill.
    pub key_persons_reached: u32,
    /// Of them, out before it did.
    pub key_persons_out_before: u32,
    /// Households the water reached.
    pub households_reached: u32,
    /// Of them, out before it did.
    pub households_out_before: u32,
}

/// Response times over all dispatched tasks, minutes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponseTimes {
    /// Tasks dispatched.
    pub dispatched: usize,
    /// Tasks done.
    pub done: usize,
    /// Tasks that went overdue.
    pub overdue: usize,
    /// Median minutes from dispatch to accept.
    pub accept_median_min: Option<f64>,
    /// 90th percentile, dispatch to accept.
    pub accept_p90_min: Option<f64>,
    /// Median minutes from dispatch to done.
    pub done_median_min: Option<f64>,
    /// 90th percentile, dispatch to done.
    pub done_p90_min: Option<f64>,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillReport {
    /// Drill name.
    pub name: String,
    /// Script file.
    pub script: String,
    /// Seed.
    pub seed: u64,
    /// Minutes simulated.
    pub duration_min: f64,
    /// Highest discharge, m³/s.
    pub peak_discharge_m3s: f64,
    /// Highest level.
    pub peak_level: WarningLevel,
    /// (minute, level) changes.
    pub levels: Vec<(f64, WarningLevel)>,
    /// Injects, level changes and the first dispatch/done of expected instructions.
    pub timeline: Vec<Event>,
    /// Every expectation.
    pub expectations: Vec<ExpectationResult>,
    /// On time / late / missed counts.
    pub on_time: usize,
    /// Late.
    pub late: usize,
    /// Missed.
    pub missed: usize,
    /// Score by objective, 0–100, weighted by the script's scoring.
    pub score: f64,
    /// Evacuation against the water.
    pub evacuation: EvacuationResult,
    /// Response times.
    pub response_times: ResponseTimes,
    /// Highest headcount short at any assessment.
    pub peak_people_short: u32,
    /// Highest number of material lines short.
    pub peak_material_lines_short: usize,
    /// The breach injects' 2D runs (empty without breaches). With a run, "out before the water"
    /// compares with the water's arrival at each home from the run (the atlas outside its
    /// window).
    #[serde(default)]
    pub breach_runs: Vec<BreachRunFigures>,
    /// Three strengths.
    pub strengths: Vec<String>,
    /// Three things to improve.
    pub improvements: Vec<String>,
}

fn percentile(v: &mut [f64], p: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let i = ((v.len() - 1) as f64 * p).round() as usize;
    Some((v[i] * 10.0).round() / 10.0)
}

/// Builds the report of a drill as it stands.
pub fn report(d: &Drill<'_>) -> DrillReport {
    let sc = d.engine().scenario();
    let script = d.script();
    let times = d.task_times();
    // Expectations.
    let mut expectations = Vec::new();
    for inj in &script.injects {
        for e in &inj.expect {
            let (expected, first) = if let Some(i) = e.instruction {
                // Already dispatched when the inject came counts as an immediate response.
                let id = sc.plan.instructions[i.0 as usize].id.clone();
                let first = times
                    .values()
                    .filter(|t| t.instruction == id)
                    .filter_map(|t| t.dispatched.or(t.done))
                    .fold(None, |a: Option<f64>, t| Some(a.map_or(t, |a| a.min(t))))
                    .map(|t| t.max(inj.at_min));
                (id, first)
            } else {
                let kind = e.action.clone().unwrap_or_default();
                let first = d
                    .actions()
                    .iter()
                    .filter(|(t, a, _)| *t >= inj.at_min && a.kind() == kind)
                    .map(|(t, _, _)| *t)
                    .fold(None, |a: Option<f64>, t| Some(a.map_or(t, |a| a.min(t))));
                (kind, first)
            };
            let response_min = first.map(|t| t - inj.at_min);
            let outcome = match response_min {
                Some(r) if r <= e.within_min => Outcome::OnTime,
                Some(_) => Outcome::Late,
                None => Outcome::Missed,
            };
            expectations.push(ExpectationResult {
                inject_min: inj.at_min,
                inject: inj.kind.name().to_string(),
                objective: inj.objective.clone().unwrap_or_default(),
                expected,
                within_min: e.within_min,
                response_min,
                outcome,
            });
        }
    }
    let count = |o: Outcome| expectations.iter().filter(|e| e.outcome == o).count();
    let (on_time, late, missed) = (
        count(Outcome::OnTime),
        count(Outcome::Late),
        count(Outcome::Missed),
    );
    // Score: per objective share of on-time (late counts half), weighted by the script.
    let mut objectives: Vec<String> = expectations.iter().map(|e| e.objective.clone()).collect();
    objectives.sort();
    objectives.dedup();
    let (mut num, mut den) = (0.0f64, 0.0f64);
    for o in &objectives {
        let of: Vec<&ExpectationResult> =
            expectations.iter().filter(|e| &e.objective == o).collect();
        let got: f64 = of
            .iter()
            .map(|e| match e.outcome {
                Outcome::OnTime => 1.0,
                Outcome::Late => 0.5,
                Outcome::Missed => 0.0,
            })
            .sum::<f64>()
            / of.len().max(1) as f64;
        let w = script.scoring.get(o).copied().unwrap_or(1.0);
        num += w * got;
        den += w;
    }
    let score = if den > 0.0 {
        (num / den * 1000.0).round() / 10.0
    } else {
        0.0
    };
    // Evacuation: out = an evacuation task in the resident's grid (or above it) done.
    // The water's arrival at each home: from the breach runs inside their windows (inject to
    // inject + horizon), from the atlas (the minute the discharge wet the home) outside them.
    let runs: Vec<_> = d
        .breach_runs()
        .iter()
        .filter(|r| r.figures.error.is_none())
        .collect();
    let mut evacuation = EvacuationResult::default();
    for (i, r) in sc.residents.iter().enumerate() {
        let atlas = d.water_reached().get(i).copied().flatten();
        let mut water = atlas.filter(|&t| {
            !runs.iter().any(|run| {
                let f = &run.figures;
                t >= f.inject_min && t <= f.inject_min + f.horizon_h * 60.0
            })
        });
        for run in &runs {
            let arrival = run.resident_arrival_h.get(i).copied().flatten();
            if let Some(h) = arrival {
                let t = run.figures.inject_min + h * 60.0;
                if t <= d.now_min() {
                    water = Some(water.map_or(t, |w: f64| w.min(t)));
                }
            }
        }
        let Some(water) = water else {
            continue;
        };
        let mut grids = vec![sc.grids[r.grid.ix()].id.as_str()];
        let mut cur = sc.grids[r.grid.ix()].parent;
        while let Some(p) = cur {
            if grids.len() > sc.grids.len() {
                break;
            }
            grids.push(&sc.grids[p.ix()].id);
            cur = sc.grids[p.ix()].parent;
        }
        let out = times
            .values()
            .filter(|t| t.category == "evacuation" && grids.contains(&t.grid.as_str()))
            .filter_map(|t| t.done)
            .fold(None, |a: Option<f64>, t| Some(a.map_or(t, |a| a.min(t))));
        let before = out.is_some_and(|o| o <= water);
        match r.kind {
            ResidentKind::KeyPerson { .. } => {
                evacuation.key_persons_reached += 1;
                evacuation.key_persons_out_before += u32::from(before);
            }
            ResidentKind::Household { .. } => {
                evacuation.households_reached += 1;
                evacuation.households_out_before += u32::from(before);
            }
        }
    }
    // Response times.
    let mut accept: Vec<f64> = times
        .values()
        .filter_map(|t| Some(t.accepted? - t.dispatched?))
        .collect();
    let mut done: Vec<f64> = times
        .values()
        .filter_map(|t| Some(t.done? - t.dispatched?))
        .collect();
    let response_times = ResponseTimes {
        dispatched: times.values().filter(|t| t.dispatched.is_some()).count(),
        done: times.values().filter(|t| t.done.is_some()).count(),
        overdue: times.values().filter(|t| t.overdue.is_some()).count(),
        accept_median_min: percentile(&mut accept, 0.5),
        accept_p90_min: percentile(&mut accept, 0.9),
        done_median_min: percentile(&mut done, 0.5),
        done_p90_min: percentile(&mut done, 0.9),
    };
    let expected_ids: Vec<&str> = expectations.iter().map(|e| e.expected.as_str()).collect();
    let timeline: Vec<Event> = d
        .events()
        .iter()
        .filter(|e| match e.kind {
            EventKind::Inject
            | EventKind::Level
            | EventKind::AlarmAcknowledged
            | EventKind::Pushed => true,
            EventKind::Dispatched | EventKind::Done | EventKind::Report => {
                e.task.as_deref().is_some_and(|t| {
                    expected_ids
                        .iter()
                        .any(|x| t == *x || t.starts_with(&format!("{x}@")))
                })
            }
            _ => false,
        })
        .cloned()
        .collect();
    let (peak_q, peak_people, peak_mat) = d.peaks();
    let peak_level = d
        .levels()
        .iter()
        .map(|l| l.1)
        .max()
        .unwrap_or(WarningLevel::None);
    let mut r = DrillReport {
        name: script.name.clone(),
        script: script.file.clone(),
        seed: script.seed,
        duration_min: d.now_min(),
        peak_discharge_m3s: peak_q,
        peak_level,
        levels: d.levels().to_vec(),
        timeline,
        expectations,
        on_time,
        late,
        missed,
        score,
        evacuation,
        response_times,
        peak_people_short: peak_people,
        peak_material_lines_short: peak_mat,
        breach_runs: d.breach_runs().iter().map(|r| r.figures.clone()).collect(),
        strengths: Vec::new(),
        improvements: Vec::new(),
    };
    let (s, i) = judge(
        &r,
        script
            .injects
            .iter()
            .any(|x| x.kind == InjectKind::SmartStoneAlarm),
        d.acknowledged().len(),
    );
    r.strengths = s;
    r.improvements = i;
    r
}

/// Three strengths and three improvements, from the figures: each candidate statement has a
/// measure; the best-scoring go to strengths, the worst to improvements.
fn judge(r: &DrillReport, had_alarms: bool, acks: usize) -> (Vec<String>, Vec<String>) {
    let total = r.expectations.len().max(1) as f64;
    let mut c: Vec<(f64, String, String)> = Vec::new(); // (score 0..1, strength text, improvement text)
    c.push((
        r.on_time as f64 / total,
        format!("{} of {} expected responses were on time", r.on_time, r.expectations.len()),
        format!("{} expected responses were late and {} missed; rehearse the first actions of each inject", r.late, r.missed),
    ));
    let kp = r.evacuation.key_persons_reached.max(1) as f64;
    c.push((
        f64::from(r.evacuation.key_persons_out_before) / kp,
        format!("{} of {} key persons the water reached were out before it", r.evacuation.key_persons_out_before, r.evacuation.key_persons_reached),
        format!("only {} of {} key persons reached by the water were out in time; start key-person transfers at the earlier level", r.evacuation.key_persons_out_before, r.evacuation.key_persons_reached),
    ));
    let hh = r.evacuation.households_reached.max(1) as f64;
    c.push((
        f64::from(r.evacuation.households_out_before) / hh,
        format!("{} of {} floodplain households reached by the water were out before it", r.evacuation.households_out_before, r.evacuation.households_reached),
        format!("{} of {} households were still in place when the water came; push class-1 notices sooner", r.evacuation.households_reached - r.evacuation.households_out_before, r.evacuation.households_reached),
    ));
    if let Some(m) = r.response_times.accept_median_min {
        c.push((
            (1.0 - m / 30.0).clamp(0.0, 1.0),
            format!("assignees accepted within {m} minutes (median) of dispatch"),
            format!(
                "acceptance took {m} minutes (median, p90 {}); check the app's notification path",
                r.response_times.accept_p90_min.unwrap_or(m)
            ),
        ));
    }
    let disp = r.response_times.dispatched.max(1) as f64;
    c.push((
        1.0 - r.response_times.overdue as f64 / disp,
        format!(
            "{} of {} dispatched tasks stayed within their deadlines",
            r.response_times
                .dispatched
                .saturating_sub(r.response_times.overdue),
            r.response_times.dispatched
        ),
        format!(
            "{} tasks went past their deadlines; dispatch earlier or add staff",
            r.response_times.overdue
        ),
    ));
    c.push((
        1.0 / (1.0 + f64::from(r.peak_people_short) / 50.0),
        format!("staffing held: at most {} people short", r.peak_people_short),
        format!("up to {} people short at the peak; request reinforcements (support troops, professional crews) earlier", r.peak_people_short),
    ));
    if had_alarms {
        c.push((
            if acks > 0 { 1.0 } else { 0.0 },
            format!("smart-stone alarms were acknowledged ({acks})"),
            "smart-stone alarms were not acknowledged on the console".to_string(),
        ));
    }
    let mut order: Vec<usize> = (0..c.len()).collect();
    order.sort_by(|&a, &b| c[b].0.total_cmp(&c[a].0).then(a.cmp(&b)));
    let strengths = order.iter().take(3).map(|&i| c[i].1.clone()).collect();
    let improvements = order
        .iter()
        .rev()
        .take(3)
        .map(|&i| c[i].2.clone())
        .collect();
    (strengths, improvements)
}

impl DrillReport {
    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# 演练评估报告 After-action report: {}\n", self.name);
        let _ = writeln!(s, "- script: `{}`, seed {}", self.script, self.seed);
        let _ = writeln!(
            s,
            "- simulated: {:.0} min; peak {:.0} m³/s, peak level {} ({})",
            self.duration_min,
            self.peak_discharge_m3s,
            self.peak_level.name(),
            self.peak_level.name_zh()
        );
        let _ = writeln!(
            s,
            "- expected responses: {} on time, {} late, {} missed; score {:.1} / 100\n",
            self.on_time, self.late, self.missed, self.score
        );
        let _ = writeln!(s, "## Strengths\n");
        for x in &self.strengths {
            let _ = writeln!(s, "1. {x}");
        }
        let _ = writeln!(s, "\n## To improve\n");
        for x in &self.improvements {
            let _ = writeln!(s, "1. {x}");
        }
        let _ = writeln!(s, "\n## Expected responses\n");
        let _ = writeln!(
            s,
            "| inject min | inject | objective | expected | within | took | outcome |"
        );
        let _ = writeln!(s, "| ---: | --- | --- | --- | ---: | ---: | --- |");
        for e in &self.expectations {
            let took = e
                .response_min
                .map(|m| format!("{m:.0}"))
                .unwrap_or_else(|| "—".into());
            let _ = writeln!(
                s,
                "| {:.0} | {} | {} | `{}` | {:.0} | {} | {:?} |",
                e.inject_min, e.inject, e.objective, e.expected, e.within_min, took, e.outcome
            );
        }
        let ev = &self.evacuation;
        let _ = writeln!(s, "\n## Evacuation against the water\n");
        let _ = writeln!(
            s,
            "- key persons out before the water: {} of {}",
            ev.key_persons_out_before, ev.key_persons_reached
        );
        let _ = writeln!(
            s,
            "- households out before the water: {} of {}",
            ev.households_out_before, ev.households_reached
        );
        for b in &self.breach_runs {
            let _ = writeln!(
                s,
                "\n## Breach run: {} at minute {:.0}\n",
                b.dike, b.inject_min
            );
            if let Some(e) = &b.error {
                let _ = writeln!(s, "- no 2D run ({e}); the atlas stood in");
                continue;
            }
            let _ = writeln!(
                s,
                "- cut to {:.2} m, {:.0} m wide growing to {:.0} m; {:.0} h simulated on {} cells of {:.0} m in {} steps",
                b.level_m, b.width_m, b.final_width_m, b.horizon_h, b.cells, b.cell_size_m, b.steps
            );
            let _ = writeln!(
                s,
                "- flooded {:.2} km² ({} cells), deepest {:.2} m; mass balance error {:.1e}",
                b.flooded_area_km2, b.flooded_cells, b.max_depth_m, b.mass_balance_error
            );
            let first: Vec<String> = b
                .grids_reached
                .iter()
                .take(8)
                .map(|(g, h)| format!("{g} {h:.2} h"))
                .collect();
            let _ = writeln!(
                s,
                "- {} grids with residents reached; first: {}",
                b.grids_reached.len(),
                first.join(", ")
            );
        }
        let rt = &self.response_times;
        let opt = |v: Option<f64>| v.map(|x| format!("{x}")).unwrap_or_else(|| "—".into());
        let _ = writeln!(s, "\n## Dispatch → accept → done\n");
        let _ = writeln!(
            s,
            "- dispatched {}, done {}, overdue {}",
            rt.dispatched, rt.done, rt.overdue
        );
        let _ = writeln!(
            s,
            "- accept: median {} min, p90 {} min",
            opt(rt.accept_median_min),
            opt(rt.accept_p90_min)
        );
        let _ = writeln!(
            s,
            "- done: median {} min, p90 {} min",
            opt(rt.done_median_min),
            opt(rt.done_p90_min)
        );
        let _ = writeln!(s, "\n## Shortfalls\n");
        let _ = writeln!(
            s,
            "- at most {} people short; at most {} material lines short",
            self.peak_people_short, self.peak_material_lines_short
        );
        let _ = writeln!(s, "\n## Timeline\n");
        for e in &self.timeline {
            let _ = writeln!(s, "- {:>6.0} min  {:?}  {}", e.t_min, e.kind, e.text);
        }
        s
    }
}
