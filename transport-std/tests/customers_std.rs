//! What only the std clients have, through both (blocking and tokio), against the
//! sandbox's in-memory customers over real TLS: `refresh_token` on the system clock, and
//! calls as several merchant accounts over one pool. Create, Update and get-or-create run
//! over every transport from the test crate (`tests/tests/customers.rs`).

mod common;

use std::time::Duration;

use common::{AnyClient, Kind};

use juspay_sandbox::{DEMO_API_KEY, DEMO_MERCHANT_ID, OTHER_API_KEY, OTHER_MERCHANT_ID, Sandbox};
use juspay_transport_std::{
    ApiProblem, Config, CreateCustomer, Customer, Error, GetCustomer, InputField, RetryPolicy,
};

for_each_client!(
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
