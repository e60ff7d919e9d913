//! The TLS 1.2 rows of the hostile-server table: the same server speaking TLS 1.2 (RFC
//! 5246, ECDHE only, AEAD only, with RFC 7627's extended master secret and RFC 5746's
//! renegotiation_info) from its ServerHello on, and misbehaving in TLS 1.2's own ways:
//! ServerKeyExchange forged or missing, ChangeCipherSpec early (CVE-2014-0224), Finished
//! wrong or missing, HelloRequest, parameters and versions never offered, the downgrade
//! sentinel, no extended master secret, a resumption never offered, tickets never asked
//! for; alerts, records, stalls and drips as in the TLS 1.3 rows.
//!
//! The client offers TLS 1.3 too (juspay-tls by default, and the std transport's
//! rustls): the downgrade sentinel rows count on it. Where rustls ends a row otherwise
//! than juspay-tls, [`Row::rustls`] says how, and the row's name why.

use std::time::Duration;

use juspay_tls::{CertificateError, Error, Violation};

use super::schedule::{
    ECDHE_ECDSA_AES_256_GCM_SHA384, ECDHE_ECDSA_CHACHA20_POLY1305_SHA256,
    ECDHE_RSA_AES_128_GCM_SHA256, ECDHE_RSA_AES_256_GCM_SHA384, ECDHE_RSA_CHACHA20_POLY1305_SHA256,
};
use super::{
    Action, CCS, Chain, Expected, Hello12, KeyExchange, P256, Row, SECP384R1, Signature, alert,
    cert, certificate, concat, fin, large, message, peer, quick_row, retry, row,
};

/// RFC 8446, 4.1.3: a TLS 1.3 server negotiating TLS 1.2 ends its random so.
const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";
/// The same, negotiating TLS 1.1 or below.
const DOWNGRADE_TLS11: [u8; 8] = *b"DOWNGRD\x00";

fn sh12() -> Action {
    Action::ServerHello12(Hello12::default())
}

fn hello12(change: impl FnOnce(&mut Hello12)) -> Action {
    let mut hello = Hello12::default();
    change(&mut hello);
    Action::ServerHello12(hello)
}

fn ske() -> Action {
    Action::ServerKeyExchange(KeyExchange::default())
}

fn key_exchange(change: impl FnOnce(&mut KeyExchange)) -> Action {
    let mut exchange = KeyExchange::default();
    change(&mut exchange);
    Action::ServerKeyExchange(exchange)
}

/// The server's first flight after its ServerHello.
fn first_flight() -> Vec<Action> {
    vec![cert(), ske(), Action::ServerHelloDone]
}

/// The client's flight read, then the server's ChangeCipherSpec and Finished.
fn finish() -> Vec<Action> {
    vec![Action::ReadFinished, Action::ChangeCipherSpec, fin()]
}

/// A correct handshake after this ServerHello, `extra` right after the server's Finished
/// (in the same write), then service.
fn handshake_with(hello: Action, extra: &[Action]) -> Vec<Action> {
    concat(&[
        &[hello],
        &first_flight(),
        &finish(),
        extra,
        &[Action::ReadRequest, Action::Respond],
    ])
}

fn legal() -> Vec<Action> {
    handshake_with(sh12(), &[])
}

/// A correct handshake, then `extra` right after the server's Finished; the client may
/// send its request before it reads `extra`.
fn late(extra: &[Action]) -> Vec<Action> {
    concat(&[&[sh12()], &first_flight(), &finish(), extra])
}

/// A correct handshake, the request read, then `extra` instead of a plain response.
fn after_request(extra: &[Action]) -> Vec<Action> {
    concat(&[&late(&[Action::ReadRequest]), extra])
}

/// A correct handshake with this ServerHello.
fn with_hello(change: impl FnOnce(&mut Hello12)) -> Vec<Action> {
    handshake_with(hello12(change), &[])
}

/// The first flight with this Certificate and ServerKeyExchange.
fn signed(chain: Chain, exchange: Action) -> Vec<Action> {
    concat(&[
        &[
            sh12(),
            Action::Certificate(chain),
            exchange,
            Action::ServerHelloDone,
        ],
        &finish(),
    ])
}

/// The row as it is, rustls ending it otherwise.
fn for_rustls(row: Row, expected: Expected) -> Row {
    Row {
        rustls: Some(expected),
        ..row
    }
}

/// A TLS 1.2 CertificateRequest (RFC 5246, 7.4.4): ecdsa_sign, ecdsa_secp256r1_sha256,
/// no authorities.
fn certificate_request() -> Action {
    message(13, &[1, 64, 0, 2, 4, 3, 0, 0])
}

fn warning(description: u8) -> Action {
    Action::Alert {
        level: 1,
        description,
    }
}

fn fatal(description: u8) -> Action {
    Action::Alert {
        level: 2,
        description,
    }
}

/// Every TLS 1.2 row, in a fixed order.
pub fn table() -> Vec<Row> {
    use Action::*;
    use Violation as V;

    let ok = Expected::Customer;
    let hello_request = || message(0, &[]);
    vec![
        // ---- Legal: must work ---------------------------------------------------------
        row(
            "TLS 1.2: ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, X25519",
            legal(),
            ok.clone(),
        ),
        row(
            "TLS 1.2: ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            with_hello(|h| h.suite = Some(ECDHE_ECDSA_AES_256_GCM_SHA384)),
            ok.clone(),
        ),
        row(
            "TLS 1.2: ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            with_hello(|h| h.suite = Some(ECDHE_ECDSA_CHACHA20_POLY1305_SHA256)),
            ok.clone(),
        ),
        row(
            "TLS 1.2: ECDHE_RSA_WITH_AES_128_GCM_SHA256 (RSA-2048, rsa_pkcs1_sha256)",
            with_hello(|h| h.suite = Some(ECDHE_RSA_AES_128_GCM_SHA256)),
            ok.clone(),
        ),
        row(
            "TLS 1.2: ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            with_hello(|h| h.suite = Some(ECDHE_RSA_AES_256_GCM_SHA384)),
            ok.clone(),
        ),
        row(
            "TLS 1.2: ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            with_hello(|h| h.suite = Some(ECDHE_RSA_CHACHA20_POLY1305_SHA256)),
            ok.clone(),
        ),
        row(
            "TLS 1.2: secp256r1 key exchange",
            concat(&[
                &[
                    sh12(),
                    cert(),
                    key_exchange(|k| k.group = Some(P256)),
                    ServerHelloDone,
                ],
                &finish(),
                &[ReadRequest, Respond],
            ]),
            ok.clone(),
        ),
        row(
            "TLS 1.2: every handshake message in 1-byte records",
            concat(&[&[Fragment(1)], &legal()]),
            ok.clone(),
        ),
        row(
            "TLS 1.2: the first flight coalesced into one record",
            concat(&[
                &[sh12(), Coalesce],
                &first_flight(),
                &[Flush],
                &finish(),
                &[ReadRequest, Respond],
            ]),
            ok.clone(),
        ),
        row(
            "TLS 1.2: ServerHello dripped one byte per millisecond",
            concat(&[
                &[Drip(Some(Duration::from_millis(1))), sh12(), Drip(None)],
                &legal()[1..],
            ]),
            ok.clone(),
        ),
        row(
            "TLS 1.2: 10 extra certificates, default receive buffer",
            concat(&[
                &[
                    sh12(),
                    Certificate(Chain::Extra(10)),
                    ske(),
                    ServerHelloDone,
                ],
                &finish(),
                &[ReadRequest, Respond],
            ]),
            ok.clone(),
        ),
        row(
            "TLS 1.2: CertificateRequest: the client answers without a certificate",
            concat(&[
                &[
                    sh12(),
                    cert(),
                    ske(),
                    certificate_request(),
                    ServerHelloDone,
                ],
                &finish(),
                &[ReadRequest, Respond],
            ]),
            ok.clone(),
        ),
        large(
            "TLS 1.2: 20 extra certificates, 64 KiB receive buffer",
            concat(&[
                &[
                    sh12(),
                    Certificate(Chain::Extra(20)),
                    ske(),
                    ServerHelloDone,
                ],
                &finish(),
                &[ReadRequest, Respond],
            ]),
            ok.clone(),
        ),
        row(
            "TLS 1.2: ec_point_formats (uncompressed) in the ServerHello",
            with_hello(|h| h.extra = vec![(11, vec![1, 0])]),
            ok.clone(),
        ),
        row(
            "TLS 1.2: no renegotiation_info (RFC 5746, 3.4: harmless, we never renegotiate)",
            with_hello(|h| h.renegotiation_info = None),
            ok.clone(),
        ),
        row(
            "TLS 1.2: HelloRequest after the handshake (answered no_renegotiation, ignored)",
            handshake_with(sh12(), &[hello_request()]),
            ok.clone(),
        ),
        row(
            "TLS 1.2: HelloRequest between head and body",
            after_request(&[RespondHead, hello_request(), Respond]),
            ok.clone(),
        ),
        row(
            "TLS 1.2: an empty record between head and body",
            after_request(&[RespondHead, EmptyRecords(1), Respond]),
            ok.clone(),
        ),
        row(
            "TLS 1.2: close_notify right after the response",
            after_request(&[Respond, warning(0)]),
            ok.clone(),
        ),
        row(
            "TLS 1.2: the connection closed right after the response",
            after_request(&[Respond, Close]),
            ok.clone(),
        ),
        row(
            "TLS 1.2: legacy_record_version 0x0301 on the ServerHello's record",
            concat(&[
                &[RecordVersion(0x0301), sh12(), RecordVersion(0x0303)],
                &legal()[1..],
            ]),
            ok.clone(),
        ),
        // ---- ServerKeyExchange and Certificate -----------------------------------------
        row(
            "TLS 1.2: ServerKeyExchange signed by another key",
            signed(
                Chain::Valid,
                key_exchange(|k| k.signature = Signature::OtherKey),
            ),
            certificate(CertificateError::BadSignature),
        ),
        row(
            "TLS 1.2: ServerKeyExchange signed by another RSA key",
            concat(&[
                &[
                    hello12(|h| h.suite = Some(ECDHE_RSA_AES_128_GCM_SHA256)),
                    cert(),
                    key_exchange(|k| k.signature = Signature::OtherKey),
                    ServerHelloDone,
                ],
                &finish(),
            ]),
            certificate(CertificateError::BadSignature),
        ),
        row(
            "TLS 1.2: ServerKeyExchange signed for another client random (replayed)",
            signed(Chain::Valid, key_exchange(|k| k.this_handshake = false)),
            certificate(CertificateError::BadSignature),
        ),
        row(
            // In TLS 1.2 an ECDSA scheme names the hash only (RFC 5246, 7.4.1.4.1).
            "TLS 1.2: ServerKeyExchange labelled ecdsa_secp384r1_sha384, signed over SHA-256",
            signed(
                Chain::Valid,
                key_exchange(|k| k.signature = Signature::Scheme(0x0503)),
            ),
            certificate(CertificateError::BadSignature),
        ),
        row(
            "TLS 1.2: ServerKeyExchange under a scheme never offered (ecdsa_sha1)",
            signed(
                Chain::Valid,
                key_exchange(|k| k.signature = Signature::Scheme(0x0203)),
            ),
            peer(V::NotOffered),
        ),
        row(
            "TLS 1.2: an ECDHE_ECDSA suite with an RSA certificate",
            signed(Chain::Rsa, ske()),
            certificate(CertificateError::UnsupportedSignatureScheme),
        ),
        row(
            "TLS 1.2: no ServerKeyExchange",
            concat(&[&[sh12(), cert(), ServerHelloDone], &finish()]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "TLS 1.2: no Certificate",
            concat(&[&[sh12(), ske(), ServerHelloDone], &finish()]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "TLS 1.2: an empty Certificate message",
            signed(Chain::Empty, ske()),
            peer(V::NoCertificate),
        ),
        row(
            "TLS 1.2: a self-signed certificate",
            signed(Chain::Untrusted, ske()),
            certificate(CertificateError::Invalid(
                juspay_tls::webpki::Error::UnknownIssuer,
            )),
        ),
        row(
            "TLS 1.2: Certificate twice",
            concat(&[&[sh12(), cert(), cert(), ske(), ServerHelloDone], &finish()]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "TLS 1.2: ServerKeyExchange twice",
            concat(&[&[sh12(), cert(), ske(), ske(), ServerHelloDone], &finish()]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "TLS 1.2: CertificateRequest before the Certificate",
            concat(&[
                &[
                    sh12(),
                    certificate_request(),
                    cert(),
                    ske(),
                    ServerHelloDone,
                ],
                &finish(),
            ]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "TLS 1.2: a ServerHelloDone with a body",
            concat(&[&[sh12(), cert(), ske(), message(14, &[0])], &finish()]),
            peer(V::Malformed),
        ),
        // ---- ChangeCipherSpec and Finished ------------------------------------------------
        row(
            "TLS 1.2: ChangeCipherSpec right after the ServerHello (CVE-2014-0224)",
            concat(&[&[sh12(), Raw(CCS.to_vec())], &first_flight(), &finish()]),
            peer(V::BadChangeCipherSpec),
        ),
        row(
            "TLS 1.2: ChangeCipherSpec before the ServerKeyExchange",
            concat(&[
                &[sh12(), cert(), Raw(CCS.to_vec()), ske(), ServerHelloDone],
                &finish(),
            ]),
            peer(V::BadChangeCipherSpec),
        ),
        row(
            "TLS 1.2: ChangeCipherSpec before the ServerHelloDone (before our flight)",
            concat(&[
                &[sh12(), cert(), ske(), Raw(CCS.to_vec()), ServerHelloDone],
                &finish(),
            ]),
            peer(V::BadChangeCipherSpec),
        ),
        row(
            "TLS 1.2: a ChangeCipherSpec and a Finished instead of the first flight",
            vec![sh12(), Raw(CCS.to_vec()), message(20, &[0; 12])],
            peer(V::BadChangeCipherSpec),
        ),
        row(
            "TLS 1.2: a resumption never offered (session id echoed, then ChangeCipherSpec)",
            vec![
                hello12(|h| h.echo_session_id = true),
                Raw(CCS.to_vec()),
                message(20, &[0; 12]),
            ],
            peer(V::BadServerHello),
        ),
        row(
            "TLS 1.2: ChangeCipherSpec of value 2",
            concat(&[
                &[sh12()],
                &first_flight(),
                &[ReadFinished, Raw(vec![20, 3, 3, 0, 1, 2]), fin()],
            ]),
            peer(V::BadChangeCipherSpec),
        ),
        row(
            "TLS 1.2: a wrong Finished",
            concat(&[
                &[sh12()],
                &first_flight(),
                &[ReadFinished, ChangeCipherSpec, Finished { valid: false }],
            ]),
            peer(V::BadFinished),
        ),
        row(
            "TLS 1.2: a Finished of 13 bytes",
            concat(&[
                &[sh12()],
                &first_flight(),
                &[ReadFinished, ChangeCipherSpec, message(20, &[0; 13])],
            ]),
            peer(V::Malformed),
        ),
        row(
            "TLS 1.2: no ChangeCipherSpec: the Finished in the clear",
            concat(&[&[sh12()], &first_flight(), &[ReadFinished, fin()]]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "TLS 1.2: no Finished: application data instead",
            concat(&[
                &[sh12()],
                &first_flight(),
                &[
                    ReadFinished,
                    ChangeCipherSpec,
                    Record {
                        kind: 23,
                        body: b"HTTP/1.1 200 OK\r\n\r\n".to_vec(),
                    },
                ],
            ]),
            peer(V::UnexpectedRecord),
        ),
        quick_row(
            "TLS 1.2: no Finished: silence",
            concat(&[
                &[sh12()],
                &first_flight(),
                &[ReadFinished, ChangeCipherSpec, Stall],
            ]),
            Expected::Timeout,
        ),
        row(
            "TLS 1.2: a second ChangeCipherSpec after the Finished",
            late(&[ChangeCipherSpec]),
            peer(V::BadChangeCipherSpec),
        ),
        // ---- Messages never asked for, after the handshake ------------------------------
        row(
            "TLS 1.2: a NewSessionTicket never asked for",
            concat(&[
                &[sh12()],
                &first_flight(),
                &[ReadFinished, NewSessionTicket, ChangeCipherSpec, fin()],
            ]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "TLS 1.2: a NewSessionTicket after the handshake",
            late(&[NewSessionTicket]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "TLS 1.2: HelloRequest during the handshake",
            concat(&[
                &[sh12(), cert(), hello_request(), ske(), ServerHelloDone],
                &finish(),
            ]),
            peer(V::UnexpectedMessage),
        ),
        // rustls answers any message of HelloRequest's type no_renegotiation, unread.
        for_rustls(
            row(
                "TLS 1.2: a HelloRequest with a body (rustls: ignored)",
                handshake_with(sh12(), &[message(0, &[0])]),
                peer(V::Malformed),
            ),
            ok.clone(),
        ),
        row(
            "TLS 1.2: ServerHello after the handshake",
            late(&[message(2, &[3, 3])]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "TLS 1.2: Certificate after the handshake",
            late(&[cert()]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "TLS 1.2: a plaintext handshake message after ChangeCipherSpec",
            concat(&[
                &[sh12()],
                &first_flight(),
                &[ReadFinished, ChangeCipherSpec, Unencrypted, message(0, &[])],
            ]),
            peer(V::BadRecordMac),
        ),
        row(
            "TLS 1.2: plaintext application data after the handshake",
            late(&[Raw(vec![23, 3, 3, 0, 5, b'H', b'T', b'T', b'P', b'/'])]),
            peer(V::BadRecordMac),
        ),
        row(
            "TLS 1.2: application data before the handshake ended",
            vec![
                sh12(),
                cert(),
                Raw(vec![23, 3, 3, 0, 4, b'H', b'T', b'T', b'P']),
            ],
            peer(V::UnexpectedRecord),
        ),
        // ---- ServerHello: versions and parameters never offered ------------------------
        row(
            "TLS 1.2: the downgrade sentinel DOWNGRD\\x01 (TLS 1.3 offered)",
            with_hello(|h| h.sentinel = Some(DOWNGRADE_TLS12)),
            peer(V::Downgrade),
        ),
        // RFC 8446, 4.1.3: "TLS 1.3 clients receiving a ServerHello indicating TLS 1.2 or
        // below MUST check that the last 8 bytes are not equal to either of these
        // values". rustls checks DOWNGRD\x01 only.
        for_rustls(
            row(
                "TLS 1.2: the downgrade sentinel DOWNGRD\\x00 (rustls does not check it)",
                with_hello(|h| h.sentinel = Some(DOWNGRADE_TLS11)),
                peer(V::Downgrade),
            ),
            ok.clone(),
        ),
        // RFC 7627, 5.2 leaves the choice; rustls goes on unless `require_ems` is set.
        for_rustls(
            row(
                "TLS 1.2: no extended_master_secret (rustls: accepted by default)",
                with_hello(|h| h.extended_master_secret = false),
                peer(V::NoExtendedMasterSecret),
            ),
            ok.clone(),
        ),
        // RFC 5746, 3.4: the client MUST abort; rustls, which never renegotiates, does
        // not look.
        for_rustls(
            row(
                "TLS 1.2: renegotiation_info not empty (rustls: not checked)",
                with_hello(|h| h.renegotiation_info = Some(vec![7; 12])),
                peer(V::BadRenegotiationInfo),
            ),
            ok.clone(),
        ),
        row(
            "TLS 1.2: server_version TLS 1.1",
            with_hello(|h| h.version = 0x0302),
            peer(V::OldVersion),
        ),
        row(
            "TLS 1.2: server_version 0x0304 in a ServerHello without supported_versions",
            with_hello(|h| h.version = 0x0304),
            peer(V::NotTls13),
        ),
        row(
            "TLS 1.2: a CBC suite never offered (ECDHE_ECDSA_WITH_AES_128_CBC_SHA)",
            with_hello(|h| h.suite = Some(0xc009)),
            peer(V::NotOffered),
        ),
        row(
            "TLS 1.2: RSA key exchange never offered (RSA_WITH_AES_128_GCM_SHA256)",
            with_hello(|h| h.suite = Some(0x009c)),
            peer(V::NotOffered),
        ),
        row(
            "TLS 1.2: a TLS 1.3 suite in a TLS 1.2 ServerHello",
            with_hello(|h| h.suite = Some(0x1301)),
            peer(V::NotOffered),
        ),
        row(
            "TLS 1.2: a group never offered (secp384r1)",
            signed(Chain::Valid, key_exchange(|k| k.group = Some(SECP384R1))),
            peer(V::NotOffered),
        ),
        // The receive buffer is juspay-tls's; rustls's grows.
        for_rustls(
            row(
                "TLS 1.2: 20 extra certificates, default receive buffer",
                concat(&[&signed(Chain::Extra(20), ske()), &[ReadRequest, Respond]]),
                Expected::Refused(Error::ReceiveBufferTooSmall),
            ),
            ok.clone(),
        ),
        row(
            "TLS 1.2: an X25519 point of small order (zero)",
            signed(Chain::Valid, key_exchange(|k| k.share = Some(vec![0; 32]))),
            peer(V::BadKeyShare),
        ),
        row(
            "TLS 1.2: a secp256r1 point not on the curve",
            signed(
                Chain::Valid,
                key_exchange(|k| {
                    k.group = Some(P256);
                    k.share = Some([&[4u8][..], &[1; 64]].concat());
                }),
            ),
            peer(V::BadKeyShare),
        ),
        row(
            "TLS 1.2: a TLS 1.2 ServerHello after a HelloRetryRequest",
            vec![
                retry(|r| r.group = Some(P256)),
                sh12(),
                cert(),
                ske(),
                ServerHelloDone,
            ],
            peer(V::BadHelloRetry),
        ),
        row(
            "TLS 1.2: an X25519 point of 31 bytes",
            signed(Chain::Valid, key_exchange(|k| k.share = Some(vec![9; 31]))),
            peer(V::BadKeyShare),
        ),
        row(
            "TLS 1.2: compression method 1",
            with_hello(|h| h.compression = 1),
            peer(V::BadServerHello),
        ),
        row(
            "TLS 1.2: ServerHello with an extension never asked for (ALPN)",
            with_hello(|h| h.extra = vec![(16, vec![0, 3, 2, b'h', b'2'])]),
            peer(V::UnsolicitedExtension),
        ),
        row(
            // RFC 8446, 4.2.1: a version before TLS 1.3 there is illegal_parameter.
            "TLS 1.2: ServerHello with supported_versions naming TLS 1.2",
            with_hello(|h| h.extra = vec![(43, vec![3, 3])]),
            peer(V::NotOffered),
        ),
        // A key share says TLS 1.3 without supported_versions; rustls ignores it.
        for_rustls(
            row(
                "TLS 1.2: ServerHello with a key_share (rustls: ignored)",
                with_hello(|h| h.extra = vec![(51, [&[0, 0x1d, 0, 32][..], &[9; 32]].concat())]),
                peer(V::NotTls13),
            ),
            ok.clone(),
        ),
        row(
            "TLS 1.2: ServerHello with session_ticket (never offered)",
            with_hello(|h| h.extra = vec![(35, Vec::new())]),
            peer(V::UnsolicitedExtension),
        ),
        row(
            // RFC 8422, 5.2: uncompressed must be there.
            "TLS 1.2: ec_point_formats without uncompressed",
            with_hello(|h| h.extra = vec![(11, vec![1, 1])]),
            peer(V::NotOffered),
        ),
        row(
            "TLS 1.2: a CertificateStatus never asked for",
            concat(&[
                &[
                    sh12(),
                    cert(),
                    message(22, &[1, 0, 0, 1, 0]),
                    ske(),
                    ServerHelloDone,
                ],
                &finish(),
            ]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "TLS 1.2: ServerKeyExchange with explicit_prime curve parameters",
            concat(&[
                &[
                    sh12(),
                    cert(),
                    message(12, &[1, 1, 7, 1, 1, 1, 1]),
                    ServerHelloDone,
                ],
                &finish(),
            ]),
            peer(V::NotOffered),
        ),
        // RFC 5246, 7.4.1.1 says a client negotiating ignores it; rustls and juspay-tls
        // refuse any message out of order, which costs nothing with a server that
        // renegotiates nothing.
        row(
            "TLS 1.2: HelloRequest before the ServerHello",
            concat(&[&[hello_request()], &legal()]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "TLS 1.2: ServerHello with extended_master_secret twice",
            with_hello(|h| h.extra = vec![(23, Vec::new())]),
            peer(V::IllegalExtension),
        ),
        // ---- Records: oversized, empty floods, unknown, tampered -------------------------
        row(
            "TLS 1.2: an encrypted record shorter than its explicit nonce and tag",
            concat(&[
                &[sh12()],
                &first_flight(),
                &[
                    ReadFinished,
                    ChangeCipherSpec,
                    Raw(vec![22, 3, 3, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0]),
                ],
            ]),
            peer(V::BadRecordMac),
        ),
        row(
            "TLS 1.2: a record that fails authentication",
            concat(&[
                &[sh12()],
                &first_flight(),
                &[ReadFinished, ChangeCipherSpec, Tampered],
            ]),
            peer(V::BadRecordMac),
        ),
        row(
            "TLS 1.2: 2^14 + 1 bytes of plaintext in one record",
            late(&[Record {
                kind: 23,
                body: vec![b'x'; 16_385],
            }]),
            peer(V::RecordTooLong),
        ),
        row(
            "TLS 1.2: a record of 2^14 + 2048 + 1 bytes",
            late(&[Raw({
                let len = 16_384 + 2048 + 1;
                let mut bytes = vec![23, 3, 3, (len >> 8) as u8, len as u8];
                bytes.resize(5 + len, 0);
                bytes
            })]),
            peer(V::RecordTooLong),
        ),
        row(
            "TLS 1.2: a plaintext record of 2^14 + 1 bytes instead of the ServerHello",
            vec![Raw({
                let mut bytes = vec![22, 3, 3, 0x40, 0x01];
                bytes.resize(5 + 16_385, 0);
                bytes
            })],
            peer(V::RecordTooLong),
        ),
        row(
            "TLS 1.2: an unknown record type (24) after the ServerHello",
            vec![sh12(), Raw(vec![24, 3, 3, 0, 1, 0])],
            peer(V::UnexpectedRecord),
        ),
        row(
            "TLS 1.2: an unknown record type (24) after the handshake",
            late(&[Record {
                kind: 24,
                body: vec![1],
            }]),
            peer(V::UnexpectedRecord),
        ),
        row(
            "TLS 1.2: an empty plaintext handshake record in the first flight",
            vec![sh12(), Raw(vec![22, 3, 3, 0, 0]), cert()],
            peer(V::EmptyRecord),
        ),
        row(
            "TLS 1.2: 33 empty records after the handshake",
            late(&[EmptyRecords(33)]),
            peer(V::TooManyEmptyRecords),
        ),
        quick_row(
            "TLS 1.2: a flood of 10,000 empty records",
            late(&[EmptyRecords(10_000)]),
            peer(V::TooManyEmptyRecords),
        ),
        quick_row(
            "TLS 1.2: a flood of HelloRequests",
            late(&vec![hello_request(); 1000]),
            peer(V::TooManyEmptyRecords),
        ),
        quick_row(
            "TLS 1.2: a flood of user_canceled warnings during the handshake",
            concat(&[&[sh12(), cert()], &vec![warning(90); 1000]]),
            peer(V::TooManyEmptyRecords),
        ),
        // ---- Alerts at each stage --------------------------------------------------------
        row(
            "TLS 1.2: handshake_failure after the ServerHello",
            vec![sh12(), fatal(40)],
            alert(juspay_tls::Alert::HandshakeFailure),
        ),
        row(
            "TLS 1.2: bad_certificate after the Certificate",
            vec![sh12(), cert(), fatal(42)],
            alert(juspay_tls::Alert::BadCertificate),
        ),
        row(
            "TLS 1.2: close_notify after the ServerKeyExchange, then the end",
            vec![sh12(), cert(), ske(), warning(0), Close],
            alert(juspay_tls::Alert::CloseNotify),
        ),
        row(
            "TLS 1.2: decrypt_error after our flight (a plaintext alert)",
            concat(&[&[sh12()], &first_flight(), &[ReadFinished, fatal(51)]]),
            alert(juspay_tls::Alert::DecryptError),
        ),
        row(
            "TLS 1.2: bad_record_mac after the ChangeCipherSpec (encrypted)",
            concat(&[
                &[sh12()],
                &first_flight(),
                &[ReadFinished, ChangeCipherSpec, fatal(20)],
            ]),
            alert(juspay_tls::Alert::BadRecordMac),
        ),
        row(
            "TLS 1.2: internal_error instead of the response",
            after_request(&[fatal(80)]),
            alert(juspay_tls::Alert::InternalError),
        ),
        row(
            "TLS 1.2: decode_error between head and body",
            after_request(&[RespondHead, fatal(50)]),
            alert(juspay_tls::Alert::DecodeError),
        ),
        row(
            "TLS 1.2: the connection closed after the ServerHelloDone",
            concat(&[&[sh12()], &first_flight(), &[Close]]),
            Expected::Refused(Error::UnexpectedEof),
        ),
        // ---- Stalls and drips --------------------------------------------------------------
        quick_row(
            "TLS 1.2: stall after the ServerHello",
            vec![sh12(), Stall],
            Expected::Timeout,
        ),
        quick_row(
            "TLS 1.2: stall after the ServerKeyExchange (no ServerHelloDone)",
            vec![sh12(), cert(), ske(), Stall],
            Expected::Timeout,
        ),
        quick_row(
            "TLS 1.2: handshake dripped one byte per 100 ms",
            concat(&[&[Drip(Some(Duration::from_millis(100)))], &legal()]),
            Expected::Timeout,
        ),
        quick_row(
            "TLS 1.2: stall instead of the response",
            after_request(&[Stall]),
            Expected::Timeout,
        ),
    ]
}
