//! The fault table (juspay_sandbox::faults) over every client of both transports
//! (`transports`), against sandboxes that speak TLS 1.3 and 1.2 and against sandboxes that
//! speak TLS 1.2 only: each fault ends in its class within the deadline, and the same
//! client's next call works (for the embedded clients, a new connection from the same
//! buffers).

mod transports;

use juspay_sandbox::{TlsVersions, faults};
use juspay_transport_std::GetCustomer;
use transports::{CUSTOMER, Target, Transport};

fn table_over(transport: Transport, versions: TlsVersions) {
    faults::run(
        versions,
        |fault, sandbox| {
            // By name: the embedded clients resolve it through their stack.
            let url = format!("https://localhost:{}", sandbox.address().port());
            transport.client(&Target::new(url, vec![sandbox.ca_der()], fault.deadline))
        },
        |client| {
            client
                .get_customer(&GetCustomer::new(CUSTOMER))
                .fault_outcome()
        },
    );
}

fn every_fault_ends_in_its_class_and_the_client_recovers(transport: Transport) {
    table_over(transport, TlsVersions::Both);
}

fn every_fault_over_tls12(transport: Transport) {
    table_over(transport, TlsVersions::Tls12Only);
}

for_each_transport!(
    every_fault_ends_in_its_class_and_the_client_recovers,
    every_fault_over_tls12
);
