//! `rolldex export`: the arguments (their doc comments are the `--help`), turned into an
//! [`ExportRequest`] with what only a front end may read (the environment's redaction key,
//! the host name, the clock), run on an up-to-date index, and the outcome printed.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::Io;
use super::refresh::{Freshness, Needs, open_index};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::export::{ExportRequest, FileFormat, default_source_id, export, host_name, redact};
use crate::filters::parse_date;
use crate::output::{Format, sanitize};

/// Arguments of `rolldex export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The directory to write to (created, mode 0700). It belongs to one source: keep using
    /// it for this machine's later runs.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The file format, from the global `--format parquet|ndjson` (default parquet).
    #[arg(skip = ExportFormat::Parquet)]
    pub format: ExportFormat,
    /// Only usage, messages and daily rows from this UTC day on (YYYY-MM-DD); the sessions
    /// snapshot then holds the sessions updated since. Earlier rows are not marked exported:
    /// a later run without --since writes them.
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Also write the `messages` table (the conversation text) and fill the sessions'
    /// `name` and `title` columns (null otherwise).
    #[arg(long)]
    pub include_text: bool,
    /// The `source_id` every row carries. Default: a stable hash of this host's name and the
    /// Codex homes' paths. Use one per developer (e.g. alice@laptop) to group by person.
    #[arg(long, value_name = "ID")]
    pub source_id: Option<String>,
    /// Write working directories and projects as keyed hashes (HMAC-SHA256, 32 hex digits),
    /// keyed by $ROLLDEX_REDACT_KEY (share it in a team, so the same path hashes alike on
    /// every machine), else by a random key made once in the index directory. Repository URLs
    /// stay readable (credentials are always stripped); message text is not redacted.
    #[arg(long)]
    pub redact_paths: bool,
    /// Start over: move the directory's earlier files (and manifest) into
    /// DIR/superseded-<stamp>/ and write every row again as a new generation, so DIR holds
    /// exactly one complete export (after a price change, say). Nothing is deleted.
    #[arg(long)]
    pub full: bool,
}

/// `--format` values of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Apache Parquet, zstd-compressed.
    Parquet,
    /// Newline-delimited JSON.
    Ndjson,
}

/// The environment variable holding a team's redaction key.
pub const REDACT_KEY_VAR: &str = "ROLLDEX_REDACT_KEY";

/// Runs `export`.
pub fn run(config: &Config, args: &ExportArgs, io: &mut Io<'_>) -> Result<()> {
    let since = args
        .since
        .as_deref()
        .map(|d| parse_date("--since", d))
        .transpose()?;
    let redact_key = if args.redact_paths {
        Some(match &config.redact_key {
            Some(key) => key.0.clone(),
            None => redact::machine_key(&config.index_dir)?,
        })
    } else {
        None
    };
    let source_id = match &args.source_id {
        Some(id) => id.clone(),
        None => default_source_id(&host_name(), &config.homes),
    };
    let request = ExportRequest {
        out_dir: crate::config::absolute_clean(&args.out),
        format: match args.format {
            ExportFormat::Parquet => FileFormat::Parquet,
            ExportFormat::Ndjson => FileFormat::Ndjson,
        },
        since,
        include_text: args.include_text,
        source_id,
        redact_key,
        full: args.full,
        now_ms: chrono::Utc::now().timestamp_millis(),
    };
    if config.homes.iter().any(|h| request.out_dir.starts_with(h)) {
        return Err(Error::Usage(format!(
            "--out {} is inside a Codex home; rolldex never writes there",
            request.out_dir.display()
        )));
    }
    let (store, _) = open_index(config, Freshness::Update, Needs::Usage, io)?;
    let sessions = store.into_sessions();
    let result = export(&request, &sessions, &config.prices)?;
    let stderr = |e| Error::io("<stderr>", e);
    if !config.quiet {
        for note in &result.notes {
            writeln!(io.err, "rolldex: {}", sanitize(note)).map_err(stderr)?;
        }
        if let Some(dir) = &result.superseded {
            writeln!(
                io.err,
                "rolldex: --full: the earlier files are in {}",
                sanitize(&dir.display().to_string())
            )
            .map_err(stderr)?;
        }
    }
    let stdout = |e| Error::io("<stdout>", e);
    if matches!(config.format, Format::Json | Format::Jsonl) {
        serde_json::to_writer(&mut *io.out, &result)
            .map_err(|e| Error::io("<stdout>", std::io::Error::other(e)))?;
        writeln!(io.out).map_err(stdout)?;
        return Ok(());
    }
    if result.files.is_empty() {
        if !config.quiet {
            writeln!(
                io.err,
                "rolldex: nothing new to export; {} is up to date",
                sanitize(&result.out_dir.display().to_string())
            )
            .map_err(stderr)?;
        }
        return Ok(());
    }
    for file in &result.files {
        let path = result.out_dir.join(&file.file);
        writeln!(
            io.out,
            "{}\t{} rows",
            sanitize(&path.display().to_string()),
            file.rows
        )
        .map_err(stdout)?;
    }
    if !config.quiet {
        writeln!(
            io.err,
            "rolldex: exported {} new usage events{} as source {} (generation {})",
            result.new_usage_events,
            if args.include_text {
                format!(" and {} new messages", result.new_messages)
            } else {
                String::new()
            },
            sanitize(&result.source_id),
            result.generation
        )
        .map_err(stderr)?;
    }
    Ok(())
}
