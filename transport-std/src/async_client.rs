//! The tokio client (feature `tokio`): [`Client`](crate::Client)'s settings, pool,
//! retries and errors, with tokio's sockets and timers, tokio-rustls with the same rustls
//! configuration, and juspay-core's async driver for the protocol.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use juspay_core::driver::{self, CloseAsEof};
use juspay_core::flow::GetOrCreate;
use juspay_core::{CreateCustomer, Credentials, Customer, CustomerRequest, Endpoint, GetCustomer};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::time::timeout_at;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::client::{Account, Connection, Idle, Shared, api_apart, system_now};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::retry::{Answer, Call, Next};
use crate::stream::{HeadLog, Limits, is_close};

/// [`Client`](crate::Client) for tokio: the same settings ([`Config`]), pool, retries and
/// errors; `Clone + Send + Sync`, a clone shares the pool, and
/// [`get_customer`](Self::get_customer)'s future is `Send` (for `tokio::spawn`). Needs a
/// tokio runtime with I/O and time enabled (`enable_all`).
#[derive(Clone)]
pub struct AsyncClient {
    shared: Arc<Shared<Connection<AsyncStream>>>,
    /// The merchant account calls are made as, when not the configuration's.
    account: Option<Arc<Account>>,
}

impl fmt::Debug for AsyncClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shared.debug("AsyncClient", f)
    }
}

impl AsyncClient {
    /// Checks the configuration and prepares TLS. Connects on the first call.
    pub fn new(config: Config) -> Result<Self> {
        Ok(AsyncClient {
            shared: Arc::new(Shared::new(config)?),
            account: None,
        })
    }

    /// This client calling as another merchant account:
    /// [`Client::with_account`](crate::Client::with_account)'s twin.
    pub fn with_account(
        &self,
        api_key: impl Into<String>,
        merchant_id: impl Into<String>,
    ) -> Result<AsyncClient> {
        Ok(AsyncClient {
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
    /// Concurrent calls run side by side, each on a connection of its own.
    pub async fn get_customer(&self, request: &GetCustomer<'_>) -> Result<Customer> {
        self.call(request).await
    }

    /// Any request: [`Client::call`](crate::Client::call)'s twin.
    pub async fn call<'r>(&self, request: impl Into<CustomerRequest<'r>>) -> Result<Customer> {
        let deadline = Instant::now() + self.shared.config.deadline;
        self.call_until(request.into(), deadline).await
    }

    /// Get-or-create under one deadline:
    /// [`Client::get_or_create`](crate::Client::get_or_create)'s twin.
    pub async fn get_or_create(&self, create: &CreateCustomer<'_>) -> Result<Customer> {
        // The flow stepped here rather than through `GetOrCreate::run_async`: a future
        // built on an async closure is not `Send` (rustc: "implementation of `Send` is not
        // general enough"), and this one must be, for `tokio::spawn`.
        let deadline = Instant::now() + self.shared.config.deadline;
        let mut flow = GetOrCreate::new(*create);
        flow.validate()?;
        loop {
            let answer = api_apart(self.call_until(flow.request(), deadline).await)?;
            if !flow.advance(&answer) {
                return answer.map_err(|api| Error::Api(Box::new(api)));
            }
        }
    }

    /// A client auth token good for `margin`:
    /// [`Client::refresh_token`](crate::Client::refresh_token)'s twin.
    pub async fn refresh_token(&self, customer: &mut Customer, margin: Duration) -> Result<bool> {
        let margin = u32::try_from(margin.as_secs()).unwrap_or(u32::MAX);
        let Some(get) = customer.token_request(system_now(), margin) else {
            return Ok(false);
        };
        let fresh = self.call(get).await?;
        *customer = fresh;
        Ok(true)
    }

    /// One request with retries, all attempts before `deadline`.
    async fn call_until(
        &self,
        request: CustomerRequest<'_>,
        deadline: Instant,
    ) -> Result<Customer> {
        let (endpoint, credentials) = self.shared.prepare(self.account.as_deref(), &request)?;
        let mut call = Call::until(deadline);
        let mut fresh = false;
        loop {
            let limits = self.shared.limits(&call);
            let (reused, attempt) = self
                .attempt((&endpoint, &credentials), request, limits, fresh)
                .await;
            match call.judge(&self.shared.config.retry, attempt, reused) {
                Next::Return(result) => return result,
                Next::Retry { wait, fresh: new } => {
                    fresh = new;
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// One attempt on a pooled connection (unless `fresh`) or a new one; whether it was
    /// pooled comes first.
    async fn attempt(
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
            None => match connect(&shared.config, &shared.tls, endpoint, limits).await {
                Ok(stream) => shared.opened(stream),
                Err(e) => return (false, Err(e)),
            },
        };
        connection.stream.begin_exchange(limits);
        // One timer for the deadline over the whole exchange.
        let exchange = timeout_at(
            tokio::time::Instant::from_std(limits.deadline),
            driver::call_async(
                &mut CloseAsEof::new(&mut connection.stream, is_close),
                endpoint,
                credentials,
                request,
                &mut connection.buffer,
            ),
        )
        .await;
        match exchange {
            Ok(Ok(reply)) => (reused, Ok(shared.finish(connection, reply))),
            Ok(Err(e)) => (reused, Err(Error::from_core(e))),
            Err(_) => (reused, Err(Error::Timeout)),
        }
    }
}

/// Resolves (unless `config.connect_to` says where), connects to the first address that
/// answers, and completes the TLS handshake: each step under tokio's timers and the
/// call's deadline.
async fn connect(
    config: &Config,
    tls: &Arc<rustls::ClientConfig>,
    endpoint: &Endpoint<'_>,
    limits: Limits,
) -> Result<AsyncStream> {
    let deadline = tokio::time::Instant::from_std(limits.deadline);
    let host = endpoint.host();
    let connect_error = |source| Error::Connect {
        host: host.to_owned(),
        source,
    };
    let addresses: Vec<SocketAddr> = match config.connect_to {
        Some(address) => vec![address],
        None => timeout_at(deadline, tokio::net::lookup_host((host, endpoint.port())))
            .await
            .map_err(|_| Error::Timeout)?
            .map_err(connect_error)?
            .collect(),
    };
    let mut last_error = io::Error::new(io::ErrorKind::NotFound, "no address for the host");
    let mut tcp = None;
    for address in addresses {
        let give_up = deadline.min(tokio::time::Instant::now() + config.connect_timeout);
        match timeout_at(give_up, TcpStream::connect(address)).await {
            Ok(Ok(stream)) => {
                tcp = Some(stream);
                break;
            }
            Ok(Err(e)) => last_error = e,
            Err(_) if give_up >= deadline => return Err(Error::Timeout),
            Err(_) => last_error = io::ErrorKind::TimedOut.into(),
        }
    }
    let tcp = tcp.ok_or_else(|| connect_error(last_error))?;
    tcp.set_nodelay(true).map_err(Error::Io)?;
    let server_name = ServerName::try_from(host.to_owned())
        .map_err(|_| Error::Config(format!("{host} is not a valid TLS server name")))?;
    // The whole handshake under the deadline, however the server paces it.
    let tls = timeout_at(
        deadline,
        TlsConnector::from(tls.clone()).connect(server_name, tcp),
    )
    .await
    .map_err(|_| Error::Timeout)?
    .map_err(Error::from_io)?;
    log::debug!(
        "connected to {host}:{} ({:?})",
        endpoint.port(),
        tls.get_ref().1.protocol_version()
    );
    Ok(AsyncStream {
        tls,
        log: None,
        limits,
    })
}

/// A tokio-rustls stream as an `embedded_io_async` connection for juspay-core's async
/// driver: each read and write under the call's deadline, and the heads logged as the
/// blocking stream logs them.
struct AsyncStream {
    tls: TlsStream<TcpStream>,
    log: Option<Box<HeadLog>>,
    limits: Limits,
}

impl AsyncStream {
    fn begin_exchange(&mut self, limits: Limits) {
        self.limits = limits;
        self.log = HeadLog::begin();
    }
}

impl Idle for AsyncStream {
    /// Whether the server closed this idle connection (or sent something unasked): one
    /// poll of a peek, no wait. As for the blocking stream, a race is left to the retry.
    fn closed_by_peer(&self) -> bool {
        let mut byte = [0u8; 1];
        let mut buf = tokio::io::ReadBuf::new(&mut byte);
        let mut context = Context::from_waker(Waker::noop());
        let tcp = self.tls.get_ref().0;
        !matches!(tcp.poll_peek(&mut context, &mut buf), Poll::Pending)
    }
}

/// `io`, unless the deadline of `limits` has passed (then `TimedOut`). The deadline is
/// the exchange's own timer (see `attempt`): no timer per read and write.
async fn within<T>(limits: &Limits, io: impl Future<Output = io::Result<T>>) -> io::Result<T> {
    limits.left()?;
    io.await
}

impl embedded_io_async::ErrorType for AsyncStream {
    type Error = io::Error;
}

impl embedded_io_async::Read for AsyncStream {
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = within(&self.limits, self.tls.read(buf)).await?;
        if let (Some(log), Some(bytes)) = (self.log.as_mut(), buf.get(..n)) {
            log.response_arrived(bytes);
        }
        Ok(n)
    }
}

impl embedded_io_async::Write for AsyncStream {
    async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = within(&self.limits, self.tls.write(buf)).await?;
        if let (Some(log), Some(bytes)) = (self.log.as_mut(), buf.get(..n)) {
            log.request_written(bytes);
        }
        Ok(n)
    }

    async fn flush(&mut self) -> io::Result<()> {
        within(&self.limits, self.tls.flush()).await
    }
}
