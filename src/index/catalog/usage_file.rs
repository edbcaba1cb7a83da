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

/// Bytes per quarter-hour row: time (ms), model index, the six counts, little-endian.
const QUARTER_ROW_BYTES: usize = 8 + 4 + 6 * 8;

/// Quarter-hour sums as fixed-width rows (no event key: a sum has none). `stats` reads every
/// session's sums, and rows of varints cost some 550 instructions each to decode (12 million
/// for a large history's 22,000); fixed-width rows are a few dozen.
pub(super) fn encode_quarters(sums: &[UsageEvent], model: impl Fn(&UsageEvent) -> u32) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(sums.len() * QUARTER_ROW_BYTES);
    for sum in sums {
        bytes.extend_from_slice(&sum.timestamp_ms.to_le_bytes());
        bytes.extend_from_slice(&model(sum).to_le_bytes());
        for count in sum.usage.counts() {
            bytes.extend_from_slice(&count.to_le_bytes());
        }
    }
    bytes
}

/// What [`encode_quarters`] wrote; an error when the length is not whole rows or a row names
/// no model.
pub(super) fn decode_quarters(models: &Models, blob: &[u8]) -> Result<Vec<UsageEvent>, String> {
    if !blob.len().is_multiple_of(QUARTER_ROW_BYTES) {
        return Err("quarter-hour rows of a broken length".to_owned());
    }
    let word = |bytes: &[u8], at: usize| {
        i64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default())
    };
    // Sized once: collected through a `Result`, the list grew by doubling and was copied.
    let mut rows = Vec::with_capacity(blob.len() / QUARTER_ROW_BYTES);
    for row in blob.chunks_exact(QUARTER_ROW_BYTES) {
        let model = u32::from_le_bytes(row[8..12].try_into().unwrap_or_default());
        let (model, service_tier) = models
            .get(model as usize)
            .cloned()
            .ok_or("quarter-hour row names no model")?;
        let count = |i: usize| word(row, 12 + 8 * i);
        rows.push(UsageEvent {
            timestamp_ms: word(row, 0),
            model,
            service_tier,
            usage: TokenUsage {
                input_tokens: count(0),
                cached_input_tokens: count(1),
                output_tokens: count(2),
                reasoning_output_tokens: count(3),
                total_tokens: count(4),
                cache_write_input_tokens: count(5),
            },
            event_key: 0,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn quarter_rows_keep_every_bit_and_a_broken_blob_is_an_error() {
        let models: Models = vec![
            (Arc::from("gpt-5"), None),
            (Arc::from("gpt-5"), Some(Arc::from("priority"))),
        ];
        let sums: Vec<UsageEvent> = [0, -1, i64::MIN, i64::MAX, 1_770_000_000_000]
            .iter()
            .enumerate()
            .map(|(i, &x)| UsageEvent {
                timestamp_ms: x,
                model: models[i % 2].0.clone(),
                service_tier: models[i % 2].1.clone(),
                usage: TokenUsage {
                    input_tokens: x,
                    cached_input_tokens: x.wrapping_neg(),
                    output_tokens: i as i64,
                    reasoning_output_tokens: x / 7,
                    total_tokens: x.wrapping_add(1),
                    cache_write_input_tokens: -3,
                },
                event_key: 0,
            })
            .collect();
        let blob = encode_quarters(&sums, |e| u32::from(e.service_tier.is_some()));
        assert_eq!(blob.len(), sums.len() * QUARTER_ROW_BYTES);
        assert_eq!(decode_quarters(&models, &blob), Ok(sums));
        assert!(decode_quarters(&models, &blob[..blob.len() - 1]).is_err());
        assert!(
            decode_quarters(&models[..1].to_vec(), &blob).is_err(),
            "model 1 is not there"
        );
        assert_eq!(decode_quarters(&models, &[]), Ok(Vec::new()));
    }
}
