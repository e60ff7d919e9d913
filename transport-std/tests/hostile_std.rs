//! The TLS 1.2 rows of the hostile-server table (juspay_sandbox::hostile::tls12) against
//! both clients of juspay-transport-std, whose rustls offers TLS 1.3 and TLS 1.2: each row
//! ends as rustls must end it ([`hostile::Row::rustls`] where that is not juspay-tls's
//! way) within its deadline, and nothing of the request leaves before the server's
//! Finished is verified.

mod common;

use common::{AnyClient, Kind};
use juspay_sandbox::hostile::{self, Outcome, Row};
use juspay_sandbox::{DEMO_API_KEY, DEMO_MERCHANT_ID};
use juspay_transport_std::{Config, Error, GetCustomer};

fn tls12_rows(kind: Kind) {
    let rows: Vec<Row> = hostile::tls12::table()
        .into_iter()
        .map(|row| Row {
            expected: row.rustls.clone().unwrap_or(row.expected),
            ..row
        })
        .collect();
    hostile::run_rows(&rows, |target| {
        let base_url = format!("https://{}:{}", target.server_name, target.address.port());
        let mut config = Config::new(base_url, DEMO_API_KEY, DEMO_MERCHANT_ID);
        config.extra_roots = target.roots.clone();
        config.webpki_roots = false;
        config.connect_to = Some(target.address);
        config.deadline = target.deadline;
        // A retry would reach no server: the scripted one takes one connection.
        config.retry.max_retries = 0;
        let client = AnyClient::new(kind, config).expect("a client");
        match client.get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj")) {
            Ok(customer) if customer.id == "cst_om2l6ctlptxwxuzj" => Outcome::Customer,
            Ok(customer) => Outcome::Other(format!("another customer: {}", customer.id)),
            Err(Error::Timeout) => Outcome::Timeout,
            Err(Error::Tls(error)) => Outcome::Refused(format!("rustls: {error}")),
            Err(error @ (Error::Io(_) | Error::Core(juspay_core::Error::ConnectionClosed))) => {
                Outcome::Refused(format!("{error:?}"))
            }
            Err(error) => Outcome::Other(format!("{error:?}")),
        }
    });
}

for_each_client!(tls12_rows);
