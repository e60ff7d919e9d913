//! The server's side of RFC 8446's key schedule (7.1), record protection (5.2, 7.3) and key
//! exchange (7.4), and of TLS 1.2's (RFC 5246's PRF, 5 and 8.1, with RFC 7627's extended
//! master secret; AEAD records, 6.2.3.3, RFC 5288 and RFC 7905), from RustCrypto pieces:
//! independent of juspay-tls's own, so that an error in one is not mirrored in the other.

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
pub(super) const ECDHE_ECDSA_AES_128_GCM_SHA256: u16 = 0xc02b;
pub(super) const ECDHE_ECDSA_AES_256_GCM_SHA384: u16 = 0xc02c;
pub(super) const ECDHE_ECDSA_CHACHA20_POLY1305_SHA256: u16 = 0xcca9;
pub(super) const ECDHE_RSA_AES_128_GCM_SHA256: u16 = 0xc02f;
pub(super) const ECDHE_RSA_AES_256_GCM_SHA384: u16 = 0xc030;
pub(super) const ECDHE_RSA_CHACHA20_POLY1305_SHA256: u16 = 0xcca8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hash {
    Sha256,
    Sha384,
}

impl Hash {
    /// The hash of a suite; SHA-256 for one we do not know (the handshake ends there).
    pub(super) fn of(suite: u16) -> Hash {
        match suite {
            AES_256_GCM_SHA384 | ECDHE_ECDSA_AES_256_GCM_SHA384 | ECDHE_RSA_AES_256_GCM_SHA384 => {
                Hash::Sha384
            }
            _ => Hash::Sha256,
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

    /// TLS 1.2's PRF (RFC 5246, 5): P_hash of `secret` over `label` and `seed`.
    pub(super) fn prf(self, secret: &[u8], label: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
        let seed = [label, seed].concat();
        let mut a = self.hmac(secret, &seed);
        let mut out = Vec::new();
        while out.len() < len {
            out.extend(self.hmac(secret, &[&a[..], &seed].concat()));
            a = self.hmac(secret, &a);
        }
        out.truncate(len);
        out
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

/// Which AEAD a suite's records use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cipher {
    Aes128Gcm,
    Aes256Gcm,
    ChaCha20Poly1305,
}

impl Cipher {
    fn of(suite: u16) -> Cipher {
        match suite {
            AES_128_GCM_SHA256 | ECDHE_ECDSA_AES_128_GCM_SHA256 | ECDHE_RSA_AES_128_GCM_SHA256 => {
                Cipher::Aes128Gcm
            }
            AES_256_GCM_SHA384 | ECDHE_ECDSA_AES_256_GCM_SHA384 | ECDHE_RSA_AES_256_GCM_SHA384 => {
                Cipher::Aes256Gcm
            }
            _ => Cipher::ChaCha20Poly1305,
        }
    }

    fn key_len(self) -> usize {
        match self {
            Cipher::Aes128Gcm => 16,
            Cipher::Aes256Gcm | Cipher::ChaCha20Poly1305 => 32,
        }
    }

    /// The IV of TLS 1.2's key block: GCM's 4-byte salt (the other 8 bytes of its nonce
    /// go explicitly in each record, RFC 5288, 3), ChaCha20's whole 12 (RFC 7905, 2).
    fn tls12_iv_len(self) -> usize {
        match self {
            Cipher::Aes128Gcm | Cipher::Aes256Gcm => 4,
            Cipher::ChaCha20Poly1305 => 12,
        }
    }
}

/// The master secret of a TLS 1.2 handshake and what comes of it.
pub(super) struct Master {
    /// The PRF's hash (the suite's).
    pub(super) hash: Hash,
    /// The 48 bytes (also as a key log's CLIENT_RANDOM line records them).
    pub(super) secret: Vec<u8>,
}

impl Master {
    /// From the premaster secret: with the extended master secret, over the session hash
    /// (the messages up to the ClientKeyExchange, RFC 7627, 4); without, over the randoms
    /// (RFC 5246, 8.1).
    pub(super) fn new(
        hash: Hash,
        premaster: &[u8],
        extended: bool,
        messages: &[u8],
        client_random: &[u8],
        server_random: &[u8],
    ) -> Master {
        let secret = if extended {
            hash.prf(
                premaster,
                b"extended master secret",
                &hash.digest(messages),
                48,
            )
        } else {
            hash.prf(
                premaster,
                b"master secret",
                &[client_random, server_random].concat(),
                48,
            )
        };
        Master { hash, secret }
    }

    /// The (client, server) record keys (RFC 5246, 6.3: an AEAD suite has no MAC keys).
    pub(super) fn keys(
        &self,
        suite: u16,
        client_random: &[u8],
        server_random: &[u8],
    ) -> (RecordKey, RecordKey) {
        let cipher = Cipher::of(suite);
        let (key_len, iv_len) = (cipher.key_len(), cipher.tls12_iv_len());
        let block = self.hash.prf(
            &self.secret,
            b"key expansion",
            &[server_random, client_random].concat(),
            2 * (key_len + iv_len),
        );
        let (client_key, rest) = block.split_at(key_len);
        let (server_key, rest) = rest.split_at(key_len);
        let (client_iv, server_iv) = rest.split_at(iv_len);
        (
            RecordKey::tls12(suite, client_key, client_iv),
            RecordKey::tls12(suite, server_key, server_iv),
        )
    }

    /// The verify_data of a Finished (RFC 5246, 7.4.9) with `label` ("client finished",
    /// "server finished").
    pub(super) fn finished(&self, label: &[u8], messages: &[u8]) -> Vec<u8> {
        self.hash
            .prf(&self.secret, label, &self.hash.digest(messages), 12)
    }
}

/// One direction's record protection, TLS 1.3's or TLS 1.2's.
pub(super) struct RecordKey {
    suite: u16,
    cipher: Cipher,
    /// The traffic secret (TLS 1.3, for KeyUpdate); `None` in TLS 1.2.
    secret: Option<Vec<u8>>,
    key: Vec<u8>,
    iv: Vec<u8>,
    sequence: u64,
}

impl RecordKey {
    pub(super) fn new(suite: u16, secret: Vec<u8>) -> RecordKey {
        let hash = Hash::of(suite);
        let cipher = Cipher::of(suite);
        RecordKey {
            suite,
            cipher,
            key: hash.expand_label(&secret, b"key", &[], cipher.key_len()),
            iv: hash.expand_label(&secret, b"iv", &[], 12),
            secret: Some(secret),
            sequence: 0,
        }
    }

    fn tls12(suite: u16, key: &[u8], iv: &[u8]) -> RecordKey {
        RecordKey {
            suite,
            cipher: Cipher::of(suite),
            secret: None,
            key: key.to_vec(),
            iv: iv.to_vec(),
            sequence: 0,
        }
    }

    /// RFC 8446, 7.2 (nothing in TLS 1.2, which has no KeyUpdate).
    pub(super) fn update(&mut self) {
        if let Some(secret) = &self.secret {
            let hash = Hash::of(self.suite);
            let next = hash.expand_label(secret, b"traffic upd", &[], hash.len());
            *self = RecordKey::new(self.suite, next);
        }
    }

    /// The next record's nonce and explicit nonce: TLS 1.2's GCM puts the sequence number
    /// after its 4-byte salt and in the record; otherwise the sequence number is XORed
    /// into the IV's last 8 bytes and nothing is explicit.
    fn nonce(&mut self) -> (Vec<u8>, Vec<u8>) {
        let sequence = self.sequence.to_be_bytes();
        self.sequence += 1;
        if self.iv.len() == 4 {
            ([&self.iv[..], &sequence].concat(), sequence.to_vec())
        } else {
            let mut nonce = self.iv.clone();
            for (byte, sequence) in nonce[4..].iter_mut().zip(sequence) {
                *byte ^= sequence;
            }
            (nonce, Vec::new())
        }
    }

    fn aead(&self, nonce: &[u8], aad: &[u8], data: &[u8], seal: bool) -> Option<Vec<u8>> {
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
        let payload = Payload { msg: data, aad };
        match self.cipher {
            Cipher::Aes128Gcm => run::<Aes128Gcm>(&self.key, nonce, payload, seal),
            Cipher::Aes256Gcm => run::<Aes256Gcm>(&self.key, nonce, payload, seal),
            Cipher::ChaCha20Poly1305 => run::<ChaCha20Poly1305>(&self.key, nonce, payload, seal),
        }
    }

    /// TLS 1.2's additional data (RFC 5246, 6.2.3.3) for the next record.
    fn tls12_aad(&self, kind: u8, version: u16, len: usize) -> Vec<u8> {
        [
            &self.sequence.to_be_bytes()[..],
            &[kind],
            &version.to_be_bytes(),
            &(len as u16).to_be_bytes(),
        ]
        .concat()
    }

    /// A whole record of `kind` carrying `content`: in TLS 1.3 an application data record
    /// whose inner plaintext ends in `kind` and `padding` zeros; in TLS 1.2 a record of
    /// `kind` (no padding there).
    pub(super) fn seal_record(
        &mut self,
        version: u16,
        kind: u8,
        content: &[u8],
        padding: usize,
    ) -> Vec<u8> {
        if self.secret.is_some() {
            let mut inner = content.to_vec();
            inner.push(kind);
            inner.resize(inner.len() + padding, 0);
            return self.seal(version, &inner);
        }
        let aad = self.tls12_aad(kind, version, content.len());
        let (nonce, explicit) = self.nonce();
        let sealed = self
            .aead(&nonce, &aad, content, true)
            .expect("sealing cannot fail");
        let body = [explicit, sealed].concat();
        [
            &[kind][..],
            &version.to_be_bytes(),
            &(body.len() as u16).to_be_bytes(),
            &body,
        ]
        .concat()
    }

    /// A TLS 1.3 record: header (with this legacy_record_version) and `inner`
    /// (TLSInnerPlaintext) sealed. Under TLS 1.2 keys, an application data record of
    /// `inner`.
    pub(super) fn seal(&mut self, version: u16, inner: &[u8]) -> Vec<u8> {
        if self.secret.is_none() {
            return self.seal_record(version, 23, inner, 0);
        }
        let len = inner.len() + 16;
        let [major, minor] = version.to_be_bytes();
        let header = [23, major, minor, (len >> 8) as u8, len as u8];
        let (nonce, _) = self.nonce();
        let sealed = self
            .aead(&nonce, &header, inner, true)
            .expect("sealing cannot fail");
        [&header[..], &sealed].concat()
    }

    /// The content type and content of a record, `None` when it does not authenticate.
    pub(super) fn open(&mut self, header: &[u8], body: &[u8]) -> Option<(u8, Vec<u8>)> {
        if self.secret.is_some() {
            let (nonce, _) = self.nonce();
            let mut inner = self.aead(&nonce, header, body, false)?;
            while inner.last() == Some(&0) {
                inner.pop();
            }
            let kind = inner.pop()?;
            return Some((kind, inner));
        }
        let kind = *header.first()?;
        let version = u16::from_be_bytes([*header.get(1)?, *header.get(2)?]);
        let (nonce, _) = self.nonce();
        let (nonce, sealed) = if self.iv.len() == 4 {
            let (explicit, sealed) = body.split_at_checked(8)?;
            ([&self.iv[..], explicit].concat(), sealed)
        } else {
            (nonce, body)
        };
        // The sequence number of this record, which nonce() has just moved past.
        self.sequence -= 1;
        let aad = self.tls12_aad(kind, version, sealed.len().checked_sub(16)?);
        self.sequence += 1;
        Some((kind, self.aead(&nonce, &aad, sealed, false)?))
    }
}

/// Is `suite` one the server can run a key schedule for.
pub(super) fn known_suite(suite: u16) -> bool {
    matches!(
        suite,
        AES_128_GCM_SHA256 | AES_256_GCM_SHA384 | CHACHA20_POLY1305_SHA256
    )
}

/// Is `suite` a TLS 1.2 suite the server can run, and does it sign with RSA.
pub(super) fn tls12_suite(suite: u16) -> Option<bool> {
    match suite {
        ECDHE_ECDSA_AES_128_GCM_SHA256
        | ECDHE_ECDSA_AES_256_GCM_SHA384
        | ECDHE_ECDSA_CHACHA20_POLY1305_SHA256 => Some(false),
        ECDHE_RSA_AES_128_GCM_SHA256
        | ECDHE_RSA_AES_256_GCM_SHA384
        | ECDHE_RSA_CHACHA20_POLY1305_SHA256 => Some(true),
        _ => None,
    }
}

/// The server's public key share for `group` from the secret `random`; `None` for a
/// group the server does not implement.
pub(super) fn public_share(group: u16, random: [u8; 32]) -> Option<Vec<u8>> {
    match group {
        X25519 => Some(
            curve25519_dalek::MontgomeryPoint::mul_base_clamped(random)
                .to_bytes()
                .to_vec(),
        ),
        SECP256R1 => Some(
            p256::SecretKey::from_slice(&random)
                .ok()?
                .public_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
        ),
        _ => None,
    }
}

/// The shared secret of the server's secret `random` and the client's `share`; `None` for
/// a group the server does not implement or a share that is no point.
pub(super) fn shared_secret(group: u16, random: [u8; 32], share: &[u8]) -> Option<Vec<u8>> {
    match group {
        X25519 => {
            let peer: [u8; 32] = share.try_into().ok()?;
            Some(
                curve25519_dalek::MontgomeryPoint(peer)
                    .mul_clamped(random)
                    .to_bytes()
                    .to_vec(),
            )
        }
        SECP256R1 => {
            let secret = p256::SecretKey::from_slice(&random).ok()?;
            let peer = p256::PublicKey::from_sec1_bytes(share).ok()?;
            let shared = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), peer.as_affine());
            Some(shared.raw_secret_bytes().to_vec())
        }
        _ => None,
    }
}

/// A server key share for `group` and the shared secret with the client's `share`; `None`
/// for a group the server does not implement or a share that is no point.
pub(super) fn key_exchange(
    group: u16,
    share: &[u8],
    random: [u8; 32],
) -> Option<(Vec<u8>, Vec<u8>)> {
    Some((
        public_share(group, random)?,
        shared_secret(group, random, share)?,
    ))
}
