//! Brings the index up to date with the files on disk: new files are read whole, grown files
//! from where they stopped, rewritten files again from the start, and deleted files vanish.
//!
//! Files are read in parallel (rayon), each sequentially; documents stream into tantivy's
//! writer as they are made, so memory stays bounded by the writer's budget, not the history.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use rayon::prelude::*;
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::catalog::{Catalog, names_hash};
use super::commit::Next;
use super::pairing::{Plan, plan};
use super::reading::read_job;
use super::schema;
use super::state::FileEntry;
use super::{IndexStore, Want};
use crate::error::Result;
use crate::parse::ParseReport;
use crate::scan::{ScanResult, SourceFile};

/// Updates that read less than this are "small": one indexing thread, a small arena.
const SMALL_UPDATE_BYTES: u64 = 32 << 20;

/// Small segments a query-triggered update tolerates before it lets tantivy merge.
const MAX_UNMERGED_SEGMENTS: usize = 24;

/// Segments of this many documents or more are never merged: a build writes segments of
/// 40,000-70,000 documents (its writer's arena), an appended session about a hundred.
const LARGE_SEGMENT_DOCS: u32 = 10_000;

/// Writer memory budget, shared by its threads (tantivy needs ≥ 15 MB per thread). 96 MB built
/// the same histories no faster, and took the 10 GB build's peak 30 MB over its 250 MB target;
/// 64 MB left it at 218-259 MB over five interleaved builds, 48 MB at 229-246 MB, in the same
/// time (median 17.8 s against 18.7 s; 2 GB builds alike).
const WRITER_BUDGET_BYTES: usize = 48 * 1024 * 1024;

/// Receives progress while the index is updated (the command layer draws it). Called from
/// the reading threads, so implementations must be cheap and must not block on the terminal.
pub trait Progress: Sync {
    /// Work is about to start: this many files and bytes to read.
    fn start(&self, files: u64, bytes: u64);
    /// Bytes were read (a window at a time, so a large file moves too).
    fn advance(&self, bytes: u64);
    /// One file was read through.
    fn file_done(&self);
    /// All files were read; the commit follows.
    fn finish(&self);
}

/// What an update did.
#[derive(Debug, Default)]
pub struct UpdateSummary {
    /// Files read (whole or from where they stopped).
    pub files_read: u64,
    /// Bytes read.
    pub bytes_read: u64,
    /// Files whose documents were removed (deleted or rewritten).
    pub files_removed: u64,
    /// What was skipped while reading.
    pub report: ParseReport,
    /// Whether anything was committed.
    pub committed: bool,
}

/// What to do with one scanned file.
pub(super) enum Job<'a> {
    /// Read a file the index has never seen.
    New(&'a SourceFile),
    /// Read a known file again from the start (shrunk, replaced or rewritten): its old
    /// documents go first.
    Again(&'a SourceFile),
    /// Read the bytes appended since last time, continuing from the file's entry.
    Append(&'a SourceFile, Box<FileEntry>),
}

impl Job<'_> {
    /// The bytes this job reads.
    fn bytes(&self) -> u64 {
        match self {
            Job::New(f) | Job::Again(f) => f.len,
            Job::Append(f, e) => f.len.saturating_sub(e.state.consumed),
        }
    }
}

impl IndexStore {
    /// True when the committed index already reflects `scan`.
    pub fn is_current(&self, scan: &ScanResult) -> bool {
        self.catalog.is_current(scan)
    }

    /// Updates the index to match `scan`. Takes the writer lock (waiting for it).
    pub fn update(&mut self, scan: &ScanResult, progress: &dyn Progress) -> Result<UpdateSummary> {
        let _lock = self.lock()?;
        self.update_locked(scan, progress)
    }

    /// Updates with the writer lock already held by the caller (re-reading the last commit
    /// first, since another writer may have committed, or swapped in a rebuilt index, before
    /// we got the lock). An index found broken, or whose per-file state cannot be read, is
    /// rebuilt instead ([`IndexStore::rebuilt_because`] says why). On failure the store is
    /// back at the last commit, so a query can still answer from it.
    pub fn update_locked(
        &mut self,
        scan: &ScanResult,
        progress: &dyn Progress,
    ) -> Result<UpdateSummary> {
        let want = self.want;
        self.reopen_locked()?;
        self.want = Want::Full;
        if self.broken.is_none()
            && let Err(e) = self.reload()
        {
            self.set_broken(super::damaged(&e));
        }
        if let Some(reason) = self.broken.clone() {
            self.want = want;
            let summary = self.rebuild_locked(scan, progress)?;
            self.rebuilt_because = Some(reason);
            return Ok(summary);
        }
        if self.is_current(scan) {
            // Another process committed this meanwhile: hold what the command reads of it.
            self.want = want;
            self.hold_read_usage()?;
            return Ok(UpdateSummary::default());
        }
        let built = self.build(scan, progress);
        if built.is_err() {
            self.back_to_last_commit(want);
            // The commit landed, but does not read back (damage carried over from the last
            // one, in sessions the update did not read): rebuild, and say why.
            if let Some(reason) = self.broken.clone() {
                let summary = self.rebuild_locked(scan, progress)?;
                self.rebuilt_because = Some(reason);
                return Ok(summary);
            }
        }
        self.want = want;
        built
    }

    /// Reads what changed into the index and commits, whatever the scan (a rebuild commits
    /// even an empty home).
    pub(super) fn build(
        &mut self,
        scan: &ScanResult,
        progress: &dyn Progress,
    ) -> Result<UpdateSummary> {
        let mut summary = UpdateSummary::default();
        // The command's decoded usage of the last commit is not what the update reads (and is
        // read again from the new files after the commit), but for the quarter-hour sums of
        // the sessions the update carries over, which make most of the next commit's.
        self.usage = None;
        let last_quarters = self.quarter_hours.take();
        let mut state = self.state.take().unwrap_or_default();
        let mut catalog = std::mem::take(&mut self.catalog);
        let usage = self.usage_file.take().unwrap_or_default();
        let Plan {
            mut jobs,
            carried,
            gone,
        } = plan(scan, &catalog, &state);
        let total_bytes: u64 = jobs.iter().map(Job::bytes).sum();
        let again = jobs.iter().any(|j| matches!(j, Job::Again(_)));
        // A small update (a resumed session's new lines) is quicker with one indexing thread
        // and a small arena; a build uses every core.
        let small = total_bytes < SMALL_UPDATE_BYTES;
        if !small {
            // Largest first: a 400 MB session started last kept one core busy while the other
            // had nothing left to read.
            jobs.sort_by_key(|j| std::cmp::Reverse(j.bytes()));
        }
        let threads = if small {
            1
        } else {
            std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4))
        };
        let budget = if small {
            16 * 1024 * 1024
        } else {
            WRITER_BUDGET_BYTES.max(threads * 16 * 1024 * 1024)
        };
        // One merging thread, not tantivy's four: only small segments are ever merged (below),
        // and each thread a writer starts is one more that a process limit may refuse.
        let options = tantivy::indexer::IndexWriterOptions::builder()
            .num_worker_threads(threads)
            .memory_budget_per_thread(budget / threads)
            .num_merge_threads(1)
            .build();
        let mut writer: IndexWriter<TantivyDocument> = self.index.writer_with_options(options)?;
        // Queries do not merge segments (a merge left running when the process exits is wasted)
        // until there are many small ones; then, like `rolldex index`, they merge and wait for
        // it. Only small segments (appends) are ever merged: a build's segments are large
        // already, and merging them again cost a 10 GB build 40 % of its time.
        let small_segments = self
            .index
            .searchable_segment_metas()?
            .iter()
            .filter(|s| s.num_docs() < LARGE_SEGMENT_DOCS)
            .count();
        let merge = self.merge_on_update || small_segments >= MAX_UNMERGED_SEGMENTS;
        if merge {
            let mut policy = tantivy::indexer::LogMergePolicy::default();
            policy.set_max_docs_before_merge(LARGE_SEGMENT_DOCS as usize);
            writer.set_merge_policy(Box::new(policy));
        } else {
            writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        }
        let fields = self.fields.clone();
        // Deletions first: a delete only removes documents added before it.
        for old in gone.iter().map(|&i| &catalog.files()[i]) {
            writer.delete_term(Term::from_field_text(fields.file, &old.path));
            state.remove(&old.path);
            summary.files_removed += 1;
        }
        for job in &jobs {
            if let Job::Again(file) = job {
                writer.delete_term(Term::from_field_text(fields.file, &file.key()));
                summary.files_removed += 1;
            }
        }
        progress.start(jobs.len() as u64, total_bytes);
        let report = Mutex::new(ParseReport::default());
        let results: Vec<(String, FileEntry, u64)> = jobs
            .into_par_iter()
            .map_init(Vec::new, |scratch, job| {
                let (path, entry, parsed, read) =
                    read_job(job, &fields, &writer, scratch, progress);
                if let Ok(mut r) = report.lock() {
                    r.merge(&parsed);
                }
                progress.file_done();
                (path, entry, read)
            })
            .collect();
        progress.finish();
        let mut fresh: HashMap<String, FileEntry> = HashMap::with_capacity(results.len());
        for (path, entry, read) in results {
            summary.files_read += 1;
            summary.bytes_read += read;
            state.insert(path.clone(), &entry)?;
            fresh.insert(path, entry);
        }
        if !small {
            // A build's encoded entries go to their segment now, not beside the catalog.
            state.write_segment(&self.dir, self.generation + 1)?;
        }
        let old_names = std::mem::take(&mut catalog.names).into_map(catalog.sessions.keys());
        summary.report = report.into_inner().unwrap_or_default();
        let quiet = gone.is_empty() && !again && names_kept(scan, &catalog, &old_names, &fresh);
        let touched: HashSet<String> = fresh.values().map(|e| e.state.session.id.clone()).collect();
        let derive = move || {
            let (catalog, usage) = catalog.next(usage, scan, &carried, &fresh, &state);
            let quarters = last_quarters.and_then(|last| usage.quarter_hours(last));
            Next {
                state,
                catalog,
                usage,
                quarters,
            }
        };
        if small && quiet {
            // No thread name can have changed (the usual append), so no name document does:
            // tantivy finishes its segment while the next catalog is derived and saved.
            self.commit(&mut writer, derive, small)?;
        } else {
            let next = derive();
            name_documents(&mut writer, &fields, &next.catalog, &old_names, &touched)?;
            self.commit(&mut writer, move || next, small)?;
        }
        summary.committed = true;
        if merge {
            writer.wait_merging_threads()?;
        }
        Ok(summary)
    }
}

/// True when an update that removed no file and read none again from the start cannot have
/// changed a thread name in force: `session_index.jsonl` names what it named before, and no
/// session read has a name there or of its own, nor had one. A file found unreadable may name
/// another session than before (its id then comes from its path), so it counts as a change.
fn names_kept(
    scan: &ScanResult,
    last: &Catalog,
    old_names: &BTreeMap<String, String>,
    fresh: &HashMap<String, FileEntry>,
) -> bool {
    names_hash(scan) == last.names_hash
        && fresh.values().all(|e| {
            let id = &e.state.session.id;
            !e.unreadable
                && e.state.session.thread_name.is_none()
                && !scan.thread_names.contains_key(id)
                && !old_names.contains_key(id)
        })
}

/// Rewrites the name documents that change: new or changed names, and those of the sessions
/// read in this update (`touched`: their name documents get the new time and flags); removes
/// those of names no longer in force.
fn name_documents(
    writer: &mut IndexWriter<TantivyDocument>,
    fields: &schema::Fields,
    catalog: &Catalog,
    old_names: &BTreeMap<String, String>,
    touched: &HashSet<String>,
) -> Result<()> {
    let names = catalog.names.get(catalog.sessions.keys());
    let renamed: Vec<(&String, &String)> = names
        .iter()
        .filter(|(id, name)| old_names.get(*id) != Some(name) || touched.contains(id.as_str()))
        .collect();
    // Only the sessions whose name documents change are looked up (usually none; an empty
    // set answers without hashing).
    let ids: HashSet<&str> = renamed.iter().map(|(id, _)| id.as_str()).collect();
    let by_id: HashMap<&str, &crate::keys::SessionKeys> = (catalog.sessions.keys().iter())
        .filter(|s| ids.contains(s.id.as_str()))
        .map(|s| (s.id.as_str(), s))
        .collect();
    for (id, name) in renamed {
        writer.delete_term(Term::from_field_text(fields.file, &schema::name_key(id)));
        let session = by_id.get(id.as_str());
        let updated = session.and_then(|s| s.updated_at_ms).unwrap_or(0);
        writer.add_document(schema::name_doc(fields, id, name, updated))?;
    }
    for id in old_names.keys() {
        if !names.contains_key(id) {
            writer.delete_term(Term::from_field_text(fields.file, &schema::name_key(id)));
        }
    }
    Ok(())
}
