//! A verified TLS connection to Juspay over any embedded-nal stack, carrying
//! juspay-core's blocking driver.

use core::net::{IpAddr, SocketAddr};

use embedded_nal::{Dns, TcpClientStack};
use juspay_core::driver;
use juspay_core::flow::GetOrCreate;
use juspay_core::{CreateCustomer, Customer, CustomerRequest, GetCustomer, Reply, Timestamp};
use rand_core::CryptoRngCore;

use crate::connector::Connector;
use crate::error::{Error, Result};
use crate::session::{self, Config, Session};
use crate::socket::{Clock, Deadline, NalSocket, SocketError};
use crate::tls::TlsStream;

/// A TLS connection to the API, kept for the next call while responses allow it. It
/// borrows its [`Connector`] while it is open.
pub struct Client<'c, S: TcpClientStack, C: Clock> {
    tls: TlsStream<'c, NalSocket<'c, S, C>>,
    deadline: &'c Deadline<C>,
    session: Session<'c>,
}

impl<'c, S, C> Client<'c, S, C>
where
    S: TcpClientStack,
    C: Clock,
{
    /// Resolves the host through the stack's DNS (IPv4 first, then IPv6), connects and
    /// completes a verified TLS 1.3 (or 1.2) handshake (juspay-tls), all under `config`'s deadline.
    /// Between the handshake's expensive steps (key generation, ECDH, the certificate
    /// chain, the handshake signature) it calls the clock's [`Clock::handshake_step`]: a
    /// place to feed a watchdog.
    pub fn connect<R: CryptoRngCore>(
        connector: &'c mut Connector<'_, S, C, R>,
        config: Config<'c>,
    ) -> Result<Self>
    where
        S: Dns,
    {
        // One deadline for the whole connect, name resolution included.
        connector.deadline.start(config.deadline_ms());
        let address = match session::ip_address(&config.endpoint) {
            Some(ip) => ip,
            None => resolve(
                &mut connector.stack,
                &connector.deadline,
                config.endpoint.host(),
            )?,
        };
        let address = SocketAddr::new(address, config.endpoint.port());
        Self::open(connector, config, address)
    }

    /// Connects to a fixed address (no DNS); the endpoint's host name is still what the
    /// certificate is checked against.
    pub fn connect_to<R: CryptoRngCore>(
        connector: &'c mut Connector<'_, S, C, R>,
        config: Config<'c>,
        address: SocketAddr,
    ) -> Result<Self> {
        connector.deadline.start(config.deadline_ms());
        Self::open(connector, config, address)
    }

    /// TCP and TLS under the deadline already started. The connection is built in a frame
    /// of its own and the handshake then runs on it in place: the TLS state (2.6 KiB) is
    /// not copied again under the handshake's deep stack.
    fn open<R: CryptoRngCore>(
        connector: &'c mut Connector<'_, S, C, R>,
        config: Config<'c>,
        address: SocketAddr,
    ) -> Result<Self> {
        // One place for the connection from start to end (no `?` moving it out and back):
        // the optimizer then builds it where the caller wants it.
        let mut connection = Self::unconnected(connector, config, address);
        if let Ok(client) = &mut connection
            && let Err(e) = client.handshake()
        {
            connection = Err(e);
        }
        connection
    }

    /// TCP connected, TLS not started.
    #[inline(never)]
    fn unconnected<R: CryptoRngCore>(
        connector: &'c mut Connector<'_, S, C, R>,
        config: Config<'c>,
        address: SocketAddr,
    ) -> Result<Self> {
        let tls = connector.tls.client(&config)?;
        let deadline = &connector.deadline;
        let socket = NalSocket::connect(&mut connector.stack, address, deadline)
            .map_err(Error::from_socket)?;
        crate::fmt::debug!("TCP connected");
        Ok(Client {
            tls: TlsStream { tls, socket },
            deadline,
            session: Session::new(config),
        })
    }

    #[inline(never)]
    fn handshake(&mut self) -> Result<()> {
        let deadline = self.deadline;
        self.tls
            .handshake(|| deadline.clock().handshake_step())
            .map_err(Error::from_stream)?;
        crate::fmt::debug!("TLS session open, server certificate verified");
        Ok(())
    }

    /// Whether the connection can carry another call.
    pub fn is_reusable(&self) -> bool {
        self.session.is_reusable()
    }

    /// One Get Customer call on this connection. `buf` holds the request, then the
    /// response (2 KiB is enough for the API's responses). After a response that does
    /// not allow reuse, or any error, the next call returns
    /// `Error::Core(juspay_core::Error::ConnectionClosed)`: connect again.
    pub fn get_customer(&mut self, request: &GetCustomer<'_>, buf: &mut [u8]) -> Result<Reply> {
        self.call(request, buf)
    }

    /// One call of any kind ([`GetCustomer`], [`CreateCustomer`],
    /// [`UpdateCustomer`](juspay_core::UpdateCustomer)) on this connection, under its own
    /// deadline; as [`get_customer`](Self::get_customer) otherwise.
    pub fn call<'r>(
        &mut self,
        request: impl Into<CustomerRequest<'r>>,
        buf: &mut [u8],
    ) -> Result<Reply> {
        self.exchange(request.into(), Some(self.deadline), buf)
    }

    /// Get-or-create ([`GetOrCreate`]): Get by object_reference_id, Create when not found,
    /// Get again when another device created it first; one deadline over all the calls,
    /// one routing id. The reply is the last call's: the customer, or the API error that
    /// ended the flow. The calls share this connection: a response that closes it ends the
    /// flow with `Error::Core(juspay_core::Error::ConnectionClosed)`.
    pub fn get_or_create(&mut self, create: &CreateCustomer<'_>, buf: &mut [u8]) -> Result<Reply> {
        self.deadline.start(self.session.config.deadline_ms());
        GetOrCreate::new(*create).run(|request| self.exchange(request, None, buf))
    }

    /// A client auth token good for `margin_seconds` after `now` (the firmware's clock):
    /// `None` while `customer` carries one, else the reply of the Get that asks for a new
    /// one ([`Customer::token_request`]).
    pub fn refresh_token(
        &mut self,
        customer: &Customer,
        now: Timestamp,
        margin_seconds: u32,
        buf: &mut [u8],
    ) -> Result<Option<Reply>> {
        match customer.token_request(now, margin_seconds) {
            Some(get) => self.call(get, buf).map(Some),
            None => Ok(None),
        }
    }

    /// One request on the connection; `Some(deadline)` starts its own deadline, `None`
    /// keeps the one running.
    fn exchange(
        &mut self,
        request: CustomerRequest<'_>,
        deadline: Option<&Deadline<C>>,
        buf: &mut [u8],
    ) -> Result<Reply> {
        self.session.begin(&request, deadline)?;
        let config = self.session.config;
        let mut connection = session::call_connection(&mut self.tls);
        let outcome = driver::call(
            &mut connection,
            &config.endpoint,
            &config.credentials,
            request,
            buf,
        );
        self.session.end(outcome)
    }

    /// Sends close_notify (under a deadline of its own) and closes the socket.
    pub fn close(mut self) {
        self.deadline.start(self.session.config.deadline_ms());
        self.tls.close();
    }
}

fn resolve<S: Dns, C: Clock>(stack: &mut S, deadline: &Deadline<C>, host: &str) -> Result<IpAddr> {
    for kind in session::ADDRESS_TYPES {
        match deadline.poll(|| stack.get_host_by_name(host, kind.clone())) {
            Ok(address) => return Ok(address),
            Err(SocketError::Timeout) => return Err(Error::Timeout),
            Err(SocketError::Stack(_)) => {}
        }
    }
    Err(Error::Dns)
}
