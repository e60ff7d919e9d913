//! The certificate table (juspay_sandbox::certificates) against juspay-transport-embedded:
//! the same verdict as rustls gives in `tests/certificates_std.rs`, and nothing sent to a
//! server whose certificate is refused.

use juspay_core::{Credentials, Endpoint, GetCustomer};
use juspay_sandbox::certificates::{self, Verdict};
use juspay_sandbox::{DEMO_API_KEY, DEMO_MERCHANT_ID};
use juspay_transport_embedded::host::{MonotonicClock, OsRng, Stack, wall_clock};
use juspay_transport_embedded::{
    Buffers, Client, Config, Error, TLS_READ_BUFFER, TLS_WRITE_BUFFER, Timer, trust_anchor,
};

#[test]
fn every_row_gets_the_verdict_rustls_gives() {
    let mut stack = Stack;
    let timer = Timer::new(MonotonicClock::new());
    let (mut tls_read, mut tls_write) = (vec![0u8; TLS_READ_BUFFER], vec![0u8; TLS_WRITE_BUFFER]);
    let mut buf = [0u8; 2048];
    let mut mismatches = Vec::new();
    for case in certificates::table() {
        let sandbox = case.start().unwrap();
        let url = format!("https://{}:{}", case.server_name, sandbox.address().port());
        let anchors: Vec<_> = case
            .roots
            .iter()
            .map(|root| trust_anchor(root).unwrap())
            .collect();
        let config = Config::new(
            Endpoint::parse(&url).unwrap(),
            Credentials::new(DEMO_API_KEY, DEMO_MERCHANT_ID).unwrap(),
            &anchors,
            wall_clock(),
        )
        .timeout_ms(5_000);
        let buffers = Buffers {
            tls_read: &mut tls_read,
            tls_write: &mut tls_write,
        };
        // Never resolved: the name is what the certificate is checked against.
        let outcome = Client::connect_to(
            &mut stack,
            &timer,
            OsRng,
            config,
            buffers,
            sandbox.address(),
        )
        .and_then(|mut client| {
            client.get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj"), &mut buf)
        });
        let verdict = match &outcome {
            Ok(reply) if reply.result.is_ok() => Verdict::Accepted,
            Err(Error::Certificate(_)) => Verdict::Refused,
            _ => {
                mismatches.push(format!(
                    "{}: neither accepted nor refused: {outcome:?}",
                    case.name
                ));
                continue;
            }
        };
        let reason = match &outcome {
            Err(e) => e.to_string(),
            Ok(_) => String::new(),
        };
        println!("{:<60} {verdict:?} {reason}", case.name);
        if verdict != case.expected {
            mismatches.push(format!(
                "{}: expected {:?}, got {verdict:?} {reason}",
                case.name, case.expected
            ));
        }
        if verdict == Verdict::Refused && sandbox.requests() != 0 {
            mismatches.push(format!("{}: refused, but a request was sent", case.name));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
