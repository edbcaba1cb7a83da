//! The usage file's encoding: events are written as compact rows naming their model by index,
//! and read straight back into [`UsageEvent`]s, so a query never builds the rows and then the
//! events from them (that second pass was an eighth of a `stats` query).
//!
//! The layout is the derived one of `(models, sessions, limits)` with `sessions` as lists of
//! [`Row`]s: postcard writes a struct as the tuple of its fields.

use std::fmt;
use std::sync::Arc;

use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::ser::{Error as _, SerializeSeq, SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};

use super::usage::{Row, UsageTable};
use crate::model::{TokenUsage, UsageEvent};

type Models = [(Arc<str>, Option<Arc<str>>)];

impl Serialize for UsageTable {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut table = serializer.serialize_tuple(3)?;
        table.serialize_element(&self.models)?;
        table.serialize_element(&SessionsOut(self))?;
        table.serialize_element(&self.limits)?;
        table.end()
    }
}

/// Every session's events, as rows.
struct SessionsOut<'a>(&'a UsageTable);

impl Serialize for SessionsOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let table = self.0;
        let mut sessions = serializer.serialize_seq(Some(table.sessions.len()))?;
        for events in &table.sessions {
            sessions.serialize_element(&RowsOut(table, events))?;
        }
        sessions.end()
    }
}

/// One session's events, as rows.
struct RowsOut<'a>(&'a UsageTable, &'a [UsageEvent]);

impl Serialize for RowsOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let RowsOut(table, events) = self;
        let mut rows = serializer.serialize_seq(Some(events.len()))?;
        for e in *events {
            let model = table
                .model_index(e)
                .ok_or_else(|| S::Error::custom("usage event of a model not interned"))?;
            let row: Row = (e.timestamp_ms, model as u32, e.usage.counts(), e.event_key);
            rows.serialize_element(&row)?;
        }
        rows.end()
    }
}

impl<'de> Deserialize<'de> for UsageTable {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<UsageTable, D::Error> {
        deserializer.deserialize_tuple(3, TableVisitor)
    }
}

struct TableVisitor;

impl<'de> Visitor<'de> for TableVisitor {
    type Value = UsageTable;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a usage table")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<UsageTable, A::Error> {
        let missing = || serde::de::Error::custom("usage table cut short");
        let models: Vec<(Arc<str>, Option<Arc<str>>)> = seq.next_element()?.ok_or_else(missing)?;
        let sessions = seq
            .next_element_seed(Sessions(&models))?
            .ok_or_else(missing)?;
        let limits = seq.next_element()?.ok_or_else(missing)?;
        Ok(UsageTable {
            models,
            sessions,
            limits,
        })
    }
}

/// Reads every session's rows as events.
struct Sessions<'a>(&'a Models);

impl<'de> DeserializeSeed<'de> for Sessions<'_> {
    type Value = Vec<Vec<UsageEvent>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Sessions<'_> {
    type Value = Vec<Vec<UsageEvent>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("usage rows per session")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut sessions = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(events) = seq.next_element_seed(Events(self.0))? {
            sessions.push(events);
        }
        Ok(sessions)
    }
}

/// Reads one session's rows as events.
struct Events<'a>(&'a Models);

impl<'de> DeserializeSeed<'de> for Events<'_> {
    type Value = Vec<UsageEvent>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Events<'_> {
    type Value = Vec<UsageEvent>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("usage rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut events = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some((timestamp_ms, model, u, event_key)) = seq.next_element::<Row>()? {
            let (model, service_tier) = self
                .0
                .get(model as usize)
                .cloned()
                .ok_or_else(|| serde::de::Error::custom("usage row names no model"))?;
            events.push(UsageEvent {
                timestamp_ms,
                model,
                service_tier,
                usage: TokenUsage {
                    input_tokens: u[0],
                    cached_input_tokens: u[1],
                    output_tokens: u[2],
                    reasoning_output_tokens: u[3],
                    total_tokens: u[4],
                    cache_write_input_tokens: u[5],
                },
                event_key,
            });
        }
        Ok(events)
    }
}
