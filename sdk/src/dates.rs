//! ISO dates and validity windows, without a clock.

use crate::EvalError;

/// A calendar date (proleptic Gregorian), parsed from ISO `YYYY-MM-DD`.
///
/// Models never read a clock: every date they compare against comes from
/// the request (`as-of`) or from an indicator's `observed-on`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, e.g. 2026.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month, 1–31.
    pub day: u32,
}

impl Date {
    /// Parse a strict ISO `YYYY-MM-DD` date; `None` if malformed or not a
    /// real calendar day (2026-02-30 is rejected).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: core::ops::Range<usize>| -> Option<u32> {
            let mut v = 0u32;
            for &c in &b[r] {
                if !c.is_ascii_digit() {
                    return None;
                }
                v = v * 10 + u32::from(c - b'0');
            }
            Some(v)
        };
        let year = digits(0..4)? as i32;
        let month = digits(5..7)?;
        let day = digits(8..10)?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parse, or fail with [`EvalError::InvalidIndicator`] naming `what`.
    pub fn parse_for(s: &str, what: &str) -> Result<Date, EvalError> {
        Date::parse(s).ok_or_else(|| {
            EvalError::InvalidIndicator(format!("{what}: '{s}' is not an ISO date (YYYY-MM-DD)"))
        })
    }

    /// The same day `years` years later; 29 February becomes 28 February in
    /// a year that has none.
    pub fn add_years(self, years: i32) -> Date {
        let year = self.year + years;
        Date {
            year,
            month: self.month,
            day: self.day.min(days_in_month(year, self.month)),
        }
    }

    /// Whether a fact that happened on `self` still counts on `as_of` under a
    /// validity window of `years` years counted from the event: true from the
    /// event day up to, not including, the same day `years` later. A fact
    /// dated after `as_of` does not count yet.
    pub fn within_years_of(self, as_of: Date, years: i32) -> bool {
        self <= as_of && as_of < self.add_years(years)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

impl core::fmt::Display for Date {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_strictly() {
        assert_eq!(
            Date::parse("2026-11-01"),
            Some(Date {
                year: 2026,
                month: 11,
                day: 1
            })
        );
        assert_eq!(Date::parse("2024-02-29").map(|d| d.day), Some(29));
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "20261101",
            "2026-11-01T00",
            "abcd-ef-gh",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn windows_count_from_the_event() {
        let ev = Date::parse("2021-06-15").unwrap();
        assert!(ev.within_years_of(Date::parse("2026-06-14").unwrap(), 5));
        assert!(!ev.within_years_of(Date::parse("2026-06-15").unwrap(), 5));
        assert!(ev.within_years_of(ev, 1));
        assert!(
            !ev.within_years_of(Date::parse("2021-06-14").unwrap(), 1),
            "future facts do not count"
        );
        let leap = Date::parse("2024-02-29").unwrap();
        assert_eq!(leap.add_years(1).to_string(), "2025-02-28");
    }

    #[test]
    fn epoch_days() {
        assert_eq!(Date::parse("1970-01-01").unwrap().days_since_epoch(), 0);
        assert_eq!(
            Date::parse("2000-03-01").unwrap().days_since_epoch(),
            11_017
        );
    }
}
