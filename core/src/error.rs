//! The crate's one error type, grouped the way callers branch on it, and the classes every
//! transport and the `get_customer` command share.

use core::convert::Infallible;
use core::fmt;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Which caller-supplied value an [`Error::InvalidInput`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum InputField {
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
    /// `object_reference_id` of a new customer.
    ObjectReferenceId,
    /// `mobile_number`.
    MobileNumber,
    /// `mobile_country_code`.
    MobileCountryCode,
    /// `email_address`.
    EmailAddress,
    /// `first_name`.
    FirstName,
    /// `last_name`.
    LastName,
}

impl InputField {
    /// The name used in messages.
    pub const fn name(self) -> &'static str {
        match self {
            InputField::CustomerId => "customer id",
            InputField::RoutingId => "routing id",
            InputField::MerchantId => "merchant id",
            InputField::ApiKey => "API key",
            InputField::Version => "version",
            InputField::BaseUrl => "base URL",
            InputField::ObjectReferenceId => "object_reference_id",
            InputField::MobileNumber => "mobile_number",
            InputField::MobileCountryCode => "mobile_country_code",
            InputField::EmailAddress => "email_address",
            InputField::FirstName => "first_name",
            InputField::LastName => "last_name",
        }
    }

    /// The form field the API names this way in a 400's `error_info.fields`, as in
    /// [`ApiError::invalid_field`](crate::ApiError::invalid_field).
    ///
    /// ```
    /// use juspay_core::InputField;
    /// assert_eq!(InputField::from_api_name("mobile_number"), Some(InputField::MobileNumber));
    /// assert_eq!(InputField::from_api_name("shoe_size"), None);
    /// ```
    pub fn from_api_name(name: &str) -> Option<InputField> {
        Some(match name {
            "object_reference_id" => InputField::ObjectReferenceId,
            "mobile_number" => InputField::MobileNumber,
            "mobile_country_code" => InputField::MobileCountryCode,
            "email_address" => InputField::EmailAddress,
            "first_name" => InputField::FirstName,
            "last_name" => InputField::LastName,
            _ => return None,
        })
    }
}

/// Why an input was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum InputProblem {
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
    /// Shorter than the API accepts (`object_reference_id`: at least
    /// [`MIN_OBJECT_REFERENCE_ID`](crate::MIN_OBJECT_REFERENCE_ID) characters).
    TooShort,
    /// A mobile number or country code holds something other than the digits 0-9 (a `+`,
    /// a space, a dash): the API takes digits only.
    NotDigits,
}

impl InputProblem {
    const fn text(self) -> &'static str {
        match self {
            InputProblem::Empty => "is empty",
            InputProblem::ControlCharacter => "contains a control character (CR, LF, NUL, ...)",
            InputProblem::SurroundingWhitespace => "starts or ends with white space",
            InputProblem::Colon => "contains ':'",
            InputProblem::DotSegment => "is '.' or '..'",
            InputProblem::Malformed => "is not of the form https://host[:port]",
            InputProblem::TooShort => "is shorter than the API accepts",
            InputProblem::NotDigits => "holds something other than the digits 0-9",
        }
    }
}

/// How a response broke HTTP/1.1 or the JSON the API documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ProtocolError {
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
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::MalformedHead => f.write_str("malformed HTTP response head"),
            ProtocolError::HeadTooLarge { capacity } => {
                write!(
                    f,
                    "HTTP response head larger than the {capacity}-byte buffer"
                )
            }
            ProtocolError::TooManyHeaders => f.write_str("too many HTTP response headers"),
            ProtocolError::InvalidContentLength => f.write_str("invalid Content-Length"),
            ProtocolError::UnsupportedTransferEncoding => {
                f.write_str("unsupported Transfer-Encoding")
            }
            ProtocolError::UnsupportedContentEncoding => {
                f.write_str("unsupported Content-Encoding")
            }
            ProtocolError::UnexpectedStatus { status } => {
                write!(f, "unexpected HTTP status {status}")
            }
            ProtocolError::MalformedChunk => f.write_str("malformed chunked body"),
            ProtocolError::BodyTooLarge { capacity } => {
                write!(f, "response body larger than the {capacity}-byte buffer")
            }
            ProtocolError::Truncated => {
                f.write_str("connection closed before the response was complete")
            }
            ProtocolError::InvalidJson => f.write_str("response body is not the expected JSON"),
            ProtocolError::MissingField { field } => write!(f, "response has no `{field}`"),
            ProtocolError::InvalidField { field } => write!(f, "invalid value for `{field}`"),
            ProtocolError::FieldTooLong { field, capacity } => {
                write!(f, "`{field}` is longer than its {capacity}-byte capacity")
            }
            ProtocolError::InvalidTimestamp => f.write_str("invalid timestamp"),
        }
    }
}

impl core::error::Error for ProtocolError {}

/// What a caller (or a script reading the `get_customer` command's exit status) does
/// about an error: the same four classes for every transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ErrorClass {
    /// Refused before anything was sent: fix the input or the configuration.
    Input,
    /// The API answered with its own error (HTTP status and body).
    Api,
    /// No response could be had: connect, TLS, certificate, timeout, I/O. Worth another try.
    Transport,
    /// A response came but broke HTTP or the expected JSON, or did not fit.
    Protocol,
}

/// Everything that can go wrong in juspay-core, in the groups a caller branches on; see
/// [`Error::class`].
///
/// `E` is the error type of the connection the [`driver`](crate::driver) runs over; functions
/// that do no I/O use the default, [`Infallible`].
///
/// The API's own errors are not in here: they are an answer, not a failure, and come as
/// [`ApiError`](crate::ApiError) in [`Reply::result`](crate::Reply). An `ApiError` holds
/// about 1 KiB of text; as a variant it would make every `Result` in this crate that large
/// on a firmware stack of a few KiB.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error<E = Infallible> {
    /// A value given by the caller would corrupt the request; nothing was encoded.
    InvalidInput {
        /// Which value.
        field: InputField,
        /// What is wrong with it.
        problem: InputProblem,
    },
    /// The output buffer cannot hold the encoded request.
    BufferTooSmall {
        /// Bytes the request needs.
        required: usize,
    },
    /// The response broke HTTP/1.1 or the expected JSON.
    Protocol(ProtocolError),
    /// The connection was closed before any byte of the response arrived (typically a
    /// kept-alive connection the server closed meanwhile).
    ConnectionClosed,
    /// The connection failed; the connection's error is the [`source`](core::error::Error::source).
    Io(E),
}

impl<E> Error<E> {
    /// The class of this error: its variant, never a list to keep up to date.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::InvalidInput { .. } | Error::BufferTooSmall { .. } => ErrorClass::Input,
            Error::Protocol(_) => ErrorClass::Protocol,
            Error::ConnectionClosed | Error::Io(_) => ErrorClass::Transport,
        }
    }

    /// The connection's error apart (`Err`), or this error without one (`Ok`): the one
    /// place where a transport turns juspay-core's error into its own.
    pub fn split_io(self) -> core::result::Result<Error, E> {
        Ok(match self {
            Error::Io(e) => return Err(e),
            Error::InvalidInput { field, problem } => Error::InvalidInput { field, problem },
            Error::BufferTooSmall { required } => Error::BufferTooSmall { required },
            Error::Protocol(e) => Error::Protocol(e),
            Error::ConnectionClosed => Error::ConnectionClosed,
        })
    }
}

impl<E> Error<E> {
    /// The same error with the connection's error converted by `f`.
    pub fn map_io<F>(self, f: impl FnOnce(E) -> F) -> Error<F> {
        match self {
            Error::Io(e) => Error::Io(f(e)),
            Error::InvalidInput { field, problem } => Error::InvalidInput { field, problem },
            Error::BufferTooSmall { required } => Error::BufferTooSmall { required },
            Error::Protocol(e) => Error::Protocol(e),
            Error::ConnectionClosed => Error::ConnectionClosed,
        }
    }
}

impl Error<Infallible> {
    /// This error of a function that does no I/O, typed for a connection whose error type
    /// is `E`.
    pub fn for_connection<E>(self) -> Error<E> {
        self.map_io(|never| match never {})
    }
}

/// For conversions that cannot fail (an [`Endpoint`](crate::Endpoint) where a
/// `TryInto<Endpoint>` is taken).
impl<E> From<Infallible> for Error<E> {
    fn from(never: Infallible) -> Self {
        match never {}
    }
}

impl<E> From<ProtocolError> for Error<E> {
    fn from(e: ProtocolError) -> Self {
        Error::Protocol(e)
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput { field, problem } => {
                write!(f, "invalid {}: it {}", field.name(), problem.text())
            }
            Error::BufferTooSmall { required } => {
                write!(f, "buffer too small: the request needs {required} bytes")
            }
            Error::Protocol(e) => fmt::Display::fmt(e, f),
            Error::ConnectionClosed => {
                f.write_str("connection closed before any response byte arrived")
            }
            Error::Io(_) => f.write_str("connection failed"),
        }
    }
}

impl<E: core::error::Error + 'static> core::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::Protocol(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(feature = "defmt")]
impl<E: defmt::Format> defmt::Format for Error<E> {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self {
            Error::InvalidInput { field, problem } => {
                defmt::write!(f, "InvalidInput({}, {})", field, problem)
            }
            Error::BufferTooSmall { required } => defmt::write!(f, "BufferTooSmall({})", required),
            Error::Protocol(e) => defmt::write!(f, "Protocol({})", e),
            Error::ConnectionClosed => defmt::write!(f, "ConnectionClosed"),
            Error::Io(e) => defmt::write!(f, "Io({})", e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(e: &dyn fmt::Display) -> heapless::String<128> {
        let mut s = heapless::String::new();
        core::fmt::write(&mut s, format_args!("{e}")).unwrap();
        s
    }

    #[test]
    fn display_names_the_input_and_the_problem() {
        let e: Error = Error::InvalidInput {
            field: InputField::CustomerId,
            problem: InputProblem::ControlCharacter,
        };
        assert_eq!(
            text(&e).as_str(),
            "invalid customer id: it contains a control character (CR, LF, NUL, ...)"
        );
    }

    #[test]
    fn the_class_is_the_variant() {
        let truncated: Error<()> = ProtocolError::Truncated.into();
        assert_eq!(truncated.class(), ErrorClass::Protocol);
        assert_eq!(Error::Io(()).class(), ErrorClass::Transport);
        assert_eq!(Error::<()>::ConnectionClosed.class(), ErrorClass::Transport);
        assert_eq!(
            Error::<()>::BufferTooSmall { required: 3 }.class(),
            ErrorClass::Input
        );
    }

    #[test]
    fn an_io_error_is_the_source_not_the_text() {
        #[derive(Debug)]
        struct Refused;
        impl fmt::Display for Refused {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("connection refused")
            }
        }
        impl core::error::Error for Refused {}
        let e = Error::Io(Refused);
        assert_eq!(text(&e).as_str(), "connection failed");
        let source = core::error::Error::source(&e).unwrap();
        assert_eq!(text(&source).as_str(), "connection refused");
    }

    #[test]
    fn split_io_and_for_connection_keep_the_variant() {
        let e: Error = ProtocolError::FieldTooLong {
            field: "first_name",
            capacity: 128,
        }
        .into();
        let typed: Error<u8> = e.clone().for_connection();
        assert_eq!(typed.clone().split_io(), Ok(e));
        assert_eq!(Error::Io(7u8).split_io(), Err(7));
    }
}
