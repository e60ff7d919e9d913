//! Get Customer on a Cortex-M4: juspay-core's blocking driver over its in-memory
//! connection, fed the recorded responses the host tests use, with the buffers a kiosk
//! would give it. Prints one line per scenario, the documentation customer as JSON
//! (juspay-core's `serde` feature through serde-json-core), the stack high-water mark and
//! a summary; QEMU exits with failure when any scenario fails.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use juspay_core::driver;
use juspay_core::memory::{MemoryConnection, MemoryError};
use juspay_core::{Credentials, Endpoint, Error, GetCustomer, ProtocolError, Reply, Timestamp};
use juspay_firmware_harness::checks::{
    api_error, customer, documentation_customer, not_found, print_json, token_customer,
};
use juspay_firmware_harness::{Check, Scenario, ensure};

/// Request and response share one buffer: 2 KiB holds a response head behind a proxy
/// and the customer body.
const BUFFER_BYTES: usize = 2048;
/// The in-memory connection records the request here.
const WRITTEN_BYTES: usize = 512;

const API_KEY: &str = "kiosk_api_key_0123456789abcdef";
const MERCHANT_ID: &str = "kiosk_merchant";

macro_rules! vector {
    ($file:literal) => {
        include_bytes!(concat!("../../../../core/tests/vectors/", $file))
    };
}

/// What each request must look like on the wire, byte for byte, around its path and
/// routing id: `GET <path>` MIDDLE `<routing id>` END.
const REQUEST_MIDDLE: &[u8] = concat!(
    " HTTP/1.1\r\n",
    "Host: sandbox.juspay.in\r\n",
    // base64("kiosk_api_key_0123456789abcdef:")
    "Authorization: Basic a2lvc2tfYXBpX2tleV8wMTIzNDU2Nzg5YWJjZGVmOg==\r\n",
    "x-merchantid: kiosk_merchant\r\n",
    "x-routing-id: "
)
.as_bytes();
const REQUEST_END: &[u8] = b"\r\nAccept: application/json\r\nUser-Agent: juspay-core/0.1.0\r\n\r\n";

fn request_matches(written: &[u8], path: &str, routing_id: &str) -> bool {
    let parts = [
        b"GET ".as_slice(),
        path.as_bytes(),
        REQUEST_MIDDLE,
        routing_id.as_bytes(),
        REQUEST_END,
    ];
    let mut rest = written;
    for part in parts {
        match rest.strip_prefix(part) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    rest.is_empty()
}

type Outcome = Result<Reply, Error<MemoryError>>;

/// Runs one call over `response`, checks the request written (its path and routing id in
/// the expected request), then hands the outcome to `check` by reference (a `Reply` is
/// over 1 KiB: no copies), with the call's buffer, free again, as scratch space.
fn call(
    request: &GetCustomer<'_>,
    response: &[u8],
    (path, routing_id): (&str, &str),
    one_byte_reads: bool,
    check: &dyn Fn(&Outcome, &mut [u8]) -> Check,
) -> Check {
    let credentials = Credentials::new(API_KEY, MERCHANT_ID).map_err(|_| "credentials refused")?;
    let mut written = [0u8; WRITTEN_BYTES];
    let mut buf = [0u8; BUFFER_BYTES];
    let mut connection = MemoryConnection::new(response, &mut written);
    if one_byte_reads {
        connection = connection.with_read_limit(1);
    }
    let outcome = driver::get_customer(
        &mut connection,
        &Endpoint::SANDBOX,
        &credentials,
        request,
        &mut buf,
    );
    ensure(
        request_matches(connection.written(), path, routing_id),
        "request bytes differ",
    )?;
    check(&outcome, &mut buf)
}

fn documentation(one_byte_reads: bool) -> Check {
    let request = GetCustomer::new("cst_om2l6ctlptxwxuzj");
    let expected = ("/customers/cst_om2l6ctlptxwxuzj", "cst_om2l6ctlptxwxuzj");
    call(
        &request,
        vector!("customer_200.http"),
        expected,
        one_byte_reads,
        &|outcome, scratch| {
            let (c, reusable) = customer(outcome)?;
            if !one_byte_reads {
                // What a kiosk would log or hand on: the customer as JSON.
                print_json(c, scratch)?;
            }
            ensure(reusable, "connection not reusable")?;
            documentation_customer(c)
        },
    )
}

fn token_chunked() -> Check {
    let request = GetCustomer::new("cst_tooedar2k7j1d60b").client_auth_token(true);
    let expected = (
        "/customers/cst_tooedar2k7j1d60b?options.get_client_auth_token=true",
        "cst_tooedar2k7j1d60b",
    );
    call(
        &request,
        vector!("customer_token_chunked.http"),
        expected,
        false,
        &|outcome, _| {
            let juspay = token_customer(customer(outcome)?.0)?;
            // The kiosk's clock: issued 14:29:17, valid 15 minutes.
            let before = Timestamp::parse("2020-03-17T14:40:00Z").map_err(|_| "clock")?;
            let after = Timestamp::parse("2020-03-17T14:45:27+0000").map_err(|_| "clock")?;
            ensure(!juspay.is_expired(before), "expired too early")?;
            ensure(juspay.is_expired(after), "not expired after expiry")
        },
    )
}

fn error_404() -> Check {
    let request = GetCustomer::new("customer@gmail.com").routing_id("cart_42");
    let expected = ("/customers/customer@gmail.com", "cart_42");
    call(
        &request,
        vector!("error_404.http"),
        expected,
        false,
        &|outcome, _| {
            let info = not_found(api_error(outcome)?.0)?;
            ensure(
                info.developer_message.as_deref() == Some("Customer account not found."),
                "developer_message",
            )
        },
    )
}

fn unauthorized() -> Check {
    let request = GetCustomer::new("cst_om2l6ctlptxwxuzj");
    let expected = ("/customers/cst_om2l6ctlptxwxuzj", "cst_om2l6ctlptxwxuzj");
    call(
        &request,
        vector!("error_401.http"),
        expected,
        false,
        &|outcome, _| {
            let (e, _) = api_error(outcome)?;
            ensure(e.http_status == 401 && e.is_authentication(), "status")?;
            ensure(e.error_message.is_none(), "error_message")?;
            ensure(e.code() == Some("UNAUTHORIZED"), "code")
        },
    )
}

fn truncated() -> Check {
    let request = GetCustomer::new("cst_om2l6ctlptxwxuzj");
    let expected = ("/customers/cst_om2l6ctlptxwxuzj", "cst_om2l6ctlptxwxuzj");
    call(
        &request,
        vector!("truncated_body.http"),
        expected,
        false,
        &|outcome, _| {
            ensure(
                matches!(outcome, Err(Error::Protocol(ProtocolError::Truncated))),
                "not Truncated",
            )
        },
    )
}

fn over_capacity() -> Check {
    let request = GetCustomer::new("cst_long");
    let expected = ("/customers/cst_long", "cst_long");
    call(
        &request,
        vector!("field_over_capacity.http"),
        expected,
        false,
        &|outcome, _| {
            let named = matches!(
                outcome,
                Err(Error::Protocol(ProtocolError::FieldTooLong {
                    field: "first_name",
                    capacity: 128
                }))
            );
            ensure(named, "not FieldTooLong naming first_name")
        },
    )
}

fn escapes_and_surrogates() -> Check {
    let request = GetCustomer::new("a b/c");
    let expected = ("/customers/a%20b%2Fc", "a b/c");
    call(
        &request,
        vector!("customer_escapes.http"),
        expected,
        false,
        &|outcome, _| {
            let (c, _) = customer(outcome)?;
            ensure(c.first_name.as_deref() == Some("Zoë \"Z\""), "first_name")?;
            ensure(c.last_name.as_deref() == Some("😀 Løvland 李"), "last_name")?;
            ensure(
                c.mobile_country_code.as_deref() == Some("+65"),
                "mobile_country_code",
            )
        },
    )
}

fn proxy_html() -> Check {
    let request = GetCustomer::new("cst_om2l6ctlptxwxuzj");
    let expected = ("/customers/cst_om2l6ctlptxwxuzj", "cst_om2l6ctlptxwxuzj");
    call(
        &request,
        vector!("error_502_html.http"),
        expected,
        false,
        &|outcome, _| {
            let (e, reusable) = api_error(outcome)?;
            ensure(!reusable, "reusable after close-delimited body")?;
            ensure(
                e.http_status == 502 && e.is_server() && e.error_info.is_none(),
                "502",
            )
        },
    )
}

fn refused_input() -> Check {
    let credentials = Credentials::new(API_KEY, MERCHANT_ID).map_err(|_| "credentials refused")?;
    let mut buf = [0u8; 256];
    let request = GetCustomer::new("cst_1\r\nx-evil: 1");
    ensure(
        request
            .encode(&Endpoint::SANDBOX, &credentials, &mut buf)
            .is_err(),
        "CR/LF accepted",
    )
}

const SCENARIOS: [Scenario; 10] = [
    ("documentation customer, Content-Length, as JSON", || {
        documentation(false)
    }),
    (
        "token variant, chunked, expiry against the clock",
        token_chunked,
    ),
    ("404 with error_info", error_404),
    ("401 without error_message", unauthorized),
    ("truncated body -> Truncated", truncated),
    ("first_name over capacity -> FieldTooLong", over_capacity),
    ("documentation customer, one byte per read", || {
        documentation(true)
    }),
    ("escapes and surrogate pairs", escapes_and_surrogates),
    ("proxy 502 HTML, close-delimited", proxy_html),
    ("CR/LF in the id refused before sending", refused_input),
];

#[entry]
fn main() -> ! {
    juspay_firmware_harness::run(&SCENARIOS)
}
