//! UTC instants, parsed from the API's two timestamp formats.

use crate::error::{Error, Result};

/// A UTC instant in whole seconds since 1970-01-01T00:00:00Z. Time comes from the caller:
/// this crate never reads a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Timestamp {
    unix_seconds: i64,
}

impl Timestamp {
    /// The instant `unix_seconds` after the Unix epoch.
    pub const fn from_unix_seconds(unix_seconds: i64) -> Self {
        Timestamp { unix_seconds }
    }

    /// Seconds since the Unix epoch.
    pub const fn unix_seconds(self) -> i64 {
        self.unix_seconds
    }

    /// Parses RFC 3339-like timestamps as the API writes them:
    /// `2016-08-02T08:07:52+0000`, `2020-03-17T14:29:17Z`, and also `+05:30` offsets and
    /// fractional seconds (dropped).
    ///
    /// ```
    /// use juspay_core::Timestamp;
    /// let a = Timestamp::parse("2016-08-02T08:07:52+0000")?;
    /// let b = Timestamp::parse("2016-08-02T13:37:52+05:30")?;
    /// assert_eq!(a, b);
    /// assert_eq!(Timestamp::parse("2020-03-17T14:29:17Z")?.unix_seconds(), 1_584_455_357);
    /// # Ok::<(), juspay_core::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self> {
        let b = text.as_bytes();
        let field = |from: usize, len: usize| -> Result<i32> { digits(b.get(from..from + len)) };
        let separators_ok = b.get(4) == Some(&b'-')
            && b.get(7) == Some(&b'-')
            && matches!(b.get(10), Some(b'T' | b't' | b' '))
            && b.get(13) == Some(&b':')
            && b.get(16) == Some(&b':');
        if !separators_ok {
            return Err(Error::InvalidTimestamp);
        }
        let (year, month, day) = (field(0, 4)?, field(5, 2)?, field(8, 2)?);
        let (hour, minute, second) = (field(11, 2)?, field(14, 2)?, field(17, 2)?);
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return Err(Error::InvalidTimestamp);
        }
        let mut rest = b.get(19..).unwrap_or_default();
        if let [b'.', fraction @ ..] = rest {
            let digits_len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
            if digits_len == 0 {
                return Err(Error::InvalidTimestamp);
            }
            rest = fraction.get(digits_len..).unwrap_or_default();
        }
        let offset_seconds = match rest {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
            | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
                let hours = digits(Some(&[*h1, *h2]))?;
                let minutes = digits(Some(&[*m1, *m2]))?;
                if hours > 23 || minutes > 59 {
                    return Err(Error::InvalidTimestamp);
                }
                let magnitude = hours * 3600 + minutes * 60;
                if *sign == b'-' { -magnitude } else { magnitude }
            }
            _ => return Err(Error::InvalidTimestamp),
        };
        // A leap second reads as the last second of its minute.
        let time_of_day = hour * 3600 + minute * 60 + second.min(59) - offset_seconds;
        let days = days_from_civil(year, month, day);
        Ok(Timestamp {
            unix_seconds: i64::from(days) * 86_400 + i64::from(time_of_day),
        })
    }
}

/// At most four digits (a year), so an `i32` always holds the value.
fn digits(bytes: Option<&[u8]>) -> Result<i32> {
    let bytes = bytes.ok_or(Error::InvalidTimestamp)?;
    bytes.iter().try_fold(0i32, |n, &b| match b {
        b'0'..=b'9' => Ok(n * 10 + i32::from(b - b'0')),
        _ => Err(Error::InvalidTimestamp),
    })
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: i32) -> i32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i32, month: i32, day: i32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> i64 {
        Timestamp::parse(text).unwrap().unix_seconds()
    }

    #[test]
    fn both_documented_formats() {
        assert_eq!(secs("2016-08-02T08:07:52+0000"), 1_470_125_272);
        assert_eq!(secs("2020-03-17T14:29:17Z"), 1_584_455_357);
        assert_eq!(
            secs("2020-03-17T14:45:26Z") - secs("2020-03-17T14:29:17Z"),
            969
        );
    }

    #[test]
    fn epoch_leap_days_offsets_and_fractions() {
        assert_eq!(secs("1970-01-01T00:00:00Z"), 0);
        assert_eq!(secs("2000-02-29T00:00:00Z"), 951_782_400);
        assert_eq!(secs("2024-12-31T23:59:59Z"), 1_735_689_599);
        assert_eq!(secs("2020-03-17T20:29:17+06:00"), 1_584_455_357);
        assert_eq!(secs("2020-03-17T09:29:17-0500"), 1_584_455_357);
        assert_eq!(secs("2020-03-17T14:29:17.123456Z"), 1_584_455_357);
        assert_eq!(secs("1969-12-31T23:59:59Z"), -1);
    }

    #[test]
    fn malformed_timestamps() {
        for text in [
            "",
            "2020-03-17",
            "2020-03-17T14:29:17",
            "2020-03-17T14:29:17+000",
            "2020-03-17T14:29:17+0000Z",
            "2020-13-17T14:29:17Z",
            "2019-02-29T14:29:17Z",
            "2020-03-00T14:29:17Z",
            "2020-03-17T24:00:00Z",
            "2020-03-17T14:60:00Z",
            "2020-03-17T14:29:17.Z",
            "2020-03-17T14:29:17+2400",
            "2020/03/17T14:29:17Z",
            "2020-03-17T14:29:1xZ",
            "+020-03-17T14:29:17Z",
            "2020-03-17T14:29:17Zé",
        ] {
            assert_eq!(
                Timestamp::parse(text),
                Err(Error::InvalidTimestamp),
                "{text:?}"
            );
        }
    }
}
