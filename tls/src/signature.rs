//! Signature verification without a heap, for rustls-webpki.
//!
//! Each item is a [`SignatureVerificationAlgorithm`] (rustls-pki-types) carrying the same
//! pair of `AlgorithmIdentifier`s as its counterpart in rustls-webpki's `ring` module, so
//! webpki picks it for the same certificates and TLS 1.3 `CertificateVerify` messages;
//! [`ALL`] is the list to hand to webpki. The arithmetic comes from RustCrypto: `p256`,
//! `p384`, `ed25519-dalek` and, for RSA, `crypto-bigint`'s fixed-size integers. None of it
//! allocates, so it runs on firmware.
//!
//! Every malformed key or signature is `Err(InvalidSignature)`, never a panic. RSA keys are
//! accepted only with a 2048- to 4096-bit modulus and the public exponent 65537.

use core::fmt;

use rustls_pki_types::{
    AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm, alg_id,
};
use sha2::{Sha256, Sha384, Sha512};

mod ecdsa;
#[cfg(feature = "ed25519")]
mod ed25519;
mod rsa;
mod rsa_padding;

/// The signature of a verification function: the key as webpki hands it over (the
/// contents of the SubjectPublicKeyInfo's BIT STRING), the signed message (not hashed),
/// and the signature.
type VerifyFn =
    fn(public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature>;

/// One algorithm: the identifiers webpki matches keys and signatures against, and the
/// function that verifies.
struct Algorithm {
    /// The name of the `static` holding it, for `Debug`.
    name: &'static str,
    public_key_alg_id: AlgorithmIdentifier,
    signature_alg_id: AlgorithmIdentifier,
    verify: VerifyFn,
}

impl SignatureVerificationAlgorithm for Algorithm {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        (self.verify)(public_key, message, signature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.public_key_alg_id
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature_alg_id
    }
}

impl fmt::Debug for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// ECDSA on P-256 with SHA-256 (TLS 1.3 `ecdsa_secp256r1_sha256`).
pub static ECDSA_P256_SHA256: &dyn SignatureVerificationAlgorithm = &Algorithm {
    name: "ECDSA_P256_SHA256",
    public_key_alg_id: alg_id::ECDSA_P256,
    signature_alg_id: alg_id::ECDSA_SHA256,
    verify: ecdsa::verify_p256::<Sha256>,
};

/// ECDSA on P-256 with SHA-384 (certificates only: TLS 1.3 pairs P-256 with SHA-256).
pub static ECDSA_P256_SHA384: &dyn SignatureVerificationAlgorithm = &Algorithm {
    name: "ECDSA_P256_SHA384",
    public_key_alg_id: alg_id::ECDSA_P256,
    signature_alg_id: alg_id::ECDSA_SHA384,
    verify: ecdsa::verify_p256::<Sha384>,
};

#[cfg(feature = "p384")]
/// ECDSA on P-384 with SHA-256 (certificates only: TLS 1.3 pairs P-384 with SHA-384).
pub static ECDSA_P384_SHA256: &dyn SignatureVerificationAlgorithm = &Algorithm {
    name: "ECDSA_P384_SHA256",
    public_key_alg_id: alg_id::ECDSA_P384,
    signature_alg_id: alg_id::ECDSA_SHA256,
    verify: ecdsa::verify_p384::<Sha256>,
};

#[cfg(feature = "p384")]
/// ECDSA on P-384 with SHA-384 (TLS 1.3 `ecdsa_secp384r1_sha384`).
pub static ECDSA_P384_SHA384: &dyn SignatureVerificationAlgorithm = &Algorithm {
    name: "ECDSA_P384_SHA384",
    public_key_alg_id: alg_id::ECDSA_P384,
    signature_alg_id: alg_id::ECDSA_SHA384,
    verify: ecdsa::verify_p384::<Sha384>,
};

/// Ed25519 (TLS 1.3 `ed25519`). Feature `ed25519`, on by default.
#[cfg(feature = "ed25519")]
pub static ED25519: &dyn SignatureVerificationAlgorithm = &Algorithm {
    name: "ED25519",
    public_key_alg_id: alg_id::ED25519,
    signature_alg_id: alg_id::ED25519,
    verify: ed25519::verify,
};

/// RSASSA-PKCS1-v1_5 with SHA-256 (`sha256WithRSAEncryption` certificate signatures),
/// 2048- to 4096-bit keys with exponent 65537.
pub static RSA_PKCS1_2048_4096_SHA256: &dyn SignatureVerificationAlgorithm = &Algorithm {
    name: "RSA_PKCS1_2048_4096_SHA256",
    public_key_alg_id: alg_id::RSA_ENCRYPTION,
    signature_alg_id: alg_id::RSA_PKCS1_SHA256,
    verify: rsa::verify_pkcs1_v15::<Sha256>,
};

/// RSASSA-PKCS1-v1_5 with SHA-384 (`sha384WithRSAEncryption` certificate signatures),
/// 2048- to 4096-bit keys with exponent 65537.
pub static RSA_PKCS1_2048_4096_SHA384: &dyn SignatureVerificationAlgorithm = &Algorithm {
    name: "RSA_PKCS1_2048_4096_SHA384",
    public_key_alg_id: alg_id::RSA_ENCRYPTION,
    signature_alg_id: alg_id::RSA_PKCS1_SHA384,
    verify: rsa::verify_pkcs1_v15::<Sha384>,
};

/// RSASSA-PKCS1-v1_5 with SHA-512 (`sha512WithRSAEncryption` certificate signatures),
/// 2048- to 4096-bit keys with exponent 65537.
pub static RSA_PKCS1_2048_4096_SHA512: &dyn SignatureVerificationAlgorithm = &Algorithm {
    name: "RSA_PKCS1_2048_4096_SHA512",
    public_key_alg_id: alg_id::RSA_ENCRYPTION,
    signature_alg_id: alg_id::RSA_PKCS1_SHA512,
    verify: rsa::verify_pkcs1_v15::<Sha512>,
};

/// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt, for keys of type
/// `rsaEncryption` (TLS 1.3 `rsa_pss_rsae_sha256`, and certificates signed so), 2048- to
/// 4096-bit keys with exponent 65537.
pub static RSA_PSS_2048_4096_SHA256_LEGACY_KEY: &dyn SignatureVerificationAlgorithm = &Algorithm {
    name: "RSA_PSS_2048_4096_SHA256_LEGACY_KEY",
    public_key_alg_id: alg_id::RSA_ENCRYPTION,
    signature_alg_id: alg_id::RSA_PSS_SHA256,
    verify: rsa::verify_pss::<Sha256>,
};

/// RSASSA-PSS with SHA-384, MGF1-SHA-384 and a 48-byte salt, for keys of type
/// `rsaEncryption` (TLS 1.3 `rsa_pss_rsae_sha384`, and certificates signed so), 2048- to
/// 4096-bit keys with exponent 65537.
pub static RSA_PSS_2048_4096_SHA384_LEGACY_KEY: &dyn SignatureVerificationAlgorithm = &Algorithm {
    name: "RSA_PSS_2048_4096_SHA384_LEGACY_KEY",
    public_key_alg_id: alg_id::RSA_ENCRYPTION,
    signature_alg_id: alg_id::RSA_PSS_SHA384,
    verify: rsa::verify_pss::<Sha384>,
};

/// RSASSA-PSS with SHA-512, MGF1-SHA-512 and a 64-byte salt, for keys of type
/// `rsaEncryption` (TLS 1.3 `rsa_pss_rsae_sha512`, and certificates signed so), 2048- to
/// 4096-bit keys with exponent 65537.
pub static RSA_PSS_2048_4096_SHA512_LEGACY_KEY: &dyn SignatureVerificationAlgorithm = &Algorithm {
    name: "RSA_PSS_2048_4096_SHA512_LEGACY_KEY",
    public_key_alg_id: alg_id::RSA_ENCRYPTION,
    signature_alg_id: alg_id::RSA_PSS_SHA512,
    verify: rsa::verify_pss::<Sha512>,
};

/// Every algorithm above that the enabled features provide: the list to give webpki.
pub static ALL: &[&dyn SignatureVerificationAlgorithm] = &[
    ECDSA_P256_SHA256,
    ECDSA_P256_SHA384,
    #[cfg(feature = "p384")]
    ECDSA_P384_SHA256,
    #[cfg(feature = "p384")]
    ECDSA_P384_SHA384,
    #[cfg(feature = "ed25519")]
    ED25519,
    RSA_PKCS1_2048_4096_SHA256,
    RSA_PKCS1_2048_4096_SHA384,
    RSA_PKCS1_2048_4096_SHA512,
    RSA_PSS_2048_4096_SHA256_LEGACY_KEY,
    RSA_PSS_2048_4096_SHA384_LEGACY_KEY,
    RSA_PSS_2048_4096_SHA512_LEGACY_KEY,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Each of our algorithms beside rustls-webpki's ring counterpart (the RSA ones there
    /// accept up to 8192 bits; the identifiers are what matters).
    static WITH_RING_COUNTERPARTS: &[(
        &dyn SignatureVerificationAlgorithm,
        &dyn SignatureVerificationAlgorithm,
    )] = &[
        (ECDSA_P256_SHA256, webpki::ring::ECDSA_P256_SHA256),
        (ECDSA_P256_SHA384, webpki::ring::ECDSA_P256_SHA384),
        #[cfg(feature = "p384")]
        (ECDSA_P384_SHA256, webpki::ring::ECDSA_P384_SHA256),
        #[cfg(feature = "p384")]
        (ECDSA_P384_SHA384, webpki::ring::ECDSA_P384_SHA384),
        #[cfg(feature = "ed25519")]
        (ED25519, webpki::ring::ED25519),
        (
            RSA_PKCS1_2048_4096_SHA256,
            webpki::ring::RSA_PKCS1_2048_8192_SHA256,
        ),
        (
            RSA_PKCS1_2048_4096_SHA384,
            webpki::ring::RSA_PKCS1_2048_8192_SHA384,
        ),
        (
            RSA_PKCS1_2048_4096_SHA512,
            webpki::ring::RSA_PKCS1_2048_8192_SHA512,
        ),
        (
            RSA_PSS_2048_4096_SHA256_LEGACY_KEY,
            webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        ),
        (
            RSA_PSS_2048_4096_SHA384_LEGACY_KEY,
            webpki::ring::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        ),
        (
            RSA_PSS_2048_4096_SHA512_LEGACY_KEY,
            webpki::ring::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
        ),
    ];

    /// Whether `a` and `b` are the same algorithm: same name and identifiers. (Not by
    /// address: the values behind the statics are promoted constants, which the compiler
    /// may duplicate.)
    fn same(
        a: &dyn SignatureVerificationAlgorithm,
        b: &dyn SignatureVerificationAlgorithm,
    ) -> bool {
        format!("{a:?}") == format!("{b:?}")
            && a.public_key_alg_id() == b.public_key_alg_id()
            && a.signature_alg_id() == b.signature_alg_id()
    }

    #[test]
    fn identifiers_are_those_of_the_ring_counterparts() {
        for (ours, ring) in WITH_RING_COUNTERPARTS {
            assert_eq!(
                ours.public_key_alg_id(),
                ring.public_key_alg_id(),
                "{ours:?}"
            );
            assert_eq!(ours.signature_alg_id(), ring.signature_alg_id(), "{ours:?}");
        }
    }

    #[test]
    fn all_holds_each_algorithm_exactly_once() {
        assert_eq!(ALL.len(), WITH_RING_COUNTERPARTS.len());
        for (algorithm, _) in WITH_RING_COUNTERPARTS {
            let occurrences = ALL
                .iter()
                .filter(|listed| same(**listed, *algorithm))
                .count();
            assert_eq!(occurrences, 1, "{algorithm:?}");
        }
        // And no two of them claim the same signatures.
        for (i, a) in ALL.iter().enumerate() {
            for b in ALL.iter().skip(i + 1) {
                let key_and_signature = |x: &dyn SignatureVerificationAlgorithm| {
                    (x.public_key_alg_id(), x.signature_alg_id())
                };
                assert_ne!(key_and_signature(*a), key_and_signature(*b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn debug_names_the_static() {
        assert_eq!(format!("{ECDSA_P256_SHA256:?}"), "ECDSA_P256_SHA256");
        assert_eq!(
            format!("{RSA_PSS_2048_4096_SHA512_LEGACY_KEY:?}"),
            "RSA_PSS_2048_4096_SHA512_LEGACY_KEY"
        );
    }
}
