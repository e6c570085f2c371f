//! Where a drill came from, and picking a drill up again from its journal.
//!
//! A journal's header names the scenario and the script with their content hashes and the seed
//! ([`Provenance`]). [`resume`] refuses a journal whose scenario, script or seed no longer match
//! (a resumed drill on other data would rewrite history), replays the journal's own actions into a
//! fresh copy beside it, and swaps the copy in only when the replay has caught up. The outbox is
//! part of the resumable state: the replay regenerates every push, and [`CatchUpOutbox`] writes
//! only those the outbox does not hold yet, so a killed and resumed drill leaves the same outbox
//! as an uninterrupted one, never a duplicate. The console and the headless runner both resume
//! through here.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::journal::{
    FileJournal, JournalRecord, MessageSink, PushedMessage, TimedAction, read_journal,
};
use super::provenance::{Provenance, file_hash, scenario_hash};
use super::session::{Drill, DrillOptions};
use floodgrid_assess::assess::Engine;
use floodgrid_model::drill::DrillScript;

/// Why a journal cannot be resumed (or reported).
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    /// The journal cannot be read.
    #[error(transparent)]
    Journal(#[from] super::journal::JournalError),
    /// It does not start with a header.
    #[error("{0}:1: expected a journal header")]
    NoHeader(String),
    /// It was written against other inputs.
    #[error(
        "{journal} was written for {what}; refusing to resume on different data (start a new drill, or restore the files it was written with)"
    )]
    Mismatch {
        /// The journal.
        journal: String,
        /// What differs, e.g. `scenario scenarios/x (fnv1a64:…), but that directory now hashes to fnv1a64:…`.
        what: String,
    },
    /// Reading or writing a file failed.
    #[error("{0}: {1}")]
    Io(String, io::Error),
}

/// A journal's header fields.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalHeader {
    /// Scenario directory as written.
    pub scenario: String,
    /// Script file as written (empty: a what-if or live console journal).
    pub script: String,
    /// Seed.
    pub seed: u64,
    /// Whether the duty-commander policy ran.
    pub auto_dispatch: bool,
    /// The scenario directory and script, absolute (empty when the journal predates them).
    pub scenario_path: String,
    /// The script file, absolute.
    pub script_path: String,
    /// Content hashes (empty when the journal predates them).
    pub scenario_hash: String,
    /// Content hash of the script.
    pub script_hash: String,
}

impl JournalHeader {
    /// The provenance it records (a resumed drill writes the same header again).
    pub fn provenance(&self) -> Provenance {
        Provenance {
            scenario: self.scenario.clone(),
            script: self.script.clone(),
            scenario_path: self.scenario_path.clone(),
            script_path: self.script_path.clone(),
            scenario_hash: self.scenario_hash.clone(),
            script_hash: self.script_hash.clone(),
        }
    }

    /// Where to find the scenario: the absolute path when the header has one and it exists,
    /// else the path as written.
    pub fn scenario_dir(&self) -> PathBuf {
        let abs = PathBuf::from(&self.scenario_path);
        if !self.scenario_path.is_empty() && abs.is_dir() {
            abs
        } else {
            PathBuf::from(&self.scenario)
        }
    }

    /// Loads the journal's script against a scenario, from wherever [`Self::script_file`] finds
    /// it, and named as it was when the drill started (as reports and a resumed header show it).
    pub fn load_script(
        &self,
        scenario: &floodgrid_scenario::Scenario,
    ) -> Result<DrillScript, Vec<floodgrid_scenario::Diagnostic>> {
        let script = scenario.load_drill(self.script_file())?;
        Ok(DrillScript {
            file: self.script.clone(),
            ..script
        })
    }

    /// Where to find the script, likewise.
    pub fn script_file(&self) -> PathBuf {
        let abs = PathBuf::from(&self.script_path);
        if !self.script_path.is_empty() && abs.is_file() {
            abs
        } else {
            PathBuf::from(&self.script)
        }
    }
}

/// Reads a journal and its header.
pub fn open_journal(path: &Path) -> Result<(JournalHeader, Vec<JournalRecord>), ResumeError> {
    let records = read_journal(path)?;
    match records.first() {
        Some(JournalRecord::Header {
            scenario,
            script,
            seed,
            auto_dispatch,
            scenario_path,
            script_path,
            scenario_hash,
            script_hash,
        }) => Ok((
            JournalHeader {
                scenario: scenario.clone(),
                script: script.clone(),
                seed: *seed,
                auto_dispatch: *auto_dispatch,
                scenario_path: scenario_path.clone(),
                script_path: script_path.clone(),
                scenario_hash: scenario_hash.clone(),
                script_hash: script_hash.clone(),
            },
            records,
        )),
        _ => Err(ResumeError::NoHeader(path.display().to_string())),
    }
}

/// Checks that the scenario in `dir` and the script are the ones a journal was written against
/// (by content hash, when the header has them) and that the script's seed is the header's.
pub fn verify(
    journal: &Path,
    header: &JournalHeader,
    dir: &Path,
    script: &DrillScript,
) -> Result<(), ResumeError> {
    let io = |p: &Path, e| ResumeError::Io(p.display().to_string(), e);
    let mismatch = |what: String| ResumeError::Mismatch {
        journal: journal.display().to_string(),
        what,
    };
    if !header.scenario_hash.is_empty() {
        let now = scenario_hash(dir).map_err(|e| io(dir, e))?;
        if now != header.scenario_hash {
            return Err(mismatch(format!(
                "scenario {} ({}), but {} now hashes to {now}",
                header.scenario,
                header.scenario_hash,
                dir.display()
            )));
        }
    }
    if !header.script_hash.is_empty() {
        let path = header.script_file();
        let now = file_hash(&path).map_err(|e| io(&path, e))?;
        if now != header.script_hash {
            return Err(mismatch(format!(
                "script {} ({}), but it now hashes to {now}",
                header.script, header.script_hash
            )));
        }
    }
    if script.seed != header.seed {
        return Err(mismatch(format!(
            "seed {}, but the script's seed is now {}",
            header.seed, script.seed
        )));
    }
    Ok(())
}

/// The commander's actions of a journal (not the duty-commander policy's, which a replay
/// regenerates) and the last minute it reached.
pub fn replay_of(records: &[JournalRecord]) -> (Vec<TimedAction>, f64) {
    let actions = records
        .iter()
        .filter_map(|r| match r {
            JournalRecord::Action {
                t_min,
                action,
                auto: false,
                ..
            } => Some(TimedAction {
                t_min: *t_min,
                action: action.clone(),
            }),
            _ => None,
        })
        .collect();
    let last = records
        .iter()
        .filter_map(|r| match r {
            JournalRecord::Action { t_min, .. } => Some(*t_min),
            JournalRecord::Event { event, .. } => Some(event.t_min),
            JournalRecord::End { t_min } => Some(*t_min),
            JournalRecord::Header { .. } => None,
        })
        .fold(0.0, f64::max);
    (actions, last)
}

/// Applies timed actions (each at its minute) and moves the clock to `until`.
pub fn run_actions(d: &mut Drill<'_>, actions: &[TimedAction], until: f64) {
    for a in actions {
        if a.t_min > until || d.journal_error().is_some() {
            break;
        }
        d.step_to(a.t_min);
        let _ = d.apply(a.action.clone());
    }
    d.step_to(until);
}

/// An outbox that a replay writes through: the first `skip` messages are already in the file (a
/// drill before a crash sent them) and are not written again; the rest are appended.
pub struct CatchUpOutbox {
    file: File,
    skip: usize,
}

impl CatchUpOutbox {
    /// Opens an outbox for a resumed drill: a torn last line (the process died while writing it)
    /// is cut off, and the complete lines are counted as already sent.
    pub fn open(path: &Path) -> io::Result<CatchUpOutbox> {
        let text = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        let complete = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let skip = text[..complete].iter().filter(|&&b| b == b'\n').count();
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(path)?;
        file.set_len(complete as u64)?;
        let mut file = file;
        std::io::Seek::seek(&mut file, io::SeekFrom::End(0))?;
        Ok(CatchUpOutbox { file, skip })
    }
}

impl MessageSink for CatchUpOutbox {
    fn send(&mut self, message: &PushedMessage) -> io::Result<()> {
        if self.skip > 0 {
            self.skip -= 1;
            return Ok(());
        }
        let mut line = serde_json::to_string(message).map_err(io::Error::other)?;
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        self.file.flush()
    }
}

/// Why a new drill cannot write to a file.
#[derive(Debug, thiserror::Error)]
pub enum FreshError {
    /// It holds another drill's records: a new drill never appends to them.
    #[error(
        "the {what} {path} already holds a drill; continue it with --resume {path}, or replace it with --force"
    )]
    InUse {
        /// `journal` or `outbox`.
        what: &'static str,
        /// The file.
        path: String,
    },
    /// With `force`, it could not be removed.
    #[error("cannot replace the {what} {path}: {source}")]
    Io {
        /// `journal` or `outbox`.
        what: &'static str,
        /// The file.
        path: String,
        /// Why.
        source: io::Error,
    },
}

/// Makes sure a new drill's journal or outbox starts empty: a file that already holds records is
/// refused, or with `force` removed.
pub fn fresh_file(path: &Path, what: &'static str, force: bool) -> Result<(), FreshError> {
    if !std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
        return Ok(());
    }
    let shown = path.display().to_string();
    if !force {
        return Err(FreshError::InUse { what, path: shown });
    }
    std::fs::remove_file(path).map_err(|source| FreshError::Io {
        what,
        path: shown,
        source,
    })
}

/// What a resume needs besides the journal.
pub struct ResumeInputs<'a> {
    /// The scenario directory (checked against the header's hash).
    pub dir: &'a Path,
    /// The script (its file and seed checked against the header).
    pub script: DrillScript,
    /// The outbox to complete, if the drill has one.
    pub outbox: Option<&'a Path>,
}

/// Picks a drill up from its journal: checks the header against the inputs, replays the
/// journal's commander actions into `JOURNAL.resume.tmp` (and completes the outbox), then renames
/// the copy over the journal. Returns the drill at the journal's last minute, writing on to the
/// journal, and the number of commander actions it replayed.
pub fn resume<'e>(
    engine: &'e Engine,
    journal_path: &Path,
    inputs: ResumeInputs<'_>,
) -> Result<(Drill<'e>, usize), ResumeError> {
    let (header, records) = open_journal(journal_path)?;
    verify(journal_path, &header, inputs.dir, &inputs.script)?;
    let (replay, last_t) = replay_of(&records);
    let io = |p: &Path, e| ResumeError::Io(p.display().to_string(), e);
    let tmp = journal_path.with_extension("resume.tmp");
    let _ = std::fs::remove_file(&tmp);
    let journal = FileJournal::open(&tmp).map_err(|e| io(&tmp, e))?;
    let outbox: Option<Box<dyn MessageSink>> = match inputs.outbox {
        Some(p) => Some(Box::new(CatchUpOutbox::open(p).map_err(|e| io(p, e))?)),
        None => None,
    };
    let provenance = header.provenance();
    let options = DrillOptions {
        auto_dispatch: header.auto_dispatch,
        ..DrillOptions::default()
    };
    let mut d = Drill::start(
        engine,
        inputs.script,
        options,
        Some(Box::new(journal)),
        outbox,
        &provenance,
    );
    run_actions(&mut d, &replay, last_t);
    if let Some(e) = d.journal_error() {
        return Err(ResumeError::Io(
            tmp.display().to_string(),
            io::Error::other(e),
        ));
    }
    std::fs::rename(&tmp, journal_path).map_err(|e| io(journal_path, e))?;
    Ok((d, replay.len()))
}
