//! juspay-tls's client over a socket: the handshake loop and the connection the
//! protocol driver reads and writes, once blocking and once async. Each is one small loop
//! around [`juspay_tls::Client::process`]; the TLS rules all live in juspay-tls.

use embedded_io::{Error as _, ErrorKind, ErrorType};
use juspay_tls::Status;

/// What a read or write of the TLS connection ended in.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StreamError {
    /// TLS refused what the server sent (or the connection's state).
    Tls(juspay_tls::Error),
    /// The socket failed (`TimedOut` when the deadline passed).
    Io(ErrorKind),
}

impl core::fmt::Display for StreamError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            StreamError::Tls(e) => core::fmt::Display::fmt(e, f),
            StreamError::Io(kind) => write!(f, "connection failed: {kind}"),
        }
    }
}

impl core::error::Error for StreamError {}

impl embedded_io::Error for StreamError {
    fn kind(&self) -> ErrorKind {
        match self {
            StreamError::Tls(_) => ErrorKind::InvalidData,
            StreamError::Io(kind) => *kind,
        }
    }
}

/// The server ended the connection: close_notify, or a TCP close at a record boundary
/// (the HTTP layer above decides whether the response was complete).
pub(crate) fn is_close(e: &StreamError) -> bool {
    matches!(
        e,
        StreamError::Tls(juspay_tls::Error::Closed | juspay_tls::Error::UnexpectedEof)
    )
}

/// A TLS connection: the state machine and its socket.
pub(crate) struct TlsStream<'b, S> {
    pub(crate) tls: juspay_tls::Client<'b>,
    pub(crate) socket: S,
}

impl<S> ErrorType for TlsStream<'_, S> {
    type Error = StreamError;
}

/// What to do after one [`juspay_tls::Client::process`]: the loops below act on it.
enum Next {
    /// Send what is pending, then call process again.
    Again,
    /// Send what is pending, then read from the socket.
    Read,
    /// Done (handshake complete, or data to hand out).
    Ready,
    /// The server closed the connection.
    Closed,
}

fn next(tls: &mut juspay_tls::Client<'_>) -> Result<Next, StreamError> {
    match tls.process().map_err(StreamError::Tls)? {
        Status::Busy => Ok(Next::Again),
        Status::NeedData => Ok(Next::Read),
        Status::Established if tls.application_data().is_empty() => Ok(Next::Read),
        Status::Established => Ok(Next::Ready),
        Status::Closed => Ok(Next::Closed),
    }
}

fn take(tls: &mut juspay_tls::Client<'_>, buf: &mut [u8]) -> usize {
    let data = tls.application_data();
    let n = data.len().min(buf.len());
    if let (Some(to), Some(from)) = (buf.get_mut(..n), data.get(..n)) {
        to.copy_from_slice(from);
    }
    tls.consume(n);
    n
}

impl<S: embedded_io::Read + embedded_io::Write> TlsStream<'_, S> {
    /// Runs the handshake to its end. On a refusal the alert is sent (best effort) before
    /// the error is returned; the caller then drops the socket.
    pub(crate) fn handshake(&mut self, mut yield_now: impl FnMut()) -> Result<(), StreamError> {
        loop {
            let step = next(&mut self.tls);
            self.send_pending()?;
            match step? {
                Next::Again => yield_now(),
                Next::Read if self.tls.is_established() => return Ok(()),
                Next::Read => self.receive()?,
                Next::Ready => return Ok(()),
                Next::Closed => return Err(StreamError::Tls(juspay_tls::Error::Closed)),
            }
        }
    }

    fn send_pending(&mut self) -> Result<(), StreamError> {
        while !self.tls.outgoing().is_empty() {
            let n = self
                .socket
                .write(self.tls.outgoing())
                .map_err(|e| StreamError::Io(e.kind()))?;
            if n == 0 {
                return Err(StreamError::Io(ErrorKind::WriteZero));
            }
            self.tls.sent(n);
        }
        Ok(())
    }

    fn receive(&mut self) -> Result<(), StreamError> {
        let space = self.tls.incoming();
        if space.is_empty() {
            return Err(StreamError::Tls(juspay_tls::Error::ReceiveBufferTooSmall));
        }
        let n = self
            .socket
            .read(space)
            .map_err(|e| StreamError::Io(e.kind()))?;
        if n == 0 {
            self.tls.received_eof();
        } else {
            self.tls.received(n);
        }
        Ok(())
    }

    /// Queues close_notify and sends it, best effort.
    pub(crate) fn close(&mut self) {
        self.tls.close();
        let _ = self.send_pending();
    }
}

impl<S: embedded_io::Read + embedded_io::Write> embedded_io::Read for TlsStream<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, StreamError> {
        loop {
            if !self.tls.application_data().is_empty() {
                return Ok(take(&mut self.tls, buf));
            }
            let step = next(&mut self.tls);
            // A KeyUpdate the server asked for, or an alert, goes out first.
            self.send_pending()?;
            match step? {
                Next::Again | Next::Ready => {}
                Next::Read => self.receive()?,
                Next::Closed => return Ok(0),
            }
        }
    }
}

impl<S: embedded_io::Read + embedded_io::Write> embedded_io::Write for TlsStream<'_, S> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, StreamError> {
        loop {
            let n = self.tls.write(buf).map_err(StreamError::Tls)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            self.send_pending()?;
        }
    }

    fn flush(&mut self) -> Result<(), StreamError> {
        self.send_pending()
    }
}

#[cfg(feature = "async")]
mod asynch {
    use super::*;
    use embedded_io_async::{Read, Write};

    impl<S: Read + Write> TlsStream<'_, S> {
        /// [`TlsStream::handshake`] for async sockets: yields to the executor after each
        /// expensive step.
        pub(crate) async fn handshake_async(&mut self) -> Result<(), StreamError> {
            loop {
                let step = next(&mut self.tls);
                self.send_pending_async().await?;
                match step? {
                    Next::Again => embassy_futures::yield_now().await,
                    Next::Read if self.tls.is_established() => return Ok(()),
                    Next::Read => self.receive_async().await?,
                    Next::Ready => return Ok(()),
                    Next::Closed => return Err(StreamError::Tls(juspay_tls::Error::Closed)),
                }
            }
        }

        async fn send_pending_async(&mut self) -> Result<(), StreamError> {
            while !self.tls.outgoing().is_empty() {
                let n = self
                    .socket
                    .write(self.tls.outgoing())
                    .await
                    .map_err(|e| StreamError::Io(e.kind()))?;
                if n == 0 {
                    return Err(StreamError::Io(ErrorKind::WriteZero));
                }
                self.tls.sent(n);
            }
            Ok(())
        }

        async fn receive_async(&mut self) -> Result<(), StreamError> {
            let space = self.tls.incoming();
            if space.is_empty() {
                return Err(StreamError::Tls(juspay_tls::Error::ReceiveBufferTooSmall));
            }
            let n = self
                .socket
                .read(space)
                .await
                .map_err(|e| StreamError::Io(e.kind()))?;
            if n == 0 {
                self.tls.received_eof();
            } else {
                self.tls.received(n);
            }
            Ok(())
        }

        /// Queues close_notify and sends it, best effort.
        pub(crate) async fn close_async(&mut self) {
            self.tls.close();
            let _ = self.send_pending_async().await;
        }
    }

    impl<S: Read + Write> Read for TlsStream<'_, S> {
        async fn read(&mut self, buf: &mut [u8]) -> Result<usize, StreamError> {
            loop {
                if !self.tls.application_data().is_empty() {
                    return Ok(take(&mut self.tls, buf));
                }
                let step = next(&mut self.tls);
                self.send_pending_async().await?;
                match step? {
                    Next::Again | Next::Ready => {}
                    Next::Read => self.receive_async().await?,
                    Next::Closed => return Ok(0),
                }
            }
        }
    }

    impl<S: Read + Write> Write for TlsStream<'_, S> {
        async fn write(&mut self, buf: &[u8]) -> Result<usize, StreamError> {
            loop {
                let n = self.tls.write(buf).map_err(StreamError::Tls)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                self.send_pending_async().await?;
            }
        }

        async fn flush(&mut self) -> Result<(), StreamError> {
            self.send_pending_async().await
        }
    }
}
