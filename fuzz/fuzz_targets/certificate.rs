//! The certificate verifier fed arbitrary handshakes in the format of
//! `tests/vectors/handshakes/` (root, Certificate message, CertificateVerify, transcript),
//! seeded with those files: never a panic, and `verified()` agrees with the two steps.
#![no_main]

use juspay_transport_embedded::handshake_vector;
use juspay_transport_embedded::{
    CertificateDer, CertificateTime, ServerName, Verifier, trust_anchor,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(vector) = handshake_vector::parse(data) else {
        return;
    };
    let root = CertificateDer::from(vector.root);
    let anchors: Vec<_> = trust_anchor(&root).into_iter().collect();
    // Both time rules, picked by the input's length so the fuzzer reaches each.
    let time = if data.len() % 2 == 0 {
        CertificateTime::Now(1_795_478_400)
    } else {
        CertificateTime::AtLeast(1_767_225_600)
    };
    let mut verifier = Verifier::new(&anchors, ServerName::try_from("localhost").unwrap(), time);
    let result = vector.verify(&mut verifier);
    assert_eq!(result.is_ok(), verifier.verified().is_ok());
});
