//! End to end over loopback TLS against the sandbox: juspay-transport-std and
//! ureq + serde_json making the same call to the same server, both verifying TLS.

use std::time::{Duration, Instant};

use base64::Engine as _;
use juspay_core::GetCustomer;
use juspay_sandbox::{DEMO_API_KEY, DEMO_MERCHANT_ID, Sandbox};
use juspay_transport_std::{Client, Config};

use crate::{OwnedCustomer, ureq_agent};

/// The customer every call asks for.
pub const CUSTOMER_ID: &str = "cst_om2l6ctlptxwxuzj";

/// Idle connections every client may keep: the most concurrent callers a run has.
pub const MAX_IDLE: usize = 64;

/// juspay-transport-std's settings for the sandbox.
pub fn juspay_config(sandbox: &Sandbox) -> Config {
    let mut config = Config::new(sandbox.base_url(), DEMO_API_KEY, DEMO_MERCHANT_ID);
    config.extra_roots.push(sandbox.ca_der());
    config.webpki_roots = false;
    config.max_idle_connections = MAX_IDLE;
    config
}

/// A juspay-transport-std client for the sandbox.
pub fn juspay_client(sandbox: &Sandbox) -> Client {
    Client::new(juspay_config(sandbox)).expect("sandbox config is valid")
}

/// The `Authorization` header's value.
pub fn authorization() -> String {
    let key = base64::engine::general_purpose::STANDARD.encode(format!("{DEMO_API_KEY}:"));
    format!("Basic {key}")
}

/// One call through juspay-transport-std.
pub fn juspay_call(client: &Client) {
    let customer = client
        .get_customer(&GetCustomer::new(CUSTOMER_ID))
        .expect("sandbox answers");
    assert_eq!(customer.id, CUSTOMER_ID);
}

/// One call through ureq, decoded with serde_json; the same headers as juspay's.
pub fn ureq_call(agent: &ureq::Agent, sandbox: &Sandbox) {
    let mut response = agent
        .get(format!("{}/customers/{CUSTOMER_ID}", sandbox.base_url()))
        .header("Authorization", authorization())
        .header("x-merchantid", DEMO_MERCHANT_ID)
        .header("x-routing-id", CUSTOMER_ID)
        .header("Accept", "application/json")
        .call()
        .expect("sandbox answers");
    assert_eq!(response.status(), 200);
    let body = response.body_mut().read_to_vec().expect("body");
    let customer: OwnedCustomer = serde_json::from_slice(&body).expect("customer JSON");
    assert_eq!(customer.id, CUSTOMER_ID);
}

/// Time for `calls` calls on one kept-alive juspay connection.
pub fn juspay_keepalive(sandbox: &Sandbox, calls: u32) -> Duration {
    let client = juspay_client(sandbox);
    juspay_call(&client); // connect outside the timing
    let start = Instant::now();
    for _ in 0..calls {
        juspay_call(&client);
    }
    let elapsed = start.elapsed();
    assert_eq!(client.connections_opened(), 1);
    elapsed
}

/// Time for `calls` calls on one kept-alive ureq connection.
pub fn ureq_keepalive(sandbox: &Sandbox, calls: u32) -> Duration {
    let agent = ureq_agent(sandbox);
    ureq_call(&agent, sandbox);
    let start = Instant::now();
    for _ in 0..calls {
        ureq_call(&agent, sandbox);
    }
    start.elapsed()
}

/// Time for `calls` calls, each on a fresh juspay client and connection.
pub fn juspay_cold(sandbox: &Sandbox, calls: u32) -> Duration {
    let start = Instant::now();
    for _ in 0..calls {
        juspay_call(&juspay_client(sandbox));
    }
    start.elapsed()
}

/// Time for `calls` calls, each on a fresh ureq agent and connection.
pub fn ureq_cold(sandbox: &Sandbox, calls: u32) -> Duration {
    let start = Instant::now();
    for _ in 0..calls {
        ureq_call(&ureq_agent(sandbox), sandbox);
    }
    start.elapsed()
}
