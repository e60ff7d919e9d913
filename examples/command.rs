//! The command behind both programs: `get_customer [OPTIONS] [ID]` (Get, as the README
//! documents it) and `juspay customer get|create|update|get-or-create` (every call), with
//! the same options, JSON and exit status: 0 customer printed; 2 invalid input (nothing
//! sent); 3 the API answered with an error (printed as JSON); 4 no response (connect, TLS,
//! timeout); 5 malformed or incomplete response.
#![warn(unreachable_pub)]

use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use juspay_sandbox::{DEMO_API_KEY, DEMO_MERCHANT_ID, Sandbox};
use juspay_transport_std::{
    ApiError, AsyncClient, Client, Config, CreateCustomer, Customer, CustomerRequest, Endpoint,
    ErrorClass, GetCustomer, UpdateCustomer,
};

/// Which program runs the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    /// `get_customer [OPTIONS] [ID]`: Get only.
    GetCustomer,
    /// `juspay customer SUBCOMMAND [OPTIONS] [ID]`.
    Juspay,
}

impl Program {
    fn name(self) -> &'static str {
        match self {
            Program::GetCustomer => "get_customer",
            Program::Juspay => "juspay",
        }
    }
}

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
COMMON_OPTIONS";

const JUSPAY_USAGE: &str = "\
usage: juspay customer get [OPTIONS] [--] [CUSTOMER_ID]
       juspay customer create --object-reference-id ID --mobile-number DIGITS [FIELDS] [OPTIONS]
       juspay customer update [FIELDS] [OPTIONS] [--] CUSTOMER_ID
       juspay customer get-or-create --object-reference-id ID --mobile-number DIGITS [FIELDS] [OPTIONS]

Calls Juspay's Customer API and prints the customer it answers with as one JSON object,
keys in the API's order. get: GET /customers/{id}. create: POST /customers. update: POST
/customers/{id} with the fields given. get-or-create: Get by object_reference_id, Create
when not found, Get again when another device created it first, under one deadline.

  CUSTOMER_ID              Juspay id or object_reference_id (get: default cst_om2l6ctlptxwxuzj)
  --object-reference-id ID your id for the customer, 8 characters or more (create)
  --mobile-number DIGITS   digits only, no country code
  --mobile-country-code N  digits only, no +
  --email-address ADDRESS
  --first-name NAME
  --last-name NAME
  --client-auth-token      ask for a client auth token (get, create, get-or-create)
  --routing-id ID          x-routing-id (default: the customer or object_reference_id)
COMMON_OPTIONS";

const COMMON_OPTIONS: &str = "\
  --base-url URL         https://host[:port] (default: the built-in loopback sandbox when
                         JUSPAY_API_KEY is unset, Juspay's sandbox when it is set)
  --production           Juspay's production host
  --ca-file PEM          extra trusted root certificate(s); may be repeated
  --transport std|tokio|embedded|embedded-async
                         which transport carries the call (default std; tokio: its
                         AsyncClient on a tokio runtime; embedded: juspay-transport-embedded
                         on this host, TLS 1.3 or 1.2, no retries; embedded-async: its async
                         client, on std-embedded-nal-async)
  --timeout SECS         deadline for the whole call, retries included (default 30)
  -v, --verbose          request and response heads on stderr, secrets redacted
  -h, --help             this text
  -V, --version          the version

Credentials: JUSPAY_API_KEY and JUSPAY_MERCHANT_ID (unset: the sandbox's demo pair).
Exit status: 0 ok, 2 invalid input, 3 API error, 4 no response, 5 malformed response.";

/// The usage text of `program`.
fn usage(program: Program) -> String {
    let text = match program {
        Program::GetCustomer => USAGE,
        Program::Juspay => JUSPAY_USAGE,
    };
    text.replace("COMMON_OPTIONS", COMMON_OPTIONS)
}

#[derive(Debug, Clone, Copy)]
enum Transport {
    Std,
    Tokio,
    Embedded,
    EmbeddedAsync,
}

/// Which call: `get_customer` always makes a Get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subcommand {
    Get,
    Create,
    Update,
    GetOrCreate,
}

/// The customer fields given as flags (`juspay` only).
#[derive(Debug, Default)]
struct Fields {
    object_reference_id: Option<String>,
    mobile_number: Option<String>,
    mobile_country_code: Option<String>,
    email_address: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
}

#[derive(Debug)]
struct Args {
    subcommand: Subcommand,
    customer_id: String,
    fields: Fields,
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

fn parse_args(program: Program) -> Result<Command, Failure> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let bad = |e: lexopt::Error| input_error(e.to_string());
    let subcommand = match program {
        Program::GetCustomer => Subcommand::Get,
        Program::Juspay => match juspay_subcommand(&mut parser)? {
            Ok(subcommand) => subcommand,
            Err(early) => return Ok(early),
        },
    };
    let mut args = Args {
        subcommand,
        fields: Fields::default(),
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
    while let Some(arg) = parser.next().map_err(bad)? {
        if let (Program::Juspay, Long(name)) = (program, &arg) {
            let field = match *name {
                "object-reference-id" => Some(&mut args.fields.object_reference_id),
                "mobile-number" => Some(&mut args.fields.mobile_number),
                "mobile-country-code" => Some(&mut args.fields.mobile_country_code),
                "email-address" => Some(&mut args.fields.email_address),
                "first-name" => Some(&mut args.fields.first_name),
                "last-name" => Some(&mut args.fields.last_name),
                _ => None,
            };
            if let Some(field) = field {
                *field = Some(text(parser.value().map_err(bad)?)?);
                continue;
            }
        }
        match arg {
            Long("client-auth-token") => args.client_auth_token = true,
            Long("routing-id") => args.routing_id = Some(text(parser.value().map_err(bad)?)?),
            Long("base-url") => args.base_url = Some(text(parser.value().map_err(bad)?)?),
            Long("production") => args.production = true,
            Long("ca-file") => args.ca_files.push(parser.value().map_err(bad)?.into()),
            Long("transport") => {
                args.transport = match text(parser.value().map_err(bad)?)?.as_str() {
                    "std" => Transport::Std,
                    "tokio" => Transport::Tokio,
                    "embedded" => Transport::Embedded,
                    "embedded-async" => Transport::EmbeddedAsync,
                    other => {
                        return Err(input_error(format!(
                            "--transport: expected std, tokio, embedded or embedded-async, got {other:?}"
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
    match (args.subcommand, customer_id) {
        (Subcommand::Create | Subcommand::GetOrCreate, Some(id)) => {
            return Err(input_error(format!(
                "unexpected argument {id:?}: the customer is named by --object-reference-id"
            )));
        }
        (Subcommand::Update, None) => {
            return Err(input_error("update: CUSTOMER_ID is required"));
        }
        (_, Some(id)) => args.customer_id = id,
        (_, None) => {}
    }
    let creates = matches!(
        args.subcommand,
        Subcommand::Create | Subcommand::GetOrCreate
    );
    if creates {
        for (flag, value) in [
            ("--object-reference-id", &args.fields.object_reference_id),
            ("--mobile-number", &args.fields.mobile_number),
        ] {
            if value.is_none() {
                return Err(input_error(format!("{flag} is required")));
            }
        }
    } else if args.fields.object_reference_id.is_some() {
        return Err(input_error(
            "--object-reference-id: only create and get-or-create take it",
        ));
    }
    let has_fields = [
        &args.fields.mobile_number,
        &args.fields.mobile_country_code,
        &args.fields.email_address,
        &args.fields.first_name,
        &args.fields.last_name,
    ]
    .iter()
    .any(|v| v.is_some());
    if args.subcommand == Subcommand::Get && has_fields {
        return Err(input_error("get takes no customer fields"));
    }
    if args.subcommand == Subcommand::Update && args.client_auth_token {
        return Err(input_error(
            "--client-auth-token: update does not return a token (use get)",
        ));
    }
    Ok(Command::Call(Box::new(args)))
}

/// `customer SUBCOMMAND` at the start of `juspay`'s arguments, or the help or version
/// asked for before it.
fn juspay_subcommand(parser: &mut lexopt::Parser) -> Result<Result<Subcommand, Command>, Failure> {
    use lexopt::prelude::*;
    let bad = |e: lexopt::Error| input_error(e.to_string());
    let mut words = Vec::new();
    while words.len() < 2 {
        match parser.next().map_err(bad)? {
            Some(Value(word)) => words.push(text(word)?),
            Some(Long("help") | Short('h')) | None => return Ok(Err(Command::Help)),
            Some(Long("version") | Short('V')) => return Ok(Err(Command::Version)),
            Some(other) => return Err(bad(other.unexpected())),
        }
    }
    match (words[0].as_str(), words[1].as_str()) {
        ("customer", "get") => Ok(Ok(Subcommand::Get)),
        ("customer", "create") => Ok(Ok(Subcommand::Create)),
        ("customer", "update") => Ok(Ok(Subcommand::Update)),
        ("customer", "get-or-create") => Ok(Ok(Subcommand::GetOrCreate)),
        (noun, verb) => Err(input_error(format!(
            "expected `customer get|create|update|get-or-create`, got `{noun} {verb}`"
        ))),
    }
}

/// What the command calls: one request, or the get-or-create flow.
#[derive(Debug, Clone, Copy)]
enum Action<'a> {
    One(CustomerRequest<'a>),
    GetOrCreate(CreateCustomer<'a>),
}

/// `$request` (a Create or an Update) with the optional fields and the routing id of
/// `$args`: the same setters on both types.
macro_rules! with_fields {
    ($request:expr, $args:expr) => {{
        let (mut request, args) = ($request, $args);
        let fields = &args.fields;
        if let Some(v) = &fields.mobile_country_code {
            request = request.mobile_country_code(v);
        }
        if let Some(v) = &fields.email_address {
            request = request.email_address(v);
        }
        if let Some(v) = &fields.first_name {
            request = request.first_name(v);
        }
        if let Some(v) = &fields.last_name {
            request = request.last_name(v);
        }
        if let Some(routing_id) = &args.routing_id {
            request = request.routing_id(routing_id);
        }
        request
    }};
}

impl Args {
    /// The call the arguments describe, checked before anything is sent.
    fn action(&self) -> Result<Action<'_>, Failure> {
        let fields = &self.fields;
        let token = self.client_auth_token;
        let action = match self.subcommand {
            Subcommand::Get => {
                let mut get = GetCustomer::new(&self.customer_id).client_auth_token(token);
                if let Some(routing_id) = &self.routing_id {
                    get = get.routing_id(routing_id);
                }
                Action::One(get.into())
            }
            Subcommand::Update => {
                let mut update = with_fields!(UpdateCustomer::new(&self.customer_id), self);
                if let Some(v) = &fields.mobile_number {
                    update = update.mobile_number(v);
                }
                Action::One(update.into())
            }
            Subcommand::Create | Subcommand::GetOrCreate => {
                let create = CreateCustomer::new(
                    fields.object_reference_id.as_deref().unwrap_or_default(),
                    fields.mobile_number.as_deref().unwrap_or_default(),
                )
                .client_auth_token(token);
                let create = with_fields!(create, self);
                match self.subcommand {
                    Subcommand::Create => Action::One(create.into()),
                    _ => Action::GetOrCreate(create),
                }
            }
        };
        let checked = match &action {
            Action::One(request) => request.validate(),
            Action::GetOrCreate(create) => create.validate(),
        };
        checked.map_err(|e| input_error(e.to_string()))?;
        Ok(action)
    }
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

fn run(program: Program) -> Result<String, Failure> {
    let args = match parse_args(program)? {
        Command::Call(args) => args,
        Command::Help => {
            print_stdout(&usage(program));
            std::process::exit(0);
        }
        Command::Version => {
            print_stdout(&format!("{} {}", program.name(), env!("CARGO_PKG_VERSION")));
            std::process::exit(0);
        }
    };
    init_logging(args.verbose);

    let action = args.action()?;

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
        (None, true) => Endpoint::PRODUCTION.to_string(),
        (None, false) if !demo => Endpoint::SANDBOX.to_string(),
        (None, false) => {
            let started = Sandbox::start().map_err(|e| Failure {
                code: exit_code(ErrorClass::Transport),
                message: format!("cannot start the built-in sandbox: {e}"),
            })?;
            eprintln!(
                "{}: demo: the built-in loopback sandbox answers (test data; set \
                 JUSPAY_API_KEY and JUSPAY_MERCHANT_ID to call Juspay)",
                program.name()
            );
            let url = started.base_url();
            sandbox = Some(started);
            url
        }
    };

    let mut config = Config::new(base_url, api_key, merchant_id);
    config.deadline = args.timeout;
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
            std_result(match action {
                Action::One(request) => client.call(request),
                Action::GetOrCreate(create) => client.get_or_create(&create),
            })
        }
        Transport::Tokio => {
            let client = AsyncClient::new(config).map_err(|e| input_error(e.to_string()))?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| Failure {
                    code: exit_code(ErrorClass::Transport),
                    message: format!("cannot start the tokio runtime: {e}"),
                })?;
            std_result(runtime.block_on(async {
                match action {
                    Action::One(request) => client.call(request).await,
                    Action::GetOrCreate(create) => client.get_or_create(&create).await,
                }
            }))
        }
        Transport::Embedded => embedded::call(&config, action, false),
        Transport::EmbeddedAsync => embedded::call(&config, action, true),
    }
}

/// How a call of either juspay-transport-std client ends the command.
fn std_result(result: juspay_transport_std::Result<Customer>) -> Result<String, Failure> {
    result
        .map(|customer| customer_json(&customer))
        .map_err(|error| match error {
            juspay_transport_std::Error::Api(api) => api_error(&api),
            other => failure(&other, other.class()),
        })
}

/// The same call through juspay-transport-embedded: std-embedded-nal as the network
/// stack (std-embedded-nal-async and async-io's executor for the async client), the OS
/// RNG, the system clock.
mod embedded {
    use juspay_transport_embedded::host::{
        AsyncStack, MonotonicClock, OsRng, Stack, block_on, wall_clock,
    };
    use juspay_transport_embedded::{
        AsyncClient, Buffers, Client, Connector, Error, Reply, TLS_READ_BUFFER, TLS_WRITE_BUFFER,
        TrustAnchor, trust_anchor,
    };
    use juspay_transport_std::Config;

    use super::{Action, Failure, api_error, customer_json, failure, input_error};

    pub(super) fn call(
        config: &Config,
        action: Action<'_>,
        asynchronous: bool,
    ) -> Result<String, Failure> {
        let settings = juspay_transport_embedded::Config::new(
            config.endpoint.as_str(),
            config.api_key.expose(),
            &config.merchant_id,
        )
        .map_err(|e| input_error(e.to_string()))?
        .deadline(config.deadline);
        // The same roots as the std transport: Mozilla's (webpki-roots) and --ca-file's.
        let mut trust_anchors: Vec<TrustAnchor<'_>> = Vec::new();
        if config.webpki_roots {
            trust_anchors.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        for root in &config.extra_roots {
            trust_anchors
                .push(trust_anchor(root).map_err(|e| input_error(format!("--ca-file: {e}")))?);
        }
        let (mut tls_read, mut tls_write) =
            (vec![0u8; TLS_READ_BUFFER], vec![0u8; TLS_WRITE_BUFFER]);
        let buffers = Buffers {
            tls_read: &mut tls_read,
            tls_write: &mut tls_write,
        };
        let (clock, time) = (MonotonicClock::new(), wall_clock());
        let mut buf = vec![0u8; config.buffer_size];
        let reply = if asynchronous {
            let stack = AsyncStack::default();
            let mut connector = Connector::new(stack, clock, OsRng, buffers, &trust_anchors, time);
            block_on(async {
                let mut client = AsyncClient::connect(&mut connector, settings).await?;
                let reply = match action {
                    Action::One(request) => client.call(request, &mut buf).await?,
                    Action::GetOrCreate(create) => client.get_or_create(&create, &mut buf).await?,
                };
                client.close().await;
                Ok::<Reply, Error>(reply)
            })
        } else {
            let mut connector = Connector::new(Stack, clock, OsRng, buffers, &trust_anchors, time);
            Client::connect(&mut connector, settings).and_then(|mut client| {
                let reply = match action {
                    Action::One(request) => client.call(request, &mut buf)?,
                    Action::GetOrCreate(create) => client.get_or_create(&create, &mut buf)?,
                };
                client.close();
                Ok(reply)
            })
        }
        .map_err(|error| failure(&error, error.class()))?;
        match reply.customer {
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

/// Runs `program` on this process's arguments.
pub fn main(program: Program) -> ExitCode {
    match run(program) {
        Ok(customer) => {
            print_stdout(&customer);
            ExitCode::SUCCESS
        }
        Err(Failure { code, message }) => {
            // One line: messages never hold the API key or a token.
            eprintln!("{}: {}", program.name(), message.replace('\n', " "));
            ExitCode::from(code)
        }
    }
}
