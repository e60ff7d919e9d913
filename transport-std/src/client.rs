//! The client: one kept-alive connection, one deadline per call, retries as
//! [`retry::decide`] says.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use juspay_core::{Credentials, Customer, Endpoint, GetCustomer, driver};
use rustls::{ClientConfig, RootCertStore};

use crate::config::Config;
use crate::connect::{connect, remaining};
use crate::error::{Error, Result};
use crate::retry::{self, Attempts, Decision, Failure};
use crate::stream::{Limits, Stream};

/// A Juspay Customer API client over TLS. Keeps one connection alive between calls.
pub struct Client {
    config: Config,
    tls: Arc<ClientConfig>,
    session: Session,
}

/// What changes from call to call, apart from the settings a call borrows.
struct Session {
    connection: Option<Stream>,
    buffer: Vec<u8>,
    connections_opened: u64,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("connected", &self.session.connection.is_some())
            .field("connections_opened", &self.session.connections_opened)
            .finish()
    }
}

impl Client {
    /// Checks the configuration and prepares TLS. Connects on the first call.
    pub fn new(config: Config) -> Result<Self> {
        endpoint_and_credentials(&config)?;
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
            session: Session {
                connection: None,
                buffer: vec![0; config.buffer_size],
                connections_opened: 0,
            },
            config,
            tls: Arc::new(tls),
        })
    }

    /// Connections (TLS handshakes) opened so far.
    pub fn connections_opened(&self) -> u64 {
        self.session.connections_opened
    }

    /// `GET /customers/{customer_id}`: the customer, or an [`Error`] of a clear class.
    pub fn get_customer(&mut self, request: &GetCustomer<'_>) -> Result<Customer> {
        let start = Instant::now();
        let limits = Limits {
            deadline: start + self.config.deadline,
            read_timeout: self.config.read_timeout,
            write_timeout: self.config.write_timeout,
        };
        // Borrowed views of the configuration `new` validated; checking the request here
        // means bad input never opens a connection.
        let (endpoint, credentials) = endpoint_and_credentials(&self.config)?;
        request.validate()?;
        log::debug!(
            "GET customer {:?} from {}:{} (token: {})",
            request.customer_id(),
            endpoint.uri_host(),
            endpoint.port(),
            request.wants_client_auth_token()
        );
        let mut attempts = Attempts::default();
        loop {
            let reused = self.session.connection.is_some();
            let attempt = self.session.attempt(
                (&self.config, &self.tls),
                (&endpoint, &credentials),
                request,
                limits,
            );
            let (failure, error) = match attempt {
                Ok(Ok(customer)) => {
                    log::debug!("200 in {:?}", start.elapsed());
                    return Ok(customer);
                }
                Ok(Err((api, retry_after))) => {
                    log::debug!("API error {} in {:?}", api.http_status, start.elapsed());
                    let failure = match api.http_status {
                        429 | 502 | 503 | 504 => Failure::Busy { retry_after },
                        _ => Failure::Final,
                    };
                    (failure, Error::Api(api))
                }
                Err(error) => (Failure::of(&error, reused), error),
            };
            let time_left = limits.deadline.saturating_duration_since(Instant::now());
            match retry::decide(&self.config.retry, attempts, failure, time_left) {
                Decision::RetryNow => {
                    log::debug!("kept-alive connection was closed by the server; retrying");
                    attempts.stale_retried = true;
                }
                Decision::RetryAfter(wait) => {
                    attempts.retries += 1;
                    log::debug!("retry {} in {wait:?}", attempts.retries);
                    std::thread::sleep(wait);
                }
                Decision::GiveUp if time_left.is_zero() && matches!(error, Error::Io(_)) => {
                    return Err(Error::Timeout);
                }
                Decision::GiveUp => return Err(error),
            }
        }
    }
}

/// The customer, or the API's error with its `Retry-After`.
type Answer = std::result::Result<Customer, (Box<juspay_core::ApiError>, Option<u32>)>;

impl Session {
    /// One attempt on the kept-alive connection or a new one.
    fn attempt(
        &mut self,
        (config, tls): (&Config, &Arc<ClientConfig>),
        (endpoint, credentials): (&Endpoint<'_>, &Credentials<'_>),
        request: &GetCustomer<'_>,
        limits: Limits,
    ) -> Result<Answer> {
        let mut stream = match self.connection.take() {
            Some(stream) => stream,
            None => {
                remaining(limits.deadline)?;
                let stream = connect(config, tls, endpoint, limits)?;
                self.connections_opened += 1;
                stream
            }
        };
        stream.begin_exchange(limits);
        let reply = driver::get_customer(
            &mut stream.closing_as_eof(),
            endpoint,
            credentials,
            request,
            &mut self.buffer,
        )
        .map_err(Error::from_core)?;
        if reply.reusable {
            self.connection = Some(stream);
        }
        Ok(reply
            .result
            .map_err(|api| (Box::new(api), reply.retry_after)))
    }
}

/// The endpoint and credentials of `config`, as juspay-core checks them.
fn endpoint_and_credentials(config: &Config) -> Result<(Endpoint<'_>, Credentials<'_>)> {
    Ok((
        Endpoint::parse(&config.base_url)?,
        Credentials::new(config.api_key.expose(), &config.merchant_id)?,
    ))
}
