//! A loopback HTTPS server that emulates Juspay's customer API: Get, Create and Update.
//!
//! It makes a CA and a server certificate at start (rcgen), listens on 127.0.0.1 on a free
//! port, and answers like the API: customers kept in memory per merchant account
//! ([`ACCOUNTS`]; the demo merchant starts with the documentation customers), Get by id or
//! object_reference_id, Create (`POST /customers`, the duplicate error, the documented
//! field errors), Update (`POST /customers/{id}`), 404 for unknown ids, 401 for a wrong
//! key or merchant, and a fresh client auth token (expiry now + 15 min) when asked. A script of [`Step`]s lets tests
//! make it misbehave, [`Options::certificate`] makes it present any certificate chain, and
//! tables drive the transports' tests: network faults ([`faults`]), certificates
//! ([`certificates`]), and hostile TLS 1.3 servers ([`hostile`]: a scriptable server of
//! our own, since rustls cannot misbehave on demand). One implementation serves the tests,
//! the benchmarks and the demo. [`wycheproof`] puts Wycheproof's P-256 vectors in a form a
//! firmware reads.
//!
//! ```
//! let sandbox = juspay_sandbox::Sandbox::start().unwrap();
//! assert!(sandbox.base_url().starts_with("https://127.0.0.1:"));
//! assert!(sandbox.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
//! ```
#![deny(missing_docs)]
#![warn(unreachable_pub)]

/// The README's Rust examples: compiled by `cargo test --workspace`, and run where they
/// need no network. Here because this crate depends on every transport.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use base64::Engine as _;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::{ServerConfig, ServerConnection, StreamOwned, SupportedProtocolVersion};

pub mod certificates;
pub mod flight;
pub mod hostile;
pub mod wycheproof;

/// The API key the sandbox accepts.
pub const DEMO_API_KEY: &str = "sandbox_demo_key_0123456789abcdef";
/// The merchant id the sandbox accepts.
pub const DEMO_MERCHANT_ID: &str = "sandbox_merchant";
/// A second merchant account, for clients that serve several (it starts with no customers).
pub const OTHER_API_KEY: &str = "sandbox_other_key_fedcba9876543210";
/// The second account's merchant id.
pub const OTHER_MERCHANT_ID: &str = "sandbox_other_merchant";
/// The accounts the sandbox accepts: API key and merchant id.
pub const ACCOUNTS: [(&str, &str); 2] = [
    (DEMO_API_KEY, DEMO_MERCHANT_ID),
    (OTHER_API_KEY, OTHER_MERCHANT_ID),
];

/// Ids with this prefix (then ASCII letters, digits, `_` or `-`) name customers the sandbox
/// makes up on the spot: `cst_gen_42` is answered with id `cst_gen_42`, object_reference_id
/// `42@example.com` and first name `42`, so that concurrent calls can each check they got
/// their own.
pub const GENERATED_ID_PREFIX: &str = "cst_gen_";

/// The documentation customers, as the API documents them.
const CUSTOMERS: [(&str, &str, &str); 2] = [
    (
        "cst_om2l6ctlptxwxuzj",
        "customer@gmail.com",
        r#""id":"cst_om2l6ctlptxwxuzj","object":"customer","object_reference_id":"customer@gmail.com","mobile_number":"9988776655","date_created":"2016-08-02T08:07:52+0000","last_updated":"2016-08-02T08:07:52+0000","email_address":"customer@gmail.com","first_name":"John","last_name":"Smith","mobile_country_code":"91""#,
    ),
    (
        "cst_tooedar2k7j1d60b",
        "customer",
        r#""object_reference_id":"customer","object":"customer","mobile_number":"9999999999","mobile_country_code":"91","last_updated":"2020-03-17T14:29:17Z","last_name":"al","id":"cst_tooedar2k7j1d60b","first_name":"name","email_address":"test@juspay.in","date_created":"2020-03-17T14:29:17Z""#,
    ),
];

const NOT_FOUND: &str = r#"{"error_message": "Cannot find what you are looking for","status": "invalid_request_error","error_code": "object_not_found","error_info": {"user_message": "Cannot process your request as customer account not found.","developer_message": "Customer account not found.","code": "RESOURCE_NOT_FOUND","category": "USER_ERROR"}}"#;
const ALREADY_EXISTS: &str = r#"{"error_message":"Customer with given object reference id already exist for your account.","status":"invalid_request_error","error_code":"unique","error_info":{"user_message":"Already exists.","developer_message":"Customer account with given object reference already exists.","code":"ALREADY_EXISTS","category":"USER_ERROR"}}"#;
const UNAUTHORIZED: &str = r#"{"status":"error","error_code":"access_denied","error_info": {"user_message":"Unauthorized.","developer_message":"Invalid API Key. Please pass a valid and active api key.","code":"UNAUTHORIZED","category":"USER_ERROR"}}"#;

/// Names and addresses in the server certificate.
const CERTIFICATE_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// A recorded response from `core/tests/vectors/`, for tests that make the sandbox send it.
///
/// The one copy of the recorded responses is core's: the published juspay-core runs its own
/// tests on them, so they stay inside that crate and everything else reads them there.
pub fn vector(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../core/tests/vectors/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// What the sandbox does with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Answer like the API and keep the connection.
    Api,
    /// Answer like the API, then close the connection (the client still thinks it alive).
    ApiThenClose,
    /// Send these bytes as the response and keep the connection.
    Raw(Vec<u8>),
    /// Send these bytes, then close the connection.
    RawThenClose(Vec<u8>),
    /// Send these bytes, then reset the connection (TCP RST).
    RawThenReset(Vec<u8>),
    /// Send these bytes (a head, say), then hold the connection open without more.
    RawThenStall(Vec<u8>),
    /// Send these bytes one at a time, `interval` apart, and keep the connection.
    Drip(Vec<u8>, Duration),
    /// Send nothing and hold the connection open.
    Stall,
    /// Close the connection without answering.
    Close,
    /// Answer like the API, then send a TLS 1.3 KeyUpdate (rustls's
    /// `refresh_traffic_keys`) and keep the connection: the client meets it before its next
    /// response, with new keys.
    ApiThenKeyUpdate,
}

/// How the sandbox meets one new connection, before any request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handshake {
    /// A normal TLS handshake with the server certificate.
    Tls,
    /// Answer the ClientHello with plain-text bytes that are not TLS.
    Garbage,
    /// Answer the ClientHello with a fatal TLS alert (handshake_failure).
    Alert,
    /// TLS with a certificate that expired yesterday (signed by the sandbox's CA).
    ExpiredCertificate,
    /// TLS with a certificate for `elsewhere.example` (signed by the sandbox's CA).
    OtherHostCertificate,
    /// TLS with a self-signed certificate for the right names.
    SelfSignedCertificate,
    /// A normal TLS handshake whose every byte from the server comes this long after the
    /// one before: each read of the client succeeds in time, the handshake never does.
    Drip(Duration),
    /// A normal TLS handshake whose server side stops after this many bytes and holds the
    /// connection open.
    StallAfter(usize),
}

/// A certificate chain and its private key, as a TLS server presents them.
pub struct ServerCertificate {
    /// The certificates in the order sent: the end-entity certificate first, then the rest
    /// (normally the intermediates; a test may send them out of order or add others).
    pub chain: Vec<CertificateDer<'static>>,
    /// The end-entity certificate's private key.
    pub key: PrivateKeyDer<'static>,
}

impl Clone for ServerCertificate {
    fn clone(&self) -> Self {
        ServerCertificate {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

impl std::fmt::Debug for ServerCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerCertificate")
            .field("chain", &format_args!("{} certificates", self.chain.len()))
            .finish_non_exhaustive()
    }
}

/// Which TLS versions the server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsVersions {
    /// TLS 1.2 and 1.3.
    Both,
    /// TLS 1.2 only.
    Tls12Only,
    /// TLS 1.3 only.
    Tls13Only,
}

/// The one key-exchange group a sandbox accepts, so that a client whose first key share is
/// in the other group meets a HelloRetryRequest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnlyGroup {
    /// x25519 only.
    X25519,
    /// secp256r1 only.
    Secp256r1,
}

/// How to start a [`Sandbox`].
#[derive(Debug, Clone)]
pub struct Options {
    /// Accept only this key-exchange group; `None`: rustls's defaults (X25519, P-256,
    /// P-384).
    pub only_group: Option<OnlyGroup>,
    /// TLS versions offered.
    pub tls_versions: TlsVersions,
    /// Steps taken for the requests in order, across connections; then [`Step::Api`].
    pub script: Vec<Step>,
    /// How the connections are met, in order; then [`Handshake::Tls`].
    pub handshakes: Vec<Handshake>,
    /// Address to listen on (port 0: any free port).
    pub listen: SocketAddr,
    /// What [`Handshake::Tls`] presents; `None`: a certificate made at start for
    /// `localhost`, `127.0.0.1` and `::1`, signed by the sandbox's CA.
    pub certificate: Option<ServerCertificate>,
    /// The first this many "not found" answers wait for one another (up to 5 s) before
    /// they are sent: clients that get-or-create the same customer at once then all see it
    /// missing, and all but one meet the duplicate error. 0: no waiting.
    pub rendezvous: usize,
    /// Close a connection (close_notify, then FIN) that waits this long for its next
    /// request, as servers and load balancers close idle keep-alive connections; `None`:
    /// 30 s, without close_notify.
    pub idle_timeout: Option<Duration>,
    /// The cipher suites the server accepts, in its order of preference; empty: all of
    /// ring's.
    pub cipher_suites: Vec<rustls::SupportedCipherSuite>,
    /// Where the server logs its TLS secrets (the labels of the NSS key log format), for
    /// tests that make records as the server would.
    pub key_log: Option<Arc<dyn rustls::KeyLog>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            only_group: None,
            tls_versions: TlsVersions::Both,
            script: Vec::new(),
            handshakes: Vec::new(),
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            certificate: None,
            rendezvous: 0,
            idle_timeout: None,
            cipher_suites: Vec::new(),
            key_log: None,
        }
    }
}

struct Shared {
    script: Mutex<VecDeque<Step>>,
    handshake_script: Mutex<VecDeque<Handshake>>,
    /// The server configuration for each [`Handshake`] that uses TLS.
    configs: Vec<(Handshake, Arc<ServerConfig>)>,
    handshakes: AtomicUsize,
    requests: AtomicUsize,
    /// TCP connections open now, and the most open at once.
    open: AtomicUsize,
    peak_open: AtomicUsize,
    idle_timeout: Option<Duration>,
    stop: AtomicBool,
    store: Mutex<Store>,
    rendezvous: Rendezvous,
}

/// A running sandbox; it stops when dropped.
pub struct Sandbox {
    address: SocketAddr,
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    shared: Arc<Shared>,
}

impl Sandbox {
    /// Starts a sandbox with the default [`Options`].
    pub fn start() -> io::Result<Sandbox> {
        Sandbox::start_with(Options::default())
    }

    /// Starts a sandbox that follows `script`, then answers like the API.
    pub fn scripted(script: Vec<Step>) -> io::Result<Sandbox> {
        Sandbox::start_with(Options {
            script,
            ..Options::default()
        })
    }

    /// Starts a sandbox that meets its first connection with `handshake`.
    pub fn meeting(handshake: Handshake) -> io::Result<Sandbox> {
        Sandbox::start_with(Options {
            handshakes: vec![handshake],
            ..Options::default()
        })
    }

    /// Starts a sandbox.
    pub fn start_with(options: Options) -> io::Result<Sandbox> {
        let versions: &[&'static SupportedProtocolVersion] = match options.tls_versions {
            TlsVersions::Both => &[&rustls::version::TLS13, &rustls::version::TLS12],
            TlsVersions::Tls12Only => &[&rustls::version::TLS12],
            TlsVersions::Tls13Only => &[&rustls::version::TLS13],
        };
        let ca = make_ca().map_err(io::Error::other)?;
        let now = time::OffsetDateTime::now_utc();
        let valid = (
            now - time::Duration::days(1),
            now + time::Duration::days(365),
        );
        let expired = (
            now - time::Duration::days(30),
            now - time::Duration::days(1),
        );
        let names = || CERTIFICATE_NAMES.map(str::to_owned).to_vec();
        let mut configs = Vec::new();
        for handshake in [
            Handshake::Tls,
            Handshake::ExpiredCertificate,
            Handshake::OtherHostCertificate,
            Handshake::SelfSignedCertificate,
        ] {
            if handshake != Handshake::Tls && !options.handshakes.contains(&handshake) {
                continue;
            }
            let certificate = match (handshake, &options.certificate) {
                (Handshake::Tls, Some(certificate)) => certificate.clone(),
                _ => {
                    let (names, validity, self_signed) = match handshake {
                        Handshake::ExpiredCertificate => (names(), expired, false),
                        Handshake::OtherHostCertificate => {
                            (vec!["elsewhere.example".to_owned()], valid, false)
                        }
                        Handshake::SelfSignedCertificate => (names(), valid, true),
                        _ => (names(), valid, false),
                    };
                    make_leaf(&ca, names, validity, self_signed).map_err(io::Error::other)?
                }
            };
            configs.push((handshake, server_config(versions, certificate, &options)?));
        }
        let listener = TcpListener::bind(options.listen)?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            script: Mutex::new(options.script.into()),
            handshake_script: Mutex::new(options.handshakes.into()),
            configs,
            handshakes: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
            open: AtomicUsize::new(0),
            peak_open: AtomicUsize::new(0),
            idle_timeout: options.idle_timeout,
            stop: AtomicBool::new(false),
            store: Mutex::new(Store::with_documentation_customers()),
            rendezvous: Rendezvous::new(options.rendezvous),
        });
        let accept_shared = shared.clone();
        thread::Builder::new()
            .name("sandbox-accept".into())
            .spawn(move || {
                for tcp in listener.incoming() {
                    if accept_shared.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(tcp) = tcp else { continue };
                    let shared = accept_shared.clone();
                    let open = shared.open.fetch_add(1, Ordering::SeqCst) + 1;
                    shared.peak_open.fetch_max(open, Ordering::SeqCst);
                    let _ = thread::Builder::new()
                        .name("sandbox-conn".into())
                        .spawn(move || {
                            if let Err(e) = serve(tcp, &shared) {
                                log::debug!("sandbox connection ended: {e}");
                            }
                            shared.open.fetch_sub(1, Ordering::SeqCst);
                        });
                }
            })?;
        Ok(Sandbox {
            address,
            ca_pem: ca.pem(),
            ca_der: ca.der().clone(),
            shared,
        })
    }

    /// `https://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("https://{}", self.address)
    }

    /// The listening address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The sandbox's CA certificate, PEM: it signed the certificates the sandbox makes
    /// (not one given in [`Options::certificate`]).
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The sandbox's CA certificate, DER.
    pub fn ca_der(&self) -> CertificateDer<'static> {
        self.ca_der.clone()
    }

    /// Completed TLS handshakes so far.
    pub fn handshakes(&self) -> usize {
        self.shared.handshakes.load(Ordering::SeqCst)
    }

    /// Requests read so far.
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// The customers `merchant_id` holds, as the JSON Get answers (without `juspay`), in
    /// the order they were created.
    pub fn customers(&self, merchant_id: &str) -> Vec<String> {
        self.shared
            .store
            .lock()
            .map(|store| {
                store
                    .customers
                    .iter()
                    .filter(|c| c.merchant == merchant_id)
                    .map(|c| format!("{{{}}}", c.json()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// TCP connections open now (the server's side has not ended yet).
    pub fn open_connections(&self) -> usize {
        self.shared.open.load(Ordering::SeqCst)
    }

    /// The most TCP connections that were open at once.
    pub fn peak_open_connections(&self) -> usize {
        self.shared.peak_open.load(Ordering::SeqCst)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.address, Duration::from_millis(200));
    }
}

fn make_ca() -> Result<CertifiedIssuer<'static, KeyPair>, rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "juspay sandbox CA");
    CertifiedIssuer::self_signed(params, KeyPair::generate()?)
}

/// A TLS server configuration that presents `certificate` as it is, with the group,
/// suites and key log of `options`.
fn server_config(
    versions: &[&'static SupportedProtocolVersion],
    certificate: ServerCertificate,
    options: &Options,
) -> io::Result<Arc<ServerConfig>> {
    let mut provider = rustls::crypto::ring::default_provider();
    if !options.cipher_suites.is_empty() {
        provider.cipher_suites = options.cipher_suites.clone();
    }
    match options.only_group {
        Some(OnlyGroup::X25519) => {
            provider.kx_groups = vec![rustls::crypto::ring::kx_group::X25519]
        }
        Some(OnlyGroup::Secp256r1) => {
            provider.kx_groups = vec![rustls::crypto::ring::kx_group::SECP256R1]
        }
        None => {}
    }
    let provider = Arc::new(provider);
    let key = provider
        .key_provider
        .load_private_key(certificate.key)
        .map_err(io::Error::other)?;
    // Not `with_single_cert`: it parses the end-entity certificate to compare keys, and
    // that parse refuses some of the certificates a client must be shown to judge them
    // (an unknown critical extension).
    let certified = CertifiedKey::new(certificate.chain, key);
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(SingleCertAndKey::from(certified)));
    if let Some(key_log) = &options.key_log {
        config.key_log = key_log.clone();
    }
    Ok(Arc::new(config))
}

fn make_leaf(
    ca: &CertifiedIssuer<'static, KeyPair>,
    names: Vec<String>,
    (not_before, not_after): (time::OffsetDateTime, time::OffsetDateTime),
    self_signed: bool,
) -> Result<ServerCertificate, rcgen::Error> {
    let mut params = CertificateParams::new(names)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "juspay sandbox");
    params.not_before = not_before;
    params.not_after = not_after;
    let key = KeyPair::generate()?;
    let chain = if self_signed {
        vec![params.self_signed(&key)?.der().clone()]
    } else {
        vec![params.signed_by(&key, ca)?.der().clone(), ca.der().clone()]
    };
    Ok(ServerCertificate {
        chain,
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    })
}

fn serve(mut tcp: TcpStream, shared: &Shared) -> io::Result<()> {
    tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
    tcp.set_nodelay(true)?;
    let handshake = lock(&shared.handshake_script)?
        .pop_front()
        .unwrap_or(Handshake::Tls);
    match handshake {
        Handshake::Garbage | Handshake::Alert => {
            let mut client_hello = [0u8; 512];
            let _ = tcp.read(&mut client_hello)?;
            let answer: &[u8] = if handshake == Handshake::Garbage {
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
            } else {
                // A plain-text alert record: TLS 1.2 framing, fatal (2), handshake_failure (40).
                &[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]
            };
            tcp.write_all(answer)?;
            return tcp.shutdown(Shutdown::Both);
        }
        _ => {}
    }
    // A paced handshake is a normal one, sent slowly.
    let certificate = match handshake {
        Handshake::Drip(_) | Handshake::StallAfter(_) => Handshake::Tls,
        other => other,
    };
    let config = shared
        .configs
        .iter()
        .find(|(kind, _)| *kind == certificate)
        .map(|(_, config)| config.clone())
        .ok_or_else(|| io::Error::other("no configuration for this handshake"))?;
    let mut tls = StreamOwned::new(
        ServerConnection::new(config).map_err(io::Error::other)?,
        tcp,
    );
    let (interval, limit) = match handshake {
        Handshake::Drip(interval) => (Some(interval), None),
        Handshake::StallAfter(bytes) => (None, Some(bytes)),
        _ => (None, None),
    };
    let mut paced = Paced {
        tcp: &mut tls.sock,
        interval,
        limit,
        shared,
    };
    while tls.conn.is_handshaking() {
        tls.conn.complete_io(&mut paced)?;
    }
    shared.handshakes.fetch_add(1, Ordering::SeqCst);
    let mut buffer = Vec::with_capacity(4096);
    let close = |mut tls: StreamOwned<ServerConnection, TcpStream>| {
        tls.conn.send_close_notify();
        let _ = tls.flush();
        tls.sock.shutdown(Shutdown::Both)
    };
    let mut first = true;
    loop {
        if let (Some(idle), false) = (shared.idle_timeout, first) {
            tls.sock.set_read_timeout(Some(idle))?;
        }
        let head_len = match read_head(&mut tls, &mut buffer) {
            Ok(Some(head_len)) => head_len,
            Ok(None) => return Ok(()),
            Err(e)
                if shared.idle_timeout.is_some()
                    && buffer.is_empty()
                    && matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
            {
                return close(tls);
            }
            Err(e) => return Err(e),
        };
        first = false;
        let body_len = content_length(buffer.get(..head_len).unwrap_or_default());
        if !read_body(&mut tls, &mut buffer, head_len + body_len)? {
            return Ok(());
        }
        shared.requests.fetch_add(1, Ordering::SeqCst);
        let step = lock(&shared.script)?.pop_front().unwrap_or(Step::Api);
        let request = buffer
            .get(..head_len + body_len)
            .unwrap_or_default()
            .to_vec();
        buffer.drain(..head_len + body_len);
        match step {
            Step::Api => send(
                &mut tls,
                &answer(&request, head_len, &shared.store, &shared.rendezvous),
            )?,
            Step::ApiThenClose => {
                send(
                    &mut tls,
                    &answer(&request, head_len, &shared.store, &shared.rendezvous),
                )?;
                return close(tls);
            }
            Step::Raw(bytes) => send(&mut tls, &bytes)?,
            Step::RawThenClose(bytes) => {
                send(&mut tls, &bytes)?;
                return close(tls);
            }
            Step::RawThenReset(bytes) => {
                send(&mut tls, &bytes)?;
                // SO_LINGER 0: closing sends RST instead of FIN.
                socket2::SockRef::from(&tls.sock).set_linger(Some(Duration::ZERO))?;
                return Ok(());
            }
            Step::Drip(bytes, interval) => {
                for byte in bytes {
                    send(&mut tls, &[byte])?;
                    thread::sleep(interval);
                }
            }
            Step::RawThenStall(bytes) => {
                send(&mut tls, &bytes)?;
                stall(shared);
                return Ok(());
            }
            Step::Stall => {
                stall(shared);
                return Ok(());
            }
            Step::Close => return tls.sock.shutdown(Shutdown::Both),
            Step::ApiThenKeyUpdate => {
                send(
                    &mut tls,
                    &answer(&request, head_len, &shared.store, &shared.rendezvous),
                )?;
                tls.conn.refresh_traffic_keys().map_err(io::Error::other)?;
                tls.flush()?;
            }
        }
    }
}

/// The server's side of a handshake as [`Handshake::Drip`] and [`Handshake::StallAfter`]
/// send it: one byte per `interval`, nothing after `limit` bytes.
struct Paced<'a> {
    tcp: &'a mut TcpStream,
    interval: Option<Duration>,
    limit: Option<usize>,
    shared: &'a Shared,
}

impl Read for Paced<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.tcp.read(buf)
    }
}

impl Write for Paced<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.limit == Some(0) {
            stall(self.shared);
            return Err(io::Error::other("stalled in the handshake"));
        }
        let Some(interval) = self.interval else {
            let n = self.limit.map_or(buf.len(), |limit| limit.min(buf.len()));
            let n = self.tcp.write(buf.get(..n).unwrap_or_default())?;
            self.limit = self.limit.map(|limit| limit.saturating_sub(n));
            return Ok(n);
        };
        thread::sleep(interval);
        if self.shared.stop.load(Ordering::SeqCst) {
            return Err(io::Error::other("sandbox stopped"));
        }
        self.tcp.write(buf.get(..1).unwrap_or_default())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

fn send(tls: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    tls.write_all(bytes)?;
    tls.flush()
}

fn stall(shared: &Shared) {
    while !shared.stop.load(Ordering::SeqCst) {
        thread::sleep(Duration::from_millis(50));
    }
}

fn lock<T>(mutex: &Mutex<T>) -> io::Result<std::sync::MutexGuard<'_, T>> {
    mutex
        .lock()
        .map_err(|_| io::Error::other("sandbox state poisoned"))
}

/// Reads until a whole request head is in `buffer`; `None` at the end of the connection.
fn read_head(tls: &mut impl Read, buffer: &mut Vec<u8>) -> io::Result<Option<usize>> {
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            return Ok(Some(end + 4));
        }
        if buffer.len() > 64 * 1024 {
            return Err(io::Error::other("request head too large"));
        }
        match tls.read(&mut chunk) {
            Ok(0) => return Ok(None),
            Ok(n) => buffer.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
    }
}

/// A request's `Content-Length` (0 when absent or unreadable).
fn content_length(head: &[u8]) -> usize {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    if request.parse(head).is_err() {
        return 0;
    }
    request
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse().ok())
        .unwrap_or(0)
}

/// Reads until `buffer` holds `len` bytes; `false` at the end of the connection.
fn read_body(tls: &mut impl Read, buffer: &mut Vec<u8>, len: usize) -> io::Result<bool> {
    if len > 64 * 1024 {
        return Err(io::Error::other("request body too large"));
    }
    let mut chunk = [0u8; 4096];
    while buffer.len() < len {
        match tls.read(&mut chunk) {
            Ok(0) => return Ok(false),
            Ok(n) => buffer.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// The API's answer to one request: its head is `request[..head_len]`, its body the rest.
/// Over `store`, the customers; `rendezvous` holds not-found answers back.
fn answer(
    request_bytes: &[u8],
    head_len: usize,
    store: &Mutex<Store>,
    rendezvous: &Rendezvous,
) -> Vec<u8> {
    let (head, body) = request_bytes.split_at(head_len.min(request_bytes.len()));
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    let Ok(httparse::Status::Complete(_)) = request.parse(head) else {
        return response(
            400,
            r#"{"error_message":"Bad Request","status":"invalid_request_error"}"#,
        );
    };
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
    };
    let Some(merchant) = ACCOUNTS.iter().find_map(|(key, merchant)| {
        let auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{key}:"))
        );
        let ok = header("authorization") == Some(auth.as_bytes())
            && header("x-merchantid") == Some(merchant.as_bytes());
        ok.then_some(*merchant)
    }) else {
        return response(401, UNAUTHORIZED);
    };
    let target = request.path.unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let form = form_pairs(body);
    // Get asks in the query, Create in the form.
    let wants_token = query
        .split('&')
        .any(|pair| pair == "options.get_client_auth_token=true")
        || form_value(&form, "options.get_client_auth_token") == Some("true");
    let Ok(mut store) = store.lock() else {
        return response(500, "");
    };
    let method = request.method.unwrap_or("");
    let found = match (method, path.strip_prefix("/customers")) {
        ("POST", Some("")) => {
            if let Some(field) = invalid_create(&form) {
                return response(400, &field_error(field));
            }
            let reference = form_value(&form, "object_reference_id").unwrap_or_default();
            if store.find(merchant, reference).is_some() {
                return response(400, ALREADY_EXISTS);
            }
            store.create(merchant, &form)
        }
        (_, Some(segment)) if segment.len() > 1 && segment.starts_with('/') => {
            let Some(id) = percent_decode(&segment[1..]) else {
                return response(
                    400,
                    r#"{"error_message":"Bad Request","status":"invalid_request_error"}"#,
                );
            };
            let Some(index) = store.find(merchant, &id) else {
                drop(store);
                if let (Some(fields), "GET") = (generated(&id), method) {
                    return customer_response(&fields, wants_token);
                }
                rendezvous.meet();
                return response(404, NOT_FOUND);
            };
            match method {
                "GET" => index,
                "POST" => {
                    if let Some(field) = invalid_fields(&form) {
                        return response(400, &field_error(field));
                    }
                    store.update(index, &form);
                    index
                }
                _ => return response(404, NOT_FOUND),
            }
        }
        _ => return response(404, NOT_FOUND),
    };
    let fields = store.customers[found].json();
    drop(store);
    customer_response(&fields, wants_token)
}

/// 200 with a customer object (its members in `fields`), with a fresh token when asked.
fn customer_response(fields: &str, wants_token: bool) -> Vec<u8> {
    let body = if wants_token {
        let (token, expiry) = fresh_token();
        format!(
            r#"{{{fields},"juspay":{{"client_auth_token":"{token}","client_auth_token_expiry":"{expiry}"}}}}"#
        )
    } else {
        format!("{{{fields}}}")
    };
    response(200, &body)
}

/// The members of a made-up customer for a [`GENERATED_ID_PREFIX`] id.
fn generated(id: &str) -> Option<String> {
    let suffix = id.strip_prefix(GENERATED_ID_PREFIX).filter(|suffix| {
        !suffix.is_empty()
            && suffix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })?;
    Some(format!(
        r#""id":"{id}","object":"customer","object_reference_id":"{suffix}@example.com","mobile_number":"9988776655","date_created":"2016-08-02T08:07:52+0000","last_updated":"2016-08-02T08:07:52+0000","email_address":"{suffix}@example.com","first_name":"{suffix}","last_name":"Generated","mobile_country_code":"91""#
    ))
}

/// One stored customer: its merchant and its fields, in the API's names and order.
struct Stored {
    merchant: &'static str,
    fields: Vec<(&'static str, String)>,
}

/// The fields of a customer object, in the order the API writes them.
const CUSTOMER_FIELDS: [&str; 10] = [
    "id",
    "object",
    "object_reference_id",
    "mobile_number",
    "date_created",
    "last_updated",
    "email_address",
    "first_name",
    "last_name",
    "mobile_country_code",
];

/// The fields Create and Update take besides object_reference_id.
const FORM_FIELDS: [&str; 5] = [
    "mobile_number",
    "mobile_country_code",
    "email_address",
    "first_name",
    "last_name",
];

impl Stored {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    fn set(&mut self, name: &'static str, value: String) {
        match self.fields.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.fields.push((name, value)),
        }
    }

    /// The members of its JSON object, without the braces.
    fn json(&self) -> String {
        CUSTOMER_FIELDS
            .iter()
            .filter_map(|name| Some(format!("\"{name}\":{}", json_string(self.get(name)?))))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The customers of every merchant.
struct Store {
    customers: Vec<Stored>,
    created: usize,
}

impl Store {
    /// The demo merchant's documentation customers.
    fn with_documentation_customers() -> Store {
        let customers = CUSTOMERS
            .iter()
            .map(|(_, _, json)| {
                let object: Vec<(&'static str, String)> = CUSTOMER_FIELDS
                    .iter()
                    .filter_map(|name| {
                        let key = format!("\"{name}\":\"");
                        let start = json.find(&key)? + key.len();
                        let end = start + json[start..].find('"')?;
                        Some((*name, json[start..end].to_owned()))
                    })
                    .collect();
                Stored {
                    merchant: DEMO_MERCHANT_ID,
                    fields: object,
                }
            })
            .collect();
        Store {
            customers,
            created: 0,
        }
    }

    /// The merchant's customer with this id or object_reference_id.
    fn find(&self, merchant: &str, id: &str) -> Option<usize> {
        self.customers.iter().position(|c| {
            c.merchant == merchant
                && (c.get("id") == Some(id) || c.get("object_reference_id") == Some(id))
        })
    }

    fn create(&mut self, merchant: &'static str, form: &[(String, String)]) -> usize {
        self.created += 1;
        let now = now_text();
        let mut stored = Stored {
            merchant,
            fields: vec![
                ("id", format!("cst_sbx{:013}", self.created)),
                ("object", "customer".to_owned()),
                (
                    "object_reference_id",
                    form_value(form, "object_reference_id")
                        .unwrap_or_default()
                        .to_owned(),
                ),
                ("date_created", now.clone()),
                ("last_updated", now),
            ],
        };
        for name in FORM_FIELDS {
            if let Some(value) = form_value(form, name) {
                stored.set(name, value.to_owned());
            }
        }
        self.customers.push(stored);
        self.customers.len() - 1
    }

    fn update(&mut self, index: usize, form: &[(String, String)]) {
        let Some(stored) = self.customers.get_mut(index) else {
            return;
        };
        for name in FORM_FIELDS {
            if let Some(value) = form_value(form, name) {
                stored.set(name, value.to_owned());
            }
        }
        stored.set("last_updated", now_text());
    }
}

/// Not-found answers that wait for one another: see [`Options::rendezvous`].
struct Rendezvous {
    expected: usize,
    arrived: Mutex<usize>,
    all_here: std::sync::Condvar,
}

impl Rendezvous {
    fn new(expected: usize) -> Rendezvous {
        Rendezvous {
            expected,
            arrived: Mutex::new(0),
            all_here: std::sync::Condvar::new(),
        }
    }

    fn meet(&self) {
        let Ok(mut arrived) = self.arrived.lock() else {
            return;
        };
        if *arrived >= self.expected {
            return;
        }
        *arrived += 1;
        self.all_here.notify_all();
        let _ = self
            .all_here
            .wait_timeout_while(arrived, Duration::from_secs(5), |n| *n < self.expected);
    }
}

/// The form's pairs, decoded; a body that is not a form has none.
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    let Ok(body) = std::str::from_utf8(body) else {
        return Vec::new();
    };
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |text: &str| percent_decode(&text.replace('+', " "));
            Some((decode(name)?, decode(value)?))
        })
        .collect()
}

fn form_value<'f>(form: &'f [(String, String)], name: &str) -> Option<&'f str> {
    form.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The field a Create is refused for, as the API documents it: object_reference_id and
/// mobile_number required, object_reference_id of 8 characters or more, then the fields.
fn invalid_create(form: &[(String, String)]) -> Option<&'static str> {
    let reference = form_value(form, "object_reference_id").unwrap_or_default();
    if reference.chars().count() < 8 {
        return Some("object_reference_id");
    }
    if form_value(form, "mobile_number").is_none_or(str::is_empty) {
        return Some("mobile_number");
    }
    invalid_fields(form)
}

/// The first field whose value the API documents as invalid: numbers of digits only,
/// names of letters, digits and `( ) . - _`, e-mail local parts of letters, digits and
/// ``! # $ % & ' * + - / = ? ^ _ . { | } ~ ` `` with `_` and `.` not first or last.
fn invalid_fields(form: &[(String, String)]) -> Option<&'static str> {
    let digits = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
    let name = |v: &str| {
        !v.is_empty()
            && v.chars()
                .all(|c| c.is_alphanumeric() || "().-_".contains(c))
    };
    let email = |v: &str| {
        let Some((local, domain)) = v.rsplit_once('@') else {
            return false;
        };
        let local_ok = !local.is_empty()
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_.{|}~`".contains(c))
            && !local.starts_with(['_', '.'])
            && !local.ends_with(['_', '.']);
        let domain_ok = domain.contains('.')
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        local_ok && domain_ok
    };
    FORM_FIELDS.into_iter().find(|field| {
        let Some(value) = form_value(form, field) else {
            return false;
        };
        !match *field {
            "mobile_number" | "mobile_country_code" => digits(value),
            "email_address" => email(value),
            _ => name(value),
        }
    })
}

/// The documented 400 that names one field.
fn field_error(field: &str) -> String {
    format!(
        r#"{{"error_message":"Wrong value in {field}","status":"Invalid Request","error_code":"Invalid Request","error_info":{{"user_message":"Invalid request params. Please verify your input.","fields":[{{"field_name":"{field}","reason":"Invalid value."}}],"developer_message":"Invalid request params","code":"INVALID_INPUT","category":"USER_ERROR"}}}}"#
    )
}

/// A JSON string literal.
fn json_string(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Now in the API's `Z` format.
fn now_text() -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}

fn response(status: u16, body: &str) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        _ => "Internal Server Error",
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json;charset=utf-8\r\nContent-Length: {}\r\nConnection: keep-alive\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A random token and its expiry, 15 minutes from now, in the API's `Z` format.
fn fresh_token() -> (String, String) {
    // Unique per call even if the system RNG failed: a counter fills the last bytes.
    static ISSUED: AtomicUsize = AtomicUsize::new(0);
    let mut random = [0u8; 16];
    let _ = rustls::crypto::ring::default_provider()
        .secure_random
        .fill(&mut random);
    let count = ISSUED.fetch_add(1, Ordering::Relaxed).to_be_bytes();
    for (byte, counted) in random.iter_mut().rev().zip(count.iter().rev()) {
        *byte ^= counted;
    }
    let token = format!(
        "tkn_{}",
        random
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let expiry = time::OffsetDateTime::now_utc() + time::Duration::minutes(15);
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    (token, expiry.format(&format).unwrap_or_default())
}

fn percent_decode(segment: &str) -> Option<String> {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .ok()
        .map(|id| id.into_owned())
}

/// The fault-injection table every client is tested against (juspay-transport-std, and
/// juspay-transport-embedded's blocking and async clients): what a hostile or broken
/// network does, and how a call must end. [`run`](faults::run) is the one runner they share.
pub mod faults {
    use std::time::{Duration, Instant};

    use super::{Handshake, Options, Sandbox, Step, TlsVersions};

    /// How long past its deadline a call may take to come back: scheduling on a loaded
    /// machine, and a transport's last read or write in flight.
    pub const SLACK: Duration = Duration::from_millis(1500);

    /// How one call ended, as a transport's test reports it to [`run`].
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Outcome {
        /// The documentation customer (`cst_om2l6ctlptxwxuzj`) arrived.
        Customer,
        /// The call failed in this class ([`Expected::Protocol`], [`Expected::Transport`],
        /// or [`Expected::Timeout`] for a timeout); the text is the error, for the report.
        Failed(Expected, String),
        /// Anything else (an API error, refused input, another customer), for the report.
        Other(String),
    }

    impl Outcome {
        /// Whether this is how a call under a fault expecting `expected` may end. A
        /// timeout is a transport failure too.
        pub fn meets(&self, expected: Expected) -> bool {
            match (expected, self) {
                (Expected::Customer, Outcome::Customer) => true,
                (Expected::Transport, Outcome::Failed(Expected::Timeout, _)) => true,
                (_, Outcome::Failed(failed, _)) => *failed == expected,
                _ => false,
            }
        }
    }

    /// Runs every fault of [`table`] against a client: for each, starts its sandbox
    /// speaking `versions` ([`TlsVersions::Tls12Only`]: the table over TLS 1.2),
    /// `prepare`s what the calls need (a client, or the settings to connect with), makes
    /// one `call` that must end as the fault expects within its deadline (plus [`SLACK`]),
    /// then a second that must bring the customer (the fault is over; the client, or a
    /// new connection with the same buffers, recovers). Every fault runs; the failures are
    /// reported together.
    ///
    /// # Panics
    /// When any fault's calls did not end as they must.
    pub fn run<S>(
        versions: TlsVersions,
        mut prepare: impl FnMut(&Fault, &Sandbox) -> S,
        mut call: impl FnMut(&mut S) -> Outcome,
    ) {
        let table = table();
        let mut failures = Vec::new();
        for fault in &table {
            let options = Options {
                tls_versions: versions,
                ..fault.options.clone()
            };
            let sandbox = match Sandbox::start_with(options) {
                Ok(sandbox) => sandbox,
                Err(e) => {
                    failures.push(format!("{}: the sandbox did not start: {e}", fault.name));
                    continue;
                }
            };
            let mut state = prepare(fault, &sandbox);
            let started = Instant::now();
            let first = call(&mut state);
            let elapsed = started.elapsed();
            if !first.meets(fault.expected) {
                failures.push(format!(
                    "{}: expected {:?}, got {first:?}",
                    fault.name, fault.expected
                ));
            }
            if elapsed >= fault.deadline + SLACK {
                failures.push(format!(
                    "{}: deadline of {:?} not held: {elapsed:?}",
                    fault.name, fault.deadline
                ));
            }
            let next = call(&mut state);
            if next != Outcome::Customer {
                failures.push(format!("{}: the next call: {next:?}", fault.name));
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {} faults:\n{}",
            failures.len(),
            table.len(),
            failures.join("\n")
        );
    }

    /// How a call under a fault must end.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Expected {
        /// The customer arrives.
        Customer,
        /// A malformed or incomplete response (exit 5).
        Protocol,
        /// No response: I/O or TLS failure (exit 4).
        Transport,
        /// No response before the deadline (exit 4, as a timeout).
        Timeout,
    }

    /// One fault.
    #[derive(Debug, Clone)]
    pub struct Fault {
        /// What the server does.
        pub name: &'static str,
        /// The sandbox's options for it: the fault comes first, then normal service.
        pub options: Options,
        /// How the first call ends.
        pub expected: Expected,
        /// The call's deadline.
        pub deadline: Duration,
    }

    const CUSTOMER: &[u8] = include_bytes!("../../core/tests/vectors/customer_200.http");
    const CHUNKED: &[u8] = include_bytes!("../../core/tests/vectors/customer_token_chunked.http");

    fn head_len(response: &[u8]) -> usize {
        response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or(response.len(), |i| i + 4)
    }

    fn script(step: Step) -> Options {
        Options {
            script: vec![step],
            ..Options::default()
        }
    }

    fn handshake(handshake: Handshake) -> Options {
        Options {
            handshakes: vec![handshake],
            ..Options::default()
        }
    }

    /// Every fault, in a fixed order.
    pub fn table() -> Vec<Fault> {
        let quick = Duration::from_millis(800);
        let normal = Duration::from_secs(10);
        let head = head_len(CUSTOMER);
        let fault = |name, options, expected, deadline| Fault {
            name,
            options,
            expected,
            deadline,
        };
        vec![
            fault(
                "close mid-headers",
                script(Step::RawThenClose(CUSTOMER[..head / 2].to_vec())),
                Expected::Protocol,
                normal,
            ),
            fault(
                "close mid-body",
                script(Step::RawThenClose(CUSTOMER[..head + 40].to_vec())),
                Expected::Protocol,
                normal,
            ),
            fault(
                "close mid-chunk",
                script(Step::RawThenClose(
                    CHUNKED[..head_len(CHUNKED) + 60].to_vec(),
                )),
                Expected::Protocol,
                normal,
            ),
            fault(
                "reset mid-response",
                script(Step::RawThenReset(CUSTOMER[..head / 2].to_vec())),
                Expected::Transport,
                normal,
            ),
            fault(
                "reset before answering",
                script(Step::RawThenReset(Vec::new())),
                Expected::Transport,
                normal,
            ),
            fault(
                "stall before the head",
                script(Step::Stall),
                Expected::Timeout,
                quick,
            ),
            fault(
                "stall after the head",
                script(Step::RawThenStall(CUSTOMER[..head].to_vec())),
                Expected::Timeout,
                quick,
            ),
            fault(
                "drip one byte per millisecond",
                script(Step::Drip(CUSTOMER.to_vec(), Duration::from_millis(1))),
                Expected::Customer,
                normal,
            ),
            fault(
                "drip slower than the deadline",
                script(Step::Drip(CUSTOMER.to_vec(), Duration::from_millis(20))),
                Expected::Timeout,
                quick,
            ),
            fault(
                "handshake dripped one byte per 100 ms",
                handshake(Handshake::Drip(Duration::from_millis(100))),
                Expected::Timeout,
                quick,
            ),
            fault(
                "handshake stalled after 100 bytes",
                handshake(Handshake::StallAfter(100)),
                Expected::Timeout,
                quick,
            ),
            fault(
                "TLS alert",
                handshake(Handshake::Alert),
                Expected::Transport,
                normal,
            ),
            fault(
                "garbage instead of TLS",
                handshake(Handshake::Garbage),
                Expected::Transport,
                normal,
            ),
            fault(
                "expired certificate",
                handshake(Handshake::ExpiredCertificate),
                Expected::Transport,
                normal,
            ),
            fault(
                "certificate for another host",
                handshake(Handshake::OtherHostCertificate),
                Expected::Transport,
                normal,
            ),
            fault(
                "self-signed certificate",
                handshake(Handshake::SelfSignedCertificate),
                Expected::Transport,
                normal,
            ),
        ]
    }
}
