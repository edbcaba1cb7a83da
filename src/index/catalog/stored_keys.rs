//! How the catalog stores every session's keys: each distinct text (a directory, a client, a
//! model) once, and each session as numbers into that list.
//!
//! The same few projects, one or two clients and a handful of model lists recur across
//! thousands of sessions. Stored per session, loading 10,000 sessions' keys validated,
//! allocated and later freed some 60,000 strings: most of a large history's query start-up.
//! Stored once, they are a few hundred, and the sessions share them.

use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::de::{DeserializeSeed, Error as _, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::keys::SessionKeys;

/// The keys as stored, with where each session's encoded bytes end (read back field by
/// field by [`StoredVisitor`]).
#[derive(Serialize)]
struct Stored<S> {
    /// Every distinct text; a row's number `n` names `texts[n - 1]`, 0 names none.
    texts: Vec<S>,
    /// Every distinct model list, as numbers into `texts`.
    lists: Vec<Vec<u32>>,
    rows: Vec<Row<S>>,
    ends: Vec<u64>,
}

/// One session's keys: its own texts inline, the shared ones as numbers. `S` is `&str`
/// when writing and `String` when reading.
#[derive(Serialize, Deserialize)]
struct Row<S> {
    id: S,
    started_at_ms: Option<i64>,
    updated_at_ms: Option<i64>,
    interactive: bool,
    archived: bool,
    cwd: u32,
    latest_cwd: u32,
    originator: u32,
    git_repository_url: u32,
    workspace_root: u32,
    /// A number into `lists` (every session has a list, perhaps empty).
    models: u32,
    thread_name: Option<S>,
}

/// Numbers for texts and model lists, each distinct one listed once.
#[derive(Default)]
struct Interner<'a> {
    texts: Vec<&'a str>,
    text_at: FxHashMap<&'a str, u32>,
    lists: Vec<Vec<u32>>,
    list_at: FxHashMap<&'a [String], u32>,
}

impl<'a> Interner<'a> {
    fn text(&mut self, text: Option<&'a str>) -> u32 {
        let Some(text) = text else { return 0 };
        *self.text_at.entry(text).or_insert_with(|| {
            self.texts.push(text);
            self.texts.len() as u32
        })
    }

    fn list(&mut self, list: &'a [String]) -> u32 {
        if let Some(&at) = self.list_at.get(list) {
            return at;
        }
        let numbers = list.iter().map(|m| self.text(Some(m))).collect();
        self.lists.push(numbers);
        let at = self.lists.len() as u32 - 1;
        self.list_at.insert(list, at);
        at
    }
}

/// Writes `keys` and `ends` in the stored form.
pub(super) fn serialize<S: serde::Serializer>(
    keys: &[SessionKeys],
    ends: &[u64],
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut interner = Interner::default();
    let rows = keys
        .iter()
        .map(|k| Row {
            id: k.id.as_str(),
            started_at_ms: k.started_at_ms,
            updated_at_ms: k.updated_at_ms,
            interactive: k.interactive,
            archived: k.archived,
            cwd: interner.text(k.cwd.as_deref()),
            latest_cwd: interner.text(k.latest_cwd.as_deref()),
            originator: interner.text(k.originator.as_deref()),
            git_repository_url: interner.text(k.git_repository_url.as_deref()),
            workspace_root: interner.text(k.workspace_root.as_deref()),
            models: interner.list(&k.models),
            thread_name: k.thread_name.as_deref(),
        })
        .collect();
    Stored {
        texts: interner.texts,
        lists: interner.lists,
        rows,
        ends: ends.to_vec(),
    }
    .serialize(s)
}

/// Reads the stored form back: every session's keys and where its bytes end. A number that
/// names nothing is damage.
///
/// One pass: each row becomes its [`SessionKeys`] as it is read, into a vector sized once.
/// Collecting the rows first and converting them after cost a second vector of 10,000 rows
/// and a reallocation of the first, about a thousand page faults on a large history.
pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<(Vec<SessionKeys>, Vec<u64>), D::Error> {
    const FIELDS: &[&str] = &["texts", "lists", "rows", "ends"];
    d.deserialize_struct("Stored", FIELDS, StoredVisitor)
}

/// Reads [`Stored`]'s fields in order, turning rows into keys with the shared texts at hand.
struct StoredVisitor;

impl<'de> Visitor<'de> for StoredVisitor {
    type Value = (Vec<SessionKeys>, Vec<u64>);

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("the catalog's session keys")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let missing = |what| A::Error::custom(format_args!("the session keys lack {what}"));
        let texts: Vec<String> = seq.next_element()?.ok_or_else(|| missing("texts"))?;
        let texts: Vec<Arc<str>> = texts.into_iter().map(Arc::from).collect();
        let lists: Vec<Vec<u32>> = seq.next_element()?.ok_or_else(|| missing("model lists"))?;
        let lists = lists
            .iter()
            .map(|numbers| {
                numbers
                    .iter()
                    .map(|&n| {
                        named(&texts, n)?
                            .map(|t| t.to_string())
                            .ok_or("a model list names no model")
                    })
                    .collect::<Result<Vec<String>, _>>()
                    .map(Arc::<[String]>::from)
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(A::Error::custom)?;
        let shared = Shared {
            texts: &texts,
            lists: &lists,
        };
        let keys = seq
            .next_element_seed(Rows(shared))?
            .ok_or_else(|| missing("rows"))?;
        let ends: Vec<u64> = seq.next_element()?.ok_or_else(|| missing("ends"))?;
        Ok((keys, ends))
    }
}

/// The texts and model lists rows point into.
#[derive(Clone, Copy)]
struct Shared<'a> {
    texts: &'a [Arc<str>],
    lists: &'a [Arc<[String]>],
}

/// Text number `n` (0 names none); a number past the table is damage.
fn named(texts: &[Arc<str>], n: u32) -> Result<Option<Arc<str>>, &'static str> {
    match n {
        0 => Ok(None),
        n => texts
            .get(n as usize - 1)
            .cloned()
            .map(Some)
            .ok_or("a session key names no stored text"),
    }
}

impl Shared<'_> {
    fn keys(self, r: Row<String>) -> Result<SessionKeys, &'static str> {
        let text = |n| named(self.texts, n);
        Ok(SessionKeys {
            id: r.id,
            started_at_ms: r.started_at_ms,
            updated_at_ms: r.updated_at_ms,
            interactive: r.interactive,
            archived: r.archived,
            cwd: text(r.cwd)?,
            latest_cwd: text(r.latest_cwd)?,
            originator: text(r.originator)?,
            git_repository_url: text(r.git_repository_url)?,
            workspace_root: text(r.workspace_root)?,
            models: self
                .lists
                .get(r.models as usize)
                .cloned()
                .ok_or("a session names no model list")?,
            thread_name: r.thread_name,
        })
    }
}

/// The rows, each read and converted in turn.
struct Rows<'a>(Shared<'a>);

impl<'de> DeserializeSeed<'de> for Rows<'_> {
    type Value = Vec<SessionKeys>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Rows<'_> {
    type Value = Vec<SessionKeys>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("session rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // The length comes from the file: trust it only as far as a damaged one cannot hurt
        // (12 MB; a larger history grows the vector as it reads).
        let mut keys = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
        while let Some(row) = seq.next_element::<Row<String>>()? {
            keys.push(self.0.keys(row).map_err(A::Error::custom)?);
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(id: &str, cwd: Option<&str>, models: &[&str]) -> SessionKeys {
        SessionKeys {
            id: id.into(),
            cwd: cwd.map(Arc::from),
            originator: Some(Arc::from("codex_cli_rs")),
            models: models.iter().map(ToString::to_string).collect(),
            thread_name: (id == "b").then(|| "named".to_owned()),
            ..SessionKeys::default()
        }
    }

    fn encoded(keys: &[SessionKeys], ends: &[u64]) -> Vec<u8> {
        use postcard::ser_flavors::Flavor;
        let mut out = postcard::Serializer {
            output: postcard::ser_flavors::AllocVec::new(),
        };
        serialize(keys, ends, &mut out).expect("encode");
        out.output.finalize().expect("finish")
    }

    #[test]
    fn shared_texts_are_stored_once_and_come_back_shared() {
        let table = vec![
            keys("a", Some("/w/p"), &["gpt-5", "o3"]),
            keys("b", Some("/w/p"), &["gpt-5", "o3"]),
            keys("c", None, &[]),
            keys("d", Some("/w/q"), &["o3"]),
        ];
        let bytes = encoded(&table, &[1, 2, 3, 4]);
        // "/w/p" and "codex_cli_rs" once each, though two and four sessions name them.
        let text = String::from_utf8_lossy(&bytes);
        assert_eq!(text.matches("/w/p").count(), 1);
        assert_eq!(text.matches("codex_cli_rs").count(), 1);
        assert_eq!(text.matches("gpt-5").count(), 1);
        let mut de = postcard::Deserializer::from_bytes(&bytes);
        let (back, ends) = deserialize(&mut de).expect("decode");
        assert_eq!(back, table);
        assert_eq!(ends, vec![1, 2, 3, 4]);
        assert!(Arc::ptr_eq(
            back[0].cwd.as_ref().expect("cwd"),
            back[1].cwd.as_ref().expect("cwd")
        ));
        assert!(Arc::ptr_eq(&back[0].models, &back[1].models));
    }

    #[test]
    fn a_number_that_names_nothing_is_an_error_not_a_panic() {
        let stored = Stored::<&str> {
            texts: vec!["/w"],
            lists: vec![vec![]],
            rows: vec![Row {
                id: "a",
                started_at_ms: None,
                updated_at_ms: None,
                interactive: true,
                archived: false,
                cwd: 2,
                latest_cwd: 0,
                originator: 0,
                git_repository_url: 0,
                workspace_root: 0,
                models: 0,
                thread_name: None,
            }],
            ends: vec![0],
        };
        let bytes = postcard::to_stdvec(&stored).expect("encode");
        let mut de = postcard::Deserializer::from_bytes(&bytes);
        assert!(deserialize(&mut de).is_err());
        let mut bad_list = stored;
        bad_list.rows[0].cwd = 1;
        bad_list.rows[0].models = 1;
        let bytes = postcard::to_stdvec(&bad_list).expect("encode");
        let mut de = postcard::Deserializer::from_bytes(&bytes);
        assert!(deserialize(&mut de).is_err());
    }

    #[test]
    fn a_cut_short_table_is_an_error_at_every_length() {
        let bytes = encoded(&[keys("a", Some("/w/p"), &["gpt-5"])], &[7]);
        for len in 0..bytes.len() {
            let mut de = postcard::Deserializer::from_bytes(&bytes[..len]);
            assert!(
                deserialize(&mut de).is_err(),
                "{len} of {} bytes",
                bytes.len()
            );
        }
        let mut de = postcard::Deserializer::from_bytes(&bytes);
        assert_eq!(deserialize(&mut de).expect("whole").1, vec![7]);
    }
}
