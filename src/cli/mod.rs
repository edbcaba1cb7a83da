//! The command line, as clap derive types only: the doc comments here are the `--help` text.
//!
//! Nothing in this module runs anything; `app` resolves these raw arguments into a `Config`.
//!
//! Layout: this file holds the top-level `Cli`, the global options and the `Command` list;
//! `format` the `--format` choice, and each family of subcommands keeps its argument structs
//! in a file of its own: `search` (search, resume, sessions, show, pick), `reports` (stats,
//! limits, statusline), `maintenance` (index, doctor) and `integration` (mcp, completions,
//! init). Everything is re-exported here, so callers keep importing from `crate::cli`.

mod format;
mod integration;
mod maintenance;
mod reports;
mod search;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use format::{FormatArg, FormatChoice};
pub use integration::{CompletionsArgs, InitArgs, InitShell, McpArgs};
pub use maintenance::{DoctorArgs, IndexArgs};
pub use reports::{GroupArg, LimitsArgs, StatsArgs, StatuslineArgs};
pub use search::{PickArgs, ResumeArgs, RoleArg, SearchArgs, SessionsArgs, ShowArgs};

use format::format_choice;

/// Search, cost and resume over your OpenAI Codex CLI history.
///
/// rolldex reads the rollout files Codex writes under $CODEX_HOME/sessions (read-only) and
/// answers three questions: what did I say about X (`search`), what did it cost (`stats`), and
/// which session do I resume (`resume`).
#[derive(Debug, Parser)]
#[command(name = "rolldex", version, about, long_about, max_term_width = 100)]
#[allow(missing_docs)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Codex home to read (repeatable). Default: $CODEX_HOME, else ~/.codex.
    #[arg(long = "codex-home", value_name = "DIR", global = true)]
    pub codex_home: Vec<PathBuf>,
    /// Where rolldex keeps its index. Default: $ROLLDEX_INDEX_DIR, else the cache dir + rolldex.
    #[arg(long = "index-dir", value_name = "DIR", global = true)]
    pub index_dir: Option<PathBuf>,
    /// Time zone that decides days, weeks and months: an IANA name, UTC, +05:30, or local.
    #[arg(long, value_name = "ZONE", global = true, allow_hyphen_values = true)]
    pub tz: Option<String>,
    /// Output format: table, json, jsonl or csv (`statusline` takes a template here too,
    /// `export` its file format: parquet or ndjson).
    #[arg(long, global = true, value_name = "FORMAT", value_parser = format_choice)]
    pub format: Option<FormatChoice>,
    /// Shorthand for --format json.
    #[arg(long, global = true, conflicts_with = "format")]
    pub json: bool,
    /// No progress bar and no summary of skipped lines on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Config file (prices, aliases, excludes). Default: $XDG_CONFIG_HOME/rolldex/config.toml.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Skip rollout files whose path (relative to the Codex home) matches this glob (repeatable).
    #[arg(long, value_name = "GLOB", global = true)]
    pub exclude: Vec<String>,
}

/// The largest `--limit` any command accepts: more rows than anyone reads, and small enough
/// that nothing sized by it can overflow or exhaust memory.
pub const MAX_LIMIT: usize = 100_000;

/// Parses a `--limit` value: a whole number from 1 to [`MAX_LIMIT`] (0 would print nothing,
/// and a huge value made `search` abort on a capacity overflow).
fn limit(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number from 1 to {MAX_LIMIT}")),
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Token usage and cost, grouped by day, week, month, session, model, project or client.
    ///
    /// Counts each model call once: re-emitted token_count rows, history copied into forks and
    /// estimate-only rows are skipped, and counters that reset on resume are handled.
    /// Examples:
    ///   rolldex stats                      usage per day, local time
    ///   rolldex stats monthly --breakdown  per month, a row per model
    ///   rolldex stats session --since 2026-03-01 --json
    #[command(verbatim_doc_comment)]
    Stats(StatsArgs),
    /// Build or update the index (queries do this by themselves).
    ///
    /// The index lives in --index-dir, holds conversation text (mode 0700) and is updated
    /// incrementally: a file that only grew is read from where it stopped.
    #[command(verbatim_doc_comment)]
    Index(IndexArgs),
    /// Full-text search over whole conversations, one result per session.
    ///
    /// All words must match. "quoted phrases" match in order, -word excludes (quote the query
    /// or put it after -- so the shell and rolldex don't take -word for a flag), pre* matches a
    /// prefix. Identifiers such as ERR_QX7731, refresh_jwt_token_v2 or src/import.rs are
    /// found whole and by their parts. Exit status: 0 with hits, 1 with none, 2 on a bad query.
    /// Examples:
    ///   rolldex search jwt refresh
    ///   rolldex search '"connection reset"' --role tool --since 2026-03-01
    ///   rolldex search ERR_QX7731 --cwd . --json
    #[command(verbatim_doc_comment)]
    Search(SearchArgs),
    /// Print the id of the session to resume, best first, for `codex resume`.
    ///
    /// Without a query: the most recently updated sessions in the current directory (or
    /// --cwd DIR, or --all). With a query: the sessions whose whole conversation matches best,
    /// in every project (or --cwd DIR). Only ids go to stdout, so it pipes:
    ///   codex exec resume "$(rolldex resume 'jwt refresh')" "continue"
    ///   rolldex resume --limit 3 | xargs -I{} codex resume {}
    ///   rolldex resume --exec          # runs `codex resume <id>` itself
    /// Exit status 1 (and nothing on stdout) when no session matches.
    #[command(verbatim_doc_comment)]
    Resume(ResumeArgs),
    /// List sessions, newest activity first.
    ///
    /// Shows updated and started times, id, cwd, model, client, turns, total tokens and the
    /// thread name (or the first real thing you asked). Examples:
    ///   rolldex sessions --cwd . --limit 5
    ///   rolldex sessions --since 2026-03-01 --include-non-interactive --json
    #[command(verbatim_doc_comment)]
    Sessions(SessionsArgs),
    /// Print one session's conversation.
    ///
    /// ID is a session UUID, a unique prefix of one, or a thread name. Examples:
    ///   rolldex show 019b8fa5
    ///   rolldex show 019b8fa5 --grep migration
    ///   rolldex show "auth refactor" --json | jq .
    #[command(verbatim_doc_comment)]
    Show(ShowArgs),
    /// Check Codex homes for what makes numbers or sessions go missing (read-only).
    ///
    /// Compares each session's end-of-file total (total_tokens of its last token_count) with
    /// threads.tokens_used in Codex's state_5.sqlite (opened read-only and immutable: nothing is
    /// written, no -wal/-shm file appears), and lists unreadable rollout files, sessions
    /// `codex resume` hides (another model_provider than config.toml's, archived, or a source
    /// other than cli/vscode) and record types this rolldex does not know, with the Codex
    /// versions that wrote them. Compressed .jsonl.zst rollouts are read too.
    /// Exit status: 0 when nothing is wrong, 1 when there are findings (total mismatches,
    /// unreadable files or state DB, unknown record types), 2 on errors. Examples:
    ///   rolldex doctor
    ///   rolldex doctor --json | jq '.homes[].mismatches'
    #[command(verbatim_doc_comment)]
    Doctor(DoctorArgs),
    /// Rate-limit windows: how full, when they reset, and when they would fill.
    ///
    /// Read from the rate_limits Codex records with every token count. Windows are told apart
    /// by their length (5h, weekly, …) per limit, never by the primary/secondary slot.
    /// --history lists each past window instance with its peak and what was spent inside it.
    /// Examples:
    ///   rolldex limits
    ///   rolldex limits --history --since 2026-03-01 --json
    ///   rolldex limits --watch
    #[command(verbatim_doc_comment)]
    Limits(LimitsArgs),
    /// One short line for tmux, starship or a shell prompt: `5h 42% ↻1h12m · wk 18% · today $3.10`.
    ///
    /// Answers from the last index update without reading the homes (fast); prints nothing
    /// when there is no data yet. Fields for --template: {5h} {5h_reset} {wk} {wk_reset}
    /// {today} {today_tokens} {age} {plan} {limit}. Examples:
    ///   rolldex statusline
    ///   rolldex statusline --template '{5h} {wk}'
    #[command(verbatim_doc_comment)]
    Statusline(StatuslineArgs),
    /// Pick a session interactively; prints its id (for `codex resume "$(rolldex pick)"`).
    ///
    /// Draws on the terminal (/dev/tty), in its bottom part or with --full-screen the whole of
    /// it; typing ranks whole conversations as `resume QUERY` does. Filters typed in the query:
    /// m:MODEL since:DATE until:DATE in:PATH. Keys: Enter prints the id, Esc/Ctrl-C quits (exit
    /// 130), Tab cycles directory → repository → everywhere, Ctrl-N shows exec and sub-agent
    /// sessions, Ctrl-R runs `codex resume <id>`, Ctrl-O pages through the session ($PAGER).
    /// Examples:
    ///   codex resume "$(rolldex pick)"
    ///   rolldex pick jwt --all --exec
    #[command(verbatim_doc_comment)]
    Pick(PickArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    ///
    /// Examples:
    ///   rolldex completions bash > ~/.local/share/bash-completion/completions/rolldex
    ///   rolldex completions zsh > "${fpath[1]}/_rolldex"
    ///   rolldex completions fish > ~/.config/fish/completions/rolldex.fish
    #[command(verbatim_doc_comment)]
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout: rolldex man > rolldex.1; man ./rolldex.1
    Man,
    /// Print a key binding (Ctrl-G) that opens the picker and puts `codex resume <id>` on the
    /// command line.
    ///
    /// Add to your shell's startup file:
    ///   eval "$(rolldex init bash)"        # ~/.bashrc
    ///   eval "$(rolldex init zsh)"         # ~/.zshrc
    ///   rolldex init fish | source         # ~/.config/fish/config.fish
    #[command(verbatim_doc_comment)]
    Init(InitArgs),
    /// Run a Model Context Protocol server on stdio, for Codex and other agents (read-only).
    ///
    /// Tools: search_sessions, list_sessions, read_session, usage_report, session_to_resume.
    /// The global options (--codex-home, --index-dir, --tz, --config) apply. Add it to Codex:
    ///   codex mcp add rolldex -- rolldex mcp
    #[command(verbatim_doc_comment)]
    Mcp(McpArgs),
    /// Write usage, cost and sessions as Parquet (or ndjson) files for a team's warehouse.
    ///
    /// Tables, one file each per run, named <table>-<stamp>.parquet:
    ///   usage_events  one row per counted model call: session_id, timestamp (UTC), model,
    ///                 service_tier, the six token fields, cost_usd (null + cost_note when
    ///                 unpriced); keyed by (source_id, session_id, event_key)
    ///   sessions      one row per session (times, cwd, project, repository, client, models,
    ///                 turns, tokens, cost): a snapshot, stamped exported_at
    ///   daily         tokens and cost per UTC day x model x project x client: a snapshot
    ///   messages      the conversation text, only with --include-text
    /// Every row carries source_id (which machine) and schema_version. --format parquet (the
    /// default, zstd) or --format ndjson (one JSON object per line) chooses the files' format.
    /// Runs are incremental: DIR/manifest.json records what was exported, and a re-run writes
    /// only usage events and messages it never wrote (in new files; old files are never
    /// rewritten) plus new sessions/daily snapshots; with nothing new it writes nothing. Load
    /// every usage_events file once and each event counts once; take the latest snapshot per
    /// source_id for sessions and daily (the README has the SQL).
    /// Examples:
    ///   rolldex export --out ~/rolldex-export
    ///   rolldex export --out /srv/export --source-id alice@laptop --redact-paths
    ///   rolldex export --out /tmp/x --format ndjson --since 2026-03-01 --include-text
    #[command(verbatim_doc_comment)]
    Export(crate::commands::export::ExportArgs),
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
