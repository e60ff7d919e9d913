//! RSA signature verification without a heap: RSAPublicKey parsed by `pkcs1`, the public
//! operation s^e mod n in Montgomery arithmetic over `crypto-bigint`'s fixed-size integers
//! ([`Montgomery`]), the padding checked by [`super::rsa_padding`].
//!
//! The integer size follows the modulus (2048, 3072 or 4096 bits), so a 2048-bit key does
//! not pay for 4096-bit arithmetic. On a Cortex-M4 (QEMU with `-icount`, opt-level "z"), a
//! PKCS#1 verification with a 2048-bit key takes about 1.7 million instructions and 3.3 KB
//! of stack, with a 4096-bit key 6.7 million and 5.4 KB (crypto-bigint's
//! `DynResidueParams` took 37 million and 13 KB, 140 million and 25 KB).

use core::cmp::Ordering;
use crypto_bigint::{Limb, U2048, U3072, U4096, Uint, Word};
use pkcs1::RsaPublicKey;
use pkcs1::der::Decode;
use rustls_pki_types::InvalidSignature;
use sha2::Digest;

use super::rsa_padding::{self, DigestInfo};

/// The only public exponent accepted, 65537, as the big-endian bytes of the DER INTEGER.
/// Every public CA uses it (the CA/Browser Forum's Baseline Requirements recommend at
/// least 65537, and in practice it is always exactly that), and a fixed exponent makes
/// the public operation a fixed 16 squarings and 1 multiplication.
/// Small exponents such as 3 are also where the classic PKCS#1 v1.5 forgeries live.
const PUBLIC_EXPONENT: [u8; 3] = [0x01, 0x00, 0x01];

/// Smaller moduli are breakable or close to it; webpki's ring algorithms refuse them too.
const MIN_MODULUS_BITS: usize = 2048;
/// The largest integers we do arithmetic on; larger keys are rare and cost time and stack.
const MAX_MODULUS_BITS: usize = 4096;
/// The largest modulus, and so signature and encoded block, in bytes.
pub(super) const MAX_MODULUS_BYTES: usize = MAX_MODULUS_BITS / 8;

/// RSASSA-PKCS1-v1_5 verification (RFC 8017 section 8.2.2) with hash `D`.
pub(super) fn verify_pkcs1_v15<D: DigestInfo>(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), InvalidSignature> {
    let mut block = [0u8; MAX_MODULUS_BYTES];
    let recovered = public_operation(public_key, signature, &mut block)?;
    if rsa_padding::pkcs1_v15_matches::<D>(recovered.block, &D::digest(message)) {
        Ok(())
    } else {
        Err(InvalidSignature)
    }
}

/// RSASSA-PSS verification (RFC 8017 section 8.1.2) with hash `D`, MGF1 over `D` and a
/// salt as long as `D`'s output.
pub(super) fn verify_pss<D: Digest>(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), InvalidSignature> {
    let mut block = [0u8; MAX_MODULUS_BYTES];
    let recovered = public_operation(public_key, signature, &mut block)?;
    if rsa_padding::pss_matches::<D>(recovered.block, recovered.modulus_bits, &D::digest(message)) {
        Ok(())
    } else {
        Err(InvalidSignature)
    }
}

/// What the public operation recovers from a signature.
struct Recovered<'a> {
    /// s^e mod n as big-endian bytes, as long as the modulus (I2OSP(m, k)).
    block: &'a [u8],
    /// The modulus's size in bits (PSS needs it to the bit).
    modulus_bits: usize,
}

/// Parses `public_key` (RSAPublicKey DER), checks it and the signature against our
/// limits, and writes s^e mod n into `out`. This is RSAVP1 (RFC 8017 section 5.2.2) with
/// the length check of steps 1 of sections 8.1.2 and 8.2.2.
fn public_operation<'a>(
    public_key: &[u8],
    signature: &[u8],
    out: &'a mut [u8; MAX_MODULUS_BYTES],
) -> Result<Recovered<'a>, InvalidSignature> {
    // from_der refuses trailing bytes, negative and non-minimal integers; the modulus's
    // bytes come without the sign byte, so the bit count below is exact.
    let key = RsaPublicKey::from_der(public_key).map_err(|_| InvalidSignature)?;
    if key.public_exponent.as_bytes() != PUBLIC_EXPONENT {
        return Err(InvalidSignature);
    }
    let modulus = key.modulus.as_bytes();
    // Bounding the length first keeps the bit count below from overflowing.
    if modulus.len() > MAX_MODULUS_BYTES {
        return Err(InvalidSignature);
    }
    let Some(&first_byte) = modulus.first() else {
        return Err(InvalidSignature);
    };
    let modulus_bits = modulus.len() * 8 - first_byte.leading_zeros() as usize;
    if !(MIN_MODULUS_BITS..=MAX_MODULUS_BITS).contains(&modulus_bits) {
        return Err(InvalidSignature);
    }
    // Step 1 of the verification operations: the signature is exactly k bytes.
    if signature.len() != modulus.len() {
        return Err(InvalidSignature);
    }
    let block = out.get_mut(..modulus.len()).ok_or(InvalidSignature)?;
    if modulus_bits <= 2048 {
        raise_to_65537::<{ U2048::LIMBS }>(modulus, signature, block)?;
    } else if modulus_bits <= 3072 {
        raise_to_65537::<{ U3072::LIMBS }>(modulus, signature, block)?;
    } else {
        raise_to_65537::<{ U4096::LIMBS }>(modulus, signature, block)?;
    }
    Ok(Recovered {
        block,
        modulus_bits,
    })
}

/// Writes `signature`^65537 mod `modulus` (both big-endian, at most `LIMBS` limbs) into
/// `out` as big-endian bytes, as long as `out` is. Refuses an even modulus and a signature
/// not below the modulus (RSAVP1 step 1).
///
/// Not inlined: inlined into its caller at opt-level "z", the three sizes' stack frames
/// were laid out side by side.
#[inline(never)]
fn raise_to_65537<const LIMBS: usize>(
    modulus: &[u8],
    signature: &[u8],
    out: &mut [u8],
) -> Result<(), InvalidSignature> {
    let n = Montgomery::new(uint_from_be_bytes::<LIMBS>(modulus).ok_or(InvalidSignature)?)
        .ok_or(InvalidSignature)?;
    let signature = uint_from_be_bytes::<LIMBS>(signature).ok_or(InvalidSignature)?;
    if signature.cmp_vartime(&n.modulus) != Ordering::Less {
        return Err(InvalidSignature);
    }
    // Into Montgomery form: s·R = MontMul(s, R^2).
    let mut power = n.r_squared();
    power = n.mul(&power, &signature);
    // 65537 = 2^16 + 1: square 16 times, giving s^65536·R ...
    for _ in 0..16 {
        power = n.mul(&power, &power);
    }
    // ... then one multiplication by s itself rather than by s·R, which takes the result
    // out of Montgomery form on the way: s^65536·R · s · R^-1 = s^65537 mod n, reduced.
    power = n.mul(&power, &signature);
    write_be_bytes(&power, out)
}

/// Montgomery arithmetic modulo an odd n > 1 with R = 2^W, W = `LIMBS` × w, w the bits of
/// a word.
///
/// Written here, over crypto-bigint's integers and word operations, because
/// crypto-bigint 0.5's `DynResidueParams::new` finds R mod n and R^2 mod n by bit-by-bit
/// long division in constant time: on a Cortex-M4 that was 94% of a verification's time
/// and, with the copies of the parameters every `DynResidue` carries, most of its stack
/// (the module's figures). crypto-bigint 0.7's `MontyParams::new_vartime` divides a word at
/// a time but squares R with Karatsuba: the recorded RSA handshake of examples/firmware
/// still took 27 KB of stack (12 KB here) and 30 KB more flash. The modulus is public, so
/// nothing here needs to be constant time.
struct Montgomery<const LIMBS: usize> {
    modulus: Uint<LIMBS>,
    /// -n^-1 mod 2^w.
    mod_neg_inv: Limb,
}

impl<const LIMBS: usize> Montgomery<LIMBS> {
    /// The arithmetic modulo `modulus`, or None if it is even (Montgomery reduction needs
    /// an odd modulus; an RSA modulus is the product of two odd primes) or 1.
    fn new(modulus: Uint<LIMBS>) -> Option<Self> {
        let &low = modulus.as_words().first()?;
        if low & 1 == 0 || modulus == Uint::ONE {
            return None;
        }
        // n^-1 mod 2^w depends only on n's lowest word.
        let [inverse] = *Uint::<1>::from_word(low)
            .inv_mod2k_vartime(Word::BITS as usize)
            .as_words();
        Some(Self {
            modulus,
            mod_neg_inv: Limb(inverse.wrapping_neg()),
        })
    }

    /// a·b·R^-1 mod n, reduced, for a and b below n.
    ///
    /// Montgomery multiplication a word of b at a time (FIOS, HAC 14.36): t = (t + a·b_i +
    /// m·n) / 2^w, with m chosen to make the division exact. t stays below 2n, so one
    /// subtraction reduces it. Written out rather than crypto-bigint's `mul_wide` and
    /// `montgomery_reduction`, which take a double-width product and then a copy of it:
    /// 3.6 KB of stack for 4096 bits, against t's 0.5 KB here.
    #[inline(never)]
    fn mul(&self, a: &Uint<LIMBS>, b: &Uint<LIMBS>) -> Uint<LIMBS> {
        let mut t = Uint::<LIMBS>::ZERO;
        // t's word above its LIMBS words: 0 or 1, since t < 2n < 2R.
        let mut t_top = Limb::ZERO;
        let (Some((&a_0, a_rest)), Some((&n_0, n_rest))) = (
            a.as_limbs().split_first(),
            self.modulus.as_limbs().split_first(),
        ) else {
            return t;
        };
        for &b_i in b.as_limbs() {
            let Some((t_0, t_rest)) = t.as_limbs_mut().split_first_mut() else {
                return Uint::ZERO;
            };
            // Word 0: t_0 + a_0·b_i, then m such that adding m·n_0 clears it.
            let (low, mut carry_ab) = t_0.mac(a_0, b_i, Limb::ZERO);
            let m = low.wrapping_mul(self.mod_neg_inv);
            let (_, mut carry_mn) = low.mac(m, n_0, Limb::ZERO);
            // Words 1 and up, each stored a word lower: the division by 2^w.
            let mut below = t_0;
            for ((t_j, &a_j), &n_j) in t_rest.iter_mut().zip(a_rest).zip(n_rest) {
                let (sum, carry) = t_j.mac(a_j, b_i, carry_ab);
                carry_ab = carry;
                let (sum, carry) = sum.mac(m, n_j, carry_mn);
                carry_mn = carry;
                *below = sum;
                below = t_j;
            }
            let (sum, carry_1) = t_top.adc(carry_ab, Limb::ZERO);
            let (sum, carry_2) = sum.adc(carry_mn, Limb::ZERO);
            *below = sum;
            t_top = carry_1.wrapping_add(carry_2);
        }
        self.subtract_if_not_below(&mut t, t_top != Limb::ZERO);
        t
    }

    /// x = 2x mod n, for x below n.
    fn double(&self, x: &mut Uint<LIMBS>) {
        let mut carry = 0;
        for limb in x.as_limbs_mut() {
            let shifted_out = limb.0 >> (Word::BITS - 1);
            limb.0 = (limb.0 << 1) | carry;
            carry = shifted_out;
        }
        self.subtract_if_not_below(x, carry != 0);
    }

    /// t = t - n if t + `carry`·R is at least n, for t + `carry`·R below 2n.
    fn subtract_if_not_below(&self, t: &mut Uint<LIMBS>, carry: bool) {
        if carry || t.cmp_vartime(&self.modulus) != Ordering::Less {
            let mut borrow = Limb::ZERO;
            for (t_j, &n_j) in t.as_limbs_mut().iter_mut().zip(self.modulus.as_limbs()) {
                (*t_j, borrow) = t_j.sbb(n_j, borrow);
            }
        }
    }

    /// R^2 mod n, that is R in Montgomery form, without dividing.
    ///
    /// Write W = k·2^j with k odd (W = 2048: k = 1, j = 11; 3072: k = 3, j = 10; 4096:
    /// k = 1, j = 12). Starting from 2^(b-1) < n (b the modulus's bits), doubling modulo n
    /// up to 2^(W+k) mod n gives 2^k in Montgomery form, 2^k·R. A Montgomery squaring
    /// turns x·R into x^2·R, so j of them give 2^(k·2^j)·R = R·R. A modulus of W bits
    /// takes k + 1 doublings; a shorter one (2049 bits in 3072-bit integers) up to W more,
    /// each a shift and a subtraction.
    ///
    /// Inlined so that x is the caller's integer rather than one more in a frame of its own.
    #[inline(always)]
    fn r_squared(&self) -> Uint<LIMBS> {
        let bits = self.modulus.bits_vartime();
        let width = Uint::<LIMBS>::BITS;
        let j = width.trailing_zeros();
        let k = width >> j;
        // n is odd and above 1, so it has at least 2 bits and 2^(b-1) < n.
        let mut x = Uint::<LIMBS>::ONE.shl_vartime(bits.saturating_sub(1));
        for _ in 0..(width + k + 1).saturating_sub(bits) {
            self.double(&mut x);
        }
        for _ in 0..j {
            x = self.mul(&x, &x);
        }
        x
    }
}

/// Writes `value` into `out` as big-endian bytes, as long as `out` is; fails if it does not
/// fit.
fn write_be_bytes<const LIMBS: usize>(
    value: &Uint<LIMBS>,
    out: &mut [u8],
) -> Result<(), InvalidSignature> {
    let mut words = value.as_words().iter();
    // From the least significant end, a word per chunk; the first chunk of out may be
    // shorter than a word.
    for chunk in out.rchunks_mut(size_of::<Word>()) {
        let bytes = words.next().copied().unwrap_or(0).to_be_bytes();
        let start = bytes
            .len()
            .checked_sub(chunk.len())
            .ok_or(InvalidSignature)?;
        let (high, low) = bytes.split_at_checked(start).ok_or(InvalidSignature)?;
        if high.iter().any(|&byte| byte != 0) {
            return Err(InvalidSignature);
        }
        chunk.copy_from_slice(low);
    }
    if words.any(|&word| word != 0) {
        return Err(InvalidSignature);
    }
    Ok(())
}

/// The integer whose big-endian bytes are `bytes`, or None if there are more bytes than
/// `LIMBS` words hold. Word by word, without a byte copy of the integer on the stack.
fn uint_from_be_bytes<const LIMBS: usize>(bytes: &[u8]) -> Option<Uint<LIMBS>> {
    let mut value = Uint::<LIMBS>::ZERO;
    // From the least significant end, a chunk per word; the last chunk may be shorter.
    let mut chunks = bytes.rchunks(size_of::<Word>());
    for (word, chunk) in value.as_words_mut().iter_mut().zip(&mut chunks) {
        let mut buffer = [0u8; size_of::<Word>()];
        let start = buffer.len().checked_sub(chunk.len())?;
        buffer.get_mut(start..)?.copy_from_slice(chunk);
        *word = Word::from_be_bytes(buffer);
    }
    // A chunk left over: longer than the integer.
    chunks.next().is_none().then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::modular::montgomery_reduction;
    use crypto_bigint::modular::runtime_mod::{DynResidue, DynResidueParams};
    use pkcs1::der::Encode;
    use pkcs1::der::asn1::UintRef;
    use sha2::{Sha256, Sha384, Sha512};

    /// The message the test signatures sign (testdata/README.md says how they were made).
    const MESSAGE: &[u8] = b"juspay signature test";

    /// (what, RSAPublicKey DER, verification, signature) for each test signature.
    const SIGNED: [(&str, &[u8], super::super::VerifyFn, &[u8]); 10] = [
        (
            "2048 PKCS#1 SHA-256",
            include_bytes!("testdata/rsa2048.der"),
            verify_pkcs1_v15::<Sha256>,
            include_bytes!("testdata/rsa2048_pkcs1_sha256.sig"),
        ),
        (
            "2048 PSS SHA-256",
            include_bytes!("testdata/rsa2048.der"),
            verify_pss::<Sha256>,
            include_bytes!("testdata/rsa2048_pss_sha256.sig"),
        ),
        (
            "2049 PKCS#1 SHA-384",
            include_bytes!("testdata/rsa2049.der"),
            verify_pkcs1_v15::<Sha384>,
            include_bytes!("testdata/rsa2049_pkcs1_sha384.sig"),
        ),
        (
            "2049 PSS SHA-384",
            include_bytes!("testdata/rsa2049.der"),
            verify_pss::<Sha384>,
            include_bytes!("testdata/rsa2049_pss_sha384.sig"),
        ),
        (
            "3072 PKCS#1 SHA-512",
            include_bytes!("testdata/rsa3072.der"),
            verify_pkcs1_v15::<Sha512>,
            include_bytes!("testdata/rsa3072_pkcs1_sha512.sig"),
        ),
        (
            "3072 PSS SHA-256",
            include_bytes!("testdata/rsa3072.der"),
            verify_pss::<Sha256>,
            include_bytes!("testdata/rsa3072_pss_sha256.sig"),
        ),
        (
            "3073 PKCS#1 SHA-256",
            include_bytes!("testdata/rsa3073.der"),
            verify_pkcs1_v15::<Sha256>,
            include_bytes!("testdata/rsa3073_pkcs1_sha256.sig"),
        ),
        (
            "3073 PSS SHA-512",
            include_bytes!("testdata/rsa3073.der"),
            verify_pss::<Sha512>,
            include_bytes!("testdata/rsa3073_pss_sha512.sig"),
        ),
        (
            "4096 PKCS#1 SHA-512",
            include_bytes!("testdata/rsa4096.der"),
            verify_pkcs1_v15::<Sha512>,
            include_bytes!("testdata/rsa4096_pkcs1_sha512.sig"),
        ),
        (
            "4096 PSS SHA-384",
            include_bytes!("testdata/rsa4096.der"),
            verify_pss::<Sha384>,
            include_bytes!("testdata/rsa4096_pss_sha384.sig"),
        ),
    ];

    const RSA_2048: &[u8] = include_bytes!("testdata/rsa2048.der");
    const RSA_2048_PKCS1_SHA256: &[u8] = include_bytes!("testdata/rsa2048_pkcs1_sha256.sig");

    /// RSAPublicKey DER for (modulus, exponent), both big-endian unsigned.
    fn encode_key<'b>(modulus: &[u8], exponent: &[u8], out: &'b mut [u8]) -> &'b [u8] {
        let key = RsaPublicKey {
            modulus: UintRef::new(modulus).unwrap(),
            public_exponent: UintRef::new(exponent).unwrap(),
        };
        key.encode_to_slice(out).unwrap()
    }

    fn modulus_of(der: &[u8]) -> &[u8] {
        RsaPublicKey::from_der(der).unwrap().modulus.as_bytes()
    }

    #[test]
    fn good_signatures_verify_at_every_size() {
        for (what, key, verify, signature) in SIGNED {
            assert!(verify(key, MESSAGE, signature).is_ok(), "{what}");
        }
    }

    #[test]
    fn the_block_is_as_long_as_the_modulus_and_the_bit_count_exact() {
        for (what, key, bits) in [
            ("2048", RSA_2048, 2048),
            (
                "2049",
                include_bytes!("testdata/rsa2049.der").as_slice(),
                2049,
            ),
            (
                "3073",
                include_bytes!("testdata/rsa3073.der").as_slice(),
                3073,
            ),
        ] {
            let signature = [0x01; 1];
            let modulus_len = modulus_of(key).len();
            let mut padded = [0u8; MAX_MODULUS_BYTES];
            padded[modulus_len - 1] = signature[0];
            let mut out = [0u8; MAX_MODULUS_BYTES];
            let recovered = public_operation(key, &padded[..modulus_len], &mut out).unwrap();
            assert_eq!(recovered.modulus_bits, bits, "{what}");
            assert_eq!(recovered.block.len(), modulus_len, "{what}");
            // 1^65537 = 1.
            assert_eq!(recovered.block.last(), Some(&1), "{what}");
            assert!(
                recovered.block[..modulus_len - 1].iter().all(|&b| b == 0),
                "{what}"
            );
        }
    }

    #[test]
    fn any_changed_bit_of_message_or_signature_is_refused() {
        for (what, key, verify, signature) in SIGNED {
            let mut message = [0u8; 21];
            message.copy_from_slice(MESSAGE);
            message[20] ^= 0x01;
            assert!(verify(key, &message, signature).is_err(), "{what}");
            for position in [0, signature.len() / 2, signature.len() - 1] {
                let mut bad = [0u8; MAX_MODULUS_BYTES];
                let bad = &mut bad[..signature.len()];
                bad.copy_from_slice(signature);
                bad[position] ^= 0x40;
                assert!(
                    verify(key, MESSAGE, bad).is_err(),
                    "{what}, byte {position}"
                );
            }
        }
    }

    #[test]
    fn pkcs1_and_pss_signatures_are_not_interchangeable() {
        let pss = include_bytes!("testdata/rsa2048_pss_sha256.sig");
        assert!(verify_pkcs1_v15::<Sha256>(RSA_2048, MESSAGE, pss).is_err());
        assert!(verify_pss::<Sha256>(RSA_2048, MESSAGE, RSA_2048_PKCS1_SHA256).is_err());
        // Nor the hashes.
        assert!(verify_pkcs1_v15::<Sha384>(RSA_2048, MESSAGE, RSA_2048_PKCS1_SHA256).is_err());
        assert!(verify_pss::<Sha512>(RSA_2048, MESSAGE, pss).is_err());
    }

    #[test]
    fn signatures_of_the_wrong_length_are_refused() {
        let signature = RSA_2048_PKCS1_SHA256;
        // Short: the first or the last byte dropped.
        assert!(verify_pkcs1_v15::<Sha256>(RSA_2048, MESSAGE, &signature[1..]).is_err());
        assert!(verify_pkcs1_v15::<Sha256>(RSA_2048, MESSAGE, &signature[..255]).is_err());
        // Long: the same integer with a leading zero byte.
        let mut long = [0u8; 257];
        long[1..].copy_from_slice(signature);
        assert!(verify_pkcs1_v15::<Sha256>(RSA_2048, MESSAGE, &long).is_err());
        assert!(verify_pkcs1_v15::<Sha256>(RSA_2048, MESSAGE, &[]).is_err());
        // Far too long for any key we accept.
        assert!(verify_pss::<Sha256>(RSA_2048, MESSAGE, &[0x01; 1024]).is_err());
    }

    #[test]
    fn signatures_not_below_the_modulus_are_refused() {
        let modulus = modulus_of(RSA_2048);
        let mut out = [0u8; MAX_MODULUS_BYTES];
        // s = n, s = n + 2 (still 256 bytes), s = all ones.
        assert!(public_operation(RSA_2048, modulus, &mut out).is_err());
        let mut above = [0u8; 256];
        above.copy_from_slice(modulus);
        above[255] = above[255].wrapping_add(2);
        assert!(
            above[255] > modulus[255],
            "the test key's last byte must not wrap"
        );
        assert!(public_operation(RSA_2048, &above, &mut out).is_err());
        assert!(public_operation(RSA_2048, &[0xff; 256], &mut out).is_err());
        // s = n - 2 is fine as far as the arithmetic goes (the padding will not match).
        let mut below = [0u8; 256];
        below.copy_from_slice(modulus);
        below[255] -= 2;
        assert!(public_operation(RSA_2048, &below, &mut out).is_ok());
    }

    #[test]
    fn an_even_modulus_is_refused_without_panicking() {
        let mut even = [0u8; 256];
        even.copy_from_slice(modulus_of(RSA_2048));
        even[255] &= 0xfe;
        let mut der = [0u8; 300];
        let key = encode_key(&even, &PUBLIC_EXPONENT, &mut der);
        assert!(verify_pkcs1_v15::<Sha256>(key, MESSAGE, RSA_2048_PKCS1_SHA256).is_err());
        assert!(verify_pss::<Sha256>(key, MESSAGE, &[0x01; 256]).is_err());
    }

    #[test]
    fn exponents_other_than_65537_are_refused() {
        let modulus = modulus_of(RSA_2048);
        for exponent in [
            &[0x03][..],
            &[0x01, 0x00, 0x00, 0x01],
            &[0x01],
            &[0x01, 0x00, 0x03],
        ] {
            let mut der = [0u8; 300];
            let key = encode_key(modulus, exponent, &mut der);
            assert!(
                verify_pkcs1_v15::<Sha256>(key, MESSAGE, RSA_2048_PKCS1_SHA256).is_err(),
                "{exponent:?}"
            );
        }
        // The real key re-encoded with 65537 still verifies: the encoding helper is sound.
        let mut der = [0u8; 300];
        let key = encode_key(modulus, &PUBLIC_EXPONENT, &mut der);
        assert!(verify_pkcs1_v15::<Sha256>(key, MESSAGE, RSA_2048_PKCS1_SHA256).is_ok());
    }

    #[test]
    fn moduli_outside_2048_to_4096_bits_are_refused() {
        let mut out = [0u8; MAX_MODULUS_BYTES];
        // Odd moduli of 1024, 2047 and 4097 bits, with a signature of 1 of their length.
        let mut modulus = [0xffu8; 513];
        for (bits, bytes, first) in [(1024, 128, 0xff), (2047, 256, 0x7f), (4097, 513, 0x01)] {
            let modulus = &mut modulus[..bytes];
            modulus[0] = first;
            let mut der = [0u8; 600];
            let key = encode_key(modulus, &PUBLIC_EXPONENT, &mut der);
            let mut signature = [0u8; 513];
            signature[bytes - 1] = 1;
            assert!(
                public_operation(key, &signature[..bytes], &mut out).is_err(),
                "{bits}"
            );
        }
        // The edges themselves are accepted: 2048 and 4096 bits.
        for bytes in [256, 512] {
            let modulus = &mut modulus[..bytes];
            modulus[0] = 0xff;
            let mut der = [0u8; 600];
            let key = encode_key(modulus, &PUBLIC_EXPONENT, &mut der);
            let mut signature = [0u8; 512];
            signature[bytes - 1] = 1;
            assert!(
                public_operation(key, &signature[..bytes], &mut out).is_ok(),
                "{bytes}"
            );
        }
    }

    #[test]
    fn malformed_keys_are_refused() {
        let signature = RSA_2048_PKCS1_SHA256;
        // Truncated, with a byte after the SEQUENCE, empty, a wrong tag.
        assert!(
            verify_pkcs1_v15::<Sha256>(&RSA_2048[..RSA_2048.len() - 1], MESSAGE, signature)
                .is_err()
        );
        let mut trailing = [0u8; 271];
        trailing[..270].copy_from_slice(RSA_2048);
        assert!(verify_pkcs1_v15::<Sha256>(&trailing, MESSAGE, signature).is_err());
        assert!(verify_pkcs1_v15::<Sha256>(&[], MESSAGE, signature).is_err());
        let mut wrong_tag = [0u8; 270];
        wrong_tag.copy_from_slice(RSA_2048);
        wrong_tag[0] = 0x31;
        assert!(verify_pkcs1_v15::<Sha256>(&wrong_tag, MESSAGE, signature).is_err());
        // A negative modulus (no 0x00 sign byte before a high first byte).
        let mut negative = [0u8; 269];
        negative[..8].copy_from_slice(&[0x30, 0x82, 0x01, 0x09, 0x02, 0x82, 0x01, 0x00]);
        negative[8..].copy_from_slice(&RSA_2048[9..]);
        assert!(verify_pkcs1_v15::<Sha256>(&negative, MESSAGE, signature).is_err());
        // The whole SubjectPublicKeyInfo instead of its BIT STRING contents.
        let mut spki = [0u8; 294];
        spki[..24].copy_from_slice(&[
            0x30, 0x82, 0x01, 0x22, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
            0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x82, 0x01, 0x0f, 0x00,
        ]);
        spki[24..].copy_from_slice(RSA_2048);
        assert!(verify_pkcs1_v15::<Sha256>(&spki, MESSAGE, signature).is_err());
    }

    #[test]
    fn a_zero_signature_is_refused() {
        assert!(verify_pkcs1_v15::<Sha256>(RSA_2048, MESSAGE, &[0u8; 256]).is_err());
        assert!(verify_pss::<Sha256>(RSA_2048, MESSAGE, &[0u8; 256]).is_err());
    }

    /// Moduli for the Montgomery tests, as `LIMBS`-limb integers: the test keys' that fit,
    /// and odd edge cases: all ones, 2^(W-1) + 1, and small ones far below R.
    fn test_moduli<const LIMBS: usize>() -> Vec<Uint<LIMBS>> {
        let mut moduli: Vec<Uint<LIMBS>> = [
            RSA_2048,
            include_bytes!("testdata/rsa2049.der").as_slice(),
            include_bytes!("testdata/rsa3072.der").as_slice(),
            include_bytes!("testdata/rsa3073.der").as_slice(),
            include_bytes!("testdata/rsa4096.der").as_slice(),
        ]
        .into_iter()
        .filter_map(|der| uint_from_be_bytes(modulus_of(der)))
        .collect();
        moduli.push(Uint::MAX);
        moduli.push(
            Uint::ONE
                .shl_vartime(Uint::<LIMBS>::BITS - 1)
                .wrapping_add(&Uint::ONE),
        );
        moduli.push(Uint::from_u64(0xffff_ffff_ffff_ffc5)); // the largest 64-bit prime
        moduli.push(Uint::from_u8(3));
        moduli
    }

    /// Pseudo-random integers below `modulus` (xorshift64, fixed seed), then 0, 1, n - 1.
    fn values_below<const LIMBS: usize>(modulus: &Uint<LIMBS>) -> Vec<Uint<LIMBS>> {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut values = Vec::new();
        for _ in 0..8 {
            let mut value = Uint::<LIMBS>::ZERO;
            for word in value.as_words_mut() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *word = state as Word;
            }
            // Fewer bits than the modulus: below it.
            let shift = Uint::<LIMBS>::BITS - (modulus.bits_vartime() - 1);
            values.push(value.shr_vartime(shift));
        }
        values.extend([Uint::ZERO, Uint::ONE, modulus.wrapping_sub(&Uint::ONE)]);
        values
    }

    fn montgomery_matches_crypto_bigint<const LIMBS: usize>() {
        for modulus in test_moduli::<LIMBS>() {
            let n = Montgomery::new(modulus).unwrap();
            // -n^-1: n·(-n^-1) = -1 mod 2^w.
            assert_eq!(
                modulus.as_words()[0].wrapping_mul(n.mod_neg_inv.0),
                Word::MAX,
                "{modulus}"
            );
            // R^2 mod n as crypto-bigint's DynResidueParams finds it: R in Montgomery form.
            let params = DynResidueParams::new(&modulus);
            let r = *DynResidue::one(params).as_montgomery();
            let r_squared = *DynResidue::new(&r, params).as_montgomery();
            assert_eq!(n.r_squared(), r_squared, "{modulus}");
            // Products against crypto-bigint's schoolbook product and Montgomery reduction.
            let values = values_below(&modulus);
            for a in &values {
                for b in &values {
                    let expected = montgomery_reduction(&a.mul_wide(b), &modulus, n.mod_neg_inv);
                    assert_eq!(n.mul(a, b), expected, "{modulus}: {a} · {b}");
                }
                // Doubling.
                let mut doubled = *a;
                n.double(&mut doubled);
                assert_eq!(doubled, a.add_mod(a, &modulus), "{modulus}: 2 · {a}");
            }
        }
    }

    #[test]
    fn montgomery_arithmetic_matches_crypto_bigint_at_every_size() {
        montgomery_matches_crypto_bigint::<{ U2048::LIMBS }>();
        montgomery_matches_crypto_bigint::<{ U3072::LIMBS }>();
        montgomery_matches_crypto_bigint::<{ U4096::LIMBS }>();
    }

    #[test]
    fn montgomery_refuses_even_moduli_and_one() {
        assert!(Montgomery::new(U2048::ZERO).is_none());
        assert!(Montgomery::new(U2048::ONE).is_none());
        assert!(Montgomery::new(U2048::from_u8(2)).is_none());
        assert!(Montgomery::new(U2048::MAX.wrapping_sub(&U2048::ONE)).is_none());
    }

    #[test]
    fn write_be_bytes_pads_and_refuses_what_does_not_fit() {
        let value = U2048::from_u32(0x0102_0304);
        let mut out = [0xffu8; 5];
        write_be_bytes(&value, &mut out).unwrap();
        assert_eq!(out, [0x00, 0x01, 0x02, 0x03, 0x04]);
        let mut out = [0u8; 3];
        assert!(write_be_bytes(&value, &mut out).is_err());
        let mut out = [0u8; 4];
        write_be_bytes(&value, &mut out).unwrap();
        assert_eq!(out, [0x01, 0x02, 0x03, 0x04]);
        // Above a word: the higher word must land before.
        let value = U2048::ONE.shl_vartime(64);
        let mut out = [0u8; 9];
        write_be_bytes(&value, &mut out).unwrap();
        assert_eq!(out, [1, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert!(write_be_bytes(&value, &mut [0u8; 8]).is_err());
        let mut out = [0u8; 256];
        write_be_bytes(&U2048::MAX, &mut out).unwrap();
        assert!(out.iter().all(|&byte| byte == 0xff));
    }

    #[test]
    fn uint_from_be_bytes_pads_and_refuses_oversized_input() {
        assert_eq!(
            uint_from_be_bytes::<{ U2048::LIMBS }>(&[0x01, 0x02]),
            Some(U2048::from_u16(0x0102))
        );
        assert_eq!(
            uint_from_be_bytes::<{ U2048::LIMBS }>(&[]),
            Some(U2048::ZERO)
        );
        assert!(uint_from_be_bytes::<{ U2048::LIMBS }>(&[0u8; 256]).is_some());
        assert!(uint_from_be_bytes::<{ U2048::LIMBS }>(&[0u8; 257]).is_none());
        // Word order and the short chunk at the front.
        let mut bytes = [0u8; 9];
        bytes[0] = 0x05;
        bytes[8] = 0x07;
        assert_eq!(
            uint_from_be_bytes::<{ U2048::LIMBS }>(&bytes),
            Some(
                U2048::from_u8(5)
                    .shl_vartime(64)
                    .wrapping_add(&U2048::from_u8(7))
            )
        );
        let all_ones = [0xffu8; 256];
        assert_eq!(
            uint_from_be_bytes::<{ U2048::LIMBS }>(&all_ones),
            Some(U2048::MAX)
        );
    }
}
