//! What can go wrong, kept apart: what the peer did against the protocol (and the alert we
//! answer it with), an alert the peer sent, the certificate, a limit of the caller's
//! buffers, and the connection ending.

use crate::verifier::CertificateError;

/// A TLS alert description (RFC 8446, 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Alert {
    /// close_notify (0).
    CloseNotify,
    /// unexpected_message (10).
    UnexpectedMessage,
    /// bad_record_mac (20).
    BadRecordMac,
    /// record_overflow (22).
    RecordOverflow,
    /// handshake_failure (40).
    HandshakeFailure,
    /// bad_certificate (42).
    BadCertificate,
    /// unsupported_certificate (43).
    UnsupportedCertificate,
    /// certificate_expired (45).
    CertificateExpired,
    /// certificate_unknown (46).
    CertificateUnknown,
    /// illegal_parameter (47).
    IllegalParameter,
    /// unknown_ca (48).
    UnknownCa,
    /// decode_error (50).
    DecodeError,
    /// decrypt_error (51).
    DecryptError,
    /// protocol_version (70).
    ProtocolVersion,
    /// internal_error (80).
    InternalError,
    /// user_canceled (90).
    UserCanceled,
    /// no_renegotiation (100), a warning in TLS 1.2 (RFC 5246, 7.2.2).
    NoRenegotiation,
    /// missing_extension (109).
    MissingExtension,
    /// unsupported_extension (110).
    UnsupportedExtension,
    /// Any other description, by its number.
    Other(u8),
}

impl Alert {
    /// The alert's number on the wire.
    pub fn code(self) -> u8 {
        match self {
            Alert::CloseNotify => 0,
            Alert::UnexpectedMessage => 10,
            Alert::BadRecordMac => 20,
            Alert::RecordOverflow => 22,
            Alert::HandshakeFailure => 40,
            Alert::BadCertificate => 42,
            Alert::UnsupportedCertificate => 43,
            Alert::CertificateExpired => 45,
            Alert::CertificateUnknown => 46,
            Alert::IllegalParameter => 47,
            Alert::UnknownCa => 48,
            Alert::DecodeError => 50,
            Alert::DecryptError => 51,
            Alert::ProtocolVersion => 70,
            Alert::InternalError => 80,
            Alert::UserCanceled => 90,
            Alert::NoRenegotiation => 100,
            Alert::MissingExtension => 109,
            Alert::UnsupportedExtension => 110,
            Alert::Other(code) => code,
        }
    }

    pub(crate) fn from_code(code: u8) -> Alert {
        [
            Alert::CloseNotify,
            Alert::UnexpectedMessage,
            Alert::BadRecordMac,
            Alert::RecordOverflow,
            Alert::HandshakeFailure,
            Alert::BadCertificate,
            Alert::UnsupportedCertificate,
            Alert::CertificateExpired,
            Alert::CertificateUnknown,
            Alert::IllegalParameter,
            Alert::UnknownCa,
            Alert::DecodeError,
            Alert::DecryptError,
            Alert::ProtocolVersion,
            Alert::InternalError,
            Alert::UserCanceled,
            Alert::NoRenegotiation,
            Alert::MissingExtension,
            Alert::UnsupportedExtension,
        ]
        .into_iter()
        .find(|a| a.code() == code)
        .unwrap_or(Alert::Other(code))
    }
}

/// How the server broke TLS; each is answered with the alert [`Violation::alert`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Violation {
    /// A handshake message that does not belong in this state (RFC 8446, 4).
    UnexpectedMessage,
    /// A record of a content type that does not belong here (unencrypted after the
    /// ServerHello, application data before the handshake ended, an unknown type).
    UnexpectedRecord,
    /// A message or record that does not parse, or has bytes left over.
    Malformed,
    /// A record longer than TLS allows (2^14 bytes of plaintext, 2^14 + 256 encrypted).
    RecordTooLong,
    /// An encrypted record with no content type (all zeros) or an empty handshake or
    /// alert record (RFC 8446, 5.1 and 5.4).
    EmptyRecord,
    /// Too many records in a row that carried nothing (empty records, ChangeCipherSpec,
    /// warnings, tickets, key updates): a flood.
    TooManyEmptyRecords,
    /// A handshake message spans a key change (RFC 8446, 5.1).
    NotAlignedWithKeyChange,
    /// The ServerHello (or HelloRetryRequest) is not TLS 1.3 (supported_versions missing)
    /// where TLS 1.3 is required ([`crate::Config::tls13_only`]), or is a TLS 1.3 one
    /// (key_share, cookie, the HelloRetryRequest random) without supported_versions.
    NotTls13,
    /// The ServerHello picks a version older than TLS 1.2 (RFC 8446, D.2: protocol_version).
    OldVersion,
    /// A TLS 1.2 ServerHello whose random ends in a downgrade sentinel, "DOWNGRD\x01" or
    /// "DOWNGRD\x00", while we offered TLS 1.3 (RFC 8446, 4.1.3): someone on the path
    /// removed TLS 1.3.
    Downgrade,
    /// A TLS 1.2 ServerHello without extended_master_secret (RFC 7627; see the crate docs
    /// for why this is refused).
    NoExtendedMasterSecret,
    /// A TLS 1.2 ServerHello whose renegotiation_info is not empty (RFC 5746, 3.4).
    BadRenegotiationInfo,
    /// A cipher suite, group or signature scheme we did not offer.
    NotOffered,
    /// The ServerHello does not echo our session id, or uses compression.
    BadServerHello,
    /// A HelloRetryRequest that would change nothing or names the group already offered,
    /// or a ServerHello that contradicts the HelloRetryRequest (RFC 8446, 4.1.4). A second
    /// HelloRetryRequest is [`Violation::UnexpectedMessage`].
    BadHelloRetry,
    /// The server's key share is not a valid point of its group.
    BadKeyShare,
    /// An extension we did not ask for (RFC 8446, 4.2).
    UnsolicitedExtension,
    /// An extension twice in one message, or in a message where it does not belong.
    IllegalExtension,
    /// A required extension is missing (key_share in a ServerHello).
    MissingExtension,
    /// The Certificate message carried no certificate.
    NoCertificate,
    /// The server's Finished does not match the handshake (RFC 8446, 4.4.4).
    BadFinished,
    /// A record failed authentication.
    BadRecordMac,
    /// A KeyUpdate with a request value other than 0 or 1.
    BadKeyUpdate,
    /// ChangeCipherSpec with another body than 0x01, or after the handshake; in TLS 1.2,
    /// anywhere but between our Finished and the server's (CVE-2014-0224's early
    /// ChangeCipherSpec).
    BadChangeCipherSpec,
}

impl Violation {
    /// The alert this violation is answered with (RFC 8446, 6.2).
    pub fn alert(self) -> Alert {
        match self {
            Violation::UnexpectedMessage
            | Violation::UnexpectedRecord
            | Violation::EmptyRecord
            | Violation::TooManyEmptyRecords
            | Violation::NotAlignedWithKeyChange
            | Violation::BadChangeCipherSpec => Alert::UnexpectedMessage,
            Violation::Malformed => Alert::DecodeError,
            Violation::RecordTooLong => Alert::RecordOverflow,
            Violation::NotTls13 | Violation::OldVersion => Alert::ProtocolVersion,
            Violation::NoExtendedMasterSecret | Violation::BadRenegotiationInfo => {
                Alert::HandshakeFailure
            }
            Violation::NotOffered
            | Violation::BadServerHello
            | Violation::BadHelloRetry
            | Violation::Downgrade
            | Violation::BadKeyShare
            | Violation::IllegalExtension
            | Violation::BadKeyUpdate => Alert::IllegalParameter,
            Violation::UnsolicitedExtension => Alert::UnsupportedExtension,
            Violation::MissingExtension => Alert::MissingExtension,
            Violation::NoCertificate => Alert::DecodeError,
            Violation::BadFinished => Alert::DecryptError,
            Violation::BadRecordMac => Alert::BadRecordMac,
        }
    }

    fn text(self) -> &'static str {
        match self {
            Violation::UnexpectedMessage => "a handshake message out of order",
            Violation::UnexpectedRecord => "a record of the wrong type",
            Violation::Malformed => "a malformed message",
            Violation::RecordTooLong => "a record over the TLS limit",
            Violation::EmptyRecord => "an empty or content-less record",
            Violation::TooManyEmptyRecords => "too many empty records",
            Violation::NotAlignedWithKeyChange => "a message spanning a key change",
            Violation::NotTls13 => "not TLS 1.3",
            Violation::OldVersion => "a TLS version older than 1.2",
            Violation::Downgrade => "a downgrade sentinel (TLS 1.3 removed on the path)",
            Violation::NoExtendedMasterSecret => "no extended_master_secret",
            Violation::BadRenegotiationInfo => "a non-empty renegotiation_info",
            Violation::NotOffered => "a parameter the client did not offer",
            Violation::BadServerHello => "an invalid ServerHello",
            Violation::BadHelloRetry => "an invalid HelloRetryRequest",
            Violation::BadKeyShare => "an invalid key share",
            Violation::UnsolicitedExtension => "an extension the client did not ask for",
            Violation::IllegalExtension => "a duplicate or misplaced extension",
            Violation::MissingExtension => "a required extension missing",
            Violation::NoCertificate => "an empty Certificate message",
            Violation::BadFinished => "a Finished that does not match the handshake",
            Violation::BadRecordMac => "a record that fails authentication",
            Violation::BadKeyUpdate => "an invalid KeyUpdate",
            Violation::BadChangeCipherSpec => "an invalid ChangeCipherSpec",
        }
    }
}

/// Why a TLS connection failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The server broke the protocol; we answered with [`Violation::alert`].
    Peer(Violation),
    /// The server sent this fatal alert (or close_notify during the handshake).
    AlertReceived(Alert),
    /// The server's certificate or its handshake signature was refused.
    Certificate(CertificateError),
    /// A record or handshake message is larger than the receive buffer can hold (the
    /// crate docs say how large a buffer what needs); we answered with internal_error.
    ReceiveBufferTooSmall,
    /// The send buffer cannot hold even one record (or the ClientHello).
    SendBufferTooSmall,
    /// The connection ended (TCP EOF) without close_notify, or in the middle of a record.
    UnexpectedEof,
    /// The connection is closed: the server sent close_notify, or [`crate::Client::close`]
    /// was called; nothing more can be sent or read.
    Closed,
    /// The server's name is not a DNS name or IP address we can check.
    InvalidServerName,
    /// The random number generator failed.
    Rng,
}

impl Error {
    /// The alert we send for this error, if any.
    pub fn alert(&self) -> Option<Alert> {
        match self {
            Error::Peer(violation) => Some(violation.alert()),
            Error::Certificate(e) => Some(e.alert()),
            Error::ReceiveBufferTooSmall | Error::SendBufferTooSmall | Error::Rng => {
                Some(Alert::InternalError)
            }
            _ => None,
        }
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::Peer(v) => write!(f, "TLS: the server sent {}", v.text()),
            Error::AlertReceived(Alert::CloseNotify) => {
                f.write_str("TLS: the server closed the connection during the handshake")
            }
            Error::AlertReceived(a) => write!(f, "TLS: the server sent alert {}", a.code()),
            Error::Certificate(e) => write!(f, "TLS: {e}"),
            Error::ReceiveBufferTooSmall => {
                f.write_str("TLS: a record or handshake message is larger than the receive buffer")
            }
            Error::SendBufferTooSmall => f.write_str("TLS: the send buffer is too small"),
            Error::UnexpectedEof => f.write_str("TLS: the connection ended without close_notify"),
            Error::Closed => f.write_str("TLS: the connection is closed"),
            Error::InvalidServerName => f.write_str("TLS: invalid server name"),
            Error::Rng => f.write_str("TLS: the random number generator failed"),
        }
    }
}

impl core::error::Error for Error {}

#[cfg(feature = "defmt")]
impl defmt::Format for Error {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self {
            Error::Peer(v) => defmt::write!(f, "Peer({})", v),
            Error::AlertReceived(a) => defmt::write!(f, "AlertReceived({})", a),
            Error::Certificate(e) => defmt::write!(f, "Certificate({})", e),
            Error::ReceiveBufferTooSmall => defmt::write!(f, "ReceiveBufferTooSmall"),
            Error::SendBufferTooSmall => defmt::write!(f, "SendBufferTooSmall"),
            Error::UnexpectedEof => defmt::write!(f, "UnexpectedEof"),
            Error::Closed => defmt::write!(f, "Closed"),
            Error::InvalidServerName => defmt::write!(f, "InvalidServerName"),
            Error::Rng => defmt::write!(f, "Rng"),
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
