//! HTTP heads as text for logs, with the secret left out: one implementation for every
//! transport.

use core::fmt;

/// An HTTP head (request or response) for a log line: up to its blank line, lines joined
/// by `\n`, bytes that are not UTF-8 replaced, and the value of every `Authorization`
/// header, whatever its case, shown as `<redacted>` (it carries the API key).
///
/// ```
/// use juspay_core::RedactedHead;
/// let head = b"GET /customers/c HTTP/1.1\r\nAuthorization: Basic a2V5Og==\r\nx-merchantid: m\r\n\r\n";
/// assert_eq!(
///     format!("{}", RedactedHead(head)),
///     "GET /customers/c HTTP/1.1\nAuthorization: <redacted>\nx-merchantid: m"
/// );
/// ```
#[derive(Clone, Copy)]
pub struct RedactedHead<'a>(pub &'a [u8]);

impl fmt::Display for RedactedHead<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = self
            .0
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(self.0.len());
        let head = self.0.get(..end).unwrap_or_default();
        for (i, line) in head.split(|b| *b == b'\n').enumerate() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if i > 0 {
                f.write_str("\n")?;
            }
            match line.iter().position(|b| *b == b':') {
                Some(colon)
                    if line.get(..colon).is_some_and(|name| {
                        name.trim_ascii().eq_ignore_ascii_case(b"authorization")
                    }) =>
                {
                    write_text(f, line.get(..colon).unwrap_or_default())?;
                    f.write_str(": <redacted>")?;
                }
                _ => write_text(f, line)?,
            }
        }
        Ok(())
    }
}

/// Collects a head from the bytes of a connection as they pass, for a log line, in a
/// buffer of `N` bytes: a longer head is logged cut at `N`.
///
/// ```
/// use juspay_core::HeadCapture;
/// let mut capture = HeadCapture::<256>::new();
/// assert!(capture.observe(b"HTTP/1.1 200 OK\r\nAuthorization: x\r").is_none());
/// let head = capture.observe(b"\n\r\n{\"id\":\"c\"}").unwrap();
/// assert_eq!(head.to_string(), "HTTP/1.1 200 OK\nAuthorization: <redacted>");
/// assert!(capture.observe(b"more").is_none()); // once per head
/// ```
pub struct HeadCapture<const N: usize> {
    bytes: heapless::Vec<u8, N>,
    done: bool,
}

impl<const N: usize> HeadCapture<N> {
    /// An empty capture.
    pub const fn new() -> Self {
        HeadCapture {
            bytes: heapless::Vec::new(),
            done: false,
        }
    }

    /// Takes the next bytes of the stream; returns the head once, when its blank line has
    /// arrived or `N` bytes have.
    pub fn observe(&mut self, bytes: &[u8]) -> Option<RedactedHead<'_>> {
        if self.done {
            return None;
        }
        let room = N.saturating_sub(self.bytes.len());
        let taken = bytes.get(..bytes.len().min(room)).unwrap_or_default();
        // Cannot fail: `taken` fits in the room left.
        let _ = self.bytes.extend_from_slice(taken);
        let complete = self.bytes.windows(4).any(|w| w == b"\r\n\r\n");
        if complete || self.bytes.len() >= N {
            self.done = true;
            return Some(RedactedHead(&self.bytes));
        }
        None
    }
}

impl<const N: usize> Default for HeadCapture<N> {
    fn default() -> Self {
        HeadCapture::new()
    }
}

/// `bytes` as text, with U+FFFD for what is not UTF-8.
fn write_text(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    for chunk in bytes.utf8_chunks() {
        f.write_str(chunk.valid())?;
        if !chunk.invalid().is_empty() {
            f.write_str("\u{FFFD}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn authorization_is_redacted_in_any_case() {
        let head = b"GET /customers/c HTTP/1.1\r\nHost: h\r\nauthorization: Basic c2VjcmV0Og==\r\nAUTHORIZATION:Basic eA==\r\nx-merchantid: m";
        let text = RedactedHead(head).to_string();
        assert!(!text.contains("c2VjcmV0Og=="), "{text}");
        assert!(!text.contains("eA=="), "{text}");
        assert!(text.contains("x-merchantid: m"));
        assert!(text.contains("authorization: <redacted>"));
        assert!(text.contains("AUTHORIZATION: <redacted>"));
    }

    #[test]
    fn a_capture_cuts_a_long_head_at_its_size() {
        let mut capture = HeadCapture::<8>::new();
        assert_eq!(
            capture.observe(b"HTTP/1.1 200 OK").unwrap().to_string(),
            "HTTP/1.1"
        );
    }

    #[test]
    fn stops_at_the_blank_line_and_survives_bytes_that_are_not_text() {
        let text = RedactedHead(b"HTTP/1.1 200 OK\r\nX: \xff\r\n\r\n{\"body\":1}").to_string();
        assert_eq!(text, "HTTP/1.1 200 OK\nX: \u{FFFD}");
    }
}
