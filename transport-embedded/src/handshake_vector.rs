//! The recorded handshakes of `tests/vectors/handshakes/` (in this crate), for the verifier's tests, the
//! firmware that measures it under QEMU and its fuzz target: one reader for all three.
//! Not part of the API.
//!
//! Format (written by `juspay_sandbox::certificates::SignedHandshake::encode`): scheme
//! (u16), signature (u16 length), transcript (u16 length), root (u24 length), then the
//! certificate_list of a TLS 1.3 Certificate message (each entry: u24 length, DER, u16
//! length of extensions, extensions).

use embedded_tls::SignatureScheme;
use embedded_tls::blocking::{
    Aes128GcmSha256, CertificateEntryRef, CertificateRef, CertificateVerifyRef, TlsVerifier,
};
use sha2::{Digest, Sha256};

use crate::verifier::{CertificateError, Verifier};

/// Every scheme embedded-tls 0.19 knows: it has `as_u16` but no public way back.
const SCHEMES: [SignatureScheme; 25] = [
    SignatureScheme::RsaPkcs1Sha256,
    SignatureScheme::RsaPkcs1Sha384,
    SignatureScheme::RsaPkcs1Sha512,
    SignatureScheme::EcdsaSecp256r1Sha256,
    SignatureScheme::EcdsaSecp384r1Sha384,
    SignatureScheme::EcdsaSecp521r1Sha512,
    SignatureScheme::RsaPssRsaeSha256,
    SignatureScheme::RsaPssRsaeSha384,
    SignatureScheme::RsaPssRsaeSha512,
    SignatureScheme::Ed25519,
    SignatureScheme::Ed448,
    SignatureScheme::RsaPssPssSha256,
    SignatureScheme::RsaPssPssSha384,
    SignatureScheme::RsaPssPssSha512,
    SignatureScheme::Sha224Ecdsa,
    SignatureScheme::Sha224Rsa,
    SignatureScheme::Sha224Dsa,
    SignatureScheme::RsaPkcs1Sha1,
    SignatureScheme::EcdsaSha1,
    SignatureScheme::Sha256BrainpoolP256r1,
    SignatureScheme::Sha384BrainpoolP384r1,
    SignatureScheme::Sha512BrainpoolP512r1,
    SignatureScheme::MlDsa44,
    SignatureScheme::MlDsa65,
    SignatureScheme::MlDsa87,
];

/// One recorded handshake.
pub struct HandshakeVector<'a> {
    /// The CertificateVerify.
    pub certificate_verify: CertificateVerifyRef<'a>,
    /// The transcript whose hash the signature covers.
    pub transcript: &'a [u8],
    /// The root certificate to trust, DER.
    pub root: &'a [u8],
    /// The Certificate message.
    pub certificate: CertificateRef<'a>,
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (head, rest) = input.split_at_checked(n)?;
    *input = rest;
    Some(head)
}

fn number(input: &mut &[u8], bytes: usize) -> Option<usize> {
    Some(
        take(input, bytes)?
            .iter()
            .fold(0, |n, byte| n << 8 | usize::from(*byte)),
    )
}

fn field<'a>(input: &mut &'a [u8], length_bytes: usize) -> Option<&'a [u8]> {
    let length = number(input, length_bytes)?;
    take(input, length)
}

/// Reads a vector; `None` if it is cut short, names a scheme embedded-tls does not know,
/// or has more than [`crate::MAX_CHAIN_CERTIFICATES`] certificates.
pub fn parse(mut input: &[u8]) -> Option<HandshakeVector<'_>> {
    let code_point = u16::try_from(number(&mut input, 2)?).ok()?;
    let signature_scheme = SCHEMES
        .into_iter()
        .find(|scheme| scheme.as_u16() == code_point)?;
    let signature = field(&mut input, 2)?;
    let transcript = field(&mut input, 2)?;
    let root = field(&mut input, 3)?;
    let mut certificate = CertificateRef::with_context(&[]);
    while !input.is_empty() {
        let der = field(&mut input, 3)?;
        field(&mut input, 2)?;
        certificate.add(CertificateEntryRef::X509(der)).ok()?;
    }
    Some(HandshakeVector {
        certificate_verify: CertificateVerifyRef {
            signature_scheme,
            signature,
        },
        transcript,
        root,
        certificate,
    })
}

impl HandshakeVector<'_> {
    /// Runs `verifier` over this handshake as embedded-tls would: the Certificate message
    /// with the transcript so far, then the CertificateVerify.
    pub fn verify(self, verifier: &mut Verifier<'_>) -> Result<(), CertificateError> {
        let transcript = Sha256::new_with_prefix(self.transcript);
        let certificate = TlsVerifier::<Aes128GcmSha256>::verify_certificate(
            verifier,
            &transcript,
            self.certificate,
        );
        if certificate.is_ok() {
            let _ =
                TlsVerifier::<Aes128GcmSha256>::verify_signature(verifier, self.certificate_verify);
        }
        verifier.verified()
    }
}
