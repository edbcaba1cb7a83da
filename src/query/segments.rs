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
