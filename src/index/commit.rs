//! Making a commit: the next generation's state, catalog and usage files (their sessions' and
//! usage bytes appended to the pack), then tantivy's commit with a payload naming them, and
//! the removal of what no reader needs any more.
//!
//! An update's answer waits for the slower of two things: tantivy finishing its segment, and
//! rolldex deriving and writing its own files. For a small update the two run side by side.

use serde::Serialize as _;
use tantivy::{IndexWriter, TantivyDocument};

use super::catalog::{Catalog, NextUsage, PackWriter, UsageFile, UsageTable};
use super::generations;
use super::state::IndexState;
use super::{IndexStore, Payload, Want};
use crate::error::{Error, Result};

/// What a commit writes of rolldex's own: the per-file state, the catalog and the usage, and
/// the next commit's quarter-hour sums when the update made them (from the last commit's, as
/// the command read them; otherwise the command reads what it needs from the new files).
pub(super) struct Next {
    pub(super) state: IndexState,
    pub(super) catalog: Catalog,
    pub(super) usage: NextUsage,
    pub(super) quarters: Option<UsageTable>,
}

/// [`Next`] once written.
struct Saved {
    state: IndexState,
    catalog: Catalog,
    usage: UsageFile,
    quarters: Option<UsageTable>,
    /// The pack the last commit used.
    last_pack: u64,
}

impl IndexStore {
    /// Commits what `next` makes (called beside tantivy's segment being finished, for a small
    /// update) and the documents `writer` holds.
    pub(super) fn commit(
        &mut self,
        writer: &mut IndexWriter<TantivyDocument>,
        next: impl FnOnce() -> Next + Send,
        small: bool,
    ) -> Result<()> {
        let payload = Payload::new(self.generation + 1);
        let dir = &self.dir;
        let save = |next: Next| save(dir, &payload, next);
        let (mut prepared, saved) = if small {
            // A small update's arena is small: tantivy finishes its segment while the state
            // files are derived and written, and the answer waits for the slower of the two.
            let (prepared, saved) = rayon::join(|| writer.prepare_commit(), || save(next()));
            let saved = saved?;
            (prepared?, saved)
        } else {
            // A build's arena is large: tantivy writes its segments first, which frees the
            // arena before the state files are encoded, so the two never take memory at once.
            let prepared = writer.prepare_commit()?;
            (prepared, save(next())?)
        };
        let mut payload_text = Vec::new();
        payload
            .serialize(&mut serde_json::Serializer::new(&mut payload_text))
            .map_err(|e| Error::Index(e.to_string()))?;
        prepared.set_payload(&String::from_utf8_lossy(&payload_text));
        prepared.commit()?;
        self.state = Some(saved.state);
        self.catalog = saved.catalog;
        self.usage_file = Some(saved.usage);
        self.quarter_hours = saved.quarters;
        self.generation = payload.generation;
        self.loaded = Some(Want::Full);
        self.hold_read_usage()?;
        // A rebuild's commit goes to a staging index: the live one still uses every older
        // generation until the swap.
        if self.staging.is_none() {
            // Unlinking megabytes of old state takes milliseconds an answer need not wait for:
            // older generations go beside the query (what an early exit leaves, the next
            // commit removes); nothing newer than this commit is ever touched.
            let mut old = generations::older(&self.dir, payload.generation - 1);
            // Packs no generation kept names.
            old.extend(generations::unused_packs(
                &self.dir,
                saved.last_pack,
                self.catalog.pack,
                payload.generation,
            ));
            if let Some(state) = &self.state {
                old.extend(generations::unused_segments(
                    &self.dir,
                    payload.generation,
                    &state.segments(),
                ));
            }
            // Without a thread to be had (a process limit), the next commit removes them.
            let _ = std::thread::Builder::new().spawn(move || {
                for path in old {
                    let _ = std::fs::remove_file(path);
                }
            });
            super::rebuild::remove_staging_dirs(&self.dir);
        }
        Ok(())
    }
}

/// Writes the files of `payload`'s generation. The sessions' and the usage's bytes go to the
/// pack the last commit's are in (the ones carried over are only named again), or to a new
/// one. The catalog takes about as long to write as the state and the usage together: one
/// thread each.
fn save(dir: &std::path::Path, payload: &Payload, next: Next) -> Result<Saved> {
    let Next {
        mut state,
        mut catalog,
        usage,
        quarters,
    } = next;
    let last_pack = catalog.pack;
    let carried = [catalog.carried(), usage.carried()];
    let pack = PackWriter::for_commit(
        dir,
        payload.generation,
        last_pack,
        carried.iter().map(|c| c.0).sum(),
        carried.iter().map(|c| c.1).sum(),
    )?;
    let (saved_catalog, saved_rest) = rayon::join(
        || catalog.save(&dir.join(&payload.catalog), &pack),
        || {
            state.save(&dir.join(&payload.state), payload.generation)?;
            usage.save(&dir.join(&payload.usage), &pack)
        },
    );
    saved_catalog?;
    Ok(Saved {
        state,
        catalog,
        usage: saved_rest?,
        quarters,
        last_pack,
    })
}
