//! What a [`Client`](crate::Client) is told: where, who, how long, whom to trust.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, pem::PemObject};

use crate::error::{Error, Result};

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
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (0: none). A stale kept-alive connection is retried
    /// once on a new one in addition, whatever this says.
    pub max_retries: u32,
    /// Wait before the first retry; doubled for each next one.
    pub initial_backoff: Duration,
    /// Longest wait between two attempts (a longer `Retry-After` ends the retries).
    pub max_backoff: Duration,
}

impl RetryPolicy {
    /// `max_retries` retries, the first after `initial_backoff`, each next one after twice
    /// the wait before, never more than `max_backoff`.
    pub fn new(max_retries: u32, initial_backoff: Duration, max_backoff: Duration) -> Self {
        RetryPolicy {
            max_retries,
            initial_backoff,
            max_backoff,
        }
    }
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

/// Everything a [`Client`](crate::Client) needs: the endpoint, the credentials and the
/// deadline, named as juspay-transport-embedded's `Config` names them, then the settings
/// only a std client has (retries, roots, the pool).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// `https://host[:port]`.
    pub endpoint: String,
    /// The API key (Basic auth user name).
    pub api_key: Secret,
    /// `x-merchantid`.
    pub merchant_id: String,
    /// The deadline of a whole call: resolution, connect, TLS handshake, request,
    /// response, and the retries and their waits; for get-or-create, of the whole flow.
    pub deadline: Duration,
    /// Secondary: the longest wait for one address's TCP connect, within the deadline, so
    /// that a host with several addresses moves on from one that does not answer.
    pub connect_timeout: Duration,
    /// Retries.
    pub retry: RetryPolicy,
    /// Trust the Mozilla roots of webpki-roots.
    pub webpki_roots: bool,
    /// More trusted roots (DER).
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// Response buffer: the largest head or body accepted.
    pub buffer_size: usize,
    /// Connect to this address and port instead of resolving the endpoint's host; the
    /// certificate is still checked against that host name, which is also the `Host`
    /// header (like curl's `--connect-to`). For a server reached by address under a name
    /// the resolver does not know, or must not be asked about.
    pub connect_to: Option<SocketAddr>,
    /// Kept-alive connections a client (and its clones) keeps for later calls; past it,
    /// the one idle longest is closed. 0: a connection per call.
    pub max_idle_connections: usize,
    /// A kept-alive connection idle this long is closed rather than used (servers and load
    /// balancers close idle connections too, and a call on one they closed costs a retry).
    pub idle_timeout: Duration,
}

impl Config {
    /// A configuration with the defaults: 30 s deadline (10 s at most per address
    /// connected to), 2 retries, webpki-roots trusted, 16 KiB buffer, the endpoint's host
    /// resolved, up to 32 idle connections kept for 30 s. `endpoint` is a URL
    /// (`https://host[:port]`) or an [`Endpoint`](juspay_core::Endpoint)
    /// (`Endpoint::SANDBOX`); it is checked, as the credentials are, by
    /// [`Client::new`](crate::Client::new).
    pub fn new(
        endpoint: impl fmt::Display,
        api_key: impl Into<String>,
        merchant_id: impl Into<String>,
    ) -> Self {
        Config {
            endpoint: endpoint.to_string(),
            api_key: Secret::new(api_key),
            merchant_id: merchant_id.into(),
            deadline: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            webpki_roots: true,
            extra_roots: Vec::new(),
            buffer_size: 16 * 1024,
            connect_to: None,
            max_idle_connections: 32,
            idle_timeout: Duration::from_secs(30),
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
