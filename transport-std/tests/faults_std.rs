//! The fault table (juspay_sandbox::faults) against juspay-transport-std over loopback TLS:
//! each fault ends in its class, within the deadline, and the same client's next call works.

use std::time::{Duration, Instant};

use juspay_sandbox::faults::{self, Expected};
use juspay_sandbox::{DEMO_API_KEY, DEMO_MERCHANT_ID, Sandbox};
use juspay_transport_std::{Client, Config, Error, ErrorClass, GetCustomer};

/// Slack over a deadline for a stalled call to come back.
const SLACK: Duration = Duration::from_millis(1500);

#[test]
fn every_fault_ends_in_its_class_and_the_client_recovers() {
    for fault in faults::table() {
        let sandbox = Sandbox::start_with(fault.options.clone()).unwrap();
        let mut config = Config::new(sandbox.base_url(), DEMO_API_KEY, DEMO_MERCHANT_ID);
        config.extra_roots.push(sandbox.ca_der());
        config.deadline = fault.deadline;
        // Retries would hide the fault behind the next (healthy) connection.
        config.retry.max_retries = 0;
        let mut client = Client::new(config).unwrap();
        let request = GetCustomer::new("cst_om2l6ctlptxwxuzj");

        let started = Instant::now();
        let outcome = client.get_customer(&request);
        let elapsed = started.elapsed();
        match (fault.expected, &outcome) {
            (Expected::Customer, Ok(customer)) => assert_eq!(customer.id, "cst_om2l6ctlptxwxuzj"),
            (Expected::Protocol, Err(e)) => {
                assert_eq!(e.class(), ErrorClass::Protocol, "{}: {e:?}", fault.name)
            }
            (Expected::Transport, Err(e)) => {
                assert_eq!(e.class(), ErrorClass::Transport, "{}: {e:?}", fault.name)
            }
            (Expected::Timeout, Err(Error::Timeout)) => {
                assert!(
                    elapsed < fault.deadline + SLACK,
                    "{}: deadline not held: {elapsed:?}",
                    fault.name
                )
            }
            (expected, outcome) => panic!("{}: expected {expected:?}, got {outcome:?}", fault.name),
        }
        assert!(
            elapsed < fault.deadline + SLACK,
            "{}: {elapsed:?}",
            fault.name
        );

        let next = client.get_customer(&request);
        assert!(next.is_ok(), "{}: next call failed: {next:?}", fault.name);
    }
}
