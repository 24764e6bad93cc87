//! Points on the wire: decimals with at most two places ↔ hundredths.
//!
//! The contract counts points in hundredths (`81250` is 812.50 points) so
//! that contributions add up exactly; JSON carries them as decimal numbers
//! (`812.5`). A number with more than two decimals is refused rather than
//! silently rounded: a score must mean exactly what its sender wrote.

/// The largest magnitude accepted, in points: far beyond any real scale, and
/// small enough that every hundredth is exact in an `f64`.
pub const MAX_POINTS: f64 = 1e13;

/// Hundredths from a decimal number of points, or a sentence saying why not.
///
/// ```
/// assert_eq!(scorehost_runtime::points::from_decimal(812.5), Ok(81_250));
/// assert_eq!(scorehost_runtime::points::from_decimal(0.29), Ok(29));
/// assert!(scorehost_runtime::points::from_decimal(812.505).is_err());
/// assert!(scorehost_runtime::points::from_decimal(999.999).is_err());
/// assert!(scorehost_runtime::points::from_decimal(4.9e-324).is_err());
/// ```
pub fn from_decimal(points: f64) -> Result<i64, String> {
    if !points.is_finite() || points.abs() > MAX_POINTS {
        return Err(format!("{points} is not a usable number of points"));
    }
    // As written, at most two places: 999.999 is refused, not rounded to
    // 1000.00, and 4.9e-324 is refused, not taken for 0.
    if format!("{points}")
        .split_once('.')
        .is_some_and(|(_, places)| places.len() > 2)
    {
        return Err(format!("{points} has more than two decimals"));
    }
    Ok((points * 100.0).round() as i64)
}

/// A decimal number of points from hundredths (for JSON output).
pub fn to_decimal(hundredths: i64) -> f64 {
    hundredths as f64 / 100.0
}

/// Hundredths formatted with exactly two decimals (`812.50`), for people.
pub fn format(hundredths: i64) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let a = hundredths.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_extra_decimals() {
        for (d, h) in [
            (0.0, 0),
            (812.5, 81_250),
            (243.75, 24_375),
            (-20.0, -2_000),
            (0.01, 1),
            (1000.0, 100_000),
            (0.29, 29),
            (999.99, 99_999),
            (1e13, 1_000_000_000_000_000),
        ] {
            assert_eq!(from_decimal(d), Ok(h));
            assert_eq!(to_decimal(h), d);
        }
        for bad in [
            0.001,
            812.505,
            999.999,
            999.995,
            4.9e-324,
            1.0 / 3.0,
            f64::NAN,
            f64::INFINITY,
            1e20,
        ] {
            assert!(from_decimal(bad).is_err(), "{bad}");
        }
        assert_eq!(format(-2_005), "-20.05");
        assert_eq!(format(81_250), "812.50");
    }
}
