//! The two RSA signature encodings of RFC 8017, checked against the block the RSA public
//! operation recovers from a signature.
//!
//! Written here because no well-kept no-alloc crate does it: RustCrypto's `rsa` needs an
//! allocator, and the no-alloc RSA crates are unmaintained. Kept small so that it can be
//! read against the RFC line by line.

use sha2::{Digest, Sha256, Sha384, Sha512};

use super::rsa::MAX_MODULUS_BYTES;

/// A hash that RSASSA-PKCS1-v1_5 can name: the DER of its DigestInfo up to the hash value.
pub(super) trait DigestInfo: Digest {
    /// `DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier, digest OCTET STRING }`
    /// with the algorithm's NULL parameters, up to the digest's bytes: the constants of
    /// RFC 8017 section 9.2, note 1.
    const PREFIX: &'static [u8];
}

impl DigestInfo for Sha256 {
    const PREFIX: &'static [u8] = &[
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
}

impl DigestInfo for Sha384 {
    const PREFIX: &'static [u8] = &[
        0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
        0x05, 0x00, 0x04, 0x30,
    ];
}

impl DigestInfo for Sha512 {
    const PREFIX: &'static [u8] = &[
        0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03,
        0x05, 0x00, 0x04, 0x40,
    ];
}

/// EMSA-PKCS1-v1_5 verification by comparison (RFC 8017 section 8.2.2, steps 3 and 4):
/// whether `block`, the whole output of the RSA public operation, is exactly the encoding
/// of `digest` (the `D` hash of the message):
///
/// `0x00 0x01 | 0xff ... 0xff (at least 8) | 0x00 | DigestInfo prefix | digest`
///
/// The expected encoding is built and compared whole; nothing in `block` is parsed, so
/// there is no padding or DER for a forger to play with.
pub(super) fn pkcs1_v15_matches<D: DigestInfo>(block: &[u8], digest: &[u8]) -> bool {
    // tLen in the RFC; both parts are a few dozen bytes.
    let digest_info_len = D::PREFIX.len() + digest.len();
    // Two leading bytes and the zero separator; the rest is padding.
    let Some(padding_len) = block.len().checked_sub(digest_info_len + 3) else {
        return false;
    };
    // RFC 8017 9.2 step 3: "intended encoded message length too short" below 8 bytes.
    if padding_len < 8 {
        return false;
    }
    let expected = [0x00, 0x01]
        .iter()
        .chain(core::iter::repeat_n(&0xff, padding_len))
        .chain(&[0x00])
        .chain(D::PREFIX)
        .chain(digest);
    block.iter().eq(expected)
}

/// EMSA-PSS-VERIFY (RFC 8017 section 9.1.2) with MGF1 over the same hash `D` and a salt
/// as long as the hash, the only parameters TLS 1.3 and webpki use.
///
/// `block` is the whole output of the RSA public operation (as long as the modulus),
/// `modulus_bits` the modulus's size in bits, `message_digest` the `D` hash of the
/// message (step 2).
pub(super) fn pss_matches<D: Digest>(
    block: &[u8],
    modulus_bits: usize,
    message_digest: &[u8],
) -> bool {
    let hash_len = <D as Digest>::output_size();
    let salt_len = hash_len;
    // emBits = modBits - 1 and emLen = ceil(emBits / 8) (section 8.1.2 step 2c).
    let Some(encoded_bits) = modulus_bits.checked_sub(1) else {
        return false;
    };
    let encoded_len = encoded_bits.div_ceil(8);
    // When modBits is 1 more than a multiple of 8, EM is one byte shorter than the block,
    // and I2OSP(m, emLen) requires that byte to be zero (step 2c).
    let Some(extra_len) = block.len().checked_sub(encoded_len) else {
        return false;
    };
    let Some((extra, encoded)) = block.split_at_checked(extra_len) else {
        return false;
    };
    if extra.iter().any(|&byte| byte != 0) {
        return false;
    }
    // Step 3: room for the hash, the salt, the 0x01 separator and the 0xbc trailer.
    if encoded_len < hash_len + salt_len + 2 {
        return false;
    }
    // Step 4: the trailer.
    let Some((&0xbc, masked_db_and_hash)) = encoded.split_last() else {
        return false;
    };
    // Step 5: maskedDB (emLen - hLen - 1 bytes), then H.
    let Some((masked_db, hash)) = masked_db_and_hash.split_at_checked(encoded_len - hash_len - 1)
    else {
        return false;
    };
    // Step 6: the 8 * emLen - emBits leftmost bits of maskedDB (0 to 7 of them) are
    // outside the integer and must be zero.
    let unused_bits = (8 - encoded_bits % 8) % 8;
    let used_bits_of_first_byte = 0xffu8 >> unused_bits;
    if masked_db
        .first()
        .is_none_or(|&first| first & !used_bits_of_first_byte != 0)
    {
        return false;
    }
    // Steps 7 and 8: DB = maskedDB xor MGF1(H). masked_db is shorter than the block, which
    // fits in MAX_MODULUS_BYTES.
    let mut db_buffer = [0u8; MAX_MODULUS_BYTES];
    let Some(db) = db_buffer.get_mut(..masked_db.len()) else {
        return false;
    };
    db.copy_from_slice(masked_db);
    xor_mgf1::<D>(hash, db);
    // Step 9: clear the unused bits again (the mask may have set them).
    if let Some(first) = db.first_mut() {
        *first &= used_bits_of_first_byte;
    }
    // Step 10: DB = zeros (emLen - hLen - sLen - 2 of them) | 0x01 | salt.
    let Some((zeros, separator_and_salt)) =
        db.split_at_checked(encoded_len - hash_len - salt_len - 2)
    else {
        return false;
    };
    if zeros.iter().any(|&byte| byte != 0) {
        return false;
    }
    // Step 11: the salt is what follows the separator (sLen bytes by construction).
    let Some((&0x01, salt)) = separator_and_salt.split_first() else {
        return false;
    };
    // Steps 12 to 14: H' = Hash(eight zero bytes | mHash | salt) must equal H.
    let expected_hash = D::new()
        .chain_update([0u8; 8])
        .chain_update(message_digest)
        .chain_update(salt)
        .finalize();
    expected_hash.as_slice() == hash
}

/// XORs MGF1(`seed`) with hash `D` (RFC 8017 appendix B.2.1) into `target`, as long as
/// `target` is: the mask is Hash(seed | counter) for counter = 0, 1, ..., concatenated.
fn xor_mgf1<D: Digest>(seed: &[u8], target: &mut [u8]) {
    for (counter, chunk) in (0u32..).zip(target.chunks_mut(<D as Digest>::output_size())) {
        let mask = D::new()
            .chain_update(seed)
            .chain_update(counter.to_be_bytes())
            .finalize();
        for (byte, mask_byte) in chunk.iter_mut().zip(mask) {
            *byte ^= mask_byte;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // ---- EMSA-PKCS1-v1_5 ----

    /// A correct 256-byte (2048-bit) EMSA-PKCS1-v1_5 block for SHA-256 of `digest`.
    fn pkcs1_block(digest: &[u8; 32]) -> [u8; 256] {
        let mut block = [0xff; 256];
        block[0] = 0x00;
        block[1] = 0x01;
        let separator = 256 - 32 - 19 - 1;
        block[separator] = 0x00;
        block[separator + 1..256 - 32].copy_from_slice(Sha256::PREFIX);
        block[256 - 32..].copy_from_slice(digest);
        block
    }

    #[test]
    fn pkcs1_accepts_the_exact_encoding() {
        let digest = [0x5a; 32];
        assert!(pkcs1_v15_matches::<Sha256>(&pkcs1_block(&digest), &digest));
    }

    #[test]
    fn pkcs1_refuses_any_changed_byte() {
        let digest = [0x5a; 32];
        let good = pkcs1_block(&digest);
        for position in 0..good.len() {
            let mut bad = good;
            bad[position] ^= 0x01;
            assert!(
                !pkcs1_v15_matches::<Sha256>(&bad, &digest),
                "byte {position}"
            );
        }
    }

    #[test]
    fn pkcs1_refuses_another_digest_or_hash() {
        let digest = [0x5a; 32];
        let block = pkcs1_block(&digest);
        assert!(!pkcs1_v15_matches::<Sha256>(&block, &[0x5b; 32]));
        // The same 32 bytes presented as a SHA-384 or SHA-512 DigestInfo.
        assert!(!pkcs1_v15_matches::<Sha384>(&block, &digest));
        assert!(!pkcs1_v15_matches::<Sha512>(&block, &digest));
    }

    #[test]
    fn pkcs1_refuses_a_digest_info_without_null_parameters() {
        // Some signers drop the NULL (05 00); RFC 8017 allows verifiers to refuse that,
        // and building the encoding with it means we do.
        let digest = [0x5a; 32];
        let mut block = [0xff; 256];
        block[..2].copy_from_slice(&[0x00, 0x01]);
        let prefix_without_null = [
            0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x04, 0x20,
        ];
        let separator = 256 - 32 - prefix_without_null.len() - 1;
        block[separator] = 0x00;
        block[separator + 1..256 - 32].copy_from_slice(&prefix_without_null);
        block[256 - 32..].copy_from_slice(&digest);
        assert!(!pkcs1_v15_matches::<Sha256>(&block, &digest));
    }

    #[test]
    fn pkcs1_refuses_garbage_after_the_digest() {
        // The Bleichenbacher 2006 forgery shape: short padding, then the DigestInfo, then
        // anything. The block is compared whole, so the position of the digest is fixed.
        let digest = [0x5a; 32];
        let mut block = [0x33; 256];
        block[..2].copy_from_slice(&[0x00, 0x01]);
        block[2..10].fill(0xff);
        block[10] = 0x00;
        block[11..30].copy_from_slice(Sha256::PREFIX);
        block[30..62].copy_from_slice(&digest);
        assert!(!pkcs1_v15_matches::<Sha256>(&block, &digest));
    }

    #[test]
    fn pkcs1_needs_eight_padding_bytes() {
        let digest = [0x5a; 32];
        // 2 + 8 + 1 + 19 + 32 = 62 bytes is the shortest block; one less has 7 padding bytes.
        let block_with = |padding: usize, out: &mut [u8; 64]| -> usize {
            let len = 2 + padding + 1 + 19 + 32;
            out[..2].copy_from_slice(&[0x00, 0x01]);
            out[2..2 + padding].fill(0xff);
            out[2 + padding] = 0x00;
            out[3 + padding..len - 32].copy_from_slice(Sha256::PREFIX);
            out[len - 32..len].copy_from_slice(&digest);
            len
        };
        let mut buffer = [0u8; 64];
        let len = block_with(8, &mut buffer);
        assert!(pkcs1_v15_matches::<Sha256>(&buffer[..len], &digest));
        let len = block_with(7, &mut buffer);
        assert!(!pkcs1_v15_matches::<Sha256>(&buffer[..len], &digest));
        assert!(!pkcs1_v15_matches::<Sha256>(&buffer[..10], &digest));
        assert!(!pkcs1_v15_matches::<Sha256>(&[], &digest));
    }

    // ---- EMSA-PSS ----

    /// What EMSA-PSS-ENCODE (RFC 8017 9.1.1) would produce for SHA-256 with `salt`, for a
    /// `modulus_bits`-bit key, as the full `block_len`-byte output of the public operation;
    /// `tamper` may change DB (unmasked, before step 11's masking) to make bad encodings
    /// that are otherwise well formed. Returns the block's length in `out`.
    fn pss_block(
        message_digest: &[u8; 32],
        salt: &[u8; 32],
        modulus_bits: usize,
        tamper: impl FnOnce(&mut [u8]),
        out: &mut [u8; MAX_MODULUS_BYTES],
    ) -> usize {
        let block_len = modulus_bits.div_ceil(8);
        let encoded_bits = modulus_bits - 1;
        let encoded_len = encoded_bits.div_ceil(8);
        let hash = Sha256::new()
            .chain_update([0u8; 8])
            .chain_update(message_digest)
            .chain_update(salt)
            .finalize();
        let db_len = encoded_len - 32 - 1;
        let mut db = [0u8; MAX_MODULUS_BYTES];
        let db = &mut db[..db_len];
        db[db_len - 33] = 0x01;
        db[db_len - 32..].copy_from_slice(salt);
        tamper(db);
        xor_mgf1::<Sha256>(&hash, db);
        db[0] &= 0xff >> (8 * encoded_len - encoded_bits);
        out.fill(0);
        let encoded = &mut out[block_len - encoded_len..block_len];
        encoded[..db_len].copy_from_slice(db);
        encoded[db_len..db_len + 32].copy_from_slice(&hash);
        encoded[encoded_len - 1] = 0xbc;
        block_len
    }

    const DIGEST: [u8; 32] = [0x42; 32];
    const SALT: [u8; 32] = [0x77; 32];

    #[test]
    fn pss_accepts_good_encodings_of_every_bit_length_mod_8() {
        // modBits of 2048 + 0..8 cover each number of unused top bits (7 down to 0), and
        // 2049 the case where EM is one byte shorter than the modulus.
        for modulus_bits in 2048..=2056 {
            let mut block = [0u8; MAX_MODULUS_BYTES];
            let len = pss_block(&DIGEST, &SALT, modulus_bits, |_| {}, &mut block);
            assert!(
                pss_matches::<Sha256>(&block[..len], modulus_bits, &DIGEST),
                "{modulus_bits}"
            );
            // And the smallest size where hash, salt, separator and trailer fit: 66 bytes.
            let len = pss_block(&DIGEST, &SALT, 528 + modulus_bits % 8, |_| {}, &mut block);
            assert!(pss_matches::<Sha256>(
                &block[..len],
                528 + modulus_bits % 8,
                &DIGEST
            ));
        }
    }

    #[test]
    fn pss_refuses_another_digest() {
        let mut block = [0u8; MAX_MODULUS_BYTES];
        let len = pss_block(&DIGEST, &SALT, 2048, |_| {}, &mut block);
        assert!(!pss_matches::<Sha256>(&block[..len], 2048, &[0x43; 32]));
    }

    #[test]
    fn pss_refuses_a_wrong_trailer() {
        let mut block = [0u8; MAX_MODULUS_BYTES];
        let len = pss_block(&DIGEST, &SALT, 2048, |_| {}, &mut block);
        for trailer in [0x00, 0xbd, 0xcc, 0x3c] {
            block[len - 1] = trailer;
            assert!(
                !pss_matches::<Sha256>(&block[..len], 2048, &DIGEST),
                "{trailer:#x}"
            );
        }
    }

    #[test]
    fn pss_refuses_a_wrong_separator() {
        for separator in [0x00, 0x02, 0x81, 0xff] {
            let mut block = [0u8; MAX_MODULUS_BYTES];
            let len = pss_block(
                &DIGEST,
                &SALT,
                2048,
                |db| {
                    let position = db.len() - 33;
                    db[position] = separator;
                },
                &mut block,
            );
            assert!(
                !pss_matches::<Sha256>(&block[..len], 2048, &DIGEST),
                "{separator:#x}"
            );
        }
    }

    #[test]
    fn pss_refuses_nonzero_padding() {
        // A nonzero byte anywhere in the zero padding, first and last positions included.
        for position in [0, 1, 100, 256 - 32 - 1 - 33 - 1] {
            let mut block = [0u8; MAX_MODULUS_BYTES];
            let len = pss_block(&DIGEST, &SALT, 2048, |db| db[position] = 0x01, &mut block);
            assert!(
                !pss_matches::<Sha256>(&block[..len], 2048, &DIGEST),
                "{position}"
            );
        }
        // The same padding moved: a 0x01 earlier makes the salt one byte longer.
        let mut block = [0u8; MAX_MODULUS_BYTES];
        let len = pss_block(
            &DIGEST,
            &SALT,
            2048,
            |db| {
                let separator = db.len() - 33;
                db[separator - 1] = 0x01;
                db[separator] = 0x00;
            },
            &mut block,
        );
        assert!(!pss_matches::<Sha256>(&block[..len], 2048, &DIGEST));
    }

    #[test]
    fn pss_refuses_set_top_bits() {
        // With a 2048-bit modulus emBits is 2047: the top bit of EM is outside the integer.
        // Setting it (in maskedDB, after masking) must be refused even though step 9 would
        // clear it again before the padding check.
        let mut block = [0u8; MAX_MODULUS_BYTES];
        let len = pss_block(&DIGEST, &SALT, 2048, |_| {}, &mut block);
        block[0] |= 0x80;
        assert!(!pss_matches::<Sha256>(&block[..len], 2048, &DIGEST));
        // 2052 bits: emBits 2051 uses 3 bits of the first byte; each of the 5 above them.
        for bit in 3..8 {
            let len = pss_block(&DIGEST, &SALT, 2052, |_| {}, &mut block);
            block[0] |= 1 << bit;
            assert!(
                !pss_matches::<Sha256>(&block[..len], 2052, &DIGEST),
                "bit {bit}"
            );
        }
    }

    #[test]
    fn pss_refuses_a_nonzero_byte_before_a_short_encoding() {
        // 2049 bits: the block has 257 bytes, EM 256, and the first byte must be zero.
        let mut block = [0u8; MAX_MODULUS_BYTES];
        let len = pss_block(&DIGEST, &SALT, 2049, |_| {}, &mut block);
        assert_eq!(len, 257);
        block[0] = 0x01;
        assert!(!pss_matches::<Sha256>(&block[..len], 2049, &DIGEST));
    }

    #[test]
    fn pss_refuses_changed_hash_or_salt() {
        let mut block = [0u8; MAX_MODULUS_BYTES];
        let len = pss_block(&DIGEST, &SALT, 2048, |_| {}, &mut block);
        // H sits just before the trailer; the salt is the last 32 bytes of maskedDB.
        for position in [len - 2, len - 33, len - 34, len - 65] {
            let mut bad = block;
            bad[position] ^= 0x04;
            assert!(
                !pss_matches::<Sha256>(&bad[..len], 2048, &DIGEST),
                "{position}"
            );
        }
    }

    #[test]
    fn pss_refuses_blocks_too_short_or_of_the_wrong_size() {
        let mut block = [0u8; MAX_MODULUS_BYTES];
        let len = pss_block(&DIGEST, &SALT, 2048, |_| {}, &mut block);
        // The block must be as long as the modulus says.
        assert!(!pss_matches::<Sha256>(&block[..len - 1], 2048, &DIGEST));
        assert!(!pss_matches::<Sha256>(&block[..len], 2056, &DIGEST));
        // Too short for hash, salt and framing (65 bytes, one less than needed).
        assert!(!pss_matches::<Sha256>(&[0xbc; 65], 520, &DIGEST));
        assert!(!pss_matches::<Sha256>(&[], 0, &DIGEST));
        assert!(!pss_matches::<Sha256>(&[], 2048, &DIGEST));
    }

    #[test]
    fn mgf1_matches_a_known_answer() {
        // MGF1-SHA-256("foo", 40): SHA-256("foo" | 00000000) | the first 8 bytes of
        // SHA-256("foo" | 00000001), computed with Python's hashlib.
        const EXPECTED: [u8; 40] = [
            0x3b, 0xda, 0xba, 0x83, 0xcf, 0xf1, 0x33, 0x37, 0xb3, 0x23, 0xac, 0x38, 0x3c, 0xa3,
            0x99, 0x58, 0x63, 0xe9, 0x22, 0xf5, 0x11, 0xb9, 0x31, 0xb9, 0xef, 0xd4, 0xe0, 0x11,
            0x8c, 0xfc, 0x70, 0xf0, 0x86, 0x78, 0x39, 0x0d, 0x67, 0xe3, 0xc1, 0x2d,
        ];
        let mut target = [0u8; 40];
        xor_mgf1::<Sha256>(b"foo", &mut target);
        assert_eq!(target, EXPECTED);
        // XOR, not overwrite: a second pass gives back zeros.
        xor_mgf1::<Sha256>(b"foo", &mut target);
        assert_eq!(target, [0u8; 40]);
    }
}
