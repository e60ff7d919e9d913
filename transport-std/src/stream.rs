//! A rustls stream as an `embedded_io` connection for juspay-core's driver, with optional
//! logging of the request and response heads (secrets redacted).

use std::io::{self, Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use juspay_core::HeadCapture;
use juspay_core::driver::CloseAsEof;
use rustls::{ClientConnection, StreamOwned};

/// Bytes of a head kept for logging; longer heads are logged cut.
const LOGGED_HEAD_LIMIT: usize = 8 * 1024;

/// A TLS connection to the API.
pub(crate) struct Stream {
    tls: StreamOwned<ClientConnection, TcpStream>,
    /// The heads of the exchange under way, kept only while debug logging is on.
    log: Option<Box<HeadLog>>,
    limits: Limits,
}

/// The exchange's deadline. Every read and write waits at most what is left before it, so
/// a server that drips bytes cannot stretch a call past its deadline.
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) deadline: Instant,
}

impl Limits {
    pub(crate) fn left(&self) -> io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "deadline passed"));
        }
        Ok(left)
    }

    /// Sets the socket's read timeout for the next read.
    pub(crate) fn arm_read(&self, tcp: &TcpStream) -> io::Result<()> {
        tcp.set_read_timeout(Some(self.left()?))
    }

    /// Sets the socket's write timeout for the next write.
    pub(crate) fn arm_write(&self, tcp: &TcpStream) -> io::Result<()> {
        tcp.set_write_timeout(Some(self.left()?))
    }
}

/// The heads of the exchange under way, for the debug log.
#[derive(Default)]
pub(crate) struct HeadLog {
    request: HeadCapture<LOGGED_HEAD_LIMIT>,
    response: HeadCapture<LOGGED_HEAD_LIMIT>,
}

impl Stream {
    pub(crate) fn new(tls: StreamOwned<ClientConnection, TcpStream>, limits: Limits) -> Self {
        Stream {
            tls,
            log: None,
            limits,
        }
    }

    /// This stream for juspay-core's driver: rustls reports a peer that closes TCP without
    /// close_notify as `UnexpectedEof`, which is the end of the stream all the same; the
    /// parser then tells a cut response (Truncated) from an idle connection closed by the
    /// server (ConnectionClosed) by what arrived.
    pub(crate) fn closing_as_eof(&mut self) -> CloseAsEof<&mut Self, fn(&io::Error) -> bool> {
        CloseAsEof::new(self, is_close)
    }

    /// Whether the server closed this idle connection (or sent something unasked, which
    /// can only be its close_notify or garbage): a look at the socket without waiting.
    /// A connection that passes can still be closed an instant later: the retry rule
    /// covers that.
    pub(crate) fn closed_by_peer(&self) -> bool {
        let socket = &self.tls.sock;
        let mut byte = [0u8; 1];
        if socket.set_nonblocking(true).is_err() {
            return true;
        }
        let peeked = socket.peek(&mut byte);
        let restored = socket.set_nonblocking(false);
        restored.is_err() || !matches!(peeked, Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }

    /// Starts an exchange under `limits`: from here, heads are logged when debug logging
    /// is on.
    pub(crate) fn begin_exchange(&mut self, limits: Limits) {
        self.limits = limits;
        self.log = HeadLog::begin();
    }
}

/// rustls's (and tokio-rustls's) word for a peer that closed TCP without close_notify.
pub(crate) fn is_close(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::UnexpectedEof
}

impl embedded_io::ErrorType for Stream {
    type Error = io::Error;
}

impl embedded_io::Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = loop {
            self.limits.arm_read(&self.tls.sock)?;
            match self.tls.read(buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
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
            self.limits.arm_write(&self.tls.sock)?;
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
    /// A log for an exchange that starts now, if debug logging is on.
    pub(crate) fn begin() -> Option<Box<HeadLog>> {
        log::log_enabled!(log::Level::Debug).then(Box::default)
    }

    pub(crate) fn request_written(&mut self, bytes: &[u8]) {
        if let Some(head) = self.request.observe(bytes) {
            log::debug!("request head:\n{head}");
        }
    }

    pub(crate) fn response_arrived(&mut self, bytes: &[u8]) {
        if let Some(head) = self.response.observe(bytes) {
            log::debug!("response head:\n{head}");
        }
    }
}
