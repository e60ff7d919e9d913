//! How long one verification takes with each kind of key, on this machine. Ignored by
//! default (it measures, it does not check); in release mode:
//!
//! `cargo test --release -p juspay-tls --test signature_timing -- --ignored --nocapture`

use std::time::{Duration, Instant};

use juspay_tls::signature;
use rustls_pki_types::SignatureVerificationAlgorithm;

const MESSAGE: &[u8] = b"juspay signature test";

/// One verification to time: what it is, the algorithm, the key as webpki passes it, and
/// a good signature on MESSAGE.
type Case<'a> = (
    &'a str,
    &'a dyn SignatureVerificationAlgorithm,
    &'a [u8],
    &'a [u8],
);

/// Verifies `signature` repeatedly for about half a second (at least 10 times) and
/// returns the mean time of one verification.
fn time_one_verification(
    algorithm: &dyn SignatureVerificationAlgorithm,
    public_key: &[u8],
    signature: &[u8],
) -> Duration {
    assert!(
        algorithm
            .verify_signature(public_key, MESSAGE, signature)
            .is_ok(),
        "{algorithm:?}"
    );
    let start = Instant::now();
    let mut runs = 0u32;
    while runs < 10 || start.elapsed() < Duration::from_millis(500) {
        let verified = algorithm.verify_signature(
            std::hint::black_box(public_key),
            std::hint::black_box(MESSAGE),
            std::hint::black_box(signature),
        );
        assert!(verified.is_ok());
        runs += 1;
    }
    start.elapsed() / runs
}

#[test]
#[ignore = "measures time; run with --ignored --nocapture, in release mode"]
fn one_verification_of_each_kind() {
    use p256::ecdsa::signature::Signer as _;
    let p256_key = p256::ecdsa::SigningKey::from_slice(&[0x17; 32]).unwrap();
    let p256_signature: p256::ecdsa::DerSignature = p256_key.sign(MESSAGE);
    let p256_point = p256_key.verifying_key().to_encoded_point(false);
    let p384_key = p384::ecdsa::SigningKey::from_slice(&[0x29; 48]).unwrap();
    let p384_signature: p384::ecdsa::DerSignature = p384_key.sign(MESSAGE);
    let p384_point = p384_key.verifying_key().to_encoded_point(false);
    let ed25519_key = ed25519_dalek::SigningKey::from_bytes(&[0x33; 32]);
    let ed25519_signature = ed25519_dalek::Signer::sign(&ed25519_key, MESSAGE).to_bytes();
    let ed25519_public_key = ed25519_key.verifying_key().to_bytes();

    let cases: [Case; 7] = [
        (
            "RSA-2048 PKCS#1 SHA-256",
            signature::RSA_PKCS1_2048_4096_SHA256,
            include_bytes!("../src/signature/testdata/rsa2048.der"),
            include_bytes!("../src/signature/testdata/rsa2048_pkcs1_sha256.sig"),
        ),
        (
            "RSA-3072 PKCS#1 SHA-512",
            signature::RSA_PKCS1_2048_4096_SHA512,
            include_bytes!("../src/signature/testdata/rsa3072.der"),
            include_bytes!("../src/signature/testdata/rsa3072_pkcs1_sha512.sig"),
        ),
        (
            "RSA-4096 PKCS#1 SHA-512",
            signature::RSA_PKCS1_2048_4096_SHA512,
            include_bytes!("../src/signature/testdata/rsa4096.der"),
            include_bytes!("../src/signature/testdata/rsa4096_pkcs1_sha512.sig"),
        ),
        (
            "RSA-4096 PSS SHA-384",
            signature::RSA_PSS_2048_4096_SHA384_LEGACY_KEY,
            include_bytes!("../src/signature/testdata/rsa4096.der"),
            include_bytes!("../src/signature/testdata/rsa4096_pss_sha384.sig"),
        ),
        (
            "ECDSA P-256 SHA-256",
            signature::ECDSA_P256_SHA256,
            p256_point.as_bytes(),
            p256_signature.as_bytes(),
        ),
        (
            "ECDSA P-384 SHA-384",
            signature::ECDSA_P384_SHA384,
            p384_point.as_bytes(),
            p384_signature.as_bytes(),
        ),
        (
            "Ed25519",
            signature::ED25519,
            &ed25519_public_key,
            &ed25519_signature,
        ),
    ];
    if cfg!(debug_assertions) {
        eprintln!("(a debug build: run with --release for meaningful figures)");
    }
    for (what, algorithm, public_key, signature) in cases {
        let time = time_one_verification(algorithm, public_key, signature);
        eprintln!("{what:26} {:8.1} µs", time.as_secs_f64() * 1e6);
    }
}
