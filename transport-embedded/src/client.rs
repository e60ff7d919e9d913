//! A verified TLS connection to Juspay over any embedded-nal stack, carrying
//! juspay-core's driver.

use core::net::{IpAddr, SocketAddr};

use embedded_nal::{AddrType, Dns, TcpClientStack};
use embedded_tls::blocking::{
    Aes128GcmSha256, CryptoProvider, TlsConfig, TlsConnection, TlsContext, TlsError, TlsVerifier,
};
use juspay_core::driver::{self, CloseAsEof};
use juspay_core::{Credentials, Endpoint, GetCustomer, InputField, InputProblem, Reply};
use rand_core::CryptoRngCore;
use rustls_pki_types::{ServerName, TrustAnchor};

use crate::error::{Error, Result};
use crate::socket::{Clock, NalSocket, SocketError, Timer};
use crate::verifier::{CertificateTime, Verifier};

/// Size of the TLS read buffer that holds any TLS record (16 KiB of data plus overhead).
pub const TLS_READ_BUFFER: usize = 16_640;
/// Size of the TLS write buffer that fits a Get Customer request in one record.
pub const TLS_WRITE_BUFFER: usize = 2048;

/// Where and how to call.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
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

impl<'a> Config<'a> {
    /// A configuration with a 30 s deadline per connect and per call.
    pub fn new(
        endpoint: Endpoint<'a>,
        credentials: Credentials<'a>,
        trust_anchors: &'a [TrustAnchor<'a>],
        time: CertificateTime,
    ) -> Self {
        Config {
            endpoint,
            credentials,
            trust_anchors,
            time,
            timeout_ms: 30_000,
        }
    }

    /// The same with another deadline.
    pub fn timeout_ms(self, timeout_ms: u64) -> Self {
        Config { timeout_ms, ..self }
    }
}

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
    ) -> Result<Self>
    where
        S: Dns,
    {
        // One deadline for the whole connect, name resolution included.
        timer.start(config.timeout_ms);
        let host = config.endpoint.host();
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
    ) -> Result<Self> {
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
    ) -> Result<Self> {
        let host = config.endpoint.host();
        let server_name = ServerName::try_from(host).map_err(|_| {
            Error::Core(juspay_core::Error::InvalidInput {
                field: InputField::BaseUrl,
                problem: InputProblem::Malformed,
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
    /// not allow reuse, or any error, the next call returns
    /// `Error::Core(juspay_core::Error::ConnectionClosed)`: connect again.
    pub fn get_customer(&mut self, request: &GetCustomer<'_>, buf: &mut [u8]) -> Result<Reply> {
        request.validate()?;
        if !self.reusable {
            return Err(Error::Core(juspay_core::Error::ConnectionClosed));
        }
        self.reusable = false;
        self.timer.start(self.config.timeout_ms);
        let config = &self.config;

        // embedded-tls reports close_notify or a closed socket as an error.
        let connection = CloseAsEof::new(&mut self.tls, |e: &TlsError| {
            matches!(e, TlsError::ConnectionClosed | TlsError::IoError)
        });
        #[cfg(feature = "log")]
        let mut connection = crate::head_log::HeadLog::new(connection);
        #[cfg(not(feature = "log"))]
        let mut connection = connection;
        let reply = driver::get_customer(
            &mut connection,
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

fn resolve<S: Dns, C: Clock>(stack: &mut S, timer: &Timer<C>, host: &str) -> Result<IpAddr> {
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
