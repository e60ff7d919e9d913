//! Recorded handshakes (`tests/vectors/handshakes/` of the workspace), for the verifier's
//! tests, the firmware that measures it under QEMU and its fuzz target: one reader for all
//! three. Not part of the API.
//!
//! Format (written by `juspay_sandbox::certificates::SignedHandshake::encode`): scheme
//! (u16), signature (u16 length), transcript (u16 length), root (u24 length), then the
//! certificate_list of a TLS 1.3 Certificate message (each entry: u24 length, DER, u16
//! length of extensions, extensions).

use sha2::{Digest, Sha256};

use crate::codec::Reader;
use crate::verifier::{CertificateError, MAX_CHAIN_CERTIFICATES, Verifier};

/// One recorded handshake.
pub struct HandshakeVector<'a> {
    /// The CertificateVerify's signature scheme.
    pub scheme: u16,
    /// The CertificateVerify's signature.
    pub signature: &'a [u8],
    /// The transcript whose SHA-256 hash the signature covers.
    pub transcript: &'a [u8],
    /// The root certificate to trust, DER.
    pub root: &'a [u8],
    /// The Certificate message's certificate_list.
    certificates: &'a [u8],
}

/// The DER certificates of a certificate_list (extensions skipped); stops at the first
/// malformed entry (`parse` has checked there is none).
fn entries(list: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut r = Reader::new(list);
    core::iter::from_fn(move || {
        let der = r.vec24().ok()?;
        r.vec16().ok()?;
        Some(der)
    })
}

/// Reads a vector; `None` if it is cut short or has more than
/// [`MAX_CHAIN_CERTIFICATES`] certificates.
pub fn parse(input: &[u8]) -> Option<HandshakeVector<'_>> {
    let mut r = Reader::new(input);
    let scheme = r.u16().ok()?;
    let signature = r.vec16().ok()?;
    let transcript = r.vec16().ok()?;
    let root = r.vec24().ok()?;
    let certificates = r
        .take(input.len() - 2 - 2 - signature.len() - 2 - transcript.len() - 3 - root.len())
        .ok()?;
    let mut check = Reader::new(certificates);
    let mut count = 0;
    while !check.is_empty() {
        check.vec24().ok()?;
        check.vec16().ok()?;
        count += 1;
    }
    (count <= MAX_CHAIN_CERTIFICATES).then_some(HandshakeVector {
        scheme,
        signature,
        transcript,
        root,
        certificates,
    })
}

impl HandshakeVector<'_> {
    /// Runs `verifier` over this handshake as a connection would: the Certificate message,
    /// then the CertificateVerify over the transcript's hash.
    pub fn verify(self, verifier: &mut Verifier<'_>) -> Result<(), CertificateError> {
        verifier.verify_certificates(entries(self.certificates))?;
        let hash = Sha256::digest(self.transcript);
        verifier.verify_signature(&hash, self.scheme, self.signature)
    }
}
