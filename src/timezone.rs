//! The `--tz` zone: which calendar day, week and month a UTC instant belongs to.
//!
//! Accepts IANA names (`Asia/Kathmandu`), `UTC`, fixed offsets (`+05:30`) and `local` (the
//! machine's zone, by `$TZ` or the system setting).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};

use crate::error::{Error, Result};

/// A resolved time zone.
#[derive(Debug, Clone)]
pub enum Zone {
    /// An IANA zone.
    Named(chrono_tz::Tz),
    /// A fixed UTC offset.
    Fixed(FixedOffset),
    /// The machine's local zone when it has no IANA name.
    Local,
}

impl Zone {
    /// Parses a `--tz` value.
    pub fn parse(text: &str) -> Result<Zone> {
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("local") {
            return Ok(local_zone());
        }
        if trimmed.eq_ignore_ascii_case("utc") || trimmed == "Z" {
            return Ok(Zone::Named(chrono_tz::UTC));
        }
        if let Ok(tz) = trimmed.parse::<chrono_tz::Tz>() {
            return Ok(Zone::Named(tz));
        }
        if let Some(offset) = parse_offset(trimmed) {
            return Ok(Zone::Fixed(offset));
        }
        Err(Error::Usage(format!(
            "unknown time zone {text:?}: use an IANA name such as Europe/Berlin, UTC, an offset such as +05:30, or local"
        )))
    }

    /// The zone's name as shown in reports.
    pub fn name(&self) -> String {
        match self {
            Zone::Named(tz) => tz.name().to_owned(),
            Zone::Fixed(offset) => offset.to_string(),
            Zone::Local => "local".to_owned(),
        }
    }

    /// The calendar date of a UTC instant in this zone.
    pub fn date_of(&self, timestamp_ms: i64) -> NaiveDate {
        let utc = DateTime::<Utc>::from_timestamp_millis(timestamp_ms).unwrap_or_default();
        match self {
            Zone::Named(tz) => utc.with_timezone(tz).date_naive(),
            Zone::Fixed(offset) => utc.with_timezone(offset).date_naive(),
            Zone::Local => utc.with_timezone(&chrono::Local).date_naive(),
        }
    }

    /// Formats a UTC instant as local wall time `YYYY-MM-DD HH:MM`.
    pub fn format_minute(&self, timestamp_ms: i64) -> String {
        let utc = DateTime::<Utc>::from_timestamp_millis(timestamp_ms).unwrap_or_default();
        let fmt = "%Y-%m-%d %H:%M";
        match self {
            Zone::Named(tz) => utc.with_timezone(tz).format(fmt).to_string(),
            Zone::Fixed(offset) => utc.with_timezone(offset).format(fmt).to_string(),
            Zone::Local => utc.with_timezone(&chrono::Local).format(fmt).to_string(),
        }
    }

    /// The first instant (ms, UTC) of a local calendar date; used to turn `--since` into a bound.
    pub fn start_of(&self, date: NaiveDate) -> i64 {
        let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
        let first = match self {
            Zone::Named(tz) => tz
                .from_local_datetime(&midnight)
                .earliest()
                .map(|t| t.timestamp_millis()),
            Zone::Fixed(offset) => offset
                .from_local_datetime(&midnight)
                .earliest()
                .map(|t| t.timestamp_millis()),
            Zone::Local => chrono::Local
                .from_local_datetime(&midnight)
                .earliest()
                .map(|t| t.timestamp_millis()),
        };
        // A zone may skip local midnight (DST); an hour later then exists.
        first.unwrap_or_else(|| midnight.and_utc().timestamp_millis())
    }
}

/// The machine's zone: `$TZ` or the system's IANA name when it resolves, else chrono's Local.
fn local_zone() -> Zone {
    if let Ok(tz) = std::env::var("TZ")
        && let Ok(named) = tz.trim_start_matches(':').parse::<chrono_tz::Tz>()
    {
        return Zone::Named(named);
    }
    match iana_time_zone::get_timezone()
        .ok()
        .and_then(|name| name.parse::<chrono_tz::Tz>().ok())
    {
        Some(tz) => Zone::Named(tz),
        None => Zone::Local,
    }
}

/// `+05:30`, `-0800`, `UTC+05:45`.
fn parse_offset(text: &str) -> Option<FixedOffset> {
    let text = text
        .strip_prefix("UTC")
        .or_else(|| text.strip_prefix("GMT"))
        .unwrap_or(text);
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != rest.chars().filter(|c| *c != ':').count() {
        return None;
    }
    let (hours, minutes) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    if hours > 14 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// The Monday that starts the ISO week of `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - chrono::Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_parse_and_bucket() {
        let ts = chrono::DateTime::parse_from_rfc3339("2026-03-05T20:00:00Z")
            .expect("valid")
            .timestamp_millis();
        let day = |z: &str| Zone::parse(z).expect("zone").date_of(ts).to_string();
        assert_eq!(day("UTC"), "2026-03-05");
        assert_eq!(day("Asia/Kathmandu"), "2026-03-06"); // +05:45
        assert_eq!(day("+05:30"), "2026-03-06");
        assert_eq!(day("America/Los_Angeles"), "2026-03-05");
        assert!(Zone::parse("Mars/Olympus").is_err());
    }

    #[test]
    fn weeks_start_on_monday() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 8).expect("date"); // a Sunday
        assert_eq!(week_start(d).to_string(), "2026-03-02");
    }
}
