//! The `--tz` zone: which calendar day, week and month a UTC instant belongs to.
//!
//! Accepts IANA names (`Asia/Kathmandu`), `UTC`, fixed offsets (`+05:30`) and `local` (the
//! machine's zone, by `$TZ` or the system setting). This module reads neither: the front end
//! reads them into an [`Environment`](crate::environment::Environment), and [`Zone::local`] and
//! [`tz_variable_warning`] take the two values from there.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};

use crate::error::{Error, Result};

/// A quarter-hour in ms: the memo window of [`DayMemo`], and the grain of the index's usage
/// summed by quarter-hour.
pub const QUARTER_HOUR_MS: i64 = 15 * 60 * 1000;

mod days;
pub use days::DayMemo;

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
    /// Parses a `--tz` value; `local` is the word for `local_zone` (the [`Zone::local`] of the
    /// front end's environment).
    pub fn parse(text: &str, local_zone: &Zone) -> Result<Zone> {
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("local") {
            return Ok(local_zone.clone());
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

    /// The machine's zone from `$TZ` (`tz`) and the system's zone name (`system_zone`): `$TZ`
    /// when it names a zone rolldex can read, else the system's IANA name when it resolves,
    /// else chrono's [`Local`](chrono::Local).
    pub fn local(tz: Option<&str>, system_zone: Option<&str>) -> Zone {
        if let Some(zone) = tz.and_then(zone_of_tz_variable) {
            return zone;
        }
        match system_zone.and_then(|name| name.parse::<chrono_tz::Tz>().ok()) {
            Some(tz) => Zone::Named(tz),
            None => Zone::Local,
        }
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

/// A one-line warning when `$TZ` (`tz`) is set but means nothing rolldex can read, so that
/// `local` falls back to the system setting (`system_zone`, named in the warning): better said
/// than silently reporting in another zone.
pub fn tz_variable_warning(tz: Option<&str>, system_zone: Option<&str>) -> Option<String> {
    let tz = tz?;
    if tz.trim().trim_start_matches(':').is_empty() || zone_of_tz_variable(tz).is_some() {
        return None;
    }
    Some(format!(
        "TZ={tz:?} is not a zone rolldex can read (an IANA name such as Asia/Tokyo, \
         :/usr/share/zoneinfo/Asia/Tokyo, or a fixed POSIX offset such as UTC+3); using the \
         system's zone ({}); --tz chooses one",
        system_zone.unwrap_or("unknown")
    ))
}

/// The zone `$TZ` names: an IANA name, a zoneinfo file path (`:/usr/share/zoneinfo/Asia/Tokyo`,
/// read as the name after `zoneinfo/`), or a POSIX zone with a fixed offset (`UTC+3`, which is
/// three hours *west* of Greenwich). `None` for anything else, such as a POSIX rule with
/// daylight saving time.
fn zone_of_tz_variable(tz: &str) -> Option<Zone> {
    let text = tz.trim();
    let text = text.strip_prefix(':').unwrap_or(text);
    let name = text
        .rfind("zoneinfo/")
        .map_or(text, |at| &text[at + "zoneinfo/".len()..]);
    if let Ok(named) = name.parse::<chrono_tz::Tz>() {
        return Some(Zone::Named(named));
    }
    parse_posix_fixed(text).map(Zone::Fixed)
}

/// A POSIX `TZ` value without daylight saving time: a name of three or more letters (or
/// `<…>`) and an offset `[+-]hh[:mm[:ss]]` counted positive *west* of Greenwich.
fn parse_posix_fixed(text: &str) -> Option<FixedOffset> {
    let rest = if let Some(quoted) = text.strip_prefix('<') {
        &quoted[quoted.find('>')? + 1..]
    } else {
        let letters = text.find(|c: char| !c.is_ascii_alphabetic())?;
        if letters < 3 {
            return None;
        }
        &text[letters..]
    };
    let (sign, digits) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => (1, rest),
    };
    let mut parts = digits.split(':');
    let mut seconds = 0;
    for (unit, limit) in [(3600, 24), (60, 59), (1, 59)] {
        let Some(part) = parts.next() else { break };
        if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let value: i32 = part.parse().ok()?;
        if value > limit {
            return None;
        }
        seconds += value * unit;
    }
    if parts.next().is_some() {
        return None;
    }
    // POSIX counts west as positive: UTC+3 is three hours behind UTC.
    FixedOffset::west_opt(sign * seconds)
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
        let day = |z: &str| {
            Zone::parse(z, &Zone::Local)
                .expect("zone")
                .date_of(ts)
                .to_string()
        };
        assert_eq!(day("UTC"), "2026-03-05");
        assert_eq!(day("Asia/Kathmandu"), "2026-03-06"); // +05:45
        assert_eq!(day("+05:30"), "2026-03-06");
        assert_eq!(day("America/Los_Angeles"), "2026-03-05");
        assert!(Zone::parse("Mars/Olympus", &Zone::Local).is_err());
    }

    #[test]
    fn tz_variable_values() {
        let name = |tz: &str| zone_of_tz_variable(tz).map(|z| z.name());
        assert_eq!(name("Asia/Tokyo").as_deref(), Some("Asia/Tokyo"));
        assert_eq!(
            name(":/usr/share/zoneinfo/Asia/Tokyo").as_deref(),
            Some("Asia/Tokyo")
        );
        assert_eq!(name("UTC+3").as_deref(), Some("-03:00"));
        assert_eq!(name("<+0530>-5:30").as_deref(), Some("+05:30"));
        assert_eq!(name("CET-1CEST,M3.5.0,M10.5.0/3"), None);
        assert_eq!(name("nonsense"), None);
    }

    #[test]
    fn local_is_tz_then_the_system_zone() {
        let local = |tz, system| Zone::local(tz, system).name();
        assert_eq!(
            local(Some("Asia/Tokyo"), Some("Europe/Berlin")),
            "Asia/Tokyo"
        );
        assert_eq!(local(Some("UTC+3"), None), "-03:00");
        assert_eq!(local(None, Some("Europe/Berlin")), "Europe/Berlin");
        // A `$TZ` rolldex cannot read falls back to the system zone, and says so.
        let dst_rule = "CET-1CEST,M3.5.0,M10.5.0/3";
        assert_eq!(
            local(Some(dst_rule), Some("Europe/Berlin")),
            "Europe/Berlin"
        );
        let warning = tz_variable_warning(Some(dst_rule), Some("Europe/Berlin")).expect("warns");
        assert!(
            warning.contains("using the system's zone (Europe/Berlin)"),
            "{warning}"
        );
        let warning = tz_variable_warning(Some(dst_rule), None).expect("warns");
        assert!(warning.contains("(unknown)"), "{warning}");
        assert_eq!(local(None, Some("Not/AZone")), "local");
        assert_eq!(local(None, None), "local");
        // No warning when `$TZ` is unset, empty, or a zone rolldex reads.
        assert_eq!(tz_variable_warning(None, None), None);
        assert_eq!(tz_variable_warning(Some(":"), None), None);
        assert_eq!(tz_variable_warning(Some("Asia/Tokyo"), None), None);
        // `local` in `--tz` is the zone the caller resolved.
        let tokyo = Zone::local(Some("Asia/Tokyo"), None);
        assert_eq!(
            Zone::parse(" Local ", &tokyo).expect("zone").name(),
            "Asia/Tokyo"
        );
    }

    #[test]
    fn weeks_start_on_monday() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 8).expect("date"); // a Sunday
        assert_eq!(week_start(d).to_string(), "2026-03-02");
    }
}
