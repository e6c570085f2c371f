//! The after-action report: expected responses on time, late or missed; key persons and
//! households out before the water; dispatch → accept → done times; shortfalls; and three
//! strengths and three things to improve, derived from those figures.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use super::event::{Event, EventKind};
use super::session::{BreachRunFigures, Drill};
use floodgrid_model::drill::{ActionKind, InjectKind};
use floodgrid_model::grid::ResidentKind;
use floodgrid_model::hydro::WarningLevel;
use floodgrid_model::plan::{CategoryKind, ForEach, VarKey};

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

impl Outcome {
    /// The outcome's name, the same word in Markdown and JSON (its serde name).
    pub fn name(self) -> &'static str {
        match self {
            Outcome::OnTime => "on_time",
            Outcome::Late => "late",
            Outcome::Missed => "missed",
        }
    }

    /// Credit towards the score: on time 1, late ½, missed 0.
    pub fn credit(self) -> f64 {
        match self {
            Outcome::OnTime => 1.0,
            Outcome::Late => 0.5,
            Outcome::Missed => 0.0,
        }
    }
}

/// Which way a figure is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// The figure meets its bar at or above it.
    Higher,
    /// The figure meets its bar at or below it.
    Lower,
}

/// One candidate statement for the strengths and the things to improve: a measured figure, the
/// bar it must meet and which way is better. The rule, in one place ([`Finding::met`]): a
/// figure is a strength only when it met its bar; one that missed is only ever a thing to
/// improve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// What is measured (`on_time_share`, `key_persons_out_share`, ...).
    pub measure: String,
    /// The figure.
    pub value: f64,
    /// The bar it must meet.
    pub bar: f64,
    /// Which way is better.
    pub better: Better,
    /// How good, 0–1 (orders strengths best first and improvements worst first).
    pub goodness: f64,
    /// The sentence when it met its bar.
    pub strength: String,
    /// The sentence when it missed it.
    pub improvement: String,
}

impl Finding {
    /// Whether the figure met its bar.
    pub fn met(&self) -> bool {
        match self.better {
            Better::Higher => self.value >= self.bar,
            Better::Lower => self.value <= self.bar,
        }
    }
}

/// How one objective scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveScore {
    /// The objective (as the script names it; empty when an inject names none).
    pub objective: String,
    /// Its weight from the script's `[scoring]` (1 when the script gives none).
    pub weight: f64,
    /// Expected responses that test it.
    pub expected: usize,
    /// On time.
    pub on_time: usize,
    /// Late.
    pub late: usize,
    /// Missed.
    pub missed: usize,
    /// Its share, 0–1: the mean credit of its expected responses.
    pub share: f64,
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

/// One inject of the master scenario events list, as it ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MselLine {
    /// Drill minute.
    pub at_min: f64,
    /// Inject kind.
    pub inject: String,
    /// The controller who delivered it.
    pub controller: Option<String>,
    /// The player it went to.
    pub player: Option<String>,
    /// Objective tested.
    pub objective: Option<String>,
    /// Whether it was a contingency inject (fired because a response was missing).
    pub contingency: bool,
    /// Attachments of the field report (photo paths or URLs).
    pub attachments: Vec<String>,
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
    /// Task instances that became active.
    #[serde(default)]
    pub tasks: usize,
    /// Tasks dispatched.
    pub dispatched: usize,
    /// Tasks done.
    pub done: usize,
    /// Tasks (dispatched or not) that went overdue.
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
    /// Minutes the drill covers: the script's end (its last hydrograph point or inject), or
    /// the drill's minute when it ran past that.
    pub duration_min: f64,
    /// The drill's minute when it stopped before the script's end (`--until`, or a journal
    /// replayed to its last record): every figure stands as at this minute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at_min: Option<f64>,
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
    /// Score, 0–100: each objective's share (on time 1, late ½, missed 0, averaged over its
    /// expected responses) weighted by the script's `[scoring]`; see `objectives`.
    pub score: f64,
    /// The score explained: every objective, its weight and its share.
    #[serde(default)]
    pub objectives: Vec<ObjectiveScore>,
    /// Evacuation against the water.
    pub evacuation: EvacuationResult,
    /// Response times.
    pub response_times: ResponseTimes,
    /// Highest headcount short at any assessment.
    pub peak_people_short: u32,
    /// Highest number of material lines short.
    pub peak_material_lines_short: usize,
    /// The master scenario events list as it ran: every inject that fired, with its
    /// controller, player, objective and attachments.
    #[serde(default)]
    pub msel: Vec<MselLine>,
    /// Every smart-stone alarm raised: works, groyne, stones, when raised and acknowledged.
    #[serde(default)]
    pub alarms: Vec<super::session::RaisedAlarm>,
    /// The breach injects' 2D runs (empty without breaches). With a run, "out before the water"
    /// compares with the water's arrival at each home from the run (the atlas outside its
    /// window).
    #[serde(default)]
    pub breach_runs: Vec<BreachRunFigures>,
    /// Every candidate figure with its bar, met or not.
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// Up to three strengths: findings that met their bar, best first.
    pub strengths: Vec<String>,
    /// Up to three things to improve: findings that missed their bar, worst first.
    pub improvements: Vec<String>,
}

/// A figure to at most three decimals, without trailing zeros.
fn round3(x: f64) -> String {
    let r = (x * 1000.0).round() / 1000.0;
    format!("{r}")
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
    let mut msel = Vec::new();
    for (n, inj) in script.injects.iter().enumerate() {
        // An inject that did not fire (not yet, or a contingency whose response came) expects
        // nothing.
        if !d.fired(n) {
            continue;
        }
        msel.push(MselLine {
            at_min: inj.at_min,
            inject: inj.kind.name().to_string(),
            controller: inj.controller.clone(),
            player: inj.player.clone(),
            objective: inj.objective.clone(),
            contingency: inj.unless.is_some(),
            attachments: inj.attachments.clone(),
        });
        let own_id = format!("inject{}", n + 1);
        for e in &inj.expect {
            let (expected, first) = if let Some(i) = e.instruction {
                // Already dispatched when the inject came counts as an immediate response. An
                // information instruction's work is its message: pushing it counts, whether the
                // policy or the commander sent it, dispatched or not.
                let ins = &sc.plan.instructions[i.0 as usize];
                let id = ins.id.clone();
                let information = sc
                    .plan
                    .categories
                    .get(ins.category.0 as usize)
                    .is_some_and(|c| c.kind == CategoryKind::Information);
                let pushed = d.pushed_at().get(&id).copied().filter(|_| information);
                // Work for each hazard answers this inject only through the inject's own hazard
                // (`…@inject<N>`): a rescue sent to an earlier roof does not answer a later call.
                let own = (ins.for_each == Some(ForEach::Hazard) && inj.kind.hazard().is_some())
                    .then(|| format!("{id}@{own_id}"));
                let first = times
                    .iter()
                    .filter(|(k, t)| t.instruction == id && own.as_ref().is_none_or(|o| *k == o))
                    .map(|(_, t)| t)
                    .filter_map(|t| t.dispatched.or(t.done))
                    .chain(pushed)
                    .fold(None, |a: Option<f64>, t| Some(a.map_or(t, |a| a.min(t))))
                    .map(|t| t.max(inj.at_min));
                (id, first)
            } else if inj.kind == InjectKind::SmartStoneAlarm
                && e.action.as_deref() == Some(ActionKind::AcknowledgeAlarm.name())
            {
                // This alarm's own acknowledgement, not that of an earlier alarm.
                let first = d
                    .raised_alarms()
                    .iter()
                    .find(|a| a.id == own_id)
                    .and_then(|a| a.acknowledged_min);
                (ActionKind::AcknowledgeAlarm.name().to_string(), first)
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
    let mut names: Vec<String> = expectations.iter().map(|e| e.objective.clone()).collect();
    names.sort();
    names.dedup();
    let objectives: Vec<ObjectiveScore> = names
        .into_iter()
        .map(|o| {
            let of: Vec<&ExpectationResult> =
                expectations.iter().filter(|e| e.objective == o).collect();
            let n = |x: Outcome| of.iter().filter(|e| e.outcome == x).count();
            let share = of.iter().map(|e| e.outcome.credit()).sum::<f64>() / of.len().max(1) as f64;
            ObjectiveScore {
                weight: script.scoring.get(&o).copied().unwrap_or(1.0),
                expected: of.len(),
                on_time: n(Outcome::OnTime),
                late: n(Outcome::Late),
                missed: n(Outcome::Missed),
                share,
                objective: o,
            }
        })
        .collect();
    let num: f64 = objectives.iter().map(|o| o.weight * o.share).sum();
    let den: f64 = objectives.iter().map(|o| o.weight).sum();
    let score = if den > 0.0 {
        (num / den * 1000.0).round() / 10.0
    } else {
        0.0
    };
    // Evacuation, per resident: out = the resident's own clearance instance done (key person,
    // household), or grid-wide clearance or rescue work in its grid (or above it) done — work
    // that must be done before the water (`before_arrival_h`) or that a hazard calls for grid by
    // grid (its condition reads the hazards: a breach evacuation, the breach boats); a rescue
    // for one hazard (five people on a roof) gets nobody else in the grid out. Clearance work is work of the categories the plan's per-resident instructions
    // belong to (taken from the plan, not named here). Another resident's instance in the same
    // grid, or grid-wide preparation (a census, a notice), does not get anyone out.
    let instruction = |id: &str| {
        sc.plan
            .instruction(id)
            .and_then(|i| sc.plan.instructions.get(i.0 as usize))
    };
    let per_resident = |id: &str| {
        instruction(id)
            .is_some_and(|i| matches!(i.for_each, Some(ForEach::KeyPerson | ForEach::Household)))
    };
    let moves_people = |id: &str| {
        instruction(id).is_some_and(|i| {
            i.for_each != Some(ForEach::Hazard)
                && (i.before_arrival_h.is_some()
                    || i.when.reads(&|v| {
                        matches!(
                            v.info().key,
                            VarKey::HazardCount | VarKey::Hazards | VarKey::GridHazards
                        )
                    }))
        })
    };
    let clearance: std::collections::BTreeSet<&str> = sc
        .plan
        .instructions
        .iter()
        .filter(|i| matches!(i.for_each, Some(ForEach::KeyPerson | ForEach::Household)))
        .filter_map(|i| sc.plan.categories.get(i.category.0 as usize))
        .map(|c| c.id.as_str())
        .collect();
    // Done clearance work: grid-wide by grid id, per resident by resident id.
    let mut grid_out: BTreeMap<&str, f64> = BTreeMap::new();
    let mut own_out: BTreeMap<&str, f64> = BTreeMap::new();
    for (id, t) in times {
        let Some(done) = t.done else { continue };
        if !clearance.contains(t.category.as_str()) {
            continue;
        }
        let slot = if per_resident(&t.instruction) {
            let Some((_, item)) = id.split_once('@') else {
                continue;
            };
            own_out.entry(item).or_insert(f64::INFINITY)
        } else if moves_people(&t.instruction) {
            grid_out.entry(t.grid.as_str()).or_insert(f64::INFINITY)
        } else {
            continue;
        };
        *slot = slot.min(done);
    }
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
        let out = grids
            .iter()
            .filter_map(|g| grid_out.get(g).copied())
            .chain(own_out.get(r.id.as_str()).copied())
            .fold(None, |a: Option<f64>, t| {
                Some(a.map_or(t, |a: f64| a.min(t)))
            });
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
        tasks: times.len(),
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
    let end = d.end_min();
    let now = d.now_min();
    let mut r = DrillReport {
        name: script.name.clone(),
        script: script.file.clone(),
        seed: script.seed,
        duration_min: end.max(now),
        stopped_at_min: (now < end).then_some(now),
        peak_discharge_m3s: peak_q,
        peak_level,
        levels: d.levels().to_vec(),
        timeline,
        expectations,
        on_time,
        late,
        missed,
        score,
        objectives,
        evacuation,
        response_times,
        peak_people_short: peak_people,
        peak_material_lines_short: peak_mat,
        msel,
        alarms: d.raised_alarms().to_vec(),
        breach_runs: d.breach_runs().iter().map(|r| r.figures.clone()).collect(),
        findings: Vec::new(),
        strengths: Vec::new(),
        improvements: Vec::new(),
    };
    // Alarms: each alarm raised is one alarm, acknowledged on its own.
    let alarm_count = d.raised_alarms().len();
    let acked = d
        .raised_alarms()
        .iter()
        .filter(|a| a.acknowledged_min.is_some())
        .count();
    r.findings = findings(&r, alarm_count, acked);
    let (s, i) = judge(&r.findings);
    r.strengths = s;
    r.improvements = i;
    r
}

/// A share `part / whole`, 0 when there is nothing to share.
fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

impl Finding {
    /// A finding that is a share `part / whole` with a higher share better (its goodness is
    /// the share); `None` when there is nothing to share (`whole` is 0).
    fn share(
        measure: &str,
        part: f64,
        whole: f64,
        bar: f64,
        strength: String,
        improvement: String,
    ) -> Option<Finding> {
        (whole > 0.0).then(|| {
            Finding::with(
                measure,
                part / whole,
                bar,
                part / whole,
                strength,
                improvement,
                Better::Higher,
            )
        })
    }

    /// A finding with its direction and goodness (clamped to 0–1).
    fn with(
        measure: &str,
        value: f64,
        bar: f64,
        goodness: f64,
        strength: String,
        improvement: String,
        better: Better,
    ) -> Finding {
        Finding {
            measure: measure.to_string(),
            value,
            bar,
            better,
            goodness: goodness.clamp(0.0, 1.0),
            strength,
            improvement,
        }
    }
}

/// Every candidate figure, with its bar. A figure with nothing to measure (no expected
/// responses, nobody the water reached, no alarm) is left out.
fn findings(r: &DrillReport, alarms: usize, acked: usize) -> Vec<Finding> {
    let n = r.expectations.len();
    let ev = &r.evacuation;
    let rt = &r.response_times;
    let mut c: Vec<Finding> = [
        Finding::share(
            "on_time_share",
            r.on_time as f64,
            n as f64,
            0.8,
            format!("{} of {n} expected responses were on time", r.on_time),
            format!(
                "only {} of {n} expected responses were on time ({} late, {} missed); rehearse the first actions of each inject",
                r.on_time, r.late, r.missed
            ),
        ),
        Finding::share(
            "key_persons_out_share",
            f64::from(ev.key_persons_out_before),
            f64::from(ev.key_persons_reached),
            1.0,
            format!(
                "every key person the water reached was out before it ({} of {})",
                ev.key_persons_out_before, ev.key_persons_reached
            ),
            format!(
                "only {} of {} key persons the water reached were out before it; start key-person transfers at the earlier level",
                ev.key_persons_out_before, ev.key_persons_reached
            ),
        ),
        Finding::share(
            "households_out_share",
            f64::from(ev.households_out_before),
            f64::from(ev.households_reached),
            0.95,
            format!(
                "{} of {} floodplain households the water reached were out before it",
                ev.households_out_before, ev.households_reached
            ),
            format!(
                "{} of {} households were still in place when the water came; push class-1 notices sooner",
                ev.households_reached - ev.households_out_before,
                ev.households_reached
            ),
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(m) = rt.accept_median_min {
        c.push(Finding::with(
            "accept_median_min",
            m,
            10.0,
            1.0 - m / 30.0,
            format!("assignees accepted within {m} minutes (median) of dispatch"),
            format!(
                "acceptance took {m} minutes (median, p90 {}); check the app's notification path",
                rt.accept_p90_min.unwrap_or(m)
            ),
            Better::Lower,
        ));
    }
    if rt.tasks > 0 {
        let v = share(rt.overdue as f64, rt.tasks as f64);
        c.push(Finding::with(
            "overdue_share",
            v,
            0.1,
            1.0 - v,
            format!(
                "{} of {} tasks stayed within their deadlines",
                rt.tasks.saturating_sub(rt.overdue),
                rt.tasks
            ),
            format!(
                "{} of {} tasks went past their deadlines; dispatch earlier or add staff",
                rt.overdue, rt.tasks
            ),
            Better::Lower,
        ));
    }
    c.push(Finding::with(
        "peak_people_short",
        f64::from(r.peak_people_short),
        0.0,
        1.0 / (1.0 + f64::from(r.peak_people_short) / 50.0),
        "staffing held: no assessment was short of people".to_string(),
        format!(
            "up to {} people short at the peak; request reinforcements (support troops, professional crews) earlier",
            r.peak_people_short
        ),
        Better::Lower,
    ));
    c.extend(Finding::share(
        "alarms_acknowledged_share",
        acked as f64,
        alarms as f64,
        1.0,
        format!("every smart-stone alarm was acknowledged ({alarms} of {alarms})"),
        format!("only {acked} of {alarms} smart-stone alarms were acknowledged on the console"),
    ));
    c
}

/// Up to three strengths (findings that met their bar, best first) and up to three things to
/// improve (findings that missed it, worst first). A miss is never a strength.
fn judge(c: &[Finding]) -> (Vec<String>, Vec<String>) {
    let mut met: Vec<&Finding> = c.iter().filter(|f| f.met()).collect();
    met.sort_by(|a, b| b.goodness.total_cmp(&a.goodness));
    let mut missed: Vec<&Finding> = c.iter().filter(|f| !f.met()).collect();
    missed.sort_by(|a, b| a.goodness.total_cmp(&b.goodness));
    (
        met.iter().take(3).map(|f| f.strength.clone()).collect(),
        missed
            .iter()
            .take(3)
            .map(|f| f.improvement.clone())
            .collect(),
    )
}

impl DrillReport {
    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# 演练评估报告 After-action report: {}\n", self.name);
        let _ = writeln!(s, "- script: `{}`, seed {}", self.script, self.seed);
        let simulated = match self.stopped_at_min {
            Some(t) => format!(
                "stopped at minute {t:.0} of the script's {:.0} (figures as at minute {t:.0})",
                self.duration_min
            ),
            None => format!("{:.0} min", self.duration_min),
        };
        let _ = writeln!(
            s,
            "- simulated: {simulated}; peak {:.0} m³/s, peak level {} ({})",
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
        if self.strengths.is_empty() {
            let _ = writeln!(s, "No figure met its bar.");
        }
        for x in &self.strengths {
            let _ = writeln!(s, "1. {x}");
        }
        let _ = writeln!(s, "\n## To improve\n");
        if self.improvements.is_empty() {
            let _ = writeln!(s, "Every figure met its bar.");
        }
        for x in &self.improvements {
            let _ = writeln!(s, "1. {x}");
        }
        let _ = writeln!(s, "\n## Figures and their bars\n");
        let _ = writeln!(s, "| measure | value | bar | met |");
        let _ = writeln!(s, "| --- | ---: | ---: | --- |");
        for f in &self.findings {
            let op = match f.better {
                Better::Higher => "≥",
                Better::Lower => "≤",
            };
            let _ = writeln!(
                s,
                "| {} | {} | {op} {} | {} |",
                f.measure,
                round3(f.value),
                round3(f.bar),
                if f.met() { "yes" } else { "no" }
            );
        }
        let _ = writeln!(s, "\n## Score\n");
        let _ = writeln!(
            s,
            "Each expected response earns 1 on time, ½ late, 0 missed; an objective's share is the mean over its expected responses; the score is the shares weighted by the script's `[scoring]` (weight 1 when it gives none): Σ weight × share / Σ weight × 100 = {:.1}.\n",
            self.score
        );
        let _ = writeln!(
            s,
            "| objective | weight | expected | on time | late | missed | share |"
        );
        let _ = writeln!(s, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for o in &self.objectives {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {:.2} |",
                if o.objective.is_empty() {
                    "—"
                } else {
                    &o.objective
                },
                round3(o.weight),
                o.expected,
                o.on_time,
                o.late,
                o.missed,
                o.share
            );
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
                "| {:.0} | {} | {} | `{}` | {:.0} | {} | {} |",
                e.inject_min,
                e.inject,
                e.objective,
                e.expected,
                e.within_min,
                took,
                e.outcome.name()
            );
        }
        if !self.msel.is_empty() {
            let _ = writeln!(s, "\n## Injects (MSEL)\n");
            let _ = writeln!(
                s,
                "| min | inject | controller | player | objective | attachments |"
            );
            let _ = writeln!(s, "| ---: | --- | --- | --- | --- | --- |");
            let or_dash = |x: &Option<String>| x.clone().unwrap_or_else(|| "—".into());
            for m in &self.msel {
                let kind = if m.contingency {
                    format!("{} (contingency)", m.inject)
                } else {
                    m.inject.clone()
                };
                let attachments = if m.attachments.is_empty() {
                    "—".to_string()
                } else {
                    m.attachments.join("<br>")
                };
                let _ = writeln!(
                    s,
                    "| {:.0} | {kind} | {} | {} | {} | {attachments} |",
                    m.at_min,
                    or_dash(&m.controller),
                    or_dash(&m.player),
                    or_dash(&m.objective),
                );
            }
        }
        if !self.alarms.is_empty() {
            let _ = writeln!(s, "\n## Smart-stone alarms\n");
            let _ = writeln!(
                s,
                "| alarm | works | groyne | stones | raised min | acknowledged min |"
            );
            let _ = writeln!(s, "| --- | --- | --- | ---: | ---: | ---: |");
            for a in &self.alarms {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {:.0} | {} |",
                    a.id,
                    a.site,
                    a.groyne.as_deref().unwrap_or("—"),
                    a.stones,
                    a.raised_min,
                    a.acknowledged_min
                        .map_or_else(|| "—".to_string(), |m| format!("{m:.0}"))
                );
            }
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
            "- tasks {}, dispatched {}, done {}, overdue {}",
            rt.tasks, rt.dispatched, rt.done, rt.overdue
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
            let _ = writeln!(s, "- {:>6.0} min  {}  {}", e.t_min, e.kind.name(), e.text);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_names_are_the_serde_names() {
        for o in [Outcome::OnTime, Outcome::Late, Outcome::Missed] {
            assert_eq!(
                serde_json::to_string(&o).unwrap(),
                format!("\"{}\"", o.name())
            );
        }
    }

    fn finding(value: f64, bar: f64, better: Better, goodness: f64, name: &str) -> Finding {
        Finding {
            measure: name.into(),
            value,
            bar,
            better,
            goodness,
            strength: format!("{name} good"),
            improvement: format!("{name} bad"),
        }
    }

    #[test]
    fn a_figure_that_missed_its_bar_is_never_a_strength() {
        let c = [
            finding(0.0, 0.8, Better::Higher, 0.0, "on_time"),
            finding(654.0, 0.0, Better::Lower, 0.07, "short"),
            finding(1.0, 1.0, Better::Higher, 1.0, "alarms"),
            finding(12.0, 10.0, Better::Lower, 0.6, "accept"),
        ];
        let (s, i) = judge(&c);
        assert_eq!(s, ["alarms good"]);
        assert_eq!(i, ["on_time bad", "short bad", "accept bad"]);
    }
}
