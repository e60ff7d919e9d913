//! The loopback cases every transport shares, written once and run over every client of
//! both transports (`transports`) against the sandbox over real TLS: the documentation
//! customers, the API's error, malformed responses, a stalled server, an untrusted
//! certificate, refused input. What is one transport's own (std's pool and retries, the
//! embedded clients' certificate time and connection reuse) is tested in its crate.

mod transports;

use std::time::{Duration, Instant};

use juspay_sandbox::certificates::Verdict;
use juspay_sandbox::{Sandbox, Step};
use juspay_transport_std::juspay_core::{Error, ProtocolError};
use juspay_transport_std::{ErrorClass, GetCustomer, Timestamp};
use transports::{CUSTOMER, Client, Target, Transport};

for_each_transport!(
    documentation_customer,
    by_object_reference_id_with_a_fresh_token,
    unknown_customer_is_an_api_error_with_its_body,
    malformed_responses_are_protocol_errors_and_the_client_recovers,
    a_stalling_server_hits_the_deadline,
    an_untrusted_certificate_is_refused_before_any_request,
    invalid_input_is_refused_before_sending,
);

fn target(sandbox: &Sandbox, deadline: Duration) -> Target {
    let url = format!("https://localhost:{}", sandbox.address().port());
    Target::new(url, vec![sandbox.ca_der()], deadline)
}

fn client(transport: Transport, sandbox: &Sandbox) -> Client {
    transport.client(&target(sandbox, Duration::from_secs(10)))
}

fn documentation_customer(transport: Transport) {
    let sandbox = Sandbox::start().unwrap();
    let customer = client(transport, &sandbox)
        .call(GetCustomer::new(CUSTOMER))
        .customer();
    assert_eq!(customer.id, CUSTOMER);
    assert_eq!(customer.first_name.as_deref(), Some("John"));
    assert_eq!(customer.last_name.as_deref(), Some("Smith"));
    assert_eq!(
        customer.email_address.as_deref(),
        Some("customer@gmail.com")
    );
    assert_eq!(customer.juspay, None);
}

fn by_object_reference_id_with_a_fresh_token(transport: Transport) {
    let sandbox = Sandbox::start().unwrap();
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let customer = client(transport, &sandbox)
        .call(GetCustomer::new("customer").client_auth_token(true))
        .customer();
    assert_eq!(customer.id, "cst_tooedar2k7j1d60b");
    let juspay = customer.juspay.unwrap();
    let token = juspay.client_auth_token.as_ref().unwrap();
    assert!(token.expose().starts_with("tkn_"));
    let expires = juspay.expires_at().unwrap().unix_seconds();
    assert!(
        (before + 14 * 60..=before + 16 * 60).contains(&expires),
        "{expires} vs {before}"
    );
    assert!(!juspay.is_expired(Timestamp::from_unix_seconds(before)));
    assert!(juspay.is_expired(Timestamp::from_unix_seconds(before + 16 * 60)));
}

fn unknown_customer_is_an_api_error_with_its_body(transport: Transport) {
    let sandbox = Sandbox::start().unwrap();
    let api = client(transport, &sandbox)
        .call(GetCustomer::new("cst_unknown"))
        .api();
    assert_eq!(api.http_status, 404);
    assert_eq!(
        api.error_info.as_ref().unwrap().code.as_deref(),
        Some("RESOURCE_NOT_FOUND")
    );
}

fn malformed_responses_are_protocol_errors_and_the_client_recovers(transport: Transport) {
    for (file, expected) in [
        ("truncated_body.http", ProtocolError::Truncated),
        (
            "field_over_capacity.http",
            ProtocolError::FieldTooLong {
                field: "first_name",
                capacity: 128,
            },
        ),
        ("invalid_json.http", ProtocolError::InvalidJson),
        ("chunk_size_overflow.http", ProtocolError::MalformedChunk),
    ] {
        let sandbox = Sandbox::scripted(vec![
            Step::RawThenClose(juspay_sandbox::vector(file)),
            Step::Api,
        ])
        .unwrap();
        let mut client = client(transport, &sandbox);
        assert_eq!(
            client.call(GetCustomer::new(CUSTOMER)).failure(),
            (ErrorClass::Protocol, Some(Error::Protocol(expected))),
            "{file}"
        );
        let customer = client.call(GetCustomer::new(CUSTOMER)).customer();
        assert_eq!(customer.id, CUSTOMER, "{file}");
    }
}

fn a_stalling_server_hits_the_deadline(transport: Transport) {
    let sandbox = Sandbox::scripted(vec![Step::Stall]).unwrap();
    let mut client = transport.client(&target(&sandbox, Duration::from_millis(800)));
    let started = Instant::now();
    let answer = client.call(GetCustomer::new(CUSTOMER));
    let elapsed = started.elapsed();
    assert!(answer.timed_out(), "{answer:?}");
    assert_eq!(answer.failure().0, ErrorClass::Transport);
    assert!(elapsed >= Duration::from_millis(700), "{elapsed:?}");
    assert!(
        elapsed < Duration::from_secs(5),
        "deadline not held: {elapsed:?}"
    );
}

fn an_untrusted_certificate_is_refused_before_any_request(transport: Transport) {
    let sandbox = Sandbox::start().unwrap();
    let stranger = Sandbox::start().unwrap();
    let target = Target {
        roots: vec![stranger.ca_der()],
        ..target(&sandbox, Duration::from_secs(5))
    };
    let (verdict, reason) = transport
        .client(&target)
        .get_customer(&GetCustomer::new(CUSTOMER))
        .verdict();
    assert_eq!(verdict, Some(Verdict::Refused), "{reason}");
    assert_eq!(sandbox.requests(), 0);
}

fn invalid_input_is_refused_before_sending(transport: Transport) {
    let sandbox = Sandbox::start().unwrap();
    let answer = client(transport, &sandbox).call(GetCustomer::new("cst\r\nx-evil: 1"));
    assert_eq!(answer.failure().0, ErrorClass::Input);
    assert_eq!(sandbox.requests(), 0);
}
