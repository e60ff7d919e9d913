//! JSON per RFC 8259, read in place: a pull reader for the flat objects the API sends,
//! and string decoding with every escape, surrogate pairs included.
//!
//! Why not serde-json-core (measured with callgrind, see the README's performance
//! section): it walks strings a byte at a time with a bounds check per byte and validates
//! UTF-8 string by string; that was about half of a whole response decode and made us
//! slower than httparse + serde_json on std. Here the body is validated as UTF-8 once and
//! nothing is copied until a value is decoded into its field. It is also strict where
//! serde-json-core is lax (that skips unknown scalars without checking them, so `tru`
//! passed) and it does not refuse surrogate pairs, which serde-json-core does.

use heapless::String;
use heapless::string::StringView;

use crate::error::{Error, ProtocolError, Result};

/// Deepest nesting of arrays and objects skipped inside an unknown field.
const MAX_DEPTH: usize = 32;

/// What the next value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    String,
    Null,
    Object,
    Array,
    /// A number, `true` or `false`.
    Scalar,
}

/// A pull reader over one JSON text. Every method either consumes exactly one syntactic
/// element or fails with [`ProtocolError::InvalidJson`]; it never panics on any input.
pub(crate) struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `body`, which must be UTF-8.
    pub(crate) fn new(body: &'a [u8]) -> Result<Self> {
        let text =
            core::str::from_utf8(body).map_err(|_| Error::Protocol(ProtocolError::InvalidJson))?;
        Ok(Reader { text, pos: 0 })
    }

    fn rest(&self) -> &'a [u8] {
        self.text.as_bytes().get(self.pos..).unwrap_or_default()
    }

    fn skip_whitespace(&mut self) {
        let skipped = self
            .rest()
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .count();
        self.pos += skipped;
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.rest().first().copied()
    }

    fn eat(&mut self, byte: u8) -> Result<()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Error::Protocol(ProtocolError::InvalidJson))
        }
    }

    fn eat_literal(&mut self, literal: &[u8]) -> Result<()> {
        if self.rest().starts_with(literal) {
            self.pos += literal.len();
            Ok(())
        } else {
            Err(Error::Protocol(ProtocolError::InvalidJson))
        }
    }

    /// What the next value is, without consuming it.
    pub(crate) fn kind(&mut self) -> Result<Kind> {
        Ok(
            match self
                .peek()
                .ok_or(Error::Protocol(ProtocolError::InvalidJson))?
            {
                b'"' => Kind::String,
                b'n' => Kind::Null,
                b'{' => Kind::Object,
                b'[' => Kind::Array,
                b'-' | b'0'..=b'9' | b't' | b'f' => Kind::Scalar,
                _ => return Err(Error::Protocol(ProtocolError::InvalidJson)),
            },
        )
    }

    /// A string, still escaped (decode it with [`unescape_into`]).
    pub(crate) fn string(&mut self) -> Result<&'a str> {
        self.eat(b'"')?;
        let start = self.pos;
        loop {
            // API strings are short: one plain pass beats two memchr calls.
            let rest = self.rest();
            let stop = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\')
                .ok_or(Error::Protocol(ProtocolError::InvalidJson))?;
            if rest.get(stop) == Some(&b'"') {
                let raw = self
                    .text
                    .get(start..self.pos + stop)
                    .ok_or(Error::Protocol(ProtocolError::InvalidJson))?;
                self.pos += stop + 1;
                return Ok(raw);
            }
            // Skip the backslash and the character it escapes (possibly a quote). An escape
            // is followed by ASCII in valid JSON; anything else fails in `unescape_into`.
            let escaped = self
                .text
                .get(self.pos + stop + 1..)
                .and_then(|r| r.chars().next());
            self.pos += stop
                + 1
                + escaped
                    .ok_or(Error::Protocol(ProtocolError::InvalidJson))?
                    .len_utf8();
        }
    }

    /// `null`.
    pub(crate) fn null(&mut self) -> Result<()> {
        self.skip_whitespace();
        self.eat_literal(b"null")
    }

    /// Reads an object, handing each key (unescaped) to `entry`, which must consume the
    /// value. Returns false, consuming nothing, when the next value is not an object.
    pub(crate) fn object(
        &mut self,
        mut entry: impl FnMut(&mut Self, &str) -> Result<()>,
    ) -> Result<bool> {
        if self.peek() != Some(b'{') {
            return Ok(false);
        }
        self.pos += 1;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(true);
        }
        loop {
            let raw = self.string()?;
            self.eat(b':')?;
            let mut decoded = heapless::String::<KEY_CAPACITY>::new();
            let key = decode_key(raw, &mut decoded)?;
            entry(self, key)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(true);
                }
                _ => return Err(Error::Protocol(ProtocolError::InvalidJson)),
            }
        }
    }

    /// Reads an array, handing each element to `element`, which must consume it.
    /// Returns false, consuming nothing, when the next value is not an array.
    pub(crate) fn array(
        &mut self,
        mut element: impl FnMut(&mut Self) -> Result<()>,
    ) -> Result<bool> {
        if self.peek() != Some(b'[') {
            return Ok(false);
        }
        self.pos += 1;
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(true);
        }
        loop {
            element(self)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(true);
                }
                _ => return Err(Error::Protocol(ProtocolError::InvalidJson)),
            }
        }
    }

    /// Skips one value of any type, checking its syntax.
    pub(crate) fn skip_value(&mut self) -> Result<()> {
        self.skip_nested(0)
    }

    fn skip_nested(&mut self, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(Error::Protocol(ProtocolError::InvalidJson));
        }
        match self.kind()? {
            Kind::String => self.string().map(|_| ()),
            Kind::Null => self.null(),
            Kind::Object => self.object(|r, _| r.skip_nested(depth + 1)).map(|_| ()),
            Kind::Array => self.array(|r| r.skip_nested(depth + 1)).map(|_| ()),
            Kind::Scalar => self.scalar(),
        }
    }

    /// `true`, `false` or a number (RFC 8259 grammar).
    fn scalar(&mut self) -> Result<()> {
        match self.rest().first() {
            Some(b't') => return self.eat_literal(b"true"),
            Some(b'f') => return self.eat_literal(b"false"),
            _ => {}
        }
        let digits = |r: &mut Self| {
            let n = r.rest().iter().take_while(|b| b.is_ascii_digit()).count();
            r.pos += n;
            n
        };
        if self.rest().first() == Some(&b'-') {
            self.pos += 1;
        }
        match self.rest().first() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(Error::Protocol(ProtocolError::InvalidJson)),
        }
        if self.rest().first() == Some(&b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return Err(Error::Protocol(ProtocolError::InvalidJson));
            }
        }
        if matches!(self.rest().first(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.rest().first(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(Error::Protocol(ProtocolError::InvalidJson));
            }
        }
        Ok(())
    }

    /// Checks that only white space is left.
    pub(crate) fn end(&mut self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(Error::Protocol(ProtocolError::InvalidJson)),
        }
    }
}

/// What went wrong decoding one string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnescapeError {
    /// A bad escape, a lone surrogate, or a raw control character.
    Invalid,
    /// The decoded text does not fit.
    Full,
}

/// Every key this crate reads fits in this many bytes.
const KEY_CAPACITY: usize = 32;

/// An object key as it reads: the API's keys are plain, but `"\u0069d"` is `"id"` all the
/// same. A key longer than [`KEY_CAPACITY`] once decoded is none of ours, and stays as it
/// came. Not generic and not inlined: `object` is instantiated once per caller, this once.
#[inline(never)]
fn decode_key<'k>(
    raw: &'k str,
    decoded: &'k mut heapless::String<KEY_CAPACITY>,
) -> Result<&'k str> {
    if !raw.as_bytes().contains(&b'\\') {
        return Ok(raw);
    }
    match unescape_into(raw, decoded.as_mut_view(), false) {
        Ok(()) => Ok(decoded.as_str()),
        Err(UnescapeError::Full) => Ok(raw),
        Err(UnescapeError::Invalid) => Err(Error::Protocol(ProtocolError::InvalidJson)),
    }
}

/// Decodes the escaped JSON string `raw` into `out`. With `truncate`, text that does not
/// fit is cut at a character boundary instead of failing. Works on a `StringView` so that
/// one copy of the code serves every capacity (flash is scarce on the target).
pub(crate) fn unescape_into(
    raw: &str,
    out: &mut StringView,
    truncate: bool,
) -> core::result::Result<(), UnescapeError> {
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
            return Err(UnescapeError::Invalid);
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
                Err(UnescapeError::Full)
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
) -> core::result::Result<(), UnescapeError> {
    if !truncate {
        return Err(UnescapeError::Full);
    }
    for c in text.chars() {
        if out.push(c).is_err() {
            break;
        }
    }
    Ok(())
}

/// Decodes the escape after a backslash; returns the character and the text after it.
fn decode_escape(s: &str) -> core::result::Result<(char, &str), UnescapeError> {
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
            let after = s.get(5..).ok_or(UnescapeError::Invalid)?;
            return match first {
                0xD800..=0xDBFF => {
                    let low_text = after.strip_prefix("\\u").ok_or(UnescapeError::Invalid)?;
                    let low = hex4(low_text.get(..4))?;
                    if !(0xDC00..=0xDFFF).contains(&low) {
                        return Err(UnescapeError::Invalid);
                    }
                    let code = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00);
                    let c = char::from_u32(code).ok_or(UnescapeError::Invalid)?;
                    Ok((c, low_text.get(4..).ok_or(UnescapeError::Invalid)?))
                }
                0xDC00..=0xDFFF => Err(UnescapeError::Invalid),
                _ => Ok((char::from_u32(first).ok_or(UnescapeError::Invalid)?, after)),
            };
        }
        _ => return Err(UnescapeError::Invalid),
    };
    Ok((simple, s.get(1..).ok_or(UnescapeError::Invalid)?))
}

fn hex4(digits: Option<&str>) -> core::result::Result<u32, UnescapeError> {
    let digits = digits.ok_or(UnescapeError::Invalid)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(UnescapeError::Invalid);
    }
    u32::from_str_radix(digits, 16).map_err(|_| UnescapeError::Invalid)
}

/// Reads a text value that must fit into `out`: a value that is neither a string nor
/// `null`, a bad escape, or too long a value is an error naming the field. Filled in
/// place, so no large temporary is made.
pub(crate) fn read_text<const N: usize>(
    reader: &mut Reader<'_>,
    field: &'static str,
    out: &mut Option<String<N>>,
) -> Result<()> {
    *out = None;
    match reader.kind()? {
        Kind::Null => reader.null(),
        Kind::String => {
            let raw = reader.string()?;
            decode_text(field, raw, out.insert(String::new()).as_mut_view(), N)
        }
        _ => Err(Error::Protocol(ProtocolError::InvalidField { field })),
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
        Err(UnescapeError::Full) => Err(Error::Protocol(ProtocolError::FieldTooLong {
            field,
            capacity,
        })),
        Err(UnescapeError::Invalid) => Err(Error::Protocol(ProtocolError::InvalidField { field })),
    }
}

/// Reads a best-effort text value: other types and bad escapes read as absent (and are
/// skipped), long text is cut.
pub(crate) fn read_lenient_text<const N: usize>(
    reader: &mut Reader<'_>,
    out: &mut Option<String<N>>,
) -> Result<()> {
    *out = None;
    if reader.kind()? != Kind::String {
        return reader.skip_value();
    }
    let raw = reader.string()?;
    let text = out.insert(String::new());
    if unescape_into(raw, text.as_mut_view(), true).is_err() {
        *out = None;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict<const N: usize>(raw: &str) -> core::result::Result<String<N>, UnescapeError> {
        let mut out = String::new();
        unescape_into(raw, out.as_mut_view(), false).map(|()| out)
    }

    fn lenient<const N: usize>(raw: &str) -> String<N> {
        let mut out = String::new();
        unescape_into(raw, out.as_mut_view(), true).unwrap();
        out
    }

    fn text_field<const N: usize>(field: &'static str, json: &str) -> Result<Option<String<N>>> {
        let mut reader = Reader::new(json.as_bytes())?;
        let mut out = None;
        read_text(&mut reader, field, &mut out)?;
        reader.end()?;
        Ok(out)
    }

    fn skips(json: &str) -> bool {
        Reader::new(json.as_bytes())
            .and_then(|mut r| r.skip_value().and_then(|()| r.end()))
            .is_ok()
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
            assert_eq!(strict::<64>(raw), Err(UnescapeError::Invalid), "{raw:?}");
        }
    }

    #[test]
    fn capacity_is_exact() {
        assert_eq!(strict::<5>("hello").unwrap(), "hello");
        assert_eq!(strict::<4>("hello"), Err(UnescapeError::Full));
        assert_eq!(strict::<4>(r"abc\u00e9"), Err(UnescapeError::Full));
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
            text_field::<4>("first_name", r#""hello""#),
            Err(Error::Protocol(ProtocolError::FieldTooLong {
                field: "first_name",
                capacity: 4
            }))
        );
        assert_eq!(
            text_field::<4>("first_name", "12"),
            Err(Error::Protocol(ProtocolError::InvalidField {
                field: "first_name"
            }))
        );
        assert_eq!(
            text_field::<4>("first_name", "[]"),
            Err(Error::Protocol(ProtocolError::InvalidField {
                field: "first_name"
            }))
        );
        assert_eq!(text_field::<4>("first_name", " null "), Ok(None));
        assert_eq!(
            text_field::<4>("first_name", r#""a\"b""#)
                .unwrap()
                .unwrap()
                .as_str(),
            "a\"b"
        );
    }

    #[test]
    fn strings_end_at_the_first_unescaped_quote() {
        let mut reader = Reader::new(br#""a\\" "b\"c" "\u00e9\\\"""#).unwrap();
        assert_eq!(reader.string(), Ok(r"a\\"));
        assert_eq!(reader.string(), Ok(r#"b\"c"#));
        assert_eq!(reader.string(), Ok(r#"\u00e9\\\""#));
        assert_eq!(reader.end(), Ok(()));
        for unterminated in [r#"""#, r#""abc"#, r#""abc\""#, r#""\"#] {
            assert_eq!(
                Reader::new(unterminated.as_bytes()).unwrap().string(),
                Err(Error::Protocol(ProtocolError::InvalidJson)),
                "{unterminated}"
            );
        }
    }

    #[test]
    fn values_of_every_type_are_skipped_strictly() {
        for valid in [
            "0",
            "-0",
            "12",
            "-1.5e3",
            "1E+2",
            "2.25e-7",
            "true",
            "false",
            "null",
            r#""x""#,
            "[]",
            "{}",
            r#"[1, "a", [true, {"b": null}], {}]"#,
            r#"{"a": {"b": [1, 2, {"c": "d"}]}, "e": -3}"#,
        ] {
            assert!(skips(valid), "{valid}");
        }
        for invalid in [
            "",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "+1",
            "tru",
            "nul",
            "True",
            "[1,]",
            "[1 2]",
            "{\"a\"}",
            "{\"a\":1,}",
            "{a:1}",
            "[",
            "{",
            "]",
            "'x'",
            "NaN",
            "1 2",
        ] {
            assert!(!skips(invalid), "{invalid}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(!skips(&deep));
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(skips(&ok));
    }

    #[test]
    fn invalid_utf8_is_refused() {
        assert_eq!(
            Reader::new(b"\"\xff\"").err(),
            Some(Error::Protocol(ProtocolError::InvalidJson))
        );
    }
}
