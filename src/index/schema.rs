//! The tantivy schema, declared once: one document per conversation message, plus one per
//! thread name. Every field's flags are chosen for a query that needs them.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, TextAnalyzer};
use tantivy::{TantivyDocument, doc};

use super::cjk;
use crate::model::{Message, Role};

/// Bump when documents or state change shape; an older index is rebuilt.
pub const SCHEMA_VERSION: u32 = 9;

/// Bytes of a tool call (command line, patch) that are indexed.
pub const TOOL_CALL_BYTES: usize = 768;
pub use crate::parse::{
    INDEXED_OUTPUT_HEAD as TOOL_OUTPUT_HEAD, INDEXED_OUTPUT_TAIL as TOOL_OUTPUT_TAIL,
};

/// Handles to the schema's fields.
#[derive(Debug, Clone)]
pub struct Fields {
    /// Session id: exact match for filters; stored to group hits by session.
    pub session: Field,
    /// Rollout path (or `name:<id>`): only for deleting a file's documents.
    pub file: Field,
    /// `user`, `assistant`, `reasoning`, `tool_call`, `tool_output` or `name`: filter + display.
    pub role: Field,
    /// Line time in ms: range filter (indexed) and display (stored).
    pub timestamp: Field,
    /// The text: tokenized with positions (phrases, identifiers) and stored for snippets.
    pub text: Field,
    /// 1 for interactive sessions: the default search filter, without a per-session list.
    pub interactive: Field,
    /// A hash of the session id as a fast field: ranks whole sessions without loading stored
    /// documents.
    pub session_key: Field,
}

/// Builds the schema.
pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        session: builder.add_text_field("session", STRING | STORED),
        file: builder.add_text_field("file", STRING),
        role: builder.add_text_field("role", STRING | STORED),
        timestamp: builder.add_i64_field("ts", INDEXED | STORED),
        text: builder.add_text_field("text", text_options()),
        interactive: builder.add_u64_field("interactive", INDEXED),
        session_key: builder.add_u64_field(SESSION_KEY, FAST),
    };
    (builder.build(), fields)
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
    TextOptions::default()
        .set_indexing_options(indexing)
        .set_stored()
}

/// Registers the text analyzer; every opened index needs it before indexing or querying.
pub fn register_tokenizer(index: &tantivy::Index) {
    let analyzer = TextAnalyzer::builder(cjk::CjkTokenizer::default())
        .filter(RemoveLongFilter::limit(80))
        .filter(LowerCaser)
        .build();
    index.tokenizers().register(TOKENIZER, analyzer);
}

/// The fast field holding [`session_key`].
pub const SESSION_KEY: &str = "session_key";

/// A stable 64-bit key of a session id.
pub fn session_key(session: &str) -> u64 {
    stable_hash(session)
}

pub use crate::model::stable_hash;

/// The role name stored for thread-name documents.
pub const NAME_ROLE: &str = "name";

/// The document for one message, with tool text cut to the indexed budget.
pub fn message_doc(
    fields: &Fields,
    interactive: bool,
    session: &str,
    file: &str,
    message: &Message,
) -> TantivyDocument {
    let text = match message.role {
        Role::ToolCall => head(&message.text, TOOL_CALL_BYTES).to_owned(),
        Role::ToolOutput => head_and_tail(&message.text, TOOL_OUTPUT_HEAD, TOOL_OUTPUT_TAIL),
        _ => message.text.clone(),
    };
    doc!(
        fields.session => session,
        fields.file => file,
        fields.role => message.role.as_str(),
        fields.timestamp => message.timestamp_ms.unwrap_or(0),
        fields.text => text,
        fields.interactive => u64::from(interactive),
        fields.session_key => session_key(session),
    )
}

/// The document that makes a thread name searchable.
pub fn name_doc(
    fields: &Fields,
    interactive: bool,
    session: &str,
    name: &str,
    timestamp_ms: i64,
) -> TantivyDocument {
    doc!(
        fields.session => session,
        fields.file => name_key(session),
        fields.role => NAME_ROLE,
        fields.timestamp => timestamp_ms,
        fields.text => name,
        fields.interactive => u64::from(interactive),
        fields.session_key => session_key(session),
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
