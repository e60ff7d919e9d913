//! One decode in a loop, for instruction counts that do not depend on the machine's load:
//! `valgrind --tool=callgrind target/release/examples/prof [baseline] [chunked]`.
fn main() {
    let baseline = std::env::args().any(|a| a == "baseline");
    let index = if std::env::args().any(|a| a == "chunked") {
        1
    } else {
        0
    };
    let (_, bytes) = juspay_bench::VECTORS[index];
    let mut buf = vec![0u8; 4096];
    let mut customer = juspay_core::Customer::default();
    for _ in 0..20_000 {
        if baseline {
            assert!(juspay_bench::baseline_decode(std::hint::black_box(bytes)).is_some());
        } else {
            assert!(juspay_bench::juspay_decode(
                std::hint::black_box(bytes),
                &mut buf,
                &mut customer
            ));
        }
    }
}
