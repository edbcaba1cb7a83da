//! Whole-session relevance for `resume`: a session matches when each word occurs somewhere in
//! it (any message or its thread name) and no excluded word occurs anywhere in it; its score is
//! the sum over every matching message, read from a fast field without loading documents.

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::query::Occur;

use super::language::clause_queries;
use super::session_keys::SessionKeys;
use crate::error::Result;
use crate::index::IndexStore;

/// Relevance of every matching session, by [`crate::index::schema::session_key`] (summed over its
/// messages). The caller keeps the sessions it asked about.
///
/// Nothing narrows the search: a scope (the interactive sessions, a directory's) is the
/// caller's filter on this ranking, not a clause of the query. As a clause it cost the
/// search an intersection with a list of most documents (a fifth of `resume WORD`'s work at
/// 10 GB), and it scored: every matching message of a session in scope added the clause's
/// score to the session's sum, so the order within a scope was not the unscoped order.
/// Keyed by number, not id: turning every key back into an id took a map of every session
/// in the catalog, when the caller holds the few it will look up.
pub fn session_scores(store: &IndexStore, text: &str) -> Result<FxHashMap<u64, f32>> {
    let searcher = store.searcher()?;
    // A session matches when each word occurs somewhere in it (any message or its thread
    // name) and no excluded word occurs anywhere in it: clause by clause, then intersected.
    let mut total: Option<FxHashMap<u64, f64>> = None;
    let mut excluded: FxHashSet<u64> = FxHashSet::default();
    for (occur, clause) in clause_queries(store, text)? {
        let scores = super::segments::search(&searcher, clause.as_ref(), &SessionScores)?;
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
    Ok(total
        .unwrap_or_default()
        .into_iter()
        .filter(|(key, _)| !excluded.contains(key))
        // Summed in f64 and rounded once: an f32 sum depends on the order of the segments,
        // which differs from one build of the index to the next, and equal sessions must
        // stay equal for the tie-breaks (newest first, then id) to apply.
        .map(|(key, score)| (key, score as f32))
        .collect())
}

/// Sums the scores of every matching document per session, read from the fast column: all
/// matches count (no top-k cut-off) and no stored document is decompressed.
struct SessionScores;

/// [`SessionScores`] for one segment: a sum per session ordinal (`None`: no match).
struct SegmentSessionScores {
    keys: SessionKeys,
    sums: Vec<Option<f64>>,
}

impl tantivy::collector::Collector for SessionScores {
    type Fruit = FxHashMap<u64, f64>;
    type Child = SegmentSessionScores;

    fn for_segment(
        &self,
        _: tantivy::SegmentOrdinal,
        segment: &tantivy::SegmentReader,
    ) -> tantivy::Result<SegmentSessionScores> {
        let keys = SessionKeys::open(segment)?;
        let sums = vec![None; keys.len()];
        Ok(SegmentSessionScores { keys, sums })
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
        if let Some(sum) = self.keys.ord(doc).and_then(|ord| self.sums.get_mut(ord)) {
            *sum.get_or_insert(0.0) += f64::from(score);
        }
    }

    fn harvest(self) -> FxHashMap<u64, f64> {
        // Every matching session, even one whose scores summed to zero.
        let keys = &self.keys;
        self.sums
            .into_iter()
            .enumerate()
            .filter_map(|(ord, sum)| Some((keys.key(ord)?, sum?)))
            .collect()
    }
}
