//! Create, Update, get-or-create, token refresh and per-account calls through both std
//! clients (blocking and tokio), against the sandbox's in-memory customers over real TLS.

mod common;

use std::time::Duration;

use common::{AnyClient, Kind};

use juspay_sandbox::{
    DEMO_API_KEY, DEMO_MERCHANT_ID, OTHER_API_KEY, OTHER_MERCHANT_ID, Options, Sandbox,
};
use juspay_transport_std::{
    ApiProblem, Config, CreateCustomer, Customer, Error, GetCustomer, InputField, RetryPolicy,
    UpdateCustomer,
};

for_each_client!(
    create_get_update,
    get_or_create_creates_once_then_finds,
    two_clients_racing_end_with_one_customer,
    duplicate_and_field_errors_are_typed,
    refused_input_sends_nothing,
    token_refresh_only_within_the_margin,
    each_account_sees_its_own_customers_over_one_pool,
);

fn client_for(kind: Kind, sandbox: &Sandbox) -> AnyClient {
    let mut config = Config::new(sandbox.base_url(), DEMO_API_KEY, DEMO_MERCHANT_ID);
    config.extra_roots.push(sandbox.ca_der());
    config.deadline = Duration::from_secs(10);
    config.retry = RetryPolicy::new(2, Duration::from_millis(10), Duration::from_secs(1));
    AnyClient::new(kind, config).unwrap()
}

fn kiosk() -> CreateCustomer<'static> {
    CreateCustomer::new("kiosk+919988776655", "9988776655")
        .mobile_country_code("91")
        .first_name("Zoe")
        .email_address("zoe.kiosk@example.com")
}

fn api_problem(result: Result<Customer, Error>) -> (ApiProblem, Option<InputField>) {
    match result {
        Err(Error::Api(api)) => (api.problem(), api.invalid_field()),
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn create_get_update(kind: Kind) {
    let sandbox = Sandbox::start().unwrap();
    let client = client_for(kind, &sandbox);
    let created = client.call(kiosk().client_auth_token(true)).unwrap();
    assert!(created.juspay.is_some());
    let found = client.call(GetCustomer::new("kiosk+919988776655")).unwrap();
    assert_eq!(found.id, created.id);
    let updated = client
        .call(UpdateCustomer::new(&created.id).last_name("Quimby"))
        .unwrap();
    assert_eq!(updated.last_name.as_deref(), Some("Quimby"));
    assert_eq!(updated.first_name.as_deref(), Some("Zoe"));
}

fn get_or_create_creates_once_then_finds(kind: Kind) {
    let sandbox = Sandbox::start().unwrap();
    let client = client_for(kind, &sandbox);
    let before = sandbox.customers(DEMO_MERCHANT_ID).len();
    let first = client.get_or_create(&kiosk()).unwrap();
    assert_eq!(sandbox.requests(), 2, "Get, then Create");
    let second = client.get_or_create(&kiosk()).unwrap();
    assert_eq!(sandbox.requests(), 3, "one Get");
    assert_eq!(first.id, second.id);
    assert_eq!(sandbox.customers(DEMO_MERCHANT_ID).len(), before + 1);
}

fn two_clients_racing_end_with_one_customer(kind: Kind) {
    let sandbox = Sandbox::start_with(Options {
        rendezvous: 2,
        ..Options::default()
    })
    .unwrap();
    let before = sandbox.customers(DEMO_MERCHANT_ID).len();
    let ids: Vec<String> = std::thread::scope(|scope| {
        let racers: Vec<_> = (0..2)
            .map(|_| {
                let client = client_for(kind, &sandbox);
                scope.spawn(move || client.get_or_create(&kiosk()).unwrap().id.to_string())
            })
            .collect();
        racers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    assert_eq!(ids[0], ids[1]);
    assert_eq!(sandbox.customers(DEMO_MERCHANT_ID).len(), before + 1);
    assert_eq!(sandbox.requests(), 5, "Get, Get, Create, Create, Get again");
}

fn duplicate_and_field_errors_are_typed(kind: Kind) {
    let sandbox = Sandbox::start().unwrap();
    let client = client_for(kind, &sandbox);
    client.call(kiosk()).unwrap();
    assert_eq!(
        api_problem(client.call(kiosk())),
        (ApiProblem::AlreadyExists, None)
    );
    assert_eq!(
        api_problem(client.call(kiosk().email_address("_zoe@example.com"))),
        (ApiProblem::InvalidInput, Some(InputField::EmailAddress))
    );
}

fn refused_input_sends_nothing(kind: Kind) {
    let sandbox = Sandbox::start().unwrap();
    let client = client_for(kind, &sandbox);
    for (result, field) in [
        (
            client.get_or_create(&CreateCustomer::new("kiosk-0001", "99-88")),
            InputField::MobileNumber,
        ),
        (
            client.call(UpdateCustomer::new("cst_1").mobile_country_code("+91")),
            InputField::MobileCountryCode,
        ),
    ] {
        match result {
            Err(Error::Core(juspay_transport_std::juspay_core::Error::InvalidInput {
                field: refused,
                ..
            })) => assert_eq!(refused, field),
            other => panic!("expected refused input, got {other:?}"),
        }
    }
    assert_eq!(sandbox.requests(), 0);
    assert_eq!(sandbox.handshakes(), 0);
}

fn token_refresh_only_within_the_margin(kind: Kind) {
    let sandbox = Sandbox::start().unwrap();
    let client = client_for(kind, &sandbox);
    let mut customer = client
        .get_or_create(&kiosk().client_auth_token(true))
        .unwrap();
    let requests = sandbox.requests();
    let token = customer.juspay.clone().unwrap().client_auth_token.unwrap();
    assert!(
        !client
            .refresh_token(&mut customer, Duration::from_secs(60))
            .unwrap()
    );
    assert_eq!(sandbox.requests(), requests);
    // Tokens live 15 minutes: a 16-minute margin is never met by the cached one.
    assert!(
        client
            .refresh_token(&mut customer, Duration::from_secs(16 * 60))
            .unwrap()
    );
    assert_eq!(sandbox.requests(), requests + 1);
    let fresh = customer.juspay.unwrap().client_auth_token.unwrap();
    assert_ne!(fresh.expose(), token.expose());
}

fn each_account_sees_its_own_customers_over_one_pool(kind: Kind) {
    let sandbox = Sandbox::start().unwrap();
    let demo = client_for(kind, &sandbox);
    let other = demo.with_account(OTHER_API_KEY, OTHER_MERCHANT_ID).unwrap();
    // The documentation customer is the demo merchant's.
    let unknown = other.call(GetCustomer::new("cst_om2l6ctlptxwxuzj"));
    assert_eq!(api_problem(unknown), (ApiProblem::NotFound, None));
    let mine = other.get_or_create(&kiosk()).unwrap();
    assert_eq!(sandbox.customers(OTHER_MERCHANT_ID).len(), 1);
    let theirs = demo.get_or_create(&kiosk()).unwrap();
    assert_ne!(mine.id, theirs.id);
    // One kept-alive connection carried both accounts' calls.
    assert_eq!(demo.connections_opened(), 1);
    assert!(matches!(
        demo.with_account("key:with:colons", "m"),
        Err(Error::Core(_))
    ));
}
