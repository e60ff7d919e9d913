//! Every client of both transports behind one face, each registered once here: the
//! fault, certificate and hostile-server tables are each written once (in this crate's
//! library) and run over all of them from one file each (`faults.rs`, `certificates.rs`,
//! `hostile.rs`), and so are the customer cases (`customers.rs`) and the loopback cases
//! every transport shares (`loopback.rs`).

#![allow(dead_code)] // each test file uses a part of it

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use juspay_sandbox::certificates::Verdict;
use juspay_sandbox::faults::{self, Expected};
use juspay_sandbox::{DEMO_API_KEY, DEMO_MERCHANT_ID, hostile};
use juspay_transport_embedded::host::{
    AsyncStack, MonotonicClock, OsRng, Stack, block_on, wall_clock,
};
use juspay_transport_embedded::{Buffers, Connector, Reply, TLS_WRITE_BUFFER, trust_anchor};
use juspay_transport_std::{
    ApiError, CertificateDer, CreateCustomer, Customer, CustomerRequest, ErrorClass, GetCustomer,
    InputField,
};

/// Which client carries the calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// juspay-transport-std's `Client` (rustls).
    Std,
    /// juspay-transport-std's `AsyncClient`, on a tokio runtime of its own.
    Tokio,
    /// juspay-transport-embedded's `Client` (juspay-tls) over std-embedded-nal.
    Embedded,
    /// juspay-transport-embedded's `AsyncClient` over std-embedded-nal-async.
    EmbeddedAsync,
}

/// Makes one test per transport for each `fn name(transport: Transport)`:
/// `std_client::name`, `tokio_client::name`, `embedded_client::name` and
/// `embedded_async_client::name`.
#[macro_export]
macro_rules! for_each_transport {
    ($($case:ident),* $(,)?) => {
        mod std_client {
            $(#[test] fn $case() { super::$case($crate::transports::Transport::Std) })*
        }
        mod tokio_client {
            $(#[test] fn $case() { super::$case($crate::transports::Transport::Tokio) })*
        }
        mod embedded_client {
            $(#[test] fn $case() { super::$case($crate::transports::Transport::Embedded) })*
        }
        mod embedded_async_client {
            $(#[test] fn $case() { super::$case($crate::transports::Transport::EmbeddedAsync) })*
        }
    };
}

/// Where to connect and whom to trust, for any transport.
#[derive(Debug, Clone)]
pub struct Target {
    /// `https://host:port`: the host is what the certificate is checked against.
    pub url: String,
    /// The only roots trusted (DER).
    pub roots: Vec<CertificateDer<'static>>,
    /// The deadline of the connect and of each call.
    pub deadline: Duration,
    /// Connect here instead of resolving the host.
    pub address: Option<SocketAddr>,
    /// The embedded clients' TLS read buffer.
    pub tls_read: usize,
}

impl Target {
    /// `url`, trusting `roots`, with the default read buffer.
    pub fn new(url: String, roots: Vec<CertificateDer<'static>>, deadline: Duration) -> Self {
        Target {
            url,
            roots,
            deadline,
            address: None,
            tls_read: juspay_transport_embedded::TLS_READ_BUFFER,
        }
    }
}

/// How one call ended, in the carrying transport's own terms.
#[derive(Debug)]
pub enum Ended {
    Std(juspay_transport_std::Result<Customer>),
    Embedded(Result<Reply, juspay_transport_embedded::Error>),
}

/// A client of any transport for one target. The std clients keep their client (and its
/// pool) from call to call; the embedded ones connect for each call from the same
/// buffers, as a device would.
pub enum Client {
    Std(juspay_transport_std::Client),
    Tokio(
        juspay_transport_std::AsyncClient,
        Arc<tokio::runtime::Runtime>,
    ),
    Embedded {
        target: Target,
        asynchronous: bool,
        tls_read: Vec<u8>,
        tls_write: Vec<u8>,
        buf: Vec<u8>,
    },
}

impl Transport {
    /// A client for `target`: no retries (they would hide what the first attempt ended in).
    pub fn client(self, target: &Target) -> Client {
        let std_config = || {
            let mut config =
                juspay_transport_std::Config::new(&target.url, DEMO_API_KEY, DEMO_MERCHANT_ID);
            config.webpki_roots = false;
            config.extra_roots = target.roots.clone();
            config.connect_to = target.address;
            config.deadline = target.deadline;
            config.retry.max_retries = 0;
            config
        };
        match self {
            Transport::Std => Client::Std(juspay_transport_std::Client::new(std_config()).unwrap()),
            Transport::Tokio => {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("a tokio runtime");
                let client = juspay_transport_std::AsyncClient::new(std_config()).unwrap();
                Client::Tokio(client, Arc::new(runtime))
            }
            Transport::Embedded | Transport::EmbeddedAsync => Client::Embedded {
                target: target.clone(),
                asynchronous: self == Transport::EmbeddedAsync,
                tls_read: vec![0; target.tls_read],
                tls_write: vec![0; TLS_WRITE_BUFFER],
                buf: vec![0; 2048],
            },
        }
    }
}

/// One call a test makes: a request, or get-or-create.
#[derive(Debug, Clone, Copy)]
pub enum Op<'a> {
    /// `call`.
    One(CustomerRequest<'a>),
    /// `get_or_create`.
    GetOrCreate(CreateCustomer<'a>),
}

impl Client {
    /// One Get Customer call.
    pub fn get_customer(&mut self, request: &GetCustomer<'_>) -> Ended {
        self.run(Op::One((*request).into()))
    }

    /// Any request.
    pub fn call<'r>(&mut self, request: impl Into<CustomerRequest<'r>>) -> Answer {
        self.run(Op::One(request.into())).into()
    }

    /// Get-or-create.
    pub fn get_or_create(&mut self, create: &CreateCustomer<'_>) -> Answer {
        self.run(Op::GetOrCreate(*create)).into()
    }

    fn run(&mut self, op: Op<'_>) -> Ended {
        match self {
            Client::Std(client) => Ended::Std(match op {
                Op::One(request) => client.call(request),
                Op::GetOrCreate(create) => client.get_or_create(&create),
            }),
            Client::Tokio(client, runtime) => Ended::Std(runtime.block_on(async {
                match op {
                    Op::One(request) => client.call(request).await,
                    Op::GetOrCreate(create) => client.get_or_create(&create).await,
                }
            })),
            Client::Embedded {
                target,
                asynchronous,
                tls_read,
                tls_write,
                buf,
            } => {
                use juspay_transport_embedded::{AsyncClient, Client, Config};
                let anchors: Vec<_> = target
                    .roots
                    .iter()
                    .map(|root| trust_anchor(root).unwrap())
                    .collect();
                let config = Config::new(target.url.as_str(), DEMO_API_KEY, DEMO_MERCHANT_ID)
                    .unwrap()
                    .deadline(target.deadline);
                let buffers = Buffers {
                    tls_read,
                    tls_write,
                };
                let (clock, time) = (MonotonicClock::new(), wall_clock());
                Ended::Embedded(if *asynchronous {
                    let stack = AsyncStack::default();
                    let mut connector =
                        Connector::new(stack, clock, OsRng, buffers, &anchors, time);
                    block_on(async {
                        let mut client = match target.address {
                            Some(address) => {
                                AsyncClient::connect_to(&mut connector, config, address).await?
                            }
                            None => AsyncClient::connect(&mut connector, config).await?,
                        };
                        match op {
                            Op::One(request) => client.call(request, buf).await,
                            Op::GetOrCreate(create) => client.get_or_create(&create, buf).await,
                        }
                    })
                } else {
                    let mut connector =
                        Connector::new(Stack, clock, OsRng, buffers, &anchors, time);
                    let client = match target.address {
                        Some(address) => Client::connect_to(&mut connector, config, address),
                        None => Client::connect(&mut connector, config),
                    };
                    client.and_then(|mut client| match op {
                        Op::One(request) => client.call(request, buf),
                        Op::GetOrCreate(create) => client.get_or_create(&create, buf),
                    })
                })
            }
        }
    }
}

/// A call's answer in one shape for every transport: the customer, the API's error, or a
/// failure: its class, juspay-core's error when it is one, whether it was the deadline.
#[derive(Debug)]
pub enum Answer {
    Customer(Customer),
    Api(ApiError),
    Failed {
        class: ErrorClass,
        core: Option<juspay_core::Error>,
        timeout: bool,
        text: String,
    },
}

impl Answer {
    /// The customer; panics with the answer otherwise.
    pub fn customer(self) -> Customer {
        match self {
            Answer::Customer(customer) => customer,
            other => panic!("expected a customer, got {other:?}"),
        }
    }

    /// The API's error; panics with the answer otherwise.
    pub fn api(self) -> ApiError {
        match self {
            Answer::Api(api) => api,
            other => panic!("expected an API error, got {other:?}"),
        }
    }

    /// The field whose input was refused; panics with the answer otherwise.
    pub fn refused(self) -> InputField {
        match self {
            Answer::Failed {
                core: Some(juspay_core::Error::InvalidInput { field, .. }),
                ..
            } => field,
            other => panic!("expected refused input, got {other:?}"),
        }
    }

    /// The failure's class and juspay-core's error; panics with the answer otherwise.
    pub fn failure(self) -> (ErrorClass, Option<juspay_core::Error>) {
        match self {
            Answer::Failed { class, core, .. } => (class, core),
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    /// Whether the call ended at its deadline.
    pub fn timed_out(&self) -> bool {
        matches!(self, Answer::Failed { timeout: true, .. })
    }
}

impl From<Ended> for Answer {
    fn from(ended: Ended) -> Self {
        use juspay_transport_embedded::Error as E;
        use juspay_transport_std::Error as S;
        match ended {
            Ended::Std(Ok(customer)) => Answer::Customer(customer),
            Ended::Std(Err(S::Api(api))) => Answer::Api(*api),
            Ended::Std(Err(error)) => Answer::Failed {
                class: error.class(),
                core: match &error {
                    S::Core(core) => Some(core.clone()),
                    _ => None,
                },
                timeout: matches!(error, S::Timeout),
                text: format!("{error:?}"),
            },
            Ended::Embedded(Ok(reply)) => match reply.customer {
                Ok(customer) => Answer::Customer(customer),
                Err(api) => Answer::Api(api),
            },
            Ended::Embedded(Err(error)) => Answer::Failed {
                class: error.class(),
                core: match &error {
                    E::Core(core) => Some(core.clone()),
                    _ => None,
                },
                timeout: matches!(error, E::Timeout),
                text: format!("{error:?}"),
            },
        }
    }
}

/// The customer every table asks for.
pub const CUSTOMER: &str = "cst_om2l6ctlptxwxuzj";

impl Ended {
    /// The customer, when it arrived.
    fn customer(&self) -> Option<&Customer> {
        match self {
            Ended::Std(Ok(customer)) => Some(customer),
            Ended::Embedded(Ok(reply)) => reply.customer.as_ref().ok(),
            _ => None,
        }
    }

    /// The failure's class, and whether it was the deadline.
    fn failure(&self) -> Option<(ErrorClass, bool)> {
        match self {
            Ended::Std(Err(error)) => Some((
                error.class(),
                matches!(error, juspay_transport_std::Error::Timeout),
            )),
            Ended::Embedded(Err(error)) => Some((
                error.class(),
                matches!(error, juspay_transport_embedded::Error::Timeout),
            )),
            _ => None,
        }
    }

    /// As the fault table's runner compares it.
    pub fn fault_outcome(&self) -> faults::Outcome {
        if self
            .customer()
            .is_some_and(|customer| customer.id == CUSTOMER)
        {
            return faults::Outcome::Customer;
        }
        match self.failure() {
            Some((_, true)) => faults::Outcome::Failed(Expected::Timeout, format!("{self:?}")),
            Some((ErrorClass::Protocol, _)) => {
                faults::Outcome::Failed(Expected::Protocol, format!("{self:?}"))
            }
            Some((ErrorClass::Transport, _)) => {
                faults::Outcome::Failed(Expected::Transport, format!("{self:?}"))
            }
            _ => faults::Outcome::Other(format!("{self:?}")),
        }
    }

    /// As the certificate table's runner compares it: a refusal is the certificate's (the
    /// reason as the transport's verifier gives it: rustls's or rustls-webpki's).
    pub fn verdict(&self) -> (Option<Verdict>, String) {
        if self
            .customer()
            .is_some_and(|customer| customer.id == CUSTOMER)
        {
            return (Some(Verdict::Accepted), "the customer arrived".into());
        }
        match self {
            Ended::Std(Err(juspay_transport_std::Error::Tls(
                rustls::Error::InvalidCertificate(reason),
            ))) => (Some(Verdict::Refused), reason.to_string()),
            Ended::Embedded(Err(juspay_transport_embedded::Error::Certificate(e))) => {
                (Some(Verdict::Refused), e.to_string())
            }
            other => (None, format!("neither accepted nor refused: {other:?}")),
        }
    }

    /// As the hostile table's runner compares it: juspay-tls's error inside the embedded
    /// transport's, rustls's refusal as text.
    pub fn hostile_outcome(&self) -> hostile::Outcome {
        use juspay_transport_embedded::Error as E;
        use juspay_transport_std::Error as S;
        if self
            .customer()
            .is_some_and(|customer| customer.id == CUSTOMER)
        {
            return hostile::Outcome::Customer;
        }
        match self {
            Ended::Std(Err(S::Timeout)) | Ended::Embedded(Err(E::Timeout)) => {
                hostile::Outcome::Timeout
            }
            Ended::Std(Err(S::Tls(error))) => hostile::Outcome::Refused(format!("rustls: {error}")),
            Ended::Std(Err(error @ (S::Io(_) | S::Core(juspay_core::Error::ConnectionClosed)))) => {
                hostile::Outcome::Refused(format!("{error:?}"))
            }
            Ended::Embedded(Err(E::Tls(error))) => hostile::Outcome::Tls(error.clone()),
            // What the transport makes of juspay-tls's UnexpectedEof (and of Closed, which
            // the handshake reports as AlertReceived(CloseNotify) instead).
            Ended::Embedded(Err(E::Core(juspay_core::Error::ConnectionClosed))) => {
                hostile::Outcome::Tls(juspay_tls::Error::UnexpectedEof)
            }
            Ended::Embedded(Err(E::Certificate(error))) => {
                hostile::Outcome::Tls(juspay_tls::Error::Certificate(error.clone()))
            }
            other => hostile::Outcome::Other(format!("{other:?}")),
        }
    }
}
