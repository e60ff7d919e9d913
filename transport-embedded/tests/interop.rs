//! Both clients against three independent TLS 1.3 servers, each limited to one suite and
//! one group: OpenSSL, GnuTLS and rustls, every suite × group × key type (P-256, P-384,
//! RSA-2048), and a HelloRetryRequest each way (our first share X25519 to a P-256
//! server, and P-256 to an X25519 one) with every suite; then the same servers limited to
//! TLS 1.2 and one TLS 1.2 suite: each suite the key type signs for × group × key type
//! (P-256, P-384, RSA-2048, RSA-4096; not P-384 with OpenSSL, which refuses a P-384
//! certificate to a client that does not list P-384, see juspay-tls's docs), with our
//! first share in the server's group and in the other. Each case through the blocking
//! `Client` and the `AsyncClient`. The matrix and the server processes are juspay-tls's
//! own interop test's (tls/tests/interop).
//!
//! What each server answers:
//! - `openssl s_server -HTTP` answers `GET /customers/ID` with the file `customers/ID` of
//!   its working directory, a whole HTTP response (core/tests/vectors/customer_200.http),
//!   then closes (close_notify, then the socket) although the response says
//!   `Connection: keep-alive`: the call still ends at the response's Content-Length, and a
//!   second call on the same connection fails instead of waiting.
//! - rustls (a thread here) sends the same response, then close_notify; it reports the
//!   request it decrypted.
//! - `gnutls-serv --http` answers any request with an HTML page about the session (HTTP/1.0,
//!   body to the close): the call ends in a JSON error, which shows that the request and
//!   the response crossed the TLS connection intact as far as HTTP goes.
//!
//! Without `openssl` or `gnutls-serv` the test says so and skips that server, unless `CI`
//! is set (`.ci/run` installs both): there it fails. `--nocapture` shows a line per case.

#[path = "../../tls/tests/interop/certificates.rs"]
#[allow(dead_code)] // RSA-4096, Ed25519 and the long chain serve juspay-tls's own test
mod certificates;
mod common;
#[path = "../../tls/tests/interop/driver.rs"]
#[allow(dead_code)] // only its deadline, for the servers' module
mod driver;
#[path = "../../tls/tests/interop/servers.rs"]
#[allow(dead_code)] // KeyUpdate, fillers and client certificates serve juspay-tls's own test
mod servers;

use std::fmt;
use std::time::Instant;

use juspay_core::GetCustomer;
use juspay_transport_embedded::host::wall_clock;
use juspay_transport_embedded::juspay_tls::{CipherSuite, ProtocolVersion};
use juspay_transport_embedded::{Error, Group};

use certificates::{Certificates, KeyType};
use common::{Host, Mode, Target};
use servers::{OpenSsl, RustlsOptions};

const CUSTOMER_ID: &str = "cst_om2l6ctlptxwxuzj";

/// The server of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Server {
    OpenSsl,
    GnuTls,
    Rustls,
}

/// One call.
#[derive(Debug, Clone, Copy)]
struct Case {
    server: Server,
    mode: Mode,
    key_type: KeyType,
    /// The only suite the server accepts.
    suite: CipherSuite,
    /// The only group the server accepts.
    group: Group,
    /// The client's first key share: another group than the server's makes it ask for a
    /// retry.
    first_share: Group,
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let retry = if self.first_share == self.group {
            String::new()
        } else if self.suite.version() == ProtocolVersion::Tls13 {
            format!(" (first share {:?}: HelloRetryRequest)", self.first_share)
        } else {
            format!(" (first share {:?})", self.first_share)
        };
        write!(
            f,
            "{:<7} {:<8} {:<7} {:<22} {:<9}{retry}",
            format!("{:?}", self.server),
            format!("{:?}", self.mode),
            format!("{:?}", self.key_type),
            format!("{:?}", self.suite),
            format!("{:?}", self.group),
        )
    }
}

/// Every suite × group × key type, then a HelloRetryRequest each way with every suite;
/// all of it with each client, against `server`.
fn matrix(server: Server) -> Vec<Case> {
    let mut cases = Vec::new();
    for mode in [Mode::Blocking, Mode::Async] {
        for key_type in [KeyType::P256, KeyType::P384, KeyType::Rsa2048] {
            for suite in CipherSuite::TLS13 {
                for group in Group::ALL {
                    cases.push(Case {
                        server,
                        mode,
                        key_type,
                        suite,
                        group,
                        first_share: group,
                    });
                }
            }
        }
        for suite in CipherSuite::TLS13 {
            for (first_share, group) in [
                (Group::X25519, Group::Secp256r1),
                (Group::Secp256r1, Group::X25519),
            ] {
                cases.push(Case {
                    server,
                    mode,
                    key_type: KeyType::P256,
                    suite,
                    group,
                    first_share,
                });
            }
        }
        for key_type in [
            KeyType::P256,
            KeyType::P384,
            KeyType::Rsa2048,
            KeyType::Rsa4096,
        ] {
            if key_type == KeyType::P384 && server == Server::OpenSsl {
                continue;
            }
            let ecdsa = matches!(key_type, KeyType::P256 | KeyType::P384);
            for suite in CipherSuite::TLS12 {
                if format!("{suite:?}").starts_with("EcdheEcdsa") != ecdsa {
                    continue;
                }
                for group in Group::ALL {
                    for first_share in Group::ALL {
                        cases.push(Case {
                            server,
                            mode,
                            key_type,
                            suite,
                            group,
                            first_share,
                        });
                    }
                }
            }
        }
    }
    cases
}

/// A server for `case`, running until the value is dropped, and what it printed (or
/// reported) for a failure's message.
enum Running {
    Process(servers::Process),
    Rustls(servers::Rustls),
}

impl Running {
    fn address(&self) -> std::net::SocketAddr {
        match self {
            Running::Process(process) => process.address,
            Running::Rustls(rustls) => rustls.address,
        }
    }

    fn output(&self) -> String {
        match self {
            Running::Process(process) => process.output(),
            Running::Rustls(_) => "(rustls: see its report)".to_owned(),
        }
    }
}

fn start(certificates: &Certificates, case: &Case) -> Result<Running, String> {
    let chain = certificates.chain(case.key_type);
    Ok(match case.server {
        Server::OpenSsl => Running::Process(servers::openssl(
            chain,
            case.suite,
            case.group,
            // `-HTTP` after `-WWW` wins (s_server keeps the last of `-www`, `-WWW`,
            // `-HTTP`): the file is sent as it is, head included.
            OpenSsl::Files(certificates.directory()),
            &["-HTTP"],
        )?),
        Server::GnuTls => Running::Process(servers::gnutls(chain, case.suite, case.group, &[])?),
        Server::Rustls => Running::Rustls(servers::Rustls::start(
            chain,
            case.suite,
            case.group,
            RustlsOptions {
                response: Some(customer_response()),
                ..RustlsOptions::default()
            },
        )),
    })
}

/// The recorded documentation customer's response, for the servers that send it.
fn customer_response() -> &'static [u8] {
    static RESPONSE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    RESPONSE.get_or_init(|| juspay_sandbox::vector("customer_200.http"))
}

/// The call, then a second one on the same connection. OpenSSL and rustls send the
/// customer and close although the response allowed reuse (`keep-alive`): the second call
/// must find the connection closed and say so. GnuTLS's page is not JSON.
fn call(host: &mut Host, certificates: &Certificates, case: &Case) -> Result<(), String> {
    let chain = certificates.chain(case.key_type);
    let server = start(certificates, case)?;
    // With an IP address as the name (no SNI) for the retry cases, `localhost` otherwise,
    // as juspay-tls's own cases.
    let host_name = if case.first_share == case.group {
        "localhost"
    } else {
        "127.0.0.1"
    };
    let target = Target {
        url: format!("https://{host_name}:{}", server.address().port()),
        roots: vec![chain.root.clone()],
        time: wall_clock(),
        timeout_ms: 5_000,
        address: Some(server.address()),
    };
    let get = GetCustomer::new(CUSTOMER_ID);
    let requests: &[GetCustomer<'_>] = if case.server == Server::GnuTls {
        &[get]
    } else {
        &[get, get]
    };
    let mut replies = host
        .calls_first_share(case.mode, &target, Some(case.first_share), requests)
        .map_err(|e| format!("connect: {e:?}; the server printed:\n{}", server.output()))?
        .into_iter();
    if case.server == Server::GnuTls {
        return match replies.next() {
            Some(Err(Error::Core(juspay_core::Error::Protocol(_)))) => Ok(()),
            other => Err(format!(
                "the call brought {other:?} instead of a JSON error; gnutls-serv printed:\n{}",
                server.output()
            )),
        };
    }
    let customer = match replies.next() {
        Some(Ok(reply)) => reply
            .customer
            .map_err(|e| format!("the API error {e:?} instead of the customer"))?,
        other => {
            return Err(format!(
                "the call brought {other:?}; the server printed:\n{}",
                server.output()
            ));
        }
    };
    let names = (
        customer.first_name.as_deref(),
        customer.last_name.as_deref(),
    );
    if customer.id != CUSTOMER_ID || names != (Some("John"), Some("Smith")) {
        return Err(format!("decoded {customer:?}"));
    }
    match replies.next() {
        Some(Err(Error::Core(juspay_core::Error::ConnectionClosed))) => {}
        other => {
            return Err(format!(
                "the second call on the closed connection brought {other:?}"
            ));
        }
    }
    if let Running::Rustls(rustls) = &server {
        let report = rustls.report()?;
        let expected = format!("GET /customers/{CUSTOMER_ID}");
        if !report.request.starts_with(expected.as_bytes()) {
            return Err(format!(
                "rustls decrypted {:?}",
                String::from_utf8_lossy(&report.request)
            ));
        }
    }
    Ok(())
}

/// Whether `server` can run here: a missing program skips it, but not under CI.
fn available(server: Server) -> bool {
    let (program, version) = match server {
        Server::OpenSsl => ("openssl", "version"),
        Server::GnuTls => ("gnutls-serv", "--version"),
        Server::Rustls => return true,
    };
    if servers::installed(program, version) {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{program} is not installed, and CI is set: interop against it must run"
    );
    println!("{program} is not installed: SKIPPING the embedded clients' cases against it");
    false
}

/// Every case against `server`.
fn run(server: Server) {
    if !available(server) {
        return;
    }
    let started = Instant::now();
    let certificates = Certificates::make();
    let customers = certificates.directory().join("customers");
    std::fs::create_dir(&customers).expect("the customers directory");
    std::fs::write(customers.join(CUSTOMER_ID), customer_response())
        .expect("writing the response file");
    let mut host = Host::new();
    let cases = matrix(server);
    let mut failures = Vec::new();
    for case in &cases {
        let case_started = Instant::now();
        let outcome = call(&mut host, &certificates, case);
        let shown = match &outcome {
            Ok(()) => "ok".to_owned(),
            Err(e) => format!("FAILED: {e}"),
        };
        println!("{case} {shown} ({} ms)", case_started.elapsed().as_millis());
        if let Err(e) = outcome {
            failures.push(format!("{case}: {e}"));
        }
    }
    println!(
        "{server:?}: {} of {} cases passed in {:.1} s",
        cases.len() - failures.len(),
        cases.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn openssl_s_server() {
    run(Server::OpenSsl);
}

#[test]
fn gnutls_serv() {
    run(Server::GnuTls);
}

#[test]
fn rustls_server() {
    run(Server::Rustls);
}
