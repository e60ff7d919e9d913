//! The fault table (juspay_sandbox::faults) against juspay-transport-embedded on the host:
//! each fault ends in its class within the deadline, and the next call (on a new
//! connection, with the same stack, timer and buffers) works.

use std::time::{Duration, Instant};

use juspay_core::{Credentials, Endpoint, GetCustomer};
use juspay_sandbox::faults::{self, Expected};
use juspay_sandbox::{DEMO_API_KEY, DEMO_MERCHANT_ID, Sandbox};
use juspay_transport_embedded::host::{MonotonicClock, OsRng, Stack, wall_clock};
use juspay_transport_embedded::{
    Buffers, Client, Config, Error, ErrorClass, TLS_READ_BUFFER, TLS_WRITE_BUFFER, Timer,
    trust_anchor,
};

const SLACK: Duration = Duration::from_millis(1500);

#[test]
fn every_fault_ends_in_its_class_and_the_next_call_works() {
    let mut stack = Stack;
    let timer = Timer::new(MonotonicClock::new());
    let (mut tls_read, mut tls_write) = (vec![0u8; TLS_READ_BUFFER], vec![0u8; TLS_WRITE_BUFFER]);
    let mut buf = [0u8; 2048];
    let request = GetCustomer::new("cst_om2l6ctlptxwxuzj");
    let credentials = Credentials::new(DEMO_API_KEY, DEMO_MERCHANT_ID).unwrap();

    for fault in faults::table() {
        let sandbox = Sandbox::start_with(fault.options.clone()).unwrap();
        let url = format!("https://localhost:{}", sandbox.address().port());
        let root = sandbox.ca_der();
        let anchors = [trust_anchor(&root).unwrap()];
        let timeout_ms = u64::try_from(fault.deadline.as_millis()).unwrap();
        let config = Config::new(
            Endpoint::parse(&url).unwrap(),
            credentials,
            &anchors,
            wall_clock(),
        )
        .timeout_ms(timeout_ms);

        let mut call = || {
            let buffers = Buffers {
                tls_read: &mut tls_read,
                tls_write: &mut tls_write,
            };
            Client::connect(&mut stack, &timer, OsRng, config, buffers)
                .and_then(|mut client| client.get_customer(&request, &mut buf))
        };
        let started = Instant::now();
        let outcome = call();
        let elapsed = started.elapsed();
        match (fault.expected, &outcome) {
            (Expected::Customer, Ok(reply)) => {
                assert!(reply.result.is_ok(), "{}: {reply:?}", fault.name)
            }
            (Expected::Protocol, Err(e)) => {
                assert_eq!(e.class(), ErrorClass::Protocol, "{}: {e:?}", fault.name)
            }
            (Expected::Transport, Err(e)) => {
                assert_eq!(e.class(), ErrorClass::Transport, "{}: {e:?}", fault.name)
            }
            (Expected::Timeout, Err(Error::Timeout)) => {}
            (expected, outcome) => panic!("{}: expected {expected:?}, got {outcome:?}", fault.name),
        }
        assert!(
            elapsed < fault.deadline + SLACK,
            "{}: deadline not held: {elapsed:?}",
            fault.name
        );

        let next = call();
        assert!(
            next.as_ref().is_ok_and(|reply| reply.result.is_ok()),
            "{}: next call: {next:?}",
            fault.name
        );
    }
}
