//! The scriptable TLS server (TLS 1.3, or TLS 1.2 from its ServerHello on): one
//! connection, one script.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use rcgen::SigningKey as _;

use super::schedule::{self, Hash, Master, RecordKey, Secrets};
use super::{Action, Chain, Credentials, Hello, Hello12, KeyExchange, Retry, Signature, Version};

/// How long a connection may last at most, whatever the script and the client do.
const CONNECTION_LIMIT: Duration = Duration::from_secs(30);
/// RFC 8446, 4.1.3.
const HELLO_RETRY_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];
const MAX_PLAINTEXT: usize = 16_384;

/// What the server saw of the client.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    /// Application data decrypted after the handshake (the request).
    pub application: Vec<u8>,
    /// Fatal alert descriptions the client sent, in order.
    pub alerts: Vec<u8>,
    /// Warnings the client sent (close_notify, and no_renegotiation in TLS 1.2), in order.
    pub warnings: Vec<u8>,
    /// Whether the client's Finished arrived and was right (`None`: it did not arrive).
    pub client_finished: Option<bool>,
    /// Application data that arrived before the server had sent a right Finished: the
    /// client sent (part of) its request before it could have verified the handshake.
    pub early_application: usize,
    /// KeyUpdate messages the client sent.
    pub key_updates: usize,
    /// Whether the client reset the connection (closing a socket with unread data does).
    pub reset: bool,
    /// Where the script stopped when it could not go on (the client closed, or sent
    /// something the server could not make sense of).
    pub stopped: Option<String>,
}

/// A running scripted server, for one connection.
pub(super) struct Server {
    pub(super) address: SocketAddr,
    seen: Arc<Mutex<Seen>>,
    done: mpsc::Receiver<()>,
    stop: Arc<AtomicBool>,
}

impl Server {
    pub(super) fn start(script: Vec<Action>, credentials: Arc<Credentials>) -> io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?;
        let seen = Arc::new(Mutex::new(Seen::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (done_tx, done) = mpsc::channel();
        let (thread_seen, thread_stop) = (seen.clone(), stop.clone());
        thread::Builder::new()
            .name("hostile-server".into())
            .spawn(move || {
                let stopped = match listener.accept() {
                    Ok((tcp, _)) => {
                        let mut conn = Conn::new(tcp, &credentials, &thread_seen, &thread_stop);
                        let result = conn.play(script);
                        result.err().map(|e| e.to_string())
                    }
                    Err(e) => Some(format!("accept: {e}")),
                };
                if let Ok(mut seen) = thread_seen.lock() {
                    seen.stopped = stopped;
                }
                let _ = done_tx.send(());
            })?;
        Ok(Server {
            address,
            seen,
            done,
            stop,
        })
    }

    /// What the server saw, once its connection has ended (or after `wait`, when the
    /// client keeps it open: the server is then told to stop).
    pub(super) fn finish(self, wait: Duration) -> Seen {
        if self.done.recv_timeout(wait).is_err() {
            self.stop.store(true, Ordering::SeqCst);
            // Unblocks an accept that never got a connection.
            let _ = TcpStream::connect_timeout(&self.address, Duration::from_millis(200));
            let _ = self.done.recv_timeout(Duration::from_secs(2));
        }
        self.seen
            .lock()
            .map(|seen| seen.clone())
            .unwrap_or_default()
    }
}

/// What the client sent in its (latest) ClientHello.
#[derive(Default)]
struct ClientHello {
    random: Vec<u8>,
    session_id: Vec<u8>,
    shares: Vec<(u16, Vec<u8>)>,
    cookie: Option<Vec<u8>>,
    groups: Vec<u16>,
}

fn parse_client_hello(message: &[u8]) -> Option<ClientHello> {
    let mut r = Reader(message);
    if r.u8()? != 1 {
        return None;
    }
    let mut body = Reader(r.vec(3)?);
    body.take(2)?;
    let random = body.take(32)?.to_vec();
    let session_id = body.vec(1)?.to_vec();
    body.vec(2)?;
    body.vec(1)?;
    let mut extensions = Reader(body.vec(2)?);
    let mut hello = ClientHello {
        random,
        session_id,
        ..ClientHello::default()
    };
    while !extensions.0.is_empty() {
        let kind = extensions.u16()?;
        let mut data = Reader(extensions.vec(2)?);
        match kind {
            51 => {
                let mut list = Reader(data.vec(2)?);
                while !list.0.is_empty() {
                    let group = list.u16()?;
                    hello.shares.push((group, list.vec(2)?.to_vec()));
                }
            }
            44 => hello.cookie = Some(data.vec(2)?.to_vec()),
            10 => {
                let mut list = Reader(data.vec(2)?);
                while !list.0.is_empty() {
                    hello.groups.push(list.u16()?);
                }
            }
            _ => {}
        }
    }
    Some(hello)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u16(&mut self) -> Option<u16> {
        let b = self.take(2)?;
        Some(u16::from_be_bytes([b[0], b[1]]))
    }
    fn vec(&mut self, len_bytes: usize) -> Option<&'a [u8]> {
        let len = self
            .take(len_bytes)?
            .iter()
            .fold(0usize, |n, b| n << 8 | usize::from(*b));
        self.take(len)
    }
}

/// `bytes` behind a big-endian length of `len_bytes` bytes.
fn vec(len_bytes: usize, bytes: &[u8]) -> Vec<u8> {
    let len = bytes.len().to_be_bytes();
    [&len[len.len() - len_bytes..], bytes].concat()
}

fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
    [&[kind][..], &vec(3, body)].concat()
}

fn extension(kind: u16, data: &[u8]) -> Vec<u8> {
    [&kind.to_be_bytes()[..], &vec(2, data)].concat()
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    let _ = rustls::crypto::ring::default_provider()
        .secure_random
        .fill(&mut bytes);
    bytes
}

struct Conn<'a> {
    tcp: TcpStream,
    started: Instant,
    credentials: &'a Credentials,
    seen: &'a Mutex<Seen>,
    stop: &'a AtomicBool,
    input: Vec<u8>,
    /// Bytes to be written at the next read, pause or end (a flight goes out in one write).
    output: Vec<u8>,
    hello: ClientHello,
    /// The handshake messages so far (after a HelloRetryRequest: from message_hash on).
    transcript: Vec<u8>,
    suite: u16,
    secrets: Option<Secrets>,
    write: Option<RecordKey>,
    read: Option<RecordKey>,
    /// The client's application key, from the server's Finished until the client's.
    client_application: Option<Vec<u8>>,
    server_finished: bool,
    /// Handshake messages not yet put in records, and whether they will be encrypted.
    pending: Vec<u8>,
    pending_encrypted: bool,
    coalesce: bool,
    fragment: usize,
    padding: usize,
    plain_next: bool,
    /// A record to put between the first two records of the next message split.
    interleave: Option<(u8, Vec<u8>, bool)>,
    record_version: u16,
    drip: Option<Duration>,
    /// The answer to the request, and how much of it was sent.
    response: Vec<u8>,
    response_sent: usize,
    /// Whether the server has sent a right Finished.
    verified: bool,
    /// From a TLS 1.2 ServerHello on.
    tls12: Option<Tls12>,
}

/// A TLS 1.2 handshake's state.
struct Tls12 {
    server_random: Vec<u8>,
    extended_master_secret: bool,
    /// Whether the suite signs with RSA.
    rsa: bool,
    /// The group and secret of the ServerKeyExchange.
    exchange: Option<(u16, [u8; 32])>,
    master: Option<Master>,
    /// The keys of each direction, from the ClientKeyExchange until its ChangeCipherSpec.
    client_key: Option<RecordKey>,
    server_key: Option<RecordKey>,
}

impl<'a> Conn<'a> {
    fn new(
        tcp: TcpStream,
        credentials: &'a Credentials,
        seen: &'a Mutex<Seen>,
        stop: &'a AtomicBool,
    ) -> Self {
        Conn {
            tcp,
            started: Instant::now(),
            credentials,
            seen,
            stop,
            input: Vec::new(),
            output: Vec::new(),
            hello: ClientHello::default(),
            transcript: Vec::new(),
            suite: schedule::AES_128_GCM_SHA256,
            secrets: None,
            write: None,
            read: None,
            client_application: None,
            server_finished: false,
            pending: Vec::new(),
            pending_encrypted: false,
            coalesce: false,
            fragment: MAX_PLAINTEXT,
            padding: 0,
            plain_next: false,
            interleave: None,
            record_version: 0x0303,
            drip: None,
            response: Vec::new(),
            response_sent: 0,
            verified: false,
            tls12: None,
        }
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        match self.seen.lock() {
            Ok(seen) => seen,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn play(&mut self, script: Vec<Action>) -> io::Result<()> {
        self.tcp.set_nodelay(true)?;
        self.tcp.set_read_timeout(Some(Duration::from_millis(50)))?;
        self.read_client_hello()?;
        for action in script {
            self.act(action)?;
        }
        // Then see what the client makes of it, until it closes.
        self.drain()
    }

    fn act(&mut self, action: Action) -> io::Result<()> {
        match action {
            Action::ServerHello(hello) => self.server_hello(hello),
            Action::ServerHello12(hello) => self.server_hello12(hello),
            Action::ServerKeyExchange(exchange) => self.server_key_exchange(exchange),
            Action::ServerHelloDone => self.emit(handshake(14, &[])),
            Action::ChangeCipherSpec => {
                self.record(20, &[1]);
                if let Some(key) = self.tls12.as_mut().and_then(|t| t.server_key.take()) {
                    self.write = Some(key);
                }
            }
            Action::HelloRetryRequest(retry) => self.hello_retry(retry)?,
            Action::EncryptedExtensions(extensions) => {
                let block: Vec<u8> = extensions
                    .iter()
                    .flat_map(|(kind, data)| extension(*kind, data))
                    .collect();
                self.emit(handshake(8, &vec(2, &block)));
            }
            Action::CertificateRequest => {
                // Context empty; signature_algorithms, the one extension it must carry.
                let algorithms = extension(13, &vec(2, &[4, 3]));
                self.emit(handshake(13, &[&[0u8][..], &vec(2, &algorithms)].concat()));
            }
            Action::Certificate(chain) => self.certificate(chain),
            Action::CertificateVerify(signature) => self.certificate_verify(signature),
            Action::Finished { valid } => self.finished(valid),
            Action::Message(kind, body) => self.emit(handshake(kind, &body)),
            Action::Unencrypted => self.plain_next = true,
            Action::Fragment(size) => {
                self.flush();
                self.fragment = size.max(1);
            }
            Action::Coalesce => self.coalesce = true,
            Action::Flush => {
                self.coalesce = false;
                self.flush();
            }
            Action::Pad(padding) => {
                self.flush();
                self.padding = padding;
            }
            Action::KeyUpdate { requested } => {
                self.emit(handshake(24, &[u8::from(requested)]));
                self.flush();
                if let Some(key) = self.write.as_mut() {
                    key.update();
                }
            }
            Action::NewSessionTicket => self.new_session_ticket(32),
            Action::NewSessionTicketOf(len) => self.new_session_ticket(len),
            Action::Interleave {
                kind,
                body,
                encrypted,
            } => self.interleave = Some((kind, body, encrypted)),
            Action::RecordVersion(version) => {
                self.flush();
                self.record_version = version;
            }
            Action::Alert { level, description } => self.record(21, &[level, description]),
            Action::EmptyRecords(count) => {
                for _ in 0..count {
                    self.record(23, &[]);
                }
            }
            Action::Record { kind, body } => self.record(kind, &body),
            Action::NoContentType => {
                self.flush();
                if let Some(key) = self.write.as_mut() {
                    let record = key.seal(self.record_version, &[0; 8]);
                    self.output.extend(record);
                }
            }
            Action::Tampered => {
                self.flush();
                if let Some(key) = self.write.as_mut() {
                    let mut record = key.seal(self.record_version, b"GET\x17");
                    if let Some(last) = record.last_mut() {
                        *last ^= 1;
                    }
                    self.output.extend(record);
                }
            }
            Action::Raw(bytes) => {
                self.flush();
                self.output.extend(bytes);
            }
            Action::ReadFinished => {
                self.send()?;
                while self.seen().client_finished.is_none() {
                    self.read_event()?;
                }
            }
            Action::ReadRequest => {
                self.send()?;
                let head = loop {
                    let application = self.seen().application.clone();
                    if let Some(end) = application.windows(4).position(|w| w == b"\r\n\r\n") {
                        break application[..end + 4].to_vec();
                    }
                    self.read_event()?;
                };
                // A store of its own: each row starts from the documentation customers.
                let store = Mutex::new(crate::Store::with_documentation_customers());
                let head_len = head.len();
                self.response = crate::answer(&head, head_len, &store, &crate::Rendezvous::new(0));
            }
            Action::ExpectKeyUpdate => {
                self.send()?;
                let (updates, data) = {
                    let seen = self.seen();
                    (seen.key_updates, seen.application.len())
                };
                while self.seen().key_updates == updates {
                    self.read_event()?;
                    if self.seen().application.len() != data {
                        return Err(io::Error::other(
                            "application data before the KeyUpdate that was asked for",
                        ));
                    }
                }
            }
            Action::Respond => self.respond(self.response.len()),
            Action::RespondHead => {
                let head = self
                    .response
                    .windows(4)
                    .position(|w| w == b"\r\n\r\n")
                    .map_or(self.response.len(), |i| i + 4);
                self.respond(head);
            }
            Action::Drip(interval) => {
                self.send()?;
                self.drip = interval;
            }
            Action::Sleep(pause) => {
                self.send()?;
                thread::sleep(pause);
            }
            Action::Stall => self.drain()?,
            Action::Close => {
                self.send()?;
                self.tcp.shutdown(Shutdown::Write)?;
            }
        }
        Ok(())
    }

    // ---- The handshake ---------------------------------------------------------------

    fn read_client_hello(&mut self) -> io::Result<()> {
        loop {
            let (kind, body) = self.read_record()?.ok_or_else(|| eof("a ClientHello"))?;
            match kind {
                20 => continue,
                22 => {
                    let hello = parse_client_hello(&body)
                        .ok_or_else(|| io::Error::other("a malformed ClientHello"))?;
                    self.transcript.extend_from_slice(&body);
                    self.hello = hello;
                    return Ok(());
                }
                21 => {
                    self.note_alert(&body);
                    return Err(io::Error::other("an alert instead of a ClientHello"));
                }
                _ => return Err(io::Error::other("not a ClientHello")),
            }
        }
    }

    fn server_hello(&mut self, hello: Hello) {
        let suite = hello.suite.unwrap_or(schedule::AES_128_GCM_SHA256);
        let offered = self.hello.shares.first().map(|(group, _)| *group);
        let group = hello.key_share.then(|| hello.group.or(offered)).flatten();
        let mut extensions = supported_versions(hello.version);
        let mut shared = None;
        if let Some(group) = group {
            let client_share = self
                .hello
                .shares
                .iter()
                .find(|(g, _)| *g == group)
                .map(|(_, share)| share.clone());
            let exchanged =
                client_share.and_then(|share| schedule::key_exchange(group, &share, random()));
            let public = match (&hello.share, exchanged) {
                (Some(share), _) => share.clone(),
                (None, Some((public, secret))) => {
                    shared = Some(secret);
                    public
                }
                // A group the client sent no share for: a share of the right form.
                (None, None) if group == schedule::SECP256R1 => {
                    [&[4u8][..], &random::<64>()].concat()
                }
                (None, None) => random::<32>().to_vec(),
            };
            extensions.extend(extension(
                51,
                &[&group.to_be_bytes()[..], &vec(2, &public)].concat(),
            ));
        }
        for (kind, data) in &hello.extra {
            extensions.extend(extension(*kind, data));
        }
        let session_id = self.session_id_echo(hello.echo_session_id);
        let body = [
            &hello.legacy_version.to_be_bytes()[..],
            &random::<32>(),
            &vec(1, &session_id),
            &suite.to_be_bytes(),
            &[hello.compression],
            &vec(2, &extensions),
        ]
        .concat();
        // Not flushed: a script may coalesce what follows into the ServerHello's record.
        self.emit(handshake(2, &body));
        self.suite = suite;
        if let (Some(shared), true) = (shared, schedule::known_suite(suite)) {
            let secrets = Secrets::new(Hash::of(suite), &shared, &self.transcript);
            self.write = Some(RecordKey::new(suite, secrets.server_handshake.clone()));
            self.read = Some(RecordKey::new(suite, secrets.client_handshake.clone()));
            self.secrets = Some(secrets);
        }
    }

    /// The client's legacy_session_id, or (not echoed) a random one.
    fn session_id_echo(&self, echo: bool) -> Vec<u8> {
        if echo {
            self.hello.session_id.clone()
        } else {
            random::<32>().to_vec()
        }
    }

    fn hello_retry(&mut self, retry: Retry) -> io::Result<()> {
        let suite = retry.suite.unwrap_or(schedule::AES_128_GCM_SHA256);
        let mut extensions = supported_versions(retry.version);
        if let Some(group) = retry.group {
            extensions.extend(extension(51, &group.to_be_bytes()));
        }
        if let Some(cookie) = &retry.cookie {
            extensions.extend(extension(44, &vec(2, cookie)));
        }
        for (kind, data) in &retry.extra {
            extensions.extend(extension(*kind, data));
        }
        let session_id = self.session_id_echo(retry.echo_session_id);
        let body = [
            &[3u8, 3][..],
            &HELLO_RETRY_RANDOM,
            &vec(1, &session_id),
            &suite.to_be_bytes(),
            &[0],
            &vec(2, &extensions),
        ]
        .concat();
        // RFC 8446, 4.4.1: the first ClientHello is replaced by its hash.
        let hash = Hash::of(suite);
        let first = hash.digest(&self.transcript);
        self.transcript = handshake(254, &first);
        self.emit(handshake(2, &body));
        self.flush();
        self.send()?;
        self.read_client_hello()?;
        if let Some(cookie) = retry.cookie
            && self.hello.cookie.as_ref() != Some(&cookie)
        {
            return Err(io::Error::other("the second ClientHello lacks the cookie"));
        }
        Ok(())
    }

    fn certificate(&mut self, chain: Chain) {
        let credentials = self.credentials;
        let rsa = self.tls12.as_ref().is_some_and(|t| t.rsa);
        let certificates: Vec<&[u8]> = match &chain {
            Chain::Valid if rsa => credentials.rsa_chain.iter().map(|c| c.as_ref()).collect(),
            Chain::Rsa => credentials.rsa_chain.iter().map(|c| c.as_ref()).collect(),
            Chain::Valid => credentials.chain.iter().map(|c| c.as_ref()).collect(),
            Chain::Extra(n) => credentials
                .chain
                .iter()
                .chain(credentials.extra.iter().take(*n))
                .map(|c| c.as_ref())
                .collect(),
            Chain::Untrusted => vec![credentials.untrusted.as_ref()],
            Chain::Empty => Vec::new(),
            Chain::EntryExtension(_) => credentials.chain.iter().map(|c| c.as_ref()).collect(),
            Chain::Junk(n) => credentials
                .chain
                .iter()
                .map(|c| c.as_ref())
                .chain(std::iter::repeat_n(&[0x30u8][..], *n))
                .collect(),
        };
        if self.tls12.is_some() {
            // RFC 5246, 7.4.2: no context, no extensions.
            let list: Vec<u8> = certificates.iter().flat_map(|der| vec(3, der)).collect();
            self.emit(handshake(11, &vec(3, &list)));
            return;
        }
        let entries: Vec<u8> = certificates
            .iter()
            .enumerate()
            .flat_map(|(i, der)| {
                let extensions = match chain {
                    Chain::EntryExtension(kind) if i == 0 => extension(kind, &[0, 1, 0]),
                    _ => Vec::new(),
                };
                [vec(3, der), vec(2, &extensions)].concat()
            })
            .collect();
        self.emit(handshake(11, &[&[0u8][..], &vec(3, &entries)].concat()));
    }

    fn certificate_verify(&mut self, signature: Signature) {
        let hash = Hash::of(self.suite);
        let mut content = vec![0x20u8; 64];
        content.extend_from_slice(b"TLS 1.3, server CertificateVerify\x00");
        content.extend(hash.digest(&self.transcript));
        let body = self.sign(signature, &content);
        self.emit(handshake(15, &body));
    }

    /// A signature over `content` as a CertificateVerify or ServerKeyExchange carries it:
    /// scheme, then the signature. By the certificate's key: the ECDSA P-256 leaf's, or
    /// the RSA leaf's under a TLS 1.2 ECDHE_RSA suite.
    fn sign(&self, signature: Signature, content: &[u8]) -> Vec<u8> {
        let credentials = self.credentials;
        let (valid, key, other) = if self.tls12.as_ref().is_some_and(|t| t.rsa) {
            (0x0401, &credentials.rsa_key, &credentials.rsa_other_key)
        } else {
            (0x0403, &credentials.leaf_key, &credentials.other_key)
        };
        let (scheme, key) = match signature {
            Signature::Valid => (valid, key),
            Signature::OtherKey => (valid, other),
            Signature::Scheme(scheme) => (scheme, key),
        };
        let signed = key.sign(content).unwrap_or_default();
        [&u16::to_be_bytes(scheme)[..], &vec(2, &signed)].concat()
    }

    fn server_hello12(&mut self, hello: Hello12) {
        let suite = hello
            .suite
            .unwrap_or(schedule::ECDHE_ECDSA_AES_128_GCM_SHA256);
        let mut server_random = random::<32>().to_vec();
        if let Some(sentinel) = hello.sentinel {
            server_random[24..].copy_from_slice(&sentinel);
        }
        let mut extensions = Vec::new();
        if let Some(renegotiated) = &hello.renegotiation_info {
            extensions.extend(extension(0xff01, &vec(1, renegotiated)));
        }
        if hello.extended_master_secret {
            extensions.extend(extension(23, &[]));
        }
        for (kind, data) in &hello.extra {
            extensions.extend(extension(*kind, data));
        }
        let session_id = self.session_id_echo(hello.echo_session_id);
        let body = [
            &hello.version.to_be_bytes()[..],
            &server_random,
            &vec(1, &session_id),
            &suite.to_be_bytes(),
            &[hello.compression],
            &vec(2, &extensions),
        ]
        .concat();
        self.emit(handshake(2, &body));
        self.suite = suite;
        self.tls12 = Some(Tls12 {
            server_random,
            extended_master_secret: hello.extended_master_secret,
            rsa: schedule::tls12_suite(suite) == Some(true),
            exchange: None,
            master: None,
            client_key: None,
            server_key: None,
        });
    }

    fn server_key_exchange(&mut self, exchange: KeyExchange) {
        let Some(server_random) = self.tls12.as_ref().map(|t| t.server_random.clone()) else {
            return;
        };
        let group = exchange.group.unwrap_or_else(|| {
            self.hello
                .groups
                .iter()
                .copied()
                .find(|g| matches!(*g, schedule::X25519 | schedule::SECP256R1))
                .unwrap_or(schedule::X25519)
        });
        let secret = random::<32>();
        let public = match (exchange.share, schedule::public_share(group, secret)) {
            (Some(share), _) => share,
            (None, Some(public)) => {
                if let Some(tls12) = self.tls12.as_mut() {
                    tls12.exchange = Some((group, secret));
                }
                public
            }
            // A group the server does not implement (secp384r1): a point of its form.
            (None, None) => [&[4u8][..], &random::<96>()].concat(),
        };
        // RFC 8422, 5.4: named_curve, the group, the point.
        let params = [&[3u8][..], &group.to_be_bytes(), &vec(1, &public)].concat();
        let client_random = if exchange.this_handshake {
            self.hello.random.clone()
        } else {
            vec![0; 32]
        };
        let content = [&client_random[..], &server_random, &params].concat();
        let body = [params, self.sign(exchange.signature, &content)].concat();
        self.emit(handshake(12, &body));
    }

    /// The premaster, master secret and keys from the client's point.
    fn client_key_exchange(&mut self, body: &[u8]) -> io::Result<()> {
        let share = Reader(body)
            .vec(1)
            .ok_or_else(|| io::Error::other("a malformed ClientKeyExchange"))?;
        let (suite, client_random) = (self.suite, self.hello.random.clone());
        let Some(tls12) = self.tls12.as_mut() else {
            return Ok(());
        };
        let (group, secret) = tls12
            .exchange
            .ok_or_else(|| io::Error::other("a ClientKeyExchange without the server's"))?;
        let premaster = schedule::shared_secret(group, secret, share)
            .ok_or_else(|| io::Error::other("a ClientKeyExchange that is no point"))?;
        let master = Master::new(
            Hash::of(suite),
            &premaster,
            tls12.extended_master_secret,
            &self.transcript,
            &client_random,
            &tls12.server_random,
        );
        let (client, server) = master.keys(suite, &client_random, &tls12.server_random);
        tls12.client_key = Some(client);
        tls12.server_key = Some(server);
        tls12.master = Some(master);
        Ok(())
    }

    fn finished(&mut self, valid: bool) {
        if let Some(tls12) = &self.tls12 {
            let mut verify_data = match &tls12.master {
                Some(master) => master.finished(b"server finished", &self.transcript),
                None => random::<12>().to_vec(),
            };
            self.verified = valid && tls12.master.is_some();
            if !valid {
                verify_data[0] ^= 1;
            }
            self.emit(handshake(20, &verify_data));
            self.flush();
            self.server_finished = true;
            return;
        }
        let Some(secrets) = self.secrets.as_ref() else {
            return;
        };
        self.verified = valid;
        let mut verify_data = secrets
            .hash
            .finished(&secrets.server_handshake, &self.transcript);
        if !valid {
            verify_data[0] ^= 1;
        }
        self.emit(handshake(20, &verify_data));
        self.flush();
        let Some(secrets) = self.secrets.as_ref() else {
            return;
        };
        let (client, server) = secrets.application(&self.transcript);
        self.write = Some(RecordKey::new(self.suite, server));
        self.client_application = Some(client);
        self.server_finished = true;
    }

    fn new_session_ticket(&mut self, ticket_len: usize) {
        let ticket: Vec<u8> = (0..ticket_len).map(|i| i as u8).collect();
        if self.tls12.is_some() {
            // RFC 5077, 3.3: lifetime hint and ticket.
            let body = [&7200u32.to_be_bytes()[..], &vec(2, &ticket)].concat();
            self.emit(handshake(4, &body));
            return;
        }
        let body = [
            &7200u32.to_be_bytes()[..],
            &random::<4>(),
            &vec(1, &[0]),
            &vec(2, &ticket),
            &vec(2, &[]),
        ]
        .concat();
        self.emit(handshake(4, &body));
    }

    // ---- Sending ------------------------------------------------------------------------

    /// A handshake message, in the transcript until the server's Finished.
    fn emit(&mut self, message: Vec<u8>) {
        if !self.server_finished {
            self.transcript.extend_from_slice(&message);
        }
        let encrypted = self.write.is_some() && !std::mem::take(&mut self.plain_next);
        if encrypted != self.pending_encrypted {
            self.flush();
        }
        self.pending_encrypted = encrypted;
        self.pending.extend(message);
        if !self.coalesce {
            self.flush();
        }
    }

    /// The pending handshake messages, in records of at most `fragment` bytes.
    fn flush(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        for (i, chunk) in pending.chunks(self.fragment).enumerate() {
            if i == 1
                && let Some((kind, body, encrypted)) = self.interleave.take()
            {
                if encrypted {
                    self.encrypted(kind, &body);
                } else {
                    self.output
                        .extend(plain_record(self.record_version, kind, &body));
                }
            }
            if self.pending_encrypted {
                self.encrypted(22, chunk);
            } else {
                self.output
                    .extend(plain_record(self.record_version, 22, chunk));
            }
        }
    }

    /// One record of `kind`: encrypted once there are keys, else in the clear.
    fn record(&mut self, kind: u8, body: &[u8]) {
        self.flush();
        if self.write.is_some() {
            self.encrypted(kind, body);
        } else {
            self.output
                .extend(plain_record(self.record_version, kind, body));
        }
    }

    fn encrypted(&mut self, kind: u8, body: &[u8]) {
        if let Some(key) = self.write.as_mut() {
            let record = key.seal_record(self.record_version, kind, body, self.padding);
            self.output.extend(record);
        }
    }

    /// The response from where it stopped up to `upto`.
    fn respond(&mut self, upto: usize) {
        let upto = upto.clamp(self.response_sent, self.response.len());
        let part = self.response[self.response_sent..upto].to_vec();
        self.response_sent = upto;
        for chunk in part.chunks(MAX_PLAINTEXT) {
            self.record(23, chunk);
        }
    }

    /// Writes what is queued (byte by byte when dripping).
    fn send(&mut self) -> io::Result<()> {
        self.flush();
        let output = std::mem::take(&mut self.output);
        match self.drip {
            Some(interval) => {
                for byte in output {
                    self.tcp.write_all(&[byte])?;
                    thread::sleep(interval);
                    self.check_limits()?;
                }
                Ok(())
            }
            None => self.tcp.write_all(&output),
        }
    }

    // ---- Receiving ----------------------------------------------------------------------

    fn check_limits(&self) -> io::Result<()> {
        if self.stop.load(Ordering::SeqCst) {
            return Err(io::Error::other("stopped"));
        }
        if self.started.elapsed() > CONNECTION_LIMIT {
            return Err(io::Error::other("connection limit reached"));
        }
        Ok(())
    }

    /// One record from the client, its body without the header: `None` at the end of the
    /// connection.
    fn read_record(&mut self) -> io::Result<Option<(u8, Vec<u8>)>> {
        Ok(self
            .read_record_whole()?
            .map(|(kind, record)| (kind, record[5..].to_vec())))
    }

    fn note_alert(&self, body: &[u8]) {
        match body {
            [1, description, ..] => self.seen().warnings.push(*description),
            [_, description, ..] => self.seen().alerts.push(*description),
            _ => {}
        }
    }

    /// Reads and acts on one record of the client's after its ClientHello.
    fn read_event(&mut self) -> io::Result<()> {
        self.send()?;
        let Some((kind, record)) = self.read_record_whole()? else {
            return Err(eof("more"));
        };
        let (header, body) = record.split_at(5);
        // TLS 1.3 protects application data records only; TLS 1.2 every record after the
        // client's ChangeCipherSpec but another ChangeCipherSpec.
        let protected = match kind {
            20 => {
                // In TLS 1.2 the client's keys go into use (in TLS 1.3: nothing).
                if let Some(key) = self.tls12.as_mut().and_then(|t| t.client_key.take()) {
                    self.read = Some(key);
                }
                return Ok(());
            }
            23 => true,
            21 | 22 if self.tls12.is_some() => self.read.is_some(),
            21 => false,
            _ => {
                return Err(io::Error::other(format!(
                    "a plaintext record of type {kind}"
                )));
            }
        };
        let (kind, content) = if protected {
            self.read
                .as_mut()
                .ok_or_else(|| io::Error::other("an encrypted record before the keys"))?
                .open(header, body)
                .ok_or_else(|| io::Error::other("a record that does not decrypt"))?
        } else {
            (kind, body.to_vec())
        };
        match kind {
            21 => self.note_alert(&content),
            22 => self.client_handshake(&content)?,
            23 => {
                let mut seen = self.seen();
                if !self.verified {
                    seen.early_application += content.len();
                }
                seen.application.extend(content);
            }
            other => return Err(io::Error::other(format!("inner content type {other}"))),
        }
        Ok(())
    }

    fn read_record_whole(&mut self) -> io::Result<Option<(u8, Vec<u8>)>> {
        let mut chunk = [0u8; 4096];
        loop {
            if self.input.len() >= 5 {
                let len = usize::from(u16::from_be_bytes([self.input[3], self.input[4]]));
                if self.input.len() >= 5 + len {
                    let record: Vec<u8> = self.input.drain(..5 + len).collect();
                    return Ok(Some((record[0], record)));
                }
            }
            self.check_limits()?;
            match self.tcp.read(&mut chunk) {
                Ok(0) => return Ok(None),
                Ok(n) => self.input.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => {
                    if e.kind() == io::ErrorKind::ConnectionReset {
                        self.seen().reset = true;
                    }
                    return Err(e);
                }
            }
        }
    }

    /// The client's handshake messages (each in a record of its own).
    fn client_handshake(&mut self, messages: &[u8]) -> io::Result<()> {
        let mut r = Reader(messages);
        while !r.0.is_empty() {
            let start = r.0;
            let kind = r.u8().ok_or_else(|| io::Error::other("a cut message"))?;
            let body = r.vec(3).ok_or_else(|| io::Error::other("a cut message"))?;
            let message = &start[..4 + body.len()];
            match kind {
                // The empty Certificate that answers a CertificateRequest.
                11 => self.transcript.extend_from_slice(message),
                16 if self.tls12.is_some() => {
                    self.transcript.extend_from_slice(message);
                    self.client_key_exchange(body)?;
                }
                20 if self.tls12.is_some() => {
                    let right = self
                        .tls12
                        .as_ref()
                        .and_then(|t| t.master.as_ref())
                        .is_some_and(|master| {
                            master.finished(b"client finished", &self.transcript) == body
                        });
                    self.transcript.extend_from_slice(message);
                    self.seen().client_finished = Some(right);
                }
                20 => {
                    let right = self.secrets.as_ref().is_some_and(|secrets| {
                        secrets
                            .hash
                            .finished(&secrets.client_handshake, &self.transcript)
                            == body
                    });
                    self.seen().client_finished = Some(right);
                    if let Some(secret) = self.client_application.take() {
                        self.read = Some(RecordKey::new(self.suite, secret));
                    }
                }
                24 => {
                    self.seen().key_updates += 1;
                    if let Some(key) = self.read.as_mut() {
                        key.update();
                    }
                }
                other => return Err(io::Error::other(format!("a client message {other}"))),
            }
        }
        Ok(())
    }

    /// Sends what is queued, then reads (and records) until the client closes.
    fn drain(&mut self) -> io::Result<()> {
        loop {
            match self.read_event() {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }
}

/// The supported_versions extension of a ServerHello or HelloRetryRequest.
fn supported_versions(version: Version) -> Vec<u8> {
    match version {
        Version::Tls13 => extension(43, &[3, 4]),
        Version::Absent => Vec::new(),
        Version::Other(version) => extension(43, &version.to_be_bytes()),
    }
}

fn plain_record(version: u16, kind: u8, body: &[u8]) -> Vec<u8> {
    [&[kind][..], &version.to_be_bytes(), &vec(2, body)].concat()
}

fn eof(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("the client closed before {what}"),
    )
}
