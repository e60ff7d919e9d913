//! The certificate table (juspay_sandbox::certificates) over every client of both
//! transports (`transports`): rustls (the std clients) gives each row the verdict it is
//! written with, and juspay-tls (the embedded clients) gives the same, from sandboxes that
//! speak TLS 1.3 and 1.2 and from sandboxes that speak TLS 1.2 only. Every row runs; the
//! mismatches are reported together at the end (`--nocapture`: one line per row).

mod transports;

use std::time::Duration;

use juspay_sandbox::TlsVersions;
use juspay_sandbox::certificates;
use juspay_transport_std::GetCustomer;
use transports::{CUSTOMER, Target, Transport};

fn table_over(transport: Transport, versions: TlsVersions) {
    certificates::run(versions, |case, sandbox| {
        let target = Target {
            // Never resolved (api.localhost): the name is what the certificate is checked
            // against.
            address: Some(sandbox.address()),
            ..Target::new(
                case.base_url(sandbox),
                case.roots.clone(),
                Duration::from_secs(5),
            )
        };
        transport
            .client(&target)
            .get_customer(&GetCustomer::new(CUSTOMER))
            .verdict()
    });
}

fn every_certificate_gets_its_verdict(transport: Transport) {
    table_over(transport, TlsVersions::Both);
}

fn every_certificate_gets_its_verdict_over_tls12(transport: Transport) {
    table_over(transport, TlsVersions::Tls12Only);
}

for_each_transport!(
    every_certificate_gets_its_verdict,
    every_certificate_gets_its_verdict_over_tls12
);
