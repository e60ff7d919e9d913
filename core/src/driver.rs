//! The blocking loop every transport shares: write the request, read until the response
//! is complete, decode it. It owns no socket: transports hand it a connection.

use embedded_io::{Read, Write};

use crate::api_error::ApiError;
use crate::config::{Credentials, Endpoint};
use crate::customer::Customer;
use crate::error::Error;
use crate::request::GetCustomer;
use crate::response::{Response, ResponseParser, Status};

/// What one Get Customer call brought back.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The customer, or the API's error.
    pub result: Result<Customer, ApiError>,
    /// Whether the connection may carry the next request.
    pub reusable: bool,
    /// `Retry-After` in seconds, when the server sent one.
    pub retry_after: Option<u32>,
}

/// Decodes a complete response: 2xx into a [`Customer`], anything else into an [`ApiError`].
pub fn decode(response: &Response<'_>) -> Result<Reply, Error> {
    let mut reply = Reply {
        result: Ok(Customer::default()),
        reusable: response.reusable,
        retry_after: response.retry_after,
    };
    // Decoded in place: a Customer or ApiError is about 1 KiB, and every copy of one
    // would land on the caller's stack.
    if (200..300).contains(&response.status) {
        if let Ok(customer) = &mut reply.result {
            customer.read_json(response.body)?;
        }
    } else {
        reply.result = Err(ApiError::default());
        if let Err(error) = &mut reply.result {
            error.read_response(response.status, response.body);
        }
    }
    Ok(reply)
}

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
        .map_err(Error::with_io)?;
    send(connection, buf.get(..len).unwrap_or_default())?;
    let response = receive(connection, buf)?;
    decode(&response).map_err(Error::with_io)
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
) -> Result<Response<'b>, Error<C::Error>> {
    let mut parser = ResponseParser::new(buf);
    loop {
        let space = parser.unfilled().map_err(Error::with_io)?;
        let n = connection.read(space).map_err(Error::Io)?;
        let status = if n == 0 {
            parser.finish()
        } else {
            parser.advance(n)
        };
        if status.map_err(Error::with_io)? == Status::Complete {
            return parser.into_response().ok_or(Error::Truncated);
        }
    }
}
