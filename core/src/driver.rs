//! The blocking loop every transport shares: write the request, read until the response
//! is complete, decode it. It owns no socket: transports hand it a connection.

use embedded_io::{ErrorType, Read, Write};

use crate::config::{Credentials, Endpoint};
use crate::error::{Error, ProtocolError};
use crate::reply::Reply;
use crate::request::GetCustomer;
use crate::response::{HttpResponse, ResponseParser, Status};

/// One Get Customer call over `connection`. `buf` holds the encoded request, then the
/// response (its head, then its body): 2 KiB covers the documentation responses behind
/// a CDN's headers.
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
/// assert!(reply.reusable);
/// assert_eq!(reply.result.unwrap().id.as_str(), "cst_1");
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
    let len = request
        .encode(endpoint, credentials, buf)
        .map_err(Error::for_connection)?;
    send(connection, buf.get(..len).unwrap_or_default())?;
    let response = receive(connection, buf)?;
    Reply::decode(&response).map_err(Error::for_connection)
}

/// Writes all of `request` and flushes.
pub fn send<C: Write>(connection: &mut C, mut request: &[u8]) -> Result<(), Error<C::Error>> {
    while !request.is_empty() {
        match connection.write(request).map_err(Error::Io)? {
            0 => return Err(Error::ConnectionClosed),
            n => request = request.get(n..).unwrap_or_default(),
        }
    }
    connection.flush().map_err(Error::Io)
}

/// Reads one complete response into `buf`.
pub fn receive<'b, C: Read>(
    connection: &mut C,
    buf: &'b mut [u8],
) -> Result<HttpResponse<'b>, Error<C::Error>> {
    let mut parser = ResponseParser::new(buf);
    loop {
        let space = parser.unfilled().map_err(Error::for_connection)?;
        let n = connection.read(space).map_err(Error::Io)?;
        let status = if n == 0 {
            parser.finish()
        } else {
            parser.advance(n)
        };
        if status.map_err(Error::for_connection)? == Status::Complete {
            return parser
                .into_response()
                .ok_or(Error::Protocol(ProtocolError::Truncated));
        }
    }
}

/// A connection whose "the peer closed the stream" errors read as the end of the data
/// (`Ok(0)`), so that the response parser, not the connection, tells a response cut short
/// from an idle connection the server closed. TLS stacks report a close as an error
/// (rustls: `UnexpectedEof` without close_notify; embedded-tls: `ConnectionClosed`); each
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryConnection;

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
}
