//! A zone given by its rules rather than by an IANA name: the machine's zone file (TZif) when
//! its zone has no name, or a POSIX `TZ` rule with daylight saving time
//! (`CET-1CEST,M3.5.0,M10.5.0/3`). Read with tz-rs from the bytes and text the front end hands
//! over; nothing here opens a file or reads a variable.

use chrono::NaiveDateTime;

/// A zone's rules and the name reports show for it.
#[derive(Debug)]
pub struct Rules {
    name: String,
    zone: tz::TimeZone,
}

/// tz-rs reads a zone file for a `TZ` value it does not parse as a rule: these settings name no
/// directory and read nothing, so only the rule itself is understood.
const RULE_ONLY: tz::TimeZoneSettings<'static> = tz::TimeZoneSettings::new(&[], read_nothing);

fn read_nothing(_: &str) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
    Err("rolldex reads no zone file here".into())
}

impl Rules {
    /// The rules of a zone file (`/etc/localtime`'s bytes), shown as `local`.
    pub fn from_zone_file(bytes: &[u8]) -> Option<Rules> {
        let zone = tz::TimeZone::from_tz_data(bytes).ok()?;
        Some(Rules {
            name: "local".to_owned(),
            zone,
        })
    }

    /// The rules of a POSIX `TZ` value, shown as written.
    pub fn from_posix(text: &str) -> Option<Rules> {
        let zone = RULE_ONLY.parse_posix_tz(text).ok()?;
        Some(Rules {
            name: text.to_owned(),
            zone,
        })
    }

    /// The name reports show.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The offset from UTC (seconds) at a Unix time (seconds). A zone file without a rule for
    /// the times after its last change (version 1, or an empty footer) keeps the last offset
    /// in force, as the C library does; one that says nothing at all is UTC.
    pub fn offset_s(&self, unix_s: i64) -> i32 {
        if let Ok(local) = self.zone.find_local_time_type(unix_s) {
            return local.ut_offset();
        }
        let zone = self.zone.as_ref();
        let types = zone.local_time_types();
        let last = zone
            .transitions()
            .last()
            .and_then(|t| types.get(t.local_time_type_index()));
        last.or(types.first())
            .map_or(0, tz::LocalTimeType::ut_offset)
    }

    /// The UTC instants (ms), earliest first, whose wall time here is `local`: none in a gap
    /// (clocks moved forward over it), two in an overlap (moved back). Each offset in force a
    /// day before or after is tried; the tz database has no two changes within a day that
    /// cancel out.
    pub fn instants_of_local(&self, local: NaiveDateTime) -> Vec<i64> {
        const DAY_S: i64 = 86_400;
        let wall = local.and_utc().timestamp();
        let offset_at = |t: i64| i64::from(self.offset_s(t));
        let mut instants: Vec<i64> = [offset_at(wall - DAY_S), offset_at(wall + DAY_S)]
            .into_iter()
            .map(|offset| wall - offset)
            .filter(|&utc| wall - utc == offset_at(utc))
            .map(|utc| utc * 1000)
            .collect();
        instants.sort_unstable();
        instants.dedup();
        instants
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A zone file from `testdata/zoneinfo` (see its README).
    pub(in crate::timezone) fn zone_file(name: &str) -> Vec<u8> {
        let path = format!("{}/testdata/zoneinfo/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// `bytes` (a TZif file of version 2 or later) cut to its version 1 part: the 32-bit
    /// transitions only, and no footer rule for the times after them.
    fn version_1(bytes: &[u8]) -> Vec<u8> {
        let count =
            |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
        let (isutcnt, isstdcnt, leapcnt) = (count(20), count(24), count(28));
        let (timecnt, typecnt, charcnt) = (count(32), count(36), count(40));
        let len = 44 + timecnt * 5 + typecnt * 6 + charcnt + leapcnt * 8 + isstdcnt + isutcnt;
        let mut v1 = bytes[..len].to_vec();
        v1[4] = 0; // version 1
        v1
    }

    #[test]
    fn a_file_without_a_footer_keeps_its_last_offset() {
        let berlin = zone_file("Europe_Berlin");
        let full = Rules::from_zone_file(&berlin).expect("TZif");
        let v1 = Rules::from_zone_file(&version_1(&berlin)).expect("TZif v1");
        let at = |text: &str| {
            chrono::DateTime::parse_from_rfc3339(text)
                .expect("valid")
                .timestamp()
        };
        // Inside the 32-bit transitions both agree, summer and winter.
        for t in ["2030-01-15T12:00:00Z", "2030-07-15T12:00:00Z"] {
            assert_eq!(v1.offset_s(at(t)), full.offset_s(at(t)), "{t}");
        }
        // After the last one (October 2037: back to CET), the version 1 file has no rule: the
        // last offset goes on, not UTC.
        assert_eq!(v1.offset_s(at("2040-01-15T12:00:00Z")), 3600);
        assert_eq!(full.offset_s(at("2040-07-15T12:00:00Z")), 7200);
    }

    #[test]
    fn posix_rules_are_read_without_files() {
        let cet = Rules::from_posix("CET-1CEST,M3.5.0,M10.5.0/3").expect("a POSIX rule");
        assert_eq!(cet.name(), "CET-1CEST,M3.5.0,M10.5.0/3");
        let at = |text: &str| {
            chrono::DateTime::parse_from_rfc3339(text)
                .expect("valid")
                .timestamp()
        };
        assert_eq!(cet.offset_s(at("2026-01-15T12:00:00Z")), 3600);
        assert_eq!(cet.offset_s(at("2026-07-15T12:00:00Z")), 7200);
        // Names and paths are not rules, and no file is read for them.
        assert!(Rules::from_posix("Europe/Berlin").is_none());
        assert!(Rules::from_posix(":/usr/share/zoneinfo/Europe/Berlin").is_none());
        assert!(Rules::from_posix("nonsense").is_none());
    }
}
