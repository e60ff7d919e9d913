//! The record layer after the handshake: a recorded flight's handshake replayed to
//! Established, then records made from the input, most of them sealed with the server's
//! application key (from the recording's key log; for a TLS 1.2 flight, the key block of
//! its master secret) so that they reach the content checks: any (inner) content type,
//! content, padding and record version, KeyUpdate in TLS 1.3 (the target follows it with
//! the next key), records with a broken tag, and raw bytes. Never a panic, never stuck;
//! the application data handed out is always a prefix of what was sealed as application
//! data, and all of it when every record was well formed and nothing failed.
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/src/flight.rs"]
mod flight;
#[path = "../common/flights.rs"]
mod flights;
#[allow(dead_code)]
#[path = "../../tls/tests/recorded_flights/replay.rs"]
mod replay;
// The hostile server's record protection (tests/src/hostile): independent of juspay-tls's.
#[allow(dead_code)]
#[path = "../../tests/src/hostile/schedule.rs"]
mod schedule;

use libfuzzer_sys::fuzz_target;
use replay::{Driver, with_client};
use schedule::{Hash, Master, RecordKey};

/// The suite's code point, and whether it is TLS 1.2's.
fn suite(name: &str) -> (u16, bool) {
    match name {
        "TLS_AES_128_GCM_SHA256" => (schedule::AES_128_GCM_SHA256, false),
        "TLS_AES_256_GCM_SHA384" => (schedule::AES_256_GCM_SHA384, false),
        "TLS_CHACHA20_POLY1305_SHA256" => (schedule::CHACHA20_POLY1305_SHA256, false),
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" => {
            (schedule::ECDHE_ECDSA_AES_128_GCM_SHA256, true)
        }
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" => {
            (schedule::ECDHE_ECDSA_AES_256_GCM_SHA384, true)
        }
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" => {
            (schedule::ECDHE_ECDSA_CHACHA20_POLY1305_SHA256, true)
        }
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" => (schedule::ECDHE_RSA_AES_128_GCM_SHA256, true),
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" => (schedule::ECDHE_RSA_AES_256_GCM_SHA384, true),
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" => {
            (schedule::ECDHE_RSA_CHACHA20_POLY1305_SHA256, true)
        }
        other => panic!("a suite we do not speak: {other}"),
    }
}

/// The server's record key after its Finished: TLS 1.3's from its first application
/// traffic secret; TLS 1.2's from the master secret and the two hellos' randoms (bytes
/// 11..43 of each first record), its sequence number past the Finished.
fn server_key(flight: &flight::Flight, suite: u16, tls12: bool) -> RecordKey {
    if !tls12 {
        return RecordKey::new(suite, flight.server_application_secret.clone());
    }
    let master = Master {
        hash: Hash::of(suite),
        secret: flight.server_application_secret.clone(),
    };
    let (_, mut server) = master.keys(suite, &flight.client[11..43], &flight.server[11..43]);
    server.seal_record(0x0303, 22, &[], 0);
    server
}

fuzz_target!(|data: &[u8]| {
    let Some((flight, mut input)) = flights::pick(data) else {
        return;
    };
    let (suite, tls12) = suite(&flight.suite);
    let mut server = server_key(flight, suite, tls12);
    let mut take = |n: usize| -> &[u8] {
        let (taken, rest) = input.split_at(n.min(input.len()));
        input = rest;
        taken
    };
    let mut expected = Vec::new();
    // Every record sealed as it should be.
    let mut well_formed = true;
    let mut records = Vec::new();
    loop {
        let op = take(1);
        let Some(&op) = op.first() else { break };
        match op % 4 {
            0 => {
                let n = take(1).first().copied().unwrap_or(0);
                records.push(take(usize::from(n)).to_vec());
                well_formed = false;
            }
            _ => {
                let kind = take(1).first().copied().unwrap_or(23);
                let len = take(2);
                let len = usize::from(u16::from_be_bytes([
                    len.first().copied().unwrap_or(0),
                    len.get(1).copied().unwrap_or(0),
                ])) % (16_384 + 64);
                let given = take(len).to_vec();
                // Long contents from a short input: the given bytes repeated.
                let content: Vec<u8> = if given.is_empty() {
                    vec![0; len]
                } else {
                    given.iter().copied().cycle().take(len).collect()
                };
                let padding = usize::from(take(1).first().copied().unwrap_or(0)) * 4;
                // TLSInnerPlaintext (RFC 8446, 5.4): content, type, zeros.
                let mut inner = content.clone();
                inner.push(kind);
                inner.resize(inner.len() + padding, 0);
                // Any legacy_record_version for op 2 (only its first byte is checked).
                let version = if op % 4 == 2 {
                    let v = take(2);
                    u16::from_be_bytes([
                        v.first().copied().unwrap_or(3),
                        v.get(1).copied().unwrap_or(3),
                    ])
                } else {
                    0x0303
                };
                let mut record = if tls12 {
                    // TLS 1.2: the type in the header, no padding, no KeyUpdate.
                    if kind == 23 {
                        expected.extend_from_slice(&content);
                    }
                    server.seal_record(version, kind, &content, 0)
                } else {
                    let record = server.seal(version, &inner);
                    if kind == 22 && content.len() == 5 && content[..4] == [24, 0, 0, 1] {
                        server.update();
                    }
                    // The type is the last non-zero byte: a zero `kind` makes one of the
                    // content's bytes the type.
                    if let Some(last) = inner.iter().rposition(|b| *b != 0)
                        && inner[last] == 23
                    {
                        expected.extend_from_slice(&inner[..last]);
                    }
                    record
                };
                if op % 4 == 3 {
                    *record.last_mut().unwrap() ^= 1;
                    well_formed = false;
                }
                records.push(record);
            }
        }
    }
    let outcome = with_client(flight, |client| {
        let mut driver = Driver::new(&flight.request);
        driver.step(client);
        driver.feed(client, &flight.server[..flight.handshake_end]);
        assert!(
            client.is_established() && driver.outcome.error.is_none(),
            "{:?}",
            driver.outcome
        );
        for record in &records {
            driver.feed(client, record);
        }
        driver.outcome
    });
    assert!(
        !outcome.stuck,
        "the client stopped taking bytes: {outcome:?}"
    );
    assert!(
        expected.starts_with(&outcome.response),
        "data never sealed: {outcome:?}"
    );
    if well_formed && outcome.error.is_none() && !outcome.closed {
        assert_eq!(outcome.response, expected);
    }
});
