//! The drill journal: every commander action and every drill event as one JSON line, flushed per
//! record, so a crash loses nothing that was acknowledged. The first line is a header naming the
//! scenario, the script and the seed; replaying the actions of a journal rebuilds the exact state.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::event::Event;
use floodgrid_model::drill::Action;

/// What a journal line holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum JournalRecord {
    /// First line: what the drill runs.
    Header {
        /// Scenario directory.
        scenario: String,
        /// Drill script file.
        script: String,
        /// Seed.
        seed: u64,
        /// Whether the duty-commander policy dispatched automatically.
        auto_dispatch: bool,
        /// The scenario directory, absolute (to find it from any working directory); empty in
        /// journals written before it was kept.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        scenario_path: String,
        /// The script file, absolute.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        script_path: String,
        /// Content hash of the scenario directory (drill scripts aside) when the drill started;
        /// empty in journals written before hashes were kept, or by a caller without files.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        scenario_hash: String,
        /// Content hash of the script file.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        script_hash: String,
    },
    /// A commander action at a drill minute.
    Action {
        /// Sequence number.
        seq: u64,
        /// Drill minute.
        t_min: f64,
        /// The action.
        action: Action,
        /// Issued by the duty-commander policy (regenerated on replay, not replayed).
        #[serde(default)]
        auto: bool,
    },
    /// Something that happened.
    Event {
        /// Sequence number.
        seq: u64,
        /// The event.
        event: Event,
    },
    /// The run stopped here (the script's end, or `--until`): a report replays the journal to
    /// this minute, so it gives the figures the run's own report gave.
    End {
        /// Drill minute the run reached.
        t_min: f64,
    },
}

/// Where journal records go.
pub trait JournalSink {
    /// Writes one record durably (flushed before returning).
    fn record(&mut self, record: &JournalRecord) -> io::Result<()>;
}

/// A JSON Lines journal file, appended and flushed per record.
#[derive(Debug)]
pub struct FileJournal {
    file: File,
    /// Path of the file.
    pub path: PathBuf,
}

impl FileJournal {
    /// Opens (creating or appending to) a journal file.
    pub fn open(path: impl AsRef<Path>) -> io::Result<FileJournal> {
        let path = path.as_ref().to_path_buf();
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        Ok(FileJournal { file, path })
    }
}

impl JournalSink for FileJournal {
    fn record(&mut self, record: &JournalRecord) -> io::Result<()> {
        let mut line = serde_json::to_string(record).map_err(io::Error::other)?;
        line.push('\n');
        // One write per record, flushed to the operating system: a killed process loses nothing
        // it wrote. (No fsync per record: that guards against power loss, not process death, and
        // costs milliseconds a record.)
        self.file.write_all(line.as_bytes())?;
        self.file.flush()
    }
}

/// An in-memory journal (tests, and the console's copy).
#[derive(Debug, Default, Clone)]
pub struct MemoryJournal {
    /// The records.
    pub records: Vec<JournalRecord>,
}

impl JournalSink for MemoryJournal {
    fn record(&mut self, record: &JournalRecord) -> io::Result<()> {
        self.records.push(record.clone());
        Ok(())
    }
}

/// A problem in a journal or actions file, with its 1-based line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct JournalError {
    /// File.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

/// Reads a journal. A torn last line (the process died while writing it) is ignored; any other bad
/// line is an error with its line number.
pub fn read_journal(path: &Path) -> Result<Vec<JournalRecord>, JournalError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| JournalError {
        file: file.clone(),
        line: 0,
        message: format!("cannot read: {e}"),
    })?;
    // Line by line from the bytes: a write cut short (a full disk, a killed process) may end in
    // the middle of a character, which must not make the whole journal unreadable.
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    let last = lines.len();
    let mut out = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let torn_tail = i + 1 == last || (i + 2 == last && lines[last - 1].is_empty());
        let line = match std::str::from_utf8(raw) {
            Ok(l) => l,
            Err(_) if torn_tail => break,
            Err(e) => {
                return Err(JournalError {
                    file,
                    line: i + 1,
                    message: format!("not UTF-8 text: {e}"),
                });
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<JournalRecord>(line) {
            Ok(r) => out.push(r),
            Err(_) if torn_tail => break, // torn final write
            Err(e) => {
                return Err(JournalError {
                    file,
                    line: i + 1,
                    message: format!("not a journal record: {e}"),
                });
            }
        }
    }
    Ok(out)
}

/// One line of an actions file: a commander action at a drill minute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimedAction {
    /// Drill minute.
    pub t_min: f64,
    /// The action.
    pub action: Action,
}

/// Reads an actions file (JSON Lines of `{"t_min": .., "action": {..}}`), every bad line an error
/// with its line number.
pub fn read_actions(path: &Path) -> Result<Vec<TimedAction>, JournalError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| JournalError {
        file: file.clone(),
        line: 0,
        message: format!("cannot read: {e}"),
    })?;
    let mut out: Vec<TimedAction> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let a: TimedAction = serde_json::from_str(t).map_err(|e| JournalError {
            file: file.clone(),
            line: i + 1,
            message: format!("expected {{\"t_min\": minutes, \"action\": {{\"kind\": ...}}}}: {e}"),
        })?;
        if !(a.t_min.is_finite() && a.t_min >= 0.0) {
            return Err(JournalError {
                file,
                line: i + 1,
                message: format!("t_min {}; expected minutes ≥ 0", a.t_min),
            });
        }
        out.push(a);
    }
    out.sort_by(|a, b| a.t_min.total_cmp(&b.t_min));
    Ok(out)
}

/// A one-click push as it leaves the system: text, audience and the people it reaches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushedMessage {
    /// Drill minute.
    pub t_min: f64,
    /// Plan template, if any.
    pub template: Option<String>,
    /// The text.
    pub text: String,
    /// Audience as given.
    pub audience: floodgrid_model::drill::Audience,
    /// Person ids reached (with their phones, for an SMS gateway).
    pub recipients: Vec<Recipient>,
}

/// One recipient of a push.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipient {
    /// Person id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: String,
    /// A resident (key person or household) reached by a public notice, not a member of staff.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resident: bool,
}

/// Where pushed messages go: a command system's message gateway.
pub trait MessageSink {
    /// Delivers (or queues) one message.
    fn send(&mut self, message: &PushedMessage) -> io::Result<()>;
}

/// The default sink: an outbox file of JSON Lines, one message a line, flushed per message, for a
/// command system to pick up.
#[derive(Debug)]
pub struct OutboxFile {
    file: File,
}

impl OutboxFile {
    /// Opens (creating or appending to) an outbox file.
    pub fn open(path: impl AsRef<Path>) -> io::Result<OutboxFile> {
        Ok(OutboxFile {
            file: OpenOptions::new().create(true).append(true).open(path)?,
        })
    }
}

impl MessageSink for OutboxFile {
    fn send(&mut self, message: &PushedMessage) -> io::Result<()> {
        let mut line = serde_json::to_string(message).map_err(io::Error::other)?;
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        self.file.flush()
    }
}
