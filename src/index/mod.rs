//! rolldex's memory: a tantivy index of conversation text plus the per-file state and usage
//! events beside it, kept in rolldex's own cache directory and brought up to date
//! incrementally (a file that only grew is read from where it stopped).
//!
//! Layout: `<index-dir>/<homes-hash>/{VERSION, lock, tantivy/, state-N.bin, catalog-N.bin,
//! usage-N.bin}`. The tantivy commit payload names the files that belong to it,
//! so all change together or not at all. Queries read only the catalog (and usage for `stats`);
//! an update reads the per-file state. One writer at a time holds `lock`; readers never wait
//! and see the last commit.

pub mod catalog;
pub mod cjk;
pub mod schema;
pub mod state;
mod update;

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::Index;

use crate::error::{Error, Result};
use crate::model::SessionInfo;
use crate::stats::SessionUsage;
use catalog::{Catalog, UsageTable};
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

/// What of the committed state is wanted in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Want {
    /// Stamps and session facts.
    Catalog,
    /// And the usage of each session (reports).
    Usage,
    /// And the per-file parser state (updates).
    Full,
}

/// An opened index (read side; [`IndexStore::update`] writes).
pub struct IndexStore {
    dir: PathBuf,
    index: Index,
    fields: Fields,
    /// Freshness stamps and session facts of the last commit.
    catalog: Catalog,
    /// Usage per catalog session, when loaded.
    usage: Option<UsageTable>,
    /// The per-file state, when loaded (updates only).
    state: Option<IndexState>,
    generation: u64,
    /// What `reload` reads.
    want: Want,
    /// What the memory holds of commit `generation`.
    loaded: Option<Want>,
    /// Whether an update may merge segments (the `index` command) or should stay quick.
    pub merge_on_update: bool,
    /// Why the index was (re)created on open, if it was.
    pub rebuilt_because: Option<String>,
}

impl IndexStore {
    /// Opens (or creates) the index for `homes` under `index_dir`; `with_usage` loads the
    /// usage events too (needed for reports).
    pub fn open(index_dir: &Path, homes: &[PathBuf], with_usage: bool) -> Result<IndexStore> {
        create_private_dir(index_dir)?;
        let dir = index_dir.join(homes_key(homes));
        create_private_dir(&dir)?;
        tighten_private_dir(&dir);
        let version_path = dir.join("VERSION");
        let found = fs::read_to_string(&version_path)
            .ok()
            .and_then(|v| v.trim().parse::<u32>().ok());
        let tantivy_dir = dir.join("tantivy");
        let mut rebuilt_because = None;
        if found != Some(schema::SCHEMA_VERSION) && tantivy_dir.exists() {
            let _lock = lock_exclusive(&dir)?;
            // Re-check under the lock: another process may have rebuilt it meanwhile.
            let again = fs::read_to_string(&version_path)
                .ok()
                .and_then(|v| v.trim().parse::<u32>().ok());
            if again != Some(schema::SCHEMA_VERSION) {
                rebuilt_because = Some(match again {
                    Some(old) => format!(
                        "index format changed (v{old} → v{}); rebuilding",
                        schema::SCHEMA_VERSION
                    ),
                    None => "index version unknown; rebuilding".to_owned(),
                });
                wipe(&dir)?;
            }
        }
        let (schema, fields) = schema::schema();
        if !tantivy_dir.join("meta.json").exists() {
            let _lock = lock_exclusive(&dir)?;
            if !tantivy_dir.join("meta.json").exists() {
                create_private_dir(&tantivy_dir)?;
                let created = Index::create_in_dir(&tantivy_dir, schema)?;
                schema::register_tokenizer(&created);
                write_file(&version_path, schema::SCHEMA_VERSION.to_string().as_bytes())?;
            }
        }
        let index = Index::open_in_dir(&tantivy_dir)?;
        schema::register_tokenizer(&index);
        let mut store = IndexStore {
            dir,
            index,
            fields,
            catalog: Catalog::default(),
            usage: None,
            state: None,
            generation: 0,
            want: if with_usage {
                Want::Usage
            } else {
                Want::Catalog
            },
            loaded: None,
            merge_on_update: false,
            rebuilt_because,
        };
        store.reload()?;
        Ok(store)
    }

    /// Re-reads what `self.want` asks for of the last commit.
    fn reload(&mut self) -> Result<()> {
        for _ in 0..3 {
            let metas = self.index.load_metas()?;
            let Some(payload) = metas
                .payload
                .as_deref()
                .and_then(|p| serde_json::from_str::<Payload>(p).ok())
            else {
                self.catalog = Catalog::default();
                self.usage = Some(UsageTable::default());
                self.state = Some(IndexState::default());
                self.generation = 0;
                self.loaded = Some(Want::Full);
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
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        }
        Err(Error::Index(
            "the index state file is missing; run `rolldex index --rebuild`".into(),
        ))
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
        let ((catalog, usage), state) = rayon::join(
            || {
                rayon::join(
                    || {
                        have.is_none()
                            .then(|| Catalog::load(&dir.join(&payload.catalog)))
                            .transpose()
                    },
                    || {
                        (want >= Want::Usage && have < Some(Want::Usage))
                            .then(|| UsageTable::load(&dir.join(&payload.usage)))
                            .transpose()
                    },
                )
            },
            || {
                (want >= Want::Full && have < Some(Want::Full))
                    .then(|| IndexState::load(&dir.join(&payload.state)))
                    .transpose()
            },
        );
        let (catalog, usage, state) = (catalog?, usage?, state?);
        if have.is_none() {
            // Another commit: nothing held belongs to it any more.
            self.usage = None;
            self.state = None;
        }
        if let Some(catalog) = catalog {
            self.catalog = catalog;
        }
        if usage.is_some() {
            self.usage = usage;
        }
        if state.is_some() {
            self.state = state;
        }
        Ok(())
    }

    /// The tantivy index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// A searcher over the last commit. Manual reload: a query process reads one commit and
    /// exits, so it needs no thread watching for new ones.
    pub fn searcher(&self) -> Result<tantivy::Searcher> {
        let reader: tantivy::IndexReader = self
            .index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()?;
        Ok(reader.searcher())
    }

    /// The schema's fields.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// How many rollout files the last commit covers.
    pub fn file_count(&self) -> usize {
        self.catalog.files.len()
    }

    /// Session facts, one per session id (the longest file when a session was copied), thread
    /// names applied.
    pub fn session_infos(&self) -> Vec<&SessionInfo> {
        self.catalog.sessions.iter().collect()
    }

    /// Moves the sessions and their usage out of the store (no copy of the facts).
    pub fn into_sessions(self) -> Vec<SessionUsage> {
        let usage = self.usage.unwrap_or_default();
        usage.into_sessions(self.catalog.sessions)
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

    /// Deletes everything and starts an empty index (caller holds the lock).
    pub fn reset(&mut self) -> Result<()> {
        wipe_contents_except_lock(&self.dir)?;
        let (schema, _) = schema::schema();
        let tantivy_dir = self.dir.join("tantivy");
        create_private_dir(&tantivy_dir)?;
        self.index = Index::create_in_dir(&tantivy_dir, schema)?;
        schema::register_tokenizer(&self.index);
        write_file(
            &self.dir.join("VERSION"),
            schema::SCHEMA_VERSION.to_string().as_bytes(),
        )?;
        self.catalog = Catalog::default();
        self.usage = Some(UsageTable::default());
        self.state = Some(IndexState::default());
        self.generation = 0;
        self.loaded = Some(Want::Full);
        Ok(())
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

fn open_lock_file(dir: &Path) -> Result<File> {
    let path = dir.join("lock");
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))
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

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

fn wipe(dir: &Path) -> Result<()> {
    wipe_contents_except_lock(dir)
}

fn wipe_contents_except_lock(dir: &Path) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == "lock") {
            continue;
        }
        let removed = if path.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        removed.map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}
