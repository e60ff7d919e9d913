//! The hostile-server table every TLS client of ours is tested against: a scriptable TLS
//! server ([`Action`]s: each message, record and key change under the script's control,
//! written here from RustCrypto pieces; TLS 1.3, or TLS 1.2 from an
//! [`Action::ServerHello12`] on) and the rows ([`table`] for TLS 1.3, [`tls12::table`]
//! for TLS 1.2), each a script and how a correct client must end: with the customer, or
//! refused with the exact [`juspay_tls::Error`], or out of time within its deadline.
//!
//! rustls (the sandbox) cannot misbehave on demand; this server can, in every way a host
//! on the path or a broken server can: messages out of order, missing, duplicated or
//! unencrypted; handshake messages after the handshake; KeyUpdate anywhere; legal and
//! illegal HelloRetryRequests; fragmented and coalesced flights; long chains; empty,
//! oversized and padded records and floods of them; parameters never offered; alerts at
//! each stage; stalls and drips.
//!
//! A client's test registers a `call` with [`run`]: connect to [`Target::address`], trust
//! [`Target::roots`] for [`Target::server_name`], use a receive buffer of
//! [`Target::receive_buffer`] bytes, make one `GET` for the documentation customer with the
//! sandbox's credentials, and say how it ended ([`Outcome`]).
//!
//! ```
//! use juspay_sandbox::hostile::{self, Expected};
//!
//! let table = hostile::table();
//! assert!(table.iter().any(|row| row.expected == Expected::Customer));
//! ```

mod schedule;
mod server;
pub mod tls12;

use std::sync::Arc;
use std::time::{Duration, Instant};

use juspay_tls::{Alert, CertificateError, Error, Violation};
use rcgen::{CertificateParams, DnType, KeyPair};
use rustls::pki_types::CertificateDer;

pub use server::Seen;

/// How long past its deadline a call may take to come back.
pub const SLACK: Duration = Duration::from_millis(1500);

/// A receive buffer that holds the longest chain of the table (40 extra certificates).
pub const LARGE_RECEIVE_BUFFER: usize = 64 * 1024;

/// What the ServerHello says; [`Hello::default`] is what a correct server answers.
#[derive(Debug, Clone)]
pub struct Hello {
    /// legacy_version (0x0303 in TLS 1.3).
    pub legacy_version: u16,
    /// The cipher suite; `None`: TLS_AES_128_GCM_SHA256.
    pub suite: Option<u16>,
    /// The supported_versions extension.
    pub version: Version,
    /// Whether there is a key_share extension.
    pub key_share: bool,
    /// Its group; `None`: the group of the client's (first) share.
    pub group: Option<u16>,
    /// Its share instead of a real one (the server then has no keys).
    pub share: Option<Vec<u8>>,
    /// Whether the client's legacy_session_id is echoed (else a random one).
    pub echo_session_id: bool,
    /// legacy_compression_method (0 in TLS 1.3).
    pub compression: u8,
    /// Extensions added after the others: (type, data).
    pub extra: Vec<(u16, Vec<u8>)>,
}

impl Default for Hello {
    fn default() -> Self {
        Hello {
            legacy_version: 0x0303,
            suite: None,
            version: Version::Tls13,
            key_share: true,
            group: None,
            share: None,
            echo_session_id: true,
            compression: 0,
            extra: Vec::new(),
        }
    }
}

/// What a TLS 1.2 ServerHello says; [`Hello12::default`] is what a correct server that
/// speaks only TLS 1.2 answers.
#[derive(Debug, Clone)]
pub struct Hello12 {
    /// server_version.
    pub version: u16,
    /// The cipher suite; `None`: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256.
    pub suite: Option<u16>,
    /// The last 8 bytes of the random instead of random ones: RFC 8446, 4.1.3's
    /// downgrade sentinels.
    pub sentinel: Option<[u8; 8]>,
    /// Whether there is an extended_master_secret extension (RFC 7627): the master secret
    /// is then the extended one.
    pub extended_master_secret: bool,
    /// The renegotiated_connection of a renegotiation_info extension (RFC 5746), none if
    /// `None`.
    pub renegotiation_info: Option<Vec<u8>>,
    /// Whether the client's session id is echoed (a resumption, RFC 5246, 7.4.1.3);
    /// else a new one.
    pub echo_session_id: bool,
    /// The compression method.
    pub compression: u8,
    /// Extensions added after the others: (type, data).
    pub extra: Vec<(u16, Vec<u8>)>,
}

impl Default for Hello12 {
    fn default() -> Self {
        Hello12 {
            version: 0x0303,
            suite: None,
            sentinel: None,
            extended_master_secret: true,
            renegotiation_info: Some(Vec::new()),
            echo_session_id: false,
            compression: 0,
            extra: Vec::new(),
        }
    }
}

/// A TLS 1.2 ServerKeyExchange (ECDHE, RFC 8422, 5.4); [`KeyExchange::default`] is a
/// correct one.
#[derive(Debug, Clone)]
pub struct KeyExchange {
    /// The named group; `None`: the first of the client's supported_groups that the
    /// server implements (X25519 or secp256r1).
    pub group: Option<u16>,
    /// The public point instead of a real one (the server then has no premaster secret).
    pub share: Option<Vec<u8>>,
    /// The signature: by the key of the certificate the suite calls for, by another, or
    /// labelled with another scheme.
    pub signature: Signature,
    /// Whether the signature covers this handshake's randoms (else the client random is
    /// zeros: a signature replayed from another handshake).
    pub this_handshake: bool,
}

impl Default for KeyExchange {
    fn default() -> Self {
        KeyExchange {
            group: None,
            share: None,
            signature: Signature::Valid,
            this_handshake: true,
        }
    }
}

/// The supported_versions extension of a ServerHello.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// TLS 1.3 (0x0304).
    Tls13,
    /// None: a TLS 1.2 ServerHello.
    Absent,
    /// This version.
    Other(u16),
}

/// What a HelloRetryRequest asks for; [`Retry::default`] asks for nothing (add a group or
/// a cookie).
#[derive(Debug, Clone)]
pub struct Retry {
    /// The cipher suite; `None`: TLS_AES_128_GCM_SHA256.
    pub suite: Option<u16>,
    /// The group of the key_share extension (none if `None`).
    pub group: Option<u16>,
    /// A cookie the second ClientHello must echo (the server checks it).
    pub cookie: Option<Vec<u8>>,
    /// The supported_versions extension.
    pub version: Version,
    /// Whether the client's legacy_session_id is echoed (else a random one).
    pub echo_session_id: bool,
    /// Extensions added after the others: (type, data).
    pub extra: Vec<(u16, Vec<u8>)>,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            suite: None,
            group: None,
            cookie: None,
            version: Version::Tls13,
            echo_session_id: true,
            extra: Vec::new(),
        }
    }
}

/// The certificates of a Certificate message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chain {
    /// The server's certificate for `localhost` and its CA.
    Valid,
    /// The same and this many unrelated certificates of about 900 bytes each.
    Extra(usize),
    /// A self-signed certificate for `localhost`.
    Untrusted,
    /// No certificate.
    Empty,
    /// The valid chain, the end-entity's entry with an extension of this type.
    EntryExtension(u16),
    /// The valid chain and this many entries of one byte that are no certificates.
    Junk(usize),
    /// An RSA-2048 certificate for `localhost` and its CA (the chain of a TLS 1.2 server
    /// whose suite is ECDHE_RSA, whatever the suite).
    Rsa,
}

/// The signature of a CertificateVerify (or of a TLS 1.2 ServerKeyExchange, where an
/// ECDHE_RSA suite makes it rsa_pkcs1_sha256 by the RSA certificate's key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signature {
    /// ecdsa_secp256r1_sha256 by the certificate's key.
    Valid,
    /// ecdsa_secp256r1_sha256 by another key.
    OtherKey,
    /// The certificate's ECDSA P-256 signature, labelled with this scheme.
    Scheme(u16),
}

/// One step of the server's script. The server first reads the ClientHello; after the
/// script it reads what the client sends until the client closes.
///
/// Records go out when the server next reads, pauses or ends: a flight in one write.
#[derive(Debug, Clone)]
pub enum Action {
    /// A ServerHello; with a key share for a group the client offered, the handshake keys.
    ServerHello(Hello),
    /// A TLS 1.2 ServerHello: from then on the server speaks TLS 1.2 (a Certificate
    /// without context and extensions, NewSessionTicket and Finished of TLS 1.2, records
    /// of their own content types); its keys come from [`Action::ReadFinished`] and go
    /// into use with [`Action::ChangeCipherSpec`].
    ServerHello12(Hello12),
    /// A TLS 1.2 ServerKeyExchange.
    ServerKeyExchange(KeyExchange),
    /// A TLS 1.2 ServerHelloDone.
    ServerHelloDone,
    /// ChangeCipherSpec; in TLS 1.2, after the client's flight, the server's keys go into
    /// use.
    ChangeCipherSpec,
    /// A HelloRetryRequest, then read the second ClientHello.
    HelloRetryRequest(Retry),
    /// EncryptedExtensions with these extensions.
    EncryptedExtensions(Vec<(u16, Vec<u8>)>),
    /// A CertificateRequest (empty context, signature_algorithms).
    CertificateRequest,
    /// A Certificate message.
    Certificate(Chain),
    /// A CertificateVerify over the transcript so far.
    CertificateVerify(Signature),
    /// Finished (valid or one bit off); then the server's application keys (TLS 1.3).
    Finished {
        /// Whether its verify_data is right.
        valid: bool,
    },
    /// Any handshake message: type and body.
    Message(u8, Vec<u8>),
    /// The next handshake message in a plaintext record, even when there are keys.
    Unencrypted,
    /// Put handshake messages into records of at most this many bytes from now on.
    Fragment(usize),
    /// Put the next handshake messages into one record (until [`Action::Flush`]).
    Coalesce,
    /// End coalescing: the messages held go out in records.
    Flush,
    /// Pad every encrypted record with this many zeros from now on.
    Pad(usize),
    /// KeyUpdate, then new keys for what the server sends.
    KeyUpdate {
        /// update_requested.
        requested: bool,
    },
    /// An encrypted NewSessionTicket (or unencrypted after [`Action::Unencrypted`]) with a
    /// ticket of 32 bytes.
    NewSessionTicket,
    /// The same with a ticket of this many bytes (at most 65,535).
    NewSessionTicketOf(usize),
    /// Write this legacy_record_version in the records from now on.
    RecordVersion(u16),
    /// Put this record between the first two records of the next handshake message that
    /// [`Action::Fragment`] splits.
    Interleave {
        /// The (inner) content type.
        kind: u8,
        /// The content.
        body: Vec<u8>,
        /// Whether it is encrypted (with the keys of the moment).
        encrypted: bool,
    },
    /// An alert (encrypted once there are keys).
    Alert {
        /// 1 warning, 2 fatal.
        level: u8,
        /// The description.
        description: u8,
    },
    /// This many encrypted application data records with nothing in them.
    EmptyRecords(usize),
    /// One record: inner content type and content (encrypted once there are keys).
    Record {
        /// The (inner) content type.
        kind: u8,
        /// The content.
        body: Vec<u8>,
    },
    /// An encrypted record whose inner plaintext is all zeros (no content type).
    NoContentType,
    /// An encrypted record whose tag is one bit off.
    Tampered,
    /// These bytes as they are.
    Raw(Vec<u8>),
    /// Read until the client's Finished arrived (in TLS 1.2, with its ClientKeyExchange
    /// and ChangeCipherSpec).
    ReadFinished,
    /// Read until the request head arrived; then the sandbox's answer is ready.
    ReadRequest,
    /// Read until the client sent a KeyUpdate, which must come before any more
    /// application data (RFC 8446, 4.6.3: a client answers update_requested before its
    /// next application data, so it need not answer one that comes after its request).
    ExpectKeyUpdate,
    /// The rest of the answer.
    Respond,
    /// The head of the answer.
    RespondHead,
    /// From now on write one byte per interval (`None`: at once).
    Drip(Option<Duration>),
    /// Send what is queued, then wait.
    Sleep(Duration),
    /// Send what is queued, then hold the connection open until the client closes.
    Stall,
    /// Send what is queued, then close the server's side (FIN).
    Close,
}

/// How a row must end.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    /// The documentation customer arrives.
    Customer,
    /// The client refuses with this error, and sends the error's alert (if it has one); in
    /// the handshake, before sending anything of the request.
    Refused(Error),
    /// No answer within the deadline.
    Timeout,
}

/// How one call ended, as a client's test reports it to [`run`].
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The documentation customer (`cst_om2l6ctlptxwxuzj`) arrived.
    Customer,
    /// The TLS client failed with this error (a transport reports the TLS error inside
    /// its own).
    Tls(Error),
    /// Another TLS implementation (rustls, OpenSSL) refused, as it says: meets any
    /// [`Expected::Refused`], whose exact error and alert are juspay-tls's.
    Refused(String),
    /// The deadline passed.
    Timeout,
    /// Anything else, for the report.
    Other(String),
}

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Row {
    /// What the server does.
    pub name: &'static str,
    /// The server's script after the ClientHello.
    pub script: Vec<Action>,
    /// How the call ends.
    pub expected: Expected,
    /// How it ends for rustls (the std transport) where that differs from `expected`
    /// beyond the error itself: where the RFC leaves the choice, or rustls departs from it.
    pub rustls: Option<Expected>,
    /// The client's receive buffer.
    pub receive_buffer: usize,
    /// The call's deadline.
    pub deadline: Duration,
}

/// Where and how a client connects for one row.
#[derive(Debug, Clone)]
pub struct Target {
    /// The server's address.
    pub address: std::net::SocketAddr,
    /// The name to check the certificate against (`localhost`; never resolve it, connect
    /// to `address`).
    pub server_name: &'static str,
    /// The roots to trust (DER).
    pub roots: Vec<CertificateDer<'static>>,
    /// The receive buffer the client must use.
    pub receive_buffer: usize,
    /// The call's deadline.
    pub deadline: Duration,
}

/// The certificates and keys the server presents and signs with.
pub(crate) struct Credentials {
    chain: Vec<CertificateDer<'static>>,
    extra: Vec<CertificateDer<'static>>,
    untrusted: CertificateDer<'static>,
    leaf_key: KeyPair,
    other_key: KeyPair,
    /// An RSA-2048 leaf under the same CA, for TLS 1.2's ECDHE_RSA suites.
    rsa_chain: Vec<CertificateDer<'static>>,
    rsa_key: KeyPair,
    rsa_other_key: KeyPair,
    roots: Vec<CertificateDer<'static>>,
}

impl Credentials {
    fn new() -> Result<Credentials, rcgen::Error> {
        let ca = crate::make_ca()?;
        let names = || vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
        let leaf_key = KeyPair::generate()?;
        let leaf = CertificateParams::new(names())?.signed_by(&leaf_key, &ca)?;
        let untrusted = CertificateParams::new(names())?.self_signed(&KeyPair::generate()?)?;
        // Unrelated certificates a server may add: each with sixteen names, about 900 bytes,
        // so that twenty make a Certificate message longer than a record.
        let extra = (0..40)
            .map(|i| {
                let names = (0..16)
                    .map(|j| format!("extra-{i:02}-name-{j:02}.unrelated.example"))
                    .collect::<Vec<_>>();
                let mut params = CertificateParams::new(names)?;
                params
                    .distinguished_name
                    .push(DnType::CommonName, format!("unrelated {i}"));
                Ok(params.self_signed(&KeyPair::generate()?)?.der().clone())
            })
            .collect::<Result<Vec<_>, rcgen::Error>>()?;
        // rsa_pkcs1_sha256, the RSA scheme every TLS 1.2 client verifies.
        let rsa = |pkcs8: &'static [u8]| {
            KeyPair::from_pkcs8_der_and_sign_algo(
                &rustls::pki_types::PrivatePkcs8KeyDer::from(pkcs8),
                &rcgen::PKCS_RSA_SHA256,
            )
        };
        let rsa_key = rsa(include_bytes!("../keys/rsa2048-leaf.pk8.der"))?;
        let rsa_leaf = CertificateParams::new(names())?.signed_by(&rsa_key, &ca)?;
        Ok(Credentials {
            chain: vec![leaf.der().clone(), ca.der().clone()],
            rsa_chain: vec![rsa_leaf.der().clone(), ca.der().clone()],
            rsa_key,
            rsa_other_key: rsa(include_bytes!("../keys/rsa2048-root.pk8.der"))?,
            extra,
            untrusted: untrusted.der().clone(),
            leaf_key,
            other_key: KeyPair::generate()?,
            roots: vec![ca.der().clone()],
        })
    }
}

/// Runs every row of [`table`] against a client: for each, starts the scripted server,
/// has `call` make one call to it, and checks that the call ended as the row expects
/// within its deadline (plus [`SLACK`]), that a refused call sent its error's alert, that
/// no request byte reached the server before the server had sent a right Finished, and
/// that a call that succeeded sent a right Finished. Prints one line per row
/// (`--nocapture` shows them); every row runs, and the failures are reported together.
///
/// # Panics
/// When any row did not end as it must.
pub fn run(call: impl FnMut(&Target) -> Outcome) {
    run_rows(&table(), call);
}

/// [`run`] over some rows.
///
/// # Panics
/// When any row did not end as it must.
pub fn run_rows(rows: &[Row], mut call: impl FnMut(&Target) -> Outcome) {
    let credentials = Arc::new(Credentials::new().expect("certificates"));
    let mut failures = Vec::new();
    for row in rows {
        let server = match server::Server::start(row.script.clone(), credentials.clone()) {
            Ok(server) => server,
            Err(e) => {
                failures.push(format!("{}: the server did not start: {e}", row.name));
                continue;
            }
        };
        let target = Target {
            address: server.address,
            server_name: "localhost",
            roots: credentials.roots.clone(),
            receive_buffer: row.receive_buffer,
            deadline: row.deadline,
        };
        let started = Instant::now();
        let outcome = call(&target);
        let elapsed = started.elapsed();
        let seen = server.finish(Duration::from_secs(5));
        let mut problems = check(row, &outcome, elapsed, &seen);
        println!(
            "{:<70} {:>6} ms  {}",
            row.name,
            elapsed.as_millis(),
            if problems.is_empty() {
                format!("{outcome:?}")
            } else {
                format!("FAILED: {}", problems.join("; "))
            }
        );
        if !problems.is_empty() {
            if let Some(stopped) = &seen.stopped {
                problems.push(format!("(the server stopped: {stopped})"));
            }
            failures.push(format!("{}: {}", row.name, problems.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

/// What is wrong with how a row ended (nothing: it ended as it must).
fn check(row: &Row, outcome: &Outcome, elapsed: Duration, seen: &Seen) -> Vec<String> {
    let mut problems = Vec::new();
    let met = match (&row.expected, outcome) {
        (Expected::Customer, Outcome::Customer) | (Expected::Timeout, Outcome::Timeout) => true,
        (Expected::Refused(expected), Outcome::Tls(error)) => expected == error,
        (Expected::Refused(_), Outcome::Refused(_)) => true,
        _ => false,
    };
    if !met {
        problems.push(format!("expected {:?}, got {outcome:?}", row.expected));
    }
    if elapsed >= row.deadline + SLACK {
        problems.push(format!(
            "deadline of {:?} not held: {elapsed:?}",
            row.deadline
        ));
    }
    // Nothing of the request may leave the client before it has verified the server's
    // Finished (in TLS 1.2, which comes after the client's own).
    if seen.early_application > 0 {
        problems.push(format!(
            "{} request bytes reached the server before its Finished",
            seen.early_application
        ));
    }
    match (&row.expected, outcome) {
        (Expected::Refused(expected), Outcome::Tls(_)) => {
            // A reset discards what the client's kernel had not sent yet (a small write
            // held back by Nagle's algorithm, say): then no alert proves nothing, but an
            // alert that did arrive must still be the right one.
            if let Some(alert) = expected.alert()
                && seen.alerts.first() != Some(&alert.code())
                && !(seen.reset && seen.alerts.is_empty())
            {
                problems.push(format!(
                    "the client should have sent alert {}, the server saw {:?}",
                    alert.code(),
                    seen.alerts
                ));
            }
        }
        (Expected::Customer, Outcome::Customer) => {
            if seen.client_finished != Some(true) {
                problems.push(format!("the client's Finished: {:?}", seen.client_finished));
            }
            if let Some(stopped) = &seen.stopped {
                problems.push(format!("the server stopped: {stopped}"));
            }
        }
        _ => {}
    }
    problems
}

const CCS: [u8; 6] = [20, 3, 3, 0, 1, 1];
/// Zeros that make the server's NewSessionTicket (50 bytes) and its content type exactly
/// 2^14 + 1 bytes of inner plaintext, the most a record may carry (RFC 8446, 5.2).
const NEW_SESSION_TICKET_PADDING: usize = 16_385 - 50 - 1;
const P256: u16 = schedule::SECP256R1;
const X25519: u16 = schedule::X25519;
const SECP384R1: u16 = 0x0018;

fn sh() -> Action {
    Action::ServerHello(Hello::default())
}

fn hello(change: impl FnOnce(&mut Hello)) -> Action {
    let mut hello = Hello::default();
    change(&mut hello);
    Action::ServerHello(hello)
}

fn retry(change: impl FnOnce(&mut Retry)) -> Action {
    let mut retry = Retry::default();
    change(&mut retry);
    Action::HelloRetryRequest(retry)
}

fn ee() -> Action {
    Action::EncryptedExtensions(Vec::new())
}

fn cert() -> Action {
    Action::Certificate(Chain::Valid)
}

fn cv() -> Action {
    Action::CertificateVerify(Signature::Valid)
}

fn fin() -> Action {
    Action::Finished { valid: true }
}

/// The server's flight after the ServerHello.
fn encrypted_flight() -> Vec<Action> {
    vec![ee(), cert(), cv(), fin()]
}

/// Reading the client's Finished and request, and answering.
fn serve() -> Vec<Action> {
    vec![Action::ReadFinished, Action::ReadRequest, Action::Respond]
}

fn concat(parts: &[&[Action]]) -> Vec<Action> {
    parts.concat()
}

/// A correct handshake with `extra` sent right after the server's Finished, in the same
/// write (so before the client can send its request), then service.
fn after_finished(extra: &[Action]) -> Vec<Action> {
    concat(&[&[sh()], &encrypted_flight(), extra, &serve()])
}

/// A correct handshake with `extra` sent right after the server's Finished, in the same
/// write; then the server reads the client's Finished (and records the rest). The client
/// may send its request once it has checked the Finished, before it reads `extra`.
fn late(extra: &[Action]) -> Vec<Action> {
    concat(&[&[sh()], &encrypted_flight(), extra, &[Action::ReadFinished]])
}

/// A correct handshake, the request read, then `extra` instead of a plain response.
fn after_request(extra: &[Action]) -> Vec<Action> {
    concat(&[
        &[sh()],
        &encrypted_flight(),
        &[Action::ReadFinished, Action::ReadRequest],
        extra,
    ])
}

fn legal() -> Vec<Action> {
    after_finished(&[])
}

/// The server's flight with this EncryptedExtensions block, Certificate and signature.
fn flight(extensions: Vec<(u16, Vec<u8>)>, chain: Chain, signature: Signature) -> Vec<Action> {
    vec![
        sh(),
        Action::EncryptedExtensions(extensions),
        Action::Certificate(chain),
        Action::CertificateVerify(signature),
        fin(),
    ]
}

fn peer(violation: Violation) -> Expected {
    Expected::Refused(Error::Peer(violation))
}

fn alert(alert: Alert) -> Expected {
    Expected::Refused(Error::AlertReceived(alert))
}

fn certificate(error: CertificateError) -> Expected {
    Expected::Refused(Error::Certificate(error))
}

fn message(kind: u8, body: &[u8]) -> Action {
    Action::Message(kind, body.to_vec())
}

/// A row with the default receive buffer and a deadline of 10 s.
fn row(name: &'static str, script: Vec<Action>, expected: Expected) -> Row {
    Row {
        name,
        script,
        expected,
        rustls: None,
        receive_buffer: juspay_tls::RECEIVE_BUFFER,
        deadline: Duration::from_secs(10),
    }
}

/// A row whose end (a refusal, or a timeout) must come within 800 ms.
fn quick_row(name: &'static str, script: Vec<Action>, expected: Expected) -> Row {
    Row {
        deadline: Duration::from_millis(800),
        ..row(name, script, expected)
    }
}

/// A row whose client has a receive buffer of [`LARGE_RECEIVE_BUFFER`] bytes.
fn large(name: &'static str, script: Vec<Action>, expected: Expected) -> Row {
    Row {
        receive_buffer: LARGE_RECEIVE_BUFFER,
        ..row(name, script, expected)
    }
}

/// Every TLS 1.3 row, in a fixed order.
pub fn table() -> Vec<Row> {
    use Action::*;
    use Violation as V;

    let ok = Expected::Customer;
    let with_flight = |first: &[Action], rest: &[Action]| concat(&[first, rest]);
    let record_overflow = |len: usize| {
        let mut bytes = vec![23, 3, 3, (len >> 8) as u8, len as u8];
        bytes.resize(5 + len, 0);
        Raw(bytes)
    };

    vec![
        // ---- Legal: must work ---------------------------------------------------------
        row("a correct handshake", legal(), ok.clone()),
        row(
            "TLS_AES_256_GCM_SHA384",
            concat(&[
                &[hello(|h| h.suite = Some(schedule::AES_256_GCM_SHA384))],
                &encrypted_flight(),
                &serve(),
            ]),
            ok.clone(),
        ),
        row(
            "TLS_CHACHA20_POLY1305_SHA256",
            concat(&[
                &[hello(|h| {
                    h.suite = Some(schedule::CHACHA20_POLY1305_SHA256)
                })],
                &encrypted_flight(),
                &serve(),
            ]),
            ok.clone(),
        ),
        row(
            "HelloRetryRequest for secp256r1",
            concat(&[&[retry(|r| r.group = Some(P256))], &legal()]),
            ok.clone(),
        ),
        row(
            "HelloRetryRequest with a cookie only",
            concat(&[
                &[retry(|r| r.cookie = Some(b"cookie 1".to_vec()))],
                &legal(),
            ]),
            ok.clone(),
        ),
        row(
            "HelloRetryRequest: secp256r1, a cookie, TLS_AES_256_GCM_SHA384",
            concat(&[
                &[
                    retry(|r| {
                        r.group = Some(P256);
                        r.cookie = Some(vec![7; 300]);
                        r.suite = Some(schedule::AES_256_GCM_SHA384);
                    }),
                    hello(|h| h.suite = Some(schedule::AES_256_GCM_SHA384)),
                ],
                &encrypted_flight(),
                &serve(),
            ]),
            ok.clone(),
        ),
        row(
            "ChangeCipherSpec before the ServerHello",
            concat(&[&[Raw(CCS.to_vec())], &legal()]),
            ok.clone(),
        ),
        row(
            "ChangeCipherSpec after the ServerHello",
            concat(&[&[sh(), Raw(CCS.to_vec())], &encrypted_flight(), &serve()]),
            ok.clone(),
        ),
        row(
            "CertificateRequest: the client answers without a certificate",
            concat(&[
                &[sh(), ee(), CertificateRequest, cert(), cv(), fin()],
                &serve(),
            ]),
            ok.clone(),
        ),
        row(
            "EncryptedExtensions: server_name, supported_groups, record_size_limit 64",
            concat(&[
                &[
                    sh(),
                    EncryptedExtensions(vec![
                        (0, Vec::new()),
                        (10, vec![0, 2, 0, 0x1d]),
                        (28, vec![0, 64]),
                    ]),
                    cert(),
                    cv(),
                    fin(),
                ],
                &serve(),
            ]),
            ok.clone(),
        ),
        row(
            "every handshake message in 1-byte records",
            concat(&[&[Fragment(1)], &legal()]),
            ok.clone(),
        ),
        row(
            "handshake messages in 7-byte records",
            concat(&[&[Fragment(7)], &legal()]),
            ok.clone(),
        ),
        row(
            "the encrypted flight coalesced into one record",
            concat(&[&[sh(), Coalesce], &encrypted_flight(), &[Flush], &serve()]),
            ok.clone(),
        ),
        row(
            "the encrypted flight coalesced, then cut into 100-byte records",
            concat(&[
                &[sh(), Fragment(100), Coalesce],
                &encrypted_flight(),
                &[Flush],
                &serve(),
            ]),
            ok.clone(),
        ),
        row(
            "every encrypted record padded with 500 zeros",
            concat(&[&[Pad(500)], &legal()]),
            ok.clone(),
        ),
        row(
            "KeyUpdate right after Finished",
            after_finished(&[KeyUpdate { requested: false }]),
            ok.clone(),
        ),
        row(
            "KeyUpdate (update_requested) right after Finished, answered",
            concat(&[
                &[sh()],
                &encrypted_flight(),
                &[
                    KeyUpdate { requested: true },
                    ReadFinished,
                    ExpectKeyUpdate,
                    ReadRequest,
                    Respond,
                ],
            ]),
            ok.clone(),
        ),
        row(
            "KeyUpdate before the response",
            after_request(&[KeyUpdate { requested: false }, Respond]),
            ok.clone(),
        ),
        row(
            "KeyUpdate (update_requested) before the response",
            after_request(&[KeyUpdate { requested: true }, Respond]),
            ok.clone(),
        ),
        row(
            "KeyUpdate between head and body",
            after_request(&[RespondHead, KeyUpdate { requested: false }, Respond]),
            ok.clone(),
        ),
        row(
            "KeyUpdate (update_requested) between head and body",
            after_request(&[RespondHead, KeyUpdate { requested: true }, Respond]),
            ok.clone(),
        ),
        row(
            "five KeyUpdates in a row before the response",
            after_request(&[
                KeyUpdate { requested: false },
                KeyUpdate { requested: true },
                KeyUpdate { requested: false },
                KeyUpdate { requested: true },
                KeyUpdate { requested: false },
                Respond,
            ]),
            ok.clone(),
        ),
        row(
            "two NewSessionTickets after Finished",
            after_finished(&[NewSessionTicket, NewSessionTicket]),
            ok.clone(),
        ),
        row(
            "NewSessionTicket between head and body",
            after_request(&[RespondHead, NewSessionTicket, Respond]),
            ok.clone(),
        ),
        row(
            "32 empty records (the limit) before the response",
            after_request(&[EmptyRecords(32), Respond]),
            ok.clone(),
        ),
        large(
            "20 extra certificates, 64 KiB receive buffer",
            concat(&[
                &[sh(), ee(), Certificate(Chain::Extra(20)), cv(), fin()],
                &serve(),
            ]),
            ok.clone(),
        ),
        large(
            "40 extra certificates, 64 KiB receive buffer",
            concat(&[
                &[sh(), ee(), Certificate(Chain::Extra(40)), cv(), fin()],
                &serve(),
            ]),
            ok.clone(),
        ),
        row(
            "ServerHello dripped one byte per millisecond",
            concat(&[
                &[Drip(Some(Duration::from_millis(1))), sh(), Drip(None)],
                &encrypted_flight(),
                &serve(),
            ]),
            ok.clone(),
        ),
        row(
            "HelloRetryRequest in 1-byte records",
            concat(&[&[Fragment(1), retry(|r| r.group = Some(P256))], &legal()]),
            ok.clone(),
        ),
        row(
            "10 extra certificates, default receive buffer",
            concat(&[
                &flight(Vec::new(), Chain::Extra(10), Signature::Valid),
                &serve(),
            ]),
            ok.clone(),
        ),
        row(
            "16 extra certificates (about 15 KiB) in 1000-byte records, default receive buffer",
            concat(&[
                &[sh(), Fragment(1000)],
                &flight(Vec::new(), Chain::Extra(16), Signature::Valid)[1..],
                &serve(),
            ]),
            ok.clone(),
        ),
        row(
            "a NewSessionTicket padded to 2^14 + 1 bytes of inner plaintext (the limit)",
            after_finished(&[Pad(NEW_SESSION_TICKET_PADDING), NewSessionTicket, Pad(0)]),
            ok.clone(),
        ),
        row(
            "32 KeyUpdates (the limit) before the response",
            after_request(&concat(&[
                &vec![KeyUpdate { requested: false }; 32],
                &[Respond],
            ])),
            ok.clone(),
        ),
        row(
            "an empty record between head and body",
            after_request(&[RespondHead, EmptyRecords(1), Respond]),
            ok.clone(),
        ),
        row(
            "close_notify right after the response",
            after_request(&[
                Respond,
                Alert {
                    level: 1,
                    description: 0,
                },
            ]),
            ok.clone(),
        ),
        row(
            "the connection closed right after the response",
            after_request(&[Respond, Close]),
            ok.clone(),
        ),
        row(
            "legacy_record_version 0x0301 on the ServerHello's record",
            concat(&[
                &[RecordVersion(0x0301), sh(), RecordVersion(0x0303)],
                &legal()[1..],
            ]),
            ok.clone(),
        ),
        row(
            "HelloRetryRequest with a cookie of 600 bytes",
            concat(&[&[retry(|r| r.cookie = Some(vec![0xc0; 600]))], &legal()]),
            ok.clone(),
        ),
        row(
            "a NewSessionTicket with a 4 KiB ticket",
            after_finished(&[NewSessionTicketOf(4096)]),
            ok.clone(),
        ),
        row(
            "a NewSessionTicket in 1-byte records",
            after_finished(&[Fragment(1), NewSessionTicket, Fragment(16_384)]),
            ok.clone(),
        ),
        row(
            "KeyUpdate (update_requested) in 1-byte records before the request",
            concat(&[
                &[sh()],
                &encrypted_flight(),
                &[
                    Fragment(1),
                    KeyUpdate { requested: true },
                    Fragment(16_384),
                    ReadFinished,
                    ExpectKeyUpdate,
                    ReadRequest,
                    Respond,
                ],
            ]),
            ok.clone(),
        ),
        // ---- Messages out of order, missing, duplicated, unencrypted -------------------
        row(
            "Certificate before EncryptedExtensions",
            vec![sh(), cert(), ee(), cv(), fin()],
            peer(V::UnexpectedMessage),
        ),
        row(
            "no EncryptedExtensions",
            vec![sh(), cert(), cv(), fin()],
            peer(V::UnexpectedMessage),
        ),
        row(
            "no Certificate",
            vec![sh(), ee(), cv(), fin()],
            peer(V::UnexpectedMessage),
        ),
        row(
            "no CertificateVerify",
            vec![sh(), ee(), cert(), fin()],
            peer(V::UnexpectedMessage),
        ),
        row(
            "no Finished: application data instead",
            vec![
                sh(),
                ee(),
                cert(),
                cv(),
                Record {
                    kind: 23,
                    body: b"HTTP/1.1 200 OK\r\n\r\n".to_vec(),
                },
            ],
            peer(V::UnexpectedRecord),
        ),
        quick_row(
            "no Finished: silence",
            vec![sh(), ee(), cert(), cv(), Stall],
            Expected::Timeout,
        ),
        row(
            "CertificateRequest after the Certificate",
            vec![sh(), ee(), cert(), CertificateRequest, cv(), fin()],
            peer(V::UnexpectedMessage),
        ),
        row(
            "EncryptedExtensions twice",
            vec![sh(), ee(), ee(), cert(), cv(), fin()],
            peer(V::UnexpectedMessage),
        ),
        row(
            "Certificate twice",
            vec![sh(), ee(), cert(), cert(), cv(), fin()],
            peer(V::UnexpectedMessage),
        ),
        row(
            "CertificateVerify twice",
            vec![sh(), ee(), cert(), cv(), cv(), fin()],
            peer(V::UnexpectedMessage),
        ),
        row(
            "a second ServerHello, encrypted",
            vec![sh(), message(2, &[3, 3]), ee(), cert(), cv(), fin()],
            peer(V::UnexpectedMessage),
        ),
        row(
            "a second ServerHello, in the clear",
            vec![
                sh(),
                Unencrypted,
                message(2, &[3, 3]),
                ee(),
                cert(),
                cv(),
                fin(),
            ],
            peer(V::UnexpectedRecord),
        ),
        row(
            "a ClientHello from the server",
            vec![sh(), message(1, &[3, 3]), ee(), cert(), cv(), fin()],
            peer(V::UnexpectedMessage),
        ),
        row(
            "an unknown handshake type (99)",
            vec![sh(), message(99, &[0; 4]), ee(), cert(), cv(), fin()],
            peer(V::UnexpectedMessage),
        ),
        row(
            "EncryptedExtensions in the clear",
            vec![sh(), Unencrypted, ee(), cert(), cv(), fin()],
            peer(V::UnexpectedRecord),
        ),
        row(
            "Certificate in the clear",
            vec![sh(), ee(), Unencrypted, cert(), cv(), fin()],
            peer(V::UnexpectedRecord),
        ),
        row(
            "CertificateVerify in the clear",
            vec![sh(), ee(), cert(), Unencrypted, cv(), fin()],
            peer(V::UnexpectedRecord),
        ),
        row(
            "Finished in the clear",
            vec![sh(), ee(), cert(), cv(), Unencrypted, fin()],
            peer(V::UnexpectedRecord),
        ),
        row(
            "CertificateRequest with a context during the handshake",
            vec![
                sh(),
                ee(),
                message(13, &[1, 7, 0, 8, 0, 13, 0, 4, 0, 2, 4, 3]),
                cert(),
                cv(),
                fin(),
            ],
            peer(V::Malformed),
        ),
        row(
            "ServerHello and EncryptedExtensions in one record",
            vec![
                Coalesce,
                sh(),
                Unencrypted,
                ee(),
                Flush,
                cert(),
                cv(),
                fin(),
            ],
            peer(V::NotAlignedWithKeyChange),
        ),
        row(
            "KeyUpdate during the handshake",
            vec![sh(), ee(), message(24, &[0]), cert(), cv(), fin()],
            peer(V::UnexpectedMessage),
        ),
        row(
            "NewSessionTicket during the handshake",
            vec![sh(), ee(), cert(), cv(), NewSessionTicket, fin()],
            peer(V::UnexpectedMessage),
        ),
        row(
            "a Finished of 31 bytes",
            vec![sh(), ee(), cert(), cv(), message(20, &[0; 31])],
            peer(V::Malformed),
        ),
        row(
            "a ChangeCipherSpec between two fragments of the ServerHello",
            concat(&[
                &[
                    Fragment(40),
                    Interleave {
                        kind: 20,
                        body: vec![1],
                        encrypted: false,
                    },
                    sh(),
                    Fragment(16_384),
                ],
                &encrypted_flight(),
            ]),
            peer(V::UnexpectedMessage),
        ),
        // ---- Handshake messages after the handshake -----------------------------------
        row(
            "CertificateRequest after the handshake",
            late(&[CertificateRequest]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "ServerHello after the handshake",
            late(&[message(2, &[3, 3])]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "EncryptedExtensions after the handshake",
            late(&[ee()]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "Certificate after the handshake",
            late(&[cert()]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "CertificateVerify after the handshake",
            late(&[cv()]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "Finished after the handshake",
            late(&[message(20, &[0; 32])]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "a plaintext CertificateRequest after the handshake",
            late(&[Unencrypted, CertificateRequest]),
            peer(V::UnexpectedRecord),
        ),
        row(
            "a plaintext NewSessionTicket after the handshake",
            late(&[Unencrypted, NewSessionTicket]),
            peer(V::UnexpectedRecord),
        ),
        row(
            "a plaintext KeyUpdate after the handshake",
            late(&[Unencrypted, message(24, &[0])]),
            peer(V::UnexpectedRecord),
        ),
        row(
            "ChangeCipherSpec after the handshake",
            late(&[Raw(CCS.to_vec())]),
            peer(V::BadChangeCipherSpec),
        ),
        row(
            "a NewSessionTicket with an empty ticket",
            late(&[message(4, &[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])]),
            peer(V::Malformed),
        ),
        row(
            "an encrypted ChangeCipherSpec during the handshake",
            vec![
                sh(),
                ee(),
                Record {
                    kind: 20,
                    body: vec![1],
                },
                cert(),
                cv(),
                fin(),
            ],
            peer(V::UnexpectedRecord),
        ),
        row(
            "ChangeCipherSpec of value 2",
            vec![
                sh(),
                Raw(vec![20, 3, 3, 0, 1, 2]),
                ee(),
                cert(),
                cv(),
                fin(),
            ],
            peer(V::BadChangeCipherSpec),
        ),
        row(
            "a NewSessionTicket with a 60 KiB ticket",
            late(&[NewSessionTicketOf(60_000)]),
            Expected::Refused(Error::ReceiveBufferTooSmall),
        ),
        row(
            "application data between two fragments of a NewSessionTicket",
            late(&[
                Fragment(20),
                Interleave {
                    kind: 23,
                    body: b"HTTP".to_vec(),
                    encrypted: true,
                },
                NewSessionTicket,
            ]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "an empty plaintext alert record instead of the ServerHello",
            vec![Raw(vec![21, 3, 3, 0, 0])],
            peer(V::EmptyRecord),
        ),
        row(
            "an empty encrypted alert record",
            vec![
                sh(),
                ee(),
                Record {
                    kind: 21,
                    body: Vec::new(),
                },
            ],
            peer(V::EmptyRecord),
        ),
        row(
            "user_canceled between two fragments of the Certificate",
            concat(&[
                &[
                    sh(),
                    ee(),
                    Fragment(100),
                    Interleave {
                        kind: 21,
                        body: vec![1, 90],
                        encrypted: true,
                    },
                    cert(),
                    Fragment(16_384),
                    cv(),
                    fin(),
                ],
                &serve(),
            ]),
            peer(V::UnexpectedMessage),
        ),
        row(
            "an alert between two fragments of the Certificate",
            vec![
                sh(),
                ee(),
                Fragment(100),
                Interleave {
                    kind: 21,
                    body: vec![2, 40],
                    encrypted: true,
                },
                cert(),
                cv(),
                fin(),
            ],
            peer(V::UnexpectedMessage),
        ),
        row(
            "KeyUpdate with request 2",
            late(&[message(24, &[2])]),
            peer(V::BadKeyUpdate),
        ),
        row(
            "KeyUpdate sharing its record with a NewSessionTicket",
            late(&[Coalesce, message(24, &[0]), NewSessionTicket, Flush]),
            peer(V::NotAlignedWithKeyChange),
        ),
        row(
            "KeyUpdate between head and body, the body still under the old key",
            after_request(&[RespondHead, message(24, &[0]), Respond]),
            peer(V::BadRecordMac),
        ),
        // ---- HelloRetryRequest ---------------------------------------------------------
        row(
            "a second HelloRetryRequest",
            vec![
                retry(|r| r.group = Some(P256)),
                retry(|r| r.cookie = Some(b"again".to_vec())),
            ],
            peer(V::UnexpectedMessage),
        ),
        row(
            "HelloRetryRequest for the group already offered",
            vec![retry(|r| r.group = Some(X25519))],
            peer(V::BadHelloRetry),
        ),
        row(
            "HelloRetryRequest for a group never offered (secp384r1)",
            vec![retry(|r| r.group = Some(SECP384R1))],
            peer(V::NotOffered),
        ),
        row(
            "HelloRetryRequest that asks for nothing",
            vec![retry(|_| {})],
            peer(V::BadHelloRetry),
        ),
        row(
            "HelloRetryRequest with a cipher suite never offered",
            vec![retry(|r| {
                r.group = Some(P256);
                r.suite = Some(0x1304);
            })],
            peer(V::NotOffered),
        ),
        row(
            "ServerHello contradicting the HelloRetryRequest's cipher suite",
            with_flight(
                &[
                    retry(|r| r.group = Some(P256)),
                    hello(|h| h.suite = Some(schedule::CHACHA20_POLY1305_SHA256)),
                ],
                &encrypted_flight(),
            ),
            peer(V::BadHelloRetry),
        ),
        row(
            "ServerHello after a HelloRetryRequest in the first group",
            with_flight(
                &[
                    retry(|r| r.group = Some(P256)),
                    hello(|h| h.group = Some(X25519)),
                ],
                &encrypted_flight(),
            ),
            peer(V::NotOffered),
        ),
        row(
            "HelloRetryRequest without supported_versions",
            vec![retry(|r| {
                r.group = Some(P256);
                r.version = Version::Absent;
            })],
            peer(V::NotTls13),
        ),
        row(
            "HelloRetryRequest not echoing the session id",
            vec![retry(|r| {
                r.group = Some(P256);
                r.echo_session_id = false;
            })],
            peer(V::BadServerHello),
        ),
        row(
            "HelloRetryRequest with an extension never asked for (ALPN)",
            vec![retry(|r| {
                r.group = Some(P256);
                r.extra = vec![(16, vec![0, 3, 2, b'h', b'2'])];
            })],
            peer(V::UnsolicitedExtension),
        ),
        row(
            "HelloRetryRequest with an empty cookie",
            vec![retry(|r| {
                r.group = Some(P256);
                r.cookie = Some(Vec::new());
            })],
            peer(V::Malformed),
        ),
        row(
            "HelloRetryRequest with a cookie of 5,000 bytes",
            vec![retry(|r| r.cookie = Some(vec![0xc0; 5000]))],
            Expected::Refused(Error::SendBufferTooSmall),
        ),
        // ---- ServerHello: parameters never offered, malformed --------------------------
        row(
            "cipher suite never offered (TLS_AES_128_CCM_SHA256)",
            vec![hello(|h| h.suite = Some(0x1304))],
            peer(V::NotOffered),
        ),
        row(
            "a TLS 1.2 cipher suite",
            vec![hello(|h| h.suite = Some(0xc02f))],
            peer(V::NotOffered),
        ),
        row(
            "group never offered (secp384r1)",
            vec![hello(|h| {
                h.group = Some(SECP384R1);
                h.share = Some([&[4u8][..], &[1; 96]].concat());
            })],
            peer(V::NotOffered),
        ),
        row(
            "secp256r1 share without a HelloRetryRequest",
            vec![hello(|h| h.group = Some(P256))],
            peer(V::NotOffered),
        ),
        row(
            "no supported_versions: a TLS 1.2 ServerHello",
            vec![hello(|h| h.version = Version::Absent)],
            peer(V::NotTls13),
        ),
        row(
            "supported_versions naming TLS 1.2",
            vec![hello(|h| h.version = Version::Other(0x0303))],
            peer(V::NotOffered),
        ),
        row(
            "legacy_version 0x0304",
            vec![hello(|h| h.legacy_version = 0x0304)],
            peer(V::BadServerHello),
        ),
        row(
            "session id not echoed",
            vec![hello(|h| h.echo_session_id = false)],
            peer(V::BadServerHello),
        ),
        row(
            "no key_share",
            vec![hello(|h| h.key_share = false)],
            peer(V::MissingExtension),
        ),
        row(
            "X25519 share of 31 bytes",
            vec![hello(|h| h.share = Some(vec![9; 31]))],
            peer(V::BadKeyShare),
        ),
        row(
            "X25519 share of small order (zero)",
            vec![hello(|h| h.share = Some(vec![0; 32]))],
            peer(V::BadKeyShare),
        ),
        row(
            "compression method 1",
            vec![hello(|h| h.compression = 1)],
            peer(V::BadServerHello),
        ),
        row(
            "ServerHello with an extension never asked for (ALPN)",
            vec![hello(|h| h.extra = vec![(16, vec![0, 3, 2, b'h', b'2'])])],
            peer(V::UnsolicitedExtension),
        ),
        row(
            "ServerHello with server_name",
            vec![hello(|h| h.extra = vec![(0, Vec::new())])],
            peer(V::IllegalExtension),
        ),
        row(
            "ServerHello with supported_versions twice",
            vec![hello(|h| h.extra = vec![(43, vec![3, 4])])],
            peer(V::IllegalExtension),
        ),
        row(
            "EncryptedExtensions with an extension never asked for (ALPN)",
            flight(
                vec![(16, vec![0, 3, 2, b'h', b'2'])],
                Chain::Valid,
                Signature::Valid,
            ),
            peer(V::UnsolicitedExtension),
        ),
        row(
            "EncryptedExtensions with server_name twice",
            flight(
                vec![(0, Vec::new()), (0, Vec::new())],
                Chain::Valid,
                Signature::Valid,
            ),
            peer(V::IllegalExtension),
        ),
        row(
            "EncryptedExtensions with key_share",
            flight(
                vec![(51, vec![0, 0x1d, 0, 0])],
                Chain::Valid,
                Signature::Valid,
            ),
            peer(V::IllegalExtension),
        ),
        row(
            "EncryptedExtensions with record_size_limit 63",
            flight(vec![(28, vec![0, 63])], Chain::Valid, Signature::Valid),
            peer(V::IllegalExtension),
        ),
        // ---- Certificates and signatures -------------------------------------------------
        row(
            "an empty Certificate message",
            flight(Vec::new(), Chain::Empty, Signature::Valid),
            peer(V::NoCertificate),
        ),
        row(
            "a self-signed certificate",
            flight(Vec::new(), Chain::Untrusted, Signature::Valid),
            certificate(CertificateError::Invalid(
                juspay_tls::webpki::Error::UnknownIssuer,
            )),
        ),
        row(
            "CertificateVerify signed by another key",
            flight(Vec::new(), Chain::Valid, Signature::OtherKey),
            certificate(CertificateError::BadSignature),
        ),
        row(
            "CertificateVerify labelled ecdsa_secp384r1_sha384 for a P-256 key",
            flight(Vec::new(), Chain::Valid, Signature::Scheme(0x0503)),
            certificate(CertificateError::UnsupportedSignatureScheme),
        ),
        row(
            "CertificateVerify under rsa_pkcs1_sha256 (certificates only)",
            flight(Vec::new(), Chain::Valid, Signature::Scheme(0x0401)),
            certificate(CertificateError::UnsupportedSignatureScheme),
        ),
        row(
            "CertificateVerify under a scheme never offered (rsa_pkcs1_sha1)",
            flight(Vec::new(), Chain::Valid, Signature::Scheme(0x0201)),
            peer(V::NotOffered),
        ),
        row(
            "a certificate entry with an extension never asked for (SCT)",
            flight(Vec::new(), Chain::EntryExtension(18), Signature::Valid),
            peer(V::UnsolicitedExtension),
        ),
        row(
            "a Certificate message with 70 entries",
            flight(Vec::new(), Chain::Junk(68), Signature::Valid),
            certificate(CertificateError::TooManyCertificates),
        ),
        row(
            "a Certificate message with a request context",
            vec![sh(), ee(), message(11, &[1, 9, 0, 0, 0]), cv(), fin()],
            peer(V::Malformed),
        ),
        row(
            "a CertificateVerify with a byte after the signature",
            vec![sh(), ee(), cert(), message(15, &[4, 3, 0, 1, 0, 0]), fin()],
            peer(V::Malformed),
        ),
        row(
            "a wrong Finished",
            vec![sh(), ee(), cert(), cv(), Finished { valid: false }],
            peer(V::BadFinished),
        ),
        row(
            "20 extra certificates, default receive buffer",
            flight(Vec::new(), Chain::Extra(20), Signature::Valid),
            Expected::Refused(Error::ReceiveBufferTooSmall),
        ),
        row(
            "40 extra certificates, default receive buffer",
            flight(Vec::new(), Chain::Extra(40), Signature::Valid),
            Expected::Refused(Error::ReceiveBufferTooSmall),
        ),
        // ---- Records: empty, oversized, padded, floods, unknown ---------------------------
        row(
            "an empty encrypted record before the Certificate",
            vec![sh(), ee(), EmptyRecords(1), cert(), cv(), fin()],
            peer(V::UnexpectedRecord),
        ),
        row(
            "an empty encrypted handshake record before the Certificate",
            vec![
                sh(),
                ee(),
                Record {
                    kind: 22,
                    body: Vec::new(),
                },
                cert(),
                cv(),
                fin(),
            ],
            peer(V::EmptyRecord),
        ),
        row(
            "two alerts in one record",
            vec![
                sh(),
                ee(),
                Record {
                    kind: 21,
                    body: vec![1, 0, 2, 40],
                },
            ],
            peer(V::Malformed),
        ),
        row(
            "an empty plaintext handshake record instead of the ServerHello",
            vec![Raw(vec![22, 3, 3, 0, 0])],
            peer(V::EmptyRecord),
        ),
        row(
            "an inner plaintext of zeros only, during the handshake",
            vec![sh(), ee(), NoContentType, cert(), cv(), fin()],
            peer(V::EmptyRecord),
        ),
        row(
            "an inner plaintext of zeros only, after the handshake",
            late(&[NoContentType]),
            peer(V::EmptyRecord),
        ),
        row(
            "a record that fails authentication",
            vec![sh(), ee(), Tampered],
            peer(V::BadRecordMac),
        ),
        row(
            "2^14 + 1 bytes of plaintext in one record",
            late(&[Record {
                kind: 23,
                body: vec![b'x'; 16_385],
            }]),
            peer(V::RecordTooLong),
        ),
        row(
            "an encrypted record of 2^14 + 256 + 1 bytes",
            late(&[record_overflow(16_641)]),
            peer(V::RecordTooLong),
        ),
        row(
            "padding past 2^14 + 1 bytes of inner plaintext",
            late(&[
                Pad(16_300),
                Record {
                    kind: 23,
                    body: vec![b'x'; 100],
                },
            ]),
            peer(V::RecordTooLong),
        ),
        row(
            "a NewSessionTicket padded to 2^14 + 2 bytes of inner plaintext",
            late(&[Pad(NEW_SESSION_TICKET_PADDING + 1), NewSessionTicket]),
            peer(V::RecordTooLong),
        ),
        row(
            "a plaintext record of 2^14 + 1 bytes instead of the ServerHello",
            vec![Raw({
                let mut bytes = vec![22, 3, 3, 0x40, 0x01];
                bytes.resize(5 + 16_385, 0);
                bytes
            })],
            peer(V::RecordTooLong),
        ),
        row(
            "an unknown record type (24)",
            vec![sh(), Raw(vec![24, 3, 3, 0, 1, 0])],
            peer(V::UnexpectedRecord),
        ),
        row(
            "an unknown inner content type (99)",
            late(&[Record {
                kind: 99,
                body: vec![1],
            }]),
            peer(V::UnexpectedRecord),
        ),
        row(
            "33 empty records after the handshake",
            late(&[EmptyRecords(33)]),
            peer(V::TooManyEmptyRecords),
        ),
        quick_row(
            "a flood of 10,000 empty records",
            late(&[EmptyRecords(10_000)]),
            peer(V::TooManyEmptyRecords),
        ),
        quick_row(
            "a flood of ChangeCipherSpec during the handshake",
            concat(&[&[sh()], &vec![Raw(CCS.to_vec()); 1000]]),
            peer(V::TooManyEmptyRecords),
        ),
        quick_row(
            "a flood of NewSessionTickets",
            late(&vec![NewSessionTicket; 1000]),
            peer(V::TooManyEmptyRecords),
        ),
        quick_row(
            "a flood of KeyUpdates",
            late(&vec![KeyUpdate { requested: false }; 1000]),
            peer(V::TooManyEmptyRecords),
        ),
        quick_row(
            "a flood of user_canceled warnings during the handshake",
            concat(&[
                &[sh(), ee()],
                &vec![
                    Alert {
                        level: 1,
                        description: 90,
                    };
                    1000
                ],
            ]),
            peer(V::TooManyEmptyRecords),
        ),
        // ---- Alerts at each stage --------------------------------------------------------
        row(
            "handshake_failure instead of the ServerHello",
            vec![Alert {
                level: 2,
                description: 40,
            }],
            alert(juspay_tls::Alert::HandshakeFailure),
        ),
        row(
            "internal_error after the ServerHello",
            vec![
                sh(),
                Alert {
                    level: 2,
                    description: 80,
                },
            ],
            alert(juspay_tls::Alert::InternalError),
        ),
        row(
            "a plaintext alert after the ServerHello",
            vec![sh(), Raw(vec![21, 3, 3, 0, 2, 2, 40])],
            peer(V::UnexpectedRecord),
        ),
        row(
            "close_notify after EncryptedExtensions",
            vec![
                sh(),
                ee(),
                Alert {
                    level: 1,
                    description: 0,
                },
            ],
            alert(juspay_tls::Alert::CloseNotify),
        ),
        row(
            "bad_certificate after the Certificate",
            vec![
                sh(),
                ee(),
                cert(),
                Alert {
                    level: 2,
                    description: 42,
                },
            ],
            alert(juspay_tls::Alert::BadCertificate),
        ),
        row(
            "decrypt_error after the CertificateVerify",
            vec![
                sh(),
                ee(),
                cert(),
                cv(),
                Alert {
                    level: 2,
                    description: 51,
                },
            ],
            alert(juspay_tls::Alert::DecryptError),
        ),
        row(
            "user_canceled, then close_notify, during the handshake",
            vec![
                sh(),
                ee(),
                Alert {
                    level: 1,
                    description: 90,
                },
                Alert {
                    level: 1,
                    description: 0,
                },
            ],
            alert(juspay_tls::Alert::CloseNotify),
        ),
        row(
            "unexpected_message after Finished",
            late(&[Alert {
                level: 2,
                description: 10,
            }]),
            alert(juspay_tls::Alert::UnexpectedMessage),
        ),
        row(
            "internal_error instead of the response",
            after_request(&[Alert {
                level: 2,
                description: 80,
            }]),
            alert(juspay_tls::Alert::InternalError),
        ),
        row(
            "decode_error between head and body",
            after_request(&[
                RespondHead,
                Alert {
                    level: 2,
                    description: 50,
                },
            ]),
            alert(juspay_tls::Alert::DecodeError),
        ),
        row(
            "an unknown alert (200) after the ServerHello",
            vec![
                sh(),
                Alert {
                    level: 2,
                    description: 200,
                },
            ],
            alert(juspay_tls::Alert::Other(200)),
        ),
        row(
            "the connection closed after the ServerHello",
            vec![sh(), Close],
            Expected::Refused(Error::UnexpectedEof),
        ),
        row(
            "the connection closed in the middle of a record",
            vec![sh(), Raw(vec![23, 3, 3, 1, 0, 1, 2, 3]), Close],
            Expected::Refused(Error::UnexpectedEof),
        ),
        // ---- Stalls and drips --------------------------------------------------------------
        quick_row(
            "stall before the ServerHello",
            vec![Stall],
            Expected::Timeout,
        ),
        quick_row(
            "stall after the ServerHello",
            vec![sh(), Stall],
            Expected::Timeout,
        ),
        quick_row(
            "stall after the Certificate",
            vec![sh(), ee(), cert(), Stall],
            Expected::Timeout,
        ),
        quick_row(
            "stall in the middle of a record",
            vec![sh(), Raw(vec![23, 3, 3, 1, 0, 1, 2, 3]), Stall],
            Expected::Timeout,
        ),
        quick_row(
            "handshake dripped one byte per 100 ms",
            concat(&[&[Drip(Some(Duration::from_millis(100)))], &legal()]),
            Expected::Timeout,
        ),
        quick_row(
            "stall instead of the response",
            after_request(&[Stall]),
            Expected::Timeout,
        ),
    ]
}
