//! rolldex's memory: a tantivy index of conversation text plus the per-file state and usage
//! events beside it, kept in rolldex's own cache directory and brought up to date
//! incrementally (a file that only grew is read from where it stopped).
//!
//! Layout: `<index-dir>/<homes-hash>/{VERSION, lock, tantivy/, state-N.bin, catalog-N.bin,
//! usage-N.bin}`. The tantivy commit payload names the files that belong to it,
//! so all change together or not at all. Queries read only the catalog (and usage for `stats`);
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
mod generations;
pub mod quick;
mod reading;
pub mod schema;
pub mod state;
mod update;

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::Index;

use crate::error::{Error, Result};
use crate::model::SessionInfo;
use crate::scan::ScanResult;
use crate::stats::SessionUsage;
pub use catalog::SessionTable;
use catalog::{Catalog, UsageFile, UsageTable};
pub use schema::Fields;
pub use state::IndexState;
pub use update::{Progress, UpdateSummary};

/// The commit payload: which files go with this commit.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    state: String,
    catalog: String,
    usage: String,
    generation: u64,
}

impl Payload {
    /// The file names of commit `generation`.
    fn new(generation: u64) -> Payload {
        Payload {
            state: format!("state-{generation}.bin"),
            catalog: format!("catalog-{generation}.bin"),
            usage: format!("usage-{generation}.bin"),
            generation,
        }
    }
}

/// What a query reads of the last commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// Stamps and session facts (search, resume, sessions, show).
    Sessions,
    /// And usage summed by quarter-hour (`stats`).
    QuarterHours,
    /// And every usage event and rate-limit snapshot (export, limits).
    Usage,
}

/// What of the committed state is wanted in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Want {
    /// Stamps and session facts.
    Catalog,
    /// And each session's usage summed by quarter-hour (`stats`).
    QuarterHours,
    /// And the usage of each session (reports).
    Usage,
    /// Stamps and session facts, the per-file parser state and the usage file as stored
    /// (updates).
    Full,
}

/// The name prefix of a rebuild's staging directory (inside the homes-hash folder).
const STAGING_PREFIX: &str = "tantivy.rebuild-";

/// What an index folder holds.
enum Found {
    /// Nothing yet: a first build starts here.
    Nothing,
    /// A tantivy index of this version (its last commit is read next).
    Index(Index),
    /// Something rolldex cannot use, and why.
    Broken(String),
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
                Reads::Sessions => Want::Catalog,
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

    /// Re-reads what `self.want` asks for of the last commit.
    fn reload(&mut self) -> Result<()> {
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
            match self.load(&payload) {
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
    fn load(&mut self, payload: &Payload) -> Result<()> {
        let have = if payload.generation == self.generation {
            self.loaded
        } else {
            None
        };
        let dir = &self.dir;
        let want = self.want;
        let path = |name: &str| dir.join(name);
        let ((catalog, (usage, quarter_hours)), (state, usage_file)) = rayon::join(
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
                        (usage, quarter_hours)
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
                        full.then(|| UsageFile::load(&path(&payload.usage)))
                            .transpose()
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
        if want >= Want::Full {
            // An update edits the file list: it must decode (queries may never read it).
            self.catalog.check_files().map_err(Error::Index)?;
        }
        self.quarter_hours = quarter_hours.or(self.quarter_hours.take());
        self.usage = usage.or(self.usage.take());
        self.usage_file = usage_file.or(self.usage_file.take());
        self.state = state.or(self.state.take());
        Ok(())
    }

    /// After a commit: decodes what the command reads of it from its files, as any query
    /// would (so damage an update carried over in sessions it did not read shows now).
    fn read_usage_of(&mut self, payload: &Payload) -> Result<()> {
        let path = self.dir.join(&payload.usage);
        self.usage = None;
        self.quarter_hours = None;
        match self.reads {
            Reads::Sessions => {}
            Reads::QuarterHours => {
                self.quarter_hours = Some(UsageTable::load_quarter_hours(&path)?);
            }
            Reads::Usage => self.usage = Some(UsageTable::load(&path)?),
        }
        Ok(())
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

    /// Moves the usage out of the store with only each session's keys, for a report that
    /// reads no more (no whole session is decoded). The events are the usage summed by
    /// quarter-hour when the store read only that (then the flag is true; see
    /// [`crate::stats::quarter_hours_are_whole_days`]), else every event.
    pub fn into_usage(self) -> (Vec<SessionUsage<crate::keys::SessionKeys>>, bool) {
        let keys = self.catalog.sessions.into_keys();
        match (self.usage, self.quarter_hours) {
            (Some(usage), _) => (usage.into_sessions(keys), false),
            (None, Some(quarters)) => (quarters.into_sessions(keys), true),
            (None, None) => (UsageTable::default().into_sessions(keys), false),
        }
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
        generations::remove_old(&self.dir, &keep, segments.as_deref());
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

/// A stable folder name for a set of homes, so different homes never share an index.
fn homes_key(homes: &[PathBuf]) -> String {
    let mut names: Vec<String> = homes
        .iter()
        .map(|h| {
            fs::canonicalize(h)
                .unwrap_or_else(|_| h.clone())
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names.dedup();
    format!("homes-{:016x}", schema::stable_hash(&names.join("\n")))
}

/// Opens `lock`, creating it; read-only when the folder or the file cannot be written (a lock
/// needs no write access, and a read-only index can still be read).
fn open_lock_file(dir: &Path) -> Result<File> {
    let path = dir.join("lock");
    match File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
    {
        Ok(file) => Ok(file),
        Err(e) => File::open(&path).map_err(|_| Error::io(&path, e)),
    }
}

fn lock_exclusive(dir: &Path) -> Result<File> {
    let file = open_lock_file(dir)?;
    file.lock().map_err(|e| Error::io(dir.join("lock"), e))?;
    Ok(file)
}

/// Creates `dir` (and parents) with mode 0700 on Unix: the index holds conversation text.
fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| Error::io(dir, e))
}

/// Sets an existing index folder (ours, below `index_dir`) back to 0700 when an older
/// version, or a loose umask, left it readable by others. Best effort: an index folder that
/// cannot be changed still works, and `index_dir` itself is never touched (it may be a folder
/// the user shares, such as /tmp).
fn tighten_private_dir(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = fs::metadata(dir)
            && meta.permissions().mode() & 0o077 != 0
        {
            let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Writes `path` whole or not at all: a temporary name, fsync, rename.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    file.write_all(bytes).map_err(|e| Error::io(&tmp, e))?;
    file.sync_all().map_err(|e| Error::io(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// What the folder `dir` holds, read without writing anything.
fn inspect(dir: &Path) -> Found {
    let tantivy_dir = dir.join("tantivy");
    let version = fs::read(dir.join("VERSION")).ok();
    let has_meta = tantivy_dir.join("meta.json").exists();
    if !has_meta && version.is_none() && highest_generation(dir) == 0 {
        return Found::Nothing;
    }
    let found = version
        .as_deref()
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| v.trim().parse::<u32>().ok());
    match found {
        Some(v) if v == schema::SCHEMA_VERSION => {}
        Some(old) => {
            return Found::Broken(format!(
                "index format changed (v{old} → v{})",
                schema::SCHEMA_VERSION
            ));
        }
        None => return Found::Broken("index version unknown".to_owned()),
    }
    // tantivy writes both when it creates an index; it tolerates a missing `.managed.json`,
    // but would then never delete the files it lists.
    for name in ["meta.json", ".managed.json"] {
        if !tantivy_dir.join(name).is_file() {
            return Found::Broken(format!("the index is damaged (tantivy/{name} is missing)"));
        }
    }
    match Index::open_in_dir(&tantivy_dir) {
        Ok(index) => Found::Index(index),
        Err(e) => Found::Broken(damaged(&Error::from(e))),
    }
}

/// The one-line reason for an index whose files cannot be read.
fn damaged(error: &Error) -> String {
    let text = match error {
        Error::Index(message) => message.clone(),
        other => other.to_string(),
    };
    let text = text.replace(['\n', '\r'], " ");
    format!("the index is damaged ({})", text.trim())
}

/// Creates an empty index in the folder's own `tantivy/` (a first build; caller holds the lock).
fn create_in_place(dir: &Path) -> Result<Index> {
    let tantivy_dir = dir.join("tantivy");
    create_private_dir(&tantivy_dir)?;
    let (schema, _) = schema::schema();
    let index = Index::create_in_dir(&tantivy_dir, schema)?;
    write_atomically(
        &dir.join("VERSION"),
        schema::SCHEMA_VERSION.to_string().as_bytes(),
    )?;
    Ok(index)
}

/// (device, inode) of a directory, to notice that it was replaced.
fn dir_identity(dir: &Path) -> Option<(u64, u64)> {
    fs::metadata(dir)
        .ok()
        .map(|meta| crate::scan::file_identity(&meta))
}

/// The highest generation number among the folder's state, catalog and usage files (0 when
/// there are none).
fn highest_generation(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|entry| generations::generation_of(&entry.file_name().to_string_lossy()))
        .max()
        .unwrap_or(0)
}

/// Removes what rebuilds killed midway left (caller holds the lock: no rebuild is running).
/// Only `tantivy.rebuild-*` directories directly in the folder are touched.
fn remove_staging_dirs(dir: &Path) {
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
fn swap_dirs(staging: &Path, live: &Path) -> Result<()> {
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
