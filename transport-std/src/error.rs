use std::io;

use juspay_core::ApiError;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a call can end in, in four classes a caller (or a script reading the
/// command's exit status) can branch on: see [`Error::class`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value given by the caller was refused before anything was sent.
    #[error("{0}")]
    InvalidInput(juspay_core::Error),
    /// The configuration cannot be used (for example a PEM file without certificates).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The API answered with an error.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The response broke HTTP/1.1 or the expected JSON.
    #[error("malformed response: {0}")]
    Protocol(juspay_core::Error),
    /// No connection: name resolution or TCP connect failed.
    #[error("cannot connect to {host}: {source}")]
    Connect {
        /// The host tried.
        host: String,
        /// Why.
        source: io::Error,
    },
    /// TLS failed: untrusted or mismatched certificate, alert, or not TLS at all.
    #[error("TLS failure: {0}")]
    Tls(rustls::Error),
    /// The call's deadline (or an I/O timeout within it) passed.
    #[error("timed out")]
    Timeout,
    /// The connection failed after it was established.
    #[error("connection failed: {0}")]
    Io(io::Error),
}

/// The four classes of [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Refused before sending: bad input or configuration.
    Input,
    /// The API's own error answer.
    Api,
    /// No response could be had: connect, TLS, timeout, I/O.
    Transport,
    /// A response came but was malformed, incomplete or too large.
    Protocol,
}

impl Error {
    /// Which of the four classes this error is in.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::InvalidInput(_) | Error::Config(_) => ErrorClass::Input,
            Error::Api(_) => ErrorClass::Api,
            Error::Protocol(_) => ErrorClass::Protocol,
            Error::Connect { .. } | Error::Tls(_) | Error::Timeout | Error::Io(_) => {
                ErrorClass::Transport
            }
        }
    }

    /// The API error, when the API answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// Sorts an I/O error from an established (or establishing) connection.
    pub(crate) fn from_io(e: io::Error) -> Error {
        if matches!(
            e.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ) {
            return Error::Timeout;
        }
        match e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            Some(tls) => Error::Tls(tls.clone()),
            None => Error::Io(e),
        }
    }

    /// Sorts what juspay-core's driver returned.
    pub(crate) fn from_core(e: juspay_core::Error<io::Error>) -> Error {
        use juspay_core::Error as Core;
        match e.retype() {
            Err(io) => Error::from_io(io),
            Ok(Core::ConnectionClosed) => Error::Io(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection closed before any response byte arrived",
            )),
            Ok(input @ (Core::InvalidInput { .. } | Core::BufferTooSmall { .. })) => {
                Error::InvalidInput(input)
            }
            Ok(protocol) => Error::Protocol(protocol),
        }
    }
}
