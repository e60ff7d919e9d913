//! juspay-transport-std: Juspay's Customer API for std programs.
//!
//! juspay-core's protocol (request encoding, response parsing, JSON decoding) carried over
//! TCP and rustls: TLS 1.2 and 1.3 with full certificate and host name verification
//! (webpki-roots, plus roots you add), connect/read/write timeouts under one deadline per
//! call, keep-alive, and retries for connection failures and 429/502/503/504.
//!
//! ```
//! use juspay_transport_std::{Client, Config, GetCustomer};
//!
//! // A loopback server that answers like the API, with its own CA (use
//! // juspay_transport_std::SANDBOX_URL or PRODUCTION_URL and your key for real).
//! let sandbox = juspay_sandbox::Sandbox::start().unwrap();
//! let mut config = Config::new(sandbox.base_url(), juspay_sandbox::DEMO_API_KEY, juspay_sandbox::DEMO_MERCHANT_ID);
//! config.extra_roots.push(sandbox.ca_der());
//!
//! let mut client = Client::new(config)?;
//! let customer = client.get_customer(&GetCustomer::new("cst_om2l6ctlptxwxuzj").client_auth_token(true))?;
//! assert_eq!(customer.first_name.as_deref(), Some("John"));
//! assert!(customer.juspay.is_some());
//!
//! match client.get_customer(&GetCustomer::new("cst_unknown")) {
//!     Err(e) => assert_eq!(e.api().map(|api| api.http_status), Some(404)),
//!     Ok(_) => unreachable!(),
//! }
//! # Ok::<(), juspay_transport_std::Error>(())
//! ```
//!
//! # Errors
//! [`Error::class`] sorts every error into the four [`ErrorClass`]es juspay-core defines
//! for every transport: input, API, transport, protocol. `Display` says what failed at one
//! level; the cause is its [`source`](std::error::Error::source) (the OS error of a
//! refused connection, rustls's reason for a TLS failure). The API's own error is
//! [`Error::Api`] here, and a `Result` in [`Reply`](juspay_core::Reply) on firmware: see
//! [`Error`] for why.
//!
//! # Logging
//! Through the `log` crate: calls at debug, request and response heads at debug with the
//! `Authorization` value redacted. Bodies (which carry client auth tokens and personal
//! data) are never logged.
#![deny(missing_docs)]

mod client;
mod config;
mod connect;
mod error;
mod retry;
mod stream;

pub use client::Client;
pub use config::{Config, RetryPolicy, Secret};
pub use error::{Error, Result};

// What the API of this crate takes and returns, so that one dependency is enough.
pub use juspay_core::{
    self, ApiError, ApiErrorKind, ClientAuthToken, Customer, ErrorClass, ErrorInfo, FieldError,
    GetCustomer, Juspay, Timestamp,
};
pub use rustls::{self, pki_types::CertificateDer};

/// Juspay's sandbox.
pub const SANDBOX_URL: &str = "https://sandbox.juspay.in";
/// Juspay's production API.
pub const PRODUCTION_URL: &str = "https://api.juspay.in";
