//! The loop every transport shares: write the request, read until the response is
//! complete, decode it. It owns no socket: transports hand it a connection.
//!
//! The loop is [`Exchange`], a sans-IO state machine: it says what to do next ([`Step`]:
//! write these bytes, flush, read into this space, done) and is told what the I/O did.
//! [`call`] steps it over a blocking `embedded_io` connection and, with the
//! feature `async`, [`call_async`] over an `embedded_io_async` one: each only
//! performs the I/O the step asks for, so request encoding, the response parser, the
//! rules for a write of 0 bytes or a read of 0 bytes, and decoding exist once.
//!
//! ```
//! use juspay_core::driver::{Exchange, Step};
//! use juspay_core::{Credentials, Endpoint, GetCustomer};
//! let credentials = Credentials::new("my_api_key", "merchant_1")?;
//! let mut buf = [0u8; 2048];
//! let mut exchange = Exchange::new(&Endpoint::SANDBOX, &credentials, &GetCustomer::new("cst_1"), &mut buf)?;
//! let mut response = &b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n{\"id\":\"cst_1\"}"[..];
//! loop {
//!     match exchange.step()? {
//!         Step::Write(bytes) => {
//!             let n = bytes.len(); // "sent" them all
//!             exchange.wrote(n);
//!         }
//!         Step::Flush => exchange.flushed(),
//!         Step::Read(space) => {
//!             let n = space.len().min(response.len());
//!             space[..n].copy_from_slice(&response[..n]);
//!             response = &response[n..];
//!             exchange.received(n);
//!         }
//!         Step::Done => break,
//!     }
//! }
//! assert_eq!(exchange.reply()?.customer.unwrap().id.as_str(), "cst_1");
//! # Ok::<(), juspay_core::Error>(())
//! ```

// Why a state machine and not two copies of one loop: the blocking and the async driver
// differ only in `.await`. A loop written twice would hold the protocol's rules twice (a
// write of 0 bytes is a closed connection, a read of 0 bytes finishes the parser, a full
// buffer is an error, when the response is complete); with `Exchange` each driver is a
// `match` that performs one I/O call per arm and reports its result. A macro that writes
// both loops from one text was the other candidate; it keeps one text but two functions
// to read, and hides the shape from the docs. The state machine is also the piece a
// transport with another I/O model (callbacks, a completion queue) can drive.

use embedded_io::{ErrorType, Read, Write};

use crate::config::{Credentials, Endpoint};
use crate::error::{Error, ProtocolError, Result};
use crate::reply::Reply;
use crate::request::{CustomerRequest, GetCustomer};
use crate::response::{HttpResponse, ResponseParser};

/// What an [`Exchange`] needs done next.
#[derive(Debug, PartialEq, Eq)]
pub enum Step<'a> {
    /// Write some of these bytes (at least one), then call [`Exchange::wrote`] with how
    /// many were taken.
    Write(&'a [u8]),
    /// Flush the connection, then call [`Exchange::flushed`].
    Flush,
    /// Read into this space, then call [`Exchange::received`] with how many bytes arrived
    /// (0: the connection ended).
    Read(&'a mut [u8]),
    /// The response is complete: take it with [`Exchange::reply`] (or
    /// [`Exchange::into_response`]).
    Done,
}

/// One call (Get, Create or Update) as a sans-IO state machine: the request encoded into
/// the caller's buffer, written and flushed, then the response read into the same buffer and
/// parsed as it arrives. See the [module docs](self) for a loop that drives it.
#[derive(Debug)]
pub struct Exchange<'b> {
    phase: Phase<'b>,
}

#[derive(Debug)]
enum Phase<'b> {
    /// `buf[sent..len]` is the part of the request still to be written; once it is all
    /// written, the connection is flushed.
    Send {
        buf: &'b mut [u8],
        sent: usize,
        len: usize,
    },
    Receive(ResponseParser<'b>),
    /// A write took nothing, or the response broke HTTP: what [`Exchange::step`] returns.
    Failed(Error),
}

impl<'b> Exchange<'b> {
    /// Encodes `request` into `buf`, which then holds the response (its head, then its
    /// body): 2 KiB covers the documentation responses behind a CDN's headers.
    pub fn new<'r>(
        endpoint: &Endpoint<'_>,
        credentials: &Credentials<'_>,
        request: impl Into<CustomerRequest<'r>>,
        buf: &'b mut [u8],
    ) -> Result<Self> {
        let len = request.into().encode(endpoint, credentials, buf)?;
        Ok(Exchange {
            phase: Phase::Send { buf, sent: 0, len },
        })
    }

    /// An exchange whose request was sent already: it reads one response into `buf`.
    fn receiving(buf: &'b mut [u8]) -> Self {
        Exchange {
            phase: Phase::Receive(ResponseParser::new(buf)),
        }
    }

    /// What to do next, or why the exchange failed: a closed connection, a response that
    /// breaks HTTP, or a full buffer ([`ProtocolError::HeadTooLarge`] or
    /// [`ProtocolError::BodyTooLarge`]). The reports ([`wrote`](Self::wrote),
    /// [`received`](Self::received)) never fail: their verdict comes here, so that a
    /// driver converts errors in one place.
    pub fn step(&mut self) -> Result<Step<'_>> {
        match &mut self.phase {
            Phase::Send { buf, sent, len } => Ok(match buf.get(*sent..*len) {
                Some(rest) if !rest.is_empty() => Step::Write(rest),
                _ => Step::Flush,
            }),
            Phase::Receive(parser) if parser.is_complete() => Ok(Step::Done),
            Phase::Receive(parser) => parser.unfilled().map(Step::Read),
            Phase::Failed(e) => Err(e.clone()),
        }
    }

    /// `n` bytes of a [`Step::Write`] were written. 0 means the connection took nothing
    /// and is closed: the next [`step`](Self::step) is [`Error::ConnectionClosed`].
    pub fn wrote(&mut self, n: usize) {
        if let Phase::Send { sent, len, .. } = &mut self.phase {
            if n == 0 {
                self.phase = Phase::Failed(Error::ConnectionClosed);
            } else {
                *sent = sent.saturating_add(n).min(*len);
            }
        }
    }

    /// The connection was flushed after the request: the response comes next.
    pub fn flushed(&mut self) {
        if let Phase::Send { buf, .. } = &mut self.phase {
            self.phase = Phase::Receive(ResponseParser::new(core::mem::take(buf)));
        }
    }

    /// `n` bytes arrived in the space of a [`Step::Read`]; 0 means the connection ended,
    /// which completes a close-delimited response. What they amount to comes with the next
    /// [`step`](Self::step): a malformed response, or one cut short
    /// ([`ProtocolError::Truncated`], or [`Error::ConnectionClosed`] before any byte), is
    /// its error.
    pub fn received(&mut self, n: usize) {
        if let Phase::Receive(parser) = &mut self.phase {
            let status = if n == 0 {
                parser.finish()
            } else {
                parser.advance(n)
            };
            if let Err(e) = status {
                self.phase = Phase::Failed(e);
            }
        }
    }

    /// The complete response (after [`Step::Done`]), borrowing the buffer.
    pub fn into_response(self) -> Result<HttpResponse<'b>> {
        match self.phase {
            Phase::Receive(parser) => parser.into_response(),
            Phase::Send { .. } | Phase::Failed(_) => None,
        }
        .ok_or(Error::Protocol(ProtocolError::Truncated))
    }

    /// The complete response (after [`Step::Done`]) decoded: the customer or the API's
    /// error.
    pub fn reply(self) -> Result<Reply> {
        Reply::decode(&self.into_response()?)
    }
}

/// One call (Get, Create or Update) over `connection`. `buf` holds the encoded request,
/// then the response (its head, then its body): 2 KiB covers the documentation responses
/// behind a CDN's headers.
///
/// ```
/// use juspay_core::{CreateCustomer, Credentials, Endpoint, driver, memory::MemoryConnection};
/// let response = b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n{\"id\":\"cst_1\",\"x\":1}";
/// let mut written = [0u8; 512];
/// let mut connection = MemoryConnection::new(response, &mut written);
/// let credentials = Credentials::new("my_api_key", "merchant_1")?;
/// let mut buf = [0u8; 2048];
/// let create = CreateCustomer::new("kiosk-0001", "9988776655");
/// let reply = driver::call(&mut connection, &Endpoint::SANDBOX, &credentials, &create, &mut buf)?;
/// assert!(reply.reusable);
/// assert_eq!(reply.customer.unwrap().id.as_str(), "cst_1");
/// assert!(connection.written().starts_with(b"POST /customers HTTP/1.1\r\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn call<'r, C: Read + Write>(
    connection: &mut C,
    endpoint: &Endpoint<'_>,
    credentials: &Credentials<'_>,
    request: impl Into<CustomerRequest<'r>>,
    buf: &mut [u8],
) -> Result<Reply, Error<C::Error>> {
    let mut exchange =
        Exchange::new(endpoint, credentials, request, buf).map_err(Error::for_connection)?;
    loop {
        match exchange.step().map_err(Error::for_connection)? {
            Step::Write(bytes) => {
                let n = connection.write(bytes).map_err(Error::Io)?;
                exchange.wrote(n);
            }
            Step::Flush => {
                connection.flush().map_err(Error::Io)?;
                exchange.flushed();
            }
            Step::Read(space) => {
                let n = connection.read(space).map_err(Error::Io)?;
                exchange.received(n);
            }
            Step::Done => return exchange.reply().map_err(Error::for_connection),
        }
    }
}

/// One Get Customer call over `connection`: [`call`] with a [`GetCustomer`].
///
/// ```
/// use juspay_core::{Credentials, Endpoint, GetCustomer, driver, memory::MemoryConnection};
/// let response = b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n{\"id\":\"cst_1\",\"x\":1}";
/// let mut written = [0u8; 512];
/// let mut connection = MemoryConnection::new(response, &mut written);
/// let credentials = Credentials::new("my_api_key", "merchant_1")?;
/// let mut buf = [0u8; 2048];
/// let reply = driver::get_customer(
///     &mut connection, &Endpoint::SANDBOX, &credentials, &GetCustomer::new("cst_1"), &mut buf,
/// )?;
/// assert_eq!(reply.customer.unwrap().id.as_str(), "cst_1");
/// assert!(connection.written().starts_with(b"GET /customers/cst_1 HTTP/1.1\r\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn get_customer<C: Read + Write>(
    connection: &mut C,
    endpoint: &Endpoint<'_>,
    credentials: &Credentials<'_>,
    request: &GetCustomer<'_>,
    buf: &mut [u8],
) -> Result<Reply, Error<C::Error>> {
    call(connection, endpoint, credentials, request, buf)
}

/// [`call`] over an `embedded_io_async` connection (feature `async`): the same
/// [`Exchange`], stepped with `.await`, the same [`Reply`] and errors.
///
/// ```
/// # embassy_futures::block_on(async {
/// use juspay_core::{Credentials, Endpoint, GetCustomer, driver, memory::MemoryConnection};
/// let response = b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n{\"id\":\"cst_1\"}";
/// let mut written = [0u8; 512];
/// let mut connection = MemoryConnection::new(response, &mut written);
/// let credentials = Credentials::new("my_api_key", "merchant_1")?;
/// let mut buf = [0u8; 2048];
/// let reply = driver::call_async(
///     &mut connection, &Endpoint::SANDBOX, &credentials, &GetCustomer::new("cst_1"), &mut buf,
/// )
/// .await?;
/// assert_eq!(reply.customer.unwrap().id.as_str(), "cst_1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[cfg(feature = "async")]
pub async fn call_async<'r, C>(
    connection: &mut C,
    endpoint: &Endpoint<'_>,
    credentials: &Credentials<'_>,
    request: impl Into<CustomerRequest<'r>>,
    buf: &mut [u8],
) -> Result<Reply, Error<C::Error>>
where
    C: embedded_io_async::Read + embedded_io_async::Write,
{
    let mut exchange =
        Exchange::new(endpoint, credentials, request, buf).map_err(Error::for_connection)?;
    loop {
        match exchange.step().map_err(Error::for_connection)? {
            Step::Write(bytes) => {
                let n = connection.write(bytes).await.map_err(Error::Io)?;
                exchange.wrote(n);
            }
            Step::Flush => {
                connection.flush().await.map_err(Error::Io)?;
                exchange.flushed();
            }
            Step::Read(space) => {
                let n = connection.read(space).await.map_err(Error::Io)?;
                exchange.received(n);
            }
            Step::Done => return exchange.reply().map_err(Error::for_connection),
        }
    }
}

/// [`call_async`] with a [`GetCustomer`] (feature `async`).
#[cfg(feature = "async")]
pub async fn get_customer_async<C>(
    connection: &mut C,
    endpoint: &Endpoint<'_>,
    credentials: &Credentials<'_>,
    request: &GetCustomer<'_>,
    buf: &mut [u8],
) -> Result<Reply, Error<C::Error>>
where
    C: embedded_io_async::Read + embedded_io_async::Write,
{
    call_async(connection, endpoint, credentials, request, buf).await
}

/// Writes all of `request` and flushes.
pub fn send<C: Write>(connection: &mut C, request: &[u8]) -> Result<(), Error<C::Error>> {
    let mut sent = 0;
    while let Some(rest) = request.get(sent..).filter(|rest| !rest.is_empty()) {
        match connection.write(rest).map_err(Error::Io)? {
            0 => return Err(Error::ConnectionClosed),
            n => sent += n,
        }
    }
    connection.flush().map_err(Error::Io)
}

/// Reads one complete response into `buf`.
pub fn receive<'b, C: Read>(
    connection: &mut C,
    buf: &'b mut [u8],
) -> Result<HttpResponse<'b>, Error<C::Error>> {
    let mut exchange = Exchange::receiving(buf);
    while let Step::Read(space) = exchange.step().map_err(Error::for_connection)? {
        let n = connection.read(space).map_err(Error::Io)?;
        exchange.received(n);
    }
    exchange.into_response().map_err(Error::for_connection)
}

/// A connection whose "the peer closed the stream" errors read as the end of the data
/// (`Ok(0)`), so that the response parser, not the connection, tells a response cut short
/// from an idle connection the server closed. TLS stacks report a close as an error
/// (rustls: `UnexpectedEof` without close_notify; juspay-tls: `Closed`); each
/// transport says which of its errors mean that with `is_close`.
pub struct CloseAsEof<C, F> {
    connection: C,
    is_close: F,
}

impl<C: ErrorType, F: Fn(&C::Error) -> bool> CloseAsEof<C, F> {
    /// Wraps `connection`; `is_close` picks the errors that mean the peer closed it.
    pub fn new(connection: C, is_close: F) -> Self {
        CloseAsEof {
            connection,
            is_close,
        }
    }
}

impl<C: ErrorType, F> ErrorType for CloseAsEof<C, F> {
    type Error = C::Error;
}

impl<C: Read, F: Fn(&C::Error) -> bool> Read for CloseAsEof<C, F> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, C::Error> {
        match self.connection.read(buf) {
            Err(e) if (self.is_close)(&e) => Ok(0),
            other => other,
        }
    }
}

impl<C: Write, F> Write for CloseAsEof<C, F> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, C::Error> {
        self.connection.write(buf)
    }

    fn flush(&mut self) -> Result<(), C::Error> {
        self.connection.flush()
    }
}

// The same adapter for async connections: the type implements both families of traits.
#[cfg(feature = "async")]
impl<C: embedded_io_async::Read, F: Fn(&C::Error) -> bool> embedded_io_async::Read
    for CloseAsEof<C, F>
{
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, C::Error> {
        match self.connection.read(buf).await {
            Err(e) if (self.is_close)(&e) => Ok(0),
            other => other,
        }
    }
}

#[cfg(feature = "async")]
impl<C: embedded_io_async::Write, F> embedded_io_async::Write for CloseAsEof<C, F> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, C::Error> {
        self.connection.write(buf).await
    }

    async fn flush(&mut self) -> Result<(), C::Error> {
        self.connection.flush().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryConnection;

    fn exchange(buf: &mut [u8]) -> Exchange<'_> {
        let credentials = Credentials::new("key", "merchant").unwrap();
        Exchange::new(
            &Endpoint::SANDBOX,
            &credentials,
            GetCustomer::new("cst_1"),
            buf,
        )
        .unwrap()
    }

    #[test]
    fn short_writes_resume_and_a_write_of_nothing_is_a_close() {
        let mut buf = [0u8; 512];
        let mut exchange = exchange(&mut buf);
        let Ok(Step::Write(request)) = exchange.step() else {
            panic!("the request comes first")
        };
        let len = request.len();
        assert!(request.starts_with(b"GET /customers/cst_1 "));
        exchange.wrote(4);
        match exchange.step() {
            Ok(Step::Write(rest)) => {
                assert_eq!(rest.len(), len - 4);
                assert!(rest.starts_with(b"/customers/cst_1 "));
            }
            other => panic!("{other:?}"),
        }
        exchange.wrote(0);
        assert_eq!(exchange.step(), Err(Error::ConnectionClosed));
        assert_eq!(
            exchange.reply(),
            Err(Error::Protocol(ProtocolError::Truncated))
        );
    }

    #[test]
    fn flush_then_read_then_done() {
        let response = b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n{\"id\":\"cst_1\"}";
        let mut buf = [0u8; 512];
        let mut exchange = exchange(&mut buf);
        let Ok(Step::Write(request)) = exchange.step() else {
            panic!("the request comes first")
        };
        let len = request.len();
        exchange.wrote(len);
        assert_eq!(exchange.step(), Ok(Step::Flush));
        exchange.flushed();
        for byte in response {
            match exchange.step() {
                Ok(Step::Read(space)) => space[0] = *byte,
                other => panic!("{other:?}"),
            }
            exchange.received(1);
        }
        assert_eq!(exchange.step(), Ok(Step::Done));
        assert_eq!(exchange.reply().unwrap().customer.unwrap().id, "cst_1");
    }

    #[test]
    fn a_malformed_response_fails_the_next_step() {
        let mut buf = [0u8; 512];
        let mut exchange = Exchange::receiving(&mut buf);
        let Ok(Step::Read(space)) = exchange.step() else {
            panic!("a read comes first")
        };
        space[..6].copy_from_slice(b"HTTP/x");
        exchange.received(6);
        exchange.received(0);
        assert_eq!(
            exchange.step(),
            Err(Error::Protocol(ProtocolError::MalformedHead))
        );
    }

    #[test]
    fn a_close_reads_as_the_end_of_the_response() {
        // A close-delimited response: the close is what completes it.
        let response = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{\"id\":\"cst_1\"}";
        let mut written = [0u8; 512];
        let mut connection = MemoryConnection::new(response, &mut written);
        let mut buf = [0u8; 512];
        let reply = receive(&mut connection, &mut buf).unwrap();
        assert_eq!(reply.body, b"{\"id\":\"cst_1\"}");

        struct ClosedByPeer;
        impl ErrorType for ClosedByPeer {
            type Error = embedded_io::ErrorKind;
        }
        impl Read for ClosedByPeer {
            fn read(&mut self, _: &mut [u8]) -> Result<usize, Self::Error> {
                Err(embedded_io::ErrorKind::ConnectionReset)
            }
        }
        let mut closed = CloseAsEof::new(ClosedByPeer, |e: &embedded_io::ErrorKind| {
            *e == embedded_io::ErrorKind::ConnectionReset
        });
        assert_eq!(closed.read(&mut buf), Ok(0));
        let mut not_a_close = CloseAsEof::new(ClosedByPeer, |_: &embedded_io::ErrorKind| false);
        assert_eq!(
            not_a_close.read(&mut buf),
            Err(embedded_io::ErrorKind::ConnectionReset)
        );
    }

    #[cfg(feature = "async")]
    #[test]
    fn a_close_reads_as_the_end_of_the_response_async() {
        struct ClosedByPeer;
        impl ErrorType for ClosedByPeer {
            type Error = embedded_io::ErrorKind;
        }
        impl embedded_io_async::Read for ClosedByPeer {
            async fn read(&mut self, _: &mut [u8]) -> Result<usize, Self::Error> {
                Err(embedded_io::ErrorKind::ConnectionReset)
            }
        }
        let mut buf = [0u8; 16];
        let mut closed = CloseAsEof::new(ClosedByPeer, |e: &embedded_io::ErrorKind| {
            *e == embedded_io::ErrorKind::ConnectionReset
        });
        let read = embedded_io_async::Read::read(&mut closed, &mut buf);
        assert_eq!(embassy_futures::block_on(read), Ok(0));
    }
}
