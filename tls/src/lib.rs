//! juspay-tls: a TLS 1.3 and 1.2 client without a heap, for firmware.
//!
//! A sans-IO state machine in the shape of rustls's unbuffered API and quinn-proto: the
//! caller owns the buffers and moves the bytes; [`Client`] says what to send, what it
//! needs next, and hands out decrypted application data. It never panics on what the
//! network sends: every malformed, truncated, oversized, out-of-order or hostile input is
//! an [`Error`], answered with the alert RFC 8446 (or RFC 5246) names.
//!
//! ```
//! use juspay_tls::{CertificateTime, Client, Config, ServerName, Status};
//!
//! let (mut rx, mut tx) = ([0u8; juspay_tls::RECEIVE_BUFFER], [0u8; juspay_tls::SEND_BUFFER]);
//! let name = ServerName::try_from("api.juspay.in").unwrap();
//! let config = Config::new(name, &[], CertificateTime::AtLeast(1_790_000_000));
//! # struct Rng(u8);
//! # impl rand_core::RngCore for Rng {
//! #     fn next_u32(&mut self) -> u32 { 4 }
//! #     fn next_u64(&mut self) -> u64 { 4 }
//! #     fn fill_bytes(&mut self, d: &mut [u8]) { d.fill(self.0) }
//! #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { d.fill(self.0); Ok(()) }
//! # }
//! # impl rand_core::CryptoRng for Rng {}
//! let mut rng = Rng(7); // the firmware's hardware RNG
//! let mut tls = Client::new(config, &mut rx, &mut tx, &mut rng).unwrap();
//! // Key generation is a step of its own; then the ClientHello is ready to send.
//! assert_eq!(tls.process(), Ok(Status::Busy));
//! assert_eq!(tls.outgoing()[0], 22); // a handshake record
//! let n = tls.outgoing().len();
//! tls.sent(n); // after writing those bytes to the socket
//! assert_eq!(tls.process(), Ok(Status::NeedData)); // read the server's answer into tls.incoming()
//! ```
//!
//! # What it speaks
//! - TLS 1.3 (RFC 8446) first, and TLS 1.2 (RFC 5246) for servers without it, in the
//!   same state machine and buffers (see [TLS 1.2](#tls-12) below).
//! - TLS 1.3: cipher suites TLS_AES_128_GCM_SHA256,
//!   TLS_CHACHA20_POLY1305_SHA256 and TLS_AES_256_GCM_SHA384, key exchange X25519 and
//!   secp256r1 (one key share in the first ClientHello, [`Config::key_share`]; a
//!   HelloRetryRequest for the other group, or with a cookie, is answered), SNI,
//!   record_size_limit (RFC 8449), middlebox compatibility mode (RFC 8446, D.4).
//! - Server authentication always: the certificate chain by rustls-webpki (the validator
//!   behind rustls) against [`Config::trust_anchors`] for [`Config::server_name`] at
//!   [`Config::time`], then the CertificateVerify (TLS 1.2: the ServerKeyExchange
//!   signature) with the end-entity key. Signature schemes offered are exactly those
//!   verified: ECDSA P-256/SHA-256 and P-384/SHA-384, RSA-PSS with SHA-256/384/512
//!   (2048-4096-bit keys, exponent 65537), Ed25519 (feature `ed25519`), and RSA PKCS#1
//!   v1.5 for signatures inside certificates and TLS 1.2 ServerKeyExchanges only. There
//!   is no switch that skips any of it.
//! - After the handshake: KeyUpdate (answered when the server asks), NewSessionTicket read
//!   and dropped (no resumption), close_notify both ways.
//! - Refused, with the alert RFC 8446 names: any message out of order, missing,
//!   duplicated or unencrypted where it must be encrypted; parameters we did not offer;
//!   extensions we did not send; records over the limits; handshake messages spanning a
//!   key change; more than [`MAX_EMPTY_RECORDS`] records in a row that carry nothing.
//!
//! # TLS 1.2
//! Offered by default beside TLS 1.3: supported_versions lists TLS 1.3 then TLS 1.2, the
//! ClientHello's legacy_version is TLS 1.2 (0x0303), and the cipher suites are offered in
//! this order, TLS 1.3's first ([`CipherSuite::ALL`]):
//! TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256, TLS_AES_256_GCM_SHA384, then
//! TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
//! TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
//! (RFC 7905), TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
//! (the PRF with SHA-384). A team that knows its server speaks TLS 1.3 requires it with
//! [`Config::tls13_only`]: then neither TLS 1.2 nor its suites and extensions are offered,
//! and a TLS 1.2 ServerHello is refused with protocol_version ([`Violation::NotTls13`]).
//!
//! - Key exchange ECDHE only, over X25519 or secp256r1 (the ServerKeyExchange's
//!   named_curve must be one of them; if it is not the group of our first key share, a
//!   key pair for it is made then, a step of its own). Never RSA key exchange, CBC,
//!   compression, resumption (no session_ticket, and a server that echoes our session id
//!   is refused) or renegotiation.
//! - The certificate chain is checked exactly as for TLS 1.3 (same verifier, anchors and
//!   time), then the ServerKeyExchange signature with the end-entity key: ECDSA (in TLS 1.2
//!   the scheme names only the hash, so ecdsa_secp256r1_sha256 is also accepted from a
//!   P-384 key), Ed25519, RSA PKCS#1 v1.5 with SHA-256/384/512 and RSA-PSS (rsa_pss_rsae_*),
//!   only schemes we offered and only those the suite's ECDSA or RSA allows. TLS 1.3
//!   still refuses rsa_pkcs1_* in CertificateVerify (RFC 8446, 4.4.3).
//! - Extended master secret (RFC 7627) is offered and required: a server without it is
//!   refused with handshake_failure ([`Violation::NoExtendedMasterSecret`]). RFC 7627, 5.2
//!   leaves this to the client; rustls 0.23 requires it only with a FIPS provider
//!   (`ClientConfig::require_ems`). We
//!   refuse because without it the master secret is not bound to the handshake (the
//!   triple handshake attack, RFC 7627, 1), we gain nothing from the old derivation (no
//!   resumption), and every maintained server has sent it for a decade.
//! - renegotiation_info (RFC 5746) is sent empty and must come back empty if it comes; a
//!   HelloRequest after the handshake is answered with a no_renegotiation warning and
//!   otherwise ignored (counted with [`MAX_EMPTY_RECORDS`]), as rustls does. So are
//!   warning alerts (RFC 5246, 7.2), such as the unrecognized_name some servers send
//!   before their ServerHello when SNI names none of their hosts.
//! - Downgrade protection (RFC 8446, 4.1.3): a TLS 1.2 ServerHello whose random ends in
//!   "DOWNGRD\x01" (or "DOWNGRD\x00") is refused with illegal_parameter
//!   ([`Violation::Downgrade`]).
//! - Strictness as for TLS 1.3: every message in order (Certificate, ServerKeyExchange,
//!   an optional CertificateRequest answered with an empty Certificate, ServerHelloDone),
//!   then our ClientKeyExchange, ChangeCipherSpec and Finished; the server's
//!   ChangeCipherSpec is accepted only after that (an earlier one is CVE-2014-0224's
//!   attack) and its Finished is verified before [`Status::Established`], so nothing of
//!   the caller's data leaves before. A NewSessionTicket we did not ask for, a second
//!   ChangeCipherSpec, any message out of order: an error and its alert.
//! - Records: AES-GCM with an 8-byte explicit nonce (the sequence number, as rustls
//!   sends it), ChaCha20-Poly1305 with none, decrypted in place in the one receive buffer;
//!   at most 2^14 bytes of plaintext. record_size_limit (RFC 8449) is offered for both
//!   versions with room for TLS 1.2's larger expansion (24 bytes).
//! - Cost: 6,768 bytes of flash in the HTTPS firmware (text + data, `arm-none-eabi-size`
//!   of `examples/firmware/https` built for thumbv7em-none-eabihf: 158,784 with this
//!   crate's TLS 1.3-only sources, 165,552 with TLS 1.2); no RAM beyond a few fields of
//!   [`Client`] (the server's random and share, the master secret): 160 bytes on
//!   x86_64 (`size_of::<Client>()` 3,808 -> 3,968).
//! - Known limit: we list only the groups we do ECDHE with (X25519, secp256r1) in
//!   supported_groups, and in TLS 1.2 OpenSSL serves an ECDSA certificate only on a curve
//!   the client lists there, so an OpenSSL TLS 1.2 server with a P-384 end-entity key
//!   refuses the handshake (handshake_failure). GnuTLS and rustls servers do not.
//!
//! # Buffers
//! One receive buffer, where records are decrypted in place and handshake messages are
//! reassembled, and one send buffer. [`RECEIVE_BUFFER`] (16,640 bytes) takes any record a
//! TLS 1.3 server may send. A handshake message longer than one record (a long
//! certificate chain) is reassembled in the same buffer: it must fit together with the
//! record that completes it, so with the default buffer, messages up to about 16 KiB
//! split into small records work, and larger ones need a larger buffer; beyond that the
//! handshake ends with [`Error::ReceiveBufferTooSmall`], never a wrong result. The
//! ClientHello offers record_size_limit set to what the buffer holds, so a firmware may
//! give a smaller buffer: servers that honour RFC 8449 (GnuTLS, NSS) then send records
//! that fit; servers that ignore it (rustls does; so does OpenSSL 3.0, which does not
//! implement RFC 8449) send up to 16 KiB records, which
//! then end the handshake with [`Error::ReceiveBufferTooSmall`].
//!
//! # Expensive steps
//! [`Client::process`] does at most one expensive computation per call and then returns
//! [`Status::Busy`]: the first key share, a second one after a HelloRetryRequest (or, in
//! TLS 1.2, for a ServerKeyExchange in the other group), ECDH, the certificate chain (all
//! its signatures, in rustls-webpki), and the CertificateVerify (TLS 1.2:
//! ServerKeyExchange) signature. A blocking firmware feeds its watchdog between calls; an async client yields
//! to the executor (for instance with `embassy_futures::yield_now().await`).
//!
//! # Crate features
//! - `ed25519` (default): Ed25519 certificates and handshake signatures.
//! - `p384` (default): ECDSA P-384 certificates and handshake signatures (RustCrypto's
//!   `p384`, about 90 KB of a Cortex-M image). A firmware that drops it can no longer
//!   validate chains with a P-384 key anywhere on the path: P-384 roots (ISRG Root X2,
//!   DigiCert Global Root G3, Amazon Root CA 4, GTS Root R3/R4, USERTrust ECC) and P-384
//!   intermediates under RSA roots (Let's Encrypt's ECDSA intermediates E5-E9).
//! - `tls12` (default): TLS 1.2 beside TLS 1.3. Without it the client speaks TLS 1.3 only,
//!   as with [`Config::tls13_only`], and TLS 1.2's code is left out: 5.3 KB of the HTTPS
//!   firmware's flash (`tls12_flash_bytes` of `examples/firmware/https/run.sh`).
//! - `p256-cortex-m4`: P-256 key generation and ECDH from P256-Cortex-M4's assembly (crate p256-cortex-m4)
//!   (thumbv7em targets only) instead of RustCrypto's portable `p256`.
//! - `defmt`: `defmt::Format` for the errors.
#![cfg_attr(not(test), no_std)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(unreachable_pub)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod client;
mod codec;
mod error;
#[doc(hidden)]
pub mod handshake_vector;
mod kx;
pub mod signature;
mod suite;
mod verifier;

/// Not part of the API: the key-exchange primitives as the handshake uses them, for test
/// vectors run where `cargo test` cannot go (Wycheproof's ECDH vectors on the Cortex-M4
/// under QEMU, through whichever P-256 backend the build selected).
#[doc(hidden)]
pub mod primitives {
    use crate::kx::{Group, KeyPair};

    /// The uncompressed P-256 public key of `secret`; `None` outside 1..n-1.
    pub fn p256_public_key(secret: [u8; 32]) -> Option<[u8; 65]> {
        let pair = KeyPair::generate(Group::Secp256r1, secret)?;
        pair.public().try_into().ok()
    }

    /// The P-256 ECDH shared secret of `secret` and the peer's share (uncompressed
    /// point); `None` where the handshake would refuse the share.
    pub fn p256_agree(secret: [u8; 32], peer: &[u8]) -> Option<[u8; 32]> {
        KeyPair::generate(Group::Secp256r1, secret)?
            .agree(peer)
            .ok()
    }

    /// The X25519 shared secret of `secret` and the peer's u-coordinate; `None` where the
    /// handshake would refuse the share (wrong length, all-zero result).
    pub fn x25519_agree(secret: [u8; 32], peer: &[u8]) -> Option<[u8; 32]> {
        KeyPair::generate(Group::X25519, secret)?.agree(peer).ok()
    }
}

pub use client::{
    Client, Config, MAX_EMPTY_RECORDS, MAX_PLAINTEXT, RECEIVE_BUFFER, SEND_BUFFER, Status,
};
pub use error::{Alert, Error, Result, Violation};
pub use kx::Group;
pub use rustls_pki_types::{CertificateDer, Der, ServerName, TrustAnchor};
pub use suite::{CipherSuite, ProtocolVersion};
pub use verifier::{
    CertificateError, CertificateTime, MAX_CHAIN_CERTIFICATES, MAX_PUBLIC_KEY_INFO, Verifier,
    scheme, trust_anchor,
};
pub use webpki;
