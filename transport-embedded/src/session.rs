//! What the blocking [`Client`](crate::Client) and the [`AsyncClient`](crate::AsyncClient)
//! share: the configuration and buffers, the TLS client for the endpoint, and the
//! bookkeeping around each call. Only the I/O differs between the two clients.

use core::net::IpAddr;
use core::time::Duration;

use embedded_io::ErrorType;
use embedded_nal::AddrType;
use juspay_core::driver::CloseAsEof;
use juspay_core::{Credentials, CustomerRequest, Endpoint, InputField, InputProblem, Reply};
use juspay_tls::{CertificateTime, Group, ServerName, TrustAnchor};
use rand_core::CryptoRngCore;

use crate::error::{Error, Result};
use crate::socket::{Clock, Deadline};
use crate::tls::{StreamError, TlsStream};

/// Size of the TLS receive buffer that holds any TLS record (16 KiB of data plus
/// overhead): [`juspay_tls::RECEIVE_BUFFER`].
pub const TLS_READ_BUFFER: usize = juspay_tls::RECEIVE_BUFFER;
/// Size of the TLS send buffer that fits a Get Customer request in one record.
pub const TLS_WRITE_BUFFER: usize = juspay_tls::SEND_BUFFER;

/// Where and how to call: the endpoint, the credentials, the deadline. The same names as
/// juspay-transport-std's `Config`; whom to trust is the [`Connector`](crate::Connector)'s.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Config<'a> {
    /// The API host; its name (or IP address) is checked against the server certificate.
    pub endpoint: Endpoint<'a>,
    /// API key and merchant id.
    pub credentials: Credentials<'a>,
    /// The deadline of a connect (DNS, TCP and TLS handshake), of each call, and of a
    /// get-or-create flow as a whole.
    pub deadline: Duration,
    /// The group of the key share the first ClientHello carries (X25519 by default; P-256
    /// on a Cortex-M4 with juspay-tls's `p256-cortex-m4`, where it is the faster of the two). A
    /// server that wants the other asks with a HelloRetryRequest.
    pub key_share: Group,
    /// Whether TLS 1.2 is offered beside TLS 1.3 (true by default); see
    /// [`Config::tls13_only`].
    pub offer_tls12: bool,
}

impl<'a> Config<'a> {
    /// A configuration with a 30 s deadline. `endpoint` is a URL (`https://host[:port]`)
    /// or an [`Endpoint`] (`Endpoint::PRODUCTION`); the API key and merchant id are checked
    /// as juspay-core checks them.
    pub fn new<E>(endpoint: E, api_key: &'a str, merchant_id: &'a str) -> Result<Self>
    where
        E: TryInto<Endpoint<'a>>,
        juspay_core::Error: From<E::Error>,
    {
        Ok(Config {
            endpoint: endpoint.try_into().map_err(juspay_core::Error::from)?,
            credentials: Credentials::new(api_key, merchant_id)?,
            deadline: Duration::from_secs(30),
            key_share: Group::X25519,
            offer_tls12: true,
        })
    }

    /// The same requiring TLS 1.3 (juspay-tls's `Config::tls13_only`): a server that
    /// speaks only TLS 1.2 is refused during the handshake, before any request.
    pub fn tls13_only(self) -> Self {
        Config {
            offer_tls12: false,
            ..self
        }
    }

    /// The same with the first key share in `group`.
    pub fn key_share(self, key_share: Group) -> Self {
        Config { key_share, ..self }
    }

    /// The same with another deadline.
    pub fn deadline(self, deadline: Duration) -> Self {
        Config { deadline, ..self }
    }

    /// The deadline in the clock's milliseconds.
    pub(crate) fn deadline_ms(&self) -> u64 {
        u64::try_from(self.deadline.as_millis()).unwrap_or(u64::MAX)
    }
}

/// The caller's buffers for TLS records, of any size: [`TlsBuffers`] has the sizes that
/// take any record.
pub struct Buffers<'b> {
    /// At least [`TLS_READ_BUFFER`] bytes to accept any record; smaller works only with
    /// servers that send smaller records.
    pub tls_read: &'b mut [u8],
    /// At least [`TLS_WRITE_BUFFER`] bytes.
    pub tls_write: &'b mut [u8],
}

/// TLS buffers of the sizes that take any record ([`TLS_READ_BUFFER`] and
/// [`TLS_WRITE_BUFFER`]), for a `static` (`const fn new`, zeroed in .bss) that a
/// [`Connector`](crate::Connector) borrows.
pub struct TlsBuffers {
    read: [u8; TLS_READ_BUFFER],
    write: [u8; TLS_WRITE_BUFFER],
}

impl TlsBuffers {
    /// Zeroed buffers.
    pub const fn new() -> Self {
        TlsBuffers {
            read: [0; TLS_READ_BUFFER],
            write: [0; TLS_WRITE_BUFFER],
        }
    }
}

impl Default for TlsBuffers {
    fn default() -> Self {
        TlsBuffers::new()
    }
}

impl<'b> From<&'b mut TlsBuffers> for Buffers<'b> {
    fn from(buffers: &'b mut TlsBuffers) -> Self {
        Buffers {
            tls_read: &mut buffers.read,
            tls_write: &mut buffers.write,
        }
    }
}

/// The endpoint's host as an IP address, when it is one (then no name is resolved).
pub(crate) fn ip_address(endpoint: &Endpoint<'_>) -> Option<IpAddr> {
    endpoint.host().parse().ok()
}

/// The address families asked of the resolver, in order.
pub(crate) const ADDRESS_TYPES: [AddrType; 2] = [AddrType::IPv4, AddrType::IPv6];

/// A TLS client for `config`'s endpoint over `buffers`, trusting `trust_anchors` at `time`.
pub(crate) fn tls_client<'b>(
    config: &Config<'b>,
    trust_anchors: &'b [TrustAnchor<'b>],
    time: CertificateTime,
    buffers: Buffers<'b>,
    rng: &mut impl CryptoRngCore,
) -> Result<juspay_tls::Client<'b>> {
    let server_name = ServerName::try_from(config.endpoint.host()).map_err(|_| {
        Error::Core(juspay_core::Error::InvalidInput {
            field: InputField::BaseUrl,
            problem: InputProblem::Malformed,
        })
    })?;
    let tls_config =
        juspay_tls::Config::new(server_name, trust_anchors, time).key_share(config.key_share);
    let tls_config = if config.offer_tls12 {
        tls_config
    } else {
        tls_config.tls13_only()
    };
    juspay_tls::Client::new(tls_config, buffers.tls_read, buffers.tls_write, rng)
        .map_err(Error::from_tls)
}

/// What the driver runs over: the TLS connection with closes read as the end of the data
/// and, with `log`, the heads logged (secrets redacted).
#[cfg(feature = "log")]
pub(crate) type CallConnection<'t, 'b, S> =
    crate::head_log::HeadLog<CloseAsEof<&'t mut TlsStream<'b, S>, fn(&StreamError) -> bool>>;
#[cfg(not(feature = "log"))]
pub(crate) type CallConnection<'t, 'b, S> =
    CloseAsEof<&'t mut TlsStream<'b, S>, fn(&StreamError) -> bool>;

pub(crate) fn call_connection<'t, 'b, S>(tls: &'t mut TlsStream<'b, S>) -> CallConnection<'t, 'b, S>
where
    TlsStream<'b, S>: ErrorType<Error = StreamError>,
{
    let connection = CloseAsEof::new(tls, crate::tls::is_close as fn(&StreamError) -> bool);
    #[cfg(feature = "log")]
    let connection = crate::head_log::HeadLog::new(connection);
    connection
}

/// A connection's calls: its configuration and whether it may carry another.
pub(crate) struct Session<'a> {
    pub(crate) config: Config<'a>,
    reusable: bool,
}

impl<'a> Session<'a> {
    pub(crate) fn new(config: Config<'a>) -> Self {
        Session {
            config,
            reusable: true,
        }
    }

    pub(crate) fn is_reusable(&self) -> bool {
        self.reusable
    }

    /// Before a call: the request is valid and the connection usable; with `Some(deadline)`
    /// the call's deadline starts (a flow of several calls starts it once, before the
    /// first). Until [`end`](Self::end) says otherwise the connection counts as spent, so
    /// that a call that fails (or an async call that is dropped) leaves it unused.
    pub(crate) fn begin<C: Clock>(
        &mut self,
        request: &CustomerRequest<'_>,
        deadline: Option<&Deadline<C>>,
    ) -> Result<()> {
        request.validate()?;
        if !self.reusable {
            return Err(Error::Core(juspay_core::Error::ConnectionClosed));
        }
        self.reusable = false;
        if let Some(deadline) = deadline {
            deadline.start(self.config.deadline_ms());
        }
        // The operation and the body's length only: ids and fields are personal data.
        crate::fmt::debug!(
            "{} customer, form body of {} bytes",
            request.operation().name(),
            request.body_len()
        );
        Ok(())
    }

    /// After a call: its outcome in this crate's terms, and whether the response allows
    /// another call on the connection.
    pub(crate) fn end(
        &mut self,
        outcome: Result<Reply, juspay_core::Error<StreamError>>,
    ) -> Result<Reply> {
        // The reply stays where it is (a `?` and an `Ok` would each copy its 1.2 KiB in
        // this frame, under every read of the call).
        if let Ok(reply) = &outcome {
            crate::fmt::debug!("response received, reusable: {}", reply.reusable);
            self.reusable = reply.reusable;
        }
        outcome.map_err(Error::from_core)
    }
}
