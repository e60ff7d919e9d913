//! The recorded responses in `tests/vectors/`, driven through the driver over the
//! in-memory connection: whole, one byte at a time, and in every two-piece split. The
//! outcome must not depend on how the bytes arrived. With the feature `async`, every run
//! is repeated through the async driver, which must agree.

use juspay_core::driver;
use juspay_core::memory::{MemoryConnection, MemoryError};
use juspay_core::{
    ApiErrorKind, ApiProblem, CreateCustomer, Credentials, Customer, CustomerRequest, Endpoint,
    Error, GetCustomer, InputField, ProtocolError, Reply, Timestamp, UpdateCustomer,
};

type Outcome = Result<Reply, Error<MemoryError>>;

const BUF: usize = 4096;
static ONE_BYTE_READS: [usize; 8192] = [1; 8192];

fn request() -> GetCustomer<'static> {
    GetCustomer::new("cst_om2l6ctlptxwxuzj")
}

/// The Create of the recorded `create_customer.request`: every field, the token asked for.
fn create() -> CreateCustomer<'static> {
    CreateCustomer::new("kiosk+91 9988776655", "9988776655")
        .mobile_country_code("91")
        .email_address("zoë.o'brien+kiosk@example.com")
        .first_name("Zoë & Co")
        .last_name("O'Brien=1%")
        .client_auth_token(true)
}

/// The Update of the recorded `update_customer.request`.
fn update() -> UpdateCustomer<'static> {
    UpdateCustomer::new("cst_om2l6ctlptxwxuzj")
        .first_name("John Q.")
        .mobile_number("9988776600")
}

fn run(response: &[u8], pieces: &[usize]) -> (Outcome, Vec<u8>) {
    run_request(request().into(), response, pieces)
}

fn run_request(
    request: CustomerRequest<'static>,
    response: &[u8],
    pieces: &[usize],
) -> (Outcome, Vec<u8>) {
    let credentials = Credentials::new("my_api_key", "merchant_1").unwrap();
    let mut written = [0u8; 1024];
    let mut connection = MemoryConnection::new(response, &mut written).with_pieces(pieces);
    let mut buf = [0u8; BUF];
    let outcome = driver::call(
        &mut connection,
        &Endpoint::SANDBOX,
        &credentials,
        request,
        &mut buf,
    );
    let blocking = (outcome, connection.written().to_vec());
    #[cfg(feature = "async")]
    assert_eq!(
        run_async(request, response, pieces),
        blocking,
        "the async driver differs"
    );
    blocking
}

/// The same through the async driver, which steps the same `Exchange`.
#[cfg(feature = "async")]
fn run_async(
    request: CustomerRequest<'static>,
    response: &[u8],
    pieces: &[usize],
) -> (Outcome, Vec<u8>) {
    let credentials = Credentials::new("my_api_key", "merchant_1").unwrap();
    let mut written = [0u8; 1024];
    let mut connection = MemoryConnection::new(response, &mut written).with_pieces(pieces);
    let mut buf = [0u8; BUF];
    let outcome = embassy_futures::block_on(driver::call_async(
        &mut connection,
        &Endpoint::SANDBOX,
        &credentials,
        request,
        &mut buf,
    ));
    (outcome, connection.written().to_vec())
}

/// Runs the vector in every way and checks they agree; returns the outcome.
fn outcome(name: &str, response: &[u8]) -> Outcome {
    outcome_of(request().into(), name, response)
}

fn outcome_of(request: CustomerRequest<'static>, name: &str, response: &[u8]) -> Outcome {
    let (whole, written) = run_request(request, response, &[]);
    let mut expected_request = [0u8; 1024];
    let n = request
        .encode(
            &Endpoint::SANDBOX,
            &Credentials::new("my_api_key", "merchant_1").unwrap(),
            &mut expected_request,
        )
        .unwrap();
    assert_eq!(written, &expected_request[..n], "{name}: request bytes");
    assert!(response.len() <= ONE_BYTE_READS.len());
    assert_eq!(
        run_request(request, response, &ONE_BYTE_READS).0,
        whole,
        "{name}: one byte at a time"
    );
    for split in 1..response.len() {
        assert_eq!(
            run_request(request, response, &[split]).0,
            whole,
            "{name}: split at {split}"
        );
    }
    whole
}

fn customer(name: &str, response: &[u8]) -> (Customer, bool) {
    let reply = outcome(name, response).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    (
        reply.customer.unwrap_or_else(|e| panic!("{name}: {e:?}")),
        reply.reusable,
    )
}

fn api_error(name: &str, response: &[u8]) -> (juspay_core::ApiError, bool) {
    let reply = outcome(name, response).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    (reply.customer.expect_err(name), reply.reusable)
}

macro_rules! vector {
    ($file:literal) => {
        ($file, &include_bytes!(concat!("vectors/", $file))[..])
    };
}

#[test]
fn documentation_customer() {
    let (name, bytes) = vector!("customer_200.http");
    let (c, reusable) = customer(name, bytes);
    assert!(reusable);
    assert_eq!(c.id, "cst_om2l6ctlptxwxuzj");
    assert_eq!(c.object.as_deref(), Some("customer"));
    assert_eq!(c.object_reference_id.as_deref(), Some("customer@gmail.com"));
    assert_eq!(c.mobile_number.as_deref(), Some("9988776655"));
    assert_eq!(c.mobile_country_code.as_deref(), Some("91"));
    assert_eq!(c.first_name.as_deref(), Some("John"));
    assert_eq!(c.last_name.as_deref(), Some("Smith"));
    assert_eq!(c.email_address.as_deref(), Some("customer@gmail.com"));
    assert_eq!(c.date_created.as_deref(), Some("2016-08-02T08:07:52+0000"));
    assert_eq!(c.last_updated.as_deref(), Some("2016-08-02T08:07:52+0000"));
    assert_eq!(
        c.created_at(),
        Some(Ok(Timestamp::from_unix_seconds(1_470_125_272)))
    );
    assert_eq!(c.juspay, None);
}

#[test]
fn token_variant_chunked_with_extension_and_trailer() {
    let (name, bytes) = vector!("customer_token_chunked.http");
    let (c, reusable) = customer(name, bytes);
    assert!(reusable);
    assert_eq!(c.id, "cst_tooedar2k7j1d60b");
    assert_eq!(c.last_updated.as_deref(), Some("2020-03-17T14:29:17Z"));
    let juspay = c.juspay.unwrap();
    assert_eq!(
        juspay.client_auth_token.as_ref().unwrap().expose(),
        "tkn_8649cd66d30c47728b8dd2fb6279a4cc"
    );
    assert_eq!(
        juspay.client_auth_token_expiry.as_deref(),
        Some("2020-03-17T14:45:26Z")
    );
    assert!(!juspay.is_expired(Timestamp::parse("2020-03-17T14:45:25Z").unwrap()));
    assert!(juspay.is_expired(Timestamp::parse("2020-03-17T14:45:26Z").unwrap()));
}

#[test]
fn interim_response_then_cdn_head_over_two_kib() {
    let (name, bytes) = vector!("customer_cdn_headers.http");
    let (c, reusable) = customer(name, bytes);
    assert!(reusable);
    assert_eq!(c.id, "cst_om2l6ctlptxwxuzj");
    assert_eq!(c.last_name.as_deref(), Some("Smith"));
}

#[test]
fn escapes_surrogate_pairs_raw_utf8_and_unknown_fields() {
    let (name, bytes) = vector!("customer_escapes.http");
    let (c, _) = customer(name, bytes);
    assert_eq!(c.first_name.as_deref(), Some("Zoë \"Z\""));
    assert_eq!(c.last_name.as_deref(), Some("😀 Løvland 李"));
    assert_eq!(c.email_address.as_deref(), Some("a/b@example.com"));
    assert_eq!(c.mobile_country_code.as_deref(), Some("+65"));
    assert_eq!(c.mobile_number, None);
}

#[test]
fn not_found_with_error_info() {
    let (name, bytes) = vector!("error_404.http");
    let (e, reusable) = api_error(name, bytes);
    assert!(reusable);
    assert_eq!(e.http_status, 404);
    assert_eq!(e.kind(), ApiErrorKind::InvalidRequest);
    assert_eq!(e.status.as_deref(), Some("invalid_request_error"));
    assert_eq!(e.error_code.as_deref(), Some("object_not_found"));
    assert_eq!(
        e.error_message.as_deref(),
        Some("Cannot find what you are looking for")
    );
    let info = e.error_info.unwrap();
    assert_eq!(info.code.as_deref(), Some("RESOURCE_NOT_FOUND"));
    assert_eq!(info.category.as_deref(), Some("USER_ERROR"));
    assert_eq!(
        info.developer_message.as_deref(),
        Some("Customer account not found.")
    );
    assert_eq!(
        info.user_message.as_deref(),
        Some("Cannot process your request as customer account not found.")
    );
}

#[test]
fn unauthorized_without_error_message() {
    let (name, bytes) = vector!("error_401.http");
    let (e, _) = api_error(name, bytes);
    assert!(e.is_authentication());
    assert_eq!(e.error_message, None);
    assert_eq!(e.error_code.as_deref(), Some("access_denied"));
    assert_eq!(e.code(), Some("UNAUTHORIZED"));
}

#[test]
fn bad_origin_with_boolean_error_field() {
    let (name, bytes) = vector!("error_403_bad_origin.http");
    let (e, _) = api_error(name, bytes);
    assert!(e.is_authorization());
    assert_eq!(e.status, None);
    assert_eq!(e.error_code, None);
    assert_eq!(e.user_message.as_deref(), Some("Bad Origin."));
    assert_eq!(e.error_info.unwrap().code.as_deref(), Some("BAD_ORIGIN"));
}

#[test]
fn bad_request_with_field_details() {
    let (name, bytes) = vector!("error_400_fields.http");
    let (e, _) = api_error(name, bytes);
    assert!(e.is_invalid_request());
    let info = e.error_info.unwrap();
    assert_eq!(info.fields.len(), 1);
    assert_eq!(info.fields[0].field_name.as_deref(), Some("mobile_number"));
    assert_eq!(info.fields[0].reason.as_deref(), Some("Invalid value."));
}

#[test]
fn proxy_html_until_close() {
    let (name, bytes) = vector!("error_502_html.http");
    let (e, reusable) = api_error(name, bytes);
    assert!(!reusable);
    let mut status_only = juspay_core::ApiError::default();
    status_only.http_status = 502;
    assert_eq!(e, status_only);
    assert!(e.is_server());
}

#[test]
fn empty_server_error() {
    let (name, bytes) = vector!("error_500_empty.http");
    let (e, reusable) = api_error(name, bytes);
    assert!(reusable);
    assert_eq!(e.http_status, 500);
}

/// The exact bytes of the recorded request: what the encoder writes, and what the
/// sandbox and a fuzz seed read.
fn recorded_request(request: CustomerRequest<'static>, recorded: &[u8]) {
    let credentials = Credentials::new("my_api_key", "merchant_1").unwrap();
    let mut buf = [0u8; 1024];
    let n = request
        .encode(&Endpoint::SANDBOX, &credentials, &mut buf)
        .unwrap();
    // The files hold `juspay-core/VERSION` so that a version bump does not churn them.
    let recorded = String::from_utf8(recorded.to_vec())
        .unwrap()
        .replace("VERSION", env!("CARGO_PKG_VERSION"));
    assert_eq!(std::str::from_utf8(&buf[..n]).unwrap(), recorded);
}

#[test]
fn create_request_bytes() {
    recorded_request(
        create().into(),
        include_bytes!("vectors/create_customer.request"),
    );
}

#[test]
fn update_request_bytes() {
    recorded_request(
        update().into(),
        include_bytes!("vectors/update_customer.request"),
    );
}

#[test]
fn created_customer_with_token() {
    let (name, bytes) = vector!("customer_created_200.http");
    let reply = outcome_of(create().into(), name, bytes).unwrap();
    let c = reply.customer.unwrap();
    assert!(reply.reusable);
    assert_eq!(c.id, "cst_kioskz7u2m1q9x4b");
    assert_eq!(
        c.object_reference_id.as_deref(),
        Some("kiosk+91 9988776655")
    );
    assert_eq!(c.first_name.as_deref(), Some("Zoë & Co"));
    let now = Timestamp::parse("2026-11-27T10:00:00Z").unwrap();
    assert!(c.has_token_valid_for(now, 14 * 60));
    assert!(!c.has_token_valid_for(now, 15 * 60));
}

#[test]
fn updated_customer() {
    let (name, bytes) = vector!("customer_updated_200.http");
    let reply = outcome_of(update().into(), name, bytes).unwrap();
    let c = reply.customer.unwrap();
    assert_eq!(c.first_name.as_deref(), Some("John Q."));
    assert_eq!(c.mobile_number.as_deref(), Some("9988776600"));
    assert_eq!(c.juspay, None);
}

#[test]
fn create_duplicate_is_already_exists() {
    let (name, bytes) = vector!("error_400_already_exists.http");
    let e = outcome_of(create().into(), name, bytes)
        .unwrap()
        .customer
        .unwrap_err();
    assert_eq!(e.http_status, 400);
    assert_eq!(e.problem(), ApiProblem::AlreadyExists);
    assert_eq!(e.invalid_field(), None);
}

#[test]
fn create_field_errors_name_the_field() {
    for (file, field) in [
        (
            vector!("error_400_object_reference_id.http"),
            InputField::ObjectReferenceId,
        ),
        (vector!("error_400_fields.http"), InputField::MobileNumber),
    ] {
        let (name, bytes) = file;
        let e = outcome_of(create().into(), name, bytes)
            .unwrap()
            .customer
            .unwrap_err();
        assert_eq!(e.problem(), ApiProblem::InvalidInput, "{name}");
        assert_eq!(e.invalid_field(), Some(field), "{name}");
    }
}

#[test]
fn not_found_is_the_problem_get_or_create_acts_on() {
    let (name, bytes) = vector!("error_404.http");
    let (e, _) = api_error(name, bytes);
    assert_eq!(e.problem(), ApiProblem::NotFound);
}

macro_rules! hostile {
    ($($test:ident: $file:literal => $error:expr;)*) => {$(
        #[test]
        fn $test() {
            let (name, bytes) = vector!($file);
            assert_eq!(outcome(name, bytes), Err($error));
        }
    )*};
}

hostile! {
    truncated_body: "truncated_body.http" => Error::Protocol(ProtocolError::Truncated);
    truncated_chunk: "truncated_chunk.http" => Error::Protocol(ProtocolError::Truncated);
    field_over_capacity: "field_over_capacity.http" => Error::Protocol(ProtocolError::FieldTooLong { field: "first_name", capacity: 128 });
    invalid_json: "invalid_json.http" => Error::Protocol(ProtocolError::InvalidJson);
    invalid_utf8: "invalid_utf8.http" => Error::Protocol(ProtocolError::InvalidJson);
    lone_surrogate: "lone_surrogate.http" => Error::Protocol(ProtocolError::InvalidField { field: "first_name" });
    missing_id: "missing_id.http" => Error::Protocol(ProtocolError::MissingField { field: "id" });
    conflicting_content_length: "conflicting_content_length.http" => Error::Protocol(ProtocolError::InvalidContentLength);
    chunk_size_overflow: "chunk_size_overflow.http" => Error::Protocol(ProtocolError::MalformedChunk);
    malformed_status: "malformed_status.http" => Error::Protocol(ProtocolError::MalformedHead);
}

#[test]
fn body_larger_than_the_buffer_is_an_error_not_a_cut() {
    let (_, bytes) = vector!("customer_200.http");
    let credentials = Credentials::new("my_api_key", "merchant_1").unwrap();
    let mut scratch = [0u8; 1024];
    let request_len = request()
        .encode(&Endpoint::SANDBOX, &credentials, &mut scratch)
        .unwrap();
    let body_len = bytes.len() - (bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4);
    let call = |size: usize| {
        let mut written = [0u8; 1024];
        let mut connection = MemoryConnection::new(bytes, &mut written);
        let mut buf = vec![0u8; size];
        driver::get_customer(
            &mut connection,
            &Endpoint::SANDBOX,
            &credentials,
            &request(),
            &mut buf,
        )
        .map(|_| ())
    };
    assert_eq!(
        call(request_len - 1),
        Err(Error::BufferTooSmall {
            required: request_len
        })
    );
    assert!(body_len > request_len);
    assert_eq!(
        call(body_len - 1),
        Err(Error::Protocol(ProtocolError::BodyTooLarge {
            capacity: body_len - 1
        }))
    );
    assert_eq!(call(body_len + 300), Ok(()));
}

#[test]
fn an_idle_connection_closed_by_the_server_is_told_apart() {
    assert_eq!(run(b"", &[]).0, Err(Error::ConnectionClosed));
    assert_eq!(
        run(b"HTTP/1.1 200", &[]).0,
        Err(Error::Protocol(ProtocolError::Truncated))
    );
}
