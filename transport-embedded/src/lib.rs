//! juspay-transport-embedded: Juspay's Customer API for firmware.
//!
//! A verified TLS connection to Juspay over any embedded-nal 0.9 network stack, carrying
//! juspay-core's driver: no heap, no clock or RNG of its own (the firmware supplies them),
//! buffers from the caller.
//!
//! - [`NalSocket`]: an embedded-nal `TcpClientStack` socket as `embedded_io::{Read, Write}`,
//!   polling `nb::WouldBlock` against the firmware's [`Clock`] so that a stalled server
//!   ends in [`Error::Timeout`], never a hang.
//! - [`Connector`]: what connections are made from, made once: the network stack, the
//!   clock, the RNG, the TLS buffers ([`TlsBuffers`]) and the trust anchors with the time
//!   certificates are checked at. Both clients connect from it.
//! - [`Client`]: DNS through embedded-nal's `Dns` (or a fixed address), TLS 1.3 (or 1.2)
//!   through our own sans-IO client, [`juspay_tls`], whose handshake verifies the server's
//!   certificate as a step of its own (see the trust model below), and the connection
//!   kept for the next call while responses allow it.
//! - [`AsyncClient`] (feature `async`): the same client for async firmware (embassy):
//!   embedded-nal-async's `TcpConnect` and `Dns` (embassy-net's `TcpClient` and
//!   `DnsSocket`), the same juspay-tls state machine, deadlines from the firmware's clock
//!   through the one small trait [`Sleep`], on any executor. It shares everything but the
//!   I/O with [`Client`]: configuration, buffers, verifier, errors, connection reuse, and
//!   juspay-core's protocol loop (`driver::Exchange`).
//! - [`signature`]: ECDSA, Ed25519 and RSA signature verification without a heap, as
//!   rustls-pki-types `SignatureVerificationAlgorithm`s for rustls-webpki.
//!
//! On a host (feature `std`: std-embedded-nal, the OS RNG and the system clock stand in
//! for the firmware's; the repository's tests make these calls against a loopback server
//! that answers like the API):
//!
//! ```no_run
//! # #[cfg(feature = "std")] {
//! use juspay_transport_embedded::host::{MonotonicClock, OsRng, Stack, wall_clock};
//! use juspay_transport_embedded::{
//!     CertificateDer, Client, Config, Connector, Endpoint, GetCustomer, TlsBuffers, trust_anchor,
//! };
//!
//! // The root the API host's chain leads to; on firmware: certificates in flash.
//! let root = CertificateDer::from(std::fs::read("root.der").unwrap());
//! let anchors = [trust_anchor(&root).unwrap()];
//! // Made once: on firmware the board's network stack, timer and hardware RNG, static
//! // buffers, and CertificateTime::Now(rtc) or ::AtLeast(build time).
//! let mut tls = TlsBuffers::new();
//! let mut connector =
//!     Connector::new(Stack, MonotonicClock::new(), OsRng, &mut tls, &anchors, wall_clock());
//!
//! let config = Config::new(Endpoint::SANDBOX, "your_api_key", "your_merchant_id").unwrap();
//! let mut client = Client::connect(&mut connector, config).unwrap();
//! let mut buf = [0u8; 2048];
//! let reply = client.get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj"), &mut buf).unwrap();
//! match reply.customer {
//!     Ok(customer) => println!("{:?}", customer.last_name),
//!     Err(api) => println!("the API answered {}", api.http_status),
//! }
//! // The connection stays open for the next call while the server allows it.
//! assert!(client.is_reusable());
//! # }
//! ```
//!
//! # Async
//! [`AsyncClient`] connects from the same [`Connector`] with the same [`Config`], returns
//! the same [`Reply`] and [`Error`]; its futures run on any executor. On the host (features
//! `std` and `async`: std-embedded-nal-async and async-io stand in for the firmware's):
//!
//! ```no_run
//! # #[cfg(all(feature = "std", feature = "async"))] {
//! use juspay_transport_embedded::host::{AsyncStack, MonotonicClock, OsRng, block_on, wall_clock};
//! use juspay_transport_embedded::{
//!     AsyncClient, CertificateDer, Config, Connector, Endpoint, GetCustomer, TlsBuffers,
//!     trust_anchor,
//! };
//!
//! let root = CertificateDer::from(std::fs::read("root.der").unwrap());
//! let anchors = [trust_anchor(&root).unwrap()];
//! let mut tls = TlsBuffers::new();
//! let stack = AsyncStack::default(); // TcpConnect and Dns in one
//! let clock = MonotonicClock::new(); // Clock + Sleep
//! let mut connector = Connector::new(stack, clock, OsRng, &mut tls, &anchors, wall_clock());
//! let config = Config::new(Endpoint::SANDBOX, "your_api_key", "your_merchant_id").unwrap();
//! block_on(async {
//!     let mut client = AsyncClient::connect(&mut connector, config).await.unwrap();
//!     let mut buf = [0u8; 2048];
//!     let request = GetCustomer::new("cst_om2l6ctlptxwxuzj");
//!     let reply = client.get_customer(&request, &mut buf).await.unwrap();
//!     println!("{:?}", reply.customer.map(|customer| customer.id));
//!     client.close().await;
//! });
//! # }
//! ```
//!
//! On embassy: a task owns the client; the network stack is embassy-net's, the buffers
//! are static, the clock is embassy-time's. Compiled here against embassy-net and
//! embassy-time; the whole firmware (executor, the LAN9118 driver, tasks), built for
//! thumbv7em-none-eabihf and run under QEMU by CI, is `examples/firmware/embassy` in the
//! repository (`bash examples/firmware/embassy/run.sh`).
//!
//! ```no_run
//! # #[cfg(feature = "async")] {
//! use embassy_net::dns::DnsSocket;
//! use embassy_net::tcp::client::{TcpClient, TcpClientState};
//! use embassy_time::{Duration, Instant};
//! use juspay_transport_embedded::rand_core::CryptoRngCore;
//! use juspay_transport_embedded::{
//!     AsyncClient, CertificateDer, CertificateTime, Clock, Config, Connector, Endpoint,
//!     GetCustomer, Sleep, TcpAndDns, TlsBuffers, trust_anchor,
//! };
//! use static_cell::{ConstStaticCell, StaticCell};
//!
//! /// embassy-time as the client's clock.
//! struct EmbassyClock;
//! impl Clock for EmbassyClock {
//!     fn now_ms(&self) -> u64 {
//!         Instant::now().as_millis()
//!     }
//! }
//! impl Sleep for EmbassyClock {
//!     async fn sleep_until(&self, deadline_ms: u64) {
//!         embassy_time::Timer::at(Instant::from_millis(deadline_ms)).await
//!     }
//! }
//!
//! // Two roots in flash (see "Which roots to ship" below), from include_bytes!("root.der")
//! // and include_bytes!("next-root.der"); the credentials from provisioning.
//! # const ROOT_DER: &[u8] = &[];
//! # const NEXT_ROOT_DER: &[u8] = &[];
//! # const API_KEY: &str = "key";
//! # const MERCHANT_ID: &str = "merchant";
//! static ROOT: CertificateDer<'static> = CertificateDer::from_slice(ROOT_DER);
//! static NEXT_ROOT: CertificateDer<'static> = CertificateDer::from_slice(NEXT_ROOT_DER);
//! const BUILD_TIME: u64 = 1_790_000_000; // seconds since 1970, set by the build
//!
//! /// Spawned as an embassy task (`#[embassy_executor::task]`), with the board's network
//! /// stack and its hardware RNG.
//! async fn juspay(stack: embassy_net::Stack<'static>, rng: impl CryptoRngCore) -> ! {
//!     // 18 KiB and more of buffers: static, not on the task's stack. ConstStaticCell
//!     // keeps them in .bss; StaticCell::init would build each on the stack first.
//!     static TLS: ConstStaticCell<TlsBuffers> = ConstStaticCell::new(TlsBuffers::new());
//!     static CALL: ConstStaticCell<[u8; 2048]> = ConstStaticCell::new([0; 2048]);
//!     static TCP: StaticCell<TcpClientState<1, 1024, 2048>> = StaticCell::new();
//!     let buf = CALL.take();
//!     let tcp = TcpClient::new(stack, TCP.init(TcpClientState::new()));
//!     let network = TcpAndDns { tcp: &tcp, dns: DnsSocket::new(stack) };
//!     let anchors = [trust_anchor(&ROOT).unwrap(), trust_anchor(&NEXT_ROOT).unwrap()];
//!     let time = CertificateTime::AtLeast(BUILD_TIME);
//!     let mut connector = Connector::new(network, EmbassyClock, rng, TLS.take(), &anchors, time);
//!     let config = Config::new(Endpoint::PRODUCTION, API_KEY, MERCHANT_ID).unwrap();
//!     loop {
//!         stack.wait_config_up().await;
//!         if let Ok(mut client) = AsyncClient::connect(&mut connector, config).await {
//!             // One connection for as many calls as the server allows.
//!             while client.is_reusable() {
//!                 let request = GetCustomer::new("cst_om2l6ctlptxwxuzj");
//!                 let Ok(reply) = client.get_customer(&request, &mut buf[..]).await else { break };
//!                 let _ = reply.customer; // the customer, or the API's error, for the UI
//!                 embassy_time::Timer::after(Duration::from_secs(60)).await;
//!             }
//!         }
//!         embassy_time::Timer::after(Duration::from_secs(1)).await;
//!     }
//! }
//! # }
//! ```
//!
//! # Trust model
//! The server's certificate is checked as juspay-transport-std's rustls checks it, by the
//! same validator, rustls-webpki (without its allocator):
//! - **Path**: from the end-entity certificate to one of the [`Connector`]'s trust anchors, through
//!   the intermediates the server sent, in any order, extra ones ignored; basicConstraints
//!   (only CAs issue), key usage, extended key usage serverAuth, path length and name
//!   constraints; up to [`MAX_CHAIN_CERTIFICATES`] certificates in the message. Revocation
//!   is not checked (neither does the std transport).
//! - **Name**: the endpoint's host name against every DNS subjectAltName (wildcards as
//!   RFC 6125 allows), or its IP address against the IP address subjectAltNames.
//! - **Time**: every certificate's validity at the [`Connector`]'s [`CertificateTime`]. [`CertificateTime::Now`]
//!   is a trusted clock (an RTC set from a trusted source). A device without one says so
//!   with [`CertificateTime::AtLeast`] and a floor it knows has passed (its build time, or
//!   the newest trusted time it has seen): certificates that expired before the floor are
//!   refused, newer ones are accepted. There is no way to skip the date check.
//! - **Handshake signature**: the TLS 1.3 CertificateVerify (TLS 1.2: the
//!   ServerKeyExchange's signature), checked with the end-entity key, with the scheme the
//!   server picked from the ones offered. juspay-tls's state machine requires the
//!   certificate and the signature before Finished: a handshake that skips either is
//!   refused, and nothing of the request is written before the server's
//!   Finished has been verified.
//! - **Algorithms** (module [`signature`], no heap): ECDSA P-256 and P-384 with SHA-256 or
//!   SHA-384; RSA PKCS#1 v1.5 (certificate signatures, and TLS 1.2 ServerKeyExchange) and
//!   RSA-PSS (certificates and handshake signatures) with SHA-256/384/512, moduli of
//!   2,048 to 4,096 bits, exponent 65537; Ed25519 (feature `ed25519`, on by default). The ClientHello offers exactly
//!   these. Differences from rustls: RSA moduli over 4,096 bits are refused (rustls takes
//!   up to 8,192), and so are RSA exponents other than 65537.
//!
//! **Which roots to ship.** Trust as few roots as you can: every trusted root can issue a
//! certificate for the API's host name, so a kiosk that trusts the whole Mozilla list
//! trusts about 150 organisations with its API key. Ship two: the root that the API host's
//! chain leads to today (the last certificate `openssl s_client -connect HOST:443
//! -showcerts` prints leads to it), and a second, independent one: that CA's announced
//! successor or cross-signed root, or the root of the CA the host would move to. When the
//! host's certificate moves to another root, as it does when a CA rotates or is
//! distrusted, devices that shipped only one root stop connecting until a firmware update
//! reaches them; devices with two keep working while that update rolls out.
//!
//! # Sizes
//! | buffer | bytes |
//! |---|---|
//! | TLS read ([`TLS_READ_BUFFER`]) | 16,640: any TLS record |
//! | TLS write ([`TLS_WRITE_BUFFER`]) | 2,048 |
//! | request/response, per call | 2,048 for the API's responses |
//! | kept from the Certificate message for CertificateVerify | the end-entity's public key, up to [`MAX_PUBLIC_KEY_INFO`], and the transcript hash |
//!
//! The Certificate message is verified where it lies in the TLS read buffer: no copy of
//! the chain is made.
//!
//! # TLS
//! [`juspay_tls`] (its crate docs say what it speaks and refuses): TLS 1.3 with
//! TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256 and TLS_AES_256_GCM_SHA384, X25519
//! and P-256 ([`Config::key_share`] picks the first key share; a HelloRetryRequest for the
//! other is answered), KeyUpdate, tickets read and dropped; TLS 1.2 with ECDHE and
//! AES-GCM or ChaCha20-Poly1305 for servers without TLS 1.3 ([`Config::tls13_only`]
//! requires TLS 1.3). Every refusal is an
//! [`Error::Tls`] (or [`Error::Certificate`]) value answered with its alert, never a panic.
//! Between the handshake's expensive steps the blocking client calls
//! [`Clock::handshake_step`] and
//! the async client yields to the executor.
//!
//! # Crate features
//! - `ed25519` (default): Ed25519 certificates and handshake signatures; without it the
//!   scheme is neither offered nor accepted.
//! - `p384` (default): ECDSA P-384 certificates and handshake signatures (juspay-tls's
//!   `p384`, whose docs name the public roots that need it).
//! - `tls12` (default): TLS 1.2 beside TLS 1.3 (juspay-tls's `tls12`); without it only
//!   TLS 1.3 is spoken and TLS 1.2's code (5.3 KB on a Cortex-M4) is left out.
//! - `p256-cortex-m4`: P-256 from P256-Cortex-M4's assembly (crate p256-cortex-m4) (on thumbv7em targets).
//! - `defmt`: log through defmt and `defmt::Format` for the errors (firmware); `log`: log
//!   through log, and the request and response heads (secrets redacted) at debug (hosts).
//!   Additive: with both, both get the messages.
//! - `async`: [`AsyncClient`] and [`Sleep`], over embedded-nal-async 0.9 and
//!   embedded-io-async 0.7 (embassy-net 0.9 implements both); `embassy-futures`' `select`
//!   races each socket operation against the deadline.
//! - `std`: host support ([`host`]): system clock, OS RNG, std-embedded-nal stack; with
//!   `async` also std-embedded-nal-async's stack and async-io's timer and `block_on` (those
//!   two crates are built with `std` alone too: a Cargo feature cannot require two
//!   features).
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(unreachable_pub)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

#[cfg(feature = "async")]
mod asynch;
mod client;
mod connector;
mod error;
mod fmt;
#[doc(hidden)]
pub use juspay_tls::handshake_vector;
#[cfg(feature = "log")]
mod head_log;
#[cfg(feature = "std")]
pub mod host;
mod session;
mod socket;
mod tls;

#[cfg(feature = "async")]
pub use asynch::{AsyncClient, TcpAndDns};
pub use client::Client;
pub use connector::Connector;
pub use error::{Error, Result};
pub use session::{Buffers, Config, TLS_READ_BUFFER, TLS_WRITE_BUFFER, TlsBuffers};
#[cfg(feature = "async")]
pub use socket::Sleep;
pub use socket::{Clock, Deadline, NalSocket, SocketError};

// What the API of this crate takes and returns, and the traits in its bounds, so that one
// dependency is enough.
/// The blocking client's stack traits (`TcpClientStack`, `Dns`) and error kinds.
pub use embedded_nal;
/// The async client's stack traits (`TcpConnect`, `Dns`).
#[cfg(feature = "async")]
pub use embedded_nal_async;
pub use juspay_core::{
    self, ApiError, ApiErrorKind, ApiProblem, ClientAuthToken, CreateCustomer, Credentials,
    Customer, CustomerRequest, Endpoint, ErrorClass, ErrorInfo, FieldError, GetCustomer,
    InputField, Juspay, Reply, Timestamp, UpdateCustomer,
};
pub use juspay_tls::{self, Group, signature};
pub use juspay_tls::{CertificateDer, Der, ServerName, TrustAnchor};
pub use juspay_tls::{
    CertificateError, CertificateTime, MAX_CHAIN_CERTIFICATES, MAX_PUBLIC_KEY_INFO, Verifier,
    trust_anchor, webpki,
};
/// The RNG trait a [`Connector`] takes (`CryptoRngCore`), rand_core 0.6.
pub use rand_core;
