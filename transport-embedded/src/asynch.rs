//! The client for async firmware (feature `async`): a verified TLS connection to Juspay
//! over any embedded-nal-async stack (embassy-net, say), carrying juspay-core's async
//! driver. Everything but the I/O is the blocking client's ([`crate::session`],
//! [`crate::tls`]): the same configuration, buffers, TLS client, errors and connection
//! reuse.

use core::net::{IpAddr, SocketAddr};

use embedded_io::{Error as _, ErrorKind, ErrorType};
use embedded_io_async::{Read, Write};
use embedded_nal_async::{Dns, TcpConnect};
use juspay_core::driver;
use juspay_core::flow::GetOrCreate;
use juspay_core::{CreateCustomer, Customer, CustomerRequest, GetCustomer, Reply, Timestamp};
use rand_core::CryptoRngCore;

use crate::connector::Connector;
use crate::error::{Error, Result};
use crate::session::{self, Config, Session};
use crate::socket::{Deadline, Sleep};
use crate::tls::TlsStream;

/// A TLS connection to the API over an async network stack, kept for the next call while
/// responses allow it: [`Client`](crate::Client)'s twin, with the same arguments, results
/// and errors.
///
/// Deadlines: every socket operation (DNS, connect, each read and write) races the
/// deadline of the connect or call under way ([`Config::deadline`]) with the firmware's
/// [`Sleep`]; when the deadline wins, the operation's future is dropped and the call ends
/// in [`Error::Timeout`]. The TLS connection itself only ever sees a timed-out socket
/// operation (an error it reports), never a future dropped halfway through a record.
/// The handshake yields to the executor after each of its expensive steps.
///
/// The futures are not `Send` (the deadline is shared through a `Cell`): run them in one
/// task, as embassy does, or with a single-threaded executor.
pub struct AsyncClient<'c, T: TcpConnect + 'c, C: Sleep> {
    tls: TlsStream<'c, TimedSocket<'c, T::Connection<'c>, C>>,
    deadline: &'c Deadline<C>,
    session: Session<'c>,
}

impl<'c, T, C> AsyncClient<'c, T, C>
where
    T: TcpConnect + 'c,
    C: Sleep,
{
    /// Resolves the host through the connector's stack (IPv4 first, then IPv6; the stack
    /// is then `TcpConnect` and `Dns`: with embassy-net, [`TcpAndDns`](crate::TcpAndDns)
    /// of a `TcpClient` and a `DnsSocket`), connects and completes a verified TLS 1.3
    /// (or 1.2) handshake, all under `config`'s deadline.
    pub async fn connect<R: CryptoRngCore>(
        connector: &'c mut Connector<'_, T, C, R>,
        config: Config<'c>,
    ) -> Result<Self>
    where
        T: Dns,
    {
        // One deadline for the whole connect, name resolution included.
        connector.deadline.start(config.deadline_ms());
        let address = match session::ip_address(&config.endpoint) {
            Some(ip) => ip,
            None => {
                resolve(
                    &connector.stack,
                    &connector.deadline,
                    config.endpoint.host(),
                )
                .await?
            }
        };
        let address = SocketAddr::new(address, config.endpoint.port());
        Self::open(connector, config, address).await
    }

    /// Connects to a fixed address (no DNS); the endpoint's host name is still what the
    /// certificate is checked against.
    pub async fn connect_to<R: CryptoRngCore>(
        connector: &'c mut Connector<'_, T, C, R>,
        config: Config<'c>,
        address: SocketAddr,
    ) -> Result<Self> {
        connector.deadline.start(config.deadline_ms());
        Self::open(connector, config, address).await
    }

    /// TCP and TLS under the deadline already started.
    async fn open<R: CryptoRngCore>(
        connector: &'c mut Connector<'_, T, C, R>,
        config: Config<'c>,
        address: SocketAddr,
    ) -> Result<Self> {
        let tls = connector.tls.client(&config)?;
        let (tcp, deadline) = (&connector.stack, &connector.deadline);
        let socket = match deadline.run(tcp.connect(address)).await {
            Some(Ok(socket)) => socket,
            Some(Err(e)) => return Err(Error::from_connect(&e)),
            None => return Err(Error::Timeout),
        };
        crate::fmt::debug!("TCP connected");
        let socket = TimedSocket { socket, deadline };
        let mut tls = TlsStream { tls, socket };
        tls.handshake_async().await.map_err(Error::from_stream)?;
        crate::fmt::debug!("TLS session open, server certificate verified");
        Ok(AsyncClient {
            tls,
            deadline,
            session: Session::new(config),
        })
    }

    /// Whether the connection can carry another call.
    pub fn is_reusable(&self) -> bool {
        self.session.is_reusable()
    }

    /// One Get Customer call on this connection. `buf` holds the request, then the
    /// response (2 KiB is enough for the API's responses). After a response that does
    /// not allow reuse, or any error, or when this future is dropped before it completes,
    /// the next call returns `Error::Core(juspay_core::Error::ConnectionClosed)`: connect
    /// again.
    pub async fn get_customer(
        &mut self,
        request: &GetCustomer<'_>,
        buf: &mut [u8],
    ) -> Result<Reply> {
        self.call(request, buf).await
    }

    /// One call of any kind on this connection, under its own deadline:
    /// [`Client::call`](crate::Client::call)'s twin.
    pub async fn call<'r>(
        &mut self,
        request: impl Into<CustomerRequest<'r>>,
        buf: &mut [u8],
    ) -> Result<Reply> {
        let deadline = self.deadline;
        self.exchange(request.into(), Some(deadline), buf).await
    }

    /// Get-or-create under one deadline:
    /// [`Client::get_or_create`](crate::Client::get_or_create)'s twin.
    pub async fn get_or_create(
        &mut self,
        create: &CreateCustomer<'_>,
        buf: &mut [u8],
    ) -> Result<Reply> {
        self.deadline.start(self.session.config.deadline_ms());
        GetOrCreate::new(*create)
            .run_async(async |request| self.exchange(request, None, buf).await)
            .await
    }

    /// A client auth token good for `margin_seconds` after `now`:
    /// [`Client::refresh_token`](crate::Client::refresh_token)'s twin.
    pub async fn refresh_token(
        &mut self,
        customer: &Customer,
        now: Timestamp,
        margin_seconds: u32,
        buf: &mut [u8],
    ) -> Result<Option<Reply>> {
        match customer.token_request(now, margin_seconds) {
            Some(get) => self.call(get, buf).await.map(Some),
            None => Ok(None),
        }
    }

    /// One request on the connection; `Some(deadline)` starts its own deadline, `None`
    /// keeps the one running.
    async fn exchange(
        &mut self,
        request: CustomerRequest<'_>,
        deadline: Option<&Deadline<C>>,
        buf: &mut [u8],
    ) -> Result<Reply> {
        self.session.begin(&request, deadline)?;
        let config = self.session.config;
        let mut connection = session::call_connection(&mut self.tls);
        let outcome = driver::call_async(
            &mut connection,
            &config.endpoint,
            &config.credentials,
            request,
            buf,
        )
        .await;
        self.session.end(outcome)
    }

    /// Sends close_notify (under a deadline of its own) and closes the socket.
    pub async fn close(mut self) {
        self.deadline.start(self.session.config.deadline_ms());
        self.tls.close_async().await;
    }
}

async fn resolve<C: Sleep>(dns: &impl Dns, deadline: &Deadline<C>, host: &str) -> Result<IpAddr> {
    for kind in session::ADDRESS_TYPES {
        match deadline.run(dns.get_host_by_name(host, kind)).await {
            Some(Ok(address)) => return Ok(address),
            Some(Err(_)) => {}
            None => return Err(Error::Timeout),
        }
    }
    Err(Error::Dns)
}

/// A connected socket whose reads and writes end at the deadline, as
/// [`ErrorKind::TimedOut`], which becomes [`Error::Timeout`]. The stack's own errors are
/// reduced to their kind.
struct TimedSocket<'t, S, C> {
    socket: S,
    deadline: &'t Deadline<C>,
}

impl<S, C> ErrorType for TimedSocket<'_, S, C> {
    type Error = ErrorKind;
}

impl<S: Read, C: Sleep> Read for TimedSocket<'_, S, C> {
    async fn read(&mut self, buf: &mut [u8]) -> core::result::Result<usize, ErrorKind> {
        match self.deadline.run(self.socket.read(buf)).await {
            Some(result) => result.map_err(|e| e.kind()),
            None => Err(ErrorKind::TimedOut),
        }
    }
}

impl<S: Write, C: Sleep> Write for TimedSocket<'_, S, C> {
    async fn write(&mut self, buf: &[u8]) -> core::result::Result<usize, ErrorKind> {
        match self.deadline.run(self.socket.write(buf)).await {
            Some(result) => result.map_err(|e| e.kind()),
            None => Err(ErrorKind::TimedOut),
        }
    }

    async fn flush(&mut self) -> core::result::Result<(), ErrorKind> {
        match self.deadline.run(self.socket.flush()).await {
            Some(result) => result.map_err(|e| e.kind()),
            None => Err(ErrorKind::TimedOut),
        }
    }
}

/// A TCP stack and a resolver as the one stack a [`Connector`] holds, for
/// [`AsyncClient::connect`]: with embassy-net, `TcpAndDns { tcp: &tcp_client, dns:
/// DnsSocket::new(stack) }`.
#[derive(Debug, Clone, Copy)]
pub struct TcpAndDns<T, D> {
    /// Connects (embassy-net's `TcpClient`).
    pub tcp: T,
    /// Resolves (embassy-net's `DnsSocket`).
    pub dns: D,
}

impl<T: TcpConnect, D> TcpConnect for TcpAndDns<T, D> {
    type Error = T::Error;
    type Connection<'a>
        = T::Connection<'a>
    where
        Self: 'a;

    async fn connect<'a>(
        &'a self,
        remote: SocketAddr,
    ) -> core::result::Result<Self::Connection<'a>, Self::Error> {
        self.tcp.connect(remote).await
    }
}

impl<T, D: Dns> Dns for TcpAndDns<T, D> {
    type Error = D::Error;

    async fn get_host_by_name(
        &self,
        host: &str,
        addr_type: embedded_nal::AddrType,
    ) -> core::result::Result<IpAddr, Self::Error> {
        self.dns.get_host_by_name(host, addr_type).await
    }

    async fn get_host_by_address(
        &self,
        addr: IpAddr,
        result: &mut [u8],
    ) -> core::result::Result<usize, Self::Error> {
        self.dns.get_host_by_address(addr, result).await
    }
}
