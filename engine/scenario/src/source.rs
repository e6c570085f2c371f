//! Source text of one scenario file and the mapping from byte offsets to line and column.

/// One file's text, with its path as diagnostics show it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as shown to the planner (the scenario directory joined with the file name).
    pub display: String,
    /// The text.
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Wraps a file's text. A UTF-8 byte-order mark (as Excel writes) is dropped.
    pub fn new(display: impl Into<String>, text: String) -> SourceFile {
        let text = match text.strip_prefix('\u{feff}') {
            Some(t) => t.to_string(),
            None => text,
        };
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        SourceFile {
            display: display.into(),
            text,
            line_starts,
        }
    }

    /// 1-based (line, column) of a byte offset; the column counts characters.
    pub fn locate(&self, byte: usize) -> (usize, usize) {
        let byte = byte.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= byte).max(1);
        let start = self.line_starts[line - 1];
        let mut b = byte;
        while !self.text.is_char_boundary(b) {
            b -= 1;
        }
        (line, self.text[start..b].chars().count() + 1)
    }

    /// Byte offset of the start of a 1-based line (the end of the text past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }

    /// The text of a 1-based line without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_start(line);
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_counts_characters() {
        let s = SourceFile::new("f", "ab\n花园口 x\n".to_string());
        assert_eq!(s.locate(0), (1, 1));
        assert_eq!(s.locate(3), (2, 1));
        let x = s.text.find('x').unwrap();
        assert_eq!(s.locate(x), (2, 5));
        assert_eq!(s.line_text(2), "花园口 x");
        assert_eq!(s.locate(10_000), (3, 1));
    }

    #[test]
    fn bom_is_dropped() {
        let s = SourceFile::new("f", "\u{feff}id,name\n".to_string());
        assert!(s.text.starts_with("id"));
    }
}
