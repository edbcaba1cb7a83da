//! The `--tz` zone: which calendar day, week and month a UTC instant belongs to.
//!
//! Accepts IANA names (`Asia/Kathmandu`), `UTC`, fixed offsets (`+05:30`) and `local` (the
//! machine's zone, by `$TZ` or the system setting). This module reads neither: the front end
//! reads them into an [`Environment`](crate::environment::Environment), and [`Zone::local`] and
//! [`tz_variable_warning`] take the values from there. A machine whose zone has no IANA name
//! (its `/etc/localtime` a copied file) is read from that file's rules, which the front end
//! also hands over, and a `$TZ` holding a POSIX rule with daylight saving time from the rule
//! ([`rules`]): chrono's own `Local` would read `$TZ` and the file again, below the front end.

use std::sync::Arc;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::error::{Error, Result};

/// A quarter-hour in ms: the memo window of [`DayMemo`], and the grain of the index's usage
/// summed by quarter-hour.
pub const QUARTER_HOUR_MS: i64 = 15 * 60 * 1000;

mod days;
mod rules;
pub use days::DayMemo;
use rules::Rules;

/// A resolved time zone.
#[derive(Debug, Clone)]
pub enum Zone {
    /// An IANA zone.
    Named(chrono_tz::Tz),
    /// A fixed UTC offset.
    Fixed(FixedOffset),
    /// Rules without an IANA name: the machine's zone file, or a POSIX `TZ` rule.
    Rules(Arc<Rules>),
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

    /// The machine's zone from `$TZ` (`tz`), the system's zone name (`system_zone`) and its
    /// zone file's bytes (`zone_file`, `/etc/localtime`): `$TZ` when it names a zone rolldex
    /// can read, else the system's IANA name when it resolves, else the rules the zone file
    /// holds, else UTC (where the C library and chrono fall back too).
    pub fn local(tz: Option<&str>, system_zone: Option<&str>, zone_file: Option<&[u8]>) -> Zone {
        if let Some(zone) = tz
            .filter(|tz| !names_the_zone_file(tz))
            .and_then(zone_of_tz_variable)
        {
            return zone;
        }
        if let Some(tz) = system_zone.and_then(|name| name.parse::<chrono_tz::Tz>().ok()) {
            return Zone::Named(tz);
        }
        match zone_file.and_then(Rules::from_zone_file) {
            Some(rules) => Zone::Rules(Arc::new(rules)),
            None => Zone::utc(),
        }
    }

    /// UTC.
    pub fn utc() -> Zone {
        Zone::Named(chrono_tz::UTC)
    }

    /// The zone's name as shown in reports.
    pub fn name(&self) -> String {
        match self {
            Zone::Named(tz) => tz.name().to_owned(),
            Zone::Fixed(offset) => offset.to_string(),
            Zone::Rules(rules) => rules.name().to_owned(),
        }
    }

    /// The calendar date of a UTC instant in this zone.
    pub fn date_of(&self, timestamp_ms: i64) -> NaiveDate {
        let utc = DateTime::<Utc>::from_timestamp_millis(timestamp_ms).unwrap_or_default();
        match self {
            Zone::Named(tz) => utc.with_timezone(tz).date_naive(),
            Zone::Fixed(offset) => utc.with_timezone(offset).date_naive(),
            Zone::Rules(rules) => utc.with_timezone(&offset_in(rules, utc)).date_naive(),
        }
    }

    /// Formats a UTC instant as local wall time `YYYY-MM-DD HH:MM`.
    pub fn format_minute(&self, timestamp_ms: i64) -> String {
        let utc = DateTime::<Utc>::from_timestamp_millis(timestamp_ms).unwrap_or_default();
        let fmt = "%Y-%m-%d %H:%M";
        match self {
            Zone::Named(tz) => utc.with_timezone(tz).format(fmt).to_string(),
            Zone::Fixed(offset) => utc.with_timezone(offset).format(fmt).to_string(),
            Zone::Rules(rules) => utc
                .with_timezone(&offset_in(rules, utc))
                .format(fmt)
                .to_string(),
        }
    }

    /// The first instant (ms, UTC) of a local calendar date; used to turn `--since` into a bound.
    /// Where the zone skips local midnight (DST starting at midnight, as in Chile), the day
    /// starts at the first wall-clock hour that exists.
    pub fn start_of(&self, date: NaiveDate) -> i64 {
        let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
        (0..=3)
            .find_map(|hours| self.earliest(midnight + chrono::Duration::hours(hours)))
            .unwrap_or_else(|| midnight.and_utc().timestamp_millis())
    }

    /// The earliest UTC instant (ms) whose wall time here is `local`; `None` in a gap.
    fn earliest(&self, local: NaiveDateTime) -> Option<i64> {
        match self {
            Zone::Named(tz) => tz
                .from_local_datetime(&local)
                .earliest()
                .map(|t| t.timestamp_millis()),
            Zone::Fixed(offset) => offset
                .from_local_datetime(&local)
                .earliest()
                .map(|t| t.timestamp_millis()),
            Zone::Rules(rules) => rules.instants_of_local(local).first().copied(),
        }
    }
}

/// The offset `rules` give at the instant `utc`.
fn offset_in(rules: &Rules, utc: DateTime<Utc>) -> FixedOffset {
    let seconds = rules.offset_s(utc.timestamp());
    FixedOffset::east_opt(seconds).unwrap_or(FixedOffset::east_opt(0).expect("zero offset"))
}

/// Whether a `TZ` value names the system's zone file itself (`:/etc/localtime`), as some
/// systems set it to spare the C library a lookup: the zone is then the system's.
fn names_the_zone_file(tz: &str) -> bool {
    tz.trim().trim_start_matches(':') == "/etc/localtime"
}

/// A one-line warning when `$TZ` (`tz`) is set but means nothing rolldex can read, so that
/// `local` falls back to the system setting (`system_zone`, named in the warning): better said
/// than silently reporting in another zone.
pub fn tz_variable_warning(tz: Option<&str>, system_zone: Option<&str>) -> Option<String> {
    let tz = tz?;
    if tz.trim().trim_start_matches(':').is_empty()
        || names_the_zone_file(tz)
        || zone_of_tz_variable(tz).is_some()
    {
        return None;
    }
    Some(format!(
        "TZ={tz:?} is not a zone rolldex can read (an IANA name such as Asia/Tokyo, \
         :/usr/share/zoneinfo/Asia/Tokyo, or a POSIX zone such as UTC+3 or \
         CET-1CEST,M3.5.0,M10.5.0/3); using the system's zone ({}); --tz chooses one",
        system_zone.unwrap_or("the rules in /etc/localtime, else UTC")
    ))
}

/// The zone `$TZ` names: an IANA name, a zoneinfo file path (`:/usr/share/zoneinfo/Asia/Tokyo`,
/// read as the name after `zoneinfo/`), or a POSIX zone with a fixed offset (`UTC+3`, which is
/// three hours *west* of Greenwich), or a POSIX zone with daylight saving rules
/// (`CET-1CEST,M3.5.0,M10.5.0/3`). `None` for anything else.
fn zone_of_tz_variable(tz: &str) -> Option<Zone> {
    let text = tz.trim();
    let text = text.strip_prefix(':').unwrap_or(text);
    let name = text
        .rfind("zoneinfo/")
        .map_or(text, |at| &text[at + "zoneinfo/".len()..]);
    if let Ok(named) = name.parse::<chrono_tz::Tz>() {
        return Some(Zone::Named(named));
    }
    if let Some(offset) = parse_posix_fixed(text) {
        return Some(Zone::Fixed(offset));
    }
    Rules::from_posix(text).map(|rules| Zone::Rules(Arc::new(rules)))
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
            Zone::parse(z, &Zone::utc())
                .expect("zone")
                .date_of(ts)
                .to_string()
        };
        assert_eq!(day("UTC"), "2026-03-05");
        assert_eq!(day("Asia/Kathmandu"), "2026-03-06"); // +05:45
        assert_eq!(day("+05:30"), "2026-03-06");
        assert_eq!(day("America/Los_Angeles"), "2026-03-05");
        assert!(Zone::parse("Mars/Olympus", &Zone::utc()).is_err());
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
        // A POSIX rule with daylight saving time is read as such.
        assert_eq!(
            name("CET-1CEST,M3.5.0,M10.5.0/3").as_deref(),
            Some("CET-1CEST,M3.5.0,M10.5.0/3")
        );
        assert_eq!(name("nonsense"), None);
    }

    use super::rules::tests::zone_file;

    #[test]
    fn a_zone_file_gives_the_same_days_as_its_named_zone() {
        // The machine's rules read from a TZif file, against chrono-tz's tables for the same
        // zone: DST gaps and overlaps (Berlin), DST at local midnight (Santiago), a 30-minute
        // shift (Lord Howe), a 45-minute offset (Kathmandu).
        let at = |text: &str| {
            chrono::DateTime::parse_from_rfc3339(text)
                .expect("valid")
                .timestamp_millis()
        };
        for (file, name) in [
            ("Europe_Berlin", "Europe/Berlin"),
            ("America_Santiago", "America/Santiago"),
            ("Australia_Lord_Howe", "Australia/Lord_Howe"),
            ("Asia_Kathmandu", "Asia/Kathmandu"),
        ] {
            let rules = Zone::local(None, None, Some(&zone_file(file)));
            assert!(matches!(rules, Zone::Rules(_)), "{file} reads as rules");
            assert_eq!(rules.name(), "local");
            let named = Zone::parse(name, &Zone::utc()).expect("zone");
            let start = at("2024-01-01T00:00:00Z");
            for i in 0..40_000 {
                let ts = start + i * 23 * 60 * 1000 + i;
                assert_eq!(rules.date_of(ts), named.date_of(ts), "{name} at {ts}");
                assert_eq!(rules.format_minute(ts), named.format_minute(ts), "{name}");
            }
            let mut memo = (rules.days(), named.days());
            let mut date = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
            while date.year() < 2027 {
                assert_eq!(rules.start_of(date), named.start_of(date), "{name} {date}");
                let ts = named.start_of(date) + 3_600_000;
                assert_eq!(memo.0.date_of(ts), memo.1.date_of(ts), "{name} {date}");
                date = date.succ_opt().expect("date");
            }
        }
        // Not a zone file: UTC, as the C library falls back.
        assert_eq!(Zone::local(None, None, Some(b"not tzif")).name(), "UTC");
    }

    #[test]
    fn local_is_tz_then_the_system_zone() {
        let local = |tz, system| Zone::local(tz, system, None).name();
        assert_eq!(
            local(Some("Asia/Tokyo"), Some("Europe/Berlin")),
            "Asia/Tokyo"
        );
        assert_eq!(local(Some("UTC+3"), None), "-03:00");
        assert_eq!(local(None, Some("Europe/Berlin")), "Europe/Berlin");
        // A POSIX rule with daylight saving time is the zone, without a warning.
        let dst_rule = "CET-1CEST,M3.5.0,M10.5.0/3";
        assert_eq!(local(Some(dst_rule), Some("Asia/Tokyo")), dst_rule);
        assert_eq!(tz_variable_warning(Some(dst_rule), None), None);
        // A `$TZ` rolldex cannot read falls back to the system zone, and says so.
        assert_eq!(
            local(Some("Mars/Olympus"), Some("Europe/Berlin")),
            "Europe/Berlin"
        );
        let warning =
            tz_variable_warning(Some("Mars/Olympus"), Some("Europe/Berlin")).expect("warns");
        assert!(
            warning.contains("using the system's zone (Europe/Berlin)"),
            "{warning}"
        );
        let warning = tz_variable_warning(Some("Mars/Olympus"), None).expect("warns");
        assert!(
            warning.contains("(the rules in /etc/localtime"),
            "{warning}"
        );
        // `:/etc/localtime` names the system's zone file: the system's zone, no warning.
        assert_eq!(
            local(Some(":/etc/localtime"), Some("Europe/Berlin")),
            "Europe/Berlin"
        );
        assert_eq!(tz_variable_warning(Some(":/etc/localtime"), None), None);
        // No zone by name, then the zone file's rules, then UTC.
        assert_eq!(local(None, Some("Not/AZone")), "UTC");
        assert_eq!(local(None, None), "UTC");
        let berlin = zone_file("Europe_Berlin");
        let rules = Zone::local(None, Some("Not/AZone"), Some(&berlin));
        assert_eq!(rules.name(), "local");
        let named = Zone::local(None, Some("Asia/Tokyo"), Some(&berlin));
        assert_eq!(named.name(), "Asia/Tokyo", "a name wins over the file");
        // No warning when `$TZ` is unset, empty, or a zone rolldex reads.
        assert_eq!(tz_variable_warning(None, None), None);
        assert_eq!(tz_variable_warning(Some(":"), None), None);
        assert_eq!(tz_variable_warning(Some("Asia/Tokyo"), None), None);
        // `local` in `--tz` is the zone the caller resolved.
        let tokyo = Zone::local(Some("Asia/Tokyo"), None, None);
        assert_eq!(
            Zone::parse(" Local ", &tokyo).expect("zone").name(),
            "Asia/Tokyo"
        );
    }

    #[test]
    fn a_day_starts_at_its_first_instant_even_when_midnight_is_skipped() {
        // Whatever the zone's rules, `start_of(d)` is on `d` and the millisecond before is on
        // the day before. Santiago and Havana move their clocks at midnight (in Santiago,
        // 2024-09-08 begins at 01:00).
        let zones = [
            "America/Santiago",
            "America/Havana",
            "Europe/Berlin",
            "+05:30",
        ];
        let mut all: Vec<Zone> = zones
            .iter()
            .map(|z| Zone::parse(z, &Zone::utc()).expect("zone"))
            .collect();
        all.push(Zone::local(
            None,
            None,
            Some(&zone_file("America_Santiago")),
        ));
        for zone in &all {
            let mut date = NaiveDate::from_ymd_opt(2023, 1, 1).expect("date");
            while date.year() < 2027 {
                let start = zone.start_of(date);
                assert_eq!(zone.date_of(start), date, "{} {date}", zone.name());
                let before = date.pred_opt().expect("date");
                assert_eq!(zone.date_of(start - 1), before, "{} {date}", zone.name());
                date = date.succ_opt().expect("date");
            }
        }
        let santiago = Zone::parse("America/Santiago", &Zone::utc()).expect("zone");
        let day = NaiveDate::from_ymd_opt(2024, 9, 8).expect("date");
        let four_utc = chrono::DateTime::parse_from_rfc3339("2024-09-08T04:00:00Z")
            .expect("valid")
            .timestamp_millis();
        assert_eq!(santiago.start_of(day), four_utc, "01:00 at -03:00");
    }

    #[test]
    fn weeks_start_on_monday() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 8).expect("date"); // a Sunday
        assert_eq!(week_start(d).to_string(), "2026-03-02");
    }
}
