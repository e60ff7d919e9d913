//! Real handshakes with rustls (the sandbox), replayed: each file of `tests/vectors/tls/`
//! (see its README) fed to a client with the recorded randomness, trust anchor and time
//! must complete the handshake, send exactly the recorded bytes and decrypt the recorded
//! response, whatever the split of the server's bytes; and a single flipped byte anywhere
//! in the server's bytes must end in an error, never a panic and never other data.

// Only the reader is used here; the recorder writes.
#[allow(dead_code)]
#[path = "../../../tests/src/flight.rs"]
mod flight;
mod replay;
mod tls12;

use flight::Flight;
use juspay_tls::{Error, Violation};
use replay::{Outcome, replay};

/// Every recorded flight, by file name.
fn flights() -> Vec<(String, Flight)> {
    let directory = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/tls");
    let mut flights: Vec<(String, Flight)> = std::fs::read_dir(directory)
        .expect("tests/vectors/tls")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "flight"))
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let flight = Flight::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, flight)
        })
        .collect();
    flights.sort_by(|a, b| a.0.cmp(&b.0));
    // The eight cases of the recorder: TLS 1.3 with both first groups, all suites, HRR
    // both ways; TLS 1.2 with the server's group that of our first share, and the other.
    assert_eq!(flights.len(), 8, "recorded flights in {directory}");
    flights
}

/// What the recording says must happen, before the connection ends.
fn recorded(flight: &Flight) -> Outcome {
    Outcome {
        established: true,
        response: flight.response.clone(),
        sent: flight.client.clone(),
        ..Outcome::default()
    }
}

/// A small deterministic generator for split points and sampled positions.
struct XorShift(u64);
impl XorShift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[test]
fn each_flight_replays_in_one_piece() {
    for (name, flight) in flights() {
        let outcome = replay(&flight, [&flight.server[..]], false);
        assert_eq!(outcome, recorded(&flight), "{name}");
        // The server did not close: the end of the connection is an error.
        let outcome = replay(&flight, [&flight.server[..]], true);
        assert_eq!(outcome.error, Some(Error::UnexpectedEof), "{name}");
        assert_eq!(outcome.response, flight.response, "{name}");
        // The HTTP response, from the sandbox's customer.
        assert!(flight.response.starts_with(b"HTTP/1.1 200"), "{name}");
        // Cut anywhere in the handshake, no data and an error at the end.
        let cut = replay(&flight, [&flight.server[..flight.handshake_end - 1]], true);
        assert!(!cut.established, "{name}");
        assert_eq!(cut.error, Some(Error::UnexpectedEof), "{name}");
    }
}

#[test]
fn each_flight_replays_byte_by_byte() {
    for (name, flight) in flights() {
        let outcome = replay(&flight, flight.server.chunks(1), false);
        assert_eq!(outcome, recorded(&flight), "{name}");
    }
}

#[test]
fn each_flight_replays_in_two_piece_splits() {
    let mut random = XorShift(0x9e37_79b9_7f4a_7c15);
    for (name, flight) in flights() {
        let len = flight.server.len();
        let mut splits = vec![1, 5, flight.handshake_end, len - 1];
        splits.extend((0..24).map(|_| 1 + random.below(len - 1)));
        for split in splits {
            let (a, b) = flight.server.split_at(split);
            let outcome = replay(&flight, [a, b], false);
            assert_eq!(outcome, recorded(&flight), "{name}, split at {split}");
        }
    }
}

/// Where the server's records lie: (start, end, whether encrypted). TLS 1.3 encrypts
/// under type 23 alone; TLS 1.2 every record after the server's ChangeCipherSpec.
fn records(flight: &Flight) -> Vec<(usize, usize, bool)> {
    let tls12 = flight.suite.starts_with("TLS_ECDHE_");
    let mut records = Vec::new();
    let mut at = 0;
    let mut after_change_cipher_spec = false;
    while let Some(header) = flight.server.get(at..at + 5) {
        let end = at + 5 + usize::from(u16::from_be_bytes([header[3], header[4]]));
        let encrypted = if tls12 {
            after_change_cipher_spec
        } else {
            header[0] == 23
        };
        after_change_cipher_spec |= header[0] == 20;
        records.push((at, end, encrypted));
        at = end;
    }
    records
}

#[test]
fn a_flipped_byte_in_the_server_bytes_fails_and_never_yields_other_data() {
    let mut random = XorShift(0x2545_f491_4f6c_dd1d);
    let mut errors = std::collections::BTreeMap::<String, usize>::new();
    let mut flips = 0;
    for (name, flight) in flights() {
        let records = records(&flight);
        // The server's plaintext records (ServerHello, HelloRetryRequest,
        // ChangeCipherSpec; in TLS 1.2 the whole first flight) carry a
        // legacy_record_version whose second byte RFC 8446, 5.1 says to ignore: there a
        // flip changes nothing. (TLS 1.2 authenticates it in encrypted records.)
        let ignored: Vec<usize> = records
            .iter()
            .filter(|(_, _, encrypted)| !encrypted)
            .map(|(start, _, _)| start + 2)
            .collect();
        // Every byte of the plaintext records and of every record header; a sample of the
        // encrypted bodies, where the tag catches every flip alike.
        let mut positions: Vec<usize> = records
            .iter()
            .flat_map(|&(start, end, encrypted)| start..if encrypted { start + 5 } else { end })
            .collect();
        let len = flight.server.len();
        positions.extend((0..150).map(|_| random.below(len)));
        for position in positions {
            let mut server = flight.server.clone();
            server[position] ^= 1 << (position % 8);
            let outcome = replay(&flight, [&server[..]], true);
            flips += 1;
            if ignored.contains(&position) {
                let mut expected = recorded(&flight);
                expected.error = Some(Error::UnexpectedEof);
                assert_eq!(outcome, expected, "{name}, ignored byte {position}");
                continue;
            }
            let error = outcome
                .error
                .clone()
                .unwrap_or_else(|| panic!("{name}, byte {position}: no error: {outcome:?}"));
            assert!(!outcome.stuck, "{name}, byte {position}");
            // Never other data: at most a prefix of the response (records before the
            // flipped one), and never all of it.
            assert!(
                flight.response.starts_with(&outcome.response)
                    && outcome.response.len() < flight.response.len(),
                "{name}, byte {position}: {outcome:?}"
            );
            // A flip inside the encrypted part is caught by the record's tag, or leaves a
            // record header asking for more than arrives.
            if position >= flight.handshake_end {
                assert!(
                    matches!(
                        error,
                        Error::Peer(Violation::BadRecordMac)
                            | Error::Peer(Violation::RecordTooLong)
                            | Error::Peer(Violation::UnexpectedRecord)
                            | Error::Peer(Violation::Malformed)
                            | Error::UnexpectedEof
                    ),
                    "{name}, byte {position}: {error:?}"
                );
            }
            *errors.entry(format!("{error:?}")).or_default() += 1;
        }
    }
    println!("{flips} flips: {errors:#?}");
}
