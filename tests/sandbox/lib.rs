//! A loopback HTTPS server that emulates Juspay's `GET /customers/{customer_id}`.
//!
//! It makes a CA and a server certificate at start (rcgen), listens on 127.0.0.1 on a free
//! port, and answers like the API: the documentation customers (by id or
//! object_reference_id), 404 for unknown ids, 401 for a wrong key or merchant, and a fresh
//! client auth token (expiry now + 15 min) when asked. A script of [`Step`]s lets tests
//! make it misbehave. One implementation serves the tests, the benchmarks and the demo.
//!
//! ```
//! let sandbox = juspay_sandbox::Sandbox::start().unwrap();
//! assert!(sandbox.base_url().starts_with("https://127.0.0.1:"));
//! assert!(sandbox.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
//! ```
#![deny(missing_docs)]

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
use rustls::{ServerConfig, ServerConnection, StreamOwned, SupportedProtocolVersion};

/// The API key the sandbox accepts.
pub const DEMO_API_KEY: &str = "sandbox_demo_key_0123456789abcdef";
/// The merchant id the sandbox accepts.
pub const DEMO_MERCHANT_ID: &str = "sandbox_merchant";

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
const UNAUTHORIZED: &str = r#"{"status":"error","error_code":"access_denied","error_info": {"user_message":"Unauthorized.","developer_message":"Invalid API Key. Please pass a valid and active api key.","code":"UNAUTHORIZED","category":"USER_ERROR"}}"#;

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
    /// Send nothing and hold the connection open.
    Stall,
    /// Close the connection without answering.
    Close,
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

/// How to start a [`Sandbox`].
#[derive(Debug, Clone)]
pub struct Options {
    /// TLS versions offered.
    pub tls_versions: TlsVersions,
    /// Steps taken for the requests in order, across connections; then [`Step::Api`].
    pub script: Vec<Step>,
    /// Names and addresses in the server certificate.
    pub certificate_names: Vec<String>,
    /// Validity of the server certificate (default: from a day ago to a year ahead).
    pub certificate_validity: Option<(time::OffsetDateTime, time::OffsetDateTime)>,
    /// Address to listen on (port 0: any free port).
    pub listen: SocketAddr,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tls_versions: TlsVersions::Both,
            script: Vec::new(),
            certificate_names: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            certificate_validity: None,
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
        }
    }
}

struct Shared {
    script: Mutex<VecDeque<Step>>,
    handshakes: AtomicUsize,
    requests: AtomicUsize,
    stop: AtomicBool,
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

    /// Starts a sandbox.
    pub fn start_with(options: Options) -> io::Result<Sandbox> {
        let (ca_pem, ca_der, chain, key) = make_certificates(&options).map_err(io::Error::other)?;
        let versions: &[&'static SupportedProtocolVersion] = match options.tls_versions {
            TlsVersions::Both => &[&rustls::version::TLS13, &rustls::version::TLS12],
            TlsVersions::Tls12Only => &[&rustls::version::TLS12],
            TlsVersions::Tls13Only => &[&rustls::version::TLS13],
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .map_err(io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(io::Error::other)?;
        let config = Arc::new(config);
        let listener = TcpListener::bind(options.listen)?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            script: Mutex::new(options.script.into()),
            handshakes: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
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
                    let (config, shared) = (config.clone(), accept_shared.clone());
                    let _ = thread::Builder::new()
                        .name("sandbox-conn".into())
                        .spawn(move || {
                            if let Err(e) = serve(tcp, config, &shared) {
                                log::debug!("sandbox connection ended: {e}");
                            }
                        });
                }
            })?;
        Ok(Sandbox {
            address,
            ca_pem,
            ca_der,
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

    /// The CA certificate that signed the server certificate, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The CA certificate, DER.
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
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.address, Duration::from_millis(200));
    }
}

/// The CA (PEM and DER), the server's chain and its key.
type Certificates = (
    String,
    CertificateDer<'static>,
    Vec<CertificateDer<'static>>,
    PrivateKeyDer<'static>,
);

fn make_certificates(options: &Options) -> Result<Certificates, rcgen::Error> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "juspay sandbox CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;

    let mut params = CertificateParams::new(options.certificate_names.clone())?;
    params
        .distinguished_name
        .push(DnType::CommonName, "juspay sandbox");
    let now = time::OffsetDateTime::now_utc();
    let (not_before, not_after) = options.certificate_validity.unwrap_or((
        now - time::Duration::days(1),
        now + time::Duration::days(365),
    ));
    params.not_before = not_before;
    params.not_after = not_after;
    let key = KeyPair::generate()?;
    let leaf = params.signed_by(&key, &ca)?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Ok((
        ca.pem(),
        ca.der().clone(),
        vec![leaf.der().clone(), ca.der().clone()],
        key,
    ))
}

fn serve(tcp: TcpStream, config: Arc<ServerConfig>, shared: &Shared) -> io::Result<()> {
    tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
    tcp.set_nodelay(true)?;
    let mut tls = StreamOwned::new(
        ServerConnection::new(config).map_err(io::Error::other)?,
        tcp,
    );
    while tls.conn.is_handshaking() {
        tls.conn.complete_io(&mut tls.sock)?;
    }
    shared.handshakes.fetch_add(1, Ordering::SeqCst);
    let mut buffer = Vec::with_capacity(4096);
    loop {
        let Some(head_len) = read_head(&mut tls, &mut buffer)? else {
            return Ok(());
        };
        shared.requests.fetch_add(1, Ordering::SeqCst);
        let step = shared
            .script
            .lock()
            .map_err(|_| io::Error::other("poisoned"))?
            .pop_front()
            .unwrap_or(Step::Api);
        let request = buffer.get(..head_len).unwrap_or_default().to_vec();
        buffer.drain(..head_len);
        match step {
            Step::Api | Step::ApiThenClose => {
                let response = answer(&request);
                tls.write_all(&response)?;
                tls.flush()?;
                if step == Step::ApiThenClose {
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                    return tls.sock.shutdown(Shutdown::Both);
                }
            }
            Step::Raw(bytes) => {
                tls.write_all(&bytes)?;
                tls.flush()?;
            }
            Step::RawThenClose(bytes) => {
                tls.write_all(&bytes)?;
                tls.flush()?;
                tls.conn.send_close_notify();
                let _ = tls.flush();
                return tls.sock.shutdown(Shutdown::Both);
            }
            Step::Stall => {
                while !shared.stop.load(Ordering::SeqCst) {
                    thread::sleep(Duration::from_millis(50));
                }
                return Ok(());
            }
            Step::Close => return tls.sock.shutdown(Shutdown::Both),
        }
    }
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

/// The API's answer to one request head.
fn answer(head: &[u8]) -> Vec<u8> {
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
    let expected_auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{DEMO_API_KEY}:"))
    );
    let authorized = header("authorization") == Some(expected_auth.as_bytes())
        && header("x-merchantid") == Some(DEMO_MERCHANT_ID.as_bytes());
    if !authorized {
        return response(401, UNAUTHORIZED);
    }
    let target = request.path.unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let Some(segment) = path.strip_prefix("/customers/") else {
        return response(404, NOT_FOUND);
    };
    let Some(id) = percent_decode(segment) else {
        return response(
            400,
            r#"{"error_message":"Bad Request","status":"invalid_request_error"}"#,
        );
    };
    let Some((_, _, fields)) = CUSTOMERS
        .iter()
        .find(|(cst, reference, _)| *cst == id || *reference == id)
    else {
        return response(404, NOT_FOUND);
    };
    let wants_token = query
        .split('&')
        .any(|pair| pair == "options.get_client_auth_token=true");
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

fn response(status: u16, body: &str) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        _ => "Not Found",
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json;charset=utf-8\r\nContent-Length: {}\r\nConnection: keep-alive\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A random token and its expiry, 15 minutes from now, in the API's `Z` format.
fn fresh_token() -> (String, String) {
    let mut random = [0u8; 16];
    let provider = rustls::crypto::ring::default_provider();
    if provider.secure_random.fill(&mut random).is_err() {
        random = std::process::id()
            .to_be_bytes()
            .repeat(4)
            .try_into()
            .unwrap_or_default();
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
