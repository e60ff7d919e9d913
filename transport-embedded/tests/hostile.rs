//! The hostile-server table (juspay_sandbox::hostile) against both clients of
//! juspay-transport-embedded on the host, through the runner every client shares: each row
//! ends as it must within its deadline (the customer, juspay-tls's exact refusal, or a
//! timeout), a refused row sends its alert and nothing of the request.

mod common;

use common::{Host, Mode, Target, hostile_outcome};
use juspay_core::GetCustomer;
use juspay_sandbox::hostile;
use juspay_transport_embedded::host::wall_clock;

fn every_row(mode: Mode) {
    hostile::run(|target| {
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
    every_row(Mode::Blocking);
}

#[test]
fn async_client() {
    every_row(Mode::Async);
}
