//! Reading one rollout into the index: the bytes a job names are parsed window by window,
//! their messages handed to the writer as they come (a 400 MB file never holds its text in
//! memory), and the file's next entry returned for the state.

use std::fs::File;

use tantivy::{IndexWriter, TantivyDocument, Term};

use super::schema::{self, Fields};
use super::state::{FileEntry, TAIL_CHECK_BYTES};
use super::update::{Job, Progress};
use crate::parse::{Depth, FileState, ParseReport, Parsed};
use crate::scan::{SourceFile, file_identity, mtime_ns, read_at};

/// Reads one job's bytes, streams its messages into the writer, returns its new entry.
pub(super) fn read_job(
    job: Job<'_>,
    fields: &Fields,
    writer: &IndexWriter<TantivyDocument>,
    scratch: &mut Vec<u8>,
    progress: &dyn Progress,
) -> (String, FileEntry, ParseReport, u64) {
    let (file, mut state, mut events) = match job {
        Job::New(file) | Job::Again(file) => {
            (file, FileState::new(&file.path, file.archived), Vec::new())
        }
        Job::Append(file, entry) => {
            let FileEntry { state, events, .. } = *entry;
            (file, state, events)
        }
    };
    let key = file.key().into_owned();
    let mut parsed = Parsed::default();
    // An unreadable file keeps an entry (so the next query does not try again until the
    // file changes) and loses whatever it had in the index.
    let unreadable = |mut parsed: Parsed| {
        parsed.report.unreadable += 1;
        writer.delete_term(Term::from_field_text(fields.file, &key));
        (key.clone(), FileEntry::unreadable(file), parsed.report, 0)
    };
    let opened = File::open(&file.path).and_then(|f| f.metadata().map(|m| (f, m)));
    let Ok((handle, meta)) = opened else {
        return unreadable(parsed);
    };
    let start = state.consumed;
    let compressed = crate::scan::is_compressed(&file.path);
    // Messages go to the writer window by window (once the file's id is known), so a 400 MB
    // rollout never holds its whole text in memory.
    let mut on_window = |n, read: &FileState, parsed: &mut Parsed| {
        progress.advance(n);
        if read.identity_known() {
            add_messages(writer, fields, read, &key, compressed, parsed);
        }
    };
    let fed = state.feed_file_with(
        &handle,
        compressed,
        Depth::Index,
        &mut parsed,
        scratch,
        &mut on_window,
    );
    let Ok(read) = fed else {
        return unreadable(parsed);
    };
    add_messages(writer, fields, &state, &key, compressed, &mut parsed);
    events.append(&mut parsed.usage);
    let end = state.consumed;
    let from = end.saturating_sub(TAIL_CHECK_BYTES as u64);
    // A compressed file's stamp is its size on disk; its offsets count decoded bytes.
    let (len, tail_check) = if compressed {
        (meta.len(), Vec::new())
    } else {
        let tail = read_at(&handle, from, (end - from) as usize).unwrap_or_default();
        (start + read, tail)
    };
    let entry = FileEntry {
        len,
        mtime_ns: mtime_ns(&meta),
        identity: file_identity(&meta),
        tail_check,
        state,
        events,
        unreadable: false,
    };
    (key, entry, parsed.report, read)
}

/// Hands the messages read so far to the writer (and forgets them).
fn add_messages(
    writer: &IndexWriter<TantivyDocument>,
    fields: &Fields,
    read: &FileState,
    key: &str,
    compressed: bool,
    parsed: &mut Parsed,
) {
    // Snippets are read back from a plain file's lines; a compressed file's offsets count
    // decoded bytes, so its text is stored.
    let spans = !compressed && parsed.lines.len() == parsed.messages.len();
    for (i, message) in parsed.messages.iter().enumerate() {
        let line = if spans {
            parsed.lines.get(i).copied()
        } else {
            None
        };
        // A full writer queue only blocks; an error here means the writer died, which the
        // commit reports.
        let _ = writer.add_document(schema::message_doc(
            fields,
            &read.session.id,
            key,
            message,
            line,
        ));
    }
    parsed.messages.clear();
    parsed.lines.clear();
}

/// True when the bytes before the consumed offset are still what they were.
pub(super) fn tail_matches(file: &SourceFile, entry: &FileEntry) -> bool {
    let end = entry.state.consumed;
    let from = end.saturating_sub(entry.tail_check.len() as u64);
    File::open(&file.path)
        .ok()
        .and_then(|f| read_at(&f, from, (end - from) as usize))
        .is_some_and(|bytes| bytes == entry.tail_check)
}
