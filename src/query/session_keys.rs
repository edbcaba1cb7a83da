//! Each document's session, read from the session field's fast column without loading a
//! stored document.
//!
//! The column holds a term ordinal per document (a few bits each); the segment's dictionary
//! turns an ordinal into the session's [`schema::session_key`], once per ordinal and only for
//! the ordinals asked about (a search looks at a few hundred documents; reading and hashing
//! every session of 53 segments first cost it more than the lookups). Queries key sessions by
//! that hash, so callers look up the few sessions they hold without a map of every session in
//! the index.

use std::cell::OnceCell;

use rustc_hash::FxHashSet;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::schema;

/// One segment's documents → session keys.
pub struct SessionKeys {
    column: StrColumn,
    /// The key of each term ordinal, once looked up (`None`: its term could not be read).
    keys: Vec<OnceCell<Option<u64>>>,
}

impl SessionKeys {
    /// Opens the segment's session column.
    pub fn open(segment: &SegmentReader) -> tantivy::Result<SessionKeys> {
        let column = segment.fast_fields().str(schema::SESSION)?.ok_or_else(|| {
            tantivy::TantivyError::SchemaError("the session field has no fast column".to_owned())
        })?;
        let keys = std::iter::repeat_with(OnceCell::new)
            .take(column.num_terms())
            .collect();
        Ok(SessionKeys { column, keys })
    }

    /// How many sessions the segment holds (term ordinals are below this).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// The term ordinal of `doc`'s session.
    pub fn ord(&self, doc: DocId) -> Option<usize> {
        self.column
            .ords()
            .first(doc)
            .and_then(|ord| usize::try_from(ord).ok())
    }

    /// The session key of term ordinal `ord`.
    pub fn key(&self, ord: usize) -> Option<u64> {
        *self.keys.get(ord)?.get_or_init(|| {
            let mut id = String::new();
            let found = self.column.ord_to_str(ord as u64, &mut id).ok()?;
            found.then(|| schema::session_key(&id))
        })
    }

    /// The session key of `doc`.
    pub fn of(&self, doc: DocId) -> Option<u64> {
        self.ord(doc).and_then(|ord| self.key(ord))
    }

    /// The session key of every term ordinal, in order, read in one pass over the dictionary.
    pub fn all(&self) -> tantivy::Result<Vec<u64>> {
        let mut keys = Vec::with_capacity(self.len());
        let mut terms = self.column.dictionary().stream()?;
        while terms.advance() {
            keys.push(schema::session_key(&String::from_utf8_lossy(terms.key())));
        }
        Ok(keys)
    }
}

/// `inner`, fed only the documents of sessions not in `hidden`.
pub struct Shown<C> {
    pub inner: C,
    pub hidden: std::sync::Arc<FxHashSet<u64>>,
}

/// [`Shown`] for one segment: whether each of its session ordinals is hidden.
pub struct ShownSegment<S> {
    inner: S,
    keys: SessionKeys,
    hidden: Vec<bool>,
}

impl<C: Collector> Collector for Shown<C> {
    type Fruit = C::Fruit;
    type Child = ShownSegment<C::Child>;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let keys = SessionKeys::open(segment)?;
        // Every ordinal is looked at here: one pass over the dictionary.
        let hidden = keys
            .all()?
            .iter()
            .map(|k| self.hidden.contains(k))
            .collect();
        Ok(ShownSegment {
            inner: self.inner.for_segment(ord, segment)?,
            keys,
            hidden,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<C::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<C::Fruit> {
        self.inner.merge_fruits(fruits)
    }
}

impl<S: SegmentCollector> SegmentCollector for ShownSegment<S> {
    type Fruit = S::Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        let shown = self
            .keys
            .ord(doc)
            .is_some_and(|ord| !self.hidden.get(ord).copied().unwrap_or(true));
        if shown {
            self.inner.collect(doc, score);
        }
    }

    fn harvest(self) -> S::Fruit {
        self.inner.harvest()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rustc_hash::FxHashSet;
    use tantivy::collector::TopDocs;
    use tantivy::indexer::NoMergePolicy;
    use tantivy::query::AllQuery;
    use tantivy::schema::Value;
    use tantivy::{Index, TantivyDocument};

    use super::{SessionKeys, Shown};
    use crate::index::schema;

    /// Sessions `a`..`e` over three segments, each in a different order; thread-name
    /// documents too.
    fn index() -> (Index, schema::Fields) {
        let (schema, fields) = schema::schema();
        let index = Index::create_in_ram(schema);
        schema::register_tokenizer(&index);
        let mut writer = index.writer::<TantivyDocument>(15_000_000).expect("writer");
        writer.set_merge_policy(Box::new(NoMergePolicy));
        for segment in [["e", "a", "c"], ["b", "e", "d"], ["d", "d", "a"]] {
            for (i, id) in segment.iter().enumerate() {
                writer
                    .add_document(schema::name_doc(&fields, id, "a name", i as i64))
                    .expect("add");
            }
            writer.commit().expect("commit");
        }
        (index, fields)
    }

    #[test]
    fn every_document_maps_to_the_key_of_its_stored_session_id() {
        let (index, fields) = index();
        let searcher = index.reader().expect("reader").searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        let mut seen = 0;
        let mut lens = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let keys = SessionKeys::open(segment).expect("keys");
            // The one pass over the dictionary and the lookups one by one agree.
            let one_by_one: Vec<u64> = (0..keys.len()).filter_map(|o| keys.key(o)).collect();
            assert_eq!(keys.all().expect("all"), one_by_one);
            lens.push(keys.len());
            for doc in 0..segment.max_doc() {
                let stored: TantivyDocument = searcher
                    .doc(tantivy::DocAddress::new(ord as u32, doc))
                    .expect("doc");
                let id = stored
                    .get_first(fields.session)
                    .and_then(|v| v.as_str())
                    .expect("id");
                assert_eq!(keys.of(doc), Some(schema::session_key(id)), "{id}");
                seen += 1;
            }
        }
        assert_eq!(seen, 9);
        // Sessions per segment: e a c, b e d, d d a.
        lens.sort_unstable();
        assert_eq!(lens, [2, 3, 3]);
    }

    #[test]
    fn shown_leaves_out_the_hidden_sessions_documents_only() {
        let (index, fields) = index();
        let searcher = index.reader().expect("reader").searcher();
        let ids_of = |top: Vec<(f32, tantivy::DocAddress)>| {
            let mut ids: Vec<String> = top
                .into_iter()
                .map(|(_, address)| {
                    let doc: TantivyDocument = searcher.doc(address).expect("doc");
                    doc.get_first(fields.session)
                        .and_then(|v| v.as_str())
                        .expect("id")
                        .to_owned()
                })
                .collect();
            ids.sort();
            ids
        };
        let hidden: FxHashSet<u64> = ["d", "e"]
            .iter()
            .map(|id| schema::session_key(id))
            .collect();
        let shown = Shown {
            inner: TopDocs::with_limit(20).order_by_score(),
            hidden: Arc::new(hidden),
        };
        let top = searcher.search(&AllQuery, &shown).expect("search");
        assert_eq!(ids_of(top), ["a", "a", "b", "c"]);
        let nothing_hidden = Shown {
            inner: TopDocs::with_limit(20).order_by_score(),
            hidden: Arc::new(FxHashSet::default()),
        };
        assert_eq!(
            searcher
                .search(&AllQuery, &nothing_hidden)
                .expect("search")
                .len(),
            9
        );
    }
}
