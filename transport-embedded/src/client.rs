//! A verified TLS connection to Juspay over any embedded-nal stack, carrying
//! juspay-core's driver.

use core::fmt;
use core::net::{IpAddr, SocketAddr};

use embedded_io::{ErrorKind, ErrorType, Read, Write};
use embedded_nal::{AddrType, Dns, TcpClientStack};
use embedded_tls::blocking::{
    Aes128GcmSha256, CryptoProvider, TlsConfig, TlsConnection, TlsContext, TlsError, TlsVerifier,
};
use juspay_core::driver::{self, Reply};
use juspay_core::{Credentials, Endpoint, GetCustomer};
use rand_core::CryptoRngCore;
use rustls_pki_types::{ServerName, TrustAnchor};

use crate::socket::{Clock, NalSocket, SocketError, Timer};
use crate::verifier::{CertificateError, CertificateTime, Verifier};

/// Size of the TLS read buffer that holds any TLS record (16 KiB of data plus overhead).
pub const TLS_READ_BUFFER: usize = 16_640;
/// Size of the TLS write buffer that fits a Get Customer request in one record.
pub const TLS_WRITE_BUFFER: usize = 2048;
/// Where and how to call.
#[derive(Debug, Clone, Copy)]
pub struct Config<'a> {
    /// The API host; its name (or IP address) is checked against the server certificate.
    pub endpoint: Endpoint<'a>,
    /// API key and merchant id.
    pub credentials: Credentials<'a>,
    /// The roots the server's chain may lead to (see [`crate::trust_anchor`]); ship two
    /// so that a fleet survives a CA rotation (the crate docs say which).
    pub trust_anchors: &'a [TrustAnchor<'a>],
    /// What certificate validity is checked against: a trusted clock, or explicitly none.
    pub time: CertificateTime,
    /// Deadline of a connect (DNS, TCP and TLS handshake) and of each call, in milliseconds.
    pub timeout_ms: u64,
}

/// What connecting or calling ended in. `E` is the network stack's error type.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Error<E> {
    /// A value was refused before anything was sent.
    InvalidInput(juspay_core::Error),
    /// The host name did not resolve.
    Dns,
    /// TCP connect failed.
    Connect(E),
    /// The server's certificate or handshake signature was refused; nothing was sent.
    Certificate(CertificateError),
    /// TLS failed: the server's parameters are not what embedded-tls speaks (TLS 1.3,
    /// AES-128-GCM, a P-256 key share), an alert, or bytes that are not TLS.
    Tls(TlsError),
    /// The deadline passed.
    Timeout,
    /// The connection failed after it was established.
    Io(ErrorKind),
    /// The connection was closed (by the server, or after a response that does not allow
    /// reuse): connect again.
    ConnectionClosed,
    /// The response broke HTTP/1.1 or the expected JSON.
    Protocol(juspay_core::Error),
}

/// The classes of [`Error`], as in juspay-transport-std.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Refused before sending.
    Input,
    /// No response: DNS, connect, TLS, timeout, I/O.
    Transport,
    /// A malformed, incomplete or too large response.
    Protocol,
}

impl<E> Error<E> {
    /// The class of this error.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::InvalidInput(_) => ErrorClass::Input,
            Error::Protocol(_) => ErrorClass::Protocol,
            _ => ErrorClass::Transport,
        }
    }

    fn from_socket(e: SocketError<E>) -> Self {
        match e {
            SocketError::Timeout => Error::Timeout,
            SocketError::Stack(e) => Error::Connect(e),
        }
    }

    fn from_tls(e: TlsError) -> Self {
        match e {
            TlsError::Io(ErrorKind::TimedOut) => Error::Timeout,
            TlsError::Io(kind) => Error::Io(kind),
            TlsError::ConnectionClosed | TlsError::IoError => Error::ConnectionClosed,
            other => Error::Tls(other),
        }
    }

    fn from_core(e: juspay_core::Error<TlsError>) -> Self {
        use juspay_core::Error as Core;
        match e.retype() {
            Err(tls) => Error::from_tls(tls),
            Ok(Core::ConnectionClosed) => Error::ConnectionClosed,
            Ok(input @ (Core::InvalidInput { .. } | Core::BufferTooSmall { .. })) => {
                Error::InvalidInput(input)
            }
            Ok(protocol) => Error::Protocol(protocol),
        }
    }
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput(e) => fmt::Display::fmt(e, f),
            Error::Dns => f.write_str("host name did not resolve"),
            Error::Connect(e) => write!(f, "cannot connect: {e:?}"),
            Error::Certificate(e) => fmt::Display::fmt(e, f),
            Error::Tls(e) => write!(f, "TLS failure: {e:?}"),
            Error::Timeout => f.write_str("timed out"),
            Error::Io(kind) => write!(f, "connection failed: {kind:?}"),
            Error::ConnectionClosed => f.write_str("connection closed"),
            Error::Protocol(e) => write!(f, "malformed response: {e}"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for Error<E> {}

/// The caller's buffers for TLS records.
pub struct Buffers<'b> {
    /// At least [`TLS_READ_BUFFER`] bytes to accept any record; smaller works only with
    /// servers that send smaller records.
    pub tls_read: &'b mut [u8],
    /// At least [`TLS_WRITE_BUFFER`] bytes.
    pub tls_write: &'b mut [u8],
}

/// The firmware's RNG and our verifier, as embedded-tls asks for them.
struct Provider<'a, R> {
    rng: R,
    verifier: Verifier<'a>,
}

impl<R: CryptoRngCore> CryptoProvider for Provider<'_, R> {
    type CipherSuite = Aes128GcmSha256;
    type Signature = &'static [u8];

    fn rng(&mut self) -> impl CryptoRngCore {
        &mut self.rng
    }

    fn verifier(&mut self) -> Result<&mut impl TlsVerifier<Self::CipherSuite>, TlsError> {
        Ok(&mut self.verifier)
    }
}

/// Reads the end of the TLS stream (close_notify, or TCP closed) as the end of the data,
/// so that juspay-core's parser tells a cut response from an idle connection closed by
/// the server.
struct EndAsEof<'c, C>(&'c mut C);

impl<C: ErrorType> ErrorType for EndAsEof<'_, C> {
    type Error = C::Error;
}

impl<'c, 'b, S: TcpClientStack, C: Clock> Read
    for EndAsEof<'c, TlsConnection<'b, NalSocket<'b, S, C>, Aes128GcmSha256>>
{
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, TlsError> {
        match self.0.read(buf) {
            Err(TlsError::ConnectionClosed | TlsError::IoError) => Ok(0),
            other => other,
        }
    }
}

impl<C: Write> Write for EndAsEof<'_, C> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, C::Error> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> Result<(), C::Error> {
        self.0.flush()
    }
}

/// A TLS connection to the API, kept for the next call while responses allow it.
pub struct Client<'b, S: TcpClientStack, C: Clock> {
    tls: TlsConnection<'b, NalSocket<'b, S, C>, Aes128GcmSha256>,
    timer: &'b Timer<C>,
    config: Config<'b>,
    reusable: bool,
}

impl<'b, S, C> Client<'b, S, C>
where
    S: TcpClientStack,
    C: Clock,
{
    /// Resolves the host through the stack's DNS (IPv4 first, then IPv6), connects and
    /// completes a verified TLS 1.3 handshake.
    pub fn connect(
        stack: &'b mut S,
        timer: &'b Timer<C>,
        rng: impl CryptoRngCore,
        config: Config<'b>,
        buffers: Buffers<'b>,
    ) -> Result<Self, Error<<S as TcpClientStack>::Error>>
    where
        S: Dns,
    {
        // One deadline for the whole connect, name resolution included.
        timer.start(config.timeout_ms);
        let host = config.endpoint.hostname();
        let address = match host.parse::<IpAddr>() {
            Ok(ip) => ip,
            Err(_) => resolve(stack, timer, host)?,
        };
        let address = SocketAddr::new(address, config.endpoint.port());
        Self::open(stack, timer, rng, config, buffers, address)
    }

    /// Connects to a fixed address (no DNS); the endpoint's host name is still what the
    /// certificate is checked against.
    pub fn connect_to(
        stack: &'b mut S,
        timer: &'b Timer<C>,
        rng: impl CryptoRngCore,
        config: Config<'b>,
        buffers: Buffers<'b>,
        address: SocketAddr,
    ) -> Result<Self, Error<S::Error>> {
        timer.start(config.timeout_ms);
        Self::open(stack, timer, rng, config, buffers, address)
    }

    /// TCP and TLS under the deadline already started.
    fn open(
        stack: &'b mut S,
        timer: &'b Timer<C>,
        rng: impl CryptoRngCore,
        config: Config<'b>,
        buffers: Buffers<'b>,
        address: SocketAddr,
    ) -> Result<Self, Error<S::Error>> {
        let host = config.endpoint.hostname();
        let server_name = ServerName::try_from(host).map_err(|_| {
            Error::InvalidInput(juspay_core::Error::InvalidInput {
                input: juspay_core::Input::BaseUrl,
                problem: juspay_core::Problem::Malformed,
            })
        })?;
        // SNI carries host names only (RFC 6066, 3): an IP address is checked against the
        // certificate's IP address SANs but not sent.
        let tls_config = match server_name {
            ServerName::DnsName(_) => TlsConfig::new().with_server_name(host),
            _ => TlsConfig::new(),
        }
        .enable_rsa_signatures();
        let mut provider = Provider {
            rng,
            verifier: Verifier::new(config.trust_anchors, server_name, config.time),
        };
        let socket = NalSocket::connect(stack, address, timer).map_err(Error::from_socket)?;
        crate::fmt::debug!("TCP connected");
        let mut tls = TlsConnection::new(socket, buffers.tls_read, buffers.tls_write);
        let opened = tls.open(TlsContext::new(&tls_config, &mut provider));
        if let Some(refusal) = provider.verifier.refusal() {
            return Err(Error::Certificate(refusal.clone()));
        }
        opened.map_err(Error::from_tls)?;
        // embedded-tls completes a handshake in which the server sent no Certificate or
        // CertificateVerify at all without asking the verifier: refuse it here, before a
        // byte of the request is written.
        provider.verifier.verified().map_err(Error::Certificate)?;
        crate::fmt::debug!("TLS 1.3 session open, server certificate verified");
        Ok(Client {
            tls,
            timer,
            config,
            reusable: true,
        })
    }

    /// Whether the connection can carry another call.
    pub fn is_reusable(&self) -> bool {
        self.reusable
    }

    /// One Get Customer call on this connection. `buf` holds the request, then the
    /// response (2 KiB is enough for the API's responses). After a response that does
    /// not allow reuse, or any error, the next call returns [`Error::ConnectionClosed`]:
    /// connect again.
    pub fn get_customer(
        &mut self,
        request: &GetCustomer<'_>,
        buf: &mut [u8],
    ) -> Result<Reply, Error<S::Error>> {
        request.validate().map_err(Error::InvalidInput)?;
        if !self.reusable {
            return Err(Error::ConnectionClosed);
        }
        self.reusable = false;
        self.timer.start(self.config.timeout_ms);
        let config = &self.config;
        let reply = driver::get_customer(
            &mut EndAsEof(&mut self.tls),
            &config.endpoint,
            &config.credentials,
            request,
            buf,
        )
        .map_err(Error::from_core)?;
        crate::fmt::debug!("response received, reusable: {}", reply.reusable);
        self.reusable = reply.reusable;
        Ok(reply)
    }

    /// Sends close_notify and closes the socket.
    pub fn close(self) {
        let _ = self.tls.close();
    }
}

fn resolve<S: Dns, C: Clock, E>(
    stack: &mut S,
    timer: &Timer<C>,
    host: &str,
) -> Result<IpAddr, Error<E>> {
    for ipv6 in [false, true] {
        let kind = || if ipv6 { AddrType::IPv6 } else { AddrType::IPv4 };
        match timer.poll(|| stack.get_host_by_name(host, kind())) {
            Ok(address) => return Ok(address),
            Err(SocketError::Timeout) => return Err(Error::Timeout),
            Err(SocketError::Stack(_)) => {}
        }
    }
    Err(Error::Dns)
}
