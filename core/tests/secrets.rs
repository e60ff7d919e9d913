//! Secrets (the API key, a client auth token) never reach Debug, Display or defmt output.
//! The defmt part runs with `--features defmt` (as `.ci/run` does).

use juspay_core::flow::GetOrCreate;
use juspay_core::{
    CreateCustomer, Credentials, Customer, CustomerRequest, Error, ProtocolError, UpdateCustomer,
};

const KEY: &str = "sk_live_SECRETKEY0123456789";
const TOKEN: &str = "tkn_SECRET8649cd66d30c47728b8dd2fb";

fn customer() -> Customer {
    let body = format!(
        r#"{{"id":"cst_1","first_name":"Visible","juspay":{{"client_auth_token":"{TOKEN}","client_auth_token_expiry":"2020-03-17T14:45:26Z"}}}}"#
    );
    Customer::from_json(body.as_bytes()).unwrap()
}

#[test]
fn debug_and_display_hold_no_secret() {
    let credentials = Credentials::new(KEY, "merchant_visible").unwrap();
    let customer = customer();
    let juspay = customer.juspay.clone().unwrap();
    let texts = [
        format!("{credentials:?}"),
        format!("{credentials:#?}"),
        format!("{customer:?}"),
        format!("{customer:#?}"),
        format!("{juspay:?}"),
        format!("{:?}", juspay.client_auth_token),
        format!(
            "{}",
            Error::<()>::Protocol(ProtocolError::InvalidField {
                field: "juspay.client_auth_token"
            })
        ),
    ];
    for text in &texts {
        assert!(!text.contains(KEY) && !text.contains(TOKEN), "{text}");
    }
    // The checks could fail: the same output does show what is not secret.
    assert!(texts[0].contains("merchant_visible"));
    assert!(texts[2].contains("Visible"));
    // And the secret is there for whoever needs it.
    assert_eq!(credentials.api_key(), KEY);
    assert_eq!(juspay.client_auth_token.unwrap().expose(), TOKEN);
}

#[cfg(feature = "defmt")]
#[test]
fn defmt_output_holds_no_secret() {
    let credentials = Credentials::new(KEY, "merchant_visible").unwrap();
    let customer = customer();
    let _ = defmt::export::fetch_bytes();
    defmt::error!("{} {}", credentials, customer);
    let bytes = defmt::export::fetch_bytes();
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(
        contains(b"merchant_visible"),
        "the check must see strings: {bytes:?}"
    );
    assert!(contains(b"Visible"));
    assert!(!contains(KEY.as_bytes()));
    assert!(!contains(TOKEN.as_bytes()));
}

/// Personal data a Create or Update carries: never in Debug or defmt output.
const PERSONAL: [&str; 5] = [
    "kiosk-ref-0042",
    "9988776655",
    "shopper@example.com",
    "Zoltan",
    "Quimby",
];

fn create() -> CreateCustomer<'static> {
    CreateCustomer::new(PERSONAL[0], PERSONAL[1])
        .email_address(PERSONAL[2])
        .first_name(PERSONAL[3])
        .last_name(PERSONAL[4])
}

fn update() -> UpdateCustomer<'static> {
    UpdateCustomer::new(PERSONAL[0])
        .mobile_number(PERSONAL[1])
        .email_address(PERSONAL[2])
        .first_name(PERSONAL[3])
        .last_name(PERSONAL[4])
}

#[test]
fn request_debug_shows_the_body_length_not_its_content() {
    let request = CustomerRequest::from(create());
    let texts = [
        format!("{:?}", create()),
        format!("{:#?}", update()),
        format!("{request:?}"),
        format!("{:?}", GetOrCreate::new(create())),
    ];
    for text in &texts {
        for data in PERSONAL {
            assert!(!text.contains(data), "{text}");
        }
    }
    let length = format!("body_len: {}", create().body_len());
    assert!(texts[0].contains(&length), "{}", texts[0]);
}

#[cfg(feature = "defmt")]
#[test]
fn request_defmt_holds_no_personal_data() {
    let _ = defmt::export::fetch_bytes();
    defmt::error!("{} {} {}", create(), update(), GetOrCreate::new(create()));
    let bytes = defmt::export::fetch_bytes();
    assert!(!bytes.is_empty());
    for data in PERSONAL {
        let needle = data.as_bytes();
        assert!(!bytes.windows(needle.len()).any(|w| w == needle), "{data}");
    }
}
