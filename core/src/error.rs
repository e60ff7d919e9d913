//! The crate's one error type.

use core::convert::Infallible;
use core::fmt;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Which caller-supplied value an [`Error::InvalidInput`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Input {
    /// The customer id (path segment).
    CustomerId,
    /// The `x-routing-id` header value.
    RoutingId,
    /// The `x-merchantid` header value.
    MerchantId,
    /// The API key (Basic auth user name).
    ApiKey,
    /// The `version` header value.
    Version,
    /// The base URL of the endpoint.
    BaseUrl,
}

impl Input {
    /// The name used in messages.
    pub const fn name(self) -> &'static str {
        match self {
            Input::CustomerId => "customer id",
            Input::RoutingId => "routing id",
            Input::MerchantId => "merchant id",
            Input::ApiKey => "API key",
            Input::Version => "version",
            Input::BaseUrl => "base URL",
        }
    }
}

/// Why an input was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Problem {
    /// The value is empty.
    Empty,
    /// The value holds CR, LF, NUL or another control character.
    ControlCharacter,
    /// The value starts or ends with white space, which a server would strip.
    SurroundingWhitespace,
    /// The API key holds `:`, which Basic auth cannot carry in the user name.
    Colon,
    /// The customer id is `.` or `..`, which servers resolve as a relative path.
    DotSegment,
    /// The base URL is not `https://host[:port][/]`.
    Malformed,
}

impl Problem {
    const fn text(self) -> &'static str {
        match self {
            Problem::Empty => "is empty",
            Problem::ControlCharacter => "contains a control character (CR, LF, NUL, ...)",
            Problem::SurroundingWhitespace => "starts or ends with white space",
            Problem::Colon => "contains ':'",
            Problem::DotSegment => "is '.' or '..'",
            Problem::Malformed => "is not of the form https://host[:port]",
        }
    }
}

/// Everything that can go wrong in juspay-core.
///
/// `E` is the error type of the connection the [`driver`](crate::driver) runs over; functions
/// that do no I/O use the default, [`Infallible`].
///
/// The variants fall in three groups a caller can branch on: the caller's input
/// ([`InvalidInput`](Error::InvalidInput), [`BufferTooSmall`](Error::BufferTooSmall)),
/// a response that breaks HTTP or JSON ([`is_protocol`](Error::is_protocol)), and the
/// connection ([`Io`](Error::Io), [`ConnectionClosed`](Error::ConnectionClosed)).
///
/// The API's own errors are not in here: they are an answer, not a failure, and come as
/// [`ApiError`](crate::ApiError) in [`Reply::result`](crate::driver::Reply). An `ApiError`
/// holds about 1 KiB of text; as a variant it would make every `Result` in this crate
/// that large on a firmware stack of a few KiB.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error<E = Infallible> {
    /// A value given by the caller would corrupt the request; nothing was encoded.
    InvalidInput {
        /// Which value.
        input: Input,
        /// What is wrong with it.
        problem: Problem,
    },
    /// The output buffer cannot hold the encoded request.
    BufferTooSmall {
        /// Bytes the request needs.
        required: usize,
    },
    /// The status line or a header is not valid HTTP/1.1.
    MalformedHead,
    /// The response head does not fit in the buffer.
    HeadTooLarge {
        /// The buffer's size.
        capacity: usize,
    },
    /// The response has more headers than the parser keeps room for.
    TooManyHeaders,
    /// `Content-Length` is not a number, overflows, or disagrees with another one.
    InvalidContentLength,
    /// A `Transfer-Encoding` other than `chunked`.
    UnsupportedTransferEncoding,
    /// A `Content-Encoding` other than `identity` (the request asks for none).
    UnsupportedContentEncoding,
    /// A 101 or other status this client never asks for.
    UnexpectedStatus {
        /// The status received.
        status: u16,
    },
    /// A chunk-size line or chunk delimiter is malformed, or a size overflows.
    MalformedChunk,
    /// The body does not fit in the buffer.
    BodyTooLarge {
        /// The buffer's size.
        capacity: usize,
    },
    /// The connection ended before the response was complete.
    Truncated,
    /// The body is not the JSON expected.
    InvalidJson,
    /// The customer object has no `id`.
    MissingField {
        /// The JSON field name.
        field: &'static str,
    },
    /// A field has the wrong JSON type or an invalid string escape.
    InvalidField {
        /// The JSON field name.
        field: &'static str,
    },
    /// A field's value is longer than its fixed capacity; nothing was truncated.
    FieldTooLong {
        /// The JSON field name.
        field: &'static str,
        /// Its capacity in bytes.
        capacity: usize,
    },
    /// A timestamp is in neither documented format.
    InvalidTimestamp,
    /// The connection was closed before any byte of the response arrived
    /// (typically a kept-alive connection the server closed meanwhile).
    ConnectionClosed,
    /// The connection failed.
    Io(E),
}

impl<E> Error<E> {
    /// True for a response that breaks HTTP/1.1 or the expected JSON.
    pub fn is_protocol(&self) -> bool {
        matches!(
            self,
            Error::MalformedHead
                | Error::HeadTooLarge { .. }
                | Error::TooManyHeaders
                | Error::InvalidContentLength
                | Error::UnsupportedTransferEncoding
                | Error::UnsupportedContentEncoding
                | Error::UnexpectedStatus { .. }
                | Error::MalformedChunk
                | Error::BodyTooLarge { .. }
                | Error::Truncated
                | Error::InvalidJson
                | Error::MissingField { .. }
                | Error::InvalidField { .. }
                | Error::FieldTooLong { .. }
                | Error::InvalidTimestamp
        )
    }
}

impl<E> Error<E> {
    /// The same error typed for another connection error type `F`, or, for
    /// [`Error::Io`], the I/O error itself.
    pub fn retype<F>(self) -> core::result::Result<Error<F>, E> {
        Ok(match self {
            Error::Io(e) => return Err(e),
            Error::InvalidInput { input, problem } => Error::InvalidInput { input, problem },
            Error::BufferTooSmall { required } => Error::BufferTooSmall { required },
            Error::MalformedHead => Error::MalformedHead,
            Error::HeadTooLarge { capacity } => Error::HeadTooLarge { capacity },
            Error::TooManyHeaders => Error::TooManyHeaders,
            Error::InvalidContentLength => Error::InvalidContentLength,
            Error::UnsupportedTransferEncoding => Error::UnsupportedTransferEncoding,
            Error::UnsupportedContentEncoding => Error::UnsupportedContentEncoding,
            Error::UnexpectedStatus { status } => Error::UnexpectedStatus { status },
            Error::MalformedChunk => Error::MalformedChunk,
            Error::BodyTooLarge { capacity } => Error::BodyTooLarge { capacity },
            Error::Truncated => Error::Truncated,
            Error::InvalidJson => Error::InvalidJson,
            Error::MissingField { field } => Error::MissingField { field },
            Error::InvalidField { field } => Error::InvalidField { field },
            Error::FieldTooLong { field, capacity } => Error::FieldTooLong { field, capacity },
            Error::InvalidTimestamp => Error::InvalidTimestamp,
            Error::ConnectionClosed => Error::ConnectionClosed,
        })
    }
}

impl Error<Infallible> {
    /// The same error, typed for a connection whose error type is `E`.
    pub fn with_io<E>(self) -> Error<E> {
        match self.retype() {
            Ok(e) => e,
            Err(never) => match never {},
        }
    }
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput { input, problem } => {
                write!(f, "invalid {}: it {}", input.name(), problem.text())
            }
            Error::BufferTooSmall { required } => {
                write!(f, "buffer too small: the request needs {required} bytes")
            }
            Error::MalformedHead => f.write_str("malformed HTTP response head"),
            Error::HeadTooLarge { capacity } => {
                write!(
                    f,
                    "HTTP response head larger than the {capacity}-byte buffer"
                )
            }
            Error::TooManyHeaders => f.write_str("too many HTTP response headers"),
            Error::InvalidContentLength => f.write_str("invalid Content-Length"),
            Error::UnsupportedTransferEncoding => f.write_str("unsupported Transfer-Encoding"),
            Error::UnsupportedContentEncoding => f.write_str("unsupported Content-Encoding"),
            Error::UnexpectedStatus { status } => write!(f, "unexpected HTTP status {status}"),
            Error::MalformedChunk => f.write_str("malformed chunked body"),
            Error::BodyTooLarge { capacity } => {
                write!(f, "response body larger than the {capacity}-byte buffer")
            }
            Error::Truncated => f.write_str("connection closed before the response was complete"),
            Error::InvalidJson => f.write_str("response body is not the expected JSON"),
            Error::MissingField { field } => write!(f, "response has no `{field}`"),
            Error::InvalidField { field } => write!(f, "invalid value for `{field}`"),
            Error::FieldTooLong { field, capacity } => {
                write!(f, "`{field}` is longer than its {capacity}-byte capacity")
            }
            Error::InvalidTimestamp => f.write_str("invalid timestamp"),
            Error::ConnectionClosed => {
                f.write_str("connection closed before any response byte arrived")
            }
            Error::Io(e) => write!(f, "I/O error: {e:?}"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for Error<E> {}

#[cfg(feature = "defmt")]
impl<E: defmt::Format> defmt::Format for Error<E> {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self {
            Error::InvalidInput { input, problem } => {
                defmt::write!(f, "InvalidInput({}, {})", input, problem)
            }
            Error::BufferTooSmall { required } => defmt::write!(f, "BufferTooSmall({})", required),
            Error::HeadTooLarge { capacity } => defmt::write!(f, "HeadTooLarge({})", capacity),
            Error::UnexpectedStatus { status } => defmt::write!(f, "UnexpectedStatus({})", status),
            Error::BodyTooLarge { capacity } => defmt::write!(f, "BodyTooLarge({})", capacity),
            Error::MissingField { field } => defmt::write!(f, "MissingField({=str})", field),
            Error::InvalidField { field } => defmt::write!(f, "InvalidField({=str})", field),
            Error::FieldTooLong { field, capacity } => {
                defmt::write!(f, "FieldTooLong({=str}, {})", field, capacity)
            }
            Error::Io(e) => defmt::write!(f, "Io({})", e),
            other => defmt::write!(f, "{=str}", other.kind_name()),
        }
    }
}

#[cfg(feature = "defmt")]
impl<E> Error<E> {
    fn kind_name(&self) -> &'static str {
        match self {
            Error::MalformedHead => "MalformedHead",
            Error::TooManyHeaders => "TooManyHeaders",
            Error::InvalidContentLength => "InvalidContentLength",
            Error::UnsupportedTransferEncoding => "UnsupportedTransferEncoding",
            Error::UnsupportedContentEncoding => "UnsupportedContentEncoding",
            Error::MalformedChunk => "MalformedChunk",
            Error::Truncated => "Truncated",
            Error::InvalidJson => "InvalidJson",
            Error::InvalidTimestamp => "InvalidTimestamp",
            Error::ConnectionClosed => "ConnectionClosed",
            _ => "Error",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_input_and_the_problem() {
        let e: Error = Error::InvalidInput {
            input: Input::CustomerId,
            problem: Problem::ControlCharacter,
        };
        let mut s = heapless::String::<96>::new();
        core::fmt::write(&mut s, format_args!("{e}")).unwrap();
        assert_eq!(
            s.as_str(),
            "invalid customer id: it contains a control character (CR, LF, NUL, ...)"
        );
    }

    #[test]
    fn protocol_errors_are_told_apart_from_io_and_api() {
        assert!(Error::<()>::Truncated.is_protocol());
        assert!(
            Error::<()>::FieldTooLong {
                field: "id",
                capacity: 64
            }
            .is_protocol()
        );
        assert!(!Error::<()>::Io(()).is_protocol());
        assert!(!Error::<()>::ConnectionClosed.is_protocol());
        assert!(!Error::<()>::BufferTooSmall { required: 3 }.is_protocol());
    }

    #[test]
    fn with_io_keeps_the_variant() {
        let e: Error = Error::FieldTooLong {
            field: "first_name",
            capacity: 128,
        };
        let typed: Error<u8> = e.with_io();
        assert_eq!(
            typed,
            Error::FieldTooLong {
                field: "first_name",
                capacity: 128
            }
        );
    }
}
