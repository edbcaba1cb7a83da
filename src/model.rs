//! The domain types every stage shares: token usage, usage events, session facts and messages.
//!
//! This module imports nothing from the crate, so parse, stats, index and output can all depend
//! on it without depending on each other.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Token counts as Codex reports them: `cached` is a part of `input`, `reasoning` a part of
/// `output`, and `total = input + output`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct TokenUsage {
    /// Input tokens, cached ones included.
    pub input_tokens: i64,
    /// The cached part of `input_tokens`.
    pub cached_input_tokens: i64,
    /// Output tokens, reasoning included.
    pub output_tokens: i64,
    /// The reasoning part of `output_tokens`.
    pub reasoning_output_tokens: i64,
    /// `input_tokens + output_tokens`.
    pub total_tokens: i64,
    /// Tokens written to the prompt cache (Codex ≥ 0.150 records them; 0 when absent). Treated
    /// as a part of `input_tokens` and carried for information, not priced separately.
    #[serde(default)]
    pub cache_write_input_tokens: i64,
}

impl TokenUsage {
    /// Field-wise sum, used to fold events into report rows.
    pub fn add(&mut self, other: &TokenUsage) {
        self.input_tokens = self.input_tokens.saturating_add(other.input_tokens);
        self.cached_input_tokens = self
            .cached_input_tokens
            .saturating_add(other.cached_input_tokens);
        self.output_tokens = self.output_tokens.saturating_add(other.output_tokens);
        self.reasoning_output_tokens = self
            .reasoning_output_tokens
            .saturating_add(other.reasoning_output_tokens);
        self.total_tokens = self.total_tokens.saturating_add(other.total_tokens);
        self.cache_write_input_tokens = self
            .cache_write_input_tokens
            .saturating_add(other.cache_write_input_tokens);
    }

    /// Field-wise difference `self - earlier`.
    #[must_use]
    pub fn minus(&self, earlier: &TokenUsage) -> TokenUsage {
        TokenUsage {
            input_tokens: self.input_tokens.saturating_sub(earlier.input_tokens),
            cached_input_tokens: self
                .cached_input_tokens
                .saturating_sub(earlier.cached_input_tokens),
            output_tokens: self.output_tokens.saturating_sub(earlier.output_tokens),
            reasoning_output_tokens: self
                .reasoning_output_tokens
                .saturating_sub(earlier.reasoning_output_tokens),
            total_tokens: self.total_tokens.saturating_sub(earlier.total_tokens),
            cache_write_input_tokens: self
                .cache_write_input_tokens
                .saturating_sub(earlier.cache_write_input_tokens),
        }
    }

    /// True when any field is negative (a counter went backwards).
    pub fn any_negative(&self) -> bool {
        self.input_tokens < 0
            || self.cached_input_tokens < 0
            || self.output_tokens < 0
            || self.reasoning_output_tokens < 0
            || self.total_tokens < 0
            || self.cache_write_input_tokens < 0
    }

    /// The six figures in a fixed order (input, cached input, output, reasoning, total, cache
    /// write): a compact row, and a key to compare events by.
    pub fn counts(&self) -> [i64; 6] {
        [
            self.input_tokens,
            self.cached_input_tokens,
            self.output_tokens,
            self.reasoning_output_tokens,
            self.total_tokens,
            self.cache_write_input_tokens,
        ]
    }

    /// True when every field is zero.
    pub fn is_zero(&self) -> bool {
        *self == TokenUsage::default()
    }
}

/// One model call's real spend, as the accounting rules extract it from a rollout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageEvent {
    /// The event line's timestamp, milliseconds since the Unix epoch (UTC).
    pub timestamp_ms: i64,
    /// The model in force (latest `turn_context.model`), or `unknown`; shared by every event
    /// of the same model (a history has a handful of models and many thousand events).
    pub model: Arc<str>,
    /// The tokens this call spent.
    pub usage: TokenUsage,
    /// The service tier in force (`priority` for Fast, `flex`), `None` for the standard one:
    /// the latest `thread_settings_applied` said so. It changes the price, not the tokens.
    #[serde(default)]
    pub service_tier: Option<Arc<str>>,
    /// Names this event among its session's events, the same in every run, after a home moves
    /// and in a true copy of the file: [`response_event_key`] where Codex wrote a response id,
    /// else [`line_event_key`]. `export` keys `usage_events` by it. 0 only until the parser
    /// sets it.
    #[serde(default)]
    pub event_key: u64,
}

/// The event key of a `token_usage_record`'s spend: FNV-1a 64 ([`stable_hash`]) of
/// `response` NUL `<response_id>` NUL `<n>`, `n` being how many events the same response
/// counted before in the file (a record repeated with a bigger snapshot counts its growth).
/// Two files of one thread (a revert file, a segment) give one response the same key.
pub fn response_event_key(response_id: &str, occurrence: u32) -> u64 {
    stable_hash(&format!("response\0{response_id}\0{occurrence}"))
}

/// The event key of a usage line without a response id: FNV-1a 64 ([`stable_hash`]) of
/// `line` NUL `<file name>` NUL `<offset>`: the rollout's file name without its directory or a
/// `.zst` suffix, and the line's first byte in the decoded file (decimal).
pub fn line_event_key(file_name: &str, offset: u64) -> u64 {
    let name = file_name.strip_suffix(".zst").unwrap_or(file_name);
    stable_hash(&format!("line\0{name}\0{offset}"))
}

/// One rate-limit window of a snapshot. Windows are told apart by their length, never by the
/// `primary`/`secondary` slot Codex wrote them in (a weekly-only period puts the week first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitWindow {
    /// The window's length (300 = 5 h, 10080 = a week).
    pub window_minutes: u32,
    /// How much of it was used, 0–100.
    pub used_percent: f64,
    /// When it resets (Unix seconds); relative resets are made absolute with the event's time.
    /// `None` in the 0.40 flat shape, which did not say.
    pub resets_at_s: Option<i64>,
}

/// Credits a `rate_limits` snapshot reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credits {
    /// The account has credits.
    pub has_credits: bool,
    /// They are unlimited.
    pub unlimited: bool,
    /// The balance as Codex wrote it (a decimal string), if it did.
    pub balance: Option<String>,
}

/// One `token_count.rate_limits` snapshot of one limit: what the server said at that time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitSnapshot {
    /// The event's time (ms since the Unix epoch, UTC).
    pub time_ms: i64,
    /// The limit bucket (`codex`, `codex_bengalfox`); files before Codex 0.100 say none, which
    /// means `codex`.
    pub limit_id: String,
    /// Its windows (one, two, or none when the server sent no window).
    pub windows: Vec<LimitWindow>,
    /// `plus`, `pro`, …
    pub plan_type: Option<String>,
    /// Credits, when reported.
    pub credits: Option<Credits>,
    /// `rate_limit_reached_type` (`rate_limit_reached`, `workspace_…`) when a limit was hit.
    pub reached: Option<String>,
}

impl LimitSnapshot {
    /// True when `other` says the same as this one, whatever its time.
    pub fn same_values(&self, other: &LimitSnapshot) -> bool {
        self.limit_id == other.limit_id
            && self.windows == other.windows
            && self.plan_type == other.plan_type
            && self.credits == other.credits
            && self.reached == other.reached
    }
}

/// Several files of one thread that are not copies of each other (a revert file beside the
/// file it replaced, a segment beside the live file): each response's event once. Files whose
/// spend comes from `token_usage_record`s hold one event per response, and a prefix two files
/// share is the same lines, so the same event (time, model, tier, tokens) in both is one
/// response.
pub fn merge_thread_events(lists: &[&[UsageEvent]]) -> Vec<UsageEvent> {
    let mut all: Vec<UsageEvent> = lists.iter().flat_map(|l| l.iter().cloned()).collect();
    let key = |e: &UsageEvent| {
        (
            e.timestamp_ms,
            e.model.clone(),
            e.service_tier.clone(),
            e.usage.counts(),
        )
    };
    all.sort_by_cached_key(key);
    all.dedup_by(|a, b| key(a) == key(b));
    all
}

/// How many events after a legacy fork's copied block are compared with its parent's.
const MAX_LEAKED_COPY: usize = 4096;

/// Drops what a legacy fork's copied block leaked past the timestamp rule. Codex stamps the
/// copied parent lines with the time it writes them, so a long copy can cross a second
/// boundary, and the rule (the copy carries the fork's second) then counts the rest of the
/// copy as the child's. The copy's events repeat, in order, the last events the parent spent
/// before the fork: the longest run of the child's first events (from `start`) that equals the
/// end of the parent's events up to `fork_ms` is the leaked copy. Returns how many were
/// dropped.
pub fn drop_leaked_copy(
    child: &mut Vec<UsageEvent>,
    start: usize,
    parent: &[UsageEvent],
    fork_ms: i64,
) -> usize {
    let before: Vec<&UsageEvent> = parent
        .iter()
        .filter(|e| e.timestamp_ms <= fork_ms)
        .collect();
    let tail = child.get(start..).unwrap_or_default();
    let same = |a: &UsageEvent, b: &UsageEvent| a.usage == b.usage && a.model == b.model;
    let most = tail.len().min(before.len()).min(MAX_LEAKED_COPY);
    let leaked = (1..=most)
        .rev()
        .find(|&k| {
            tail[..k]
                .iter()
                .zip(&before[before.len() - k..])
                .all(|(c, p)| same(c, p))
        })
        .unwrap_or(0);
    child.drain(start..start + leaked);
    leaked
}

/// FNV-1a: stable across runs, versions and platforms, unlike std's hasher.
pub fn stable_hash(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// How the id of a session begins when its file names none (no `session_meta` id and no UUID
/// in the file name): `path-` and a stable hash of the path. Every such file is a session of
/// its own; Codex cannot resume it, so `resume` never prints one.
pub const PATH_ID_PREFIX: &str = "path-";

/// The id of a rollout that names no session: derived from its path.
pub fn path_id(path: &str) -> String {
    format!("{PATH_ID_PREFIX}{:016x}", stable_hash(path))
}

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

/// True when `path` equals `dir` or lies below it, comparing whole path components.
///
/// Two Windows paths (see [`is_windows_path`]; sessions recorded on Windows) compare as
/// Windows does: `\` and `/` alike and letters case-insensitively, so `--cwd 'D:\proj'`
/// finds a session in `d:/Proj/app`. POSIX paths stay byte-exact and case-sensitive.
pub fn path_is_under(path: &str, dir: &str) -> bool {
    if is_windows_path(dir) && is_windows_path(path) {
        let fold = |p: &str| p.replace('\\', "/").to_lowercase();
        return components_under(&fold(path), &fold(dir));
    }
    components_under(path, dir)
}

/// [`path_is_under`] on the bytes as they are.
fn components_under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches(['/', '\\']);
    if dir.is_empty() {
        return true;
    }
    match path.strip_prefix(dir) {
        Some(rest) => rest.is_empty() || rest.starts_with('/') || rest.starts_with('\\'),
        None => false,
    }
}

/// True for a path written the Windows way: a drive letter (`D:`, `d:/x`) or a backslash
/// separator (`\\server\share`, `proj\app`).
pub fn is_windows_path(path: &str) -> bool {
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 2
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && bytes.get(2).is_none_or(|c| *c == b'\\' || *c == b'/');
    drive || path.contains('\\')
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_under_compares_components() {
        assert!(path_is_under("/home/u/proj", "/home/u/proj"));
        assert!(path_is_under("/home/u/proj/app", "/home/u/proj/"));
        assert!(!path_is_under("/home/u/project", "/home/u/proj"));
        assert!(path_is_under(r"D:\work\x", r"D:\work"));
        assert!(path_is_under(r"d:/Work/X", r"D:\work"));
        assert!(path_is_under(r"D:\WORK", r"d:\work\"));
        assert!(path_is_under(r"D:\work", r"D:\"));
        assert!(!path_is_under(r"D:\workshop", r"D:\work"));
        assert!(!path_is_under(r"E:\work", r"D:\work"));
        assert!(!path_is_under("/home/U/proj", "/home/u"));
        assert!(!is_windows_path("/home/u/proj"));
        assert!(is_windows_path("C:"));
        assert!(!is_windows_path("ab:c"));
    }

    #[test]
    fn usage_arithmetic() {
        let a = TokenUsage {
            input_tokens: 10,
            cached_input_tokens: 4,
            output_tokens: 5,
            reasoning_output_tokens: 2,
            total_tokens: 15,
            cache_write_input_tokens: 0,
        };
        let b = TokenUsage {
            input_tokens: 3,
            cached_input_tokens: 1,
            output_tokens: 1,
            reasoning_output_tokens: 0,
            total_tokens: 4,
            cache_write_input_tokens: 0,
        };
        let d = a.minus(&b);
        assert_eq!(d.total_tokens, 11);
        assert!(!d.any_negative());
        assert!(b.minus(&a).any_negative());
    }
}
