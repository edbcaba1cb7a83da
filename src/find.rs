//! Finding sessions: the use cases behind `search` (the best message of each matching
//! session), `sessions` (a filtered list, newest first) and `resume` (the session to continue,
//! ranked over whole conversations) — shared by the command line and the MCP server, so both
//! answer the same question with the same sessions in the same order.
//!
//! Plain request and result types over an open [`IndexStore`]; nothing here prints or reads the
//! environment (a front end decides what "the current directory" is).

use std::collections::HashSet;

use rustc_hash::FxHashMap;

use crate::error::Result;
use crate::index::IndexStore;
use crate::index::schema::session_key;
use crate::keys::{SessionFacts, SessionKeys};
use crate::model::SessionInfo;
use crate::query::{Hit, RoleFilter, SearchRequest, search, session_scores};

/// Scores within this factor of each other count as a tie, broken by recency (`resume`).
const NEAR_TIE: f32 = 1.05;

/// Session-level filters shared by `search`, `resume` and `sessions`.
#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    /// Only sessions in this directory or below.
    pub cwd: Option<String>,
    /// Only sessions that used this model.
    pub model: Option<String>,
    /// Keep `codex exec` and sub-agent sessions.
    pub include_non_interactive: bool,
}

impl SessionFilter {
    /// True when `session` passes.
    pub fn accepts(&self, session: &impl SessionFacts) -> bool {
        (self.include_non_interactive || session.interactive())
            && self.cwd.as_deref().is_none_or(|dir| session.is_under(dir))
            && self
                .model
                .as_deref()
                .is_none_or(|m| session.models().iter().any(|x| x.eq_ignore_ascii_case(m)))
    }

    /// The ids that pass, or `None` when the filter keeps everything.
    pub fn allowed<'a, S: SessionFacts + 'a>(
        &self,
        sessions: impl Iterator<Item = &'a S>,
    ) -> Option<HashSet<String>> {
        // Nothing to filter on: no need to go through (and copy) every id.
        if self.include_non_interactive && self.cwd.is_none() && self.model.is_none() {
            return None;
        }
        let mut all = true;
        let mut kept = HashSet::new();
        for session in sessions {
            if self.accepts(session) {
                kept.insert(session.id().to_owned());
            } else {
                all = false;
            }
        }
        (!all).then_some(kept)
    }
}

/// A message search: the best message of each matching session.
#[derive(Debug, Clone, Default)]
pub struct HitQuery {
    /// The query text (rolldex's query language).
    pub text: String,
    /// Only messages at or after this instant (ms).
    pub since_ms: Option<i64>,
    /// Only messages before this instant (ms).
    pub until_ms: Option<i64>,
    /// Only this kind of message.
    pub role: Option<RoleFilter>,
    /// Which sessions.
    pub filter: SessionFilter,
    /// How many sessions.
    pub limit: usize,
}

/// A hit with the facts of its session (absent only when the catalog lost it).
#[derive(Debug, Clone)]
pub struct FoundHit<'a> {
    /// The best message of the session.
    pub hit: Hit,
    /// Its session.
    pub session: Option<&'a SessionInfo>,
}

/// Runs a message search; hits best first, one per session.
pub fn search_hits<'a>(store: &'a IndexStore, query: &HitQuery) -> Result<Vec<FoundHit<'a>>> {
    Ok(with_sessions(store, find_hits(store, query)?))
}

/// How many sessions `query` hides (`codex exec`, sub-agents) would match it, counted up to
/// `cap`; 0 when it searches them already. For a query that found nothing, which is then all
/// the widened one can find: a front end says so rather than leave "nothing" unexplained.
pub fn hidden_hit_count(store: &IndexStore, query: &HitQuery, cap: usize) -> usize {
    if query.filter.include_non_interactive {
        return 0;
    }
    let mut all = query.clone();
    all.filter.include_non_interactive = true;
    all.limit = cap;
    find_hits(store, &all).map_or(0, |hits| hits.len())
}

/// [`search_hits`] without the sessions joined: an answer that does not borrow the store,
/// which [`crate::freshen::answer`] can find while the homes are walked.
pub fn find_hits(store: &IndexStore, query: &HitQuery) -> Result<Vec<Hit>> {
    let table = store.sessions();
    // Non-interactive sessions are hidden by `search` itself (by session key, from the
    // catalog's flag): no list of every interactive id is needed for them.
    let filter = SessionFilter {
        include_non_interactive: true,
        ..query.filter.clone()
    };
    let request = SearchRequest {
        text: query.text.clone(),
        since_ms: query.since_ms,
        until_ms: query.until_ms,
        role: query.role,
        sessions: filter.allowed(table.keys().iter()),
        interactive_only: !query.filter.include_non_interactive,
        limit: query.limit,
    };
    search(store, &request)
}

/// Joins each hit with the facts of its session.
///
/// One pass over the catalog looking up the few hits' ids, not a map of every session's id
/// built to look up twenty.
pub fn with_sessions(store: &IndexStore, hits: Vec<Hit>) -> Vec<FoundHit<'_>> {
    let table = store.sessions();
    let mut wanted: FxHashMap<&str, Option<usize>> = hits
        .iter()
        .map(|hit| (hit.session_id.as_str(), None))
        .collect();
    for (i, keys) in table.keys().iter().enumerate() {
        if let Some(place @ None) = wanted.get_mut(keys.id.as_str()) {
            *place = Some(i);
        }
    }
    let places: Vec<Option<usize>> = hits
        .iter()
        .map(|hit| wanted[hit.session_id.as_str()])
        .collect();
    hits.into_iter()
        .zip(places)
        .map(|(hit, place)| FoundHit {
            session: place.map(|i| table.get(i)),
            hit,
        })
        .collect()
}

/// A session listing.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Which sessions.
    pub filter: SessionFilter,
    /// Only sessions active at or after this instant (ms).
    pub since_ms: Option<i64>,
    /// Only sessions started before this instant (ms).
    pub until_ms: Option<i64>,
}

/// The first `limit` sessions that pass `query`, newest activity first, and how many pass.
pub fn list_sessions<'a>(
    store: &'a IndexStore,
    query: &ListQuery,
    limit: usize,
) -> (Vec<&'a SessionInfo>, usize) {
    let table = store.sessions();
    let sessions: Vec<(usize, &SessionKeys)> = table
        .keys()
        .iter()
        .enumerate()
        .filter(|(_, s)| query.filter.accepts(*s))
        .filter(|(_, s)| {
            query
                .since_ms
                .is_none_or(|t| s.updated_at_ms.is_some_and(|u| u >= t))
        })
        .filter(|(_, s)| {
            query
                .until_ms
                .is_none_or(|t| s.started_at_ms.or(s.updated_at_ms).is_some_and(|u| u < t))
        })
        .collect();
    let total = sessions.len();
    let shown = newest(sessions, limit)
        .into_iter()
        .map(|(i, _)| table.get(i));
    (shown.collect(), total)
}

/// The `limit` sessions with the latest activity, newest first, each with its place in the
/// table. Only those are sorted: they are picked first (the order is total, ids being unique,
/// so this is the full sort's prefix). Sorting all 10,000 sessions of a large history to show
/// twenty was a sixth of `sessions`' work.
fn newest(mut sessions: Vec<(usize, &SessionKeys)>, limit: usize) -> Vec<(usize, &SessionKeys)> {
    if limit < sessions.len() {
        sessions.select_nth_unstable_by(limit, |a, b| newest_first(a.1, b.1));
        sessions.truncate(limit);
    }
    sessions.sort_unstable_by(|a, b| newest_first(a.1, b.1));
    sessions
}

/// Last activity, newest first; ties by id for a stable order.
fn newest_first(a: &impl SessionFacts, b: &impl SessionFacts) -> std::cmp::Ordering {
    b.updated_at_ms()
        .cmp(&a.updated_at_ms())
        .then_with(|| b.id().cmp(a.id()))
}

/// Which session to resume.
#[derive(Debug, Clone, Default)]
pub struct ResumeQuery {
    /// Words to look for in whole conversations and thread names; empty: the latest sessions.
    pub text: String,
    /// Only sessions in this directory or below (the front end decides the default).
    pub cwd: Option<String>,
    /// Keep `codex exec` and sub-agent sessions.
    pub include_non_interactive: bool,
    /// How many sessions.
    pub limit: usize,
    /// Find the best matching message of each session returned (for a snippet).
    pub snippets: bool,
}

/// A session to resume, best first.
#[derive(Debug, Clone)]
pub struct ResumeCandidate<'a> {
    /// The session.
    pub session: &'a SessionInfo,
    /// Its best matching text (with a query and `snippets`).
    pub snippet: Option<String>,
}

/// The sessions to resume, best first: without a query the most recently updated ones that
/// are not archived (like `codex resume --last`); with one, ranked by relevance over whole
/// sessions, near-ties newest first. Files that name no session are never offered.
pub fn sessions_to_resume<'a>(
    store: &'a IndexStore,
    query: &ResumeQuery,
) -> Result<Vec<ResumeCandidate<'a>>> {
    Ok(with_facts(store, rank_to_resume(store, query)?))
}

/// A session to resume as [`rank_to_resume`] finds it: its place in the catalog, and its
/// snippet.
#[derive(Debug, Clone)]
pub struct Ranked {
    position: usize,
    snippet: Option<String>,
}

/// [`hidden_hit_count`] for `resume`: how many hidden sessions the widened `query` would
/// offer, up to `cap`; 0 when it offers them already.
pub fn hidden_resume_count(store: &IndexStore, query: &ResumeQuery, cap: usize) -> usize {
    if query.include_non_interactive {
        return 0;
    }
    let mut all = query.clone();
    all.include_non_interactive = true;
    all.limit = cap;
    rank_to_resume(store, &all).map_or(0, |ranked| ranked.len())
}

/// [`sessions_to_resume`] without the sessions' facts: an answer that does not borrow the
/// store, which [`crate::freshen::answer`] can find while the homes are walked.
pub fn rank_to_resume(store: &IndexStore, query: &ResumeQuery) -> Result<Vec<Ranked>> {
    let filter = SessionFilter {
        cwd: query.cwd.clone(),
        model: None,
        include_non_interactive: query.include_non_interactive,
    };
    let table = store.sessions();
    let candidates = table
        .keys()
        .iter()
        .enumerate()
        // A file that names no session cannot be resumed by Codex.
        .filter(|(_, s)| filter.accepts(*s) && !s.id_is_derived());
    let text = query.text.trim();
    if text.is_empty() {
        // Like `codex resume --last`, which lists only sessions that are not archived.
        let latest = candidates.filter(|(_, s)| !s.archived).collect();
        return Ok(newest(latest, query.limit)
            .into_iter()
            .map(|(position, _)| Ranked {
                position,
                snippet: None,
            })
            .collect());
    }
    // The scope filters the ranking of every session; it is no part of the scoring.
    let scores = session_scores(store, &query.text)?;
    let mut scored: Vec<(f32, usize, &SessionKeys)> = candidates
        .filter_map(|(position, s)| {
            let score = scores.get(&session_key(&s.id))?;
            Some((*score, position, s))
        })
        .collect();
    rank_by_relevance(&mut scored, query.limit);
    scored
        .into_iter()
        .map(|(_, position, keys)| {
            let snippet = if query.snippets {
                let request = SearchRequest {
                    text: query.text.clone(),
                    sessions: Some(std::iter::once(keys.id.clone()).collect()),
                    limit: 1,
                    ..SearchRequest::default()
                };
                search(store, &request)?
                    .into_iter()
                    .next()
                    .map(|h| h.snippet)
            } else {
                None
            };
            Ok(Ranked { position, snippet })
        })
        .collect()
}

/// Joins ranked sessions with their facts.
pub fn with_facts(store: &IndexStore, ranked: Vec<Ranked>) -> Vec<ResumeCandidate<'_>> {
    let table = store.sessions();
    ranked
        .into_iter()
        .map(|r| ResumeCandidate {
            session: table.get(r.position),
            snippet: r.snippet,
        })
        .collect()
}

/// Sorts sessions (score, place, facts) by relevance, best first, and keeps the first
/// `limit`. Sessions whose score is within `NEAR_TIE` of the best remaining score form a
/// near-tie and go newest first; then the next group, and so on.
///
/// Only sessions that can reach the first `limit` places are sorted. The group that holds
/// place `limit` starts at a score no lower than the `limit`-th best, so each of its members
/// scores at least that divided by `NEAR_TIE`; the sessions kept are a prefix of the score
/// order, whose groups are the whole order's. `resume` shows one session by default, and a
/// common word matches thousands: sorting them all was a tenth of its work at 10 GB.
fn rank_by_relevance<S: SessionFacts>(scored: &mut Vec<(f32, usize, &S)>, limit: usize) {
    let Some(last) = limit.checked_sub(1) else {
        scored.clear();
        return;
    };
    if last < scored.len() {
        let (_, kth, _) = scored.select_nth_unstable_by(last, |a, b| b.0.total_cmp(&a.0));
        let floor = kth.0;
        scored.retain(|s| s.0 * NEAR_TIE >= floor);
    }
    let newest_first = |a: &(f32, usize, &S), b: &(f32, usize, &S)| {
        b.2.updated_at_ms()
            .cmp(&a.2.updated_at_ms())
            .then_with(|| a.2.id().cmp(b.2.id()))
    };
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| newest_first(a, b)));
    let mut start = 0;
    while start < scored.len() {
        let top = scored[start].0;
        let run = scored[start..]
            .iter()
            .take_while(|s| s.0 * NEAR_TIE >= top)
            .count()
            .max(1);
        scored[start..start + run].sort_by(newest_first);
        start += run;
    }
    scored.truncate(limit);
}

#[cfg(test)]
mod tests;
