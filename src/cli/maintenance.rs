//! Arguments of the commands that look after rolldex's inputs rather than answer questions:
//! `index` (build or rebuild the index) and `doctor` (check the Codex homes).

use clap::Args;

/// Arguments of `rolldex doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// List every session id in the report, not just the first three per line.
    #[arg(long)]
    pub all_ids: bool,
}

/// Arguments of `rolldex index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Throw the index away and build it again from scratch.
    #[arg(long)]
    pub rebuild: bool,
}
