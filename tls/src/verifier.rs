//! The server's certificate, checked as rustls checks it, without a heap: the handshake's
//! own verification steps, not a plug-in that could be skipped.
//!
//! [`verify_chain`] runs RFC 5280 path validation with rustls-webpki (the validator behind
//! rustls, so the std and the embedded transports decide alike) and checks the host name or
//! IP address; it works on the Certificate message where it lies in the receive buffer and
//! returns only the end-entity's public key. [`verify_certificate_verify`] then checks the
//! TLS 1.3 CertificateVerify signature with that key, [`verify_server_key_exchange`] the
//! TLS 1.2 ServerKeyExchange signature.

use core::time::Duration;

use der::asn1::{AnyRef, BitStringRef, GeneralizedTime, UtcTime};
use der::{Decode, Reader, SliceReader, Tag, TagNumber};
use rustls_pki_types::{
    CertificateDer, Der, ServerName, SignatureVerificationAlgorithm, TrustAnchor, UnixTime,
};
use webpki::{EndEntityCert, KeyUsage};

use crate::signature;

/// Certificates in one Certificate message, end-entity included. Public chains have 2–4;
/// the rest is room for servers that send extra certificates (rustls sets no limit; a
/// message with more is refused as [`CertificateError::TooManyCertificates`]).
pub const MAX_CHAIN_CERTIFICATES: usize = 64;

/// Bytes kept of the end-entity's SubjectPublicKeyInfo until its CertificateVerify arrives:
/// an RSA-4096 key takes 550.
pub const MAX_PUBLIC_KEY_INFO: usize = 600;

use crate::suite::MAX_HASH;

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

/// Seconds since the Unix epoch from a trusted clock: [`CertificateTime::Now`].
impl From<u64> for CertificateTime {
    fn from(now: u64) -> Self {
        CertificateTime::Now(now)
    }
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
    /// The Certificate message holds more than [`MAX_CHAIN_CERTIFICATES`] certificates.
    TooManyCertificates,
}

impl CertificateError {
    /// The alert that answers this refusal (RFC 8446, 6.2).
    pub fn alert(&self) -> crate::Alert {
        use crate::Alert;
        match self {
            CertificateError::Invalid(webpki::Error::UnknownIssuer) => Alert::UnknownCa,
            CertificateError::Invalid(
                webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. },
            ) => Alert::CertificateExpired,
            CertificateError::Invalid(_) | CertificateError::TooManyCertificates => {
                Alert::BadCertificate
            }
            CertificateError::Missing => Alert::DecodeError,
            CertificateError::UnsupportedSignatureScheme => Alert::IllegalParameter,
            CertificateError::BadSignature => Alert::DecryptError,
        }
    }
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
            CertificateError::TooManyCertificates => {
                f.write_str("server sent too many certificates")
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
            CertificateError::TooManyCertificates => defmt::write!(f, "TooManyCertificates"),
        }
    }
}

/// A trust anchor from a root certificate (DER: a [`CertificateDer`], or its bytes), for
/// the client's configuration. Do this once, at start: the anchor borrows from `root`.
///
/// ```
/// use juspay_tls::trust_anchor;
/// // On firmware, a root in flash: `static ROOT: &[u8] = include_bytes!("root.der");`
/// static ROOT: &[u8] = include_bytes!("../tests/vectors/rfc8448/server_certificate.der");
/// assert!(trust_anchor(ROOT).is_ok());
/// assert!(trust_anchor(&ROOT[1..]).is_err());
/// ```
pub fn trust_anchor<'a, R: AsRef<[u8]> + ?Sized>(
    root: &'a R,
) -> Result<TrustAnchor<'a>, webpki::Error> {
    let bytes: &'a [u8] = root.as_ref();
    let certificate = CertificateDer::from(bytes);
    let anchor = webpki::anchor_from_trusted_cert(&certificate)?;
    // webpki's anchor borrows `certificate`, a view made here, but its fields are parts of
    // `bytes`: each is found again there (by its address, no unsafe code), so that the
    // anchor borrows the caller's bytes instead.
    let within = |part: &[u8]| -> Result<Der<'a>, webpki::Error> {
        let start = (part.as_ptr() as usize)
            .checked_sub(bytes.as_ptr() as usize)
            .ok_or(webpki::Error::BadDer)?;
        let end = start.checked_add(part.len()).ok_or(webpki::Error::BadDer)?;
        bytes
            .get(start..end)
            .map(Der::from_slice)
            .ok_or(webpki::Error::BadDer)
    };
    Ok(TrustAnchor {
        subject: within(anchor.subject.as_ref())?,
        subject_public_key_info: within(anchor.subject_public_key_info.as_ref())?,
        name_constraints: match &anchor.name_constraints {
            Some(constraints) => Some(within(constraints.as_ref())?),
            None => None,
        },
    })
}

/// What the chain check keeps for the CertificateVerify check: the end-entity's
/// SubjectPublicKeyInfo (DER).
pub(crate) type ServerKey = heapless::Vec<u8, MAX_PUBLIC_KEY_INFO>;

/// Where and against what the server's chain is checked.
#[derive(Debug, Clone)]
pub(crate) struct Trust<'a> {
    pub(crate) anchors: &'a [TrustAnchor<'a>],
    pub(crate) server_name: ServerName<'a>,
    pub(crate) time: CertificateTime,
}

/// Path validation of the certificates of a Certificate message (end-entity first) to one
/// of the trust anchors, for the server name, at the configured time. Returns the
/// end-entity's public key.
///
/// The key is written into `key` (emptied first) rather than returned: a returned key is
/// copied once more in the caller's frame, under the deepest stack of the handshake.
pub(crate) fn verify_chain<'c>(
    trust: &Trust<'_>,
    certificates: impl Iterator<Item = &'c [u8]>,
    key: &mut ServerKey,
) -> Result<(), CertificateError> {
    key.clear();
    let mut certificates = certificates.map(CertificateDer::from);
    let end_entity = certificates.next().ok_or(CertificateError::Missing)?;
    let mut intermediates =
        heapless::Vec::<CertificateDer<'_>, { MAX_CHAIN_CERTIFICATES - 1 }>::new();
    for certificate in certificates {
        intermediates
            .push(certificate)
            .map_err(|_| CertificateError::TooManyCertificates)?;
    }
    let time = check_time(trust.time, &end_entity, &intermediates);
    let parsed = EndEntityCert::try_from(&end_entity).map_err(CertificateError::Invalid)?;
    parsed
        .verify_for_usage(
            signature::ALL,
            trust.anchors,
            &intermediates,
            time,
            KeyUsage::server_auth(),
            None,
            None,
        )
        .map_err(CertificateError::Invalid)?;
    parsed
        .verify_is_valid_for_subject_name(&trust.server_name)
        .map_err(CertificateError::Invalid)?;
    let public_key_info = public_key_info(end_entity.as_ref())
        .ok_or(CertificateError::Invalid(webpki::Error::BadDer))?;
    key.extend_from_slice(public_key_info)
        .map_err(|_| CertificateError::UnsupportedSignatureScheme)
}

fn check_time(
    time: CertificateTime,
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
) -> UnixTime {
    let seconds = match time {
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

/// Signature scheme code points (RFC 8446, 4.2.3; the same numbers as TLS 1.2's
/// SignatureAndHashAlgorithm, RFC 5246, 7.4.1.4.1) this crate verifies.
#[allow(missing_docs)]
pub mod scheme {
    pub const ECDSA_SECP256R1_SHA256: u16 = 0x0403;
    #[cfg(feature = "p384")]
    pub const ECDSA_SECP384R1_SHA384: u16 = 0x0503;
    pub const RSA_PSS_RSAE_SHA256: u16 = 0x0804;
    pub const RSA_PSS_RSAE_SHA384: u16 = 0x0805;
    pub const RSA_PSS_RSAE_SHA512: u16 = 0x0806;
    #[cfg(feature = "ed25519")]
    pub const ED25519: u16 = 0x0807;
    pub const RSA_PKCS1_SHA256: u16 = 0x0401;
    pub const RSA_PKCS1_SHA384: u16 = 0x0501;
    pub const RSA_PKCS1_SHA512: u16 = 0x0601;

    /// What the ClientHello's signature_algorithms offers: exactly what we verify, handshake
    /// schemes first; PKCS#1 for signatures in certificates, and in TLS 1.2 handshakes
    /// (TLS 1.3 refuses it in CertificateVerify, RFC 8446, 4.4.3).
    pub const OFFERED: &[u16] = &[
        ECDSA_SECP256R1_SHA256,
        #[cfg(feature = "p384")]
        ECDSA_SECP384R1_SHA384,
        #[cfg(feature = "ed25519")]
        ED25519,
        RSA_PSS_RSAE_SHA256,
        RSA_PSS_RSAE_SHA384,
        RSA_PSS_RSAE_SHA512,
        RSA_PKCS1_SHA256,
        RSA_PKCS1_SHA384,
        RSA_PKCS1_SHA512,
    ];
}

/// The algorithm for a TLS 1.3 CertificateVerify signature scheme. The rsa_pkcs1_* schemes
/// are for signatures in certificates only (RFC 8446, 4.2.3) and are refused here.
fn handshake_algorithm(scheme: u16) -> Option<&'static dyn SignatureVerificationAlgorithm> {
    Some(match scheme {
        scheme::ECDSA_SECP256R1_SHA256 => signature::ECDSA_P256_SHA256,
        #[cfg(feature = "p384")]
        scheme::ECDSA_SECP384R1_SHA384 => signature::ECDSA_P384_SHA384,
        #[cfg(feature = "ed25519")]
        scheme::ED25519 => signature::ED25519,
        scheme::RSA_PSS_RSAE_SHA256 => signature::RSA_PSS_2048_4096_SHA256_LEGACY_KEY,
        scheme::RSA_PSS_RSAE_SHA384 => signature::RSA_PSS_2048_4096_SHA384_LEGACY_KEY,
        scheme::RSA_PSS_RSAE_SHA512 => signature::RSA_PSS_2048_4096_SHA512_LEGACY_KEY,
        _ => return None,
    })
}

/// RFC 8446, 4.4.3: the server signs 64 spaces, a context string, a zero byte and the
/// transcript hash, with the scheme it picked from those the client offered.
pub(crate) fn verify_certificate_verify(
    public_key_info: &[u8],
    transcript_hash: &[u8],
    scheme: u16,
    signature: &[u8],
) -> Result<(), CertificateError> {
    const CONTEXT: &[u8] = b"TLS 1.3, server CertificateVerify\x00";
    let algorithm =
        handshake_algorithm(scheme).ok_or(CertificateError::UnsupportedSignatureScheme)?;
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
        .verify_signature(public_key, &message, signature)
        .map_err(|_| CertificateError::BadSignature)
}

/// The algorithm that verifies a TLS 1.2 signature `scheme` with a key of `key_algorithm`.
/// In TLS 1.2 an ECDSA scheme names only the hash (RFC 5246, 7.4.1.4.1; RFC 8422, 5.1.3),
/// so ecdsa_secp256r1_sha256 also means SHA-256 with a P-384 key, as rustls reads it; and
/// rsa_pkcs1_* are handshake signatures here, unlike TLS 1.3.
fn tls12_algorithm(
    scheme: u16,
    key_algorithm: &[u8],
) -> Option<&'static dyn SignatureVerificationAlgorithm> {
    let candidates: &[&'static dyn SignatureVerificationAlgorithm] = match scheme {
        scheme::ECDSA_SECP256R1_SHA256 => &[
            signature::ECDSA_P256_SHA256,
            #[cfg(feature = "p384")]
            signature::ECDSA_P384_SHA256,
        ],
        #[cfg(feature = "p384")]
        scheme::ECDSA_SECP384R1_SHA384 => {
            &[signature::ECDSA_P256_SHA384, signature::ECDSA_P384_SHA384]
        }
        #[cfg(feature = "ed25519")]
        scheme::ED25519 => &[signature::ED25519],
        scheme::RSA_PKCS1_SHA256 => &[signature::RSA_PKCS1_2048_4096_SHA256],
        scheme::RSA_PKCS1_SHA384 => &[signature::RSA_PKCS1_2048_4096_SHA384],
        scheme::RSA_PKCS1_SHA512 => &[signature::RSA_PKCS1_2048_4096_SHA512],
        scheme::RSA_PSS_RSAE_SHA256 => &[signature::RSA_PSS_2048_4096_SHA256_LEGACY_KEY],
        scheme::RSA_PSS_RSAE_SHA384 => &[signature::RSA_PSS_2048_4096_SHA384_LEGACY_KEY],
        scheme::RSA_PSS_RSAE_SHA512 => &[signature::RSA_PSS_2048_4096_SHA512_LEGACY_KEY],
        _ => return None,
    };
    candidates
        .iter()
        .copied()
        .find(|a| a.public_key_alg_id().as_ref() == key_algorithm)
}

/// Whether a signature scheme is ECDSA or EdDSA (for the ECDHE_ECDSA suites) rather than
/// RSA (ECDHE_RSA).
pub(crate) fn is_ecdsa_scheme(scheme: u16) -> bool {
    scheme & 0xff == 0x03 || scheme == 0x0807
}

/// The longest TLS 1.2 ServerKeyExchange signed content: both randoms, curve type, group,
/// and an uncompressed P-256 point with its length.
const MAX_SIGNED_PARAMS: usize = 32 + 32 + 4 + crate::kx::MAX_SHARE;

/// TLS 1.2 ServerKeyExchange (RFC 5246, 7.4.3; RFC 8422, 5.4): the server signs
/// client_random, server_random and its ECDH parameters (`signed`, concatenated) with the
/// end-entity key.
pub(crate) fn verify_server_key_exchange(
    public_key_info: &[u8],
    scheme: u16,
    signed: &[&[u8]],
    signature: &[u8],
) -> Result<(), CertificateError> {
    let (key_algorithm, public_key) = split_public_key_info(public_key_info)
        .ok_or(CertificateError::UnsupportedSignatureScheme)?;
    let algorithm = tls12_algorithm(scheme, key_algorithm)
        .ok_or(CertificateError::UnsupportedSignatureScheme)?;
    let mut message = heapless::Vec::<u8, MAX_SIGNED_PARAMS>::new();
    for part in signed {
        message
            .extend_from_slice(part)
            .map_err(|_| CertificateError::UnsupportedSignatureScheme)?;
    }
    algorithm
        .verify_signature(public_key, &message, signature)
        .map_err(|_| CertificateError::BadSignature)
}

/// The two server-authentication steps of a handshake on their own, outside a
/// connection: for tests, fuzzing and measurements of the verification (the recorded
/// handshakes of `juspay_tls::handshake_vector`). [`crate::Client`] runs the same two
/// functions as steps of its state machine.
pub struct Verifier<'a> {
    trust: Trust<'a>,
    progress: Progress,
}

/// Where a [`Verifier`] is. Not boxed: there is no heap.
#[allow(clippy::large_enum_variant)]
enum Progress {
    AwaitingCertificate,
    AwaitingSignature(ServerKey),
    Verified,
    Refused(CertificateError),
}

impl<'a> Verifier<'a> {
    /// A verifier for a server known as `server_name` (a DNS name or an IP address).
    pub fn new(
        anchors: &'a [TrustAnchor<'a>],
        server_name: ServerName<'a>,
        time: CertificateTime,
    ) -> Self {
        Verifier {
            trust: Trust {
                anchors,
                server_name,
                time,
            },
            progress: Progress::AwaitingCertificate,
        }
    }

    /// The certificates of a Certificate message, end-entity first.
    pub fn verify_certificates<'c>(
        &mut self,
        certificates: impl Iterator<Item = &'c [u8]>,
    ) -> Result<(), CertificateError> {
        if !matches!(self.progress, Progress::AwaitingCertificate) {
            return self.refuse(CertificateError::Missing);
        }
        let mut key = ServerKey::new();
        match verify_chain(&self.trust, certificates, &mut key) {
            Ok(()) => {
                self.progress = Progress::AwaitingSignature(key);
                Ok(())
            }
            Err(e) => self.refuse(e),
        }
    }

    /// The CertificateVerify: `scheme` and `signature` over the transcript hash up to the
    /// Certificate message.
    pub fn verify_signature(
        &mut self,
        transcript_hash: &[u8],
        scheme: u16,
        signature: &[u8],
    ) -> Result<(), CertificateError> {
        let Progress::AwaitingSignature(key) = &self.progress else {
            return self.refuse(CertificateError::Missing);
        };
        match verify_certificate_verify(key, transcript_hash, scheme, signature) {
            Ok(()) => {
                self.progress = Progress::Verified;
                Ok(())
            }
            Err(e) => self.refuse(e),
        }
    }

    /// Whether both steps succeeded, in order.
    pub fn verified(&self) -> Result<(), CertificateError> {
        match &self.progress {
            Progress::Verified => Ok(()),
            Progress::Refused(e) => Err(e.clone()),
            _ => Err(CertificateError::Missing),
        }
    }

    fn refuse(&mut self, e: CertificateError) -> Result<(), CertificateError> {
        self.progress = Progress::Refused(e.clone());
        Err(e)
    }
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

    static RFC8448_CERTIFICATE: &[u8] =
        include_bytes!("../tests/vectors/rfc8448/server_certificate.der");

    #[test]
    fn reads_not_before_and_public_key_of_a_real_certificate() {
        let spki = public_key_info(RFC8448_CERTIFICATE).unwrap();
        let (algorithm, key) = split_public_key_info(spki).unwrap();
        assert_eq!(algorithm, rustls_pki_types::alg_id::RSA_ENCRYPTION.as_ref());
        assert_eq!(key.len(), 140); // a 1024-bit RSA key
        // notBefore 2016-07-30T01:23:59Z.
        assert_eq!(not_before(RFC8448_CERTIFICATE), Some(1_469_841_839));
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

    fn trust<'a>(anchors: &'a [TrustAnchor<'a>]) -> Trust<'a> {
        Trust {
            anchors,
            server_name: ServerName::try_from("localhost").unwrap(),
            time: CertificateTime::Now(1_800_000_000),
        }
    }

    #[test]
    fn a_trust_anchor_borrows_the_callers_bytes() {
        let root: &[u8] = include_bytes!("../tests/vectors/rfc8448/server_certificate.der");
        let from_bytes = trust_anchor(root).unwrap();
        let certificate = CertificateDer::from(root);
        assert_eq!(
            from_bytes,
            webpki::anchor_from_trusted_cert(&certificate).unwrap()
        );
        let range = root.as_ptr_range();
        for part in [&from_bytes.subject, &from_bytes.subject_public_key_info] {
            assert!(!part.as_ref().is_empty());
            assert!(range.contains(&part.as_ref().as_ptr()));
        }
        // Not a certificate: refused, as webpki refuses it.
        assert!(trust_anchor(&root[..root.len() - 1]).is_err());
        assert_eq!(CertificateTime::from(7), CertificateTime::Now(7));
    }

    #[test]
    fn an_empty_certificate_message_is_refused() {
        assert_eq!(
            verify_chain(&trust(&[]), core::iter::empty(), &mut ServerKey::new()),
            Err(CertificateError::Missing)
        );
    }

    #[test]
    fn too_many_certificates_are_refused_before_any_is_parsed() {
        let chain = [&b"x"[..]; MAX_CHAIN_CERTIFICATES + 1];
        assert_eq!(
            verify_chain(&trust(&[]), chain.into_iter(), &mut ServerKey::new()),
            Err(CertificateError::TooManyCertificates)
        );
    }

    #[test]
    fn pkcs1_is_not_a_handshake_signature_in_tls_1_3() {
        for s in [
            scheme::RSA_PKCS1_SHA256,
            scheme::RSA_PKCS1_SHA384,
            scheme::RSA_PKCS1_SHA512,
        ] {
            assert!(handshake_algorithm(s).is_none());
        }
        for s in scheme::OFFERED.iter().filter(|s| **s & 0xff != 0x01) {
            assert!(handshake_algorithm(*s).is_some(), "{s:04x}");
        }
    }

    /// A DER element: tag, length (short or two-byte long form), contents.
    fn der(tag: u8, contents: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        match contents.len() {
            n if n < 128 => out.push(n as u8),
            n => out.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        out.extend_from_slice(contents);
        out
    }

    /// The SubjectPublicKeyInfo (rsaEncryption) around an RSAPublicKey.
    fn rsa_spki(rsa_public_key: &[u8]) -> Vec<u8> {
        let algorithm = der(
            0x30,
            &[
                &der(
                    0x06,
                    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01],
                )[..],
                &[5, 0],
            ]
            .concat(),
        );
        let key = der(0x03, &[&[0u8][..], rsa_public_key].concat());
        der(0x30, &[algorithm, key].concat())
    }

    /// One RSA key and valid signatures (src/signature/testdata): PKCS#1 v1.5 and PSS are
    /// both TLS 1.2 ServerKeyExchange signatures, a changed byte is refused, and TLS 1.3's
    /// CertificateVerify refuses the PKCS#1 scheme outright (RFC 8446, 4.4.3) whatever the
    /// signature, while the ECDSA and RSA keys do not stand in for each other.
    #[test]
    fn tls12_takes_pkcs1_and_pss_where_tls13_refuses_pkcs1() {
        let spki = rsa_spki(include_bytes!("signature/testdata/rsa2048.der"));
        let message: &[u8] = b"juspay signature test";
        let pkcs1 = include_bytes!("signature/testdata/rsa2048_pkcs1_sha256.sig");
        let pss = include_bytes!("signature/testdata/rsa2048_pss_sha256.sig");
        let (head, tail) = message.split_at(6);
        for (scheme, signature) in [
            (scheme::RSA_PKCS1_SHA256, &pkcs1[..]),
            (scheme::RSA_PSS_RSAE_SHA256, &pss[..]),
        ] {
            assert_eq!(
                verify_server_key_exchange(&spki, scheme, &[head, tail], signature),
                Ok(())
            );
            let mut changed = signature.to_vec();
            changed[9] ^= 1;
            assert_eq!(
                verify_server_key_exchange(&spki, scheme, &[head, tail], &changed),
                Err(CertificateError::BadSignature)
            );
            assert_eq!(
                verify_server_key_exchange(
                    &spki,
                    scheme::ECDSA_SECP256R1_SHA256,
                    &[message],
                    signature
                ),
                Err(CertificateError::UnsupportedSignatureScheme)
            );
        }
        assert_eq!(
            verify_certificate_verify(&spki, &[0; 32], scheme::RSA_PKCS1_SHA256, pkcs1),
            Err(CertificateError::UnsupportedSignatureScheme)
        );
        // In TLS 1.2 an ECDSA scheme names the hash only (RFC 5246, 7.4.1.4.1).
        #[cfg(feature = "p384")]
        assert!(
            tls12_algorithm(
                scheme::ECDSA_SECP256R1_SHA256,
                rustls_pki_types::alg_id::ECDSA_P384.as_ref()
            )
            .is_some()
        );
        assert!(is_ecdsa_scheme(scheme::ECDSA_SECP256R1_SHA256));
        assert!(!is_ecdsa_scheme(scheme::RSA_PKCS1_SHA256));
        assert!(!is_ecdsa_scheme(scheme::RSA_PSS_RSAE_SHA256));
    }
}
