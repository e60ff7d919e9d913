//! What connecting or calling ends in.

use core::fmt;

use embedded_io::ErrorKind;
use embedded_nal::{TcpError, TcpErrorKind};
use juspay_core::ErrorClass;

use juspay_tls::CertificateError;

use crate::socket::SocketError;
use crate::tls::StreamError;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// What connecting or calling ended in. `Clone + PartialEq` and the same on every network
/// stack: the stack's own error is reduced to embedded-nal's [`TcpErrorKind`] (with the
/// `log` feature, connect logs the stack's error in full).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// What juspay-core decided: input refused or the buffer too small (nothing sent), a
    /// response that broke HTTP or the JSON, or the connection closed before a response
    /// (connect again). Its [`class`](juspay_core::Error::class) says which.
    Core(juspay_core::Error),
    /// The host name did not resolve.
    Dns,
    /// TCP connect failed.
    Connect(TcpErrorKind),
    /// The server's certificate or handshake signature was refused; nothing was sent.
    Certificate(CertificateError),
    /// TLS failed (nothing of the request was sent if it failed in the handshake): what
    /// the server did against TLS and the alert we answered with, an alert it sent,
    /// parameters we do not speak, or bytes that are not TLS. See [`juspay_tls::Error`].
    Tls(juspay_tls::Error),
    /// The deadline passed.
    Timeout,
    /// The connection failed after it was established.
    Io(ErrorKind),
}

impl Error {
    /// The class of this error, shared with juspay-transport-std and the command.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Core(e) => e.class(),
            Error::Dns
            | Error::Connect(_)
            | Error::Certificate(_)
            | Error::Tls(_)
            | Error::Timeout
            | Error::Io(_) => ErrorClass::Transport,
        }
    }

    pub(crate) fn from_socket<E: TcpError>(e: SocketError<E>) -> Self {
        match e {
            SocketError::Timeout => Error::Timeout,
            SocketError::Stack(e) => {
                #[cfg(feature = "log")]
                log::debug!("connect failed: {e:?}");
                Error::Connect(e.kind())
            }
        }
    }

    /// A failed connect of an embedded-nal-async stack, reduced to embedded-nal's kinds as
    /// a blocking stack reports them.
    #[cfg(feature = "async")]
    pub(crate) fn from_connect<E: embedded_io::Error>(e: &E) -> Self {
        #[cfg(feature = "log")]
        log::debug!("connect failed: {e:?}");
        match e.kind() {
            ErrorKind::BrokenPipe => Error::Connect(TcpErrorKind::PipeClosed),
            _ => Error::Connect(TcpErrorKind::Other),
        }
    }

    /// juspay-tls's refusal: a certificate refusal keeps its own variant.
    pub(crate) fn from_tls(e: juspay_tls::Error) -> Self {
        match e {
            juspay_tls::Error::Certificate(e) => Error::Certificate(e),
            e => Error::Tls(e),
        }
    }

    pub(crate) fn from_stream(e: StreamError) -> Self {
        match e {
            StreamError::Io(ErrorKind::TimedOut) => Error::Timeout,
            StreamError::Io(kind) => Error::Io(kind),
            StreamError::Tls(juspay_tls::Error::Closed | juspay_tls::Error::UnexpectedEof) => {
                Error::Core(juspay_core::Error::ConnectionClosed)
            }
            StreamError::Tls(e) => Error::from_tls(e),
        }
    }

    pub(crate) fn from_core(e: juspay_core::Error<StreamError>) -> Self {
        match e.split_io() {
            Ok(core) => Error::Core(core),
            Err(stream) => Error::from_stream(stream),
        }
    }
}

impl From<juspay_core::Error> for Error {
    fn from(e: juspay_core::Error) -> Self {
        Error::Core(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Core(e) => fmt::Display::fmt(e, f),
            Error::Dns => f.write_str("host name did not resolve"),
            Error::Connect(TcpErrorKind::PipeClosed) => f.write_str("cannot connect: closed"),
            Error::Connect(_) => f.write_str("cannot connect"),
            Error::Certificate(e) => fmt::Display::fmt(e, f),
            Error::Tls(e) => fmt::Display::fmt(e, f),
            Error::Timeout => f.write_str("timed out"),
            Error::Io(kind) => write!(f, "connection failed: {kind}"),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Error::Core(e) => Some(e),
            Error::Certificate(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Error {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self {
            Error::Core(e) => defmt::write!(f, "Core({})", e),
            Error::Dns => defmt::write!(f, "Dns"),
            Error::Connect(TcpErrorKind::PipeClosed) => defmt::write!(f, "Connect(PipeClosed)"),
            Error::Connect(_) => defmt::write!(f, "Connect(Other)"),
            Error::Certificate(e) => defmt::write!(f, "Certificate({})", e),
            Error::Tls(e) => defmt::write!(f, "Tls({})", e),
            Error::Timeout => defmt::write!(f, "Timeout"),
            Error::Io(kind) => defmt::write!(f, "Io({})", kind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_never_prints_debug() {
        let refused = Error::Connect(TcpErrorKind::Other);
        assert_eq!(refused.to_string(), "cannot connect");
        let alert = Error::from_tls(juspay_tls::Error::AlertReceived(
            juspay_tls::Alert::ProtocolVersion,
        ));
        assert_eq!(alert.to_string(), "TLS: the server sent alert 70");
        let refused = Error::from_tls(juspay_tls::Error::Certificate(
            CertificateError::BadSignature,
        ));
        assert_eq!(refused, Error::Certificate(CertificateError::BadSignature));
        assert_eq!(
            Error::Io(ErrorKind::ConnectionReset).to_string(),
            "connection failed: ConnectionReset"
        );
    }

    #[test]
    fn classes_come_from_core_or_are_transport() {
        let truncated = Error::from(juspay_core::Error::Protocol(
            juspay_core::ProtocolError::Truncated,
        ));
        assert_eq!(truncated.class(), ErrorClass::Protocol);
        assert_eq!(
            Error::from_stream(StreamError::Tls(juspay_tls::Error::UnexpectedEof)).class(),
            ErrorClass::Transport
        );
        assert_eq!(Error::Timeout.class(), ErrorClass::Transport);
    }
}
