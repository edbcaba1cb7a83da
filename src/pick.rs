//! The use case behind `rolldex pick`: what the picker's typed line means, which sessions it
//! lists in which order, and what its preview shows — as plain values, so the terminal front
//! end only draws and reads keys.
//!
//! Ranking is `resume QUERY`'s ([`sessions_to_resume`]), not a copy of it: the scope and the
//! typed filters (`m:MODEL`, `since:DATE`, `until:DATE`, `in:PATH`) only narrow its answer. A
//! partly typed last word matches as a prefix, so the list follows the keyboard.

use crate::keys::SessionFacts;
use std::path::Path;

use crate::error::Result;
use crate::filters::DateRange;
use crate::find::{ResumeQuery, sessions_to_resume};
use crate::index::IndexStore;
use crate::model::{Message, Role, SessionInfo};
use crate::pricing::PriceTable;
use crate::timezone::Zone;

/// Where the picker looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Sessions in this directory or below.
    Directory(String),
    /// Sessions anywhere in this repository (its root directory).
    Repository(String),
    /// Every project.
    Everywhere,
}

impl Scope {
    /// The directory the scope keeps sessions under, if any.
    pub fn dir(&self) -> Option<&str> {
        match self {
            Scope::Directory(d) | Scope::Repository(d) => Some(d),
            Scope::Everywhere => None,
        }
    }

    /// How the status line names it.
    pub fn label(&self) -> String {
        match self {
            Scope::Directory(d) => format!("dir {d}"),
            Scope::Repository(d) => format!("repo {d}"),
            Scope::Everywhere => "everywhere".to_owned(),
        }
    }
}

/// The scopes Tab cycles through, in order: this directory, its repository (when it is in
/// one and that is another directory), everywhere.
pub fn scope_cycle(here: &str, repo_root: Option<&str>) -> Vec<Scope> {
    let mut scopes = vec![Scope::Directory(here.to_owned())];
    if let Some(root) = repo_root.filter(|r| *r != here) {
        scopes.push(Scope::Repository(root.to_owned()));
    }
    scopes.push(Scope::Everywhere);
    scopes
}

/// The scope to open in: this directory when it has sessions, else everywhere.
pub fn default_scope(store: &IndexStore, here: &str, include_non_interactive: bool) -> Scope {
    let has = store
        .sessions()
        .keys()
        .iter()
        .any(|s| (include_non_interactive || s.interactive) && s.is_under(here));
    if has {
        Scope::Directory(here.to_owned())
    } else {
        Scope::Everywhere
    }
}

/// The typed line, split into the query and the filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Typed {
    /// The query in rolldex's query language (the last word made a prefix while it is typed).
    pub query: String,
    /// The words to highlight (lowercase, without quotes, `-` exclusions or `*`).
    pub words: Vec<String>,
    /// `m:MODEL`.
    pub model: Option<String>,
    /// `since:DATE` and `until:DATE`.
    pub range: DateRange,
    /// `in:PATH`, made absolute against the picker's directory.
    pub within: Option<String>,
    /// What is wrong with a filter (it is then ignored).
    pub problem: Option<String>,
}

/// Reads the typed line; `here` resolves a relative `in:PATH`.
pub fn parse_typed(line: &str, here: &str) -> Typed {
    let mut typed = Typed::default();
    let mut kept: Vec<&str> = Vec::new();
    let (mut since, mut until) = (None, None);
    let mut quoted = false;
    for token in line.split_whitespace() {
        let filter = if quoted { None } else { token.split_once(':') };
        match filter {
            Some(("m", model)) if !model.is_empty() => typed.model = Some(model.to_owned()),
            Some(("since", date)) if !date.is_empty() => since = Some(date),
            Some(("until", date)) if !date.is_empty() => until = Some(date),
            Some(("in", path)) if !path.is_empty() => {
                let joined = Path::new(here).join(path);
                typed.within = Some(
                    crate::config::absolute_clean(&joined)
                        .to_string_lossy()
                        .into(),
                );
            }
            _ => {
                kept.push(token);
                if token.matches('"').count() % 2 == 1 {
                    quoted = !quoted;
                }
            }
        }
    }
    match DateRange::parse(since, until) {
        Ok(range) => typed.range = range,
        Err(e) => {
            let text = e.to_string();
            typed.problem = Some(
                text.replace("--since", "since:")
                    .replace("--until", "until:"),
            );
        }
    }
    // The last word while it is typed (no space after it yet) matches as a prefix.
    let typing = !line.ends_with(char::is_whitespace);
    let last_is_word = line
        .split_whitespace()
        .last()
        .is_some_and(|t| kept.last() == Some(&t));
    typed.query = match kept.split_last() {
        Some((last, rest))
            if typing
                && last_is_word
                && !quoted
                && last.chars().all(|c| c.is_alphanumeric() || c == '_') =>
        {
            let mut words: Vec<String> = rest.iter().map(|w| (*w).to_owned()).collect();
            words.push(format!("{last}*"));
            words.join(" ")
        }
        _ => kept.join(" "),
    };
    typed.words = kept
        .iter()
        .filter(|t| !t.starts_with('-'))
        .flat_map(|t| t.split(['"', '*']))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    typed
}

/// One picker question.
#[derive(Debug, Clone)]
pub struct PickRequest {
    /// The typed line.
    pub line: String,
    /// Where to look.
    pub scope: Scope,
    /// Keep `codex exec` and sub-agent sessions.
    pub include_non_interactive: bool,
    /// The picker's directory (for `in:PATH`).
    pub here: String,
    /// How many rows at most.
    pub limit: usize,
}

/// A row of the list.
#[derive(Debug, Clone)]
pub struct PickRow<'a> {
    /// The session.
    pub session: &'a SessionInfo,
    /// Its cost in USD, when every model it used is priced (summed over its usage as one
    /// model when it used one; `None` when it used several).
    pub cost: Option<f64>,
}

/// The answer to a [`PickRequest`].
#[derive(Debug, Clone, Default)]
pub struct Picked<'a> {
    /// Rows, best first (without a query: most recently updated first).
    pub rows: Vec<PickRow<'a>>,
    /// How the line was read.
    pub typed: Typed,
}

/// Lists the sessions for `request`, ranked as `resume QUERY` ranks them.
pub fn pick<'a>(
    store: &'a IndexStore,
    zone: &Zone,
    prices: &PriceTable,
    request: &PickRequest,
) -> Result<Picked<'a>> {
    let typed = parse_typed(&request.line, &request.here);
    let query = ResumeQuery {
        text: typed.query.clone(),
        cwd: request.scope.dir().map(str::to_owned),
        include_non_interactive: request.include_non_interactive,
        limit: usize::MAX,
        snippets: false,
    };
    let (since_ms, until_ms) = typed.range.bounds_ms(zone);
    let rows = sessions_to_resume(store, &query)?
        .into_iter()
        .map(|c| c.session)
        .filter(|s| {
            typed.model.as_deref().is_none_or(|m| {
                let m = m.to_lowercase();
                s.models.iter().any(|x| x.to_lowercase().contains(&m))
            })
        })
        .filter(|s| typed.within.as_deref().is_none_or(|d| s.is_under(d)))
        .filter(|s| since_ms.is_none_or(|t| s.updated_at_ms.is_some_and(|u| u >= t)))
        .filter(|s| {
            until_ms.is_none_or(|t| s.started_at_ms.or(s.updated_at_ms).is_some_and(|u| u < t))
        })
        .take(request.limit)
        .map(|session| PickRow {
            session,
            cost: session_cost(session, prices),
        })
        .collect();
    Ok(Picked { rows, typed })
}

/// The session's cost when it used a single priced model.
fn session_cost(session: &SessionInfo, prices: &PriceTable) -> Option<f64> {
    match session.models.as_slice() {
        [model] => prices.price(model).map(|p| p.cost(&session.usage)),
        _ => None,
    }
}

/// One excerpt of the preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewLine {
    /// Who said it.
    pub role: Role,
    /// When (ms).
    pub time_ms: Option<i64>,
    /// The text around the match (whole lines, at most a few hundred characters).
    pub text: String,
}

/// A session's messages ready for previews: each text lowercased once, so that a preview for
/// each new query only searches (the picker keeps a few of these while the user types).
#[derive(Debug, Clone, Default)]
pub struct PreviewSource {
    messages: Vec<Message>,
    lower: Vec<String>,
}

impl PreviewSource {
    /// Prepares `messages` (in conversation order).
    pub fn new(messages: Vec<Message>) -> PreviewSource {
        let lower = messages.iter().map(|m| m.text.to_lowercase()).collect();
        PreviewSource { messages, lower }
    }
}

/// The messages of `source` that match `words` best (most distinct words, then latest), in
/// conversation order, each cut to the lines around its first match; without words the last
/// messages. At most `max` excerpts.
pub fn preview(source: &PreviewSource, words: &[String], max: usize) -> Vec<PreviewLine> {
    let messages = &source.messages;
    let mut chosen: Vec<(usize, usize)> = if words.is_empty() {
        (messages.len().saturating_sub(max)..messages.len())
            .map(|i| (i, 0))
            .collect()
    } else {
        let mut scored: Vec<(usize, usize)> = source
            .lower
            .iter()
            .enumerate()
            .filter_map(|(i, lower)| {
                let n = words.iter().filter(|w| lower.contains(w.as_str())).count();
                (n > 0).then_some((i, n))
            })
            .collect();
        scored.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
        scored.truncate(max);
        scored.sort_unstable();
        scored
    };
    chosen.dedup();
    chosen
        .into_iter()
        .map(|(i, _)| {
            let message = &messages[i];
            PreviewLine {
                role: message.role,
                time_ms: message.timestamp_ms,
                text: excerpt(&message.text, words),
            }
        })
        .collect()
}

/// The lines around the first line that holds one of `words` (two before, three after), at
/// most `EXCERPT` characters.
fn excerpt(text: &str, words: &[String]) -> String {
    const EXCERPT: usize = 600;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let hit = lines
        .iter()
        .position(|l| {
            let lower = l.to_lowercase();
            words.iter().any(|w| lower.contains(w.as_str()))
        })
        .unwrap_or(0);
    let from = hit.saturating_sub(2);
    let to = (hit + 4).min(lines.len());
    let joined = lines[from..to].join("\n");
    match joined.char_indices().nth(EXCERPT) {
        Some((cut, _)) => format!("{}…", &joined[..cut]),
        None => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_line_splits_filters_and_prefixes_the_last_word() {
        let typed = parse_typed("jwt refr m:gpt-5 in:app since:2026-03-01", "/home/u/p");
        assert_eq!(typed.query, "jwt refr");
        assert_eq!(typed.model.as_deref(), Some("gpt-5"));
        assert_eq!(typed.within.as_deref(), Some("/home/u/p/app"));
        assert!(typed.range.since.is_some());
        let typed = parse_typed("jwt refr", "/");
        assert_eq!(typed.query, "jwt refr*");
        assert_eq!(typed.words, ["jwt", "refr"]);
        assert_eq!(parse_typed("jwt refr ", "/").query, "jwt refr");
        assert_eq!(parse_typed("\"a b\"", "/").query, "\"a b\"");
        assert!(parse_typed("since:yesterday", "/").problem.is_some());
    }

    #[test]
    fn preview_prefers_messages_with_more_words() {
        let message = |text: &str| Message {
            timestamp_ms: None,
            role: Role::User,
            tool: None,
            text: text.to_owned(),
        };
        let messages = PreviewSource::new(vec![
            message("JWT only"),
            message("jwt and Refresh"),
            message("nothing"),
        ]);
        let lines = preview(&messages, &["jwt".into(), "refresh".into()], 1);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text, "jwt and Refresh");
        assert_eq!(preview(&messages, &[], 2).len(), 2);
    }
}
