//! The scenario checks the firmwares share: what the documentation customer, the token
//! variant and the 404 body must hold, whichever transport fetched them, and (in
//! [`https`]) what the HTTPS firmwares expect of the loopback sandboxes.
//!
//! `#[inline]`: compiled in the firmware's own crate, beside its other checks, so that the
//! comparisons they share (`Option<&str>`'s `==`) are one copy, not one per crate (the
//! core-only firmware's flash budget has no room for the second).

use juspay_core::{ApiError, Customer, ErrorInfo, Juspay, Reply, Timestamp};

use crate::{Check, ensure, print};

/// The customer of a call that succeeded, and whether its connection stays usable.
#[inline]
pub fn customer<E>(outcome: &Result<Reply, E>) -> Result<(&Customer, bool), &'static str> {
    let reply = outcome.as_ref().map_err(|_| "call failed")?;
    Ok((
        reply.customer.as_ref().map_err(|_| "API error")?,
        reply.reusable,
    ))
}

/// The API's error of a call, and whether its connection stays usable.
#[inline]
pub fn api_error<E>(outcome: &Result<Reply, E>) -> Result<(&ApiError, bool), &'static str> {
    let reply = outcome.as_ref().map_err(|_| "call failed")?;
    Ok((
        reply.customer.as_ref().err().ok_or("not an API error")?,
        reply.reusable,
    ))
}

/// The documentation customer (`cst_om2l6ctlptxwxuzj`), field by field.
#[inline]
pub fn documentation_customer(c: &Customer) -> Check {
    ensure(c.id == "cst_om2l6ctlptxwxuzj", "id")?;
    ensure(c.object.as_deref() == Some("customer"), "object")?;
    ensure(
        c.object_reference_id.as_deref() == Some("customer@gmail.com"),
        "object_reference_id",
    )?;
    ensure(
        c.mobile_number.as_deref() == Some("9988776655"),
        "mobile_number",
    )?;
    ensure(
        c.mobile_country_code.as_deref() == Some("91"),
        "mobile_country_code",
    )?;
    ensure(c.first_name.as_deref() == Some("John"), "first_name")?;
    ensure(c.last_name.as_deref() == Some("Smith"), "last_name")?;
    ensure(
        c.email_address.as_deref() == Some("customer@gmail.com"),
        "email_address",
    )?;
    ensure(
        c.date_created.as_deref() == Some("2016-08-02T08:07:52+0000"),
        "date_created",
    )?;
    ensure(
        c.last_updated.as_deref() == Some("2016-08-02T08:07:52+0000"),
        "last_updated",
    )?;
    ensure(
        c.created_at() == Some(Ok(Timestamp::from_unix_seconds(1_470_125_272))),
        "created_at",
    )?;
    ensure(c.juspay.is_none(), "juspay")
}

/// Prints `c` as JSON (juspay-core's `Serialize` through serde-json-core), written into
/// `buf`, the call's buffer (no second buffer on the stack). run.sh checks the line.
#[inline]
pub fn print_json(c: &Customer, buf: &mut [u8]) -> Check {
    let len = serde_json_core::to_slice(c, buf).map_err(|_| "to_slice")?;
    print(&[buf.get(..len).ok_or("to_slice length")?, b"\n"]);
    Ok(())
}

/// The token variant (`cst_tooedar2k7j1d60b`, recorded in 2020): its id, token and
/// expiry; the rest, to check the expiry against a clock.
#[inline]
pub fn token_customer(c: &Customer) -> Result<&Juspay, &'static str> {
    ensure(c.id == "cst_tooedar2k7j1d60b", "id")?;
    let juspay = c.juspay.as_ref().ok_or("no juspay object")?;
    let token = juspay.client_auth_token.as_ref().ok_or("no token")?;
    ensure(
        token.expose() == "tkn_8649cd66d30c47728b8dd2fb6279a4cc",
        "token",
    )?;
    ensure(
        juspay.client_auth_token_expiry.as_deref() == Some("2020-03-17T14:45:26Z"),
        "expiry",
    )?;
    Ok(juspay)
}

/// The API's 404 for an unknown customer: invalid request, `object_not_found`,
/// `RESOURCE_NOT_FOUND`; its error_info, for more.
#[inline]
pub fn not_found(e: &ApiError) -> Result<&ErrorInfo, &'static str> {
    ensure(e.http_status == 404 && e.is_invalid_request(), "status")?;
    ensure(
        e.error_code.as_deref() == Some("object_not_found"),
        "error_code",
    )?;
    let info = e.error_info.as_ref().ok_or("no error_info")?;
    ensure(
        info.code.as_deref() == Some("RESOURCE_NOT_FOUND"),
        "error_info.code",
    )?;
    Ok(info)
}

pub mod https {
    //! What the HTTPS firmwares (blocking and embassy) check of the loopback sandboxes
    //! (`firmware_sandboxes`), whichever way they call them.

    use core::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

    use juspay_core::{CreateCustomer, Customer, GetCustomer, Reply, Timestamp};
    use juspay_transport_embedded::{CertificateError, Error, webpki};

    use crate::{Check, ensure};

    /// A call's outcome over the transport.
    pub type Outcome = Result<Reply, Error>;

    /// The documentation customer's request.
    pub const DOCUMENTATION_CUSTOMER: GetCustomer<'static> =
        GetCustomer::new("cst_om2l6ctlptxwxuzj");
    /// The token variant's request (the chunked sandbox).
    pub const TOKEN_CUSTOMER: GetCustomer<'static> =
        GetCustomer::new("cst_tooedar2k7j1d60b").client_auth_token(true);
    /// An id the API sandbox does not know.
    pub const UNKNOWN_CUSTOMER: GetCustomer<'static> = GetCustomer::new("cst_nobody");
    /// The kiosk's shopper, by phone number: a customer the API sandbox does not know
    /// until the first get-or-create creates it.
    pub const KIOSK: CreateCustomer<'static> =
        CreateCustomer::new("kiosk+919988776655", "9988776655")
            .mobile_country_code("91")
            .client_auth_token(true);
    /// How long a client auth token must still be good for the payment SDK, seconds.
    pub const TOKEN_MARGIN_S: u32 = 60;
    /// The deadline for the stalled server, milliseconds: long enough for the handshake.
    pub const STALL_TIMEOUT_MS: u64 = 1_000;

    /// The guest's fixed address in QEMU's user network (10.0.2.0/24, gateway 10.0.2.2).
    pub const GUEST: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 15);
    /// QEMU's user-network gateway.
    pub const GATEWAY: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 2);

    /// The sandboxes, one port each, as `qemu.sh` forwards them
    /// (`guestfwd=tcp:10.0.2.100:PORT-cmd:...`). One address, as a real firmware has one
    /// API host: smoltcp resolves it once (its ARP rate limit holds a second new neighbour
    /// back for a second).
    pub const API: SocketAddr = sandbox(443);
    /// Answers with chunked bodies (the token variant).
    pub const CHUNKED: SocketAddr = sandbox(444);
    /// Answers, then closes the connection.
    pub const CLOSE: SocketAddr = sandbox(445);
    /// Reads the request and never answers.
    pub const STALL: SocketAddr = sandbox(446);
    /// Presents a forged chain under the pinned P-256 root.
    pub const FORGED: SocketAddr = sandbox(447);
    /// Presents the RSA chain.
    pub const RSA: SocketAddr = sandbox(448);
    /// Takes only X25519 key shares: a client offering P-256 first meets a
    /// HelloRetryRequest.
    pub const HELLO_RETRY: SocketAddr = sandbox(449);
    /// Sends a KeyUpdate (asking for ours) after each response.
    pub const KEY_UPDATE: SocketAddr = sandbox(450);
    /// Speaks TLS 1.2 only (ECDHE, the P-256 chain), and answers like the API.
    pub const TLS12: SocketAddr = sandbox(451);

    const fn sandbox(port: u16) -> SocketAddr {
        SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(10, 0, 2, 100), port))
    }

    /// The name every sandbox's certificate is for: checked against the certificate,
    /// though the connection goes to a fixed address.
    pub const BASE_URL: &str = "https://localhost";
    /// What the sandbox accepts (`juspay_sandbox::DEMO_API_KEY`, `DEMO_MERCHANT_ID`).
    pub const API_KEY: &str = "sandbox_demo_key_0123456789abcdef";
    /// The sandbox's merchant id.
    pub const MERCHANT_ID: &str = "sandbox_merchant";
    /// Deadline of a connect and of each call, in (virtual) milliseconds.
    pub const TIMEOUT_MS: u64 = 10_000;

    /// Request and response share one buffer: 2 KiB holds the API's responses.
    pub const CALL_BUFFER: usize = 2048;
    /// The TCP socket's receive window: the TLS read buffer holds the record, so this
    /// only paces the server (1 KiB: a segment at a time).
    pub const TCP_RX_BUFFER: usize = 1024;
    /// The TLS send buffer: one record at a time; a request larger than a record goes
    /// out in several (juspay-tls's `SEND_BUFFER` is 2 KiB; 1 KiB holds a Get).
    pub const TLS_SEND_BUFFER: usize = 1024;
    /// What may wait to be sent: the ClientHello, a request's record, a few hundred bytes
    /// each (a full buffer makes the transport wait).
    pub const TCP_TX_BUFFER: usize = 512;
    /// Room for the two roots read from the host (341 and 1,252 bytes as the sandbox
    /// makes them; a few bytes either way with their serial numbers and signatures).
    pub const ROOTS_BUFFER: usize = 1664;
    /// Room for the two roots' trust anchors (subject, public key, name constraints) once
    /// copied out of their certificates: 663 bytes as the sandbox makes them.
    pub const ANCHORS_BUFFER: usize = 768;

    /// The documentation customer, field by field, on a connection that stays open.
    #[inline]
    pub fn documentation_customer(outcome: &Outcome) -> Check {
        let (c, reusable) = super::customer(outcome)?;
        ensure(reusable, "not reusable")?;
        super::documentation_customer(c)
    }

    /// The token variant, recorded in 2020: expired by the host's clock, `now` (Unix
    /// seconds).
    #[inline]
    pub fn token_customer(outcome: &Outcome, now: u64) -> Check {
        let juspay = super::token_customer(super::customer(outcome)?.0)?;
        ensure(
            juspay.is_expired(Timestamp::from_unix_seconds(now as i64)),
            "not expired",
        )
    }

    /// 404 with the API's error body, and the connection still usable.
    #[inline]
    pub fn not_found(outcome: &Outcome) -> Check {
        let (e, reusable) = super::api_error(outcome)?;
        super::not_found(e)?;
        ensure(reusable, "not reusable")
    }

    /// A get-or-create's customer: the kiosk's, with a token good for the margin at `now`
    /// (Unix seconds), on a connection that stays open.
    #[inline]
    pub fn kiosk_customer(outcome: &Outcome, now: u64) -> Result<&Customer, &'static str> {
        let (c, reusable) = super::customer(outcome)?;
        ensure(reusable, "not reusable")?;
        ensure(
            c.object_reference_id.as_deref() == Some(KIOSK.object_reference_id()),
            "object_reference_id",
        )?;
        ensure(c.id.starts_with("cst_"), "id")?;
        ensure(
            c.has_token_valid_for(Timestamp::from_unix_seconds(now as i64), TOKEN_MARGIN_S),
            "no token good for the margin",
        )?;
        Ok(c)
    }

    /// A call on a connection the server closed.
    pub fn closed(outcome: &Outcome) -> Check {
        ensure(
            matches!(
                outcome,
                Err(Error::Core(juspay_core::Error::ConnectionClosed))
            ),
            "a call on the closed connection did not end in ConnectionClosed",
        )
    }

    /// A call to the stalled server: a timeout.
    pub fn timed_out(outcome: &Outcome) -> Check {
        ensure(matches!(outcome, Err(Error::Timeout)), "not a timeout")
    }

    /// The milliseconds a call to the stalled server took: its deadline, give or take
    /// nothing early and 50 ms late.
    pub fn at_deadline(elapsed_ms: u64) -> Check {
        ensure(
            (STALL_TIMEOUT_MS..STALL_TIMEOUT_MS + 50).contains(&elapsed_ms),
            "not at the deadline",
        )
    }

    /// A connect to the sandbox with the forged chain (a leaf signed by another site's
    /// certificate under our own root): refused in the handshake, as an end entity used
    /// as a CA (the other site's certificate says CA:FALSE, and it is what signed the leaf).
    pub fn forged_refused<C>(connect: &Result<C, Error>) -> Check {
        match connect {
            Err(Error::Certificate(CertificateError::Invalid(
                webpki::Error::EndEntityUsedAsCa,
            ))) => Ok(()),
            Err(Error::Certificate(_)) => Err("refused, but not as an end entity used as a CA"),
            Err(_) => Err("refused, but not for its certificate"),
            Ok(_) => Err("a forged chain was accepted"),
        }
    }
}
