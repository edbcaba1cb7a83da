//! Newline-delimited JSON files: one object per row, keys in the table's column order, written
//! as the rows come (nothing is held back). Instants are RFC 3339 strings in UTC with
//! milliseconds (`2026-03-05T14:33:05.901Z`), days `YYYY-MM-DD`, lists arrays, nulls `null`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::files::TableWriter;
use super::tables::{Cell, Table};
use crate::error::{Error, Result};

/// An ndjson file being written.
pub struct NdjsonWriter {
    path: PathBuf,
    out: BufWriter<File>,
    names: Vec<String>,
    line: Vec<u8>,
}

impl NdjsonWriter {
    /// Starts `table`'s file at `path` (already created, private).
    pub fn new(path: &Path, file: File, table: &Table) -> NdjsonWriter {
        NdjsonWriter {
            path: path.to_path_buf(),
            out: BufWriter::new(file),
            // Each key encoded once, quotes and colon included.
            names: table
                .columns
                .iter()
                .map(|c| format!("{}:", json_string(c.name)))
                .collect(),
            line: Vec::new(),
        }
    }
}

impl TableWriter for NdjsonWriter {
    fn write_row(&mut self, row: Vec<Cell>) -> Result<()> {
        let line = &mut self.line;
        line.clear();
        line.push(b'{');
        for (i, (name, cell)) in self.names.iter().zip(&row).enumerate() {
            if i > 0 {
                line.push(b',');
            }
            line.extend_from_slice(name.as_bytes());
            write_cell(line, cell);
        }
        line.extend_from_slice(b"}\n");
        self.out
            .write_all(line)
            .map_err(|e| Error::io(&self.path, e))
    }

    fn finish(self: Box<Self>) -> Result<File> {
        let path = self.path;
        self.out
            .into_inner()
            .map_err(|e| Error::io(&path, e.into_error()))
    }
}

/// One value as JSON.
fn write_cell(line: &mut Vec<u8>, cell: &Cell) {
    match cell {
        Cell::Null => line.extend_from_slice(b"null"),
        Cell::Text(t) => line.extend_from_slice(json_string(t).as_bytes()),
        Cell::Int(n) => line.extend_from_slice(n.to_string().as_bytes()),
        // NaN and infinities have no JSON form: null.
        Cell::Float(f) => line.extend_from_slice(
            serde_json::Number::from_f64(*f)
                .map_or_else(|| "null".to_owned(), |n| n.to_string())
                .as_bytes(),
        ),
        Cell::Bool(b) => line.extend_from_slice(if *b { b"true" } else { b"false" }),
        Cell::Time(ms) => {
            let text = chrono::DateTime::from_timestamp_millis(*ms).map_or_else(
                || "null".to_owned(),
                |t| format!("\"{}\"", t.format("%Y-%m-%dT%H:%M:%S%.3fZ")),
            );
            line.extend_from_slice(text.as_bytes());
        }
        Cell::Day(days) => {
            let day = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).and_then(|epoch| {
                epoch.checked_add_signed(chrono::TimeDelta::days(i64::from(*days)))
            });
            let text = day.map_or_else(|| "null".to_owned(), |d| format!("\"{d}\""));
            line.extend_from_slice(text.as_bytes());
        }
        Cell::List(items) => {
            line.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    line.push(b',');
                }
                line.extend_from_slice(json_string(item).as_bytes());
            }
            line.push(b']');
        }
    }
}

/// `text` as a JSON string literal.
fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_json() {
        let mut line = Vec::new();
        for cell in [
            Cell::Null,
            Cell::Text("a\"\n".into()),
            Cell::Int(-3),
            Cell::Float(0.5),
            Cell::Bool(true),
            Cell::Time(1_767_623_585_901),
            Cell::Day(20_458),
            Cell::List(vec!["x".into(), "y".into()]),
        ] {
            write_cell(&mut line, &cell);
            line.push(b' ');
        }
        assert_eq!(
            String::from_utf8(line).expect("utf-8"),
            r#"null "a\"\n" -3 0.5 true "2026-01-05T14:33:05.901Z" "2026-01-05" ["x","y"] "#
        );
    }
}
