//! What connecting or calling ends in.

use core::fmt;

use embedded_io::ErrorKind;
use embedded_nal::{TcpError, TcpErrorKind};
use embedded_tls::blocking::TlsError;
use juspay_core::ErrorClass;

use crate::socket::SocketError;
use crate::verifier::CertificateError;

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
    /// TLS failed: an alert, parameters embedded-tls does not speak (TLS 1.3 with
    /// AES-128-GCM and a P-256 key share), or bytes that are not TLS.
    Tls(TlsFailure),
    /// The deadline passed.
    Timeout,
    /// The connection failed after it was established.
    Io(ErrorKind),
}

/// How a TLS handshake or record failed, from embedded-tls's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum TlsFailure {
    /// A fatal alert, sent by the server or by embedded-tls: its AlertDescription code
    /// (RFC 8446, 6): 40 handshake_failure, 70 protocol_version, ...
    Alert(u8),
    /// The server chose what embedded-tls does not speak: another version, cipher suite,
    /// group or signature scheme.
    Unsupported,
    /// A record did not decrypt or authenticate, or the Finished MAC was wrong.
    Crypto,
    /// The server's messages are larger than the TLS buffers.
    BufferTooSmall,
    /// The server's bytes are not valid TLS 1.3.
    Malformed,
}

impl From<&TlsError> for TlsFailure {
    fn from(e: &TlsError) -> Self {
        match e {
            TlsError::HandshakeAborted(_, alert) | TlsError::AbortHandshake(_, alert) => {
                TlsFailure::Alert(*alert as u8)
            }
            TlsError::Unimplemented
            | TlsError::InvalidCipherSuite
            | TlsError::InvalidSignatureScheme
            | TlsError::InvalidSupportedVersions
            | TlsError::InvalidKeyShare => TlsFailure::Unsupported,
            TlsError::CryptoError | TlsError::InvalidSignature => TlsFailure::Crypto,
            TlsError::InsufficientSpace | TlsError::OutOfMemory => TlsFailure::BufferTooSmall,
            _ => TlsFailure::Malformed,
        }
    }
}

impl fmt::Display for TlsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsFailure::Alert(code) => write!(f, "TLS alert {code}"),
            TlsFailure::Unsupported => {
                f.write_str("server parameters not supported (TLS 1.3, AES-128-GCM, P-256 only)")
            }
            TlsFailure::Crypto => f.write_str("TLS record or Finished did not authenticate"),
            TlsFailure::BufferTooSmall => f.write_str("TLS message larger than the buffers"),
            TlsFailure::Malformed => f.write_str("not valid TLS 1.3"),
        }
    }
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

    pub(crate) fn from_tls(e: TlsError) -> Self {
        match e {
            TlsError::Io(ErrorKind::TimedOut) => Error::Timeout,
            TlsError::Io(kind) => Error::Io(kind),
            TlsError::ConnectionClosed | TlsError::IoError => {
                Error::Core(juspay_core::Error::ConnectionClosed)
            }
            other => Error::Tls(TlsFailure::from(&other)),
        }
    }

    pub(crate) fn from_core(e: juspay_core::Error<TlsError>) -> Self {
        match e.split_io() {
            Ok(core) => Error::Core(core),
            Err(tls) => Error::from_tls(tls),
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
            Error::Tls(e) => write!(f, "TLS failure: {e}"),
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
        let alert = Error::from_tls(TlsError::HandshakeAborted(
            embedded_tls::alert::AlertLevel::Fatal,
            embedded_tls::alert::AlertDescription::ProtocolVersion,
        ));
        assert_eq!(alert, Error::Tls(TlsFailure::Alert(70)));
        assert_eq!(alert.to_string(), "TLS failure: TLS alert 70");
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
            Error::from_tls(TlsError::ConnectionClosed).class(),
            ErrorClass::Transport
        );
        assert_eq!(Error::Timeout.class(), ErrorClass::Transport);
    }
}
