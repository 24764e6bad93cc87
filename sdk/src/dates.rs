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

    /// The same day `months` months later (earlier if negative); a day the
    /// target month lacks becomes that month's last day (31 March + 1 month
    /// is 30 April).
    pub fn add_months(self, months: i32) -> Date {
        let index = self.year * 12 + (self.month as i32 - 1) + months;
        let year = index.div_euclid(12);
        let month = index.rem_euclid(12) as u32 + 1;
        Date {
            year,
            month,
            day: self.day.min(days_in_month(year, month)),
        }
    }

    /// Whether a fact that happened on `self` still counts on `as_of` under a
    /// validity window of `years` years counted from the event: true from the
    /// event day up to, not including, the same day `years` later. A fact
    /// dated after `as_of` does not count yet.
    ///
    /// The rule of the models' first versions, kept so that they answer as
    /// they did; new versions count windows with [`Period`], which follows
    /// the Civil Code and also counts that last day.
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

/// A validity window of whole years or months, counted by the rules on
/// periods of the PRC Civil Code (《中华人民共和国民法典》 arts. 200–204), the
/// one policy every model's windows follow.
///
/// The source counts windows "from the day of determination"
/// (「自…认定之日起计算」, `credit-zhejiang-2020-01.txt` L1175). The Code says:
/// - art. 200: periods are counted by the Gregorian calendar;
/// - art. 201: 「开始的当日不计入，自下一日开始计算」— the day it starts is not
///   counted, the period runs from the next day;
/// - art. 202: 「到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日」
///   — the last day is the corresponding day of the final month, or that
///   month's last day when it has none;
/// - art. 203: a last day that is a statutory holiday moves to the day after
///   the holiday; the last day ends at 24:00;
/// - art. 204: unless a law or the parties say otherwise.
///
/// So a two-year window for a fact determined on 2021-06-15 runs from
/// 2021-06-16 and its last day is 2023-06-15: the fact counts on
/// 2023-06-15 and no longer on 2023-06-16. The fact counts on the day
/// itself too (it exists from that day; art. 201 only says where the
/// counting starts). Art. 203's holiday extension is not applied: a model
/// has no holiday calendar (it reads no clock and no data but the request),
/// and the extension exists so that a party who must act by a deadline does
/// not lose a day to a holiday — here the period is a consequence that runs
/// against the subject, and extending it would lengthen a penalty.
///
/// ```
/// use scorehost_sdk::{Date, Period};
/// let determined = Date::parse("2021-06-15").unwrap();
/// let two_years = Period::years(2);
/// assert_eq!(two_years.last_day(determined).to_string(), "2023-06-15");
/// assert!(two_years.covers(determined, Date::parse("2023-06-15").unwrap()));
/// assert!(!two_years.covers(determined, Date::parse("2023-06-16").unwrap()));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    months: i32,
}

impl Period {
    /// A period of `n` years.
    ///
    /// # Panics
    /// If `n` is negative: a period runs forward from its start.
    pub const fn years(n: i32) -> Period {
        assert!(n >= 0, "a period runs forward: years must not be negative");
        Period {
            months: n.saturating_mul(12),
        }
    }

    /// A period of `n` months.
    ///
    /// # Panics
    /// If `n` is negative: a period runs forward from its start.
    pub const fn months(n: i32) -> Period {
        assert!(n >= 0, "a period runs forward: months must not be negative");
        Period { months: n }
    }

    /// The last day of the period that starts with the event on `start`
    /// (arts. 201–202): the corresponding day `n` years or months later, or
    /// that month's last day when it has none (2024-02-29 + 1 year →
    /// 2025-02-28).
    pub fn last_day(self, start: Date) -> Date {
        start.add_months(self.months)
    }

    /// Whether a fact dated `start` still counts on `as_of`: from `start`
    /// through [`Period::last_day`], both included. A fact dated after
    /// `as_of` does not count yet.
    pub fn covers(self, start: Date, as_of: Date) -> bool {
        start <= as_of && as_of <= self.last_day(start)
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
    fn periods_follow_the_civil_code() {
        let d = |s| Date::parse(s).unwrap();
        let ev = d("2021-06-15");
        // The first day: the event's own day counts.
        assert!(Period::years(2).covers(ev, ev));
        assert!(!Period::years(2).covers(ev, d("2021-06-14")));
        // The last day: the corresponding day (art. 202), included.
        assert!(Period::years(2).covers(ev, d("2023-06-15")));
        assert!(!Period::years(2).covers(ev, d("2023-06-16")));
        // No corresponding day: the month's last day.
        assert_eq!(Period::years(1).last_day(d("2024-02-29")), d("2025-02-28"));
        assert_eq!(Period::months(1).last_day(d("2026-03-31")), d("2026-04-30"));
        assert_eq!(Period::months(1).last_day(d("2024-01-31")), d("2024-02-29"));
        assert_eq!(
            Period::months(13).last_day(d("2025-12-15")),
            d("2027-01-15")
        );
        assert_eq!(d("2026-01-15").add_months(-1), d("2025-12-15"));
        assert!(std::panic::catch_unwind(|| Period::months(-1)).is_err());
        assert!(std::panic::catch_unwind(|| Period::years(-2)).is_err());
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
