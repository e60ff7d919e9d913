//! The three servers, each limited to one cipher suite and one group: `openssl s_server`
//! and `gnutls-serv` as child processes (killed when dropped, also when a case panics),
//! and a rustls server on a thread of the test.
//!
//! transport-embedded/tests/interop.rs includes this module, certificates.rs and
//! driver.rs by path: both embedded clients run against the same three servers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use juspay_tls::{CipherSuite, Group, ProtocolVersion};
use rustls::crypto::ring as provider;
use rustls::{ServerConfig, ServerConnection, StreamOwned};

use crate::certificates::Chain;

/// How long a server may take to start listening.
const START: Duration = Duration::from_secs(10);

/// Whether `program` runs here (`--version` or `version` succeeds).
pub fn installed(program: &str, version_argument: &str) -> bool {
    Command::new(program)
        .arg(version_argument)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// A server process, killed when dropped.
pub struct Process {
    child: Child,
    pub address: SocketAddr,
    /// Everything it has printed so far.
    output: Arc<Mutex<String>>,
    stdin: Option<ChildStdin>,
}

impl Process {
    /// What the server printed so far (stdout and stderr).
    pub fn output(&self) -> String {
        self.output.lock().expect("output lock").clone()
    }

    /// Types `line` on the server's stdin (openssl's interactive mode).
    pub fn type_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("started with a stdin");
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stdin.flush())
            .expect("writing to the server's stdin");
    }

    /// Waits until what the server printed (stdout and stderr) passes `test`.
    pub fn wait_for_output(&self, test: impl Fn(&str) -> bool) -> bool {
        let deadline = Instant::now() + START;
        while Instant::now() < deadline {
            if test(&self.output()) {
                return true;
            }
            thread::sleep(Duration::from_millis(10));
        }
        false
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `command` with stdout and stderr collected by threads (so that the server never
/// blocks on a full pipe) and stdin piped or closed; its address is set once it listens.
fn spawn(mut command: Command, stdin: bool) -> Result<Process, String> {
    let mut child = command
        .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting {command:?}: {e}"))?;
    let output = Arc::new(Mutex::new(String::new()));
    let stdout = child
        .stdout
        .take()
        .map(|out| Box::new(out) as Box<dyn Read + Send>);
    let stderr = child
        .stderr
        .take()
        .map(|err| Box::new(err) as Box<dyn Read + Send>);
    for stream in [stdout, stderr].into_iter().flatten() {
        let collected = output.clone();
        thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                let mut output = collected.lock().expect("output lock");
                output.push_str(&line);
                output.push('\n');
            }
        });
    }
    let stdin = child.stdin.take();
    Ok(Process {
        child,
        address: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        output,
        stdin,
    })
}

/// What `openssl s_server` does with a connection.
#[derive(Debug, Clone, Copy)]
pub enum OpenSsl<'a> {
    /// Answers `GET /` with a status page (`-www`).
    Www,
    /// Answers `GET /NAME` with the file NAME of this directory (`-WWW`).
    Files(&'a Path),
    /// Sends the lines typed on its stdin; `k`/`K` send a KeyUpdate (`K` requesting one
    /// back). Prints what arrives, and every TLS message (`-msg`).
    Interactive,
}

/// `openssl s_server` on 127.0.0.1, on a port it picks and prints, doing `mode`, with
/// `extra` on the command line.
pub fn openssl(
    chain: &Chain,
    suite: CipherSuite,
    group: Group,
    mode: OpenSsl<'_>,
    extra: &[&str],
) -> Result<Process, String> {
    let mut command = Command::new("openssl");
    command
        .args(["s_server", "-accept", "127.0.0.1:0", "-cert"])
        .arg(&chain.chain_pem)
        .arg("-cert_chain")
        .arg(&chain.chain_pem)
        .arg("-key")
        .arg(&chain.key_pem);
    // A TLS 1.3 suite leaves the server's TLS 1.2 on (a case may add `-tls1_2`); a TLS
    // 1.2 suite limits the server to TLS 1.2 and that suite.
    match suite.version() {
        ProtocolVersion::Tls13 => command.args(["-ciphersuites", openssl_suite(suite)]),
        _ => command.args(["-tls1_2", "-cipher", openssl_suite(suite)]),
    };
    command.arg("-groups").arg(match group {
        Group::X25519 => "X25519",
        _ => "P-256",
    });
    match mode {
        OpenSsl::Www => {
            command.arg("-www");
        }
        OpenSsl::Files(directory) => {
            command.arg("-WWW").current_dir(directory);
        }
        OpenSsl::Interactive => {
            command.args(["-msg", "-ign_eof"]);
        }
    }
    command.args(extra);
    let mut process = spawn(command, matches!(mode, OpenSsl::Interactive))?;
    // "ACCEPT 127.0.0.1:PORT" once it listens.
    let deadline = Instant::now() + START;
    while Instant::now() < deadline {
        let output = process.output();
        if let Some(address) = output
            .lines()
            .find_map(|line| line.strip_prefix("ACCEPT "))
            .and_then(|address| address.trim().parse().ok())
        {
            process.address = address;
            return Ok(process);
        }
        if let Ok(Some(status)) = process.child.try_wait() {
            thread::sleep(Duration::from_millis(50));
            return Err(format!(
                "openssl s_server exited ({status}): {}",
                process.output()
            ));
        }
        thread::sleep(Duration::from_millis(10));
    }
    Err(format!(
        "openssl s_server did not start listening within {START:?}"
    ))
}

fn openssl_suite(suite: CipherSuite) -> &'static str {
    match suite {
        CipherSuite::Aes128GcmSha256 => "TLS_AES_128_GCM_SHA256",
        CipherSuite::Aes256GcmSha384 => "TLS_AES_256_GCM_SHA384",
        CipherSuite::Chacha20Poly1305Sha256 => "TLS_CHACHA20_POLY1305_SHA256",
        CipherSuite::EcdheEcdsaAes128GcmSha256 => "ECDHE-ECDSA-AES128-GCM-SHA256",
        CipherSuite::EcdheRsaAes128GcmSha256 => "ECDHE-RSA-AES128-GCM-SHA256",
        CipherSuite::EcdheEcdsaAes256GcmSha384 => "ECDHE-ECDSA-AES256-GCM-SHA384",
        CipherSuite::EcdheRsaAes256GcmSha384 => "ECDHE-RSA-AES256-GCM-SHA384",
        CipherSuite::EcdheEcdsaChacha20Poly1305Sha256 => "ECDHE-ECDSA-CHACHA20-POLY1305",
        _ => "ECDHE-RSA-CHACHA20-POLY1305",
    }
}

/// `gnutls-serv --http` with only `suite`'s version (TLS 1.3 or 1.2), `suite` and `group`,
/// and `extra` on the command line. It asks for a client certificate (its default) and goes on without one.
///
/// gnutls-serv has no option for the address it listens on: it takes the port on every
/// interface, for as long as one case lasts. It cannot be asked to pick a free port and
/// say which either, so the test picks one that is free now and starts again on another
/// if it was taken in between.
pub fn gnutls(
    chain: &Chain,
    suite: CipherSuite,
    group: Group,
    extra: &[&str],
) -> Result<Process, String> {
    gnutls_with(chain, suite, group, "", extra)
}

/// [`gnutls`] with `priority` appended to its priority string (`:%NO_SESSION_HASH`, say).
pub fn gnutls_with(
    chain: &Chain,
    suite: CipherSuite,
    group: Group,
    priority: &str,
    extra: &[&str],
) -> Result<Process, String> {
    let more = priority;
    let cipher = match suite {
        CipherSuite::Aes128GcmSha256
        | CipherSuite::EcdheEcdsaAes128GcmSha256
        | CipherSuite::EcdheRsaAes128GcmSha256 => "AES-128-GCM",
        CipherSuite::Aes256GcmSha384
        | CipherSuite::EcdheEcdsaAes256GcmSha384
        | CipherSuite::EcdheRsaAes256GcmSha384 => "AES-256-GCM",
        _ => "CHACHA20-POLY1305",
    };
    let version = match suite {
        CipherSuite::EcdheEcdsaAes128GcmSha256
        | CipherSuite::EcdheEcdsaAes256GcmSha384
        | CipherSuite::EcdheEcdsaChacha20Poly1305Sha256 => "+VERS-TLS1.2:-KX-ALL:+ECDHE-ECDSA",
        CipherSuite::EcdheRsaAes128GcmSha256
        | CipherSuite::EcdheRsaAes256GcmSha384
        | CipherSuite::EcdheRsaChacha20Poly1305Sha256 => "+VERS-TLS1.2:-KX-ALL:+ECDHE-RSA",
        _ => "+VERS-TLS1.3",
    };
    let group = match group {
        Group::X25519 => "GROUP-X25519",
        _ => "GROUP-SECP256R1",
    };
    let priority =
        format!("NORMAL:-VERS-ALL:{version}:-CIPHER-ALL:+{cipher}:-GROUP-ALL:+{group}{more}");
    let mut last_output = String::new();
    for _attempt in 0..5 {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let mut command = Command::new("gnutls-serv");
        command
            .args(["--http", "--port"])
            .arg(port.to_string())
            .arg(format!("--priority={priority}"))
            .arg("--x509certfile")
            .arg(&chain.chain_pem)
            .arg("--x509keyfile")
            .arg(&chain.key_pem)
            .args(extra);
        let mut process = spawn(command, false)?;
        process.address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        // Listening once a connection is accepted (gnutls-serv shrugs off the probe).
        let deadline = Instant::now() + START;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = process.child.try_wait() {
                break;
            }
            if TcpStream::connect(process.address).is_ok() {
                // It may be another program's port: ours must still be running.
                thread::sleep(Duration::from_millis(20));
                if let Ok(None) = process.child.try_wait() {
                    return Ok(process);
                }
                break;
            }
            thread::sleep(Duration::from_millis(10));
        }
        thread::sleep(Duration::from_millis(50));
        last_output = process.output();
    }
    Err(format!(
        "gnutls-serv did not start listening ({priority}): {last_output}"
    ))
}

/// What the rustls server saw of one connection.
#[derive(Debug)]
pub struct RustlsReport {
    /// The request, as decrypted.
    pub request: Vec<u8>,
    /// What the client sent after the server's KeyUpdate (empty without one).
    pub after_key_update: Vec<u8>,
    /// Whether the connection ended with the client's close_notify.
    pub client_close_notify: bool,
}

/// Whether a server asks for a client certificate (ours sends none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientCertificate {
    #[default]
    NotAsked,
    /// Asked for; the handshake goes on without one.
    Optional,
    /// Asked for and required: the server refuses the handshake without one.
    Required,
}

/// What the rustls server does besides answering.
#[derive(Debug, Clone, Copy, Default)]
pub struct RustlsOptions {
    /// After the response head: a KeyUpdate that requests one back, a line under the new
    /// keys ([`RUSTLS_AFTER_KEY_UPDATE`]), then wait for a line from the client.
    pub key_update: bool,
    pub client_certificate: ClientCertificate,
    /// Bytes of [`filler`] after [`RUSTLS_BODY`].
    pub filler: usize,
    /// Send the response head right after the server's Finished, before the client's
    /// Finished and request (half-RTT data, RFC 8446, 2).
    pub half_rtt: bool,
    /// A whole HTTP response to send instead of [`RUSTLS_HEAD`] and [`RUSTLS_BODY`] (the
    /// embedded clients' interop test: a customer).
    pub response: Option<&'static [u8]>,
}

/// `len` bytes that show where a piece is missing or repeated.
pub fn filler(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// A rustls server thread for one connection.
pub struct Rustls {
    pub address: SocketAddr,
    report: mpsc::Receiver<Result<RustlsReport, String>>,
}

/// What the rustls server answers to any request: the head, then (with a KeyUpdate) a
/// line under the new keys, then the body (and its filler).
pub const RUSTLS_HEAD: &[u8] = b"HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\n";
pub const RUSTLS_AFTER_KEY_UPDATE: &[u8] = b"under the server's new keys\n";
pub const RUSTLS_BODY: &[u8] = b"hello from rustls\n";

impl Rustls {
    /// Starts a server that presents `chain` with only `suite` and `group`, and answers
    /// one request as `options` say.
    pub fn start(
        chain: &Chain,
        suite: CipherSuite,
        group: Group,
        options: RustlsOptions,
    ) -> Rustls {
        let crypto = rustls::crypto::CryptoProvider {
            cipher_suites: vec![rustls_suite(suite)],
            kx_groups: vec![match group {
                Group::X25519 => provider::kx_group::X25519,
                _ => provider::kx_group::SECP256R1,
            }],
            ..provider::default_provider()
        };
        let crypto = Arc::new(crypto);
        let version = match suite.version() {
            ProtocolVersion::Tls12 => &rustls::version::TLS12,
            _ => &rustls::version::TLS13,
        };
        let builder = ServerConfig::builder_with_provider(crypto.clone())
            .with_protocol_versions(&[version])
            .expect("the suite's version");
        let builder = match options.client_certificate {
            ClientCertificate::NotAsked => builder.with_no_client_auth(),
            ClientCertificate::Optional | ClientCertificate::Required => {
                let mut roots = rustls::RootCertStore::empty();
                roots.add(chain.root.clone()).expect("the root");
                let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                    Arc::new(roots),
                    crypto,
                );
                let verifier = if options.client_certificate == ClientCertificate::Optional {
                    verifier.allow_unauthenticated()
                } else {
                    verifier
                };
                builder.with_client_cert_verifier(verifier.build().expect("a client verifier"))
            }
        };
        let mut config = builder
            .with_single_cert(chain.served.clone(), chain.private_key())
            .expect("the leaf and its key");
        config.send_half_rtt_data = options.half_rtt;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a loopback port");
        let address = listener.local_addr().expect("its address");
        let (send, report) = mpsc::channel();
        thread::spawn(move || {
            let _ = send.send(serve(listener, Arc::new(config), options));
        });
        Rustls { address, report }
    }

    /// What the server saw, once the connection has ended.
    pub fn report(&self) -> Result<RustlsReport, String> {
        self.report
            .recv_timeout(crate::driver::DEADLINE)
            .map_err(|e| format!("no report from the rustls server: {e}"))?
    }
}

fn rustls_suite(suite: CipherSuite) -> rustls::SupportedCipherSuite {
    use provider::cipher_suite as s;
    match suite {
        CipherSuite::Aes128GcmSha256 => s::TLS13_AES_128_GCM_SHA256,
        CipherSuite::Aes256GcmSha384 => s::TLS13_AES_256_GCM_SHA384,
        CipherSuite::Chacha20Poly1305Sha256 => s::TLS13_CHACHA20_POLY1305_SHA256,
        CipherSuite::EcdheEcdsaAes128GcmSha256 => s::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::EcdheRsaAes128GcmSha256 => s::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::EcdheEcdsaAes256GcmSha384 => s::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite::EcdheRsaAes256GcmSha384 => s::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        CipherSuite::EcdheEcdsaChacha20Poly1305Sha256 => {
            s::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
        }
        _ => s::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    }
}

fn serve(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    options: RustlsOptions,
) -> Result<RustlsReport, String> {
    let deadline = Instant::now() + crate::driver::DEADLINE;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let tcp = loop {
        match listener.accept() {
            Ok((tcp, _)) => break tcp,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(format!("accept: {e}")),
        }
    };
    let step = |what: &'static str| move |e: std::io::Error| format!("{what}: {e}");
    tcp.set_nonblocking(false).map_err(step("socket"))?;
    tcp.set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(step("socket"))?;
    let mut connection = ServerConnection::new(config).map_err(|e| format!("rustls: {e}"))?;
    if options.half_rtt {
        // Buffered now, sent with the server's Finished.
        connection
            .writer()
            .write_all(RUSTLS_HEAD)
            .map_err(step("writing"))?;
    }
    let mut tls = StreamOwned::new(connection, tcp);
    let request = read_until(&mut tls, b"\r\n\r\n").map_err(step("reading the request"))?;
    if let Some(response) = options.response {
        tls.write_all(response).map_err(step("writing"))?;
    } else if !options.half_rtt {
        tls.write_all(RUSTLS_HEAD).map_err(step("writing"))?;
    }
    let mut after_key_update = Vec::new();
    if options.key_update {
        tls.conn
            .refresh_traffic_keys()
            .map_err(|e| format!("KeyUpdate: {e}"))?;
        tls.write_all(RUSTLS_AFTER_KEY_UPDATE)
            .map_err(step("writing after the KeyUpdate"))?;
        after_key_update =
            read_until(&mut tls, b"\n").map_err(step("reading after the KeyUpdate"))?;
    }
    if options.response.is_none() {
        tls.write_all(RUSTLS_BODY).map_err(step("writing"))?;
    }
    tls.write_all(&filler(options.filler))
        .map_err(step("writing"))?;
    tls.conn.send_close_notify();
    tls.flush().map_err(step("sending close_notify"))?;
    // rustls reads to the end only after the peer's close_notify; without one it says
    // UnexpectedEof.
    let mut rest = Vec::new();
    let client_close_notify = tls.read_to_end(&mut rest).is_ok() && rest.is_empty();
    Ok(RustlsReport {
        request,
        after_key_update,
        client_close_notify,
    })
}

fn read_until(stream: &mut impl Read, end: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut data = Vec::new();
    let mut byte = [0u8; 1];
    while !data.ends_with(end) {
        if stream.read(&mut byte)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        data.push(byte[0]);
    }
    Ok(data)
}
