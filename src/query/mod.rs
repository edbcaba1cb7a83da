//! Full-text search over the index: parses rolldex's query language into tantivy queries and
//! returns the best message of each matching session, with a snippet.
//!
//! The language: words must all match; `"quoted phrases"`; `-word` excludes; `prefix*`.
//! An identifier (`refresh_jwt_token_v2`, `src/import.rs`, a UUID) is split by the same
//! tokenizer as the text, so it matches as a phrase of its parts, and each part alone matches.
//! Chinese, Japanese and Korean words are found inside sentences written without spaces (the
//! index holds bigrams of CJK text).
//! `language` turns the text into tantivy queries; `sessions` scores whole sessions (`resume`).

use std::collections::{HashMap, HashSet};
use std::ops::{Bound, Range};
use std::sync::Arc;

use rustc_hash::FxHashSet;
use tantivy::collector::TopDocs;
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermSetQuery};
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::{TantivyDocument, Term};

use crate::error::Result;
use crate::index::IndexStore;
use crate::index::schema;
use session_keys::SessionKeys;

mod excluded;
mod language;
mod segments;
mod session_keys;
mod sessions;
mod source;

pub use language::{MAX_CLAUSES, MAX_TERMS, check_syntax, parse_query};
pub use sessions::session_scores;

/// Which kinds of messages a search looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleFilter {
    /// What the user typed.
    User,
    /// Assistant replies.
    Assistant,
    /// Reasoning summaries.
    Reasoning,
    /// Tool calls and tool outputs.
    Tool,
}

/// One search.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The query text.
    pub text: String,
    /// Only messages at or after this instant (ms).
    pub since_ms: Option<i64>,
    /// Only messages before this instant (ms).
    pub until_ms: Option<i64>,
    /// Only these kinds of messages.
    pub role: Option<RoleFilter>,
    /// Only these sessions (`None`: all).
    pub sessions: Option<HashSet<String>>,
    /// Only interactive sessions (not `codex exec`, not sub-agents), by the catalog's flag
    /// (`hidden_sessions`).
    pub interactive_only: bool,
    /// How many sessions to return.
    pub limit: usize,
}

/// The best-matching message of one session.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Session id.
    pub session_id: String,
    /// BM25 relevance.
    pub score: f32,
    /// When the message was written (ms), 0 when unknown.
    pub timestamp_ms: i64,
    /// `user`, `assistant`, `reasoning`, `tool_call`, `tool_output` or `name`.
    pub role: String,
    /// A fragment of the message around the match.
    pub snippet: String,
    /// Byte ranges of `snippet` that matched.
    pub highlights: Vec<Range<usize>>,
}

/// The keys of the sessions `interactive_only` hides (`codex exec`, sub-agents): the
/// catalog's flag, checked against the session key of each top document (or of every match, in
/// the collector, when hidden documents fill the largest top the search asks for).
///
/// Not a clause on the documents' own flag: intersecting every match with the list of
/// interactive documents (most of them) cost more than looking up each match's key (at 10 GB,
/// `search migration` ran 39.6 M instructions with the clause, 37.3 M with the lookup), and
/// the clause added its own score to every hit.
fn hidden_sessions(store: &IndexStore) -> Arc<FxHashSet<u64>> {
    let keys = store.sessions().keys();
    Arc::new(
        keys.iter()
            .filter(|k| !k.interactive)
            .map(|k| schema::session_key(&k.id))
            .collect(),
    )
}

/// Runs `request`; hits are sorted by score, one per session.
pub fn search(store: &IndexStore, request: &SearchRequest) -> Result<Vec<Hit>> {
    let fields = store.fields();
    let text_query = parse_query(store, &request.text)?;
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query.box_clone())];
    if let Some(role) = request.role {
        let roles: &[&str] = match role {
            RoleFilter::User => &["user"],
            RoleFilter::Assistant => &["assistant"],
            RoleFilter::Reasoning => &["reasoning"],
            RoleFilter::Tool => &["tool_call", "tool_output"],
        };
        let terms = roles.iter().map(|r| Term::from_field_text(fields.role, r));
        clauses.push((Occur::Must, Box::new(TermSetQuery::new(terms))));
    }
    if request.since_ms.is_some() || request.until_ms.is_some() {
        let lower = request.since_ms.map_or(Bound::Unbounded, |t| {
            Bound::Included(Term::from_field_i64(fields.timestamp, t))
        });
        let upper = request.until_ms.map_or(Bound::Unbounded, |t| {
            Bound::Excluded(Term::from_field_i64(fields.timestamp, t))
        });
        clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
    }
    if let Some(sessions) = &request.sessions {
        let terms = sessions
            .iter()
            .map(|s| Term::from_field_text(fields.session, s));
        clauses.push((Occur::Must, Box::new(TermSetQuery::new(terms))));
    }
    let hidden = request.interactive_only.then(|| hidden_sessions(store));
    let query = BooleanQuery::new(clauses);
    let searcher = store.searcher()?;
    let mut generator = SnippetGenerator::create(&searcher, &*text_query, fields.text)?;
    generator.set_max_num_chars(160);
    let columns = Columns::open(&searcher)?;
    let mut want = (request.limit * 16).max(64);
    let mut filter_inside = false;
    loop {
        // Hidden sessions are left out of the top documents, not out of the search: a filter
        // inside the collector read every match's session key and stopped tantivy from
        // skipping blocks that cannot reach the top (at 10 GB, half of a search's own time).
        // Leaving them out afterwards keeps the same order; when they crowd the top, the loop
        // asks for more, and past its cap filters inside the collector after all.
        let top_docs = TopDocs::with_limit(want).order_by_score();
        let top = match &hidden {
            Some(hidden) if filter_inside => {
                let top_shown = session_keys::Shown {
                    inner: top_docs,
                    hidden: Arc::clone(hidden),
                };
                segments::search(&searcher, &query, &top_shown)?
            }
            _ => segments::search(&searcher, &query, &top_docs)?,
        };
        // Equal scores come back in index order, which differs from one build of the index to
        // the next: ties go newest first, then by session id, so the same query gives the same
        // answer. A session's best message is its top-scored one (newest among equals), and
        // every document of a tied score is looked at before the list is cut to the limit.
        // Only fast fields are read here; documents are loaded for the hits shown.
        let mut best: HashMap<u64, Candidate> = HashMap::new();
        let mut complete = top.len() < want;
        let mut last_score = f32::INFINITY;
        let mut skipped = false;
        for (score, address) in &top {
            if *score < last_score && best.len() >= request.limit {
                // Every session scoring `last_score` or better is known, and there are enough.
                complete = true;
                break;
            }
            let (session_key, timestamp_ms) = columns.of(*address);
            if hidden.as_ref().is_some_and(|h| h.contains(&session_key)) {
                skipped = true;
                continue;
            }
            last_score = *score;
            let candidate = Candidate {
                score: *score,
                timestamp_ms,
                address: *address,
            };
            match best.get_mut(&session_key) {
                Some(known) if !candidate.beats(known, &columns) => {}
                Some(known) => *known = candidate,
                None => {
                    best.insert(session_key, candidate);
                }
            }
        }
        if !complete && want < 1 << 16 {
            want *= 4;
            continue;
        }
        // At the cap, hidden documents took places shown ones would have had in the top.
        if !complete && skipped && !filter_inside {
            filter_inside = true;
            continue;
        }
        // Newest first among equal scores, then by session id: the ids are loaded only for
        // the hits kept and for those tied with the last one kept.
        let mut ranked: Vec<Candidate> = best.into_values().collect();
        let order = |a: &Candidate, b: &Candidate| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| b.timestamp_ms.cmp(&a.timestamp_ms))
        };
        ranked.sort_by(order);
        if let Some(last) = ranked.get(request.limit.saturating_sub(1)) {
            let keep = ranked.partition_point(|c| order(c, last).is_le());
            ranked.truncate(keep);
        }
        let mut ranked: Vec<(String, Candidate)> = ranked
            .into_iter()
            .map(|candidate| {
                let doc: TantivyDocument = searcher.doc(candidate.address)?;
                Ok((text_of(&doc, fields.session), candidate))
            })
            .collect::<Result<_>>()?;
        ranked.sort_by(|(a_id, a), (b_id, b)| order(a, b).then_with(|| a_id.cmp(b_id)));
        ranked.truncate(request.limit);
        return ranked
            .into_iter()
            .map(|(session_id, candidate)| {
                let doc: TantivyDocument = searcher.doc(candidate.address)?;
                let role = text_of(&doc, fields.role);
                let (snippet, highlights) = match source::hit_text(
                    &doc,
                    fields,
                    &role,
                    columns.text_hash(candidate.address),
                ) {
                    Some(text) => {
                        let snippet = generator.snippet(&text);
                        let fragment = snippet.fragment().to_owned();
                        if fragment.is_empty() {
                            (first_chars(&text, 160), Vec::new())
                        } else {
                            (fragment, merged(snippet.highlighted()))
                        }
                    }
                    None => (source::GONE.to_owned(), Vec::new()),
                };
                Ok(Hit {
                    session_id,
                    score: candidate.score,
                    timestamp_ms: candidate.timestamp_ms,
                    role,
                    snippet,
                    highlights,
                })
            })
            .collect();
    }
}

/// The fast fields a search reads for every candidate, per segment, and the text hash it
/// reads only to break a tie or check a shown hit's text (opened when first needed).
struct Columns<'s> {
    searcher: &'s tantivy::Searcher,
    segments: Vec<(SessionKeys, Column<i64>)>,
    hashes: Vec<std::cell::OnceCell<Column<u64>>>,
}

impl<'s> Columns<'s> {
    fn open(searcher: &'s tantivy::Searcher) -> Result<Columns<'s>> {
        let segments: Vec<_> = searcher
            .segment_readers()
            .iter()
            .map(|segment| {
                Ok((
                    SessionKeys::open(segment)?,
                    segment.fast_fields().i64(schema::TIMESTAMP)?,
                ))
            })
            .collect::<Result<_>>()?;
        let hashes = segments
            .iter()
            .map(|_| std::cell::OnceCell::new())
            .collect();
        Ok(Columns {
            searcher,
            segments,
            hashes,
        })
    }

    /// (session key, time) of a document.
    fn of(&self, address: tantivy::DocAddress) -> (u64, i64) {
        let (keys, times) = &self.segments[address.segment_ord as usize];
        let doc = address.doc_id;
        (keys.of(doc).unwrap_or(0), times.first(doc).unwrap_or(0))
    }

    /// The hash of a document's indexed text (0 when its column cannot be read).
    fn text_hash(&self, address: tantivy::DocAddress) -> u64 {
        let hashes = self.hashes[address.segment_ord as usize].get_or_init(|| {
            let segment = self.searcher.segment_reader(address.segment_ord);
            segment
                .fast_fields()
                .u64(schema::TEXT_HASH)
                .unwrap_or_else(|_| Column::build_empty_column(segment.max_doc()))
        });
        hashes.first(address.doc_id).unwrap_or(0)
    }
}

/// A session's best message found so far (its document is loaded again if it is shown).
struct Candidate {
    score: f32,
    timestamp_ms: i64,
    address: tantivy::DocAddress,
}

impl Candidate {
    /// Higher score, then newer, then the smaller hash of the message text (stable across
    /// index builds, where a document address is not): the pick never depends on the order
    /// tantivy returned equal scores in.
    fn beats(&self, other: &Candidate, columns: &Columns) -> bool {
        self.score
            .total_cmp(&other.score)
            .then_with(|| self.timestamp_ms.cmp(&other.timestamp_ms))
            .then_with(|| {
                columns
                    .text_hash(other.address)
                    .cmp(&columns.text_hash(self.address))
            })
            .is_gt()
    }
}

/// Highlight ranges with overlapping ones joined: the bigrams of a CJK word
/// overlap (`做一`, `一个`), and the word is highlighted once, whole.
fn merged(ranges: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut sorted = ranges.to_vec();
    sorted.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(sorted.len());
    for range in sorted {
        match out.last_mut() {
            Some(last) if range.start < last.end => last.end = last.end.max(range.end),
            _ => out.push(range),
        }
    }
    out
}

fn text_of(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned()
}

fn first_chars(text: &str, n: usize) -> String {
    text.chars().take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_highlights_merge() {
        assert_eq!(merged(&[6..12, 9..15, 20..23]), vec![6..15, 20..23]);
        assert_eq!(merged(&[0..3, 3..6]), vec![0..3, 3..6]);
        assert!(merged(&[]).is_empty());
    }
}
