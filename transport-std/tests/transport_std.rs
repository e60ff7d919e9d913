//! juspay-transport-std against the loopback sandbox over real TLS, with certificates
//! made by the sandbox at start: every case through the blocking and the tokio client
//! (`blocking::name`, `tokio::name`). These are the std transport's own (the pool,
//! retries, resolution, IPv6); the cases every transport shares run over all of them from
//! the test crate (`tests/tests/loopback.rs`).

mod common;

use common::{AnyClient, Kind};

use std::time::{Duration, Instant};

use juspay_sandbox::{
    DEMO_API_KEY, DEMO_MERCHANT_ID, Handshake, Options, Sandbox, Step, TlsVersions,
};
use juspay_transport_std::{
    AsyncClient, Client, Config, Error, ErrorClass, GetCustomer, RetryPolicy,
};

fn config_for(sandbox: &Sandbox) -> Config {
    let mut config = Config::new(sandbox.base_url(), DEMO_API_KEY, DEMO_MERCHANT_ID);
    config.extra_roots.push(sandbox.ca_der());
    config.deadline = Duration::from_secs(10);
    config.retry = RetryPolicy::new(2, Duration::from_millis(10), Duration::from_secs(1));
    config
}

fn client_for(kind: Kind, sandbox: &Sandbox) -> AnyClient {
    AnyClient::new(kind, config_for(sandbox)).unwrap()
}

fn wrong_key_is_an_authentication_error(kind: Kind) {
    let sandbox = Sandbox::start().unwrap();
    let mut config = config_for(&sandbox);
    config.api_key = juspay_transport_std::Secret::new("wrong_key");
    let error = AnyClient::new(kind, config)
        .unwrap()
        .get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj"))
        .unwrap_err();
    assert!(error.api().unwrap().is_authentication());
}

fn two_calls_share_one_connection(kind: Kind) {
    let sandbox = Sandbox::start().unwrap();
    let client = client_for(kind, &sandbox);
    client
        .get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj"))
        .unwrap();
    client.get_customer(&GetCustomer::new("customer")).unwrap();
    // A 404 keeps the connection too.
    client
        .get_customer(&GetCustomer::new("cst_unknown"))
        .unwrap_err();
    client.get_customer(&GetCustomer::new("customer")).unwrap();
    assert_eq!(sandbox.handshakes(), 1);
    assert_eq!(sandbox.requests(), 4);
    assert_eq!(client.connections_opened(), 1);
}

fn a_kept_alive_connection_closed_by_the_server_is_retried_once(kind: Kind) {
    let sandbox = Sandbox::scripted(vec![Step::ApiThenClose, Step::Api]).unwrap();
    let client = client_for(kind, &sandbox);
    client
        .get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj"))
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let customer = client.get_customer(&GetCustomer::new("customer")).unwrap();
    assert_eq!(customer.id, "cst_tooedar2k7j1d60b");
    assert_eq!(sandbox.handshakes(), 2);
    assert_eq!(client.connections_opened(), 2);
}

fn bad_certificates_are_refused_for_their_reason(kind: Kind) {
    use rustls::CertificateError as Reason;
    type IsTheReason = fn(&Reason) -> bool;
    let cases: [(Handshake, IsTheReason); 3] = [
        (Handshake::OtherHostCertificate, |r| {
            matches!(r, Reason::NotValidForNameContext { .. })
        }),
        (Handshake::ExpiredCertificate, |r| {
            matches!(r, Reason::ExpiredContext { .. })
        }),
        (Handshake::SelfSignedCertificate, |r| {
            matches!(r, Reason::UnknownIssuer)
        }),
    ];
    for (handshake, is_the_reason) in cases {
        let sandbox = Sandbox::meeting(handshake).unwrap();
        let error = client_for(kind, &sandbox)
            .get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj"))
            .unwrap_err();
        assert!(
            matches!(&error, Error::Tls(rustls::Error::InvalidCertificate(reason)) if is_the_reason(reason)),
            "{handshake:?}: {error:?}"
        );
        assert_eq!(sandbox.requests(), 0, "{handshake:?}");
    }
}

fn tls_1_2_only_and_1_3_only_servers(kind: Kind) {
    for versions in [TlsVersions::Tls12Only, TlsVersions::Tls13Only] {
        let sandbox = Sandbox::start_with(Options {
            tls_versions: versions,
            ..Options::default()
        })
        .unwrap();
        let customer = client_for(kind, &sandbox)
            .get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj"))
            .unwrap();
        assert_eq!(customer.id, "cst_om2l6ctlptxwxuzj", "{versions:?}");
    }
}

fn service_unavailable_is_retried_after_retry_after(kind: Kind) {
    let unavailable =
        b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n".to_vec();
    let sandbox = Sandbox::scripted(vec![
        Step::Raw(unavailable.clone()),
        Step::RawThenClose(unavailable),
        Step::Api,
    ])
    .unwrap();
    let customer = client_for(kind, &sandbox)
        .get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj"))
        .unwrap();
    assert_eq!(customer.id, "cst_om2l6ctlptxwxuzj");
    assert_eq!(sandbox.requests(), 3);
}

fn retries_end_with_the_last_api_error(kind: Kind) {
    let unavailable = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n".to_vec();
    let sandbox = Sandbox::scripted(vec![Step::Raw(unavailable); 5]).unwrap();
    let error = client_for(kind, &sandbox)
        .get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj"))
        .unwrap_err();
    assert_eq!(error.api().unwrap().http_status, 503);
    assert_eq!(sandbox.requests(), 3, "first attempt and two retries");
}

fn a_long_retry_after_is_not_waited_for(kind: Kind) {
    let limited =
        b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3600\r\nContent-Length: 0\r\n\r\n"
            .to_vec();
    let sandbox = Sandbox::scripted(vec![Step::Raw(limited)]).unwrap();
    let started = Instant::now();
    let error = client_for(kind, &sandbox)
        .get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj"))
        .unwrap_err();
    assert_eq!(error.api().unwrap().http_status, 429);
    assert!(started.elapsed() < Duration::from_secs(5));
}

fn recorded_chunked_response_over_tls(kind: Kind) {
    let sandbox = Sandbox::scripted(vec![Step::Raw(juspay_sandbox::vector(
        "customer_cdn_headers.http",
    ))])
    .unwrap();
    let client = client_for(kind, &sandbox);
    let customer = client
        .get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj"))
        .unwrap();
    assert_eq!(customer.last_name.as_deref(), Some("Smith"));
}

fn connection_refused_is_a_connect_error(kind: Kind) {
    // A port that was free a moment ago: nothing listens there.
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut config = Config::new(format!("https://{address}"), DEMO_API_KEY, DEMO_MERCHANT_ID);
    config.retry.max_retries = 0;
    let error = AnyClient::new(kind, config)
        .unwrap()
        .get_customer(&GetCustomer::new("c"))
        .unwrap_err();
    assert!(matches!(error, Error::Connect { .. }), "{error:?}");
}

fn invalid_input_is_refused_before_connecting(kind: Kind) {
    let sandbox = Sandbox::start().unwrap();
    let client = client_for(kind, &sandbox);
    let error = client
        .get_customer(&GetCustomer::new("cst\r\nx-evil: 1"))
        .unwrap_err();
    assert_eq!(error.class(), ErrorClass::Input);
    assert_eq!(client.connections_opened(), 0);
    assert_eq!(sandbox.handshakes(), 0);
}

fn debug_output_hides_the_key(kind: Kind) {
    let sandbox = Sandbox::start().unwrap();
    let client = client_for(kind, &sandbox);
    let text = format!("{client:?} {:?}", config_for(&sandbox));
    assert!(!text.contains(DEMO_API_KEY), "{text}");
}

fn ipv6_loopback(kind: Kind) {
    let listen = "[::1]:0".parse().unwrap();
    let Ok(sandbox) = Sandbox::start_with(Options {
        listen,
        ..Options::default()
    }) else {
        eprintln!("no IPv6 loopback on this machine; nothing to test");
        return;
    };
    assert!(sandbox.base_url().starts_with("https://[::1]:"));
    let customer = client_for(kind, &sandbox)
        .get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj"))
        .unwrap();
    assert_eq!(customer.id, "cst_om2l6ctlptxwxuzj");
}

fn host_names_are_resolved(kind: Kind) {
    let sandbox = Sandbox::start().unwrap();
    let mut config = config_for(&sandbox);
    config.endpoint = format!("https://localhost:{}", sandbox.address().port());
    let customer = AnyClient::new(kind, config)
        .unwrap()
        .get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj"))
        .unwrap();
    assert_eq!(customer.id, "cst_om2l6ctlptxwxuzj");
}

fn connect_to_replaces_resolution_and_the_name_is_still_checked(kind: Kind) {
    // A port where nothing listens: the call works only if the address comes from
    // connect_to rather than from resolving the endpoint's host.
    let unused_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sandbox = Sandbox::start().unwrap();
    let mut config = config_for(&sandbox);
    config.endpoint = format!("https://localhost:{unused_port}");
    config.connect_to = Some(sandbox.address());
    let customer = AnyClient::new(kind, config.clone())
        .unwrap()
        .get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj"))
        .unwrap();
    assert_eq!(customer.id, "cst_om2l6ctlptxwxuzj");

    // The certificate is checked against base_url's host, not the address connected to.
    let elsewhere = Sandbox::meeting(Handshake::OtherHostCertificate).unwrap();
    config.extra_roots = vec![elsewhere.ca_der()];
    config.connect_to = Some(elsewhere.address());
    let error = AnyClient::new(kind, config)
        .unwrap()
        .get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj"))
        .unwrap_err();
    let localhost = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    assert!(
        matches!(
            &error,
            Error::Tls(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForNameContext { expected, .. }
            )) if *expected == localhost
        ),
        "{error:?}"
    );
    assert_eq!(elsewhere.requests(), 0);
}

#[test]
fn both_clients_are_shared_by_threads() {
    fn shared_by_threads<T: Clone + Send + Sync + 'static>() {}
    shared_by_threads::<Client>();
    shared_by_threads::<AsyncClient>();
}

/// Waits (a little) until the sandbox has seen the connections the client closed end.
fn open_connections_settle(sandbox: &Sandbox, expected: usize) -> usize {
    let until = Instant::now() + Duration::from_secs(5);
    while sandbox.open_connections() != expected && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
    sandbox.open_connections()
}

fn threads_share_one_client_and_its_pool(kind: Kind) {
    let sandbox = Sandbox::start().unwrap();
    let mut config = config_for(&sandbox);
    config.max_idle_connections = 3;
    let client = AnyClient::new(kind, config).unwrap();
    let (threads, calls) = (8, 25);
    client.calls_side_by_side(threads, calls);

    assert_eq!(sandbox.requests(), threads * calls);
    // A call holds one connection at a time: never more open than callers; and they
    // were reused, not opened per call.
    assert!(
        sandbox.peak_open_connections() <= threads,
        "{}",
        sandbox.peak_open_connections()
    );
    // Reused, not opened per call. (Not "at most one per thread": with 3 idle kept for 8
    // threads, a connection given back to a full pool is closed and a later call opens
    // another; how often depends on scheduling.)
    assert!(
        sandbox.handshakes() <= threads * calls / 4,
        "{}",
        sandbox.handshakes()
    );
    assert_eq!(client.connections_opened(), sandbox.handshakes() as u64);
    // Past the bound, the client closed what it could not keep.
    let idle = client.idle_connections();
    assert!((1..=3).contains(&idle), "{idle}");
    assert_eq!(open_connections_settle(&sandbox, idle), idle);

    // The kept connections serve the next calls; no new handshake.
    let handshakes = sandbox.handshakes();
    client.calls_side_by_side(1, 5);
    assert_eq!(sandbox.handshakes(), handshakes);
}

fn a_pool_bound_of_zero_opens_a_connection_per_call(kind: Kind) {
    let sandbox = Sandbox::start().unwrap();
    let mut config = config_for(&sandbox);
    config.max_idle_connections = 0;
    let client = AnyClient::new(kind, config).unwrap();
    client.calls_side_by_side(2, 3);
    assert_eq!(sandbox.handshakes(), 6);
    assert_eq!(client.idle_connections(), 0);
}

fn idle_connections_past_the_idle_timeout_are_not_used(kind: Kind) {
    let sandbox = Sandbox::start().unwrap();
    let mut config = config_for(&sandbox);
    config.idle_timeout = Duration::from_millis(100);
    let client = AnyClient::new(kind, config).unwrap();
    client.calls_side_by_side(1, 2);
    assert_eq!(sandbox.handshakes(), 1);
    std::thread::sleep(Duration::from_millis(150));
    client.calls_side_by_side(1, 1);
    assert_eq!(sandbox.handshakes(), 2);
    assert_eq!(open_connections_settle(&sandbox, 1), 1);
}

fn a_server_that_closes_idle_connections_costs_no_failed_call(kind: Kind) {
    // Without retries: a call on a connection the server closed would fail, unless the
    // client sees the close before it sends, or uses its one free retry.
    let sandbox = Sandbox::start_with(Options {
        idle_timeout: Some(Duration::from_millis(100)),
        ..Options::default()
    })
    .unwrap();
    let mut config = config_for(&sandbox);
    config.retry.max_retries = 0;
    let client = AnyClient::new(kind, config).unwrap();
    client.calls_side_by_side(4, 3);
    let opened = sandbox.handshakes();
    assert!(client.idle_connections() >= 1);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        open_connections_settle(&sandbox, 0),
        0,
        "the server closed them"
    );
    client.calls_side_by_side(4, 3);
    // Each thread's first call opened a connection, at most; none failed.
    assert!(
        sandbox.handshakes() <= opened + 4,
        "{}",
        sandbox.handshakes()
    );
    assert_eq!(sandbox.requests(), 24);
}

fn a_pooled_connection_that_fails_under_the_request_costs_one_retry_on_a_new_one(kind: Kind) {
    // The server takes the request on a kept-alive connection and closes it unanswered:
    // the race the look at the socket cannot see. One free retry, on a new connection.
    let sandbox = Sandbox::scripted(vec![Step::Api, Step::Close]).unwrap();
    let mut config = config_for(&sandbox);
    config.retry.max_retries = 0;
    let client = AnyClient::new(kind, config).unwrap();
    client
        .get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj"))
        .unwrap();
    let customer = client.get_customer(&GetCustomer::new("customer")).unwrap();
    assert_eq!(customer.id, "cst_tooedar2k7j1d60b");
    assert_eq!(sandbox.requests(), 3);
    assert_eq!(sandbox.handshakes(), 2);
}

for_each_client!(
    wrong_key_is_an_authentication_error,
    two_calls_share_one_connection,
    a_kept_alive_connection_closed_by_the_server_is_retried_once,
    bad_certificates_are_refused_for_their_reason,
    tls_1_2_only_and_1_3_only_servers,
    service_unavailable_is_retried_after_retry_after,
    retries_end_with_the_last_api_error,
    a_long_retry_after_is_not_waited_for,
    recorded_chunked_response_over_tls,
    connection_refused_is_a_connect_error,
    invalid_input_is_refused_before_connecting,
    debug_output_hides_the_key,
    ipv6_loopback,
    host_names_are_resolved,
    connect_to_replaces_resolution_and_the_name_is_still_checked,
    threads_share_one_client_and_its_pool,
    a_pool_bound_of_zero_opens_a_connection_per_call,
    idle_connections_past_the_idle_timeout_are_not_used,
    a_server_that_closes_idle_connections_costs_no_failed_call,
    a_pooled_connection_that_fails_under_the_request_costs_one_retry_on_a_new_one,
);

#[test]
fn the_endpoint_is_a_url_or_juspay_cores_endpoint() {
    use juspay_transport_std::Endpoint;
    let config = Config::new(Endpoint::SANDBOX, DEMO_API_KEY, DEMO_MERCHANT_ID);
    assert_eq!(config.endpoint, "https://sandbox.juspay.in");
    let config = Config::new("https://127.0.0.1:8443", DEMO_API_KEY, DEMO_MERCHANT_ID);
    assert_eq!(config.endpoint, "https://127.0.0.1:8443");
}
