//! How export files come into being: each is written under a temporary name in the output
//! directory (mode 0600), synced, and renamed to its final name only once complete, so a
//! loader never sees half a file; a final name is never overwritten.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::manifest::{MANIFEST, Manifest};
use super::ndjson::NdjsonWriter;
use super::parquet::ParquetWriter;
use super::tables::{self, Cell, Table};
use crate::error::{Error, Result};

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    /// Apache Parquet (zstd).
    Parquet,
    /// Newline-delimited JSON.
    Ndjson,
}

impl FileFormat {
    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Parquet => "parquet",
            FileFormat::Ndjson => "ndjson",
        }
    }
}

/// Something that takes a table's rows and makes a file of them.
pub trait TableWriter {
    /// Adds one row (cells in the table's column order).
    fn write_row(&mut self, row: Vec<Cell>) -> Result<()>;
    /// Completes the file (footer, buffers) and hands back the open file.
    fn finish(self: Box<Self>) -> Result<File>;
}

/// A table's file being written under a temporary name.
pub struct PendingFile {
    /// The table.
    pub table: Table,
    /// Its final name (no directory).
    pub name: String,
    temp: PathBuf,
    writer: Box<dyn TableWriter>,
    /// Rows written so far.
    pub rows: u64,
}

impl PendingFile {
    /// Starts `<dir>/<table>-<stamp>.<ext>` (as a temporary file for now).
    pub fn create(
        dir: &Path,
        table: Table,
        stamp: &str,
        format: FileFormat,
    ) -> Result<PendingFile> {
        let name = format!("{}-{stamp}.{}", table.name, format.extension());
        if dir.join(&name).exists() {
            return Err(Error::Usage(format!(
                "{} already exists; rolldex never overwrites an export file",
                dir.join(&name).display()
            )));
        }
        let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let file = create_private_file(&temp)?;
        let writer: Box<dyn TableWriter> = match format {
            FileFormat::Parquet => Box::new(ParquetWriter::new(&temp, file, &table)?),
            FileFormat::Ndjson => Box::new(NdjsonWriter::new(&temp, file, &table)),
        };
        Ok(PendingFile {
            table,
            name,
            temp,
            writer,
            rows: 0,
        })
    }

    /// Adds one row.
    pub fn write(&mut self, row: Vec<Cell>) -> Result<()> {
        self.rows += 1;
        self.writer.write_row(row)
    }

    /// Completes and syncs the temporary file; [`Written::publish`] then gives it its name.
    pub fn finish(self) -> Result<Written> {
        let file = self.writer.finish()?;
        file.sync_all().map_err(|e| Error::io(&self.temp, e))?;
        Ok(Written {
            table: self.table,
            name: self.name,
            temp: self.temp,
            rows: self.rows,
        })
    }
}

/// A complete file still under its temporary name.
#[derive(Debug)]
pub struct Written {
    /// The table.
    pub table: Table,
    /// Its final name.
    pub name: String,
    temp: PathBuf,
    /// Rows in it.
    pub rows: u64,
}

impl Written {
    /// Renames the file to its final name in `dir`.
    pub fn publish(&self, dir: &Path) -> Result<()> {
        let target = dir.join(&self.name);
        if target.exists() {
            return Err(Error::Usage(format!(
                "{} already exists; rolldex never overwrites an export file",
                target.display()
            )));
        }
        std::fs::rename(&self.temp, &target).map_err(|e| Error::io(&target, e))
    }

    /// Removes the temporary file (a run that failed before publishing).
    pub fn discard(&self) {
        let _ = std::fs::remove_file(&self.temp);
    }
}

/// Creates `path` for writing, readable by its owner only.
pub fn create_private_file(path: &Path) -> Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|e| Error::io(path, e))
}

/// Writes `bytes` to `dir/name` atomically: a temporary file, synced, then renamed over the
/// old one, then the directory synced.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let mut file = create_private_file(&temp)?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io(&temp, e))?;
    let target = dir.join(name);
    std::fs::rename(&temp, &target).map_err(|e| Error::io(&target, e))?;
    sync_dir(dir);
    Ok(())
}

/// Flushes a directory's entries (renames) to disk, where the platform can.
pub fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// Creates `dir` (and its parents) if needed, with mode 0700 for what rolldex creates.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| Error::io(dir, e))
}

/// True for a name rolldex gives an export file: `<table>-<stamp>.<parquet|ndjson>`.
pub fn is_export_file(name: &str) -> bool {
    let known_table = super::tables::TABLES.iter().any(|t| {
        name.strip_prefix(t.name)
            .is_some_and(|rest| rest.starts_with('-'))
    });
    let known_extension = [FileFormat::Parquet, FileFormat::Ndjson]
        .iter()
        .any(|f| name.ends_with(&format!(".{}", f.extension())));
    known_table && known_extension && !name.starts_with('.')
}

/// The names of the export files directly in `dir`.
pub fn export_files(dir: &Path) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    Ok(entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| is_export_file(name))
        .collect())
}

/// This run's stamp (`YYYYMMDDTHHMMSSmmmZ`, UTC) and the instant it stands for: now, moved
/// on by a millisecond while an earlier run already used it, so stamps and `exported_at`
/// only grow.
pub fn run_stamp(dir: &Path, manifest: Option<&Manifest>, now_ms: i64) -> (i64, String) {
    let last = manifest
        .and_then(|m| m.runs.last())
        .map(|r| r.stamp.clone());
    let mut ms = now_ms;
    loop {
        let stamp = chrono::DateTime::from_timestamp_millis(ms).map_or_else(
            || ms.to_string(),
            |t| t.format("%Y%m%dT%H%M%S%3fZ").to_string(),
        );
        let used = last.as_ref().is_some_and(|l| *l >= stamp)
            || tables::TABLES.iter().any(|t| {
                [FileFormat::Parquet, FileFormat::Ndjson].iter().any(|f| {
                    dir.join(format!("{}-{stamp}.{}", t.name, f.extension()))
                        .exists()
                })
            });
        if !used {
            return (ms, stamp);
        }
        ms += 1;
    }
}

/// Removes temporary files: this process's after a failed run (`Some(its id)`), or, with
/// the directory locked before a run, every run's (`None`): a run killed before it could
/// clean up (`kill -9`, a power cut) left its own, and no other run is writing.
pub fn remove_temporaries(dir: &Path, of: Option<u32>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let run = (name.strip_prefix('.'))
            .and_then(|n| n.rsplit_once(".tmp-"))
            .and_then(|(_, id)| id.parse::<u32>().ok());
        if run.is_some_and(|run| of.is_none_or(|of| of == run)) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// `--full`: moves the previous generation's files (and any stray export file) into
/// `superseded-<stamp>/`, so the directory holds one complete export again.
pub fn supersede(
    dir: &Path,
    manifest: Option<&Manifest>,
    strays: &[String],
    stamp: &str,
) -> Result<Option<PathBuf>> {
    let mut names: Vec<String> = strays.to_vec();
    if let Some(manifest) = manifest {
        names.extend(manifest.files().map(str::to_owned));
        names.push(manifest.keys_file.clone());
        names.push(MANIFEST.to_owned());
    }
    names.retain(|n| !n.is_empty() && dir.join(n).exists());
    if names.is_empty() {
        return Ok(None);
    }
    let target = dir.join(format!("superseded-{stamp}"));
    create_private_dir(&target)?;
    for name in names {
        let from = dir.join(&name);
        std::fs::rename(&from, target.join(&name)).map_err(|e| Error::io(&from, e))?;
    }
    sync_dir(dir);
    Ok(Some(target))
}
