//! A minimal blocking driver: one [`Client`] stepped over a [`TcpStream`], every read and
//! write under a timeout and every connection under one deadline, so that a server that
//! stalls fails the case instead of hanging the test.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use juspay_tls::{Client, Config, RECEIVE_BUFFER, SEND_BUFFER, Status};

/// How long one case (connect, handshake, exchange, close) may take.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// Why a connection failed.
#[derive(Debug)]
pub enum Failure {
    /// The TLS client refused or failed.
    Tls(juspay_tls::Error),
    /// The socket failed (a read timeout included).
    Io(io::Error),
    /// The case ran past [`DEADLINE`].
    Deadline,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Tls(e) => write!(f, "{e} ({e:?})"),
            Failure::Io(e) => write!(f, "socket: {e}"),
            Failure::Deadline => write!(f, "no result within {DEADLINE:?}"),
        }
    }
}

impl From<juspay_tls::Error> for Failure {
    fn from(e: juspay_tls::Error) -> Self {
        Failure::Tls(e)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

/// The caller's buffers.
pub struct Buffers {
    rx: Vec<u8>,
    tx: Vec<u8>,
}

impl Buffers {
    /// At the sizes the crate recommends.
    pub fn new() -> Self {
        Buffers::with_receive(RECEIVE_BUFFER)
    }

    /// A receive buffer of `len` bytes (the ClientHello offers a record_size_limit to
    /// match).
    pub fn with_receive(len: usize) -> Self {
        Buffers {
            rx: vec![0; len],
            tx: vec![0; SEND_BUFFER],
        }
    }
}

/// A TLS connection to a loopback server.
pub struct Connection<'b> {
    tcp: TcpStream,
    pub tls: Client<'b>,
    deadline: Instant,
    /// Whether the server's close_notify arrived.
    pub closed_by_server: bool,
}

impl<'b> Connection<'b> {
    /// Connects to `address` and completes the handshake.
    pub fn open(
        address: SocketAddr,
        config: Config<'b>,
        buffers: &'b mut Buffers,
    ) -> Result<Self, Failure> {
        let deadline = Instant::now() + DEADLINE;
        let tcp = TcpStream::connect_timeout(&address, Duration::from_secs(5))?;
        tcp.set_read_timeout(Some(Duration::from_secs(5)))?;
        tcp.set_write_timeout(Some(Duration::from_secs(5)))?;
        tcp.set_nodelay(true)?;
        let tls = Client::new(
            config,
            &mut buffers.rx,
            &mut buffers.tx,
            &mut rand_core::OsRng,
        )?;
        let mut connection = Connection {
            tcp,
            tls,
            deadline,
            closed_by_server: false,
        };
        loop {
            connection.check_deadline()?;
            match connection.tls.process() {
                Ok(Status::Busy) => {}
                Ok(Status::NeedData) => {
                    connection.flush()?;
                    connection.fill()?;
                }
                Ok(Status::Established) => {
                    // Our Finished goes out before anything else is written.
                    connection.flush()?;
                    return Ok(connection);
                }
                Ok(Status::Closed) => return Err(juspay_tls::Error::Closed.into()),
                Err(e) => return Err(connection.fail(e)),
            }
        }
    }

    /// Encrypts and sends all of `data`.
    pub fn write_all(&mut self, mut data: &[u8]) -> Result<(), Failure> {
        while !data.is_empty() {
            self.check_deadline()?;
            let n = self.tls.write(data)?;
            if let Err(e) = self.flush() {
                return Err(self.why_write_failed(e));
            }
            data = &data[n..];
        }
        Ok(())
    }

    /// A server that refuses us after our Finished (no client certificate, say) sends an
    /// alert and closes, and our next write fails: the alert, still to be read, says why.
    fn why_write_failed(&mut self, write_error: io::Error) -> Failure {
        while self.check_deadline().is_ok() {
            match self.tls.process() {
                Ok(Status::Busy) => continue,
                Err(e) => return Failure::Tls(e),
                Ok(_) if self.tls.incoming().is_empty() => break,
                Ok(_) => {}
            }
            // Anything read is fed to the client, received data included: the
            // connection is lost for writing anyway.
            self.tls.consume(self.tls.application_data().len());
            if self.fill().is_err() {
                break;
            }
        }
        Failure::Io(write_error)
    }

    /// Reads application data until some has arrived (an empty result: the server closed
    /// with close_notify).
    pub fn read_some(&mut self) -> Result<Vec<u8>, Failure> {
        loop {
            self.check_deadline()?;
            match self.tls.process() {
                Ok(Status::Busy) => {}
                Ok(Status::Established) => {
                    let data = self.tls.application_data().to_vec();
                    if !data.is_empty() {
                        self.tls.consume(data.len());
                        return Ok(data);
                    }
                    // A KeyUpdate we answer is in outgoing: it goes out before we wait.
                    self.flush()?;
                    self.fill()?;
                }
                Ok(Status::NeedData) => {
                    self.flush()?;
                    self.fill()?;
                }
                Ok(Status::Closed) => {
                    self.closed_by_server = true;
                    return Ok(Vec::new());
                }
                Err(e) => return Err(self.fail(e)),
            }
        }
    }

    /// Reads application data until at least `want` bytes have arrived, or the server
    /// closed.
    pub fn read_at_least(&mut self, want: usize) -> Result<Vec<u8>, Failure> {
        let mut all = Vec::new();
        while all.len() < want {
            let data = self.read_some()?;
            if data.is_empty() {
                break;
            }
            all.extend_from_slice(&data);
        }
        Ok(all)
    }

    /// Reads application data until the server's close_notify.
    pub fn read_to_close(&mut self) -> Result<Vec<u8>, Failure> {
        let mut all = Vec::new();
        loop {
            let data = self.read_some()?;
            if data.is_empty() {
                return Ok(all);
            }
            all.extend_from_slice(&data);
        }
    }

    /// Sends close_notify and ends our side of the TCP connection. After the server's
    /// close_notify the server may already have closed the socket (gnutls-serv does):
    /// then ours is not wanted (RFC 8446, 6.1) and the socket's refusal is no failure.
    pub fn close(&mut self) -> Result<(), Failure> {
        self.tls.close();
        if self.tls.outgoing().is_empty() {
            return Err(Failure::Tls(juspay_tls::Error::Closed));
        }
        let sent = self
            .flush()
            .and_then(|()| self.tcp.shutdown(std::net::Shutdown::Write));
        match sent {
            Err(e)
                if self.closed_by_server
                    && matches!(
                        e.kind(),
                        io::ErrorKind::NotConnected
                            | io::ErrorKind::BrokenPipe
                            | io::ErrorKind::ConnectionReset
                    ) =>
            {
                Ok(())
            }
            sent => Ok(sent?),
        }
    }

    /// The client failed: its alert (if any) goes out, as a caller must send it.
    fn fail(&mut self, e: juspay_tls::Error) -> Failure {
        let _ = self.flush();
        Failure::Tls(e)
    }

    fn flush(&mut self) -> io::Result<()> {
        while !self.tls.outgoing().is_empty() {
            let n = self.tcp.write(self.tls.outgoing())?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            self.tls.sent(n);
        }
        Ok(())
    }

    fn fill(&mut self) -> io::Result<()> {
        let buffer = self.tls.incoming();
        if buffer.is_empty() {
            // Ended or failed: the next process() says which.
            return Ok(());
        }
        match self.tcp.read(buffer)? {
            0 => self.tls.received_eof(),
            n => self.tls.received(n),
        }
        Ok(())
    }

    fn check_deadline(&self) -> Result<(), Failure> {
        if Instant::now() > self.deadline {
            return Err(Failure::Deadline);
        }
        Ok(())
    }
}
