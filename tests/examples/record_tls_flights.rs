//! Records juspay-tls's handshakes with the sandbox into `tests/vectors/tls/` (or the
//! directory given): `cargo run -p juspay-sandbox --example record_tls_flights [-- DIR]`.
//!
//! The client draws fixed randomness, so its ClientHello and key shares are the same on
//! every run; the server's answer (its own key share, the sandbox's freshly made
//! certificates) is recorded, and fed again to a client with the same randomness, trust
//! anchor and time it completes the same handshake and decrypts the same response. Each
//! case is one handshake and one Get Customer call; the format is in the README there.

use std::collections::HashMap;
use std::error::Error;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use juspay_core::response::{ResponseParser, Status as Response};
use juspay_core::{Credentials, Endpoint, GetCustomer};
use juspay_sandbox::flight::{Flight, Recorded};
use juspay_sandbox::{DEMO_API_KEY, DEMO_MERCHANT_ID, OnlyGroup, Options, Sandbox, TlsVersions};
use juspay_tls::{
    CertificateTime, CipherSuite, Client, Config, Group, RECEIVE_BUFFER, SEND_BUFFER, ServerName,
    Status, trust_anchor,
};
use rustls::SupportedCipherSuite;
use rustls::crypto::ring::cipher_suite;

/// One recording: the client's first key share, and what the server accepts.
struct Case {
    name: &'static str,
    key_share: Group,
    suite: SupportedCipherSuite,
    /// The server's one group, or all of ring's. rustls picks the first group of the
    /// client's supported_groups (X25519, then secp256r1) that it has, and asks for it with a
    /// HelloRetryRequest when the client's share is in the other.
    only_group: Option<OnlyGroup>,
}

const CASES: [Case; 8] = [
    Case {
        name: "x25519_aes128gcm",
        key_share: Group::X25519,
        suite: cipher_suite::TLS13_AES_128_GCM_SHA256,
        only_group: None,
    },
    Case {
        name: "x25519_aes256gcm",
        key_share: Group::X25519,
        suite: cipher_suite::TLS13_AES_256_GCM_SHA384,
        only_group: None,
    },
    Case {
        name: "x25519_chacha20",
        key_share: Group::X25519,
        suite: cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
        only_group: None,
    },
    Case {
        name: "secp256r1_aes128gcm",
        key_share: Group::Secp256r1,
        suite: cipher_suite::TLS13_AES_128_GCM_SHA256,
        only_group: Some(OnlyGroup::Secp256r1),
    },
    Case {
        name: "hello_retry_x25519_to_secp256r1_aes256gcm",
        key_share: Group::X25519,
        suite: cipher_suite::TLS13_AES_256_GCM_SHA384,
        only_group: Some(OnlyGroup::Secp256r1),
    },
    Case {
        name: "hello_retry_secp256r1_to_x25519_chacha20",
        key_share: Group::Secp256r1,
        suite: cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
        only_group: Some(OnlyGroup::X25519),
    },
    // TLS 1.2 (the sandbox's key is ECDSA P-256): the server's ServerKeyExchange in the
    // group of our first share, and in the other one (no HelloRetryRequest in TLS 1.2:
    // the client makes a second key pair).
    Case {
        name: "tls12_x25519_ecdsa_aes128gcm",
        key_share: Group::X25519,
        suite: cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        only_group: None,
    },
    Case {
        name: "tls12_x25519_to_secp256r1_ecdsa_chacha20",
        key_share: Group::X25519,
        suite: cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        only_group: Some(OnlyGroup::Secp256r1),
    },
];

/// The randomness every recording draws: a fixed pattern, long enough for
/// `Client::new` (random, session id, one key seed per group).
fn fixed_randomness() -> Vec<u8> {
    (0..128u32).map(|i| (i * 31 + 17) as u8).collect()
}

/// The server's first application traffic secrets (TLS 1.3) or master secrets (TLS 1.2),
/// by client random.
#[derive(Debug, Default)]
struct KeyLog(Mutex<HashMap<Vec<u8>, Vec<u8>>>);

impl rustls::KeyLog for KeyLog {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        if (label == "SERVER_TRAFFIC_SECRET_0" || label == "CLIENT_RANDOM")
            && let Ok(mut log) = self.0.lock()
        {
            log.insert(client_random.to_vec(), secret.to_vec());
        }
    }
}

fn suite_name(suite: Option<CipherSuite>) -> &'static str {
    match suite {
        Some(CipherSuite::Aes128GcmSha256) => "TLS_AES_128_GCM_SHA256",
        Some(CipherSuite::Aes256GcmSha384) => "TLS_AES_256_GCM_SHA384",
        Some(CipherSuite::Chacha20Poly1305Sha256) => "TLS_CHACHA20_POLY1305_SHA256",
        Some(CipherSuite::EcdheEcdsaAes128GcmSha256) => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        Some(CipherSuite::EcdheEcdsaChacha20Poly1305Sha256) => {
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
        }
        _ => "unknown",
    }
}

fn group_name(group: Group) -> &'static str {
    match group {
        Group::X25519 => "x25519",
        _ => "secp256r1",
    }
}

fn record(case: &Case) -> Result<Flight, Box<dyn Error>> {
    let key_log = Arc::new(KeyLog::default());
    let tls12 = case.suite.version() == &rustls::version::TLS12;
    let sandbox = Sandbox::start_with(Options {
        tls_versions: if tls12 {
            TlsVersions::Tls12Only
        } else {
            TlsVersions::Tls13Only
        },
        cipher_suites: vec![case.suite],
        only_group: case.only_group,
        key_log: Some(key_log.clone()),
        ..Options::default()
    })?;
    let root = sandbox.ca_der();
    let anchors = [trust_anchor(&root).map_err(|e| format!("{e:?}"))?];
    let time = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let server_name = "localhost";
    let config = Config::new(
        ServerName::try_from(server_name)?,
        &anchors,
        CertificateTime::Now(time),
    )
    .key_share(case.key_share);

    let url = format!("https://localhost:{}", sandbox.address().port());
    let endpoint = Endpoint::parse(&url).map_err(|e| format!("{e}"))?;
    let credentials =
        Credentials::new(DEMO_API_KEY, DEMO_MERCHANT_ID).map_err(|e| format!("{e}"))?;
    let mut request = [0u8; 1024];
    let len = GetCustomer::new("cst_om2l6ctlptxwxuzj")
        .encode(&endpoint, &credentials, &mut request)
        .map_err(|e| format!("{e}"))?;
    let request = &request[..len];

    let mut tcp = TcpStream::connect(sandbox.address())?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    let randomness = fixed_randomness();
    let (mut rx, mut tx) = (vec![0; RECEIVE_BUFFER], vec![0; SEND_BUFFER]);
    let mut client = Client::new(config, &mut rx, &mut tx, &mut Recorded(&randomness))
        .map_err(|e| format!("{e}"))?;
    let (mut client_bytes, mut server_bytes) = (Vec::new(), Vec::new());
    // Fed one whole record at a time, so that the end of the handshake is a record boundary.
    let mut fed = 0;
    let mut handshake_end = None;
    let mut written = 0;
    let mut response = Vec::new();
    let mut parsed = [0u8; 4096];
    let mut parser = ResponseParser::new(&mut parsed);
    loop {
        let status = client.process().map_err(|e| format!("{e}"))?;
        let out = client.outgoing();
        tcp.write_all(out)?;
        client_bytes.extend_from_slice(out);
        let n = out.len();
        client.sent(n);
        if client.is_established() && handshake_end.is_none() {
            handshake_end = Some(fed);
        }
        match status {
            Status::Busy => continue,
            Status::Closed => return Err("the server closed".into()),
            Status::Established if written < request.len() => {
                written += client
                    .write(&request[written..])
                    .map_err(|e| format!("{e}"))?;
                continue;
            }
            Status::Established if !client.application_data().is_empty() => {
                let data = client.application_data();
                response.extend_from_slice(data);
                let (_, progress) = parser.feed(data).map_err(|e| format!("{e}"))?;
                let n = data.len();
                client.consume(n);
                if progress == Response::Complete {
                    break;
                }
                continue;
            }
            _ => {}
        }
        let next = loop {
            if let Some(header) = server_bytes.get(fed..fed + 5) {
                let end = fed + 5 + usize::from(u16::from_be_bytes([header[3], header[4]]));
                if end <= server_bytes.len() {
                    break end;
                }
            }
            let mut buf = [0u8; 4096];
            let n = tcp.read(&mut buf)?;
            if n == 0 {
                return Err("the server closed the connection".into());
            }
            server_bytes.extend_from_slice(&buf[..n]);
        };
        let record = &server_bytes[fed..next];
        client.incoming()[..record.len()].copy_from_slice(record);
        client.received(record.len());
        fed = next;
    }
    let suite = suite_name(client.cipher_suite());
    // RFC 8446, 4.1.3: a HelloRetryRequest is a ServerHello with this random.
    let hello_retry = server_bytes.get(11..15) == Some(&[0xcf, 0x21, 0xad, 0x74]);
    let client_random = randomness[..32].to_vec();
    let server_application_secret = key_log
        .0
        .lock()
        .map_err(|_| "key log poisoned")?
        .get(&client_random)
        .cloned()
        .ok_or("the server logged no SERVER_TRAFFIC_SECRET_0 (or CLIENT_RANDOM)")?;
    Ok(Flight {
        server_name: server_name.to_owned(),
        time,
        key_share: group_name(case.key_share).to_owned(),
        suite: suite.to_owned(),
        hello_retry,
        rng: randomness,
        trust_anchor: root.to_vec(),
        request: request.to_vec(),
        client: client_bytes,
        server: server_bytes,
        handshake_end: handshake_end.ok_or("never established")?,
        server_application_secret,
        response,
    })
}

fn main() -> Result<(), Box<dyn Error>> {
    let directory = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/tls").to_owned());
    std::fs::create_dir_all(&directory)?;
    for case in &CASES {
        let flight = record(case)?;
        let chosen = match case.only_group {
            None => Group::X25519,
            Some(OnlyGroup::X25519) => Group::X25519,
            Some(OnlyGroup::Secp256r1) => Group::Secp256r1,
        };
        let tls12 = case.suite.version() == &rustls::version::TLS12;
        let expected_retry = chosen != case.key_share && !tls12;
        if flight.hello_retry != expected_retry {
            return Err(format!("{}: hello_retry {}", case.name, flight.hello_retry).into());
        }
        let path = format!("{directory}/{}.flight", case.name);
        std::fs::write(&path, flight.encode())?;
        println!(
            "wrote {path}: {}, server {} bytes (handshake {}), response {} bytes",
            flight.suite,
            flight.server.len(),
            flight.handshake_end,
            flight.response.len()
        );
    }
    Ok(())
}
