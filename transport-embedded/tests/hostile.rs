//! The hostile-server table (juspay_sandbox::hostile, its TLS 1.3 and its TLS 1.2 rows)
//! against both clients of juspay-transport-embedded on the host, through the runner every
//! client shares: each row
//! ends as it must within its deadline (the customer, juspay-tls's exact refusal, or a
//! timeout), a refused row sends its alert and nothing of the request.

mod common;

use common::{Host, Mode, Target, hostile_outcome};
use juspay_core::GetCustomer;
use juspay_sandbox::hostile;
use juspay_transport_embedded::host::wall_clock;

fn every_row(mode: Mode, rows: &[hostile::Row]) {
    hostile::run_rows(rows, |target| {
        let mut host = Host::with_tls_read(target.receive_buffer);
        let target = Target {
            url: format!("https://{}:{}", target.server_name, target.address.port()),
            roots: target.roots.clone(),
            time: wall_clock(),
            timeout_ms: u64::try_from(target.deadline.as_millis()).unwrap(),
            address: Some(target.address),
        };
        hostile_outcome(host.call(mode, &target, GetCustomer::new("cst_om2l6ctlptxwxuzj")))
    });
}

#[test]
fn blocking_client() {
    every_row(Mode::Blocking, &hostile::table());
}

#[test]
fn async_client() {
    every_row(Mode::Async, &hostile::table());
}

#[test]
fn blocking_client_tls12_rows() {
    every_row(Mode::Blocking, &hostile::tls12::table());
}

#[test]
fn async_client_tls12_rows() {
    every_row(Mode::Async, &hostile::tls12::table());
}
