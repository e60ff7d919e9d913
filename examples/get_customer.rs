//! `get_customer`: fetch one customer from Juspay's Customer API and print it as JSON.
//!
//! Run from the repository root: `cargo run --release --example get_customer -- --help`.
//! Exit status: 0 customer printed; 2 invalid input (nothing sent); 3 the API answered
//! with an error (printed as JSON); 4 no response (connect, TLS, timeout); 5 malformed or
//! incomplete response.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use juspay_core::{ApiError, Customer, GetCustomer};
use juspay_sandbox::{DEMO_API_KEY, DEMO_MERCHANT_ID, Sandbox};
use juspay_transport_std::{Client, Config, Error, ErrorClass, PRODUCTION_URL, SANDBOX_URL};

const EXIT_INPUT: u8 = 2;
const EXIT_API: u8 = 3;
const EXIT_TRANSPORT: u8 = 4;
const EXIT_PROTOCOL: u8 = 5;

const DEFAULT_CUSTOMER: &str = "cst_om2l6ctlptxwxuzj";

const USAGE: &str = "\
usage: get_customer [OPTIONS] [--] [CUSTOMER_ID]

Fetches one customer (GET /customers/{customer_id}) and prints it as one JSON object,
keys in the API's order: pretty-printed when stdout is a terminal, on one line otherwise.

  CUSTOMER_ID            Juspay id or object_reference_id (default cst_om2l6ctlptxwxuzj)
  --client-auth-token    ask for a client auth token (options.get_client_auth_token=true)
  --routing-id ID        x-routing-id (default: the customer id)
  --base-url URL         https://host[:port] (default: the built-in loopback sandbox when
                         JUSPAY_API_KEY is unset, Juspay's sandbox when it is set)
  --production           Juspay's production host
  --ca-file PEM          extra trusted root certificate(s); may be repeated
  --transport std|embedded  which transport carries the call (default std; embedded:
                         juspay-transport-embedded on this host, TLS 1.3 only, no retries)
  --timeout SECS         deadline for the whole call, retries included (default 30)
  --verbose              request and response heads on stderr, secrets redacted
  -h, --help             this text

Credentials: JUSPAY_API_KEY and JUSPAY_MERCHANT_ID (unset: the sandbox's demo pair).
Exit status: 0 ok, 2 invalid input, 3 API error, 4 no response, 5 malformed response.";

#[derive(Debug)]
enum Transport {
    Std,
    Embedded,
}

#[derive(Debug)]
struct Args {
    customer_id: String,
    client_auth_token: bool,
    routing_id: Option<String>,
    base_url: Option<String>,
    production: bool,
    ca_files: Vec<PathBuf>,
    transport: Transport,
    timeout: Duration,
    verbose: bool,
}

/// How the command ends when it does not print a customer.
struct Failure {
    code: u8,
    message: String,
}

fn input_error(message: impl Into<String>) -> Failure {
    Failure {
        code: EXIT_INPUT,
        message: message.into(),
    }
}

fn parse_args() -> Result<Option<Args>, Failure> {
    use lexopt::prelude::*;
    let mut args = Args {
        customer_id: DEFAULT_CUSTOMER.to_owned(),
        client_auth_token: false,
        routing_id: None,
        base_url: None,
        production: false,
        ca_files: Vec::new(),
        transport: Transport::Std,
        timeout: Duration::from_secs(30),
        verbose: false,
    };
    let mut customer_id = None;
    let mut parser = lexopt::Parser::from_env();
    let bad = |e: lexopt::Error| input_error(e.to_string());
    while let Some(arg) = parser.next().map_err(bad)? {
        match arg {
            Long("client-auth-token") => args.client_auth_token = true,
            Long("routing-id") => args.routing_id = Some(text(parser.value().map_err(bad)?)?),
            Long("base-url") => args.base_url = Some(text(parser.value().map_err(bad)?)?),
            Long("production") => args.production = true,
            Long("ca-file") => args.ca_files.push(parser.value().map_err(bad)?.into()),
            Long("transport") => {
                args.transport = match text(parser.value().map_err(bad)?)?.as_str() {
                    "std" => Transport::Std,
                    "embedded" => Transport::Embedded,
                    other => {
                        return Err(input_error(format!(
                            "--transport: expected std or embedded, got {other:?}"
                        )));
                    }
                }
            }
            Long("timeout") => {
                let value = text(parser.value().map_err(bad)?)?;
                let seconds: f64 = value
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
                    .ok_or_else(|| {
                        input_error(format!(
                            "--timeout: expected seconds above 0, got {value:?}"
                        ))
                    })?;
                args.timeout = Duration::from_secs_f64(seconds);
            }
            Long("verbose") | Short('v') => args.verbose = true,
            Long("help") | Short('h') => return Ok(None),
            Value(value) if customer_id.is_none() => customer_id = Some(text(value)?),
            _ => return Err(bad(arg.unexpected())),
        }
    }
    if args.production && args.base_url.is_some() {
        return Err(input_error(
            "--production and --base-url exclude each other",
        ));
    }
    if let Some(id) = customer_id {
        args.customer_id = id;
    }
    Ok(Some(args))
}

fn text(value: std::ffi::OsString) -> Result<String, Failure> {
    value
        .into_string()
        .map_err(|v| input_error(format!("not valid UTF-8: {v:?}")))
}

fn init_logging(verbose: bool) {
    let default_filter = if verbose {
        "juspay_transport_std=debug,juspay_transport_embedded=debug"
    } else {
        "off"
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(default_filter))
        .format_timestamp(None)
        .target(env_logger::Target::Stderr)
        .init();
}

fn run() -> Result<String, Failure> {
    let Some(args) = parse_args()? else {
        println!("{USAGE}");
        std::process::exit(0);
    };
    init_logging(args.verbose);

    let mut request = GetCustomer::new(&args.customer_id).client_auth_token(args.client_auth_token);
    if let Some(routing_id) = &args.routing_id {
        request = request.routing_id(routing_id);
    }
    request.validate().map_err(|e| input_error(e.to_string()))?;

    let api_key = std::env::var("JUSPAY_API_KEY")
        .ok()
        .filter(|k| !k.is_empty());
    let merchant_id = std::env::var("JUSPAY_MERCHANT_ID")
        .ok()
        .filter(|m| !m.is_empty());
    let (api_key, merchant_id) = match (api_key, merchant_id) {
        (Some(key), Some(merchant)) => (key, merchant),
        (Some(_), None) => {
            return Err(input_error(
                "JUSPAY_MERCHANT_ID is required when JUSPAY_API_KEY is set",
            ));
        }
        (None, merchant) => (
            DEMO_API_KEY.to_owned(),
            merchant.unwrap_or_else(|| DEMO_MERCHANT_ID.to_owned()),
        ),
    };
    let demo = api_key == DEMO_API_KEY;

    // The built-in sandbox runs in this process, on loopback, only when no host was named
    // and no real key was given.
    let mut sandbox = None;
    let base_url = match (&args.base_url, args.production) {
        (Some(url), _) => url.clone(),
        (None, true) => PRODUCTION_URL.to_owned(),
        (None, false) if !demo => SANDBOX_URL.to_owned(),
        (None, false) => {
            let started = Sandbox::start().map_err(|e| Failure {
                code: EXIT_TRANSPORT,
                message: format!("cannot start the built-in sandbox: {e}"),
            })?;
            let url = started.base_url();
            sandbox = Some(started);
            url
        }
    };

    let mut config = Config::new(base_url, api_key, merchant_id);
    config.deadline = args.timeout;
    config.read_timeout = args.timeout;
    config.write_timeout = args.timeout;
    config.connect_timeout = args.timeout;
    if let Some(sandbox) = &sandbox {
        config.extra_roots.push(sandbox.ca_der());
    }
    for path in &args.ca_files {
        let pem = std::fs::read(path)
            .map_err(|e| input_error(format!("--ca-file {}: {e}", path.display())))?;
        config
            .add_roots_pem(&pem)
            .map_err(|e| input_error(format!("--ca-file {}: {e}", path.display())))?;
    }

    match args.transport {
        Transport::Std => {
            let mut client = Client::new(config).map_err(|e| input_error(e.to_string()))?;
            client
                .get_customer(&request)
                .map(|customer| customer_json(&customer))
                .map_err(failure)
        }
        Transport::Embedded => embedded::get_customer(&config, &request),
    }
}

/// The same call through juspay-transport-embedded: std-embedded-nal as the network
/// stack, the OS RNG, the system clock.
mod embedded {
    use juspay_core::{Credentials, Endpoint, GetCustomer};
    use juspay_transport_embedded::host::{OsRng, Stack, SystemClock, wall_clock};
    use juspay_transport_embedded::{
        Buffers, Client, ErrorClass, TLS_READ_BUFFER, TLS_WRITE_BUFFER, Timer, TrustAnchor,
        trust_anchor,
    };
    use juspay_transport_std::Config;

    use super::{
        EXIT_API, EXIT_INPUT, EXIT_PROTOCOL, EXIT_TRANSPORT, Failure, api_error_json,
        customer_json, input_error,
    };

    pub(super) fn get_customer(
        config: &Config,
        request: &GetCustomer<'_>,
    ) -> Result<String, Failure> {
        let endpoint = Endpoint::parse(&config.base_url).map_err(|e| input_error(e.to_string()))?;
        let credentials = Credentials::new(config.api_key.expose(), &config.merchant_id)
            .map_err(|e| input_error(e.to_string()))?;
        // The same roots as the std transport: Mozilla's (webpki-roots) and --ca-file's.
        let mut trust_anchors: Vec<TrustAnchor<'_>> = Vec::new();
        if config.webpki_roots {
            trust_anchors.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        for root in &config.extra_roots {
            trust_anchors
                .push(trust_anchor(root).map_err(|e| input_error(format!("--ca-file: {e}")))?);
        }
        let timeout_ms = u64::try_from(config.deadline.as_millis()).unwrap_or(u64::MAX);
        let settings = juspay_transport_embedded::Config {
            endpoint,
            credentials,
            trust_anchors: &trust_anchors,
            time: wall_clock(),
            timeout_ms,
        };
        let mut stack = Stack;
        let timer = Timer::new(SystemClock::new());
        let (mut tls_read, mut tls_write) =
            (vec![0u8; TLS_READ_BUFFER], vec![0u8; TLS_WRITE_BUFFER]);
        let buffers = Buffers {
            tls_read: &mut tls_read,
            tls_write: &mut tls_write,
        };
        let transport_failure = |error: juspay_transport_embedded::Error<_>| Failure {
            code: match error.class() {
                ErrorClass::Input => EXIT_INPUT,
                ErrorClass::Protocol => EXIT_PROTOCOL,
                _ => EXIT_TRANSPORT,
            },
            message: error.to_string(),
        };
        let mut client = Client::connect(&mut stack, &timer, OsRng, settings, buffers)
            .map_err(transport_failure)?;
        let mut buf = vec![0u8; config.buffer_size];
        let reply = client
            .get_customer(request, &mut buf)
            .map_err(transport_failure)?;
        client.close();
        match reply.result {
            Ok(customer) => Ok(customer_json(&customer)),
            Err(api) => {
                println!("{}", api_error_json(&api));
                Err(Failure {
                    code: EXIT_API,
                    message: api.to_string(),
                })
            }
        }
    }
}

fn failure(error: Error) -> Failure {
    let code = match error.class() {
        ErrorClass::Input => EXIT_INPUT,
        ErrorClass::Api => EXIT_API,
        ErrorClass::Transport => EXIT_TRANSPORT,
        ErrorClass::Protocol => EXIT_PROTOCOL,
    };
    if let Some(api) = error.api() {
        println!("{}", api_error_json(api));
    }
    Failure {
        code,
        message: error.to_string(),
    }
}

/// The customer as juspay-core's `serde` feature writes it: the API's keys in the API's
/// order, absent values null, the client auth token included.
fn customer_json(customer: &Customer) -> String {
    json(customer)
}

/// `http_status`, then the error body's fields as juspay-core's `serde` feature writes
/// them (the API's keys in its order, absent values null).
fn api_error_json(error: &ApiError) -> String {
    json(error)
}

/// Pretty-printed for a person at a terminal, one line for a program reading a pipe.
fn json(value: &impl serde::Serialize) -> String {
    let written = if std::io::stdout().is_terminal() {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    // Strings, numbers, null, objects and arrays with string keys: nothing that fails.
    written.expect("juspay-core's types serialize to JSON")
}

fn main() -> ExitCode {
    match run() {
        Ok(customer) => {
            println!("{customer}");
            ExitCode::SUCCESS
        }
        Err(Failure { code, message }) => {
            // One line: messages never hold the API key or a token.
            eprintln!("get_customer: {}", message.replace('\n', " "));
            ExitCode::from(code)
        }
    }
}
