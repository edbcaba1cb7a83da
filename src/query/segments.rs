//! Runs a tantivy search with each segment on rayon's pool.
//!
//! A large history's index has dozens of segments, and tantivy's default executor searches
//! them one after another on the calling thread. Its own thread-pool executor would start a
//! second pool for every query process; this uses the pool the rest of rolldex already has.
//! The segments' results are merged in segment order, as the one-thread search merges them,
//! so the answer (ties and floating-point sums included) is the same.

use rayon::prelude::*;
use tantivy::Searcher;
use tantivy::collector::Collector;
use tantivy::query::{EnableScoring, Query};

use crate::error::Result;

/// `searcher.search(query, collector)`, the segments searched in parallel.
pub fn search<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    collector: &C,
) -> Result<C::Fruit> {
    let scoring = if collector.requires_scoring() {
        EnableScoring::enabled_from_searcher(searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    let weight = query.weight(scoring)?;
    collector.check_schema(searcher.schema())?;
    let fruits = searcher
        .segment_readers()
        .par_iter()
        .enumerate()
        .map(|(ord, reader)| collector.collect_segment(weight.as_ref(), ord as u32, reader))
        .collect::<tantivy::Result<Vec<_>>>()?;
    Ok(collector.merge_fruits(fruits)?)
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::indexer::NoMergePolicy;
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{Index, TantivyDocument, Term, doc};

    #[test]
    fn the_same_answer_as_tantivys_own_search_over_several_segments() {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer::<TantivyDocument>(15_000_000).expect("writer");
        writer.set_merge_policy(Box::new(NoMergePolicy));
        // Five segments; equal scores across them, so the merge order decides the ties.
        for segment in 0..5 {
            for i in 0..40 {
                let words = if (i + segment) % 3 == 0 {
                    "cache miss"
                } else {
                    "cache hit cache"
                };
                writer.add_document(doc!(text => words)).expect("add");
            }
            writer.commit().expect("commit");
        }
        let searcher = index.reader().expect("reader").searcher();
        assert_eq!(searcher.segment_readers().len(), 5);
        let query = TermQuery::new(
            Term::from_field_text(text, "cache"),
            IndexRecordOption::WithFreqs,
        );
        let top = TopDocs::with_limit(37).order_by_score();
        let own = searcher.search(&query, &top).expect("tantivy");
        let ours = super::search(&searcher, &query, &top).expect("parallel");
        assert_eq!(own.len(), 37);
        assert_eq!(
            own.iter()
                .map(|(s, a)| (s.to_bits(), *a))
                .collect::<Vec<_>>(),
            ours.iter()
                .map(|(s, a)| (s.to_bits(), *a))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            super::search(&searcher, &query, &Count).expect("count"),
            200
        );
    }
}
