//! Whole-session relevance for `resume`: a session matches when each word occurs somewhere in
//! it (any message or its thread name) and no excluded word occurs anywhere in it; its score is
//! the sum over every matching message, read from a fast field without loading documents.

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::Term;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery, TermSetQuery};
use tantivy::schema::IndexRecordOption;

use super::language::clause_queries;
use crate::error::Result;
use crate::index::{IndexStore, schema};

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
pub fn session_scores<'a>(
    store: &IndexStore,
    text: &str,
    sessions: &[&'a str],
    narrow: Narrow,
) -> Result<FxHashMap<&'a str, f32>> {
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
    let mut total: Option<FxHashMap<u64, f64>> = None;
    let mut excluded: FxHashSet<u64> = FxHashSet::default();
    for (occur, clause) in clause_queries(store, text)? {
        let mut parts: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, clause)];
        if let Some(scope) = &scope {
            parts.push((Occur::Must, scope.box_clone()));
        }
        let scores = super::segments::search(&searcher, &BooleanQuery::new(parts), &SessionScores)?;
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
    let ids: FxHashMap<u64, &str> = sessions
        .iter()
        .map(|s| (schema::session_key(s), *s))
        .collect();
    Ok(total
        .unwrap_or_default()
        .into_iter()
        .filter(|(key, _)| !excluded.contains(key))
        // Summed in f64 and rounded once: an f32 sum depends on the order of the segments,
        // which differs from one build of the index to the next, and equal sessions must
        // stay equal for the tie-breaks (newest first, then id) to apply.
        .filter_map(|(key, score)| ids.get(&key).map(|id| (*id, score as f32)))
        .collect())
}

/// Sums the scores of every matching document per session key, read from the fast field: all
/// matches count (no top-k cut-off) and no stored document is decompressed.
struct SessionScores;

/// [`SessionScores`] for one segment.
struct SegmentSessionScores {
    keys: tantivy::columnar::Column<u64>,
    scores: FxHashMap<u64, f64>,
}

impl tantivy::collector::Collector for SessionScores {
    type Fruit = FxHashMap<u64, f64>;
    type Child = SegmentSessionScores;

    fn for_segment(
        &self,
        _: tantivy::SegmentOrdinal,
        segment: &tantivy::SegmentReader,
    ) -> tantivy::Result<SegmentSessionScores> {
        Ok(SegmentSessionScores {
            keys: segment.fast_fields().u64(schema::SESSION_KEY)?,
            scores: FxHashMap::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(
        &self,
        fruits: Vec<FxHashMap<u64, f64>>,
    ) -> tantivy::Result<FxHashMap<u64, f64>> {
        let mut total: FxHashMap<u64, f64> = FxHashMap::default();
        for fruit in fruits {
            for (key, score) in fruit {
                *total.entry(key).or_default() += score;
            }
        }
        Ok(total)
    }
}

impl tantivy::collector::SegmentCollector for SegmentSessionScores {
    type Fruit = FxHashMap<u64, f64>;

    fn collect(&mut self, doc: tantivy::DocId, score: tantivy::Score) {
        if let Some(key) = self.keys.first(doc) {
            *self.scores.entry(key).or_default() += f64::from(score);
        }
    }

    fn harvest(self) -> FxHashMap<u64, f64> {
        self.scores
    }
}
