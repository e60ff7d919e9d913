//! The record layer after the handshake: a recorded flight's handshake replayed to
//! Established, then records made from the input, most of them sealed with the server's
//! application key (from the recording's key log) so that they reach the content checks:
//! any inner content type, content and padding, KeyUpdate (the target follows it with the
//! next key), records with a broken tag, and raw bytes. Never a panic, never stuck; the
//! application data handed out is always a prefix of what was sealed as application data,
//! and all of it when every record was well formed and nothing failed.
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/src/flight.rs"]
mod flight;
#[path = "../common/flights.rs"]
mod flights;
#[allow(dead_code)]
#[path = "../../tls/tests/recorded_flights/replay.rs"]
mod replay;

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes128Gcm, Aes256Gcm};
use chacha20poly1305::ChaCha20Poly1305;
use libfuzzer_sys::fuzz_target;
use replay::{Driver, with_client};
use sha2::{Sha256, Sha384};

/// The server's side of the record protection (RFC 8446, 5.2-5.3 and 7.2-7.3).
struct ServerRecords {
    suite: &'static str,
    secret: Vec<u8>,
    key: Vec<u8>,
    iv: [u8; 12],
    sequence: u64,
}

fn expand_label(suite: &str, secret: &[u8], label: &[u8], out: &mut [u8]) {
    let mut info = Vec::new();
    info.extend_from_slice(&(out.len() as u16).to_be_bytes());
    info.push(6 + label.len() as u8);
    info.extend_from_slice(b"tls13 ");
    info.extend_from_slice(label);
    info.push(0);
    if suite == "TLS_AES_256_GCM_SHA384" {
        hkdf::Hkdf::<Sha384>::from_prk(secret)
            .unwrap()
            .expand(&info, out)
            .unwrap();
    } else {
        hkdf::Hkdf::<Sha256>::from_prk(secret)
            .unwrap()
            .expand(&info, out)
            .unwrap();
    }
}

impl ServerRecords {
    fn new(suite: &'static str, secret: Vec<u8>) -> Self {
        let mut key = vec![
            0;
            if suite == "TLS_AES_128_GCM_SHA256" {
                16
            } else {
                32
            }
        ];
        expand_label(suite, &secret, b"key", &mut key);
        let mut iv = [0; 12];
        expand_label(suite, &secret, b"iv", &mut iv);
        ServerRecords {
            suite,
            secret,
            key,
            iv,
            sequence: 0,
        }
    }

    fn update(&mut self) {
        let mut next = vec![0; self.secret.len()];
        expand_label(self.suite, &self.secret, b"traffic upd", &mut next);
        *self = ServerRecords::new(self.suite, next);
    }

    /// One record: `content`, the inner type, `padding` zeros, sealed.
    fn seal(&mut self, kind: u8, content: &[u8], padding: usize) -> Vec<u8> {
        let mut inner = content.to_vec();
        inner.push(kind);
        inner.resize(inner.len() + padding, 0);
        let len = (inner.len() + 16) as u16;
        let header = [23, 3, 3, (len >> 8) as u8, len as u8];
        let mut nonce = self.iv;
        for (n, s) in nonce[4..].iter_mut().zip(self.sequence.to_be_bytes()) {
            *n ^= s;
        }
        self.sequence += 1;
        let nonce = aes_gcm::Nonce::from_slice(&nonce);
        let tag = match self.suite {
            "TLS_AES_128_GCM_SHA256" => Aes128Gcm::new_from_slice(&self.key)
                .unwrap()
                .encrypt_in_place_detached(nonce, &header, &mut inner),
            "TLS_AES_256_GCM_SHA384" => Aes256Gcm::new_from_slice(&self.key)
                .unwrap()
                .encrypt_in_place_detached(nonce, &header, &mut inner),
            _ => ChaCha20Poly1305::new_from_slice(&self.key)
                .unwrap()
                .encrypt_in_place_detached(nonce, &header, &mut inner),
        }
        .unwrap();
        let mut record = header.to_vec();
        record.extend_from_slice(&inner);
        record.extend_from_slice(&tag);
        record
    }
}

fn suite(name: &str) -> &'static str {
    [
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
    ]
    .into_iter()
    .find(|s| *s == name)
    .expect("a suite we speak")
}

fuzz_target!(|data: &[u8]| {
    let Some((flight, mut input)) = flights::pick(data) else {
        return;
    };
    let mut server = ServerRecords::new(
        suite(&flight.suite),
        flight.server_application_secret.clone(),
    );
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
                let mut record = server.seal(kind, &content, padding);
                if kind == 22 && content.len() == 5 && content[..4] == [24, 0, 0, 1] {
                    server.update();
                }
                // RFC 8446, 5.4: the inner type is the last non-zero byte (a zero `kind`
                // makes one of the content's bytes the type).
                let mut inner = content.clone();
                inner.push(kind);
                if let Some(last) = inner.iter().rposition(|b| *b != 0)
                    && inner[last] == 23
                {
                    expected.extend_from_slice(&inner[..last]);
                }
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
