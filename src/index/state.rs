//! The per-file state kept beside the tantivy index: what was read of each rollout, where its
//! accounting stood, and the usage events it produced. Only an update reads it; queries read
//! the smaller [`super::catalog`].
//!
//! Written as new files per commit and named in the tantivy commit's payload, so the text
//! index and this state always change together: a crash before the commit leaves the previous
//! set in force.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{TokenUsage, UsageEvent};
use crate::parse::FileState;

/// What the index knows about one rollout file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    /// Size when last read.
    pub len: u64,
    /// Modification time when last read (ns).
    pub mtime_ns: i128,
    /// (device, inode) when last read.
    pub identity: (u64, u64),
    /// The bytes just before `state.consumed`, to notice a rewrite that kept the size growing.
    pub tail_check: Vec<u8>,
    /// Parser state after the consumed bytes (session facts included).
    pub state: FileState,
    /// Counted usage so far.
    pub events: Vec<UsageEvent>,
    /// The file could not be read when last seen: it holds no session until it changes.
    pub unreadable: bool,
}

impl FileEntry {
    /// The entry of a file that could not be read.
    pub fn unreadable(file: &crate::scan::SourceFile) -> FileEntry {
        FileEntry {
            len: file.len,
            mtime_ns: file.mtime_ns,
            identity: file.identity,
            tail_check: Vec::new(),
            state: FileState::new(&file.path, file.archived),
            events: Vec::new(),
            unreadable: true,
        }
    }
}

/// Everything beside the tantivy index.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IndexState {
    /// Rollout path → entry.
    pub files: BTreeMap<String, FileEntry>,
    /// Thread names as last indexed (session id → name).
    pub names: BTreeMap<String, String>,
}

/// How many bytes before the consumed offset are remembered.
pub const TAIL_CHECK_BYTES: usize = 64;

/// Usage events stored apart from the rest, with model names interned (a history has a handful
/// of models and many thousand events).
#[derive(Debug, Default, Serialize, Deserialize)]
struct UsageFile {
    models: Vec<String>,
    /// Per file, in the same order as `IndexState::files`: (time ms, model index, 5 counts).
    files: Vec<Vec<(i64, u32, [i64; 5])>>,
}

impl IndexState {
    /// Reads a state file and its events file.
    pub fn load(path: &Path, events_path: &Path) -> Result<IndexState> {
        let mut state: IndexState = read_postcard(path)?;
        {
            let usage: UsageFile = read_postcard(events_path)?;
            for (entry, events) in state.files.values_mut().zip(usage.files) {
                entry.events = events
                    .into_iter()
                    .map(|(timestamp_ms, model, u)| UsageEvent {
                        timestamp_ms,
                        model: usage
                            .models
                            .get(model as usize)
                            .cloned()
                            .unwrap_or_default(),
                        usage: TokenUsage {
                            input_tokens: u[0],
                            cached_input_tokens: u[1],
                            output_tokens: u[2],
                            reasoning_output_tokens: u[3],
                            total_tokens: u[4],
                        },
                    })
                    .collect();
            }
        }
        Ok(state)
    }

    /// Writes the state file and the events file durably (temporary name, fsync, rename).
    pub fn save(&self, path: &Path, events_path: &Path) -> Result<()> {
        let mut usage = UsageFile::default();
        let mut index: HashMap<&str, u32> = HashMap::new();
        for entry in self.files.values() {
            let events = entry
                .events
                .iter()
                .map(|e| {
                    let model = *index.entry(e.model.as_str()).or_insert_with(|| {
                        usage.models.push(e.model.clone());
                        (usage.models.len() - 1) as u32
                    });
                    let u = &e.usage;
                    (
                        e.timestamp_ms,
                        model,
                        [
                            u.input_tokens,
                            u.cached_input_tokens,
                            u.output_tokens,
                            u.reasoning_output_tokens,
                            u.total_tokens,
                        ],
                    )
                })
                .collect();
            usage.files.push(events);
        }
        write_postcard(events_path, &usage)?;
        write_postcard(path, &StateView(self))
    }
}

/// Serialises an [`IndexState`] exactly as its derived form would, but with every entry's
/// events left out (they live in the usage file), without copying the state.
struct StateView<'a>(&'a IndexState);

/// One entry of [`StateView`]: the fields of [`FileEntry`] in order, `events` empty.
#[derive(Serialize)]
struct EntryView<'a> {
    len: u64,
    mtime_ns: i128,
    identity: (u64, u64),
    tail_check: &'a [u8],
    state: &'a FileState,
    events: &'a [UsageEvent],
    unreadable: bool,
}

impl Serialize for StateView<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let entries = self.0.files.iter().map(|(path, e)| {
            let view = EntryView {
                len: e.len,
                mtime_ns: e.mtime_ns,
                identity: e.identity,
                tail_check: &e.tail_check,
                state: &e.state,
                events: &[],
                unreadable: e.unreadable,
            };
            (path, view)
        });
        let mut state = serializer.serialize_struct("IndexState", 2)?;
        state.serialize_field("files", &MapOf(std::cell::RefCell::new(Some(entries))))?;
        state.serialize_field("names", &self.0.names)?;
        state.end()
    }
}

/// Serialises an iterator of pairs as a map, once.
struct MapOf<I>(std::cell::RefCell<Option<I>>);

impl<'a, I: Iterator<Item = (&'a String, EntryView<'a>)> + ExactSizeIterator> Serialize
    for MapOf<I>
{
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        let entries = self
            .0
            .borrow_mut()
            .take()
            .ok_or_else(|| serde::ser::Error::custom("serialised twice"))?;
        serializer.collect_map(entries)
    }
}

/// Reads a postcard file.
pub(super) fn read_postcard<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    postcard::from_bytes(&bytes).map_err(|e| Error::Index(format!("{}: {e}", path.display())))
}

/// Writes a postcard file durably: temporary name, fsync, rename.
pub(super) fn write_postcard<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let bytes = postcard::to_stdvec(value).map_err(|e| Error::Index(e.to_string()))?;
    let tmp: PathBuf = path.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    file.write_all(&bytes).map_err(|e| Error::io(&tmp, e))?;
    file.sync_all().map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}
