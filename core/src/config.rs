//! Who is calling ([`Credentials`]) and where ([`Endpoint`]).

use core::fmt;

use crate::error::{Error, InputField, InputProblem, Result};

/// API key and merchant id. `Debug` and defmt never show the key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Credentials<'a> {
    api_key: &'a str,
    merchant_id: &'a str,
}

impl<'a> Credentials<'a> {
    /// Checks both values: non-empty, no control characters or surrounding white space,
    /// and no `:` in the key (Basic auth cannot carry it in the user name).
    ///
    /// ```
    /// use juspay_core::{Credentials, Error, InputField, InputProblem};
    /// assert!(Credentials::new("key", "merchant").is_ok());
    /// assert_eq!(
    ///     Credentials::new("key", "merchant\r\nx-evil: 1"),
    ///     Err(Error::InvalidInput { field: InputField::MerchantId, problem: InputProblem::ControlCharacter })
    /// );
    /// ```
    pub fn new(api_key: &'a str, merchant_id: &'a str) -> Result<Self> {
        check_header_value(InputField::ApiKey, api_key)?;
        if api_key.contains(':') {
            return Err(Error::InvalidInput {
                field: InputField::ApiKey,
                problem: InputProblem::Colon,
            });
        }
        check_header_value(InputField::MerchantId, merchant_id)?;
        Ok(Credentials {
            api_key,
            merchant_id,
        })
    }

    /// The API key. Handle with care: it is the merchant's secret.
    pub fn api_key(&self) -> &'a str {
        self.api_key
    }

    /// The merchant id sent as `x-merchantid`.
    pub fn merchant_id(&self) -> &'a str {
        self.merchant_id
    }
}

impl fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("api_key", &"<redacted>")
            .field("merchant_id", &self.merchant_id)
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Credentials<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Credentials {{ api_key: <redacted>, merchant_id: {=str} }}",
            self.merchant_id
        )
    }
}

/// An HTTPS endpoint: host and port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Endpoint<'a> {
    host: &'a str,
    port: u16,
}

impl<'a> Endpoint<'a> {
    /// Juspay's sandbox, `https://sandbox.juspay.in`.
    pub const SANDBOX: Endpoint<'static> = Endpoint {
        host: "sandbox.juspay.in",
        port: 443,
    };
    /// Juspay's production API, `https://api.juspay.in`.
    pub const PRODUCTION: Endpoint<'static> = Endpoint {
        host: "api.juspay.in",
        port: 443,
    };

    /// Parses `https://host[:port][/]`. IPv6 literals go in brackets (`https://[::1]:8443`).
    ///
    /// ```
    /// use juspay_core::Endpoint;
    /// let e = Endpoint::parse("https://127.0.0.1:8443").unwrap();
    /// assert_eq!((e.host(), e.port()), ("127.0.0.1", 8443));
    /// assert_eq!(Endpoint::parse("https://sandbox.juspay.in/").unwrap(), Endpoint::SANDBOX);
    /// assert!(Endpoint::parse("http://sandbox.juspay.in").is_err());
    /// ```
    pub fn parse(base_url: &'a str) -> Result<Self> {
        let malformed = Error::InvalidInput {
            field: InputField::BaseUrl,
            problem: InputProblem::Malformed,
        };
        let rest = strip_prefix_ignore_case(base_url, "https://").ok_or(malformed.clone())?;
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() || authority.contains(['/', '?', '#', '@']) {
            return Err(malformed);
        }
        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let (inner, after) = bracketed.split_once(']').ok_or(malformed.clone())?;
            if inner.is_empty()
                || !inner
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
            {
                return Err(malformed);
            }
            // Keep the brackets: the host is used as-is in the Host header.
            let host = authority.get(..inner.len() + 2).ok_or(malformed.clone())?;
            (host, after.strip_prefix(':'))
        } else {
            match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            }
        };
        let valid_host = !host.is_empty()
            && (host.starts_with('[')
                || host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'));
        if !valid_host {
            return Err(malformed);
        }
        let port = match port {
            None if authority.ends_with(']') || !authority.contains(':') => 443,
            None => return Err(malformed),
            Some(digits) => parse_port(digits).ok_or(malformed)?,
        };
        Ok(Endpoint { host, port })
    }

    /// Host name or address as a URL and the `Host` header write it: IPv6 literals in
    /// brackets.
    pub fn uri_host(&self) -> &'a str {
        self.host
    }

    /// Host name or address itself, for DNS, TLS SNI, the certificate check and `connect`:
    /// IPv6 literals without brackets.
    pub fn host(&self) -> &'a str {
        self.host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(self.host)
    }

    /// TCP port.
    pub fn port(&self) -> u16 {
        self.port
    }
}

/// `https://host[:port]`, the form [`Endpoint::parse`] reads (the port left out when it
/// is 443): how a transport that keeps the endpoint as text takes one.
impl fmt::Display for Endpoint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            443 => write!(f, "https://{}", self.host),
            port => write!(f, "https://{}:{port}", self.host),
        }
    }
}

/// [`Endpoint::parse`], so that a configuration can take a URL or an [`Endpoint`].
impl<'a> TryFrom<&'a str> for Endpoint<'a> {
    type Error = Error;

    fn try_from(base_url: &'a str) -> Result<Self> {
        Endpoint::parse(base_url)
    }
}

fn parse_port(digits: &str) -> Option<u16> {
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u16>().ok().filter(|&p| p != 0)
}

fn strip_prefix_ignore_case<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

/// Refuses values that would corrupt a request line or header: empty, control characters
/// (which include CR and LF), or white space a server would strip.
pub(crate) fn check_header_value(field: InputField, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::InvalidInput {
            field,
            problem: InputProblem::Empty,
        });
    }
    if value.chars().any(char::is_control) {
        return Err(Error::InvalidInput {
            field,
            problem: InputProblem::ControlCharacter,
        });
    }
    if value.starts_with([' ', '\t']) || value.ends_with([' ', '\t']) {
        return Err(Error::InvalidInput {
            field,
            problem: InputProblem::SurroundingWhitespace,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_error(url: &str) -> Error {
        Endpoint::parse(url).unwrap_err()
    }

    #[test]
    fn named_hosts() {
        assert_eq!(Endpoint::SANDBOX.host(), "sandbox.juspay.in");
        assert_eq!(Endpoint::PRODUCTION.host(), "api.juspay.in");
        assert_eq!(
            Endpoint::parse("https://api.juspay.in").unwrap(),
            Endpoint::PRODUCTION
        );
    }

    #[test]
    fn other_hosts_and_ports() {
        let eu = Endpoint::parse("HTTPS://sandbox.juspay.io:443/").unwrap();
        assert_eq!((eu.host(), eu.port()), ("sandbox.juspay.io", 443));
        let v6 = Endpoint::parse("https://[::1]:8443").unwrap();
        assert_eq!(
            (v6.uri_host(), v6.host(), v6.port()),
            ("[::1]", "::1", 8443)
        );
        let v6_default = Endpoint::parse("https://[::1]").unwrap();
        assert_eq!(v6_default.port(), 443);
    }

    #[test]
    fn displayed_as_the_url_it_parses_from() {
        use core::fmt::Write;
        for url in [
            "https://sandbox.juspay.in",
            "https://127.0.0.1:8443",
            "https://[::1]:8443",
        ] {
            let endpoint = Endpoint::try_from(url).unwrap();
            let mut text = heapless::String::<64>::new();
            write!(text, "{endpoint}").unwrap();
            assert_eq!(text, url);
            assert_eq!(Endpoint::parse(&text).unwrap(), endpoint);
        }
    }

    #[test]
    fn malformed_urls_are_refused() {
        let malformed = Error::InvalidInput {
            field: InputField::BaseUrl,
            problem: InputProblem::Malformed,
        };
        for url in [
            "",
            "http://api.juspay.in",
            "https://",
            "https://api.juspay.in/v2",
            "https://api.juspay.in:",
            "https://api.juspay.in:0",
            "https://api.juspay.in:65536",
            "https://api.juspay.in:+443",
            "https://user@api.juspay.in",
            "https://api juspay.in",
            "https://api.juspay.in\r\n",
            "https://[::1",
            "https://[]:1",
            "https://[::1]x",
        ] {
            assert_eq!(url_error(url), malformed, "{url:?}");
        }
    }

    #[test]
    fn credentials_are_checked() {
        let err = |k, m| Credentials::new(k, m).unwrap_err();
        let invalid = |field, problem| Error::InvalidInput { field, problem };
        assert_eq!(
            err("", "m"),
            invalid(InputField::ApiKey, InputProblem::Empty)
        );
        assert_eq!(
            err("a:b", "m"),
            invalid(InputField::ApiKey, InputProblem::Colon)
        );
        assert_eq!(
            err("k\n", "m"),
            invalid(InputField::ApiKey, InputProblem::ControlCharacter)
        );
        assert_eq!(
            err("k", ""),
            invalid(InputField::MerchantId, InputProblem::Empty)
        );
        assert_eq!(
            err("k", " m"),
            invalid(InputField::MerchantId, InputProblem::SurroundingWhitespace)
        );
        assert_eq!(
            err("k", "m\u{7f}"),
            invalid(InputField::MerchantId, InputProblem::ControlCharacter)
        );
        assert_eq!(
            err("k", "m\u{85}"),
            invalid(InputField::MerchantId, InputProblem::ControlCharacter)
        );
    }

    #[test]
    fn debug_hides_the_key() {
        let c = Credentials::new("SECRETKEY123", "merchant_1").unwrap();
        let mut s = heapless::String::<4096>::new();
        core::fmt::write(&mut s, format_args!("{c:?} {c:#?}")).unwrap();
        assert!(!s.contains("SECRETKEY123"), "{s}");
        assert!(s.contains("merchant_1"));
    }
}
