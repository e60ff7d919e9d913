//! What the blocking [`Client`](crate::Client) and the [`AsyncClient`](crate::AsyncClient)
//! share: the configuration and buffers, the TLS set-up with our verifier, the verdict on a
//! finished handshake, and the bookkeeping around each call. Only the I/O differs between
//! the two clients.

use core::net::IpAddr;

use embedded_io::ErrorType;
use embedded_nal::AddrType;
use embedded_tls::blocking::{Aes128GcmSha256, CryptoProvider, TlsConfig, TlsError, TlsVerifier};
use juspay_core::driver::CloseAsEof;
use juspay_core::{Credentials, CustomerRequest, Endpoint, InputField, InputProblem, Reply};
use rand_core::CryptoRngCore;
use rustls_pki_types::{ServerName, TrustAnchor};

use crate::error::{Error, Result};
use crate::socket::{Clock, Timer};
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

/// The firmware's RNG and our verifier, as embedded-tls asks for them (its blocking and
/// async connections take the same provider).
pub(crate) struct Provider<'a, R> {
    rng: R,
    pub(crate) verifier: Verifier<'a>,
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

/// The endpoint's host as an IP address, when it is one (then no name is resolved).
pub(crate) fn ip_address(endpoint: &Endpoint<'_>) -> Option<IpAddr> {
    endpoint.host().parse().ok()
}

/// The address families asked of the resolver, in order.
pub(crate) const ADDRESS_TYPES: [AddrType; 2] = [AddrType::IPv4, AddrType::IPv6];

/// The TLS configuration for `config`'s endpoint and a provider holding `rng` and a
/// verifier for that endpoint.
pub(crate) fn tls_setup<'a, R: CryptoRngCore>(
    config: &Config<'a>,
    rng: R,
) -> Result<(TlsConfig<'a>, Provider<'a, R>)> {
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
    let provider = Provider {
        rng,
        verifier: Verifier::new(config.trust_anchors, server_name, config.time),
    };
    Ok((tls_config, provider))
}

/// What a finished handshake amounts to: the verifier's refusal first (embedded-tls
/// reports it as a bare TLS error), then embedded-tls's own error, and then whether the
/// server's certificate was verified at all.
pub(crate) fn handshake_verdict(
    opened: Result<(), TlsError>,
    verifier: &Verifier<'_>,
) -> Result<()> {
    if let Some(refusal) = verifier.refusal() {
        return Err(Error::Certificate(refusal.clone()));
    }
    opened.map_err(Error::from_tls)?;
    // embedded-tls completes a handshake in which the server sent no Certificate or
    // CertificateVerify at all without asking the verifier: refuse it here, before a
    // byte of the request is written.
    verifier.verified().map_err(Error::Certificate)?;
    crate::fmt::debug!("TLS 1.3 session open, server certificate verified");
    Ok(())
}

/// embedded-tls reports close_notify or a closed socket as an error.
fn is_close(e: &TlsError) -> bool {
    matches!(e, TlsError::ConnectionClosed | TlsError::IoError)
}

/// What the driver runs over: the TLS connection with closes read as the end of the data
/// and, with `log`, the heads logged (secrets redacted).
#[cfg(feature = "log")]
pub(crate) type CallConnection<T> = crate::head_log::HeadLog<CloseAsEof<T, fn(&TlsError) -> bool>>;
#[cfg(not(feature = "log"))]
pub(crate) type CallConnection<T> = CloseAsEof<T, fn(&TlsError) -> bool>;

pub(crate) fn call_connection<T: ErrorType<Error = TlsError>>(tls: T) -> CallConnection<T> {
    let connection = CloseAsEof::new(tls, is_close as fn(&TlsError) -> bool);
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

    /// Before a call: the request is valid and the connection usable; with `Some(timer)`
    /// the call's deadline starts (a flow of several calls starts it once, before the
    /// first). Until [`end`](Self::end) says otherwise the connection counts as spent, so
    /// that a call that fails (or an async call that is dropped) leaves it unused.
    pub(crate) fn begin<C: Clock>(
        &mut self,
        request: &CustomerRequest<'_>,
        timer: Option<&Timer<C>>,
    ) -> Result<()> {
        request.validate()?;
        if !self.reusable {
            return Err(Error::Core(juspay_core::Error::ConnectionClosed));
        }
        self.reusable = false;
        if let Some(timer) = timer {
            timer.start(self.config.timeout_ms);
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
        outcome: Result<Reply, juspay_core::Error<TlsError>>,
    ) -> Result<Reply> {
        let reply = outcome.map_err(Error::from_core)?;
        crate::fmt::debug!("response received, reusable: {}", reply.reusable);
        self.reusable = reply.reusable;
        Ok(reply)
    }
}
