//! Live mode: a real feed drives the console. [`LiveFeed`] is a [`DrillDriver`] that tails two
//! JSON Lines files — gauge readings and field reports (formats in `docs/FORMATS.md`, "Live
//! feeds") — and moves the situation: the discharge, the warning level from a [`LevelTracker`]
//! (hysteresis and dwell, never the bare entry rule), the trend's readings, hazards, sensor
//! alarms, people out of action and task steps reported from the field. Reports land on the map
//! as markers coloured by kind and status, and in the event log.
//!
//! [`FeedFile`] does the tailing: what is in the file at start, then whatever is appended; a
//! partial last line waits until its newline arrives; a file that does not exist yet is waited
//! for. A line that cannot be used is never fatal: it becomes a warning in the event log naming
//! `file:line` and what was expected, and is skipped.
//!
//! The feed's clock: a reading's `time` is either minutes (the feed's own clock) or an RFC 3339
//! time with its offset, counted in minutes from the first such time read. Between lines the
//! clock runs with the wall clock (×1), so deadlines count down; it never runs backwards. This
//! module does no terminal I/O.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use floodgrid_engine::assess::{Assessment, Engine, Hazard, SensorAlarm, Situation, TaskRecord};
use floodgrid_engine::drill::{Event, EventDetail, EventKind, EventStatus};
use floodgrid_engine::grid::{GridIdx, PersonIdx, SiteIdx};
use floodgrid_engine::hazard::HazardKind;
use floodgrid_engine::hydro::{GaugeReading, LevelTracker, WarningLevel};
use floodgrid_engine::plan::{HAZARD_KINDS, TaskStatus, TaskStep};
use serde::Deserialize;

use crate::app::DrillAction;
use crate::drill::{Clock, DrillDriver, DriverNote, DriverUpdate, MapMarker, Severity};
use crate::i18n::{self, Lang};

/// The longest line a feed may hold; a longer one is skipped with a warning.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// What the gauge file's lines look like, for warnings.
const GAUGE_EXPECTED: &str =
    r#"{"time": RFC 3339 time or minutes, "discharge_m3s": number, "station": optional id}"#;
/// What the reports file's lines look like, for warnings.
const REPORT_EXPECTED: &str = r#"{"time": RFC 3339 time or minutes, "kind": ..., "grid" or "site" or "person" or "task": id, "status": ..., "text": ...}"#;

/// One complete line read from a feed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedLine {
    /// 1-based line number in the file.
    pub line: usize,
    /// The line without its line ending; `Err` with the reason when it cannot be text.
    pub text: Result<String, String>,
}

/// What one poll of a feed file found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedPoll {
    /// Complete lines appended since the last poll.
    pub lines: Vec<FeedLine>,
    /// Something to tell the commander about the file itself (missing, unreadable, truncated).
    pub notice: Option<String>,
}

/// A JSON Lines file followed as it grows (like `tail -F`).
#[derive(Debug)]
pub struct FeedFile {
    path: PathBuf,
    /// Bytes consumed so far.
    offset: u64,
    /// The last line's bytes until its newline arrives.
    partial: Vec<u8>,
    /// Lines completed so far.
    line: usize,
    /// Dropping an over-long line until its newline.
    skipping: bool,
    /// The last notice given, so a state is told once, not on every poll.
    last_notice: Option<String>,
    /// The last bytes consumed (up to [`TAIL_BYTES`]): when the file no longer holds them just
    /// before `offset`, it was truncated or rewritten, even if it has grown past `offset` again.
    tail: Vec<u8>,
    /// The file's identity (device, inode) when it was last read, on Unix: a rename rotation
    /// puts a new file at the path.
    identity: Option<(u64, u64)>,
}

/// How many of the last bytes consumed a feed keeps to notice a rewrite.
const TAIL_BYTES: usize = 64;

/// A file's identity: (device, inode) on Unix, nothing elsewhere (size and content still tell).
fn identity(m: &std::fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        None
    }
}

impl FeedFile {
    /// Follows a file from its start; it need not exist yet.
    pub fn new(path: impl Into<PathBuf>) -> FeedFile {
        FeedFile {
            path: path.into(),
            offset: 0,
            partial: Vec::new(),
            line: 0,
            skipping: false,
            last_notice: None,
            tail: Vec::new(),
            identity: None,
        }
    }

    /// Why what was read so far is no longer the file's start, if it is not: another file at the
    /// path (rotated by rename), a shorter file (truncated), or other bytes where the last ones
    /// read were (truncated or rewritten, then grown past where reading stopped).
    fn replaced(&self, file: &mut File, len: u64, id: Option<(u64, u64)>) -> Option<&'static str> {
        if self.offset == 0 {
            return None;
        }
        if id.is_some() && self.identity.is_some() && id != self.identity {
            return Some("another file is at its path (rotated)");
        }
        if len < self.offset {
            return Some("the file shrank");
        }
        let mut seen = vec![0u8; self.tail.len()];
        let at = self.offset - self.tail.len() as u64;
        match file
            .seek(SeekFrom::Start(at))
            .and_then(|_| file.read_exact(&mut seen))
        {
            Ok(()) if seen == self.tail => None,
            _ => Some("the file was rewritten"),
        }
    }

    /// The file followed.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's name as warnings show it.
    pub fn name(&self) -> String {
        self.path.display().to_string()
    }

    fn notice(&mut self, text: String) -> Option<String> {
        if self.last_notice.as_deref() == Some(text.as_str()) {
            return None;
        }
        self.last_notice = Some(text.clone());
        Some(text)
    }

    /// Reads what was appended since the last poll. A missing or unreadable file gives a notice
    /// (once per state) and no lines; a file that was rotated (another inode at the path, on
    /// Unix), truncated or rewritten (shorter, or no longer holding the last bytes read where they
    /// were) is read again from its start, with a notice.
    pub fn poll(&mut self) -> FeedPoll {
        let mut out = FeedPoll::default();
        let name = self.name();
        let mut file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                out.notice = self.notice(format!("{name}: waiting for the file"));
                return out;
            }
            Err(e) => {
                out.notice = self.notice(format!("{name}: cannot read: {e}"));
                return out;
            }
        };
        let (len, id) = match file.metadata() {
            Ok(m) if m.is_file() => (m.len(), identity(&m)),
            Ok(_) => {
                out.notice = self.notice(format!("{name}: not a file"));
                return out;
            }
            Err(e) => {
                out.notice = self.notice(format!("{name}: cannot read: {e}"));
                return out;
            }
        };
        if let Some(why) = self.replaced(&mut file, len, id) {
            // Rotated, truncated or rewritten: start over.
            self.offset = 0;
            self.partial.clear();
            self.tail.clear();
            self.line = 0;
            self.skipping = false;
            self.last_notice = Some(format!("{name}: {why}; reading it from the start"));
            out.notice = self.last_notice.clone();
        } else if self.last_notice.is_some() {
            self.last_notice = None;
        }
        self.identity = id;
        if len == self.offset {
            return out;
        }
        let mut bytes = Vec::new();
        let read = file
            .seek(SeekFrom::Start(self.offset))
            .and_then(|_| file.take(len - self.offset).read_to_end(&mut bytes));
        if let Err(e) = read {
            out.notice = self.notice(format!("{name}: cannot read: {e}"));
            return out;
        }
        self.offset += bytes.len() as u64;
        let keep = bytes.len().min(TAIL_BYTES);
        let drop = (self.tail.len() + keep).saturating_sub(TAIL_BYTES);
        self.tail.drain(..drop);
        self.tail.extend_from_slice(&bytes[bytes.len() - keep..]);
        let mut rest = bytes.as_slice();
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            let (head, tail) = rest.split_at(nl);
            rest = &tail[1..];
            self.line += 1;
            if self.skipping {
                self.skipping = false;
                self.partial.clear();
                out.lines.push(FeedLine {
                    line: self.line,
                    text: Err(format!("longer than {MAX_LINE_BYTES} bytes")),
                });
                continue;
            }
            self.partial.extend_from_slice(head);
            let raw = std::mem::take(&mut self.partial);
            let raw = raw.strip_suffix(b"\r").unwrap_or(&raw);
            let text = String::from_utf8(raw.to_vec()).map_err(|_| "not UTF-8 text".to_string());
            out.lines.push(FeedLine {
                line: self.line,
                text,
            });
        }
        if !self.skipping {
            self.partial.extend_from_slice(rest);
            if self.partial.len() > MAX_LINE_BYTES {
                self.partial.clear();
                self.skipping = true;
            }
        }
        out
    }
}

/// A time on the feed: minutes of the feed's clock, or an RFC 3339 time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FeedTime {
    /// Minutes on the feed's own clock.
    Minutes(f64),
    /// An RFC 3339 time.
    Stamp(Stamp),
}

/// An RFC 3339 time: the instant, and the local calendar time it was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub unix_s: i64,
    /// Local month, 1-12.
    pub month: u32,
    /// Local day of the month.
    pub day: u32,
    /// Local hour, 0-23.
    pub hour: u32,
    /// Local minute.
    pub minute: u32,
}

/// Days from 1970-01-01 to a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses an RFC 3339 time (`2026-07-20T08:00:00+08:00`, `...Z`; seconds and their fraction
/// optional). `None` when it is not one, or names no offset.
///
/// ```
/// use floodgrid_tui::live::parse_rfc3339;
/// let a = parse_rfc3339("2026-07-20T08:00:00+08:00").unwrap();
/// let b = parse_rfc3339("2026-07-20T00:30Z").unwrap();
/// assert_eq!(b.unix_s - a.unix_s, 30 * 60);
/// assert_eq!((a.month, a.day, a.hour), (7, 20, 8));
/// assert!(parse_rfc3339("2026-07-20 08:00").is_none());
/// ```
pub fn parse_rfc3339(s: &str) -> Option<Stamp> {
    let s = s.trim();
    let num = |a: usize, b: usize| -> Option<u32> {
        let part = s.get(a..b)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let year = i64::from(num(0, 4)?);
    let (month, day) = (num(5, 7)?, num(8, 10)?);
    let sep = |i: usize, c: &[u8]| s.as_bytes().get(i).is_some_and(|b| c.contains(b));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":")) {
        return None;
    }
    let (hour, minute) = (num(11, 13)?, num(14, 16)?);
    let mut i = 16;
    let mut second = 0;
    if sep(16, b":") {
        second = num(17, 19)?;
        i = 19;
        if sep(19, b".") {
            i = 20;
            while s.as_bytes().get(i).is_some_and(|b| b.is_ascii_digit()) {
                i += 1;
            }
            if i == 20 {
                return None;
            }
        }
    }
    let offset_s: i64 = match s.get(i..)? {
        "Z" | "z" => 0,
        z if z.len() == 6 && (z.starts_with('+') || z.starts_with('-')) && sep(i + 3, b":") => {
            let h = i64::from(num(i + 1, i + 3)?);
            let m = i64::from(num(i + 4, i + 6)?);
            if h > 23 || m > 59 {
                return None;
            }
            let v = h * 3600 + m * 60;
            if z.starts_with('-') { -v } else { v }
        }
        _ => return None,
    };
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let local = days_from_civil(year, month, day) * 86_400
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second);
    Some(Stamp {
        unix_s: local - offset_s,
        month,
        day,
        hour,
        minute,
    })
}

fn parse_time(v: &serde_json::Value) -> Result<FeedTime, String> {
    match v {
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(m) if m.is_finite() && m >= 0.0 => Ok(FeedTime::Minutes(m)),
            _ => Err(format!("time {n}: expected minutes ≥ 0")),
        },
        serde_json::Value::String(s) => parse_rfc3339(s)
            .map(FeedTime::Stamp)
            .ok_or_else(|| format!("time {s:?}: expected an RFC 3339 time with its offset")),
        other => Err(format!(
            "time {other}: expected an RFC 3339 time or minutes"
        )),
    }
}

/// One line of the gauge file, as read.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GaugeLine {
    /// RFC 3339 time (`"2026-07-20T08:00:00+08:00"`) or minutes on the feed's clock.
    pub time: serde_json::Value,
    /// Discharge at the reference gauge, m³/s.
    pub discharge_m3s: f64,
    /// The gauge's id; when given it must be the scenario's reference gauge.
    #[serde(default)]
    pub station: Option<String>,
}

/// One line of the reports file, as read.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReportLine {
    /// RFC 3339 time or minutes on the feed's clock.
    pub time: serde_json::Value,
    /// What is reported: a hazard kind (`piping`, `seepage`, `sliding`, `collapse`, `root_stone`,
    /// `overtopping`, `breach`, `road_cut`, `other`), `public_report`, `patrol`,
    /// `smart_stone_alarm`, `person_unavailable` or `task`.
    pub kind: String,
    /// Grid id where it is.
    #[serde(default)]
    pub grid: Option<String>,
    /// Site id where it is (works, smart stone ...); gives the grid when `grid` is absent.
    #[serde(default)]
    pub site: Option<String>,
    /// Person concerned (`person_unavailable`).
    #[serde(default)]
    pub person: Option<String>,
    /// How it stands; default by kind. `resolved` clears a hazard, an alarm or an absence.
    #[serde(default)]
    pub status: Option<EventStatus>,
    /// Free text for the log.
    #[serde(default)]
    pub text: Option<String>,
    /// The report's id: a later report with the same id updates (or, resolved, clears) it.
    #[serde(default)]
    pub id: Option<String>,
    /// Hazard severity, 1 minor .. 3 severe (default by status).
    #[serde(default)]
    pub severity: Option<u8>,
    /// Task instance id (`task`).
    #[serde(default)]
    pub task: Option<String>,
    /// Lifecycle step reported (`task`): `dispatch`, `accept`, `start`, `complete`, `verify`.
    #[serde(default)]
    pub step: Option<TaskStep>,
}

/// The kinds a report line may have besides the hazard kinds.
const OTHER_REPORT_KINDS: [&str; 5] = [
    "public_report",
    "patrol",
    "smart_stone_alarm",
    "person_unavailable",
    "task",
];

/// The console in live mode: tails the feed files and moves the situation. See the module doc.
pub struct LiveFeed {
    engine: Arc<Engine>,
    gauge: FeedFile,
    reports: Option<FeedFile>,
    tracker: LevelTracker,
    readings: Vec<GaugeReading>,
    /// The feed's clock, minutes.
    now_min: f64,
    /// The clock's whole minute at the last assessment (deadlines move per minute).
    assessed_min: f64,
    /// Whether a time has been read (the clock runs only after one).
    started: bool,
    /// The first RFC 3339 time read: minute 0.
    origin_unix_s: Option<i64>,
    /// The local calendar time of the latest RFC 3339 time read, and its feed minute.
    local: Option<(Stamp, f64)>,
    /// Sensor alarms, hazards and absences reported.
    events: Vec<Event>,
    /// The latest marker per grid.
    markers: BTreeMap<String, MapMarker>,
    /// Grid of each active instance, as last assessed.
    task_grid: HashMap<String, String>,
    /// Notes waiting for the next update.
    notes: Vec<DriverNote>,
    /// The situation's parts this feed owns changed.
    dirty: bool,
}

impl LiveFeed {
    /// A live feed over an engine: the gauge file and, optionally, the reports file. Nothing is
    /// read until the first [`DrillDriver::tick`].
    pub fn new(engine: Arc<Engine>, gauge: impl Into<PathBuf>, reports: Option<PathBuf>) -> Self {
        LiveFeed {
            engine,
            gauge: FeedFile::new(gauge),
            reports: reports.map(FeedFile::new),
            tracker: LevelTracker::new(),
            readings: Vec::new(),
            now_min: 0.0,
            assessed_min: 0.0,
            started: false,
            origin_unix_s: None,
            local: None,
            events: Vec::new(),
            markers: BTreeMap::new(),
            task_grid: HashMap::new(),
            notes: Vec::new(),
            dirty: true,
        }
    }

    /// Every report and level change so far, as drill events (oldest first).
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The level tracker.
    pub fn tracker(&self) -> &LevelTracker {
        &self.tracker
    }

    fn note(&mut self, zh: String, en: String, severity: Severity) {
        self.notes.push(DriverNote { zh, en, severity });
    }

    fn warn(&mut self, text: String) {
        self.note(
            format!("实时数据：{text}"),
            format!("feed: {text}"),
            Severity::Attention,
        );
    }

    /// Feed minutes of a time; an RFC 3339 time sets minute 0 when it is the first.
    fn minutes(&mut self, t: FeedTime) -> f64 {
        match t {
            FeedTime::Minutes(m) => m,
            FeedTime::Stamp(s) => {
                let origin = *self.origin_unix_s.get_or_insert(s.unix_s);
                let m = (s.unix_s - origin) as f64 / 60.0;
                if self.local.is_none_or(|(_, at)| m >= at) {
                    self.local = Some((s, m));
                }
                m
            }
        }
    }

    fn advance_to(&mut self, t_min: f64) {
        if !self.started || t_min > self.now_min {
            self.now_min = if self.started {
                t_min.max(self.now_min)
            } else {
                t_min
            };
        }
        self.started = true;
    }

    fn level_note(&mut self, before: WarningLevel, after: WarningLevel, q: f64) {
        let (status, severity) = if after > before {
            (EventStatus::Danger, Severity::Danger)
        } else {
            (EventStatus::Resolved, Severity::Resolved)
        };
        let zh = format!(
            "{} → {}（Q = {}）",
            i18n::level_name(Lang::Zh, before),
            i18n::level_name(Lang::Zh, after),
            i18n::discharge(q)
        );
        let en = format!(
            "{} -> {} (Q = {})",
            i18n::level_name(Lang::En, before),
            i18n::level_name(Lang::En, after),
            i18n::discharge(q)
        );
        self.events.push(Event {
            t_min: self.now_min,
            kind: EventKind::Level,
            status,
            task: None,
            person: None,
            grid: None,
            detail: Some(EventDetail::Level {
                from: before,
                to: after,
                discharge_m3s: q,
            }),
            text: zh.clone(),
        });
        self.note(zh, en, severity);
    }

    /// A reading through the tracker: the level it gives is the console's level.
    fn reading(&mut self, t_min: f64, q: f64, situation: &mut Situation) {
        let th = &self.engine.scenario().config.warning;
        let window = th.trend_window_minutes;
        let before = self.tracker.level();
        let after = self.tracker.update(th, t_min, q);
        self.readings.push(GaugeReading {
            t_min,
            discharge_m3s: q,
        });
        let last = t_min;
        self.readings.retain(|r| r.t_min >= last - window);
        situation.discharge_m3s = q;
        situation.level = Some(after);
        situation.peak_level = Some(self.tracker.peak());
        situation.readings = self.readings.clone();
        self.dirty = true;
        if after != before {
            self.level_note(before, after, q);
        }
    }

    fn gauge_line(&mut self, file: &str, line: usize, text: &str, situation: &mut Situation) {
        let bad = |why: String| format!("{file}:{line}: expected {GAUGE_EXPECTED}: {why}");
        let g: GaugeLine = match serde_json::from_str(text) {
            Ok(g) => g,
            Err(e) => return self.warn(bad(e.to_string())),
        };
        let reference = &self.engine.scenario().config.gauge.id;
        if let Some(st) = &g.station
            && st != reference
        {
            let why = format!("station {st:?} is not the reference gauge {reference:?}");
            return self.warn(format!("{file}:{line}: {why}; skipped"));
        }
        let q = g.discharge_m3s;
        let max_q = self.engine.scenario().config.gauge.max_discharge_m3s;
        if !(q.is_finite() && (0.0..=max_q).contains(&q)) {
            return self.warn(bad(format!(
                "discharge_m3s {q}: expected 0 to {max_q} m³/s (the scenario's max_discharge_m3s)"
            )));
        }
        let t = match parse_time(&g.time) {
            Ok(t) => t,
            Err(why) => return self.warn(bad(why)),
        };
        let t_min = self.minutes(t);
        if let Some(last) = self.readings.last()
            && t_min < last.t_min
        {
            let why = format!(
                "reading at minute {t_min:.1} is older than the last one (minute {:.1}); skipped",
                last.t_min
            );
            return self.warn(format!("{file}:{line}: {why}"));
        }
        self.advance_to(t_min);
        self.reading(t_min, q, situation);
    }

    fn grid_of(&self, r: &ReportLine) -> Result<(Option<GridIdx>, Option<SiteIdx>), String> {
        let sc = self.engine.scenario();
        let site = match &r.site {
            Some(id) => match sc.sites.iter().position(|s| &s.id == id) {
                Some(i) => Some(SiteIdx(i as u32)),
                None => return Err(format!("no site {id:?} in the scenario")),
            },
            None => None,
        };
        let grid = match &r.grid {
            Some(id) => match sc.grids.iter().position(|g| &g.id == id) {
                Some(i) => Some(GridIdx(i as u32)),
                None => return Err(format!("no grid {id:?} in the scenario")),
            },
            None => site.and_then(|s| sc.sites.get(s.ix()).and_then(|s| s.grid)),
        };
        Ok((grid, site))
    }

    fn report_line(&mut self, file: &str, line: usize, text: &str, situation: &mut Situation) {
        let at = format!("{file}:{line}");
        let r: ReportLine = match serde_json::from_str(text) {
            Ok(r) => r,
            Err(e) => return self.warn(format!("{at}: expected {REPORT_EXPECTED}: {e}")),
        };
        let t = match parse_time(&r.time) {
            Ok(t) => t,
            Err(why) => return self.warn(format!("{at}: {why}")),
        };
        let kind = r.kind.as_str();
        let hazard_kind = match kind {
            "public_report" => Some(HazardKind::PublicSafety),
            k => HazardKind::from_name(k),
        };
        if hazard_kind.is_none() && !OTHER_REPORT_KINDS.contains(&kind) {
            let mut kinds: Vec<&str> = HAZARD_KINDS.to_vec();
            kinds.extend(OTHER_REPORT_KINDS);
            return self.warn(format!(
                "{at}: kind {kind:?}: expected one of {}",
                kinds.join(", ")
            ));
        }
        let (grid, site) = match self.grid_of(&r) {
            Ok(x) => x,
            Err(why) => return self.warn(format!("{at}: {why}; skipped")),
        };
        let t_min = self.minutes(t);
        self.advance_to(t_min);
        let sc = self.engine.scenario();
        let mut grid_id = grid
            .and_then(|g| sc.grids.get(g.ix()))
            .map(|g| g.id.clone());
        let mut person = None;
        let mut task = None;
        let danger_kind = matches!(
            kind,
            "piping" | "breach" | "overtopping" | "collapse" | "sliding"
        );
        let status = r.status.unwrap_or(match kind {
            "patrol" | "task" => EventStatus::Normal,
            _ if danger_kind => EventStatus::Danger,
            _ => EventStatus::Attention,
        });
        let resolved = status == EventStatus::Resolved;
        let letter;
        if let Some(hk) = hazard_kind {
            let Some(g) = grid else {
                return self.warn(format!(
                    "{at}: a {kind} report needs a \"grid\" or \"site\""
                ));
            };
            let id = r.id.clone().unwrap_or_else(|| at.clone());
            let severity = r.severity.map(|s| s.clamp(1, 3)).unwrap_or(match status {
                EventStatus::Danger => 3,
                EventStatus::Attention => 2,
                _ => 1,
            });
            // The same id, or (without one) the same kind at the same place, is the same hazard.
            let same = |h: &Hazard| match &r.id {
                Some(rid) => &h.id == rid,
                None => h.kind == hk && h.grid == g && h.site == site,
            };
            situation.hazards.retain(|h| !same(h));
            if !resolved {
                situation.hazards.push(Hazard {
                    id,
                    kind: hk,
                    site,
                    grid: g,
                    severity,
                });
            }
            letter = '!';
        } else {
            match kind {
                "patrol" => {
                    if grid.is_none() {
                        return self.warn(format!(
                            "{at}: a patrol report needs a \"grid\" or \"site\""
                        ));
                    }
                    letter = 'R';
                }
                "smart_stone_alarm" => {
                    let Some(s) = site else {
                        return self.warn(format!("{at}: a smart_stone_alarm needs a \"site\""));
                    };
                    situation.alarms.retain(|a| a.site != s);
                    if !resolved {
                        situation.alarms.push(SensorAlarm { site: s });
                    }
                    letter = '!';
                }
                "person_unavailable" => {
                    let Some(id) = r.person.as_deref() else {
                        return self.warn(format!("{at}: person_unavailable needs a \"person\""));
                    };
                    let Some(p) = sc.people.iter().position(|p| p.id == id) else {
                        return self
                            .warn(format!("{at}: no person {id:?} in the scenario; skipped"));
                    };
                    let p = PersonIdx(p as u32);
                    situation.unavailable.retain(|&x| x != p);
                    if !resolved {
                        situation.unavailable.push(p);
                    }
                    if grid_id.is_none() {
                        grid_id = sc
                            .people
                            .get(p.ix())
                            .and_then(|p| sc.grids.get(p.grid.ix()))
                            .map(|g| g.id.clone());
                    }
                    person = Some(id.to_string());
                    letter = 'R';
                }
                _ => {
                    let (Some(id), Some(step)) = (r.task.as_deref(), r.step) else {
                        return self.warn(format!(
                            "{at}: a task report needs \"task\" (instance id) and \"step\" (dispatch, accept, start, complete, verify)"
                        ));
                    };
                    if !matches!(
                        step,
                        TaskStep::Dispatch
                            | TaskStep::Accept
                            | TaskStep::Start
                            | TaskStep::Complete
                            | TaskStep::Verify
                    ) {
                        return self.warn(format!(
                            "{at}: step {step:?}: expected dispatch, accept, start, complete or verify"
                        ));
                    }
                    let Some(rec) = situation.tasks.get_mut(id) else {
                        return self.warn(format!(
                            "{at}: {id:?} is not an active task instance; skipped"
                        ));
                    };
                    match rec.status.apply(step) {
                        Ok(next) => rec.status = next,
                        Err(e) => return self.warn(format!("{at}: {id}: {e}; skipped")),
                    }
                    if grid_id.is_none() {
                        grid_id = self.task_grid.get(id).cloned();
                    }
                    task = Some(id.to_string());
                    letter = match step {
                        TaskStep::Complete | TaskStep::Verify => 'V',
                        _ => 'P',
                    };
                }
            }
        }
        self.dirty = true;
        let event_kind = match (kind, r.step) {
            ("task", Some(TaskStep::Accept)) => EventKind::Accepted,
            ("task", Some(TaskStep::Start)) => EventKind::Arrived,
            ("task", Some(TaskStep::Complete)) => EventKind::Done,
            ("task", Some(TaskStep::Verify)) => EventKind::Verified,
            ("task", _) => EventKind::Dispatched,
            _ => EventKind::Report,
        };
        let what = r.text.clone().unwrap_or_default();
        let place = |lang: Lang| -> String {
            let g = grid_id
                .as_deref()
                .and_then(|id| sc.grids.iter().find(|g| g.id == id));
            match (g, lang) {
                (Some(g), Lang::En) => g.name_en.clone().unwrap_or_else(|| g.id.clone()),
                (Some(g), Lang::Zh) => g.name.clone(),
                (None, _) => String::new(),
            }
        };
        let subject = match (&task, r.step) {
            (Some(id), Some(step)) => format!(" {id} {}", step_word(step)),
            _ => String::new(),
        };
        let line_for = |lang: Lang| {
            let p = place(lang);
            let sep = if lang == Lang::Zh { "：" } else { ": " };
            let mut s = format!("[{kind}]{subject}");
            if !p.is_empty() {
                s.push(' ');
                s.push_str(&p);
            }
            if !what.is_empty() {
                s.push_str(sep);
                s.push_str(&what);
            }
            s
        };
        let (zh, en) = (line_for(Lang::Zh), line_for(Lang::En));
        self.events.push(Event {
            t_min: self.now_min,
            kind: event_kind,
            status,
            task,
            person,
            grid: grid_id.clone(),
            // A feed line is its own prose; it has no detail to render.
            detail: None,
            text: zh.clone(),
        });
        if let Some(g) = grid_id {
            self.markers.insert(
                g.clone(),
                MapMarker {
                    grid: g,
                    letter,
                    severity: status.into(),
                },
            );
        }
        self.note(zh, en, status.into());
    }

    fn read_feeds(&mut self, situation: &mut Situation) {
        let poll = self.gauge.poll();
        let file = self.gauge.name();
        if let Some(n) = poll.notice {
            self.warn(n);
        }
        for l in poll.lines {
            match l.text {
                Ok(t) if t.trim().is_empty() => {}
                Ok(t) => self.gauge_line(&file, l.line, t.trim(), situation),
                Err(why) => self.warn(format!("{file}:{}: {why}; skipped", l.line)),
            }
        }
        let Some(reports) = self.reports.as_mut() else {
            return;
        };
        let poll = reports.poll();
        let file = reports.name();
        if let Some(n) = poll.notice {
            self.warn(n);
        }
        for l in poll.lines {
            match l.text {
                Ok(t) if t.trim().is_empty() => {}
                Ok(t) => self.report_line(&file, l.line, t.trim(), situation),
                Err(why) => self.warn(format!("{file}:{}: {why}; skipped", l.line)),
            }
        }
    }

    fn update(&mut self) -> DriverUpdate {
        let minute = self.now_min.floor();
        let changed = std::mem::take(&mut self.dirty) || minute != self.assessed_min;
        self.assessed_min = minute;
        DriverUpdate {
            changed,
            notes: std::mem::take(&mut self.notes),
            finished: false,
        }
    }

    fn sync(&self, situation: &mut Situation) {
        situation.now_min = self.now_min;
        if let Some((s, at)) = self.local {
            // The local calendar time now: the stamp's, moved on by the minutes since it.
            let minutes =
                (f64::from(s.hour * 60 + s.minute) + (self.now_min - at).max(0.0)).floor() as i64;
            situation.hour = (minutes.div_euclid(60) % 24) as u32;
            situation.month = s.month;
        }
    }
}

fn step_word(step: TaskStep) -> &'static str {
    match step {
        TaskStep::Dispatch => "dispatch",
        TaskStep::Accept => "accept",
        TaskStep::Start => "start",
        TaskStep::Complete => "complete",
        TaskStep::Verify => "verify",
        TaskStep::MarkOverdue => "overdue",
        TaskStep::StandDown => "stand down",
        TaskStep::Reactivate => "reactivate",
    }
}

impl DrillDriver for LiveFeed {
    fn title(&self, lang: Lang) -> String {
        let mode = i18n::MODE_LIVE.get(lang);
        match self.local {
            Some((s, at)) => {
                let m = (f64::from(s.hour * 60 + s.minute) + (self.now_min - at).max(0.0)).floor()
                    as i64;
                format!("{mode} {:02}:{:02}", m.div_euclid(60) % 24, m % 60)
            }
            None => mode.to_string(),
        }
    }

    fn clock_control(&self) -> bool {
        false
    }

    fn mode_name(&self, lang: Lang) -> &'static str {
        i18n::MODE_LIVE.get(lang)
    }

    fn clock(&self) -> Clock {
        Clock {
            now_min: self.now_min,
            speed: 1.0,
            paused: false,
        }
    }

    fn markers(&self) -> Vec<MapMarker> {
        self.markers.values().cloned().collect()
    }

    fn on_action(&mut self, action: &DrillAction, situation: &mut Situation) -> DriverUpdate {
        match action {
            // The commander's own reading (a phone call from the gauge): through the tracker like
            // any other, stamped with the last reading's time so that a feed running a little
            // behind the wall clock is not refused as out of order; the next feed reading
            // replaces it.
            DrillAction::SetDischarge { discharge_m3s } => {
                let t = self.readings.last().map_or(self.now_min, |r| r.t_min);
                self.reading(t, *discharge_m3s, situation);
            }
            a if a.action_kind().is_clock() => self.note(
                "实时模式：时钟跟随实时数据，不能暂停或变速".into(),
                "Live mode: the clock follows the feed; it cannot pause or change speed".into(),
                Severity::Attention,
            ),
            _ => {}
        }
        self.sync(situation);
        self.update()
    }

    fn tick(&mut self, wall: Duration, situation: &mut Situation) -> DriverUpdate {
        if self.started {
            self.now_min += wall.as_secs_f64() / 60.0;
        }
        self.read_feeds(situation);
        self.sync(situation);
        self.update()
    }

    fn assessed(&mut self, assessment: &Assessment, situation: &mut Situation) {
        // What the drill engine does for its instances: remember when each became active, so
        // its deadline counts down from then; forget those that left the list undispatched.
        let now = situation.now_min;
        let mut present = HashSet::with_capacity(assessment.tasks.len());
        self.task_grid.clear();
        for t in &assessment.tasks {
            present.insert(&*t.id);
            self.task_grid.insert(t.id.to_string(), t.grid.to_string());
            match situation.tasks.get_mut(&*t.id) {
                None => {
                    situation.tasks.insert(
                        t.id.to_string(),
                        TaskRecord {
                            status: TaskStatus::Pending,
                            triggered_min: now,
                            assignees: Vec::new(),
                        },
                    );
                }
                Some(r) if t.status == TaskStatus::StoodDown => r.status = TaskStatus::StoodDown,
                Some(_) => {}
            }
        }
        situation
            .tasks
            .retain(|k, r| r.status != TaskStatus::Pending || present.contains(k.as_str()));
    }
}
