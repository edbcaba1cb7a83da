//! JSON decoding of single lines with simd-json, tolerant of invalid UTF-8 and NUL padding.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::ParseReport;

/// `{"payload": …}` around a v2 record.
#[derive(Debug, Deserialize)]
pub(super) struct Envelope<T> {
    pub(super) payload: T,
}

/// Parses one JSON line with simd-json, decoding invalid UTF-8 lossily.
pub(super) fn decode<T: DeserializeOwned>(
    line: &[u8],
    scratch: &mut Vec<u8>,
    report: &mut ParseReport,
) -> Option<T> {
    scratch.clear();
    scratch.extend_from_slice(line);
    if let Ok(value) = simd_json::serde::from_slice::<T>(scratch.as_mut_slice()) {
        return Some(value);
    }
    // simd-json rejects invalid UTF-8: decode such a line lossily and try once more.
    if std::str::from_utf8(line).is_ok() {
        return None;
    }
    report.lossy_utf8 += 1;
    scratch.clear();
    scratch.extend_from_slice(String::from_utf8_lossy(line).as_bytes());
    simd_json::serde::from_slice::<T>(scratch.as_mut_slice()).ok()
}

/// Like [`decode`], but the result may borrow strings from `scratch`.
pub(super) fn decode_borrowed<'s, T: Deserialize<'s>>(
    line: &[u8],
    scratch: &'s mut Vec<u8>,
    report: &mut ParseReport,
) -> Option<T> {
    scratch.clear();
    if std::str::from_utf8(line).is_ok() {
        scratch.extend_from_slice(line);
    } else {
        report.lossy_utf8 += 1;
        scratch.extend_from_slice(String::from_utf8_lossy(line).as_bytes());
    }
    simd_json::serde::from_slice::<T>(scratch.as_mut_slice()).ok()
}

/// Strips NUL padding (a crash artifact) and surrounding whitespace.
pub fn trim_line(line: &[u8]) -> &[u8] {
    let start = line
        .iter()
        .position(|b| *b != 0 && !b.is_ascii_whitespace())
        .unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|b| *b != 0 && !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &line[start..end.max(start)]
}
