//! juspay-transport-embedded: Juspay's Customer API for firmware.
//!
//! A verified TLS connection to Juspay over any embedded-nal 0.9 network stack, carrying
//! juspay-core's driver: no heap, no clock or RNG of its own (the firmware supplies them),
//! buffers from the caller.
//!
//! - [`NalSocket`]: an embedded-nal `TcpClientStack` socket as `embedded_io::{Read, Write}`,
//!   polling `nb::WouldBlock` against the firmware's [`Clock`] so that a stalled server
//!   ends in [`Error::Timeout`], never a hang.
//! - [`Client`]: DNS through embedded-nal's `Dns` (or a fixed address), TLS 1.3 through
//!   embedded-tls with the server's chain checked against one pinned root certificate,
//!   the host name checked, validity checked with the firmware's [`TlsClock`], and the
//!   connection kept for the next call while responses allow it.
//! - [`signature`]: ECDSA, Ed25519 and RSA signature verification without a heap, as
//!   rustls-pki-types `SignatureVerificationAlgorithm`s for rustls-webpki.
//!
//! On a host (feature `std`: std-embedded-nal, the OS RNG and the system clock stand in
//! for the firmware's), against the loopback sandbox:
//!
//! ```
//! # #[cfg(feature = "std")] {
//! use juspay_core::{Credentials, Endpoint, GetCustomer};
//! use juspay_transport_embedded::host::{OsRng, Stack, SystemClock, WallClock};
//! use juspay_transport_embedded::{Buffers, Client, Config, TLS_READ_BUFFER, TLS_WRITE_BUFFER, Timer};
//!
//! let sandbox = juspay_sandbox::Sandbox::start().unwrap();
//! let url = format!("https://localhost:{}", sandbox.address().port());
//! let root = sandbox.ca_der(); // the one root certificate pinned
//! let config = Config {
//!     endpoint: Endpoint::parse(&url).unwrap(),
//!     credentials: Credentials::new(juspay_sandbox::DEMO_API_KEY, juspay_sandbox::DEMO_MERCHANT_ID).unwrap(),
//!     root_certificate: &root,
//!     timeout_ms: 5_000,
//! };
//! // On firmware these are static buffers, the network stack, a hardware RNG and timer.
//! let (mut tls_read, mut tls_write) = ([0u8; TLS_READ_BUFFER], [0u8; TLS_WRITE_BUFFER]);
//! let mut stack = Stack;
//! let timer = Timer::new(SystemClock::new());
//! let buffers = Buffers { tls_read: &mut tls_read, tls_write: &mut tls_write };
//! let mut client = Client::<_, _, WallClock>::connect(&mut stack, &timer, OsRng, config, buffers).unwrap();
//!
//! let mut buf = [0u8; 2048];
//! let reply = client.get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj"), &mut buf).unwrap();
//! assert_eq!(reply.result.unwrap().last_name.as_deref(), Some("Smith"));
//! assert!(client.is_reusable());
//! # }
//! ```
//!
//! # Sizes
//! | buffer | bytes |
//! |---|---|
//! | TLS read ([`TLS_READ_BUFFER`]) | 16,640: any TLS record |
//! | TLS write ([`TLS_WRITE_BUFFER`]) | 2,048 |
//! | request/response, per call | 2,048 for the API's responses |
//! | certificate chain during the handshake, on the stack ([`CERTIFICATE_CHAIN_CAPACITY`]) | 4,096 |
//!
//! # Limits
//! embedded-tls speaks TLS 1.3 only, with the TLS_AES_128_GCM_SHA256 suite and a P-256
//! key share, and verifies ECDSA P-256 chains; its RSA support needs an allocator, so
//! RSA chains are refused. It checks DNS names only (no IP-address
//! certificates), pins one root, and does not check revocation. To check that an
//! endpoint fits: `openssl s_client -connect HOST:443 -tls1_3 -groups P-256 -sigalgs
//! ECDSA+SHA256` must complete, and the root it shows is the one to pin. When the
//! endpoint does not fit, the handshake fails with [`Error::Tls`] (exit 4 in the
//! `get_customer` command), never with a connection that skips verification.
//!
//! embedded-tls 0.19 calls `unimplemented!()` when a server sends a handshake message
//! other than NewSessionTicket after the handshake; with `panic = "abort"` that resets
//! the device. Our tests do not reach it; it is a known gap of that crate.
//!
//! # Crate features
//! - `defmt`: log through defmt (firmware); `log`: log through log (hosts). Not both.
//! - `std`: host support ([`host`]): system clock, OS RNG, std-embedded-nal stack.
//! - `ed25519` (default): [`signature::ED25519`]. On by default because embedded-tls
//!   always offers Ed25519 in its ClientHello.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod client;
mod fmt;
#[cfg(feature = "std")]
pub mod host;
pub mod signature;
mod socket;

pub use client::{
    Buffers, CERTIFICATE_CHAIN_CAPACITY, Client, Config, Error, ErrorClass, TLS_READ_BUFFER,
    TLS_WRITE_BUFFER,
};
pub use embedded_tls::blocking::{TlsClock, TlsError};
pub use socket::{Clock, NalSocket, SocketError, Timer};
