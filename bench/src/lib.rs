//! The two sides of every benchmark pair, doing the same work on the same bytes.
//!
//! - juspay: juspay-core's request encoder, response parser and customer decoder (no heap).
//! - baseline: what a std program would write instead: `format!` + base64 + percent-encoding
//!   for the request; httparse + serde_json into an owned struct with `String` fields for
//!   the response.
//!
//! Both sides check the same things: HTTP framing (Content-Length or chunked), UTF-8,
//! JSON syntax, `id` present; both keep every customer field.
#![warn(unreachable_pub)]

use std::sync::Arc;

use juspay_core::response::{ResponseParser, Status};
use juspay_core::{Credentials, Customer, Endpoint, GetCustomer};
use serde::Deserialize;

pub mod alloc_counter;
pub mod concurrent;
pub mod e2e;

/// The recorded responses the pairs decode.
pub const VECTORS: [(&str, &[u8]); 2] = [
    (
        "customer_200 (Content-Length)",
        include_bytes!("../../core/tests/vectors/customer_200.http"),
    ),
    (
        "customer_token_chunked (chunked)",
        include_bytes!("../../core/tests/vectors/customer_token_chunked.http"),
    ),
];

/// The customer as a std program would hold it.
#[derive(Debug, Deserialize, PartialEq, Eq)]
pub struct OwnedCustomer {
    pub id: String,
    pub object: Option<String>,
    pub object_reference_id: Option<String>,
    pub mobile_number: Option<String>,
    pub mobile_country_code: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email_address: Option<String>,
    pub date_created: Option<String>,
    pub last_updated: Option<String>,
    pub juspay: Option<OwnedJuspay>,
}

/// The `juspay` object, owned.
#[derive(Debug, Deserialize, PartialEq, Eq)]
pub struct OwnedJuspay {
    pub client_auth_token: Option<String>,
    pub client_auth_token_expiry: Option<String>,
}

/// juspay: response bytes to a customer, into caller-owned storage.
pub fn juspay_decode(response: &[u8], buf: &mut [u8], customer: &mut Customer) -> bool {
    let mut parser = ResponseParser::new(buf);
    let complete = matches!(parser.feed(response), Ok((_, Status::Complete)));
    let Some(parsed) = parser.response().filter(|_| complete) else {
        return false;
    };
    parsed.status == 200 && customer.read_json(parsed.body).is_ok()
}

/// baseline: httparse for the head, the framing by hand, serde_json for the body.
pub fn baseline_decode(response: &[u8]) -> Option<OwnedCustomer> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Response::new(&mut headers);
    let httparse::Status::Complete(head_len) = parsed.parse(response).ok()? else {
        return None;
    };
    if parsed.code != Some(200) {
        return None;
    }
    let header = |name: &str| {
        parsed
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
    };
    let rest = response.get(head_len..)?;
    let body: std::borrow::Cow<'_, [u8]> = if header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case(b"chunked"))
    {
        let mut body = Vec::new();
        let mut rest = rest;
        loop {
            let httparse::Status::Complete((line, size)) = httparse::parse_chunk_size(rest).ok()?
            else {
                return None;
            };
            let size = usize::try_from(size).ok()?;
            rest = rest.get(line..)?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(rest.get(..size)?);
            rest = rest.get(size..)?.strip_prefix(b"\r\n")?;
        }
        body.into()
    } else {
        let length: usize = std::str::from_utf8(header("content-length")?)
            .ok()?
            .trim()
            .parse()
            .ok()?;
        rest.get(..length)?.into()
    };
    serde_json::from_slice(&body).ok()
}

/// juspay: the request into a caller buffer.
pub fn juspay_encode(
    request: &GetCustomer<'_>,
    credentials: &Credentials<'_>,
    out: &mut [u8],
) -> usize {
    request
        .encode(&Endpoint::SANDBOX, credentials, out)
        .unwrap_or(0)
}

/// baseline: the same request bytes built as a `String`.
pub fn baseline_encode(customer_id: &str, api_key: &str, merchant_id: &str, token: bool) -> String {
    use base64::Engine as _;
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'@');
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{api_key}:"));
    let segment = percent_encoding::utf8_percent_encode(customer_id, SEGMENT);
    let query = if token {
        "?options.get_client_auth_token=true"
    } else {
        ""
    };
    format!(
        "GET /customers/{segment}{query} HTTP/1.1\r\nHost: sandbox.juspay.in\r\nAuthorization: Basic {auth}\r\nx-merchantid: {merchant_id}\r\nx-routing-id: {customer_id}\r\nAccept: application/json\r\nUser-Agent: {}\r\n\r\n",
        juspay_core::USER_AGENT
    )
}

/// The sandbox's CA as ureq wants it.
pub fn ureq_agent(sandbox: &juspay_sandbox::Sandbox) -> ureq::Agent {
    use ureq::tls::{Certificate, RootCerts, TlsConfig};
    let root = Certificate::from_der(sandbox.ca_der().as_ref()).to_owned();
    let tls = TlsConfig::builder()
        .root_certs(RootCerts::Specific(Arc::new(vec![root])))
        .build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        // As many idle connections as the other clients may keep (its default is 3 per
        // host, which would cost it handshakes the others do not pay).
        .max_idle_connections(e2e::MAX_IDLE)
        .max_idle_connections_per_host(e2e::MAX_IDLE)
        .build()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_decode_the_same_fields() {
        for (name, bytes) in VECTORS {
            let mut buf = [0u8; 4096];
            let mut ours = Customer::default();
            assert!(juspay_decode(bytes, &mut buf, &mut ours), "{name}");
            let theirs = baseline_decode(bytes).unwrap();
            assert_eq!(ours.id.as_str(), theirs.id);
            assert_eq!(ours.first_name.as_deref(), theirs.first_name.as_deref());
            assert_eq!(
                ours.email_address.as_deref(),
                theirs.email_address.as_deref()
            );
            assert_eq!(ours.last_updated.as_deref(), theirs.last_updated.as_deref());
            assert_eq!(
                ours.juspay
                    .as_ref()
                    .and_then(|j| j.client_auth_token.as_ref())
                    .map(|t| t.expose()),
                theirs
                    .juspay
                    .as_ref()
                    .and_then(|j| j.client_auth_token.as_deref())
            );
        }
    }

    #[test]
    fn both_sides_encode_the_same_bytes() {
        let credentials = Credentials::new("my_api_key", "merchant_1").unwrap();
        for (id, token) in [
            ("cst_om2l6ctlptxwxuzj", false),
            ("customer@gmail.com", true),
            ("a b/c", false),
        ] {
            let mut out = [0u8; 1024];
            let n = juspay_encode(
                &GetCustomer::new(id).client_auth_token(token),
                &credentials,
                &mut out,
            );
            assert_eq!(
                std::str::from_utf8(&out[..n]).unwrap(),
                baseline_encode(id, "my_api_key", "merchant_1", token)
            );
        }
    }
}
