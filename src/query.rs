//! Full-text search over the index: parses rolldex's query language into tantivy queries and
//! returns the best message of each matching session, with a snippet.
//!
//! The language: words must all match; `"quoted phrases"`; `-word` excludes; `prefix*`.
//! An identifier (`refresh_jwt_token_v2`, `src/import.rs`, a UUID) is split by the same
//! tokenizer as the text, so it matches as a phrase of its parts, and each part alone matches.

use std::collections::{HashMap, HashSet};
use std::ops::{Bound, Range};

use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
    TermSetQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::index::{Fields, IndexStore, schema};

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
    /// Only interactive sessions (not `codex exec`, not sub-agents).
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
    if request.interactive_only {
        let term = Term::from_field_u64(fields.interactive, 1);
        clauses.push((
            Occur::Must,
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
        ));
    }
    let query = BooleanQuery::new(clauses);
    let searcher = store.searcher()?;
    let mut generator = SnippetGenerator::create(&searcher, &*text_query, fields.text)?;
    generator.set_max_num_chars(160);
    let mut want = (request.limit * 16).max(64);
    loop {
        let top = searcher.search(&query, &TopDocs::with_limit(want).order_by_score())?;
        let mut seen = HashSet::new();
        let mut hits = Vec::new();
        for (score, address) in &top {
            let doc: TantivyDocument = searcher.doc(*address)?;
            let session_id = text_of(&doc, fields.session);
            if !seen.insert(session_id.clone()) {
                continue;
            }
            let snippet = generator.snippet_from_doc(&doc);
            let fragment = snippet.fragment().to_owned();
            let (snippet, highlights) = if fragment.is_empty() {
                (first_chars(&text_of(&doc, fields.text), 160), Vec::new())
            } else {
                (fragment, snippet.highlighted().to_vec())
            };
            hits.push(Hit {
                session_id,
                score: *score,
                timestamp_ms: doc
                    .get_first(fields.timestamp)
                    .and_then(|v| v.as_i64())
                    .unwrap_or(0),
                role: text_of(&doc, fields.role),
                snippet,
                highlights,
            });
            if hits.len() == request.limit {
                break;
            }
        }
        if hits.len() == request.limit || top.len() < want || want >= 1 << 16 {
            return Ok(hits);
        }
        want *= 4;
    }
}

/// How [`session_scores`] narrows the search before summing (results are always limited to
/// the given sessions; narrowing early keeps the best matches from being crowded out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Narrow {
    /// Only documents of the given sessions (a selective filter such as a directory).
    ToSessions,
    /// Only interactive sessions' documents (cheaper than a list of every interactive id).
    ToInteractive,
    /// Every document.
    No,
}

/// Relevance of every matching session among `sessions` (summed over its messages).
pub fn session_scores(
    store: &IndexStore,
    text: &str,
    sessions: &HashSet<String>,
    narrow: Narrow,
) -> Result<HashMap<String, f32>> {
    let fields = store.fields();
    let scope: Option<Box<dyn Query>> = match narrow {
        Narrow::ToSessions => {
            let terms = sessions
                .iter()
                .map(|s| Term::from_field_text(fields.session, s));
            Some(Box::new(TermSetQuery::new(terms)))
        }
        Narrow::ToInteractive => {
            let term = Term::from_field_u64(fields.interactive, 1);
            Some(Box::new(TermQuery::new(term, IndexRecordOption::Basic)))
        }
        Narrow::No => None,
    };
    let searcher = store.searcher()?;
    // A session matches when each word occurs somewhere in it (any message or its thread
    // name) and no excluded word occurs anywhere in it: clause by clause, then intersected.
    let mut total: Option<HashMap<u64, f32>> = None;
    let mut excluded: HashSet<u64> = HashSet::new();
    for (occur, clause) in clause_queries(store, text)? {
        let mut parts: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, clause)];
        if let Some(scope) = &scope {
            parts.push((Occur::Must, scope.box_clone()));
        }
        let scores = searcher.search(&BooleanQuery::new(parts), &SessionScores)?;
        if occur == Occur::MustNot {
            excluded.extend(scores.into_keys());
            continue;
        }
        total = Some(match total {
            None => scores,
            Some(mut sum) => {
                sum.retain(|key, _| scores.contains_key(key));
                for (key, score) in &mut sum {
                    *score += scores[key];
                }
                sum
            }
        });
    }
    let ids: HashMap<u64, &str> = sessions
        .iter()
        .map(|s| (schema::session_key(s), s.as_str()))
        .collect();
    Ok(total
        .unwrap_or_default()
        .into_iter()
        .filter(|(key, _)| !excluded.contains(key))
        .filter_map(|(key, score)| ids.get(&key).map(|id| ((*id).to_owned(), score)))
        .collect())
}

/// Sums the scores of every matching document per session key, read from the fast field: all
/// matches count (no top-k cut-off) and no stored document is decompressed.
struct SessionScores;

/// [`SessionScores`] for one segment.
struct SegmentSessionScores {
    keys: tantivy::columnar::Column<u64>,
    scores: HashMap<u64, f32>,
}

impl tantivy::collector::Collector for SessionScores {
    type Fruit = HashMap<u64, f32>;
    type Child = SegmentSessionScores;

    fn for_segment(
        &self,
        _: tantivy::SegmentOrdinal,
        segment: &tantivy::SegmentReader,
    ) -> tantivy::Result<SegmentSessionScores> {
        Ok(SegmentSessionScores {
            keys: segment.fast_fields().u64(schema::SESSION_KEY)?,
            scores: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<HashMap<u64, f32>>) -> tantivy::Result<HashMap<u64, f32>> {
        let mut total: HashMap<u64, f32> = HashMap::new();
        for fruit in fruits {
            for (key, score) in fruit {
                *total.entry(key).or_default() += score;
            }
        }
        Ok(total)
    }
}

impl tantivy::collector::SegmentCollector for SegmentSessionScores {
    type Fruit = HashMap<u64, f32>;

    fn collect(&mut self, doc: tantivy::DocId, score: tantivy::Score) {
        if let Some(key) = self.keys.first(doc) {
            *self.scores.entry(key).or_default() += score;
        }
    }

    fn harvest(self) -> HashMap<u64, f32> {
        self.scores
    }
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

/// One clause of the query language.
#[derive(Debug, PartialEq, Eq)]
struct Clause {
    text: String,
    phrase: bool,
    negated: bool,
    prefix: bool,
}

/// Splits the query text into clauses; errors name what is wrong.
fn clauses(text: &str) -> Result<Vec<Clause>> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let negated = c == '-';
        if negated {
            chars.next();
        }
        let (body, phrase) = if chars.peek() == Some(&'"') {
            chars.next();
            let mut body = String::new();
            let mut closed = false;
            for c in chars.by_ref() {
                if c == '"' {
                    closed = true;
                    break;
                }
                body.push(c);
            }
            if !closed {
                return Err(Error::Query(format!(
                    "unclosed quote in {text:?}: add the closing \""
                )));
            }
            (body, true)
        } else {
            let mut body = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                body.push(c);
                chars.next();
            }
            (body, false)
        };
        let prefix = chars.peek() == Some(&'*') || body.ends_with('*');
        if chars.peek() == Some(&'*') {
            chars.next();
        }
        let body = body.trim_end_matches('*').to_owned();
        if body.is_empty() {
            if negated {
                return Err(Error::Query(
                    "a lone '-' excludes nothing: write -word".into(),
                ));
            }
            continue;
        }
        out.push(Clause {
            text: body,
            phrase,
            negated,
            prefix,
        });
    }
    Ok(out)
}

/// Parses the query language into a tantivy query on the text field.
pub fn parse_query(store: &IndexStore, text: &str) -> Result<Box<dyn Query>> {
    Ok(Box::new(BooleanQuery::new(clause_queries(store, text)?)))
}

/// One tantivy query per clause: `Must` for words to find, `MustNot` for excluded ones. Errors
/// when nothing is left to look for.
fn clause_queries(store: &IndexStore, text: &str) -> Result<Vec<(Occur, Box<dyn Query>)>> {
    let fields: &Fields = store.fields();
    let mut analyzer = store.index().tokenizer_for_field(fields.text)?;
    let mut subqueries: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut positives = 0;
    for clause in clauses(text)? {
        let mut terms = Vec::new();
        let mut stream = analyzer.token_stream(&clause.text);
        while let Some(token) = stream.next() {
            terms.push(Term::from_field_text(fields.text, &token.text));
        }
        let query: Box<dyn Query> = match (terms.len(), clause.prefix) {
            (0, _) => continue,
            (1, false) => Box::new(TermQuery::new(
                terms.remove(0),
                IndexRecordOption::WithFreqs,
            )),
            (1, true) => {
                let word = terms[0].value().as_str().unwrap_or_default().to_owned();
                let pattern = format!("{}.*", regex_escape(&word));
                Box::new(RegexQuery::from_pattern(&pattern, fields.text)?)
            }
            (_, false) => Box::new(PhraseQuery::new(terms)),
            (_, true) => Box::new(PhrasePrefixQuery::new(terms)),
        };
        if clause.negated {
            subqueries.push((Occur::MustNot, query));
        } else {
            positives += 1;
            subqueries.push((Occur::Must, query));
        }
    }
    if positives == 0 {
        return Err(Error::Query(format!(
            "{text:?} has no word to look for: give at least one word that is not excluded with '-'"
        )));
    }
    Ok(subqueries)
}

fn regex_escape(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if !c.is_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_parse() {
        let parsed = clauses(r#"jwt "token refresh" -legacy src/imp* "#).expect("parses");
        assert_eq!(parsed.len(), 4);
        assert!(parsed[1].phrase && !parsed[1].negated);
        assert!(parsed[2].negated);
        assert!(parsed[3].prefix && parsed[3].text == "src/imp");
        assert!(clauses("\"open").is_err());
        assert!(clauses("a - b").is_err());
    }
}
