//! Both clients against OpenSSL: a Get Customer call to `openssl s_server -HTTP` on
//! 127.0.0.1, which answers `GET /customers/ID` with the file `customers/ID` of its
//! working directory, a whole HTTP response (core/tests/vectors/customer_200.http).
//!
//! The matrix of juspay-tls's own interop test (tls/tests/interop, whose certificates and
//! server processes these cases share): each server limited to one TLS 1.3 suite and one
//! group, every suite × group × key type (P-256, P-384, RSA-2048), and a
//! HelloRetryRequest each way (our first share X25519 to a P-256 server, and P-256 to an
//! X25519 one) with every suite; then servers limited to TLS 1.2 (`-tls1_2`) and one
//! TLS 1.2 suite, each suite the key type signs for × group × key type (P-256, RSA-2048,
//! RSA-4096; OpenSSL refuses a P-384 certificate to a client that does not list P-384,
//! see juspay-tls's docs), and our first share in the other group; each case through the
//! blocking `Client` and the `AsyncClient`.
//!
//! s_server reads the request line only and, once the file is sent, closes the connection
//! (close_notify, then the socket) although the response says `Connection: keep-alive`:
//! the call still ends at the response's Content-Length, and a second call on the same
//! connection fails instead of waiting.
//!
//! Without `openssl` the test says so and passes, unless `CI` is set (`.ci/run` installs
//! it): there it fails. `--nocapture` shows a line per case.

#[path = "../../tls/tests/interop/certificates.rs"]
#[allow(dead_code)] // RSA-4096, Ed25519 and the long chain serve juspay-tls's own test
mod certificates;
mod common;
#[path = "../../tls/tests/interop/driver.rs"]
#[allow(dead_code)] // only its deadline, for the servers' module
mod driver;
#[path = "../../tls/tests/interop/servers.rs"]
#[allow(dead_code)] // gnutls-serv and rustls serve juspay-tls's own test
mod servers;

use std::fmt;
use std::time::Instant;

use juspay_core::GetCustomer;
use juspay_transport_embedded::host::wall_clock;
use juspay_transport_embedded::juspay_tls::{CipherSuite, ProtocolVersion};
use juspay_transport_embedded::{Error, Group};

use certificates::{Certificates, KeyType};
use common::{Host, Mode, Target};
use servers::OpenSsl;

const CUSTOMER_ID: &str = "cst_om2l6ctlptxwxuzj";

/// One call.
#[derive(Debug, Clone, Copy)]
struct Case {
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
        } else if retried(self) {
            format!(" (first share {:?}: HelloRetryRequest)", self.first_share)
        } else {
            format!(" (first share {:?})", self.first_share)
        };
        write!(
            f,
            "{:<8} {:<7} {:<22} {:<9}{retry}",
            format!("{:?}", self.mode),
            format!("{:?}", self.key_type),
            format!("{:?}", self.suite),
            format!("{:?}", self.group),
        )
    }
}

/// Every suite × group × key type, then a HelloRetryRequest each way with every suite;
/// all of it with each client.
fn matrix() -> Vec<Case> {
    let mut cases = Vec::new();
    for mode in [Mode::Blocking, Mode::Async] {
        for key_type in [KeyType::P256, KeyType::P384, KeyType::Rsa2048] {
            for suite in CipherSuite::TLS13 {
                for group in Group::ALL {
                    cases.push(Case {
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
                    mode,
                    key_type: KeyType::P256,
                    suite,
                    group,
                    first_share,
                });
            }
        }
        for key_type in [KeyType::P256, KeyType::Rsa2048, KeyType::Rsa4096] {
            let ecdsa = key_type == KeyType::P256;
            for suite in CipherSuite::TLS12 {
                if format!("{suite:?}").starts_with("EcdheEcdsa") != ecdsa {
                    continue;
                }
                for group in Group::ALL {
                    for first_share in Group::ALL {
                        cases.push(Case {
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

/// TLS 1.2 has no HelloRetryRequest: another first share only costs a key pair.
fn retried(case: &Case) -> bool {
    case.first_share != case.group && case.suite.version() == ProtocolVersion::Tls13
}

/// The call, then a second one on the same connection: the response allowed reuse
/// (`keep-alive`), but s_server has closed the connection, which the second call must
/// find and report as closed.
fn call(host: &mut Host, certificates: &Certificates, case: &Case) -> Result<(), String> {
    let chain = certificates.chain(case.key_type);
    let server = servers::openssl(
        chain,
        case.suite,
        case.group,
        // `-HTTP` after `-WWW` wins (s_server keeps the last of `-www`, `-WWW`, `-HTTP`):
        // the file is sent as it is, head included.
        OpenSsl::Files(certificates.directory()),
        &["-HTTP"],
    )?;
    // With an IP address as the name (no SNI) for the retry cases, `localhost` otherwise,
    // as juspay-tls's own cases.
    let host_name = if case.first_share == case.group {
        "localhost"
    } else {
        "127.0.0.1"
    };
    let target = Target {
        url: format!("https://{host_name}:{}", server.address.port()),
        roots: vec![chain.root.clone()],
        time: wall_clock(),
        timeout_ms: 5_000,
        address: Some(server.address),
    };
    let get = GetCustomer::new(CUSTOMER_ID);
    let mut replies = host
        .calls_first_share(case.mode, &target, Some(case.first_share), &[get, get])
        .map_err(|e| format!("connect: {e:?}; s_server printed:\n{}", server.output()))?
        .into_iter();
    let customer = match replies.next() {
        Some(Ok(reply)) => reply
            .result
            .map_err(|e| format!("the API error {e:?} instead of the customer"))?,
        other => {
            return Err(format!(
                "the call brought {other:?}; s_server printed:\n{}",
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
        Some(Err(Error::Core(juspay_core::Error::ConnectionClosed))) => Ok(()),
        other => Err(format!(
            "the second call on the closed connection brought {other:?}"
        )),
    }
}

#[test]
fn openssl_s_server_http() {
    if !servers::installed("openssl", "version") {
        assert!(
            std::env::var_os("CI").is_none(),
            "openssl is not installed, and CI is set: interop against it must run"
        );
        println!("openssl is not installed: SKIPPING the embedded clients' interop cases");
        return;
    }
    let started = Instant::now();
    let certificates = Certificates::make();
    let customers = certificates.directory().join("customers");
    std::fs::create_dir(&customers).expect("the customers directory");
    std::fs::write(
        customers.join(CUSTOMER_ID),
        juspay_sandbox::vector("customer_200.http"),
    )
    .expect("writing the response file");
    let mut host = Host::new();
    let cases = matrix();
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
        "{} of {} cases passed in {:.1} s",
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
