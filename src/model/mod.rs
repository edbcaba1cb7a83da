//! The domain types every stage shares: token usage, usage events, session facts and messages.
//!
//! This module imports nothing from the crate, so parse, stats, index and output can all depend
//! on it without depending on each other.
//!
//! Layout: `usage` holds token counts and usage events (their keys, and the rules that merge or
//! trim them), `limits` the rate-limit snapshots, `ids` the stable hash and the ids of
//! sessions whose files name none, and `paths` how a session's directory is compared with a
//! filter. This file holds the session facts and the conversation's messages. Everything is
//! re-exported here, so callers keep importing from `crate::model`.

mod ids;
mod limits;
mod paths;
mod usage;

use serde::{Deserialize, Serialize};

pub use ids::{PATH_ID_PREFIX, path_id, stable_hash};
pub use limits::{Credits, LimitSnapshot, LimitWindow};
pub use paths::{is_windows_path, path_is_under};
pub use usage::{
    TokenUsage, UsageEvent, drop_leaked_copy, line_event_key, merge_thread_events,
    response_event_key,
};

/// The model name used when a rollout never says which model ran.
pub const UNKNOWN_MODEL: &str = "unknown";

/// Which on-disk generation a rollout file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Generation {
    /// Not known yet (no line read).
    #[default]
    Unknown,
    /// Codex ≤ 0.31: bare session meta, bare response items.
    Legacy,
    /// Codex ≥ 0.32: `{timestamp,type,payload}` envelopes.
    Envelope,
}

/// Everything rolldex knows about one session (one rollout file).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// Thread id: first `session_meta`, else legacy line 1, else the filename UUID.
    pub id: String,
    /// Where the rollout lives.
    pub path: String,
    /// True when the file lives in `archived_sessions/`.
    pub archived: bool,
    /// File format generation.
    pub generation: Generation,
    /// Session creation time (ms since epoch, UTC), from the session meta.
    pub started_at_ms: Option<i64>,
    /// Timestamp of the last line (ms since epoch, UTC).
    pub updated_at_ms: Option<i64>,
    /// Working directory at creation (`session_meta.cwd`).
    pub cwd: Option<String>,
    /// Working directory of the latest `turn_context`, when it differs from `cwd`.
    pub latest_cwd: Option<String>,
    /// Workspace root that newer Codex versions record in `turn_context.workspace_roots`.
    pub workspace_root: Option<String>,
    /// Git branch at creation.
    pub git_branch: Option<String>,
    /// Git remote URL at creation.
    pub git_repository_url: Option<String>,
    /// Git commit at creation.
    pub git_commit: Option<String>,
    /// The client that wrote the session (`codex_cli_rs`, `codex_exec`, `codex_vscode`, …).
    pub originator: Option<String>,
    /// Session source, flattened to text (`cli`, `exec`, `subagent:review`, `internal:guardian`, …).
    pub source: Option<String>,
    /// Why the thread exists (Codex ≥ 0.150): `user`, `subagent`, `guardian_review`,
    /// `memory_consolidation`, …
    pub thread_source: Option<String>,
    /// A sub-agent's role (`session_meta.agent_role`, alias `agent_type`).
    pub agent_role: Option<String>,
    /// A sub-agent's nickname.
    pub agent_nickname: Option<String>,
    /// Codex version that created the session.
    pub cli_version: Option<String>,
    /// Model provider id (not the model).
    pub model_provider: Option<String>,
    /// Models in the order they were first used.
    pub models: Vec<String>,
    /// The thread this one was forked or spawned from.
    pub forked_from_id: Option<String>,
    /// History this session inherits by reference (`session_meta.history_base`, Codex ≥ 0.153
    /// paginated forks and reverts): never counted again, shown by `show`.
    pub history_base: Option<HistoryBase>,
    /// First real user message, injected context stripped.
    pub title: Option<String>,
    /// Thread name from `session_index.jsonl` or a `thread_name_updated` event.
    pub thread_name: Option<String>,
    /// False for `codex exec`, app-server (`mcp`), sub-agent and internal sessions.
    pub interactive: bool,
    /// Number of user turns.
    pub turns: u32,
    /// Sum of the session's counted usage.
    pub usage: TokenUsage,
}

impl SessionInfo {
    /// Sets the session's usage and models from `events` (after merging files of one thread).
    pub fn recount(&mut self, events: &[UsageEvent]) {
        self.usage = TokenUsage::default();
        for event in events {
            self.usage.add(&event.usage);
            if !self.models.iter().any(|m| **m == *event.model) {
                self.models.push(event.model.to_string());
            }
        }
    }

    /// True when the id was derived from the file's path (the file names no session).
    pub fn id_is_derived(&self) -> bool {
        self.id.starts_with(PATH_ID_PREFIX)
    }

    /// The thread name when there is one, else the title.
    pub fn display_name(&self) -> Option<&str> {
        self.thread_name.as_deref().or(self.title.as_deref())
    }
}

/// Where a session's inherited history ends in its base rollout.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryBase {
    /// The base rollout's id (a thread id, or a revert file's rollout id).
    pub rollout_id: String,
    /// The exclusive end, in plain (decoded) bytes of the base file.
    pub end_byte_offset: Option<u64>,
}

/// Who said a message in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// What the human typed.
    User,
    /// The assistant's reply.
    Assistant,
    /// A reasoning summary.
    Reasoning,
    /// A tool call: a command line, a patch, a web search.
    ToolCall,
    /// What a tool returned.
    ToolOutput,
}

impl Role {
    /// The name used in JSON output and `--role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Reasoning => "reasoning",
            Role::ToolCall => "tool_call",
            Role::ToolOutput => "tool_output",
        }
    }
}

/// One piece of conversation text, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Line timestamp (ms since epoch), when the line has one.
    pub timestamp_ms: Option<i64>,
    /// Who said it.
    pub role: Role,
    /// Tool name for tool calls and outputs.
    pub tool: Option<String>,
    /// The text.
    pub text: String,
}
