//! What an output directory already holds: `manifest.json` (which source, schema version and
//! format, every run and its files, the last snapshot's digest) and the key file it names
//! (which usage events and messages were exported, so a re-run writes only new rows).
//!
//! `manifest.json` is written last, atomically: it is the commit point of a run. The key file
//! carries the run's stamp in its name, so until the manifest names it the old one stands,
//! and a run cut short changes nothing a loader or the next run relies on.

use std::io::{Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ExportRequest;
use super::files::{FileFormat, write_atomic};
use super::schema::EXPORT_SCHEMA_VERSION;
use crate::error::{Error, Result};

/// The manifest's file name in the output directory.
pub const MANIFEST: &str = "manifest.json";

/// The version of the manifest's own layout.
pub const MANIFEST_VERSION: u32 = 1;

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// A line for whoever opens the file.
    pub about: String,
    /// The manifest layout's version.
    pub manifest_version: u32,
    /// The exported tables' schema version (`schema_version` in every row).
    pub schema_version: i64,
    /// The `source_id` of every row in this directory.
    pub source_id: String,
    /// `parquet` or `ndjson`.
    pub format: FileFormat,
    /// Starts at 1; `--full` starts the next one (older files move to `superseded-<stamp>/`).
    pub generation: u32,
    /// The key file of this generation (binary, see [`Keys`]).
    pub keys_file: String,
    /// Usage events exported in this generation.
    pub usage_events: u64,
    /// Messages exported in this generation.
    pub messages: u64,
    /// FNV-1a 64 of the last snapshot's rows (`exported_at` left out), hex: a run whose
    /// snapshot says the same and that has no new rows writes nothing.
    pub snapshot_digest: String,
    /// Every run of this generation that wrote files, oldest first.
    pub runs: Vec<Run>,
}

/// One run that wrote files.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Run {
    /// The stamp in its files' names.
    pub stamp: String,
    /// When it ran (RFC 3339, UTC): the snapshots' `exported_at`.
    pub exported_at: String,
    /// `--full`.
    pub full: bool,
    /// `--since`, if given.
    pub since: Option<String>,
    /// `--include-text`.
    pub include_text: bool,
    /// `--redact-paths`.
    pub redact_paths: bool,
    /// The files it wrote.
    pub files: Vec<RunFile>,
}

/// One file a run wrote.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunFile {
    /// Its table.
    pub table: String,
    /// Its name in the directory.
    pub file: String,
    /// How many rows it holds.
    pub rows: u64,
}

impl Manifest {
    /// Reads `dir/manifest.json`, `None` when there is none.
    pub fn load(dir: &Path) -> Result<Option<Manifest>> {
        let path = dir.join(MANIFEST);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
            Error::Usage(format!(
                "{}: not a rolldex export manifest ({e}); move it away or choose another --out",
                path.display()
            ))
        })?;
        if manifest.manifest_version > MANIFEST_VERSION {
            return Err(Error::Usage(format!(
                "{}: written by a newer rolldex (manifest version {}); update rolldex",
                path.display(),
                manifest.manifest_version
            )));
        }
        Ok(Some(manifest))
    }

    /// Writes `dir/manifest.json` atomically (the run's commit point).
    pub fn save(&self, dir: &Path) -> Result<()> {
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| Error::io(dir.join(MANIFEST), std::io::Error::other(e)))?;
        text.push('\n');
        write_atomic(dir, MANIFEST, text.as_bytes())
    }

    /// Every file name the manifest lists.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.runs
            .iter()
            .flat_map(|r| r.files.iter().map(|f| f.file.as_str()))
    }
}

/// What was exported, as sorted (session hash, key) pairs: usage events by event key,
/// messages by ordinal; and for `--include-text`, each session's rollout size when its
/// messages were last all exported (an unchanged file is not read again).
///
/// On disk: `RDXKEYS1`, then three sections, each a little-endian u64 count and that many
/// fixed-size records of u64s: events (session, key), messages (session, ordinal), reads
/// (session, file size). A session hash is FNV-1a 64 of its id.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Keys {
    /// Exported usage events.
    pub events: Vec<(u64, u64)>,
    /// Exported messages.
    pub messages: Vec<(u64, u64)>,
    /// Rollout sizes whose messages were all exported.
    pub reads: Vec<(u64, u64)>,
}

const MAGIC: &[u8; 8] = b"RDXKEYS1";

impl Keys {
    /// Reads a key file.
    pub fn load(path: &Path) -> Result<Keys> {
        let mut bytes = Vec::new();
        match std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::Usage(format!(
                    "{}: the key file {MANIFEST} names is missing, so rolldex cannot tell what \
                     was exported; run with --full to start a new generation",
                    path.display()
                )));
            }
            Err(e) => return Err(Error::io(path, e)),
        }
        let damaged = || {
            Error::Usage(format!(
                "{}: damaged export key file; run with --full to start a new generation",
                path.display()
            ))
        };
        let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or_else(damaged)?;
        let mut words = rest
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
        if rest.len() % 8 != 0 {
            return Err(damaged());
        }
        let mut section = || -> Option<Vec<(u64, u64)>> {
            let count = usize::try_from(words.next()?).ok()?;
            let mut pairs = Vec::with_capacity(count.min(1 << 24));
            for _ in 0..count {
                pairs.push((words.next()?, words.next()?));
            }
            Some(pairs)
        };
        let events = section().ok_or_else(damaged)?;
        let messages = section().ok_or_else(damaged)?;
        let reads = section().ok_or_else(damaged)?;
        let mut keys = Keys {
            events,
            messages,
            reads,
        };
        keys.normalise();
        Ok(keys)
    }

    /// Writes the key file `dir/name` atomically.
    pub fn save(&self, dir: &Path, name: &str) -> Result<()> {
        let mut bytes = Vec::with_capacity(
            8 + 24 + 16 * (self.events.len() + self.messages.len() + self.reads.len()),
        );
        bytes.extend_from_slice(MAGIC);
        for section in [&self.events, &self.messages, &self.reads] {
            let _ = bytes.write_all(&(section.len() as u64).to_le_bytes());
            for (a, b) in section {
                bytes.extend_from_slice(&a.to_le_bytes());
                bytes.extend_from_slice(&b.to_le_bytes());
            }
        }
        write_atomic(dir, name, &bytes)
    }

    /// Sorts every section (reads keyed by session only, the latest size kept).
    pub fn normalise(&mut self) {
        self.events.sort_unstable();
        self.events.dedup();
        self.messages.sort_unstable();
        self.messages.dedup();
        // Stable, so a session's later size (pushed last) comes last and is kept.
        self.reads.sort_by_key(|(session, _)| *session);
        self.reads.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                earlier.1 = later.1;
                true
            } else {
                false
            }
        });
    }

    /// True when this usage event was exported.
    pub fn has_event(&self, session: u64, key: u64) -> bool {
        self.events.binary_search(&(session, key)).is_ok()
    }

    /// True when this message was exported.
    pub fn has_message(&self, session: u64, ordinal: u64) -> bool {
        self.messages.binary_search(&(session, ordinal)).is_ok()
    }

    /// The rollout size at which the session's messages were all exported, if known.
    pub fn read_size(&self, session: u64) -> Option<u64> {
        self.reads
            .binary_search_by_key(&session, |(s, _)| *s)
            .ok()
            .map(|i| self.reads[i].1)
    }
}

/// A fresh manifest for generation `generation`.
pub fn new_manifest(request: &ExportRequest, generation: u32) -> Manifest {
    Manifest {
        about: "rolldex export manifest: what this directory holds (see the README, Export)"
            .to_owned(),
        manifest_version: MANIFEST_VERSION,
        schema_version: EXPORT_SCHEMA_VERSION,
        source_id: request.source_id.clone(),
        format: request.format,
        generation,
        keys_file: String::new(),
        usage_events: 0,
        messages: 0,
        snapshot_digest: String::new(),
        runs: Vec::new(),
    }
}

/// Refuses to add to an export of another source, schema version or format.
pub fn check_same_export(dir: &Path, manifest: &Manifest, request: &ExportRequest) -> Result<()> {
    let refuse = |what: String| {
        Err(Error::Usage(format!(
            "{} holds {what}; pass --full to start a new generation there, or choose another --out",
            dir.display()
        )))
    };
    if manifest.schema_version != EXPORT_SCHEMA_VERSION {
        return refuse(format!(
            "an export of schema version {} (this rolldex writes {EXPORT_SCHEMA_VERSION})",
            manifest.schema_version
        ));
    }
    if manifest.source_id != request.source_id {
        return refuse(format!(
            "the export of source {:?}, not {:?} (the same --source-id, or the same machine and homes, continue it)",
            manifest.source_id, request.source_id
        ));
    }
    if manifest.format != request.format {
        return refuse(format!(
            "a {} export, not {}",
            manifest.format.extension(),
            request.format.extension()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut keys = Keys {
            events: vec![(3, 1), (1, 9), (1, 2)],
            messages: vec![(5, 0)],
            reads: vec![(5, 100), (4, 7), (5, 200)],
        };
        keys.normalise();
        assert_eq!(keys.reads, [(4, 7), (5, 200)]);
        keys.save(dir.path(), "k.bin").expect("save");
        let back = Keys::load(&dir.path().join("k.bin")).expect("load");
        assert_eq!(back, keys);
        assert!(back.has_event(1, 9) && !back.has_event(9, 1));
        assert_eq!(back.read_size(5), Some(200));
        std::fs::write(dir.path().join("bad"), b"RDXKEYS1\x05").expect("write");
        assert!(Keys::load(&dir.path().join("bad")).is_err());
    }
}
