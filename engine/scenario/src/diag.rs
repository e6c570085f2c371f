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
}

impl Diagnostics {
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
            let shown: String = line.replace('\t', " ");
            let before: String = shown.chars().take(d.column.saturating_sub(1)).collect();
            let marked: String = shown
                .chars()
                .skip(d.column.saturating_sub(1))
                .take(d.length)
                .collect();
            let indent = " ".repeat(before.width());
            let carets = "^".repeat(marked.width().max(1));
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{num} | {shown}");
            let _ = writeln!(out, "{pad} | {indent}{carets}");
        }
        out.push('\n');
    }
    out
}
