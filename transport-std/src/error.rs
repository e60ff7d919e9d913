use std::io;

use juspay_core::{ApiError, ErrorClass};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a call can end in, in the four classes a caller (or a script reading the
/// command's exit status) can branch on: see [`Error::class`].
///
/// The API's own error is a variant here ([`Error::Api`], boxed: it holds about 1 KiB of
/// text), so that `?` and the retries see it; on firmware it is in the
/// [`Reply`](juspay_core::Reply), whose docs say why.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// What juspay-core decided: input refused or the buffer too small (nothing sent), a
    /// response that broke HTTP or the JSON, or the connection closed before a response.
    /// Its [`class`](juspay_core::Error::class) says which.
    #[error(transparent)]
    Core(#[from] juspay_core::Error),
    /// The configuration cannot be used (for example a PEM file without certificates).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The API answered with an error.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// No connection: name resolution or TCP connect failed.
    #[error("cannot connect to {host}")]
    Connect {
        /// The host tried.
        host: String,
        /// Why.
        source: io::Error,
    },
    /// TLS failed: untrusted or mismatched certificate, alert, or not TLS at all.
    #[error("TLS failure")]
    Tls(#[source] rustls::Error),
    /// The call's deadline (or an I/O timeout within it) passed.
    #[error("timed out")]
    Timeout,
    /// The connection failed after it was established.
    #[error("connection failed")]
    Io(#[source] io::Error),
}

impl Error {
    /// Which of the four classes this error is in.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Core(e) => e.class(),
            Error::Config(_) => ErrorClass::Input,
            Error::Api(_) => ErrorClass::Api,
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
        match e.split_io() {
            Ok(core) => Error::Core(core),
            Err(io) => Error::from_io(io),
        }
    }
}
