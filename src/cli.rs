//! The command line, as clap derive types only: the doc comments here are the `--help` text.
//!
//! Nothing in this file runs anything; `app` resolves these raw arguments into a `Config`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    #[arg(long, value_name = "ZONE", global = true)]
    pub tz: Option<String>,
    /// Output format.
    #[arg(long, value_enum, global = true, value_name = "FORMAT")]
    pub format: Option<FormatArg>,
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

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// A table for people.
    Table,
    /// One JSON document.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
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
    Stats(StatsArgs),
}

/// Arguments of `rolldex stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// How to group rows.
    #[arg(value_enum, default_value_t = GroupArg::Daily)]
    pub group: GroupArg,
    /// First day to include (YYYY-MM-DD, in --tz).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Last day to include (YYYY-MM-DD, in --tz).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only this model.
    #[arg(long)]
    pub model: Option<String>,
    /// Only sessions in this directory or below.
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// Add a row per model under each row.
    #[arg(long)]
    pub breakdown: bool,
}

/// `stats` groupings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupArg {
    /// One row per calendar day.
    Daily,
    /// One row per ISO week (Monday start).
    Weekly,
    /// One row per calendar month.
    Monthly,
    /// One row per session id.
    Session,
    /// One row per model.
    Model,
    /// One row per project (repository root or cwd).
    Project,
    /// One row per client (originator).
    Client,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
