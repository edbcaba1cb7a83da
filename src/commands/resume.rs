//! `rolldex resume`: prints the id of the session to resume (only ids on stdout), or runs
//! `codex resume <id>` itself.

use std::collections::HashMap;
use std::io::Write;

use super::Io;
use super::refresh::{Freshness, Needs, open_index};
use super::search::SessionFilter;
use super::sessions::sort_newest_first;
use super::stats::absolute;
use crate::cli::ResumeArgs;
use crate::codex_config;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::SessionInfo;
use crate::output::sessions::{session_view, write_sessions};
use crate::output::{Format, sanitize};
use crate::query::{Narrow, SearchRequest, search, session_scores};

/// Scores within this factor of each other count as a tie, broken by recency.
const NEAR_TIE: f32 = 1.05;

/// Runs `resume`; returns the exit code.
pub fn run(config: &Config, args: &ResumeArgs, io: &mut Io<'_>) -> Result<u8> {
    if args.limit == 0 {
        return Err(Error::Usage("--limit must be at least 1".into()));
    }
    let text = args.query.join(" ");
    let (store, _) = open_index(
        config,
        Freshness::for_query(args.no_update),
        Needs::Sessions,
        io,
    )?;
    let cwd = match (&args.cwd, args.all, text.trim().is_empty()) {
        (Some(dir), _, _) => Some(absolute(dir).to_string_lossy().into_owned()),
        // Like `codex resume --last`: without a query, the current directory's sessions.
        (None, false, true) => {
            let here = std::env::current_dir().map_err(|e| Error::io(".", e))?;
            Some(here.to_string_lossy().into_owned())
        }
        _ => None,
    };
    let filter = SessionFilter {
        cwd,
        model: None,
        include_non_interactive: args.include_non_interactive,
    };
    let mut candidates: Vec<&SessionInfo> = store
        .session_infos()
        .into_iter()
        // A file that names no session cannot be resumed by Codex.
        .filter(|s| filter.accepts(s) && !s.id_is_derived())
        .collect();
    let mut snippets: HashMap<String, String> = HashMap::new();
    if text.trim().is_empty() {
        // Like `codex resume --last`, which lists only sessions that are not archived.
        candidates.retain(|s| !s.archived);
        sort_newest_first(&mut candidates);
    } else {
        let allowed = candidates.iter().map(|s| s.id.clone()).collect();
        let narrow = match (&filter.cwd, filter.include_non_interactive) {
            (Some(_), _) => Narrow::ToSessions,
            (None, false) => Narrow::ToInteractive,
            (None, true) => Narrow::No,
        };
        let scores = session_scores(&store, &text, &allowed, narrow)?;
        candidates.retain(|s| scores.contains_key(&s.id));
        rank_by_relevance(&mut candidates, &scores);
        if config.format != Format::Table {
            for session in candidates.iter().take(args.limit) {
                let request = SearchRequest {
                    text: text.clone(),
                    sessions: Some(std::iter::once(session.id.clone()).collect()),
                    limit: 1,
                    ..SearchRequest::default()
                };
                if let Some(hit) = search(&store, &request)?.into_iter().next() {
                    snippets.insert(session.id.clone(), hit.snippet);
                }
            }
        }
    }
    candidates.truncate(args.limit);
    if candidates.is_empty() {
        if !config.quiet {
            let scope = filter.cwd.as_deref().map_or_else(
                || "any project".to_owned(),
                |d| format!("{d} (use --all for every project)"),
            );
            let what = if text.trim().is_empty() {
                String::new()
            } else {
                format!(" matching {text:?}")
            };
            let _ = writeln!(io.err, "rolldex: no session{what} in {scope}");
        }
        return Ok(1);
    }
    if args.exec {
        let provider = codex_config::resume_override(candidates[0], &config.homes);
        return exec_codex(args, &candidates[0].id, provider.as_deref());
    }
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        if config.format != Format::Table {
            let local = |ms: i64| config.zone.format_minute(ms);
            let views: Vec<_> = candidates
                .iter()
                .map(|s| {
                    let mut view = session_view(s, &local);
                    view.snippet = snippets.get(&s.id).cloned();
                    view
                })
                .collect();
            return write_sessions(out, &views, config.format);
        }
        for session in &candidates {
            if args.print_command {
                // The id comes from the data: quoted for the shell, and after `--` when it
                // would otherwise read as an option.
                // `codex resume` lists only the configured provider's sessions.
                let provider = codex_config::resume_override(session, &config.homes)
                    .map(|p| format!("-c {} ", shell_word(&p)))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{} resume {provider}{}{}",
                    shell_word(&args.codex_bin.to_string_lossy()),
                    end_of_options(&session.id),
                    shell_word(&sanitize(&session.id))
                )?;
            } else {
                writeln!(out, "{}", sanitize(&session.id))?;
            }
        }
        Ok(())
    };
    write(io.out).map_err(|e| Error::io("<stdout>", e))?;
    Ok(0)
}

/// Sorts by relevance, best first. Sessions whose score is within `NEAR_TIE` of the best
/// remaining score form a near-tie and go newest first; then the next group, and so on.
fn rank_by_relevance(candidates: &mut [&SessionInfo], scores: &HashMap<String, f32>) {
    let score = |s: &SessionInfo| scores.get(&s.id).copied().unwrap_or(0.0);
    let newest_first = |a: &&SessionInfo, b: &&SessionInfo| {
        b.updated_at_ms
            .cmp(&a.updated_at_ms)
            .then_with(|| a.id.cmp(&b.id))
    };
    candidates.sort_by(|a, b| {
        score(b)
            .total_cmp(&score(a))
            .then_with(|| newest_first(a, b))
    });
    let mut start = 0;
    while start < candidates.len() {
        let top = score(candidates[start]);
        let run = candidates[start..]
            .iter()
            .take_while(|s| score(s) * NEAR_TIE >= top)
            .count()
            .max(1);
        candidates[start..start + run].sort_by(newest_first);
        start += run;
    }
}

/// Replaces this process with `codex resume [-c model_provider=…] <id>` (never through a shell).
fn exec_codex(args: &ResumeArgs, id: &str, provider: Option<&str>) -> Result<u8> {
    let mut command = std::process::Command::new(&args.codex_bin);
    command.arg("resume");
    if let Some(provider) = provider {
        command.arg("-c").arg(provider);
    }
    if !end_of_options(id).is_empty() {
        command.arg("--");
    }
    command.arg(id);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let error = command.exec();
        Err(Error::Usage(format!(
            "cannot run {}: {error}",
            args.codex_bin.display()
        )))
    }
    #[cfg(not(unix))]
    {
        let status = command
            .status()
            .map_err(|e| Error::Usage(format!("cannot run {}: {e}", args.codex_bin.display())))?;
        Ok(u8::try_from(status.code().unwrap_or(1)).unwrap_or(1))
    }
}

/// `"-- "` when `id` starts with `-` (a crafted `session_meta.id` such as `--help` must reach
/// codex as an id, not as an option), else `""`.
fn end_of_options(id: &str) -> &'static str {
    if id.starts_with('-') { "-- " } else { "" }
}

/// Quotes a word for a POSIX shell when it needs quoting: anything but
/// `[A-Za-z0-9_./:=@%+-]` is single-quoted.
fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=@%".contains(c))
    {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranking_is_a_total_order_and_prefers_recent_near_ties() {
        let sessions: Vec<SessionInfo> = (0..2000)
            .map(|i| SessionInfo {
                id: format!("s{i:04}"),
                updated_at_ms: Some((i * 7919) % 1000),
                ..SessionInfo::default()
            })
            .collect();
        let scores: HashMap<String, f32> = sessions
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), 1.0 + ((i * 31) % 97) as f32 * 0.013))
            .collect();
        let mut refs: Vec<&SessionInfo> = sessions.iter().collect();
        rank_by_relevance(&mut refs, &scores); // must not panic on thousands of near-ties
        let best = scores[&refs[0].id];
        assert!(scores.values().all(|s| *s <= best * NEAR_TIE));

        let old = SessionInfo {
            id: "old".into(),
            updated_at_ms: Some(1),
            ..SessionInfo::default()
        };
        let new = SessionInfo {
            id: "new".into(),
            updated_at_ms: Some(2),
            ..SessionInfo::default()
        };
        let far = SessionInfo {
            id: "far".into(),
            updated_at_ms: Some(3),
            ..SessionInfo::default()
        };
        let scores: HashMap<String, f32> = [
            ("old".into(), 10.0),
            ("new".into(), 10.01),
            ("far".into(), 5.0),
        ]
        .into();
        let mut refs = vec![&far, &old, &new];
        rank_by_relevance(&mut refs, &scores);
        let order: Vec<&str> = refs.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(order, ["new", "old", "far"]);
    }
}
