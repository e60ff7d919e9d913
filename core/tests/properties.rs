//! Properties over generated inputs: splits never change a decode, encoding round-trips
//! through an independent HTTP parser (and form decoder), validation refuses exactly what
//! the API documents as invalid and then sends nothing, and customer JSON decodes to what
//! was put in.

use juspay_core::driver;
use juspay_core::memory::MemoryConnection;
use juspay_core::{
    CreateCustomer, Credentials, Customer, Endpoint, GetCustomer, InputField, InputProblem,
    UpdateCustomer,
};
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

/// What the API documents as structurally invalid in a Create, checked in the order the
/// fields are sent, written here independently of the encoder: the oracle the validation
/// must agree with exactly.
fn documented_refusal(
    reference: &str,
    fields: &[(InputField, Option<&str>); 5],
) -> Option<(InputField, InputProblem)> {
    let control = |v: &str| v.chars().any(char::is_control);
    if reference.is_empty() {
        return Some((InputField::ObjectReferenceId, InputProblem::Empty));
    }
    if control(reference) {
        return Some((
            InputField::ObjectReferenceId,
            InputProblem::ControlCharacter,
        ));
    }
    if reference.chars().count() < 8 {
        return Some((InputField::ObjectReferenceId, InputProblem::TooShort));
    }
    for &(field, value) in fields {
        let Some(value) = value else { continue };
        let digits = matches!(
            field,
            InputField::MobileNumber | InputField::MobileCountryCode
        );
        if digits && value.is_empty() {
            return Some((field, InputProblem::Empty));
        }
        if control(value) {
            return Some((field, InputProblem::ControlCharacter));
        }
        if digits && !value.bytes().all(|b| b.is_ascii_digit()) {
            return Some((field, InputProblem::NotDigits));
        }
    }
    // Sent as the x-routing-id header too: white space around it would be stripped.
    if reference.starts_with([' ', '\t']) || reference.ends_with([' ', '\t']) {
        return Some((
            InputField::ObjectReferenceId,
            InputProblem::SurroundingWhitespace,
        ));
    }
    None
}

/// Text of every kind: any printable character, control characters, the bytes the form
/// encoding must escape, digits.
fn field_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,24}",
        "[0-9]{0,12}",
        "[ &=+%#?/@.*_~\\-]{0,8}",
        "[a-z0-9\\x00-\\x1f\\x7f\\u{85}]{0,12}",
    ]
}

proptest! {
    #[test]
    fn create_fields_round_trip_through_the_form_and_refusals_send_nothing(
        // Weighted towards valid values, so that most cases reach the round trip.
        reference in prop_oneof![3 => "\\PC{8,30}", 1 => field_text()],
        mobile in prop_oneof![3 => "[0-9]{1,12}", 1 => field_text()],
        code in proptest::option::of(prop_oneof![3 => "[0-9]{1,4}", 1 => field_text()]),
        names in proptest::collection::vec(proptest::option::of(field_text()), 3),
        token: bool,
    ) {
        let mut create = CreateCustomer::new(&reference, &mobile).client_auth_token(token);
        let [email, first, last] = [&names[0], &names[1], &names[2]];
        let code = &code;
        if let Some(v) = code { create = create.mobile_country_code(v); }
        if let Some(v) = email { create = create.email_address(v); }
        if let Some(v) = first { create = create.first_name(v); }
        if let Some(v) = last { create = create.last_name(v); }
        let fields = [
            (InputField::MobileNumber, Some(mobile.as_str())),
            (InputField::MobileCountryCode, code.as_deref()),
            (InputField::EmailAddress, email.as_deref()),
            (InputField::FirstName, first.as_deref()),
            (InputField::LastName, last.as_deref()),
        ];

        // Through the driver: a refused request writes nothing at all.
        let credentials = Credentials::new("my_api_key", "merchant_1").unwrap();
        let response = b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n{\"id\":\"cst_1\"}";
        let mut written = [0u8; 4096];
        let mut connection = MemoryConnection::new(response, &mut written);
        let mut buf = [0u8; 4096];
        let outcome = driver::call(&mut connection, &Endpoint::SANDBOX, &credentials, create, &mut buf);
        match documented_refusal(&reference, &fields) {
            Some((field, problem)) => {
                prop_assert_eq!(outcome.map(|_| ()), Err(juspay_core::Error::InvalidInput { field, problem }));
                prop_assert!(connection.written().is_empty());
                return Ok(());
            }
            None => prop_assert!(outcome.is_ok(), "{:?}", outcome),
        }

        // The bytes parse back: head by httparse, body by a form decoder, every field as given.
        let sent = connection.written().to_vec();
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut parsed = httparse::Request::new(&mut headers);
        let httparse::Status::Complete(head_len) = parsed.parse(&sent).unwrap() else {
            panic!("incomplete head");
        };
        prop_assert_eq!(parsed.method, Some("POST"));
        prop_assert_eq!(parsed.path, Some("/customers"));
        let header = |name: &str| parsed.headers.iter().find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| std::str::from_utf8(h.value).unwrap().to_owned());
        let body = &sent[head_len..];
        prop_assert_eq!(header("content-length"), Some(body.len().to_string()));
        prop_assert_eq!(header("content-type"), Some("application/x-www-form-urlencoded".to_owned()));
        prop_assert_eq!(header("x-routing-id"), Some(reference.clone()));
        prop_assert_eq!(create.body_len(), body.len());
        // Only the form's own delimiters and unreserved bytes appear unencoded.
        prop_assert!(body.iter().all(|b| b.is_ascii_alphanumeric() || b"*-._%&=".contains(b)));
        let mut decoded = Vec::new();
        for pair in std::str::from_utf8(body).unwrap().split('&') {
            let (name, value) = pair.split_once('=').unwrap();
            decoded.push((name.to_owned(), percent_encoding::percent_decode_str(value).decode_utf8().unwrap().into_owned()));
        }
        let mut expected = vec![("object_reference_id".to_owned(), reference.clone())];
        for (field, value) in fields {
            if let Some(value) = value {
                expected.push((field.name().to_owned(), value.to_owned()));
            }
        }
        if token {
            expected.push(("options.get_client_auth_token".to_owned(), "true".to_owned()));
        }
        prop_assert_eq!(decoded, expected);
    }

    #[test]
    fn update_fields_round_trip_and_the_id_is_one_segment(
        id in "\\PC{1,30}",
        email in proptest::option::of(field_text()),
        last in proptest::option::of(field_text()),
    ) {
        let mut update = UpdateCustomer::new(&id);
        if let Some(v) = &email { update = update.email_address(v); }
        if let Some(v) = &last { update = update.last_name(v); }
        let credentials = Credentials::new("my_api_key", "merchant_1").unwrap();
        let mut buf = [0u8; 4096];
        let Ok(len) = update.encode(&Endpoint::SANDBOX, &credentials, &mut buf) else {
            prop_assert!(update.validate().is_err());
            return Ok(());
        };
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut parsed = httparse::Request::new(&mut headers);
        let httparse::Status::Complete(head_len) = parsed.parse(&buf[..len]).unwrap() else {
            panic!("incomplete head");
        };
        let segment = parsed.path.unwrap().strip_prefix("/customers/").unwrap();
        prop_assert!(!segment.contains('/'));
        prop_assert_eq!(percent_encoding::percent_decode_str(segment).decode_utf8().unwrap(), id.as_str());
        let body = std::str::from_utf8(&buf[head_len..len]).unwrap();
        let decoded: Vec<(String, String)> = body.split('&').filter(|p| !p.is_empty()).map(|pair| {
            let (name, value) = pair.split_once('=').unwrap();
            (name.to_owned(), percent_encoding::percent_decode_str(value).decode_utf8().unwrap().into_owned())
        }).collect();
        let mut expected = Vec::new();
        if let Some(v) = &email { expected.push(("email_address".to_owned(), v.clone())); }
        if let Some(v) = &last { expected.push(("last_name".to_owned(), v.clone())); }
        prop_assert_eq!(decoded, expected);
    }
}
