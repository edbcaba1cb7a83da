//! Bytes to lines: splits complete lines, and classifies each line from
//! its first bytes so that the lines no report needs are never JSON-parsed.
//!
//! Codex serialises every envelope in one field order (`timestamp`, optional `ordinal`, `type`,
//! `payload` with its own `type` first), so the record kind is readable from a short prefix.
//! Anything that does not fit that shape falls back to a full parse in the caller.

use memchr::memmem;

/// Splits `bytes` into complete lines: yields `(offset_after_line, line)` with the newline and a
/// trailing `\r` removed. A final fragment without a newline is not yielded: see [`torn_tail`].
pub fn complete_lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', bytes).map(move |end| {
        let mut line = &bytes[start..end];
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        start = end + 1;
        (end + 1, line)
    })
}

/// The bytes after the last newline (a line Codex may still be writing), if any.
pub fn torn_tail(bytes: &[u8]) -> &[u8] {
    match memchr::memrchr(b'\n', bytes) {
        Some(end) => &bytes[end + 1..],
        None => bytes,
    }
}

/// What a line is, judged from its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefix<'a> {
    /// The envelope timestamp text (v2 lines).
    pub timestamp: Option<&'a [u8]>,
    /// The envelope `type` (v2) or the bare item `type` (legacy).
    pub kind: &'a [u8],
    /// The payload's `type` for `event_msg` and `response_item` (v2 only).
    pub sub: Option<&'a [u8]>,
}

/// Reads a v2 envelope's prefix: `{"timestamp":"…",("ordinal":N,)"type":"…","payload":{"type":"…"`.
pub fn read_prefix(line: &[u8]) -> Option<Prefix<'_>> {
    let rest = line.strip_prefix(b"{\"timestamp\":\"")?;
    let ts_end = memchr::memchr(b'"', rest)?;
    let timestamp = &rest[..ts_end];
    let mut rest = rest[ts_end + 1..].strip_prefix(b",")?;
    if let Some(after) = rest.strip_prefix(b"\"ordinal\":") {
        let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
        rest = after[digits..].strip_prefix(b",")?;
    }
    let rest = rest.strip_prefix(b"\"type\":\"")?;
    let kind_end = memchr::memchr(b'"', rest)?;
    let kind = &rest[..kind_end];
    let sub = rest[kind_end + 1..]
        .strip_prefix(b",\"payload\":{\"type\":\"")
        .and_then(|p| memchr::memchr(b'"', p).map(|end| &p[..end]));
    Some(Prefix {
        timestamp: Some(timestamp),
        kind,
        sub,
    })
}

/// Reads a legacy bare item's prefix: `{"type":"message",…` or `{"record_type":"state"…`.
pub fn read_legacy_prefix(line: &[u8]) -> Option<&[u8]> {
    if line.starts_with(b"{\"record_type\":") {
        return Some(b"record_type");
    }
    let rest = line.strip_prefix(b"{\"type\":\"")?;
    memchr::memchr(b'"', rest).map(|end| &rest[..end])
}

/// The plain string value of the first `key` (given with its quotes and colon, e.g.
/// `"service_tier":`) in `line`: `None` when the key is missing, `null`, or the value holds an
/// escape (the values looked up this way never do).
pub fn plain_string_after<'a>(line: &'a [u8], key: &[u8]) -> Option<&'a str> {
    let at = memmem::find(line, key)? + key.len();
    let rest = line[at..].trim_ascii_start().strip_prefix(b"\"")?;
    let end = memchr::memchr2(b'"', b'\\', rest)?;
    (rest[end] == b'"')
        .then(|| std::str::from_utf8(&rest[..end]).ok())
        .flatten()
}

/// True when the line mentions `needle` within its first `window` bytes.
pub fn head_contains(line: &[u8], needle: &[u8], window: usize) -> bool {
    memmem::find(&line[..line.len().min(window)], needle).is_some()
}

/// Parses `YYYY-MM-DDThh:mm:ss[.fff…](Z|±hh:mm)` into milliseconds since the epoch.
pub fn parse_timestamp_ms(text: &[u8]) -> Option<i64> {
    fn num(bytes: &[u8]) -> Option<i64> {
        if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(
            bytes
                .iter()
                .fold(0, |acc, b| acc * 10 + i64::from(b - b'0')),
        )
    }
    if text.len() >= 20
        && text[4] == b'-'
        && text[7] == b'-'
        && text[10] == b'T'
        && text[13] == b':'
        && text[16] == b':'
        && text.last() == Some(&b'Z')
    {
        let (year, month, day) = (num(&text[0..4])?, num(&text[5..7])?, num(&text[8..10])?);
        let (hour, minute, second) = (
            num(&text[11..13])?,
            num(&text[14..16])?,
            num(&text[17..19])?,
        );
        let frac = &text[19..text.len() - 1];
        let millis = match frac {
            [] => 0,
            [b'.', digits @ ..] if !digits.is_empty() => {
                let mut ms = num(&digits[..digits.len().min(3)])?;
                for _ in digits.len()..3 {
                    ms *= 10;
                }
                ms
            }
            _ => return None,
        };
        let days_in_month = match month {
            2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if !(1..=12).contains(&month)
            || !(1..=days_in_month).contains(&day)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        return Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis);
    }
    let text = std::str::from_utf8(text).ok()?;
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_match_chrono() {
        for text in [
            "2026-01-05T14:33:05.901Z",
            "2025-09-18T16:23:00Z",
            "2024-02-29T23:59:59.5Z",
            "1999-12-31T00:00:00.123456Z",
        ] {
            let expected = chrono::DateTime::parse_from_rfc3339(text)
                .expect("valid")
                .timestamp_millis();
            assert_eq!(
                parse_timestamp_ms(text.as_bytes()),
                Some(expected),
                "{text}"
            );
        }
        assert_eq!(
            parse_timestamp_ms(b"2026-01-05T14:33:05+05:30"),
            Some(
                chrono::DateTime::parse_from_rfc3339("2026-01-05T14:33:05+05:30")
                    .expect("valid")
                    .timestamp_millis()
            )
        );
        assert_eq!(parse_timestamp_ms(b"garbage"), None);
        assert_eq!(parse_timestamp_ms(b"2026-13-05T14:33:05Z"), None);
        assert_eq!(parse_timestamp_ms(b"2026-02-30T10:00:00Z"), None);
        assert_eq!(parse_timestamp_ms(b"2026-04-31T10:00:00.000Z"), None);
        assert!(parse_timestamp_ms(b"2024-02-29T10:00:00Z").is_some());
        assert_eq!(parse_timestamp_ms(b"2100-02-29T10:00:00Z"), None);
    }

    #[test]
    fn prefixes() {
        let line = br#"{"timestamp":"2026-01-05T14:33:05.901Z","type":"event_msg","payload":{"type":"token_count","info":null}}"#;
        let p = read_prefix(line).expect("prefix");
        assert_eq!(p.kind, b"event_msg");
        assert_eq!(p.sub, Some(&b"token_count"[..]));
        let ordinal = br#"{"timestamp":"2026-09-05T14:33:05.901Z","ordinal":17,"type":"turn_context","payload":{"cwd":"/x"}}"#;
        let p = read_prefix(ordinal).expect("prefix");
        assert_eq!(p.kind, b"turn_context");
        assert_eq!(p.sub, None);
        assert_eq!(
            read_legacy_prefix(br#"{"type":"message","role":"user"}"#),
            Some(&b"message"[..])
        );
        assert_eq!(read_prefix(br#"{"type":"message"}"#), None);
        let settings =
            br#"{"payload":{"thread_settings":{"model":"m","service_tier":"priority"}}}"#;
        assert_eq!(
            plain_string_after(settings, b"\"service_tier\":"),
            Some("priority")
        );
        assert_eq!(
            plain_string_after(br#"{"service_tier": null}"#, b"\"service_tier\":"),
            None
        );
        assert_eq!(
            plain_string_after(br#"{"model":"m"}"#, b"\"service_tier\":"),
            None
        );
    }

    #[test]
    fn lines_and_tail() {
        let bytes = b"a\r\nb\n\nc";
        let lines: Vec<_> = complete_lines(bytes).collect();
        assert_eq!(lines, vec![(3, &b"a"[..]), (5, &b"b"[..]), (6, &b""[..])]);
        assert_eq!(torn_tail(bytes), b"c");
        assert_eq!(torn_tail(b"x\n"), b"");
    }
}
