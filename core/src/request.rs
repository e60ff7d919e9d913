//! The Get Customer request and its encoding into HTTP/1.1 bytes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::config::{Credentials, Endpoint, check_header_value};
use crate::error::{Error, InputField, InputProblem, Result};

/// Bytes a segment may carry unencoded: RFC 3986 unreserved characters and `@`
/// (kept readable for e-mail-shaped object_reference_ids). Everything else, `/`, `?`, `#`,
/// `%`, spaces, `+` and non-ASCII included, is percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

/// The `User-Agent` sent with every request.
pub const USER_AGENT: &str = concat!("juspay-core/", env!("CARGO_PKG_VERSION"));

/// `GET /customers/{customer_id}`.
///
/// ```
/// use juspay_core::{Credentials, Endpoint, GetCustomer};
/// let credentials = Credentials::new("my_api_key", "merchant_1")?;
/// let request = GetCustomer::new("customer@gmail.com").client_auth_token(true);
/// let mut buf = [0u8; 512];
/// let n = request.encode(&Endpoint::SANDBOX, &credentials, &mut buf)?;
/// assert!(buf[..n].starts_with(
///     b"GET /customers/customer@gmail.com?options.get_client_auth_token=true HTTP/1.1\r\n"
/// ));
/// # Ok::<(), juspay_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct GetCustomer<'a> {
    customer_id: &'a str,
    routing_id: Option<&'a str>,
    client_auth_token: bool,
    version: Option<&'a str>,
}

impl<'a> GetCustomer<'a> {
    /// A request for the customer with this Juspay id (`cst_…`) or object_reference_id.
    pub const fn new(customer_id: &'a str) -> Self {
        GetCustomer {
            customer_id,
            routing_id: None,
            client_auth_token: false,
            version: None,
        }
    }

    /// `x-routing-id`; by default the customer id.
    #[must_use]
    pub const fn routing_id(mut self, routing_id: &'a str) -> Self {
        self.routing_id = Some(routing_id);
        self
    }

    /// Ask for a client auth token (`options.get_client_auth_token=true`).
    #[must_use]
    pub const fn client_auth_token(mut self, wanted: bool) -> Self {
        self.client_auth_token = wanted;
        self
    }

    /// The optional `version` header (an API version date such as `2018-10-25`).
    #[must_use]
    pub const fn version(mut self, version: &'a str) -> Self {
        self.version = Some(version);
        self
    }

    /// The customer id.
    pub const fn customer_id(&self) -> &'a str {
        self.customer_id
    }

    /// The routing id that will be sent.
    pub fn effective_routing_id(&self) -> &'a str {
        self.routing_id.unwrap_or(self.customer_id)
    }

    /// Whether a client auth token is asked for.
    pub const fn wants_client_auth_token(&self) -> bool {
        self.client_auth_token
    }

    /// Checks every value that reaches the request line or a header.
    pub fn validate(&self) -> Result<()> {
        match self.customer_id {
            "" => {
                return Err(Error::InvalidInput {
                    field: InputField::CustomerId,
                    problem: InputProblem::Empty,
                });
            }
            "." | ".." => {
                return Err(Error::InvalidInput {
                    field: InputField::CustomerId,
                    problem: InputProblem::DotSegment,
                });
            }
            id if id.chars().any(char::is_control) => {
                return Err(Error::InvalidInput {
                    field: InputField::CustomerId,
                    problem: InputProblem::ControlCharacter,
                });
            }
            _ => {}
        }
        // Without a routing id of its own the customer id is sent as one, and it is the
        // customer id the caller must fix.
        let routing_field = match self.routing_id {
            Some(_) => InputField::RoutingId,
            None => InputField::CustomerId,
        };
        check_header_value(routing_field, self.effective_routing_id())?;
        if let Some(version) = self.version {
            check_header_value(InputField::Version, version)?;
        }
        Ok(())
    }

    /// Encodes the request into `out` and returns its length. Validates first: on any
    /// error nothing meaningful is in `out`. [`Error::BufferTooSmall`] says how much is needed.
    pub fn encode(
        &self,
        endpoint: &Endpoint<'_>,
        credentials: &Credentials<'_>,
        out: &mut [u8],
    ) -> Result<usize> {
        self.validate()?;
        let mut w = Writer { out, len: 0 };
        w.put(b"GET /customers/");
        for piece in utf8_percent_encode(self.customer_id, SEGMENT) {
            w.put(piece.as_bytes());
        }
        if self.client_auth_token {
            w.put(b"?options.get_client_auth_token=true");
        }
        w.put(b" HTTP/1.1\r\nHost: ");
        w.put(endpoint.uri_host().as_bytes());
        if endpoint.port() != 443 {
            w.put(b":");
            let mut digits = [0u8; 5];
            w.put(format_port(endpoint.port(), &mut digits));
        }
        w.put(b"\r\nAuthorization: Basic ");
        w.put_basic_credentials(credentials.api_key().as_bytes());
        w.put(b"\r\nx-merchantid: ");
        w.put(credentials.merchant_id().as_bytes());
        w.put(b"\r\nx-routing-id: ");
        w.put(self.effective_routing_id().as_bytes());
        if let Some(version) = self.version {
            w.put(b"\r\nversion: ");
            w.put(version.as_bytes());
        }
        w.put(b"\r\nAccept: application/json\r\nUser-Agent: ");
        w.put(USER_AGENT.as_bytes());
        w.put(b"\r\n\r\n");
        if w.len > w.out.len() {
            return Err(Error::BufferTooSmall { required: w.len });
        }
        Ok(w.len)
    }
}

/// The port in decimal, written at the end of `digits` (five digits hold any u16).
fn format_port(port: u16, digits: &mut [u8; 5]) -> &[u8] {
    let mut n = port;
    let mut start = digits.len();
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        start -= 1;
        if n == 0 {
            break;
        }
    }
    digits.get(start..).unwrap_or_default()
}

/// Writes into a slice while counting every byte asked for, so that an overflow reports
/// the full size needed instead of failing at the first byte that does not fit.
struct Writer<'o> {
    out: &'o mut [u8],
    len: usize,
}

impl Writer<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        if let Some(dst) = self.out.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
        }
        self.len = end;
    }

    /// `base64(key ":")` without copying the key: whole 3-byte groups of the key encode
    /// on their own, and only the last one or two key bytes share a group with the colon.
    fn put_basic_credentials(&mut self, key: &[u8]) {
        let split = key.len() - key.len() % 3;
        let (whole, rest) = key.split_at(split);
        self.put_base64(whole);
        let mut tail = [0u8; 3];
        let tail_len = rest.len() + 1;
        if let Some(dst) = tail.get_mut(..rest.len()) {
            dst.copy_from_slice(rest);
        }
        if let Some(colon) = tail.get_mut(rest.len()) {
            *colon = b':';
        }
        self.put_base64(tail.get(..tail_len).unwrap_or_default());
    }

    fn put_base64(&mut self, input: &[u8]) {
        // Encoded length of whole groups is 4 per 3 input bytes; a partial group takes 4.
        let needed = input.len().div_ceil(3) * 4;
        let end = self.len.saturating_add(needed);
        if let Some(dst) = self.out.get_mut(self.len..end) {
            // Cannot fail: dst has exactly the encoded length.
            let _ = BASE64.encode_slice(input, dst);
        }
        self.len = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials<'static> {
        Credentials::new("my_api_key", "merchant_1").unwrap()
    }

    #[test]
    fn a_padded_id_is_blamed_on_the_id_unless_a_routing_id_was_given() {
        let padded = GetCustomer::new(" cst_1");
        assert_eq!(
            padded.validate(),
            Err(Error::InvalidInput {
                field: InputField::CustomerId,
                problem: InputProblem::SurroundingWhitespace,
            })
        );
        let routed = GetCustomer::new("cst_1").routing_id("cart_1 ");
        assert_eq!(
            routed.validate(),
            Err(Error::InvalidInput {
                field: InputField::RoutingId,
                problem: InputProblem::SurroundingWhitespace,
            })
        );
    }

    fn encode(req: GetCustomer<'_>, endpoint: &Endpoint<'_>) -> heapless::Vec<u8, 1024> {
        let mut buf = [0u8; 1024];
        let n = req.encode(endpoint, &creds(), &mut buf).unwrap();
        heapless::Vec::from_slice(&buf[..n]).unwrap()
    }

    fn invalid(field: InputField, problem: InputProblem) -> Error {
        Error::InvalidInput { field, problem }
    }

    #[test]
    fn exact_bytes_for_the_documentation_customer() {
        let bytes = encode(GetCustomer::new("cst_om2l6ctlptxwxuzj"), &Endpoint::SANDBOX);
        let expected = concat!(
            "GET /customers/cst_om2l6ctlptxwxuzj HTTP/1.1\r\n",
            "Host: sandbox.juspay.in\r\n",
            "Authorization: Basic bXlfYXBpX2tleTo=\r\n",
            "x-merchantid: merchant_1\r\n",
            "x-routing-id: cst_om2l6ctlptxwxuzj\r\n",
            "Accept: application/json\r\n",
            "User-Agent: juspay-core/",
            env!("CARGO_PKG_VERSION"),
            "\r\n\r\n"
        );
        assert_eq!(core::str::from_utf8(&bytes).unwrap(), expected);
    }

    #[test]
    fn token_option_routing_version_and_port() {
        let endpoint = Endpoint::parse("https://127.0.0.1:8443").unwrap();
        let req = GetCustomer::new("cst_1")
            .client_auth_token(true)
            .routing_id("cart_9")
            .version("2018-10-25");
        let bytes = encode(req, &endpoint);
        let text = core::str::from_utf8(&bytes).unwrap();
        assert!(
            text.starts_with(
                "GET /customers/cst_1?options.get_client_auth_token=true HTTP/1.1\r\n"
            )
        );
        assert!(text.contains("\r\nHost: 127.0.0.1:8443\r\n"));
        assert!(text.contains("\r\nx-routing-id: cart_9\r\n"));
        assert!(text.contains("\r\nversion: 2018-10-25\r\n"));
    }

    #[test]
    fn ipv6_host_keeps_brackets() {
        let endpoint = Endpoint::parse("https://[::1]:9000").unwrap();
        let bytes = encode(GetCustomer::new("c"), &endpoint);
        assert!(
            core::str::from_utf8(&bytes)
                .unwrap()
                .contains("\r\nHost: [::1]:9000\r\n")
        );
    }

    #[test]
    fn basic_credentials_for_every_key_length_remainder() {
        for (key, expected) in [
            ("abc", "YWJjOg=="),
            ("abcd", "YWJjZDo="),
            ("abcde", "YWJjZGU6"),
            ("a", "YTo="),
            ("ab", "YWI6"),
        ] {
            let c = Credentials::new(key, "m").unwrap();
            let mut buf = [0u8; 512];
            let n = GetCustomer::new("c")
                .encode(&Endpoint::SANDBOX, &c, &mut buf)
                .unwrap();
            let text = core::str::from_utf8(&buf[..n]).unwrap();
            let mut line = heapless::String::<64>::new();
            core::fmt::write(
                &mut line,
                format_args!("\r\nAuthorization: Basic {expected}\r\n"),
            )
            .unwrap();
            assert!(text.contains(line.as_str()), "{key}: {text}");
        }
    }

    #[test]
    fn customer_id_is_one_percent_encoded_segment() {
        for (id, path) in [
            ("customer@gmail.com", "/customers/customer@gmail.com "),
            ("a/b", "/customers/a%2Fb "),
            ("a b?c#d%e", "/customers/a%20b%3Fc%23d%25e "),
            ("x+y", "/customers/x%2By "),
            ("naïve", "/customers/na%C3%AFve "),
            ("...", "/customers/... "),
        ] {
            let bytes = encode(GetCustomer::new(id), &Endpoint::SANDBOX);
            let text = core::str::from_utf8(&bytes).unwrap();
            assert!(text.starts_with("GET "), "{text}");
            assert_eq!(text.get(4..4 + path.len()), Some(path), "{id}");
        }
    }

    #[test]
    fn hostile_values_are_refused_before_encoding() {
        let check = |req: GetCustomer<'_>, expected: Error| {
            let mut buf = [0xAAu8; 512];
            assert_eq!(
                req.encode(&Endpoint::SANDBOX, &creds(), &mut buf),
                Err(expected)
            );
        };
        check(
            GetCustomer::new(""),
            invalid(InputField::CustomerId, InputProblem::Empty),
        );
        check(
            GetCustomer::new(".."),
            invalid(InputField::CustomerId, InputProblem::DotSegment),
        );
        check(
            GetCustomer::new("."),
            invalid(InputField::CustomerId, InputProblem::DotSegment),
        );
        check(
            GetCustomer::new("cst\r\nHost: evil"),
            invalid(InputField::CustomerId, InputProblem::ControlCharacter),
        );
        check(
            GetCustomer::new("cst\0"),
            invalid(InputField::CustomerId, InputProblem::ControlCharacter),
        );
        check(
            GetCustomer::new("cst\t1"),
            invalid(InputField::CustomerId, InputProblem::ControlCharacter),
        );
        check(
            GetCustomer::new("c").routing_id("r\n"),
            invalid(InputField::RoutingId, InputProblem::ControlCharacter),
        );
        check(
            GetCustomer::new("c").routing_id(""),
            invalid(InputField::RoutingId, InputProblem::Empty),
        );
        check(
            GetCustomer::new("c").version("2018\r"),
            invalid(InputField::Version, InputProblem::ControlCharacter),
        );
        check(
            GetCustomer::new("c").version(" 2018"),
            invalid(InputField::Version, InputProblem::SurroundingWhitespace),
        );
        // A customer id with a space is encoded, but sent as the routing id it must not
        // be padded: the customer id is what to fix.
        check(
            GetCustomer::new("c "),
            invalid(InputField::CustomerId, InputProblem::SurroundingWhitespace),
        );
    }

    #[test]
    fn small_buffer_reports_the_size_needed() {
        let req = GetCustomer::new("cst_om2l6ctlptxwxuzj");
        let mut big = [0u8; 1024];
        let needed = req.encode(&Endpoint::SANDBOX, &creds(), &mut big).unwrap();
        for size in [0, 1, 10, needed - 1] {
            let mut small = [0u8; 1024];
            assert_eq!(
                req.encode(&Endpoint::SANDBOX, &creds(), &mut small[..size]),
                Err(Error::BufferTooSmall { required: needed })
            );
        }
        let mut exact = [0u8; 1024];
        assert_eq!(
            req.encode(&Endpoint::SANDBOX, &creds(), &mut exact[..needed]),
            Ok(needed)
        );
    }

    #[test]
    fn port_formatting() {
        let mut d = [0u8; 5];
        assert_eq!(format_port(1, &mut d), b"1");
        assert_eq!(format_port(8443, &mut d), b"8443");
        assert_eq!(format_port(65535, &mut d), b"65535");
    }
}
