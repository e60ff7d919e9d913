//! The fault table (juspay_sandbox::faults) against both clients of juspay-transport-std
//! over loopback TLS, through the runner every client shares: each fault ends in its
//! class, within the deadline, and the same client's next call works.

mod common;

use common::{AnyClient, Kind};
use juspay_sandbox::faults::{self, Expected, Outcome};
use juspay_sandbox::{DEMO_API_KEY, DEMO_MERCHANT_ID, TlsVersions};
use juspay_transport_std::{Config, Error, ErrorClass, GetCustomer};

fn every_fault_ends_in_its_class_and_the_client_recovers(kind: Kind) {
    table_over(kind, TlsVersions::Both);
}

/// The same against sandboxes that speak TLS 1.2 only.
fn every_fault_over_tls12(kind: Kind) {
    table_over(kind, TlsVersions::Tls12Only);
}

fn table_over(kind: Kind, versions: TlsVersions) {
    faults::run(
        versions,
        |fault, sandbox| {
            let mut config = Config::new(sandbox.base_url(), DEMO_API_KEY, DEMO_MERCHANT_ID);
            config.extra_roots.push(sandbox.ca_der());
            config.deadline = fault.deadline;
            // Retries would hide the fault behind the next (healthy) connection.
            config.retry.max_retries = 0;
            AnyClient::new(kind, config).unwrap()
        },
        |client| match client.get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj")) {
            Ok(customer) if customer.id == "cst_om2l6ctlptxwxuzj" => Outcome::Customer,
            Ok(customer) => Outcome::Other(format!("another customer: {}", customer.id)),
            Err(error @ Error::Timeout) => Outcome::Failed(Expected::Timeout, error.to_string()),
            Err(error) => match error.class() {
                ErrorClass::Protocol => Outcome::Failed(Expected::Protocol, format!("{error:?}")),
                ErrorClass::Transport => Outcome::Failed(Expected::Transport, format!("{error:?}")),
                _ => Outcome::Other(format!("{error:?}")),
            },
        },
    );
}

for_each_client!(
    every_fault_ends_in_its_class_and_the_client_recovers,
    every_fault_over_tls12
);
