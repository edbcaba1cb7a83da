//! The exported tables, declared once: each table's name, its columns and their types. The
//! writers, the README's schema and the tests all follow these declarations; a change that a
//! loader would notice bumps [`EXPORT_SCHEMA_VERSION`].

/// The version of the exported tables' schema: bumped when a column changes meaning, type or
/// name (a column added at the end is not a change a loader notices).
pub const EXPORT_SCHEMA_VERSION: i64 = 1;

/// A column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// UTF-8 text (Parquet `BYTE_ARRAY (STRING)`).
    Text,
    /// A 64-bit integer (`INT64`).
    Int,
    /// A 64-bit float (`DOUBLE`).
    Float,
    /// `BOOLEAN`.
    Bool,
    /// An instant, UTC, millisecond precision (`INT64 (TIMESTAMP(MILLIS, true))`; ndjson: an
    /// RFC 3339 string ending in `Z`).
    Time,
    /// A calendar day, UTC (`INT32 (DATE)`; ndjson: `YYYY-MM-DD`).
    Day,
    /// A list of text (`LIST<STRING>`; ndjson: an array).
    TextList,
}

/// One column of a table.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Its name (the JSON output's name where one exists).
    pub name: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Whether it may be null.
    pub nullable: bool,
}

/// One exported table.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// The table's name, which starts its files' names.
    pub name: &'static str,
    /// Its columns, in order.
    pub columns: &'static [Column],
    /// True for a snapshot (written whole, stamped `exported_at`), false for append-only facts.
    pub snapshot: bool,
}

const fn col(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        kind,
        nullable: false,
    }
}

const fn opt(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        kind,
        nullable: true,
    }
}

/// `usage_events`: one row per counted usage amount, append-only, keyed by
/// (`source_id`, `session_id`, `event_key`).
pub const USAGE_EVENTS: Table = Table {
    name: "usage_events",
    snapshot: false,
    columns: &[
        col("source_id", Kind::Text),
        col("schema_version", Kind::Int),
        col("session_id", Kind::Text),
        col("event_key", Kind::Text),
        col("timestamp", Kind::Time),
        col("model", Kind::Text),
        opt("service_tier", Kind::Text),
        col("input_tokens", Kind::Int),
        col("cached_input_tokens", Kind::Int),
        col("output_tokens", Kind::Int),
        col("reasoning_output_tokens", Kind::Int),
        col("total_tokens", Kind::Int),
        col("cache_write_input_tokens", Kind::Int),
        opt("cost_usd", Kind::Float),
        opt("cost_note", Kind::Text),
    ],
};

/// `sessions`: one row per session, a snapshot per run.
pub const SESSIONS: Table = Table {
    name: "sessions",
    snapshot: true,
    columns: &[
        col("source_id", Kind::Text),
        col("schema_version", Kind::Int),
        col("exported_at", Kind::Time),
        col("session_id", Kind::Text),
        col("id_from_path", Kind::Bool),
        opt("started_at", Kind::Time),
        opt("updated_at", Kind::Time),
        opt("cwd", Kind::Text),
        col("project", Kind::Text),
        opt("repository", Kind::Text),
        opt("git_branch", Kind::Text),
        opt("originator", Kind::Text),
        col("client", Kind::Text),
        opt("source", Kind::Text),
        col("interactive", Kind::Bool),
        col("archived", Kind::Bool),
        col("models", Kind::TextList),
        opt("model_provider", Kind::Text),
        opt("cli_version", Kind::Text),
        opt("forked_from_id", Kind::Text),
        opt("name", Kind::Text),
        opt("title", Kind::Text),
        col("turns", Kind::Int),
        col("events", Kind::Int),
        col("input_tokens", Kind::Int),
        col("cached_input_tokens", Kind::Int),
        col("output_tokens", Kind::Int),
        col("reasoning_output_tokens", Kind::Int),
        col("total_tokens", Kind::Int),
        col("cache_write_input_tokens", Kind::Int),
        opt("cost_usd", Kind::Float),
        col("cost_complete", Kind::Bool),
        opt("cost_note", Kind::Text),
    ],
};

/// `daily`: usage per UTC day × model × project × client, a snapshot per run.
pub const DAILY: Table = Table {
    name: "daily",
    snapshot: true,
    columns: &[
        col("source_id", Kind::Text),
        col("schema_version", Kind::Int),
        col("exported_at", Kind::Time),
        col("day", Kind::Day),
        col("model", Kind::Text),
        col("project", Kind::Text),
        col("client", Kind::Text),
        col("sessions", Kind::Int),
        col("events", Kind::Int),
        col("input_tokens", Kind::Int),
        col("cached_input_tokens", Kind::Int),
        col("output_tokens", Kind::Int),
        col("reasoning_output_tokens", Kind::Int),
        col("total_tokens", Kind::Int),
        col("cache_write_input_tokens", Kind::Int),
        opt("cost_usd", Kind::Float),
        col("cost_complete", Kind::Bool),
        opt("cost_note", Kind::Text),
    ],
};

/// `messages` (only with `--include-text`): the conversation, append-only, keyed by
/// (`source_id`, `session_id`, `ordinal`).
pub const MESSAGES: Table = Table {
    name: "messages",
    snapshot: false,
    columns: &[
        col("source_id", Kind::Text),
        col("schema_version", Kind::Int),
        col("session_id", Kind::Text),
        col("ordinal", Kind::Int),
        opt("timestamp", Kind::Time),
        col("role", Kind::Text),
        opt("tool", Kind::Text),
        col("text", Kind::Text),
    ],
};

/// Every table, in the order files are written.
pub const TABLES: [Table; 4] = [USAGE_EVENTS, MESSAGES, SESSIONS, DAILY];
