//! The blocking client: a pool of kept-alive connections shared by its clones, one
//! deadline per call, retries as [`retry::decide`](crate::retry) says.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use juspay_core::flow::GetOrCreate;
use juspay_core::{
    CreateCustomer, Credentials, Customer, CustomerRequest, Endpoint, GetCustomer, Reply,
    Timestamp, driver,
};
use rustls::{ClientConfig, RootCertStore};

use crate::config::{Config, Secret};
use crate::connect::{connect, remaining};
use crate::error::{Error, Result};
use crate::pool::Pool;
use crate::retry::{Answer, Call, Next};
use crate::stream::{Limits, Stream};

/// A Juspay Customer API client over TLS, for threads: `Clone + Send + Sync`, and a clone
/// shares the pool of kept-alive connections (see the [crate docs](crate#the-connection-pool)).
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared<Connection<Stream>>>,
    /// The merchant account calls are made as, when not the configuration's.
    account: Option<Arc<Account>>,
}

/// A merchant account other than the configuration's: see [`Client::with_account`].
pub(crate) struct Account {
    api_key: Secret,
    merchant_id: String,
}

impl Account {
    /// Checked as juspay-core checks credentials.
    pub(crate) fn new(api_key: String, merchant_id: String) -> Result<Self> {
        Credentials::new(&api_key, &merchant_id)?;
        Ok(Account {
            api_key: Secret::new(api_key),
            merchant_id,
        })
    }
}

/// A connection (`Stream`, or the tokio client's) and the buffer its responses are read
/// into: a reused connection brings its buffer, so a call on it allocates nothing.
pub(crate) struct Connection<S> {
    pub(crate) stream: S,
    pub(crate) buffer: Vec<u8>,
}

/// A connection that can tell, without waiting, that the server closed it while idle.
pub(crate) trait Idle {
    fn closed_by_peer(&self) -> bool;
}

impl Idle for Stream {
    fn closed_by_peer(&self) -> bool {
        Stream::closed_by_peer(self)
    }
}

/// What a client and its clones share, blocking or tokio: the settings, TLS, the pool.
pub(crate) struct Shared<C> {
    pub(crate) config: Config,
    pub(crate) tls: Arc<ClientConfig>,
    pub(crate) pool: Pool<C>,
    connections_opened: AtomicU64,
}

impl<C> Shared<C> {
    /// Checks the configuration and prepares TLS.
    pub(crate) fn new(config: Config) -> Result<Self> {
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
        Ok(Shared {
            pool: Pool::new(config.max_idle_connections, config.idle_timeout),
            config,
            tls: Arc::new(tls),
            connections_opened: AtomicU64::new(0),
        })
    }

    /// Borrowed views of the configuration `new` validated (the credentials of `account`
    /// when given), and the request checked: bad input never opens a connection.
    pub(crate) fn prepare<'s>(
        &'s self,
        account: Option<&'s Account>,
        request: &CustomerRequest<'_>,
    ) -> Result<(Endpoint<'s>, Credentials<'s>)> {
        let (endpoint, mut credentials) = endpoint_and_credentials(&self.config)?;
        if let Some(account) = account {
            credentials = Credentials::new(account.api_key.expose(), &account.merchant_id)?;
        }
        request.validate()?;
        // The operation and the body's length: ids and form fields are personal data.
        log::debug!(
            "{} customer at {}:{} (form body: {} bytes)",
            request.operation().name(),
            endpoint.uri_host(),
            endpoint.port(),
            request.body_len()
        );
        Ok((endpoint, credentials))
    }

    pub(crate) fn connections_opened(&self) -> u64 {
        self.connections_opened.load(Ordering::Relaxed)
    }

    /// The settings, with secrets redacted, and the pool's state.
    pub(crate) fn debug(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("config", &self.config)
            .field("idle_connections", &self.pool.idle())
            .field("connections_opened", &self.connections_opened())
            .finish()
    }
}

impl<S: Idle> Shared<Connection<S>> {
    /// What each read and write of `call` waits for at most.
    pub(crate) fn limits(&self, call: &Call) -> Limits {
        Limits {
            deadline: call.deadline(),
        }
    }

    /// A pooled connection the server has not closed, unless the attempt must be `fresh`.
    pub(crate) fn pooled(&self, fresh: bool) -> Option<Connection<S>> {
        if fresh {
            return None;
        }
        self.pool
            .take(|connection| !connection.stream.closed_by_peer())
    }

    /// A connection just opened, counted, with a buffer of its own.
    pub(crate) fn opened(&self, stream: S) -> Connection<S> {
        self.connections_opened.fetch_add(1, Ordering::Relaxed);
        Connection {
            stream,
            buffer: vec![0; self.config.buffer_size],
        }
    }

    /// The answer of an exchange on `connection`, which goes back to the pool when the
    /// response allows.
    pub(crate) fn finish(&self, connection: Connection<S>, reply: Reply) -> Answer {
        if reply.reusable {
            self.pool.put(connection);
        }
        reply
            .customer
            .map_err(|api| (Box::new(api), reply.retry_after))
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shared.debug("Client", f)
    }
}

impl Client {
    /// Checks the configuration and prepares TLS. Connects on the first call.
    pub fn new(config: Config) -> Result<Self> {
        Ok(Client {
            shared: Arc::new(Shared::new(config)?),
            account: None,
        })
    }

    /// This client (its settings, TLS and pool) calling as another merchant account: one
    /// client serving several accounts, each call with its own credentials, the kept-alive
    /// connections shared.
    pub fn with_account(
        &self,
        api_key: impl Into<String>,
        merchant_id: impl Into<String>,
    ) -> Result<Client> {
        Ok(Client {
            shared: self.shared.clone(),
            account: Some(Arc::new(Account::new(api_key.into(), merchant_id.into())?)),
        })
    }

    /// Connections (TLS handshakes) opened so far by this client and its clones.
    pub fn connections_opened(&self) -> u64 {
        self.shared.connections_opened()
    }

    /// Kept-alive connections in the pool now, waiting for a call.
    pub fn idle_connections(&self) -> usize {
        self.shared.pool.idle()
    }

    /// `GET /customers/{customer_id}`: the customer, or an [`Error`] of a clear class.
    /// Blocks the calling thread; calls from several threads run side by side, each on a
    /// connection of its own.
    pub fn get_customer(&self, request: &GetCustomer<'_>) -> Result<Customer> {
        self.call(request)
    }

    /// Any request ([`GetCustomer`], [`CreateCustomer`],
    /// [`UpdateCustomer`](juspay_core::UpdateCustomer)): the customer the API answers with,
    /// or an [`Error`] (the API's own as [`Error::Api`]; [`ApiError::problem`] tells a
    /// duplicate from a refused field).
    ///
    /// [`ApiError::problem`]: juspay_core::ApiError::problem
    pub fn call<'r>(&self, request: impl Into<CustomerRequest<'r>>) -> Result<Customer> {
        let deadline = Instant::now() + self.shared.config.deadline;
        self.call_until(request.into(), deadline)
    }

    /// Get-or-create ([`GetOrCreate`]): Get by object_reference_id, Create when not found,
    /// Get again when another client created it first; one deadline over all the calls
    /// (the configuration's), one routing id.
    pub fn get_or_create(&self, create: &CreateCustomer<'_>) -> Result<Customer> {
        let deadline = Instant::now() + self.shared.config.deadline;
        let answer = GetOrCreate::new(*create)
            .run(|request| api_apart(self.call_until(request, deadline)))?;
        answer.map_err(|api| Error::Api(Box::new(api)))
    }

    /// Makes sure `customer` carries a client auth token good for at least `margin` from
    /// now (the system clock): calls Get with `options.get_client_auth_token=true` only when
    /// the one it carries is too close to expiry, and then replaces `customer` with the
    /// answer. Returns whether it called.
    pub fn refresh_token(&self, customer: &mut Customer, margin: Duration) -> Result<bool> {
        let margin = u32::try_from(margin.as_secs()).unwrap_or(u32::MAX);
        let Some(get) = customer.token_request(system_now(), margin) else {
            return Ok(false);
        };
        let fresh = self.call(get)?;
        *customer = fresh;
        Ok(true)
    }

    /// One request with retries, all attempts before `deadline`.
    fn call_until(&self, request: CustomerRequest<'_>, deadline: Instant) -> Result<Customer> {
        let (endpoint, credentials) = self.shared.prepare(self.account.as_deref(), &request)?;
        let mut call = Call::until(deadline);
        let mut fresh = false;
        loop {
            let limits = self.shared.limits(&call);
            let (reused, attempt) = self.attempt((&endpoint, &credentials), request, limits, fresh);
            match call.judge(&self.shared.config.retry, attempt, reused) {
                Next::Return(result) => return result,
                Next::Retry { wait, fresh: new } => {
                    fresh = new;
                    std::thread::sleep(wait);
                }
            }
        }
    }

    /// One attempt on a pooled connection (unless `fresh`) or a new one; whether it was
    /// pooled comes first.
    fn attempt(
        &self,
        (endpoint, credentials): (&Endpoint<'_>, &Credentials<'_>),
        request: CustomerRequest<'_>,
        limits: Limits,
        fresh: bool,
    ) -> (bool, Result<Answer>) {
        let shared = &*self.shared;
        let pooled = shared.pooled(fresh);
        let reused = pooled.is_some();
        let mut connection = match pooled {
            Some(connection) => connection,
            None => match remaining(limits.deadline)
                .and_then(|_| connect(&shared.config, &shared.tls, endpoint, limits))
            {
                Ok(stream) => shared.opened(stream),
                Err(e) => return (false, Err(e)),
            },
        };
        connection.stream.begin_exchange(limits);
        let exchange = driver::call(
            &mut connection.stream.closing_as_eof(),
            endpoint,
            credentials,
            request,
            &mut connection.buffer,
        );
        match exchange {
            Ok(reply) => (reused, Ok(shared.finish(connection, reply))),
            Err(e) => (reused, Err(Error::from_core(e))),
        }
    }
}

/// A call's result with the API's error apart, as a flow reads it: the answer
/// (`Ok(Err(api))` for the API's error), or the failure that ends the flow.
pub(crate) fn api_apart(
    result: Result<Customer>,
) -> Result<std::result::Result<Customer, juspay_core::ApiError>> {
    match result {
        Ok(customer) => Ok(Ok(customer)),
        Err(Error::Api(api)) => Ok(Err(*api)),
        Err(other) => Err(other),
    }
}

/// Now by the system clock, for the client auth token's expiry.
pub(crate) fn system_now() -> Timestamp {
    let seconds = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    Timestamp::from_unix_seconds(i64::try_from(seconds).unwrap_or(i64::MAX))
}

/// The endpoint and credentials of `config`, as juspay-core checks them.
fn endpoint_and_credentials(config: &Config) -> Result<(Endpoint<'_>, Credentials<'_>)> {
    Ok((
        Endpoint::parse(&config.endpoint)?,
        Credentials::new(config.api_key.expose(), &config.merchant_id)?,
    ))
}
