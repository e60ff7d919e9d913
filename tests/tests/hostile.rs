//! The hostile-server table (juspay_sandbox::hostile) against juspay-tls's `Client` itself,
//! stepped by the smallest blocking driver over a std socket with a deadline: every row
//! ends as it must, never with a panic, and a refused row sends nothing of the request.
//! And the rows that must work, through rustls: the scripted server is right by another
//! implementation's reading too.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use juspay_sandbox::hostile::{self, Outcome, Target};
use juspay_sandbox::{DEMO_API_KEY, DEMO_MERCHANT_ID};
use juspay_tls::{CertificateTime, Client, Config, SEND_BUFFER, ServerName, Status};

#[test]
fn tls_client() {
    hostile::run(get);
}

/// One GET for the documentation customer over juspay-tls.
fn get(target: &Target) -> Outcome {
    let deadline = Instant::now() + target.deadline;
    let timed_out = |e: &io::Error| {
        matches!(
            e.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        )
    };
    let mut tcp = match TcpStream::connect_timeout(&target.address, target.deadline) {
        Ok(tcp) => tcp,
        Err(e) => return Outcome::Other(format!("connect: {e}")),
    };
    let _ = tcp.set_nodelay(true);
    let anchors: Vec<_> = target
        .roots
        .iter()
        .map(|root| juspay_tls::trust_anchor(root).expect("a root certificate"))
        .collect();
    let name = ServerName::try_from(target.server_name).expect("a server name");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let config = Config::new(name, &anchors, CertificateTime::Now(now));
    let (mut rx, mut tx) = (vec![0u8; target.receive_buffer], vec![0u8; SEND_BUFFER]);
    let mut client = match Client::new(config, &mut rx, &mut tx, &mut rand_core::OsRng) {
        Ok(client) => client,
        Err(e) => return Outcome::Tls(e),
    };
    let request = request();
    let mut written = 0;
    let mut response = Vec::new();
    loop {
        let status = client.process();
        // Whatever is queued goes out first, the alert of a failure included.
        while !client.outgoing().is_empty() {
            let _ = tcp.set_write_timeout(Some(
                deadline
                    .saturating_duration_since(Instant::now())
                    .max(std::time::Duration::from_millis(1)),
            ));
            match tcp.write(client.outgoing()) {
                Ok(n) if n > 0 => client.sent(n),
                Ok(_) => return Outcome::Other("the socket takes no more".into()),
                Err(e) if timed_out(&e) => return Outcome::Timeout,
                // The server may be gone after its alert; our failure still stands.
                Err(_) if status.is_err() => break,
                Err(e) => return Outcome::Other(format!("write: {e}")),
            }
        }
        match status {
            Err(e) => return Outcome::Tls(e),
            Ok(Status::Busy) => continue,
            Ok(Status::Closed) => return Outcome::Other("closed before the response".into()),
            Ok(Status::NeedData) => {}
            Ok(Status::Established) => {
                if written < request.len() {
                    match client.write(&request.as_bytes()[written..]) {
                        Ok(n) => written += n,
                        Err(e) => return Outcome::Tls(e),
                    }
                    continue;
                }
                let data = client.application_data();
                if !data.is_empty() {
                    response.extend_from_slice(data);
                    let n = data.len();
                    client.consume(n);
                    if let Some(outcome) = complete(&response) {
                        client.close();
                        let _ = tcp.write_all(client.outgoing());
                        return outcome;
                    }
                    continue;
                }
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Outcome::Timeout;
        }
        let _ = tcp.set_read_timeout(Some(left));
        let incoming = client.incoming();
        if incoming.is_empty() {
            return Outcome::Other("the receive buffer is full".into());
        }
        match tcp.read(incoming) {
            Ok(0) => client.received_eof(),
            Ok(n) => client.received(n),
            Err(e) if timed_out(&e) => return Outcome::Timeout,
            Err(e) => return Outcome::Other(format!("read: {e}")),
        }
    }
}

/// The GET for the documentation customer, with the sandbox's credentials.
fn request() -> String {
    format!(
        "GET /customers/cst_om2l6ctlptxwxuzj HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic {}\r\nx-merchantid: {DEMO_MERCHANT_ID}\r\nversion: 2023-06-30\r\n\r\n",
        base64::engine::general_purpose::STANDARD.encode(format!("{DEMO_API_KEY}:"))
    )
}

/// The outcome once `response` is a whole HTTP response (by its Content-Length).
fn complete(response: &[u8]) -> Option<Outcome> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut parsed = httparse::Response::new(&mut headers);
    let httparse::Status::Complete(head) = parsed.parse(response).ok()? else {
        return None;
    };
    let length: usize = parsed
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .and_then(|h| std::str::from_utf8(h.value).ok()?.parse().ok())?;
    let body = response.get(head..head + length)?;
    let customer = parsed.code == Some(200)
        && body
            .windows(27)
            .any(|w| w == br#""id":"cst_om2l6ctlptxwxuzj""#);
    Some(if customer {
        Outcome::Customer
    } else {
        Outcome::Other(format!(
            "HTTP {:?}: {}",
            parsed.code,
            String::from_utf8_lossy(body)
        ))
    })
}

/// The server itself, checked by another client: every row that must work also works
/// for rustls, so the scripted server's key schedule and records are TLS 1.3 as an
/// independent implementation reads it, not only as juspay-tls does. But for two rows:
/// rustls sends no record_size_limit, so EncryptedExtensions answering one is unsolicited
/// for it; and it refuses a ChangeCipherSpec before the ServerHello, which RFC 8446, 5
/// says a client must drop (juspay-tls does).
#[test]
fn legal_rows_work_for_rustls() {
    let rows: Vec<_> = hostile::table()
        .into_iter()
        .filter(|row| row.expected == hostile::Expected::Customer)
        .filter(|row| {
            !row.name.contains("record_size_limit")
                && row.name != "ChangeCipherSpec before the ServerHello"
        })
        .collect();
    assert!(rows.len() > 30);
    hostile::run_rows(&rows, get_with_rustls);
}

fn get_with_rustls(target: &Target) -> Outcome {
    use std::sync::Arc;

    let mut roots = rustls::RootCertStore::empty();
    for root in &target.roots {
        roots.add(root.clone()).expect("a root certificate");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS13])
    .expect("TLS 1.3")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from(target.server_name).expect("a name");
    let connection =
        rustls::ClientConnection::new(Arc::new(config), name.to_owned()).expect("a client");
    let tcp = match TcpStream::connect_timeout(&target.address, target.deadline) {
        Ok(tcp) => tcp,
        Err(e) => return Outcome::Other(format!("connect: {e}")),
    };
    let _ = tcp.set_read_timeout(Some(target.deadline));
    let _ = tcp.set_write_timeout(Some(target.deadline));
    let mut tls = rustls::StreamOwned::new(connection, tcp);
    if let Err(e) = tls.write_all(request().as_bytes()) {
        return Outcome::Other(format!("rustls: {e}"));
    }
    let mut response = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match tls.read(&mut chunk) {
            Ok(0) => return Outcome::Other("closed before the response".into()),
            Ok(n) => response.extend_from_slice(&chunk[..n]),
            Err(e) => return Outcome::Other(format!("rustls: {e}")),
        }
        if let Some(outcome) = complete(&response) {
            tls.conn.send_close_notify();
            let _ = tls.flush();
            return outcome;
        }
    }
}
