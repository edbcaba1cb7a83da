//! A hit's text, read back from the rollout it came from.
//!
//! The index keeps where each message's line is, not its text (the rollouts already hold it,
//! and storing it again made up most of the index). The line is read again, parsed alone, and
//! the message of the hit's role whose indexed text has the hit's hash is the text; when the
//! file changed or is gone, the hit is still shown, with [`GONE`] in place of the snippet.

use std::fs::File;
use std::path::Path;

use tantivy::TantivyDocument;
use tantivy::schema::Value;

use crate::index::schema::{self, Fields};
use crate::model::stable_hash;

/// The snippet of a hit whose line could not be read back.
pub const GONE: &str = "[text unavailable: the rollout changed since it was indexed]";

/// The indexed text of the hit `doc` (role `role`, text hash `hash`), if it can be found.
pub(super) fn hit_text(
    doc: &TantivyDocument,
    fields: &Fields,
    role: &str,
    hash: u64,
) -> Option<String> {
    if let Some(text) = doc.get_first(fields.stored_text).and_then(|v| v.as_str()) {
        return Some(text.to_owned());
    }
    let path = doc.get_first(fields.file).and_then(|v| v.as_str())?;
    let span = schema::line_span(doc.get_first(fields.line).and_then(|v| v.as_u64())?);
    let line = read_line(Path::new(path), span.offset, span.len)?;
    crate::parse::messages_of_line(Path::new(path), &line)
        .iter()
        .filter(|m| m.role.as_str() == role)
        .map(|m| schema::indexed_text(m))
        .find(|text| stable_hash(text) == hash)
        .map(std::borrow::Cow::into_owned)
}

/// The `len` bytes at `offset`, when they still end with a newline.
fn read_line(path: &Path, offset: u64, len: u64) -> Option<Vec<u8>> {
    let file = File::open(path).ok()?;
    let buf = crate::scan::read_at(&file, offset, usize::try_from(len).ok()?)?;
    (buf.last() == Some(&b'\n')).then_some(buf)
}
