//! The recorded TLS 1.2 flight with one thing changed, as a hostile server or a path
//! would change it: each ends in its error before anything of the request leaves, and
//! never in a panic.

use juspay_tls::{CertificateError, Error, Violation};

use crate::flight::Flight;
use crate::flights;
use crate::replay::{Driver, Outcome, with_client_configured};

/// The TLS 1.2 flight with the server's group that of our first share.
fn flight() -> Flight {
    flights()
        .into_iter()
        .find(|(name, _)| name == "tls12_x25519_ecdsa_aes128gcm")
        .expect("the TLS 1.2 recording")
        .1
}

/// The server's records, whole.
fn records(server: &[u8]) -> Vec<Vec<u8>> {
    let mut records = Vec::new();
    let mut at = 0;
    while let Some(header) = server.get(at..at + 5) {
        let end = at + 5 + usize::from(u16::from_be_bytes([header[3], header[4]]));
        records.push(server[at..end].to_vec());
        at = end;
    }
    records
}

/// A plaintext handshake record holding `message`.
fn handshake_record(message: &[u8]) -> Vec<u8> {
    let mut record = vec![22, 3, 3];
    record.extend_from_slice(&(message.len() as u16).to_be_bytes());
    record.extend_from_slice(message);
    record
}

/// The server's first flight as handshake messages (rustls sends ServerHello,
/// Certificate, ServerKeyExchange and ServerHelloDone in one record), each with its
/// header, and the records after it (ChangeCipherSpec, Finished, data).
fn first_flight(flight: &Flight) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let mut records = records(&flight.server).into_iter();
    let first = records.next().expect("a first record");
    assert_eq!(first[0], 22);
    let mut messages = Vec::new();
    let mut body = &first[5..];
    while !body.is_empty() {
        let len =
            4 + (usize::from(body[1]) << 16 | usize::from(body[2]) << 8 | usize::from(body[3]));
        messages.push(body[..len].to_vec());
        body = &body[len..];
    }
    (messages, records.collect())
}

/// Each message in a record of its own, then the other records.
fn server_bytes(messages: &[Vec<u8>], records: &[Vec<u8>]) -> Vec<u8> {
    messages
        .iter()
        .map(|m| handshake_record(m))
        .chain(records.iter().cloned())
        .flatten()
        .collect()
}

/// The ServerHello's parts: (body up to the extensions, extensions as (type, data)).
fn server_hello(message: &[u8]) -> (Vec<u8>, Vec<(u16, Vec<u8>)>) {
    assert_eq!(message[0], 2, "a ServerHello");
    let body = &message[4..];
    let session_id_len = usize::from(body[34]);
    let fixed = 2 + 32 + 1 + session_id_len + 3;
    let mut extensions = Vec::new();
    let mut rest = &body[fixed + 2..];
    while !rest.is_empty() {
        let kind = u16::from_be_bytes([rest[0], rest[1]]);
        let len = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
        extensions.push((kind, rest[4..4 + len].to_vec()));
        rest = &rest[4 + len..];
    }
    (body[..fixed].to_vec(), extensions)
}

fn build_server_hello(fixed: &[u8], extensions: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let mut block = Vec::new();
    for (kind, data) in extensions {
        block.extend_from_slice(&kind.to_be_bytes());
        block.extend_from_slice(&(data.len() as u16).to_be_bytes());
        block.extend_from_slice(data);
    }
    let mut body = fixed.to_vec();
    body.extend_from_slice(&(block.len() as u16).to_be_bytes());
    body.extend_from_slice(&block);
    let mut message = vec![2];
    message.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    message.extend_from_slice(&body);
    message
}

/// Replays `server` to a client configured as the recording's (`tls13_only` if asked).
fn run(flight: &Flight, server: &[u8], tls13_only: bool) -> Outcome {
    with_client_configured(
        flight,
        |config| {
            if tls13_only {
                config.tls13_only()
            } else {
                config
            }
        },
        |client| {
            let mut driver = Driver::new(&flight.request);
            driver.step(client);
            driver.feed(client, server);
            driver.finish(client);
            driver.outcome
        },
    )
}

/// The outcome ends in `error`, with nothing of the request sent: the client sent at most
/// its ClientHello, its own flight (never application data before the server's Finished)
/// and an alert.
fn refused(flight: &Flight, outcome: &Outcome, error: Error, what: &str) {
    assert_eq!(outcome.error, Some(error.clone()), "{what}: {outcome:?}");
    assert!(!outcome.established, "{what}");
    assert!(outcome.response.is_empty(), "{what}");
    // The recorded client bytes end with the request's records: none of them was sent.
    let request_records = records(&flight.client)
        .into_iter()
        .filter(|r| r[0] == 23)
        .collect::<Vec<_>>();
    assert!(!request_records.is_empty());
    for record in records(&outcome.sent) {
        assert_ne!(record[0], 23, "{what}: application data sent");
    }
    // The last record sent is our alert for it, when the error has one (plaintext
    // before our ChangeCipherSpec: then its bytes show).
    if let Some(alert) = error.alert() {
        let last = records(&outcome.sent).pop().expect("an alert");
        assert_eq!(last[0], 21, "{what}: the last record is an alert");
        if last.len() == 7 {
            assert_eq!(last[5..], [2, alert.code()], "{what}");
        }
    }
}

#[test]
fn the_tls12_flight_is_tls12() {
    let flight = flight();
    assert!(flight.suite.starts_with("TLS_ECDHE_ECDSA"));
    let (messages, records) = first_flight(&flight);
    let kinds: Vec<u8> = messages.iter().map(|m| m[0]).collect();
    assert_eq!(kinds, [2, 11, 12, 14], "ServerHello .. ServerHelloDone");
    assert_eq!(records[0], [20, 3, 3, 0, 1, 1]);
    // The messages in records of their own are the same handshake.
    let outcome = run(&flight, &server_bytes(&messages, &records), false);
    assert!(outcome.established, "{outcome:?}");
    assert_eq!(outcome.response, flight.response);
    // An unrecognized_name warning (RFC 6066, 3) before the ServerHello and in the
    // flight changes nothing; as a fatal alert it ends the handshake.
    let warning = vec![21u8, 3, 3, 0, 2, 1, 112];
    let warned: Vec<u8> = [
        warning.clone(),
        handshake_record(&messages[0]),
        warning.clone(),
        server_bytes(&messages[1..], &records),
    ]
    .concat();
    let outcome = run(&flight, &warned, false);
    assert!(outcome.established, "{outcome:?}");
    assert_eq!(outcome.response, flight.response);
    let fatal = [vec![21u8, 3, 3, 0, 2, 2, 112], flight.server.clone()].concat();
    assert_eq!(
        run(&flight, &fatal, false).error,
        Some(Error::AlertReceived(juspay_tls::Alert::Other(112)))
    );
    let (fixed, extensions) = server_hello(&messages[0]);
    assert_eq!(fixed[..2], [3, 3]);
    let kinds: Vec<u16> = extensions.iter().map(|(k, _)| *k).collect();
    assert!(kinds.contains(&23), "extended_master_secret: {kinds:?}");
    assert!(!kinds.contains(&43), "no supported_versions in TLS 1.2");
    // Our flight: ClientKeyExchange in a plaintext record, ChangeCipherSpec, then the
    // encrypted Finished, before any application data.
    let sent = self::records(&flight.client);
    assert_eq!(sent[0][5], 1, "ClientHello");
    assert_eq!(sent[1][5], 16, "ClientKeyExchange");
    assert_eq!(sent[2], [20, 3, 3, 0, 1, 1]);
    assert_eq!(sent[3][0], 22, "Finished, encrypted under its own type");
    assert_eq!(
        sent[3].len(),
        5 + 8 + 16 + 16,
        "explicit nonce, Finished, tag"
    );
    assert_eq!(
        sent[3][5..13],
        [0; 8],
        "the first explicit nonce is sequence number 0"
    );
}

#[test]
fn server_hello_changes_are_refused() {
    let flight = flight();
    let (messages, records) = first_flight(&flight);
    let (fixed, extensions) = server_hello(&messages[0]);
    let with_hello = |hello: Vec<u8>| {
        let mut changed = messages.clone();
        changed[0] = hello;
        server_bytes(&changed, &records)
    };
    let without = |kind: u16| -> Vec<(u16, Vec<u8>)> {
        extensions
            .iter()
            .filter(|(k, _)| *k != kind)
            .cloned()
            .collect()
    };
    let with = |kind: u16, data: &[u8]| -> Vec<(u16, Vec<u8>)> {
        let mut changed = without(kind);
        changed.push((kind, data.to_vec()));
        changed
    };
    let mut downgraded = fixed.clone();
    downgraded[2 + 24..2 + 32].copy_from_slice(b"DOWNGRD\x01");
    let mut downgraded_below = fixed.clone();
    downgraded_below[2 + 24..2 + 32].copy_from_slice(b"DOWNGRD\x00");
    let mut tls11 = fixed.clone();
    tls11[1] = 2;
    let mut cbc = fixed.clone();
    let suite_at = fixed.len() - 3;
    cbc[suite_at..suite_at + 2].copy_from_slice(&[0xc0, 0x23]); // ECDHE_ECDSA AES-128-CBC
    let mut tls13_suite = fixed.clone();
    tls13_suite[suite_at..suite_at + 2].copy_from_slice(&[0x13, 0x01]);
    let mut compressed = fixed.clone();
    compressed[suite_at + 2] = 1;
    let cases: Vec<(&str, Vec<u8>, bool, Error)> = vec![
        (
            "the downgrade sentinel",
            build_server_hello(&downgraded, &extensions),
            false,
            Error::Peer(Violation::Downgrade),
        ),
        (
            "the TLS 1.1 downgrade sentinel",
            build_server_hello(&downgraded_below, &extensions),
            false,
            Error::Peer(Violation::Downgrade),
        ),
        (
            "TLS 1.3 required",
            build_server_hello(&fixed, &extensions),
            true,
            Error::Peer(Violation::NotTls13),
        ),
        (
            "TLS 1.1",
            build_server_hello(&tls11, &extensions),
            false,
            Error::Peer(Violation::OldVersion),
        ),
        (
            "no extended_master_secret",
            build_server_hello(&fixed, &without(23)),
            false,
            Error::Peer(Violation::NoExtendedMasterSecret),
        ),
        (
            "a non-empty renegotiation_info",
            build_server_hello(&fixed, &with(0xff01, &[1, 7])),
            false,
            Error::Peer(Violation::BadRenegotiationInfo),
        ),
        (
            "ec_point_formats without uncompressed",
            build_server_hello(&fixed, &with(11, &[1, 1])),
            false,
            Error::Peer(Violation::NotOffered),
        ),
        (
            "a CBC suite",
            build_server_hello(&cbc, &extensions),
            false,
            Error::Peer(Violation::NotOffered),
        ),
        (
            "a TLS 1.3 suite",
            build_server_hello(&tls13_suite, &extensions),
            false,
            Error::Peer(Violation::NotOffered),
        ),
        (
            "compression",
            build_server_hello(&compressed, &extensions),
            false,
            Error::Peer(Violation::BadServerHello),
        ),
        (
            "a session_ticket extension",
            build_server_hello(&fixed, &with(35, &[])),
            false,
            Error::Peer(Violation::UnsolicitedExtension),
        ),
        (
            "a key_share",
            build_server_hello(&fixed, &with(51, &[0, 0x1d, 0, 0])),
            false,
            Error::Peer(Violation::NotTls13),
        ),
        (
            "supported_versions naming TLS 1.2",
            build_server_hello(&fixed, &with(43, &[3, 3])),
            false,
            Error::Peer(Violation::NotOffered),
        ),
    ];
    for (what, hello, tls13_only, error) in cases {
        let outcome = run(&flight, &with_hello(hello), tls13_only);
        refused(&flight, &outcome, error, what);
    }
    // Unchanged, the rebuilt ServerHello is the recorded one.
    assert_eq!(build_server_hello(&fixed, &extensions), messages[0]);
}

#[test]
fn out_of_order_and_forged_messages_are_refused() {
    let flight = flight();
    let (messages, rest) = first_flight(&flight);
    // One record per message: ServerHello, Certificate, ServerKeyExchange,
    // ServerHelloDone; then ChangeCipherSpec, Finished, data.
    let mut records: Vec<Vec<u8>> = messages.iter().map(|m| handshake_record(m)).collect();
    records.extend(rest);
    let (ske, done, ccs) = (2, 3, 4);
    assert_eq!(records[ccs], [20, 3, 3, 0, 1, 1]);
    let joined = |parts: &[&[Vec<u8>]]| -> Vec<u8> {
        parts
            .iter()
            .flat_map(|p| p.iter().flatten())
            .copied()
            .collect()
    };
    let change_cipher_spec = vec![20u8, 3, 3, 0, 1, 1];
    let hello_request = handshake_record(&[0, 0, 0, 0]);
    let ticket = handshake_record(&[4, 0, 0, 6, 0, 0, 0, 0, 0, 0]);
    let certificate_request = handshake_record(&[13, 0, 0, 8, 1, 64, 0, 2, 4, 3, 0, 0]);
    let mut bad_signature = records[ske].clone();
    let last = bad_signature.len() - 1;
    bad_signature[last] ^= 1;
    let cases: Vec<(&str, Vec<u8>, Error)> = vec![
        (
            "ChangeCipherSpec before the Certificate (CVE-2014-0224)",
            joined(&[
                &records[..1],
                std::slice::from_ref(&change_cipher_spec),
                &records[1..],
            ]),
            Error::Peer(Violation::BadChangeCipherSpec),
        ),
        (
            "ChangeCipherSpec before ServerHelloDone",
            joined(&[
                &records[..done],
                std::slice::from_ref(&change_cipher_spec),
                &records[done..],
            ]),
            Error::Peer(Violation::BadChangeCipherSpec),
        ),
        (
            "ChangeCipherSpec before the ServerHello",
            joined(&[std::slice::from_ref(&change_cipher_spec), &records]),
            Error::Peer(Violation::BadChangeCipherSpec),
        ),
        (
            "no ServerKeyExchange",
            joined(&[&records[..ske], &records[ske + 1..]]),
            Error::Peer(Violation::UnexpectedMessage),
        ),
        (
            "the ServerKeyExchange signature changed",
            joined(&[&records[..ske], &[bad_signature], &records[ske + 1..]]),
            Error::Certificate(CertificateError::BadSignature),
        ),
        (
            "no ServerHelloDone",
            joined(&[&records[..done], &records[done + 1..]]),
            Error::Peer(Violation::BadChangeCipherSpec),
        ),
        (
            "HelloRequest in the handshake",
            joined(&[&records[..done], &[hello_request], &records[done..]]),
            Error::Peer(Violation::UnexpectedMessage),
        ),
        (
            "a NewSessionTicket we did not ask for",
            joined(&[&records[..ccs], &[ticket], &records[ccs..]]),
            Error::Peer(Violation::UnexpectedMessage),
        ),
        (
            "no Finished: data right after ChangeCipherSpec",
            joined(&[&records[..=ccs], &records[ccs + 2..]]),
            Error::Peer(Violation::BadRecordMac),
        ),
        (
            "two ChangeCipherSpecs",
            joined(&[
                &records[..=ccs],
                std::slice::from_ref(&change_cipher_spec),
                &records[ccs + 1..],
            ]),
            Error::Peer(Violation::BadChangeCipherSpec),
        ),
        (
            "the Finished missing, EOF",
            joined(&[&records[..=ccs]]),
            Error::UnexpectedEof,
        ),
        (
            // Our empty Certificate joins the transcript, and so the session hash of the
            // extended master secret (RFC 7627, 4): the recorded server's keys are not ours.
            "a CertificateRequest the recorded server did not send",
            joined(&[&records[..done], &[certificate_request], &records[done..]]),
            Error::Peer(Violation::BadRecordMac),
        ),
    ];
    for (what, server, error) in cases {
        let outcome = run(&flight, &server, false);
        refused(&flight, &outcome, error, what);
        if what.starts_with("a CertificateRequest") {
            // Our flight carried the empty Certificate before the ClientKeyExchange.
            let sent = self::records(&outcome.sent);
            assert_eq!(sent[1], [22, 3, 3, 0, 7, 11, 0, 0, 3, 0, 0, 0]);
            assert_eq!(sent[2][5], 16);
        }
    }
}

/// TLS 1.2's PRF with SHA-256 (RFC 5246, 5), written here apart from the library's.
fn prf_sha256(secret: &[u8], label: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let mac = |data: &[&[u8]]| {
        let mut m = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret).unwrap();
        for d in data {
            m.update(d);
        }
        m.finalize().into_bytes().to_vec()
    };
    let mut a = mac(&[label, seed]);
    let mut out = Vec::new();
    while out.len() < len {
        out.extend(mac(&[&a, label, seed]));
        a = mac(&[&a]);
    }
    out.truncate(len);
    out
}

/// Seals `content` as the recorded server's record number `sequence` of type `kind`
/// (AES-128-GCM, RFC 5288), from the recording's master secret: the server's keys made
/// apart from the client's code, so that records after the recorded ones can be added.
fn seal_as_server(flight: &Flight, sequence: u64, kind: u8, content: &[u8]) -> Vec<u8> {
    use aes_gcm::aead::{AeadInPlace, KeyInit};
    assert_eq!(flight.suite, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    let server_random = &flight.server[11..43];
    let client_random = &flight.rng[..32];
    let block = prf_sha256(
        &flight.server_application_secret,
        b"key expansion",
        &[server_random, client_random].concat(),
        40,
    );
    let (key, salt) = (&block[16..32], &block[36..40]);
    let cipher = aes_gcm::Aes128Gcm::new_from_slice(key).unwrap();
    let explicit = sequence.to_be_bytes();
    let nonce = [salt, &explicit].concat();
    let mut aad = explicit.to_vec();
    aad.extend([kind, 3, 3]);
    aad.extend((content.len() as u16).to_be_bytes());
    let mut data = content.to_vec();
    let tag = cipher
        .encrypt_in_place_detached(aes_gcm::Nonce::from_slice(&nonce), &aad, &mut data)
        .unwrap();
    let body = [&explicit[..], &data, &tag].concat();
    let mut record = vec![kind, 3, 3];
    record.extend((body.len() as u16).to_be_bytes());
    record.extend(body);
    record
}

#[test]
fn a_hello_request_after_the_handshake_gets_a_no_renegotiation_warning() {
    let flight = flight();
    let records = records(&flight.server);
    let ccs = records.iter().position(|r| r[0] == 20).unwrap();
    assert!(
        records.len() > ccs + 2,
        "Finished and data after the ChangeCipherSpec"
    );
    let next = (records.len() - ccs - 1) as u64;
    // The client opens these only if the key made apart is the recorded server's.
    let hello_request = |n: u64| seal_as_server(&flight, next + n, 22, &[0, 0, 0, 0]);
    let one = [flight.server.clone(), hello_request(0)].concat();
    let outcome = run(&flight, &one, false);
    // Still established, the response whole, and a warning sent (encrypted: 2 bytes of
    // alert with an explicit nonce and a tag) before the end of the connection.
    assert!(outcome.established, "{outcome:?}");
    assert_eq!(outcome.response, flight.response);
    assert_eq!(outcome.error, Some(Error::UnexpectedEof));
    let sent = self::records(&outcome.sent);
    let warning = sent.iter().rev().find(|r| r[0] == 21).expect("an alert");
    assert_eq!(warning.len(), 5 + 8 + 2 + 16);
    // A flood of them ends as the flood of any record that carries nothing.
    let flood: Vec<u8> = (0..=u64::from(juspay_tls::MAX_EMPTY_RECORDS))
        .flat_map(hello_request)
        .collect();
    let outcome = run(&flight, &[flight.server.clone(), flood].concat(), false);
    assert_eq!(
        outcome.error,
        Some(Error::Peer(Violation::TooManyEmptyRecords))
    );
    // A HelloRequest with a body, or any other handshake message, is refused.
    let bad = seal_as_server(&flight, next, 22, &[0, 0, 0, 1, 0]);
    let outcome = run(&flight, &[flight.server.clone(), bad].concat(), false);
    assert_eq!(outcome.error, Some(Error::Peer(Violation::Malformed)));
    let ticket = seal_as_server(&flight, next, 22, &[4, 0, 0, 6, 0, 0, 0, 0, 0, 0]);
    let outcome = run(&flight, &[flight.server.clone(), ticket].concat(), false);
    assert_eq!(
        outcome.error,
        Some(Error::Peer(Violation::UnexpectedMessage))
    );
    // A ChangeCipherSpec after the handshake (renegotiation) too.
    let outcome = run(
        &flight,
        &[flight.server.clone(), vec![20, 3, 3, 0, 1, 1]].concat(),
        false,
    );
    assert_eq!(
        outcome.error,
        Some(Error::Peer(Violation::BadChangeCipherSpec))
    );
}

/// Each expensive step is a step of its own (a `Busy`): with the server's key exchange in
/// the group of our first share, key generation, the chain, the ServerKeyExchange
/// signature, ECDH (with our flight) and the steps between messages; in the other group,
/// exactly one more, the second key pair.
#[test]
fn each_expensive_step_of_a_tls12_handshake_is_a_step_of_its_own() {
    let busy_steps = |name: &str| {
        let (_, flight) = flights()
            .into_iter()
            .find(|(n, _)| n == name)
            .expect("the recording");
        let handshake = flight.server[..flight.handshake_end].to_vec();
        crate::replay::with_client(&flight, |client| {
            let mut busy = 0;
            let mut fed = false;
            loop {
                match client.process().expect("the recorded handshake") {
                    juspay_tls::Status::Busy => busy += 1,
                    juspay_tls::Status::NeedData if !fed => {
                        let n = client.outgoing().len();
                        client.sent(n);
                        client.incoming()[..handshake.len()].copy_from_slice(&handshake);
                        client.received(handshake.len());
                        fed = true;
                    }
                    juspay_tls::Status::Established => {
                        assert_eq!(
                            client.protocol_version(),
                            Some(juspay_tls::ProtocolVersion::Tls12)
                        );
                        return busy;
                    }
                    other => panic!("{name}: {other:?}"),
                }
            }
        })
    };
    let same = busy_steps("tls12_x25519_ecdsa_aes128gcm");
    let other = busy_steps("tls12_x25519_to_secp256r1_ecdsa_chacha20");
    // Key pair; Certificate read, chain; ServerKeyExchange read, its signature;
    // ServerHelloDone read, ECDH and our flight; the server's Finished read.
    assert_eq!(same, 8);
    assert_eq!(other, same + 1);
}
