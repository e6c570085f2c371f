//! Where commander actions are written down in what-if and live modes (a drill's own journal,
//! inside the drill engine, records them in drill mode). A [`Journal`] gets every action that
//! changes the situation (discharge set, dispatch, push, accept / complete / verify, clock
//! changes), after it was applied, as the drill engine's [`DrillAction`] at the clock's minute;
//! navigation is not recorded.
//!
//! [`JsonlJournal`] writes the drill journal's format ([`JournalRecord`]): a header naming the
//! scenario (and no script), then one `action` record a line, flushed each, so a crash of the
//! console or the terminal loses nothing already done and `read_journal` (and so `floodgrid
//! report`) reads any console's journal.

use std::fs::OpenOptions;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use floodgrid_engine::drill::{
    Action as DrillAction, FileJournal, JournalRecord, JournalSink, read_journal,
};

/// Receives the commander's actions.
pub trait Journal {
    /// Writes an action down, taken at clock minute `t_min`.
    fn record(&mut self, t_min: f64, action: &DrillAction) -> io::Result<()>;
}

/// A journal file in the drill journal's format: `{"type":"header","scenario":...,"script":""...}`
/// then `{"type":"action","seq":1,"t_min":0.0,"action":{"kind":"dispatch",...},"auto":false}`.
#[derive(Debug)]
pub struct JsonlJournal {
    file: FileJournal,
    seq: u64,
}

impl JsonlJournal {
    /// Opens a console's journal for appending. A new or empty file gets the header (scenario
    /// directory `scenario`, no script); an existing journal goes on after its last record; a
    /// file that is not a journal is refused rather than written into.
    pub fn append(path: &Path, scenario: &str) -> io::Result<JsonlJournal> {
        let existing = match std::fs::metadata(path) {
            Ok(m) => m.len() > 0,
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(e),
        };
        let records = if existing {
            read_journal(path).map_err(|e| io::Error::other(format!("not a journal: {e}")))?
        } else {
            Vec::new()
        };
        if existing {
            // A final line torn by a crash is ended, so the next record starts on its own line.
            let mut f = OpenOptions::new().read(true).append(true).open(path)?;
            f.seek(SeekFrom::End(-1))?;
            let mut last = [0u8; 1];
            f.read_exact(&mut last)?;
            if last[0] != b'\n' {
                f.write_all(b"\n")?;
            }
        }
        let mut file = FileJournal::open(path)?;
        let seq = records
            .iter()
            .filter_map(|r| match r {
                JournalRecord::Action { seq, .. } | JournalRecord::Event { seq, .. } => Some(*seq),
                JournalRecord::Header { .. } | JournalRecord::End { .. } => None,
            })
            .max()
            .unwrap_or(0);
        if records.is_empty() {
            file.record(&JournalRecord::Header {
                scenario: scenario.to_string(),
                script: String::new(),
                seed: 0,
                auto_dispatch: false,
                scenario_path: String::new(),
                script_path: String::new(),
                scenario_hash: String::new(),
                script_hash: String::new(),
            })?;
        }
        Ok(JsonlJournal { file, seq })
    }
}

impl Journal for JsonlJournal {
    fn record(&mut self, t_min: f64, action: &DrillAction) -> io::Result<()> {
        self.seq += 1;
        self.file.record(&JournalRecord::Action {
            seq: self.seq,
            t_min: if t_min.is_finite() { t_min } else { 0.0 },
            action: action.clone(),
            auto: false,
        })
    }
}
