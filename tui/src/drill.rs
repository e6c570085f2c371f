//! The seam to the drill engine and to live feeds. The console owns the screen and the
//! commander's keys; a [`DrillDriver`] owns the clock and whatever moves the situation on its own
//! (the script's hydrograph and injects, simulated frontline staff, a tailed gauge feed). The App
//! forwards every commander [`Action`] to it and calls [`DrillDriver::tick`] as wall time passes.
//!
//! What-if mode has no driver: the discharge is whatever the commander sets. [`DrillSession`]
//! drives the console from the drill engine; [`crate::live::LiveFeed`] from tailed feed files.

use std::time::Duration;

use floodgrid_engine::assess::{Assessment, Situation};

use crate::app::{Action, DrillAction};

/// The drill clock as the top bar shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clock {
    /// Drill minutes since the start.
    pub now_min: f64,
    /// Drill minutes per wall minute (1, 10, 60 ...).
    pub speed: f64,
    /// Whether the clock stands still.
    pub paused: bool,
}

/// How a note or a map marker stands: its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Severity {
    /// Routine.
    #[default]
    Normal,
    /// Needs attention.
    Attention,
    /// Danger.
    Danger,
    /// Resolved.
    Resolved,
}

impl From<floodgrid_engine::drill::EventStatus> for Severity {
    fn from(s: floodgrid_engine::drill::EventStatus) -> Severity {
        use floodgrid_engine::drill::EventStatus as E;
        match s {
            E::Normal => Severity::Normal,
            E::Attention => Severity::Attention,
            E::Danger => Severity::Danger,
            E::Resolved => Severity::Resolved,
        }
    }
}

/// Something the driver wants in the event log (an inject, a field report, a clock change).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DriverNote {
    /// Chinese text.
    pub zh: String,
    /// English text.
    pub en: String,
    /// Its colour.
    pub severity: Severity,
}

/// A report marker on the map: a letter at a grid, coloured by its severity.
#[derive(Debug, Clone, PartialEq)]
pub struct MapMarker {
    /// Grid id.
    pub grid: String,
    /// One ASCII letter by kind (`!` inject, `R` report, `P` people on site, `L` late, `V` done).
    pub letter: char,
    /// Colour.
    pub severity: Severity,
}

/// An inject that reached the commander (a sensor alarm, a field or public report): a row of the
/// alarm queue.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmItem {
    /// Drill minute it arrived.
    pub at_min: f64,
    /// What it reports.
    pub kind: floodgrid_engine::drill::InjectKind,
    /// The site it is at (index into `Scenario::sites`), if any.
    pub site: Option<usize>,
    /// The grid it is in (index into `Scenario::grids`), if known.
    pub grid: Option<usize>,
    /// The inject's text as the script gives it (scenario prose, shown in Chinese only).
    pub text: String,
    /// A sensor alarm the drill counts acknowledgements of (`acknowledge_alarm`, journaled);
    /// other items are acknowledged on the console alone.
    pub sensor: bool,
    /// The drill counts it as acknowledged (sensor alarms only).
    pub acknowledged: bool,
}

/// What a driver call changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DriverUpdate {
    /// The situation changed: the App assesses it again.
    pub changed: bool,
    /// Lines for the event log.
    pub notes: Vec<DriverNote>,
    /// The drill is over (the App shows it and keeps the screen).
    pub finished: bool,
}

/// Drives the situation in drill and live modes. The drill engine (and a live feed reader)
/// implement this; the console never advances time itself.
pub trait DrillDriver {
    /// Shown in the top bar: the drill's name.
    fn title(&self, lang: crate::i18n::Lang) -> String;
    /// The clock now.
    fn clock(&self) -> Clock;
    /// The driver's own assessment, when it keeps the situation itself (the drill engine does):
    /// the App shows it instead of assessing its `Situation`. `None`: the App assesses.
    fn assessment(&self) -> Option<&Assessment> {
        None
    }
    /// Report markers for the map (latest per grid).
    fn markers(&self) -> Vec<MapMarker> {
        Vec::new()
    }
    /// Whether the commander's clock actions (pause, speed) apply; when not, they are handed to
    /// [`DrillDriver::on_action`] to be refused and are not journaled.
    fn clock_control(&self) -> bool {
        true
    }
    /// The mode's name for the event log (drill, live).
    fn mode_name(&self, lang: crate::i18n::Lang) -> &'static str {
        crate::i18n::MODE_DRILL.get(lang)
    }
    /// The App assessed the situation (drivers without their own assessment only): the driver
    /// may note what the assessment found in the situation (when instances became active) for
    /// the next one. The assessment stays as it is.
    fn assessed(&mut self, _assessment: &Assessment, _situation: &mut Situation) {}
    /// Injects that reached the commander so far, oldest first: the alarm queue.
    fn alarms(&self) -> Vec<AlarmItem> {
        Vec::new()
    }
    /// Drill events not yet taken, oldest first: the App renders them in its language from their
    /// kind and fields (none for drivers that only give notes).
    fn take_events(&mut self) -> Vec<floodgrid_engine::drill::Event> {
        Vec::new()
    }
    /// The minute the drill ends, if it has an end.
    fn end_min(&self) -> Option<f64> {
        None
    }
    /// The after-action report (Markdown), for a drill that has one.
    fn report(&self) -> Option<String> {
        None
    }
    /// Every commander command, after the App applied it to the situation (dispatches, steps,
    /// discharge) or, for the clock commands (pause, resume, speed) and alarm acknowledgements,
    /// for the driver alone to apply.
    fn on_action(&mut self, action: &DrillAction, situation: &mut Situation) -> DriverUpdate;
    /// Wall time passed since the last tick: move the clock and the situation on.
    fn tick(&mut self, wall: Duration, situation: &mut Situation) -> DriverUpdate;
}

/// The drill engine ([`floodgrid_engine::drill::Drill`]) as the console's driver: the drill keeps
/// the situation, the clock and the journal; the console shows its assessment and its events and
/// hands it the commander's actions.
pub struct DrillSession<'e> {
    drill: floodgrid_engine::drill::Drill<'e>,
    /// Events already shown.
    shown: usize,
    /// The script's name, for the top bar (Chinese, English).
    title: (String, Option<String>),
}

/// The speeds `>` and `<` step through (drill minutes per wall minute).
pub const SPEEDS: [f64; 6] = [1.0, 5.0, 10.0, 30.0, 60.0, 600.0];

/// The command a clock key stands for, given the clock before it: space pauses or resumes, `>`
/// and `<` step through [`SPEEDS`]. `None` for any other action.
///
/// ```
/// use floodgrid_tui::{Action, Clock, drill::clock_command};
/// use floodgrid_engine::drill::Action as D;
/// let clock = Clock { now_min: 0.0, speed: 10.0, paused: true };
/// assert_eq!(clock_command(&Action::TogglePause, clock), Some(D::Resume));
/// assert_eq!(clock_command(&Action::Faster, clock), Some(D::Speed { factor: 30.0 }));
/// assert_eq!(clock_command(&Action::Help, clock), None);
/// ```
pub fn clock_command(action: &Action, clock: Clock) -> Option<floodgrid_engine::drill::Action> {
    use floodgrid_engine::drill::Action as D;
    let speed = clock.speed;
    match action {
        Action::TogglePause if clock.paused => Some(D::Resume),
        Action::TogglePause => Some(D::Pause),
        Action::Faster => Some(D::Speed {
            factor: SPEEDS
                .iter()
                .copied()
                .find(|&s| s > speed)
                .unwrap_or(SPEEDS[SPEEDS.len() - 1]),
        }),
        Action::Slower => Some(D::Speed {
            factor: SPEEDS
                .iter()
                .rev()
                .copied()
                .find(|&s| s < speed)
                .unwrap_or(SPEEDS[0]),
        }),
        _ => None,
    }
}

impl<'e> DrillSession<'e> {
    /// Wraps a drill (it starts paused at x1).
    pub fn new(drill: floodgrid_engine::drill::Drill<'e>) -> DrillSession<'e> {
        let title = (drill.script().name.clone(), drill.script().name_en.clone());
        let mut s = DrillSession {
            drill,
            shown: 0,
            title,
        };
        // Minute 0: the first assessment and whatever the script does at once.
        s.drill.step_to(0.0);
        s
    }

    /// The drill.
    pub fn drill(&self) -> &floodgrid_engine::drill::Drill<'e> {
        &self.drill
    }

    /// Whether events are waiting for [`DrillDriver::take_events`].
    fn has_new_events(&self) -> bool {
        self.drill.events().len() > self.shown
    }

    fn perform(&mut self, action: floodgrid_engine::drill::Action) -> DriverUpdate {
        let rejected = self.drill.apply(action).err();
        // The drill assesses on its next step; step to now so the screen shows the result.
        let now = self.drill.now_min();
        self.drill.step_to(now);
        let mut notes = Vec::new();
        // The drill logs a rejection as an event too; the note carries the reason for the status
        // line.
        if let Some(e) = rejected {
            notes.push(DriverNote {
                zh: e.clone(),
                en: e,
                severity: Severity::Attention,
            });
        }
        DriverUpdate {
            changed: true,
            notes,
            finished: self.drill.now_min() >= self.drill.end_min(),
        }
    }
}

/// A console drill ends its journal when the console lets it go (quit, or the drill over): the
/// `end` record at the minute it stopped, so `report` replays to there. Not after a journal
/// write error (the journal stays at its last good record); a killed console writes none, and
/// `--resume` goes on from the last record.
impl Drop for DrillSession<'_> {
    fn drop(&mut self) {
        if self.drill.journal_error().is_none() {
            self.drill.finish();
        }
    }
}

impl DrillDriver for DrillSession<'_> {
    fn title(&self, lang: crate::i18n::Lang) -> String {
        match (lang, &self.title.1) {
            (crate::i18n::Lang::En, Some(en)) => en.clone(),
            _ => self.title.0.clone(),
        }
    }

    fn clock(&self) -> Clock {
        Clock {
            now_min: self.drill.now_min(),
            speed: self.drill.speed(),
            paused: self.drill.paused(),
        }
    }

    fn assessment(&self) -> Option<&Assessment> {
        self.drill.assessment()
    }

    fn markers(&self) -> Vec<MapMarker> {
        use floodgrid_engine::drill::EventKind as K;
        // The latest field event per grid: what the commander would see pinned on the map.
        let mut latest: std::collections::BTreeMap<&str, MapMarker> = Default::default();
        for e in self.drill.events() {
            let Some(grid) = e.grid.as_deref() else {
                continue;
            };
            let letter = match e.kind {
                K::Inject => '!',
                K::Report => 'R',
                K::Arrived | K::Accepted => 'P',
                K::Overdue => 'L',
                K::Done | K::Verified => 'V',
                _ => continue,
            };
            latest.insert(
                grid,
                MapMarker {
                    grid: grid.to_string(),
                    letter,
                    severity: e.status.into(),
                },
            );
        }
        latest.into_values().collect()
    }

    fn on_action(&mut self, action: &DrillAction, _situation: &mut Situation) -> DriverUpdate {
        self.perform(action.clone())
    }

    fn alarms(&self) -> Vec<AlarmItem> {
        use floodgrid_engine::drill::{InjectKind, InjectPlace};
        let sc = self.drill.engine().scenario();
        let now = self.drill.now_min();
        // Acknowledgements are used up alarm by alarm, per site, in order (as the report counts).
        let mut acks: std::collections::HashMap<&str, usize> = Default::default();
        for (site, _) in self.drill.acknowledged() {
            *acks.entry(site.as_str()).or_default() += 1;
        }
        let mut out = Vec::new();
        for inject in &self.drill.script().injects {
            if inject.at_min > now {
                continue;
            }
            let (site, grid) = match inject.place {
                InjectPlace::Site(s) => (
                    Some(s.ix()),
                    sc.sites.get(s.ix()).and_then(|x| x.grid).map(|g| g.ix()),
                ),
                InjectPlace::Grid(g) => (None, Some(g.ix())),
                InjectPlace::Person(p) => (None, sc.people.get(p.ix()).map(|x| x.grid.ix())),
                // The working grid the point lies in (else any grid that holds it).
                InjectPlace::Point { xy, .. } => {
                    let holds = |g: &&floodgrid_engine::grid::Grid| g.region.contains(xy);
                    let found = sc
                        .grids
                        .iter()
                        .enumerate()
                        .filter(|(_, g)| holds(g) && g.kind.is_working_grid())
                        .map(|(i, _)| i)
                        .next()
                        .or_else(|| sc.grids.iter().rposition(|g| holds(&g)));
                    (None, found)
                }
                InjectPlace::None => (None, None),
            };
            let sensor = inject.kind == InjectKind::SmartStoneAlarm && site.is_some();
            let acknowledged = sensor
                && site
                    .and_then(|s| sc.sites.get(s))
                    .and_then(|s| acks.get_mut(s.id.as_str()))
                    .is_some_and(|n| {
                        let left = *n > 0;
                        *n = n.saturating_sub(1);
                        left
                    });
            out.push(AlarmItem {
                at_min: inject.at_min,
                kind: inject.kind,
                site,
                grid,
                text: inject.text.clone(),
                sensor,
                acknowledged,
            });
        }
        out
    }

    fn take_events(&mut self) -> Vec<floodgrid_engine::drill::Event> {
        let events = self.drill.events();
        let new = events[self.shown.min(events.len())..].to_vec();
        self.shown = events.len();
        new
    }

    fn end_min(&self) -> Option<f64> {
        Some(self.drill.end_min())
    }

    fn report(&self) -> Option<String> {
        Some(floodgrid_engine::drill::report(&self.drill).to_markdown())
    }

    fn tick(&mut self, wall: Duration, _situation: &mut Situation) -> DriverUpdate {
        if self.drill.paused() || self.drill.now_min() >= self.drill.end_min() {
            return DriverUpdate {
                finished: self.drill.now_min() >= self.drill.end_min(),
                ..DriverUpdate::default()
            };
        }
        let to = (self.drill.now_min() + wall.as_secs_f64() / 60.0 * self.drill.speed())
            .min(self.drill.end_min());
        let before = self.drill.now_min();
        self.drill.step_to(to);
        DriverUpdate {
            // Deadlines and statuses move with the clock: show the drill's latest assessment.
            changed: self.drill.now_min() > before || self.has_new_events(),
            notes: Vec::new(),
            finished: self.drill.now_min() >= self.drill.end_min(),
        }
    }
}
