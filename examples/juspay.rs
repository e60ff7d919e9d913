//! `juspay customer get|create|update|get-or-create`: every customer call from the command
//! line, with `get_customer`'s options, JSON and exit status.
//!
//! Run from the repository root: `cargo run --release --bin juspay -- customer --help`.

fn main() -> std::process::ExitCode {
    juspay_cli::main(juspay_cli::Program::Juspay)
}
