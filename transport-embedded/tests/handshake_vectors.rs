//! The verifier over recorded handshakes (`juspay_sandbox::certificates::RECORDED`, the ones the firmware
//! verifies under QEMU) and freshly made ones: accepted as recorded, refused when any part
//! is changed.

use juspay_sandbox::certificates::{ChainKeys, RECORDED, SignedHandshake};
use juspay_transport_embedded::handshake_vector::{self, HandshakeVector};
use juspay_transport_embedded::host::wall_clock;
use juspay_transport_embedded::webpki;
use juspay_transport_embedded::{
    CertificateDer, CertificateError, CertificateTime, ServerName, Verifier, trust_anchor,
};

/// Verifies `bytes` (a vector) for `name` at `time`, trusting its own root.
fn verify(bytes: &[u8], name: &str, time: CertificateTime) -> Result<(), CertificateError> {
    let vector: HandshakeVector<'_> = handshake_vector::parse(bytes).expect("a whole vector");
    let root = CertificateDer::from(vector.root);
    let anchors = [trust_anchor(&root).unwrap()];
    let mut verifier = Verifier::new(&anchors, ServerName::try_from(name).unwrap(), time);
    vector.verify(&mut verifier)
}

fn fresh() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "fresh p256",
            SignedHandshake::make(ChainKeys::P256).encode(),
        ),
        (
            "fresh rsa2048",
            SignedHandshake::make(ChainKeys::Rsa2048).encode(),
        ),
    ]
}

#[test]
fn recorded_and_fresh_handshakes_verify() {
    let recorded = RECORDED.map(|(name, bytes)| (name, bytes.to_vec()));
    for (name, bytes) in recorded.into_iter().chain(fresh()) {
        assert_eq!(verify(&bytes, "localhost", wall_clock()), Ok(()), "{name}");
    }
}

#[test]
fn a_changed_signature_or_transcript_is_refused() {
    for (name, bytes) in fresh() {
        let vector = handshake_vector::parse(&bytes).unwrap();
        let signature_at = 4 + vector.signature.len() / 2;
        let transcript_at = 4 + vector.signature.len() + 2;
        for at in [signature_at, transcript_at] {
            let mut changed = bytes.clone();
            changed[at] ^= 1;
            assert_eq!(
                verify(&changed, "localhost", wall_clock()),
                Err(CertificateError::BadSignature),
                "{name}, byte {at}"
            );
        }
    }
}

#[test]
fn another_name_or_a_time_outside_validity_is_refused() {
    for (name, bytes) in fresh() {
        let result = verify(&bytes, "elsewhere.example", wall_clock());
        assert!(
            matches!(
                result,
                Err(CertificateError::Invalid(
                    webpki::Error::CertNotValidForName(_)
                ))
            ),
            "{name}: {result:?}"
        );
        // Valid from 2026-01-01: not in 2025, whatever the floor says of a clock-less device.
        let result = verify(&bytes, "localhost", CertificateTime::Now(1_750_000_000));
        assert!(
            matches!(
                result,
                Err(CertificateError::Invalid(
                    webpki::Error::CertNotValidYet { .. }
                ))
            ),
            "{name}: {result:?}"
        );
        assert_eq!(
            verify(&bytes, "localhost", CertificateTime::AtLeast(1_750_000_000)),
            Ok(())
        );
    }
}

#[test]
fn a_cut_vector_is_not_read() {
    let (_, bytes) = RECORDED[0];
    for length in [0, 1, 3, 10, bytes.len() - 1] {
        assert!(
            handshake_vector::parse(&bytes[..length]).is_none(),
            "{length}"
        );
    }
}
