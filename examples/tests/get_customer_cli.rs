//! The get_customer and juspay commands' contract (flags, JSON on stdout, exit status, one
//! line on stderr), run as processes against sandboxes they have never seen, over loopback
//! TLS.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use juspay_sandbox::{
    DEMO_API_KEY, DEMO_MERCHANT_ID, Handshake, Options, Sandbox, Step, TlsVersions,
};
use serde_json::Value;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }

    /// The keys of the object at `path` in stdout, in the order written.
    fn keys(&self, path: &[&str]) -> Vec<String> {
        let ordered = Ordered::parse(&self.stdout);
        ordered.keys(path).into_iter().map(str::to_owned).collect()
    }
}

/// The program that cargo built for this test.
fn binary(program: &str) -> &'static str {
    match program {
        "get_customer" => env!("CARGO_BIN_EXE_get_customer"),
        "juspay" => env!("CARGO_BIN_EXE_juspay"),
        other => panic!("no program {other}"),
    }
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    run_program("get_customer", args, env)
}

fn run_program(program: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(binary(program));
    command
        .args(args)
        .env_remove("JUSPAY_API_KEY")
        .env_remove("JUSPAY_MERCHANT_ID")
        .env_remove("RUST_LOG");
    command.envs(env.iter().copied());
    let output = command.output().unwrap();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    if run.code >= 2 {
        assert_eq!(
            run.stderr.lines().count(),
            1,
            "stderr must be one line: {:?}",
            run.stderr
        );
        assert!(
            run.stderr.starts_with(&format!("{program}: ")),
            "{:?}",
            run.stderr
        );
    }
    run
}

/// A CA file for a sandbox, written under cargo's scratch folder for tests (target/tmp, not
/// the system's temp folder, so that a killed run leaves nothing there), and removed when
/// dropped: also when an assertion fails, since the test unwinds through it.
struct CaFile(PathBuf);

impl CaFile {
    fn new(sandbox: &Sandbox) -> CaFile {
        // Two files for one sandbox may be alive at once: each gets its own name.
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "juspay-ca-{}-{}-{}.pem",
            std::process::id(),
            sandbox.address().port(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, sandbox.ca_pem()).unwrap();
        CaFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for CaFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Runs against `sandbox` as an unknown server: its URL and its CA given as flags.
fn run_against(sandbox: &Sandbox, extra: &[&str]) -> Run {
    run_through("std", &sandbox.base_url(), sandbox, extra)
}

/// `--transport TRANSPORT` (`embedded` or `embedded-async`) against `sandbox`, by host name.
fn run_embedded(transport: &str, sandbox: &Sandbox, extra: &[&str]) -> Run {
    let url = format!("https://localhost:{}", sandbox.address().port());
    run_through(transport, &url, sandbox, extra)
}

fn run_through(transport: &str, url: &str, sandbox: &Sandbox, extra: &[&str]) -> Run {
    let ca = CaFile::new(sandbox);
    let mut args = vec![
        "--transport",
        transport,
        "--base-url",
        url,
        "--ca-file",
        ca.path(),
    ];
    args.extend_from_slice(extra);
    run(&args, &[])
}

/// JSON with every object's keys in the order written (serde_json's `Value` sorts them).
enum Ordered {
    Object(Vec<(String, Ordered)>),
    Other,
}

impl Ordered {
    fn parse(text: &str) -> Ordered {
        serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }

    /// The keys of the object at `path` (keys from the top), in the order written.
    fn keys(&self, path: &[&str]) -> Vec<&str> {
        let mut value = self;
        for step in path {
            value = match value {
                Ordered::Object(members) => &members.iter().find(|(k, _)| k == step).unwrap().1,
                Ordered::Other => panic!("no object at {path:?}"),
            };
        }
        match value {
            Ordered::Object(members) => members.iter().map(|(k, _)| k.as_str()).collect(),
            Ordered::Other => panic!("no object at {path:?}"),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Ordered, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Ordered::Object(members))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Ordered, A::Error> {
                while seq.next_element::<Ordered>()?.is_some() {}
                Ok(Ordered::Other)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
            fn visit_str<E>(self, _: &str) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// The README's contract: the customer's keys, in the API's order.
const CUSTOMER_KEYS: [&str; 11] = [
    "id",
    "object",
    "object_reference_id",
    "mobile_number",
    "mobile_country_code",
    "first_name",
    "last_name",
    "email_address",
    "date_created",
    "last_updated",
    "juspay",
];

const JUSPAY_KEYS: [&str; 2] = ["client_auth_token", "client_auth_token_expiry"];

/// The README's contract: `http_status`, then the error body's keys in the API's order.
const ERROR_KEYS: [&str; 6] = [
    "http_status",
    "status",
    "error_code",
    "error_message",
    "user_message",
    "error_info",
];

const ERROR_INFO_KEYS: [&str; 6] = [
    "code",
    "category",
    "user_message",
    "developer_message",
    "fields",
    "request_id",
];

#[test]
fn demo_against_the_built_in_sandbox() {
    let out = run(&[], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Not a terminal: one line.
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    let customer = out.json();
    assert_eq!(out.keys(&[]), CUSTOMER_KEYS);
    assert_eq!(customer["id"], "cst_om2l6ctlptxwxuzj");
    assert_eq!(customer["mobile_country_code"], "91");
    assert_eq!(customer["juspay"], Value::Null);
    // It says who answered, on stderr, so that nobody takes the demo for Juspay.
    assert!(
        out.stderr
            .starts_with("get_customer: demo: the built-in loopback sandbox answers"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1);
}

#[test]
fn a_closed_stdout_is_not_a_crash() {
    use std::process::Stdio;
    let mut child = Command::new(binary("get_customer"))
        .env_remove("JUSPAY_API_KEY")
        .env_remove("JUSPAY_MERCHANT_ID")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the command writes (`get_customer | head -c0`).
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn version_and_short_flags_are_in_the_help() {
    let help = run(&["--help"], &[]);
    for flag in ["-v, --verbose", "-V, --version", "-h, --help"] {
        assert!(help.stdout.contains(flag), "{flag}: {}", help.stdout);
    }
    let version = run(&["--version"], &[]);
    assert_eq!(version.code, 0);
    assert!(
        version.stdout.starts_with("get_customer 0."),
        "{}",
        version.stdout
    );
}

#[test]
fn a_padded_id_is_blamed_on_the_id() {
    let out = run(&[" cst_1"], &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("invalid customer id"), "{}", out.stderr);
}

#[test]
fn client_auth_token_against_an_unknown_server() {
    let sandbox = Sandbox::start().unwrap();
    let out = run_against(&sandbox, &["--client-auth-token", "--", "customer"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let customer = out.json();
    assert_eq!(customer["id"], "cst_tooedar2k7j1d60b");
    assert_eq!(out.keys(&[]), CUSTOMER_KEYS);
    assert_eq!(out.keys(&["juspay"]), JUSPAY_KEYS);
    let juspay = customer["juspay"].as_object().unwrap();
    assert!(
        juspay["client_auth_token"]
            .as_str()
            .unwrap()
            .starts_with("tkn_")
    );
    assert!(
        juspay["client_auth_token_expiry"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
}

#[test]
fn absent_values_are_null() {
    let sandbox = Sandbox::scripted(vec![Step::Raw(juspay_sandbox::vector(
        "customer_escapes.http",
    ))])
    .unwrap();
    let out = run_against(&sandbox, &["cst_esc"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let customer = out.json();
    assert_eq!(out.keys(&[]), CUSTOMER_KEYS);
    assert_eq!(customer["mobile_number"], Value::Null);
    assert_eq!(customer["date_created"], Value::Null);
    assert_eq!(customer["last_name"], "😀 Løvland 李");
}

#[test]
fn api_errors_exit_3_with_the_body_as_json() {
    let sandbox = Sandbox::start().unwrap();
    let out = run_against(&sandbox, &["cst_unknown"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    let error = out.json();
    assert_eq!(out.keys(&[]), ERROR_KEYS);
    assert_eq!(error["http_status"], 404);
    assert_eq!(error["error_code"], "object_not_found");
    assert_eq!(error["user_message"], Value::Null);
    assert_eq!(out.keys(&["error_info"]), ERROR_INFO_KEYS);
    let info = &error["error_info"];
    assert_eq!(info["code"], "RESOURCE_NOT_FOUND");
    assert_eq!(info["fields"], serde_json::json!([]));
    assert_eq!(info["request_id"], Value::Null);
}

#[test]
fn field_errors_and_the_top_level_user_message_are_printed() {
    let sandbox = Sandbox::scripted(vec![Step::Raw(juspay_sandbox::vector(
        "error_400_fields.http",
    ))])
    .unwrap();
    let out = run_against(&sandbox, &[]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_eq!(out.keys(&[]), ERROR_KEYS);
    assert_eq!(out.keys(&["error_info"]), ERROR_INFO_KEYS);
    assert_eq!(
        out.json()["error_info"]["fields"],
        serde_json::json!([{"field_name": "mobile_number", "reason": "Invalid value."}])
    );

    let sandbox = Sandbox::scripted(vec![Step::Raw(juspay_sandbox::vector(
        "error_403_bad_origin.http",
    ))])
    .unwrap();
    let out = run_against(&sandbox, &[]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_eq!(out.json()["user_message"], "Bad Origin.");
    assert_eq!(out.json()["error_info"]["code"], "BAD_ORIGIN");
}

#[test]
fn wrong_key_exits_3_with_401() {
    let sandbox = Sandbox::start().unwrap();
    let url = sandbox.base_url();
    let ca = CaFile::new(&sandbox);
    let out = run(
        &["--base-url", &url, "--ca-file", ca.path()],
        &[
            ("JUSPAY_API_KEY", "not_the_key"),
            ("JUSPAY_MERCHANT_ID", DEMO_MERCHANT_ID),
        ],
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_eq!(out.json()["http_status"], 401);
    assert_eq!(out.json()["error_message"], Value::Null);
    assert!(!out.stderr.contains("not_the_key"));
}

#[test]
fn bodies_that_are_not_json_still_give_the_status() {
    for (file, status) in [
        ("error_502_html.http", 502),
        ("error_500_empty.http", 500),
        ("error_403_bad_origin.http", 403),
    ] {
        let sandbox =
            Sandbox::scripted(vec![Step::RawThenClose(juspay_sandbox::vector(file)); 4]).unwrap();
        let out = run_against(&sandbox, &["--timeout", "5"]);
        assert_eq!(out.code, 3, "{file}: {}", out.stderr);
        assert_eq!(out.keys(&[]), ERROR_KEYS, "{file}");
        assert_eq!(out.json()["http_status"], status, "{file}");
    }
}

#[test]
fn invalid_input_exits_2_before_sending() {
    let sandbox = Sandbox::start().unwrap();
    for args in [
        vec![""],
        vec!["cst\r\n1"],
        vec!["cst\u{7}"],
        vec!["--routing-id", "a\nb"],
        vec!["--timeout", "abc"],
        vec!["--timeout", "0"],
        vec!["--transport", "carrier-pigeon"],
        vec!["--no-such-flag"],
        vec!["one", "two"],
        vec!["--routing-id"],
    ] {
        let out = run_against(&sandbox, &args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty());
    }
    let out = run(&["cst_1"], &[("JUSPAY_API_KEY", "live_key")]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(!out.stderr.contains("live_key"));
    assert_eq!(sandbox.requests(), 0);
}

#[test]
fn no_response_exits_4() {
    // Untrusted: the CA is not given.
    let sandbox = Sandbox::start().unwrap();
    let out = run(&["--base-url", &sandbox.base_url()], &[]);
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(out.stderr.contains("certificate"), "{}", out.stderr);

    // A certificate for another host.
    let other = Sandbox::meeting(Handshake::OtherHostCertificate).unwrap();
    assert_eq!(run_against(&other, &[]).code, 4);

    // Nothing listening.
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    assert_eq!(
        run(&["--base-url", &format!("https://{free}")], &[]).code,
        4
    );
}

#[test]
fn a_stalling_server_exits_4_at_the_deadline() {
    let sandbox = Sandbox::scripted(vec![Step::Stall]).unwrap();
    let started = Instant::now();
    let out = run_against(&sandbox, &["--timeout", "1"]);
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(out.stderr.contains("timed out"), "{}", out.stderr);
    assert!(started.elapsed() < Duration::from_secs(10));
    dripped_handshake_exits_4_at_the_deadline("std", TlsVersions::Both);
}

/// The deadline holds in the TLS handshake too, however slowly the server sends it.
fn dripped_handshake_exits_4_at_the_deadline(transport: &str, versions: TlsVersions) {
    let dripping = Sandbox::start_with(Options {
        handshakes: vec![Handshake::Drip(Duration::from_millis(100))],
        tls_versions: versions,
        ..Options::default()
    })
    .unwrap();
    let started = Instant::now();
    let out = run_embedded(transport, &dripping, &["--timeout", "1"]);
    assert_eq!(out.code, 4, "{transport}: {}", out.stderr);
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(4), "{transport}: {elapsed:?}");
}

#[test]
fn malformed_responses_exit_5() {
    let mut huge = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".to_vec();
    huge.extend(std::iter::repeat_n(b' ', 100_000));
    for (name, response) in [
        ("truncated", juspay_sandbox::vector("truncated_body.http")),
        (
            "truncated chunk",
            juspay_sandbox::vector("truncated_chunk.http"),
        ),
        (
            "over capacity",
            juspay_sandbox::vector("field_over_capacity.http"),
        ),
        ("invalid JSON", juspay_sandbox::vector("invalid_json.http")),
        ("invalid UTF-8", juspay_sandbox::vector("invalid_utf8.http")),
        ("missing id", juspay_sandbox::vector("missing_id.http")),
        (
            "conflicting lengths",
            juspay_sandbox::vector("conflicting_content_length.http"),
        ),
        (
            "bad status line",
            juspay_sandbox::vector("malformed_status.http"),
        ),
        ("body too large", huge),
    ] {
        let sandbox = Sandbox::scripted(vec![Step::RawThenClose(response)]).unwrap();
        let out = run_against(&sandbox, &[]);
        assert_eq!(out.code, 5, "{name}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{name}");
    }
}

#[test]
fn tls_1_2_and_1_3_servers() {
    for versions in [TlsVersions::Tls12Only, TlsVersions::Tls13Only] {
        let sandbox = Sandbox::start_with(Options {
            tls_versions: versions,
            ..Options::default()
        })
        .unwrap();
        let out = run_against(&sandbox, &[]);
        assert_eq!(out.code, 0, "{versions:?}: {}", out.stderr);
    }
}

#[test]
fn verbose_and_trace_logs_hold_no_secret() {
    let sandbox = Sandbox::start().unwrap();
    let ca = CaFile::new(&sandbox);
    let by_address = sandbox.base_url();
    let by_name = format!("https://localhost:{}", sandbox.address().port());
    for (transport, url) in [
        ("std", &by_address),
        ("tokio", &by_address),
        ("embedded", &by_name),
        ("embedded", &by_address),
        ("embedded-async", &by_name),
        ("embedded-async", &by_address),
    ] {
        let args = [
            "--verbose",
            "--client-auth-token",
            "--transport",
            transport,
            "--base-url",
            url,
            "--ca-file",
        ];
        let mut command = Command::new(binary("get_customer"));
        command
            .args(args)
            .arg(ca.path())
            .env("RUST_LOG", "trace")
            .env_remove("JUSPAY_API_KEY")
            .env_remove("JUSPAY_MERCHANT_ID");
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{transport}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        let token = serde_json::from_str::<Value>(&stdout).unwrap()["juspay"]["client_auth_token"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(stderr.contains("request head"), "{transport}: {stderr}");
        assert!(stderr.contains("response head"), "{transport}: {stderr}");
        assert!(
            stderr.contains("Authorization: <redacted>"),
            "{transport}: {stderr}"
        );
        assert!(!stderr.contains(DEMO_API_KEY), "{transport}: {stderr}");
        let encoded_key = "c2FuZGJveF9kZW1vX2tleV8wMTIzNDU2Nzg5YWJjZGVmOg=="; // base64 of "key:"
        assert!(!stderr.contains(encoded_key), "{transport}: {stderr}");
        assert!(!stderr.contains(&token), "{transport}: {stderr}");
    }
}

#[test]
fn help_exits_0() {
    let out = run(&["--help"], &[]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("--client-auth-token"));
    assert!(
        out.stdout
            .contains("--transport std|tokio|embedded|embedded-async"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("pretty-printed when stdout is a terminal")
    );
}

#[test]
fn tokio_transport_meets_the_same_contract() {
    contract("tokio");
}

#[test]
fn embedded_transport_meets_the_same_contract() {
    contract("embedded");
}

#[test]
fn embedded_async_transport_meets_the_same_contract() {
    contract("embedded-async");
}

#[test]
fn tokio_transport_meets_the_contract_against_tls12_servers() {
    contract_against("tokio", TlsVersions::Tls12Only);
}

#[test]
fn embedded_transport_meets_the_contract_against_tls12_servers() {
    contract_against("embedded", TlsVersions::Tls12Only);
}

#[test]
fn embedded_async_transport_meets_the_contract_against_tls12_servers() {
    contract_against("embedded-async", TlsVersions::Tls12Only);
}

/// The contract, through juspay-transport-std's tokio client or one of
/// juspay-transport-embedded's clients.
fn contract(transport: &str) {
    // The demo, through the built-in sandbox.
    let out = run(&["--transport", transport, "--client-auth-token"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.keys(&[]), CUSTOMER_KEYS);
    assert_eq!(out.keys(&["juspay"]), JUSPAY_KEYS);
    assert!(
        out.json()["juspay"]["client_auth_token"]
            .as_str()
            .unwrap()
            .starts_with("tkn_")
    );
    contract_against(transport, TlsVersions::Both);
}

/// The contract against sandboxes that speak `versions` (every exit code: the customer,
/// the API's error, refused input, an untrusted or mismatched certificate, a stall, a
/// dripped handshake, malformed responses).
fn contract_against(transport: &str, versions: TlsVersions) {
    let start = |options: Options| {
        Sandbox::start_with(Options {
            tls_versions: versions,
            ..options
        })
        .unwrap()
    };
    let sandbox = start(Options::default());
    let out = run_embedded(transport, &sandbox, &["customer"]);
    assert_eq!(
        (out.code, out.json()["id"].as_str()),
        (0, Some("cst_tooedar2k7j1d60b")),
        "{}",
        out.stderr
    );

    // By IP address: checked against the certificate's IP address SANs.
    let out = run_through(transport, &sandbox.base_url(), &sandbox, &["customer"]);
    assert_eq!(out.code, 0, "{}", out.stderr);

    let out = run_embedded(transport, &sandbox, &["cst_unknown"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_eq!(out.keys(&[]), ERROR_KEYS);
    assert_eq!(out.keys(&["error_info"]), ERROR_INFO_KEYS);
    assert_eq!(out.json()["http_status"], 404);

    for args in [vec![""], vec!["cst\r\n1"], vec!["--timeout", "0"]] {
        assert_eq!(
            run_embedded(transport, &sandbox, &args).code,
            2,
            "{transport} {args:?}"
        );
    }
    assert_eq!(sandbox.requests(), 3);

    // Untrusted: another sandbox's CA pinned.
    let stranger = start(Options::default());
    let url = format!("https://localhost:{}", sandbox.address().port());
    let wrong_ca = CaFile::new(&stranger);
    let out = run(
        &[
            "--transport",
            transport,
            "--base-url",
            &url,
            "--ca-file",
            wrong_ca.path(),
        ],
        &[],
    );
    assert_eq!(out.code, 4, "{}", out.stderr);

    let other = start(Options {
        handshakes: vec![Handshake::OtherHostCertificate],
        ..Options::default()
    });
    assert_eq!(run_embedded(transport, &other, &[]).code, 4);

    let stalled = start(Options {
        script: vec![Step::Stall],
        ..Options::default()
    });
    let started = Instant::now();
    let out = run_embedded(transport, &stalled, &["--timeout", "1"]);
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(out.stderr.contains("timed out"), "{}", out.stderr);
    assert!(started.elapsed() < Duration::from_secs(10));
    dripped_handshake_exits_4_at_the_deadline(transport, versions);

    for file in [
        "truncated_body.http",
        "field_over_capacity.http",
        "invalid_json.http",
        "malformed_status.http",
    ] {
        let bad = start(Options {
            script: vec![Step::RawThenClose(juspay_sandbox::vector(file))],
            ..Options::default()
        });
        let out = run_embedded(transport, &bad, &[]);
        assert_eq!(out.code, 5, "{file}: {}", out.stderr);
    }
}

/// `juspay customer ARGS...` through `transport` against `sandbox` (by host name for the
/// embedded transports, as an unknown server with its CA given as a flag).
fn juspay(transport: &str, sandbox: &Sandbox, args: &[&str]) -> Run {
    let ca = CaFile::new(sandbox);
    let url = format!("https://localhost:{}", sandbox.address().port());
    let mut all = vec![
        "customer",
        args[0],
        "--transport",
        transport,
        "--base-url",
        &url,
        "--ca-file",
        ca.path(),
    ];
    all.extend_from_slice(&args[1..]);
    run_program("juspay", &all, &[])
}

#[test]
fn juspay_customer_through_std() {
    juspay_contract("std");
}

#[test]
fn juspay_customer_through_tokio() {
    juspay_contract("tokio");
}

#[test]
fn juspay_customer_through_embedded() {
    juspay_contract("embedded");
}

#[test]
fn juspay_customer_through_embedded_async() {
    juspay_contract("embedded-async");
}

/// Every subcommand: the customer as JSON (exit 0), the API's errors as JSON (exit 3, the
/// duplicate and a refused field told apart by their codes), refused input before a byte
/// is sent (exit 2).
fn juspay_contract(transport: &str) {
    let sandbox = Sandbox::start().unwrap();
    let kiosk = [
        "--object-reference-id",
        "kiosk+919988776655",
        "--mobile-number",
        "9988776655",
        "--mobile-country-code",
        "91",
        "--first-name",
        "Zoe",
        "--email-address",
        "zoe@example.com",
    ];
    let with = |verb: &'static str, extra: &[&'static str]| {
        let mut args = vec![verb];
        args.extend_from_slice(&kiosk);
        args.extend_from_slice(extra);
        args
    };

    let created = juspay(
        transport,
        &sandbox,
        &with("get-or-create", &["--client-auth-token"]),
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert_eq!(created.keys(&[]), CUSTOMER_KEYS);
    assert_eq!(created.keys(&["juspay"]), JUSPAY_KEYS);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(created.json()["first_name"], "Zoe");
    assert_eq!(sandbox.requests(), 2, "Get, then Create");

    let again = juspay(transport, &sandbox, &with("get-or-create", &[]));
    assert_eq!(
        (again.code, again.json()["id"].as_str()),
        (0, Some(id.as_str()))
    );
    assert_eq!(sandbox.requests(), 3, "found by one Get");

    let duplicate = juspay(transport, &sandbox, &with("create", &[]));
    assert_eq!(duplicate.code, 3, "{}", duplicate.stderr);
    assert_eq!(duplicate.keys(&[]), ERROR_KEYS);
    assert_eq!(duplicate.json()["error_info"]["code"], "ALREADY_EXISTS");

    let updated = juspay(
        transport,
        &sandbox,
        &[
            "update",
            &id,
            "--last-name",
            "Quimby",
            "--mobile-number",
            "9988776600",
        ],
    );
    assert_eq!(updated.code, 0, "{}", updated.stderr);
    assert_eq!(updated.json()["last_name"], "Quimby");
    assert_eq!(updated.json()["mobile_number"], "9988776600");

    let got = juspay(transport, &sandbox, &["get", "kiosk+919988776655"]);
    assert_eq!(
        (got.code, got.json()["last_name"].as_str()),
        (0, Some("Quimby"))
    );

    // The documented name characters leave out `&`: the server refuses, naming the field.
    let refused = juspay(
        transport,
        &sandbox,
        &["update", &id, "--first-name", "Zoe & Co"],
    );
    assert_eq!(refused.code, 3, "{}", refused.stderr);
    assert_eq!(
        refused.json()["error_info"]["fields"][0]["field_name"],
        "first_name"
    );

    let sent = sandbox.requests();
    for args in [
        vec![
            "create",
            "--object-reference-id",
            "short",
            "--mobile-number",
            "99",
        ],
        vec!["create", "--object-reference-id", "kiosk-0002"],
        vec![
            "get-or-create",
            "--object-reference-id",
            "kiosk-0002",
            "--mobile-number",
            "+9199",
        ],
        vec!["update", &id, "--mobile-country-code", "+91"],
        vec!["update", "--first-name", "Zoe"],
        vec!["update", &id, "--client-auth-token"],
        vec!["get", "cst_1", "--first-name", "Zoe"],
        vec![
            "create",
            "--object-reference-id",
            "kiosk-0002",
            "--mobile-number",
            "99",
            "--last-name",
            "a\u{7}b",
        ],
    ] {
        let out = juspay(transport, &sandbox, &args);
        assert_eq!(out.code, 2, "{transport} {args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty());
    }
    let unknown = run_program("juspay", &["customer", "delete", "cst_1"], &[]);
    assert_eq!(unknown.code, 2);
    assert_eq!(sandbox.requests(), sent, "refused input sends nothing");
    assert_eq!(sandbox.customers(DEMO_MERCHANT_ID).len(), 3);
}

#[test]
fn juspay_help_names_every_subcommand() {
    let help = run_program("juspay", &["customer", "--help"], &[]);
    assert_eq!(help.code, 0);
    for word in [
        "get",
        "create",
        "update",
        "get-or-create",
        "--object-reference-id",
    ] {
        assert!(help.stdout.contains(word), "{word}: {}", help.stdout);
    }
    // get_customer keeps its own usage.
    let old = run(&["--help"], &[]);
    assert!(
        old.stdout
            .starts_with("usage: get_customer [OPTIONS] [--] [CUSTOMER_ID]")
    );
    assert!(!old.stdout.contains("--object-reference-id"));
    let version = run_program("juspay", &["--version"], &[]);
    assert!(
        version.stdout.starts_with("juspay 0."),
        "{}",
        version.stdout
    );
}
