//! The tantivy schema, declared once: one document per conversation message, plus one per
//! thread name. Every field's flags are chosen for a query that needs them.

use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, TextAnalyzer};
use tantivy::{TantivyDocument, doc};

use super::cjk;
use crate::model::{Message, Role};
use crate::parse::LineSpan;

/// Bump when documents or state change shape; an older index is rebuilt.
pub const SCHEMA_VERSION: u32 = 26;

/// Bytes of a tool call (command line, patch) that are indexed.
pub const TOOL_CALL_BYTES: usize = 768;
pub use crate::parse::{
    INDEXED_OUTPUT_HEAD as TOOL_OUTPUT_HEAD, INDEXED_OUTPUT_TAIL as TOOL_OUTPUT_TAIL,
};

/// Handles to the schema's fields.
///
/// The rollout files are the document store: a message's text is indexed (for matching and
/// ranking) but not stored. A hit's text is read back from its line in the rollout
/// ([`LINE`](Fields::line)) and checked against [`text_hash`](Fields::text_hash); only text that
/// has no line of its own (thread names, compressed rollouts, lines of 16 MB or more) is stored.
#[derive(Debug, Clone)]
pub struct Fields {
    /// Session id: exact match for filters; stored to name a hit's session; and a fast column
    /// of term ordinals, which ranks whole sessions and hides the sessions a search leaves out
    /// without loading stored documents. An ordinal takes the few bits a segment's count of
    /// sessions needs, where a 64-bit hash of the id took eight bytes a document (at 10 GB,
    /// `resume migration` read 11.7 MB of fast-field pages with the hash, 5.6 MB now).
    pub session: Field,
    /// Rollout path (or `name:<id>`): deletes a file's documents; stored to read a hit's line.
    pub file: Field,
    /// `user`, `assistant`, `reasoning`, `tool_call`, `tool_output` or `name`: filter + display.
    pub role: Field,
    /// Line time in ms: display (stored), and (fast) both the range filter (tantivy's range
    /// query reads a fast field's column) and the tie-break of equal scores without loading a
    /// document. Not indexed: a term per message, almost every one distinct, that no query
    /// looks up.
    pub timestamp: Field,
    /// The text: tokenized with positions (phrases, identifiers). Not stored.
    pub text: Field,
    /// The message's line in its rollout: offset << 24 | length (stored).
    pub line: Field,
    /// The text of a message without a readable line (stored only).
    pub stored_text: Field,
    /// A hash of the indexed text (fast): checks the text read back from the rollout, and breaks
    /// ties the same way in every build.
    pub text_hash: Field,
}

/// Builds the schema.
pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        session: builder.add_text_field(SESSION, keyword().set_fast("raw")),
        file: builder.add_text_field("file", keyword()),
        role: builder.add_text_field("role", keyword()),
        timestamp: builder.add_i64_field("ts", STORED | FAST),
        text: builder.add_text_field("text", text_options()),
        line: builder.add_u64_field("line", STORED),
        stored_text: builder.add_text_field("stored_text", STORED),
        text_hash: builder.add_u64_field(TEXT_HASH, FAST),
    };
    (builder.build(), fields)
}

/// A whole-value field that filters and deletes but is never scored (a constant-score term
/// set, or a delete by term), so it keeps no field norms: tantivy's `STRING` would record a
/// byte per document per field that no query reads. Stored, to show or open a hit.
fn keyword() -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer("raw")
        .set_index_option(IndexRecordOption::Basic)
        .set_fieldnorms(false);
    TextOptions::default()
        .set_indexing_options(indexing)
        .set_stored()
}

/// The text analyzer's name: tantivy's default (words split on non-alphanumeric characters,
/// lowercased), but keeping tokens up to 80 bytes so a full SHA-1 (40) or SHA-256 (64) hash
/// stays findable, and cutting Chinese, Japanese and Korean text into bigrams
/// ([`cjk::CjkTokenizer`]) so a word inside a sentence written without spaces is found.
const TOKENIZER: &str = "rolldex";

fn text_options() -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    TextOptions::default().set_indexing_options(indexing)
}

/// Registers the text analyzer; every opened index needs it before indexing or querying.
pub fn register_tokenizer(index: &tantivy::Index) {
    let analyzer = TextAnalyzer::builder(cjk::CjkTokenizer::default())
        .filter(RemoveLongFilter::limit(80))
        .filter(LowerCaser)
        .build();
    index.tokenizers().register(TOKENIZER, analyzer);
}

/// The session id field, whose fast column holds each document's session as a term ordinal.
pub const SESSION: &str = "session";

/// The fast field holding the [`stable_hash`] of a document's indexed text.
pub const TEXT_HASH: &str = "text_hash";

/// The fast field holding a document's time.
pub const TIMESTAMP: &str = "ts";

/// Lines this long or longer keep their text in the index (the length has 24 bits).
const LINE_LEN_LIMIT: u64 = 1 << 24;

/// The [`Fields::line`] value of a line, when it fits.
fn line_value(span: LineSpan) -> Option<u64> {
    (span.len < LINE_LEN_LIMIT && span.offset < 1 << 40).then_some(span.offset << 24 | span.len)
}

/// The line a [`Fields::line`] value names.
pub fn line_span(value: u64) -> LineSpan {
    LineSpan {
        offset: value >> 24,
        len: value & (LINE_LEN_LIMIT - 1),
    }
}

/// The text the index holds for `message`: tool calls and outputs cut to the indexed budget.
pub fn indexed_text(message: &Message) -> std::borrow::Cow<'_, str> {
    match message.role {
        Role::ToolCall => head(&message.text, TOOL_CALL_BYTES).into(),
        Role::ToolOutput => head_and_tail(&message.text, TOOL_OUTPUT_HEAD, TOOL_OUTPUT_TAIL).into(),
        _ => message.text.as_str().into(),
    }
}

/// A stable 64-bit key of a session id: what queries key sessions by.
pub fn session_key(session: &str) -> u64 {
    stable_hash(session)
}

pub use crate::model::stable_hash;

/// The role name stored for thread-name documents.
pub const NAME_ROLE: &str = "name";

/// The document for one message, with tool text cut to the indexed budget. `line` is where
/// the message's line sits in `file` (`None`: the text is stored instead).
pub fn message_doc(
    fields: &Fields,
    session: &str,
    file: &str,
    message: &Message,
    line: Option<LineSpan>,
) -> TantivyDocument {
    let text = indexed_text(message);
    let mut doc = doc!(
        fields.session => session,
        fields.file => file,
        fields.role => message.role.as_str(),
        fields.timestamp => message.timestamp_ms.unwrap_or(0),
        fields.text_hash => stable_hash(&text),
    );
    match line.and_then(line_value) {
        Some(value) => doc.add_u64(fields.line, value),
        None => doc.add_text(fields.stored_text, &text),
    }
    doc.add_text(fields.text, text);
    doc
}

/// The document that makes a thread name searchable.
pub fn name_doc(fields: &Fields, session: &str, name: &str, timestamp_ms: i64) -> TantivyDocument {
    doc!(
        fields.session => session,
        fields.file => name_key(session),
        fields.role => NAME_ROLE,
        fields.timestamp => timestamp_ms,
        fields.text => name,
        fields.stored_text => name,
        fields.text_hash => stable_hash(name),
    )
}

/// The `file` value of a session's name document.
pub fn name_key(session: &str) -> String {
    format!("name:{session}")
}

/// The first `max` bytes of `text`, cut at a character boundary.
fn head(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The first `h` and last `t` bytes of `text` joined by an ellipsis line.
fn head_and_tail(text: &str, h: usize, t: usize) -> String {
    if text.len() <= h + t + 16 {
        return text.to_owned();
    }
    let mut start = text.len() - t;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("{}\n…\n{}", head(text, h), &text[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_respect_char_boundaries() {
        let text = "é".repeat(1000);
        assert!(head(&text, 5).len() <= 5);
        let both = head_and_tail(&text, 3, 3);
        assert!(both.starts_with('é') && both.ends_with('é'));
        assert_eq!(head_and_tail("short", 3, 3), "short");
    }
}
