//! UpdateCustomer from an arbitrary id and field text: never a panic; whatever validation
//! accepts encodes to one path segment and a form body that decodes to the same fields.
#![no_main]

#[path = "../common/form.rs"]
mod form;

use juspay_core::{Credentials, Endpoint, UpdateCustomer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(f) = form::fields(data) else { return };
    // Empty texts stand for fields left out.
    let mut request = UpdateCustomer::new(f[0]);
    let mut expected = Vec::new();
    for (name, value) in [
        ("mobile_number", f[1]),
        ("mobile_country_code", f[2]),
        ("email_address", f[3]),
        ("first_name", f[4]),
        ("last_name", f[5]),
    ] {
        if value.is_empty() {
            continue;
        }
        request = match name {
            "mobile_number" => request.mobile_number(value),
            "mobile_country_code" => request.mobile_country_code(value),
            "email_address" => request.email_address(value),
            "first_name" => request.first_name(value),
            _ => request.last_name(value),
        };
        expected.push((name, value));
    }
    let credentials = Credentials::new("key", "merchant").expect("credentials");
    let mut buf = vec![0u8; 16384];
    let Ok(len) = request.encode(&Endpoint::SANDBOX, &credentials, &mut buf) else {
        return;
    };
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut parsed = httparse::Request::new(&mut headers);
    parsed.parse(&buf[..len]).expect("head parses");
    let path = parsed.path.expect("path").to_owned();
    let id = path.strip_prefix("/customers/").expect("prefix");
    assert!(!id.contains('/'));
    assert_eq!(
        percent_encoding::percent_decode_str(id).decode_utf8().expect("utf-8"),
        f[0]
    );
    form::check(&buf[..len], &path, &expected);
});
