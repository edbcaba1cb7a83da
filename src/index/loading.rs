//! Reading a commit back: the payload naming its files, and loading what a command reads of
//! them (only the catalog for most queries, the quarter-hour sums for `stats`, everything an
//! update needs), retrying when a writer replaced the commit between two reads.

use serde::{Deserialize, Serialize};

use super::catalog::{Catalog, UsageFile, UsageTable};
use super::{IndexState, IndexStore, Reads};
use crate::error::{Error, Result};

/// The commit payload: which files go with this commit.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Payload {
    pub(super) state: String,
    pub(super) catalog: String,
    pub(super) usage: String,
    pub(super) generation: u64,
}

impl Payload {
    /// The file names of commit `generation`.
    pub(super) fn new(generation: u64) -> Payload {
        Payload {
            state: format!("state-{generation}.bin"),
            catalog: format!("catalog-{generation}.bin"),
            usage: format!("usage-{generation}.bin"),
            generation,
        }
    }
}

/// What of the committed state is wanted in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Want {
    /// Stamps and session facts.
    Catalog,
    /// And each session's usage summed by quarter-hour (`stats`).
    QuarterHours,
    /// And the usage of each session (reports).
    Usage,
    /// Stamps and session facts, the per-file parser state and the usage file's directory,
    /// its lists left in the file (updates).
    Full,
}

impl IndexStore {
    /// Re-reads what `self.want` asks for of the last commit.
    pub(super) fn reload(&mut self) -> Result<()> {
        let mut last_error = None;
        for _ in 0..3 {
            let metas = self.index.load_metas()?;
            let Some(payload) = metas
                .payload
                .as_deref()
                .and_then(|p| serde_json::from_str::<Payload>(p).ok())
            else {
                self.set_empty();
                return Ok(());
            };
            if payload.generation == self.generation && self.loaded >= Some(self.want) {
                return Ok(()); // Already holding what is wanted of exactly this commit.
            }
            let segments: Vec<tantivy::index::SegmentId> = metas
                .segments
                .iter()
                .map(tantivy::SegmentMeta::id)
                .collect();
            match self.load(&payload, &segments) {
                Ok(()) => {
                    self.generation = payload.generation;
                    self.loaded = Some(self.want);
                    return Ok(());
                }
                // A writer committed and removed the old files between our two reads: retry.
                Err(e) => {
                    last_error = Some(e);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            }
        }
        Err(last_error.unwrap_or_else(|| Error::Index("the index state is unreadable".into())))
    }

    /// Loads the files of `payload` that `self.want` asks for and memory does not hold yet.
    pub(super) fn load(
        &mut self,
        payload: &Payload,
        segments: &[tantivy::index::SegmentId],
    ) -> Result<()> {
        let have = if payload.generation == self.generation {
            self.loaded
        } else {
            None
        };
        let dir = &self.dir;
        let want = self.want;
        let path = |name: &str| dir.join(name);
        let index = &self.index;
        let open_reader = self.reads == Reads::Search && want == Want::Catalog;
        // An update of the commit held decodes its file list and names (checked below) while
        // the state loads, not after.
        let held = (have.is_some() && want == Want::Full).then_some(&self.catalog);
        let ((catalog, (usage, quarter_hours, reader)), (state, usage_file)) = rayon::join(
            || {
                rayon::join(
                    || {
                        have.is_none()
                            .then(|| Catalog::load(&path(&payload.catalog)))
                            .transpose()
                    },
                    || {
                        let usage = (want == Want::Usage && have < Some(Want::Usage))
                            .then(|| UsageTable::load(&path(&payload.usage)))
                            .transpose();
                        let quarter_hours = (want == Want::QuarterHours
                            && have < Some(Want::QuarterHours))
                        .then(|| UsageTable::load_quarter_hours(&path(&payload.usage)))
                        .transpose();
                        // A reader that fails to open is opened again, and reported, by the
                        // search itself.
                        // It is kept only if it opened the commit the catalog belongs to
                        // (another process may have committed since): `searcher` opens
                        // another one otherwise.
                        let reader = open_reader
                            .then(|| {
                                index
                                    .reader_builder()
                                    .reload_policy(tantivy::ReloadPolicy::Manual)
                                    .try_into()
                                    .ok()
                            })
                            .flatten()
                            .filter(|reader: &tantivy::IndexReader| {
                                let searcher = reader.searcher();
                                let opened = searcher.segment_readers();
                                opened.len() == segments.len()
                                    && opened.iter().all(|s| segments.contains(&s.segment_id()))
                            });
                        (usage, quarter_hours, reader)
                    },
                )
            },
            || {
                let full = want == Want::Full && have < Some(Want::Full);
                rayon::join(
                    || {
                        full.then(|| IndexState::load(&path(&payload.state)))
                            .transpose()
                    },
                    || {
                        let (usage_file, ()) = rayon::join(
                            || {
                                full.then(|| UsageFile::load(&path(&payload.usage)))
                                    .transpose()
                            },
                            || {
                                if let Some(catalog) = held {
                                    let _ = (catalog.check_files(), catalog.names.check());
                                }
                            },
                        );
                        usage_file
                    },
                )
            },
        );
        let (catalog, usage, quarter_hours) = (catalog?, usage?, quarter_hours?);
        let (state, usage_file) = (state?, usage_file?);
        if have.is_none() {
            // Another commit: nothing held belongs to it any more.
            self.usage = None;
            self.quarter_hours = None;
            self.usage_file = None;
            self.state = None;
        }
        if let Some(catalog) = catalog {
            self.catalog = catalog;
        }
        if let Some(reader) = reader {
            self.keep_reader(payload.generation, reader);
        }
        if want >= Want::Full {
            // An update edits the file list and compares the names: they must decode
            // (queries may never read them).
            self.catalog.check_files().map_err(Error::Index)?;
            self.catalog.names.check().map_err(Error::Index)?;
        }
        self.quarter_hours = quarter_hours.or(self.quarter_hours.take());
        self.usage = usage.or(self.usage.take());
        self.usage_file = usage_file.or(self.usage_file.take());
        self.state = state.or(self.state.take());
        self.check_usage_matches_catalog()
    }

    /// Decodes what the command reads of the usage of the commit held, unless it is held
    /// already. After an update it comes from the new files, as any query reads it, so damage
    /// the update carried over in sessions it did not read shows now; only quarter-hour sums
    /// the update made are held already (the carried sessions' are the ones the command
    /// decoded from the last commit, whose bytes the update copied).
    pub(super) fn hold_read_usage(&mut self) -> Result<()> {
        if self.generation == 0 {
            return Ok(()); // The empty commit: nothing on disk, nothing to read.
        }
        let path = self.dir.join(Payload::new(self.generation).usage);
        match self.reads {
            Reads::QuarterHours if self.quarter_hours.is_none() => {
                self.quarter_hours = Some(UsageTable::load_quarter_hours(&path)?);
            }
            Reads::Usage if self.usage.is_none() => self.usage = Some(UsageTable::load(&path)?),
            _ => {}
        }
        self.check_usage_matches_catalog()
    }

    /// Usage of another number of sessions than the catalog holds is damage (the two are
    /// written together), found before a report pads or drops sessions.
    fn check_usage_matches_catalog(&self) -> Result<()> {
        let sessions = self.catalog.sessions.len();
        let held = [
            ("usage", self.usage.as_ref().map(UsageTable::len)),
            (
                "quarter-hour sums",
                self.quarter_hours.as_ref().map(UsageTable::len),
            ),
            ("usage file", self.usage_file.as_ref().map(UsageFile::len)),
        ];
        for (what, len) in held {
            if let Some(len) = len.filter(|&len| len != sessions) {
                return Err(Error::Index(format!(
                    "the {what} covers {len} sessions, the catalog {sessions}"
                )));
            }
        }
        let packs = (self.usage_file.as_ref()).map(|usage| (usage.pack(), self.catalog.pack));
        if let Some((usage, catalog)) = packs.filter(|(usage, catalog)| usage != catalog) {
            return Err(Error::Index(format!(
                "the usage file's bytes are in pack {usage}, the catalog's in pack {catalog}"
            )));
        }
        Ok(())
    }
}
