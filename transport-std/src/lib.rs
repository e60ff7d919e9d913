//! juspay-transport-std: Juspay's Customer API for std programs.
//!
//! juspay-core's protocol (request encoding, response parsing, JSON decoding) carried over
//! TCP and rustls: TLS 1.2 and 1.3 with full certificate and host name verification
//! (webpki-roots, plus roots you add), connect/read/write timeouts under one deadline per
//! call, keep-alive, and retries for connection failures and 429/502/503/504.
//!
//! ```
//! use juspay_core::GetCustomer;
//! use juspay_transport_std::{Client, Config};
//!
//! // A loopback server that answers like the API, with its own CA (use
//! // juspay_transport_std::SANDBOX_URL or PRODUCTION_URL and your key for real).
//! let sandbox = juspay_sandbox::Sandbox::start().unwrap();
//! let mut config = Config::new(sandbox.base_url(), juspay_sandbox::DEMO_API_KEY, juspay_sandbox::DEMO_MERCHANT_ID);
//! config.extra_roots.push(sandbox.ca_der());
//!
//! let mut client = Client::new(config)?;
//! let customer = client.get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj").client_auth_token(true))?;
//! assert_eq!(customer.first_name.as_deref(), Some("John"));
//! assert!(customer.juspay.is_some());
//!
//! match client.get_customer(&GetCustomer::new("cst_unknown")) {
//!     Err(e) => assert_eq!(e.api().map(|api| api.http_status), Some(404)),
//!     Ok(_) => unreachable!(),
//! }
//! # Ok::<(), juspay_transport_std::Error>(())
//! ```
//!
//! # Logging
//! Through the `log` crate: calls at debug, request and response heads at debug with the
//! `Authorization` value redacted. Bodies (which carry client auth tokens and personal
//! data) are never logged.
#![deny(missing_docs)]

mod error;
mod stream;

use std::fmt;
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use juspay_core::{Credentials, Customer, Endpoint, GetCustomer, driver};
use rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

pub use error::{Error, ErrorClass, Result};
use stream::Stream;

/// Juspay's sandbox.
pub const SANDBOX_URL: &str = "https://sandbox.juspay.in";
/// Juspay's production API.
pub const PRODUCTION_URL: &str = "https://api.juspay.in";

/// A secret string: `Debug` prints `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// When and how often a call is tried again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0: none). A stale kept-alive connection is retried
    /// once on a new one in addition, whatever this says.
    pub max_retries: u32,
    /// Wait before the first retry; doubled for each next one.
    pub initial_backoff: Duration,
    /// Longest wait between two attempts (a longer `Retry-After` ends the retries).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }
}

/// Everything a [`Client`] needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// `https://host[:port]`.
    pub base_url: String,
    /// The API key (Basic auth user name).
    pub api_key: Secret,
    /// `x-merchantid`.
    pub merchant_id: String,
    /// TCP connect timeout, per address tried.
    pub connect_timeout: Duration,
    /// Longest wait for a read.
    pub read_timeout: Duration,
    /// Longest wait for a write.
    pub write_timeout: Duration,
    /// Deadline for a whole call, connects and retries included.
    pub deadline: Duration,
    /// Retries.
    pub retry: RetryPolicy,
    /// Trust the Mozilla roots of webpki-roots.
    pub webpki_roots: bool,
    /// More trusted roots (DER).
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// Response buffer: the largest head or body accepted.
    pub buffer_size: usize,
    /// Connect to this address and port instead of resolving the host of `base_url`; the
    /// certificate is still checked against that host name, which is also the `Host`
    /// header (like curl's `--connect-to`). For a server reached by address under a name
    /// the resolver does not know, or must not be asked about.
    pub connect_to: Option<SocketAddr>,
}

impl Config {
    /// A configuration with the defaults: 10 s connect, 30 s read and write, 30 s deadline,
    /// 2 retries, webpki-roots trusted, 16 KiB buffer, the host of `base_url` resolved.
    pub fn new(
        base_url: impl Into<String>,
        api_key: impl Into<String>,
        merchant_id: impl Into<String>,
    ) -> Self {
        Config {
            base_url: base_url.into(),
            api_key: Secret::new(api_key),
            merchant_id: merchant_id.into(),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            webpki_roots: true,
            extra_roots: Vec::new(),
            buffer_size: 16 * 1024,
            connect_to: None,
        }
    }

    /// Adds the certificates of a PEM file's text as trusted roots.
    pub fn add_roots_pem(&mut self, pem: &[u8]) -> Result<usize> {
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| Error::Config(format!("bad PEM: {e}")))?;
            self.extra_roots.push(cert);
            added += 1;
        }
        if added == 0 {
            return Err(Error::Config("no certificate in the PEM data".into()));
        }
        Ok(added)
    }
}

/// A Juspay Customer API client over TLS. Keeps one connection alive between calls.
pub struct Client {
    config: Config,
    tls: Arc<ClientConfig>,
    connection: Option<Stream>,
    buffer: Vec<u8>,
    connections_opened: u64,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("connected", &self.connection.is_some())
            .field("connections_opened", &self.connections_opened)
            .finish()
    }
}

impl Client {
    /// Checks the configuration and prepares TLS. Connects on the first call.
    pub fn new(config: Config) -> Result<Self> {
        Endpoint::parse(&config.base_url).map_err(Error::InvalidInput)?;
        Credentials::new(config.api_key.expose(), &config.merchant_id)
            .map_err(Error::InvalidInput)?;
        let mut roots = RootCertStore::empty();
        if config.webpki_roots {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        for root in &config.extra_roots {
            roots
                .add(root.clone())
                .map_err(|e| Error::Config(format!("unusable root certificate: {e}")))?;
        }
        if roots.is_empty() {
            return Err(Error::Config("no trusted root certificates".into()));
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| Error::Config(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Client {
            buffer: vec![0; config.buffer_size],
            config,
            tls: Arc::new(tls),
            connection: None,
            connections_opened: 0,
        })
    }

    /// Connections (TLS handshakes) opened so far.
    pub fn connections_opened(&self) -> u64 {
        self.connections_opened
    }

    /// `GET /customers/{customer_id}`: the customer, or an [`Error`] of a clear class.
    pub fn get_customer(&mut self, request: &GetCustomer<'_>) -> Result<Customer> {
        let start = Instant::now();
        let deadline = start + self.config.deadline;
        // Owned copies: the loop below needs `self` mutably.
        let (base_url, api_key, merchant_id) = (
            self.config.base_url.clone(),
            self.config.api_key.clone(),
            self.config.merchant_id.clone(),
        );
        // Checked here so that bad input never opens a connection.
        let endpoint = Endpoint::parse(&base_url).map_err(Error::InvalidInput)?;
        let credentials =
            Credentials::new(api_key.expose(), &merchant_id).map_err(Error::InvalidInput)?;
        request.validate().map_err(Error::InvalidInput)?;
        log::debug!(
            "GET customer {:?} from {}:{} (token: {})",
            request.customer_id(),
            endpoint.host(),
            endpoint.port(),
            request.wants_client_auth_token()
        );

        let mut retries = 0;
        let mut stale_retry_left = true;
        loop {
            let reused = self.connection.is_some();
            let mut stream = match self.connection.take() {
                Some(stream) => stream,
                None => match self.connect(&endpoint, deadline) {
                    Ok(stream) => stream,
                    Err(e) => {
                        if matches!(e, Error::Connect { .. })
                            && self.wait_before_retry(&mut retries, None, deadline)
                        {
                            continue;
                        }
                        return Err(e);
                    }
                },
            };
            stream.begin_exchange(self.limits(deadline));
            let outcome = driver::get_customer(
                &mut stream,
                &endpoint,
                &credentials,
                request,
                &mut self.buffer,
            );
            match outcome {
                Ok(reply) => {
                    if reply.reusable {
                        self.connection = Some(stream);
                    }
                    match reply.result {
                        Ok(customer) => {
                            log::debug!("200 in {:?}", start.elapsed());
                            return Ok(customer);
                        }
                        Err(api) => {
                            log::debug!("API error {} in {:?}", api.http_status, start.elapsed());
                            let retryable = matches!(api.http_status, 429 | 502 | 503 | 504);
                            if retryable
                                && self.wait_before_retry(&mut retries, reply.retry_after, deadline)
                            {
                                continue;
                            }
                            return Err(Error::Api(Box::new(api)));
                        }
                    }
                }
                Err(e) => {
                    let error = Error::from_core(e);
                    if reused && stale_retry_left && is_stale_connection(&error) {
                        log::debug!(
                            "kept-alive connection was closed by the server; retrying on a new one"
                        );
                        stale_retry_left = false;
                        continue;
                    }
                    if Instant::now() >= deadline && matches!(error, Error::Timeout | Error::Io(_))
                    {
                        return Err(Error::Timeout);
                    }
                    if matches!(error, Error::Io(_))
                        && self.wait_before_retry(&mut retries, None, deadline)
                    {
                        continue;
                    }
                    return Err(error);
                }
            }
        }
    }

    /// Sleeps before the next retry when the policy and the deadline allow one.
    fn wait_before_retry(
        &self,
        retries: &mut u32,
        retry_after: Option<u32>,
        deadline: Instant,
    ) -> bool {
        let policy = &self.config.retry;
        if *retries >= policy.max_retries {
            return false;
        }
        let backoff = policy
            .initial_backoff
            .saturating_mul(1 << (*retries).min(16))
            .min(policy.max_backoff);
        let wait = match retry_after {
            Some(seconds) => Duration::from_secs(u64::from(seconds)),
            None => backoff,
        };
        if wait > policy.max_backoff || Instant::now() + wait >= deadline {
            return false;
        }
        *retries += 1;
        log::debug!("retry {} in {:?}", *retries, wait);
        std::thread::sleep(wait);
        true
    }

    fn connect(&mut self, endpoint: &Endpoint<'_>, deadline: Instant) -> Result<Stream> {
        let host = endpoint.hostname();
        let connect_error = |source| Error::Connect {
            host: host.to_owned(),
            source,
        };
        let addresses = match self.config.connect_to {
            Some(address) => vec![address],
            None => resolve(host, endpoint.port(), deadline)?.map_err(connect_error)?,
        };
        let mut last_error =
            std::io::Error::new(std::io::ErrorKind::NotFound, "no address for the host");
        let mut tcp = None;
        for address in addresses {
            let remaining = remaining(deadline)?;
            match TcpStream::connect_timeout(&address, self.config.connect_timeout.min(remaining)) {
                Ok(stream) => {
                    tcp = Some(stream);
                    break;
                }
                Err(e) => last_error = e,
            }
        }
        let mut tcp = match tcp {
            Some(tcp) => tcp,
            None if matches!(last_error.kind(), std::io::ErrorKind::TimedOut)
                && Instant::now() >= deadline =>
            {
                return Err(Error::Timeout);
            }
            None => return Err(connect_error(last_error)),
        };
        tcp.set_nodelay(true).map_err(Error::Io)?;
        let server_name = ServerName::try_from(host.to_owned())
            .map_err(|_| Error::Config(format!("{host} is not a valid TLS server name")))?;
        let mut tls = ClientConnection::new(self.tls.clone(), server_name).map_err(Error::Tls)?;
        while tls.is_handshaking() {
            // Re-armed every round trip: a slow handshake cannot outlast the deadline.
            set_timeouts(&tcp, &self.config, deadline)?;
            tls.complete_io(&mut tcp).map_err(Error::from_io)?;
        }
        self.connections_opened += 1;
        log::debug!(
            "connected to {host}:{} ({:?})",
            endpoint.port(),
            tls.protocol_version()
        );
        Ok(Stream::new(
            StreamOwned::new(tls, tcp),
            self.limits(deadline),
        ))
    }
}

impl Client {
    fn limits(&self, deadline: Instant) -> stream::Limits {
        stream::Limits {
            deadline,
            read_timeout: self.config.read_timeout,
            write_timeout: self.config.write_timeout,
        }
    }
}

/// Name resolution through the OS. std's resolver has no timeout, so a host name is
/// resolved on a helper thread and the call stops waiting for it at the deadline (the
/// thread ends on its own when the OS answers). Address literals need no lookup.
fn resolve(host: &str, port: u16, deadline: Instant) -> Result<std::io::Result<Vec<SocketAddr>>> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(Ok(vec![SocketAddr::new(ip, port)]));
    }
    let (sender, receiver) = std::sync::mpsc::channel();
    let name = host.to_owned();
    std::thread::Builder::new()
        .name("juspay-dns".into())
        .spawn(move || {
            let _ = sender.send(
                (name.as_str(), port)
                    .to_socket_addrs()
                    .map(Iterator::collect),
            );
        })
        .map_err(Error::Io)?;
    match receiver.recv_timeout(remaining(deadline)?) {
        Ok(addresses) => Ok(addresses),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(Error::Timeout),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Ok(Err(std::io::Error::other(
            "name resolution thread ended without an answer",
        ))),
    }
}

fn remaining(deadline: Instant) -> Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(Error::Timeout)
    } else {
        Ok(left)
    }
}

fn set_timeouts(tcp: &TcpStream, config: &Config, deadline: Instant) -> Result<()> {
    let left = remaining(deadline)?;
    tcp.set_read_timeout(Some(config.read_timeout.min(left)))
        .map_err(Error::Io)?;
    tcp.set_write_timeout(Some(config.write_timeout.min(left)))
        .map_err(Error::Io)?;
    Ok(())
}

/// A kept-alive connection the server closed meanwhile: it fails before any response
/// byte arrives, with EOF, a reset or a broken pipe.
fn is_stale_connection(error: &Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(error, Error::Io(e) if matches!(e.kind(), ConnectionAborted | ConnectionReset | BrokenPipe | UnexpectedEof))
}
