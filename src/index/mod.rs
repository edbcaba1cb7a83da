//! rolldex's memory: a tantivy index of conversation text plus the per-file state and usage
//! events beside it, kept in rolldex's own cache directory and brought up to date
//! incrementally (a file that only grew is read from where it stopped).
//!
//! Layout: `<index-dir>/<homes-hash>/{VERSION, lock, tantivy/, state-N.bin, segment-N.bin,
//! catalog-N.bin, usage-N.bin, pack-N.bin}`. The tantivy commit payload names the files that
//! belong to it (they name the segments and the pack they use, which later commits append
//! to), so all change together or not at all. Queries read only the catalog (and usage for `stats`);
//! an update reads the per-file state. One writer at a time holds `lock`; readers never wait
//! for an update and see the last commit.
//!
//! A rebuild (`index --rebuild`, a new index format, a damaged index) writes a whole new
//! tantivy index beside the live one (`tantivy.rebuild-<pid>/`, its files numbered after every
//! generation in the folder) and then swaps the two directories in one step, so a reader
//! opening at any instant finds a complete index: the old one until the swap, the new one
//! after. A damaged or outdated index is not an error when opened: the store says why
//! ([`IndexStore::broken`]) and the next update rebuilds it. Nothing outside the homes-hash
//! folder is ever written or deleted.

pub mod catalog;
pub mod cjk;
mod commit;
mod folder;
mod generations;
mod last_walk;
mod loading;
mod pairing;
pub mod quick;
mod reading;
mod rebuild;
pub mod schema;
pub mod state;
mod update;

use folder::{
    Found, create_in_place, create_private_dir, damaged, dir_identity, homes_key, inspect,
    lock_exclusive, open_lock_file, tighten_private_dir,
};
use loading::{Payload, Want};

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use tantivy::Index;

use crate::error::{Error, Result};
use crate::model::SessionInfo;
use crate::stats::SessionUsage;
pub use catalog::SessionTable;
use catalog::{Catalog, UsageFile, UsageTable};
pub use last_walk::vouched_generation;
pub use schema::Fields;
pub use state::IndexState;
pub use update::{Progress, UpdateSummary};

/// What a query reads of the last commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// Stamps and session facts (sessions, show).
    Sessions,
    /// The same, with the search index opened alongside (search, resume): opening its
    /// segments then overlaps reading the catalog instead of following it.
    Search,
    /// And usage summed by quarter-hour (`stats`).
    QuarterHours,
    /// And every usage event and rate-limit snapshot (export, limits).
    Usage,
}

/// An opened index (read side; [`IndexStore::update`] writes).
pub struct IndexStore {
    dir: PathBuf,
    index: Index,
    /// (device, inode) of the `tantivy` directory `index` was opened from: a rebuild by
    /// another process replaces it.
    opened_from: Option<(u64, u64)>,
    fields: Fields,
    /// Freshness stamps and session facts of the last commit.
    catalog: Catalog,
    /// Usage per catalog session, when loaded.
    usage: Option<UsageTable>,
    /// Usage per catalog session summed by quarter-hour, when only that was loaded.
    quarter_hours: Option<UsageTable>,
    /// The usage file as stored, when loaded (updates only).
    usage_file: Option<UsageFile>,
    /// What the command reads of a commit (an update loads more, then reads this of its own).
    reads: Reads,
    /// The per-file state, when loaded (updates only).
    state: Option<IndexState>,
    /// The generation of the last commit; 0 when there is none (or while a rebuild fills a new
    /// index, the highest generation in the folder, so the next commit numbers after it).
    generation: u64,
    /// What `reload` reads.
    want: Want,
    /// What the memory holds of commit `generation`.
    loaded: Option<Want>,
    /// Why the folder holds no usable index (outdated format, damaged files), if so.
    broken: Option<String>,
    /// While a rebuild fills `tantivy.rebuild-<pid>/`: its path (commits then keep every
    /// older generation: the live index still uses them).
    staging: Option<PathBuf>,
    /// Whether an update may merge segments (the `index` command) or should stay quick.
    pub merge_on_update: bool,
    /// Why the last update rebuilt the index instead, if it did.
    pub rebuilt_because: Option<String>,
    /// The reader of `index` at `generation`, kept: opening one maps every segment again,
    /// and the picker searches on each key.
    reader: std::sync::Mutex<Option<(u64, tantivy::IndexReader)>>,
}

impl IndexStore {
    /// Opens the index for `homes` under `index_dir` (creating an empty one when there is
    /// none), reading what `reads` asks for of the last commit. An outdated or damaged index is
    /// not an error here: see [`IndexStore::broken`].
    pub fn open(index_dir: &Path, homes: &[PathBuf], reads: Reads) -> Result<IndexStore> {
        create_private_dir(index_dir)?;
        let dir = index_dir.join(homes_key(homes));
        create_private_dir(&dir)?;
        tighten_private_dir(&dir);
        let (schema, fields) = schema::schema();
        let index = Index::create_in_ram(schema);
        let mut store = IndexStore {
            dir,
            index,
            opened_from: None,
            fields,
            catalog: Catalog::default(),
            usage: None,
            quarter_hours: None,
            usage_file: None,
            reads,
            state: None,
            generation: 0,
            want: match reads {
                Reads::Sessions | Reads::Search => Want::Catalog,
                Reads::QuarterHours => Want::QuarterHours,
                Reads::Usage => Want::Usage,
            },
            loaded: None,
            broken: None,
            staging: None,
            merge_on_update: false,
            rebuilt_because: None,
            reader: std::sync::Mutex::new(None),
        };
        store.open_last_commit(false)?;
        Ok(store)
    }

    /// Opens the last commit in the folder, creating an empty index when there is nothing
    /// (under the writer lock, taken here unless `locked`). An outdated or damaged index leaves
    /// the store empty with `broken` saying why.
    fn open_last_commit(&mut self, locked: bool) -> Result<()> {
        let found = match inspect(&self.dir) {
            Found::Nothing => {
                let _lock = if locked { None } else { Some(self.lock()?) };
                match inspect(&self.dir) {
                    Found::Nothing => Found::Index(create_in_place(&self.dir)?),
                    found => found,
                }
            }
            found => found,
        };
        self.generation = 0;
        self.loaded = None;
        self.broken = None;
        match found {
            Found::Index(index) => {
                schema::register_tokenizer(&index);
                self.set_index(index);
                self.opened_from = dir_identity(&self.tantivy_dir());
                if let Err(e) = self.reload() {
                    self.set_broken(damaged(&e));
                }
            }
            Found::Broken(reason) => self.set_broken(reason),
            Found::Nothing => self.set_broken("the index could not be created".to_owned()),
        }
        Ok(())
    }

    /// Holds nothing, because the folder holds nothing usable.
    fn set_broken(&mut self, reason: String) {
        self.broken = Some(reason);
        self.set_empty();
    }

    /// Memory holds the empty commit.
    fn set_empty(&mut self) {
        self.catalog = Catalog::default();
        self.usage = Some(UsageTable::default());
        self.quarter_hours = None;
        self.usage_file = Some(UsageFile::default());
        self.state = Some(IndexState::default());
        self.generation = 0;
        self.loaded = Some(Want::Full);
    }

    /// Why the folder holds no usable index (an older format, damaged files), if so: the
    /// store is then empty until [`IndexStore::update_locked`] or
    /// [`IndexStore::rebuild_locked`] builds a new one.
    pub fn broken(&self) -> Option<&str> {
        self.broken.as_deref()
    }

    /// True when there is a commit to answer from (not a first build still running, not a
    /// broken index).
    pub fn has_commit(&self) -> bool {
        self.generation > 0 && self.broken.is_none()
    }

    /// Reads the last commit again (with the writer lock held: another process may have
    /// committed, or swapped in a rebuilt index, or repaired a broken one meanwhile).
    pub fn reopen_locked(&mut self) -> Result<()> {
        if self.broken.is_some() || dir_identity(&self.tantivy_dir()) != self.opened_from {
            return self.open_last_commit(true);
        }
        if let Err(e) = self.reload() {
            self.set_broken(damaged(&e));
        }
        Ok(())
    }

    /// After a failed update: back to what the last commit holds (a folder that cannot be
    /// read any more leaves the store broken).
    fn back_to_last_commit(&mut self, want: Want) {
        self.want = want;
        self.staging = None;
        if let Err(e) = self.open_last_commit(true) {
            self.set_broken(e.to_string());
        }
    }

    fn tantivy_dir(&self) -> PathBuf {
        self.dir.join("tantivy")
    }

    /// The tantivy index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Replaces the tantivy index (and forgets the reader of the old one).
    fn set_index(&mut self, index: Index) {
        self.index = index;
        *self
            .reader
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// A searcher over the last commit. Manual reload: a query process reads one commit and
    /// exits, so it needs no thread watching for new ones; the reader is kept for the next
    /// search until a commit or another index replaces it.
    pub fn searcher(&self) -> Result<tantivy::Searcher> {
        let mut kept = self
            .reader
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((generation, reader)) = kept.as_ref()
            && *generation == self.generation
        {
            return Ok(reader.searcher());
        }
        let reader: tantivy::IndexReader = self
            .index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        *kept = Some((self.generation, reader));
        Ok(searcher)
    }

    /// Keeps `reader` as the reader of commit `generation`, for [`IndexStore::searcher`].
    fn keep_reader(&self, generation: u64, reader: tantivy::IndexReader) {
        *self
            .reader
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((generation, reader));
    }

    /// The schema's fields.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// How many rollout files the last commit covers.
    pub fn file_count(&self) -> usize {
        self.catalog.file_count()
    }

    /// Session facts, one per session id (the longest file when a session was copied), thread
    /// names applied.
    pub fn session_infos(&self) -> Vec<&SessionInfo> {
        self.catalog.sessions.all()
    }

    /// The catalog's sessions: their keys at hand, each whole [`SessionInfo`] decoded when
    /// asked for (cheaper than [`IndexStore::session_infos`] when few are shown).
    pub fn sessions(&self) -> &SessionTable {
        &self.catalog.sessions
    }

    /// Every known rollout file as (path, session id), copies and other files of a thread
    /// included (where inherited history is looked up).
    pub fn file_sessions(&self) -> Vec<(&str, &str)> {
        self.catalog
            .files()
            .iter()
            .map(|f| (f.path.as_str(), f.session_id.as_str()))
            .collect()
    }

    /// Moves the sessions and their usage out of the store (no copy of the facts).
    pub fn into_sessions(self) -> Vec<SessionUsage> {
        let usage = self.usage.unwrap_or_default();
        usage.into_sessions(self.catalog.sessions.into_infos())
    }

    /// Takes the usage out of the store, each session with its keys (borrowed: a report
    /// reads no more, and no whole session is decoded or keys copied). The events are the
    /// usage summed by quarter-hour when the store read only that (then the flag is true; see
    /// [`crate::stats::quarter_hours_are_whole_days`]), else every event. A store hands its
    /// usage out once; after that it holds none.
    pub fn take_usage(&mut self) -> (Vec<SessionUsage<&crate::keys::SessionKeys>>, bool) {
        let (usage, summed) = match (self.usage.take(), self.quarter_hours.take()) {
            (Some(usage), _) => (usage, false),
            (None, Some(quarters)) => (quarters, true),
            (None, None) => (UsageTable::default(), false),
        };
        let keys = self.catalog.sessions.keys().iter().collect();
        (usage.into_sessions(keys), summed)
    }

    /// The generation of the commit this store holds.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Moves the sessions, their usage and their `rate_limits` snapshots (one list per
    /// session, same order) out of the store.
    pub fn into_sessions_with_limits(
        self,
    ) -> (Vec<SessionUsage>, Vec<Vec<crate::model::LimitSnapshot>>) {
        let usage = self.usage.unwrap_or_default();
        usage.into_sessions_with_limits(self.catalog.sessions.into_infos())
    }

    /// Tries to take the writer lock without waiting.
    pub fn try_lock(&self) -> Result<Option<File>> {
        let file = open_lock_file(&self.dir)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(file)),
            Err(fs::TryLockError::WouldBlock) => Ok(None),
            Err(fs::TryLockError::Error(e)) => Err(Error::io(self.dir.join("lock"), e)),
        }
    }

    /// Waits for the writer lock.
    pub fn lock(&self) -> Result<File> {
        lock_exclusive(&self.dir)
    }
}
