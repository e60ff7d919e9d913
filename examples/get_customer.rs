//! `get_customer`: fetch one customer from Juspay's Customer API and print it as JSON.
//!
//! Run from the repository root: `cargo run --release --example get_customer -- --help`.
//! Exit status: 0 customer printed; 2 invalid input (nothing sent); 3 the API answered
//! with an error (printed as JSON); 4 no response (connect, TLS, timeout); 5 malformed or
//! incomplete response.

use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use juspay_sandbox::{DEMO_API_KEY, DEMO_MERCHANT_ID, Sandbox};
use juspay_transport_std::{
    ApiError, Client, Config, Customer, ErrorClass, GetCustomer, PRODUCTION_URL, SANDBOX_URL,
};

/// The exit status of each class of error: the command's contract, in one place.
fn exit_code(class: ErrorClass) -> u8 {
    match class {
        ErrorClass::Input => 2,
        ErrorClass::Api => 3,
        ErrorClass::Transport => 4,
        ErrorClass::Protocol => 5,
    }
}

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
  --transport std|embedded|embedded-async
                         which transport carries the call (default std; embedded:
                         juspay-transport-embedded on this host, TLS 1.3 only, no retries;
                         embedded-async: its async client, on std-embedded-nal-async)
  --timeout SECS         deadline for the whole call, retries included (default 30)
  -v, --verbose          request and response heads on stderr, secrets redacted
  -h, --help             this text
  -V, --version          the version

Credentials: JUSPAY_API_KEY and JUSPAY_MERCHANT_ID (unset: the sandbox's demo pair).
Exit status: 0 ok, 2 invalid input, 3 API error, 4 no response, 5 malformed response.";

#[derive(Debug, Clone, Copy)]
enum Transport {
    Std,
    Embedded,
    EmbeddedAsync,
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
        code: exit_code(ErrorClass::Input),
        message: message.into(),
    }
}

/// An error of either transport as the command ends on it: the exit status of its class,
/// and its message with its causes (`cannot connect to h: Connection refused (os error
/// 111)`). An API error's body goes to stdout as JSON first.
fn failure(error: &(dyn std::error::Error + 'static), class: ErrorClass) -> Failure {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        // Some errors repeat their cause in their own text: say it once.
        if !message.contains(&text) {
            message = format!("{message}: {text}");
        }
        source = cause.source();
    }
    Failure {
        code: exit_code(class),
        message,
    }
}

/// What the command line asks for.
enum Command {
    Call(Box<Args>),
    Help,
    Version,
}

fn parse_args() -> Result<Command, Failure> {
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
                    "embedded-async" => Transport::EmbeddedAsync,
                    other => {
                        return Err(input_error(format!(
                            "--transport: expected std, embedded or embedded-async, got {other:?}"
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
            Long("help") | Short('h') => return Ok(Command::Help),
            Long("version") | Short('V') => return Ok(Command::Version),
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
    Ok(Command::Call(Box::new(args)))
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
    let args = match parse_args()? {
        Command::Call(args) => args,
        Command::Help => {
            print_stdout(USAGE);
            std::process::exit(0);
        }
        Command::Version => {
            print_stdout(concat!("get_customer ", env!("CARGO_PKG_VERSION")));
            std::process::exit(0);
        }
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
                code: exit_code(ErrorClass::Transport),
                message: format!("cannot start the built-in sandbox: {e}"),
            })?;
            eprintln!(
                "get_customer: demo: the built-in loopback sandbox answers (test data; set \
                 JUSPAY_API_KEY and JUSPAY_MERCHANT_ID to call Juspay)"
            );
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
            let client = Client::new(config).map_err(|e| input_error(e.to_string()))?;
            client
                .get_customer(&request)
                .map(|customer| customer_json(&customer))
                .map_err(|error| match error {
                    juspay_transport_std::Error::Api(api) => api_error(&api),
                    other => failure(&other, other.class()),
                })
        }
        Transport::Embedded => embedded::get_customer(&config, &request, false),
        Transport::EmbeddedAsync => embedded::get_customer(&config, &request, true),
    }
}

/// The same call through juspay-transport-embedded: std-embedded-nal as the network
/// stack (std-embedded-nal-async and async-io's executor for the async client), the OS
/// RNG, the system clock.
mod embedded {
    use juspay_core::{Credentials, Endpoint, GetCustomer, Reply};
    use juspay_transport_embedded::host::{
        AsyncStack, MonotonicClock, OsRng, Stack, block_on, wall_clock,
    };
    use juspay_transport_embedded::{
        AsyncClient, Buffers, Client, Error, TLS_READ_BUFFER, TLS_WRITE_BUFFER, Timer, TrustAnchor,
        trust_anchor,
    };
    use juspay_transport_std::Config;

    use super::{Failure, api_error, customer_json, failure, input_error};

    pub(super) fn get_customer(
        config: &Config,
        request: &GetCustomer<'_>,
        asynchronous: bool,
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
        let settings = juspay_transport_embedded::Config::new(
            endpoint,
            credentials,
            &trust_anchors,
            wall_clock(),
        )
        .timeout_ms(timeout_ms);
        let timer = Timer::new(MonotonicClock::new());
        let (mut tls_read, mut tls_write) =
            (vec![0u8; TLS_READ_BUFFER], vec![0u8; TLS_WRITE_BUFFER]);
        let buffers = Buffers {
            tls_read: &mut tls_read,
            tls_write: &mut tls_write,
        };
        let mut buf = vec![0u8; config.buffer_size];
        let reply = if asynchronous {
            let stack = AsyncStack::default();
            block_on(async {
                let mut client =
                    AsyncClient::connect(&stack, &stack, &timer, OsRng, settings, buffers).await?;
                let reply = client.get_customer(request, &mut buf).await?;
                client.close().await;
                Ok::<Reply, Error>(reply)
            })
        } else {
            let mut stack = Stack;
            Client::connect(&mut stack, &timer, OsRng, settings, buffers).and_then(|mut client| {
                let reply = client.get_customer(request, &mut buf)?;
                client.close();
                Ok(reply)
            })
        }
        .map_err(|error| failure(&error, error.class()))?;
        match reply.result {
            Ok(customer) => Ok(customer_json(&customer)),
            Err(api) => Err(api_error(&api)),
        }
    }
}

/// The API's error: its body to stdout as JSON, then the failure (exit 3).
fn api_error(api: &ApiError) -> Failure {
    print_stdout(&json(api));
    failure(api, ErrorClass::Api)
}

/// The customer as juspay-core's `serde` feature writes it: the API's keys in the API's
/// order, absent values null, the client auth token included.
fn customer_json(customer: &Customer) -> String {
    json(customer)
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

/// One line to stdout. A reader that went away (`get_customer | head -c0`) is not a crash:
/// what it did not want is dropped, and the exit status still says how the call ended.
fn print_stdout(text: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

fn main() -> ExitCode {
    match run() {
        Ok(customer) => {
            print_stdout(&customer);
            ExitCode::SUCCESS
        }
        Err(Failure { code, message }) => {
            // One line: messages never hold the API key or a token.
            eprintln!("get_customer: {}", message.replace('\n', " "));
            ExitCode::from(code)
        }
    }
}
