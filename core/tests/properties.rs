//! Properties over generated inputs: splits never change a decode, encoding round-trips
//! through an independent HTTP parser, and customer JSON decodes to what was put in.

use juspay_core::driver;
use juspay_core::memory::MemoryConnection;
use juspay_core::{Credentials, Customer, Endpoint, GetCustomer};
use proptest::prelude::*;

const VECTORS: [&[u8]; 8] = [
    include_bytes!("vectors/customer_200.http"),
    include_bytes!("vectors/customer_token_chunked.http"),
    include_bytes!("vectors/customer_cdn_headers.http"),
    include_bytes!("vectors/customer_escapes.http"),
    include_bytes!("vectors/error_404.http"),
    include_bytes!("vectors/error_502_html.http"),
    include_bytes!("vectors/truncated_chunk.http"),
    include_bytes!("vectors/field_over_capacity.http"),
];

fn drive(response: &[u8], pieces: &[usize]) -> String {
    let credentials = Credentials::new("key", "merchant").unwrap();
    let mut written = [0u8; 1024];
    let mut connection = MemoryConnection::new(response, &mut written).with_pieces(pieces);
    let mut buf = [0u8; 4096];
    let outcome = driver::get_customer(
        &mut connection,
        &Endpoint::SANDBOX,
        &credentials,
        &GetCustomer::new("c"),
        &mut buf,
    );
    format!("{outcome:?}")
}

proptest! {
    #[test]
    fn any_split_decodes_the_same(index in 0..VECTORS.len(), cuts in proptest::collection::vec(1usize..64, 0..40)) {
        let response = VECTORS[index];
        prop_assert_eq!(drive(response, &cuts), drive(response, &[]));
    }

    #[test]
    fn encoding_round_trips_through_httparse(
        id in "\\PC{1,40}",
        routing in proptest::option::of("[ -~]{1,30}"),
        version in proptest::option::of("[0-9-]{1,12}"),
        token: bool,
    ) {
        let mut request = GetCustomer::new(&id).client_auth_token(token);
        if let Some(routing) = &routing {
            request = request.routing_id(routing);
        }
        if let Some(version) = &version {
            request = request.version(version);
        }
        let credentials = Credentials::new("my_api_key", "merchant_1").unwrap();
        let mut buf = [0u8; 2048];
        let Ok(len) = request.encode(&Endpoint::SANDBOX, &credentials, &mut buf) else {
            // Refused input: it must have been something validation names.
            prop_assert!(request.validate().is_err());
            return Ok(());
        };
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut parsed = httparse::Request::new(&mut headers);
        prop_assert_eq!(parsed.parse(&buf[..len]).unwrap(), httparse::Status::Complete(len));
        prop_assert_eq!(parsed.method, Some("GET"));
        let path = parsed.path.unwrap();
        let (path, query) = path.split_once('?').map_or((path, None), |(p, q)| (p, Some(q)));
        prop_assert_eq!(query, token.then_some("options.get_client_auth_token=true"));
        let segment = path.strip_prefix("/customers/").unwrap();
        prop_assert!(!segment.contains('/'));
        prop_assert_eq!(percent_encoding::percent_decode_str(segment).decode_utf8().unwrap(), id.as_str());
        let header = |name: &str| {
            parsed.headers.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| std::str::from_utf8(h.value).unwrap())
        };
        prop_assert_eq!(header("x-routing-id"), Some(routing.as_deref().unwrap_or(&id)));
        prop_assert_eq!(header("x-merchantid"), Some("merchant_1"));
        prop_assert_eq!(header("version"), version.as_deref());
        prop_assert_eq!(header("authorization"), Some("Basic bXlfYXBpX2tleTo="));
    }

    #[test]
    fn customer_json_decodes_to_what_was_put_in(
        fields in proptest::collection::vec((proptest::option::of("\\PC{0,20}|[\\x00-\\x1f\"\\\\]{0,5}"), any::<bool>()), 10),
        token in proptest::option::of(("[a-z0-9_]{1,64}", "\\PC{0,32}")),
        id in "[a-z0-9_]{1,64}",
        unknown_first: bool,
    ) {
        // Each value is written raw or with every non-ASCII character as \u escapes.
        let names = [
            "object", "object_reference_id", "mobile_number", "mobile_country_code", "first_name",
            "last_name", "email_address", "date_created", "last_updated", "id",
        ];
        let capacities = [16, 256, 32, 8, 128, 128, 256, 32, 32, 64];
        let mut members = Vec::new();
        if unknown_first {
            members.push(r#""future":{"a":[1,true,null,{"b":"c"}],"d":-1.5e3}"#.to_owned());
        }
        let mut expected = Vec::new();
        for ((name, capacity), (value, escape)) in names.iter().zip(capacities).zip(&fields) {
            let value = if *name == "id" { Some(id.clone()) } else { value.clone() };
            let value = value.filter(|v| v.len() <= capacity);
            members.push(format!("\"{name}\":{}", value.as_deref().map_or("null".to_owned(), |v| json_string(v, *escape))));
            expected.push(value);
        }
        if let Some((token, expiry)) = &token {
            let expiry: String = expiry.chars().take(8).collect();
            members.push(format!(
                r#""juspay":{{"client_auth_token_expiry":{},"client_auth_token":{}}}"#,
                json_string(&expiry, true),
                json_string(token, false)
            ));
        }
        let body = format!("{{{}}}", members.join(","));
        let customer = Customer::from_json(body.as_bytes()).unwrap();
        let got = [
            customer.object.as_deref(), customer.object_reference_id.as_deref(), customer.mobile_number.as_deref(),
            customer.mobile_country_code.as_deref(), customer.first_name.as_deref(), customer.last_name.as_deref(),
            customer.email_address.as_deref(), customer.date_created.as_deref(), customer.last_updated.as_deref(),
            Some(customer.id.as_str()),
        ];
        for ((name, got), expected) in names.iter().zip(got).zip(&expected) {
            prop_assert_eq!(got, expected.as_deref(), "{}", name);
        }
        match (&token, &customer.juspay) {
            (None, None) => {}
            (Some((token, expiry)), Some(juspay)) => {
                let expiry: String = expiry.chars().take(8).collect();
                prop_assert_eq!(juspay.client_auth_token.as_ref().map(|t| t.expose()), Some(token.as_str()));
                prop_assert_eq!(juspay.client_auth_token_expiry.as_deref(), Some(expiry.as_str()));
            }
            (token, juspay) => prop_assert!(false, "{token:?} vs {juspay:?}"),
        }
    }
}

/// A JSON string literal; with `escape_all`, every non-ASCII character as `\uXXXX`
/// (surrogate pairs above U+FFFF).
fn json_string(value: &str, escape_all: bool) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if escape_all && !c.is_ascii() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
