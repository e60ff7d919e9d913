//! UTC instants, parsed from the API's two timestamp formats.

use crate::error::{Error, ProtocolError, Result};

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
            return Err(Error::Protocol(ProtocolError::InvalidTimestamp));
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
            return Err(Error::Protocol(ProtocolError::InvalidTimestamp));
        }
        let mut rest = b.get(19..).unwrap_or_default();
        if let [b'.', fraction @ ..] = rest {
            let digits_len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
            if digits_len == 0 {
                return Err(Error::Protocol(ProtocolError::InvalidTimestamp));
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
                    return Err(Error::Protocol(ProtocolError::InvalidTimestamp));
                }
                let magnitude = hours * 3600 + minutes * 60;
                if *sign == b'-' { -magnitude } else { magnitude }
            }
            _ => return Err(Error::Protocol(ProtocolError::InvalidTimestamp)),
        };
        // A leap second reads as the last second of its minute.
        let time_of_day = hour * 3600 + minute * 60 + second.min(59) - offset_seconds;
        let days = days_from_civil(year, month, day);
        Ok(Timestamp {
            unix_seconds: i64::from(days) * 86_400 + i64::from(time_of_day),
        })
    }
}

/// Serialized as the API's text. A `Timestamp` keeps the instant, not the text it was
/// parsed from, so it writes one of the API's two formats: `2020-03-17T14:29:17Z`, the
/// RFC 3339 form the API uses for token expiry (the other, `+0000`, is not RFC 3339, and
/// the offset it carries is gone once parsed). Instants outside years 0000–9999 have no
/// such text and fail to serialize. Deserialize takes any text [`Timestamp::parse`]
/// reads, and refuses the rest.
#[cfg(feature = "serde")]
mod text {
    use super::Timestamp;

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    const LEN: usize = 20;

    impl Timestamp {
        /// The instant as `YYYY-MM-DDTHH:MM:SSZ`, or `None` outside years 0000–9999.
        fn to_text(self) -> Option<[u8; LEN]> {
            let days = self.unix_seconds.div_euclid(86_400);
            let seconds = self.unix_seconds.rem_euclid(86_400);
            let (year, month, day) = civil_from_days(days);
            if !(0..=9999).contains(&year) {
                return None;
            }
            let mut out = *b"0000-00-00T00:00:00Z";
            for (at, value, width) in [
                (0, year, 4),
                (5, month, 2),
                (8, day, 2),
                (11, seconds / 3600, 2),
                (14, seconds / 60 % 60, 2),
                (17, seconds % 60, 2),
            ] {
                let mut rest = value;
                for slot in out.get_mut(at..at + width)?.iter_mut().rev() {
                    // rest is in 0..=9999 and each slot takes one decimal digit.
                    *slot = b'0' + u8::try_from(rest % 10).ok()?;
                    rest /= 10;
                }
            }
            Some(out)
        }
    }

    /// (year, month, day) of a count of days since 1970-01-01, proleptic Gregorian
    /// (Howard Hinnant's algorithm, the inverse of `days_from_civil`).
    fn civil_from_days(days: i64) -> (i64, i64, i64) {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
        let month = if shifted_month < 10 {
            shifted_month + 3
        } else {
            shifted_month - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        (year, month, day)
    }

    impl serde::Serialize for Timestamp {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let text = self
                .to_text()
                .ok_or_else(|| serde::ser::Error::custom("timestamp outside years 0000-9999"))?;
            let text = core::str::from_utf8(&text).map_err(serde::ser::Error::custom)?;
            serializer.serialize_str(text)
        }
    }

    impl<'de> serde::Deserialize<'de> for Timestamp {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Visitor;

            impl serde::de::Visitor<'_> for Visitor {
                type Value = Timestamp;

                fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                    f.write_str("a timestamp like 2020-03-17T14:29:17Z or 2016-08-02T08:07:52+0000")
                }

                fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Timestamp, E> {
                    Timestamp::parse(text)
                        .map_err(|_| E::invalid_value(serde::de::Unexpected::Str(text), &self))
                }
            }

            deserializer.deserialize_str(Visitor)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::super::Timestamp;

        fn text(unix_seconds: i64) -> Option<std::string::String> {
            Timestamp::from_unix_seconds(unix_seconds)
                .to_text()
                .map(|t| std::string::String::from_utf8(t.to_vec()).unwrap())
        }

        #[test]
        fn formats_the_api_text_in_utc() {
            assert_eq!(text(0).as_deref(), Some("1970-01-01T00:00:00Z"));
            assert_eq!(text(-1).as_deref(), Some("1969-12-31T23:59:59Z"));
            assert_eq!(text(1_470_125_272).as_deref(), Some("2016-08-02T08:07:52Z"));
            assert_eq!(text(951_782_400).as_deref(), Some("2000-02-29T00:00:00Z"));
            assert_eq!(
                text(-62_167_219_200).as_deref(),
                Some("0000-01-01T00:00:00Z")
            );
            assert_eq!(
                text(253_402_300_799).as_deref(),
                Some("9999-12-31T23:59:59Z")
            );
            assert_eq!(text(-62_167_219_201), None);
            assert_eq!(text(253_402_300_800), None);
            assert_eq!(text(i64::MIN), None);
            assert_eq!(text(i64::MAX), None);
        }

        #[test]
        fn every_day_of_four_centuries_reads_back() {
            // 400 years repeat the Gregorian calendar; step through each day at an odd time.
            let start = -62_167_219_200 + 1_234 * 86_400;
            for day in 0..146_097 {
                let seconds = start + day * 86_400 + day % 86_400;
                let t = text(seconds).unwrap();
                assert_eq!(Timestamp::parse(&t).unwrap().unix_seconds(), seconds, "{t}");
            }
        }
    }
}

/// At most four digits (a year), so an `i32` always holds the value.
fn digits(bytes: Option<&[u8]>) -> Result<i32> {
    let bytes = bytes.ok_or(Error::Protocol(ProtocolError::InvalidTimestamp))?;
    bytes.iter().try_fold(0i32, |n, &b| match b {
        b'0'..=b'9' => Ok(n * 10 + i32::from(b - b'0')),
        _ => Err(Error::Protocol(ProtocolError::InvalidTimestamp)),
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
                Err(Error::Protocol(ProtocolError::InvalidTimestamp)),
                "{text:?}"
            );
        }
    }
}
