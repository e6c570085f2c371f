//! Diagnostics: what is wrong in a scenario, where (file, line, column), what was found and what
//! was expected. Collected, never thrown: a loader reports every problem of a scenario in one pass.

use std::fmt::Write as _;
use std::ops::Range;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::source::SourceFile;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The scenario cannot be used until this is fixed.
    Error,
    /// Probably a mistake; the scenario still loads.
    Warning,
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// File path as given (scenario directory joined with the file name).
    pub file: String,
    /// 1-based line; 0 for binary files (GeoTIFF) and whole-file problems.
    pub line: usize,
    /// 1-based character column; 0 when `line` is 0.
    pub column: usize,
    /// Characters the problem spans on its line (at least 1 when located).
    pub length: usize,
    /// What was found and what was expected.
    pub message: String,
    /// The source line, for display.
    #[serde(skip)]
    pub source_line: Option<String>,
}

/// Collects diagnostics.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    /// All diagnostics so far, in the order found.
    pub list: Vec<Diagnostic>,
    /// Ids of rows and features that were read but rejected with an error above, by kind
    /// (`grid`, `site`, `person`, `resident`): a later reference to one is not "unknown", since
    /// its cause is already reported (root cause first, no follow-on errors).
    rejected: std::collections::HashSet<(&'static str, String)>,
    /// Kinds whose whole file was rejected (unreadable, not UTF-8).
    rejected_all: std::collections::HashSet<&'static str>,
}

impl Diagnostics {
    /// Remembers that the `kind` with this id was in its file but rejected with an error.
    pub fn reject(&mut self, kind: &'static str, id: &str) {
        self.rejected.insert((kind, id.to_string()));
    }

    /// Remembers that the whole file of a `kind` was rejected with an error (unreadable, not
    /// UTF-8): no reference to any of its ids is reported as unknown.
    pub fn reject_all(&mut self, kind: &'static str) {
        self.rejected_all.insert(kind);
    }

    /// Whether any `kind` was rejected with an error already reported.
    pub fn is_rejected_kind(&self, kind: &'static str) -> bool {
        self.rejected_all.contains(kind) || self.rejected.iter().any(|(k, _)| *k == kind)
    }

    /// Whether the `kind` with this id was rejected with an error already reported.
    pub fn is_rejected(&self, kind: &'static str, id: &str) -> bool {
        self.rejected_all.contains(kind) || self.rejected.contains(&(kind, id.to_string()))
    }

    /// Reports an unknown reference (`unknown grid `x`; did you mean ...`) unless the id was in
    /// its file but rejected with an error already reported.
    pub fn unknown_ref<'a>(
        &mut self,
        src: &SourceFile,
        span: Range<usize>,
        kind: &'static str,
        id: &str,
        known: impl Iterator<Item = &'a str>,
    ) {
        if !self.is_rejected(kind, id) {
            self.error(src, span, unknown(kind, id, known));
        }
    }

    /// Records a problem at a byte range of a source file.
    pub fn at(
        &mut self,
        severity: Severity,
        src: &SourceFile,
        span: Range<usize>,
        message: impl Into<String>,
    ) {
        let (line, column) = src.locate(span.start);
        let line_text = src.line_text(line);
        let end = span
            .end
            .min(src.line_start(line) + line_text.len())
            .max(span.start);
        let length = src
            .text
            .get(span.start..end)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            .max(1);
        self.list.push(Diagnostic {
            severity,
            file: src.display.clone(),
            line,
            column,
            length,
            message: message.into(),
            source_line: Some(line_text.to_string()),
        });
    }

    /// Records an error at a byte range.
    pub fn error(&mut self, src: &SourceFile, span: Range<usize>, message: impl Into<String>) {
        self.at(Severity::Error, src, span, message);
    }

    /// Records a warning at a byte range.
    pub fn warning(&mut self, src: &SourceFile, span: Range<usize>, message: impl Into<String>) {
        self.at(Severity::Warning, src, span, message);
    }

    /// Records a problem at a line and column (1-based) of a source file.
    pub fn at_line(
        &mut self,
        severity: Severity,
        src: &SourceFile,
        line: usize,
        column: usize,
        length: usize,
        message: impl Into<String>,
    ) {
        self.list.push(Diagnostic {
            severity,
            file: src.display.clone(),
            line,
            column,
            length: length.max(1),
            message: message.into(),
            source_line: Some(src.line_text(line).to_string()),
        });
    }

    /// Records a problem with a file as a whole (missing, unreadable, binary).
    pub fn file(
        &mut self,
        severity: Severity,
        file: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.list.push(Diagnostic {
            severity,
            file: file.into(),
            line: 0,
            column: 0,
            length: 0,
            message: message.into(),
            source_line: None,
        });
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.list
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Whether any error was recorded.
    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }
}

/// How many characters of a long source line a diagnostic shows around its caret.
const CROP_CHARS: usize = 100;

/// A long line cropped to about [`CROP_CHARS`] characters around the 0-based character column
/// `col`, with `…` where it was cut; returns the shown text and the column within it.
fn crop_around(line: &str, col: usize) -> (String, usize) {
    let n = line.chars().count();
    if n <= CROP_CHARS {
        return (line.to_string(), col);
    }
    let start = col
        .saturating_sub(CROP_CHARS / 3)
        .min(n.saturating_sub(CROP_CHARS));
    let end = (start + CROP_CHARS).min(n);
    let mut shown: String = line.chars().skip(start).take(end - start).collect();
    let mut at = col - start.min(col);
    if start > 0 {
        shown.insert(0, '…');
        at += 1;
    }
    if end < n {
        shown.push('…');
    }
    (shown, at)
}

/// Renders diagnostics for a terminal, rustc style: message, `--> file:line:col`, the source line
/// and a caret under the problem. Plain text; colour is the caller's business.
///
/// ```
/// use floodgrid_scenario::{render_diagnostics, Diagnostics, Severity, SourceFile};
/// let src = SourceFile::new("plan.toml", "when = \"level >= 4000\"\n".to_string());
/// let mut d = Diagnostics::default();
/// d.error(&src, 17..21, "found a number, expected a level");
/// let text = render_diagnostics(&d.list);
/// assert!(text.contains("--> plan.toml:1:18"));
/// assert!(text.contains("^^^^"));
/// // A long line is cropped around the caret.
/// let long = format!("{{\"id\": \"{}\", \"kind\": \"x\"}}\n", "a".repeat(1000));
/// let src = SourceFile::new("sites.geojson", long);
/// let mut d = Diagnostics::default();
/// d.error(&src, 1012..1015, "bad kind");
/// let text = render_diagnostics(&d.list);
/// assert!(text.lines().all(|l| l.chars().count() < 120), "{text}");
/// assert!(text.contains("…") && text.contains("\"x\""));
/// ```
pub fn render_diagnostics(list: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in list {
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{kind}: {}", d.message);
        if d.line == 0 {
            let _ = writeln!(out, "  --> {}", d.file);
            out.push('\n');
            continue;
        }
        let _ = writeln!(out, "  --> {}:{}:{}", d.file, d.line, d.column);
        if let Some(line) = &d.source_line {
            let num = d.line.to_string();
            let pad = " ".repeat(num.len());
            let (shown, col) = crop_around(&line.replace('\t', " "), d.column.saturating_sub(1));
            let before: String = shown.chars().take(col).collect();
            let marked: String = shown.chars().skip(col).take(d.length).collect();
            let indent = " ".repeat(before.width());
            let carets = "^".repeat(marked.width().clamp(1, CROP_CHARS));
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{num} | {shown}");
            let _ = writeln!(out, "{pad} | {indent}{carets}");
        }
        out.push('\n');
    }
    out
}

/// "unknown X `y`; did you mean `z`?" or the list of known ids.
pub(crate) fn unknown<'a>(what: &str, id: &str, known: impl Iterator<Item = &'a str>) -> String {
    let known: Vec<&str> = known.collect();
    let best = known
        .iter()
        .map(|k| (floodgrid_model::plan::edit_distance(id, k), *k))
        .filter(|(s, _)| *s <= 2.max(id.len() / 4))
        .min_by_key(|(s, _)| *s);
    match best {
        Some((_, k)) => format!("unknown {what} `{id}`; did you mean `{k}`?"),
        None if known.len() <= 12 => format!("unknown {what} `{id}`; expected one of {}", {
            let mut k = known.clone();
            k.sort_unstable();
            k.join(", ")
        }),
        None => format!(
            "unknown {what} `{id}`; expected one of the {} declared {what} ids",
            known.len()
        ),
    }
}
