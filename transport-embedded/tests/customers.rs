//! Create, Update, get-or-create and the token refresh through both embedded clients,
//! against the sandbox's in-memory customers over real TLS 1.3.

mod common;

use common::{Call, Host, Mode, Target};
use juspay_core::{
    ApiProblem, CreateCustomer, Customer, CustomerRequest, GetCustomer, InputField, Reply,
    Timestamp, UpdateCustomer,
};
use juspay_sandbox::{DEMO_MERCHANT_ID, Options, Sandbox};
use juspay_transport_embedded::Error;
use juspay_transport_embedded::host::wall_clock;

both_clients!(
    create_get_update,
    get_or_create_creates_once_then_finds,
    duplicate_and_field_errors_are_typed,
    refused_input_sends_nothing,
    two_kiosks_racing_end_with_one_customer,
    token_refresh_only_within_the_margin,
);

fn target(sandbox: &Sandbox) -> Target {
    Target {
        url: format!("https://localhost:{}", sandbox.address().port()),
        roots: vec![sandbox.ca_der()],
        time: wall_clock(),
        timeout_ms: 5_000,
        address: None,
    }
}

fn calls<'r>(mode: Mode, sandbox: &Sandbox, requests: &[Call<'r>]) -> Vec<Result<Reply, Error>> {
    Host::new().calls(mode, &target(sandbox), requests).unwrap()
}

fn customer(result: &Result<Reply, Error>) -> Customer {
    match result {
        Ok(Reply {
            customer: Ok(c), ..
        }) => c.clone(),
        other => panic!("expected a customer, got {other:?}"),
    }
}

fn kiosk() -> CreateCustomer<'static> {
    CreateCustomer::new("kiosk+919988776655", "9988776655")
        .mobile_country_code("91")
        .first_name("Zoe")
        .email_address("zoe.kiosk@example.com")
}

fn create_get_update(mode: Mode) {
    let sandbox = Sandbox::start().unwrap();
    let replies = calls(
        mode,
        &sandbox,
        &[
            CustomerRequest::from(kiosk().client_auth_token(true)).into(),
            GetCustomer::new("kiosk+919988776655").into(),
            CustomerRequest::from(
                UpdateCustomer::new("kiosk+919988776655")
                    .last_name("Quimby")
                    .mobile_number("9988776600"),
            )
            .into(),
        ],
    );
    let created = customer(&replies[0]);
    assert!(created.id.starts_with("cst_"));
    assert_eq!(created.first_name.as_deref(), Some("Zoe"));
    assert!(created.has_token_valid_for(Timestamp::from_unix_seconds(now()), 14 * 60));
    let found = customer(&replies[1]);
    assert_eq!(found.id, created.id);
    assert_eq!(found.juspay, None);
    let updated = customer(&replies[2]);
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.last_name.as_deref(), Some("Quimby"));
    assert_eq!(updated.mobile_number.as_deref(), Some("9988776600"));
    assert_eq!(
        updated.email_address.as_deref(),
        Some("zoe.kiosk@example.com")
    );
}

fn get_or_create_creates_once_then_finds(mode: Mode) {
    let sandbox = Sandbox::start().unwrap();
    let before = sandbox.customers(DEMO_MERCHANT_ID).len();
    let create = kiosk().client_auth_token(true);
    let first = calls(mode, &sandbox, &[Call::GetOrCreate(create)]);
    assert_eq!(sandbox.requests(), 2, "Get, then Create");
    let second = calls(mode, &sandbox, &[Call::GetOrCreate(create)]);
    assert_eq!(sandbox.requests(), 3, "one Get");
    let (first, second) = (customer(&first[0]), customer(&second[0]));
    assert_eq!(first.id, second.id);
    assert!(first.juspay.is_some() && second.juspay.is_some());
    assert_eq!(sandbox.customers(DEMO_MERCHANT_ID).len(), before + 1);
    // A documentation customer is found, not created.
    let documented = CreateCustomer::new("customer@gmail.com", "9988776655");
    let found = calls(mode, &sandbox, &[Call::GetOrCreate(documented)]);
    assert_eq!(customer(&found[0]).id, "cst_om2l6ctlptxwxuzj");
    assert_eq!(sandbox.customers(DEMO_MERCHANT_ID).len(), before + 1);
}

fn api_error(result: &Result<Reply, Error>) -> juspay_core::ApiError {
    match result {
        Ok(Reply {
            customer: Err(e), ..
        }) => e.clone(),
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn duplicate_and_field_errors_are_typed(mode: Mode) {
    let sandbox = Sandbox::start().unwrap();
    let replies = calls(
        mode,
        &sandbox,
        &[
            CustomerRequest::from(kiosk()).into(),
            CustomerRequest::from(kiosk()).into(),
            // The documented name characters leave out `&`: the server's to refuse.
            CustomerRequest::from(kiosk().first_name("Zoe & Co")).into(),
            CustomerRequest::from(UpdateCustomer::new("cst_unknown_1").first_name("A")).into(),
        ],
    );
    customer(&replies[0]);
    let duplicate = api_error(&replies[1]);
    assert_eq!(
        (duplicate.http_status, duplicate.problem()),
        (400, ApiProblem::AlreadyExists)
    );
    let field = api_error(&replies[2]);
    assert_eq!(field.problem(), ApiProblem::InvalidInput);
    assert_eq!(field.invalid_field(), Some(InputField::FirstName));
    assert_eq!(api_error(&replies[3]).problem(), ApiProblem::NotFound);
}

fn refused_input_sends_nothing(mode: Mode) {
    let sandbox = Sandbox::start().unwrap();
    let replies = calls(
        mode,
        &sandbox,
        &[
            Call::GetOrCreate(CreateCustomer::new("short", "9988776655")),
            CustomerRequest::from(CreateCustomer::new("kiosk-0001", "+91 99")).into(),
            CustomerRequest::from(UpdateCustomer::new("cst_1").last_name("a\r\nb")).into(),
        ],
    );
    let refused: Vec<_> = replies
        .iter()
        .map(|r| match r {
            Err(Error::Core(juspay_core::Error::InvalidInput { field, .. })) => *field,
            other => panic!("expected refused input, got {other:?}"),
        })
        .collect();
    assert_eq!(
        refused,
        [
            InputField::ObjectReferenceId,
            InputField::MobileNumber,
            InputField::LastName
        ]
    );
    assert_eq!(sandbox.requests(), 0);
}

fn two_kiosks_racing_end_with_one_customer(mode: Mode) {
    // Both Gets are answered "not found" only once both have asked: both Create, one
    // meets the duplicate error and Gets again.
    let sandbox = Sandbox::start_with(Options {
        rendezvous: 2,
        ..Options::default()
    })
    .unwrap();
    let before = sandbox.customers(DEMO_MERCHANT_ID).len();
    let ids: Vec<String> = std::thread::scope(|scope| {
        let racers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let reply = calls(mode, &sandbox, &[Call::GetOrCreate(kiosk())]);
                    customer(&reply[0]).id.to_string()
                })
            })
            .collect();
        racers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    assert_eq!(ids[0], ids[1]);
    assert_eq!(sandbox.customers(DEMO_MERCHANT_ID).len(), before + 1);
    // Get, Get, Create, Create (one duplicate), Get again.
    assert_eq!(sandbox.requests(), 5);
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn token_refresh_only_within_the_margin(mode: Mode) {
    let sandbox = Sandbox::start().unwrap();
    let created = customer(
        &calls(
            mode,
            &sandbox,
            &[CustomerRequest::from(kiosk().client_auth_token(true)).into()],
        )[0],
    );
    let now = Timestamp::from_unix_seconds(now());
    // Fresh for 15 minutes: a 5-minute margin needs no call.
    assert_eq!(created.token_request(now, 5 * 60), None);
    // Within the margin (as a device sees it 12 minutes later): one Get with the option.
    let later = Timestamp::from_unix_seconds(now.unix_seconds() + 12 * 60);
    let refresh = created.token_request(later, 5 * 60).unwrap();
    let refreshed = customer(&calls(mode, &sandbox, &[refresh.into()])[0]);
    let old = created.juspay.unwrap().client_auth_token.unwrap();
    let new = refreshed.juspay.clone().unwrap().client_auth_token.unwrap();
    assert_ne!(old.expose(), new.expose());
    assert_eq!(refreshed.id, created.id);
    assert_eq!(sandbox.requests(), 2);
}

#[test]
fn refresh_token_calls_only_when_needed() {
    use juspay_sandbox::DEMO_API_KEY;
    use juspay_transport_embedded::host::{MonotonicClock, OsRng, Stack};
    use juspay_transport_embedded::{Client, Config, Connector, TlsBuffers, trust_anchor};

    let sandbox = Sandbox::start().unwrap();
    let url = format!("https://localhost:{}", sandbox.address().port());
    let root = sandbox.ca_der();
    let anchors = [trust_anchor(&root).unwrap()];
    let mut tls = Box::new(TlsBuffers::new());
    let clock = MonotonicClock::new();
    let mut connector = Connector::new(Stack, clock, OsRng, &mut *tls, &anchors, wall_clock());
    let config = Config::new(url.as_str(), DEMO_API_KEY, DEMO_MERCHANT_ID).unwrap();
    let mut client = Client::connect(&mut connector, config).unwrap();
    let mut buf = [0u8; 2048];
    let get = GetCustomer::new("cst_om2l6ctlptxwxuzj").client_auth_token(true);
    let customer = client.call(get, &mut buf).unwrap().customer.unwrap();
    let now = Timestamp::from_unix_seconds(now());
    let cached = client.refresh_token(&customer, now, 60, &mut buf).unwrap();
    assert!(cached.is_none());
    assert_eq!(sandbox.requests(), 1);
    let fresh = client
        .refresh_token(&customer, now, 15 * 60, &mut buf)
        .unwrap()
        .unwrap()
        .customer
        .unwrap();
    assert!(fresh.juspay.is_some());
    assert_eq!(sandbox.requests(), 2);
    client.close();
}
