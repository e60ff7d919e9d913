//! `get_customer`: fetch one customer from Juspay's Customer API and print it as JSON.
//!
//! Run from the repository root: `cargo run --release --example get_customer -- --help`.
//! Exit status: 0 customer printed; 2 invalid input (nothing sent); 3 the API answered
//! with an error (printed as JSON); 4 no response (connect, TLS, timeout); 5 malformed or
//! incomplete response. `juspay customer get` is the same call.

fn main() -> std::process::ExitCode {
    juspay_examples::command::main(juspay_examples::command::Program::GetCustomer)
}
