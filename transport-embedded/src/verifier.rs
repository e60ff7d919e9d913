//! The server's certificate, checked as rustls checks it, without a heap.
//!
//! embedded-tls hands the server's Certificate message and then its CertificateVerify to a
//! [`TlsVerifier`]. [`Verifier`] runs RFC 5280 path validation with rustls-webpki (the
//! validator behind juspay-transport-std's rustls, so both transports decide alike), checks
//! the host name or IP address, and then the handshake signature with the end-entity key.
//! It works on the Certificate message where it lies in the TLS read buffer and keeps only
//! the end-entity's public key and the transcript hash for the signature check.

use core::time::Duration;

use der::asn1::{AnyRef, BitStringRef, GeneralizedTime, UtcTime};
use der::{Decode, Reader, SliceReader, Tag, TagNumber};
use embedded_tls::SignatureScheme;
use embedded_tls::blocking::{
    CertificateEntryRef, CertificateRef, CertificateVerifyRef, TlsCipherSuite, TlsError,
    TlsVerifier,
};
use rustls_pki_types::{
    CertificateDer, ServerName, SignatureVerificationAlgorithm, TrustAnchor, UnixTime,
};
use sha2::Digest;
use webpki::{EndEntityCert, KeyUsage};

use crate::signature;

/// Certificates in one Certificate message, end-entity included. Public chains have 2–4;
/// the rest is room for servers that send extra certificates.
pub const MAX_CHAIN_CERTIFICATES: usize = 16;

/// Bytes kept of the end-entity's SubjectPublicKeyInfo until its CertificateVerify arrives:
/// an RSA-4096 key takes 550.
pub const MAX_PUBLIC_KEY_INFO: usize = 600;

/// The longest transcript hash of a TLS 1.3 cipher suite (SHA-384).
const MAX_HASH: usize = 48;

/// What certificate validity periods are checked against.
///
/// There is deliberately no "don't check dates": a device with no trusted clock says so
/// with [`CertificateTime::AtLeast`], which still refuses every certificate that expired
/// before a time the device knows has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CertificateTime {
    /// Now, in seconds since the Unix epoch, from a clock the device trusts: an RTC set from
    /// a trusted source, GNSS, a secure element. Every certificate of the chain must be
    /// valid at this time, as on std.
    Now(u64),
    /// The device has no trusted clock and only knows that now is no earlier than this
    /// (seconds since the Unix epoch): the firmware's build time, or the newest time it has
    /// learnt from a source it trusts. Certificates that expired before it are refused. A
    /// certificate issued after it cannot be told from one whose clock is ahead, so the
    /// chain is checked at the latest of this time and the newest `notBefore` among the
    /// certificates the server sent: new certificates work on a device built long ago, and
    /// a server gains nothing by sending newer ones (a later check time only refuses more).
    AtLeast(u64),
}

/// Why the server's certificate or handshake signature was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateError {
    /// The chain does not validate: rustls-webpki's reason (unknown issuer, expired, not
    /// valid for the name, an end-entity used as a CA, a missing serverAuth usage, ...).
    Invalid(webpki::Error),
    /// The server sent an empty or unreadable Certificate message.
    Missing,
    /// The server's key or signature scheme is not one this crate verifies (ECDSA P-256 and
    /// P-384, RSA 2048–4096 bits with exponent 65537, Ed25519 with feature `ed25519`), or
    /// the scheme does not fit the key.
    UnsupportedSignatureScheme,
    /// The handshake signature (CertificateVerify) is not valid for the certificate's key.
    BadSignature,
    /// The handshake did not run Certificate and then CertificateVerify once each, in that
    /// order, before it finished.
    NotVerified,
}

impl core::fmt::Display for CertificateError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            CertificateError::Invalid(e) => {
                write!(f, "server certificate not trusted: {}", reason(e))
            }
            CertificateError::Missing => f.write_str("server sent no usable certificate"),
            CertificateError::UnsupportedSignatureScheme => {
                f.write_str("server key or signature scheme not supported")
            }
            CertificateError::BadSignature => f.write_str("server handshake signature invalid"),
            CertificateError::NotVerified => {
                f.write_str("handshake ended without a verified server certificate")
            }
        }
    }
}

/// A fixed text for webpki's reason: its own `Display` prints its `Debug`.
fn reason(e: &webpki::Error) -> &'static str {
    match e {
        webpki::Error::CertExpired { .. } => "expired",
        webpki::Error::CertNotValidYet { .. } => "not valid yet",
        webpki::Error::CertNotValidForName(_) => "not valid for the host name",
        webpki::Error::UnknownIssuer => "issued by an unknown CA",
        webpki::Error::EndEntityUsedAsCa => "signed by a certificate that is not a CA",
        webpki::Error::CaUsedAsEndEntity => "a CA certificate used as the server's",
        webpki::Error::RequiredEkuNotFoundContext(_) => "not for TLS servers (extended key usage)",
        webpki::Error::InvalidSignatureForPublicKey => "a signature does not verify",
        webpki::Error::UnsupportedSignatureAlgorithmContext(_)
        | webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            "a signature algorithm or key this client does not accept"
        }
        webpki::Error::PathLenConstraintViolated => "path length constraint exceeded",
        webpki::Error::NameConstraintViolation => "outside its CA's name constraints",
        webpki::Error::UnsupportedCriticalExtension => "an unknown critical extension",
        webpki::Error::BadDer | webpki::Error::BadDerTime => "malformed",
        _ => "invalid",
    }
}

impl core::error::Error for CertificateError {}

#[cfg(feature = "defmt")]
impl defmt::Format for CertificateError {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self {
            CertificateError::Invalid(e) => defmt::write!(f, "Invalid({=str})", reason(e)),
            CertificateError::Missing => defmt::write!(f, "Missing"),
            CertificateError::UnsupportedSignatureScheme => {
                defmt::write!(f, "UnsupportedSignatureScheme")
            }
            CertificateError::BadSignature => defmt::write!(f, "BadSignature"),
            CertificateError::NotVerified => defmt::write!(f, "NotVerified"),
        }
    }
}

/// A trust anchor from a root certificate (DER), for [`Verifier::new`] and the client's
/// configuration. Do this once, at start: the anchor borrows from `root`.
///
/// ```
/// use juspay_transport_embedded::{trust_anchor, CertificateDer};
/// // On firmware: `static ROOT: CertificateDer = CertificateDer::from_slice(include_bytes!("root.der"));`
/// let root = CertificateDer::from(juspay_sandbox::Sandbox::start().unwrap().ca_der().to_vec());
/// let anchor = trust_anchor(&root).unwrap();
/// # let _ = anchor;
/// ```
pub fn trust_anchor<'a>(root: &'a CertificateDer<'a>) -> Result<TrustAnchor<'a>, webpki::Error> {
    webpki::anchor_from_trusted_cert(root)
}

/// Where the handshake is.
// The large variant is the state the verifier exists for, and there is no heap to box into.
#[allow(clippy::large_enum_variant)]
enum Progress {
    AwaitingCertificate,
    AwaitingSignature {
        /// The end-entity's SubjectPublicKeyInfo, DER.
        public_key_info: heapless::Vec<u8, MAX_PUBLIC_KEY_INFO>,
        /// Transcript hash up to and including the Certificate message.
        transcript_hash: heapless::Vec<u8, MAX_HASH>,
    },
    Verified,
    Refused(CertificateError),
}

/// embedded-tls's [`TlsVerifier`]: path validation by rustls-webpki against the trust
/// anchors, the server name, the validity at the configured time, then the TLS 1.3
/// CertificateVerify signature with the end-entity key.
///
/// After the handshake, [`Verifier::verified`] must be checked: embedded-tls 0.19 lets a
/// server skip its Certificate and CertificateVerify messages, and then never calls the
/// verifier at all. [`crate::Client`] does this check before sending anything.
pub struct Verifier<'a> {
    anchors: &'a [TrustAnchor<'a>],
    server_name: ServerName<'a>,
    time: CertificateTime,
    progress: Progress,
}

impl<'a> Verifier<'a> {
    /// A verifier for a server known as `server_name` (a DNS name or an IP address).
    pub fn new(
        anchors: &'a [TrustAnchor<'a>],
        server_name: ServerName<'a>,
        time: CertificateTime,
    ) -> Self {
        Verifier {
            anchors,
            server_name,
            time,
            progress: Progress::AwaitingCertificate,
        }
    }

    /// Whether the certificate and the handshake signature were both verified.
    pub fn verified(&self) -> Result<(), CertificateError> {
        match &self.progress {
            Progress::Verified => Ok(()),
            Progress::Refused(e) => Err(e.clone()),
            _ => Err(CertificateError::NotVerified),
        }
    }

    /// Why the certificate was refused, if it was.
    pub fn refusal(&self) -> Option<&CertificateError> {
        match &self.progress {
            Progress::Refused(e) => Some(e),
            _ => None,
        }
    }

    fn refuse(&mut self, error: CertificateError) -> TlsError {
        let tls_error = match error {
            CertificateError::BadSignature => TlsError::InvalidSignature,
            CertificateError::UnsupportedSignatureScheme => TlsError::InvalidSignatureScheme,
            _ => TlsError::InvalidCertificate,
        };
        crate::fmt::debug!("server certificate refused");
        self.progress = Progress::Refused(error);
        tls_error
    }

    fn check_chain(
        &self,
        certificate: &CertificateRef<'_>,
    ) -> Result<heapless::Vec<u8, MAX_PUBLIC_KEY_INFO>, CertificateError> {
        let mut chain = certificate.entries.iter().map(|entry| match entry {
            CertificateEntryRef::X509(der) => Ok(CertificateDer::from(*der)),
            CertificateEntryRef::RawPublicKey(_) => Err(CertificateError::Missing),
        });
        let end_entity = chain.next().ok_or(CertificateError::Missing)??;
        let mut intermediates = heapless::Vec::<CertificateDer<'_>, MAX_CHAIN_CERTIFICATES>::new();
        for certificate in chain {
            intermediates
                .push(certificate?)
                .map_err(|_| CertificateError::Invalid(webpki::Error::BadDer))?;
        }
        let time = self.check_time(&end_entity, &intermediates);
        let parsed = EndEntityCert::try_from(&end_entity).map_err(CertificateError::Invalid)?;
        parsed
            .verify_for_usage(
                signature::ALL,
                self.anchors,
                &intermediates,
                time,
                KeyUsage::server_auth(),
                None,
                None,
            )
            .map_err(CertificateError::Invalid)?;
        parsed
            .verify_is_valid_for_subject_name(&self.server_name)
            .map_err(CertificateError::Invalid)?;
        let public_key_info = public_key_info(end_entity.as_ref())
            .ok_or(CertificateError::Invalid(webpki::Error::BadDer))?;
        heapless::Vec::from_slice(public_key_info)
            .map_err(|_| CertificateError::UnsupportedSignatureScheme)
    }

    fn check_time(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
    ) -> UnixTime {
        let seconds = match self.time {
            CertificateTime::Now(now) => now,
            // A certificate that does not parse is refused by webpki if it is on the path,
            // and does not matter if it is not: leave it out of the maximum.
            CertificateTime::AtLeast(floor) => core::iter::once(end_entity)
                .chain(intermediates)
                .filter_map(|certificate| not_before(certificate.as_ref()))
                .fold(floor, u64::max),
        };
        UnixTime::since_unix_epoch(Duration::from_secs(seconds))
    }
}

impl<CipherSuite: TlsCipherSuite> TlsVerifier<CipherSuite> for Verifier<'_> {
    /// The name checked is the one given to [`Verifier::new`]; embedded-tls passes the SNI
    /// name it sends, which must be that same name.
    fn set_hostname_verification(&mut self, hostname: &str) -> Result<(), TlsError> {
        match &self.server_name {
            ServerName::DnsName(name) if name.as_ref().eq_ignore_ascii_case(hostname) => Ok(()),
            _ => Err(TlsError::InvalidCertificate),
        }
    }

    fn verify_certificate(
        &mut self,
        transcript: &CipherSuite::Hash,
        certificate: CertificateRef<'_>,
    ) -> Result<(), TlsError> {
        if !matches!(self.progress, Progress::AwaitingCertificate) {
            return Err(self.refuse(CertificateError::NotVerified));
        }
        let public_key_info = match self.check_chain(&certificate) {
            Ok(key) => key,
            Err(e) => return Err(self.refuse(e)),
        };
        let Ok(transcript_hash) = heapless::Vec::from_slice(&transcript.clone().finalize()) else {
            return Err(self.refuse(CertificateError::UnsupportedSignatureScheme));
        };
        self.progress = Progress::AwaitingSignature {
            public_key_info,
            transcript_hash,
        };
        Ok(())
    }

    fn verify_signature(&mut self, verify: CertificateVerifyRef<'_>) -> Result<(), TlsError> {
        let Progress::AwaitingSignature {
            public_key_info,
            transcript_hash,
        } = &self.progress
        else {
            return Err(self.refuse(CertificateError::NotVerified));
        };
        match check_certificate_verify(public_key_info, transcript_hash, &verify) {
            Ok(()) => {
                self.progress = Progress::Verified;
                Ok(())
            }
            Err(e) => Err(self.refuse(e)),
        }
    }
}

/// The algorithm for a TLS 1.3 CertificateVerify signature scheme. The rsa_pkcs1_* schemes
/// are for signatures in certificates only (RFC 8446, 4.2.3) and are refused here.
fn handshake_algorithm(
    scheme: SignatureScheme,
) -> Option<&'static dyn SignatureVerificationAlgorithm> {
    Some(match scheme {
        SignatureScheme::EcdsaSecp256r1Sha256 => signature::ECDSA_P256_SHA256,
        SignatureScheme::EcdsaSecp384r1Sha384 => signature::ECDSA_P384_SHA384,
        #[cfg(feature = "ed25519")]
        SignatureScheme::Ed25519 => signature::ED25519,
        SignatureScheme::RsaPssRsaeSha256 => signature::RSA_PSS_2048_4096_SHA256_LEGACY_KEY,
        SignatureScheme::RsaPssRsaeSha384 => signature::RSA_PSS_2048_4096_SHA384_LEGACY_KEY,
        SignatureScheme::RsaPssRsaeSha512 => signature::RSA_PSS_2048_4096_SHA512_LEGACY_KEY,
        _ => return None,
    })
}

/// RFC 8446, 4.4.3: the server signs 64 spaces, a context string, a zero byte and the
/// transcript hash, with the scheme it picked from those the client offered.
fn check_certificate_verify(
    public_key_info: &[u8],
    transcript_hash: &[u8],
    verify: &CertificateVerifyRef<'_>,
) -> Result<(), CertificateError> {
    const CONTEXT: &[u8] = b"TLS 1.3, server CertificateVerify\x00";
    let algorithm = handshake_algorithm(verify.signature_scheme)
        .ok_or(CertificateError::UnsupportedSignatureScheme)?;
    let (key_algorithm, public_key) = split_public_key_info(public_key_info)
        .ok_or(CertificateError::UnsupportedSignatureScheme)?;
    if key_algorithm != algorithm.public_key_alg_id().as_ref() {
        return Err(CertificateError::UnsupportedSignatureScheme);
    }
    let mut message = heapless::Vec::<u8, { 64 + CONTEXT.len() + MAX_HASH }>::new();
    message
        .extend_from_slice(&[b' '; 64])
        .and_then(|()| message.extend_from_slice(CONTEXT))
        .and_then(|()| message.extend_from_slice(transcript_hash))
        .map_err(|_| CertificateError::UnsupportedSignatureScheme)?;
    algorithm
        .verify_signature(public_key, &message, verify.signature)
        .map_err(|_| CertificateError::BadSignature)
}

// The two readers below walk a certificate's DER for the two things rustls-webpki does not
// give without an allocator: the subjectPublicKeyInfo (webpki's accessor needs `alloc`) and
// the notBefore time (webpki checks it but does not expose it).

/// The fields of a TBSCertificate (RFC 5280, 4.1) up to the subjectPublicKeyInfo:
/// `(validity, subjectPublicKeyInfo)`, the SPKI as a whole TLV.
fn validity_and_public_key_info(certificate: &[u8]) -> der::Result<(AnyRef<'_>, &[u8])> {
    let certificate = AnyRef::from_der(certificate)?;
    let tbs: AnyRef<'_> = SliceReader::new(certificate.value())?.decode()?;
    let mut fields = SliceReader::new(tbs.value())?;
    let version = Tag::ContextSpecific {
        constructed: true,
        number: TagNumber::N0,
    };
    if fields.peek_tag()? == version {
        fields.decode::<AnyRef<'_>>()?;
    }
    for _serial_signature_issuer in 0..3 {
        fields.decode::<AnyRef<'_>>()?;
    }
    let validity: AnyRef<'_> = fields.decode()?;
    let _subject: AnyRef<'_> = fields.decode()?;
    Ok((validity, fields.tlv_bytes()?))
}

/// A certificate's subjectPublicKeyInfo, DER, with its tag and length.
fn public_key_info(certificate: &[u8]) -> Option<&[u8]> {
    validity_and_public_key_info(certificate)
        .ok()
        .map(|(_, spki)| spki)
}

/// A certificate's notBefore, in seconds since the Unix epoch.
fn not_before(certificate: &[u8]) -> Option<u64> {
    let (validity, _) = validity_and_public_key_info(certificate).ok()?;
    let mut times = SliceReader::new(validity.value()).ok()?;
    let since_epoch = match times.peek_tag().ok()? {
        Tag::UtcTime => times.decode::<UtcTime>().ok()?.to_unix_duration(),
        Tag::GeneralizedTime => times.decode::<GeneralizedTime>().ok()?.to_unix_duration(),
        _ => return None,
    };
    Some(since_epoch.as_secs())
}

/// A subjectPublicKeyInfo's algorithm (the AlgorithmIdentifier's contents, as
/// `rustls_pki_types::AlgorithmIdentifier` holds them) and its subjectPublicKey bits.
fn split_public_key_info(spki: &[u8]) -> Option<(&[u8], &[u8])> {
    let spki = AnyRef::from_der(spki).ok()?;
    let mut fields = SliceReader::new(spki.value()).ok()?;
    let algorithm: AnyRef<'_> = fields.decode().ok()?;
    let key: BitStringRef<'_> = fields.decode().ok()?;
    Some((algorithm.value(), key.as_bytes()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_tls::blocking::Aes128GcmSha256;
    use sha2::Sha256;

    fn sandbox_chain() -> (juspay_sandbox::Sandbox, Vec<u8>) {
        let sandbox = juspay_sandbox::Sandbox::start().unwrap();
        let ca = sandbox.ca_der().to_vec();
        (sandbox, ca)
    }

    #[test]
    fn reads_not_before_and_public_key_of_a_real_certificate() {
        let (_sandbox, ca) = sandbox_chain();
        let root = CertificateDer::from(ca.as_slice());
        let anchor = trust_anchor(&root).unwrap();
        let spki = public_key_info(&ca).unwrap();
        // webpki's view of the same certificate: the SPKI contents match.
        assert_eq!(
            AnyRef::from_der(spki).unwrap().value(),
            anchor.subject_public_key_info.as_ref()
        );
        let (algorithm, key) = split_public_key_info(spki).unwrap();
        assert_eq!(algorithm, rustls_pki_types::alg_id::ECDSA_P256.as_ref());
        assert_eq!(key.len(), 65);
        // The sandbox's CA keeps rcgen's default validity, from 1975-01-01T00:00:00Z.
        assert_eq!(not_before(&ca), Some(157_766_400));
    }

    #[test]
    fn garbage_is_not_a_certificate() {
        for bytes in [
            &b""[..],
            b"\x30",
            b"\x30\x03\x02\x01\x01",
            &[0x30, 0x80, 0, 0],
        ] {
            assert_eq!(public_key_info(bytes), None);
            assert_eq!(not_before(bytes), None);
        }
    }

    fn verifier<'a>(anchors: &'a [TrustAnchor<'a>]) -> Verifier<'a> {
        Verifier::new(
            anchors,
            ServerName::try_from("localhost").unwrap(),
            CertificateTime::Now(1_800_000_000),
        )
    }

    #[test]
    fn a_signature_before_any_certificate_is_refused() {
        let mut verifier = verifier(&[]);
        let verify = CertificateVerifyRef {
            signature_scheme: SignatureScheme::EcdsaSecp256r1Sha256,
            signature: &[0x30, 0],
        };
        let result = TlsVerifier::<Aes128GcmSha256>::verify_signature(&mut verifier, verify);
        assert!(result.is_err());
        assert_eq!(verifier.verified(), Err(CertificateError::NotVerified));
    }

    #[test]
    fn a_handshake_that_skipped_the_certificate_is_not_verified() {
        let verifier = verifier(&[]);
        assert_eq!(verifier.verified(), Err(CertificateError::NotVerified));
    }

    #[test]
    fn an_empty_certificate_message_is_refused() {
        let mut verifier = verifier(&[]);
        let result = TlsVerifier::<Aes128GcmSha256>::verify_certificate(
            &mut verifier,
            &Sha256::new(),
            CertificateRef::with_context(&[]),
        );
        assert!(
            matches!(result, Err(TlsError::InvalidCertificate)),
            "{result:?}"
        );
        assert_eq!(verifier.refusal(), Some(&CertificateError::Missing));
    }

    #[test]
    fn the_sni_name_must_be_the_checked_name() {
        let mut verifier = verifier(&[]);
        let mut sni = |name| {
            TlsVerifier::<Aes128GcmSha256>::set_hostname_verification(&mut verifier, name).is_ok()
        };
        assert!(sni("LOCALHOST"));
        assert!(!sni("elsewhere"));
    }

    #[test]
    fn pkcs1_is_not_a_handshake_signature_in_tls_1_3() {
        for scheme in [
            SignatureScheme::RsaPkcs1Sha256,
            SignatureScheme::RsaPkcs1Sha384,
            SignatureScheme::RsaPkcs1Sha512,
        ] {
            assert!(handshake_algorithm(scheme).is_none());
        }
    }
}
