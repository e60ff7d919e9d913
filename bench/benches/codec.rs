//! criterion pairs: request encoding, response parsing and customer decoding, juspay-core
//! against httparse + serde_json, on the recorded vectors.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use juspay_bench::{VECTORS, baseline_decode, baseline_encode, juspay_decode, juspay_encode};
use juspay_core::response::ResponseParser;
use juspay_core::{Credentials, Customer, GetCustomer};

fn decode(c: &mut Criterion) {
    for (name, bytes) in VECTORS {
        let mut group = c.benchmark_group(format!("decode {name}"));
        let mut buf = vec![0u8; 4096];
        let mut customer = Customer::default();
        group.bench_function("juspay", |b| {
            b.iter(|| juspay_decode(black_box(bytes), &mut buf, &mut customer))
        });
        group.bench_function("httparse+serde_json", |b| {
            b.iter(|| baseline_decode(black_box(bytes)))
        });
        group.finish();
    }
}

fn parse(c: &mut Criterion) {
    let (_, bytes) = VECTORS[0];
    let mut group = c.benchmark_group("parse head+body");
    let mut buf = vec![0u8; 4096];
    group.bench_function("juspay", |b| {
        b.iter(|| {
            let mut parser = ResponseParser::new(&mut buf);
            let _ = parser.feed(black_box(bytes));
            parser.response().map(|r| r.body.len())
        })
    });
    group.bench_function("httparse", |b| {
        b.iter(|| {
            let mut headers = [httparse::EMPTY_HEADER; 64];
            let mut response = httparse::Response::new(&mut headers);
            response.parse(black_box(bytes)).ok()
        })
    });
    group.finish();
}

fn encode(c: &mut Criterion) {
    let credentials = Credentials::new("my_api_key", "merchant_1").unwrap();
    let request = GetCustomer::new("customer@gmail.com").client_auth_token(true);
    let mut out = [0u8; 1024];
    let mut group = c.benchmark_group("encode request");
    group.bench_function("juspay", |b| {
        b.iter(|| juspay_encode(black_box(&request), &credentials, &mut out))
    });
    group.bench_function("format!+base64", |b| {
        b.iter(|| {
            baseline_encode(
                black_box("customer@gmail.com"),
                "my_api_key",
                "merchant_1",
                true,
            )
        })
    });
    group.finish();
}

criterion_group!(benches, decode, parse, encode);
criterion_main!(benches);
