//! The `session_to_resume` tool: the session a query (or the working directory) points at, with
//! the `codex resume` and `codex exec resume` commands that continue it.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ToolResult, answer, clip_line, cwd, finish_text};
use crate::codex_config;
use crate::config::Config;
use crate::find::{ResumeQuery, sessions_to_resume};
use crate::index::IndexStore;
use crate::output::sessions::{SessionView, session_view};

/// Parameters of `session_to_resume`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ResumeParams {
    /// Words to look for in whole conversations and thread names; without it, the most
    /// recently active session.
    pub query: Option<String>,
    /// Only sessions in this directory or below (absolute path). Without a query, the default
    /// is the server's working directory, like `codex resume --last`.
    pub cwd: Option<String>,
}

/// Result of `session_to_resume`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ResumeResult<'a> {
    /// The session to resume.
    pub session_id: String,
    /// Resumes it in the Codex TUI.
    pub resume_command: String,
    /// Resumes it non-interactively: append the prompt to send.
    pub exec_resume_command: String,
    /// The session's facts (with the matching text when a query was given).
    pub session: SessionView<'a>,
    /// Remarks about the answer.
    pub notes: Vec<String>,
}

/// `session_to_resume`. `here` is the server's working directory (the default scope without
/// a query, like `codex resume --last`).
pub fn resume(
    config: &Config,
    store: &IndexStore,
    p: &ResumeParams,
    here: Option<String>,
    notes: Vec<String>,
) -> ToolResult {
    let text = p.query.clone().unwrap_or_default();
    let scope = match (&p.cwd, text.trim().is_empty()) {
        (Some(dir), _) => Some(cwd(dir)),
        (None, true) => here,
        (None, false) => None,
    };
    let query = ResumeQuery {
        text: text.clone(),
        cwd: scope.clone(),
        include_non_interactive: false,
        limit: 1,
        snippets: true,
    };
    let found = sessions_to_resume(store, &query).map_err(|e| e.to_string())?;
    let Some(best) = found.into_iter().next() else {
        let what = if text.trim().is_empty() {
            String::new()
        } else {
            format!(" matching {text:?}")
        };
        return Err(match scope {
            Some(dir) => format!(
                "no session{what} in {dir}: give another cwd, or leave cwd out{}",
                if text.trim().is_empty() {
                    " and give a query"
                } else {
                    " to look in every project"
                }
            ),
            None => format!("no session{what} in any project: try other words"),
        });
    };
    let session = best.session;
    let resume_command = codex_config::resume_command("codex", &["resume"], session, &config.homes);
    let exec_resume_command =
        codex_config::resume_command("codex", &["exec", "resume"], session, &config.homes);
    let local = |ms: i64| config.zone.format_minute(ms);
    let mut view = session_view(session, &local);
    view.snippet = best.snippet;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  {}  {}\n{}\n  {resume_command}\n  {exec_resume_command} \"<prompt>\"",
        session.id,
        view.local.0,
        view.cwd.unwrap_or("?"),
        clip_line(session.display_name().unwrap_or(""), 100)
    );
    finish_text(&mut out, &notes);
    answer(
        out,
        &ResumeResult {
            session_id: session.id.clone(),
            resume_command,
            exec_resume_command,
            session: view,
            notes,
        },
    )
}
