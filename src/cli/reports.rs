//! Arguments of the commands that report usage: `stats`, `limits` and `statusline` (tokens,
//! cost and rate-limit windows, over time).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::limit;

/// Arguments of `rolldex limits`.
#[derive(Debug, Args)]
pub struct LimitsArgs {
    /// List past window instances with their peak and the tokens and cost spent inside.
    #[arg(long)]
    pub history: bool,
    /// With --history: only instances ending on or after this day (YYYY-MM-DD, in --tz).
    #[arg(long, value_name = "DATE", requires = "history")]
    pub since: Option<String>,
    /// With --history: only instances starting on or before this day (YYYY-MM-DD, in --tz).
    #[arg(long, value_name = "DATE", requires = "history")]
    pub until: Option<String>,
    /// With --history: how many sessions to name per instance.
    #[arg(long, default_value_t = 3, value_parser = limit)]
    pub top: usize,
    /// Redraw whenever rollouts change, until Ctrl-C.
    #[arg(long, conflicts_with = "no_update")]
    pub watch: bool,
    /// Answer from the index as it is, without reading new or changed files first.
    #[arg(long)]
    pub no_update: bool,
    /// Compute as if it were this instant (RFC 3339; for tests).
    #[arg(long, value_name = "TIME", hide = true)]
    pub now: Option<String>,
}

/// Arguments of `rolldex statusline`.
#[derive(Debug, Args)]
pub struct StatuslineArgs {
    /// A template of named fields: {5h} {5h_reset} {wk} {wk_reset} {today} {today_tokens}
    /// {age} {plan} {limit}; a field without a value prints as `-`. `--format TEMPLATE` says
    /// the same.
    #[arg(long, short = 't', value_name = "TEMPLATE")]
    pub template: Option<String>,
    /// Bring the index up to date first (reads the homes: slower).
    #[arg(long)]
    pub update: bool,
    /// Compute as if it were this instant (RFC 3339; for tests).
    #[arg(long, value_name = "TIME", hide = true)]
    pub now: Option<String>,
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
    /// Answer from the index as it is, without reading new or changed files first.
    #[arg(long, conflicts_with = "no_index")]
    pub no_update: bool,
    /// Read the rollout files directly instead of using the index.
    #[arg(long)]
    pub no_index: bool,
    /// Redraw whenever rollouts change, until Ctrl-C.
    #[arg(long, conflicts_with_all = ["no_index", "no_update"])]
    pub watch: bool,
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
