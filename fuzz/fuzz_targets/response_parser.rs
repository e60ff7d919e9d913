//! Arbitrary bytes in arbitrary splits: never a panic, and the split never changes the result.
#![no_main]

use juspay_core::response::{ResponseParser, Status};
use libfuzzer_sys::fuzz_target;

fn parse(input: &[u8], piece: usize) -> String {
    let mut buf = [0u8; 2048];
    let mut parser = ResponseParser::new(&mut buf);
    let mut status = Status::Partial;
    for part in input.chunks(piece) {
        let mut part = part;
        while !part.is_empty() {
            match parser.feed(part) {
                Ok((taken, s)) => {
                    status = s;
                    part = &part[taken..];
                }
                Err(e) => return format!("Err({e:?})"),
            }
        }
    }
    if status == Status::Partial {
        if let Err(e) = parser.finish() {
            return format!("Err({e:?})");
        }
    }
    format!("{:?}", parser.response())
}

fuzz_target!(|data: &[u8]| {
    let Some((&split, input)) = data.split_first() else {
        return;
    };
    let whole = parse(input, input.len().max(1));
    assert_eq!(parse(input, usize::from(split % 16) + 1), whole);
});
