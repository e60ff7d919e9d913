//! CreateCustomer from arbitrary field text: never a panic; whatever validation accepts
//! encodes to a request whose form body decodes to the same fields.
#![no_main]

#[path = "../common/form.rs"]
mod form;

use juspay_core::{CreateCustomer, Credentials, Endpoint};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(f) = form::fields(data) else { return };
    let token = data.len() % 2 == 0;
    let request = CreateCustomer::new(f[0], f[1])
        .mobile_country_code(f[2])
        .email_address(f[3])
        .first_name(f[4])
        .last_name(f[5])
        .client_auth_token(token);
    let credentials = Credentials::new("key", "merchant").expect("credentials");
    let mut buf = vec![0u8; 16384];
    let Ok(len) = request.encode(&Endpoint::SANDBOX, &credentials, &mut buf) else {
        return;
    };
    let mut expected = vec![
        ("object_reference_id", f[0]),
        ("mobile_number", f[1]),
        ("mobile_country_code", f[2]),
        ("email_address", f[3]),
        ("first_name", f[4]),
        ("last_name", f[5]),
    ];
    if token {
        expected.push(("options.get_client_auth_token", "true"));
    }
    form::check(&buf[..len], "/customers", &expected);
});
