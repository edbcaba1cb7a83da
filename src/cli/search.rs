//! Arguments of the commands that find a session or read one: `search`, `resume`, `sessions`,
//! `show` and `pick`. They share the session filters (directory, dates, model, non-interactive
//! sessions) and the `--limit` check, so they sit together.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::limit;

/// Arguments of `rolldex resume`.
#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// Words to look for in whole conversations and thread names (optional).
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    /// How many session ids to print (1 to 100000).
    #[arg(long, short = 'n', default_value_t = 1, value_parser = limit)]
    pub limit: usize,
    /// Only sessions in this directory or below (default without a query: the current one).
    #[arg(long, value_name = "DIR", conflicts_with = "all")]
    pub cwd: Option<PathBuf>,
    /// Every project, not just the current directory.
    #[arg(long)]
    pub all: bool,
    /// Include `codex exec` and sub-agent sessions (skipped by default).
    #[arg(long)]
    pub include_non_interactive: bool,
    /// Run `codex resume <ID>` in place of rolldex (no shell involved).
    #[arg(long, conflicts_with = "print_command")]
    pub exec: bool,
    /// Print the `codex resume <ID>` command instead of the bare id.
    #[arg(long)]
    pub print_command: bool,
    /// The codex binary for --exec and --print-command.
    #[arg(long, value_name = "PATH", default_value = "codex")]
    pub codex_bin: PathBuf,
    /// Answer from the index as it is, without reading new or changed files first.
    #[arg(long)]
    pub no_update: bool,
}

/// Arguments of `rolldex pick`.
#[derive(Debug, Args)]
pub struct PickArgs {
    /// The query to start with (optional).
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    /// Start in this directory (Tab still widens the scope).
    #[arg(long, value_name = "DIR", conflicts_with = "all")]
    pub cwd: Option<PathBuf>,
    /// Start with every project.
    #[arg(long)]
    pub all: bool,
    /// Include `codex exec` and sub-agent sessions (Ctrl-N toggles).
    #[arg(long)]
    pub include_non_interactive: bool,
    /// Use the whole screen instead of its bottom part.
    #[arg(long)]
    pub full_screen: bool,
    /// Enter runs `codex resume <ID>` (as Ctrl-R does) instead of printing the id.
    #[arg(long, conflicts_with = "print_command")]
    pub exec: bool,
    /// Enter prints the `codex resume <ID>` command (quoted for the shell) instead of the id.
    #[arg(long)]
    pub print_command: bool,
    /// The codex binary for Ctrl-R and --exec.
    #[arg(long, value_name = "PATH", default_value = "codex")]
    pub codex_bin: PathBuf,
    /// Answer from the index as it is, without updating it in the background.
    #[arg(long)]
    pub no_update: bool,
}

/// Arguments of `rolldex sessions`.
#[derive(Debug, Args)]
pub struct SessionsArgs {
    /// How many sessions to list (1 to 100000).
    #[arg(long, short = 'n', default_value_t = 20, value_parser = limit)]
    pub limit: usize,
    /// Only sessions in this directory or below.
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// Only sessions active on or after this day (YYYY-MM-DD, in --tz).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only sessions started on or before this day (YYYY-MM-DD, in --tz).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only sessions that used this model.
    #[arg(long)]
    pub model: Option<String>,
    /// Include `codex exec` and sub-agent sessions (hidden by default).
    #[arg(long)]
    pub include_non_interactive: bool,
    /// Answer from the index as it is, without reading new or changed files first.
    #[arg(long)]
    pub no_update: bool,
}

/// Arguments of `rolldex show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Session UUID, unique UUID prefix, or thread name.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Only the turns that mention WORD (case-insensitive), whole.
    #[arg(long, value_name = "WORD")]
    pub grep: Option<String>,
    /// Print tool outputs whole instead of shortened.
    #[arg(long)]
    pub full: bool,
    /// Answer from the index as it is, without reading new or changed files first.
    #[arg(long)]
    pub no_update: bool,
}

/// `--role` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// What you typed.
    User,
    /// The assistant's replies.
    Assistant,
    /// Reasoning summaries.
    Reasoning,
    /// Tool calls (commands, patches) and their output.
    Tool,
}

/// Arguments of `rolldex search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query; several words are joined with spaces. Quote it (or put it after --) when it
    /// has -excluded words: rolldex search 'widget -resize'.
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
    /// Only messages on or after this day (YYYY-MM-DD, in --tz).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only messages on or before this day (YYYY-MM-DD, in --tz).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only sessions in this directory or below.
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// Only sessions that used this model.
    #[arg(long)]
    pub model: Option<String>,
    /// Only this kind of message.
    #[arg(long, value_enum)]
    pub role: Option<RoleArg>,
    /// How many sessions to show (1 to 100000).
    #[arg(long, short = 'n', default_value_t = 10, value_parser = limit)]
    pub limit: usize,
    /// Include `codex exec` and sub-agent sessions (hidden by default).
    #[arg(long)]
    pub include_non_interactive: bool,
    /// Answer from the index as it is, without reading new or changed files first.
    #[arg(long)]
    pub no_update: bool,
}
