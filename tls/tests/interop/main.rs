//! The client against three independent TLS 1.3 and TLS 1.2 servers on loopback: OpenSSL
//! (`openssl s_server`), GnuTLS (`gnutls-serv`) and rustls (a thread of the test), each
//! driven by a small blocking loop over `std::net::TcpStream` ([`driver`]).
//!
//! The matrix: each server limited to one cipher suite and one group presents a chain made
//! now (a root of the key type and a leaf for `localhost` and 127.0.0.1). For every suite
//! × group × key type (P-256, P-384, RSA-2048, RSA-4096, Ed25519), and for a
//! HelloRetryRequest each way (our first share X25519 to a P-256 server, and P-256 to an
//! X25519 server) with every suite, a case: the handshake completes with the server's
//! suite, `GET / HTTP/1.0` is answered with `HTTP/1.`, and the connection ends with
//! close_notify. The same against each server limited to TLS 1.2 and one TLS 1.2 suite,
//! for each suite the key type signs for ([`matrix_tls12`]). Then: KeyUpdate from OpenSSL
//! (requested and not) and rustls (requested); records cut small by the server, or kept
//! small for a small receive buffer, in both versions; a long chain; servers that ask for
//! a client certificate; a TLS 1.2 HelloRequest from OpenSSL (answered with
//! no_renegotiation); refusals (TLS 1.2 servers when we require TLS 1.3, GnuTLS without
//! the extended master secret, among them).
//!
//! Where `openssl` or `gnutls-serv` is not installed, their cases say so and are skipped,
//! unless `CI` is set: there a missing server fails (`.ci/run` installs both). The cases
//! of a test run one after another; `--nocapture` shows a line per case.

mod certificates;
mod driver;
mod servers;

use std::fmt::Display;
use std::net::SocketAddr;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use juspay_tls::{
    CertificateTime, CipherSuite, Config, Group, MAX_EMPTY_RECORDS, ProtocolVersion,
    RECEIVE_BUFFER, ServerName,
};

use certificates::{Certificates, Chain, KeyType};
use driver::{Buffers, Connection, Failure};
use servers::{ClientCertificate, OpenSsl, RustlsOptions};

/// One handshake.
#[derive(Debug, Clone, Copy)]
struct Case {
    key_type: KeyType,
    /// The only suite the server accepts.
    suite: CipherSuite,
    /// The only group the server accepts.
    group: Group,
    /// Our first key share: another group than the server's makes it ask for a retry.
    first_share: Group,
    /// Whether the client requires TLS 1.3 (`Config::tls13_only`).
    tls13_only: bool,
}

impl Case {
    /// A case without a retry.
    fn new(key_type: KeyType, suite: CipherSuite, group: Group) -> Case {
        Case {
            key_type,
            suite,
            group,
            first_share: group,
            tls13_only: false,
        }
    }
}

impl Display for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let retry = if self.first_share == self.group {
            String::new()
        } else {
            format!(" (first share {:?}: HelloRetryRequest)", self.first_share)
        };
        write!(
            f,
            "{:<8} {:<22} {:<9}{retry}",
            format!("{:?}", self.key_type),
            format!("{:?}", self.suite),
            format!("{:?}", self.group),
        )
    }
}

/// Every suite × group × key type, then a HelloRetryRequest each way with every suite.
fn matrix() -> Vec<Case> {
    let mut cases = Vec::new();
    for key_type in KeyType::ALL {
        for suite in CipherSuite::TLS13 {
            for group in Group::ALL {
                cases.push(Case::new(key_type, suite, group));
            }
        }
    }
    for suite in CipherSuite::TLS13 {
        for (first_share, group) in [
            (Group::X25519, Group::Secp256r1),
            (Group::Secp256r1, Group::X25519),
        ] {
            cases.push(Case {
                first_share,
                ..Case::new(KeyType::P256, suite, group)
            });
        }
    }
    cases
}

/// Connects to `address` trusting only `chain`'s root and completes the handshake; with
/// an IP address as the name (no SNI) for the retry cases, `localhost` otherwise.
fn connect<'b>(
    address: SocketAddr,
    chain: &'b Chain,
    case: &Case,
    buffers: &'b mut Buffers,
) -> Result<Connection<'b>, Failure> {
    let name = if case.first_share == case.group {
        "localhost"
    } else {
        "127.0.0.1"
    };
    connect_as(address, chain, name, case, buffers)
}

/// Connects to `address` as `name` (never resolved) trusting only `chain`'s root, with
/// the case's first key share and versions, and completes the handshake.
fn connect_as<'b>(
    address: SocketAddr,
    chain: &'b Chain,
    name: &str,
    case: &Case,
    buffers: &'b mut Buffers,
) -> Result<Connection<'b>, Failure> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs();
    let name = ServerName::try_from(name.to_owned()).expect("a server name");
    let config =
        Config::new(name, &chain.anchor, CertificateTime::Now(now)).key_share(case.first_share);
    let config = if case.tls13_only {
        config.tls13_only()
    } else {
        config
    };
    Connection::open(address, config, buffers)
}

/// A whole case over a receive buffer of `receive` bytes: the handshake, the negotiated
/// suite, `request` answered with `HTTP/1.` up to the server's close_notify, then ours.
/// Returns the response.
fn call(
    address: SocketAddr,
    chain: &Chain,
    case: &Case,
    receive: usize,
    request: &[u8],
) -> Result<Vec<u8>, String> {
    let mut buffers = Buffers::with_receive(receive);
    let mut connection =
        connect(address, chain, case, &mut buffers).map_err(|e| format!("handshake: {e}"))?;
    let suite = connection.tls.cipher_suite();
    if suite != Some(case.suite) {
        return Err(format!("negotiated {suite:?}"));
    }
    connection
        .write_all(request)
        .map_err(|e| format!("writing the request: {e}"))?;
    let response = connection
        .read_to_close()
        .map_err(|e| format!("reading the response: {e}"))?;
    if !response.starts_with(b"HTTP/1.") {
        return Err(format!(
            "the response is not HTTP: {:?}",
            String::from_utf8_lossy(&response[..response.len().min(80)])
        ));
    }
    connection
        .close()
        .map_err(|e| format!("sending close_notify: {e}"))?;
    Ok(response)
}

const GET: &[u8] = b"GET / HTTP/1.0\r\n\r\n";

/// [`call`] with the default buffer and `GET /`.
fn get(address: SocketAddr, chain: &Chain, case: &Case) -> Result<Vec<u8>, String> {
    call(address, chain, case, RECEIVE_BUFFER, GET)
}

/// The outcomes of a test's cases: a line for each as it ends, and at the end, every
/// failure together.
struct Outcomes {
    test: &'static str,
    started: Instant,
    cases: usize,
    failures: Vec<String>,
}

impl Outcomes {
    fn new(test: &'static str) -> Outcomes {
        Outcomes {
            test,
            started: Instant::now(),
            cases: 0,
            failures: Vec::new(),
        }
    }

    /// Runs one case.
    fn run<T>(&mut self, name: impl Display, case: impl FnOnce() -> Result<T, String>) {
        let started = Instant::now();
        let outcome = case();
        let shown = match &outcome {
            Ok(_) => "ok".to_owned(),
            Err(e) => format!("FAILED: {e}"),
        };
        let ms = started.elapsed().as_millis();
        println!("{:<16} {name} {shown} ({ms} ms)", self.test);
        self.cases += 1;
        if let Err(e) = outcome {
            self.failures.push(format!("{name}: {e}"));
        }
    }

    /// Fails the test listing every failed case.
    fn finish(self) {
        println!(
            "{}: {} of {} cases passed in {:.1} s",
            self.test,
            self.cases - self.failures.len(),
            self.cases,
            self.started.elapsed().as_secs_f64()
        );
        assert!(
            self.failures.is_empty(),
            "{} of {} cases of {} failed:\n{}",
            self.failures.len(),
            self.cases,
            self.test,
            self.failures.join("\n")
        );
    }
}

/// Whether a server program is here; without it, its cases are skipped (and fail in CI).
fn available(program: &str, version_argument: &str) -> bool {
    if servers::installed(program, version_argument) {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{program} is not installed, and CI is set: interop against it must run"
    );
    println!("{program} is not installed: SKIPPING the interop cases against it");
    false
}

/// The TLS 1.2 matrix: each TLS 1.2 suite the key type can sign for (ECDHE_ECDSA with
/// P-256, P-384 and Ed25519 keys, ECDHE_RSA with RSA-2048 and RSA-4096) × each group, the server
/// limited to TLS 1.2; our first key share is the other group in half of them (TLS 1.2
/// has no HelloRetryRequest: the client makes a key pair for the server's group).
fn matrix_tls12() -> Vec<Case> {
    let mut cases = Vec::new();
    for key_type in KeyType::ALL {
        // Ed25519 signs for the ECDHE_ECDSA suites too (RFC 8422, 5.1.3).
        let ecdsa = !matches!(key_type, KeyType::Rsa2048 | KeyType::Rsa4096);
        for suite in CipherSuite::TLS12 {
            let suite_ecdsa = format!("{suite:?}").starts_with("EcdheEcdsa");
            if suite_ecdsa != ecdsa {
                continue;
            }
            for group in Group::ALL {
                cases.push(Case::new(key_type, suite, group));
            }
        }
    }
    for suite in CipherSuite::TLS12
        .into_iter()
        .filter(|s| format!("{s:?}").starts_with("EcdheEcdsa"))
    {
        cases.push(Case {
            first_share: Group::X25519,
            ..Case::new(KeyType::P256, suite, Group::Secp256r1)
        });
    }
    cases
}

/// The matrix against OpenSSL, a server process per case.
#[test]
fn openssl_s_server() {
    if !available("openssl", "version") {
        return;
    }
    let certificates = Certificates::make();
    let mut outcomes = Outcomes::new("openssl");
    for case in matrix().into_iter().chain(matrix_tls12()) {
        let chain = certificates.chain(case.key_type);
        outcomes.run(case, || {
            let server = servers::openssl(chain, case.suite, case.group, OpenSsl::Www, &[])?;
            let outcome = get(server.address, chain, &case);
            // In TLS 1.2 OpenSSL serves an ECDSA certificate only on a curve the client
            // lists in supported_groups, and we list only the groups we do ECDHE with
            // (X25519, P-256): a P-384 leaf is refused by the server (the crate docs say so).
            if case.key_type == KeyType::P384 && case.suite.version() == ProtocolVersion::Tls12 {
                return match outcome {
                    Err(e) if e.contains("AlertReceived(HandshakeFailure)") => Ok(Vec::new()),
                    other => Err(format!("expected OpenSSL's handshake_failure: {other:?}")),
                };
            }
            outcome
        });
    }
    outcomes.finish();
}

/// The matrix against GnuTLS, a server process per case. gnutls-serv asks for a client
/// certificate: every case also answers a CertificateRequest.
#[test]
fn gnutls_serv() {
    if !available("gnutls-serv", "--version") {
        return;
    }
    let certificates = Certificates::make();
    let mut outcomes = Outcomes::new("gnutls");
    for case in matrix().into_iter().chain(matrix_tls12()) {
        let chain = certificates.chain(case.key_type);
        outcomes.run(case, || {
            let server = servers::gnutls(chain, case.suite, case.group, &[])?;
            get(server.address, chain, &case)
        });
    }
    outcomes.finish();
}

/// The matrix against rustls, which also says what it read and whether our
/// close_notify arrived.
#[test]
fn rustls_server() {
    let certificates = Certificates::make();
    let mut outcomes = Outcomes::new("rustls");
    for case in matrix().into_iter().chain(matrix_tls12()) {
        let chain = certificates.chain(case.key_type);
        outcomes.run(case, || {
            let server =
                servers::Rustls::start(chain, case.suite, case.group, RustlsOptions::default());
            let response = get(server.address, chain, &case)?;
            let report = server.report()?;
            if report.request != GET {
                return Err(format!("the server read {:?}", report.request));
            }
            if response != [servers::RUSTLS_HEAD, servers::RUSTLS_BODY].concat() {
                return Err(format!("the client read {response:?}"));
            }
            if !report.client_close_notify {
                return Err("the server saw no close_notify from the client".into());
            }
            Ok(())
        });
    }
    outcomes.finish();
}

/// KeyUpdate from OpenSSL, with every suite (the next secret comes from the suite's
/// hash): one not requested and one requested, each followed by data that must decrypt
/// under the server's next keys; then data from us, which the server must read after
/// the KeyUpdate we answered with (OpenSSL's `-msg` shows it arrive).
#[test]
fn openssl_key_update() {
    if !available("openssl", "version") {
        return;
    }
    let certificates = Certificates::make();
    let chain = certificates.chain(KeyType::P256);
    let mut outcomes = Outcomes::new("openssl update");
    for suite in CipherSuite::TLS13 {
        outcomes.run(format!("{suite:?}"), || openssl_key_updates(chain, suite));
    }
    outcomes.finish();
}

fn openssl_key_updates(chain: &Chain, suite: CipherSuite) -> Result<(), String> {
    let case = Case::new(chain.key_type, suite, Group::X25519);
    let mut server = servers::openssl(chain, suite, case.group, OpenSsl::Interactive, &[])?;
    let mut buffers = Buffers::new();
    let mut connection = connect(server.address, chain, &case, &mut buffers)
        .map_err(|e| format!("handshake: {e}"))?;
    // -msg prints each message: ">>>" sent, "<<<" received.
    let key_updates = |output: &str, direction: &str| {
        output
            .lines()
            .filter(|line| line.starts_with(direction) && line.ends_with("KeyUpdate"))
            .count()
    };
    for (sent, (command, line)) in [("k", "after an update"), ("K", "after a requested update")]
        .into_iter()
        .enumerate()
    {
        // s_server reads a command only when it is all it read: the line waits for the
        // KeyUpdate to be out.
        server.type_line(command);
        if !server.wait_for_output(|output| key_updates(output, ">>>") > sent) {
            return Err(format!(
                "`{command}` sent no KeyUpdate:\n{}",
                server.output()
            ));
        }
        server.type_line(line);
        let want = format!("{line}\n");
        let data = connection
            .read_at_least(want.len())
            .map_err(|e| format!("reading {line:?}: {e}"))?;
        if data != want.as_bytes() {
            return Err(format!(
                "read {:?} for {line:?}",
                String::from_utf8_lossy(&data)
            ));
        }
    }
    let ping = "ping from juspay-tls";
    connection
        .write_all(format!("{ping}\n").as_bytes())
        .map_err(|e| format!("writing: {e}"))?;
    // Our answer to the requested update, then our data under our next keys.
    if !server.wait_for_output(|output| output.contains(ping)) {
        return Err(format!(
            "the server did not read our data; it printed:\n{}",
            server.output()
        ));
    }
    let output = server.output();
    // One KeyUpdate from us, update_not_requested (RFC 8446, 4.6.3): its bytes follow.
    let received: Vec<&str> = output
        .lines()
        .zip(output.lines().skip(1))
        .filter(|(line, _)| line.starts_with("<<<") && line.ends_with("KeyUpdate"))
        .map(|(_, bytes)| bytes.trim())
        .collect();
    if received != ["18 00 00 01 00"] {
        return Err(format!(
            "the server received KeyUpdates {received:?}; it printed:\n{output}"
        ));
    }
    connection
        .close()
        .map_err(|e| format!("sending close_notify: {e}"))
}

/// KeyUpdate from rustls (which always requests one back), with every suite: sent
/// between the response head and the rest; our data after it must reach the server,
/// and the rest must decrypt.
#[test]
fn rustls_key_update() {
    let certificates = Certificates::make();
    let chain = certificates.chain(KeyType::P256);
    let mut outcomes = Outcomes::new("rustls update");
    for suite in CipherSuite::TLS13 {
        outcomes.run(format!("{suite:?}"), || rustls_key_updates(chain, suite));
    }
    outcomes.finish();
}

fn rustls_key_updates(chain: &Chain, suite: CipherSuite) -> Result<(), String> {
    let case = Case::new(chain.key_type, suite, Group::X25519);
    let server = servers::Rustls::start(
        chain,
        suite,
        case.group,
        RustlsOptions {
            key_update: true,
            ..RustlsOptions::default()
        },
    );
    let mut buffers = Buffers::new();
    let mut connection = connect(server.address, chain, &case, &mut buffers)
        .map_err(|e| format!("handshake: {e}"))?;
    connection
        .write_all(GET)
        .map_err(|e| format!("writing the request: {e}"))?;
    let first = [servers::RUSTLS_HEAD, servers::RUSTLS_AFTER_KEY_UPDATE].concat();
    let data = connection
        .read_at_least(first.len())
        .map_err(|e| format!("reading: {e}"))?;
    if data != first {
        return Err(format!("read {:?}", String::from_utf8_lossy(&data)));
    }
    connection
        .write_all(b"ping\n")
        .map_err(|e| format!("writing after the KeyUpdate: {e}"))?;
    let rest = connection
        .read_to_close()
        .map_err(|e| format!("reading the rest: {e}"))?;
    if rest != servers::RUSTLS_BODY {
        return Err(format!("read {:?}", String::from_utf8_lossy(&rest)));
    }
    connection
        .close()
        .map_err(|e| format!("sending close_notify: {e}"))?;
    let report = server.report()?;
    if report.after_key_update != b"ping\n" || !report.client_close_notify {
        return Err(format!("the server saw {report:?}"));
    }
    Ok(())
}

/// Records of other sizes than one message per record: OpenSSL cutting its records at 512
/// bytes (handshake messages, the Certificate above all, span records); GnuTLS honouring
/// the record_size_limit of a client with a small receive buffer (RFC 8449); GnuTLS
/// announcing a small record_size_limit of its own, which a long request must respect.
/// Each in TLS 1.3 and in TLS 1.2 (where the limit counts the plaintext alone and a
/// record carries 24 bytes more: explicit nonce and tag).
#[test]
fn record_sizes() {
    let openssl = available("openssl", "version");
    let gnutls = available("gnutls-serv", "--version");
    let certificates = Certificates::make();
    let mut outcomes = Outcomes::new("record sizes");
    let long_request = format!("GET / HTTP/1.0\r\nx-padding: {}\r\n\r\n", "p".repeat(1500));
    let cases = KeyType::ALL.into_iter().flat_map(|key_type| {
        let tls12 = match key_type {
            KeyType::Rsa2048 | KeyType::Rsa4096 => CipherSuite::EcdheRsaAes128GcmSha256,
            _ => CipherSuite::EcdheEcdsaAes128GcmSha256,
        };
        [CipherSuite::Aes128GcmSha256, tls12].map(|suite| Case::new(key_type, suite, Group::X25519))
    });
    for case in cases {
        let key_type = case.key_type;
        let chain = certificates.chain(key_type);
        let version = match case.suite.version() {
            ProtocolVersion::Tls12 => "TLS 1.2",
            _ => "TLS 1.3",
        };
        // OpenSSL will not serve a P-384 certificate in TLS 1.2 (see the matrix).
        let openssl_serves = !(key_type == KeyType::P384 && version == "TLS 1.2");
        if openssl && openssl_serves {
            outcomes.run(
                format!("{key_type:?} {version} openssl -max_send_frag 512"),
                || {
                    let extra = ["-max_send_frag", "512"];
                    let server =
                        servers::openssl(chain, case.suite, case.group, OpenSsl::Www, &extra)?;
                    get(server.address, chain, &case)
                },
            );
        }
        if !gnutls {
            continue;
        }
        for receive in [1024, 2048, 4096] {
            outcomes.run(
                format!("{key_type:?} {version} gnutls-serv, {receive}-byte buffer"),
                || {
                    let server = servers::gnutls(chain, case.suite, case.group, &[])?;
                    let outcome = call(server.address, chain, &case, receive, GET);
                    // The RSA-4096 Certificate message (about 1.5 KiB) cannot fit in 1 KiB
                    // however small the records: refused as documented.
                    if receive == 1024 && key_type == KeyType::Rsa4096 {
                        return match outcome {
                            Err(e) if e.contains("(ReceiveBufferTooSmall)") => Ok(()),
                            other => Err(format!("expected ReceiveBufferTooSmall: {other:?}")),
                        };
                    }
                    outcome.map(drop)
                },
            );
        }
        outcomes.run(
            format!("{key_type:?} {version} gnutls-serv --recordsize=512, 1.5 KiB request"),
            || {
                let extra = ["--recordsize=512"];
                let server = servers::gnutls(chain, case.suite, case.group, &extra)?;
                call(
                    server.address,
                    chain,
                    &case,
                    RECEIVE_BUFFER,
                    long_request.as_bytes(),
                )
            },
        );
    }
    outcomes.finish();
}

/// A chain of [`certificates::LONG_CHAIN_INTERMEDIATES`] RSA-4096 intermediates (a
/// Certificate message of about 9 KiB): in one record from each server, and from OpenSSL
/// also cut into 512-byte records.
#[test]
fn long_chain() {
    let certificates = Certificates::make();
    let chain = &certificates.long;
    let mut outcomes = Outcomes::new("long chain");
    for suite in [
        CipherSuite::Aes256GcmSha384,
        CipherSuite::EcdheRsaAes256GcmSha384,
    ] {
        let case = Case::new(chain.key_type, suite, Group::Secp256r1);
        outcomes.run(format!("rustls {suite:?}"), || {
            let server =
                servers::Rustls::start(chain, case.suite, case.group, RustlsOptions::default());
            get(server.address, chain, &case)
        });
        if available("openssl", "version") {
            for extra in [&[][..], &["-max_send_frag", "512"][..]] {
                outcomes.run(format!("openssl {suite:?} {}", extra.join(" ")), || {
                    let server =
                        servers::openssl(chain, case.suite, case.group, OpenSsl::Www, extra)?;
                    get(server.address, chain, &case)
                });
            }
        }
        if available("gnutls-serv", "--version") {
            outcomes.run(format!("gnutls-serv {suite:?}"), || {
                let server = servers::gnutls(chain, case.suite, case.group, &[])?;
                get(server.address, chain, &case)
            });
        }
    }
    outcomes.finish();
}

/// A server that asks for a client certificate: we send an empty Certificate (RFC 8446,
/// 4.4.2), which a server that only asks accepts (gnutls-serv asks in every case of its
/// matrix), and one that requires a certificate refuses with certificate_required (116).
#[test]
fn certificate_request() {
    let certificates = Certificates::make();
    let chain = certificates.chain(KeyType::P256);
    let mut outcomes = Outcomes::new("client cert");
    for suite in [
        CipherSuite::Aes128GcmSha256,
        CipherSuite::EcdheEcdsaAes128GcmSha256,
    ] {
        let case = Case::new(chain.key_type, suite, Group::X25519);
        // TLS 1.3 has certificate_required (116). In TLS 1.2 OpenSSL and rustls say
        // handshake_failure, GnuTLS decode_error (to OpenSSL's s_client as well).
        let refused = |outcome: Result<Vec<u8>, String>| match outcome {
            Err(e) if e.contains("AlertReceived(Other(116))") => Ok(()),
            Err(e)
                if suite.version() == ProtocolVersion::Tls12
                    && (e.contains("AlertReceived(HandshakeFailure)")
                        || e.contains("AlertReceived(DecodeError)")) =>
            {
                Ok(())
            }
            other => Err(format!("expected the server's refusal: {other:?}")),
        };
        for (asks, required) in [
            (ClientCertificate::Optional, false),
            (ClientCertificate::Required, true),
        ] {
            outcomes.run(format!("rustls {suite:?}, {asks:?}"), || {
                let server = servers::Rustls::start(
                    chain,
                    case.suite,
                    case.group,
                    RustlsOptions {
                        client_certificate: asks,
                        ..RustlsOptions::default()
                    },
                );
                let outcome = get(server.address, chain, &case);
                if required {
                    refused(outcome)
                } else {
                    outcome.map(drop)
                }
            });
        }
        if available("openssl", "version") {
            outcomes.run(format!("openssl {suite:?} -verify 1"), || {
                let extra = ["-verify", "1"];
                let server = servers::openssl(chain, case.suite, case.group, OpenSsl::Www, &extra)?;
                get(server.address, chain, &case)
            });
            outcomes.run(format!("openssl {suite:?} -Verify 1"), || {
                let extra = ["-Verify", "1"];
                let server = servers::openssl(chain, case.suite, case.group, OpenSsl::Www, &extra)?;
                refused(get(server.address, chain, &case))
            });
        }
        if available("gnutls-serv", "--version") {
            outcomes.run(
                format!("gnutls-serv {suite:?} --require-client-cert"),
                || {
                    let extra = ["--require-client-cert"];
                    let server = servers::gnutls(chain, case.suite, case.group, &extra)?;
                    refused(get(server.address, chain, &case))
                },
            );
        }
    }
    outcomes.finish();
}

/// Large transfers: a 1 MiB response from each server in full-size records (each one
/// fills the receive buffer), and a 64 KiB request (32 records from our 2 KiB send
/// buffer) that rustls must read whole.
#[test]
fn large_transfers() {
    const RESPONSE: usize = 1 << 20;
    let certificates = Certificates::make();
    let chain = certificates.chain(KeyType::P256);
    let case = Case::new(
        chain.key_type,
        CipherSuite::Chacha20Poly1305Sha256,
        Group::X25519,
    );
    let file = certificates.directory().join("large");
    std::fs::write(&file, servers::filler(RESPONSE)).expect("writing the large file");
    let ends_with_file = |response: Vec<u8>| {
        if response.ends_with(&servers::filler(RESPONSE)) {
            Ok(())
        } else {
            Err(format!(
                "a response of {} bytes, not the file",
                response.len()
            ))
        }
    };
    let mut outcomes = Outcomes::new("large");
    outcomes.run("rustls, 1 MiB response", || {
        let options = RustlsOptions {
            filler: RESPONSE,
            ..RustlsOptions::default()
        };
        let server = servers::Rustls::start(chain, case.suite, case.group, options);
        ends_with_file(get(server.address, chain, &case)?)
    });
    outcomes.run("rustls, 64 KiB request", || {
        let request = format!(
            "GET / HTTP/1.0\r\nx-padding: {}\r\n\r\n",
            "p".repeat(64 << 10)
        );
        let server =
            servers::Rustls::start(chain, case.suite, case.group, RustlsOptions::default());
        call(
            server.address,
            chain,
            &case,
            RECEIVE_BUFFER,
            request.as_bytes(),
        )?;
        let report = server.report()?;
        if report.request != request.as_bytes() {
            return Err(format!("the server read {} bytes", report.request.len()));
        }
        Ok(())
    });
    if available("openssl", "version") {
        outcomes.run("openssl -WWW, 1 MiB response", || {
            let mode = OpenSsl::Files(certificates.directory());
            let server = servers::openssl(chain, case.suite, case.group, mode, &[])?;
            let request = b"GET /large HTTP/1.0\r\n\r\n";
            let response = call(server.address, chain, &case, RECEIVE_BUFFER, request)?;
            ends_with_file(response)
        });
    }
    if available("gnutls-serv", "--version") {
        outcomes.run("gnutls-serv --httpdata, 1 MiB response", || {
            let data = format!("--httpdata={}", file.display());
            let server = servers::gnutls(chain, case.suite, case.group, &[&data])?;
            ends_with_file(get(server.address, chain, &case)?)
        });
    }
    outcomes.finish();
}

/// Half-RTT data: rustls sends the response head with its Finished, before our
/// Finished; we read it before sending anything, then make the request as usual.
#[test]
fn rustls_half_rtt_data() {
    let certificates = Certificates::make();
    let chain = certificates.chain(KeyType::P256);
    let mut outcomes = Outcomes::new("half-RTT");
    for suite in CipherSuite::TLS13 {
        outcomes.run(format!("{suite:?}"), || {
            let case = Case::new(chain.key_type, suite, Group::X25519);
            let options = RustlsOptions {
                half_rtt: true,
                ..RustlsOptions::default()
            };
            let server = servers::Rustls::start(chain, case.suite, case.group, options);
            let mut buffers = Buffers::new();
            let mut connection = connect(server.address, chain, &case, &mut buffers)
                .map_err(|e| format!("handshake: {e}"))?;
            let head = connection
                .read_at_least(servers::RUSTLS_HEAD.len())
                .map_err(|e| format!("reading the head: {e}"))?;
            connection
                .write_all(GET)
                .map_err(|e| format!("writing the request: {e}"))?;
            let body = connection
                .read_to_close()
                .map_err(|e| format!("reading the body: {e}"))?;
            if [head, body].concat() != [servers::RUSTLS_HEAD, servers::RUSTLS_BODY].concat() {
                return Err("the response differs".into());
            }
            connection
                .close()
                .map_err(|e| format!("sending close_notify: {e}"))?;
            let report = server.report()?;
            if report.request != GET || !report.client_close_notify {
                return Err(format!("the server saw {report:?}"));
            }
            Ok(())
        });
    }
    outcomes.finish();
}

/// NewSessionTickets from OpenSSL (`-num_tickets`): none, and up to
/// [`MAX_EMPTY_RECORDS`] are read and dropped; more in a row, before any data, are
/// refused as a flood, as documented.
#[test]
fn openssl_tickets() {
    if !available("openssl", "version") {
        return;
    }
    let certificates = Certificates::make();
    let chain = certificates.chain(KeyType::P256);
    let case = Case::new(chain.key_type, CipherSuite::Aes128GcmSha256, Group::X25519);
    let mut outcomes = Outcomes::new("tickets");
    let limit = usize::from(MAX_EMPTY_RECORDS);
    for tickets in [0, 8, limit, limit + 1] {
        outcomes.run(format!("openssl -num_tickets {tickets}"), || {
            let extra = ["-num_tickets", &tickets.to_string()];
            let server = servers::openssl(chain, case.suite, case.group, OpenSsl::Www, &extra)?;
            let outcome = get(server.address, chain, &case);
            if tickets <= limit {
                return outcome.map(drop);
            }
            match outcome {
                Err(e) if e.contains("Peer(TooManyEmptyRecords)") => Ok(()),
                other => Err(format!("expected TooManyEmptyRecords: {other:?}")),
            }
        });
    }
    outcomes.finish();
}

/// TLS 1.2 renegotiation asked for by OpenSSL (`r`: a HelloRequest), with each TLS 1.2
/// suite: we answer with a no_renegotiation warning and nothing else (RFC 5246, 7.4.1.1
/// and 7.2.2). OpenSSL's s_server, which wanted the renegotiation, then ends the
/// connection with a fatal handshake_failure, as 7.2.2 allows.
#[test]
fn openssl_hello_request() {
    if !available("openssl", "version") {
        return;
    }
    let certificates = Certificates::make();
    let mut outcomes = Outcomes::new("hello request");
    for suite in CipherSuite::TLS12 {
        let key_type = if format!("{suite:?}").starts_with("EcdheEcdsa") {
            KeyType::P256
        } else {
            KeyType::Rsa2048
        };
        let chain = certificates.chain(key_type);
        outcomes.run(format!("{suite:?}"), || {
            openssl_hello_requests(chain, suite)
        });
    }
    outcomes.finish();
}

fn openssl_hello_requests(chain: &Chain, suite: CipherSuite) -> Result<(), String> {
    const HELLO_REQUEST: &str = ">>> TLS 1.2, Handshake [length 0004], HelloRequest";
    let case = Case::new(chain.key_type, suite, Group::X25519);
    let mut server = servers::openssl(chain, suite, case.group, OpenSsl::Interactive, &[])?;
    let mut buffers = Buffers::new();
    let mut connection = connect(server.address, chain, &case, &mut buffers)
        .map_err(|e| format!("handshake: {e}"))?;
    let line = "before the HelloRequest";
    server.type_line(line);
    let data = connection
        .read_at_least(line.len() + 1)
        .map_err(|e| format!("reading {line:?}: {e}"))?;
    if data != format!("{line}\n").as_bytes() {
        return Err(format!("read {:?}", String::from_utf8_lossy(&data)));
    }
    server.type_line("r");
    if !server.wait_for_output(|output| output.contains(HELLO_REQUEST)) {
        return Err(format!("`r` sent no HelloRequest:\n{}", server.output()));
    }
    // Reading takes the HelloRequest and sends our warning; the server's fatal answer
    // ends the connection.
    match connection.read_at_least(1) {
        Err(e) if format!("{e}").contains("AlertReceived(HandshakeFailure)") => {}
        other => return Err(format!("expected OpenSSL's handshake_failure: {other:?}")),
    }
    // s_server may print what it received after our connection has seen its alert.
    server.wait_for_output(|output| {
        output
            .split(HELLO_REQUEST)
            .nth(1)
            .is_some_and(|after| after.contains("<<< TLS 1.2, Alert"))
    });
    let output = server.output();
    let after = output.split(HELLO_REQUEST).nth(1).unwrap_or_default();
    let received: Vec<&str> = after
        .lines()
        .filter(|line| line.starts_with("<<<") && !line.contains("RecordHeader"))
        .collect();
    if received != ["<<< TLS 1.2, Alert [length 0002], warning no_renegotiation"] {
        return Err(format!("the server received {received:?}:\n{output}"));
    }
    Ok(())
}

/// Handshakes real servers end in refusal, each with its error, and (where the server
/// says what it got) our alert: a suite or group we do not speak (the server's
/// handshake_failure), TLS 1.2 only when we require TLS 1.3 (refused before anything but
/// the alert is sent), a chain from a root we do not trust, a certificate for another name.
#[test]
fn refusals() {
    let certificates = Certificates::make();
    let chain = certificates.chain(KeyType::P256);
    let stranger = certificates.chain(KeyType::P384);
    let case = Case::new(chain.key_type, CipherSuite::Aes128GcmSha256, Group::X25519);
    let expect = |outcome: Result<Connection<'_>, Failure>, error: &str| match outcome {
        Err(e) if format!("{e}").contains(error) => Ok(()),
        Err(e) => Err(format!("expected {error}, got {e}")),
        Ok(_) => Err(format!("expected {error}, the handshake completed")),
    };
    let mut outcomes = Outcomes::new("refusals");
    if available("gnutls-serv", "--version") {
        // GnuTLS without RFC 7627 (`%NO_SESSION_HASH`): refused, as the crate docs say.
        for suite in [
            CipherSuite::EcdheEcdsaAes128GcmSha256,
            CipherSuite::EcdheEcdsaChacha20Poly1305Sha256,
        ] {
            outcomes.run(
                format!("gnutls-serv, TLS 1.2 {suite:?} without EMS"),
                || {
                    let server =
                        servers::gnutls_with(chain, suite, case.group, ":%NO_SESSION_HASH", &[])?;
                    let mut buffers = Buffers::new();
                    let tls12 = Case::new(chain.key_type, suite, case.group);
                    expect(
                        connect(server.address, chain, &tls12, &mut buffers),
                        "Peer(NoExtendedMasterSecret)",
                    )
                },
            );
        }
    }
    if available("openssl", "version") {
        for (what, extra, error) in [
            (
                "only TLS_AES_128_CCM_SHA256",
                &["-ciphersuites", "TLS_AES_128_CCM_SHA256"][..],
                "AlertReceived(HandshakeFailure)",
            ),
            (
                "only P-384",
                &["-groups", "P-384"][..],
                "AlertReceived(HandshakeFailure)",
            ),
        ] {
            outcomes.run(format!("openssl, {what}"), || {
                let server = servers::openssl(chain, case.suite, case.group, OpenSsl::Www, extra)?;
                let mut buffers = Buffers::new();
                expect(connect(server.address, chain, &case, &mut buffers), error)
            });
        }
        for suite in CipherSuite::TLS12
            .into_iter()
            .filter(|s| format!("{s:?}").starts_with("EcdheEcdsa"))
        {
            outcomes.run(
                format!("openssl, TLS 1.2 only ({suite:?}), TLS 1.3 required"),
                || {
                    let server =
                        servers::openssl(chain, suite, case.group, OpenSsl::Interactive, &[])?;
                    let required = Case {
                        tls13_only: true,
                        ..case
                    };
                    let mut buffers = Buffers::new();
                    // Our ClientHello offers only TLS 1.3, which the server refuses itself.
                    expect(
                        connect(server.address, chain, &required, &mut buffers),
                        "AlertReceived(ProtocolVersion)",
                    )?;
                    // -msg shows what arrived: the ClientHello alone.
                    if !server.wait_for_output(|o| o.contains(">>> ") && o.contains("Alert")) {
                        return Err(format!("the server sent no alert:\n{}", server.output()));
                    }
                    let output = server.output();
                    let received: Vec<&str> = output
                        .lines()
                        .filter(|line| line.starts_with("<<<") && !line.contains("RecordHeader"))
                        .collect();
                    if received.len() != 1 || !received[0].contains("ClientHello") {
                        return Err(format!("the server received {received:?}"));
                    }
                    Ok(())
                },
            );
        }
    }
    for (what, trusted, name, error, alert) in [
        (
            "another root",
            stranger,
            "localhost",
            "Invalid(UnknownIssuer)",
            "UnknownCA",
        ),
        (
            "another name",
            chain,
            "elsewhere.localhost",
            "Invalid(CertNotValidForName",
            "BadCertificate",
        ),
    ] {
        outcomes.run(format!("rustls, {what}"), || {
            let server =
                servers::Rustls::start(chain, case.suite, case.group, RustlsOptions::default());
            let mut buffers = Buffers::new();
            let connection = connect_as(server.address, trusted, name, &case, &mut buffers);
            expect(connection, error)?;
            match server.report() {
                Err(e) if e.contains(alert) => Ok(()),
                other => Err(format!("the server did not get {alert}: {other:?}")),
            }
        });
    }
    outcomes.finish();
}
