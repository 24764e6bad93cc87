//! The deadlines of a dispute (Taizhou regulation art. 13; China's credit
//! reporting regulation art. 25): the credit centre checks it within
//! [`CHECK_WORKING_DAYS`] working days, the furnishing source answers within
//! [`ANSWER_WORKING_DAYS`] working days of being asked, and the whole
//! dispute is closed within [`CLOSE_DAYS`] calendar days of filing.
//!
//! Working days are Monday to Friday. China moves public holidays and
//! make-up working days every year by State Council notice; no calendar of
//! them is built in, so a deadline that spans a holiday is earlier here
//! than the law's — the strict side for the one who owes the answer.

use time::{Date, Duration, Weekday};

/// Working days the credit centre has to check a dispute (art. 13: 2).
pub const CHECK_WORKING_DAYS: u32 = 2;
/// Working days the furnishing source has to answer once asked (art. 13: 5).
pub const ANSWER_WORKING_DAYS: u32 = 5;
/// Calendar days within which every dispute is closed (the credit reporting
/// regulation's 20; the US FCRA allows 30).
pub const CLOSE_DAYS: i64 = 20;

const FORMAT: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// Parse `YYYY-MM-DD`.
pub fn parse_date(d: &str) -> Option<Date> {
    Date::parse(d, FORMAT).ok()
}

/// Format as `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    d.format(FORMAT).unwrap_or_default()
}

fn is_working_day(d: Date) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The day `n` working days after `from`: a dispute filed on a Friday and
/// due in 2 working days is due on the Tuesday (its last allowed day).
pub fn add_working_days(from: Date, n: u32) -> Date {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d += Duration::days(1);
        if is_working_day(d) {
            left -= 1;
        }
    }
    d
}

/// The day `n` calendar days after `from`.
pub fn add_days(from: Date, n: i64) -> Date {
    from + Duration::days(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn working_days_skip_weekends() {
        // 2026-11-27 is a Friday.
        assert_eq!(d("2026-11-27").weekday(), Weekday::Friday);
        assert_eq!(add_working_days(d("2026-11-27"), 2), d("2026-12-01"));
        // Monday + 5 working days = the next Monday.
        assert_eq!(add_working_days(d("2026-11-30"), 5), d("2026-12-07"));
        // Filed on a Saturday: the first working day is Monday.
        assert_eq!(add_working_days(d("2026-11-28"), 2), d("2026-12-01"));
        assert_eq!(add_working_days(d("2026-11-30"), 0), d("2026-11-30"));
    }

    #[test]
    fn closing_counts_calendar_days() {
        assert_eq!(add_days(d("2026-12-20"), CLOSE_DAYS), d("2027-01-09"));
    }
}
