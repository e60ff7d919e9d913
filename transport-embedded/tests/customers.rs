//! `Client::refresh_token` on the firmware's clock, against the sandbox over real TLS.
//! Create, Update and get-or-create run over every transport from the test crate
//! (`tests/tests/customers.rs`).

use juspay_core::{GetCustomer, Timestamp};
use juspay_sandbox::{DEMO_MERCHANT_ID, Sandbox};
use juspay_transport_embedded::host::wall_clock;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn refresh_token_calls_only_when_needed() {
    use juspay_sandbox::DEMO_API_KEY;
    use juspay_transport_embedded::host::{MonotonicClock, OsRng, Stack};
    use juspay_transport_embedded::{Client, Config, Connector, TlsBuffers, trust_anchor};

    let sandbox = Sandbox::start().unwrap();
    let url = format!("https://localhost:{}", sandbox.address().port());
    let root = sandbox.ca_der();
    let anchors = [trust_anchor(&root).unwrap()];
    let mut tls = Box::new(TlsBuffers::new());
    let clock = MonotonicClock::new();
    let mut connector = Connector::new(Stack, clock, OsRng, &mut *tls, &anchors, wall_clock());
    let config = Config::new(url.as_str(), DEMO_API_KEY, DEMO_MERCHANT_ID).unwrap();
    let mut client = Client::connect(&mut connector, config).unwrap();
    let mut buf = [0u8; 2048];
    let get = GetCustomer::new("cst_om2l6ctlptxwxuzj").client_auth_token(true);
    let customer = client.call(get, &mut buf).unwrap().customer.unwrap();
    let now = Timestamp::from_unix_seconds(now());
    let cached = client.refresh_token(&customer, now, 60, &mut buf).unwrap();
    assert!(cached.is_none());
    assert_eq!(sandbox.requests(), 1);
    let fresh = client
        .refresh_token(&customer, now, 15 * 60, &mut buf)
        .unwrap()
        .unwrap()
        .customer
        .unwrap();
    assert!(fresh.juspay.is_some());
    assert_eq!(sandbox.requests(), 2);
    client.close();
}
