//! Create, Update, get-or-create and the token's refresh over every client of both
//! transports (`transports`), against the sandbox's in-memory customers over real TLS.
//! What only one transport has (std's accounts over one pool, each transport's
//! `refresh_token`) is tested in its own crate.

mod transports;

use std::time::Duration;

use juspay_sandbox::{DEMO_MERCHANT_ID, Options, Sandbox};
use juspay_transport_std::{
    ApiProblem, CreateCustomer, GetCustomer, InputField, Timestamp, UpdateCustomer,
};
use transports::{Client, Target, Transport};

for_each_transport!(
    create_get_update,
    get_or_create_creates_once_then_finds,
    duplicate_and_field_errors_are_typed,
    refused_input_sends_nothing,
    two_kiosks_racing_end_with_one_customer,
    token_refresh_only_within_the_margin,
);

fn client(transport: Transport, sandbox: &Sandbox) -> Client {
    let url = format!("https://localhost:{}", sandbox.address().port());
    transport.client(&Target::new(
        url,
        vec![sandbox.ca_der()],
        Duration::from_secs(10),
    ))
}

fn kiosk() -> CreateCustomer<'static> {
    CreateCustomer::new("kiosk+919988776655", "9988776655")
        .mobile_country_code("91")
        .first_name("Zoe")
        .email_address("zoe.kiosk@example.com")
}

fn now() -> Timestamp {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Timestamp::from_unix_seconds(seconds as i64)
}

fn create_get_update(transport: Transport) {
    let sandbox = Sandbox::start().unwrap();
    let mut client = client(transport, &sandbox);
    let created = client.call(kiosk().client_auth_token(true)).customer();
    assert!(created.id.starts_with("cst_"));
    assert_eq!(created.first_name.as_deref(), Some("Zoe"));
    assert!(created.has_token_valid_for(now(), 14 * 60));
    let found = client
        .call(GetCustomer::new("kiosk+919988776655"))
        .customer();
    assert_eq!(found.id, created.id);
    assert_eq!(found.juspay, None);
    let update = UpdateCustomer::new("kiosk+919988776655")
        .last_name("Quimby")
        .mobile_number("9988776600");
    let updated = client.call(update).customer();
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.last_name.as_deref(), Some("Quimby"));
    assert_eq!(updated.mobile_number.as_deref(), Some("9988776600"));
    assert_eq!(
        updated.email_address.as_deref(),
        Some("zoe.kiosk@example.com")
    );
}

fn get_or_create_creates_once_then_finds(transport: Transport) {
    let sandbox = Sandbox::start().unwrap();
    let mut client = client(transport, &sandbox);
    let before = sandbox.customers(DEMO_MERCHANT_ID).len();
    let create = kiosk().client_auth_token(true);
    let first = client.get_or_create(&create).customer();
    assert_eq!(sandbox.requests(), 2, "Get, then Create");
    let second = client.get_or_create(&create).customer();
    assert_eq!(sandbox.requests(), 3, "one Get");
    assert_eq!(first.id, second.id);
    assert!(first.juspay.is_some() && second.juspay.is_some());
    assert_eq!(sandbox.customers(DEMO_MERCHANT_ID).len(), before + 1);
    // A documentation customer is found, not created.
    let documented = CreateCustomer::new("customer@gmail.com", "9988776655");
    let found = client.get_or_create(&documented).customer();
    assert_eq!(found.id, "cst_om2l6ctlptxwxuzj");
    assert_eq!(sandbox.customers(DEMO_MERCHANT_ID).len(), before + 1);
}

fn duplicate_and_field_errors_are_typed(transport: Transport) {
    let sandbox = Sandbox::start().unwrap();
    let mut client = client(transport, &sandbox);
    client.call(kiosk()).customer();
    let duplicate = client.call(kiosk()).api();
    assert_eq!(
        (duplicate.http_status, duplicate.problem()),
        (400, ApiProblem::AlreadyExists)
    );
    // The documented name characters leave out `&`: the server's to refuse.
    let field = client.call(kiosk().first_name("Zoe & Co")).api();
    assert_eq!(field.problem(), ApiProblem::InvalidInput);
    assert_eq!(field.invalid_field(), Some(InputField::FirstName));
    let email = client.call(kiosk().email_address("_zoe@example.com")).api();
    assert_eq!(email.invalid_field(), Some(InputField::EmailAddress));
    let unknown = client.call(UpdateCustomer::new("cst_unknown_1").first_name("A"));
    assert_eq!(unknown.api().problem(), ApiProblem::NotFound);
}

fn refused_input_sends_nothing(transport: Transport) {
    let sandbox = Sandbox::start().unwrap();
    let mut client = client(transport, &sandbox);
    let short = CreateCustomer::new("short", "9988776655");
    assert_eq!(
        client.get_or_create(&short).refused(),
        InputField::ObjectReferenceId
    );
    let create = CreateCustomer::new("kiosk-0001", "+91 99");
    assert_eq!(client.call(create).refused(), InputField::MobileNumber);
    let update = UpdateCustomer::new("cst_1").last_name("a\r\nb");
    assert_eq!(client.call(update).refused(), InputField::LastName);
    let update = UpdateCustomer::new("cst_1").mobile_country_code("+91");
    assert_eq!(client.call(update).refused(), InputField::MobileCountryCode);
    assert_eq!(sandbox.requests(), 0);
}

fn two_kiosks_racing_end_with_one_customer(transport: Transport) {
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
                let mut client = client(transport, &sandbox);
                scope.spawn(move || client.get_or_create(&kiosk()).customer().id.to_string())
            })
            .collect();
        racers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    assert_eq!(ids[0], ids[1]);
    assert_eq!(sandbox.customers(DEMO_MERCHANT_ID).len(), before + 1);
    assert_eq!(sandbox.requests(), 5, "Get, Get, Create, Create, Get again");
}

fn token_refresh_only_within_the_margin(transport: Transport) {
    let sandbox = Sandbox::start().unwrap();
    let mut client = client(transport, &sandbox);
    let created = client.call(kiosk().client_auth_token(true)).customer();
    let now = now();
    // Fresh for 15 minutes: a 5-minute margin needs no call.
    assert_eq!(created.token_request(now, 5 * 60), None);
    // Within the margin (as a device sees it 12 minutes later): one Get with the option.
    let later = Timestamp::from_unix_seconds(now.unix_seconds() + 12 * 60);
    let refresh = created.token_request(later, 5 * 60).unwrap();
    let refreshed = client.call(refresh).customer();
    let old = created.juspay.unwrap().client_auth_token.unwrap();
    let new = refreshed.juspay.clone().unwrap().client_auth_token.unwrap();
    assert_ne!(old.expose(), new.expose());
    assert_eq!(refreshed.id, created.id);
    assert_eq!(sandbox.requests(), 2);
}
