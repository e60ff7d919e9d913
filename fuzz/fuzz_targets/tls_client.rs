//! The TLS client with a recorded flight's fixed randomness, trust anchor and time, fed
//! arbitrary server bytes in arbitrary splits, then the end of the connection: never a
//! panic, never stuck with bytes it will not take, and never application data other than
//! the recorded response (a forged record cannot pass). Input: the flight (one byte), four
//! piece sizes (one byte each, cycled; 255: all the rest), the server's bytes. Seeded by
//! run.sh with each flight's recorded server bytes.
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/src/flight.rs"]
mod flight;
#[path = "../common/flights.rs"]
mod flights;
#[allow(dead_code)]
#[path = "../../tls/tests/recorded_flights/replay.rs"]
mod replay;

use libfuzzer_sys::fuzz_target;
use replay::{Driver, with_client};

fuzz_target!(|data: &[u8]| {
    let Some((flight, data)) = flights::pick(data) else {
        return;
    };
    let Some((sizes, mut server)) = data.split_first_chunk::<4>() else {
        return;
    };
    let outcome = with_client(flight, |client| {
        let mut driver = Driver::new(&flight.request);
        driver.step(client);
        for &size in sizes.iter().cycle() {
            if server.is_empty() {
                break;
            }
            let n = if size == 255 {
                server.len()
            } else {
                usize::from(size) + 1
            };
            let (piece, rest) = server.split_at(n.min(server.len()));
            driver.feed(client, piece);
            server = rest;
        }
        driver.finish(client);
        driver.outcome
    });
    assert!(
        !outcome.stuck,
        "the client stopped taking bytes: {outcome:?}"
    );
    assert!(outcome.error.is_some() || outcome.closed, "{outcome:?}");
    assert!(
        flight.response.starts_with(&outcome.response),
        "application data that was never sent: {:?}",
        String::from_utf8_lossy(&outcome.response)
    );
});
