//! juspay-core: the protocol core of a Juspay Customer API client, for firmware and std
//! programs alike. `#![no_std]`, no allocator, no socket, no clock.
//!
//! It turns a typed request ([`GetCustomer`], [`CreateCustomer`], [`UpdateCustomer`]) into
//! HTTP/1.1 bytes in a caller buffer, parses the response from bytes fed in any split
//! ([`response::ResponseParser`]), and decodes the customer object into fixed-capacity
//! [`Customer`] fields, or the API's error body into an [`ApiError`]. [`driver`] runs that over any `embedded_io` connection (or, with the
//! feature `async`, any `embedded_io_async` one); transports
//! (std sockets with rustls, embedded-nal with juspay-tls) only supply the connection.
//!
//! ```
//! use juspay_core::{Credentials, Customer, Endpoint, GetCustomer, Timestamp};
//! use juspay_core::response::{ResponseParser, Status};
//!
//! // Encode the request into a stack buffer.
//! let credentials = Credentials::new("my_api_key", "merchant_1")?;
//! let request = GetCustomer::new("cst_tooedar2k7j1d60b").client_auth_token(true);
//! let mut buf = [0u8; 1024];
//! let len = request.encode(&Endpoint::SANDBOX, &credentials, &mut buf)?;
//! assert!(buf[..len].ends_with(b"\r\n\r\n"));
//!
//! // Parse a canned response, fed in two pieces.
//! let mut parser = ResponseParser::new(&mut buf);
//! parser.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")?;
//! let body = br#"{"id":"cst_tooedar2k7j1d60b","juspay":{"client_auth_token":"tkn_8649cd","client_auth_token_expiry":"2020-03-17T14:45:26Z"}}"#;
//! let mut chunked = heapless::Vec::<u8, 256>::new();
//! write!(chunked, "{:x}\r\n", body.len()).unwrap();
//! chunked.extend_from_slice(body).unwrap();
//! chunked.extend_from_slice(b"\r\n0\r\n\r\n").unwrap();
//! let (_, status) = parser.feed(&chunked)?;
//! assert_eq!(status, Status::Complete);
//!
//! let response = parser.response().unwrap();
//! let customer = Customer::from_json(response.body)?;
//! let juspay = customer.juspay.unwrap();
//! assert!(!juspay.is_expired(Timestamp::parse("2020-03-17T14:30:00Z")?));
//! # use core::fmt::Write as _;
//! # Ok::<(), juspay_core::Error>(())
//! ```
//!
//! # The kiosk flow
//! A shopper identified by phone number: get the customer or create it the first time
//! ([`flow::GetOrCreate`], which each transport runs as one call), then keep a client
//! auth token for the payment SDK, fetching a new one only when the cached one is within
//! the margin ([`Customer::token_request`]). Every request goes through the same
//! [`driver::Exchange`].
//!
//! ```
//! use juspay_core::flow::GetOrCreate;
//! use juspay_core::{CreateCustomer, Credentials, Customer, CustomerRequest, Endpoint, Timestamp};
//!
//! let create = CreateCustomer::new("kiosk+919988776655", "9988776655")
//!     .mobile_country_code("91")
//!     .client_auth_token(true);
//! let mut flow = GetOrCreate::new(create);
//! flow.validate()?; // a Create the API would refuse is refused before the first Get
//! let first: CustomerRequest<'_> = flow.request(); // Get by object_reference_id
//! # let _ = first;
//!
//! let customer = Customer::from_json(br#"{"id":"cst_1","juspay":{"client_auth_token":"tkn_1",
//!     "client_auth_token_expiry":"2020-03-17T14:45:26Z"}}"#)?;
//! let now = Timestamp::parse("2020-03-17T14:42:00Z")?; // the device's clock
//! let refresh = customer.token_request(now, 5 * 60); // Some(Get with the token option)
//! assert!(refresh.is_some_and(|get| get.wants_client_auth_token()));
//! # Ok::<(), juspay_core::Error>(())
//! ```
//!
//! # Crate features
//! - `async`: [`driver::get_customer_async`], the same call over an `embedded_io_async`
//!   connection (embassy-net's sockets, a TLS connection over them), on any
//!   executor. It steps the same [`driver::Exchange`] as the blocking driver, so both
//!   behave alike and return the same [`Reply`].
//! - `defmt`: `defmt::Format` for the public types; secrets print as `<redacted>`.
//! - `serde`: `serde::Serialize` and `Deserialize` for [`Customer`], [`Juspay`],
//!   [`ClientAuthToken`], [`ApiError`], [`ErrorInfo`], [`FieldError`], [`ApiErrorKind`],
//!   [`ApiProblem`], [`Operation`] and [`Timestamp`] (as the API's text), without alloc: for serde_json on std and
//!   serde-json-core on a microcontroller. Keys are the API's, in the API's order, absent
//!   values `null`; the client auth token is included (handing it to the SDK is its
//!   purpose). A value over its capacity fails to deserialize, it is never cut.
//!   Responses are still decoded by this crate's own reader ([`Customer::from_json`]):
//!   faster, and it reads surrogate-pair escapes, which serde-json-core does not.
//!
//! ```
//! # #[cfg(feature = "serde")] {
//! use juspay_core::Customer;
//! let customer = Customer::from_json(br#"{"first_name":"Zo\u00eb","id":"cst_1"}"#)?;
//! let mut out = [0u8; 512];
//! let len = serde_json_core::to_slice(&customer, &mut out).unwrap();
//! assert!(out[..len].starts_with(br#"{"id":"cst_1","object":null,"#));
//! # }
//! # Ok::<(), juspay_core::Error>(())
//! ```
//!
//! # Secrets
//! The API key ([`Credentials`]) and the client auth token ([`ClientAuthToken`]) never
//! appear in `Debug`, `Display` or defmt output. With the `serde` feature the token is
//! serialized (the key has no `Serialize`).
#![no_std]
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

#[cfg(test)]
extern crate std;

mod api_error;
mod config;
mod customer;
pub mod driver;
mod error;
pub mod flow;
mod head;
mod json;
pub mod memory;
mod reply;
mod request;
pub mod response;
mod time;

pub use api_error::{ApiError, ApiErrorKind, ApiProblem, ErrorInfo, FieldError, MAX_FIELD_ERRORS};
pub use config::{Credentials, Endpoint};
pub use customer::{ClientAuthToken, Customer, Juspay};
pub use error::{Error, ErrorClass, InputField, InputProblem, ProtocolError, Result};
pub use head::{HeadCapture, RedactedHead};
pub use reply::Reply;
pub use request::{
    CreateCustomer, CustomerRequest, GetCustomer, MIN_OBJECT_REFERENCE_ID, Operation, USER_AGENT,
    UpdateCustomer,
};
pub use time::Timestamp;

pub use embedded_io;
pub use heapless;
