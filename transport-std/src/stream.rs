//! A rustls stream as an `embedded_io` connection for juspay-core's driver, with optional
//! logging of the request and response heads (secrets redacted).

use std::io::{self, Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use rustls::{ClientConnection, StreamOwned};

/// Bytes of a head kept for logging; longer heads are logged cut.
const LOGGED_HEAD_LIMIT: usize = 8 * 1024;

/// A TLS connection to the API.
pub(crate) struct Stream {
    tls: StreamOwned<ClientConnection, TcpStream>,
    /// The heads of the exchange under way, kept only while debug logging is on.
    log: Option<HeadLog>,
    limits: Limits,
}

/// The exchange's deadline and the longest single wait. Every read and write gets the
/// smaller of its timeout and what is left before the deadline, so a server that drips
/// bytes cannot stretch a call past its deadline.
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) deadline: Instant,
    pub(crate) read_timeout: Duration,
    pub(crate) write_timeout: Duration,
}

impl Limits {
    fn left(&self, timeout: Duration) -> io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "deadline passed"));
        }
        Ok(left.min(timeout))
    }
}

#[derive(Default)]
struct HeadLog {
    request: Vec<u8>,
    response: Vec<u8>,
    request_logged: bool,
    response_logged: bool,
}

impl Stream {
    pub(crate) fn new(tls: StreamOwned<ClientConnection, TcpStream>, limits: Limits) -> Self {
        Stream {
            tls,
            log: None,
            limits,
        }
    }

    /// Starts an exchange under `limits`: from here, heads are logged when debug logging
    /// is on.
    pub(crate) fn begin_exchange(&mut self, limits: Limits) {
        self.limits = limits;
        self.log = log::log_enabled!(log::Level::Debug).then(HeadLog::default);
    }
}

impl embedded_io::ErrorType for Stream {
    type Error = io::Error;
}

impl embedded_io::Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = loop {
            self.tls
                .sock
                .set_read_timeout(Some(self.limits.left(self.limits.read_timeout)?))?;
            match self.tls.read(buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // A peer that closes TCP without close_notify: the end of the stream all the
                // same. juspay-core's parser then tells a cut response (Truncated) from an
                // idle connection closed by the server (ConnectionClosed) by what arrived.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break 0,
                Err(e) => return Err(e),
            }
        };
        if let (Some(log), Some(bytes)) = (self.log.as_mut(), buf.get(..n)) {
            log.response_arrived(bytes);
        }
        Ok(n)
    }
}

impl embedded_io::Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = loop {
            self.tls
                .sock
                .set_write_timeout(Some(self.limits.left(self.limits.write_timeout)?))?;
            match self.tls.write(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        if let (Some(log), Some(bytes)) = (self.log.as_mut(), buf.get(..n)) {
            log.request_written(bytes);
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tls.flush()
    }
}

impl HeadLog {
    fn request_written(&mut self, bytes: &[u8]) {
        if !self.request_logged && collect_head(&mut self.request, bytes) {
            self.request_logged = true;
            log::debug!("request head:\n{}", redact(&self.request));
        }
    }

    fn response_arrived(&mut self, bytes: &[u8]) {
        if !self.response_logged && collect_head(&mut self.response, bytes) {
            self.response_logged = true;
            log::debug!("response head:\n{}", redact(&self.response));
        }
    }
}

/// Appends to `head` up to its blank line; true once the head is complete (or too long).
fn collect_head(head: &mut Vec<u8>, bytes: &[u8]) -> bool {
    let room = LOGGED_HEAD_LIMIT.saturating_sub(head.len());
    head.extend_from_slice(bytes.get(..bytes.len().min(room)).unwrap_or_default());
    if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
        head.truncate(end);
        return true;
    }
    head.len() >= LOGGED_HEAD_LIMIT
}

/// A head as text with the `Authorization` value replaced.
pub(crate) fn redact(head: &[u8]) -> String {
    String::from_utf8_lossy(head)
        .split("\r\n")
        .map(|line| match line.split_once(':') {
            Some((name, _)) if name.trim().eq_ignore_ascii_case("authorization") => {
                format!("{name}: <redacted>")
            }
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_is_redacted_in_any_case() {
        let head = b"GET /customers/c HTTP/1.1\r\nHost: h\r\nauthorization: Basic c2VjcmV0Og==\r\nAUTHORIZATION:Basic eA==\r\nx-merchantid: m";
        let text = redact(head);
        assert!(!text.contains("c2VjcmV0Og=="), "{text}");
        assert!(!text.contains("eA=="), "{text}");
        assert!(text.contains("x-merchantid: m"));
        assert!(text.contains("authorization: <redacted>"));
    }

    #[test]
    fn heads_are_collected_across_writes() {
        let mut head = Vec::new();
        assert!(!collect_head(&mut head, b"HTTP/1.1 200 OK\r\nA: b\r"));
        assert!(collect_head(&mut head, b"\n\r\n{\"body\":1}"));
        assert_eq!(head, b"HTTP/1.1 200 OK\r\nA: b");
    }
}
