//! JSON strings per RFC 8259, on top of serde-json-core.
//!
//! serde-json-core finds the structure and hands over each string still escaped; this
//! module decodes it, surrogate pairs included (serde-json-core's own unescaping rejects
//! them), into fixed-capacity strings.

use core::fmt;

use heapless::String;
use heapless::string::StringView;
use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};

use crate::error::{Error, Result};

/// A JSON value as this crate needs it: a string (still escaped) or anything else.
/// `null` is handled by `Option<Value>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    Str(&'a str),
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for Value<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> core::result::Result<Self, D::Error> {
        // serde-json-core has no `deserialize_any`; `deserialize_ignored_any` reads a value
        // of any type and passes strings on as borrowed, still-escaped text.
        deserializer.deserialize_ignored_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(
        self,
        raw: &'de str,
    ) -> core::result::Result<Self::Value, E> {
        Ok(Value::Str(raw))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> core::result::Result<Self::Value, E> {
        Ok(Value::Other)
    }

    fn visit_unit<E: de::Error>(self) -> core::result::Result<Self::Value, E> {
        Ok(Value::Other)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> core::result::Result<Self::Value, E> {
        Ok(Value::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> core::result::Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Value::Other)
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> core::result::Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Value::Other)
    }
}

/// Reads a JSON value into the object it points to, in place. The value says whether the
/// JSON was an object; any other JSON value is read and skipped.
pub(crate) struct Fill<'t, T>(pub(crate) &'t mut T);

/// An object read key by key; values of unknown keys are skipped whatever their type.
pub(crate) trait FromObject {
    fn read_entry<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> core::result::Result<(), A::Error>;
}

impl<'de, T: FromObject> DeserializeSeed<'de> for Fill<'_, T> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> core::result::Result<bool, D::Error> {
        // serde-json-core has no `deserialize_any`; `deserialize_ignored_any` reads a value
        // of any type and tells the visitor which.
        deserializer.deserialize_ignored_any(self)
    }
}

impl<'de, T: FromObject> Visitor<'de> for Fill<'_, T> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> core::result::Result<bool, A::Error> {
        while let Some(key) = map.next_key::<&'de str>()? {
            self.0.read_entry(key, &mut map)?;
        }
        Ok(true)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> core::result::Result<bool, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(false)
    }

    fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> core::result::Result<bool, E> {
        Ok(false)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> core::result::Result<bool, E> {
        Ok(false)
    }

    fn visit_unit<E: de::Error>(self) -> core::result::Result<bool, E> {
        Ok(false)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> core::result::Result<bool, E> {
        Ok(false)
    }
}

/// `None` for JSON `null`, else what the inner seed read.
pub(crate) struct NullOr<S>(pub(crate) S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for NullOr<S> {
    type Value = Option<S::Value>;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> core::result::Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for NullOr<S> {
    type Value = Option<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("null or a value")
    }

    fn visit_none<E: de::Error>(self) -> core::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> core::result::Result<Self::Value, D::Error> {
        self.0.deserialize(deserializer).map(Some)
    }
}

/// What went wrong decoding one string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unescape {
    /// A bad escape, a lone surrogate, or a raw control character.
    Invalid,
    /// The decoded text does not fit.
    Full,
}

/// Decodes the escaped JSON string `raw` into `out`. With `truncate`, text that does not
/// fit is cut at a character boundary instead of failing. Works on a `StringView` so that
/// one copy of the code serves every capacity (flash is scarce on the target).
pub(crate) fn unescape_into(
    raw: &str,
    out: &mut StringView,
    truncate: bool,
) -> core::result::Result<(), Unescape> {
    // Most strings hold no escape: one branch-free pass (it vectorises) says so, then a
    // single copy.
    let special = raw.as_bytes().iter().fold(0u8, |special, &b| {
        special | u8::from(b == b'\\') | u8::from(b < 0x20)
    });
    if special == 0 {
        return match out.push_str(raw) {
            Ok(()) => Ok(()),
            Err(_) => fill_then_stop(out, raw, truncate),
        };
    }
    let mut rest = raw;
    while !rest.is_empty() {
        // memchr for the escape; a branch-free fold (which vectorises) for control bytes.
        let (literal, after) = rest.split_at(rest.find('\\').unwrap_or(rest.len()));
        if literal
            .bytes()
            .fold(false, |control, b| control | (b < 0x20))
        {
            return Err(Unescape::Invalid);
        }
        if out.push_str(literal).is_err() {
            return fill_then_stop(out, literal, truncate);
        }
        let Some(escaped) = after.strip_prefix('\\') else {
            break;
        };
        let (c, after_escape) = decode_escape(escaped)?;
        if out.push(c).is_err() {
            return if truncate {
                Ok(())
            } else {
                Err(Unescape::Full)
            };
        }
        rest = after_escape;
    }
    Ok(())
}

fn fill_then_stop(
    out: &mut StringView,
    text: &str,
    truncate: bool,
) -> core::result::Result<(), Unescape> {
    if !truncate {
        return Err(Unescape::Full);
    }
    for c in text.chars() {
        if out.push(c).is_err() {
            break;
        }
    }
    Ok(())
}

/// Decodes the escape after a backslash; returns the character and the text after it.
fn decode_escape(s: &str) -> core::result::Result<(char, &str), Unescape> {
    let mut bytes = s.bytes();
    let simple = match bytes.next() {
        Some(b'"') => '"',
        Some(b'\\') => '\\',
        Some(b'/') => '/',
        Some(b'b') => '\u{8}',
        Some(b'f') => '\u{c}',
        Some(b'n') => '\n',
        Some(b'r') => '\r',
        Some(b't') => '\t',
        Some(b'u') => {
            let first = hex4(s.get(1..5))?;
            let after = s.get(5..).ok_or(Unescape::Invalid)?;
            return match first {
                0xD800..=0xDBFF => {
                    let low_text = after.strip_prefix("\\u").ok_or(Unescape::Invalid)?;
                    let low = hex4(low_text.get(..4))?;
                    if !(0xDC00..=0xDFFF).contains(&low) {
                        return Err(Unescape::Invalid);
                    }
                    let code = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00);
                    let c = char::from_u32(code).ok_or(Unescape::Invalid)?;
                    Ok((c, low_text.get(4..).ok_or(Unescape::Invalid)?))
                }
                0xDC00..=0xDFFF => Err(Unescape::Invalid),
                _ => Ok((char::from_u32(first).ok_or(Unescape::Invalid)?, after)),
            };
        }
        _ => return Err(Unescape::Invalid),
    };
    Ok((simple, s.get(1..).ok_or(Unescape::Invalid)?))
}

fn hex4(digits: Option<&str>) -> core::result::Result<u32, Unescape> {
    let digits = digits.ok_or(Unescape::Invalid)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Unescape::Invalid);
    }
    u32::from_str_radix(digits, 16).map_err(|_| Unescape::Invalid)
}

/// Reads a text field that must fit into `out`: a wrong type, a bad escape or too long a
/// value is an error naming the field. Filled in place, so no large temporary is made.
pub(crate) fn read_text<const N: usize>(
    field: &'static str,
    value: Option<Value<'_>>,
    out: &mut Option<String<N>>,
) -> Result<()> {
    *out = None;
    match value {
        None => Ok(()),
        Some(Value::Other) => Err(Error::InvalidField { field }),
        Some(Value::Str(raw)) => {
            decode_text(field, raw, out.insert(String::new()).as_mut_view(), N)
        }
    }
}

fn decode_text(
    field: &'static str,
    raw: &str,
    out: &mut StringView,
    capacity: usize,
) -> Result<()> {
    match unescape_into(raw, out, false) {
        Ok(()) => Ok(()),
        Err(Unescape::Full) => Err(Error::FieldTooLong { field, capacity }),
        Err(Unescape::Invalid) => Err(Error::InvalidField { field }),
    }
}

/// Reads a best-effort text field: wrong types and bad escapes read as absent, long text
/// is cut.
pub(crate) fn read_lenient_text<const N: usize>(
    value: Option<Value<'_>>,
    out: &mut Option<String<N>>,
) {
    *out = None;
    if let Some(Value::Str(raw)) = value {
        let text = out.insert(String::new());
        if unescape_into(raw, text.as_mut_view(), true).is_err() {
            *out = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict<const N: usize>(raw: &str) -> core::result::Result<String<N>, Unescape> {
        let mut out = String::new();
        unescape_into(raw, out.as_mut_view(), false).map(|()| out)
    }

    fn lenient<const N: usize>(raw: &str) -> String<N> {
        let mut out = String::new();
        unescape_into(raw, out.as_mut_view(), true).unwrap();
        out
    }

    fn text_field<const N: usize>(
        field: &'static str,
        value: Option<Value<'_>>,
    ) -> Result<Option<String<N>>> {
        let mut out = None;
        read_text(field, value, &mut out).map(|()| out)
    }

    #[test]
    fn every_simple_escape() {
        assert_eq!(
            strict::<32>(r#"a\"b\\c\/d\be\ff\ng\rh\ti"#).unwrap(),
            "a\"b\\c/d\u{8}e\u{c}f\ng\rh\ti"
        );
    }

    #[test]
    fn unicode_escapes_and_surrogate_pairs() {
        assert_eq!(strict::<32>(r"\u0041\u00e9\u20AC").unwrap(), "Aé€");
        assert_eq!(strict::<32>(r"smile \ud83d\ude00!").unwrap(), "smile 😀!");
        assert_eq!(strict::<32>(r"\uD834\uDD1E").unwrap(), "𝄞");
        assert_eq!(strict::<32>(r"\u0000").unwrap(), "\0");
    }

    #[test]
    fn raw_utf8_is_kept() {
        assert_eq!(strict::<32>("Zoë 李 😀").unwrap(), "Zoë 李 😀");
    }

    #[test]
    fn invalid_escapes() {
        for raw in [
            r"\x41",
            r"\u12",
            r"\u12G4",
            r"\ud83d",
            r"\ud83d rest",
            r"\ud83d\u0041",
            r"\ude00",
            r"trailing\",
            "raw\ncontrol",
            "tab\tinside",
        ] {
            assert_eq!(strict::<64>(raw), Err(Unescape::Invalid), "{raw:?}");
        }
    }

    #[test]
    fn capacity_is_exact() {
        assert_eq!(strict::<5>("hello").unwrap(), "hello");
        assert_eq!(strict::<4>("hello"), Err(Unescape::Full));
        assert_eq!(strict::<4>(r"abc\u00e9"), Err(Unescape::Full));
        assert_eq!(strict::<5>(r"abc\u00e9").unwrap(), "abcé");
    }

    #[test]
    fn truncation_keeps_whole_characters() {
        assert_eq!(lenient::<4>("abcdef").as_str(), "abcd");
        assert_eq!(lenient::<4>("abcé").as_str(), "abc");
        assert_eq!(lenient::<5>(r"ab\n\u20acx").as_str(), "ab\n");
        assert_eq!(lenient::<6>("😀😀").as_str(), "😀");
    }

    #[test]
    fn text_field_names_the_field() {
        assert_eq!(
            text_field::<4>("first_name", Some(Value::Str("hello"))),
            Err(Error::FieldTooLong {
                field: "first_name",
                capacity: 4
            })
        );
        assert_eq!(
            text_field::<4>("first_name", Some(Value::Other)),
            Err(Error::InvalidField {
                field: "first_name"
            })
        );
        assert_eq!(text_field::<4>("first_name", None), Ok(None));
    }
}
