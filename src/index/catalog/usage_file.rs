//! The encoding of one session's usage blob: its events as compact rows naming their model by
//! index into the file's models, read straight back into [`UsageEvent`]s (a query never builds
//! the rows and then the events from them).

use std::fmt;

use serde::Deserializer as _;
use serde::de::{SeqAccess, Visitor};

use super::usage::Models;
use crate::model::{TokenUsage, UsageEvent};

/// One usage event on disk: time (ms), index into the models, input, cached input, output,
/// reasoning, total, cache-write input, and its event key.
type Row = (i64, u32, [i64; 6], u64);

/// `events` as a blob of rows; `model` gives each event's model index.
pub(super) fn encode_rows(events: &[UsageEvent], model: impl Fn(&UsageEvent) -> u32) -> Vec<u8> {
    let rows: Vec<Row> = events
        .iter()
        .map(|e| (e.timestamp_ms, model(e), e.usage.counts(), e.event_key))
        .collect();
    postcard::to_stdvec(&rows).unwrap_or_default()
}

/// A blob of rows as events; an error when it does not decode or names no model.
pub(super) fn decode_rows(models: &Models, blob: &[u8]) -> Result<Vec<UsageEvent>, String> {
    if blob.is_empty() {
        return Ok(Vec::new());
    }
    let mut de = postcard::Deserializer::from_bytes(blob);
    let events = de
        .deserialize_seq(Events(models))
        .map_err(|e| e.to_string())?;
    match de.finalize() {
        Ok([]) => Ok(events),
        Ok(_) => Err("bytes after a session's usage rows".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// Reads one session's rows as events.
struct Events<'a>(&'a Models);

impl<'de> Visitor<'de> for Events<'_> {
    type Value = Vec<UsageEvent>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("usage rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut events = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
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
