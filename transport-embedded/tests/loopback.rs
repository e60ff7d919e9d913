//! juspay-transport-embedded on the host: std-embedded-nal (and std-embedded-nal-async)
//! as the stack, the OS RNG and the system clock, against the loopback sandbox over real
//! TLS. Every case runs through both clients: `blocking::` and `async_client::`. These are
//! the embedded transport's own (certificate time, connection reuse, HelloRetryRequest,
//! KeyUpdate, TLS 1.2 and tls13_only); the cases every transport shares run over all of
//! them from the test crate (`tests/tests/loopback.rs`).

mod common;

use std::time::Duration;

use common::{Host, Mode, Target};
use juspay_core::Reply;
use juspay_core::{Endpoint, GetCustomer};
use juspay_sandbox::{
    DEMO_API_KEY, DEMO_MERCHANT_ID, Handshake, OnlyGroup, Options, Sandbox, Step, TlsVersions,
};
use juspay_transport_embedded::host::wall_clock;
use juspay_transport_embedded::webpki;
use juspay_transport_embedded::{CertificateError, CertificateTime, Config, Error};

both_clients!(
    one_connection_carries_several_calls,
    a_hello_retry_request_is_answered,
    a_key_update_between_calls_is_followed,
    a_connection_the_server_closed_says_so,
    a_certificate_for_another_host_is_refused,
    an_expired_certificate_is_refused,
    validity_follows_the_firmware_clock,
    without_a_clock_a_floor_refuses_what_expired_before_it,
    tls_1_2_only_servers_answer,
    tls_1_3_required_refuses_a_tls_1_2_server_before_any_request,
);

/// Connects to `sandbox` by name, trusting `root`, runs `requests` on the one connection,
/// and returns what each brought.
fn calls_with(
    mode: Mode,
    sandbox: &Sandbox,
    root: &[u8],
    time: CertificateTime,
    timeout_ms: u64,
    requests: &[GetCustomer<'_>],
) -> Result<Vec<Result<Reply, Error>>, Error> {
    let target = Target {
        url: format!("https://localhost:{}", sandbox.address().port()),
        roots: vec![root.to_vec().into()],
        time,
        timeout_ms,
        address: None,
    };
    Host::new().calls(mode, &target, requests)
}

fn call(mode: Mode, sandbox: &Sandbox, request: GetCustomer<'_>) -> Result<Reply, Error> {
    calls_with(
        mode,
        sandbox,
        &sandbox.ca_der(),
        wall_clock(),
        5_000,
        &[request],
    )?
    .remove(0)
}

fn refusal(result: Result<Reply, Error>) -> webpki::Error {
    match result {
        Err(Error::Certificate(CertificateError::Invalid(e))) => e,
        other => panic!("expected a refused certificate, got {other:?}"),
    }
}

fn one_connection_carries_several_calls(mode: Mode) {
    let sandbox = Sandbox::start().unwrap();
    let replies = calls_with(
        mode,
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

/// The client's first key share is X25519; a server that takes only P-256 asks for it with
/// a HelloRetryRequest, and the handshake completes in the second round.
fn a_hello_retry_request_is_answered(mode: Mode) {
    let sandbox = Sandbox::start_with(Options {
        only_group: Some(OnlyGroup::Secp256r1),
        ..Options::default()
    })
    .unwrap();
    let reply = call(mode, &sandbox, GetCustomer::new("cst_om2l6ctlptxwxuzj")).unwrap();
    assert_eq!(reply.customer.unwrap().first_name.as_deref(), Some("John"));
    assert_eq!((sandbox.handshakes(), sandbox.requests()), (1, 1));
}

/// A server that refreshes its keys (KeyUpdate, asking for ours too) after each response:
/// the next calls on the connection read under the new keys, and the server reads ours.
fn a_key_update_between_calls_is_followed(mode: Mode) {
    let sandbox = Sandbox::start_with(Options {
        script: vec![Step::ApiThenKeyUpdate, Step::ApiThenKeyUpdate],
        ..Options::default()
    })
    .unwrap();
    let replies = calls_with(
        mode,
        &sandbox,
        &sandbox.ca_der(),
        wall_clock(),
        5_000,
        &[
            GetCustomer::new("cst_om2l6ctlptxwxuzj"),
            GetCustomer::new("customer"),
            GetCustomer::new("cst_om2l6ctlptxwxuzj"),
        ],
    )
    .unwrap();
    assert!(
        replies.iter().all(|r| r.as_ref().is_ok_and(|r| r.reusable)),
        "{replies:?}"
    );
    assert_eq!((sandbox.handshakes(), sandbox.requests()), (1, 3));
}

fn a_connection_the_server_closed_says_so(mode: Mode) {
    let sandbox = Sandbox::scripted(vec![Step::ApiThenClose]).unwrap();
    let replies = calls_with(
        mode,
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

fn a_certificate_for_another_host_is_refused(mode: Mode) {
    let sandbox = Sandbox::meeting(Handshake::OtherHostCertificate).unwrap();
    let error = refusal(call(
        mode,
        &sandbox,
        GetCustomer::new("cst_om2l6ctlptxwxuzj"),
    ));
    assert!(
        matches!(error, webpki::Error::CertNotValidForName(_)),
        "{error:?}"
    );
    assert_eq!(sandbox.requests(), 0);
}

fn an_expired_certificate_is_refused(mode: Mode) {
    let sandbox = Sandbox::meeting(Handshake::ExpiredCertificate).unwrap();
    let error = refusal(call(
        mode,
        &sandbox,
        GetCustomer::new("cst_om2l6ctlptxwxuzj"),
    ));
    assert!(
        matches!(error, webpki::Error::CertExpired { .. }),
        "{error:?}"
    );
    assert_eq!(sandbox.requests(), 0);
}

fn connect_at(mode: Mode, sandbox: &Sandbox, time: CertificateTime) -> Result<(), Error> {
    calls_with(mode, sandbox, &sandbox.ca_der(), time, 5_000, &[]).map(|_| ())
}

const YEAR_2100: u64 = 4_102_444_800;
const YEAR_2000: u64 = 946_684_800;

fn validity_follows_the_firmware_clock(mode: Mode) {
    let sandbox = Sandbox::start().unwrap();
    let result = connect_at(mode, &sandbox, CertificateTime::Now(YEAR_2100));
    assert!(
        matches!(
            result,
            Err(Error::Certificate(CertificateError::Invalid(
                webpki::Error::CertExpired { .. }
            )))
        ),
        "{result:?}"
    );
    let result = connect_at(mode, &sandbox, CertificateTime::Now(YEAR_2000));
    assert!(
        matches!(
            result,
            Err(Error::Certificate(CertificateError::Invalid(
                webpki::Error::CertNotValidYet { .. }
            )))
        ),
        "{result:?}"
    );
    assert!(connect_at(mode, &sandbox, wall_clock()).is_ok());
}

fn without_a_clock_a_floor_refuses_what_expired_before_it(mode: Mode) {
    // A firmware built in 2000 accepts today's certificates (issued after its build)...
    let sandbox = Sandbox::start().unwrap();
    assert!(connect_at(mode, &sandbox, CertificateTime::AtLeast(YEAR_2000)).is_ok());
    // ...and a floor past the certificate's end refuses it.
    let result = connect_at(mode, &sandbox, CertificateTime::AtLeast(YEAR_2100));
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
    let result = connect_at(mode, &expired, CertificateTime::AtLeast(today));
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
    assert!(connect_at(mode, &expired, CertificateTime::AtLeast(YEAR_2000)).is_ok());
}

/// A server that speaks only TLS 1.2 answers, several calls on one connection as over
/// TLS 1.3.
fn tls_1_2_only_servers_answer(mode: Mode) {
    let sandbox = Sandbox::start_with(Options {
        tls_versions: TlsVersions::Tls12Only,
        ..Options::default()
    })
    .unwrap();
    let get = GetCustomer::new("cst_om2l6ctlptxwxuzj");
    let replies = calls_with(
        mode,
        &sandbox,
        &sandbox.ca_der(),
        wall_clock(),
        5_000,
        &[get, get],
    )
    .unwrap();
    for reply in &replies {
        let customer = match reply {
            Ok(reply) if reply.reusable => reply.customer.as_ref().unwrap(),
            other => panic!("{other:?}"),
        };
        assert_eq!(customer.id, "cst_om2l6ctlptxwxuzj");
    }
    assert_eq!(sandbox.handshakes(), 1);
    assert_eq!(sandbox.requests(), 2);
}

/// With TLS 1.3 required, the same server refuses our ClientHello (it offers nothing it
/// speaks): a TLS error, and no request reaches it.
fn tls_1_3_required_refuses_a_tls_1_2_server_before_any_request(mode: Mode) {
    let sandbox = Sandbox::start_with(Options {
        tls_versions: TlsVersions::Tls12Only,
        ..Options::default()
    })
    .unwrap();
    let target = Target {
        url: format!("https://localhost:{}", sandbox.address().port()),
        roots: vec![sandbox.ca_der()],
        time: wall_clock(),
        timeout_ms: 5_000,
        address: None,
    };
    let result = Host::new().calls_configured(
        mode,
        &target,
        |config| config.tls13_only(),
        &[GetCustomer::new("cst_om2l6ctlptxwxuzj")],
    );
    assert!(
        matches!(
            result,
            Err(Error::Tls(juspay_tls::Error::AlertReceived(
                juspay_tls::Alert::ProtocolVersion
            )))
        ),
        "{result:?}"
    );
    assert_eq!(sandbox.requests(), 0);
}

#[test]
fn debug_output_hides_the_key() {
    let config = Config::new(Endpoint::SANDBOX, DEMO_API_KEY, DEMO_MERCHANT_ID)
        .unwrap()
        .deadline(Duration::from_millis(1));
    let text = format!("{config:?} {config:#?}");
    assert!(!text.contains(DEMO_API_KEY), "{text}");
    assert!(text.contains(DEMO_MERCHANT_ID), "{text}");
}

/// The async client's configuration for a test: the demo credentials, a deadline of 5 s.
fn async_config(url: &str) -> Config<'_> {
    Config::new(url, DEMO_API_KEY, DEMO_MERCHANT_ID)
        .unwrap()
        .deadline(Duration::from_secs(5))
}

#[test]
fn a_dropped_async_call_spends_the_connection() {
    use embassy_futures::select::{Either, select};
    use juspay_transport_embedded::host::{AsyncStack, MonotonicClock, OsRng, block_on};
    use juspay_transport_embedded::{AsyncClient, Connector, TlsBuffers, trust_anchor};

    let sandbox = Sandbox::scripted(vec![Step::Stall]).unwrap();
    let url = format!("https://localhost:{}", sandbox.address().port());
    let root = sandbox.ca_der();
    let anchors = [trust_anchor(&root).unwrap()];
    let mut tls = Box::new(TlsBuffers::new());
    let (stack, clock) = (AsyncStack::default(), MonotonicClock::new());
    let mut connector = Connector::new(stack, clock, OsRng, &mut *tls, &anchors, wall_clock());
    block_on(async {
        let mut client = AsyncClient::connect(&mut connector, async_config(&url))
            .await
            .unwrap();
        let mut buf = [0u8; 2048];
        let request = GetCustomer::new("cst_om2l6ctlptxwxuzj");
        // The caller gives up first (its own timeout, a button pressed): the call's future
        // is dropped halfway, its response never read.
        let call = client.get_customer(&request, &mut buf);
        let gave_up = async_io::Timer::after(Duration::from_millis(200));
        assert!(matches!(select(call, gave_up).await, Either::Second(_)));
        assert!(!client.is_reusable());
        let next = client.get_customer(&request, &mut buf).await;
        assert_eq!(
            next.map(|_| ()),
            Err(Error::Core(juspay_core::Error::ConnectionClosed))
        );
        client.close().await;
    });
    assert_eq!(sandbox.requests(), 1);
}

#[test]
fn the_async_client_runs_on_any_executor() {
    // embassy-futures' block_on: no reactor of its own, it polls until done (async-io's
    // thread drives the host's sockets and timers).
    use juspay_transport_embedded::host::{AsyncStack, MonotonicClock, OsRng};
    use juspay_transport_embedded::{AsyncClient, Connector, TlsBuffers, trust_anchor};

    let sandbox = Sandbox::start().unwrap();
    let url = format!("https://localhost:{}", sandbox.address().port());
    let root = sandbox.ca_der();
    let anchors = [trust_anchor(&root).unwrap()];
    let mut tls = Box::new(TlsBuffers::new());
    let (stack, clock) = (AsyncStack::default(), MonotonicClock::new());
    let mut connector = Connector::new(stack, clock, OsRng, &mut *tls, &anchors, wall_clock());
    let customer = embassy_futures::block_on(async {
        let mut client = AsyncClient::connect(&mut connector, async_config(&url))
            .await
            .unwrap();
        let mut buf = [0u8; 2048];
        let reply = client
            .get_customer(&GetCustomer::new("customer"), &mut buf)
            .await
            .unwrap();
        client.close().await;
        reply.customer.unwrap()
    });
    assert_eq!(customer.id, "cst_tooedar2k7j1d60b");
}
