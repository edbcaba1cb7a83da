//! `export`: this machine's usage (and, when asked, conversations) as files a warehouse loads
//! (Parquet or ndjson), so a team can sum cost across every developer in the engine it already
//! runs. rolldex stays the per-machine collector.
//!
//! Tables ([`tables`]): `usage_events` and `messages` are immutable facts, appended run by run
//! (a re-run writes only rows it never wrote, so every file loaded once gives each fact once);
//! `sessions` and `daily` are snapshots, written whole, stamped `exported_at`, whenever
//! anything changed. A run with nothing new writes nothing. What was exported is kept in the
//! output directory ([`manifest`]). No printing and no environment here: the front end passes
//! the sessions (from the index), the source id, the redaction key and the clock.

pub mod facts;
pub mod files;
pub mod manifest;
pub mod ndjson;
pub mod parquet;
pub mod redact;
pub mod schema;
mod source;
pub mod tables;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

pub use facts::event_keys;
use facts::export_messages;
pub use files::FileFormat;
use files::{
    PendingFile, Written, create_private_dir, export_files, remove_temporaries, run_stamp,
    supersede, sync_dir,
};
use manifest::{Keys, MANIFEST, Manifest, Run, RunFile, check_same_export, new_manifest};
use redact::Redactor;
use source::check_source_id;
pub use source::{default_source_id, host_name};
use tables::{Daily, EXPORTED_AT, RowContext, Table, digest_row};

use crate::error::{Error, Result};
use crate::model::stable_hash;
use crate::pricing::PriceTable;
use crate::stats::{SessionUsage, project_keys};

/// One export, as the front end resolved it.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    /// The output directory (created, mode 0700, when missing).
    pub out_dir: PathBuf,
    /// File format.
    pub format: FileFormat,
    /// Only usage, messages and daily rows from this UTC day on (sessions updated since).
    pub since: Option<NaiveDate>,
    /// Also write `messages`, and sessions' names and titles.
    pub include_text: bool,
    /// The `source_id` of every row (see [`default_source_id`]).
    pub source_id: String,
    /// `--redact-paths`: the HMAC key (a team's `ROLLDEX_REDACT_KEY`, or the machine key).
    pub redact_key: Option<Vec<u8>>,
    /// `--full`: start a new generation, writing every row again.
    pub full: bool,
    /// Now, ms since the Unix epoch (UTC).
    pub now_ms: i64,
}

/// What an export did.
#[derive(Debug, Clone, Serialize)]
pub struct ExportResult {
    /// The output directory.
    pub out_dir: PathBuf,
    /// The rows' `source_id`.
    pub source_id: String,
    /// The manifest generation written to (unchanged when nothing was written).
    pub generation: u32,
    /// The files written, in order (none when nothing was new).
    pub files: Vec<RunFile>,
    /// New usage events written.
    pub new_usage_events: u64,
    /// New messages written.
    pub new_messages: u64,
    /// Where `--full` moved the previous generation's files, if anywhere.
    pub superseded: Option<PathBuf>,
    /// Things the user should know (one line each).
    pub notes: Vec<String>,
}

/// Runs one export of `sessions` (from an up-to-date index) into `request.out_dir`.
pub fn export(
    request: &ExportRequest,
    sessions: &[SessionUsage],
    prices: &PriceTable,
) -> Result<ExportResult> {
    check_source_id(&request.source_id)?;
    let dir = &request.out_dir;
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "--out {} is not a directory",
            dir.display()
        )));
    }
    create_private_dir(dir)?;
    let lock_path = dir.join(".lock");
    let lock = files::create_private_file(&lock_path)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(Error::Usage(format!(
                "another rolldex export is writing {}; try again when it is done",
                dir.display()
            )));
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&lock_path, e)),
    }
    remove_temporaries(dir, None);
    let outcome = run(request, sessions, prices);
    if outcome.is_err() {
        remove_temporaries(dir, Some(std::process::id()));
    }
    outcome
}

/// The export proper, with the directory locked.
fn run(
    request: &ExportRequest,
    sessions: &[SessionUsage],
    prices: &PriceTable,
) -> Result<ExportResult> {
    let dir = &request.out_dir;
    let mut notes = Vec::new();
    let manifest = Manifest::load(dir)?;
    let listed: Vec<String> = manifest
        .iter()
        .flat_map(|m| m.files().map(str::to_owned))
        .collect();
    let strays: Vec<String> = export_files(dir)?
        .into_iter()
        .filter(|name| !listed.contains(name))
        .collect();
    let (exported_at_ms, stamp) = run_stamp(dir, manifest.as_ref(), request.now_ms);
    let mut superseded = None;
    let (manifest, keys) = if request.full {
        superseded = supersede(dir, manifest.as_ref(), &strays, &stamp)?;
        let generation = manifest.as_ref().map_or(1, |m| m.generation + 1);
        (new_manifest(request, generation), Keys::default())
    } else if let Some(manifest) = manifest {
        check_same_export(dir, &manifest, request)?;
        for name in &strays {
            let from = dir.join(name);
            let to = dir.join(format!("{name}.incomplete"));
            std::fs::rename(&from, &to).map_err(|e| Error::io(&from, e))?;
            notes.push(format!(
                "{name} is not in {MANIFEST} (a run cut short?): renamed to {name}.incomplete so it is not loaded twice"
            ));
        }
        let keys = Keys::load(&dir.join(&manifest.keys_file))?;
        (manifest, keys)
    } else if strays.is_empty() {
        (new_manifest(request, 1), Keys::default())
    } else {
        return Err(Error::Usage(format!(
            "{} holds export files but no {MANIFEST}, so rolldex cannot tell what they hold; \
             pass --full (they move to a superseded-… folder) or choose another --out",
            dir.display()
        )));
    };
    let redactor = request.redact_key.as_deref().map(Redactor::new);
    let context = RowContext {
        source_id: &request.source_id,
        exported_at_ms,
        prices,
        redactor: redactor.as_ref(),
        include_text: request.include_text,
    };
    let since_ms = request
        .since
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis());
    let projects = project_keys(sessions);
    let mut new_keys = Keys::default();
    let mut written: Vec<Written> = Vec::new();
    let mut daily = Daily::default();

    // Usage events: the new ones to a file, all of them (from --since) into `daily`.
    let mut events_file: Option<PendingFile> = None;
    for (index, session) in sessions.iter().enumerate() {
        let session_hash = stable_hash(&session.info.id);
        let client = tables::client(&session.info);
        for (event, key) in session.events.iter().zip(event_keys(&session.events)) {
            if since_ms.is_some_and(|s| event.timestamp_ms < s) {
                continue;
            }
            daily.add(&context, index, &projects[index], client, event);
            if keys.has_event(session_hash, key) {
                continue;
            }
            let file = match &mut events_file {
                Some(file) => file,
                None => events_file.insert(PendingFile::create(
                    dir,
                    tables::USAGE_EVENTS,
                    &stamp,
                    request.format,
                )?),
            };
            file.write(context.event_row(&session.info.id, key, event))?;
            new_keys.events.push((session_hash, key));
        }
    }
    if let Some(file) = events_file {
        written.push(file.finish()?);
    }
    if request.include_text
        && let Some(file) = export_messages(
            request,
            &context,
            sessions,
            &keys,
            &mut new_keys,
            &stamp,
            since_ms,
            &mut notes,
        )?
    {
        written.push(file);
    }

    // Snapshots: written when anything changed, else nothing is.
    let in_snapshot = |s: &&SessionUsage| {
        since_ms.is_none_or(|since| {
            s.info
                .updated_at_ms
                .or(s.info.started_at_ms)
                .is_some_and(|t| t >= since)
        })
    };
    let session_rows = || {
        sessions
            .iter()
            .zip(&projects)
            .filter(|(s, _)| in_snapshot(s))
            .map(|(s, project)| context.session_row(&s.info, &s.events, project))
    };
    let mut digest: u64 = 0xcbf2_9ce4_8422_2325;
    let mut snapshot_rows = 0usize;
    for row in session_rows() {
        digest_row(&mut digest, &row, Some(EXPORTED_AT));
        snapshot_rows += 1;
    }
    // Between the tables, so rows cannot move from one to the other unnoticed.
    digest_row(&mut digest, &[tables::Cell::Text("daily".into())], None);
    for row in daily.rows(&context) {
        digest_row(&mut digest, &row, Some(EXPORTED_AT));
        snapshot_rows += 1;
    }
    let digest = format!("{digest:016x}");
    let first = manifest.runs.is_empty();
    let snapshot_changed = manifest.snapshot_digest != digest && !(first && snapshot_rows == 0);
    if written.is_empty() && !snapshot_changed {
        return Ok(ExportResult {
            out_dir: dir.clone(),
            source_id: request.source_id.clone(),
            generation: manifest.generation,
            files: Vec::new(),
            new_usage_events: 0,
            new_messages: 0,
            superseded,
            notes,
        });
    }
    written.push(write_table(
        dir,
        tables::SESSIONS,
        &stamp,
        request.format,
        session_rows(),
    )?);
    written.push(write_table(
        dir,
        tables::DAILY,
        &stamp,
        request.format,
        daily.rows(&context),
    )?);

    // Publish: data files, then the key file, then the manifest (the commit point).
    for file in &written {
        file.publish(dir)?;
    }
    sync_dir(dir);
    let new_usage_events = new_keys.events.len() as u64;
    let new_messages = new_keys.messages.len() as u64;
    let mut all_keys = keys;
    all_keys.events.append(&mut new_keys.events);
    all_keys.messages.append(&mut new_keys.messages);
    all_keys.reads.append(&mut new_keys.reads);
    all_keys.normalise();
    let keys_file = format!("manifest-{stamp}.keys");
    all_keys.save(dir, &keys_file)?;
    let mut manifest = manifest;
    let old_keys_file = std::mem::replace(&mut manifest.keys_file, keys_file);
    let files: Vec<RunFile> = written
        .iter()
        .map(|w| RunFile {
            table: w.table.name.to_owned(),
            file: w.name.clone(),
            rows: w.rows,
        })
        .collect();
    manifest.usage_events += new_usage_events;
    manifest.messages += new_messages;
    manifest.snapshot_digest = digest;
    manifest.runs.push(Run {
        stamp: stamp.clone(),
        exported_at: rfc3339(exported_at_ms),
        full: request.full,
        since: request.since.map(|d| d.to_string()),
        include_text: request.include_text,
        redact_paths: request.redact_key.is_some(),
        files: files.clone(),
    });
    manifest.save(dir)?;
    if old_keys_file != manifest.keys_file && !old_keys_file.is_empty() {
        let _ = std::fs::remove_file(dir.join(old_keys_file));
    }
    Ok(ExportResult {
        out_dir: dir.clone(),
        source_id: request.source_id.clone(),
        generation: manifest.generation,
        files,
        new_usage_events,
        new_messages,
        superseded,
        notes,
    })
}

/// Writes a whole table's file.
fn write_table(
    dir: &Path,
    table: Table,
    stamp: &str,
    format: FileFormat,
    rows: impl Iterator<Item = Vec<tables::Cell>>,
) -> Result<Written> {
    let mut file = PendingFile::create(dir, table, stamp, format)?;
    for row in rows {
        file.write(row)?;
    }
    file.finish()
}

/// An instant as RFC 3339 with milliseconds, UTC.
fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
    )
}
