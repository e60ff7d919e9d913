//! The fault table (juspay_sandbox::faults) against both clients of
//! juspay-transport-embedded on the host, through the runner every client shares: each
//! fault ends in its class within the deadline, and the next call (on a new connection,
//! with the same timer and buffers) works.

mod common;

use common::{Host, Mode, Target, outcome};
use juspay_core::GetCustomer;
use juspay_sandbox::{TlsVersions, faults};
use juspay_transport_embedded::host::wall_clock;

fn every_fault(mode: Mode, versions: TlsVersions) {
    let mut host = Host::new();
    faults::run(
        versions,
        |fault, sandbox| Target {
            url: format!("https://localhost:{}", sandbox.address().port()),
            roots: vec![sandbox.ca_der()],
            time: wall_clock(),
            timeout_ms: u64::try_from(fault.deadline.as_millis()).unwrap(),
            address: None,
        },
        |target| outcome(host.call(mode, target, GetCustomer::new("cst_om2l6ctlptxwxuzj"))),
    );
}

#[test]
fn blocking_client() {
    every_fault(Mode::Blocking, TlsVersions::Both);
}

#[test]
fn async_client() {
    every_fault(Mode::Async, TlsVersions::Both);
}

#[test]
fn blocking_client_over_tls12() {
    every_fault(Mode::Blocking, TlsVersions::Tls12Only);
}

#[test]
fn async_client_over_tls12() {
    every_fault(Mode::Async, TlsVersions::Tls12Only);
}
