//! What a user narrows sessions by, as plain values: inclusive day ranges (`--since`, `--until`,
//! the picker's `since:`/`until:`) and directories (`--cwd`, `in:`).
//!
//! Every front end (commands, the MCP server, the picker) parses these the same way, so one
//! date means one instant range everywhere.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::timezone::Zone;

/// Inclusive days, either end open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateRange {
    /// First day included.
    pub since: Option<NaiveDate>,
    /// Last day included.
    pub until: Option<NaiveDate>,
}

impl DateRange {
    /// Parses `since` and `until` (`YYYY-MM-DD`), refusing a range that ends before it starts.
    pub fn parse(since: Option<&str>, until: Option<&str>) -> Result<DateRange> {
        let (since, until) = date_range(since, until)?;
        Ok(DateRange { since, until })
    }

    /// The range as instants in `zone`: from the start of `since` to the start of the day
    /// after `until` (exclusive), in ms.
    pub fn bounds_ms(&self, zone: &Zone) -> (Option<i64>, Option<i64>) {
        (
            self.since.map(|d| zone.start_of(d)),
            self.until
                .and_then(|d| d.succ_opt())
                .map(|d| zone.start_of(d)),
        )
    }
}

/// Parses `--since` and `--until` (inclusive days), refusing a range that ends before it starts.
pub fn date_range(
    since: Option<&str>,
    until: Option<&str>,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>)> {
    let since = since.map(|d| parse_date("--since", d)).transpose()?;
    let until = until.map(|d| parse_date("--until", d)).transpose()?;
    if let (Some(s), Some(u)) = (since, until)
        && s > u
    {
        return Err(Error::Usage(format!("--since {s} is after --until {u}")));
    }
    Ok((since, until))
}

/// Parses `YYYY-MM-DD`, naming the flag in the error.
pub fn parse_date(flag: &str, text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| Error::Usage(format!("{flag} {text:?}: expected a date like 2026-03-05")))
}

/// Makes a user-given directory absolute and resolves `.` and `..` by the text alone (no
/// filesystem access: the directory may be gone, or on a dead mount). A Windows path
/// (`D:\proj`, sessions recorded on Windows) is kept as written: here it is not relative to
/// the current directory, and `path_is_under` compares it the Windows way.
pub fn absolute(path: &Path) -> PathBuf {
    let text = path.to_string_lossy();
    if !path.is_absolute() && crate::model::is_windows_path(&text) {
        return path.to_path_buf();
    }
    crate::config::absolute_clean(path)
}

/// [`absolute`] as the text session filters compare against.
pub fn absolute_text(path: &Path) -> String {
    absolute(path).to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_inclusive_and_ordered() {
        let range = DateRange::parse(Some("2026-03-01"), Some("2026-03-01")).expect("valid");
        let zone = Zone::Named(chrono_tz::UTC);
        let (from, to) = range.bounds_ms(&zone);
        assert_eq!(to.zip(from).map(|(t, f)| t - f), Some(86_400_000));
        assert!(DateRange::parse(Some("2026-03-02"), Some("2026-03-01")).is_err());
        assert!(DateRange::parse(Some("March"), None).is_err());
    }
}
