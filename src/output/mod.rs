//! Renders results for people (tables) and programs (JSON, JSONL, CSV) into any `io::Write`.
//!
//! Output sees only result types (reports, hits, sessions), never the index or the parser; the
//! command layer hands it the stdout lock.

pub mod hits;
pub mod sessions;
pub mod stats;

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

/// A table with rolldex's look; dynamic width on a terminal.
pub fn new_table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(width) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<u16>().ok())
    {
        table.set_width(width);
    }
    table.set_header(header.iter().copied());
    table
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
