//! What the Create and Update targets both check: the encoded request parses back with
//! httparse, its Content-Length is the body's length, and the body decodes to exactly the
//! fields given, in order.

/// Fields from fuzz input: texts separated by U+0001.
pub fn fields(data: &[u8]) -> Option<Vec<&str>> {
    let text = std::str::from_utf8(data).ok()?;
    let mut parts: Vec<&str> = text.split('\u{1}').collect();
    parts.resize(7, "");
    Some(parts)
}

/// Checks `request` (`len` bytes of `buf`) against the method, path and fields expected.
pub fn check(buf: &[u8], path: &str, expected: &[(&str, &str)]) {
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut parsed = httparse::Request::new(&mut headers);
    let httparse::Status::Complete(head_len) = parsed.parse(buf).expect("head parses") else {
        panic!("incomplete head");
    };
    assert_eq!(parsed.method, Some("POST"));
    assert_eq!(parsed.path, Some(path));
    let body = &buf[head_len..];
    let length = parsed
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .map(|h| std::str::from_utf8(h.value).expect("length utf-8"));
    assert_eq!(length, Some(body.len().to_string().as_str()));
    let body = std::str::from_utf8(body).expect("body is ASCII");
    let decoded: Vec<(String, String)> = body
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').expect("name=value");
            let value = percent_encoding::percent_decode_str(value)
                .decode_utf8()
                .expect("value utf-8");
            (name.to_owned(), value.into_owned())
        })
        .collect();
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    assert_eq!(decoded, expected);
}
