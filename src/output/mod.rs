//! Renders results for people (tables) and programs (JSON, JSONL, CSV) into any `io::Write`.
//!
//! Output sees only result types (reports, hits, sessions), never the index or the parser; the
//! command layer hands it the stdout lock, and the table width and whether to colour from its
//! `Config` (output reads no environment variable).

pub mod hits;
pub mod limits;
pub mod sessions;
pub mod stats;
pub mod status_line;

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

/// The output format chosen with `--format` / `--json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable table.
    Table,
    /// One JSON document.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header.
    Csv,
}

/// Writes `value` as one JSON document and a newline.
pub fn write_json<T: Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    // `io::Error::from` hands back serde_json's underlying I/O error as it was (a closed pipe
    // stays `BrokenPipe`, which `app` treats as a normal end); `io::Error::other` hid its kind.
    serde_json::to_writer(&mut *out, value).map_err(io::Error::from)?;
    writeln!(out)
}

/// Writes each item as one JSON line.
pub fn write_jsonl<'a, T: Serialize + 'a>(
    out: &mut dyn Write,
    items: impl IntoIterator<Item = &'a T>,
) -> io::Result<()> {
    for item in items {
        write_json(out, item)?;
    }
    Ok(())
}

/// Makes text that comes from the data safe for a terminal: every control character but
/// newline and tab (C0, DEL and C1, U+0080–U+009F) is shown escaped, as `\u{1b}`, so that an
/// escape sequence inside a rollout file cannot clear the screen, set the window title or hide
/// text. Every human (table and plain text) renderer passes data through it; JSON is escaped
/// by serde and CSV stays byte-exact.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut clean = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            let _ = write!(clean, "{}", c.escape_unicode());
        } else {
            clean.push(c);
        }
    }
    Cow::Owned(clean)
}

/// Quotes a CSV field when it needs it (RFC 4180).
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The narrowest a column may be squeezed to before a table stops being readable (a column
/// whose widest cell is narrower needs only that). At 5, the widest table (`sessions`, nine
/// columns) still fits a standard 80-column terminal as a table.
const MIN_COLUMN_WIDTH: u16 = 5;

/// A table with rolldex's look, dynamic width on a terminal. It prints as a table when the
/// width allows every column [`MIN_COLUMN_WIDTH`] characters (or its widest cell), and
/// otherwise (`COLUMNS=20`, a split pane) as one `Header: value` block per row, which stays
/// readable at any width where a table would cut every cell into one-character slivers.
pub struct Grid {
    table: Table,
}

impl std::ops::Deref for Grid {
    type Target = Table;

    fn deref(&self) -> &Table {
        &self.table
    }
}

impl std::ops::DerefMut for Grid {
    fn deref_mut(&mut self) -> &mut Table {
        &mut self.table
    }
}

impl Grid {
    /// The width the table needs to stay readable: borders plus each column's minimum.
    fn min_width(&self) -> usize {
        let columns = self.table.column_max_content_widths();
        // `│ a ┆ b │`: one border and two padding characters per column, one closing border.
        3 * columns.len()
            + 1
            + columns
                .iter()
                .map(|w| usize::from((*w).min(MIN_COLUMN_WIDTH)))
                .sum::<usize>()
    }

    /// True when the table does not fit and prints as `Header: value` blocks.
    pub fn is_vertical(&self) -> bool {
        self.table
            .width()
            .is_some_and(|width| usize::from(width) < self.min_width())
    }
}

impl std::fmt::Display for Grid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.is_vertical() {
            return write!(f, "{}", self.table);
        }
        let headers: Vec<String> = self
            .table
            .header()
            .map(|h| h.cell_iter().map(comfy_table::Cell::content).collect())
            .unwrap_or_default();
        // Like the table, no newline after the last line (callers add it); rows are separated
        // by a blank line.
        let mut separator = "";
        for row in self.table.row_iter() {
            if !separator.is_empty() {
                separator = "\n\n";
            }
            for (i, cell) in row.cell_iter().enumerate() {
                let value = cell.content();
                if value.is_empty() {
                    continue;
                }
                let key = headers.get(i).map_or("", String::as_str);
                // A multi-line cell continues indented under its key.
                let value = value.replace('\n', "\n  ");
                write!(f, "{separator}{key}: {value}")?;
                separator = "\n";
            }
        }
        Ok(())
    }
}

/// A table with rolldex's look, `columns` wide (`Config::columns`, from `$COLUMNS`) or, when
/// `None`, as wide as the terminal; see [`Grid`] for narrow widths.
pub fn new_table(header: &[&str], columns: Option<u16>) -> Grid {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(width) = columns {
        table.set_width(width);
    }
    table.set_header(header.iter().copied());
    Grid { table }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `$12.35`, or `unpriced`.
pub fn money(cost: Option<f64>) -> String {
    match cost {
        Some(c) if c > 0.0 && c < 0.01 => "<$0.01".to_owned(),
        Some(c) => format!("${c:.2}"),
        None => "unpriced".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(-1000), "-1,000");
        assert_eq!(money(None), "unpriced");
        assert_eq!(money(Some(1.234)), "$1.23");
        assert_eq!(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
        assert_eq!(
            sanitize("a\u{1b}[2J\u{1b}]0;t\u{7}\r\u{7f}\u{9b}é\tz\n"),
            "a\\u{1b}[2J\\u{1b}]0;t\\u{7}\\u{d}\\u{7f}\\u{9b}é\tz\n"
        );
        assert!(matches!(sanitize("plain\ttext\n"), Cow::Borrowed(_)));
    }
}
