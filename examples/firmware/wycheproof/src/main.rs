//! Project Wycheproof's P-256 vectors on a Cortex-M4, through juspay-tls's P-256 backend as
//! the HTTPS firmwares build it (feature `p256-cortex-m4`: P256-Cortex-M4's assembly), where
//! `cargo test` cannot run them: ECDH as the handshake does it
//! (`juspay_tls::primitives::p256_agree`, `ecdh_secp256r1_ecpoint`) and ECDSA as the
//! certificate verifier does it (`signature::ECDSA_P256_SHA256`, `ecdsa_secp256r1_sha256`).
//!
//! The vectors come from the host over semihosting, written by
//! `cargo run -p juspay-sandbox --example p256_vectors -- DIRECTORY` into QEMU's working
//! directory, as run.sh does, in the format `juspay_sandbox::wycheproof` (tests/src)
//! describes. On the host, `cargo test` runs the same sets through RustCrypto's backend:
//! ECDH in tls/tests/wycheproof_primitives.rs, ECDSA in transport-embedded/tests/wycheproof.rs.
//!
//! Every `valid` vector must give Wycheproof's shared secret or verify; every `invalid` one
//! must be refused. `acceptable` ones (in these files, one ECDH share as a compressed
//! point) may be refused, which is what TLS 1.3 asks for key shares (RFC 8446, 4.2.8.2:
//! uncompressed only), or accepted with the expected secret; either way they are counted.
//! Prints `wycheproof_ecdh_p256: P/N pass` and `wycheproof_ecdsa_p256: P/N pass` with the
//! counts by expected result, then the scenarios, and under QEMU with `-icount shift=0` the
//! mean instructions per valid vector (`wycheproof_instructions_*`).
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicBool, Ordering};

use cortex_m_rt::entry;
use juspay_firmware_harness::{Check, Scenario, decimal, ensure, host, instructions, print};
use juspay_transport_embedded::juspay_tls::primitives::{p256_agree, p256_public_key};
use juspay_transport_embedded::signature::ECDSA_P256_SHA256;

/// Where one vector file is read: the larger (ECDSA) is 79 KB. Outside the stack, so that
/// the stack figure is that of the arithmetic.
static mut FILE: [u8; 96 * 1024] = [0; 96 * 1024];

/// Whether the clock counts instructions (QEMU with `-icount shift=0`).
static COUNTING: AtomicBool = AtomicBool::new(false);

/// At most this many vectors that went the wrong way are printed per file.
const MAX_PRINTED_FAILURES: usize = 10;

/// What Wycheproof expects of a vector.
#[derive(Clone, Copy, PartialEq)]
enum Expected {
    Valid,
    Invalid,
    Acceptable,
}

/// One vector: Wycheproof's test case number and three fields (juspay_sandbox::wycheproof).
struct Vector<'a> {
    expected: Expected,
    tc_id: u16,
    fields: [&'a [u8]; 3],
}

/// The vectors of one file, in order.
struct Vectors<'a> {
    rest: &'a [u8],
    left: u16,
}

/// Reads the host file `path` and checks its header: `magic`, then the vector count.
fn open(path: &core::ffi::CStr, magic: &[u8; 4]) -> Result<Vectors<'static>, &'static str> {
    // SAFETY: one scenario at a time, on one core, and each reads its file afresh.
    let file = unsafe { &mut *core::ptr::addr_of_mut!(FILE) };
    let (bytes, _) = host::read_file(path, file)?;
    let (header, rest) = bytes.split_at_checked(6).ok_or("vector file too short")?;
    ensure(
        header.get(..4) == Some(magic.as_slice()),
        "not the expected vector file",
    )?;
    let left = u16::from_be_bytes([header[4], header[5]]);
    ensure(left > 0, "no vectors in the file")?;
    Ok(Vectors { rest, left })
}

impl<'a> Vectors<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], &'static str> {
        let (taken, rest) = self
            .rest
            .split_at_checked(n)
            .ok_or("vector file truncated")?;
        self.rest = rest;
        Ok(taken)
    }

    fn u16(&mut self) -> Result<u16, &'static str> {
        let bytes = self.take(2)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    /// The next vector; `None` after the last, which must end the file.
    fn next(&mut self) -> Result<Option<Vector<'a>>, &'static str> {
        if self.left == 0 {
            return ensure(self.rest.is_empty(), "bytes after the last vector").map(|()| None);
        }
        self.left -= 1;
        let expected = match self.take(1)? {
            [0] => Expected::Valid,
            [1] => Expected::Invalid,
            [2] => Expected::Acceptable,
            _ => return Err("unknown expected result"),
        };
        let tc_id = self.u16()?;
        let mut fields: [&[u8]; 3] = [&[]; 3];
        for field in &mut fields {
            let length = self.u16()?;
            *field = self.take(usize::from(length))?;
        }
        Ok(Some(Vector {
            expected,
            tc_id,
            fields,
        }))
    }
}

/// The outcomes of one file's vectors.
#[derive(Default)]
struct Tally {
    passed: usize,
    total: usize,
    valid: usize,
    invalid: usize,
    acceptable: usize,
    acceptable_accepted: usize,
    /// Instructions of the operation on valid vectors, summed (when counting).
    instructions: u64,
}

impl Tally {
    /// Counts one vector: `outcome` is `Some(right)` when the operation accepted it
    /// (`right`: with the expected result), `None` when it refused it.
    fn record(&mut self, name: &[u8], vector: &Vector<'_>, outcome: Option<bool>) {
        self.total += 1;
        let (counter, pass) = match vector.expected {
            Expected::Valid => (&mut self.valid, outcome == Some(true)),
            Expected::Invalid => (&mut self.invalid, outcome.is_none()),
            Expected::Acceptable => {
                if outcome.is_some() {
                    self.acceptable_accepted += 1;
                }
                (&mut self.acceptable, outcome != Some(false))
            }
        };
        *counter += 1;
        if pass {
            self.passed += 1;
        } else if self.total - self.passed <= MAX_PRINTED_FAILURES {
            let mut digits = [0u8; 10];
            let (expected, got): (&[u8], &[u8]) = match (vector.expected, outcome) {
                (Expected::Valid, None) => (b"valid", b"refused"),
                (Expected::Valid, Some(_)) => (b"valid", b"a wrong result"),
                (Expected::Invalid, _) => (b"invalid", b"accepted"),
                (Expected::Acceptable, _) => (b"acceptable", b"accepted with a wrong result"),
            };
            print(&[
                name,
                b": FAIL: tcId ",
                decimal(usize::from(vector.tc_id), &mut digits),
                b" (",
                expected,
                b"): ",
                got,
                b"\n",
            ]);
        }
    }

    /// Prints `NAME: P/N pass` and the counts by expected result; `Err` unless all passed.
    fn report(&self, name: &[u8]) -> Check {
        let mut d = [[0u8; 10]; 6];
        let [a, b, c, e, f, g] = &mut d;
        print(&[
            name,
            b": ",
            decimal(self.passed, a),
            b"/",
            decimal(self.total, b),
            b" pass\n",
        ]);
        print(&[
            name,
            b": valid ",
            decimal(self.valid, c),
            b", invalid ",
            decimal(self.invalid, e),
            b", acceptable ",
            decimal(self.acceptable, f),
            b" (",
            decimal(self.acceptable_accepted, g),
            b" accepted)\n",
        ]);
        ensure(self.passed == self.total, "a vector went the wrong way")
    }
}

/// Runs `work`, adding the instructions it took to `sum` when the clock counts them.
fn counted<R>(sum: &mut u64, work: impl FnOnce() -> R) -> R {
    let (result, n) = instructions::count(work);
    *sum += u64::from(n);
    result
}

/// Prints `key=N`: the mean of `sum` over `n`, when the clock counts instructions.
fn print_mean(key: &[u8], sum: u64, n: usize) {
    if COUNTING.load(Ordering::Relaxed) && n > 0 {
        let mean = usize::try_from(sum / n as u64).unwrap_or(usize::MAX);
        let mut digits = [0u8; 10];
        print(&[key, b"=", decimal(mean, &mut digits), b"\n"]);
    }
}

/// `ecdh_secp256r1_ecpoint`: our private key and the peer's share as the handshake gets
/// it; then, wherever the private key changes from one valid vector to the next, the key
/// pairs of the two agreeing both ways (key generation on Wycheproof's edge-case scalars).
fn ecdh() -> Check {
    const NAME: &[u8] = b"wycheproof_ecdh_p256";
    let mut vectors = open(c"ecdh_p256.bin", b"ECDH")?;
    let mut tally = Tally::default();
    let (mut pairs, mut pairs_agreeing) = (0usize, 0usize);
    let mut key_generation = 0u64;
    let mut previous: Option<[u8; 32]> = None;
    while let Some(vector) = vectors.next()? {
        let [private, public, shared] = vector.fields;
        let private: [u8; 32] = private.try_into().map_err(|_| "private key not 32 bytes")?;
        let outcome = if vector.expected == Expected::Valid {
            counted(&mut tally.instructions, || p256_agree(private, public))
        } else {
            p256_agree(private, public)
        };
        tally.record(NAME, &vector, outcome.map(|secret| secret == shared));

        if vector.expected != Expected::Valid || previous == Some(private) {
            continue;
        }
        if let Some(other) = previous {
            pairs += 1;
            let ours = counted(&mut key_generation, || p256_public_key(private));
            let theirs = p256_public_key(other);
            let agreed = match (ours, theirs) {
                (Some(ours), Some(theirs)) => {
                    let one = p256_agree(private, &theirs);
                    one.is_some() && one == p256_agree(other, &ours)
                }
                _ => false,
            };
            if agreed {
                pairs_agreeing += 1;
            } else {
                let mut digits = [0u8; 10];
                print(&[
                    NAME,
                    b": FAIL: tcId ",
                    decimal(usize::from(vector.tc_id), &mut digits),
                    b": its private key and the previous one do not agree both ways\n",
                ]);
            }
        }
        previous = Some(private);
    }
    let outcome = tally.report(NAME);
    let (mut a, mut b) = ([0u8; 10], [0u8; 10]);
    print(&[
        NAME,
        b": key pairs from consecutive private keys agreeing both ways: ",
        decimal(pairs_agreeing, &mut a),
        b"/",
        decimal(pairs, &mut b),
        b" pass\n",
    ]);
    print_mean(
        b"wycheproof_instructions_ecdh",
        tally.instructions,
        tally.valid,
    );
    print_mean(b"wycheproof_instructions_keygen", key_generation, pairs);
    outcome?;
    ensure(
        pairs > 0 && pairs_agreeing == pairs,
        "key pairs that do not agree both ways",
    )
}

/// `ecdsa_secp256r1_sha256`: each key, message and DER signature as webpki hands them to
/// the algorithm.
fn ecdsa() -> Check {
    const NAME: &[u8] = b"wycheproof_ecdsa_p256";
    let mut vectors = open(c"ecdsa_p256_sha256.bin", b"ECDS")?;
    let mut tally = Tally::default();
    while let Some(vector) = vectors.next()? {
        let [key, message, signature] = vector.fields;
        let verify = || ECDSA_P256_SHA256.verify_signature(key, message, signature);
        let verified = if vector.expected == Expected::Valid {
            counted(&mut tally.instructions, verify)
        } else {
            verify()
        };
        // A signature has no result to compare: accepted is right.
        tally.record(NAME, &vector, verified.is_ok().then_some(true));
    }
    let outcome = tally.report(NAME);
    print_mean(
        b"wycheproof_instructions_verify",
        tally.instructions,
        tally.valid,
    );
    outcome
}

const SCENARIOS: [Scenario; 2] = [
    (
        "Wycheproof ECDH secp256r1 (points): each vector as expected",
        ecdh,
    ),
    (
        "Wycheproof ECDSA secp256r1 SHA-256 (DER): each vector as expected",
        ecdsa,
    ),
];

#[entry]
fn main() -> ! {
    COUNTING.store(instructions::calibrated().is_ok(), Ordering::Relaxed);
    juspay_firmware_harness::run(&SCENARIOS)
}
