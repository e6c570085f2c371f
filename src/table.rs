//! Plain-text tables for the terminal, measured in display columns (`unicode-width`), never in
//! characters: a Chinese name takes two columns a character, so padding by `char` count would
//! push every later column of its row out of line.

use floodgrid_tui::view::{pad, pad_left};

/// Which side of its column a cell keeps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Text: padded on the right.
    Left,
    /// Numbers: padded on the left.
    Right,
}

/// One column: how wide, which side, and how many spaces before it.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// Display columns the cell gets; longer text is cut with `…`. `None`: as wide as the text
    /// (the last column of a row).
    pub width: Option<usize>,
    /// Which side the cell keeps to.
    pub align: Align,
    /// Spaces before the column (none before the first; at least one before any other).
    pub gap: usize,
}

impl Column {
    /// A left-aligned column of `width` display columns, one space after the one before.
    pub const fn left(width: usize) -> Column {
        Column {
            width: Some(width),
            align: Align::Left,
            gap: 1,
        }
    }

    /// A right-aligned column of `width` display columns, one space after the one before.
    pub const fn right(width: usize) -> Column {
        Column {
            width: Some(width),
            align: Align::Right,
            gap: 1,
        }
    }

    /// The last column: as wide as its text.
    pub const fn rest() -> Column {
        Column {
            width: None,
            align: Align::Left,
            gap: 1,
        }
    }

    /// The same column with `spaces` before it (at least one).
    pub const fn gap(self, spaces: usize) -> Column {
        Column {
            gap: if spaces == 0 { 1 } else { spaces },
            ..self
        }
    }
}

/// `s` cut to `width` display columns (with `…`) and padded to exactly `width` on the side
/// `align` leaves free. The console's own measuring ([`fit`](floodgrid_tui::view::fit), [`pad`], [`pad_left`]) does the
/// work, so the CLI and the console cut names alike.
pub fn cell(s: &str, width: usize, align: Align) -> String {
    match align {
        Align::Left => pad(s, width),
        Align::Right => pad_left(s, width),
    }
}

/// One row: each cell cut to its column's width and padded to it by display width, columns
/// apart by their gaps, no trailing spaces. Cells past the last column are dropped.
pub fn row<S: AsRef<str>>(cells: &[S], columns: &[Column]) -> String {
    let mut line = String::new();
    for (k, (cell_text, col)) in cells.iter().zip(columns).enumerate() {
        if k > 0 {
            line.extend(std::iter::repeat_n(' ', col.gap));
        }
        match col.width {
            Some(width) => line.push_str(&cell(cell_text.as_ref(), width, col.align)),
            None => line.push_str(cell_text.as_ref()),
        }
    }
    line.truncate(line.trim_end().len());
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    use floodgrid_tui::view::fit;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn cells_are_cut_and_padded_by_display_columns() {
        assert_eq!(cell("abcd", 3, Align::Left), "ab…");
        assert_eq!(cell("花园口镇", 7, Align::Left), "花园口…");
        assert_eq!(cell("花园", 5, Align::Left), "花园 ");
        assert_eq!(cell("花园", 5, Align::Right), " 花园");
        assert_eq!(cell("刘兰燕,刘月瑞,张辉红", 10, Align::Left).width(), 10);
        assert_eq!(fit("花园口镇", 1), "…");
    }

    #[test]
    fn cjk_cells_keep_later_columns_in_line() {
        let cols = [Column::left(6), Column::right(4), Column::rest().gap(2)];
        let a = row(&["abc", "12", "x"], &cols);
        let b = row(&["刘兰燕", "3", "y"], &cols);
        let c = row(&["张德保刘萍丽", "456", "z"], &cols);
        assert_eq!(a, "abc      12  x");
        assert_eq!(b, "刘兰燕    3  y");
        assert_eq!(c, "张德…   456  z");
        for line in [&a, &b, &c] {
            assert_eq!(line.width(), 14, "{line}");
        }
    }

    #[test]
    fn a_full_cell_still_has_a_space_after_it() {
        let cols = [Column::left(3), Column::left(3).gap(0)];
        assert_eq!(row(&["abcdef", "x"], &cols), "ab… x");
    }
}
