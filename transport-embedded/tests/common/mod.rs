//! What the host tests share: one way to connect and call with either client, so that
//! every loopback case runs through the blocking [`Client`] and the [`AsyncClient`] alike
//! (the fault, certificate and hostile tables run over every transport from the test
//! crate, `tests/tests`).

#![allow(dead_code)] // each test file uses a part of it

use std::net::SocketAddr;
use std::time::Duration;

use juspay_core::{CreateCustomer, CustomerRequest, GetCustomer, Reply};
use juspay_sandbox::{DEMO_API_KEY, DEMO_MERCHANT_ID};
use juspay_transport_embedded::host::{AsyncStack, MonotonicClock, OsRng, Stack, block_on};
use juspay_transport_embedded::{
    AsyncClient, Buffers, CertificateDer, CertificateTime, Client, Config, Connector, Error, Group,
    TLS_READ_BUFFER, TLS_WRITE_BUFFER, trust_anchor,
};

/// Which client carries the calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// [`Client`] over std-embedded-nal.
    Blocking,
    /// [`AsyncClient`] over std-embedded-nal-async, on async-io's `block_on`.
    Async,
}

/// One call a test makes: a request, or get-or-create.
#[derive(Debug, Clone, Copy)]
pub enum Call<'a> {
    /// [`Client::call`].
    One(CustomerRequest<'a>),
    /// [`Client::get_or_create`].
    GetOrCreate(CreateCustomer<'a>),
}

impl<'a> From<GetCustomer<'a>> for Call<'a> {
    fn from(request: GetCustomer<'a>) -> Self {
        Call::One(request.into())
    }
}

impl<'a> From<CustomerRequest<'a>> for Call<'a> {
    fn from(request: CustomerRequest<'a>) -> Self {
        Call::One(request)
    }
}

/// Where to connect and what to trust.
pub struct Target {
    /// `https://host:port`: the host is what the certificate is checked against.
    pub url: String,
    /// The trusted roots (DER).
    pub roots: Vec<CertificateDer<'static>>,
    /// The certificate time.
    pub time: CertificateTime,
    /// The deadline of the connect and of each call.
    pub timeout_ms: u64,
    /// Connect here instead of resolving the host.
    pub address: Option<SocketAddr>,
}

/// The firmware's part on the host: one clock and one set of buffers, used by every
/// connection (as a device would).
pub struct Host {
    clock: MonotonicClock,
    tls_read: Vec<u8>,
    tls_write: Vec<u8>,
    buf: Vec<u8>,
}

impl Host {
    pub fn new() -> Self {
        Host {
            clock: MonotonicClock::new(),
            tls_read: vec![0; TLS_READ_BUFFER],
            tls_write: vec![0; TLS_WRITE_BUFFER],
            buf: vec![0; 2048],
        }
    }

    /// The same with a TLS read buffer of `tls_read` bytes.
    pub fn with_tls_read(tls_read: usize) -> Self {
        Host {
            tls_read: vec![0; tls_read],
            ..Host::new()
        }
    }

    /// Connects to `target` with the `mode` client, runs `requests` on the one connection,
    /// and returns what each brought.
    pub fn calls<'r, R: Copy + Into<Call<'r>>>(
        &mut self,
        mode: Mode,
        target: &Target,
        requests: &[R],
    ) -> Result<Vec<Result<Reply, Error>>, Error> {
        self.calls_first_share(mode, target, None, requests)
    }

    /// [`Host::calls`] with the first key share in `key_share` (the client's default
    /// with `None`).
    pub fn calls_first_share<'r, R: Copy + Into<Call<'r>>>(
        &mut self,
        mode: Mode,
        target: &Target,
        key_share: Option<Group>,
        requests: &[R],
    ) -> Result<Vec<Result<Reply, Error>>, Error> {
        self.calls_configured(
            mode,
            target,
            |config| match key_share {
                Some(group) => config.key_share(group),
                None => config,
            },
            requests,
        )
    }

    /// [`Host::calls`] with the configuration changed by `configure`.
    pub fn calls_configured<'r, R: Copy + Into<Call<'r>>>(
        &mut self,
        mode: Mode,
        target: &Target,
        configure: impl FnOnce(Config<'_>) -> Config<'_>,
        requests: &[R],
    ) -> Result<Vec<Result<Reply, Error>>, Error> {
        let anchors: Vec<_> = target
            .roots
            .iter()
            .map(|root| trust_anchor(root).unwrap())
            .collect();
        let config = Config::new(target.url.as_str(), DEMO_API_KEY, DEMO_MERCHANT_ID)
            .unwrap()
            .deadline(Duration::from_millis(target.timeout_ms));
        let config = configure(config);
        let buffers = Buffers {
            tls_read: &mut self.tls_read,
            tls_write: &mut self.tls_write,
        };
        let (clock, buf) = (self.clock, &mut self.buf);
        match mode {
            Mode::Blocking => {
                let mut connector =
                    Connector::new(Stack, clock, OsRng, buffers, &anchors, target.time);
                let mut client = match target.address {
                    Some(address) => Client::connect_to(&mut connector, config, address)?,
                    None => Client::connect(&mut connector, config)?,
                };
                Ok(requests
                    .iter()
                    .map(|&request| match request.into() {
                        Call::One(request) => client.call(request, buf),
                        Call::GetOrCreate(create) => client.get_or_create(&create, buf),
                    })
                    .collect())
            }
            Mode::Async => block_on(async {
                let stack = AsyncStack::default();
                let mut connector =
                    Connector::new(stack, clock, OsRng, buffers, &anchors, target.time);
                let mut client = match target.address {
                    Some(address) => {
                        AsyncClient::connect_to(&mut connector, config, address).await?
                    }
                    None => AsyncClient::connect(&mut connector, config).await?,
                };
                let mut replies = Vec::new();
                for &request in requests {
                    replies.push(match request.into() {
                        Call::One(request) => client.call(request, buf).await,
                        Call::GetOrCreate(create) => client.get_or_create(&create, buf).await,
                    });
                }
                Ok(replies)
            }),
        }
    }

    /// One call on a new connection.
    pub fn call<'r>(
        &mut self,
        mode: Mode,
        target: &Target,
        request: impl Into<Call<'r>> + Copy,
    ) -> Result<Reply, Error> {
        self.calls(mode, target, &[request])?.remove(0)
    }
}

/// Makes one test per client for each `fn name(mode: Mode)`: `blocking::name` and
/// `async_client::name`.
#[macro_export]
macro_rules! both_clients {
    ($($case:ident),* $(,)?) => {
        mod blocking {
            $(#[test] fn $case() { super::$case($crate::common::Mode::Blocking) })*
        }
        mod async_client {
            $(#[test] fn $case() { super::$case($crate::common::Mode::Async) })*
        }
    };
}
