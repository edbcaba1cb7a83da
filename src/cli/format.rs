//! The global `--format` value: one flag that is an output format for most commands, a
//! template for `statusline` and a file format for `export`, parsed in one place so the three
//! readings cannot drift apart.

use clap::ValueEnum;

/// What `--format` said: an output format, or (for `statusline`) a template of named fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatChoice {
    /// table, json, jsonl or csv.
    Output(FormatArg),
    /// A `statusline` template such as `{5h} {wk}` (anything with a `{`).
    Template(String),
    /// An `export` file format (parquet, ndjson).
    Export(crate::commands::export::ExportFormat),
}

/// Parses `--format`: a format name, else a template (it holds a `{`).
pub(super) fn format_choice(value: &str) -> Result<FormatChoice, String> {
    match FormatArg::from_str(value, true) {
        Ok(format) => Ok(FormatChoice::Output(format)),
        Err(_) if value.contains('{') => Ok(FormatChoice::Template(value.to_owned())),
        Err(_) if let Ok(format) = crate::commands::export::ExportFormat::from_str(value, true) => {
            Ok(FormatChoice::Export(format))
        }
        Err(_) => Err(
            "expected table, json, jsonl or csv (statusline also takes a template, e.g. '{5h} {wk}')"
                .to_owned(),
        ),
    }
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// A table for people.
    Table,
    /// One JSON document.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
}
