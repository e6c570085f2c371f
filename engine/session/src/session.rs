//! A running drill: the clock, the script's hydrograph and injects, the simulated frontline, the
//! commander's actions through [`Drill::apply`], and the journal.
//!
//! Everything random comes from the script's seed and every step happens in a fixed order, so the
//! same script and actions give the same journal, byte for byte.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::event::{Event, EventDetail, EventStatus, Refusal};
use super::journal::{JournalRecord, JournalSink, MessageSink, PushedMessage, Recipient};
use super::provenance::Provenance;
use super::rng::DrillRng;
use floodgrid_assess::assess::{Assessment, Engine, Hazard, SensorAlarm, Situation, TaskRecord};
use floodgrid_flood::scenario_run::{
    ScenarioRun, ScenarioRunOptions, breach_centre, build_scenario_run, median_ground,
};
use floodgrid_flood::solver::{Breach, Series};
use floodgrid_model::drill::Action;
use floodgrid_model::drill::{DrillScript, InjectBreach, InjectKind, InjectPlace};
use floodgrid_model::grid::{GridIdx, PersonIdx, SiteGeometry};
use floodgrid_model::hydro::{
    GaugeReading, LevelTracker, WarningLevel, forecast_from_hydrograph, forecast_path, interpolate,
};
use floodgrid_model::plan::{CategoryKind, TaskStatus, TaskStep};

/// How a drill runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DrillOptions {
    /// The duty-commander policy, the baseline a human commander is scored against (for
    /// headless runs without an actions file). At every assessment it:
    /// 1. acknowledges every smart-stone alarm not yet acknowledged, each by its id — a works
    ///    that alarms again raises a new alarm, acknowledged on its own;
    /// 2. pushes each new pending instance's message to its grid, once per instruction and grid
    ///    in an assessment, grids the water reaches first first (arrival from the breach runs):
    ///    an instruction active again, or in another grid, is pushed again; a push counts for
    ///    the instruction when it is sent, by the policy or by hand;
    /// 3. dispatches every ready task that was never dispatched (pending, or gone overdue while
    ///    it waited) to the engine's suggested people, most urgent first: work on a hazard that
    ///    puts people in danger now (people trapped — drill 03's roof —, a staff casualty);
    ///    other priority-1 hazard work (an instruction for each hazard, or one whose condition
    ///    reads the hazards: a collapse with people on the groyne, a piping ring well, a slide,
    ///    the breach alarm and boats); the rest of priority 1; the rest — within a rank, where
    ///    the water arrives first, otherwise in the assessment's order;
    /// 4. when work of the first two ranks is short of people, takes people of a fitting role
    ///    from less urgent work — people in danger from any work of another rank, other
    ///    priority-1 hazard work from work that answers no hazard: first the people the
    ///    engine suggested for such work not yet sent (it waits for the next assessment), then
    ///    people on such work under way, never its last person, re-sending that work to the
    ///    people who stay (a reassignment, journaled as such); people-in-danger work under way
    ///    that went out short (a rescue sent with the one crew member free) is topped up the
    ///    same way, after never-sent people-in-danger work and before anything less urgent;
    /// 5. re-sends work under way whose person became unavailable (a drop-out, a named staff
    ///    casualty) to the others on it with someone of the lost person's role filling the post
    ///    from the least urgent work not yet sent that is no more urgent than it, or, when that
    ///    person was alone, to someone of the same role the engine suggested for the least
    ///    urgent work not yet sent (a reassignment).
    ///
    /// Nothing in these rules names a role, an instruction or a place: ranks come from the
    /// plan's priorities and conditions and from the hazard vocabulary.
    pub auto_dispatch: bool,
    /// Minutes between routine assessments (every inject and action assesses at once too).
    pub assess_every_min: f64,
}

impl Default for DrillOptions {
    fn default() -> Self {
        DrillOptions {
            auto_dispatch: false,
            assess_every_min: 5.0,
        }
    }
}

/// When each step of a task happened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskTimes {
    /// Instruction id.
    pub instruction: String,
    /// Category id.
    pub category: String,
    /// Grid id.
    pub grid: String,
    /// Minute it became active.
    pub activated: f64,
    /// Dispatched.
    pub dispatched: Option<f64>,
    /// Accepted.
    pub accepted: Option<f64>,
    /// Done.
    pub done: Option<f64>,
    /// Verified.
    pub verified: Option<f64>,
    /// Became overdue.
    pub overdue: Option<f64>,
}

/// Work the solver does for a breach run: blocks of this many DEM cells a side (15 m cells →
/// 45 m), so a 12 h run takes seconds; see `flood::scenario_run` for how blocks keep dikes.
pub const BREACH_RUN_COARSEN: usize = 3;

/// What a breach inject's 2D run found, as the report shows it. Every figure is deterministic
/// (the solver gives the same bits on any number of threads); the wall time is kept apart in
/// [`BreachRun::wall_seconds`] so reports replay byte for byte.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreachRunFigures {
    /// Minute of the breach inject (the run's start).
    pub inject_min: f64,
    /// The dike cut (site id).
    pub dike: String,
    /// Level cut down to, m.
    pub level_m: f64,
    /// Opening width, m.
    pub width_m: f64,
    /// Final width, m.
    pub final_width_m: f64,
    /// Hours simulated from the breach.
    pub horizon_h: f64,
    /// Cell size of the run, m.
    pub cell_size_m: f64,
    /// Cells of the run.
    pub cells: usize,
    /// Time steps.
    pub steps: u64,
    /// Cells the water reached (depth ≥ the arrival depth) within the horizon.
    pub flooded_cells: usize,
    /// Their area, km².
    pub flooded_area_km2: f64,
    /// Deepest water, m.
    pub max_depth_m: f64,
    /// Relative mass-balance error.
    pub mass_balance_error: f64,
    /// Grids with residents the water reached, earliest first: (grid id, hours after the breach).
    pub grids_reached: Vec<(String, f64)>,
    /// Why there is no run, if it could not be set up (the drill goes on with the atlas).
    pub error: Option<String>,
}

/// A finished breach run.
#[derive(Debug, Clone, PartialEq)]
pub struct BreachRun {
    /// Index of its inject in the script.
    pub inject: usize,
    /// Figures for the report.
    pub figures: BreachRunFigures,
    /// Hours after the breach until the water reaches each grid (by grid index; `None`: not
    /// within the horizon).
    pub grid_arrival_h: Vec<Option<f64>>,
    /// Hours after the breach until the water reaches each resident's home (by resident index).
    pub resident_arrival_h: Vec<Option<f64>>,
    /// Wall time of the run, s (not in the report: it differs from run to run).
    pub wall_seconds: f64,
}

/// A breach run under way on a background thread.
struct PendingRun {
    inject: usize,
    figures: BreachRunFigures,
    cancel: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<(ScenarioRun, f64)>>,
}

/// A smart-stone alarm raised in a drill: which works, how many stones at which groyne, and
/// when it was acknowledged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaisedAlarm {
    /// The alarm's id: the inject that raised it (`inject7`).
    pub id: String,
    /// Site id of the works (or the stone).
    pub site: String,
    /// Drill minute it was raised.
    pub raised_min: f64,
    /// Stones in alarm.
    pub stones: u32,
    /// Groyne (坝垛) number, if the alarm names one.
    pub groyne: Option<String>,
    /// Minute it was acknowledged.
    pub acknowledged_min: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum FieldStep {
    Acknowledge,
    Arrive,
    Finish,
}

/// A drill in progress.
pub struct Drill<'e> {
    engine: &'e Engine,
    script: DrillScript,
    options: DrillOptions,
    now_min: f64,
    rng: DrillRng,
    /// Door to door: when each person is through with the per-resident instances (one key
    /// person's or one household's) already on their round, drill minutes.
    round_free: BTreeMap<PersonIdx, f64>,
    /// Working minutes drawn when a per-resident instance joined a round.
    round_work: BTreeMap<String, f64>,
    tracker: LevelTracker,
    readings: Vec<GaugeReading>,
    override_q: Option<f64>,
    alarms: Vec<SensorAlarm>,
    acknowledged: Vec<(String, f64)>,
    /// Every smart-stone alarm raised, in order; each is acknowledged on its own.
    raised: Vec<RaisedAlarm>,
    /// Whether each inject fired (a contingency inject whose response came does not).
    fired: Vec<bool>,
    /// First minute each instruction's message was pushed, by the policy or by hand.
    pushed_at: BTreeMap<String, f64>,
    hazards: Vec<Hazard>,
    unavailable: Vec<PersonIdx>,
    records: BTreeMap<String, TaskRecord>,
    times: BTreeMap<String, TaskTimes>,
    /// (minute in thousandths, sequence) → (task, step)
    field: BTreeMap<(i64, u64), (String, FieldStep)>,
    next_inject: usize,
    next_assess_min: f64,
    dirty: bool,
    events: Vec<Event>,
    actions: Vec<(f64, Action, bool)>,
    last: Option<Assessment>,
    seq: u64,
    journal: Option<Box<dyn JournalSink + 'e>>,
    journal_error: Option<String>,
    paused: bool,
    speed: f64,
    peak_discharge: f64,
    peak_people_short: u32,
    peak_materials_short: usize,
    levels: Vec<(f64, WarningLevel)>,
    /// First minute the water reached each resident (by index).
    water_reached: Vec<Option<f64>>,
    /// Instances whose message the duty-commander policy has pushed (to their grid).
    pushed: BTreeSet<String>,
    outbox: Option<Box<dyn MessageSink + 'e>>,
    /// Breach runs started at drill start, joined when their inject fires.
    pending_runs: Vec<PendingRun>,
    /// Breach runs of injects that fired.
    breach_runs: Vec<BreachRun>,
}

impl Drop for Drill<'_> {
    fn drop(&mut self) {
        // Runs whose inject never came stop at their next hop instead of finishing.
        for p in &self.pending_runs {
            p.cancel.store(true, Ordering::Relaxed);
        }
    }
}

/// Sets up the 2D run of a breach inject: the script's hydrograph from the inject's minute over
/// the horizon, the breach opening at once. Errors (a dike off the DEM, say) come back as text.
fn start_breach_run(
    engine: &Engine,
    script: &DrillScript,
    n: usize,
    b: &InjectBreach,
) -> Result<(ScenarioRun, f64, BreachRunFigures), String> {
    let sc = engine.scenario();
    let inject_min = script.injects.get(n).map_or(0.0, |i| i.at_min);
    let site = sc
        .sites
        .get(b.dike.ix())
        .ok_or_else(|| "the breach's dike is not in the scenario".to_string())?;
    let line = match &site.geometry {
        SiteGeometry::Line(l) if l.len() >= 2 => l.clone(),
        _ => return Err(format!("`{}` is not a dike line", site.id)),
    };
    let horizon_s = b.horizon_h * 3600.0;
    let mut pts = vec![(0.0, interpolate(&script.hydrograph, inject_min))];
    for &(m, q) in &script.hydrograph {
        let t = (m - inject_min) * 60.0;
        if t > 0.0 && t <= horizon_s + 3600.0 {
            pts.push((t, q));
        }
    }
    let q = Series::new(pts).map_err(|e| e.to_string())?;
    let mut breach = Breach::new(line, 0.0, 0.0, b.width_m);
    if let Some(p) = b.at_xy {
        breach = breach.at_point(p);
    }
    let level = match b.level_m {
        Some(l) => l,
        None => breach_centre(&breach)
            .and_then(|c| median_ground(&sc.dem, c, 100.0))
            .ok_or_else(|| format!("the breach of `{}` is off the DEM", site.id))?,
    };
    breach.level_m = level;
    let breach = breach.widening_to(b.final_width_m, b.widening_min * 60.0);
    let opts = ScenarioRunOptions {
        coarsen: BREACH_RUN_COARSEN,
        ..ScenarioRunOptions::default()
    };
    let run = build_scenario_run(&engine.run_place(), &q, vec![breach], &opts)
        .map_err(|e| e.to_string())?;
    let figures = BreachRunFigures {
        level_m: level,
        cell_size_m: run.terrain.transform.dx_m,
        cells: run.terrain.data.len(),
        ..BreachRunFigures::before_run(inject_min, site.id.clone(), b, None)
    };
    Ok((run, horizon_s, figures))
}

impl BreachRunFigures {
    /// The figures of a breach inject before its run: what the script asked for, nothing
    /// simulated yet (or `error` when the run could not be set up).
    fn before_run(inject_min: f64, dike: String, b: &InjectBreach, error: Option<String>) -> Self {
        BreachRunFigures {
            inject_min,
            dike,
            level_m: b.level_m.unwrap_or(f64::NAN),
            width_m: b.width_m,
            final_width_m: b.final_width_m,
            horizon_h: b.horizon_h,
            cell_size_m: 0.0,
            cells: 0,
            steps: 0,
            flooded_cells: 0,
            flooded_area_km2: 0.0,
            max_depth_m: 0.0,
            mass_balance_error: 0.0,
            grids_reached: Vec::new(),
            error,
        }
    }
}

fn key_min(t: f64) -> i64 {
    (t * 1000.0).round() as i64
}

impl<'e> Drill<'e> {
    /// Starts a drill at minute 0 (paused at ×1). The journal, if any, gets the header first.
    /// Without an outbox and without content hashes in the header; see [`Drill::start`].
    pub fn new(
        engine: &'e Engine,
        script: DrillScript,
        options: DrillOptions,
        journal: Option<Box<dyn JournalSink + 'e>>,
        scenario_label: &str,
    ) -> Drill<'e> {
        let provenance = Provenance {
            scenario: scenario_label.to_string(),
            ..Provenance::default()
        };
        Drill::start(engine, script, options, journal, None, &provenance)
    }

    /// Starts a drill at minute 0 (paused at ×1) with its journal and outbox in place before
    /// anything happens (pushes at minute 0 reach the outbox too); the journal's header records
    /// where the scenario and script came from and their content hashes.
    pub fn start(
        engine: &'e Engine,
        script: DrillScript,
        options: DrillOptions,
        journal: Option<Box<dyn JournalSink + 'e>>,
        outbox: Option<Box<dyn MessageSink + 'e>>,
        provenance: &Provenance,
    ) -> Drill<'e> {
        let residents = engine.scenario().residents.len();
        let mut d = Drill {
            engine,
            rng: DrillRng::new(script.seed),
            round_free: BTreeMap::new(),
            round_work: BTreeMap::new(),
            script,
            options,
            now_min: 0.0,
            tracker: LevelTracker::new(),
            readings: Vec::new(),
            override_q: None,
            alarms: Vec::new(),
            acknowledged: Vec::new(),
            raised: Vec::new(),
            fired: Vec::new(),
            pushed_at: BTreeMap::new(),
            hazards: Vec::new(),
            unavailable: Vec::new(),
            records: BTreeMap::new(),
            times: BTreeMap::new(),
            field: BTreeMap::new(),
            next_inject: 0,
            next_assess_min: 0.0,
            dirty: true,
            events: Vec::new(),
            actions: Vec::new(),
            last: None,
            seq: 0,
            journal,
            journal_error: None,
            paused: true,
            speed: 1.0,
            peak_discharge: 0.0,
            peak_people_short: 0,
            peak_materials_short: 0,
            levels: Vec::new(),
            water_reached: vec![None; residents],
            pushed: BTreeSet::new(),
            outbox,
            pending_runs: Vec::new(),
            breach_runs: Vec::new(),
        };
        // "Precomputed for the script": every breach run starts now on its own thread and is
        // joined when its inject fires. The runs depend on the script alone, never on when they
        // are joined, so a drill replays exactly.
        for (n, inject) in d.script.injects.iter().enumerate() {
            let Some(b) = &inject.breach else { continue };
            let cancel = Arc::new(AtomicBool::new(false));
            let (handle, figures) = match start_breach_run(engine, &d.script, n, b) {
                Ok((mut run, horizon_s, figures)) => {
                    let stop = Arc::clone(&cancel);
                    let handle = std::thread::Builder::new()
                        .name(format!("breach-run-{}", n + 1))
                        .spawn(move || {
                            let start = std::time::Instant::now();
                            // Hops of ten simulated minutes so a dropped drill stops soon.
                            while run.sim.time_s() < horizon_s && !stop.load(Ordering::Relaxed) {
                                let hop = (run.sim.time_s() + 600.0).min(horizon_s);
                                run.sim.advance_to(hop);
                            }
                            (run, start.elapsed().as_secs_f64())
                        })
                        .ok();
                    let figures = BreachRunFigures {
                        error: handle
                            .is_none()
                            .then(|| "could not start a thread for the run".to_string()),
                        ..figures
                    };
                    (handle, figures)
                }
                Err(e) => (
                    None,
                    BreachRunFigures::before_run(
                        inject.at_min,
                        engine
                            .scenario()
                            .sites
                            .get(b.dike.ix())
                            .map(|s| s.id.clone())
                            .unwrap_or_default(),
                        b,
                        Some(e),
                    ),
                ),
            };
            d.pending_runs.push(PendingRun {
                inject: n,
                figures,
                cancel,
                handle,
            });
        }
        let header = JournalRecord::Header {
            scenario: provenance.scenario.clone(),
            script: if provenance.script.is_empty() {
                d.script.file.clone()
            } else {
                provenance.script.clone()
            },
            seed: d.script.seed,
            auto_dispatch: d.options.auto_dispatch,
            scenario_path: provenance.scenario_path.clone(),
            script_path: provenance.script_path.clone(),
            scenario_hash: provenance.scenario_hash.clone(),
            script_hash: provenance.script_hash.clone(),
        };
        d.write(&header);
        d.step_to(0.0);
        d
    }

    fn write(&mut self, record: &JournalRecord) {
        if let Some(j) = self.journal.as_mut()
            && let Err(e) = j.record(record)
        {
            self.journal_error.get_or_insert(e.to_string());
        }
    }

    /// Ends the run at the current minute: writes the journal's `end` record (what a report
    /// replays to). The drill can go on afterwards (a resumed run writes its own end).
    pub fn finish(&mut self) {
        let record = JournalRecord::End {
            t_min: self.now_min,
        };
        self.write(&record);
    }

    /// The journal's (or the outbox's) first write error. Once set, the drill has stopped: no
    /// action is applied and the clock no longer moves, so the journal ends at its last good
    /// record.
    pub fn journal_error(&self) -> Option<&str> {
        self.journal_error.as_deref()
    }

    /// The script.
    pub fn script(&self) -> &DrillScript {
        &self.script
    }

    /// The engine.
    pub fn engine(&self) -> &'e Engine {
        self.engine
    }

    /// Current drill minute.
    pub fn now_min(&self) -> f64 {
        self.now_min
    }

    /// The end of the script (its last hydrograph point, or the last inject).
    pub fn end_min(&self) -> f64 {
        let h = self.script.hydrograph.last().map(|p| p.0).unwrap_or(0.0);
        let i = self.script.injects.last().map(|x| x.at_min).unwrap_or(0.0);
        h.max(i)
    }

    /// Whether the clock is paused.
    pub fn paused(&self) -> bool {
        self.paused
    }

    /// Clock speed.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// The latest assessment.
    pub fn assessment(&self) -> Option<&Assessment> {
        self.last.as_ref()
    }

    /// All events so far.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Task step times by instance id.
    pub fn task_times(&self) -> &BTreeMap<String, TaskTimes> {
        &self.times
    }

    /// Actions applied so far: (minute, action, issued by the duty-commander policy).
    pub fn actions(&self) -> &[(f64, Action, bool)] {
        &self.actions
    }

    /// The discharge now.
    pub fn discharge(&self) -> f64 {
        self.override_q
            .unwrap_or_else(|| interpolate(&self.script.hydrograph, self.now_min))
    }

    /// Level changes so far.
    pub fn levels(&self) -> &[(f64, WarningLevel)] {
        &self.levels
    }

    /// Peaks over the drill: discharge, people short, material lines short.
    pub fn peaks(&self) -> (f64, u32, usize) {
        (
            self.peak_discharge,
            self.peak_people_short,
            self.peak_materials_short,
        )
    }

    /// First minute the water reached each resident.
    pub fn water_reached(&self) -> &[Option<f64>] {
        &self.water_reached
    }

    /// Breach runs of the injects that have fired, in firing order.
    pub fn breach_runs(&self) -> &[BreachRun] {
        &self.breach_runs
    }

    /// Hours from now until the water reaches each grid, from the breach runs so far (the
    /// earliest over the runs; a grid already reached is 0; `None` for every grid the runs do
    /// not reach within their horizons). `None` before any breach.
    pub fn arrival_hours(&self) -> Option<Vec<Option<f64>>> {
        let runs: Vec<&BreachRun> = self
            .breach_runs
            .iter()
            .filter(|r| r.figures.error.is_none())
            .collect();
        if runs.is_empty() {
            return None;
        }
        let grids = self.engine.scenario().grids.len();
        let mut out: Vec<Option<f64>> = vec![None; grids];
        for r in runs {
            let elapsed_h = (self.now_min - r.figures.inject_min) / 60.0;
            for (o, a) in out.iter_mut().zip(&r.grid_arrival_h) {
                if let Some(a) = a {
                    let left = (a - elapsed_h).max(0.0);
                    *o = Some(o.map_or(left, |x: f64| x.min(left)));
                }
            }
        }
        Some(out)
    }

    /// Joins the breach run of inject `n` (started at drill start) and records its figures.
    fn finish_breach_run(&mut self, n: usize) -> Option<&BreachRun> {
        let i = self.pending_runs.iter().position(|p| p.inject == n)?;
        let mut p = self.pending_runs.remove(i);
        let sc = self.engine.scenario();
        let joined = p.handle.take().map(|h| h.join());
        let run = match joined {
            Some(Ok((run, wall))) => {
                let summary = run.sim.summary(wall);
                let grid_h = run.grid_arrival_hours(&sc.grids, &sc.residents);
                let arrival = run.sim.arrival_time();
                let resident_h: Vec<Option<f64>> = run
                    .resident_cells(&sc.residents)
                    .into_iter()
                    .map(|c| {
                        c.and_then(|c| arrival.data.get(c as usize).copied())
                            .filter(|a| a.is_finite())
                            .map(|a| f64::from(a) / 3600.0)
                    })
                    .collect();
                let t = &run.terrain.transform;
                let mut reached: Vec<(String, f64)> = sc
                    .grids
                    .iter()
                    .zip(&grid_h)
                    .filter(|(g, _)| {
                        sc.residents.iter().any(|r| {
                            r.grid.ix() < sc.grids.len() && sc.grids[r.grid.ix()].id == g.id
                        })
                    })
                    .filter_map(|(g, h)| h.map(|h| (g.id.clone(), (h * 100.0).round() / 100.0)))
                    .collect();
                reached.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
                BreachRun {
                    inject: n,
                    figures: BreachRunFigures {
                        steps: summary.steps,
                        flooded_cells: summary.flooded_cells,
                        flooded_area_km2: summary.flooded_cells as f64 * t.dx_m * t.dy_m / 1e6,
                        max_depth_m: summary.max_depth_m,
                        mass_balance_error: summary.mass_balance_error,
                        grids_reached: reached,
                        ..p.figures
                    },
                    grid_arrival_h: grid_h,
                    resident_arrival_h: resident_h,
                    wall_seconds: wall,
                }
            }
            Some(Err(_)) => BreachRun {
                inject: n,
                figures: BreachRunFigures {
                    error: Some("the run failed".into()),
                    ..p.figures
                },
                grid_arrival_h: Vec::new(),
                resident_arrival_h: Vec::new(),
                wall_seconds: 0.0,
            },
            None => BreachRun {
                inject: n,
                figures: p.figures,
                grid_arrival_h: Vec::new(),
                resident_arrival_h: Vec::new(),
                wall_seconds: 0.0,
            },
        };
        self.breach_runs.push(run);
        self.breach_runs.last()
    }

    /// Alarm acknowledgements (site id, minute), one per alarm acknowledged: a works that
    /// alarmed twice is acknowledged twice.
    pub fn acknowledged(&self) -> &[(String, f64)] {
        &self.acknowledged
    }

    /// Every smart-stone alarm raised so far, in order, with its acknowledgement.
    pub fn raised_alarms(&self) -> &[RaisedAlarm] {
        &self.raised
    }

    /// Whether inject `n` of the script fired (`false` before its minute, and for a
    /// contingency inject whose expected response came in time).
    pub fn fired(&self, n: usize) -> bool {
        self.fired.get(n).copied().unwrap_or(false)
    }

    /// The first minute each instruction's message was pushed (by instruction id), by the
    /// duty-commander policy or by hand: a push is the instruction's message when its text is
    /// the message an active instance of it shows, or when it names the instruction's template.
    pub fn pushed_at(&self) -> &BTreeMap<String, f64> {
        &self.pushed_at
    }

    /// Records an event: kind, task and person come from the detail, the Chinese text is the
    /// detail's [`EventDetail::text_zh`].
    fn event(&mut self, status: EventStatus, grid: Option<&str>, detail: EventDetail) {
        let e = Event {
            t_min: self.now_min,
            kind: detail.kind(),
            status,
            task: detail.task().map(String::from),
            person: detail.person().map(String::from),
            grid: grid.map(String::from),
            text: detail.text_zh(self.engine.scenario()),
            detail: Some(detail),
        };
        self.seq += 1;
        let rec = JournalRecord::Event {
            seq: self.seq,
            event: e.clone(),
        };
        self.write(&rec);
        self.events.push(e);
    }

    /// Applies a commander action now. Returns an error text when it does not apply (the
    /// journal records it as rejected; nothing panics).
    pub fn apply(&mut self, action: Action) -> Result<(), String> {
        self.apply_as(action, false)
    }

    fn apply_as(&mut self, action: Action, auto: bool) -> Result<(), String> {
        if let Some(e) = &self.journal_error {
            return Err(format!(
                "the drill stopped: writing the journal failed: {e}"
            ));
        }
        self.seq += 1;
        let rec = JournalRecord::Action {
            seq: self.seq,
            t_min: self.now_min,
            action: action.clone(),
            auto,
        };
        self.write(&rec);
        // Effects after the record: an action the journal could not keep does not happen.
        if let Some(e) = &self.journal_error {
            return Err(format!(
                "the drill stopped: writing the journal failed: {e}"
            ));
        }
        self.actions.push((self.now_min, action.clone(), auto));
        let result = self.perform(&action);
        if let Err(e) = &result {
            self.event(
                EventStatus::Attention,
                None,
                EventDetail::Rejected {
                    action: action.action_kind(),
                    reason: e.clone(),
                },
            );
        }
        self.dirty = true;
        result.map_err(|e| e.to_string())
    }

    fn person(&self, id: &str) -> Option<PersonIdx> {
        self.engine
            .scenario()
            .people
            .iter()
            .position(|p| p.id == id)
            .map(|i| PersonIdx(i as u32))
    }

    /// The people of a list of ids, or which id is unknown.
    fn people_of(&self, ids: &[String]) -> Result<Vec<PersonIdx>, Refusal> {
        ids.iter()
            .map(|id| {
                self.person(id)
                    .ok_or_else(|| Refusal::UnknownPerson { person: id.clone() })
            })
            .collect()
    }

    /// Puts `people` on a task's record and logs it (a reassignment when `again`).
    fn send(&mut self, task: &str, people: &[PersonIdx], again: bool) {
        if let Some(r) = self.records.get_mut(task) {
            r.assignees = people.to_vec();
        }
        let grid = self.times.get(task).map(|t| t.grid.clone());
        let ids: Vec<String> = people
            .iter()
            .map(|p| self.engine.scenario().people[p.ix()].id.clone())
            .collect();
        let task = task.to_string();
        let detail = if again {
            EventDetail::Reassigned { task, people: ids }
        } else {
            EventDetail::Dispatched { task, people: ids }
        };
        self.event(EventStatus::Normal, grid.as_deref(), detail);
    }

    fn step_task(&mut self, task: &str, step: TaskStep) -> Result<TaskStatus, Refusal> {
        let current = self.records.get(task).map(|r| r.status).or_else(|| {
            self.last
                .as_ref()
                .and_then(|a| a.tasks.iter().find(|t| &*t.id == task).map(|t| t.status))
        });
        let Some(current) = current else {
            return Err(Refusal::NoActiveTask {
                task: task.to_string(),
            });
        };
        let next = current.apply(step).map_err(|e| Refusal::Transition {
            task: task.to_string(),
            from: e.from,
            step: e.step,
        })?;
        let triggered = self
            .times
            .get(task)
            .map(|t| t.activated)
            .unwrap_or(self.now_min);
        let rec = self.records.entry(task.to_string()).or_insert(TaskRecord {
            status: current,
            triggered_min: triggered,
            assignees: Vec::new(),
        });
        rec.status = next;
        Ok(next)
    }

    fn perform(&mut self, action: &Action) -> Result<(), Refusal> {
        match action {
            Action::SetDischarge { discharge_m3s } => {
                if !(discharge_m3s.is_finite() && *discharge_m3s >= 0.0) {
                    return Err(Refusal::BadDischarge {
                        value: *discharge_m3s,
                    });
                }
                self.override_q = Some(*discharge_m3s);
                Ok(())
            }
            Action::Reassign { task, people }
                if !people.is_empty()
                    && self.records.get(task).is_some_and(|r| {
                        matches!(r.status, TaskStatus::Accepted | TaskStatus::InProgress)
                    }) =>
            {
                // Work under way keeps its status; only its people change.
                let chosen = self.people_of(people)?;
                self.send(task, &chosen, true);
                Ok(())
            }
            Action::Dispatch { task, people } | Action::Reassign { task, people } => {
                let suggested: Vec<String> = self
                    .last
                    .as_ref()
                    .and_then(|a| a.tasks.iter().find(|t| *t.id == **task))
                    .map(|t| {
                        t.assignees
                            .iter()
                            .map(|p| p.person.id.to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                let ids = if people.is_empty() {
                    suggested
                } else {
                    people.clone()
                };
                let chosen = self.people_of(&ids)?;
                if chosen.is_empty() {
                    return Err(Refusal::NobodyToSend { task: task.clone() });
                }
                self.step_task(task, TaskStep::Dispatch)?;
                let now = self.now_min;
                if let Some(t) = self.times.get_mut(task) {
                    t.dispatched.get_or_insert(now);
                }
                self.send(task, &chosen, false);
                let delay = self.rng.range(2.0, 10.0);
                self.schedule(task, FieldStep::Acknowledge, now + delay);
                Ok(())
            }
            Action::Accept { task } => {
                self.step_task(task, TaskStep::Accept)?;
                let now = self.now_min;
                if let Some(t) = self.times.get_mut(task) {
                    t.accepted.get_or_insert(now);
                }
                Ok(())
            }
            Action::Close { task } => {
                let status = self.step_task(task, TaskStep::Complete)?;
                let now = self.now_min;
                if let Some(t) = self.times.get_mut(task) {
                    t.done.get_or_insert(now);
                }
                let _ = status;
                Ok(())
            }
            Action::Verify { task } => {
                self.step_task(task, TaskStep::Verify)?;
                let now = self.now_min;
                if let Some(t) = self.times.get_mut(task) {
                    t.verified.get_or_insert(now);
                }
                let grid = self.times.get(task).map(|t| t.grid.clone());
                self.event(
                    EventStatus::Resolved,
                    grid.as_deref(),
                    EventDetail::Verified { task: task.clone() },
                );
                Ok(())
            }
            Action::Push {
                text,
                audience,
                template,
            } => {
                if text.trim().is_empty() {
                    return Err(Refusal::EmptyMessage);
                }
                let recipients = self.recipients(audience)?;
                let reached = recipients.len();
                let plan = &self.engine.scenario().plan;
                let said: BTreeSet<String> = self
                    .last
                    .iter()
                    .flat_map(|a| &a.tasks)
                    .filter(|t| {
                        t.message.as_deref().map(str::trim) == Some(text.trim())
                            || template.as_deref().is_some_and(|m| {
                                plan.instruction(&t.card.instruction)
                                    .and_then(|i| plan.instructions.get(i.0 as usize))
                                    .and_then(|i| i.message)
                                    .and_then(|x| plan.templates.get(x.0 as usize))
                                    .is_some_and(|x| x.id == m)
                            })
                    })
                    .map(|t| t.card.instruction.to_string())
                    .collect();
                for i in said {
                    self.pushed_at.entry(i).or_insert(self.now_min);
                }
                if let Some(outbox) = self.outbox.as_mut() {
                    let m = PushedMessage {
                        t_min: self.now_min,
                        template: template.clone(),
                        text: text.clone(),
                        audience: audience.clone(),
                        recipients,
                    };
                    if let Err(e) = outbox.send(&m) {
                        self.journal_error.get_or_insert(format!("outbox: {e}"));
                    }
                }
                let grid = match audience {
                    floodgrid_model::drill::Audience::Grid { grid } => Some(grid.clone()),
                    _ => None,
                };
                self.event(
                    EventStatus::Normal,
                    grid.as_deref(),
                    EventDetail::Pushed {
                        audience: audience.clone(),
                        template: template.clone(),
                        text: text.clone(),
                        recipients: reached,
                    },
                );
                Ok(())
            }
            Action::AcknowledgeAlarm { site, alarm } => {
                if !self.engine.scenario().sites.iter().any(|s| &s.id == site) {
                    return Err(Refusal::UnknownSite { site: site.clone() });
                }
                // The alarm named, or the oldest one at the site still open.
                let open = |a: &RaisedAlarm| &a.site == site && a.acknowledged_min.is_none();
                let Some(k) = (match alarm {
                    Some(id) => self.raised.iter().position(|a| &a.id == id && open(a)),
                    None => self.raised.iter().position(open),
                }) else {
                    return Err(Refusal::NoOpenAlarm {
                        site: site.clone(),
                        alarm: alarm.clone(),
                    });
                };
                let now = self.now_min;
                self.raised[k].acknowledged_min = Some(now);
                self.acknowledged.push((site.clone(), now));
                let sc = self.engine.scenario();
                let grid = sc
                    .sites
                    .iter()
                    .find(|s| &s.id == site)
                    .and_then(|s| s.grid)
                    .and_then(|g| sc.grids.get(g.ix()))
                    .map(|g| g.id.clone());
                let a = &self.raised[k];
                let detail = EventDetail::AlarmAcknowledged {
                    site: site.clone(),
                    alarm: a.id.clone(),
                    groyne: a.groyne.clone(),
                    stones: a.stones,
                    raised_min: a.raised_min,
                };
                self.event(EventStatus::Resolved, grid.as_deref(), detail);
                Ok(())
            }
            Action::Call { person, grid } => {
                let sc = self.engine.scenario();
                let p = self.person(person).ok_or_else(|| Refusal::UnknownPerson {
                    person: person.clone(),
                })?;
                let g = sc
                    .grids
                    .iter()
                    .position(|x| &x.id == grid)
                    .ok_or_else(|| Refusal::UnknownGrid { grid: grid.clone() })?;
                // The person's grid or one of its ancestors must be the grid called through.
                let mut at = Some(sc.people[p.ix()].grid.ix());
                while let Some(x) = at.filter(|&x| x != g) {
                    at = sc.grids[x].parent.map(|q| q.ix());
                }
                if at.is_none() {
                    return Err(Refusal::NotInGrid {
                        person: person.clone(),
                        grid: grid.clone(),
                    });
                }
                self.event(
                    EventStatus::Normal,
                    Some(grid),
                    EventDetail::Called {
                        person: person.clone(),
                        grid: grid.clone(),
                    },
                );
                Ok(())
            }
            Action::Pause => {
                self.paused = true;
                Ok(())
            }
            Action::Resume => {
                self.paused = false;
                Ok(())
            }
            Action::Speed { factor } => {
                if !(factor.is_finite() && *factor > 0.0 && *factor <= 3600.0) {
                    return Err(Refusal::BadSpeed { factor: *factor });
                }
                self.speed = *factor;
                Ok(())
            }
        }
    }

    /// The people an audience reaches: a grid and the grids below it, a role, or everyone.
    fn recipients(
        &self,
        audience: &floodgrid_model::drill::Audience,
    ) -> Result<Vec<Recipient>, Refusal> {
        use floodgrid_model::drill::Audience;
        let sc = self.engine.scenario();
        let grids = &sc.grids;
        let grid_of = |grid: &String| {
            grids
                .iter()
                .position(|x| &x.id == grid)
                .ok_or_else(|| Refusal::UnknownGrid { grid: grid.clone() })
        };
        // Whether grid `c` is `g` or below it (ancestors are fewer than the grids).
        let within = move |g: usize, c: floodgrid_model::grid::GridIdx| {
            let mut cur = Some(c);
            for _ in 0..=grids.len() {
                match cur {
                    Some(c) if c.ix() == g => return true,
                    Some(c) => cur = grids.get(c.ix()).and_then(|x| x.parent),
                    None => return false,
                }
            }
            false
        };
        // Which staff it reaches, and the grid whose residents it reaches too.
        type Reach<'a> = (
            Box<dyn Fn(&floodgrid_model::grid::Person) -> bool + 'a>,
            Option<usize>,
        );
        let (keep, residents): Reach<'_> = match audience {
            Audience::Everyone => (Box::new(|_| true), None),
            Audience::Role { role } => {
                let r = sc
                    .config
                    .role(role)
                    .ok_or_else(|| Refusal::UnknownRole { role: role.clone() })?;
                (Box::new(move |p| p.role == r), None)
            }
            Audience::Grid { grid } => {
                let g = grid_of(grid)?;
                (Box::new(move |p| within(g, p.grid)), None)
            }
            Audience::Public { grid } => {
                let g = grid_of(grid)?;
                (Box::new(move |p| within(g, p.grid)), Some(g))
            }
        };
        let mut out: Vec<Recipient> = sc
            .people
            .iter()
            .filter(|p| keep(p))
            .map(|p| Recipient {
                id: p.id.clone(),
                name: p.name.clone(),
                phone: p.phone.clone(),
                resident: false,
            })
            .collect();
        if let Some(g) = residents {
            out.extend(
                sc.residents
                    .iter()
                    .filter(|r| within(g, r.grid))
                    .map(|r| Recipient {
                        id: r.id.clone(),
                        name: r.name.clone(),
                        phone: r.phone.clone(),
                        resident: true,
                    }),
            );
        }
        Ok(out)
    }

    /// How urgent an instance is for the duty-commander policy, most urgent 0: work on a
    /// hazard that puts people in danger now (people trapped, a staff casualty) 0; other
    /// priority-1 hazard work (an instruction for each hazard, or one whose condition reads the
    /// hazards) 1; the rest of priority 1 2; the rest 3. Nothing here names an instruction or a
    /// role: it all comes from the plan and the hazard vocabulary.
    fn rank(&self, instruction: &str, priority: u8, target: Option<&str>) -> u8 {
        use floodgrid_model::hazard::HazardKind;
        use floodgrid_model::plan::{ForEach, VarKey};
        let people_in_danger = target.is_some_and(|id| {
            self.hazards.iter().any(|h| {
                h.id == id
                    && matches!(
                        h.kind,
                        HazardKind::PeopleTrapped | HazardKind::StaffCasualty
                    )
            })
        });
        let hazard_work = self.instruction(instruction).is_some_and(|i| {
            i.for_each == Some(ForEach::Hazard)
                || i.when.reads(&|v| {
                    matches!(
                        v.info().key,
                        VarKey::HazardCount | VarKey::Hazards | VarKey::GridHazards
                    )
                })
        });
        match (priority, people_in_danger, hazard_work) {
            (_, true, _) => 0,
            (1, _, true) => 1,
            (1, _, _) => 2,
            _ => 3,
        }
    }

    /// The rank ([`Drill::rank`]) of a task under way, by its instance id (`instruction@item`:
    /// the item is the hazard of a for-each-hazard instruction).
    fn rank_of(&self, task: &str) -> u8 {
        match (self.times.get(task), self.instruction_of(task)) {
            (Some(t), Some(i)) => self.rank(
                &t.instruction,
                i.priority,
                task.split_once('@').map(|x| x.1),
            ),
            _ => 3,
        }
    }

    /// Hours until the water reaches a grid (by grid id) from the breach runs so far; infinite
    /// where no run reaches it (or before any breach).
    fn arrival_by_grid_id(&self) -> impl Fn(&str) -> f64 + use<'e> {
        let hours = self.arrival_hours().unwrap_or_default();
        let grids = &self.engine.scenario().grids;
        move |id: &str| {
            grids
                .iter()
                .position(|g| g.id == id)
                .and_then(|i| hours.get(i).copied().flatten())
                .unwrap_or(f64::INFINITY)
        }
    }

    /// Steps 3 and 4 of the duty-commander policy ([`DrillOptions::auto_dispatch`]): the
    /// dispatches (and the reassignments that free people for urgent work) of an assessment.
    fn dispatch_policy(&self, a: &Assessment) -> Vec<Action> {
        use floodgrid_assess::assess::TaskInstance;
        let sc = self.engine.scenario();
        let never_sent = |t: &&TaskInstance| {
            t.ready
                && (t.status == TaskStatus::Pending
                    || (t.status == TaskStatus::Overdue
                        && self
                            .times
                            .get(&*t.id)
                            .is_some_and(|x| x.dispatched.is_none())))
        };
        let rank = |t: &TaskInstance| {
            self.rank(
                &t.card.instruction,
                t.card.priority,
                t.id.split_once('@').map(|x| x.1),
            )
        };
        // By rank, then where the water comes first, otherwise the assessment's order (a
        // stable sort).
        let arrival = self.arrival_by_grid_id();
        let mut todo: Vec<(u8, &TaskInstance)> = a
            .tasks
            .iter()
            .filter(never_sent)
            .map(|t| (rank(t), t))
            .collect();
        todo.sort_by(|x, y| {
            x.0.cmp(&y.0)
                .then_with(|| arrival(&x.1.grid).total_cmp(&arrival(&y.1.grid)))
        });
        // Whether work of rank `r` may take people from work of rank `from`.
        let may = |r: u8, from: u8| {
            if r == 0 {
                from >= 1
            } else {
                r == 1 && from >= 2
            }
        };
        let role_of = |id: &str| sc.people.iter().find(|p| p.id == id).map(|p| p.role);
        // The engine's suggestion for each task still to send; people a more urgent task took
        // leave the suggestions below it.
        let mut suggested: Vec<Vec<String>> = todo
            .iter()
            .map(|(_, t)| t.assignees.iter().map(|x| x.person.id.clone()).collect())
            .collect();
        // Who is on work under way that could spare someone, by task (a fixed order), with
        // that work's rank.
        let mut donors: BTreeMap<&str, (u8, Vec<PersonIdx>)> = self
            .records
            .iter()
            .filter(|(_, r)| {
                matches!(
                    r.status,
                    TaskStatus::Dispatched | TaskStatus::Accepted | TaskStatus::InProgress
                ) && r.assignees.len() > 1
            })
            .map(|(k, r)| (k.as_str(), (self.rank_of(k), r.assignees.clone())))
            .collect();
        let mut changed: BTreeSet<&str> = BTreeSet::new();
        let mut touched = vec![false; todo.len()];
        // Work under way whose person became unavailable goes on with the others on it, or,
        // when that person was alone, with someone of the same role taken from the least
        // urgent suggestion.
        let mut out = Vec::new();
        for (k, rec) in &self.records {
            if !matches!(
                rec.status,
                TaskStatus::Dispatched | TaskStatus::Accepted | TaskStatus::InProgress
            ) || !rec.assignees.iter().any(|p| self.unavailable.contains(p))
            {
                continue;
            }
            let (lost, stay): (Vec<PersonIdx>, Vec<PersonIdx>) = rec
                .assignees
                .iter()
                .partition(|p| self.unavailable.contains(p));
            let mut people: Vec<String> = stay
                .iter()
                .filter_map(|p| sc.people.get(p.ix()).map(|x| x.id.clone()))
                .collect();
            if people.is_empty() {
                let roles: Vec<_> = lost
                    .iter()
                    .filter_map(|p| sc.people.get(p.ix()).map(|x| x.role))
                    .collect();
                for m in (0..todo.len()).rev() {
                    let fits = |id: &String| role_of(id).is_some_and(|x| roles.contains(&x));
                    if let Some(i) = suggested[m].iter().position(fits) {
                        people.push(suggested[m].remove(i));
                        touched[m] = true;
                        break;
                    }
                }
            } else {
                // The post is filled (补位): each lost person by someone of the same role taken
                // from the least urgent suggestion no more urgent than this work.
                let own = self.rank_of(k);
                for lost in &lost {
                    let Some(role) = sc.people.get(lost.ix()).map(|x| x.role) else {
                        continue;
                    };
                    for m in (0..todo.len()).rev() {
                        if todo[m].0 < own {
                            break;
                        }
                        let fits = |id: &String| role_of(id) == Some(role) && !people.contains(id);
                        if let Some(i) = suggested[m].iter().position(fits) {
                            people.push(suggested[m].remove(i));
                            touched[m] = true;
                            break;
                        }
                    }
                }
            }
            if !people.is_empty() {
                out.push(Action::Reassign {
                    task: k.clone(),
                    people,
                });
            }
        }
        // Where the never-sent work of people in danger ends: before any less urgent work is
        // sent, people-in-danger work under way that went out short (a crew called off other
        // work one by one) is topped up.
        let split = todo.iter().position(|x| x.0 >= 1).unwrap_or(todo.len());
        for n in 0..=todo.len() {
            if n == split {
                self.top_up_danger_work(
                    a,
                    &todo,
                    split,
                    &mut suggested,
                    &mut touched,
                    &mut donors,
                    &mut changed,
                    &mut out,
                );
            }
            if n == todo.len() {
                break;
            }
            let (r, t) = todo[n];
            let mut people = std::mem::take(&mut suggested[n]);
            let short = (t.people_needed as usize).saturating_sub(people.len());
            if short > 0 && r <= 1 {
                let roles: Vec<_> = self
                    .instruction(&t.card.instruction)
                    .map(|i| i.roles.clone())
                    .unwrap_or_default();
                let fits = |id: &str| role_of(id).is_some_and(|x| roles.contains(&x));
                let mut short = short;
                // First the people suggested for less urgent work not yet sent.
                for m in n + 1..todo.len() {
                    if short == 0 {
                        break;
                    }
                    if !may(r, todo[m].0) {
                        continue;
                    }
                    while short > 0 {
                        // Nobody twice on one task.
                        let Some(k) = suggested[m]
                            .iter()
                            .position(|p| fits(p) && !people.contains(p))
                        else {
                            break;
                        };
                        people.push(suggested[m].remove(k));
                        touched[m] = true;
                        touched[n] = true;
                        short -= 1;
                    }
                }
                // Then people on less urgent work under way, never its last person.
                for (task, (dr, on)) in donors.iter_mut() {
                    if short == 0 {
                        break;
                    }
                    while may(r, *dr) && short > 0 && on.len() > 1 {
                        let Some(k) = on
                            .iter()
                            .skip(1)
                            .position(|p| {
                                sc.people.get(p.ix()).is_some_and(|x| {
                                    roles.contains(&x.role) && !people.contains(&x.id)
                                })
                            })
                            .map(|k| k + 1)
                        else {
                            break;
                        };
                        let p = on.remove(k);
                        people.push(sc.people[p.ix()].id.clone());
                        changed.insert(task);
                        touched[n] = true;
                        short -= 1;
                    }
                }
            }
            if people.is_empty() {
                continue;
            }
            out.push(Action::Dispatch {
                task: t.id.to_string(),
                // The suggestion as it stands, unless the policy changed it.
                people: if touched[n] { people } else { Vec::new() },
            });
        }
        // The work people were taken from goes on with the people who stay.
        let mut resend = Vec::new();
        for task in changed {
            if let Some((_, on)) = donors.get(task) {
                resend.push(Action::Reassign {
                    task: task.to_string(),
                    people: on.iter().map(|p| sc.people[p.ix()].id.clone()).collect(),
                });
            }
        }
        resend.extend(out);
        resend
    }

    /// Part of the duty-commander policy ([`Drill::dispatch_policy`]): work on a hazard that puts
    /// people in danger, under way with fewer people than it needs, gets people of its roles
    /// before any less urgent work is sent: first those the engine suggested for never-sent work
    /// of rank `split` and below (`todo[split..]`), then people on less urgent work under way
    /// (never its last person). Re-sent as a reassignment with its people and the new ones.
    #[allow(clippy::too_many_arguments)]
    fn top_up_danger_work<'a>(
        &'a self,
        a: &Assessment,
        todo: &[(u8, &floodgrid_assess::assess::TaskInstance)],
        split: usize,
        suggested: &mut [Vec<String>],
        touched: &mut [bool],
        donors: &mut BTreeMap<&'a str, (u8, Vec<PersonIdx>)>,
        changed: &mut BTreeSet<&'a str>,
        out: &mut Vec<Action>,
    ) {
        let sc = self.engine.scenario();
        for (k, rec) in &self.records {
            if !matches!(rec.status, TaskStatus::Accepted | TaskStatus::InProgress)
                || rec.assignees.iter().any(|p| self.unavailable.contains(p))
                || self.rank_of(k) != 0
            {
                continue;
            }
            let Some(t) = a.tasks.iter().find(|t| *t.id == **k) else {
                continue;
            };
            let mut short = (t.people_needed as usize).saturating_sub(rec.assignees.len());
            if short == 0 {
                continue;
            }
            let roles: Vec<_> = self
                .instruction(&t.card.instruction)
                .map(|i| i.roles.clone())
                .unwrap_or_default();
            let mut people: Vec<String> = rec
                .assignees
                .iter()
                .filter_map(|p| sc.people.get(p.ix()).map(|x| x.id.clone()))
                .collect();
            let before = people.len();
            let fits = |id: &str| {
                sc.people
                    .iter()
                    .find(|p| p.id == id)
                    .is_some_and(|p| roles.contains(&p.role))
            };
            for m in split..todo.len() {
                while short > 0 {
                    let Some(i) = suggested[m]
                        .iter()
                        .position(|p| fits(p) && !people.contains(p))
                    else {
                        break;
                    };
                    people.push(suggested[m].remove(i));
                    touched[m] = true;
                    short -= 1;
                }
            }
            for (task, (dr, on)) in donors.iter_mut() {
                while short > 0 && *dr >= 1 && on.len() > 1 {
                    let Some(i) = on
                        .iter()
                        .skip(1)
                        .position(|p| {
                            sc.people
                                .get(p.ix())
                                .is_some_and(|x| roles.contains(&x.role) && !people.contains(&x.id))
                        })
                        .map(|i| i + 1)
                    else {
                        break;
                    };
                    let p = on.remove(i);
                    people.push(sc.people[p.ix()].id.clone());
                    changed.insert(task);
                    short -= 1;
                }
            }
            if people.len() > before {
                out.push(Action::Reassign {
                    task: k.clone(),
                    people,
                });
            }
        }
    }

    /// Sends pushed messages to a sink (default: nowhere but the journal).
    pub fn set_outbox(&mut self, sink: Box<dyn MessageSink + 'e>) {
        self.outbox = Some(sink);
    }

    fn schedule(&mut self, task: &str, step: FieldStep, at: f64) {
        self.seq += 1;
        self.field
            .insert((key_min(at), self.seq), (task.to_string(), step));
    }

    /// Advances the drill to minute `t` (no further than the end of the script plus a day).
    pub fn step_to(&mut self, t: f64) {
        let t = if t.is_finite() {
            t.min(self.end_min() + 1440.0)
        } else {
            self.now_min
        };
        loop {
            if self.journal_error.is_some() {
                break;
            }
            // The next thing to happen: an inject, a field step, a routine assessment.
            let next_inject = self.script.injects.get(self.next_inject).map(|i| i.at_min);
            let next_field = self.field.keys().next().map(|k| k.0 as f64 / 1000.0);
            let mut next = self.next_assess_min;
            if let Some(x) = next_inject {
                next = next.min(x);
            }
            if let Some(x) = next_field {
                next = next.min(x);
            }
            if self.dirty {
                next = next.min(self.now_min);
            }
            if next > t {
                break;
            }
            self.now_min = next.max(self.now_min);
            while self
                .script
                .injects
                .get(self.next_inject)
                .is_some_and(|i| i.at_min <= self.now_min)
            {
                self.fire_inject(self.next_inject);
                self.next_inject += 1;
            }
            while let Some((&k, _)) = self.field.iter().next() {
                if k.0 as f64 / 1000.0 > self.now_min {
                    break;
                }
                if let Some((task, step)) = self.field.remove(&k) {
                    self.field_step(&task, step);
                }
            }
            if self.dirty || self.now_min >= self.next_assess_min {
                self.assess_now();
            }
        }
        self.now_min = t.max(self.now_min);
    }

    /// Whether a contingency's response happened between its `since_min` and now: the
    /// instruction dispatched or done, or an action of the kind taken.
    fn responded(&self, c: &floodgrid_model::drill::Contingency) -> bool {
        let plan = &self.engine.scenario().plan;
        let since = c.since_min;
        if let Some(i) = c
            .instruction
            .and_then(|i| plan.instructions.get(i.0 as usize))
        {
            return self.times.values().any(|t| {
                t.instruction == i.id
                    && [t.dispatched, t.done]
                        .into_iter()
                        .flatten()
                        .any(|x| x >= since)
            });
        }
        c.action.is_some_and(|k| {
            self.actions
                .iter()
                .any(|(t, a, _)| *t >= since && a.action_kind() == k)
        })
    }

    fn fire_inject(&mut self, n: usize) {
        let Some(inject) = self.script.injects.get(n).cloned() else {
            return;
        };
        if self.fired.len() <= n {
            self.fired.resize(n + 1, false);
        }
        // A contingency inject whose response came does not fire (its expectations are not
        // scored); the journal says so.
        if let Some(c) = &inject.unless
            && self.responded(c)
        {
            self.event(
                EventStatus::Resolved,
                None,
                EventDetail::InjectWithheld {
                    inject: n + 1,
                    at_min: inject.at_min,
                    kind: inject.kind,
                },
            );
            return;
        }
        self.fired[n] = true;
        let sc = self.engine.scenario();
        let facts = self.engine.grid_facts();
        let grid = match &inject.place {
            InjectPlace::Site(s) => sc.sites.get(s.ix()).and_then(|s| s.grid),
            InjectPlace::Grid(g) => Some(*g),
            InjectPlace::Point { xy, .. } => sc
                .grids
                .iter()
                .enumerate()
                .filter(|(_, g)| g.region.contains(*xy))
                .max_by_key(|(i, _)| facts.get(*i).map(|f| f.depth).unwrap_or(0))
                .map(|(i, _)| GridIdx(i as u32)),
            InjectPlace::Person(p) => sc.people.get(p.ix()).map(|p| p.grid),
            InjectPlace::None => None,
        };
        let root = sc
            .grids
            .iter()
            .position(|g| g.parent.is_none())
            .map(|i| GridIdx(i as u32))
            .unwrap_or(GridIdx(0));
        let grid = grid.unwrap_or(root);
        let site = match inject.place {
            InjectPlace::Site(s) => Some(s),
            _ => None,
        };
        let status = match inject.kind {
            InjectKind::Hazard(h) if h.default_severity() >= 3 => EventStatus::Danger,
            _ => EventStatus::Attention,
        };
        let grid_id = sc.grids.get(grid.ix()).map(|g| g.id.clone());
        let mut reading = None;
        match inject.kind {
            InjectKind::SmartStoneAlarm => {
                if let Some(s) = site {
                    // One sensor alarm per stone: `site.alarms` counts the stones in alarm.
                    let stones = inject.alarm.as_ref().map_or(1, |a| a.stones.max(1));
                    for _ in 0..stones {
                        self.alarms.push(SensorAlarm { site: s });
                    }
                    let a = inject.alarm.as_ref();
                    let groyne = a.and_then(|a| a.groyne.clone());
                    reading = Some(floodgrid_model::drill::StoneAlarm {
                        stones,
                        groyne: groyne.clone(),
                        displacement_mm: a.and_then(|a| a.displacement_mm),
                        tilt_deg: a.and_then(|a| a.tilt_deg),
                    });
                    self.raised.push(RaisedAlarm {
                        id: format!("inject{}", n + 1),
                        site: sc
                            .sites
                            .get(s.ix())
                            .map(|x| x.id.clone())
                            .unwrap_or_default(),
                        raised_min: self.now_min,
                        stones,
                        groyne,
                        acknowledged_min: None,
                    });
                }
            }
            InjectKind::PersonUnavailable => {
                if let InjectPlace::Person(p) = inject.place {
                    self.unavailable.push(p);
                }
            }
            InjectKind::Hazard(kind) => {
                // A staff casualty who is named is out of the roster from now on: their work
                // is re-sent like a drop-out's.
                if kind == floodgrid_model::hazard::HazardKind::StaffCasualty
                    && let InjectPlace::Person(p) = inject.place
                    && !self.unavailable.contains(&p)
                {
                    self.unavailable.push(p);
                }
                self.hazards.push(Hazard {
                    id: format!("inject{}", n + 1),
                    kind,
                    site,
                    grid,
                    severity: kind.default_severity(),
                });
            }
        }
        let detail = EventDetail::Inject {
            inject: n + 1,
            kind: inject.kind,
            text: inject.text.clone(),
            grid: grid_id.clone(),
            site: site
                .and_then(|s| sc.sites.get(s.ix()))
                .map(|s| s.id.clone()),
            person: match inject.place {
                InjectPlace::Person(p) => sc.people.get(p.ix()).map(|p| p.id.clone()),
                _ => None,
            },
            severity: match inject.kind {
                InjectKind::Hazard(h) => Some(h.default_severity()),
                _ => None,
            },
            reading,
            attachments: inject.attachments.clone(),
        };
        self.event(status, grid_id.as_deref(), detail);
        if inject.breach.is_some()
            && let Some(run) = self.finish_breach_run(n)
        {
            let f = &run.figures;
            let detail = match &f.error {
                Some(e) => EventDetail::BreachRoutingFailed {
                    dike: f.dike.clone(),
                    error: e.clone(),
                },
                None => EventDetail::BreachRouted {
                    dike: f.dike.clone(),
                    cell_size_m: f.cell_size_m,
                    horizon_h: f.horizon_h,
                    flooded_area_km2: f.flooded_area_km2,
                    grids_reached: f.grids_reached.len(),
                    first: f.grids_reached.iter().take(5).cloned().collect(),
                },
            };
            self.event(EventStatus::Danger, grid_id.as_deref(), detail);
        }
        self.dirty = true;
    }

    fn field_step(&mut self, task: &str, step: FieldStep) {
        let Some(rec) = self.records.get(task).cloned() else {
            return;
        };
        if matches!(
            rec.status,
            TaskStatus::StoodDown | TaskStatus::Done | TaskStatus::Verified
        ) {
            return;
        }
        let grid = self.times.get(task).map(|t| t.grid.clone());
        let now = self.now_min;
        match step {
            FieldStep::Acknowledge => {
                if self.step_task(task, TaskStep::Accept).is_err() {
                    return;
                }
                if let Some(t) = self.times.get_mut(task) {
                    t.accepted.get_or_insert(now);
                }
                self.event(
                    EventStatus::Normal,
                    grid.as_deref(),
                    EventDetail::Accepted {
                        task: task.to_string(),
                    },
                );
                let travel = self.travel_min(task, &rec.assignees);
                let mut start = now + travel;
                if self.per_resident(task) {
                    // One resident after another: the round's people reach this door when they
                    // are through with the ones before it.
                    for p in &rec.assignees {
                        start = start.max(self.round_free.get(p).copied().unwrap_or(0.0));
                    }
                    let work = self.duration_min(task) * self.rng.range(0.8, 1.2);
                    for p in &rec.assignees {
                        self.round_free.insert(*p, start + work.max(1.0));
                    }
                    self.round_work.insert(task.to_string(), work);
                }
                self.schedule(task, FieldStep::Arrive, start);
            }
            FieldStep::Arrive => {
                if self.step_task(task, TaskStep::Start).is_err() {
                    return;
                }
                self.event(
                    EventStatus::Normal,
                    grid.as_deref(),
                    EventDetail::Arrived {
                        task: task.to_string(),
                    },
                );
                let work = match self.round_work.remove(task) {
                    Some(w) => w,
                    None => self.duration_min(task) * self.rng.range(0.8, 1.2),
                };
                self.schedule(task, FieldStep::Finish, now + work.max(1.0));
            }
            FieldStep::Finish => {
                if self.step_task(task, TaskStep::Complete).is_err() {
                    return;
                }
                if let Some(t) = self.times.get_mut(task) {
                    t.done.get_or_insert(now);
                }
                let patrol = self.times.get(task).is_some_and(|t| {
                    self.engine
                        .scenario()
                        .plan
                        .categories
                        .iter()
                        .any(|c| c.id == t.category && c.kind == CategoryKind::Patrol)
                });
                let task = task.to_string();
                let detail = if patrol {
                    EventDetail::PatrolReport { task }
                } else {
                    EventDetail::Done { task }
                };
                self.event(EventStatus::Resolved, grid.as_deref(), detail);
            }
        }
    }

    /// An instruction by its id.
    fn instruction(&self, id: &str) -> Option<&'e floodgrid_model::plan::Instruction> {
        let plan = &self.engine.scenario().plan;
        plan.instruction(id)
            .and_then(|i| plan.instructions.get(i.0 as usize))
    }

    /// The instruction behind an instance.
    fn instruction_of(&self, task: &str) -> Option<&'e floodgrid_model::plan::Instruction> {
        self.times
            .get(task)
            .and_then(|t| self.instruction(&t.instruction))
    }

    /// The instruction's working time, minutes (60 when unknown).
    fn duration_min(&self, task: &str) -> f64 {
        self.instruction_of(task).map_or(60.0, |i| i.duration_min)
    }

    /// Whether the instance is about one key person or one household (worked door to door).
    fn per_resident(&self, task: &str) -> bool {
        self.instruction_of(task).is_some_and(|i| {
            matches!(
                i.for_each,
                Some(
                    floodgrid_model::plan::ForEach::KeyPerson
                        | floodgrid_model::plan::ForEach::Household
                )
            )
        })
    }

    /// Minutes for the assignees to reach the task's grid: straight line from their home grid
    /// over a speed by role (vehicles for crews, e-bikes for grid staff), at least 2 minutes.
    fn travel_min(&mut self, task: &str, people: &[PersonIdx]) -> f64 {
        let sc = self.engine.scenario();
        let facts = self.engine.grid_facts();
        let Some(target) = self
            .times
            .get(task)
            .and_then(|t| sc.grids.iter().position(|g| g.id == t.grid))
        else {
            return 10.0;
        };
        let to = facts[target].anchor;
        let mut worst: f64 = 2.0;
        for p in people {
            let Some(person) = sc.people.get(p.ix()) else {
                continue;
            };
            let from = facts.get(person.grid.ix()).map(|f| f.anchor).unwrap_or(to);
            let km = (from[0] - to[0]).hypot(from[1] - to[1]) / 1000.0;
            let kmh = sc
                .config
                .roles
                .get(person.role.ix())
                .map_or(floodgrid_model::grid::Role::DEFAULT_TRAVEL_KMH, |r| {
                    r.travel_kmh
                });
            worst = worst.max(km / kmh * 60.0 + self.rng.range(1.0, 5.0));
        }
        worst
    }

    /// The situation now; the task records move into it (and back after the assessment).
    fn situation(&mut self) -> Situation {
        let q = self.discharge();
        let start = &self.script.start;
        let (month, hour0) = (
            start.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(7),
            start
                .get(11..13)
                .and_then(|h| h.parse::<u32>().ok())
                .unwrap_or(8),
        );
        Situation {
            discharge_m3s: q,
            now_min: self.now_min,
            level: Some(self.tracker.level()),
            peak_level: Some(self.tracker.peak()),
            readings: self.readings.clone(),
            forecast: if self.override_q.is_some() {
                None
            } else {
                forecast_from_hydrograph(&self.script.hydrograph, self.now_min)
            },
            forecast_path: if self.override_q.is_some() {
                Vec::new()
            } else {
                forecast_path(&self.script.hydrograph, self.now_min)
            },
            month,
            hour: (hour0 + (self.now_min / 60.0) as u32) % 24,
            alarms: self.alarms.clone(),
            hazards: self.hazards.clone(),
            unavailable: self.unavailable.clone(),
            arrival_hours: self.arrival_hours(),
            tasks: std::mem::take(&mut self.records),
        }
    }

    fn assess_now(&mut self) {
        let q = self.discharge();
        self.peak_discharge = self.peak_discharge.max(q);
        let th = &self.engine.scenario().config.warning;
        let before = self.tracker.level();
        let level = self.tracker.update(th, self.now_min, q);
        self.readings.push(GaugeReading {
            t_min: self.now_min,
            discharge_m3s: q,
        });
        let window = th.trend_window_minutes;
        let now = self.now_min;
        self.readings.retain(|r| r.t_min >= now - window);
        if level != before || self.levels.is_empty() {
            self.levels.push((now, level));
            if level != before {
                let status = if level > before {
                    EventStatus::Danger
                } else {
                    EventStatus::Resolved
                };
                self.event(
                    status,
                    None,
                    EventDetail::Level {
                        from: before,
                        to: level,
                        discharge_m3s: q,
                    },
                );
            }
        }
        for (i, t) in self.engine.resident_wet_discharge().iter().enumerate() {
            if f64::from(*t) <= q && self.water_reached[i].is_none() {
                self.water_reached[i] = Some(now);
            }
        }
        let situation = self.situation();
        let a = match self.engine.assess(&situation) {
            Ok(a) => a,
            Err(e) => {
                // Only a script that names what its scenario lacks gets here (a loaded script is
                // checked against it): say so and keep the last assessment.
                self.event(
                    EventStatus::Danger,
                    None,
                    EventDetail::Unassessable {
                        error: e.to_string(),
                    },
                );
                return;
            }
        };
        self.records = situation.tasks;
        // New instances: remember when they appeared.
        let mut new = 0usize;
        let mut overdue_now: Vec<(String, String)> = Vec::new();
        for t in &a.tasks {
            if !self.times.contains_key(&*t.id) {
                new += 1;
                self.times.insert(
                    t.id.to_string(),
                    TaskTimes {
                        instruction: t.card.instruction.to_string(),
                        category: t.card.category.to_string(),
                        grid: t.grid.to_string(),
                        activated: now,
                        ..TaskTimes::default()
                    },
                );
                self.records.insert(
                    t.id.to_string(),
                    TaskRecord {
                        status: TaskStatus::Pending,
                        triggered_min: now,
                        assignees: Vec::new(),
                    },
                );
            }
            if t.status == TaskStatus::Overdue
                && self.times.get(&*t.id).is_some_and(|x| x.overdue.is_none())
            {
                overdue_now.push((t.id.to_string(), t.grid.to_string()));
            }
            if t.status == TaskStatus::StoodDown
                && let Some(r) = self.records.get_mut(&*t.id)
            {
                r.status = TaskStatus::StoodDown;
            }
        }
        // Instances that left the list without being dispatched are forgotten (they come back
        // fresh if their condition holds again).
        let present: BTreeSet<&str> = a.tasks.iter().map(|t| &*t.id).collect();
        let gone: Vec<String> = self
            .records
            .iter()
            .filter(|(k, r)| r.status == TaskStatus::Pending && !present.contains(k.as_str()))
            .map(|(k, _)| k.clone())
            .collect();
        for k in gone {
            self.records.remove(&k);
            self.times.remove(&k);
        }
        if new > 0 && !self.events.is_empty() {
            self.event(
                EventStatus::Attention,
                None,
                EventDetail::TasksActivated { count: new },
            );
        }
        for (task, grid) in overdue_now {
            if let Some(t) = self.times.get_mut(&task) {
                t.overdue = Some(now);
            }
            self.event(
                EventStatus::Attention,
                Some(&grid),
                EventDetail::Overdue { task },
            );
        }
        self.peak_people_short = self.peak_people_short.max(a.summary.people_short);
        self.peak_materials_short = self.peak_materials_short.max(a.summary.materials_short);
        // The duty-commander policy (see [`DrillOptions::auto_dispatch`]): acknowledge every
        // alarm, push each instruction's message once when it becomes active, dispatch.
        let mut policy: Vec<Action> = Vec::new();
        if self.options.auto_dispatch {
            // Every alarm is acknowledged on its own, by its id, however many a works raises.
            for alarm in self.raised.iter().filter(|x| x.acknowledged_min.is_none()) {
                policy.push(Action::AcknowledgeAlarm {
                    site: alarm.site.clone(),
                    alarm: Some(alarm.id.clone()),
                });
            }
            // Each new instance's message goes to its grid, once per instruction and grid in
            // an assessment, where the water comes first first: a message due again (the
            // instruction active again, or active in another grid) is pushed again.
            let arrival = self.arrival_by_grid_id();
            let mut due: Vec<&floodgrid_assess::assess::TaskInstance> = a
                .tasks
                .iter()
                .filter(|t| {
                    t.message.is_some()
                        && t.status == TaskStatus::Pending
                        && !self.pushed.contains(&*t.id)
                })
                .collect();
            due.sort_by(|x, y| arrival(&x.grid).total_cmp(&arrival(&y.grid)));
            let mut sent: BTreeSet<(&str, &str)> = BTreeSet::new();
            let mut covered: Vec<String> = Vec::new();
            for t in due {
                covered.push(t.id.to_string());
                if let Some(text) = &t.message
                    && sent.insert((&*t.card.instruction, &*t.grid))
                {
                    // The instruction's template says whether the notice is for the public.
                    let plan = &self.engine.scenario().plan;
                    let template = plan
                        .instruction(&t.card.instruction)
                        .and_then(|i| plan.instructions.get(i.0 as usize))
                        .and_then(|i| i.message)
                        .and_then(|m| plan.templates.get(m.0 as usize));
                    let grid = t.grid.to_string();
                    policy.push(Action::Push {
                        template: template.map(|m| m.id.clone()),
                        text: text.clone(),
                        audience: if template.is_some_and(|m| m.public) {
                            floodgrid_model::drill::Audience::Public { grid }
                        } else {
                            floodgrid_model::drill::Audience::Grid { grid }
                        },
                    });
                }
            }
            self.pushed.extend(covered);
            policy.extend(self.dispatch_policy(&a));
        }
        self.last = Some(a);
        self.dirty = false;
        self.next_assess_min = now + self.options.assess_every_min;
        for action in policy {
            let _ = self.apply_as(action, true);
        }
        self.dirty = false;
    }
}
