//! The cipher suites: the three of TLS 1.3 (RFC 8446, B.4) with their HKDF key schedule
//! (RFC 8446, 7.1), and the six ECDHE AEAD suites of TLS 1.2 (RFC 5289, RFC 7905) with
//! their PRF (RFC 5246, 5); the transcript hash; record protection for both versions
//! (RFC 8446, 5.2-5.3; RFC 5246, 6.2.3.3), on RustCrypto.

use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes128Gcm, Aes256Gcm, KeyInit, Nonce, Tag};
use chacha20poly1305::ChaCha20Poly1305;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha384};
use zeroize::Zeroize;

/// The longest hash (SHA-384) and so the longest secret of the suites we offer.
pub(crate) const MAX_HASH: usize = 48;
/// The AEAD tag length of all three suites.
pub(crate) const TAG_LEN: usize = 16;

/// A cipher suite: the three of TLS 1.3 and the six TLS 1.2 ECDHE suites with an AEAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CipherSuite {
    /// TLS_AES_128_GCM_SHA256 (0x1301).
    Aes128GcmSha256,
    /// TLS_AES_256_GCM_SHA384 (0x1302).
    Aes256GcmSha384,
    /// TLS_CHACHA20_POLY1305_SHA256 (0x1303): the fastest of the three on a core without
    /// AES instructions, such as the Cortex-M4.
    Chacha20Poly1305Sha256,
    /// TLS 1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (0xc02b).
    EcdheEcdsaAes128GcmSha256,
    /// TLS 1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f).
    EcdheRsaAes128GcmSha256,
    /// TLS 1.2 TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 (0xc02c).
    EcdheEcdsaAes256GcmSha384,
    /// TLS 1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xc030).
    EcdheRsaAes256GcmSha384,
    /// TLS 1.2 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 (0xcca9, RFC 7905).
    EcdheEcdsaChacha20Poly1305Sha256,
    /// TLS 1.2 TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (0xcca8, RFC 7905).
    EcdheRsaChacha20Poly1305Sha256,
}

/// A protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ProtocolVersion {
    /// TLS 1.2 (RFC 5246).
    Tls12,
    /// TLS 1.3 (RFC 8446).
    Tls13,
}

/// The AEAD of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Aead {
    Aes128Gcm,
    Aes256Gcm,
    Chacha20Poly1305,
}

impl CipherSuite {
    /// The TLS 1.3 suites, in the order offered.
    pub const TLS13: [CipherSuite; 3] = [
        CipherSuite::Aes128GcmSha256,
        CipherSuite::Chacha20Poly1305Sha256,
        CipherSuite::Aes256GcmSha384,
    ];

    /// The TLS 1.2 suites, in the order offered (after the TLS 1.3 ones): the same
    /// preference as for TLS 1.3, ECDSA before RSA within each.
    pub const TLS12: [CipherSuite; 6] = [
        CipherSuite::EcdheEcdsaAes128GcmSha256,
        CipherSuite::EcdheRsaAes128GcmSha256,
        CipherSuite::EcdheEcdsaChacha20Poly1305Sha256,
        CipherSuite::EcdheRsaChacha20Poly1305Sha256,
        CipherSuite::EcdheEcdsaAes256GcmSha384,
        CipherSuite::EcdheRsaAes256GcmSha384,
    ];

    /// Every suite, in the order offered: TLS 1.3's, then TLS 1.2's.
    pub const ALL: [CipherSuite; 9] = {
        let mut all = [CipherSuite::Aes128GcmSha256; 9];
        let mut i = 0;
        // Evaluated at compile time: an index out of range fails the build.
        #[allow(clippy::indexing_slicing)]
        while i < all.len() {
            all[i] = if i < 3 {
                CipherSuite::TLS13[i]
            } else {
                CipherSuite::TLS12[i - 3]
            };
            i += 1;
        }
        all
    };

    /// The IANA code point.
    pub const fn code(self) -> u16 {
        match self {
            CipherSuite::Aes128GcmSha256 => 0x1301,
            CipherSuite::Aes256GcmSha384 => 0x1302,
            CipherSuite::Chacha20Poly1305Sha256 => 0x1303,
            CipherSuite::EcdheEcdsaAes128GcmSha256 => 0xc02b,
            CipherSuite::EcdheRsaAes128GcmSha256 => 0xc02f,
            CipherSuite::EcdheEcdsaAes256GcmSha384 => 0xc02c,
            CipherSuite::EcdheRsaAes256GcmSha384 => 0xc030,
            CipherSuite::EcdheEcdsaChacha20Poly1305Sha256 => 0xcca9,
            CipherSuite::EcdheRsaChacha20Poly1305Sha256 => 0xcca8,
        }
    }

    /// The protocol version the suite belongs to.
    pub const fn version(self) -> ProtocolVersion {
        match self {
            CipherSuite::Aes128GcmSha256
            | CipherSuite::Aes256GcmSha384
            | CipherSuite::Chacha20Poly1305Sha256 => ProtocolVersion::Tls13,
            _ => ProtocolVersion::Tls12,
        }
    }

    pub(crate) fn from_code(code: u16) -> Option<Self> {
        CipherSuite::ALL.into_iter().find(|s| s.code() == code)
    }

    /// TLS 1.2: whether the server signs with ECDSA (or EdDSA, RFC 8422) rather than RSA.
    pub(crate) fn ecdsa(self) -> bool {
        matches!(
            self,
            CipherSuite::EcdheEcdsaAes128GcmSha256
                | CipherSuite::EcdheEcdsaAes256GcmSha384
                | CipherSuite::EcdheEcdsaChacha20Poly1305Sha256
        )
    }

    pub(crate) fn hash(self) -> HashAlgorithm {
        match self {
            CipherSuite::Aes256GcmSha384
            | CipherSuite::EcdheEcdsaAes256GcmSha384
            | CipherSuite::EcdheRsaAes256GcmSha384 => HashAlgorithm::Sha384,
            _ => HashAlgorithm::Sha256,
        }
    }

    fn aead(self) -> Aead {
        match self {
            CipherSuite::Aes128GcmSha256
            | CipherSuite::EcdheEcdsaAes128GcmSha256
            | CipherSuite::EcdheRsaAes128GcmSha256 => Aead::Aes128Gcm,
            CipherSuite::Aes256GcmSha384
            | CipherSuite::EcdheEcdsaAes256GcmSha384
            | CipherSuite::EcdheRsaAes256GcmSha384 => Aead::Aes256Gcm,
            _ => Aead::Chacha20Poly1305,
        }
    }

    fn key_len(self) -> usize {
        match self.aead() {
            Aead::Aes128Gcm => 16,
            _ => 32,
        }
    }

    /// TLS 1.2: the implicit part of the nonce taken from the key block: a 4-byte salt for
    /// AES-GCM (RFC 5288, 3), the whole 12-byte IV for ChaCha20-Poly1305 (RFC 7905, 2).
    fn tls12_iv_len(self) -> usize {
        match self.aead() {
            Aead::Chacha20Poly1305 => 12,
            _ => 4,
        }
    }
}

/// SHA-256 or SHA-384.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HashAlgorithm {
    Sha256,
    Sha384,
}

impl HashAlgorithm {
    pub(crate) fn len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
        }
    }

    pub(crate) fn digest(self, data: &[u8]) -> Secret {
        match self {
            HashAlgorithm::Sha256 => Secret::from_slice(&Sha256::digest(data)),
            HashAlgorithm::Sha384 => Secret::from_slice(&Sha384::digest(data)),
        }
    }

    /// HKDF-Extract (RFC 5869, 2.2).
    pub(crate) fn extract(self, salt: &[u8], ikm: &[u8]) -> Secret {
        match self {
            HashAlgorithm::Sha256 => {
                Secret::from_slice(&hkdf::Hkdf::<Sha256>::extract(Some(salt), ikm).0)
            }
            HashAlgorithm::Sha384 => {
                Secret::from_slice(&hkdf::Hkdf::<Sha384>::extract(Some(salt), ikm).0)
            }
        }
    }

    /// HKDF-Expand-Label (RFC 8446, 7.1) into `out`: `out.len()` is the Length, at most
    /// 255 * hash length, and the label and context short (ours are), so it cannot fail.
    pub(crate) fn expand_label(
        self,
        secret: &Secret,
        label: &[u8],
        context: &[u8],
        out: &mut [u8],
    ) {
        // struct HkdfLabel { uint16 length; opaque label<7..255> = "tls13 " + Label;
        //                    opaque context<0..255>; }
        let length = (out.len() as u16).to_be_bytes();
        let label_len = [(6 + label.len()) as u8];
        let context_len = [context.len() as u8];
        let info: [&[u8]; 6] = [&length, &label_len, b"tls13 ", label, &context_len, context];
        let result = match self {
            HashAlgorithm::Sha256 => hkdf::Hkdf::<Sha256>::from_prk(secret.as_bytes())
                .map(|h| h.expand_multi_info(&info, out)),
            HashAlgorithm::Sha384 => hkdf::Hkdf::<Sha384>::from_prk(secret.as_bytes())
                .map(|h| h.expand_multi_info(&info, out)),
        };
        // Only reachable with a secret shorter than the hash or an output over 255
        // hashes, neither of which this crate makes; fail closed rather than panic.
        if !matches!(result, Ok(Ok(()))) {
            out.fill(0);
        }
    }

    /// Derive-Secret (RFC 8446, 7.1) with an already computed transcript hash.
    pub(crate) fn derive_secret(
        self,
        secret: &Secret,
        label: &[u8],
        transcript: &Secret,
    ) -> Secret {
        let mut out = Secret::zero(self.len());
        self.expand_label(secret, label, transcript.as_bytes(), out.as_mut());
        out
    }

    /// HMAC with this hash.
    pub(crate) fn hmac(self, key: &Secret, data: &[u8]) -> Secret {
        match self {
            HashAlgorithm::Sha256 => {
                let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes())
                    .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
                mac.update(data);
                Secret::from_slice(&mac.finalize().into_bytes())
            }
            HashAlgorithm::Sha384 => {
                let mut mac = <Hmac<Sha384> as Mac>::new_from_slice(key.as_bytes())
                    .unwrap_or_else(|_| <Hmac<Sha384> as Mac>::new(&Default::default()));
                mac.update(data);
                Secret::from_slice(&mac.finalize().into_bytes())
            }
        }
    }
}

/// TLS 1.2's PRF (RFC 5246, 5): P_hash with HMAC of `hash` over `label` and the
/// concatenation of `seed`, filling `out`.
pub(crate) fn prf(
    hash: HashAlgorithm,
    secret: &[u8],
    label: &[u8],
    seed: &[&[u8]],
    out: &mut [u8],
) {
    match hash {
        HashAlgorithm::Sha256 => p_hash(
            <Hmac<Sha256> as Mac>::new_from_slice(secret)
                .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default())),
            label,
            seed,
            out,
        ),
        HashAlgorithm::Sha384 => p_hash(
            <Hmac<Sha384> as Mac>::new_from_slice(secret)
                .unwrap_or_else(|_| <Hmac<Sha384> as Mac>::new(&Default::default())),
            label,
            seed,
            out,
        ),
    }
}

/// P_hash (RFC 5246, 5): A(0) = label + seed, A(i) = HMAC(A(i-1)), output the
/// concatenation of HMAC(A(i) + label + seed). `keyed` is the HMAC keyed with the secret
/// (HMAC takes keys of any length, so keying cannot fail).
fn p_hash<M: Mac + Clone>(keyed: M, label: &[u8], seed: &[&[u8]], out: &mut [u8]) {
    let with_seed = |mut mac: M| {
        mac.update(label);
        for part in seed {
            mac.update(part);
        }
        mac
    };
    let mut a = with_seed(keyed.clone()).finalize().into_bytes();
    for chunk in out.chunks_mut(a.len()) {
        let mut mac = keyed.clone();
        mac.update(&a);
        let mut block = with_seed(mac).finalize().into_bytes();
        for (o, b) in chunk.iter_mut().zip(block.iter()) {
            *o = *b;
        }
        block.zeroize();
        let mut mac = keyed.clone();
        mac.update(&a);
        a = mac.finalize().into_bytes();
    }
    a.zeroize();
}

/// A secret or hash of up to [`MAX_HASH`] bytes, wiped when dropped.
#[derive(Clone)]
pub(crate) struct Secret {
    bytes: [u8; MAX_HASH],
    len: usize,
}

impl Secret {
    pub(crate) fn zero(len: usize) -> Self {
        Secret {
            bytes: [0; MAX_HASH],
            len: len.min(MAX_HASH),
        }
    }

    pub(crate) fn from_slice(bytes: &[u8]) -> Self {
        let mut secret = Secret::zero(bytes.len());
        let len = secret.len;
        secret
            .as_mut()
            .copy_from_slice(bytes.get(..len).unwrap_or_default());
        secret
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    pub(crate) fn as_mut(&mut self) -> &mut [u8] {
        self.bytes.get_mut(..self.len).unwrap_or_default()
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// The running hash of the handshake messages. Both hashes run until the ServerHello
/// names the suite (the ClientHello is hashed before the hash is known).
#[derive(Clone)]
pub(crate) enum Transcript {
    Both(Sha256, Sha384),
    Sha256(Sha256),
    Sha384(Sha384),
}

impl Transcript {
    pub(crate) fn new() -> Self {
        Transcript::Both(Sha256::new(), Sha384::new())
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            Transcript::Both(a, b) => {
                a.update(bytes);
                b.update(bytes);
            }
            Transcript::Sha256(h) => h.update(bytes),
            Transcript::Sha384(h) => h.update(bytes),
        }
    }

    /// Keeps only the suite's hash.
    pub(crate) fn select(&mut self, hash: HashAlgorithm) {
        let selected = match (&*self, hash) {
            (Transcript::Both(a, _), HashAlgorithm::Sha256) => Transcript::Sha256(a.clone()),
            (Transcript::Both(_, b), HashAlgorithm::Sha384) => Transcript::Sha384(b.clone()),
            _ => return,
        };
        *self = selected;
    }

    /// The hash so far with `hash` (the selected one once selected).
    pub(crate) fn current(&self, hash: HashAlgorithm) -> Secret {
        match (self, hash) {
            (Transcript::Both(a, _), HashAlgorithm::Sha256) | (Transcript::Sha256(a), _) => {
                Secret::from_slice(&a.clone().finalize())
            }
            (Transcript::Both(_, b), HashAlgorithm::Sha384) | (Transcript::Sha384(b), _) => {
                Secret::from_slice(&b.clone().finalize())
            }
        }
    }

    /// RFC 8446, 4.4.1: after a HelloRetryRequest the transcript starts again with a
    /// synthetic message_hash message holding the hash of the first ClientHello.
    pub(crate) fn restart_with_message_hash(&mut self, hash: HashAlgorithm) {
        let first = self.current(hash);
        let mut header = [254u8, 0, 0, 0];
        header[3] = first.as_bytes().len() as u8;
        *self = match hash {
            HashAlgorithm::Sha256 => Transcript::Sha256(Sha256::new()),
            HashAlgorithm::Sha384 => Transcript::Sha384(Sha384::new()),
        };
        self.update(&header);
        self.update(first.as_bytes());
    }
}

/// The AEAD of a suite and its key, expanded for each record rather than kept expanded.
///
/// AES-GCM's expanded key (the AES round keys and GHASH's key) takes 384 or 512 bytes, and
/// a connection holds two: kept expanded they made the TLS state 2.8 KiB instead of 1.8,
/// on a firmware's stack in every frame that holds a connection. Expanding costs a few
/// thousand instructions per record (examples/firmware/https/run.sh measures the calls).
struct Cipher {
    aead: Aead,
    key: [u8; 32],
}

impl Drop for Cipher {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

impl Cipher {
    fn new(suite: CipherSuite, key: &[u8]) -> Self {
        let mut bytes = [0u8; 32];
        for (b, k) in bytes.iter_mut().zip(key) {
            *b = *k;
        }
        Cipher {
            aead: suite.aead(),
            key: bytes,
        }
    }

    fn seal(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        data: &mut [u8],
    ) -> Result<[u8; TAG_LEN], AeadFailure> {
        let nonce = Nonce::from_slice(nonce);
        let (short, long) = (self.key.get(..16).unwrap_or_default(), &self.key[..]);
        let tag = match self.aead {
            Aead::Aes128Gcm => Aes128Gcm::new_from_slice(short)
                .map_err(|_| AeadFailure)?
                .encrypt_in_place_detached(nonce, aad, data),
            Aead::Aes256Gcm => Aes256Gcm::new_from_slice(long)
                .map_err(|_| AeadFailure)?
                .encrypt_in_place_detached(nonce, aad, data),
            Aead::Chacha20Poly1305 => ChaCha20Poly1305::new_from_slice(long)
                .map_err(|_| AeadFailure)?
                .encrypt_in_place_detached(nonce, aad, data),
        }
        .map_err(|_| AeadFailure)?;
        Ok(tag.into())
    }

    fn open(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        data: &mut [u8],
        tag: &[u8],
    ) -> Result<(), AeadFailure> {
        if tag.len() != TAG_LEN {
            return Err(AeadFailure);
        }
        let nonce = Nonce::from_slice(nonce);
        let tag = Tag::from_slice(tag);
        let (short, long) = (self.key.get(..16).unwrap_or_default(), &self.key[..]);
        match self.aead {
            Aead::Aes128Gcm => Aes128Gcm::new_from_slice(short)
                .map_err(|_| AeadFailure)?
                .decrypt_in_place_detached(nonce, aad, data, tag),
            Aead::Aes256Gcm => Aes256Gcm::new_from_slice(long)
                .map_err(|_| AeadFailure)?
                .decrypt_in_place_detached(nonce, aad, data, tag),
            Aead::Chacha20Poly1305 => ChaCha20Poly1305::new_from_slice(long)
                .map_err(|_| AeadFailure)?
                .decrypt_in_place_detached(nonce, aad, data, tag),
        }
        .map_err(|_| AeadFailure)
    }
}

/// One direction's record protection: cipher, IV and sequence number (RFC 8446, 5.3;
/// RFC 5246, 6.2.3.3).
pub(crate) struct RecordKey {
    cipher: Cipher,
    /// The nonce before the sequence number is XORed in. In TLS 1.2 with AES-GCM, the
    /// 4-byte salt followed by zeros: the nonce is then salt || sequence number, which is
    /// also the explicit nonce we send (as rustls does; RFC 5288, 3 leaves it to the sender).
    iv: [u8; 12],
    sequence: u64,
    /// The traffic secret these keys come from, kept for KeyUpdate (TLS 1.3 only).
    secret: Secret,
    suite: CipherSuite,
}

/// A record failed authentication, or the sequence numbers ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AeadFailure;

impl RecordKey {
    /// The key and IV derived from a traffic secret (RFC 8446, 7.3).
    pub(crate) fn new(suite: CipherSuite, secret: Secret) -> Self {
        let hash = suite.hash();
        let mut key = [0u8; 32];
        let key = key.get_mut(..suite.key_len()).unwrap_or_default();
        hash.expand_label(&secret, b"key", &[], key);
        let mut iv = [0u8; 12];
        hash.expand_label(&secret, b"iv", &[], &mut iv);
        let cipher = Cipher::new(suite, key);
        key.zeroize();
        RecordKey {
            cipher,
            iv,
            sequence: 0,
            secret,
            suite,
        }
    }

    /// TLS 1.2: one side's key and IV from the key block (RFC 5246, 6.3), which for AEAD
    /// suites holds no MAC keys: client key, server key, client IV, server IV.
    pub(crate) fn tls12(
        suite: CipherSuite,
        master: &Secret,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
        client: bool,
    ) -> Self {
        let (key_len, iv_len) = (suite.key_len(), suite.tls12_iv_len());
        let mut block = [0u8; 2 * 32 + 2 * 12];
        let block_len = 2 * (key_len + iv_len);
        let block_used = block.get_mut(..block_len).unwrap_or_default();
        prf(
            suite.hash(),
            master.as_bytes(),
            b"key expansion",
            &[server_random, client_random],
            block_used,
        );
        let (key_at, iv_at) = if client {
            (0, 2 * key_len)
        } else {
            (key_len, 2 * key_len + iv_len)
        };
        let key = block.get(key_at..key_at + key_len).unwrap_or_default();
        let cipher = Cipher::new(suite, key);
        let mut iv = [0u8; 12];
        for (i, b) in iv
            .iter_mut()
            .zip(block.get(iv_at..iv_at + iv_len).unwrap_or_default())
        {
            *i = *b;
        }
        block.zeroize();
        RecordKey {
            cipher,
            iv,
            sequence: 0,
            secret: Secret::zero(0),
            suite,
        }
    }

    #[cfg(test)]
    fn clone_for_test(&self) -> Self {
        let mut copy = RecordKey::new(self.suite, self.secret.clone());
        copy.cipher = Cipher {
            aead: self.cipher.aead,
            key: self.cipher.key,
        };
        copy.iv = self.iv;
        copy.sequence = self.sequence;
        copy
    }

    /// RFC 8446, 7.2: the next generation of this direction's traffic secret and keys.
    pub(crate) fn update(&mut self) {
        let hash = self.suite.hash();
        let mut next = Secret::zero(hash.len());
        hash.expand_label(&self.secret, b"traffic upd", &[], next.as_mut());
        *self = RecordKey::new(self.suite, next);
    }

    /// TLS 1.2: the explicit nonce in front of each record's ciphertext: 8 bytes with
    /// AES-GCM (RFC 5288, 3), none with ChaCha20-Poly1305 (RFC 7905, 2).
    pub(crate) fn explicit_nonce_len(&self) -> usize {
        match self.suite.aead() {
            Aead::Chacha20Poly1305 => 0,
            _ => 8,
        }
    }

    fn nonce(&self) -> [u8; 12] {
        let mut nonce = self.iv;
        for (n, s) in nonce.iter_mut().skip(4).zip(self.sequence.to_be_bytes()) {
            *n ^= s;
        }
        nonce
    }

    fn next(&mut self) -> Result<(), AeadFailure> {
        self.sequence = self.sequence.checked_add(1).ok_or(AeadFailure)?;
        Ok(())
    }

    /// Encrypts `data` in place with the record header `aad`, returning the tag.
    pub(crate) fn seal(
        &mut self,
        aad: &[u8],
        data: &mut [u8],
    ) -> Result<[u8; TAG_LEN], AeadFailure> {
        let tag = self.cipher.seal(&self.nonce(), aad, data)?;
        self.next()?;
        Ok(tag)
    }

    /// Decrypts `data` in place and checks `tag`.
    pub(crate) fn open(
        &mut self,
        aad: &[u8],
        data: &mut [u8],
        tag: &[u8],
    ) -> Result<(), AeadFailure> {
        self.cipher.open(&self.nonce(), aad, data, tag)?;
        self.next()
    }

    /// TLS 1.2's additional data (RFC 5246, 6.2.3.3): seq_num, type, version, length.
    fn tls12_aad(&self, kind: u8, version: u16, len: usize) -> [u8; 13] {
        let mut aad = [0u8; 13];
        let [v0, v1] = version.to_be_bytes();
        let [l0, l1] = (len as u16).to_be_bytes();
        for (a, b) in aad.iter_mut().zip(
            self.sequence
                .to_be_bytes()
                .into_iter()
                .chain([kind, v0, v1, l0, l1]),
        ) {
            *a = b;
        }
        aad
    }

    /// TLS 1.2: encrypts a record body in place: `body` is the explicit nonce's room
    /// followed by the plaintext. Returns the tag, to follow it.
    pub(crate) fn seal_tls12(
        &mut self,
        kind: u8,
        body: &mut [u8],
    ) -> Result<[u8; TAG_LEN], AeadFailure> {
        let nonce = self.nonce();
        let explicit = self.explicit_nonce_len();
        let (prefix, data) = body.split_at_mut_checked(explicit).ok_or(AeadFailure)?;
        for (p, n) in prefix.iter_mut().zip(nonce.iter().skip(4)) {
            *p = *n;
        }
        let aad = self.tls12_aad(kind, 0x0303, data.len());
        let tag = self.cipher.seal(&nonce, &aad, data)?;
        self.next()?;
        Ok(tag)
    }

    /// TLS 1.2: decrypts a record body (explicit nonce, ciphertext, tag) of a record with
    /// this type and version in place; returns where the plaintext lies in `body`.
    pub(crate) fn open_tls12(
        &mut self,
        kind: u8,
        version: u16,
        body: &mut [u8],
    ) -> Result<core::ops::Range<usize>, AeadFailure> {
        let explicit = self.explicit_nonce_len();
        let len = body
            .len()
            .checked_sub(explicit + TAG_LEN)
            .ok_or(AeadFailure)?;
        let mut nonce = self.nonce();
        let (prefix, rest) = body.split_at_mut(explicit);
        // The sender chooses the explicit nonce (RFC 5288, 3): take it as it came.
        for (n, p) in nonce.iter_mut().skip(4).zip(prefix.iter()) {
            *n = *p;
        }
        let aad = self.tls12_aad(kind, version, len);
        let (data, tag) = rest.split_at_mut(len);
        self.cipher.open(&nonce, &aad, data, tag)?;
        self.next()?;
        Ok(explicit..explicit + len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The TLS 1.2 PRF test vectors posted to the IETF TLS list
    /// (https://www.ietf.org/mail-archive/web/tls/current/msg03416.html), 100 bytes with
    /// SHA-256 and 148 with SHA-384; the same outputs come from OpenSSL's
    /// `openssl kdf -keylen N -kdfopt digest:SHA256 -kdfopt hexsecret:.. -kdfopt hexseed:..
    /// TLS1-PRF` (label and seed concatenated).
    #[test]
    fn tls12_prf_of_the_published_vectors() {
        for (hash, secret, seed, expected) in [
            (
                HashAlgorithm::Sha256,
                "9bbe436ba940f017b17652849a71db35",
                "a0ba9f936cda311827a6f796ffd5198c",
                "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66",
            ),
            (
                HashAlgorithm::Sha384,
                "b80b733d6ceefcdc71566ea48e5567df",
                "cd665cf6a8447dd6ff8b27555edb7465",
                "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f",
            ),
        ] {
            let expected = hex::decode(expected).unwrap();
            let mut out = vec![0u8; expected.len()];
            let seed = hex::decode(seed).unwrap();
            prf(
                hash,
                &hex::decode(secret).unwrap(),
                b"test label",
                &[&seed],
                &mut out,
            );
            assert_eq!(out, expected, "{hash:?}");
            // The seed in two parts (server random, client random) is the same seed.
            let (a, b) = seed.split_at(5);
            prf(
                hash,
                &hex::decode(secret).unwrap(),
                b"test label",
                &[a, b],
                &mut out,
            );
            assert_eq!(out, expected, "{hash:?}");
        }
    }

    /// TLS 1.2 records: AES-GCM sends the sequence number as its explicit nonce (RFC 5288,
    /// 3), ChaCha20-Poly1305 none (RFC 7905, 2); what one side seals the other opens, and
    /// a changed header byte (in the additional data) or a replay fails.
    #[test]
    fn tls12_records_seal_and_open() {
        let master = Secret::from_slice(&[7; 48]);
        for suite in CipherSuite::TLS12 {
            let mut client = RecordKey::tls12(suite, &master, &[1; 32], &[2; 32], true);
            let mut server_view = RecordKey::tls12(suite, &master, &[1; 32], &[2; 32], true);
            let mut other = RecordKey::tls12(suite, &master, &[1; 32], &[2; 32], false);
            let explicit = client.explicit_nonce_len();
            assert_eq!(
                explicit,
                if suite.aead() == Aead::Chacha20Poly1305 {
                    0
                } else {
                    8
                }
            );
            for sequence in 0..3u64 {
                let mut body = vec![0u8; explicit];
                body.extend_from_slice(b"GET / HTTP/1.1");
                let tag = client.seal_tls12(23, &mut body).unwrap();
                assert_eq!(&body[..explicit], &sequence.to_be_bytes()[..explicit]);
                body.extend_from_slice(&tag);
                let mut wrong_type = body.clone();
                assert!(
                    other
                        .open_tls12(23, 0x0303, &mut wrong_type.clone())
                        .is_err()
                );
                let mut copy = server_view.clone_for_test();
                assert!(copy.open_tls12(22, 0x0303, &mut wrong_type).is_err());
                let plain = server_view.open_tls12(23, 0x0303, &mut body).unwrap();
                assert_eq!(&body[plain], b"GET / HTTP/1.1");
            }
        }
    }

    /// RFC 8448, 3: the early secret of a handshake without PSK and its "derived" secret.
    #[test]
    fn early_secret_of_rfc_8448() {
        let hash = HashAlgorithm::Sha256;
        let early = hash.extract(&[0], &[0; 32]);
        assert_eq!(
            hex::encode(early.as_bytes()),
            "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"
        );
        let derived = hash.derive_secret(&early, b"derived", &hash.digest(b""));
        assert_eq!(
            hex::encode(derived.as_bytes()),
            "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba"
        );
    }
}
