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

/// Everything a [`Client`](crate::Client) needs.
#[derive(Debug, Clone)]
#[non_exhaustive]
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
    /// Kept-alive connections a client (and its clones) keeps for later calls; past it,
    /// the one idle longest is closed. 0: a connection per call.
    pub max_idle_connections: usize,
    /// A kept-alive connection idle this long is closed rather than used (servers and load
    /// balancers close idle connections too, and a call on one they closed costs a retry).
    pub idle_timeout: Duration,
}

impl Config {
    /// A configuration with the defaults: 10 s connect, 30 s read and write, 30 s deadline,
    /// 2 retries, webpki-roots trusted, 16 KiB buffer, the host of `base_url` resolved,
    /// up to 32 idle connections kept for 30 s.
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
