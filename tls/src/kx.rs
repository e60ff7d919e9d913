//! Ephemeral key exchange (RFC 8446, 4.2.7-4.2.8 and 7.4): X25519 (RFC 7748) and
//! secp256r1, each a step of its own for the state machine. P-256 comes from RustCrypto's
//! portable `p256`, or with feature `p256-cortex-m4` from P256-Cortex-M4's assembly.

use zeroize::Zeroize;

/// A key-exchange group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Group {
    /// x25519 (0x001d).
    X25519,
    /// secp256r1 (0x0017).
    Secp256r1,
}

impl Group {
    /// Every group, in the order listed in supported_groups.
    pub const ALL: [Group; 2] = [Group::X25519, Group::Secp256r1];

    /// The IANA code point.
    pub const fn code(self) -> u16 {
        match self {
            Group::X25519 => 0x001d,
            Group::Secp256r1 => 0x0017,
        }
    }

    pub(crate) fn from_code(code: u16) -> Option<Self> {
        Group::ALL.into_iter().find(|g| g.code() == code)
    }

    /// The length of a key share: a Montgomery u-coordinate, or an uncompressed point
    /// (RFC 8446, 4.2.8.2: the only form TLS 1.3 allows).
    pub(crate) fn share_len(self) -> usize {
        match self {
            Group::X25519 => 32,
            Group::Secp256r1 => 65,
        }
    }
}

/// The longest key share.
pub(crate) const MAX_SHARE: usize = 65;

/// The peer's share is not a valid point, or the shared secret is degenerate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BadShare;

/// An ephemeral private key and its public share.
pub(crate) struct KeyPair {
    group: Group,
    secret: [u8; 32],
    public: [u8; MAX_SHARE],
}

impl Drop for KeyPair {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

impl KeyPair {
    /// Makes a key pair from 32 random bytes; `None` for the rare P-256 values outside
    /// 1..n-1 (the caller draws again).
    pub(crate) fn generate(group: Group, mut random: [u8; 32]) -> Option<Self> {
        let mut public = [0u8; MAX_SHARE];
        let ok = match group {
            Group::X25519 => {
                let point = curve25519_dalek::MontgomeryPoint::mul_base_clamped(random);
                if let Some(out) = public.get_mut(..32) {
                    out.copy_from_slice(point.as_bytes());
                }
                true
            }
            Group::Secp256r1 => p256_backend::public_key(&random, &mut public),
        };
        let pair = ok.then_some(KeyPair {
            group,
            secret: random,
            public,
        });
        random.zeroize();
        pair
    }

    pub(crate) fn group(&self) -> Group {
        self.group
    }

    pub(crate) fn public(&self) -> &[u8] {
        self.public
            .get(..self.group.share_len())
            .unwrap_or_default()
    }

    /// The shared secret with the peer's share (RFC 8446, 7.4): X25519's output, or the
    /// P-256 point's x-coordinate.
    pub(crate) fn agree(&self, peer: &[u8]) -> Result<[u8; 32], BadShare> {
        if peer.len() != self.group.share_len() {
            return Err(BadShare);
        }
        match self.group {
            Group::X25519 => {
                let mut u = [0u8; 32];
                u.copy_from_slice(peer);
                let shared = curve25519_dalek::MontgomeryPoint(u).mul_clamped(self.secret);
                // RFC 8446, 7.4.2: an all-zero output means a small-order point.
                if shared.as_bytes().iter().all(|b| *b == 0) {
                    return Err(BadShare);
                }
                Ok(shared.to_bytes())
            }
            Group::Secp256r1 => p256_backend::agree(&self.secret, peer),
        }
    }
}

#[cfg(not(all(feature = "p256-cortex-m4", target_arch = "arm", target_os = "none")))]
mod p256_backend {
    use super::BadShare;
    use p256::elliptic_curve::sec1::ToEncodedPoint;

    pub(super) fn public_key(secret: &[u8; 32], out: &mut [u8; super::MAX_SHARE]) -> bool {
        let Ok(secret) = p256::SecretKey::from_slice(secret) else {
            return false;
        };
        let point = secret.public_key().to_encoded_point(false);
        if point.as_bytes().len() != out.len() {
            return false;
        }
        out.copy_from_slice(point.as_bytes());
        true
    }

    pub(super) fn agree(secret: &[u8; 32], peer: &[u8]) -> Result<[u8; 32], BadShare> {
        // from_sec1_bytes checks that the point is on the curve (and not the identity).
        let peer = p256::PublicKey::from_sec1_bytes(peer).map_err(|_| BadShare)?;
        let secret = p256::SecretKey::from_slice(secret).map_err(|_| BadShare)?;
        let shared = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), peer.as_affine());
        let mut out = [0u8; 32];
        out.copy_from_slice(shared.raw_secret_bytes());
        Ok(out)
    }
}

#[cfg(all(feature = "p256-cortex-m4", target_arch = "arm", target_os = "none"))]
mod p256_backend {
    //! P256-Cortex-M4's assembly through p256-cortex-m4 (its C and assembly built by the
    //! system's arm-none-eabi-gcc). Not p256-cm4, its Rust port: LLVM assembles its
    //! single-register `ldm` as such, an encoding ARMv7-M leaves unpredictable and QEMU
    //! refuses as undefined; GNU as writes `ldr` for it.
    use super::BadShare;
    use p256_cortex_m4::{PublicKey, SecretKey};

    pub(super) fn public_key(secret: &[u8; 32], out: &mut [u8; super::MAX_SHARE]) -> bool {
        let Ok(secret) = SecretKey::from_bytes(secret) else {
            return false;
        };
        out.copy_from_slice(&secret.public_key().to_uncompressed_sec1_bytes());
        true
    }

    pub(super) fn agree(secret: &[u8; 32], peer: &[u8]) -> Result<[u8; 32], BadShare> {
        // Uncompressed only (RFC 8446, 4.2.8.2); the decoding checks the point is on the
        // curve.
        if peer.len() != 65 || peer.first() != Some(&4) {
            return Err(BadShare);
        }
        let peer = PublicKey::from_sec1_bytes(peer).map_err(|_| BadShare)?;
        let secret = SecretKey::from_bytes(secret).map_err(|_| BadShare)?;
        Ok(*secret.agree(&peer).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7748, 6.1.
    #[test]
    fn x25519_of_rfc_7748() {
        let alice = hex::decode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
            .unwrap();
        let bob_public =
            hex::decode("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
                .unwrap();
        let pair = KeyPair::generate(Group::X25519, alice.try_into().unwrap()).unwrap();
        assert_eq!(
            hex::encode(pair.public()),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
        );
        assert_eq!(
            hex::encode(pair.agree(&bob_public).unwrap()),
            "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
        );
    }

    #[test]
    fn degenerate_and_malformed_shares_are_refused() {
        let pair = KeyPair::generate(Group::X25519, [7; 32]).unwrap();
        assert_eq!(pair.agree(&[0; 32]), Err(BadShare));
        assert_eq!(pair.agree(&[1; 31]), Err(BadShare));
        let pair = KeyPair::generate(Group::Secp256r1, [7; 32]).unwrap();
        assert_eq!(pair.agree(&[4; 65]), Err(BadShare));
        assert_eq!(pair.agree(&[]), Err(BadShare));
        let mut compressed = [0u8; 65];
        compressed[..33].copy_from_slice(&pair.public()[..33]);
        compressed[0] = 2;
        assert_eq!(pair.agree(&compressed), Err(BadShare));
        // Zero is outside 1..n-1.
        assert!(KeyPair::generate(Group::Secp256r1, [0; 32]).is_none());
    }

    #[test]
    fn both_sides_of_p256_agree() {
        let a = KeyPair::generate(Group::Secp256r1, [1; 32]).unwrap();
        let b = KeyPair::generate(Group::Secp256r1, [2; 32]).unwrap();
        assert_eq!(a.agree(b.public()).unwrap(), b.agree(a.public()).unwrap());
        assert_eq!(a.public().len(), 65);
    }
}
