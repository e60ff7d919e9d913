//! The TLS client as a sans-IO state machine: TLS 1.3 (RFC 8446) and, in the same states
//! and buffers, TLS 1.2 (RFC 5246) with ECDHE and AEAD suites only.
//!
//! Written here rather than taken from a crate because no TLS client for Rust runs without
//! a heap and refuses what it must: rustls and mbedtls-rs need an allocator, and
//! embedded-tls 0.19, which this replaced, panicked on hostile input and accepted violations.
//!
//! # Buffers
//! The receive buffer holds, from its start: the decrypted content not yet used (handshake
//! bytes being reassembled, or application data being read), the received bytes not yet
//! processed, and free space. Records are decrypted where they lie and their content moved
//! down to the end of the decrypted content, so one buffer serves reassembly and records.

use rand_core::CryptoRngCore;
use rustls_pki_types::{ServerName, TrustAnchor};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use crate::codec::{Malformed, Reader, Writer};
use crate::error::{Alert, Error, Result, Violation};
use crate::kx::{Group, KeyPair, MAX_SHARE};
use crate::suite::MAX_HASH;
use crate::suite::{
    CipherSuite, HashAlgorithm, ProtocolVersion, RecordKey, Secret, TAG_LEN, Transcript, prf,
};
use crate::verifier::{self, CertificateTime, ServerKey, Trust, scheme};

/// The record header: content type, legacy version, length (RFC 8446, 5.1).
const HEADER: usize = 5;
/// The most plaintext a record may carry (RFC 8446, 5.1).
pub const MAX_PLAINTEXT: usize = 16_384;
/// The longest encrypted record body our suites can produce: the TLSInnerPlaintext (at
/// most 2^14 + 1 bytes, RFC 8446, 5.4) and a 16-byte tag. RFC 8446, 5.2 allows bodies up
/// to 2^14 + 256 bytes, but with these suites anything over this would decrypt to too
/// much plaintext, so it is refused (record_overflow) before it is buffered.
const MAX_ENCRYPTED: usize = MAX_PLAINTEXT + 1 + TAG_LEN;
/// A receive buffer that holds any record a TLS 1.3 server may send, header included (and
/// any TLS 1.2 record of our suites: 2^14 bytes, an explicit nonce and a tag).
pub const RECEIVE_BUFFER: usize = 16_640;
/// A send buffer that holds the ClientHello (with a HelloRetryRequest cookie of up to
/// about 700 bytes) and requests of up to about 1.9 KiB in one record.
pub const SEND_BUFFER: usize = 2_048;
/// Records in a row that carry nothing for the caller (empty records, ChangeCipherSpec,
/// user_canceled, tickets, key updates) before the connection is refused as a flood.
pub const MAX_EMPTY_RECORDS: u8 = 32;

mod content {
    pub(super) const CHANGE_CIPHER_SPEC: u8 = 20;
    pub(super) const ALERT: u8 = 21;
    pub(super) const HANDSHAKE: u8 = 22;
    pub(super) const APPLICATION_DATA: u8 = 23;
}

mod handshake {
    pub(super) const HELLO_REQUEST: u8 = 0;
    pub(super) const CLIENT_HELLO: u8 = 1;
    pub(super) const SERVER_HELLO: u8 = 2;
    pub(super) const NEW_SESSION_TICKET: u8 = 4;
    pub(super) const ENCRYPTED_EXTENSIONS: u8 = 8;
    pub(super) const CERTIFICATE: u8 = 11;
    pub(super) const SERVER_KEY_EXCHANGE: u8 = 12;
    pub(super) const CERTIFICATE_REQUEST: u8 = 13;
    pub(super) const SERVER_HELLO_DONE: u8 = 14;
    pub(super) const CERTIFICATE_VERIFY: u8 = 15;
    pub(super) const CLIENT_KEY_EXCHANGE: u8 = 16;
    pub(super) const FINISHED: u8 = 20;
    pub(super) const KEY_UPDATE: u8 = 24;
}

mod extension {
    pub(super) const SERVER_NAME: u16 = 0;
    pub(super) const SUPPORTED_GROUPS: u16 = 10;
    pub(super) const EC_POINT_FORMATS: u16 = 11;
    pub(super) const SIGNATURE_ALGORITHMS: u16 = 13;
    pub(super) const EXTENDED_MASTER_SECRET: u16 = 23;
    pub(super) const RECORD_SIZE_LIMIT: u16 = 28;
    pub(super) const SUPPORTED_VERSIONS: u16 = 43;
    pub(super) const COOKIE: u16 = 44;
    pub(super) const KEY_SHARE: u16 = 51;
    pub(super) const RENEGOTIATION_INFO: u16 = 0xff01;
    /// What the ClientHello sends: the only extensions a server may answer with.
    pub(super) const SENT: [u16; 10] = [
        SERVER_NAME,
        SUPPORTED_GROUPS,
        SIGNATURE_ALGORITHMS,
        RECORD_SIZE_LIMIT,
        SUPPORTED_VERSIONS,
        COOKIE,
        KEY_SHARE,
        EC_POINT_FORMATS,
        EXTENDED_MASTER_SECRET,
        RENEGOTIATION_INFO,
    ];
}

const TLS13: u16 = 0x0304;
const TLS12: u16 = 0x0303;
/// RFC 8446, 4.1.3: a ServerHello with this random is a HelloRetryRequest.
const HELLO_RETRY_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];
/// RFC 8446, 4.1.3: the end of a ServerHello's random from a server that speaks TLS 1.3
/// but negotiated TLS 1.2 (and so was downgraded on the path, since we offered it), or
/// TLS 1.1 or below.
const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";
const DOWNGRADE_TLS11: [u8; 8] = *b"DOWNGRD\x00";
/// TLS 1.2: the length of verify_data in Finished (RFC 5246, 7.4.9).
const VERIFY_DATA: usize = 12;
/// TLS 1.2: the master secret's length (RFC 5246, 8.1).
const MASTER_SECRET: usize = 48;
/// TLS 1.2: the most an AEAD record adds to its plaintext: the explicit nonce of AES-GCM
/// (RFC 5288, 3) and the tag.
const TLS12_OVERHEAD: usize = 8 + TAG_LEN;

/// The ChangeCipherSpec record of middlebox compatibility mode (RFC 8446, D.4), and of
/// TLS 1.2's key change.
const CHANGE_CIPHER_SPEC: [u8; 6] = [content::CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1];

/// What the client connects to and trusts.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config<'a> {
    /// The server's name: sent as SNI when it is a DNS name, and checked against the
    /// certificate (DNS names and IP addresses).
    pub server_name: ServerName<'a>,
    /// The roots the server's chain must lead to.
    pub trust_anchors: &'a [TrustAnchor<'a>],
    /// What certificate validity is checked against.
    pub time: CertificateTime,
    /// The group of the one key share in the first ClientHello; a server that prefers the
    /// other asks for it with a HelloRetryRequest (one more round trip).
    pub key_share: Group,
    /// Whether TLS 1.2 is offered beside TLS 1.3 (by default it is); false requires TLS
    /// 1.3: see [`Config::tls13_only`]. Without the crate feature `tls12` it is never
    /// offered.
    pub offer_tls12: bool,
}

impl<'a> Config<'a> {
    /// A configuration with an X25519 key share first.
    pub fn new(
        server_name: ServerName<'a>,
        trust_anchors: &'a [TrustAnchor<'a>],
        time: CertificateTime,
    ) -> Self {
        Config {
            server_name,
            trust_anchors,
            time,
            key_share: Group::X25519,
            offer_tls12: true,
        }
    }

    /// The same, requiring TLS 1.3: the ClientHello offers neither TLS 1.2 nor its suites
    /// and extensions, and a server that answers with TLS 1.2 is refused with
    /// protocol_version ([`Violation::NotTls13`]) before anything else is sent. For a team
    /// that knows its server speaks TLS 1.3.
    pub fn tls13_only(self) -> Self {
        Config {
            offer_tls12: false,
            ..self
        }
    }

    /// The same with the first key share in `group`.
    pub fn key_share(self, group: Group) -> Self {
        Config {
            key_share: group,
            ..self
        }
    }
}

/// What [`Client::process`] says the caller should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Status {
    /// A step of the handshake was done and another is ready: call
    /// [`process`](Client::process) again. Each expensive step (key generation, ECDH, the
    /// chain check, the signature check) returns here, so that a firmware can feed its
    /// watchdog, or an async task yield, in between.
    Busy,
    /// Nothing to do until bytes arrive: send [`outgoing`](Client::outgoing) if it is not
    /// empty, then read into [`incoming`](Client::incoming).
    NeedData,
    /// The handshake is complete: [`write`](Client::write) encrypts application data, and
    /// [`application_data`](Client::application_data) holds what has arrived (empty:
    /// read more).
    Established,
    /// The server sent close_notify: no more data will arrive.
    Closed,
}

/// What the decrypted part of the receive buffer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plain {
    Handshake,
    Application,
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    /// Next: the first key share (expensive) and the ClientHello.
    Start,
    AwaitServerHello,
    /// A HelloRetryRequest was checked and lies in the buffer (its cookie is copied from
    /// there); next: a key share for `group` (expensive) and the second ClientHello.
    Retry {
        group: Group,
    },
    /// TLS 1.3: the ServerHello was checked and lies in the buffer; next: ECDH
    /// (expensive). TLS 1.2: the ServerHelloDone was read; next: a key pair for the
    /// server's group if the first key share was for the other one (expensive), then ECDH
    /// (expensive) and our flight: Certificate (if asked for), ClientKeyExchange, ChangeCipherSpec,
    /// Finished.
    KeyAgreement,
    AwaitEncryptedExtensions,
    AwaitCertificateOrRequest,
    AwaitCertificate,
    /// The Certificate message lies in the buffer; next: the chain check (expensive).
    VerifyChain,
    AwaitCertificateVerify,
    /// The CertificateVerify lies in the buffer; next: the signature check (expensive).
    VerifySignature,
    /// TLS 1.2, after the Certificate.
    AwaitServerKeyExchange,
    /// TLS 1.2: the ServerKeyExchange lies in the buffer; next: its signature (expensive).
    VerifyKeyExchange,
    /// TLS 1.2: CertificateRequest (once) or ServerHelloDone.
    AwaitServerHelloDone,
    /// TLS 1.2: our flight is out; only the server's ChangeCipherSpec may come.
    AwaitChangeCipherSpec,
    AwaitFinished,
    Established,
    Closed,
    Failed(Error),
}

/// The secrets of the handshake, from the ServerHello to the Finished messages.
struct HandshakeSecrets {
    handshake: Secret,
    client: Secret,
    server: Secret,
}

/// A TLS client connection (TLS 1.3, or TLS 1.2 with a server without it): the state
/// machine and the caller's two buffers.
///
/// The caller moves the bytes: it sends [`outgoing`](Self::outgoing) (then calls
/// [`sent`](Self::sent)), reads from the network into [`incoming`](Self::incoming) (then
/// calls [`received`](Self::received)), and calls [`process`](Self::process) until it says
/// [`Status::Established`]. Nothing of the caller's data can be written before the
/// server's Finished has been verified.
pub struct Client<'b> {
    config: Config<'b>,
    rx: &'b mut [u8],
    /// Decrypted content in use: `rx[plain_start..plain_end]`, of kind `plain`.
    plain_start: usize,
    plain_end: usize,
    plain: Plain,
    /// Received, not yet processed: `rx[raw_start..raw_end]`.
    raw_start: usize,
    raw_end: usize,
    eof: bool,
    tx: &'b mut [u8],
    /// To be sent: `tx[tx_start..tx_end]`.
    tx_start: usize,
    tx_end: usize,

    state: State,
    random: [u8; 32],
    session_id: [u8; 32],
    session_id_len: usize,
    /// Randomness for one key share per group, drawn at the start so that no RNG is held.
    key_seeds: [[u8; 32]; 2],
    key_pair: Option<KeyPair>,
    transcript: Transcript,
    suite: Option<CipherSuite>,
    retried: bool,
    sent_change_cipher_spec: bool,
    sent_close_notify: bool,
    certificate_requested: bool,
    secrets: Option<HandshakeSecrets>,
    /// The version the ServerHello chose (TLS 1.3 until then).
    version: ProtocolVersion,
    /// TLS 1.2: a ChangeCipherSpec came before the ServerHello (legal only in TLS 1.3's
    /// middlebox compatibility mode).
    early_change_cipher_spec: bool,
    /// TLS 1.2: the server's random, for the ServerKeyExchange signature and the keys.
    server_random: [u8; 32],
    /// TLS 1.2: the server's ECDHE share from its ServerKeyExchange.
    server_share: Option<(Group, [u8; MAX_SHARE])>,
    /// TLS 1.2: the master secret, from our ClientKeyExchange to the server's Finished.
    master: Option<Secret>,
    server_key: ServerKey,
    read_key: Option<RecordKey>,
    write_key: Option<RecordKey>,
    /// The server's record_size_limit (RFC 8449) less the content type byte: the most
    /// plaintext we put in one record.
    send_limit: usize,
    /// A KeyUpdate we owe the server (it asked for one) and could not queue yet.
    key_update_owed: bool,
    empty_records: u8,
    #[cfg(test)]
    trace: Option<tests::TraceHook>,
}

impl<'b> Client<'b> {
    /// A client for `config` over the caller's receive buffer (at least
    /// [`RECEIVE_BUFFER`] bytes to take any record; see the crate docs for less) and send
    /// buffer (at least [`SEND_BUFFER`] bytes is comfortable; 512 is the least). Draws its
    /// randomness from `rng` now; no expensive work is done until [`process`](Self::process).
    pub fn new(
        config: Config<'b>,
        rx: &'b mut [u8],
        tx: &'b mut [u8],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self> {
        if matches!(config.server_name, ServerName::DnsName(_))
            && server_name_host(&config.server_name).is_none()
        {
            return Err(Error::InvalidServerName);
        }
        let mut random = [0u8; 32];
        let mut session_id = [0u8; 32];
        let mut key_seeds = [[0u8; 32]; 2];
        rng.try_fill_bytes(&mut random).map_err(|_| Error::Rng)?;
        rng.try_fill_bytes(&mut session_id)
            .map_err(|_| Error::Rng)?;
        for seed in &mut key_seeds {
            rng.try_fill_bytes(seed).map_err(|_| Error::Rng)?;
        }
        Ok(Client {
            config,
            rx,
            plain_start: 0,
            plain_end: 0,
            plain: Plain::Handshake,
            raw_start: 0,
            raw_end: 0,
            eof: false,
            tx,
            tx_start: 0,
            tx_end: 0,
            state: State::Start,
            random,
            session_id,
            session_id_len: 32,
            key_seeds,
            key_pair: None,
            transcript: Transcript::new(),
            suite: None,
            retried: false,
            sent_change_cipher_spec: false,
            sent_close_notify: false,
            certificate_requested: false,
            secrets: None,
            version: ProtocolVersion::Tls13,
            early_change_cipher_spec: false,
            server_random: [0; 32],
            server_share: None,
            master: None,
            server_key: ServerKey::new(),
            read_key: None,
            write_key: None,
            send_limit: MAX_PLAINTEXT,
            key_update_owed: false,
            empty_records: 0,
            #[cfg(test)]
            trace: None,
        })
    }

    /// The negotiated cipher suite, once the ServerHello has been read.
    pub fn cipher_suite(&self) -> Option<CipherSuite> {
        self.suite
    }

    /// The negotiated protocol version, once the ServerHello has been read.
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.suite.map(|_| self.version)
    }

    /// Whether this connection speaks TLS 1.2. A constant false without the `tls12`
    /// feature, so that the optimizer leaves out every TLS 1.2 path.
    fn tls12(&self) -> bool {
        cfg!(feature = "tls12") && self.version == ProtocolVersion::Tls12
    }

    /// Whether TLS 1.2 is offered: by the configuration, and only with the `tls12` feature.
    fn offers_tls12(&self) -> bool {
        cfg!(feature = "tls12") && self.config.offer_tls12
    }

    /// What a record adds to the data it carries: the header, and in TLS 1.3 the content
    /// type and tag, in TLS 1.2 the explicit nonce and tag.
    fn record_overhead(&self) -> usize {
        match (&self.write_key, self.tls12()) {
            (Some(key), true) => HEADER + key.explicit_nonce_len() + TAG_LEN,
            _ => HEADER + 1 + TAG_LEN,
        }
    }

    /// Whether the handshake is complete (and the connection not closed or failed).
    pub fn is_established(&self) -> bool {
        self.state == State::Established
    }

    /// Bytes to send to the server now (possibly none).
    pub fn outgoing(&self) -> &[u8] {
        self.tx.get(self.tx_start..self.tx_end).unwrap_or_default()
    }

    /// `n` bytes of [`outgoing`](Self::outgoing) were sent.
    pub fn sent(&mut self, n: usize) {
        self.tx_start = self.tx_start.saturating_add(n).min(self.tx_end);
        if self.tx_start == self.tx_end {
            self.tx_start = 0;
            self.tx_end = 0;
        }
        if self.key_update_owed && self.state == State::Established {
            // Failure here only means there is still no room: try again after the next send.
            let _ = self.send_key_update();
        }
    }

    /// Where to put bytes read from the network (empty once the connection has ended or
    /// failed, or while the buffer is full of data the caller has not taken).
    pub fn incoming(&mut self) -> &mut [u8] {
        if matches!(self.state, State::Failed(_) | State::Closed) || self.eof {
            return &mut [];
        }
        self.compact();
        let end = self.raw_end;
        self.rx.get_mut(end..).unwrap_or_default()
    }

    /// `n` bytes were read into [`incoming`](Self::incoming).
    pub fn received(&mut self, n: usize) {
        self.raw_end = self.raw_end.saturating_add(n).min(self.rx.len());
    }

    /// The network connection ended (a read returned 0). Whatever was received is still
    /// processed; then [`process`](Self::process) reports [`Error::UnexpectedEof`] unless
    /// the server closed with close_notify.
    pub fn received_eof(&mut self) {
        self.eof = true;
    }

    /// Application data received and decrypted (empty: none yet).
    pub fn application_data(&self) -> &[u8] {
        if self.plain != Plain::Application {
            return &[];
        }
        self.rx
            .get(self.plain_start..self.plain_end)
            .unwrap_or_default()
    }

    /// `n` bytes of [`application_data`](Self::application_data) were used.
    pub fn consume(&mut self, n: usize) {
        if self.plain == Plain::Application {
            self.plain_start = self.plain_start.saturating_add(n).min(self.plain_end);
        }
    }

    /// Encrypts as much of `data` as fits into the send buffer as application data and
    /// returns how much that was: 0 when the buffer is full (send
    /// [`outgoing`](Self::outgoing) first). Only after the handshake.
    pub fn write(&mut self, data: &[u8]) -> Result<usize> {
        match &self.state {
            State::Established => {}
            State::Failed(e) => return Err(e.clone()),
            _ => return Err(Error::Closed),
        }
        if self.key_update_owed {
            self.send_key_update()?;
        }
        if data.is_empty() {
            return Ok(0);
        }
        self.compact_tx();
        let room = self
            .tx
            .len()
            .saturating_sub(self.tx_end)
            .saturating_sub(self.record_overhead());
        let n = data.len().min(room).min(self.send_limit);
        if n == 0 {
            if self.tx_end == 0 {
                return Err(Error::SendBufferTooSmall);
            }
            return Ok(0);
        }
        let chunk = data.get(..n).unwrap_or_default();
        self.write_encrypted(content::APPLICATION_DATA, |w| w.bytes(chunk))?;
        Ok(n)
    }

    /// Queues close_notify (send [`outgoing`](Self::outgoing), then close the socket). Also
    /// after the server's close_notify: RFC 8446, 6.1 has each side send its own.
    pub fn close(&mut self) {
        if matches!(self.state, State::Established | State::Closed) && !self.sent_close_notify {
            self.sent_close_notify = self.write_alert(1, Alert::CloseNotify).is_ok();
        }
        if !matches!(self.state, State::Failed(_)) {
            self.state = State::Closed;
        }
    }

    /// Advances the connection by one step: processes what was received, does at most one
    /// expensive computation, and says what it needs. After an error the connection is
    /// failed for good (each later call returns the same error); the alert for it, if any,
    /// is in [`outgoing`](Self::outgoing), to be sent before closing.
    pub fn process(&mut self) -> Result<Status> {
        if let State::Failed(e) = &self.state {
            return Err(e.clone());
        }
        match self.step() {
            Ok(status) => Ok(status),
            Err(e) => {
                if let Some(alert) = e.alert() {
                    // Best effort: with no room left the alert is not sent.
                    let _ = self.write_alert(2, alert);
                }
                self.state = State::Failed(e.clone());
                Err(e)
            }
        }
    }

    fn step(&mut self) -> Result<Status> {
        match self.state {
            State::Start => {
                self.key_pair = Some(self.generate(self.config.key_share)?);
                self.write_client_hello()?;
                self.state = State::AwaitServerHello;
                return Ok(Status::Busy);
            }
            State::Retry { group } => {
                self.retry(group)?;
                return Ok(Status::Busy);
            }
            State::KeyAgreement => {
                self.agree()?;
                return Ok(Status::Busy);
            }
            State::VerifyChain => {
                self.verify_chain()?;
                return Ok(Status::Busy);
            }
            State::VerifySignature => {
                self.verify_signature()?;
                return Ok(Status::Busy);
            }
            State::VerifyKeyExchange => {
                self.verify_key_exchange()?;
                return Ok(Status::Busy);
            }
            State::Closed => return Ok(Status::Closed),
            _ => {}
        }
        loop {
            if self.state == State::Established {
                if self.plain == Plain::Application && self.plain_start < self.plain_end {
                    return Ok(Status::Established);
                }
                if self.plain == Plain::Application {
                    self.plain_start = 0;
                    self.plain_end = 0;
                    self.plain = Plain::Handshake;
                }
            }
            if let Some((kind, len)) = self.handshake_message()? {
                self.handle(kind, len)?;
                if matches!(
                    self.state,
                    State::Retry { .. }
                        | State::KeyAgreement
                        | State::VerifyChain
                        | State::VerifySignature
                        | State::VerifyKeyExchange
                        | State::Established
                        | State::Closed
                ) {
                    return Ok(Status::Busy);
                }
                continue;
            }
            if !self.read_record()? {
                if self.state == State::Closed {
                    return Ok(Status::Closed);
                }
                if self.eof {
                    return Err(Error::UnexpectedEof);
                }
                return Ok(if self.state == State::Established {
                    Status::Established
                } else {
                    Status::NeedData
                });
            }
        }
    }

    // ---- Receiving: records --------------------------------------------------------------

    /// Moves the decrypted content to the start of the buffer and the unprocessed bytes
    /// right after it, so that the free space is at the end.
    fn compact(&mut self) {
        let plain = self.plain_end - self.plain_start;
        if self.plain_start > 0 {
            self.rx.copy_within(self.plain_start..self.plain_end, 0);
            self.plain_start = 0;
            self.plain_end = plain;
        }
        if self.raw_start > self.plain_end {
            self.rx
                .copy_within(self.raw_start..self.raw_end, self.plain_end);
            self.raw_end -= self.raw_start - self.plain_end;
            self.raw_start = self.plain_end;
        }
    }

    fn compact_tx(&mut self) {
        if self.tx_start > 0 {
            self.tx.copy_within(self.tx_start..self.tx_end, 0);
            self.tx_end -= self.tx_start;
            self.tx_start = 0;
        }
    }

    /// Reads one whole record from the received bytes, if there is one: its content is
    /// appended to the decrypted content, or acted on (alerts, ChangeCipherSpec). Returns
    /// whether a record was read.
    fn read_record(&mut self) -> Result<bool> {
        let raw = self
            .rx
            .get(self.raw_start..self.raw_end)
            .unwrap_or_default();
        let mut header = Reader::new(raw);
        let (Ok(kind), Ok(version), Ok(len)) = (header.u8(), header.u16(), header.u16()) else {
            return self.wait_for_more();
        };
        let len = usize::from(len);
        let encrypted = self.read_key.is_some();
        // TLS 1.2 encrypts every record type but ChangeCipherSpec under its own type.
        let tls12_encrypted = encrypted && self.tls12();
        if !matches!(kind, 20..=23) {
            return Err(Error::Peer(Violation::UnexpectedRecord));
        }
        // RFC 8446, 5.1: legacy_record_version is otherwise ignored.
        if version >> 8 != 3 {
            return Err(Error::Peer(Violation::Malformed));
        }
        match kind {
            content::APPLICATION_DATA | content::HANDSHAKE | content::ALERT if tls12_encrypted => {
                if len > MAX_PLAINTEXT + TLS12_OVERHEAD {
                    return Err(Error::Peer(Violation::RecordTooLong));
                }
            }
            content::APPLICATION_DATA if encrypted => {
                if len > MAX_ENCRYPTED {
                    return Err(Error::Peer(Violation::RecordTooLong));
                }
            }
            content::HANDSHAKE | content::ALERT if !encrypted => {
                if len > MAX_PLAINTEXT {
                    return Err(Error::Peer(Violation::RecordTooLong));
                }
            }
            // RFC 8446, 5: accepted (and dropped) until the server's Finished.
            content::CHANGE_CIPHER_SPEC if self.is_handshaking() => {
                if len != 1 {
                    return Err(Error::Peer(Violation::BadChangeCipherSpec));
                }
            }
            content::CHANGE_CIPHER_SPEC => return Err(Error::Peer(Violation::BadChangeCipherSpec)),
            _ => return Err(Error::Peer(Violation::UnexpectedRecord)),
        }
        let record_end = self.raw_start + HEADER + len;
        if record_end > self.raw_end {
            // The record must fit beside the decrypted content still in use.
            if HEADER + len > self.rx.len() - (self.plain_end - self.plain_start) {
                return Err(Error::ReceiveBufferTooSmall);
            }
            return self.wait_for_more();
        }
        let body_start = self.raw_start + HEADER;
        let mut aad = [0u8; HEADER];
        aad.copy_from_slice(self.rx.get(self.raw_start..body_start).unwrap_or_default());
        self.raw_start = record_end;
        if tls12_encrypted && kind != content::CHANGE_CIPHER_SPEC {
            let plain = self.decrypt_tls12(kind, version, body_start, record_end)?;
            return self
                .deliver(kind, true, plain.start, plain.len())
                .map(|()| true);
        }
        let (inner, content_len) = if kind == content::APPLICATION_DATA {
            self.decrypt(&aad, body_start, record_end)?
        } else {
            (kind, len)
        };
        self.deliver(
            inner,
            kind == content::APPLICATION_DATA,
            body_start,
            content_len,
        )?;
        Ok(true)
    }

    fn wait_for_more(&self) -> Result<bool> {
        if self.eof && self.raw_end > self.raw_start {
            return Err(Error::UnexpectedEof);
        }
        Ok(false)
    }

    fn is_handshaking(&self) -> bool {
        !matches!(
            self.state,
            State::Established | State::Closed | State::Failed(_)
        )
    }

    /// Decrypts the record body `rx[start..end]` in place; returns the inner content type
    /// and the content's length (RFC 8446, 5.2 and 5.4).
    fn decrypt(&mut self, aad: &[u8; HEADER], start: usize, end: usize) -> Result<(u8, usize)> {
        let Some(key) = self.read_key.as_mut() else {
            return Err(Error::Peer(Violation::UnexpectedRecord));
        };
        let body = self.rx.get_mut(start..end).unwrap_or_default();
        if body.len() < TAG_LEN {
            return Err(Error::Peer(Violation::BadRecordMac));
        }
        let (data, tag) = body.split_at_mut(body.len() - TAG_LEN);
        key.open(aad, data, tag)
            .map_err(|_| Error::Peer(Violation::BadRecordMac))?;
        // The content type is the last non-zero byte; zeros after it are padding.
        let Some(last) = data.iter().rposition(|b| *b != 0) else {
            return Err(Error::Peer(Violation::EmptyRecord));
        };
        if last > MAX_PLAINTEXT {
            return Err(Error::Peer(Violation::RecordTooLong));
        }
        let kind = data.get(last).copied().unwrap_or_default();
        Ok((kind, last))
    }

    /// TLS 1.2: decrypts the record body `rx[start..end]` in place; returns where its
    /// plaintext lies in `rx` (RFC 5246, 6.2.3.3).
    fn decrypt_tls12(
        &mut self,
        kind: u8,
        version: u16,
        start: usize,
        end: usize,
    ) -> Result<core::ops::Range<usize>> {
        let Some(key) = self.read_key.as_mut() else {
            return Err(Error::Peer(Violation::UnexpectedRecord));
        };
        let body = self.rx.get_mut(start..end).unwrap_or_default();
        let plain = key
            .open_tls12(kind, version, body)
            .map_err(|_| Error::Peer(Violation::BadRecordMac))?;
        if plain.len() > MAX_PLAINTEXT {
            return Err(Error::Peer(Violation::RecordTooLong));
        }
        Ok(start + plain.start..start + plain.end)
    }

    /// Acts on a record's content, `rx[start..start + len]`.
    fn deliver(&mut self, kind: u8, encrypted: bool, start: usize, len: usize) -> Result<()> {
        // RFC 8446, 5.1: a handshake message split over records has no other records
        // between its parts, whatever their type inside the encryption.
        if kind != content::HANDSHAKE
            && self.plain == Plain::Handshake
            && self.plain_end > self.plain_start
        {
            return Err(Error::Peer(Violation::UnexpectedMessage));
        }
        let content = self.rx.get(start..start + len).unwrap_or_default();
        match kind {
            // Only as a record of its own, never inside encryption (checked in read_record).
            content::CHANGE_CIPHER_SPEC if !encrypted => {
                if content != [1] {
                    return Err(Error::Peer(Violation::BadChangeCipherSpec));
                }
                if self.tls12() {
                    return self.server_change_cipher_spec();
                }
                if self.state == State::AwaitServerHello && !self.retried {
                    self.early_change_cipher_spec = true;
                }
                self.count_empty()
            }
            content::ALERT => {
                // RFC 8446, 5.4: an alert record with no content is unexpected_message.
                if len == 0 {
                    return Err(Error::Peer(Violation::EmptyRecord));
                }
                let mut r = Reader::new(content);
                let (Ok(level), Ok(description)) = (r.u8(), r.u8()) else {
                    return Err(Error::Peer(Violation::Malformed));
                };
                r.end().map_err(|_| Error::Peer(Violation::Malformed))?;
                // RFC 5246, 7.2: in TLS 1.2 a warning is not fatal. Servers send
                // unrecognized_name (112) so when SNI names none of their hosts, before
                // the ServerHello too (when the version is not yet known). Ignored, as
                // rustls does, and counted with the records that carry nothing.
                let warning = level == 1 && (self.tls12() || self.state == State::AwaitServerHello);
                match Alert::from_code(description) {
                    Alert::CloseNotify if !self.is_handshaking() => {
                        self.state = State::Closed;
                        Ok(())
                    }
                    // RFC 8446, 6.1: user_canceled is followed by close_notify.
                    Alert::UserCanceled => self.count_empty(),
                    Alert::CloseNotify => Err(Error::AlertReceived(Alert::CloseNotify)),
                    _ if warning => self.count_empty(),
                    alert => Err(Error::AlertReceived(alert)),
                }
            }
            content::HANDSHAKE => {
                if len == 0 {
                    return Err(Error::Peer(Violation::EmptyRecord));
                }
                self.append_plain(Plain::Handshake, start, len);
                Ok(())
            }
            content::APPLICATION_DATA if self.state == State::Established => {
                if len == 0 {
                    return self.count_empty();
                }
                self.empty_records = 0;
                self.plain_start = 0;
                self.plain_end = 0;
                self.append_plain(Plain::Application, start, len);
                Ok(())
            }
            _ => Err(Error::Peer(Violation::UnexpectedRecord)),
        }
    }

    fn count_empty(&mut self) -> Result<()> {
        self.empty_records = self.empty_records.saturating_add(1);
        if self.empty_records > MAX_EMPTY_RECORDS {
            return Err(Error::Peer(Violation::TooManyEmptyRecords));
        }
        Ok(())
    }

    /// Moves `rx[start..start + len]` down to the end of the decrypted content.
    fn append_plain(&mut self, kind: Plain, start: usize, len: usize) {
        if self.plain_start == self.plain_end {
            self.plain_start = 0;
            self.plain_end = 0;
        }
        self.plain = kind;
        self.rx.copy_within(start..start + len, self.plain_end);
        self.plain_end += len;
    }

    // ---- Receiving: handshake messages ---------------------------------------------------

    /// The handshake message at the start of the decrypted content, if it is complete:
    /// its type and whole length (header included).
    fn handshake_message(&self) -> Result<Option<(u8, usize)>> {
        if self.plain != Plain::Handshake {
            return Ok(None);
        }
        let plain = self
            .rx
            .get(self.plain_start..self.plain_end)
            .unwrap_or_default();
        let mut r = Reader::new(plain);
        let (Ok(kind), Ok(len)) = (r.u8(), r.u24()) else {
            return Ok(None);
        };
        let total = 4 + len;
        if total > self.rx.len() {
            return Err(Error::ReceiveBufferTooSmall);
        }
        Ok((plain.len() >= total).then_some((kind, total)))
    }

    /// The message at the start of the decrypted content, header included.
    fn message(&self, len: usize) -> &[u8] {
        self.rx
            .get(self.plain_start..self.plain_start + len)
            .unwrap_or_default()
    }

    /// The body of the message at the start of the decrypted content.
    fn message_body(&self, len: usize) -> &[u8] {
        self.message(len).get(4..).unwrap_or_default()
    }

    /// Adds the message to the transcript and removes it from the buffer.
    fn take_message(&mut self, len: usize) {
        let end = self.plain_start + len;
        self.transcript
            .update(self.rx.get(self.plain_start..end).unwrap_or_default());
        self.plain_start = end;
        self.empty_records = 0;
    }

    /// RFC 8446, 5.1: the message before a key change must end its record.
    fn ends_record(&self, len: usize) -> Result<()> {
        if self.plain_start + len != self.plain_end {
            return Err(Error::Peer(Violation::NotAlignedWithKeyChange));
        }
        Ok(())
    }

    fn handle(&mut self, kind: u8, len: usize) -> Result<()> {
        let expected = match self.state {
            State::AwaitServerHello => handshake::SERVER_HELLO,
            State::AwaitEncryptedExtensions => handshake::ENCRYPTED_EXTENSIONS,
            State::AwaitCertificateOrRequest if kind == handshake::CERTIFICATE_REQUEST => {
                handshake::CERTIFICATE_REQUEST
            }
            State::AwaitCertificateOrRequest | State::AwaitCertificate => handshake::CERTIFICATE,
            State::AwaitCertificateVerify => handshake::CERTIFICATE_VERIFY,
            State::AwaitServerKeyExchange => handshake::SERVER_KEY_EXCHANGE,
            // RFC 5246, 7.4.4: at most one CertificateRequest, before ServerHelloDone.
            State::AwaitServerHelloDone
                if kind == handshake::CERTIFICATE_REQUEST && !self.certificate_requested =>
            {
                handshake::CERTIFICATE_REQUEST
            }
            State::AwaitServerHelloDone => handshake::SERVER_HELLO_DONE,
            State::AwaitFinished => handshake::FINISHED,
            State::Established => return self.handle_post_handshake(kind, len),
            _ => return Err(Error::Peer(Violation::UnexpectedMessage)),
        };
        if kind != expected {
            return Err(Error::Peer(Violation::UnexpectedMessage));
        }
        let malformed = |_: Malformed| Error::Peer(Violation::Malformed);
        match kind {
            handshake::SERVER_HELLO => self.server_hello(len),
            handshake::ENCRYPTED_EXTENSIONS => {
                self.encrypted_extensions(len)?;
                self.take_message(len);
                self.state = State::AwaitCertificateOrRequest;
                Ok(())
            }
            handshake::CERTIFICATE_REQUEST if self.tls12() => {
                // RFC 5246, 7.4.4: read for form; we answer with no certificate.
                let mut r = Reader::new(self.message_body(len));
                let _types = r.vec8().map_err(malformed)?;
                let _schemes = r.vec16().map_err(malformed)?;
                let _authorities = r.vec16().map_err(malformed)?;
                r.end().map_err(malformed)?;
                self.certificate_requested = true;
                self.take_message(len);
                Ok(())
            }
            handshake::SERVER_KEY_EXCHANGE => self.server_key_exchange(len),
            handshake::SERVER_HELLO_DONE => {
                if len != 4 {
                    return Err(Error::Peer(Violation::Malformed));
                }
                self.take_message(len);
                self.state = State::KeyAgreement;
                Ok(())
            }
            handshake::CERTIFICATE_REQUEST => {
                let mut r = Reader::new(self.message_body(len));
                // RFC 8446, 4.3.2: empty during the handshake.
                let context = r.vec8().map_err(malformed)?;
                let extensions = r.vec16().map_err(malformed)?;
                r.end().map_err(malformed)?;
                if !context.is_empty() {
                    return Err(Error::Peer(Violation::Malformed));
                }
                check_extensions(extensions, &[extension::SIGNATURE_ALGORITHMS], true)?;
                self.certificate_requested = true;
                self.take_message(len);
                self.state = State::AwaitCertificate;
                Ok(())
            }
            handshake::CERTIFICATE => {
                // Checked for form now; the chain is verified in the next step.
                let mut count = 0usize;
                for entry in certificate_entries(self.message_body(len), self.tls12())? {
                    entry?;
                    count += 1;
                }
                if count == 0 {
                    return Err(Error::Peer(Violation::NoCertificate));
                }
                self.state = State::VerifyChain;
                Ok(())
            }
            handshake::CERTIFICATE_VERIFY => {
                let mut r = Reader::new(self.message_body(len));
                let signature_scheme = r.u16().map_err(malformed)?;
                r.vec16().map_err(malformed)?;
                r.end().map_err(malformed)?;
                if !scheme::OFFERED.contains(&signature_scheme) {
                    return Err(Error::Peer(Violation::NotOffered));
                }
                self.state = State::VerifySignature;
                Ok(())
            }
            _ => self.finished(len),
        }
    }

    #[inline(never)]
    fn server_hello(&mut self, len: usize) -> Result<()> {
        let malformed = |_: Malformed| Error::Peer(Violation::Malformed);
        let mut r = Reader::new(self.message_body(len));
        let legacy_version = r.u16().map_err(malformed)?;
        let random: [u8; 32] = r.array().map_err(malformed)?;
        let session_id = r.vec8().map_err(malformed)?;
        let suite_code = r.u16().map_err(malformed)?;
        let compression = r.u8().map_err(malformed)?;
        let extensions = r.vec16().map_err(malformed)?;
        r.end().map_err(malformed)?;
        let retry = random == HELLO_RETRY_RANDOM;

        let mut version = None;
        let mut key_share = None;
        let mut cookie = false;
        let mut tls12 = Tls12Extensions::default();
        let mut seen = Seen::default();
        let mut r = Reader::new(extensions);
        while !r.is_empty() {
            let kind = r.u16().map_err(malformed)?;
            let data = r.vec16().map_err(malformed)?;
            seen.insert(kind)?;
            let mut d = Reader::new(data);
            match kind {
                extension::SUPPORTED_VERSIONS => version = Some(d.u16().map_err(malformed)?),
                extension::KEY_SHARE if retry => {
                    key_share = Some((d.u16().map_err(malformed)?, &[][..]))
                }
                extension::KEY_SHARE => {
                    let group = d.u16().map_err(malformed)?;
                    key_share = Some((group, d.vec16().map_err(malformed)?));
                }
                extension::COOKIE if retry => {
                    if d.vec16().map_err(malformed)?.is_empty() {
                        return Err(Error::Peer(Violation::Malformed));
                    }
                    cookie = true;
                }
                // TLS 1.2 only (checked below); RFC 6066, 3: an empty server_name.
                extension::SERVER_NAME => tls12.any = true,
                extension::EXTENDED_MASTER_SECRET => {
                    tls12.any = true;
                    tls12.extended_master_secret = true;
                }
                extension::RENEGOTIATION_INFO => {
                    tls12.any = true;
                    tls12.renegotiation_empty = Some(d.vec8().map_err(malformed)?.is_empty());
                }
                extension::EC_POINT_FORMATS => {
                    tls12.any = true;
                    tls12.uncompressed = Some(d.vec8().map_err(malformed)?.contains(&0));
                }
                extension::RECORD_SIZE_LIMIT => {
                    tls12.any = true;
                    tls12.record_size_limit = Some(d.u16().map_err(malformed)?);
                }
                kind if extension::SENT.contains(&kind) => {
                    return Err(Error::Peer(Violation::IllegalExtension));
                }
                _ => return Err(Error::Peer(Violation::UnsolicitedExtension)),
            }
            d.end().map_err(malformed)?;
        }

        // RFC 8446, 4.1.3 and 4.2.1: TLS 1.3 is negotiated by supported_versions alone;
        // TLS 1.2 by its absence and legacy_version.
        match version {
            None => {
                let hello = Tls12Hello {
                    legacy_version,
                    random,
                    session_id_len: session_id.len(),
                    suite_code,
                    compression,
                    tls13_extensions: key_share.is_some() || cookie,
                };
                return self.server_hello_tls12(len, hello, tls12);
            }
            Some(TLS13) if !tls12.any => {}
            Some(TLS13) => return Err(Error::Peer(Violation::IllegalExtension)),
            Some(_) => return Err(Error::Peer(Violation::NotOffered)),
        }
        if legacy_version != TLS12 {
            return Err(Error::Peer(Violation::BadServerHello));
        }
        if session_id
            != self
                .session_id
                .get(..self.session_id_len)
                .unwrap_or_default()
            || compression != 0
        {
            return Err(Error::Peer(Violation::BadServerHello));
        }
        let suite = CipherSuite::from_code(suite_code)
            .filter(|s| s.version() == ProtocolVersion::Tls13)
            .ok_or(Error::Peer(Violation::NotOffered))?;
        let Some(offered) = self.key_pair.as_ref().map(KeyPair::group) else {
            return Err(Error::Peer(Violation::UnexpectedMessage));
        };

        if retry {
            // RFC 8446, 4.1.4.
            if self.retried {
                return Err(Error::Peer(Violation::UnexpectedMessage));
            }
            let group = match key_share {
                Some((code, _)) => {
                    let group = Group::from_code(code).ok_or(Error::Peer(Violation::NotOffered))?;
                    if group == offered {
                        return Err(Error::Peer(Violation::BadHelloRetry));
                    }
                    group
                }
                None if cookie => offered,
                None => return Err(Error::Peer(Violation::BadHelloRetry)),
            };
            self.retried = true;
            self.suite = Some(suite);
            let hash = suite.hash();
            self.transcript.select(hash);
            self.transcript.restart_with_message_hash(hash);
            self.state = State::Retry { group };
            return Ok(());
        }

        if self.retried && self.suite != Some(suite) {
            return Err(Error::Peer(Violation::BadHelloRetry));
        }
        let Some((code, share)) = key_share else {
            return Err(Error::Peer(Violation::MissingExtension));
        };
        if code != offered.code() {
            return Err(Error::Peer(Violation::NotOffered));
        }
        if share.len() != offered.share_len() {
            return Err(Error::Peer(Violation::BadKeyShare));
        }
        self.ends_record(len)?;
        self.suite = Some(suite);
        self.transcript.select(suite.hash());
        self.state = State::KeyAgreement;
        Ok(())
    }

    /// A ServerHello without supported_versions: TLS 1.2 (RFC 5246, 7.4.1.3), if we offered
    /// it and nothing on the path removed TLS 1.3.
    fn server_hello_tls12(
        &mut self,
        len: usize,
        hello: Tls12Hello,
        extensions: Tls12Extensions,
    ) -> Result<()> {
        let Tls12Hello {
            legacy_version,
            random,
            session_id_len,
            suite_code,
            compression,
            tls13_extensions,
        } = hello;
        if legacy_version < TLS12 {
            return Err(Error::Peer(Violation::OldVersion));
        }
        // A TLS 1.3 ServerHello or HelloRetryRequest (key_share, cookie, the
        // HelloRetryRequest random) without supported_versions has not negotiated TLS 1.3
        // (RFC 8446, 4.1.3), and is no TLS 1.2 ServerHello either: protocol_version.
        if legacy_version != TLS12
            || !self.offers_tls12()
            || tls13_extensions
            || random == HELLO_RETRY_RANDOM
        {
            return Err(Error::Peer(Violation::NotTls13));
        }
        // RFC 8446, 4.1.4: after a HelloRetryRequest the server has chosen TLS 1.3.
        if self.retried {
            return Err(Error::Peer(Violation::BadHelloRetry));
        }
        // RFC 8446, 4.1.3: a TLS 1.3 client receiving a ServerHello for TLS 1.2 or below
        // "MUST check that the last 8 bytes are not equal to either of these values"
        // (rustls checks the first only).
        if matches!(random.get(24..), Some(end) if end == DOWNGRADE_TLS12 || end == DOWNGRADE_TLS11)
        {
            return Err(Error::Peer(Violation::Downgrade));
        }
        // A server that echoes our (random, compatibility mode) session id claims to resume
        // a session we never had (RFC 5246, 7.4.1.3); we offer no resumption.
        let echoed = session_id_len != 0 && {
            let body = self.message_body(len);
            body.get(35..35 + session_id_len) == self.session_id.get(..self.session_id_len)
        };
        if session_id_len > 32 || echoed || compression != 0 {
            return Err(Error::Peer(Violation::BadServerHello));
        }
        let suite = CipherSuite::from_code(suite_code)
            .filter(|s| s.version() == ProtocolVersion::Tls12)
            .ok_or(Error::Peer(Violation::NotOffered))?;
        // RFC 7627, 5.2 lets a client go on without the extended master secret; we refuse
        // (as rustls does with `require_ems`). Without it the master secret is not bound to
        // the handshake that made it, the triple handshake attack (RFC 7627, 1), and every
        // maintained server has sent it for a decade; we have no resumption that a
        // session-hash-less server would need either.
        if !extensions.extended_master_secret {
            return Err(Error::Peer(Violation::NoExtendedMasterSecret));
        }
        // RFC 5746, 3.4: on an initial handshake the server's renegotiation_info is empty.
        // Its absence is allowed (RFC 5746, 4.1 leaves it to the client), as rustls does:
        // we never renegotiate, so a server without RFC 5746 cannot be attacked through us.
        if extensions.renegotiation_empty == Some(false) {
            return Err(Error::Peer(Violation::BadRenegotiationInfo));
        }
        // RFC 8422, 5.2: a server that sends ec_point_formats includes uncompressed.
        if extensions.uncompressed == Some(false) {
            return Err(Error::Peer(Violation::NotOffered));
        }
        if let Some(limit) = extensions.record_size_limit {
            // RFC 8449, 4: below 64 is illegal; in TLS 1.2 the limit counts only the
            // plaintext, and anything over 2^14 means 2^14.
            if limit < 64 {
                return Err(Error::Peer(Violation::IllegalExtension));
            }
            self.send_limit = usize::from(limit).min(MAX_PLAINTEXT);
        }
        // RFC 5246, 7.1 and 7.4.1.3: a ChangeCipherSpec before the ServerHello is not one
        // of TLS 1.3's middlebox compatibility records here.
        if self.early_change_cipher_spec {
            return Err(Error::Peer(Violation::BadChangeCipherSpec));
        }
        self.version = ProtocolVersion::Tls12;
        self.suite = Some(suite);
        self.server_random = random;
        self.transcript.select(suite.hash());
        self.take_message(len);
        self.state = State::AwaitCertificate;
        Ok(())
    }

    /// TLS 1.2: the ServerKeyExchange for ECDHE (RFC 8422, 5.4), checked for form and for
    /// what we offered; its signature is the next step.
    fn server_key_exchange(&mut self, len: usize) -> Result<()> {
        let malformed = |_: Malformed| Error::Peer(Violation::Malformed);
        let Some(suite) = self.suite else {
            return Err(Error::Peer(Violation::UnexpectedMessage));
        };
        let mut r = Reader::new(self.message_body(len));
        // ECCurveType named_curve (3); explicit curves are deprecated (RFC 8422, 5.4).
        if r.u8().map_err(malformed)? != 3 {
            return Err(Error::Peer(Violation::NotOffered));
        }
        let group = Group::from_code(r.u16().map_err(malformed)?)
            .ok_or(Error::Peer(Violation::NotOffered))?;
        let point = r.vec8().map_err(malformed)?;
        let signature_scheme = r.u16().map_err(malformed)?;
        r.vec16().map_err(malformed)?;
        r.end().map_err(malformed)?;
        if point.len() != group.share_len() {
            return Err(Error::Peer(Violation::BadKeyShare));
        }
        if !scheme::OFFERED.contains(&signature_scheme) {
            return Err(Error::Peer(Violation::NotOffered));
        }
        // RFC 8422, 5.4 and RFC 5246, 7.4.3: the suite names how the server signs.
        if verifier::is_ecdsa_scheme(signature_scheme) != suite.ecdsa() {
            return Err(Error::Certificate(
                verifier::CertificateError::UnsupportedSignatureScheme,
            ));
        }
        let mut share = [0u8; MAX_SHARE];
        for (s, p) in share.iter_mut().zip(point) {
            *s = *p;
        }
        self.server_share = Some((group, share));
        self.state = State::VerifyKeyExchange;
        Ok(())
    }

    /// TLS 1.2, the expensive step after the ServerKeyExchange: its signature with the
    /// end-entity key over both randoms and the ECDH parameters.
    fn verify_key_exchange(&mut self) -> Result<()> {
        let Some((_, len)) = self.handshake_message()? else {
            return Err(Error::Peer(Violation::UnexpectedMessage));
        };
        let Some((group, _)) = self.server_share else {
            return Err(Error::Peer(Violation::UnexpectedMessage));
        };
        let body = self.message_body(len);
        let params_len = 4 + group.share_len();
        let (params, mut r) = match body.split_at_checked(params_len) {
            Some((params, rest)) => (params, Reader::new(rest)),
            None => return Err(Error::Peer(Violation::Malformed)),
        };
        let (Ok(signature_scheme), Ok(signature)) = (r.u16(), r.vec16()) else {
            return Err(Error::Peer(Violation::Malformed));
        };
        verifier::verify_server_key_exchange(
            &self.server_key,
            signature_scheme,
            &[&self.random, &self.server_random, params],
            signature,
        )
        .map_err(Error::Certificate)?;
        self.server_key.clear();
        self.take_message(len);
        self.state = State::AwaitServerHelloDone;
        Ok(())
    }

    /// TLS 1.2, the expensive steps after ServerHelloDone: a key pair for the server's
    /// group when our first key share was for the other one (a step of its own), then ECDH,
    /// the master secret (RFC 7627, 4) and our flight.
    fn agree_tls12(&mut self) -> Result<()> {
        let (Some(suite), Some((group, share))) = (self.suite, self.server_share) else {
            return Err(Error::Peer(Violation::UnexpectedMessage));
        };
        if self.key_pair.as_ref().map(KeyPair::group) != Some(group) {
            self.key_pair = Some(self.generate(group)?);
            return Ok(());
        }
        let Some(pair) = self.key_pair.take() else {
            return Err(Error::Rng);
        };
        let mut shared = pair
            .agree(share.get(..group.share_len()).unwrap_or_default())
            .map_err(|_| Error::Peer(Violation::BadKeyShare))?;
        if self.certificate_requested {
            // RFC 5246, 7.4.6: a client without a certificate sends an empty list.
            self.write_plain_handshake(&[handshake::CERTIFICATE, 0, 0, 3, 0, 0, 0])?;
        }
        // RFC 8422, 5.7: ClientECDiffieHellmanPublic, the point with a one-byte length.
        let public = pair.public();
        let mut message = [0u8; 5 + MAX_SHARE];
        let message_len = 5 + public.len();
        message[0] = handshake::CLIENT_KEY_EXCHANGE;
        message[3] = (public.len() + 1) as u8;
        message[4] = public.len() as u8;
        for (m, p) in message.iter_mut().skip(5).zip(public) {
            *m = *p;
        }
        self.write_plain_handshake(message.get(..message_len).unwrap_or_default())?;
        drop(pair);

        // RFC 7627, 4: the session hash covers the messages up to ClientKeyExchange.
        let hash = suite.hash();
        let session_hash = self.transcript.current(hash);
        let mut master = Secret::zero(MASTER_SECRET);
        prf(
            hash,
            &shared,
            b"extended master secret",
            &[session_hash.as_bytes()],
            master.as_mut(),
        );
        shared.zeroize();

        self.write_raw(&CHANGE_CIPHER_SPEC)?;
        self.write_key = Some(RecordKey::tls12(
            suite,
            &master,
            &self.random,
            &self.server_random,
            true,
        ));
        let verify_data = tls12_verify_data(hash, &master, b"client finished", &self.transcript);
        let mut message = [
            handshake::FINISHED,
            0,
            0,
            VERIFY_DATA as u8,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
        ];
        for (m, v) in message.iter_mut().skip(4).zip(verify_data) {
            *m = v;
        }
        self.transcript.update(&message);
        self.write_encrypted(content::HANDSHAKE, |w| w.bytes(&message))?;
        self.master = Some(master);
        self.state = State::AwaitChangeCipherSpec;
        Ok(())
    }

    /// TLS 1.2: the server's ChangeCipherSpec, only right after our flight (RFC 5246, 7.1;
    /// earlier is CVE-2014-0224's attack): from here its records are encrypted.
    fn server_change_cipher_spec(&mut self) -> Result<()> {
        let (State::AwaitChangeCipherSpec, Some(suite), Some(master)) =
            (&self.state, self.suite, self.master.as_ref())
        else {
            return Err(Error::Peer(Violation::BadChangeCipherSpec));
        };
        self.read_key = Some(RecordKey::tls12(
            suite,
            master,
            &self.random,
            &self.server_random,
            false,
        ));
        self.state = State::AwaitFinished;
        Ok(())
    }

    /// TLS 1.2: the server's Finished (RFC 5246, 7.4.9), over every handshake message
    /// including our Finished.
    fn finished_tls12(&mut self, len: usize) -> Result<()> {
        let (Some(suite), Some(master)) = (self.suite, self.master.take()) else {
            return Err(Error::Peer(Violation::UnexpectedMessage));
        };
        let expected =
            tls12_verify_data(suite.hash(), &master, b"server finished", &self.transcript);
        let verify_data = self.message_body(len);
        if verify_data.len() != VERIFY_DATA {
            return Err(Error::Peer(Violation::Malformed));
        }
        if !bool::from(verify_data.ct_eq(&expected)) {
            return Err(Error::Peer(Violation::BadFinished));
        }
        self.take_message(len);
        self.state = State::Established;
        Ok(())
    }

    /// TLS 1.2: a handshake message in a plaintext record of its own, added to the
    /// transcript.
    fn write_plain_handshake(&mut self, message: &[u8]) -> Result<()> {
        let [l0, l1] = (message.len() as u16).to_be_bytes();
        self.write_raw(&[content::HANDSHAKE, 3, 3, l0, l1])?;
        self.write_raw(message)?;
        self.transcript.update(message);
        Ok(())
    }

    /// The expensive step after a HelloRetryRequest: a key share for the group it asked
    /// for, and the second ClientHello with its cookie.
    #[inline(never)]
    fn retry(&mut self, group: Group) -> Result<()> {
        let len = self.handshake_message()?.map(|(_, len)| len).unwrap_or(0);
        if self.key_pair.as_ref().map(KeyPair::group) != Some(group) {
            self.key_pair = Some(self.generate(group)?);
        }
        // The HelloRetryRequest joins the transcript after message_hash (RFC 8446, 4.4.1).
        let end = self.plain_start + len;
        self.transcript
            .update(self.rx.get(self.plain_start..end).unwrap_or_default());
        if !self.sent_change_cipher_spec {
            self.write_raw(&CHANGE_CIPHER_SPEC)?;
            self.sent_change_cipher_spec = true;
        }
        self.write_client_hello()?;
        self.plain_start = end;
        self.state = State::AwaitServerHello;
        Ok(())
    }

    /// The expensive step after the ServerHello: ECDH, then the handshake secrets and keys
    /// (RFC 8446, 7.1).
    #[inline(never)]
    fn agree(&mut self) -> Result<()> {
        if self.tls12() {
            return self.agree_tls12();
        }
        let (Some(suite), Some(pair)) = (self.suite, self.key_pair.as_ref()) else {
            return Err(Error::Peer(Violation::UnexpectedMessage));
        };
        let len = self.handshake_message()?.map(|(_, len)| len).unwrap_or(0);
        let share = server_share(self.message_body(len)).unwrap_or_default();
        let mut shared = pair
            .agree(share)
            .map_err(|_| Error::Peer(Violation::BadKeyShare))?;
        self.key_pair = None;
        self.take_message(len);
        let hash = suite.hash();
        let zeros = Secret::zero(hash.len());
        let early = hash.extract(&[0; 1], zeros.as_bytes());
        let empty_hash = hash.digest(&[]);
        let derived = hash.derive_secret(&early, b"derived", &empty_hash);
        let handshake = hash.extract(derived.as_bytes(), &shared);
        shared.zeroize();
        let transcript = self.transcript.current(hash);
        let client = hash.derive_secret(&handshake, b"c hs traffic", &transcript);
        let server = hash.derive_secret(&handshake, b"s hs traffic", &transcript);
        self.read_key = Some(RecordKey::new(suite, server.clone()));
        self.write_key = Some(RecordKey::new(suite, client.clone()));
        self.secrets = Some(HandshakeSecrets {
            handshake,
            client,
            server,
        });
        self.state = State::AwaitEncryptedExtensions;
        Ok(())
    }

    #[inline(never)]
    fn encrypted_extensions(&mut self, len: usize) -> Result<()> {
        let malformed = |_: Malformed| Error::Peer(Violation::Malformed);
        let mut r = Reader::new(self.message_body(len));
        let extensions = r.vec16().map_err(malformed)?;
        r.end().map_err(malformed)?;
        let mut seen = Seen::default();
        let mut r = Reader::new(extensions);
        let mut limit = None;
        while !r.is_empty() {
            let kind = r.u16().map_err(malformed)?;
            let data = r.vec16().map_err(malformed)?;
            seen.insert(kind)?;
            let mut d = Reader::new(data);
            match kind {
                // RFC 6066, 3: the server acknowledges SNI with an empty extension.
                extension::SERVER_NAME => {}
                // RFC 8446, 4.2.7: the server's preference, for later connections.
                extension::SUPPORTED_GROUPS => {
                    d.vec16().map_err(malformed)?;
                }
                extension::RECORD_SIZE_LIMIT => {
                    let value = d.u16().map_err(malformed)?;
                    // RFC 8449, 4: below 64 is illegal.
                    if value < 64 {
                        return Err(Error::Peer(Violation::IllegalExtension));
                    }
                    limit = Some(usize::from(value));
                }
                kind if extension::SENT.contains(&kind) => {
                    return Err(Error::Peer(Violation::IllegalExtension));
                }
                _ => return Err(Error::Peer(Violation::UnsolicitedExtension)),
            }
            d.end().map_err(malformed)?;
        }
        if let Some(limit) = limit {
            // In TLS 1.3 the limit counts the content type byte (RFC 8449, 4).
            self.send_limit = (limit - 1).min(MAX_PLAINTEXT);
        }
        Ok(())
    }

    /// The expensive step after the Certificate message: path validation and name check.
    #[inline(never)]
    fn verify_chain(&mut self) -> Result<()> {
        let len = self.handshake_message()?.map(|(_, len)| len).unwrap_or(0);
        #[cfg(test)]
        let skip = self
            .trace
            .as_ref()
            .is_some_and(|t| t.skip_certificate_checks);
        #[cfg(not(test))]
        let skip = false;
        if !skip {
            let trust = Trust {
                anchors: self.config.trust_anchors,
                server_name: self.config.server_name.clone(),
                time: self.config.time,
            };
            // The message's body by field, so that the key can be written beside it.
            let body = self
                .rx
                .get(self.plain_start + 4..self.plain_start + len)
                .unwrap_or_default();
            let certificates =
                certificate_entries(body, self.tls12())?.map(|entry| entry.unwrap_or_default());
            verifier::verify_chain(&trust, certificates, &mut self.server_key)
                .map_err(Error::Certificate)?;
        }
        self.take_message(len);
        self.state = if self.tls12() {
            State::AwaitServerKeyExchange
        } else {
            State::AwaitCertificateVerify
        };
        Ok(())
    }

    /// The expensive step after the CertificateVerify: the signature over the transcript.
    #[inline(never)]
    fn verify_signature(&mut self) -> Result<()> {
        let (Some(suite), Some((_, len))) = (self.suite, self.handshake_message()?) else {
            return Err(Error::Peer(Violation::UnexpectedMessage));
        };
        #[cfg(test)]
        let skip = self
            .trace
            .as_ref()
            .is_some_and(|t| t.skip_certificate_checks);
        #[cfg(not(test))]
        let skip = false;
        if !skip {
            let mut r = Reader::new(self.message_body(len));
            let (Ok(signature_scheme), Ok(signature)) = (r.u16(), r.vec16()) else {
                return Err(Error::Peer(Violation::Malformed));
            };
            let transcript = self.transcript.current(suite.hash());
            verifier::verify_certificate_verify(
                &self.server_key,
                transcript.as_bytes(),
                signature_scheme,
                signature,
            )
            .map_err(Error::Certificate)?;
        }
        self.server_key.clear();
        self.take_message(len);
        self.state = State::AwaitFinished;
        Ok(())
    }

    /// The server's Finished (RFC 8446, 4.4.4), then the application secrets and the
    /// client's flight: ChangeCipherSpec, an empty Certificate if one was asked for, and
    /// Finished.
    #[inline(never)]
    fn finished(&mut self, len: usize) -> Result<()> {
        if self.tls12() {
            return self.finished_tls12(len);
        }
        let (Some(suite), Some(secrets)) = (self.suite, self.secrets.take()) else {
            return Err(Error::Peer(Violation::UnexpectedMessage));
        };
        let hash = suite.hash();
        let expected = finished_mac(hash, &secrets.server, &self.transcript.current(hash));
        let verify_data = self.message_body(len);
        if verify_data.len() != hash.len() {
            return Err(Error::Peer(Violation::Malformed));
        }
        if !bool::from(verify_data.ct_eq(expected.as_bytes())) {
            return Err(Error::Peer(Violation::BadFinished));
        }
        self.ends_record(len)?;
        self.take_message(len);

        let transcript = self.transcript.current(hash);
        let zeros = Secret::zero(hash.len());
        let derived = hash.derive_secret(&secrets.handshake, b"derived", &hash.digest(&[]));
        let master = hash.extract(derived.as_bytes(), zeros.as_bytes());
        let client_application = hash.derive_secret(&master, b"c ap traffic", &transcript);
        let server_application = hash.derive_secret(&master, b"s ap traffic", &transcript);
        let client_handshake = secrets.client;
        self.read_key = Some(RecordKey::new(suite, server_application));

        if !self.sent_change_cipher_spec {
            self.write_raw(&CHANGE_CIPHER_SPEC)?;
            self.sent_change_cipher_spec = true;
        }
        if self.certificate_requested {
            // RFC 8446, 4.4.2: a client without a certificate sends an empty one.
            let message = [handshake::CERTIFICATE, 0, 0, 4, 0, 0, 0, 0];
            self.transcript.update(&message);
            self.write_encrypted(content::HANDSHAKE, |w| w.bytes(&message))?;
        }
        let mac = finished_mac(hash, &client_handshake, &self.transcript.current(hash));
        let mut message = [0u8; 4 + MAX_HASH];
        let message_len = 4 + hash.len();
        message[0] = handshake::FINISHED;
        message[3] = hash.len() as u8;
        if let Some(body) = message.get_mut(4..message_len) {
            body.copy_from_slice(mac.as_bytes());
        }
        let message = message.get(..message_len).unwrap_or_default();
        self.transcript.update(message);
        self.write_encrypted(content::HANDSHAKE, |w| w.bytes(message))?;
        self.write_key = Some(RecordKey::new(suite, client_application));
        self.state = State::Established;
        Ok(())
    }

    #[inline(never)]
    fn handle_post_handshake(&mut self, kind: u8, len: usize) -> Result<()> {
        let malformed = |_: Malformed| Error::Peer(Violation::Malformed);
        if self.tls12() {
            // RFC 5246, 7.4.1.1: HelloRequest asks for renegotiation, which we never do:
            // answered with a no_renegotiation warning (RFC 5246, 7.2.2), as rustls does,
            // and counted with the records that carry nothing. Everything else (a
            // NewSessionTicket we did not ask for, any handshake message) is refused.
            if kind != handshake::HELLO_REQUEST {
                return Err(Error::Peer(Violation::UnexpectedMessage));
            }
            if len != 4 {
                return Err(Error::Peer(Violation::Malformed));
            }
            self.plain_start += len;
            // With no room in the send buffer the warning is dropped: it is a courtesy.
            let _ = self.write_alert(1, Alert::NoRenegotiation);
            return self.count_empty();
        }
        let mut r = Reader::new(self.message_body(len));
        match kind {
            handshake::NEW_SESSION_TICKET => {
                // RFC 8446, 4.6.1: read for form, then dropped (no resumption).
                let _lifetime = r.array::<4>().map_err(malformed)?;
                let _age_add = r.array::<4>().map_err(malformed)?;
                let _nonce = r.vec8().map_err(malformed)?;
                if r.vec16().map_err(malformed)?.is_empty() {
                    return Err(Error::Peer(Violation::Malformed));
                }
                r.vec16().map_err(malformed)?;
                r.end().map_err(malformed)?;
                self.plain_start += len;
                self.count_empty()
            }
            handshake::KEY_UPDATE => {
                // RFC 8446, 4.6.3.
                let request = r.u8().map_err(malformed)?;
                r.end().map_err(malformed)?;
                if request > 1 {
                    return Err(Error::Peer(Violation::BadKeyUpdate));
                }
                self.ends_record(len)?;
                self.plain_start += len;
                if let Some(key) = self.read_key.as_mut() {
                    key.update();
                }
                if request == 1 {
                    self.key_update_owed = true;
                    // With no room now, it goes out after the next send.
                    let _ = self.send_key_update();
                }
                self.count_empty()
            }
            _ => Err(Error::Peer(Violation::UnexpectedMessage)),
        }
    }

    #[inline(never)]
    fn generate(&mut self, group: Group) -> Result<KeyPair> {
        let seed = match group {
            Group::X25519 => &mut self.key_seeds[0],
            Group::Secp256r1 => &mut self.key_seeds[1],
        };
        // A P-256 seed outside 1..n-1 (probability about 2^-32) is hashed into another.
        for _ in 0..8 {
            if let Some(pair) = KeyPair::generate(group, *seed) {
                seed.zeroize();
                return Ok(pair);
            }
            let next = HashAlgorithm::Sha256.digest(seed.as_slice());
            seed.copy_from_slice(next.as_bytes().get(..32).unwrap_or(&[0; 32]));
        }
        Err(Error::Rng)
    }

    // ---- Sending ------------------------------------------------------------------------

    #[inline(never)]
    fn send_key_update(&mut self) -> Result<()> {
        self.compact_tx();
        if self.tx.len() - self.tx_end < HEADER + 5 + 1 + TAG_LEN {
            return Err(Error::SendBufferTooSmall);
        }
        self.write_encrypted(content::HANDSHAKE, |w| {
            w.bytes(&[handshake::KEY_UPDATE, 0, 0, 1, 0])
        })?;
        if let Some(key) = self.write_key.as_mut() {
            key.update();
        }
        self.key_update_owed = false;
        Ok(())
    }

    fn write_raw(&mut self, bytes: &[u8]) -> Result<()> {
        self.compact_tx();
        let end = self.tx_end + bytes.len();
        self.tx
            .get_mut(self.tx_end..end)
            .ok_or(Error::SendBufferTooSmall)?
            .copy_from_slice(bytes);
        self.tx_end = end;
        Ok(())
    }

    fn write_alert(&mut self, level: u8, alert: Alert) -> Result<()> {
        let body = [level, alert.code()];
        if self.write_key.is_some() {
            self.write_encrypted(content::ALERT, |w| w.bytes(&body))
        } else {
            self.write_raw(&[content::ALERT, 3, 3, 0, 2, level, alert.code()])
        }
    }

    /// Appends one encrypted record of `kind` whose content `body` writes.
    fn write_encrypted(
        &mut self,
        kind: u8,
        body: impl FnOnce(&mut Writer<'_>) -> core::result::Result<(), crate::codec::Full>,
    ) -> Result<()> {
        self.compact_tx();
        let start = self.tx_end;
        let record = self.tx.get_mut(start..).ok_or(Error::SendBufferTooSmall)?;
        let (header, rest) = record
            .split_at_mut_checked(HEADER)
            .ok_or(Error::SendBufferTooSmall)?;
        let Some(key) = self.write_key.as_mut() else {
            return Err(Error::Closed);
        };
        // TLS 1.3 hides the type inside (RFC 8446, 5.2); TLS 1.2 puts an explicit nonce
        // in front (RFC 5246, 6.2.3.3) and keeps the type outside.
        // Field by field (the send buffer is borrowed): as [`Client::tls12`].
        let tls12 = cfg!(feature = "tls12") && self.version == ProtocolVersion::Tls12;
        let prefix = if tls12 { key.explicit_nonce_len() } else { 0 };
        let mut w = Writer::new(rest.get_mut(prefix..).ok_or(Error::SendBufferTooSmall)?);
        body(&mut w).map_err(|_| Error::SendBufferTooSmall)?;
        if !tls12 {
            w.u8(kind).map_err(|_| Error::SendBufferTooSmall)?;
        }
        let inner = prefix + w.len();
        let len = inner + TAG_LEN;
        if rest.len() < len {
            return Err(Error::SendBufferTooSmall);
        }
        let outer = if tls12 {
            kind
        } else {
            content::APPLICATION_DATA
        };
        header.copy_from_slice(&[outer, 3, 3, (len >> 8) as u8, len as u8]);
        let (data, tag_space) = rest.split_at_mut(inner);
        let tag = if tls12 {
            key.seal_tls12(kind, data)
        } else {
            key.seal(header, data)
        }
        .map_err(|_| Error::Closed)?;
        tag_space
            .get_mut(..TAG_LEN)
            .ok_or(Error::SendBufferTooSmall)?
            .copy_from_slice(&tag);
        self.tx_end = start + HEADER + len;
        Ok(())
    }

    /// The ClientHello (RFC 8446, 4.1.2), in a record of its own, added to the transcript.
    #[inline(never)]
    fn write_client_hello(&mut self) -> Result<()> {
        let Some(pair) = self.key_pair.as_ref() else {
            return Err(Error::Rng);
        };
        let group = pair.group();
        let mut share = [0u8; MAX_SHARE];
        let share_len = pair.public().len();
        share
            .get_mut(..share_len)
            .unwrap_or_default()
            .copy_from_slice(pair.public());
        let share = share.get(..share_len).unwrap_or_default();
        // After a HelloRetryRequest the cookie is copied from it, where it lies.
        let cookie_range = if self.retried {
            let len = self.handshake_message()?.map(|(_, len)| len).unwrap_or(0);
            let body_start = self.plain_start + 4;
            let body = self.message_body(len);
            hello_retry_cookie(body).map(|cookie| {
                let offset = cookie.as_ptr() as usize - body.as_ptr() as usize;
                body_start + offset..body_start + offset + cookie.len()
            })
        } else {
            None
        };
        self.compact_tx();
        let cookie = cookie_range.and_then(|range| self.rx.get(range));
        let start = self.tx_end;
        let record_version: u16 = if self.retried { TLS12 } else { 0x0301 };
        let offer_tls12 = self.offers_tls12();
        let receive_limit = record_size_limit(self.rx.len(), offer_tls12);
        let host = server_name_host(&self.config.server_name);
        let random = self.random;
        let session_id = self
            .session_id
            .get(..self.session_id_len)
            .unwrap_or_default();
        let out = self.tx.get_mut(start..).ok_or(Error::SendBufferTooSmall)?;
        let mut w = Writer::new(out);
        let written = (|| {
            w.u8(content::HANDSHAKE)?;
            w.u16(record_version)?;
            w.prefixed(2, |w| {
                w.u8(handshake::CLIENT_HELLO)?;
                w.prefixed(3, |w| {
                    w.u16(TLS12)?;
                    w.bytes(&random)?;
                    w.prefixed(1, |w| w.bytes(session_id))?;
                    w.prefixed(2, |w| {
                        CipherSuite::TLS13
                            .iter()
                            .try_for_each(|s| w.u16(s.code()))?;
                        if offer_tls12 {
                            CipherSuite::TLS12
                                .iter()
                                .try_for_each(|s| w.u16(s.code()))?;
                        }
                        Ok(())
                    })?;
                    w.bytes(&[1, 0])?;
                    w.prefixed(2, |w| {
                        if let Some(host) = host {
                            w.u16(extension::SERVER_NAME)?;
                            w.prefixed(2, |w| {
                                w.prefixed(2, |w| {
                                    w.u8(0)?;
                                    w.prefixed(2, |w| w.bytes(host))
                                })
                            })?;
                        }
                        w.u16(extension::SUPPORTED_VERSIONS)?;
                        w.prefixed(2, |w| {
                            w.prefixed(1, |w| {
                                w.u16(TLS13)?;
                                if offer_tls12 {
                                    w.u16(TLS12)?;
                                }
                                Ok(())
                            })
                        })?;
                        w.u16(extension::SUPPORTED_GROUPS)?;
                        w.prefixed(2, |w| {
                            w.prefixed(2, |w| Group::ALL.iter().try_for_each(|g| w.u16(g.code())))
                        })?;
                        w.u16(extension::SIGNATURE_ALGORITHMS)?;
                        w.prefixed(2, |w| {
                            w.prefixed(2, |w| scheme::OFFERED.iter().try_for_each(|s| w.u16(*s)))
                        })?;
                        w.u16(extension::KEY_SHARE)?;
                        w.prefixed(2, |w| {
                            w.prefixed(2, |w| {
                                w.u16(group.code())?;
                                w.prefixed(2, |w| w.bytes(share))
                            })
                        })?;
                        w.u16(extension::RECORD_SIZE_LIMIT)?;
                        w.prefixed(2, |w| w.u16(receive_limit))?;
                        if let Some(cookie) = cookie {
                            w.u16(extension::COOKIE)?;
                            w.prefixed(2, |w| w.prefixed(2, |w| w.bytes(cookie)))?;
                        }
                        if offer_tls12 {
                            // RFC 8422, 5.1.2: uncompressed points only.
                            w.u16(extension::EC_POINT_FORMATS)?;
                            w.prefixed(2, |w| w.prefixed(1, |w| w.u8(0)))?;
                            // RFC 7627, 5.1: empty.
                            w.u16(extension::EXTENDED_MASTER_SECRET)?;
                            w.u16(0)?;
                            // RFC 5746, 3.4: an empty renegotiated_connection.
                            w.u16(extension::RENEGOTIATION_INFO)?;
                            w.prefixed(2, |w| w.u8(0))?;
                        }
                        Ok(())
                    })
                })
            })
        })();
        written.map_err(|_| Error::SendBufferTooSmall)?;
        let len = w.len();
        let message = self.tx.get(start + HEADER..start + len).unwrap_or_default();
        #[cfg(test)]
        let message = match self.trace.as_ref() {
            Some(trace) => trace.client_hello,
            None => message,
        };
        self.transcript.update(message);
        self.tx_end = start + len;
        Ok(())
    }
}

/// The record_size_limit we offer (RFC 8449): the most a record may carry (in TLS 1.3
/// including the content type, in TLS 1.2 only the plaintext, RFC 8449, 4) for the whole
/// record to fit in the receive buffer. One value serves both versions, so with TLS 1.2
/// offered it leaves room for TLS 1.2's larger expansion. Values over 2^14 mean 2^14 to a
/// TLS 1.2 server (RFC 8449, 4).
fn record_size_limit(receive_buffer: usize, tls12: bool) -> u16 {
    let expansion = if tls12 {
        HEADER + TLS12_OVERHEAD
    } else {
        HEADER + TAG_LEN
    };
    let limit = receive_buffer
        .saturating_sub(expansion)
        .clamp(64, MAX_PLAINTEXT + 1);
    limit as u16
}

fn server_name_host<'a>(name: &'a ServerName<'_>) -> Option<&'a [u8]> {
    match name {
        ServerName::DnsName(dns) => {
            let host = dns.as_ref().as_bytes();
            // SNI host names are at most 255 bytes (RFC 6066, 3, a DNS name's limit).
            (!host.is_empty() && host.len() <= 255).then_some(host)
        }
        _ => None,
    }
}

/// The Finished MAC with the base key of one side (RFC 8446, 4.4.4).
fn finished_mac(hash: HashAlgorithm, base: &Secret, transcript: &Secret) -> Secret {
    let mut key = Secret::zero(hash.len());
    hash.expand_label(base, b"finished", &[], key.as_mut());
    hash.hmac(&key, transcript.as_bytes())
}

/// TLS 1.2's Finished verify_data (RFC 5246, 7.4.9): the PRF of the master secret over
/// the transcript hash so far.
fn tls12_verify_data(
    hash: HashAlgorithm,
    master: &Secret,
    label: &[u8],
    transcript: &Transcript,
) -> [u8; VERIFY_DATA] {
    let mut out = [0u8; VERIFY_DATA];
    prf(
        hash,
        master.as_bytes(),
        label,
        &[transcript.current(hash).as_bytes()],
        &mut out,
    );
    out
}

/// The fields of a ServerHello without supported_versions, read for its TLS 1.2 checks.
struct Tls12Hello {
    legacy_version: u16,
    random: [u8; 32],
    session_id_len: usize,
    suite_code: u16,
    compression: u8,
    /// It carries key_share or cookie, which only TLS 1.3 has.
    tls13_extensions: bool,
}

/// What a ServerHello said in the extensions only TLS 1.2 may carry.
#[derive(Default)]
struct Tls12Extensions {
    /// Any of them was present (illegal in a TLS 1.3 ServerHello).
    any: bool,
    extended_master_secret: bool,
    renegotiation_empty: Option<bool>,
    uncompressed: Option<bool>,
    record_size_limit: Option<u16>,
}

/// The server's key share in an already checked ServerHello body.
fn server_share(body: &[u8]) -> Option<&[u8]> {
    let mut r = Reader::new(body);
    r.take(2 + 32).ok()?;
    r.vec8().ok()?;
    r.take(3).ok()?;
    let mut extensions = Reader::new(r.vec16().ok()?);
    while !extensions.is_empty() {
        let kind = extensions.u16().ok()?;
        let data = extensions.vec16().ok()?;
        if kind == extension::KEY_SHARE {
            let mut d = Reader::new(data);
            d.u16().ok()?;
            return d.vec16().ok();
        }
    }
    None
}

/// The cookie of an already checked HelloRetryRequest body, if it has one.
fn hello_retry_cookie(body: &[u8]) -> Option<&[u8]> {
    let mut r = Reader::new(body);
    r.take(2 + 32).ok()?;
    r.vec8().ok()?;
    r.take(3).ok()?;
    let mut extensions = Reader::new(r.vec16().ok()?);
    while !extensions.is_empty() {
        let kind = extensions.u16().ok()?;
        let data = extensions.vec16().ok()?;
        if kind == extension::COOKIE {
            return Reader::new(data).vec16().ok();
        }
    }
    None
}

/// The certificates of a Certificate message body (RFC 8446, 4.4.2), each checked for
/// form; an entry's extensions must be empty (we ask for none). TLS 1.2's has neither
/// request context nor extensions (RFC 5246, 7.4.2).
fn certificate_entries(body: &[u8], tls12: bool) -> Result<impl Iterator<Item = Result<&[u8]>>> {
    let malformed = |_: Malformed| Error::Peer(Violation::Malformed);
    let mut r = Reader::new(body);
    let context = if tls12 {
        &[][..]
    } else {
        r.vec8().map_err(malformed)?
    };
    let list = r.vec24().map_err(malformed)?;
    r.end().map_err(malformed)?;
    if !context.is_empty() {
        return Err(Error::Peer(Violation::Malformed));
    }
    let mut entries = Reader::new(list);
    Ok(core::iter::from_fn(move || {
        if entries.is_empty() {
            return None;
        }
        let entry = (|| {
            let der = entries.vec24().map_err(malformed)?;
            let extensions = if tls12 {
                &[][..]
            } else {
                entries.vec16().map_err(malformed)?
            };
            if der.is_empty() {
                return Err(Error::Peer(Violation::Malformed));
            }
            if !extensions.is_empty() {
                check_extensions(extensions, &[], false)?;
            }
            Ok(der)
        })();
        if entry.is_err() {
            entries = Reader::new(&[]);
        }
        Some(entry)
    }))
}

/// Checks an extension block for form and duplicates: `allowed` may appear, others we
/// sent are misplaced, the rest unsolicited (or ignored with `others_allowed`, as in a
/// CertificateRequest, whose extensions are the server's own choice).
fn check_extensions(block: &[u8], allowed: &[u16], others_allowed: bool) -> Result<()> {
    let malformed = |_: Malformed| Error::Peer(Violation::Malformed);
    let mut seen = Seen::default();
    let mut r = Reader::new(block);
    while !r.is_empty() {
        let kind = r.u16().map_err(malformed)?;
        r.vec16().map_err(malformed)?;
        seen.insert(kind)?;
        if !allowed.contains(&kind) && !others_allowed {
            return Err(Error::Peer(if extension::SENT.contains(&kind) {
                Violation::IllegalExtension
            } else {
                Violation::UnsolicitedExtension
            }));
        }
    }
    Ok(())
}

/// The extension types seen in one block, to refuse duplicates (RFC 8446, 4.2).
#[derive(Default)]
struct Seen {
    kinds: heapless::Vec<u16, 32>,
}

impl Seen {
    fn insert(&mut self, kind: u16) -> Result<()> {
        if self.kinds.contains(&kind) {
            return Err(Error::Peer(Violation::IllegalExtension));
        }
        self.kinds
            .push(kind)
            .map_err(|_| Error::Peer(Violation::Malformed))
    }
}

#[cfg(test)]
mod tests;
