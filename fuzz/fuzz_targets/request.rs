//! Request encoding from arbitrary ids and header values: whatever validation accepts
//! encodes to a request that httparse parses back with exactly the intended path and
//! headers.
#![no_main]

use juspay_core::{Credentials, Endpoint, GetCustomer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.split('\u{1}');
    let id = parts.next().unwrap_or_default();
    let routing = parts.next();
    let version = parts.next();
    let merchant = parts.next().unwrap_or("merchant");
    let token = id.len() % 2 == 0;

    let Ok(credentials) = Credentials::new("key", merchant) else {
        return;
    };
    let mut request = GetCustomer::new(id).client_auth_token(token);
    if let Some(routing) = routing {
        request = request.routing_id(routing);
    }
    if let Some(version) = version {
        request = request.version(version);
    }
    let mut buf = vec![0u8; 8192];
    let Ok(len) = request.encode(&Endpoint::SANDBOX, &credentials, &mut buf) else {
        return;
    };

    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut parsed = httparse::Request::new(&mut headers);
    assert_eq!(
        parsed.parse(&buf[..len]),
        Ok(httparse::Status::Complete(len))
    );
    let path = parsed.path.expect("path");
    let (path, query) = path
        .split_once('?')
        .map_or((path, None), |(p, q)| (p, Some(q)));
    assert_eq!(query, token.then_some("options.get_client_auth_token=true"));
    let segment = path.strip_prefix("/customers/").expect("prefix");
    assert!(!segment.contains('/'));
    assert_eq!(
        percent_encoding::percent_decode_str(segment)
            .decode_utf8()
            .expect("utf-8"),
        id
    );
    let header = |name: &str| {
        parsed
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| std::str::from_utf8(h.value).expect("header utf-8"))
    };
    assert_eq!(header("x-routing-id"), Some(routing.unwrap_or(id)));
    assert_eq!(header("x-merchantid"), Some(merchant));
    assert_eq!(header("version"), version);
    assert_eq!(parsed.headers.len(), if version.is_some() { 7 } else { 6 });
});
