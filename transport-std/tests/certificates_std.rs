//! The certificate table (juspay_sandbox::certificates) against both clients of
//! juspay-transport-std: every row gets its verdict from rustls, the reference the
//! embedded transport is held to.
//! Every row runs; the mismatches are reported together at the end. `--nocapture` shows
//! one line per row: name, verdict, rustls's reason.

mod common;

use std::time::Duration;

use common::{AnyClient, Kind};
use juspay_sandbox::certificates::{self, Verdict};
use juspay_sandbox::{DEMO_API_KEY, DEMO_MERCHANT_ID, TlsVersions};
use juspay_transport_std::{Config, Error, GetCustomer};

fn every_certificate_gets_its_verdict(kind: Kind) {
    table_over(kind, TlsVersions::Both);
}

/// The same verdicts from sandboxes that speak TLS 1.2 only.
fn every_certificate_gets_its_verdict_over_tls12(kind: Kind) {
    table_over(kind, TlsVersions::Tls12Only);
}

fn table_over(kind: Kind, versions: TlsVersions) {
    certificates::run(versions, |case, sandbox| {
        let mut config = Config::new(case.base_url(sandbox), DEMO_API_KEY, DEMO_MERCHANT_ID);
        config.webpki_roots = false;
        config.extra_roots = case.roots.clone();
        // The names checked (api.localhost) are not to be resolved.
        config.connect_to = Some(sandbox.address());
        config.deadline = Duration::from_secs(5);
        // A retry would hide what the first handshake ended in.
        config.retry.max_retries = 0;
        let outcome = AnyClient::new(kind, config)
            .and_then(|client| client.get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj")));
        match outcome {
            Ok(customer) if customer.id == "cst_om2l6ctlptxwxuzj" => {
                (Some(Verdict::Accepted), "the customer arrived".into())
            }
            Ok(customer) => (None, format!("the wrong customer: {}", customer.id)),
            Err(Error::Tls(rustls::Error::InvalidCertificate(reason))) => {
                (Some(Verdict::Refused), reason.to_string())
            }
            Err(error) => (None, format!("not a certificate refusal: {error:?}")),
        }
    });
}

for_each_client!(
    every_certificate_gets_its_verdict,
    every_certificate_gets_its_verdict_over_tls12
);
