//! The server's side of RFC 8446's key schedule (7.1), record protection (5.2, 7.3) and key
//! exchange (7.4), from RustCrypto pieces: independent of juspay-tls's own, so that an
//! error in one is not mirrored in the other.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes128Gcm, Aes256Gcm};
use chacha20poly1305::ChaCha20Poly1305;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use sha2::{Digest, Sha256, Sha384};

pub(super) const AES_128_GCM_SHA256: u16 = 0x1301;
pub(super) const AES_256_GCM_SHA384: u16 = 0x1302;
pub(super) const CHACHA20_POLY1305_SHA256: u16 = 0x1303;
pub(super) const X25519: u16 = 0x001d;
pub(super) const SECP256R1: u16 = 0x0017;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hash {
    Sha256,
    Sha384,
}

impl Hash {
    /// The hash of a suite; SHA-256 for one we do not know (the handshake ends there).
    pub(super) fn of(suite: u16) -> Hash {
        if suite == AES_256_GCM_SHA384 {
            Hash::Sha384
        } else {
            Hash::Sha256
        }
    }

    pub(super) fn len(self) -> usize {
        match self {
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
        }
    }

    pub(super) fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => Sha256::digest(data).to_vec(),
            Hash::Sha384 => Sha384::digest(data).to_vec(),
        }
    }

    pub(super) fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => {
                let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
                mac.update(data);
                mac.finalize().into_bytes().to_vec()
            }
            Hash::Sha384 => {
                let mut mac = <Hmac<Sha384> as Mac>::new_from_slice(key).expect("any key length");
                mac.update(data);
                mac.finalize().into_bytes().to_vec()
            }
        }
    }

    pub(super) fn extract(self, salt: &[u8], ikm: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => Hkdf::<Sha256>::extract(Some(salt), ikm).0.to_vec(),
            Hash::Sha384 => Hkdf::<Sha384>::extract(Some(salt), ikm).0.to_vec(),
        }
    }

    /// HKDF-Expand-Label (RFC 8446, 7.1).
    pub(super) fn expand_label(
        self,
        secret: &[u8],
        label: &[u8],
        context: &[u8],
        len: usize,
    ) -> Vec<u8> {
        let mut info = Vec::new();
        info.extend_from_slice(&(len as u16).to_be_bytes());
        info.push((6 + label.len()) as u8);
        info.extend_from_slice(b"tls13 ");
        info.extend_from_slice(label);
        info.push(context.len() as u8);
        info.extend_from_slice(context);
        let mut out = vec![0u8; len];
        match self {
            Hash::Sha256 => Hkdf::<Sha256>::from_prk(secret)
                .expect("a secret of the hash's length")
                .expand(&info, &mut out),
            Hash::Sha384 => Hkdf::<Sha384>::from_prk(secret)
                .expect("a secret of the hash's length")
                .expand(&info, &mut out),
        }
        .expect("a short output");
        out
    }

    pub(super) fn derive_secret(self, secret: &[u8], label: &[u8], messages: &[u8]) -> Vec<u8> {
        self.expand_label(secret, label, &self.digest(messages), self.len())
    }

    /// The verify_data of a Finished message (RFC 8446, 4.4.4).
    pub(super) fn finished(self, traffic_secret: &[u8], messages: &[u8]) -> Vec<u8> {
        let key = self.expand_label(traffic_secret, b"finished", &[], self.len());
        self.hmac(&key, &self.digest(messages))
    }
}

/// The secrets of one handshake after the ServerHello.
pub(super) struct Secrets {
    pub(super) hash: Hash,
    pub(super) handshake: Vec<u8>,
    pub(super) client_handshake: Vec<u8>,
    pub(super) server_handshake: Vec<u8>,
}

impl Secrets {
    /// From the (EC)DHE secret and the messages up to the ServerHello.
    pub(super) fn new(hash: Hash, shared: &[u8], messages: &[u8]) -> Secrets {
        let zeros = vec![0u8; hash.len()];
        let early = hash.extract(&[0], &zeros);
        let derived = hash.derive_secret(&early, b"derived", &[]);
        let handshake = hash.extract(&derived, shared);
        Secrets {
            hash,
            client_handshake: hash.derive_secret(&handshake, b"c hs traffic", messages),
            server_handshake: hash.derive_secret(&handshake, b"s hs traffic", messages),
            handshake,
        }
    }

    /// The (client, server) application traffic secrets from the messages up to the
    /// server's Finished.
    pub(super) fn application(&self, messages: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let hash = self.hash;
        let derived = hash.derive_secret(&self.handshake, b"derived", &[]);
        let master = hash.extract(&derived, &vec![0u8; hash.len()]);
        (
            hash.derive_secret(&master, b"c ap traffic", messages),
            hash.derive_secret(&master, b"s ap traffic", messages),
        )
    }
}

/// One direction's record protection.
pub(super) struct RecordKey {
    suite: u16,
    hash: Hash,
    secret: Vec<u8>,
    key: Vec<u8>,
    iv: Vec<u8>,
    sequence: u64,
}

impl RecordKey {
    pub(super) fn new(suite: u16, secret: Vec<u8>) -> RecordKey {
        let hash = Hash::of(suite);
        let key_len = if suite == AES_128_GCM_SHA256 { 16 } else { 32 };
        RecordKey {
            suite,
            hash,
            key: hash.expand_label(&secret, b"key", &[], key_len),
            iv: hash.expand_label(&secret, b"iv", &[], 12),
            secret,
            sequence: 0,
        }
    }

    /// RFC 8446, 7.2.
    pub(super) fn update(&mut self) {
        let next = self
            .hash
            .expand_label(&self.secret, b"traffic upd", &[], self.hash.len());
        *self = RecordKey::new(self.suite, next);
    }

    fn nonce(&mut self) -> Vec<u8> {
        let mut nonce = self.iv.clone();
        for (byte, sequence) in nonce[4..].iter_mut().zip(self.sequence.to_be_bytes()) {
            *byte ^= sequence;
        }
        self.sequence += 1;
        nonce
    }

    fn aead(&mut self, header: &[u8], data: &[u8], seal: bool) -> Option<Vec<u8>> {
        fn run<A: Aead + KeyInit>(
            key: &[u8],
            nonce: &[u8],
            payload: Payload<'_, '_>,
            seal: bool,
        ) -> Option<Vec<u8>> {
            let aead = A::new_from_slice(key).ok()?;
            let nonce = aes_gcm::Nonce::from_slice(nonce);
            if seal {
                aead.encrypt(nonce, payload).ok()
            } else {
                aead.decrypt(nonce, payload).ok()
            }
        }
        let nonce = self.nonce();
        let payload = Payload {
            msg: data,
            aad: header,
        };
        match self.suite {
            AES_128_GCM_SHA256 => run::<Aes128Gcm>(&self.key, &nonce, payload, seal),
            AES_256_GCM_SHA384 => run::<Aes256Gcm>(&self.key, &nonce, payload, seal),
            _ => run::<ChaCha20Poly1305>(&self.key, &nonce, payload, seal),
        }
    }

    /// A whole record: header (with this legacy_record_version) and `inner`
    /// (TLSInnerPlaintext) sealed.
    pub(super) fn seal(&mut self, version: u16, inner: &[u8]) -> Vec<u8> {
        let len = inner.len() + 16;
        let [major, minor] = version.to_be_bytes();
        let header = [23, major, minor, (len >> 8) as u8, len as u8];
        let sealed = self
            .aead(&header, inner, true)
            .expect("sealing cannot fail");
        [&header[..], &sealed].concat()
    }

    /// The TLSInnerPlaintext of a record, `None` when it does not authenticate.
    pub(super) fn open(&mut self, header: &[u8], body: &[u8]) -> Option<Vec<u8>> {
        self.aead(header, body, false)
    }
}

/// Is `suite` one the server can run a key schedule for.
pub(super) fn known_suite(suite: u16) -> bool {
    matches!(
        suite,
        AES_128_GCM_SHA256 | AES_256_GCM_SHA384 | CHACHA20_POLY1305_SHA256
    )
}

/// A server key share for `group` and the shared secret with the client's `share`; `None`
/// for a group the server does not implement or a share that is no point.
pub(super) fn key_exchange(
    group: u16,
    share: &[u8],
    random: [u8; 32],
) -> Option<(Vec<u8>, Vec<u8>)> {
    match group {
        X25519 => {
            let peer: [u8; 32] = share.try_into().ok()?;
            let public = curve25519_dalek::MontgomeryPoint::mul_base_clamped(random);
            let shared = curve25519_dalek::MontgomeryPoint(peer).mul_clamped(random);
            Some((public.to_bytes().to_vec(), shared.to_bytes().to_vec()))
        }
        SECP256R1 => {
            let secret = p256::SecretKey::from_slice(&random).ok()?;
            let peer = p256::PublicKey::from_sec1_bytes(share).ok()?;
            let public = secret
                .public_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec();
            let shared = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), peer.as_affine());
            Some((public, shared.raw_secret_bytes().to_vec()))
        }
        _ => None,
    }
}
