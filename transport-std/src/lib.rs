//! juspay-transport-std: Juspay's Customer API for std programs.
//!
//! juspay-core's protocol (request encoding, response parsing, JSON decoding) carried over
//! TCP and rustls: TLS 1.2 and 1.3 with full certificate and host name verification
//! (webpki-roots, plus roots you add), one deadline per call over every phase (resolution,
//! connect, TLS handshake, request, response), a pool of kept-alive connections, and
//! retries for connection failures and 429/502/503/504.
//!
//! ```no_run
//! use juspay_transport_std::{Client, Config, Endpoint, GetCustomer};
//!
//! let api_key = std::env::var("JUSPAY_API_KEY").expect("JUSPAY_API_KEY is set");
//! let client = Client::new(Config::new(Endpoint::SANDBOX, api_key, "your_merchant_id"))?;
//! let request = GetCustomer::new("cst_om2l6ctlptxwxuzj").client_auth_token(true);
//! let customer = client.get_customer(&request)?;
//! println!("{:?} {:?}", customer.first_name, customer.last_name);
//!
//! match client.get_customer(&GetCustomer::new("cst_unknown")) {
//!     Ok(customer) => println!("{}", customer.id),
//!     Err(e) if e.api().is_some_and(|api| api.http_status == 404) => println!("no such customer"),
//!     Err(e) => return Err(e),
//! }
//! # Ok::<(), juspay_transport_std::Error>(())
//! ```
//!
//! The repository's tests run these calls against a loopback server that answers like the
//! API (its test crate, `juspay-sandbox`, not published).
//!
//! # From many threads
//! A [`Client`] is `Clone + Send + Sync`: build one at start and hand clones (or a
//! reference) to every thread. Calls run side by side, each on a connection of its own.
//!
//! ```no_run
//! use juspay_transport_std::{Client, Config, GetCustomer};
//! # let config = Config::new(juspay_transport_std::Endpoint::SANDBOX, "api_key", "merchant_id");
//! let client = Client::new(config)?;
//! let threads: Vec<_> = ["cst_om2l6ctlptxwxuzj", "customer", "cst_tooedar2k7j1d60b"]
//!     .into_iter()
//!     .map(|id| {
//!         let client = client.clone();
//!         std::thread::spawn(move || client.get_customer(&GetCustomer::new(id)))
//!     })
//!     .collect();
//! for thread in threads {
//!     let customer = thread.join().expect("no panic")?;
//!     println!("{}", customer.id);
//! }
//! // Three threads, at most three connections; they wait in the pool for the next calls.
//! assert!(client.connections_opened() <= 3);
//! # Ok::<(), juspay_transport_std::Error>(())
//! ```
//!
//! # On tokio
//! With the feature `tokio`, `AsyncClient` is the same client for async code: the same
//! [`Config`], pool, retries and errors, tokio's sockets and timers for every phase of the
//! deadline, and a future that is `Send` (for `tokio::spawn`).
//!
//! ```no_run
//! use juspay_transport_std::{AsyncClient, Config, GetCustomer};
//! # let config = Config::new(juspay_transport_std::Endpoint::SANDBOX, "api_key", "merchant_id");
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let client = AsyncClient::new(config)?;
//! let tasks: Vec<_> = ["cst_om2l6ctlptxwxuzj", "customer"]
//!     .into_iter()
//!     .map(|id| {
//!         let client = client.clone();
//!         tokio::spawn(async move { client.get_customer(&GetCustomer::new(id)).await })
//!     })
//!     .collect();
//! for task in tasks {
//!     let customer = task.await.expect("no panic")?;
//!     println!("{}", customer.id);
//! }
//! # Ok::<(), juspay_transport_std::Error>(())
//! # }).unwrap();
//! ```
//!
//! # The connection pool
//! A client ([`Client`] or `AsyncClient`) and all its clones share one pool of kept-alive connections. A call takes the
//! most recently used idle connection, or opens one when none is idle; while the call runs
//! the connection is its alone, and afterwards it goes back to the pool if the response
//! allows (HTTP keep-alive). So there are never more connections open than calls under
//! way plus idle ones, and:
//! - at most [`Config::max_idle_connections`] wait idle (default 32); past it the one idle
//!   longest is closed. 0 opens a connection per call.
//! - a connection idle for [`Config::idle_timeout`] (default 30 s) is closed, not used.
//!   Nothing runs in the background: the pool is tidied when calls take and return
//!   connections.
//! - before a pooled connection is used, a look at its socket (no wait) drops it if the
//!   server has closed it. If the server closes it under the request anyway, the call is
//!   retried once at once on a new connection, whatever [`RetryPolicy`] says; that is the
//!   whole cost of a server that closes idle connections.
//! - each pooled connection keeps its response buffer ([`Config::buffer_size`]), so a
//!   call on it allocates nothing for the response.
//!
//! # The kiosk flow
//! Get the customer or create it the first time (one call, one deadline, one routing id;
//! two kiosks racing end with one customer), then keep a client auth token for the
//! payment SDK, calling Get again only when the cached one is within the margin:
//!
//! ```no_run
//! use std::time::Duration;
//! use juspay_transport_std::{Client, Config, CreateCustomer};
//! # let config = Config::new(juspay_transport_std::Endpoint::SANDBOX, "api_key", "merchant_id");
//! # let client = Client::new(config)?;
//! let create = CreateCustomer::new("kiosk+919988776655", "9988776655")
//!     .mobile_country_code("91")
//!     .client_auth_token(true);
//! let mut customer = client.get_or_create(&create)?; // Get; Create when not found
//! client.refresh_token(&mut customer, Duration::from_secs(300))?; // Get only near expiry
//! let token = customer.juspay.unwrap().client_auth_token.unwrap(); // for the payment SDK
//! # let _ = token;
//! # Ok::<(), juspay_transport_std::Error>(())
//! ```
//!
//! # Errors
//! [`Error::class`] sorts every error into the four [`ErrorClass`]es juspay-core defines
//! for every transport: input, API, transport, protocol. `Display` says what failed at one
//! level; the cause is its [`source`](std::error::Error::source) (the OS error of a
//! refused connection, rustls's reason for a TLS failure). The API's own error is
//! [`Error::Api`] here, and a `Result` in [`Reply`](juspay_core::Reply) on firmware (its
//! docs say why).
//!
//! # Crate features
//! - `tokio`: `AsyncClient` on tokio (tokio-rustls, juspay-core's async driver). Off by
//!   default.
//! - `serde`: `serde::Serialize` and `Deserialize` for [`Customer`], [`ApiError`] and the
//!   types in them (juspay-core's `serde`).
//!
//! # Logging
//! Through the `log` crate: calls at debug, request and response heads at debug with the
//! `Authorization` value redacted. Bodies (which carry client auth tokens and personal
//! data) are never logged.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(unreachable_pub)]

#[cfg(feature = "tokio")]
mod async_client;
mod client;
mod config;
mod connect;
mod error;
mod pool;
mod retry;
mod stream;

#[cfg(feature = "tokio")]
pub use async_client::AsyncClient;
pub use client::Client;
pub use config::{Config, RetryPolicy, Secret};
pub use error::{Error, Result};

// What the API of this crate takes and returns, so that one dependency is enough.
pub use juspay_core::{
    self, ApiError, ApiErrorKind, ApiProblem, ClientAuthToken, CreateCustomer, Customer,
    CustomerRequest, Endpoint, ErrorClass, ErrorInfo, FieldError, GetCustomer, InputField, Juspay,
    Timestamp, UpdateCustomer,
};
pub use rustls::{self, pki_types::CertificateDer};
