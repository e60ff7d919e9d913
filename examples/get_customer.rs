//! `get_customer`: fetch one customer from Juspay's Customer API and print it as JSON.
//!
//! Run from the repository root: `cargo run --release --bin get_customer -- --help`;
//! `cargo install --path examples` installs it (and `juspay`). Exit status: 0 customer printed; 2 invalid input (nothing sent); 3 the API answered
//! with an error (printed as JSON); 4 no response (connect, TLS, timeout); 5 malformed or
//! incomplete response. `juspay customer get` is the same call.

fn main() -> std::process::ExitCode {
    juspay_cli::main(juspay_cli::Program::GetCustomer)
}
