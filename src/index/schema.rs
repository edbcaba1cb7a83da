//! The tantivy schema, declared once: one document per conversation message, plus one per
//! thread name. Every field's flags are chosen for a query that needs them.

use tantivy::schema::{Field, INDEXED, STORED, STRING, Schema, TEXT};
use tantivy::{TantivyDocument, doc};

use crate::model::{Message, Role};

/// Bump when documents or state change shape; an older index is rebuilt.
pub const SCHEMA_VERSION: u32 = 1;

/// Bytes of a tool call (command line, patch) that are indexed.
pub const TOOL_CALL_BYTES: usize = 2048;
/// Bytes from the start of a tool output that are indexed.
pub const TOOL_OUTPUT_HEAD: usize = 384;
/// Bytes from the end of a tool output that are indexed (errors sit at the end).
pub const TOOL_OUTPUT_TAIL: usize = 640;

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
}

/// Builds the schema.
pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        session: builder.add_text_field("session", STRING | STORED),
        file: builder.add_text_field("file", STRING),
        role: builder.add_text_field("role", STRING | STORED),
        timestamp: builder.add_i64_field("ts", INDEXED | STORED),
        text: builder.add_text_field("text", TEXT | STORED),
    };
    (builder.build(), fields)
}

/// The role name stored for thread-name documents.
pub const NAME_ROLE: &str = "name";

/// The document for one message, with tool text cut to the indexed budget.
pub fn message_doc(
    fields: &Fields,
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
    )
}

/// The document that makes a thread name searchable.
pub fn name_doc(fields: &Fields, session: &str, name: &str, timestamp_ms: i64) -> TantivyDocument {
    doc!(
        fields.session => session,
        fields.file => name_key(session),
        fields.role => NAME_ROLE,
        fields.timestamp => timestamp_ms,
        fields.text => name,
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
    if text.len() <= h + t {
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
