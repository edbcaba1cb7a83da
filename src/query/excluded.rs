//! The query of an excluded clause (`-word`, `-"a phrase"`), wrapped so that tantivy is never
//! asked what it must not be asked.
//!
//! tantivy 0.27 excludes documents by seeking the excluded clause's scorer to each candidate,
//! the first time before that scorer has moved. A phrase scorer already past the candidate
//! (exhausted because its words never meet in a segment, or simply starting on a later
//! document) then trips an assertion in debug builds (the fuzzer found `-i平 平` and
//! `-做一个 a\`). The wrapper answers for a scorer already past the target itself and passes
//! everything else through.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term};

/// An excluded clause's query.
#[derive(Debug)]
pub struct Excluded(pub Box<dyn Query>);

impl Clone for Excluded {
    fn clone(&self) -> Excluded {
        Excluded(self.0.box_clone())
    }
}

impl Query for Excluded {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ExcludedWeight(self.0.weight(scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct ExcludedWeight(Box<dyn Weight>);

impl Weight for ExcludedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(Guarded(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

/// A scorer that is never sought backwards.
struct Guarded(Box<dyn Scorer>);

impl DocSet for Guarded {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.0.doc() >= target {
            return self.0.doc();
        }
        self.0.seek(target)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        // Past the target (or exhausted): the target is not in the set, and where the scorer
        // stands is a lower bound of the next document that is, as `seek_danger` may answer.
        let doc = self.0.doc();
        if doc > target {
            return SeekDangerResult::SeekLowerBound(doc);
        }
        self.0.seek_danger(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }
}

impl Scorer for Guarded {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}
