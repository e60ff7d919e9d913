//! Secrets (the API key, a client auth token) never reach Debug, Display or defmt output.
//! The defmt part runs with `--features defmt` (as `.ci/run` does).

use juspay_core::{Credentials, Customer, Error, ProtocolError};

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
