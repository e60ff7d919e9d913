//! Ed25519 with `ed25519-dalek`.

use ed25519_dalek::{Signature, VerifyingKey};
use rustls_pki_types::InvalidSignature;

/// Verifies an Ed25519 signature (64 bytes) by the 32-byte `public_key` on `message`.
///
/// `verify_strict` rather than `verify`: it also refuses small-order keys and the
/// signatures they allow for many messages at once. A certificate's key has no reason to
/// be one.
pub(super) fn verify(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), InvalidSignature> {
    let public_key = public_key.try_into().map_err(|_| InvalidSignature)?;
    let key = VerifyingKey::from_bytes(public_key).map_err(|_| InvalidSignature)?;
    let signature = Signature::from_slice(signature).map_err(|_| InvalidSignature)?;
    key.verify_strict(message, &signature)
        .map_err(|_| InvalidSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8032 section 7.1, TEST 2: a one-byte message.
    const PUBLIC_KEY: [u8; 32] = [
        0x3d, 0x40, 0x17, 0xc3, 0xe8, 0x43, 0x89, 0x5a, 0x92, 0xb7, 0x0a, 0xa7, 0x4d, 0x1b, 0x7e,
        0xbc, 0x9c, 0x98, 0x2c, 0xcf, 0x2e, 0xc4, 0x96, 0x8c, 0xc0, 0xcd, 0x55, 0xf1, 0x2a, 0xf4,
        0x66, 0x0c,
    ];
    const MESSAGE: [u8; 1] = [0x72];
    const SIGNATURE: [u8; 64] = [
        0x92, 0xa0, 0x09, 0xa9, 0xf0, 0xd4, 0xca, 0xb8, 0x72, 0x0e, 0x82, 0x0b, 0x5f, 0x64, 0x25,
        0x40, 0xa2, 0xb2, 0x7b, 0x54, 0x16, 0x50, 0x3f, 0x8f, 0xb3, 0x76, 0x22, 0x23, 0xeb, 0xdb,
        0x69, 0xda, 0x08, 0x5a, 0xc1, 0xe4, 0x3e, 0x15, 0x99, 0x6e, 0x45, 0x8f, 0x36, 0x13, 0xd0,
        0xf1, 0x1d, 0x8c, 0x38, 0x7b, 0x2e, 0xae, 0xb4, 0x30, 0x2a, 0xee, 0xb0, 0x0d, 0x29, 0x16,
        0x12, 0xbb, 0x0c, 0x00,
    ];

    #[test]
    fn rfc_8032_vector_verifies() {
        assert!(verify(&PUBLIC_KEY, &MESSAGE, &SIGNATURE).is_ok());
    }

    #[test]
    fn another_message_is_refused() {
        assert!(verify(&PUBLIC_KEY, &[0x73], &SIGNATURE).is_err());
        assert!(verify(&PUBLIC_KEY, &[], &SIGNATURE).is_err());
    }

    #[test]
    fn wrong_lengths_are_refused() {
        assert!(verify(&PUBLIC_KEY[..31], &MESSAGE, &SIGNATURE).is_err());
        assert!(verify(&[], &MESSAGE, &SIGNATURE).is_err());
        assert!(verify(&PUBLIC_KEY, &MESSAGE, &SIGNATURE[..63]).is_err());
        let mut long = [0u8; 65];
        long[..64].copy_from_slice(&SIGNATURE);
        assert!(verify(&PUBLIC_KEY, &MESSAGE, &long).is_err());
    }

    #[test]
    fn s_of_the_group_order_or_more_is_refused() {
        // S + L, where L = 2^252 + 27742317777372353535851937790883648493: the same
        // signature in a non-canonical form (malleability).
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x10,
        ];
        let mut malleated = SIGNATURE;
        let mut carry = 0u16;
        for (byte, l) in malleated[32..].iter_mut().zip(L) {
            let sum = u16::from(*byte) + u16::from(l) + carry;
            *byte = sum as u8;
            carry = sum >> 8;
        }
        assert!(verify(&PUBLIC_KEY, &MESSAGE, &malleated).is_err());
    }

    #[test]
    fn small_order_keys_are_refused() {
        // The identity point as a key, with a signature (R = identity, S = 0) that the
        // cofactorless equation accepts for every message.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let mut signature = [0u8; 64];
        signature[0] = 1;
        assert!(verify(&identity, &MESSAGE, &signature).is_err());
        assert!(verify(&identity, b"anything", &signature).is_err());
    }
}
