//! [`DayMemo`]: the calendar date of many instants in one zone, at a fraction of a lookup each.
//!
//! A report asks for the date of every usage event or quarter-hour sum; the zone's rules cost
//! some hundred times a comparison. Split from the zone itself, which only parses and converts.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::{QUARTER_HOUR_MS, Zone};

const WINDOW_MS: i64 = QUARTER_HOUR_MS;

/// [`Zone::date_of`] for many instants, looked up once per UTC quarter-hour whose first and
/// last millisecond fall on the same local date. Today every zone's offsets and transitions
/// are whole quarter-hours, so that is every window but the one holding a local midnight where
/// the offset is odd (an old local mean time, an offset such as +05:17); instants in such a
/// window are looked up one by one, so the answer is always exact. Every window seen is kept:
/// a report walks session after session over the same days, and the zone's rules cost some
/// hundred times a lookup. On top of that, the last day that is one stretch at one offset
/// (every day but a DST day) answers its instants with one comparison: a report's
/// quarter-hour sums are mostly in windows not seen yet, each of which cost two lookups.
pub struct DayMemo<'z> {
    zone: &'z Zone,
    window: Option<i64>,
    date: Option<NaiveDate>,
    seen: rustc_hash::FxHashMap<i64, Option<NaiveDate>>,
    /// The last date found to be one stretch at one offset: [start, end) in UTC ms.
    day: Option<(i64, i64, NaiveDate)>,
    /// Each date looked at, with its stretch when it has one.
    days: rustc_hash::FxHashMap<NaiveDate, Option<(i64, i64)>>,
}

impl DayMemo<'_> {
    /// The calendar date of a UTC instant in the zone.
    pub fn date_of(&mut self, timestamp_ms: i64) -> NaiveDate {
        // A session's events come in order, mostly on one day: one comparison, not a lookup
        // per quarter-hour (a report's quarter-hours are mostly in different windows).
        if let Some((start, end, date)) = self.day
            && (start..end).contains(&timestamp_ms)
        {
            return date;
        }
        let window = timestamp_ms.div_euclid(WINDOW_MS);
        let date = self
            .window_date(window)
            .unwrap_or_else(|| self.zone.date_of(timestamp_ms));
        let zone = self.zone;
        if let Some((start, end)) = *self
            .days
            .entry(date)
            .or_insert_with(|| zone.whole_day(date))
        {
            self.day = Some((start, end, date));
        }
        date
    }

    /// True when the whole UTC quarter-hour holding `timestamp_ms` is one local date.
    pub fn quarter_is_one_date(&mut self, timestamp_ms: i64) -> bool {
        let window = timestamp_ms.div_euclid(WINDOW_MS);
        let first = window.saturating_mul(WINDOW_MS);
        let inside = |day: Option<(i64, i64, NaiveDate)>| {
            day.is_some_and(|(start, end, _)| {
                start <= first && first.saturating_add(WINDOW_MS) <= end
            })
        };
        if inside(self.day) {
            return true;
        }
        self.date_of(timestamp_ms); // finds the day's stretch, when it has one
        inside(self.day) || self.window_date(window).is_some()
    }

    /// The one local date of quarter-hour `window`, if it has one.
    fn window_date(&mut self, window: i64) -> Option<NaiveDate> {
        if self.window != Some(window) {
            let zone = self.zone;
            self.date = *self.seen.entry(window).or_insert_with(|| {
                let first = window.saturating_mul(WINDOW_MS);
                let last = first.saturating_add(WINDOW_MS - 1);
                let (a, b) = (zone.date_of(first), zone.date_of(last));
                (a == b).then_some(a)
            });
            self.window = Some(window);
        }
        self.date
    }
}

impl Zone {
    /// A memo of [`Zone::date_of`] for many instants close together.
    pub fn days(&self) -> DayMemo<'_> {
        DayMemo {
            zone: self,
            window: None,
            date: None,
            seen: rustc_hash::FxHashMap::default(),
            day: None,
            days: rustc_hash::FxHashMap::default(),
        }
    }

    /// `date` as one stretch of UTC time at one offset, [start, end) in ms, when it is one:
    /// its local midnight and the next each happen once, and the offset is the same at its
    /// start, middle and end. Every instant in the stretch is then on `date`. A day with an
    /// offset change (a DST day, a zone changing its rules) has none and is looked up by
    /// quarter-hour. (The tz database has no day with two changes that cancel out.)
    fn whole_day(&self, date: NaiveDate) -> Option<(i64, i64)> {
        let start = self.unique_midnight(date)?;
        let end = self.unique_midnight(date.succ_opt()?)?;
        let offset = self.offset_s(start);
        let whole = end > start
            && self.offset_s(start + (end - start) / 2) == offset
            && self.offset_s(end - 1) == offset
            && self.date_of(start) == date
            && self.date_of(end - 1) == date;
        whole.then_some((start, end))
    }

    /// The UTC instant (ms) of `date`'s local midnight, when it happens exactly once.
    fn unique_midnight(&self, date: NaiveDate) -> Option<i64> {
        let midnight = date.and_hms_opt(0, 0, 0)?;
        let instant = match self {
            Zone::Named(tz) => tz
                .from_local_datetime(&midnight)
                .single()?
                .timestamp_millis(),
            Zone::Fixed(offset) => offset
                .from_local_datetime(&midnight)
                .single()?
                .timestamp_millis(),
            Zone::Rules(rules) => match rules.instants_of_local(midnight)[..] {
                [once] => once,
                _ => return None,
            },
        };
        Some(instant)
    }

    /// The zone's offset from UTC at an instant, in seconds.
    fn offset_s(&self, timestamp_ms: i64) -> i32 {
        use chrono::Offset;
        let utc = DateTime::<Utc>::from_timestamp_millis(timestamp_ms).unwrap_or_default();
        match self {
            Zone::Named(tz) => utc.with_timezone(tz).offset().fix().local_minus_utc(),
            Zone::Fixed(offset) => offset.local_minus_utc(),
            Zone::Rules(rules) => super::offset_in(rules, utc).local_minus_utc(),
        }
    }
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
            // DST changes at midnight, Ramadan suspensions, and a day skipped (Apia, 2011).
            "America/Havana",
            "Asia/Beirut",
            "Africa/Casablanca",
            "Pacific/Apia",
        ];
        let at = |text: &str| {
            chrono::DateTime::parse_from_rfc3339(text)
                .expect("valid")
                .timestamp_millis()
        };
        let start = at("2025-01-01T00:00:00Z");
        let mut instants: Vec<i64> = (0..60_000).map(|i| start + i * 7 * 60 * 1000 + i).collect();
        let apia = at("2011-09-01T00:00:00Z");
        instants.extend((0..30_000).map(|i| apia + i * 7 * 60 * 1000 + i));
        instants.extend((0..5_000).map(|i| start - (i * 7_919_993 % 400_000_000_000)));
        instants.extend([0, -1, 1, i64::MIN, i64::MAX, i64::MIN / 2, i64::MAX / 2]);
        for name in zones {
            let zone = Zone::parse(name, &Zone::utc()).expect("zone");
            let mut memo = zone.days();
            for &ts in &instants {
                assert_eq!(memo.date_of(ts), zone.date_of(ts), "{name} at {ts}");
                let first = ts.div_euclid(WINDOW_MS).saturating_mul(WINDOW_MS);
                let one = zone.date_of(first) == zone.date_of(first.saturating_add(WINDOW_MS - 1));
                assert_eq!(memo.quarter_is_one_date(ts), one, "{name}: quarter of {ts}");
            }
        }
    }
}
