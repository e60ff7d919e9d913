//! The certificate table (juspay_sandbox::certificates) against juspay-transport-std: every
//! row gets its verdict from rustls, the reference the embedded transport is held to.
//! Every row runs; the mismatches are reported together at the end. `--nocapture` shows
//! one line per row: name, verdict, rustls's reason.

use std::time::Duration;

use juspay_sandbox::certificates::{self, Case, Verdict};
use juspay_sandbox::{DEMO_API_KEY, DEMO_MERCHANT_ID};
use juspay_transport_std::{Client, Config, Error, ErrorClass, GetCustomer};

#[test]
fn every_certificate_gets_its_verdict() {
    let table = certificates::table();
    let mut mismatches = Vec::new();
    for case in &table {
        let (verdict, reason) = run(case);
        let shown = verdict.map_or("neither".to_owned(), |verdict| format!("{verdict:?}"));
        println!("{:<72} {shown:<8} {reason}", case.name);
        if verdict != Some(case.expected) {
            mismatches.push(format!(
                "{}: expected {:?}, got {reason}",
                case.name, case.expected
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} rows differ:\n{}",
        mismatches.len(),
        table.len(),
        mismatches.join("\n")
    );
}

/// One call under `case`: the verdict it amounts to (`None`: neither a customer nor a
/// refused certificate, or a refusal after a request was sent) and why.
fn run(case: &Case) -> (Option<Verdict>, String) {
    let sandbox = match case.start() {
        Ok(sandbox) => sandbox,
        Err(e) => return (None, format!("the sandbox did not start: {e}")),
    };
    let mut config = Config::new(case.base_url(&sandbox), DEMO_API_KEY, DEMO_MERCHANT_ID);
    config.webpki_roots = false;
    config.extra_roots = case.roots.clone();
    // The names checked (api.localhost) are not to be resolved.
    config.connect_to = Some(sandbox.address());
    config.deadline = Duration::from_secs(5);
    // A retry would hide what the first handshake ended in.
    config.retry.max_retries = 0;
    let outcome = Client::new(config)
        .and_then(|mut client| client.get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj")));
    match outcome {
        Ok(customer) if customer.id == "cst_om2l6ctlptxwxuzj" => {
            (Some(Verdict::Accepted), "the customer arrived".into())
        }
        Ok(customer) => (None, format!("the wrong customer: {}", customer.id)),
        Err(error) => {
            let requests = sandbox.requests();
            match &error {
                Error::Tls(rustls::Error::InvalidCertificate(reason))
                    if error.class() == ErrorClass::Transport && requests == 0 =>
                {
                    (Some(Verdict::Refused), reason.to_string())
                }
                _ => (
                    None,
                    format!(
                        "not a certificate refusal before any request ({requests} sent): {error:?}"
                    ),
                ),
            }
        }
    }
}
