//! The client against the RFC 8448, section 3 trace, and its refusals.

use super::*;

/// Test-only: the trace's ClientHello bytes replace ours in the transcript, and the trace's
/// certificate (a 1024-bit RSA key, CN=rsa, no subjectAltName, expired) is not checked.
/// Compiled into unit tests only: there is no such switch in the library.
pub(super) struct TraceHook {
    pub(super) client_hello: &'static [u8],
    pub(super) skip_certificate_checks: bool,
}

macro_rules! vector {
    ($name:literal) => {
        include_bytes!(concat!("../../tests/vectors/rfc8448/", $name))
    };
}

fn key(name: &str) -> Vec<u8> {
    let keys = include_str!("../../tests/vectors/rfc8448/keys.txt");
    let line = keys
        .lines()
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
        .unwrap();
    hex::decode(line).unwrap()
}

/// An RNG that hands out the trace's randomness: client random, then (unused) session id,
/// then the X25519 key.
struct Replay(Vec<u8>);
impl rand_core::RngCore for Replay {
    fn next_u32(&mut self) -> u32 {
        unimplemented!()
    }
    fn next_u64(&mut self) -> u64 {
        unimplemented!()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        let taken: Vec<u8> = self.0.drain(..dest.len()).collect();
        dest.copy_from_slice(&taken);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> core::result::Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl rand_core::CryptoRng for Replay {}

fn trace_client<'b>(rx: &'b mut [u8], tx: &'b mut [u8]) -> Client<'b> {
    let mut randomness = key("client_random");
    randomness.extend([0u8; 32]);
    randomness.extend(key("client_x25519_private"));
    randomness.extend([9u8; 32]);
    let config = Config::new(
        ServerName::try_from("server").unwrap(),
        &[],
        CertificateTime::Now(1_500_000_000),
    );
    let mut client = Client::new(config, rx, tx, &mut Replay(randomness)).unwrap();
    client.session_id_len = 0;
    client.trace = Some(TraceHook {
        client_hello: vector!("client_hello.bin"),
        skip_certificate_checks: true,
    });
    client
}

fn feed(client: &mut Client<'_>, bytes: &[u8]) {
    client.incoming()[..bytes.len()].copy_from_slice(bytes);
    client.received(bytes.len());
}

fn run(client: &mut Client<'_>) -> Status {
    loop {
        match client.process().unwrap() {
            Status::Busy => continue,
            other => return other,
        }
    }
}

#[test]
fn rfc8448_simple_1rtt_handshake() {
    let (mut rx, mut tx) = ([0u8; RECEIVE_BUFFER], [0u8; SEND_BUFFER]);
    let mut client = trace_client(&mut rx, &mut tx);
    assert_eq!(run(&mut client), Status::NeedData);
    // Our ClientHello carries the trace's random and X25519 share.
    let hello = client.outgoing().to_vec();
    assert_eq!(&hello[..3], &[22, 3, 1]);
    assert_eq!(&hello[11..43], &key("client_random")[..]);
    let share = key("client_x25519_public");
    assert!(hello.windows(32).any(|w| w == share));
    client.sent(hello.len());

    feed(&mut client, vector!("server_hello_record.bin"));
    assert_eq!(client.process(), Ok(Status::Busy)); // ServerHello checked
    assert_eq!(client.state, State::KeyAgreement);
    assert_eq!(client.process(), Ok(Status::Busy)); // ECDH
    let secrets = client.secrets.as_ref().unwrap();
    assert_eq!(secrets.handshake.as_bytes(), key("handshake_secret"));
    assert_eq!(
        secrets.client.as_bytes(),
        key("client_handshake_traffic_secret")
    );
    assert_eq!(
        secrets.server.as_bytes(),
        key("server_handshake_traffic_secret")
    );

    feed(&mut client, vector!("server_handshake_record.bin"));
    assert_eq!(run(&mut client), Status::Established);
    assert_eq!(client.cipher_suite(), Some(CipherSuite::Aes128GcmSha256));
    assert_eq!(client.protocol_version(), Some(ProtocolVersion::Tls13));
    // The client's flight: ChangeCipherSpec (middlebox compatibility), then exactly the
    // trace's Finished record.
    let flight = client.outgoing().to_vec();
    assert_eq!(&flight[..6], &CHANGE_CIPHER_SPEC);
    assert_eq!(&flight[6..], vector!("client_finished_record.bin"));
    client.sent(flight.len());

    // The ticket is dropped; the application data decrypts.
    feed(&mut client, vector!("server_ticket_record.bin"));
    feed(&mut client, vector!("server_application_record.bin"));
    assert_eq!(run(&mut client), Status::Established);
    assert_eq!(client.application_data(), vector!("application_data.bin"));
    client.consume(50);
    assert_eq!(run(&mut client), Status::Established);

    // Our application data is the trace's record, byte for byte.
    assert_eq!(client.write(vector!("application_data.bin")), Ok(50));
    assert_eq!(client.outgoing(), vector!("client_application_record.bin"));
    client.sent(72);

    // close_notify both ways.
    feed(&mut client, vector!("server_alert_record.bin"));
    assert_eq!(run(&mut client), Status::Closed);
    client.close();
    assert_eq!(client.outgoing(), vector!("client_alert_record.bin"));
}

#[test]
fn rfc8448_trace_in_every_split_gives_the_same_result() {
    let server: Vec<u8> = [
        &vector!("server_hello_record.bin")[..],
        vector!("server_handshake_record.bin"),
        vector!("server_ticket_record.bin"),
        vector!("server_application_record.bin"),
    ]
    .concat();
    for chunk in [1usize, 2, 3, 5, 7, 64, 100, 500] {
        let (mut rx, mut tx) = ([0u8; RECEIVE_BUFFER], [0u8; SEND_BUFFER]);
        let mut client = trace_client(&mut rx, &mut tx);
        run(&mut client);
        let n = client.outgoing().len();
        client.sent(n);
        for piece in server.chunks(chunk) {
            feed(&mut client, piece);
            while client.process().unwrap() == Status::Busy {}
        }
        assert!(client.is_established(), "chunk {chunk}");
        assert_eq!(
            client.application_data(),
            vector!("application_data.bin"),
            "chunk {chunk}"
        );
    }
}

#[test]
fn a_tampered_record_fails_with_bad_record_mac_and_an_alert() {
    let (mut rx, mut tx) = ([0u8; RECEIVE_BUFFER], [0u8; SEND_BUFFER]);
    let mut client = trace_client(&mut rx, &mut tx);
    run(&mut client);
    let n = client.outgoing().len();
    client.sent(n);
    feed(&mut client, vector!("server_hello_record.bin"));
    run(&mut client);
    let mut flight = vector!("server_handshake_record.bin").to_vec();
    flight[100] ^= 1;
    feed(&mut client, &flight);
    assert_eq!(client.process(), Err(Error::Peer(Violation::BadRecordMac)));
    // The alert goes out encrypted with the handshake key: an application data record.
    assert_eq!(client.outgoing()[0], content::APPLICATION_DATA);
    // The state stays failed and usable.
    assert_eq!(client.process(), Err(Error::Peer(Violation::BadRecordMac)));
    assert!(client.incoming().is_empty());
    assert_eq!(
        client.write(b"x"),
        Err(Error::Peer(Violation::BadRecordMac))
    );
}

#[test]
fn application_data_cannot_be_written_before_the_handshake() {
    let (mut rx, mut tx) = ([0u8; RECEIVE_BUFFER], [0u8; SEND_BUFFER]);
    let mut client = trace_client(&mut rx, &mut tx);
    assert_eq!(client.write(b"GET /"), Err(Error::Closed));
    run(&mut client);
    assert_eq!(client.write(b"GET /"), Err(Error::Closed));
    assert_eq!(client.outgoing()[0], content::HANDSHAKE);
}

#[test]
fn a_plaintext_record_after_the_server_hello_is_refused() {
    let (mut rx, mut tx) = ([0u8; RECEIVE_BUFFER], [0u8; SEND_BUFFER]);
    let mut client = trace_client(&mut rx, &mut tx);
    run(&mut client);
    let n = client.outgoing().len();
    client.sent(n);
    feed(&mut client, vector!("server_hello_record.bin"));
    run(&mut client);
    // A plaintext EncryptedExtensions.
    feed(&mut client, &[22, 3, 3, 0, 6, 8, 0, 0, 2, 0, 0]);
    assert_eq!(
        client.process(),
        Err(Error::Peer(Violation::UnexpectedRecord))
    );
}

#[test]
fn a_record_over_the_limit_is_refused_before_it_is_buffered() {
    let (mut rx, mut tx) = ([0u8; RECEIVE_BUFFER], [0u8; SEND_BUFFER]);
    let mut client = trace_client(&mut rx, &mut tx);
    run(&mut client);
    // A plaintext handshake record of 2^14 + 1 bytes: only its header has arrived.
    feed(&mut client, &[22, 3, 3, 0x40, 0x01]);
    assert_eq!(client.process(), Err(Error::Peer(Violation::RecordTooLong)));
    assert_eq!(
        client.outgoing().last(),
        Some(&Alert::RecordOverflow.code())
    );
}

#[test]
fn garbage_instead_of_tls_is_refused() {
    let (mut rx, mut tx) = ([0u8; RECEIVE_BUFFER], [0u8; SEND_BUFFER]);
    let mut client = trace_client(&mut rx, &mut tx);
    run(&mut client);
    feed(&mut client, b"HTTP/1.1 400 Bad Request\r\n\r\n");
    assert_eq!(
        client.process(),
        Err(Error::Peer(Violation::UnexpectedRecord))
    );
}

#[test]
fn eof_in_the_handshake_is_an_error() {
    let (mut rx, mut tx) = ([0u8; RECEIVE_BUFFER], [0u8; SEND_BUFFER]);
    let mut client = trace_client(&mut rx, &mut tx);
    run(&mut client);
    feed(&mut client, &vector!("server_hello_record.bin")[..20]);
    client.received_eof();
    assert_eq!(client.process(), Err(Error::UnexpectedEof));
}

/// The extensions of a ClientHello record, by type.
fn client_hello_extensions(record: &[u8]) -> Vec<(u16, Vec<u8>)> {
    let body = &record[9..];
    let mut r = Reader::new(body);
    r.take(2 + 32).unwrap();
    r.vec8().unwrap();
    r.vec16().unwrap();
    r.vec8().unwrap();
    let mut extensions = Reader::new(r.vec16().unwrap());
    let mut out = Vec::new();
    while !extensions.is_empty() {
        let kind = extensions.u16().unwrap();
        out.push((kind, extensions.vec16().unwrap().to_vec()));
    }
    out
}

/// By default TLS 1.2 is offered after TLS 1.3, with its suites after TLS 1.3's and the
/// extensions it needs; with `tls13_only` none of it.
#[test]
fn the_client_hello_offers_tls12_unless_tls13_is_required() {
    for tls13_only in [false, true] {
        let (mut rx, mut tx) = ([0u8; RECEIVE_BUFFER], [0u8; SEND_BUFFER]);
        let config = Config::new(
            ServerName::try_from("example.com").unwrap(),
            &[],
            CertificateTime::Now(1_800_000_000),
        );
        let config = if tls13_only {
            config.tls13_only()
        } else {
            config
        };
        let mut client = Client::new(config, &mut rx, &mut tx, &mut Replay(vec![5; 128])).unwrap();
        assert_eq!(client.process(), Ok(Status::Busy));
        let hello = client.outgoing().to_vec();
        // legacy_version TLS 1.2.
        assert_eq!(hello[9..11], [3, 3]);
        let mut r = Reader::new(&hello[9 + 2 + 32..]);
        r.vec8().unwrap();
        let suites: Vec<u16> = r
            .vec16()
            .unwrap()
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        let extensions = client_hello_extensions(&hello);
        let find = |kind: u16| {
            extensions
                .iter()
                .find(|(k, _)| *k == kind)
                .map(|(_, d)| d.clone())
        };
        if tls13_only {
            assert_eq!(suites, [0x1301, 0x1303, 0x1302]);
            assert_eq!(find(extension::SUPPORTED_VERSIONS), Some(vec![2, 3, 4]));
            assert_eq!(find(extension::EXTENDED_MASTER_SECRET), None);
            assert_eq!(find(extension::RENEGOTIATION_INFO), None);
            assert_eq!(find(extension::EC_POINT_FORMATS), None);
        } else {
            assert_eq!(
                suites,
                [
                    0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c, 0xc030
                ]
            );
            assert_eq!(
                find(extension::SUPPORTED_VERSIONS),
                Some(vec![4, 3, 4, 3, 3])
            );
            assert_eq!(find(extension::EXTENDED_MASTER_SECRET), Some(vec![]));
            assert_eq!(find(extension::RENEGOTIATION_INFO), Some(vec![0]));
            assert_eq!(find(extension::EC_POINT_FORMATS), Some(vec![1, 0]));
        }
        // No session ticket: no resumption.
        assert_eq!(find(35), None);
        // RFC 8449: room for the whole record in the default buffer, either version.
        assert_eq!(find(extension::RECORD_SIZE_LIMIT), Some(vec![0x40, 0x01]));
    }
    // A small buffer: the limit leaves room for TLS 1.2's explicit nonce and tag.
    assert_eq!(record_size_limit(4096, true), 4096 - 5 - 8 - 16);
    assert_eq!(record_size_limit(4096, false), 4096 - 5 - 16);
}
