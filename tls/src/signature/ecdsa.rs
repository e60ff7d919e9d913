//! ECDSA on P-256 and P-384 with RustCrypto's `p256` and `p384`.
//!
//! The message is hashed here with the hash the signature algorithm names and verified as
//! a prehash, so the pairs TLS 1.3 does not use (P-256 with SHA-384, P-384 with SHA-256,
//! both seen in certificates) work the same way as the usual ones: ECDSA takes the
//! leftmost bits of any hash as its integer.

use rustls_pki_types::InvalidSignature;
use sha2::Digest;

/// The first byte of an uncompressed SEC1 point. Like ring (and so webpki's own
/// algorithms), we accept only that form: RFC 5480 makes it the one every implementation
/// must support, and accepting one encoding leaves nothing to disagree about.
const UNCOMPRESSED_POINT: u8 = 0x04;

/// Verifies a DER-encoded ECDSA signature by the uncompressed P-256 point `public_key` on
/// the `D` hash of `message`, with P256-Cortex-M4's assembly (feature `p256-cortex-m4` on
/// ARM targets): about 1.2 M cycles where RustCrypto's portable p256 takes about 14 M.
#[cfg(all(feature = "p256-cortex-m4", target_arch = "arm", target_os = "none"))]
pub(super) fn verify_p256<D: Digest>(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), InvalidSignature> {
    if public_key.len() != 65 || public_key.first() != Some(&UNCOMPRESSED_POINT) {
        return Err(InvalidSignature);
    }
    let key =
        p256_cortex_m4::PublicKey::from_sec1_bytes(public_key).map_err(|_| InvalidSignature)?;
    // The DER parsing and its r, s range checks stay RustCrypto's.
    let signature = p256::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
    let signature = p256_cortex_m4::Signature::from_untagged_bytes(&signature.to_bytes())
        .map_err(|_| InvalidSignature)?;
    // The leftmost 256 bits of a longer hash are used, as ECDSA does.
    if key.verify_prehashed(&D::digest(message), &signature) {
        Ok(())
    } else {
        Err(InvalidSignature)
    }
}

/// Verifies a DER-encoded ECDSA signature by the uncompressed P-256 point `public_key` on
/// the `D` hash of `message`.
#[cfg(not(all(feature = "p256-cortex-m4", target_arch = "arm", target_os = "none")))]
pub(super) fn verify_p256<D: Digest>(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), InvalidSignature> {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    use p256::ecdsa::{Signature, VerifyingKey};
    if public_key.first() != Some(&UNCOMPRESSED_POINT) {
        return Err(InvalidSignature);
    }
    let key = VerifyingKey::from_sec1_bytes(public_key).map_err(|_| InvalidSignature)?;
    let signature = Signature::from_der(signature).map_err(|_| InvalidSignature)?;
    key.verify_prehash(&D::digest(message), &signature)
        .map_err(|_| InvalidSignature)
}

#[cfg(feature = "p384")]
/// Verifies a DER-encoded ECDSA signature by the uncompressed P-384 point `public_key` on
/// the `D` hash of `message`.
pub(super) fn verify_p384<D: Digest>(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), InvalidSignature> {
    use p384::ecdsa::signature::hazmat::PrehashVerifier;
    use p384::ecdsa::{Signature, VerifyingKey};
    if public_key.first() != Some(&UNCOMPRESSED_POINT) {
        return Err(InvalidSignature);
    }
    let key = VerifyingKey::from_sec1_bytes(public_key).map_err(|_| InvalidSignature)?;
    let signature = Signature::from_der(signature).map_err(|_| InvalidSignature)?;
    key.verify_prehash(&D::digest(message), &signature)
        .map_err(|_| InvalidSignature)
}

#[cfg(all(test, feature = "p384"))]
mod tests {
    use super::*;
    use sha2::{Sha256, Sha384};

    const MESSAGE: &[u8] = b"juspay signature test";

    /// A P-256 key pair from a fixed scalar, and its signature on MESSAGE's `D` hash:
    /// (uncompressed point, compressed point, DER signature).
    fn p256_case<D: Digest>() -> ([u8; 65], [u8; 33], p256::ecdsa::DerSignature) {
        use p256::ecdsa::{Signature, SigningKey, signature::hazmat::PrehashSigner};
        let signing = SigningKey::from_slice(&[0x17; 32]).unwrap();
        let signature: Signature = signing.sign_prehash(&D::digest(MESSAGE)).unwrap();
        let point = signing.verifying_key().to_encoded_point(false);
        let compressed = signing.verifying_key().to_encoded_point(true);
        (
            point.as_bytes().try_into().unwrap(),
            compressed.as_bytes().try_into().unwrap(),
            signature.to_der(),
        )
    }

    /// The same for P-384.
    fn p384_case<D: Digest>() -> ([u8; 97], [u8; 49], p384::ecdsa::DerSignature) {
        use p384::ecdsa::{Signature, SigningKey, signature::hazmat::PrehashSigner};
        let signing = SigningKey::from_slice(&[0x29; 48]).unwrap();
        let signature: Signature = signing.sign_prehash(&D::digest(MESSAGE)).unwrap();
        let point = signing.verifying_key().to_encoded_point(false);
        let compressed = signing.verifying_key().to_encoded_point(true);
        (
            point.as_bytes().try_into().unwrap(),
            compressed.as_bytes().try_into().unwrap(),
            signature.to_der(),
        )
    }

    #[test]
    fn good_signatures_verify_for_each_curve_and_hash() {
        let (key, _, signature) = p256_case::<Sha256>();
        assert!(verify_p256::<Sha256>(&key, MESSAGE, signature.as_bytes()).is_ok());
        let (key, _, signature) = p256_case::<Sha384>();
        assert!(verify_p256::<Sha384>(&key, MESSAGE, signature.as_bytes()).is_ok());
        let (key, _, signature) = p384_case::<Sha256>();
        assert!(verify_p384::<Sha256>(&key, MESSAGE, signature.as_bytes()).is_ok());
        let (key, _, signature) = p384_case::<Sha384>();
        assert!(verify_p384::<Sha384>(&key, MESSAGE, signature.as_bytes()).is_ok());
    }

    #[test]
    fn the_hash_is_the_one_the_algorithm_names() {
        let (key, _, signature) = p256_case::<Sha384>();
        assert!(verify_p256::<Sha256>(&key, MESSAGE, signature.as_bytes()).is_err());
        let (key, _, signature) = p384_case::<Sha256>();
        assert!(verify_p384::<Sha384>(&key, MESSAGE, signature.as_bytes()).is_err());
    }

    #[test]
    fn another_message_or_curve_is_refused() {
        let (key, _, signature) = p256_case::<Sha256>();
        assert!(
            verify_p256::<Sha256>(&key, b"juspay signature tesT", signature.as_bytes()).is_err()
        );
        let (p384_key, _, _) = p384_case::<Sha256>();
        assert!(verify_p384::<Sha256>(&p384_key, MESSAGE, signature.as_bytes()).is_err());
        assert!(verify_p256::<Sha256>(&p384_key, MESSAGE, signature.as_bytes()).is_err());
    }

    #[test]
    fn compressed_points_are_refused() {
        let (_, compressed, signature) = p256_case::<Sha256>();
        assert!(verify_p256::<Sha256>(&compressed, MESSAGE, signature.as_bytes()).is_err());
        let (_, compressed, signature) = p384_case::<Sha384>();
        assert!(verify_p384::<Sha384>(&compressed, MESSAGE, signature.as_bytes()).is_err());
    }

    #[test]
    fn malformed_keys_and_signatures_are_refused() {
        let (key, _, signature) = p256_case::<Sha256>();
        let signature = signature.as_bytes();
        // Truncated key, the point at infinity, a point off the curve.
        assert!(verify_p256::<Sha256>(&key[..64], MESSAGE, signature).is_err());
        assert!(verify_p256::<Sha256>(&[0x00], MESSAGE, signature).is_err());
        let mut off_curve = key;
        off_curve[64] ^= 1;
        assert!(verify_p256::<Sha256>(&off_curve, MESSAGE, signature).is_err());
        assert!(verify_p256::<Sha256>(&[], MESSAGE, signature).is_err());
        // A signature that is truncated, has a byte after the DER, or is raw r || s.
        assert!(verify_p256::<Sha256>(&key, MESSAGE, &signature[..signature.len() - 1]).is_err());
        let mut trailing = [0u8; 80];
        trailing[..signature.len()].copy_from_slice(signature);
        assert!(verify_p256::<Sha256>(&key, MESSAGE, &trailing[..signature.len() + 1]).is_err());
        let raw = p256::ecdsa::Signature::from_der(signature)
            .unwrap()
            .to_bytes();
        assert!(verify_p256::<Sha256>(&key, MESSAGE, &raw).is_err());
        assert!(verify_p256::<Sha256>(&key, MESSAGE, &[]).is_err());
    }
}
