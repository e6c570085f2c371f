//! The console's model and its update function (The Elm Architecture): [`App`] holds the
//! situation, the engine's latest [`Assessment`] and everything the screen shows; [`update`]
//! turns a [`Message`] (a key, an [`Action`], a tick) into a new model. Nothing here draws or
//! touches the terminal, so every behaviour is testable without one.
//!
//! Every change of the situation is assessed at once (about 2 ms at the bundled scenario), and the
//! actions that change it are handed to the [`Journal`] and the [`DrillDriver`], if any.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use floodgrid_engine::assess::{Assessment, Engine, Situation, TaskInstance, TaskRecord};
pub use floodgrid_engine::drill::{Action as DrillAction, Audience};
use floodgrid_engine::grid::{GridKind, PersonIdx, ResidentKind};
use floodgrid_engine::hydro::{Trend, WarningLevel};
use floodgrid_engine::plan::{ForEach, TaskStatus, TaskStep};
use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::drill::{AlarmItem, DrillDriver, DriverNote, DriverUpdate, Severity};
use crate::i18n::{self, Lang};
use crate::journal::Journal;
use crate::keymap::{self, Scope};
use crate::view::map::{MapCache, MapGeometry};
use floodgrid_engine::drill::{Event as DrillEvent, EventKind};

/// How many people the dispatch dialog offers.
const MAX_CANDIDATES: usize = 60;
/// How many discharges the sparkline keeps.
const HISTORY_LEN: usize = 240;

/// What a key or the `:` line asks of the console. Commander commands, the ones that change the
/// situation or the drill, are one variant, [`Action::Command`], holding the drill engine's
/// [`DrillAction`]: the only thing the journal and the drill driver ever receive. Every other
/// variant is the console's own (navigation, dialogs, the selection's next step, the clock keys
/// that become a command given the clock) and is never journaled.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A commander command, applied to the situation, journaled and handed to the driver.
    Command(DrillAction),
    /// Change the discharge by a step.
    StepDischarge {
        /// m³/s, signed.
        delta_m3s: f64,
    },
    /// Open the dispatch dialog.
    OpenDispatch,
    /// Open the push dialog.
    OpenPush,
    /// Accept the selected instance (接单).
    Accept,
    /// Complete the selected instance (销单).
    Complete,
    /// Verify the selected instance (访单).
    Verify,
    /// Pause or run the drill clock.
    TogglePause,
    /// Drill clock faster.
    Faster,
    /// Drill clock slower.
    Slower,
    /// Find a grid on the map.
    Goto {
        /// Grid id or name.
        grid: String,
    },
    /// Switch the language.
    SetLang {
        /// Language.
        lang: Lang,
    },
    /// Next pane.
    FocusNext,
    /// Previous pane.
    FocusPrev,
    /// Move up.
    Up,
    /// Move down.
    Down,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
    /// First item.
    Top,
    /// Last item.
    Bottom,
    /// Details, next step, confirm.
    Open,
    /// Back, cancel, clear the filter.
    Back,
    /// Pick / unpick (dispatch dialog).
    Toggle,
    /// Help overlay.
    Help,
    /// The `:` command line.
    CommandLine,
    /// Filter the focused list.
    Filter,
    /// Map colours: flooded share or depth.
    MapColour,
    /// Zoom in on the selected grid.
    ZoomIn,
    /// Zoom out.
    ZoomOut,
    /// Whole town.
    ZoomReset,
    /// Quit (asks first during a drill).
    Quit,
    /// Acknowledge the selected alarm (in the alarm queue) or the one in the inject banner.
    Acknowledge,
    /// Focus the alarm queue.
    Alarms,
    /// Reassign the selected task's people.
    Reassign,
    /// Call someone in a grid (云视讯调度): the grid picked on the map, else the selected task's
    /// or alarm's.
    Call,
    /// Bulk action on every task of the to-do list's view (its filter) that it applies to.
    Bulk(BulkKind),
    /// Cycle the event log's filter (severity, kind).
    LogFilter,
    /// Show or hide the after-action report (once the drill is over).
    Report,
    /// Switch the to-do list between the flat list and the task tree.
    TodoView,
}

/// How the to-do list is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TodoMode {
    /// One row per instance, most urgent first.
    #[default]
    List,
    /// Level, category, instruction, instances: expandable, with counts.
    Tree,
}

/// A category's instructions, each with its instances (indices into `assessment.tasks`).
type CategoryGroup = (String, Vec<(String, Vec<usize>)>);

/// Counts of a task-tree node's instances.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TreeCounts {
    /// Instances in all.
    pub total: usize,
    /// Not yet dispatched (pending or overdue).
    pub active: usize,
    /// Dispatched, accepted or under way.
    pub dispatched: usize,
    /// Done or verified.
    pub done: usize,
    /// Past their deadline and not done.
    pub overdue: usize,
}

/// What a task-tree row stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum TreeNode {
    /// A warning level's orders (the plan's phase).
    Level(floodgrid_engine::plan::Phase),
    /// A category within a level (the category's id).
    Category(String),
    /// An instruction (its id).
    Instruction(String),
    /// An instance (index into `assessment.tasks`).
    Task(usize),
}

/// A row of the task tree.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeRow {
    /// Depth: 0 level, 1 category, 2 instruction, 3 instance.
    pub depth: u8,
    /// What it is.
    pub node: TreeNode,
    /// The key it is expanded by (empty for instances).
    pub key: String,
    /// Counts of the instances below it (an instance: itself).
    pub counts: TreeCounts,
    /// The instances below it (indices into `assessment.tasks`), in list order.
    pub tasks: Vec<usize>,
}

/// What a bulk action does to each task it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkKind {
    /// Dispatch to the people the engine suggests (tasks that can be dispatched and have a
    /// suggestion).
    Dispatch,
    /// Accept (dispatched tasks).
    Accept,
    /// Close as done (tasks under way).
    Close,
}

/// Which lines the event log shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFilter {
    /// Everything.
    #[default]
    All,
    /// Lines that need attention or are dangerous.
    Attention,
    /// Dangerous lines only.
    Danger,
    /// Injects and alarms.
    Alarms,
    /// The field's reports (accepted, arrived, reports, done, overdue).
    Field,
    /// The commander's own actions and the console's answers.
    Commander,
}

impl LogFilter {
    const ORDER: [LogFilter; 6] = [
        LogFilter::All,
        LogFilter::Attention,
        LogFilter::Danger,
        LogFilter::Alarms,
        LogFilter::Field,
        LogFilter::Commander,
    ];

    /// The next filter in the cycle.
    pub fn next(self) -> LogFilter {
        let i = Self::ORDER.iter().position(|&f| f == self).unwrap_or(0);
        Self::ORDER[(i + 1) % Self::ORDER.len()]
    }
}

impl Action {
    /// Whether it is a clock key (pause, faster, slower), which the driver owns.
    pub fn is_clock(&self) -> bool {
        matches!(self, Action::TogglePause | Action::Faster | Action::Slower)
    }
}

/// An input to [`update`].
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A key press.
    Key(KeyEvent),
    /// An action, as if from its key.
    Action(Action),
    /// A line for the `:` command line, as if typed and entered.
    Command(String),
    /// Wall time passed (drives a drill).
    Tick(Duration),
    /// A mouse event (click selects a row or a grid on the map, the wheel scrolls), in the
    /// cells of the screen last drawn.
    Mouse(ratatui::crossterm::event::MouseEvent),
}

/// The console's panes, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    /// The to-do list.
    Todo,
    /// The grid map.
    Map,
    /// Key persons.
    KeyPersons,
    /// Floodplain households.
    Households,
    /// The event log.
    Log,
    /// The alarm queue: injects and alarms waiting for the commander.
    Alarms,
}

impl Pane {
    const ORDER: [Pane; 6] = [
        Pane::Todo,
        Pane::Alarms,
        Pane::Map,
        Pane::KeyPersons,
        Pane::Households,
        Pane::Log,
    ];
}

/// What the bottom line is editing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Keys go to the keymap.
    Normal,
    /// The `:` command line.
    Command(String),
    /// The filter of the focused list.
    Filter(String),
}

/// How the map colours grids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapColour {
    /// By flooded share of the grid's area.
    Share,
    /// By deepest water.
    Depth,
}

/// Where a resident stands in the evacuation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResidentStatus {
    /// Home already under water at this discharge.
    CutOff,
    /// On the evacuation list (wet at the discharge planned for: now, or the forecast peak).
    ToMove,
    /// An evacuation task for them (or their grid) was dispatched.
    Moving,
    /// That task is done.
    Out,
    /// Dry at the discharge planned for.
    Safe,
}

/// A resident row (key person or household).
#[derive(Debug, Clone, PartialEq)]
pub struct ResidentRow {
    /// Index into `Scenario::residents`.
    pub resident: usize,
    /// Status.
    pub status: ResidentStatus,
    /// Index into `assessment.evacuation.evacuees`.
    pub evacuee: Option<usize>,
}

/// Household counts of one evacuation class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClassCounts {
    /// Households.
    pub total: u32,
    /// Persons.
    pub persons: u32,
    /// On the list, not yet moving.
    pub to_move: u32,
    /// Already under water.
    pub cut_off: u32,
    /// Moving or out.
    pub moved: u32,
}

/// A list's selection, scroll and filter.
#[derive(Debug, Default)]
pub struct ListState {
    /// Selected row of the (filtered) view.
    pub selected: usize,
    /// First row shown; kept by the view between frames.
    pub offset: Cell<usize>,
    /// Filter text (case-insensitive substring).
    pub filter: String,
    /// Rows per page, as last drawn.
    pub page: Cell<usize>,
}

impl ListState {
    fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
    }

    fn step(&mut self, len: usize, delta: isize) {
        if len == 0 {
            self.selected = 0;
            return;
        }
        let s = self.selected as isize + delta;
        self.selected = s.clamp(0, len as isize - 1) as usize;
    }

    /// The first row to draw so that the selection is visible in `height` rows.
    pub fn scroll(&self, len: usize, height: usize) -> usize {
        self.page.set(height.max(1));
        let mut off = self.offset.get();
        if height == 0 || len == 0 {
            self.offset.set(0);
            return 0;
        }
        if self.selected < off {
            off = self.selected;
        } else if self.selected >= off + height {
            off = self.selected + 1 - height;
        }
        off = off.min(len.saturating_sub(height));
        self.offset.set(off);
        off
    }
}

/// Steps of the dispatch dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DispatchStep {
    /// Pick the instance.
    Task,
    /// Pick the people.
    People,
    /// Confirm.
    Confirm,
}

/// A person offered in the dispatch dialog.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Index into `Scenario::people`.
    pub person: usize,
    /// The engine suggested them.
    pub suggested: bool,
    /// Picked.
    pub chosen: bool,
    /// Instances they already carry at this discharge.
    pub load: usize,
}

/// The dispatch dialog: instance, then people (suggested first), then confirm.
#[derive(Debug, Clone, PartialEq)]
pub struct DispatchDialog {
    /// Current step.
    pub step: DispatchStep,
    /// Dispatchable instances (indices into `assessment.tasks`).
    pub tasks: Vec<usize>,
    /// Cursor in `tasks`.
    pub task_cursor: usize,
    /// The instance picked.
    pub task: Option<String>,
    /// People offered.
    pub candidates: Vec<Candidate>,
    /// Cursor in `candidates`.
    pub cursor: usize,
    /// Sends a dispatched task to other people (改派) instead of dispatching it.
    pub reassign: bool,
    /// The people search (name, role, grid); empty: the engine's order.
    pub query: String,
}

/// The direct-call dialog (云视讯调度): everyone in a grid and the grids below it.
#[derive(Debug, Clone, PartialEq)]
pub struct CallDialog {
    /// The grid called through (index into `Scenario::grids`).
    pub grid: usize,
    /// People offered (indices into `Scenario::people`), after the search.
    pub people: Vec<usize>,
    /// Cursor in `people`.
    pub cursor: usize,
    /// The search (name, role, grid).
    pub query: String,
}

/// A bulk action waiting for its confirmation.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkDialog {
    /// What it does.
    pub kind: BulkKind,
    /// The tasks it covers (instance ids).
    pub tasks: Vec<String>,
}

/// Steps of the push dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushStep {
    /// Pick the message (a task's one-click message).
    Message,
    /// Pick the recipients.
    Audience,
    /// Confirm.
    Confirm,
}

/// The push dialog: message, then recipients (the task's grid, its role, everyone), then confirm.
#[derive(Debug, Clone, PartialEq)]
pub struct PushDialog {
    /// Current step.
    pub step: PushStep,
    /// Instances with a message (indices into `assessment.tasks`).
    pub tasks: Vec<usize>,
    /// Cursor in `tasks`.
    pub cursor: usize,
    /// Recipients offered for the picked message.
    pub audiences: Vec<Audience>,
    /// Cursor in `audiences`.
    pub audience_cursor: usize,
}

/// A dialog over the screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    /// Dispatch.
    Dispatch(DispatchDialog),
    /// Push a message.
    Push(PushDialog),
    /// Details of an instance (by id).
    Task(String),
    /// Details of a grid (index).
    Grid(usize),
    /// Details of a resident (index).
    Resident(usize),
    /// Quit during a drill?
    ConfirmQuit,
    /// Call someone.
    Call(CallDialog),
    /// Confirm a bulk action.
    Bulk(BulkDialog),
}

/// What the event log records.
#[derive(Debug, Clone, PartialEq)]
pub enum LogEvent {
    /// The console started.
    Started,
    /// The discharge changed.
    Discharge {
        /// Before, m³/s.
        from: f64,
        /// After, m³/s.
        to: f64,
        /// Level before.
        level_from: WarningLevel,
        /// Level after.
        level_to: WarningLevel,
        /// Instances new on a rise.
        new_tasks: usize,
        /// Instances now.
        tasks: usize,
    },
    /// An instance was dispatched.
    Dispatched {
        /// Instance id.
        task: String,
        /// Title (zh).
        title: String,
        /// Title (en).
        title_en: Option<String>,
        /// Names.
        people: Vec<String>,
    },
    /// A message was pushed.
    Pushed {
        /// Recipients.
        audience: Audience,
        /// Text.
        text: String,
    },
    /// A lifecycle step was applied.
    Stepped {
        /// Instance id.
        task: String,
        /// The step.
        step: TaskStep,
        /// Status after.
        status: TaskStatus,
    },
    /// A step did not apply.
    Refused {
        /// Instance id.
        task: String,
        /// The step.
        step: TaskStep,
        /// Status it was in.
        from: TaskStatus,
    },
    /// A grid was found.
    Goto {
        /// Grid index.
        grid: usize,
    },
    /// Nothing matched `:goto`.
    NoSuchGrid(String),
    /// An unknown command.
    UnknownCommand(String),
    /// A clock key in what-if mode.
    NoClock,
    /// No instance is selected.
    NoSelection,
    /// The driver said something.
    Driver(DriverNote),
    /// The journal could not be written.
    JournalError(String),
    /// The engine refused the situation (a reference it does not know, a number out of range);
    /// the last assessment stays on screen.
    SituationRefused(String),
    /// The language changed.
    Lang,
    /// The drill reached the end of its script.
    DrillOver,
    /// Something happened in the drill (rendered from its kind and fields).
    Drill(Box<DrillEvent>),
    /// The commander called someone (云视讯调度).
    Called {
        /// Person index.
        person: usize,
        /// Grid index.
        grid: usize,
    },
    /// An alarm-queue item was acknowledged on the console.
    Acknowledged {
        /// Index in the alarm queue.
        item: usize,
    },
    /// A bulk action was applied.
    Bulk {
        /// What it did.
        kind: BulkKind,
        /// To how many tasks.
        count: usize,
    },
    /// The after-action report was written.
    ReportWritten(String),
}

/// A line of the event log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    /// Clock, minutes.
    pub at_min: f64,
    /// What happened.
    pub event: LogEvent,
}

/// Options for a new [`App`]; `'d` is how long the driver and the journal live (a drill borrows
/// the engine).
#[derive(Default)]
pub struct AppOptions<'d> {
    /// Language.
    pub lang: Lang,
    /// Discharge to start from, m³/s.
    pub discharge_m3s: f64,
    /// Where commander actions are written.
    pub journal: Option<Box<dyn Journal + 'd>>,
    /// The drill (or live feed); none for what-if.
    pub driver: Option<Box<dyn DrillDriver + 'd>>,
    /// Where the after-action report is written when the drill ends (beside the journal).
    pub report_path: Option<std::path::PathBuf>,
}

/// Facts about the scenario the console looks up often; built once.
#[derive(Debug)]
pub struct Lookup {
    /// Grid index by id.
    pub grid_by_id: HashMap<String, usize>,
    /// Person index by id.
    pub person_by_id: HashMap<String, usize>,
    /// Key persons (resident indices).
    pub key_persons: Vec<usize>,
    /// Farm households (resident indices).
    pub households: Vec<usize>,
    /// Working grids (grid and dedicated), file order: what `j`/`k` walk on the map.
    pub working_grids: Vec<usize>,
}

/// The console's model.
pub struct App<'d> {
    engine: Arc<Engine>,
    /// The situation assessed.
    pub situation: Situation,
    /// The engine's latest answer.
    pub assessment: Assessment,
    /// Language.
    pub lang: Lang,
    /// Focused pane.
    pub focus: Pane,
    /// Which list the compact layout shows beside the map.
    pub side: Pane,
    /// The bottom line.
    pub input: Input,
    /// Open dialog.
    pub dialog: Option<Dialog>,
    /// Help overlay shown.
    pub help: bool,
    /// Discharges the commander set (sparkline), oldest first.
    pub history: Vec<f64>,
    /// Instances new since the level last rose.
    pub new_tasks: HashSet<String>,
    /// The event log, oldest first.
    pub log: Vec<LogEntry>,
    /// To-do list state.
    pub todo: ListState,
    /// Key-person list state.
    pub key_list: ListState,
    /// Household list state.
    pub household_list: ListState,
    /// Event log state.
    pub log_list: ListState,
    /// Map grid selection (index into `map_view`) and filter.
    pub map_list: ListState,
    /// Whether a grid has been picked on the map (by moving on it or `:goto`).
    pub map_picked: bool,
    /// To-do view: indices into `assessment.tasks`, in display order, filtered.
    pub todo_view: Vec<usize>,
    /// Key-person rows, evacuation order first.
    pub key_rows: Vec<ResidentRow>,
    /// Filtered view of `key_rows`.
    pub key_view: Vec<usize>,
    /// Household rows on the evacuation list, in order.
    pub household_rows: Vec<ResidentRow>,
    /// Filtered view of `household_rows`.
    pub household_view: Vec<usize>,
    /// Household counts by class 1..=3 (index 0 = class 1), and others.
    pub class_counts: [ClassCounts; 3],
    /// Filtered view of the log (indices into `log`).
    pub log_view: Vec<usize>,
    /// Grids `j`/`k` walk on the map (indices into `Scenario::grids`), filtered.
    pub map_view: Vec<usize>,
    /// Map colouring.
    pub map_colour: MapColour,
    /// Map zoom (1: the whole town).
    pub map_zoom: f64,
    /// Scenario lookups.
    pub lookup: Lookup,
    /// Map outlines and their index.
    pub map_geometry: MapGeometry,
    /// Grid under each map pixel, for the last size drawn.
    pub map_cache: RefCell<MapCache>,
    driver: Option<Box<dyn DrillDriver + 'd>>,
    journal: Option<Box<dyn Journal + 'd>>,
    /// Set when the console should close.
    pub quit: bool,
    /// The drill reached its end (said once in the log).
    pub drill_over: bool,
    /// The alarm queue, oldest first (the driver's injects so far).
    pub alarms: Vec<AlarmItem>,
    /// Alarm-queue state.
    pub alarm_list: ListState,
    /// Queue items acknowledged on the console (reports; sensor alarms count in the drill).
    pub alarm_seen: HashSet<usize>,
    /// The status line: the log line of the last result or error of a commander's key.
    pub flash: Option<usize>,
    /// The event log's filter.
    pub log_filter: LogFilter,
    /// How many log lines each row of `log_view` stands for (folded overdue notices).
    pub log_counts: Vec<usize>,
    /// The after-action report (Markdown), once the drill is over.
    pub report: Option<String>,
    /// The report pane is open.
    pub report_open: bool,
    /// Scroll of the report pane (lines).
    pub report_scroll: usize,
    /// Where the report is written when the drill ends.
    report_path: Option<std::path::PathBuf>,
    /// A key of the commander is being handled (its results go to the status line).
    acting: bool,
    /// Help overlay scroll (entries), when it does not fit the screen.
    pub help_scroll: usize,
    /// The screen's size as last drawn (mouse events are placed in it).
    pub screen: Cell<ratatui::layout::Rect>,
    /// The to-do list's form.
    pub todo_mode: TodoMode,
    /// The task tree's rows (built when the tree is shown).
    pub tree_rows: Vec<TreeRow>,
    /// Expanded tree nodes, by key; levels start expanded, the rest folded.
    pub expanded: HashSet<String>,
    /// Tree nodes folded by the commander (levels).
    pub folded: HashSet<String>,
}

impl<'d> App<'d> {
    /// A console over an engine, assessed at the starting discharge (or, with a driver that
    /// keeps its own situation, showing the driver's assessment).
    pub fn new(engine: Arc<Engine>, options: AppOptions<'d>) -> App<'d> {
        let sc = engine.scenario();
        let lookup = Lookup {
            grid_by_id: sc
                .grids
                .iter()
                .enumerate()
                .map(|(i, g)| (g.id.clone(), i))
                .collect(),
            person_by_id: sc
                .people
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id.clone(), i))
                .collect(),
            key_persons: (0..sc.residents.len())
                .filter(|&i| matches!(sc.residents[i].kind, ResidentKind::KeyPerson { .. }))
                .collect(),
            households: (0..sc.residents.len())
                .filter(|&i| matches!(sc.residents[i].kind, ResidentKind::Household { .. }))
                .collect(),
            working_grids: (0..sc.grids.len())
                .filter(|&i| sc.grids[i].kind.is_working_grid())
                .collect(),
        };
        let map_geometry = MapGeometry::new(sc);
        let q = clamp_discharge(&engine, options.discharge_m3s);
        let situation = Situation::at_discharge(q);
        let assessment = engine
            .assess(&situation)
            .expect("a discharge clamped to the scenario's range is a valid situation");
        let mut app = App {
            engine,
            situation,
            assessment,
            lang: options.lang,
            focus: Pane::Todo,
            side: Pane::KeyPersons,
            input: Input::Normal,
            dialog: None,
            help: false,
            history: vec![q],
            new_tasks: HashSet::new(),
            log: Vec::new(),
            todo: ListState::default(),
            key_list: ListState::default(),
            household_list: ListState::default(),
            log_list: ListState::default(),
            map_list: ListState::default(),
            map_picked: false,
            todo_view: Vec::new(),
            key_rows: Vec::new(),
            key_view: Vec::new(),
            household_rows: Vec::new(),
            household_view: Vec::new(),
            class_counts: [ClassCounts::default(); 3],
            log_view: Vec::new(),
            map_view: Vec::new(),
            map_colour: MapColour::Share,
            map_zoom: 1.0,
            lookup,
            map_geometry,
            map_cache: RefCell::new(MapCache::default()),
            driver: options.driver,
            journal: options.journal,
            quit: false,
            drill_over: false,
            alarms: Vec::new(),
            alarm_list: ListState::default(),
            alarm_seen: HashSet::new(),
            flash: None,
            log_filter: LogFilter::All,
            log_counts: Vec::new(),
            report: None,
            report_open: false,
            report_scroll: 0,
            report_path: options.report_path,
            acting: false,
            help_scroll: 0,
            screen: Cell::new(ratatui::layout::Rect::default()),
            todo_mode: TodoMode::List,
            tree_rows: Vec::new(),
            expanded: HashSet::new(),
            folded: HashSet::new(),
        };
        if let Some(d) = &app.driver {
            app.situation.now_min = d.clock().now_min;
            app.assessment = match d.assessment() {
                Some(a) => a.clone(),
                None => app
                    .engine
                    .assess(&app.situation)
                    .unwrap_or_else(|_| app.assessment.clone()),
            };
            app.situation.discharge_m3s = app.assessment.discharge_m3s;
            app.history = vec![app.assessment.discharge_m3s];
        }
        app.derive();
        app.push_log(LogEvent::Started);
        if let Some(d) = app.driver.as_mut() {
            let events = d.take_events();
            for e in events {
                app.push_log(LogEvent::Drill(Box::new(e)));
            }
        }
        app.refresh_alarms();
        app
    }

    /// Whether the drill waits for its first Space (paused at its start, never run).
    pub fn waiting_to_start(&self) -> bool {
        self.driver.as_ref().is_some_and(|d| d.end_min().is_some())
            && !self.drill_over
            && self.clock().paused
            && self.clock().now_min == 0.0
    }

    /// Queue items still waiting for an acknowledgement, oldest first.
    pub fn unacknowledged(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.alarms.len()).filter(|&i| !self.is_acknowledged(i))
    }

    /// Whether a queue item is acknowledged (a sensor alarm in the drill, a report here).
    pub fn is_acknowledged(&self, i: usize) -> bool {
        match self.alarms.get(i) {
            Some(a) if a.sensor => a.acknowledged,
            Some(_) => self.alarm_seen.contains(&i),
            None => true,
        }
    }

    fn refresh_alarms(&mut self) {
        let Some(d) = self.driver.as_ref() else {
            return;
        };
        let before = self.alarms.len();
        self.alarms = d.alarms();
        self.alarm_list.clamp(self.alarms.len());
        // A new alarm brings the queue beside the map (the focus stays where it is).
        if self.alarms.len() > before {
            self.side = Pane::Alarms;
        }
    }

    /// The selected item of the alarm queue.
    pub fn selected_alarm(&self) -> Option<usize> {
        (self.alarm_list.selected < self.alarms.len()).then_some(self.alarm_list.selected)
    }

    /// Acknowledges a queue item: a sensor alarm through the drill (journaled), a report on the
    /// console.
    fn acknowledge(&mut self, item: usize) {
        let Some(a) = self.alarms.get(item).cloned() else {
            self.push_log(LogEvent::NoSelection);
            return;
        };
        if self.is_acknowledged(item) {
            self.push_log(LogEvent::Acknowledged { item });
            return;
        }
        if a.sensor {
            let site = a
                .site
                .and_then(|s| self.engine.scenario().sites.get(s))
                .map(|s| s.id.clone());
            if let Some(site) = site {
                self.command(DrillAction::AcknowledgeAlarm { site, alarm: None });
            }
        } else {
            self.alarm_seen.insert(item);
            self.push_log(LogEvent::Acknowledged { item });
        }
    }

    /// The item the `x` key acknowledges: the selected one in the queue, else the oldest
    /// waiting (the one in the inject banner).
    fn ack_target(&self) -> Option<usize> {
        if self.focus == Pane::Alarms {
            self.selected_alarm()
        } else {
            self.unacknowledged().next()
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether a drill (or live feed) drives the situation.
    pub fn driver(&self) -> Option<&(dyn DrillDriver + 'd)> {
        self.driver.as_deref()
    }

    /// The clock: the driver's, else the situation's.
    pub fn clock(&self) -> crate::drill::Clock {
        self.driver
            .as_ref()
            .map(|d| d.clock())
            .unwrap_or(crate::drill::Clock {
                now_min: self.situation.now_min,
                speed: 0.0,
                paused: true,
            })
    }

    /// The trend shown: the engine's during a drill; in what-if, the direction of the last
    /// change the commander made.
    pub fn trend(&self) -> Trend {
        if self.driver.is_some() {
            return self.assessment.trend;
        }
        match self.history.as_slice() {
            [.., a, b] if b > a => Trend::Rising,
            [.., a, b] if b < a => Trend::Falling,
            _ => Trend::Steady,
        }
    }

    /// The selected instance of the to-do list.
    pub fn selected_task(&self) -> Option<&TaskInstance> {
        let i = match self.todo_mode {
            TodoMode::List => self.todo_view.get(self.todo.selected).copied(),
            TodoMode::Tree => match self.tree_rows.get(self.todo.selected) {
                Some(TreeRow {
                    node: TreeNode::Task(i),
                    ..
                }) => Some(*i),
                _ => None,
            },
        };
        i.and_then(|i| self.assessment.tasks.get(i))
    }

    /// The tasks the selection stands for: a tree node's instances, or the selected task.
    fn selection_tasks(&self) -> Option<&[usize]> {
        match self.todo_mode {
            TodoMode::Tree => self.tree_rows.get(self.todo.selected).map(|r| &r.tasks[..]),
            TodoMode::List => None,
        }
    }

    fn tree_is_open(&self, depth: u8, key: &str) -> bool {
        if depth == 0 {
            !self.folded.contains(key)
        } else {
            self.expanded.contains(key)
        }
    }

    /// Builds the task tree from the to-do view: level, category, instruction, instances,
    /// each node with its counts; only open nodes show their children.
    fn derive_tree(&mut self) {
        if self.todo_mode != TodoMode::Tree {
            self.tree_rows.clear();
            return;
        }
        let tasks = &self.assessment.tasks;
        let now = self.clock().now_min;
        let count = |i: usize, c: &mut TreeCounts| {
            let t = &tasks[i];
            c.total += 1;
            match t.status {
                TaskStatus::Pending | TaskStatus::Overdue => c.active += 1,
                TaskStatus::Dispatched | TaskStatus::Accepted | TaskStatus::InProgress => {
                    c.dispatched += 1
                }
                TaskStatus::Done | TaskStatus::Verified => c.done += 1,
                TaskStatus::StoodDown => {}
            }
            if t.status == TaskStatus::Overdue
                || (!t.status.is_finished()
                    && t.status != TaskStatus::StoodDown
                    && t.deadline_min < now)
            {
                c.overdue += 1;
            }
        };
        // Groups in the plan's order: levels high to low (the order of the list's sort), then
        // categories and instructions as they first appear.
        let mut levels: Vec<(floodgrid_engine::plan::Phase, Vec<CategoryGroup>)> = Vec::new();
        let mut order: Vec<usize> = self.todo_view.clone();
        order.sort_by_key(|&i| (std::cmp::Reverse(tasks[i].card.phase), i));
        for i in order {
            let t = &tasks[i];
            let lv = match levels.iter_mut().position(|(p, _)| *p == t.card.phase) {
                Some(k) => k,
                None => {
                    levels.push((t.card.phase, Vec::new()));
                    levels.len() - 1
                }
            };
            let cats = &mut levels[lv].1;
            let ck = match cats.iter().position(|(c, _)| *c == t.card.category) {
                Some(k) => k,
                None => {
                    cats.push((t.card.category.clone(), Vec::new()));
                    cats.len() - 1
                }
            };
            let ins = &mut cats[ck].1;
            match ins.iter_mut().find(|(x, _)| *x == t.card.instruction) {
                Some((_, v)) => v.push(i),
                None => ins.push((t.card.instruction.clone(), vec![i])),
            }
        }
        // A row with the counts of the instances below it.
        let row = |depth: u8, node: TreeNode, key: String, tasks: Vec<usize>| {
            let mut counts = TreeCounts::default();
            tasks.iter().for_each(|&i| count(i, &mut counts));
            TreeRow {
                depth,
                node,
                key,
                counts,
                tasks,
            }
        };
        let mut rows = Vec::new();
        for (phase, cats) in levels {
            let lkey = phase.name().to_string();
            let all: Vec<usize> = cats
                .iter()
                .flat_map(|(_, ins)| ins.iter().flat_map(|(_, v)| v.iter().copied()))
                .collect();
            let open = self.tree_is_open(0, &lkey);
            rows.push(row(0, TreeNode::Level(phase), lkey.clone(), all));
            if !open {
                continue;
            }
            for (cat, ins) in cats {
                let ckey = format!("{lkey}/{cat}");
                let all: Vec<usize> = ins.iter().flat_map(|(_, v)| v.iter().copied()).collect();
                let open = self.tree_is_open(1, &ckey);
                rows.push(row(1, TreeNode::Category(cat), ckey.clone(), all));
                if !open {
                    continue;
                }
                for (id, v) in ins {
                    let ikey = format!("{ckey}/{id}");
                    let open = self.tree_is_open(2, &ikey);
                    rows.push(row(2, TreeNode::Instruction(id), ikey, v.clone()));
                    if open {
                        rows.extend(
                            v.into_iter()
                                .map(|i| row(3, TreeNode::Task(i), String::new(), vec![i])),
                        );
                    }
                }
            }
        }
        self.tree_rows = rows;
        self.todo.clamp(self.tree_rows.len());
    }

    /// Opens or folds the selected tree node; on an instance, opens its details.
    fn tree_toggle(&mut self) {
        let Some(row) = self.tree_rows.get(self.todo.selected) else {
            return;
        };
        if let TreeNode::Task(i) = row.node {
            self.dialog = Some(Dialog::Task(self.assessment.tasks[i].id.to_string()));
            return;
        }
        let (depth, key) = (row.depth, row.key.clone());
        if depth == 0 {
            if !self.folded.remove(&key) {
                self.folded.insert(key);
            }
        } else if !self.expanded.remove(&key) {
            self.expanded.insert(key);
        }
        self.derive_tree();
    }

    /// A category's name in the console's language (its id when the plan has none).
    pub fn category_name<'a>(&'a self, id: &'a str) -> &'a str {
        let plan = &self.engine.scenario().plan;
        match plan.categories.iter().find(|c| c.id == id) {
            Some(c) => match (self.lang, &c.name_en) {
                (Lang::En, Some(en)) => en,
                _ => &c.name,
            },
            None => id,
        }
    }

    /// A material's name in the console's language (its id when the scenario has none).
    pub fn material_name<'a>(&'a self, id: &'a str) -> &'a str {
        match self
            .engine
            .scenario()
            .config
            .materials
            .iter()
            .find(|m| m.id == id)
        {
            Some(m) => match (self.lang, &m.name_en) {
                (Lang::En, Some(en)) => en,
                _ => &m.name,
            },
            None => id,
        }
    }

    /// An instruction's title in the console's language.
    pub fn instruction_title<'a>(&'a self, id: &'a str) -> &'a str {
        let plan = &self.engine.scenario().plan;
        match plan
            .instruction(id)
            .and_then(|k| plan.instructions.get(k.0 as usize))
        {
            Some(i) => match (self.lang, &i.title_en) {
                (Lang::En, Some(en)) => en,
                _ => &i.title,
            },
            None => id,
        }
    }

    /// The grid selected on the map.
    pub fn selected_grid(&self) -> Option<usize> {
        if !self.map_picked {
            return None;
        }
        self.map_view.get(self.map_list.selected).copied()
    }

    /// An instance by id.
    pub fn task(&self, id: &str) -> Option<&TaskInstance> {
        self.assessment.tasks.iter().find(|t| &*t.id == id)
    }

    /// A task's title in the console's language (Chinese when the plan has no English).
    pub fn title<'a>(&self, t: &'a TaskInstance) -> &'a str {
        match (self.lang, &t.card.title_en) {
            (Lang::En, Some(en)) => en,
            _ => &t.card.title,
        }
    }

    /// A grid's name in the console's language.
    pub fn grid_name(&self, g: usize) -> &str {
        let grid = &self.engine.scenario().grids[g];
        match (self.lang, &grid.name_en) {
            (Lang::En, Some(en)) => en,
            _ => &grid.name,
        }
    }

    /// A grid's name from its id.
    pub fn grid_name_by_id<'a>(&'a self, id: &'a str) -> &'a str {
        self.lookup
            .grid_by_id
            .get(id)
            .map(|&g| self.grid_name(g))
            .unwrap_or(id)
    }

    /// A role's name in the console's language.
    pub fn role_name<'a>(&'a self, id: &'a str) -> &'a str {
        let roles = &self.engine.scenario().config.roles;
        match roles.iter().find(|r| r.id == id) {
            Some(r) => match (self.lang, &r.name_en) {
                (Lang::En, Some(en)) => en,
                _ => &r.name,
            },
            None => id,
        }
    }

    fn push_log(&mut self, event: LogEvent) {
        let at_min = match &event {
            LogEvent::Drill(e) => e.t_min,
            _ => self.clock().now_min,
        };
        self.log.push(LogEntry { at_min, event });
        if self.acting {
            self.flash = Some(self.log.len() - 1);
        }
        self.derive_log();
        // Follow the newest line unless the commander scrolled up.
        if self.focus != Pane::Log {
            self.log_list.selected = self.log_view.len().saturating_sub(1);
        }
    }

    /// Writes a command to the journal at the clock's minute.
    fn record(&mut self, a: &DrillAction) {
        let clock = self.clock();
        if let Some(j) = self.journal.as_mut()
            && let Err(e) = j.record(clock.now_min, a)
        {
            let text = e.to_string();
            self.push_log(LogEvent::JournalError(text));
        }
    }

    fn forward(&mut self, action: &DrillAction) {
        let update = match self.driver.as_mut() {
            Some(d) => d.on_action(action, &mut self.situation),
            None => return,
        };
        self.absorb(update);
    }

    fn absorb(&mut self, update: DriverUpdate) {
        if update.changed {
            let before = self.assessment.discharge_m3s;
            self.reassess();
            let q = self.assessment.discharge_m3s;
            if self
                .driver
                .as_ref()
                .is_some_and(|d| d.assessment().is_some())
            {
                self.situation.discharge_m3s = q;
                self.situation.now_min = self.assessment.now_min;
            }
            if q != before {
                self.history.push(q);
                if self.history.len() > HISTORY_LEN {
                    self.history.remove(0);
                }
            }
        }
        let events = self
            .driver
            .as_mut()
            .map(|d| d.take_events())
            .unwrap_or_default();
        for e in events {
            self.push_log(LogEvent::Drill(Box::new(e)));
        }
        for note in update.notes {
            self.push_log(LogEvent::Driver(note));
        }
        self.refresh_alarms();
        if update.finished && !self.drill_over {
            self.drill_over = true;
            self.finish_report();
            self.push_log(LogEvent::DrillOver);
        }
    }

    /// Assesses the situation again and refreshes everything derived from it; instances that
    /// appear when the level rises are marked new.
    fn reassess(&mut self) {
        let before = self.assessment.level;
        let keep = self.selected_task().map(|t| t.id.clone());
        let next = match self.driver.as_ref().and_then(|d| d.assessment()) {
            Some(a) => a.clone(),
            None => {
                let a = match self.engine.assess(&self.situation) {
                    Ok(a) => a,
                    Err(e) => {
                        self.push_log(LogEvent::SituationRefused(e.to_string()));
                        return;
                    }
                };
                if let Some(d) = self.driver.as_mut() {
                    d.assessed(&a, &mut self.situation);
                }
                a
            }
        };
        let after = next.level;
        if after > before {
            let old: HashSet<&str> = self
                .assessment
                .tasks
                .iter()
                .map(|t| t.id.as_ref())
                .collect();
            self.new_tasks = next
                .tasks
                .iter()
                .filter(|t| !old.contains(t.id.as_ref()))
                .map(|t| t.id.to_string())
                .collect();
        } else if after < before {
            self.new_tasks.clear();
        } else if !self.new_tasks.is_empty() {
            let now: HashSet<&str> = next.tasks.iter().map(|t| t.id.as_ref()).collect();
            self.new_tasks.retain(|id| now.contains(id.as_str()));
        }
        self.assessment = next;
        self.derive();
        if let Some(id) = keep
            && self.todo_mode == TodoMode::List
            && let Some(pos) = self
                .todo_view
                .iter()
                .position(|&i| self.assessment.tasks[i].id == id)
        {
            self.todo.selected = pos;
        }
    }

    /// Recomputes the views from the assessment and the filters.
    fn derive(&mut self) {
        self.derive_todo();
        self.derive_residents();
        self.derive_map();
        self.derive_log();
    }

    fn derive_todo(&mut self) {
        let tasks = &self.assessment.tasks;
        let f = self.todo.filter.to_lowercase();
        let mut view: Vec<usize> = (0..tasks.len())
            .filter(|&i| f.is_empty() || self.task_matches(&tasks[i], &f))
            .collect();
        // Highest priority first; within it the orders of the highest level first (the red
        // orders at red), then the plan's order.
        // Stood-down instances go last.
        view.sort_by_key(|&i| {
            (
                tasks[i].status == TaskStatus::StoodDown,
                tasks[i].card.priority,
                std::cmp::Reverse(tasks[i].card.phase),
                i,
            )
        });
        self.todo_view = view;
        if self.todo_mode == TodoMode::Tree {
            self.derive_tree();
        } else {
            self.todo.clamp(self.todo_view.len());
        }
    }

    fn task_matches(&self, t: &TaskInstance, f: &str) -> bool {
        let hay = |s: &str| s.to_lowercase().contains(f);
        hay(&t.id)
            || hay(&t.card.title)
            || t.card.title_en.as_deref().is_some_and(hay)
            || hay(t.status.name())
            || hay(i18n::status_tag(self.lang, t.status))
            || hay(self.grid_name_by_id(&t.grid))
            || t.target.as_ref().is_some_and(|x| hay(&x.name))
            || t.assignees.iter().any(|a| hay(&a.person.name))
    }

    fn derive_residents(&mut self) {
        let sc = self.engine.scenario();
        let a = &self.assessment;
        let evac: HashMap<&str, usize> = a
            .evacuation
            .evacuees
            .iter()
            .enumerate()
            .map(|(i, e)| (e.card.resident.as_str(), i))
            .collect();
        // Evacuation tasks by the resident or grid they are about: the most advanced status.
        let mut by_target: HashMap<&str, TaskStatus> = HashMap::new();
        let evacuation = sc
            .plan
            .category_ids(floodgrid_engine::plan::CategoryKind::Evacuation);
        for t in &a.tasks {
            if !evacuation.contains(&&*t.card.category) || t.status == TaskStatus::Pending {
                continue;
            }
            let key = match &t.target {
                Some(x) if x.kind == ForEach::Grid => t.grid.as_ref(),
                Some(x) => x.id.as_ref(),
                None => continue,
            };
            let e = by_target.entry(key).or_insert(t.status);
            if progress(t.status) > progress(*e) {
                *e = t.status;
            }
        }
        let row = |r: usize| {
            let res = &sc.residents[r];
            let evacuee = evac.get(res.id.as_str()).copied();
            let task = by_target
                .get(res.id.as_str())
                .or_else(|| by_target.get(sc.grids[res.grid.ix()].id.as_str()))
                .copied();
            let status = match (evacuee, task) {
                (None, _) => ResidentStatus::Safe,
                (Some(_), Some(s)) if s.is_finished() => ResidentStatus::Out,
                (Some(_), Some(s)) if progress(s) > 0 => ResidentStatus::Moving,
                (Some(e), _)
                    if a.evacuation.evacuees[e]
                        .wet_discharge_m3s
                        .is_some_and(|w| w <= a.discharge_m3s) =>
                {
                    ResidentStatus::CutOff
                }
                (Some(_), _) => ResidentStatus::ToMove,
            };
            ResidentRow {
                resident: r,
                status,
                evacuee,
            }
        };
        let order = |x: &ResidentRow| (x.evacuee.unwrap_or(usize::MAX), x.resident);
        let mut keys: Vec<ResidentRow> = self.lookup.key_persons.iter().map(|&r| row(r)).collect();
        keys.sort_by_key(order);
        let mut counts = [ClassCounts::default(); 3];
        let mut households = Vec::new();
        for &r in &self.lookup.households {
            let x = row(r);
            let res = &sc.residents[r];
            let class = match res.kind {
                ResidentKind::Household { evac_class, .. } => evac_class,
                _ => 0,
            };
            if let Some(c) = counts.get_mut((class as usize).wrapping_sub(1)) {
                c.total += 1;
                c.persons += res.size;
                match x.status {
                    ResidentStatus::CutOff => c.cut_off += 1,
                    ResidentStatus::ToMove => c.to_move += 1,
                    ResidentStatus::Moving | ResidentStatus::Out => c.moved += 1,
                    ResidentStatus::Safe => {}
                }
            }
            if x.evacuee.is_some() {
                households.push(x);
            }
        }
        households.sort_by_key(order);
        self.key_rows = keys;
        self.household_rows = households;
        self.class_counts = counts;
        self.filter_residents();
    }

    fn resident_matches(&self, row: &ResidentRow, f: &str) -> bool {
        let sc = self.engine.scenario();
        let r = &sc.residents[row.resident];
        let hay = |s: &str| s.to_lowercase().contains(f);
        let category = match &r.kind {
            ResidentKind::KeyPerson { category } | ResidentKind::Household { category, .. } => {
                category.as_str()
            }
        };
        hay(&r.name)
            || hay(&r.id)
            || hay(category)
            || hay(&i18n::resident_category(self.lang, category))
            || hay(&sc.grids[r.grid.ix()].id)
            || hay(self.grid_name(r.grid.ix()))
    }

    fn filter_residents(&mut self) {
        let f = self.key_list.filter.to_lowercase();
        self.key_view = (0..self.key_rows.len())
            .filter(|&i| f.is_empty() || self.resident_matches(&self.key_rows[i], &f))
            .collect();
        self.key_list.clamp(self.key_view.len());
        let f = self.household_list.filter.to_lowercase();
        self.household_view = (0..self.household_rows.len())
            .filter(|&i| f.is_empty() || self.resident_matches(&self.household_rows[i], &f))
            .collect();
        self.household_list.clamp(self.household_view.len());
    }

    fn derive_map(&mut self) {
        let keep = self.map_view.get(self.map_list.selected).copied();
        let f = self.map_list.filter.to_lowercase();
        let sc = self.engine.scenario();
        self.map_view = self
            .lookup
            .working_grids
            .iter()
            .copied()
            .filter(|&g| {
                f.is_empty()
                    || sc.grids[g].id.to_lowercase().contains(&f)
                    || sc.grids[g].name.to_lowercase().contains(&f)
                    || sc.grids[g]
                        .name_en
                        .as_ref()
                        .is_some_and(|n| n.to_lowercase().contains(&f))
            })
            .collect();
        if let Some(g) = keep
            && let Some(p) = self.map_view.iter().position(|&x| x == g)
        {
            self.map_list.selected = p;
        }
        self.map_list.clamp(self.map_view.len());
    }

    fn derive_log(&mut self) {
        let f = self.log_list.filter.to_lowercase();
        let mut view: Vec<usize> = Vec::new();
        let mut counts: Vec<usize> = Vec::new();
        for i in 0..self.log.len() {
            let e = &self.log[i];
            if !self.log_filter_keeps(e)
                || !(f.is_empty() || self.log_text(e).to_lowercase().contains(&f))
            {
                continue;
            }
            // Overdue notices one after another fold into one counted line (the newest).
            let overdue = |e: &LogEntry| matches!(&e.event, LogEvent::Drill(d) if d.kind == EventKind::Overdue);
            if overdue(e)
                && let Some(&last) = view.last()
                && overdue(&self.log[last])
            {
                *view.last_mut().expect("a row") = i;
                *counts.last_mut().expect("a count") += 1;
                continue;
            }
            view.push(i);
            counts.push(1);
        }
        self.log_view = view;
        self.log_counts = counts;
        self.log_list.clamp(self.log_view.len());
    }

    /// How a log line stands: its colour and the severity filter's measure.
    pub fn log_severity(&self, e: &LogEntry) -> Severity {
        match &e.event {
            LogEvent::Driver(n) => n.severity,
            LogEvent::Drill(d) => d.status.into(),
            LogEvent::Refused { .. }
            | LogEvent::JournalError(_)
            | LogEvent::SituationRefused(_)
            | LogEvent::UnknownCommand(_)
            | LogEvent::NoSuchGrid(_)
            | LogEvent::NoSelection
            | LogEvent::NoClock => Severity::Attention,
            LogEvent::Discharge {
                level_from,
                level_to,
                ..
            } if level_to > level_from => Severity::Danger,
            _ => Severity::Normal,
        }
    }

    fn log_filter_keeps(&self, e: &LogEntry) -> bool {
        let sev = self.log_severity(e);
        let kind = match &e.event {
            LogEvent::Drill(d) => Some(d.kind),
            _ => None,
        };
        match self.log_filter {
            LogFilter::All => true,
            LogFilter::Attention => matches!(sev, Severity::Attention | Severity::Danger),
            LogFilter::Danger => sev == Severity::Danger,
            LogFilter::Alarms => {
                matches!(kind, Some(EventKind::Inject | EventKind::AlarmAcknowledged))
                    || matches!(e.event, LogEvent::Acknowledged { .. })
            }
            LogFilter::Field => matches!(
                kind,
                Some(
                    EventKind::Accepted
                        | EventKind::Arrived
                        | EventKind::Report
                        | EventKind::Done
                        | EventKind::Verified
                        | EventKind::Overdue
                )
            ),
            LogFilter::Commander => match kind {
                Some(k) => matches!(
                    k,
                    EventKind::Dispatched | EventKind::Pushed | EventKind::Rejected
                ),
                None => !matches!(e.event, LogEvent::Driver(_)),
            },
        }
    }

    /// A task's title from its instance id (the plan's instruction when the task is no longer
    /// in the assessment), with the grid's name when the instance is one of many.
    pub fn task_label(&self, id: &str) -> String {
        if let Some(t) = self.task(id) {
            let title = self.title(t).to_string();
            return match &t.target {
                Some(x) => format!("{title} {}", x.name),
                None if id.contains('@') => format!("{title} {}", self.grid_name_by_id(&t.grid)),
                None => title,
            };
        }
        let plan = &self.engine.scenario().plan;
        let (ins, item) = id.split_once('@').unwrap_or((id, ""));
        let title = plan
            .instruction(ins)
            .and_then(|k| plan.instructions.get(k.0 as usize))
            .map(|i| match (self.lang, &i.title_en) {
                (Lang::En, Some(en)) => en.clone(),
                _ => i.title.clone(),
            })
            .unwrap_or_else(|| i18n::TASK_UNKNOWN.get(self.lang).to_string());
        match self.lookup.grid_by_id.get(item) {
            Some(&g) => format!("{title} {}", self.grid_name(g)),
            None => title,
        }
    }

    /// Text with the scenario ids it quotes in backticks replaced by names (tasks, people,
    /// grids, sites), for engine messages.
    pub fn humanize(&self, text: &str) -> String {
        let sc = self.engine.scenario();
        let mut out = String::new();
        let mut parts = text.split('`');
        if let Some(first) = parts.next() {
            out.push_str(first);
        }
        for (k, part) in parts.enumerate() {
            if k % 2 == 1 {
                out.push_str(part);
                continue;
            }
            let name = if let Some(&p) = self.lookup.person_by_id.get(part) {
                sc.people[p].name.clone()
            } else if let Some(&g) = self.lookup.grid_by_id.get(part) {
                self.grid_name(g).to_string()
            } else if let Some(site) = sc.sites.iter().find(|x| x.id == part) {
                site.name.clone()
            } else if self.task(part).is_some()
                || sc
                    .plan
                    .instruction(part.split('@').next().unwrap_or(part))
                    .is_some()
            {
                self.task_label(part)
            } else {
                // Not an id of the scenario (a field name, a value): shown as it was.
                format!("`{part}`")
            };
            out.push_str(&name);
        }
        out
    }

    /// A drill event in the console's language, rendered from its detail with names from the
    /// scenario ([`i18n::event_line`]). An event without a detail (a live-feed line, a journal
    /// older than details) shows its own text in Chinese and its kind and place in English.
    pub fn drill_event_text(&self, e: &DrillEvent) -> String {
        let l = self.lang;
        if let Some(d) = &e.detail {
            return i18n::event_line(l, d, self);
        }
        if l == Lang::Zh {
            return e.text.clone();
        }
        let what = match e.kind {
            EventKind::Accepted => i18n::EV_ACCEPTED.get(l),
            EventKind::Arrived => i18n::EV_ARRIVED.get(l),
            EventKind::Done => i18n::EV_DONE.get(l),
            EventKind::Verified => i18n::EV_VERIFIED.get(l),
            EventKind::Overdue => i18n::EV_OVERDUE.get(l),
            EventKind::Pushed => i18n::EV_PUSHED.get(l),
            EventKind::AlarmAcknowledged => i18n::EV_ACKED.get(l),
            EventKind::Rejected => i18n::EV_REJECTED.get(l),
            EventKind::Level => i18n::LEVEL_CHANGED.get(l),
            EventKind::Inject => i18n::INJECT.get(l),
            _ => i18n::EV_REPORT.get(l),
        };
        let place = match (&e.task, &e.grid) {
            (Some(t), _) => self.task_label(t),
            (None, Some(g)) => self.grid_name_by_id(g).to_string(),
            (None, None) => return what.to_string(),
        };
        format!("{what}: {place}")
    }

    /// A log line in the console's language (without the clock).
    pub fn log_text(&self, e: &LogEntry) -> String {
        let l = self.lang;
        let zh = l == Lang::Zh;
        let title = |zh_t: &str, en_t: &Option<String>| -> String {
            match (l, en_t) {
                (Lang::En, Some(en)) => en.clone(),
                _ => zh_t.to_string(),
            }
        };
        match &e.event {
            LogEvent::Started => {
                let sc = self.engine.scenario();
                let name = match (l, &sc.config.name_en) {
                    (Lang::En, Some(en)) => en.as_str(),
                    _ => sc.config.name.as_str(),
                };
                let mode = match &self.driver {
                    Some(d) => d.mode_name(l),
                    None => i18n::MODE_WHATIF.get(l),
                };
                if zh {
                    format!("控制台启动：{name}，{mode}")
                } else {
                    format!("Console started: {name}, {mode}")
                }
            }
            LogEvent::Discharge {
                from,
                to,
                level_from,
                level_to,
                new_tasks,
                tasks,
            } => {
                let q = i18n::discharge(*to);
                let f = i18n::thousands(*from);
                let lv = i18n::level_name(l, *level_to);
                if level_to != level_from {
                    if zh {
                        format!("流量 {f} 调至 {q}：{lv}，新增任务 {new_tasks} 项，共 {tasks} 项")
                    } else {
                        format!("Q {f} set to {q}: {lv}, {new_tasks} new tasks, {tasks} in all")
                    }
                } else if zh {
                    format!("流量 {f} 调至 {q}，任务 {tasks} 项")
                } else {
                    format!("Q {f} set to {q}, {tasks} tasks")
                }
            }
            LogEvent::Dispatched {
                task,
                title: t,
                title_en,
                people,
            } => {
                let who = people.join(if zh { "、" } else { ", " });
                let _ = task;
                if zh {
                    format!("派单 {} 给 {who}", title(t, title_en))
                } else {
                    format!("Dispatched {} to {who}", title(t, title_en))
                }
            }
            LogEvent::Pushed { audience, text } => {
                let to = self.audience_name(audience);
                if zh {
                    format!("推送给 {to}：{text}")
                } else {
                    format!("Pushed to {to}: {text}")
                }
            }
            LogEvent::Stepped { task, step, status } => {
                let s = i18n::step_name(l, *step);
                let st = i18n::status_tag(l, *status);
                let task = self.task_label(task);
                if zh {
                    format!("{s}：{task}，状态 {st}")
                } else {
                    format!("{s}: {task}, now {st}")
                }
            }
            LogEvent::Refused { task, step, from } => {
                let s = i18n::step_name(l, *step);
                let st = i18n::status_tag(l, *from);
                let task = self.task_label(task);
                if zh {
                    format!("不能{s}：{task} 状态为 {st}")
                } else {
                    format!("Cannot {s} {task}: it is {st}")
                }
            }
            LogEvent::Goto { grid } => {
                let name = self.grid_name(*grid);
                if zh {
                    format!("定位网格 {name}")
                } else {
                    format!("Grid {name}")
                }
            }
            LogEvent::NoSuchGrid(s) => {
                if zh {
                    format!("没有网格 {s}")
                } else {
                    format!("No grid {s}")
                }
            }
            LogEvent::UnknownCommand(s) => {
                if zh {
                    format!("未知命令：{s}（? 查看帮助）")
                } else {
                    format!("Unknown command: {s} (? for help)")
                }
            }
            LogEvent::NoClock => {
                if zh {
                    "假设推演没有演练时钟".into()
                } else {
                    "What-if mode has no drill clock".into()
                }
            }
            LogEvent::NoSelection => {
                if zh {
                    "请先在待办任务中选择一项".into()
                } else {
                    "Select a task in the to-do list first".into()
                }
            }
            LogEvent::Driver(n) => self.humanize(if zh { &n.zh } else { &n.en }),
            LogEvent::Drill(d) => self.drill_event_text(d),
            LogEvent::Called { person, grid } => {
                let name = &self.engine.scenario().people[*person].name;
                let g = self.grid_name(*grid);
                if zh {
                    format!("云视讯调度：呼叫 {name}（{g}）")
                } else {
                    format!("Video call: {name} ({g})")
                }
            }
            LogEvent::Acknowledged { item } => {
                let label = self
                    .alarms
                    .get(*item)
                    .map(|a| i18n::inject_kind(l, a.kind))
                    .unwrap_or_default();
                if zh {
                    format!("已确认：{label}")
                } else {
                    format!("Acknowledged: {label}")
                }
            }
            LogEvent::Bulk { kind, count } => {
                let what = i18n::bulk_name(l, *kind);
                if zh {
                    format!("批量{what}：{count} 项")
                } else {
                    format!("Bulk {what}: {count} tasks")
                }
            }
            LogEvent::ReportWritten(path) => {
                if zh {
                    format!("评估报告已写入日志旁：{path}")
                } else {
                    format!("After-action report written beside the journal: {path}")
                }
            }
            LogEvent::SituationRefused(e) => {
                if zh {
                    format!("态势无法评估，保留上一次结果：{e}")
                } else {
                    format!("The situation cannot be assessed; the last result stays: {e}")
                }
            }
            LogEvent::JournalError(e) => {
                if zh {
                    format!("日志文件写入失败：{e}")
                } else {
                    format!("Journal not written: {e}")
                }
            }
            LogEvent::DrillOver => {
                if zh {
                    "演练结束：R 查看评估报告，q 退出".into()
                } else {
                    "The drill is over: R shows the after-action report, q quits".into()
                }
            }
            LogEvent::Lang => {
                if zh {
                    "界面语言：中文".into()
                } else {
                    "Language: English".into()
                }
            }
        }
    }

    fn list_mut(&mut self, pane: Pane) -> &mut ListState {
        match pane {
            Pane::Todo => &mut self.todo,
            Pane::Map => &mut self.map_list,
            Pane::KeyPersons => &mut self.key_list,
            Pane::Households => &mut self.household_list,
            Pane::Log => &mut self.log_list,
            Pane::Alarms => &mut self.alarm_list,
        }
    }

    /// The list state of a pane.
    pub fn list(&self, pane: Pane) -> &ListState {
        match pane {
            Pane::Todo => &self.todo,
            Pane::Map => &self.map_list,
            Pane::KeyPersons => &self.key_list,
            Pane::Households => &self.household_list,
            Pane::Log => &self.log_list,
            Pane::Alarms => &self.alarm_list,
        }
    }

    fn view_len(&self, pane: Pane) -> usize {
        match pane {
            Pane::Todo if self.todo_mode == TodoMode::Tree => self.tree_rows.len(),
            Pane::Todo => self.todo_view.len(),
            Pane::Map => self.map_view.len(),
            Pane::KeyPersons => self.key_view.len(),
            Pane::Households => self.household_view.len(),
            Pane::Log => self.log_view.len(),
            Pane::Alarms => self.alarms.len(),
        }
    }

    fn move_selection(&mut self, delta: isize) {
        let pane = self.focus;
        if pane == Pane::Map {
            self.map_picked = true;
        }
        let len = self.view_len(pane);
        self.list_mut(pane).step(len, delta);
    }

    fn set_filter(&mut self, text: String) {
        match self.dialog.take() {
            Some(Dialog::Call(mut d)) => {
                d.query = text;
                self.search_call(&mut d);
                self.dialog = Some(Dialog::Call(d));
                return;
            }
            Some(Dialog::Dispatch(mut d)) if d.step == DispatchStep::People => {
                d.query = text;
                self.search_dispatch(&mut d);
                self.dialog = Some(Dialog::Dispatch(d));
                return;
            }
            other => self.dialog = other,
        }
        let pane = self.focus;
        self.list_mut(pane).filter = text;
        self.list_mut(pane).selected = 0;
        match pane {
            Pane::Todo => self.derive_todo(),
            Pane::Map => self.derive_map(),
            Pane::KeyPersons | Pane::Households => self.filter_residents(),
            Pane::Log => self.derive_log(),
            Pane::Alarms => {}
        }
    }

    /// Whether the driver keeps the situation (and so assesses, and reports what happens).
    fn driver_keeps_situation(&self) -> bool {
        self.driver
            .as_ref()
            .is_some_and(|d| d.assessment().is_some())
    }

    fn set_discharge(&mut self, q: f64) {
        let q = clamp_discharge(&self.engine, q);
        let from = self.assessment.discharge_m3s;
        let level_from = self.assessment.level;
        self.situation.discharge_m3s = q;
        let action = DrillAction::SetDischarge { discharge_m3s: q };
        self.record(&action);
        if !self.driver_keeps_situation() {
            self.history.push(q);
            if self.history.len() > HISTORY_LEN {
                self.history.remove(0);
            }
            self.reassess();
        }
        self.forward(&action);
        self.push_log(LogEvent::Discharge {
            from,
            to: self.assessment.discharge_m3s,
            level_from,
            level_to: self.assessment.level,
            new_tasks: self.new_tasks.len(),
            tasks: self.assessment.summary.instances,
        });
    }

    fn open_dispatch(&mut self) {
        if self.focus == Pane::Alarms
            && let Some(i) = self.selected_alarm()
        {
            return self.dispatch_from_alarm(i);
        }
        let (sel, view) = match self.selection_tasks() {
            Some(v) => (0, v.to_vec()),
            None => (self.todo.selected, self.todo_view.clone()),
        };
        let mut task_cursor = None;
        let mut tasks = Vec::new();
        for (pos, &i) in view.iter().enumerate() {
            if dispatchable(self.assessment.tasks[i].status) {
                if pos >= sel && task_cursor.is_none() {
                    task_cursor = Some(tasks.len());
                }
                tasks.push(i);
            }
        }
        if tasks.is_empty() {
            self.push_log(LogEvent::NoSelection);
            return;
        }
        self.dialog = Some(Dialog::Dispatch(DispatchDialog {
            step: DispatchStep::Task,
            tasks,
            task_cursor: task_cursor.unwrap_or(0),
            task: None,
            candidates: Vec::new(),
            cursor: 0,
            reassign: false,
            query: String::new(),
        }));
    }

    /// The dispatch dialog over the tasks an alarm concerns: those at its site or in its grid
    /// that can be dispatched, most urgent first (all dispatchable tasks when none is there).
    fn dispatch_from_alarm(&mut self, item: usize) {
        let a = &self.alarms[item];
        let sc = self.engine.scenario();
        let site_id = a.site.and_then(|s| sc.sites.get(s)).map(|s| s.id.as_str());
        let grid_id = a.grid.and_then(|g| sc.grids.get(g)).map(|g| g.id.as_str());
        let mut tasks: Vec<usize> = (0..self.assessment.tasks.len())
            .filter(|&i| {
                let t = &self.assessment.tasks[i];
                dispatchable(t.status)
                    && (t.target.as_ref().is_some_and(|x| Some(&*x.id) == site_id)
                        || Some(&*t.grid) == grid_id)
            })
            .collect();
        if tasks.is_empty() {
            tasks = self
                .todo_view
                .iter()
                .copied()
                .filter(|&i| dispatchable(self.assessment.tasks[i].status))
                .collect();
        }
        tasks.sort_by_key(|&i| (self.assessment.tasks[i].card.priority, i));
        if tasks.is_empty() {
            self.push_log(LogEvent::NoSelection);
            return;
        }
        self.dialog = Some(Dialog::Dispatch(DispatchDialog {
            step: DispatchStep::Task,
            tasks,
            task_cursor: 0,
            task: None,
            candidates: Vec::new(),
            cursor: 0,
            reassign: false,
            query: String::new(),
        }));
    }

    /// The people picker for the selected task, to send it to other people (改派).
    fn open_reassign(&mut self) {
        let Some(t) = self.selected_task() else {
            self.push_log(LogEvent::NoSelection);
            return;
        };
        if t.status.is_finished()
            || matches!(
                t.status,
                TaskStatus::Pending | TaskStatus::StoodDown | TaskStatus::Overdue
            )
        {
            let (task, from) = (t.id.to_string(), t.status);
            self.push_log(LogEvent::Refused {
                task,
                step: TaskStep::Dispatch,
                from,
            });
            return;
        }
        let mut candidates = self.candidates(t);
        for c in &mut candidates {
            c.chosen = false;
        }
        let task = t.id.to_string();
        self.dialog = Some(Dialog::Dispatch(DispatchDialog {
            step: DispatchStep::People,
            tasks: Vec::new(),
            task_cursor: 0,
            task: Some(task),
            candidates,
            cursor: 0,
            reassign: true,
            query: String::new(),
        }));
    }

    /// The grid a call goes through: the one picked on the map, else the selected alarm's (in
    /// the queue) or the selected task's.
    fn call_grid(&self) -> Option<usize> {
        match self.focus {
            Pane::Map => self.selected_grid(),
            Pane::Alarms => self.selected_alarm().and_then(|i| self.alarms[i].grid),
            _ => None,
        }
        .or_else(|| {
            self.selected_task()
                .and_then(|t| self.lookup.grid_by_id.get(&*t.grid).copied())
        })
        .or_else(|| self.selected_grid())
    }

    fn open_call(&mut self) {
        let Some(grid) = self.call_grid() else {
            self.push_log(LogEvent::NoSelection);
            return;
        };
        let mut d = CallDialog {
            grid,
            people: Vec::new(),
            cursor: 0,
            query: String::new(),
        };
        self.search_call(&mut d);
        self.dialog = Some(Dialog::Call(d));
    }

    /// Whether grid `g` is `top` or below it.
    fn within(&self, mut g: usize, top: usize) -> bool {
        let grids = &self.engine.scenario().grids;
        loop {
            if g == top {
                return true;
            }
            match grids[g].parent {
                Some(p) => g = p.ix(),
                None => return false,
            }
        }
    }

    /// Whether a person matches a people search: name, id, role or grid name (either
    /// language), case-insensitive.
    pub fn person_matches(&self, p: usize, query: &str) -> bool {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return true;
        }
        let sc = self.engine.scenario();
        let person = &sc.people[p];
        let role = sc.config.roles.get(person.role.ix());
        let g = &sc.grids[person.grid.ix()];
        let hay = |s: &str| s.to_lowercase().contains(&q);
        hay(&person.name)
            || hay(&person.id)
            || role.is_some_and(|r| hay(&r.name) || r.name_en.as_deref().is_some_and(hay))
            || hay(&g.name)
            || g.name_en.as_deref().is_some_and(hay)
    }

    fn search_call(&self, d: &mut CallDialog) {
        let sc = self.engine.scenario();
        d.people = (0..sc.people.len())
            .filter(|&p| self.within(sc.people[p].grid.ix(), d.grid))
            .filter(|&p| self.person_matches(p, &d.query))
            .collect();
        d.cursor = d.cursor.min(d.people.len().saturating_sub(1));
    }

    /// Instances each person carries in the assessment now (by person index).
    pub fn person_load(&self, p: usize) -> usize {
        let id = &self.engine.scenario().people[p].id;
        self.assessment
            .tasks
            .iter()
            .filter(|t| !t.status.is_finished() && t.assignees.iter().any(|a| &*a.person.id == id))
            .count()
    }

    fn search_dispatch(&self, d: &mut DispatchDialog) {
        let Some(t) = d.task.as_deref().and_then(|id| self.task(id)) else {
            return;
        };
        let chosen: Vec<Candidate> = d.candidates.iter().filter(|c| c.chosen).cloned().collect();
        let mut out = chosen;
        if d.query.trim().is_empty() {
            for c in self.candidates(t) {
                if !out.iter().any(|x| x.person == c.person) {
                    out.push(Candidate { chosen: false, ..c });
                }
            }
        } else {
            let sc = self.engine.scenario();
            let suggested: HashSet<&str> = t.assignees.iter().map(|a| &*a.person.id).collect();
            for p in 0..sc.people.len() {
                if out.len() >= MAX_CANDIDATES {
                    break;
                }
                if self.person_matches(p, &d.query) && !out.iter().any(|x| x.person == p) {
                    out.push(Candidate {
                        person: p,
                        suggested: suggested.contains(sc.people[p].id.as_str()),
                        chosen: false,
                        load: self.person_load(p),
                    });
                }
            }
        }
        d.candidates = out;
        d.cursor = 0;
    }

    /// The tasks of the to-do view a bulk action applies to.
    pub fn bulk_tasks(&self, kind: BulkKind) -> Vec<String> {
        self.selection_tasks()
            .unwrap_or(&self.todo_view)
            .iter()
            .map(|&i| &self.assessment.tasks[i])
            .filter(|t| match kind {
                BulkKind::Dispatch => dispatchable(t.status) && !t.assignees.is_empty(),
                BulkKind::Accept => t.status == TaskStatus::Dispatched,
                BulkKind::Close => t.status.apply(TaskStep::Complete).is_ok(),
            })
            .map(|t| t.id.to_string())
            .collect()
    }

    fn open_bulk(&mut self, kind: BulkKind) {
        let tasks = self.bulk_tasks(kind);
        if tasks.is_empty() {
            self.push_log(LogEvent::NoSelection);
            return;
        }
        self.dialog = Some(Dialog::Bulk(BulkDialog { kind, tasks }));
    }

    fn run_bulk(&mut self, d: BulkDialog) {
        let count = d.tasks.len();
        for task in d.tasks {
            let action = match d.kind {
                BulkKind::Dispatch => {
                    let people = self
                        .task(&task)
                        .map(|t| t.assignees.iter().map(|a| a.person.id.clone()).collect())
                        .unwrap_or_default();
                    DrillAction::Dispatch { task, people }
                }
                BulkKind::Accept => DrillAction::Accept { task },
                BulkKind::Close => DrillAction::Close { task },
            };
            self.command(action);
        }
        self.push_log(LogEvent::Bulk {
            kind: d.kind,
            count,
        });
    }

    /// People to offer for an instance: the engine's choice first, then people of the
    /// instruction's roles in the task's grid, then those roles elsewhere, then anyone in the grid.
    pub fn candidates(&self, t: &TaskInstance) -> Vec<Candidate> {
        let sc = self.engine.scenario();
        let mut load: HashMap<&str, usize> = HashMap::new();
        for x in &self.assessment.tasks {
            for a in &x.assignees {
                *load.entry(a.person.id.as_ref()).or_default() += 1;
            }
        }
        let roles: Vec<_> = sc
            .plan
            .instruction(&t.card.instruction)
            .and_then(|k| sc.plan.instructions.get(k.0 as usize))
            .map(|ins| ins.roles.clone())
            .unwrap_or_default();
        let grid = self.lookup.grid_by_id.get(&*t.grid).copied();
        let unavailable: HashSet<usize> =
            self.situation.unavailable.iter().map(|p| p.ix()).collect();
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut push = |p: usize, suggested: bool, out: &mut Vec<Candidate>| {
            if out.len() < MAX_CANDIDATES && !unavailable.contains(&p) && seen.insert(p) {
                out.push(Candidate {
                    person: p,
                    suggested,
                    chosen: suggested,
                    load: load.get(sc.people[p].id.as_str()).copied().unwrap_or(0),
                });
            }
        };
        for a in &t.assignees {
            if let Some(&p) = self.lookup.person_by_id.get(&*a.person.id) {
                push(p, true, &mut out);
            }
        }
        let in_grid = |p: usize| grid.is_some_and(|g| sc.people[p].grid.ix() == g);
        let has_role = |p: usize| roles.contains(&sc.people[p].role);
        for p in 0..sc.people.len() {
            if in_grid(p) && has_role(p) {
                push(p, false, &mut out);
            }
        }
        let parent = grid.and_then(|g| sc.grids[g].parent);
        for p in 0..sc.people.len() {
            let near = parent.is_some_and(|pg| sc.grids[sc.people[p].grid.ix()].parent == Some(pg));
            if near && has_role(p) {
                push(p, false, &mut out);
            }
        }
        for p in 0..sc.people.len() {
            if has_role(p) {
                push(p, false, &mut out);
            }
        }
        for p in 0..sc.people.len() {
            if in_grid(p) {
                push(p, false, &mut out);
            }
        }
        out
    }

    fn dialog_action(&mut self, action: &Action) {
        let Some(dialog) = self.dialog.take() else {
            return;
        };
        match dialog {
            Dialog::Dispatch(mut d) => {
                let close = self.dispatch_dialog(&mut d, action);
                if !close {
                    self.dialog = Some(Dialog::Dispatch(d));
                }
            }
            Dialog::Push(mut d) => {
                let close = self.push_dialog(&mut d, action);
                if !close {
                    self.dialog = Some(Dialog::Push(d));
                }
            }
            Dialog::Call(mut d) => match action {
                Action::Up => {
                    d.cursor = d.cursor.saturating_sub(1);
                    self.dialog = Some(Dialog::Call(d));
                }
                Action::Down => {
                    d.cursor = (d.cursor + 1).min(d.people.len().saturating_sub(1));
                    self.dialog = Some(Dialog::Call(d));
                }
                Action::Filter => {
                    self.input = Input::Filter(d.query.clone());
                    self.dialog = Some(Dialog::Call(d));
                }
                Action::Open => {
                    if let Some(&p) = d.people.get(d.cursor) {
                        let sc = self.engine.scenario();
                        let person = sc.people[p].id.clone();
                        let grid = sc.grids[d.grid].id.clone();
                        self.command(DrillAction::Call { person, grid });
                    }
                }
                Action::Back => {}
                _ => self.dialog = Some(Dialog::Call(d)),
            },
            Dialog::Bulk(d) => match action {
                Action::Open => self.run_bulk(d),
                Action::Back => {}
                _ => self.dialog = Some(Dialog::Bulk(d)),
            },
            Dialog::ConfirmQuit => match action {
                Action::Open => self.quit = true,
                Action::Back => {}
                _ => self.dialog = Some(Dialog::ConfirmQuit),
            },
            other => match action {
                Action::Open | Action::Back => {}
                _ => self.dialog = Some(other),
            },
        }
    }

    /// One key in the dispatch dialog; true when it closes.
    fn dispatch_dialog(&mut self, d: &mut DispatchDialog, action: &Action) -> bool {
        let step = |cur: &mut usize, len: usize, delta: isize| {
            if len > 0 {
                *cur = (*cur as isize + delta).clamp(0, len as isize - 1) as usize;
            }
        };
        match (d.step, action) {
            (DispatchStep::Task, Action::Up) => step(&mut d.task_cursor, d.tasks.len(), -1),
            (DispatchStep::Task, Action::Down) => step(&mut d.task_cursor, d.tasks.len(), 1),
            (DispatchStep::People, Action::Up) => step(&mut d.cursor, d.candidates.len(), -1),
            (DispatchStep::People, Action::Down) => step(&mut d.cursor, d.candidates.len(), 1),
            (DispatchStep::People, Action::Filter) => {
                self.input = Input::Filter(d.query.clone());
            }
            (DispatchStep::People, Action::Toggle) => {
                if let Some(c) = d.candidates.get_mut(d.cursor) {
                    c.chosen = !c.chosen;
                }
            }
            (DispatchStep::Task, Action::Open) => {
                let Some(t) = d
                    .tasks
                    .get(d.task_cursor)
                    .and_then(|&i| self.assessment.tasks.get(i))
                else {
                    return true;
                };
                d.task = Some(t.id.to_string());
                d.candidates = self.candidates(t);
                d.cursor = 0;
                d.step = DispatchStep::People;
            }
            (DispatchStep::People, Action::Open) => {
                if d.candidates.iter().any(|c| c.chosen) {
                    d.step = DispatchStep::Confirm;
                } else if let Some(c) = d.candidates.get_mut(d.cursor) {
                    // Enter on nobody picked picks the person under the cursor.
                    c.chosen = true;
                    d.step = DispatchStep::Confirm;
                }
            }
            (DispatchStep::Confirm, Action::Open) => {
                let sc = self.engine.scenario();
                let people = d
                    .candidates
                    .iter()
                    .filter(|c| c.chosen)
                    .map(|c| sc.people[c.person].id.clone())
                    .collect();
                if let Some(task) = d.task.clone() {
                    self.command(if d.reassign {
                        DrillAction::Reassign { task, people }
                    } else {
                        DrillAction::Dispatch { task, people }
                    });
                }
                return true;
            }
            (DispatchStep::Task, Action::Back) => return true,
            (DispatchStep::People, Action::Back) if d.reassign => return true,
            (DispatchStep::People, Action::Back) => d.step = DispatchStep::Task,
            (DispatchStep::Confirm, Action::Back) => d.step = DispatchStep::People,
            _ => {}
        }
        false
    }

    /// Recipients as the console names them.
    pub fn audience_name(&self, a: &Audience) -> String {
        let zh = self.lang == Lang::Zh;
        match a {
            Audience::Grid { grid } => self.grid_name_by_id(grid).to_string(),
            Audience::Public { grid } => {
                let name = self.grid_name_by_id(grid).to_string();
                if zh {
                    format!("{name}群众和网格人员")
                } else {
                    format!("{name}: residents and staff")
                }
            }
            Audience::Role { role } => self.role_name(role).to_string(),
            Audience::Everyone => if zh { "全体人员" } else { "everyone" }.to_string(),
        }
    }

    fn open_push(&mut self) {
        let sel = self.todo.selected;
        let mut cursor = None;
        let mut tasks = Vec::new();
        let mut seen = HashSet::new();
        for (pos, &i) in self.todo_view.iter().enumerate() {
            let Some(m) = self.assessment.tasks[i].message.as_deref() else {
                continue;
            };
            // The same text for many grids is offered once.
            if !seen.insert(m) {
                if pos == sel && cursor.is_none() {
                    cursor = tasks.iter().position(|&k: &usize| {
                        self.assessment.tasks[k].message.as_deref() == Some(m)
                    });
                }
                continue;
            }
            if pos >= sel && cursor.is_none() {
                cursor = Some(tasks.len());
            }
            tasks.push(i);
        }
        if tasks.is_empty() {
            self.push_log(LogEvent::NoSelection);
            return;
        }
        self.dialog = Some(Dialog::Push(PushDialog {
            step: PushStep::Message,
            tasks,
            cursor: cursor.unwrap_or(0),
            audiences: Vec::new(),
            audience_cursor: 0,
        }));
    }

    /// One key in the push dialog; true when it closes.
    fn push_dialog(&mut self, d: &mut PushDialog, action: &Action) -> bool {
        let step = |cur: &mut usize, len: usize, delta: isize| {
            if len > 0 {
                *cur = (*cur as isize + delta).clamp(0, len as isize - 1) as usize;
            }
        };
        match (d.step, action) {
            (PushStep::Message, Action::Up) => step(&mut d.cursor, d.tasks.len(), -1),
            (PushStep::Message, Action::Down) => step(&mut d.cursor, d.tasks.len(), 1),
            (PushStep::Audience, Action::Up) => step(&mut d.audience_cursor, d.audiences.len(), -1),
            (PushStep::Audience, Action::Down) => {
                step(&mut d.audience_cursor, d.audiences.len(), 1)
            }
            (PushStep::Message, Action::Open) => {
                let Some(t) = d
                    .tasks
                    .get(d.cursor)
                    .and_then(|&i| self.assessment.tasks.get(i))
                else {
                    return true;
                };
                let sc = self.engine.scenario();
                let mut audiences = vec![Audience::Grid {
                    grid: t.grid.to_string(),
                }];
                if let Some(role) = sc
                    .plan
                    .instruction(&t.card.instruction)
                    .and_then(|k| sc.plan.instructions.get(k.0 as usize))
                    .and_then(|ins| ins.roles.first())
                    .and_then(|r| sc.config.roles.get(r.ix()))
                {
                    audiences.push(Audience::Role {
                        role: role.id.clone(),
                    });
                }
                audiences.push(Audience::Everyone);
                d.audiences = audiences;
                d.audience_cursor = 0;
                d.step = PushStep::Audience;
            }
            (PushStep::Audience, Action::Open) => d.step = PushStep::Confirm,
            (PushStep::Confirm, Action::Open) => {
                let text = d
                    .tasks
                    .get(d.cursor)
                    .and_then(|&i| self.assessment.tasks.get(i))
                    .and_then(|t| t.message.clone());
                if let (Some(text), Some(audience)) = (text, d.audiences.get(d.audience_cursor)) {
                    let audience = audience.clone();
                    self.command(DrillAction::Push {
                        template: None,
                        text,
                        audience,
                    });
                }
                return true;
            }
            (PushStep::Message, Action::Back) => return true,
            (PushStep::Audience, Action::Back) => d.step = PushStep::Message,
            (PushStep::Confirm, Action::Back) => d.step = PushStep::Audience,
            _ => {}
        }
        false
    }

    fn push(&mut self, template: Option<String>, text: String, audience: Audience) {
        if text.trim().is_empty() {
            return;
        }
        let action = DrillAction::Push {
            template,
            text: text.clone(),
            audience: audience.clone(),
        };
        self.record(&action);
        if !self.driver_keeps_situation() {
            self.push_log(LogEvent::Pushed { audience, text });
        }
        self.forward(&action);
    }

    /// Dispatches a task to people, or (`reassign`) sends a dispatched one to other people.
    fn dispatch(&mut self, task: String, people: Vec<String>, reassign: bool) {
        let Some(t) = self.task(&task) else {
            self.push_log(LogEvent::NoSelection);
            return;
        };
        let from = t.status;
        let next = if reassign {
            if from.is_finished() || matches!(from, TaskStatus::Pending | TaskStatus::StoodDown) {
                Err(())
            } else {
                Ok(from)
            }
        } else {
            from.apply(TaskStep::Dispatch).map_err(|_| ())
        };
        let next = match next {
            Ok(s) => s,
            Err(()) => {
                self.push_log(LogEvent::Refused {
                    task,
                    step: TaskStep::Dispatch,
                    from,
                });
                return;
            }
        };
        let (title, title_en, triggered_min) = (
            t.card.title.to_string(),
            t.card.title_en.as_deref().map(String::from),
            t.trigger_min,
        );
        let idx: Vec<PersonIdx> = people
            .iter()
            .filter_map(|id| self.lookup.person_by_id.get(id))
            .map(|&p| PersonIdx(p as u32))
            .collect();
        let names = idx
            .iter()
            .map(|p| self.engine.scenario().people[p.ix()].name.clone())
            .collect();
        self.situation.tasks.insert(
            task.clone(),
            TaskRecord {
                status: next,
                triggered_min,
                assignees: idx,
            },
        );
        self.reassess();
        let action = if reassign {
            DrillAction::Reassign {
                task: task.clone(),
                people,
            }
        } else {
            DrillAction::Dispatch {
                task: task.clone(),
                people,
            }
        };
        self.record(&action);
        if !self.driver_keeps_situation() {
            self.push_log(LogEvent::Dispatched {
                task,
                title,
                title_en,
                people: names,
            });
        }
        self.forward(&action);
    }

    fn step_task(&mut self, task: String, step: TaskStep) {
        let Some(t) = self.task(&task) else {
            self.push_log(LogEvent::NoSelection);
            return;
        };
        let from = t.status;
        let triggered_min = t.trigger_min;
        match from.apply(step) {
            Ok(next) => {
                let rec = self
                    .situation
                    .tasks
                    .entry(task.clone())
                    .or_insert(TaskRecord {
                        status: from,
                        triggered_min,
                        assignees: Vec::new(),
                    });
                rec.status = next;
                self.reassess();
                let action = match step {
                    TaskStep::Accept => DrillAction::Accept { task: task.clone() },
                    TaskStep::Complete => DrillAction::Close { task: task.clone() },
                    _ => DrillAction::Verify { task: task.clone() },
                };
                self.record(&action);
                if !self.driver_keeps_situation() {
                    self.push_log(LogEvent::Stepped {
                        task,
                        step,
                        status: next,
                    });
                }
                self.forward(&action);
            }
            Err(_) => self.push_log(LogEvent::Refused { task, step, from }),
        }
    }

    fn goto(&mut self, query: &str) {
        let sc = self.engine.scenario();
        let q = query.trim().to_lowercase();
        let names = |g: usize| {
            let grid = &sc.grids[g];
            [
                Some(grid.id.to_lowercase()),
                Some(grid.name.to_lowercase()),
                grid.name_en.as_ref().map(|n| n.to_lowercase()),
            ]
        };
        let all = 0..sc.grids.len();
        let found = all
            .clone()
            .find(|&g| names(g).iter().flatten().any(|n| *n == q))
            .or_else(|| {
                all.clone()
                    .find(|&g| names(g).iter().flatten().any(|n| n.contains(&q)))
            });
        let Some(g) = found.filter(|_| !q.is_empty()) else {
            self.push_log(LogEvent::NoSuchGrid(query.trim().to_string()));
            return;
        };
        // Walk down to a working grid when a village or the town was named: select it on the
        // map only if it is one; the details dialog shows any grid.
        self.map_list.filter.clear();
        self.derive_map();
        if let Some(p) = self.map_view.iter().position(|&x| x == g) {
            self.map_list.selected = p;
            self.map_picked = true;
            self.map_zoom = self.map_zoom.max(3.0);
        }
        self.focus = Pane::Map;
        self.push_log(LogEvent::Goto { grid: g });
        self.dialog = Some(Dialog::Grid(g));
    }

    fn command_line(&mut self, line: &str) {
        let line = line.trim().trim_start_matches(':').trim();
        let (cmd, arg) = match line.split_once(char::is_whitespace) {
            Some((c, a)) => (c, a.trim()),
            None => (line, ""),
        };
        let number = || arg.replace([',', '_', '，'], "").parse::<f64>().ok();
        match cmd {
            "" => {}
            "flow" | "q=" | "discharge" | "Q" => match number() {
                Some(q) if q.is_finite() => {
                    self.command(DrillAction::SetDischarge { discharge_m3s: q })
                }
                _ => self.push_log(LogEvent::UnknownCommand(line.to_string())),
            },
            "goto" | "g" => self.apply(Action::Goto {
                grid: arg.to_string(),
            }),
            "lang" => match Lang::from_name(arg) {
                Some(lang) => self.apply(Action::SetLang { lang }),
                None => self.push_log(LogEvent::UnknownCommand(line.to_string())),
            },
            "speed" => match number() {
                Some(f) if f.is_finite() && f >= 0.0 => {
                    self.command(DrillAction::Speed { factor: f })
                }
                _ => self.push_log(LogEvent::UnknownCommand(line.to_string())),
            },
            "q" | "quit" => self.apply(Action::Quit),
            "help" => self.help = true,
            _ => self.push_log(LogEvent::UnknownCommand(line.to_string())),
        }
    }

    fn open_details(&mut self) {
        if self.focus == Pane::Todo && self.todo_mode == TodoMode::Tree {
            return self.tree_toggle();
        }
        self.dialog = match self.focus {
            Pane::Todo => self.selected_task().map(|t| Dialog::Task(t.id.to_string())),
            Pane::Map => self.selected_grid().map(Dialog::Grid),
            Pane::KeyPersons => self
                .key_view
                .get(self.key_list.selected)
                .map(|&i| Dialog::Resident(self.key_rows[i].resident)),
            Pane::Households => self
                .household_view
                .get(self.household_list.selected)
                .map(|&i| Dialog::Resident(self.household_rows[i].resident)),
            Pane::Log => None,
            Pane::Alarms => {
                // Enter on an alarm goes to its grid on the map.
                if let Some(g) = self.selected_alarm().and_then(|i| self.alarms[i].grid) {
                    let id = self.engine.scenario().grids[g].id.clone();
                    self.goto(&id);
                    self.dialog = None;
                }
                None
            }
        };
    }

    fn focus_step(&mut self, delta: isize) {
        let n = Pane::ORDER.len() as isize;
        let i = Pane::ORDER
            .iter()
            .position(|&p| p == self.focus)
            .unwrap_or(0) as isize;
        self.focus = Pane::ORDER[((i + delta).rem_euclid(n)) as usize];
        if matches!(
            self.focus,
            Pane::KeyPersons | Pane::Households | Pane::Alarms
        ) {
            self.side = self.focus;
        }
        if self.focus == Pane::Map {
            self.map_picked = true;
        }
    }

    /// Applies a commander command: to the situation here, to the journal, and to the driver
    /// (every command goes through this one function, whatever key or dialog gave it).
    pub fn command(&mut self, action: DrillAction) {
        match action {
            DrillAction::SetDischarge { discharge_m3s } => self.set_discharge(discharge_m3s),
            DrillAction::Dispatch { task, people } => self.dispatch(task, people, false),
            DrillAction::Reassign { task, people } => self.dispatch(task, people, true),
            DrillAction::Accept { task } => self.step_task(task, TaskStep::Accept),
            DrillAction::Close { task } => self.step_task(task, TaskStep::Complete),
            DrillAction::Verify { task } => self.step_task(task, TaskStep::Verify),
            DrillAction::Push {
                template,
                text,
                audience,
            } => self.push(template, text, audience),
            DrillAction::AcknowledgeAlarm { .. } => {
                if self.driver.is_some() {
                    self.record(&action);
                    self.forward(&action);
                } else {
                    self.push_log(LogEvent::NoClock);
                }
            }
            DrillAction::Call { person, grid } => {
                let sc = self.engine.scenario();
                let p = self.lookup.person_by_id.get(&person).copied();
                let g = self.lookup.grid_by_id.get(&grid).copied();
                let (Some(p), Some(g)) = (p, g) else {
                    self.push_log(LogEvent::NoSelection);
                    return;
                };
                let _ = sc;
                let action = DrillAction::Call { person, grid };
                self.record(&action);
                self.push_log(LogEvent::Called { person: p, grid: g });
                self.forward(&action);
            }
            DrillAction::Pause | DrillAction::Resume | DrillAction::Speed { .. } => {
                match &self.driver {
                    Some(d) => {
                        if d.clock_control() {
                            self.record(&action);
                        }
                        self.forward(&action);
                    }
                    None => self.push_log(LogEvent::NoClock),
                }
            }
        }
    }

    /// Makes the after-action report, opens it and writes it beside the journal.
    fn finish_report(&mut self) {
        let Some(text) = self.driver.as_ref().and_then(|d| d.report()) else {
            return;
        };
        if let Some(path) = self.report_path.clone() {
            match std::fs::write(&path, &text) {
                Ok(()) => {
                    // Beside the journal: its name says where.
                    let name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| path.display().to_string());
                    self.push_log(LogEvent::ReportWritten(name))
                }
                Err(e) => self.push_log(LogEvent::JournalError(format!("{}: {e}", path.display()))),
            }
        }
        self.report = Some(text);
        self.report_open = true;
        self.report_scroll = 0;
    }

    /// The pane drawn at a screen cell and the first row of its list there (panes whose rows
    /// start below a header say so).
    fn pane_at(&self, col: u16, row: u16) -> Option<(Pane, ratatui::layout::Rect, u16)> {
        use ratatui::layout::{Position, Rect};
        let a = crate::view::areas(self.screen.get());
        let hit = |r: Rect| r.contains(Position::new(col, row));
        let side = match self.side {
            Pane::Households => Pane::Households,
            Pane::Alarms => Pane::Alarms,
            _ => Pane::KeyPersons,
        };
        let left = if self.side == Pane::Alarms || self.focus == Pane::Alarms {
            Pane::Alarms
        } else {
            Pane::KeyPersons
        };
        let bottom = match a.log {
            None if self.focus == Pane::Log => Pane::Log,
            _ => Pane::Todo,
        };
        let header = |p: Pane| match p {
            Pane::Todo => 1,
            Pane::Households => 5,
            _ => 0,
        };
        [
            (Some(a.map), Pane::Map),
            (a.left, left),
            (a.right, Pane::Households),
            (a.side, side),
            (Some(a.todo), bottom),
            (a.log, Pane::Log),
        ]
        .into_iter()
        .find_map(|(r, p)| r.filter(|&r| hit(r)).map(|r| (p, r, header(p))))
    }

    /// A mouse event: a left click focuses the pane under it and selects the row (or, on the
    /// map, the grid) clicked; the wheel scrolls the list under the pointer.
    fn mouse(&mut self, m: ratatui::crossterm::event::MouseEvent) {
        use ratatui::crossterm::event::{MouseButton, MouseEventKind};
        if self.dialog.is_some() || self.help || self.report_open {
            match m.kind {
                MouseEventKind::ScrollDown if self.report_open => self.report_scroll += 3,
                MouseEventKind::ScrollUp if self.report_open => {
                    self.report_scroll = self.report_scroll.saturating_sub(3)
                }
                _ => {}
            }
            return;
        }
        let Some((pane, rect, header)) = self.pane_at(m.column, m.row) else {
            return;
        };
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                self.focus = pane;
                if matches!(pane, Pane::KeyPersons | Pane::Households | Pane::Alarms) {
                    self.side = pane;
                }
                if pane == Pane::Map {
                    let g = self.map_cache.borrow().grid_at_cell(m.column, m.row);
                    if let Some(p) = g.and_then(|g| self.map_view.iter().position(|&x| x == g)) {
                        self.map_list.selected = p;
                        self.map_picked = true;
                    }
                    return;
                }
                // Inside the frame and below the header: the row's index in the list.
                let first = rect.y + 1 + header;
                if m.row < first || m.row + 1 >= rect.bottom() {
                    return;
                }
                let row = self.list(pane).offset.get() + (m.row - first) as usize;
                if row < self.view_len(pane) {
                    self.list_mut(pane).selected = row;
                }
            }
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let delta = if m.kind == MouseEventKind::ScrollDown {
                    3
                } else {
                    -3
                };
                let before = self.focus;
                self.focus = pane;
                self.move_selection(delta);
                if pane != Pane::Map {
                    self.focus = before;
                }
            }
            _ => {}
        }
    }

    /// Applies an action (the heart of [`update`]).
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Command(a) => self.command(a),
            Action::StepDischarge { delta_m3s } => {
                self.set_discharge(self.situation.discharge_m3s + delta_m3s)
            }
            Action::OpenDispatch => self.open_dispatch(),
            Action::OpenPush => self.open_push(),
            Action::Accept | Action::Complete | Action::Verify => {
                let Some(t) = self.selected_task() else {
                    self.push_log(LogEvent::NoSelection);
                    return;
                };
                let task = t.id.to_string();
                self.command(match action {
                    Action::Accept => DrillAction::Accept { task },
                    Action::Complete => DrillAction::Close { task },
                    _ => DrillAction::Verify { task },
                })
            }
            Action::TogglePause | Action::Faster | Action::Slower => {
                match crate::drill::clock_command(&action, self.clock()) {
                    Some(a) if self.driver.is_some() => self.command(a),
                    _ => self.push_log(LogEvent::NoClock),
                }
            }
            Action::Goto { grid } => self.goto(&grid),
            Action::SetLang { lang } => {
                self.lang = lang;
                self.derive();
                self.push_log(LogEvent::Lang);
            }
            Action::FocusNext => self.focus_step(1),
            Action::FocusPrev => self.focus_step(-1),
            Action::Up => self.move_selection(-1),
            Action::Down => self.move_selection(1),
            Action::PageUp | Action::PageDown => {
                let page = self.list(self.focus).page.get().max(1) as isize;
                self.move_selection(if action == Action::PageUp {
                    -page
                } else {
                    page
                });
            }
            Action::Top => self.move_selection(isize::MIN / 2),
            Action::Bottom => self.move_selection(isize::MAX / 2),
            Action::Open => self.open_details(),
            Action::Back => {
                if !self.list(self.focus).filter.is_empty() {
                    self.set_filter(String::new());
                }
            }
            Action::Toggle => {}
            Action::Help => self.help = !self.help,
            Action::CommandLine => self.input = Input::Command(String::new()),
            Action::Filter => {
                let current = self.list(self.focus).filter.clone();
                self.input = Input::Filter(current);
            }
            Action::MapColour => {
                self.map_colour = match self.map_colour {
                    MapColour::Share => MapColour::Depth,
                    MapColour::Depth => MapColour::Share,
                }
            }
            Action::ZoomIn => self.map_zoom = (self.map_zoom * 1.5).min(32.0),
            Action::ZoomOut => self.map_zoom = (self.map_zoom / 1.5).max(1.0),
            Action::ZoomReset => self.map_zoom = 1.0,
            Action::Acknowledge => match self.ack_target() {
                Some(i) => self.acknowledge(i),
                None => self.push_log(LogEvent::NoSelection),
            },
            Action::Alarms => {
                self.focus = Pane::Alarms;
                self.side = Pane::Alarms;
            }
            Action::Reassign => self.open_reassign(),
            Action::Call => self.open_call(),
            Action::Bulk(kind) => self.open_bulk(kind),
            Action::LogFilter => {
                self.log_filter = self.log_filter.next();
                self.derive_log();
                self.log_list.selected = self.log_view.len().saturating_sub(1);
            }
            Action::TodoView => {
                let keep = self.selected_task().map(|t| t.id.clone());
                self.todo_mode = match self.todo_mode {
                    TodoMode::List => TodoMode::Tree,
                    TodoMode::Tree => TodoMode::List,
                };
                self.focus = Pane::Todo;
                self.derive_todo();
                self.todo.selected = 0;
                if self.todo_mode == TodoMode::List
                    && let Some(id) = keep
                    && let Some(p) = self
                        .todo_view
                        .iter()
                        .position(|&i| self.assessment.tasks[i].id == id)
                {
                    self.todo.selected = p;
                }
            }
            Action::Report => {
                if self.report.is_some() {
                    self.report_open = !self.report_open;
                }
            }
            Action::Quit => {
                if self.driver.is_some() && !self.drill_over {
                    self.dialog = Some(Dialog::ConfirmQuit);
                } else {
                    self.quit = true;
                }
            }
        }
    }

    fn key(&mut self, key: KeyEvent) {
        if self.help {
            if let Some(Action::Quit) = keymap::lookup(Scope::Main, &key)
                && key
                    .modifiers
                    .contains(ratatui::crossterm::event::KeyModifiers::CONTROL)
            {
                self.quit = true;
            }
            match keymap::lookup(Scope::Main, &key) {
                Some(Action::Down) => self.help_scroll += 3,
                Some(Action::Up) => self.help_scroll = self.help_scroll.saturating_sub(3),
                Some(Action::PageDown) => self.help_scroll += 20,
                Some(Action::PageUp) => self.help_scroll = self.help_scroll.saturating_sub(20),
                _ => {}
            }
            if matches!(
                key.code,
                KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter
            ) {
                self.help = false;
                self.help_scroll = 0;
            }
            return;
        }
        if self.report_open && self.dialog.is_none() && self.input == Input::Normal {
            match keymap::lookup(Scope::Main, &key) {
                Some(Action::Down) => self.report_scroll += 1,
                Some(Action::Up) => self.report_scroll = self.report_scroll.saturating_sub(1),
                Some(Action::PageDown) => self.report_scroll += 10,
                Some(Action::PageUp) => self.report_scroll = self.report_scroll.saturating_sub(10),
                Some(Action::Top) => self.report_scroll = 0,
                Some(Action::Back | Action::Report) => self.report_open = false,
                Some(Action::Quit) => self.apply(Action::Quit),
                _ => {}
            }
            return;
        }
        match std::mem::replace(&mut self.input, Input::Normal) {
            Input::Normal => {}
            Input::Command(mut text) => {
                match key.code {
                    KeyCode::Enter => self.command_line(&text),
                    KeyCode::Esc => {}
                    KeyCode::Backspace if text.is_empty() => {}
                    KeyCode::Backspace => {
                        text.pop();
                        self.input = Input::Command(text);
                    }
                    KeyCode::Char(c) => {
                        text.push(c);
                        self.input = Input::Command(text);
                    }
                    _ => self.input = Input::Command(text),
                }
                return;
            }
            Input::Filter(mut text) => {
                match key.code {
                    KeyCode::Enter => {}
                    KeyCode::Esc => self.set_filter(String::new()),
                    KeyCode::Backspace => {
                        text.pop();
                        self.set_filter(text.clone());
                        self.input = Input::Filter(text);
                    }
                    KeyCode::Char(c) => {
                        text.push(c);
                        self.set_filter(text.clone());
                        self.input = Input::Filter(text);
                    }
                    _ => self.input = Input::Filter(text),
                }
                return;
            }
        }
        if self.dialog.is_some() {
            if let Some(action) = keymap::lookup(Scope::Dialog, &key) {
                let action = action.clone();
                self.dialog_action(&action);
            } else if let Some(Action::Quit) = keymap::lookup(Scope::Main, &key)
                && key
                    .modifiers
                    .contains(ratatui::crossterm::event::KeyModifiers::CONTROL)
            {
                self.quit = true;
            }
            return;
        }
        if let Some(action) = keymap::lookup(Scope::Main, &key) {
            self.apply(action.clone());
        }
    }
}

/// How far along the lifecycle a status is, for "the most advanced" comparisons.
fn progress(s: TaskStatus) -> u8 {
    match s {
        TaskStatus::Pending | TaskStatus::Overdue | TaskStatus::StoodDown => 0,
        TaskStatus::Dispatched => 1,
        TaskStatus::Accepted => 2,
        TaskStatus::InProgress => 3,
        TaskStatus::Done => 4,
        TaskStatus::Verified => 5,
    }
}

/// Whether an instance can be dispatched (or re-dispatched).
pub fn dispatchable(s: TaskStatus) -> bool {
    TaskStatus::apply(s, TaskStep::Dispatch).is_ok()
}

/// A discharge the engine accepts: between 0 and the scenario's `max_discharge_m3s`.
fn clamp_discharge(engine: &Engine, q: f64) -> f64 {
    if q.is_finite() {
        q.clamp(0.0, engine.scenario().config.gauge.max_discharge_m3s)
    } else {
        0.0
    }
}

/// The update function: one message in, the model changed. Never draws.
pub fn update(app: &mut App<'_>, message: Message) {
    match message {
        Message::Key(key) => {
            app.acting = true;
            app.key(key);
            app.acting = false;
        }
        Message::Action(action) => {
            app.acting = true;
            app.apply(action);
            app.acting = false;
        }
        Message::Command(line) => {
            app.acting = true;
            app.command_line(&line);
            app.acting = false;
        }
        Message::Mouse(m) => {
            app.acting = true;
            app.mouse(m);
            app.acting = false;
        }
        Message::Tick(wall) => {
            let update = match app.driver.as_mut() {
                Some(d) => d.tick(wall, &mut app.situation),
                None => return,
            };
            app.absorb(update);
        }
    }
}

// Grid kinds the map fills (the working grids); villages and the town are outlines only.
pub(crate) fn is_filled(kind: GridKind) -> bool {
    kind.is_working_grid()
}

impl i18n::EventNames for App<'_> {
    fn task(&self, id: &str) -> String {
        self.task_label(id)
    }

    fn person(&self, id: &str) -> String {
        match self.lookup.person_by_id.get(id) {
            Some(&p) => self.engine.scenario().people[p].name.clone(),
            None => id.to_string(),
        }
    }

    fn grid(&self, id: &str) -> String {
        self.grid_name_by_id(id).to_string()
    }

    fn site(&self, id: &str) -> String {
        let sc = self.engine.scenario();
        sc.sites
            .iter()
            .find(|s| s.id == id)
            .map_or_else(|| id.to_string(), |s| s.name.clone())
    }

    fn role(&self, id: &str) -> String {
        self.role_name(id).to_string()
    }

    fn message(&self, text: &str) -> String {
        self.humanize(text)
    }
}
