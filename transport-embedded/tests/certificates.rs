//! The certificate table (juspay_sandbox::certificates) against both clients of
//! juspay-transport-embedded: the same verdict as rustls gives in
//! `transport-std/tests/certificates_std.rs`, and nothing sent to a server whose
//! certificate is refused.

mod common;

use common::{Host, Mode, Target};
use juspay_core::GetCustomer;
use juspay_sandbox::TlsVersions;
use juspay_sandbox::certificates::{self, Verdict};
use juspay_transport_embedded::Error;
use juspay_transport_embedded::host::wall_clock;

fn every_row(mode: Mode, versions: TlsVersions) {
    let mut host = Host::new();
    certificates::run(versions, |case, sandbox| {
        let target = Target {
            url: case.base_url(sandbox),
            roots: case.roots.clone(),
            time: wall_clock(),
            timeout_ms: 5_000,
            // Never resolved: the name is what the certificate is checked against.
            address: Some(sandbox.address()),
        };
        match host.call(mode, &target, GetCustomer::new("cst_om2l6ctlptxwxuzj")) {
            Ok(reply) if reply.customer.is_ok() => {
                (Some(Verdict::Accepted), "the customer arrived".into())
            }
            Err(Error::Certificate(e)) => (Some(Verdict::Refused), e.to_string()),
            other => (None, format!("neither accepted nor refused: {other:?}")),
        }
    });
}

#[test]
fn blocking_client() {
    every_row(Mode::Blocking, TlsVersions::Both);
}

#[test]
fn async_client() {
    every_row(Mode::Async, TlsVersions::Both);
}

#[test]
fn blocking_client_over_tls12() {
    every_row(Mode::Blocking, TlsVersions::Tls12Only);
}

#[test]
fn async_client_over_tls12() {
    every_row(Mode::Async, TlsVersions::Tls12Only);
}
