//! A client configured as a recorded flight's (`tests/vectors/tls/`), and the loop that
//! feeds it server bytes: shared by the `recorded_flights` test and the `tls_client` and
//! `tls_records` fuzz targets, which include this file by path beside `flight.rs`.

use juspay_tls::{
    CertificateDer, CertificateTime, Client, Config, Error, Group, RECEIVE_BUFFER, SEND_BUFFER,
    ServerName, Status, trust_anchor,
};

use crate::flight::{Flight, Recorded};

/// Runs `f` with a fresh client configured as the recording's: same randomness, trust
/// anchor, server name, time and first key share.
pub fn with_client<R>(flight: &Flight, f: impl FnOnce(&mut Client<'_>) -> R) -> R {
    with_client_configured(flight, |config| config, f)
}

/// [`with_client`] with the configuration changed by `configure` first.
pub fn with_client_configured<R>(
    flight: &Flight,
    configure: impl FnOnce(Config<'_>) -> Config<'_>,
    f: impl FnOnce(&mut Client<'_>) -> R,
) -> R {
    let root = CertificateDer::from(flight.trust_anchor.as_slice());
    let anchors = [trust_anchor(&root).expect("the recorded root is a certificate")];
    let name = ServerName::try_from(flight.server_name.as_str()).expect("a server name");
    let group = match flight.key_share.as_str() {
        "x25519" => Group::X25519,
        "secp256r1" => Group::Secp256r1,
        other => panic!("unknown group {other}"),
    };
    let config =
        configure(Config::new(name, &anchors, CertificateTime::Now(flight.time)).key_share(group));
    let (mut rx, mut tx) = (vec![0; RECEIVE_BUFFER], vec![0; SEND_BUFFER]);
    let mut client = Client::new(config, &mut rx, &mut tx, &mut Recorded(&flight.rng))
        .expect("the recorded randomness suffices");
    f(&mut client)
}

/// What a client did with the server bytes it was fed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// It reached Established.
    pub established: bool,
    /// The application data it handed out.
    pub response: Vec<u8>,
    /// Every byte it gave to send.
    pub sent: Vec<u8>,
    /// The error it stopped with, if any.
    pub error: Option<Error>,
    /// The server closed with close_notify.
    pub closed: bool,
    /// Bytes were left to feed while the client, neither failed nor closed, had no room
    /// for them: it would wait forever.
    pub stuck: bool,
}

/// Feeds a client server bytes as a socket loop would: sends what it says, writes
/// `request` once established, takes the application data.
pub struct Driver<'r> {
    request: &'r [u8],
    written: usize,
    /// What happened so far.
    pub outcome: Outcome,
}

impl<'r> Driver<'r> {
    /// A driver that writes `request` once the handshake is complete.
    pub fn new(request: &'r [u8]) -> Self {
        Driver {
            request,
            written: 0,
            outcome: Outcome::default(),
        }
    }

    fn done(&self) -> bool {
        self.outcome.error.is_some() || self.outcome.closed || self.outcome.stuck
    }

    /// Steps the client until it needs more bytes, fails or is closed.
    pub fn step(&mut self, client: &mut Client<'_>) {
        while !self.done() {
            let result = client.process();
            let out = client.outgoing();
            self.outcome.sent.extend_from_slice(out);
            let n = out.len();
            client.sent(n);
            match result {
                Err(e) => self.outcome.error = Some(e),
                Ok(Status::Busy) => {}
                Ok(Status::NeedData) => return,
                Ok(Status::Closed) => self.outcome.closed = true,
                Ok(Status::Established) => {
                    self.outcome.established = true;
                    if self.written < self.request.len() {
                        match client.write(&self.request[self.written..]) {
                            Ok(n) => self.written += n,
                            Err(e) => self.outcome.error = Some(e),
                        }
                        continue;
                    }
                    let data = client.application_data();
                    if data.is_empty() {
                        return;
                    }
                    self.outcome.response.extend_from_slice(data);
                    let n = data.len();
                    client.consume(n);
                }
            }
        }
    }

    /// Feeds `bytes` (as much as fits at a time, stepping in between).
    pub fn feed(&mut self, client: &mut Client<'_>, mut bytes: &[u8]) {
        while !bytes.is_empty() && !self.done() {
            let room = client.incoming();
            let n = room.len().min(bytes.len());
            if n == 0 {
                self.outcome.stuck = true;
                return;
            }
            room[..n].copy_from_slice(&bytes[..n]);
            client.received(n);
            bytes = &bytes[n..];
            self.step(client);
        }
    }

    /// The connection ended: the client's last word.
    pub fn finish(&mut self, client: &mut Client<'_>) {
        client.received_eof();
        self.step(client);
    }
}

/// A client configured as `flight`'s fed `pieces` in order, stepped after each; then
/// told the connection ended when `eof`.
pub fn replay<'p>(
    flight: &Flight,
    pieces: impl IntoIterator<Item = &'p [u8]>,
    eof: bool,
) -> Outcome {
    with_client(flight, |client| {
        let mut driver = Driver::new(&flight.request);
        driver.step(client);
        for piece in pieces {
            driver.feed(client, piece);
        }
        if eof {
            driver.finish(client);
        }
        driver.outcome
    })
}
