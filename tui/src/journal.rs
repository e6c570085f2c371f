//! Where commander actions are written down. A [`Journal`] gets every action that changes the
//! situation (discharge set, dispatch, accept / complete / verify, clock changes), after it was
//! applied; navigation is not recorded. [`JsonlJournal`] appends one JSON object a line and flushes
//! each, so a crash of the console or the terminal loses nothing already done.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::app::Action;

/// Receives the commander's actions.
pub trait Journal {
    /// Writes an action down.
    fn record(&mut self, action: &Action) -> io::Result<()>;
}

/// A JSON Lines file: `{"seq":1,"unix_ms":...,"action":"dispatch","task":"...","people":[...]}`.
#[derive(Debug)]
pub struct JsonlJournal {
    file: File,
    seq: u64,
}

#[derive(Serialize)]
struct Line<'a> {
    seq: u64,
    unix_ms: u128,
    #[serde(flatten)]
    action: &'a Action,
}

impl JsonlJournal {
    /// Opens a journal for appending (created when missing).
    pub fn append(path: &Path) -> io::Result<JsonlJournal> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(JsonlJournal { file, seq: 0 })
    }
}

impl Journal for JsonlJournal {
    fn record(&mut self, action: &Action) -> io::Result<()> {
        self.seq += 1;
        let line = Line {
            seq: self.seq,
            unix_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or(0),
            action,
        };
        let mut text = serde_json::to_string(&line).map_err(io::Error::other)?;
        text.push('\n');
        self.file.write_all(text.as_bytes())?;
        self.file.flush()
    }
}
