//! juspay-transport-embedded on the host: std-embedded-nal as the stack, the OS RNG and
//! the system clock, against the loopback sandbox over real TLS 1.3.

use std::time::{Duration, Instant};

use juspay_core::driver::Reply;
use juspay_core::{Credentials, Endpoint, GetCustomer};
use juspay_sandbox::{
    DEMO_API_KEY, DEMO_MERCHANT_ID, Handshake, Options, Sandbox, Step, TlsVersions,
};
use juspay_transport_embedded::host::{OsRng, Stack, SystemClock, WallClock};
use juspay_transport_embedded::{
    Buffers, Client, Config, Error, ErrorClass, TLS_READ_BUFFER, TLS_WRITE_BUFFER, Timer, TlsClock,
    TlsError,
};

type StackError = <Stack as embedded_nal::TcpClientStack>::Error;

/// Connects to `sandbox` by name (embedded-tls checks DNS names only), runs `calls`
/// requests on the one connection, and returns what each brought.
fn calls_with<T: TlsClock>(
    sandbox: &Sandbox,
    root: &[u8],
    timeout_ms: u64,
    requests: &[GetCustomer<'_>],
) -> Result<Vec<Result<Reply, Error<StackError>>>, Error<StackError>> {
    let url = format!("https://localhost:{}", sandbox.address().port());
    let config = Config {
        endpoint: Endpoint::parse(&url).unwrap(),
        credentials: Credentials::new(DEMO_API_KEY, DEMO_MERCHANT_ID).unwrap(),
        root_certificate: root,
        timeout_ms,
    };
    let mut stack = Stack;
    let timer = Timer::new(SystemClock::new());
    let (mut tls_read, mut tls_write) = (vec![0u8; TLS_READ_BUFFER], vec![0u8; TLS_WRITE_BUFFER]);
    let buffers = Buffers {
        tls_read: &mut tls_read,
        tls_write: &mut tls_write,
    };
    let mut client = Client::<_, _, T>::connect(&mut stack, &timer, OsRng, config, buffers)?;
    let mut buf = [0u8; 2048];
    Ok(requests
        .iter()
        .map(|request| client.get_customer(request, &mut buf))
        .collect())
}

fn call(sandbox: &Sandbox, request: GetCustomer<'_>) -> Result<Reply, Error<StackError>> {
    calls_with::<WallClock>(sandbox, &sandbox.ca_der(), 5_000, &[request])?.remove(0)
}

fn tls_error(result: Result<Reply, Error<StackError>>) -> TlsError {
    match result {
        Err(Error::Tls(e)) => e,
        other => panic!("expected a TLS error, got {other:?}"),
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
        ("truncated_body.http", juspay_core::Error::Truncated),
        (
            "field_over_capacity.http",
            juspay_core::Error::FieldTooLong {
                field: "first_name",
                capacity: 128,
            },
        ),
        ("invalid_json.http", juspay_core::Error::InvalidJson),
    ] {
        let sandbox =
            Sandbox::scripted(vec![Step::RawThenClose(juspay_sandbox::vector(file))]).unwrap();
        let error = call(&sandbox, GetCustomer::new("cst_om2l6ctlptxwxuzj")).unwrap_err();
        assert!(
            matches!(&error, Error::Protocol(e) if *e == expected),
            "{file}: {error:?}"
        );
        assert_eq!(error.class(), ErrorClass::Protocol);
    }
}

#[test]
fn one_connection_carries_several_calls() {
    let sandbox = Sandbox::start().unwrap();
    let replies = calls_with::<WallClock>(
        &sandbox,
        &sandbox.ca_der(),
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
    let replies = calls_with::<WallClock>(
        &sandbox,
        &sandbox.ca_der(),
        5_000,
        &[
            GetCustomer::new("cst_om2l6ctlptxwxuzj"),
            GetCustomer::new("customer"),
        ],
    )
    .unwrap();
    assert!(replies[0].is_ok());
    assert!(
        matches!(replies[1], Err(Error::ConnectionClosed)),
        "{:?}",
        replies[1]
    );
}

#[test]
fn an_untrusted_certificate_is_refused() {
    let sandbox = Sandbox::start().unwrap();
    let stranger = Sandbox::start().unwrap();
    let result =
        calls_with::<WallClock>(&sandbox, &stranger.ca_der(), 5_000, &[]).map(|_| unreachable!());
    assert!(matches!(result, Err(Error::Tls(_))), "{result:?}");
    assert_eq!(sandbox.requests(), 0);
}

#[test]
fn a_certificate_for_another_host_is_refused() {
    let sandbox = Sandbox::meeting(Handshake::OtherHostCertificate).unwrap();
    let error = tls_error(call(&sandbox, GetCustomer::new("cst_om2l6ctlptxwxuzj")));
    assert!(matches!(error, TlsError::InvalidCertificate), "{error:?}");
}

#[test]
fn an_expired_certificate_is_refused() {
    let sandbox = Sandbox::meeting(Handshake::ExpiredCertificate).unwrap();
    let error = tls_error(call(&sandbox, GetCustomer::new("cst_om2l6ctlptxwxuzj")));
    assert!(matches!(error, TlsError::InvalidCertificate), "{error:?}");
}

/// A firmware clock that reads 2100-01-01.
struct In2100;

impl TlsClock for In2100 {
    fn now() -> Option<u64> {
        Some(4_102_444_800)
    }
}

#[test]
fn validity_follows_the_firmware_clock() {
    let sandbox = Sandbox::start().unwrap();
    let result = calls_with::<In2100>(&sandbox, &sandbox.ca_der(), 5_000, &[]).map(|_| ());
    assert!(
        matches!(result, Err(Error::Tls(TlsError::InvalidCertificate))),
        "{result:?}"
    );
    // The same server with the wall clock is fine.
    assert!(calls_with::<WallClock>(&sandbox, &sandbox.ca_der(), 5_000, &[]).is_ok());
}

#[test]
fn a_stalled_server_hits_the_deadline() {
    let sandbox = Sandbox::scripted(vec![Step::Stall]).unwrap();
    let started = Instant::now();
    let result =
        calls_with::<WallClock>(&sandbox, &sandbox.ca_der(), 700, &[GetCustomer::new("c")])
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
    let config = Config {
        endpoint: Endpoint::SANDBOX,
        credentials: Credentials::new(DEMO_API_KEY, DEMO_MERCHANT_ID).unwrap(),
        root_certificate: &[],
        timeout_ms: 1,
    };
    let text = format!("{config:?} {config:#?}");
    assert!(!text.contains(DEMO_API_KEY), "{text}");
    assert!(text.contains(DEMO_MERCHANT_ID), "{text}");
}
