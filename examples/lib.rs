//! Runnable programs live beside this file: `cargo run --release --example get_customer`.
