//! Wycheproof's P-256 ECDH vectors (`ecdh_secp256r1_ecpoint`, as `juspay_sandbox::wycheproof`
//! hands them to the Wycheproof firmware) through `juspay_tls::primitives::p256_agree` on
//! the host, that is through RustCrypto's p256, the backend every build but the Cortex-M4
//! one uses. The same policy as the firmware's: valid vectors give Wycheproof's shared
//! secret, invalid ones are refused, acceptable ones are refused or give the right secret.

use juspay_sandbox::wycheproof::{self, TestResult};
use juspay_tls::primitives::p256_agree;

#[test]
fn wycheproof_ecdh_p256() {
    let vectors = wycheproof::ecdh().unwrap();
    let mut failures = Vec::new();
    let (mut valid, mut invalid, mut acceptable) = (0, 0, 0);
    for vector in &vectors {
        let [private, public, shared] = &vector.fields;
        let outcome = p256_agree(private.as_slice().try_into().unwrap(), public);
        let right = outcome.map(|secret| secret.as_slice() == shared.as_slice());
        let pass = match vector.expected {
            TestResult::Valid => {
                valid += 1;
                right == Some(true)
            }
            TestResult::Invalid => {
                invalid += 1;
                right.is_none()
            }
            TestResult::Acceptable => {
                acceptable += 1;
                right != Some(false)
            }
        };
        if !pass {
            failures.push(format!(
                "tcId {} ({:?}): {right:?}",
                vector.tc_id, vector.expected
            ));
        }
    }
    eprintln!("valid {valid}, invalid {invalid}, acceptable {acceptable}");
    assert!(valid >= 300 && invalid >= 20, "too few vectors");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
