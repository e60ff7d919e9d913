//! juspay-transport-embedded on the host: std-embedded-nal as the stack, the OS RNG and
//! the system clock, against the loopback sandbox over real TLS 1.3.

use std::time::{Duration, Instant};

use juspay_core::{Credentials, Endpoint, GetCustomer};
use juspay_core::{ProtocolError, Reply};
use juspay_sandbox::{
    DEMO_API_KEY, DEMO_MERCHANT_ID, Handshake, Options, Sandbox, Step, TlsVersions,
};
use juspay_transport_embedded::host::{MonotonicClock, OsRng, Stack, wall_clock};
use juspay_transport_embedded::webpki;
use juspay_transport_embedded::{
    Buffers, CertificateError, CertificateTime, Client, Config, Error, ErrorClass, TLS_READ_BUFFER,
    TLS_WRITE_BUFFER, Timer, trust_anchor,
};

/// Connects to `sandbox` by name, trusting `root`, runs `requests` on the one connection,
/// and returns what each brought.
fn calls_with(
    sandbox: &Sandbox,
    root: &[u8],
    time: CertificateTime,
    timeout_ms: u64,
    requests: &[GetCustomer<'_>],
) -> Result<Vec<Result<Reply, Error>>, Error> {
    let url = format!("https://localhost:{}", sandbox.address().port());
    let root = root.into();
    let anchors = [trust_anchor(&root).unwrap()];
    let config = Config::new(
        Endpoint::parse(&url).unwrap(),
        Credentials::new(DEMO_API_KEY, DEMO_MERCHANT_ID).unwrap(),
        &anchors,
        time,
    )
    .timeout_ms(timeout_ms);
    let mut stack = Stack;
    let timer = Timer::new(MonotonicClock::new());
    let (mut tls_read, mut tls_write) = (vec![0u8; TLS_READ_BUFFER], vec![0u8; TLS_WRITE_BUFFER]);
    let buffers = Buffers {
        tls_read: &mut tls_read,
        tls_write: &mut tls_write,
    };
    let mut client = Client::connect(&mut stack, &timer, OsRng, config, buffers)?;
    let mut buf = [0u8; 2048];
    Ok(requests
        .iter()
        .map(|request| client.get_customer(request, &mut buf))
        .collect())
}

fn call(sandbox: &Sandbox, request: GetCustomer<'_>) -> Result<Reply, Error> {
    calls_with(sandbox, &sandbox.ca_der(), wall_clock(), 5_000, &[request])?.remove(0)
}

fn refusal(result: Result<Reply, Error>) -> webpki::Error {
    match result {
        Err(Error::Certificate(CertificateError::Invalid(e))) => e,
        other => panic!("expected a refused certificate, got {other:?}"),
    }
}

#[test]
fn documentation_customer() {
    let sandbox = Sandbox::start().unwrap();
    let reply = call(&sandbox, GetCustomer::new("cst_om2l6ctlptxwxuzj")).unwrap();
    assert!(reply.reusable);
    let customer = reply.result.unwrap();
    assert_eq!(customer.id, "cst_om2l6ctlptxwxuzj");
    assert_eq!(customer.last_name.as_deref(), Some("Smith"));
}

#[test]
fn client_auth_token() {
    let sandbox = Sandbox::start().unwrap();
    let customer = call(
        &sandbox,
        GetCustomer::new("customer").client_auth_token(true),
    )
    .unwrap()
    .result
    .unwrap();
    let juspay = customer.juspay.unwrap();
    assert!(
        juspay
            .client_auth_token
            .unwrap()
            .expose()
            .starts_with("tkn_")
    );
}

#[test]
fn api_errors() {
    let sandbox = Sandbox::start().unwrap();
    let not_found = call(&sandbox, GetCustomer::new("cst_unknown"))
        .unwrap()
        .result
        .unwrap_err();
    assert_eq!(not_found.http_status, 404);
    assert_eq!(
        not_found.error_info.unwrap().code.as_deref(),
        Some("RESOURCE_NOT_FOUND")
    );
}

#[test]
fn malformed_responses_are_protocol_errors() {
    for (file, expected) in [
        (
            "truncated_body.http",
            juspay_core::Error::Protocol(ProtocolError::Truncated),
        ),
        (
            "field_over_capacity.http",
            juspay_core::Error::Protocol(ProtocolError::FieldTooLong {
                field: "first_name",
                capacity: 128,
            }),
        ),
        (
            "invalid_json.http",
            juspay_core::Error::Protocol(ProtocolError::InvalidJson),
        ),
    ] {
        let sandbox =
            Sandbox::scripted(vec![Step::RawThenClose(juspay_sandbox::vector(file))]).unwrap();
        let error = call(&sandbox, GetCustomer::new("cst_om2l6ctlptxwxuzj")).unwrap_err();
        assert!(
            matches!(&error, Error::Core(e) if *e == expected),
            "{file}: {error:?}"
        );
        assert_eq!(error.class(), ErrorClass::Protocol);
    }
}

#[test]
fn one_connection_carries_several_calls() {
    let sandbox = Sandbox::start().unwrap();
    let replies = calls_with(
        &sandbox,
        &sandbox.ca_der(),
        wall_clock(),
        5_000,
        &[
            GetCustomer::new("cst_om2l6ctlptxwxuzj"),
            GetCustomer::new("cst_unknown"),
            GetCustomer::new("customer"),
        ],
    )
    .unwrap();
    assert!(
        replies.iter().all(|r| r.as_ref().is_ok_and(|r| r.reusable)),
        "{replies:?}"
    );
    assert_eq!(sandbox.handshakes(), 1);
    assert_eq!(sandbox.requests(), 3);
}

#[test]
fn a_connection_the_server_closed_says_so() {
    let sandbox = Sandbox::scripted(vec![Step::ApiThenClose]).unwrap();
    let replies = calls_with(
        &sandbox,
        &sandbox.ca_der(),
        wall_clock(),
        5_000,
        &[
            GetCustomer::new("cst_om2l6ctlptxwxuzj"),
            GetCustomer::new("customer"),
        ],
    )
    .unwrap();
    assert!(replies[0].is_ok());
    assert!(
        matches!(
            replies[1],
            Err(Error::Core(juspay_core::Error::ConnectionClosed))
        ),
        "{:?}",
        replies[1]
    );
}

#[test]
fn an_untrusted_certificate_is_refused() {
    let sandbox = Sandbox::start().unwrap();
    let stranger = Sandbox::start().unwrap();
    let result = calls_with(&sandbox, &stranger.ca_der(), wall_clock(), 5_000, &[]).map(|_| ());
    // Both sandbox CAs carry the same name, so the chain reaches the pinned root by name
    // and fails on its signature (rustls: BadSignature) rather than on an unknown issuer.
    assert_eq!(
        result.map_err(|e| refusal(Err(e))),
        Err(webpki::Error::InvalidSignatureForPublicKey)
    );
    assert_eq!(sandbox.requests(), 0);
}

#[test]
fn a_certificate_for_another_host_is_refused() {
    let sandbox = Sandbox::meeting(Handshake::OtherHostCertificate).unwrap();
    let error = refusal(call(&sandbox, GetCustomer::new("cst_om2l6ctlptxwxuzj")));
    assert!(
        matches!(error, webpki::Error::CertNotValidForName(_)),
        "{error:?}"
    );
    assert_eq!(sandbox.requests(), 0);
}

#[test]
fn an_expired_certificate_is_refused() {
    let sandbox = Sandbox::meeting(Handshake::ExpiredCertificate).unwrap();
    let error = refusal(call(&sandbox, GetCustomer::new("cst_om2l6ctlptxwxuzj")));
    assert!(
        matches!(error, webpki::Error::CertExpired { .. }),
        "{error:?}"
    );
    assert_eq!(sandbox.requests(), 0);
}

fn connect_at(sandbox: &Sandbox, time: CertificateTime) -> Result<(), Error> {
    calls_with(sandbox, &sandbox.ca_der(), time, 5_000, &[]).map(|_| ())
}

const YEAR_2100: u64 = 4_102_444_800;
const YEAR_2000: u64 = 946_684_800;

#[test]
fn validity_follows_the_firmware_clock() {
    let sandbox = Sandbox::start().unwrap();
    let result = connect_at(&sandbox, CertificateTime::Now(YEAR_2100));
    assert!(
        matches!(
            result,
            Err(Error::Certificate(CertificateError::Invalid(
                webpki::Error::CertExpired { .. }
            )))
        ),
        "{result:?}"
    );
    let result = connect_at(&sandbox, CertificateTime::Now(YEAR_2000));
    assert!(
        matches!(
            result,
            Err(Error::Certificate(CertificateError::Invalid(
                webpki::Error::CertNotValidYet { .. }
            )))
        ),
        "{result:?}"
    );
    assert!(connect_at(&sandbox, wall_clock()).is_ok());
}

#[test]
fn without_a_clock_a_floor_refuses_what_expired_before_it() {
    // A firmware built in 2000 accepts today's certificates (issued after its build)...
    let sandbox = Sandbox::start().unwrap();
    assert!(connect_at(&sandbox, CertificateTime::AtLeast(YEAR_2000)).is_ok());
    // ...and a floor past the certificate's end refuses it.
    let result = connect_at(&sandbox, CertificateTime::AtLeast(YEAR_2100));
    assert!(
        matches!(
            result,
            Err(Error::Certificate(CertificateError::Invalid(
                webpki::Error::CertExpired { .. }
            )))
        ),
        "{result:?}"
    );
    // A certificate that expired yesterday: refused with a floor of today (say, a firmware
    // built today), and with nothing but a floor of 2000 the device cannot tell: the price
    // of having no clock, which is why the floor should be as recent as the device knows.
    let expired = Sandbox::start_with(Options {
        handshakes: vec![Handshake::ExpiredCertificate; 2],
        ..Options::default()
    })
    .unwrap();
    let CertificateTime::Now(today) = wall_clock() else {
        unreachable!()
    };
    let result = connect_at(&expired, CertificateTime::AtLeast(today));
    assert!(
        matches!(
            result,
            Err(Error::Certificate(CertificateError::Invalid(
                webpki::Error::CertExpired { .. }
            )))
        ),
        "{result:?}"
    );
    assert_eq!(expired.requests(), 0);
    assert!(connect_at(&expired, CertificateTime::AtLeast(YEAR_2000)).is_ok());
}

#[test]
fn a_stalled_server_hits_the_deadline() {
    let sandbox = Sandbox::scripted(vec![Step::Stall]).unwrap();
    let started = Instant::now();
    let result = calls_with(
        &sandbox,
        &sandbox.ca_der(),
        wall_clock(),
        700,
        &[GetCustomer::new("c")],
    )
    .unwrap();
    let elapsed = started.elapsed();
    assert!(matches!(result[0], Err(Error::Timeout)), "{:?}", result[0]);
    assert!(elapsed >= Duration::from_millis(600), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[test]
fn tls_1_2_only_servers_are_refused_clearly() {
    let sandbox = Sandbox::start_with(Options {
        tls_versions: TlsVersions::Tls12Only,
        ..Options::default()
    })
    .unwrap();
    let result = call(&sandbox, GetCustomer::new("cst_om2l6ctlptxwxuzj"));
    assert!(matches!(result, Err(Error::Tls(_))), "{result:?}");
}

#[test]
fn invalid_input_is_refused_before_sending() {
    let sandbox = Sandbox::start().unwrap();
    let result = call(&sandbox, GetCustomer::new("a\r\nb"));
    assert!(
        matches!(&result, Err(e) if e.class() == ErrorClass::Input),
        "{result:?}"
    );
    assert_eq!(sandbox.requests(), 0);
}

#[test]
fn debug_output_hides_the_key() {
    let config = Config::new(
        Endpoint::SANDBOX,
        Credentials::new(DEMO_API_KEY, DEMO_MERCHANT_ID).unwrap(),
        &[],
        wall_clock(),
    )
    .timeout_ms(1);
    let text = format!("{config:?} {config:#?}");
    assert!(!text.contains(DEMO_API_KEY), "{text}");
    assert!(text.contains(DEMO_MERCHANT_ID), "{text}");
}
