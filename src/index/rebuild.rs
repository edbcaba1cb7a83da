//! A whole new index: built beside the live one (`tantivy.rebuild-<pid>/`, its files numbered
//! after every generation in the folder) and swapped in with one rename, so a reader opening
//! at any instant finds a complete index, the old one until the swap and the new one after.

use std::fs;
use std::path::{Path, PathBuf};

use tantivy::Index;

use super::folder::{create_private_dir, damaged, dir_identity, write_atomically};
use super::generations::{self, highest_generation};
use super::{IndexState, IndexStore, Progress, UpdateSummary, schema};
use crate::error::{Error, Result};
use crate::scan::ScanResult;

/// The name prefix of a rebuild's staging directory (inside the homes-hash folder).
pub(super) const STAGING_PREFIX: &str = "tantivy.rebuild-";

impl IndexStore {
    /// Builds a whole new index from `scan` beside the live one and swaps it in (caller holds
    /// the writer lock). Readers keep answering from the live index until the swap; a failure
    /// leaves the live index as it was.
    pub fn rebuild_locked(
        &mut self,
        scan: &ScanResult,
        progress: &dyn Progress,
    ) -> Result<UpdateSummary> {
        let want = self.want;
        let live = self.tantivy_dir();
        // The generation readers may be loading right now, kept until the next commit.
        let in_use = self.has_commit().then_some(self.generation);
        // Its pack, when its catalog was read (0 when not: then no pack is known unused).
        let in_use_pack = self.catalog.pack;
        remove_staging_dirs(&self.dir);
        let staging = self
            .dir
            .join(format!("{STAGING_PREFIX}{}", std::process::id()));
        let built = self.build_in(&staging, scan, progress);
        self.staging = None;
        let summary = match built {
            Ok(summary) => summary,
            Err(e) => {
                let _ = fs::remove_dir_all(&staging);
                self.back_to_last_commit(want);
                return Err(e);
            }
        };
        // The swap: one rename(2) where the system has RENAME_EXCHANGE; the staging
        // directory then holds the old index, which goes.
        if let Err(e) = swap_dirs(&staging, &live) {
            let _ = fs::remove_dir_all(&staging);
            self.back_to_last_commit(want);
            return Err(e);
        }
        let version = write_atomically(
            &self.dir.join("VERSION"),
            schema::SCHEMA_VERSION.to_string().as_bytes(),
        );
        let _ = fs::remove_dir_all(&staging);
        match Index::open_in_dir(&live) {
            Ok(index) => {
                schema::register_tokenizer(&index);
                self.set_index(index);
                self.opened_from = dir_identity(&live);
                self.broken = None;
            }
            Err(e) => {
                let e = Error::from(e);
                self.set_broken(damaged(&e));
                return Err(e);
            }
        }
        let keep: Vec<u64> = std::iter::once(self.generation).chain(in_use).collect();
        // Without the new state in memory, no segment is known to be unused: all stay.
        let segments = self.state.as_ref().map(IndexState::segments);
        let packs = [self.catalog.pack, in_use_pack];
        let packs = (in_use.is_none() || in_use_pack != 0).then_some(&packs[..]);
        generations::remove_old(&self.dir, &keep, segments.as_deref(), packs);
        // Without it the next run rebuilds again (and says why).
        version?;
        Ok(summary)
    }

    /// Creates an empty index in `staging` and builds it from `scan`, its files numbered after
    /// every generation in the folder (so none of the live index's files is overwritten).
    fn build_in(
        &mut self,
        staging: &Path,
        scan: &ScanResult,
        progress: &dyn Progress,
    ) -> Result<UpdateSummary> {
        create_private_dir(staging)?;
        let (schema, _) = schema::schema();
        let index = Index::create_in_dir(staging, schema)?;
        schema::register_tokenizer(&index);
        let floor = highest_generation(&self.dir).max(self.generation);
        self.set_index(index);
        self.opened_from = None;
        self.set_empty();
        self.generation = floor;
        self.staging = Some(staging.to_path_buf());
        self.build(scan, progress)
    }
}

/// Removes what rebuilds killed midway left (caller holds the lock: no rebuild is running).
/// Only `tantivy.rebuild-*` directories directly in the folder are touched.
pub(super) fn remove_staging_dirs(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let ours = entry
            .file_name()
            .to_string_lossy()
            .starts_with(STAGING_PREFIX);
        if ours && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Puts the complete index in `staging` where `live` is, in one step where the system can
/// (`renameat2(RENAME_EXCHANGE)`: readers see the old index or the new one, never none);
/// afterwards `staging` holds the old index, if there was one.
pub(super) fn swap_dirs(staging: &Path, live: &Path) -> Result<()> {
    if fs::symlink_metadata(live).is_err() {
        return fs::rename(staging, live).map_err(|e| Error::io(live, e));
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, staging, CWD, live, RenameFlags::EXCHANGE).is_ok() {
            return Ok(());
        }
    }
    // Elsewhere (or on a file system without the exchange): the old index steps aside and the
    // new one takes its place; a reader arriving in between finds the index damaged, waits for
    // the lock and then reads the new one.
    let mut aside = staging.as_os_str().to_owned();
    aside.push("-old");
    let aside = PathBuf::from(aside);
    fs::rename(live, &aside).map_err(|e| Error::io(live, e))?;
    if let Err(e) = fs::rename(staging, live) {
        let _ = fs::rename(&aside, live);
        return Err(Error::io(live, e));
    }
    fs::rename(&aside, staging).map_err(|e| Error::io(staging, e))
}
