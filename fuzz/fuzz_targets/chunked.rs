//! The chunked decoder behind a fixed head: never a panic, whatever the chunks say.
#![no_main]

use juspay_core::response::ResponseParser;
use libfuzzer_sys::fuzz_target;

const HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

fuzz_target!(|data: &[u8]| {
    let mut buf = [0u8; 1024];
    let mut parser = ResponseParser::new(&mut buf);
    if parser.feed(HEAD).is_err() {
        return;
    }
    let mut rest = data;
    while !rest.is_empty() {
        match parser.feed(rest) {
            Ok((taken, _)) => rest = &rest[taken..],
            Err(_) => return,
        }
    }
    if parser.finish().is_ok() {
        let response = parser.response().expect("complete");
        assert!(response.body.len() <= data.len());
    }
});
