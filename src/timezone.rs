//! The `--tz` zone: which calendar day, week and month a UTC instant belongs to.
//!
//! Accepts IANA names (`Asia/Kathmandu`), `UTC`, fixed offsets (`+05:30`) and `local` (the
//! machine's zone, by `$TZ` or the system setting).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};

use crate::error::{Error, Result};

/// The memo window of [`DayMemo`]: a UTC quarter-hour.
const WINDOW_MS: i64 = 15 * 60 * 1000;

/// [`Zone::date_of`] for a stream of instants that mostly come in order, looked up once per UTC
/// quarter-hour whose first and last millisecond fall on the same local date. Today every
/// zone's offsets and transitions are whole quarter-hours, so that is every window but the one
/// holding a local midnight where the offset is odd (an old local mean time, an offset such as
/// +05:17); instants in such a window are looked up one by one, so the answer is always exact.
pub struct DayMemo<'z> {
    zone: &'z Zone,
    window: Option<i64>,
    date: Option<NaiveDate>,
}

impl DayMemo<'_> {
    /// The calendar date of a UTC instant in the zone.
    pub fn date_of(&mut self, timestamp_ms: i64) -> NaiveDate {
        let window = timestamp_ms.div_euclid(WINDOW_MS);
        if self.window != Some(window) {
            let first = window.saturating_mul(WINDOW_MS);
            let last = first.saturating_add(WINDOW_MS - 1);
            let (a, b) = (self.zone.date_of(first), self.zone.date_of(last));
            self.window = Some(window);
            self.date = (a == b).then_some(a);
        }
        self.date.unwrap_or_else(|| self.zone.date_of(timestamp_ms))
    }
}

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

    /// A memo of [`Zone::date_of`] for many instants close together.
    pub fn days(&self) -> DayMemo<'_> {
        DayMemo {
            zone: self,
            window: None,
            date: None,
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
    fn the_day_memo_always_agrees_with_a_direct_lookup() {
        // Zones with 30- and 45-minute offsets, a 30-minute DST shift (Lord Howe), DST at
        // local midnight (Santiago), a fixed offset that is not a whole quarter-hour, and an
        // old local mean time (Amsterdam before 1937); instants in order, then jumping about.
        let zones = [
            "UTC",
            "Asia/Kathmandu",
            "America/St_Johns",
            "Australia/Lord_Howe",
            "America/Santiago",
            "Europe/Berlin",
            "+05:17",
            "-09:59",
            "Europe/Amsterdam",
        ];
        let start = chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z")
            .expect("valid")
            .timestamp_millis();
        let mut instants: Vec<i64> = (0..60_000).map(|i| start + i * 7 * 60 * 1000 + i).collect();
        instants.extend((0..5_000).map(|i| start - (i * 7_919_993 % 400_000_000_000)));
        instants.extend([0, -1, 1, i64::MIN, i64::MAX, i64::MIN / 2, i64::MAX / 2]);
        for name in zones {
            let zone = Zone::parse(name).expect("zone");
            let mut memo = zone.days();
            for &ts in &instants {
                assert_eq!(memo.date_of(ts), zone.date_of(ts), "{name} at {ts}");
            }
        }
    }

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
