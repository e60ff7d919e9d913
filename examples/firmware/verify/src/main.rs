//! The certificate verifier of juspay-transport-embedded on a Cortex-M4: the recorded
//! handshakes of `tests/vectors/handshakes/` (a P-256 chain, and an RSA-4096 root over an
//! RSA-2048 intermediate and leaf), verified in the two steps of a TLS 1.3 handshake
//! (the Certificate message, then the CertificateVerify: juspay-tls's `Verifier`), accepted as recorded and refused when
//! changed. Prints the scenarios and the stack high-water mark of verification, and,
//! under QEMU with `-icount shift=0` (as run.sh runs it), the instructions each accepted
//! handshake takes to verify (`verify_instructions_p256=N`, `verify_instructions_rsa2048=N`).
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use juspay_firmware_harness::{Check, Scenario, decimal, ensure, instructions, print};
use juspay_transport_embedded::handshake_vector::{self, HandshakeVector};
use juspay_transport_embedded::webpki;
use juspay_transport_embedded::{
    CertificateDer, CertificateError, CertificateTime, ServerName, Verifier, trust_anchor,
};

const P256: &[u8] = include_bytes!("../../../../tests/vectors/handshakes/p256.bin");
const RSA2048: &[u8] = include_bytes!("../../../../tests/vectors/handshakes/rsa2048.bin");

/// 2026-11-24T00:00:00Z: what a board's RTC would say.
const NOW: CertificateTime = CertificateTime::Now(1_795_478_400);

/// A copy of a vector to change, outside the stack so that it does not count in the
/// stack figure.
static mut CHANGED: [u8; 4096] = [0; 4096];

fn verify(vector: &[u8], host: &str, time: CertificateTime) -> Result<(), CertificateError> {
    let vector: HandshakeVector<'_> =
        handshake_vector::parse(vector).ok_or(CertificateError::Missing)?;
    let root = CertificateDer::from(vector.root);
    let anchors = [trust_anchor(&root).map_err(CertificateError::Invalid)?];
    let name = ServerName::try_from(host).map_err(|_| CertificateError::Missing)?;
    let mut verifier = Verifier::new(&anchors, name, time);
    vector.verify(&mut verifier)
}

fn accepted(vector: &[u8]) -> Check {
    ensure(verify(vector, "localhost", NOW).is_ok(), "refused")
}

fn signature_changed(vector: &[u8]) -> Check {
    // SAFETY: one scenario at a time, on one core, without interrupts that touch it.
    let changed = unsafe { &mut *core::ptr::addr_of_mut!(CHANGED) };
    let copy = changed.get_mut(..vector.len()).ok_or("vector too large")?;
    copy.copy_from_slice(vector);
    // Just inside the signature, which starts after the scheme and its length.
    copy[8] ^= 1;
    ensure(
        verify(copy, "localhost", NOW) == Err(CertificateError::BadSignature),
        "a changed signature was not refused as such",
    )
}

fn refused_for_name(vector: &[u8]) -> Check {
    ensure(
        matches!(
            verify(vector, "elsewhere.example", NOW),
            Err(CertificateError::Invalid(
                webpki::Error::CertNotValidForName(_)
            ))
        ),
        "another host's name was not refused",
    )
}

const SCENARIOS: [Scenario; 6] = [
    ("P-256 chain and CertificateVerify accepted", || {
        accepted(P256)
    }),
    (
        "RSA chain (4096 root, 2048 leaf) and PSS CertificateVerify accepted",
        || accepted(RSA2048),
    ),
    ("P-256 signature changed: refused", || {
        signature_changed(P256)
    }),
    ("RSA-PSS signature changed: refused", || {
        signature_changed(RSA2048)
    }),
    ("P-256 chain for another name: refused", || {
        refused_for_name(P256)
    }),
    ("expired at a clock of 2127: refused", || {
        ensure(
            matches!(
                verify(P256, "localhost", CertificateTime::Now(4_954_435_200)),
                Err(CertificateError::Invalid(webpki::Error::CertExpired { .. }))
            ),
            "an expired chain was not refused",
        )
    }),
];

/// Prints the instructions each accepted handshake takes to verify, once the clock has
/// been checked against a loop of known length; or why they were not counted.
fn count_instructions() {
    let (mut a, mut b) = ([0u8; 10], [0u8; 10]);
    match instructions::calibrated() {
        Ok(counted) => print(&[
            b"instruction count check: a loop of ",
            decimal(instructions::LOOP_INSTRUCTIONS as usize, &mut a),
            b" instructions counted as ",
            decimal(counted as usize, &mut b),
            b"\n",
        ]),
        Err(counted) => {
            print(&[
                b"instructions not counted: run QEMU with -icount shift=0 (a loop of ",
                decimal(instructions::LOOP_INSTRUCTIONS as usize, &mut a),
                b" instructions counted as ",
                decimal(counted as usize, &mut b),
                b")\n",
            ]);
            return;
        }
    }
    for (key, vector) in [
        (b"verify_instructions_p256=".as_slice(), P256),
        (b"verify_instructions_rsa2048=".as_slice(), RSA2048),
    ] {
        let (outcome, counted) = instructions::count(|| accepted(vector));
        if outcome.is_ok() {
            print(&[key, decimal(counted as usize, &mut a), b"\n"]);
        }
    }
}

#[entry]
fn main() -> ! {
    count_instructions();
    juspay_firmware_harness::run(&SCENARIOS)
}
