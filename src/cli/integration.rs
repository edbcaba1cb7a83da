//! Arguments of the commands that connect rolldex to other programs: `mcp` (a server for
//! agents), `completions` and `init` (the shell).

use clap::{Args, ValueEnum};

/// Arguments of `rolldex mcp`.
#[derive(Debug, Args)]
pub struct McpArgs {
    /// How long a tool call waits for an index update before it answers from the last one.
    #[arg(long, value_name = "SECONDS", default_value_t = 3.0)]
    pub update_wait: f64,
}

/// Arguments of `rolldex completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `rolldex init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: InitShell,
}

/// Shells `init` has a key binding for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InitShell {
    /// bash (readline).
    Bash,
    /// zsh (zle).
    Zsh,
    /// fish.
    Fish,
}
