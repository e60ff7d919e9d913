//! `juspay customer get|create|update|get-or-create`: every customer call from the command
//! line, with `get_customer`'s options, JSON and exit status.
//!
//! Run from the repository root: `cargo run --release --example juspay -- customer --help`.

fn main() -> std::process::ExitCode {
    juspay_examples::command::main(juspay_examples::command::Program::Juspay)
}
