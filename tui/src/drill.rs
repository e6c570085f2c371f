//! The seam to the drill engine and to live feeds. The console owns the screen and the
//! commander's keys; a [`DrillDriver`] owns the clock and whatever moves the situation on its own
//! (the script's hydrograph and injects, simulated frontline staff, a tailed gauge feed). The App
//! forwards every commander [`Action`] to it and calls [`DrillDriver::tick`] as wall time passes.
//!
//! What-if mode has no driver: the discharge is whatever the commander sets.

use std::time::Duration;

use floodgrid_engine::assess::Situation;

use crate::app::Action;

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

/// Something the driver wants in the event log (an inject, a field report, a clock change).
#[derive(Debug, Clone, PartialEq)]
pub struct DriverNote {
    /// Chinese text.
    pub zh: String,
    /// English text.
    pub en: String,
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
    fn title(&self) -> String;
    /// The clock now.
    fn clock(&self) -> Clock;
    /// Every commander action, after the App applied it to the situation (dispatches, steps,
    /// discharge) or, for the clock actions (`TogglePause`, `Faster`, `Slower`, `SetSpeed`), for
    /// the driver alone to apply.
    fn on_action(&mut self, action: &Action, situation: &mut Situation) -> DriverUpdate;
    /// Wall time passed since the last tick: move the clock and the situation on.
    fn tick(&mut self, wall: Duration, situation: &mut Situation) -> DriverUpdate;
}
