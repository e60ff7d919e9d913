//! A sans-IO HTTP/1.1 response parser.
//!
//! Bytes go in as they arrive, in pieces of any size; the parser keeps them in one
//! caller-supplied buffer. The head is parsed by httparse and dropped, then the body is
//! framed per RFC 9112 (Content-Length, chunked, or connection close) and decoded in
//! place, so the buffer must hold the larger of the head and the body (plus a chunk-size
//! line). Interim 1xx responses are skipped.
//!
//! ```
//! use juspay_core::response::{ResponseParser, Status};
//! let mut buf = [0u8; 256];
//! let mut parser = ResponseParser::new(&mut buf);
//! let (_, status) = parser.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{")?;
//! assert_eq!(status, Status::Partial);
//! let (_, status) = parser.feed(b"}")?;
//! assert_eq!(status, Status::Complete);
//! let response = parser.response().unwrap();
//! assert_eq!((response.status, response.body, response.reusable), (200, &b"{}"[..], true));
//! # Ok::<(), juspay_core::Error>(())
//! ```

use core::mem::MaybeUninit;

use crate::error::{Error, ProtocolError, Result};

/// Headers the parser makes room for; CDNs and proxies add many (40 and more are seen).
pub const MAX_HEADERS: usize = 64;

/// Whether the response is complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Status {
    /// More bytes are needed.
    Partial,
    /// The whole response has arrived; see [`ResponseParser::response`].
    Complete,
}

/// A complete HTTP response as it arrived: status, de-chunked body, framing facts. What it
/// means for the call is a [`Reply`](crate::Reply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpResponse<'b> {
    /// HTTP status code.
    pub status: u16,
    /// The body, de-chunked.
    pub body: &'b [u8],
    /// Whether the connection may carry another request.
    pub reusable: bool,
    /// `Retry-After` in seconds, when given in that form.
    pub retry_after: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Head,
    Body(Framing),
    Complete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Length { remaining: usize },
    Chunked(Chunk),
    UntilClose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    Size,
    Data { remaining: usize },
    DataEnd,
    Trailers,
}

/// Parses one response out of bytes fed in any split. See the [module docs](self).
#[derive(Debug)]
pub struct ResponseParser<'b> {
    buf: &'b mut [u8],
    /// End of the bytes received so far.
    filled: usize,
    /// Body phase: `buf[..body_len]` is decoded body.
    body_len: usize,
    /// Body phase: `buf[raw_start..filled]` is received but not yet decoded.
    raw_start: usize,
    /// Head phase: the bytes before this were looked at already.
    scan: usize,
    /// Whether any byte has arrived, to tell a closed idle connection from a cut response.
    started: bool,
    state: State,
    status: u16,
    reusable: bool,
    retry_after: Option<u32>,
}

impl<'b> ResponseParser<'b> {
    /// A parser that keeps the response in `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        ResponseParser {
            buf,
            filled: 0,
            body_len: 0,
            raw_start: 0,
            scan: 0,
            started: false,
            state: State::Head,
            status: 0,
            reusable: false,
            retry_after: None,
        }
    }

    /// Copies in as much of `input` as the buffer takes and parses it. Returns how many
    /// bytes were taken; call again with the rest (after reading more, when Partial).
    /// Bytes after a complete response are taken and make the connection not reusable.
    pub fn feed(&mut self, input: &[u8]) -> Result<(usize, Status)> {
        if self.state == State::Complete {
            if !input.is_empty() {
                self.reusable = false;
            }
            return Ok((input.len(), Status::Complete));
        }
        let space = self.unfilled()?;
        let n = input.len().min(space.len());
        if let (Some(dst), Some(src)) = (space.get_mut(..n), input.get(..n)) {
            dst.copy_from_slice(src);
        }
        let status = self.advance(n)?;
        Ok((n, status))
    }

    /// The free part of the buffer, for reading straight into it; follow with
    /// [`advance`](Self::advance). With a known Content-Length it is no longer than the
    /// rest of the body, so a read never takes bytes of a following response.
    /// A full buffer is an error ([`ProtocolError::HeadTooLarge`] or
    /// [`ProtocolError::BodyTooLarge`]).
    pub fn unfilled(&mut self) -> Result<&mut [u8]> {
        let capacity = self.buf.len();
        let limit = match self.state {
            State::Complete => 0,
            State::Body(Framing::Length { remaining }) => remaining,
            _ => capacity,
        };
        let end = self.filled.saturating_add(limit).min(capacity);
        if end == self.filled && self.state != State::Complete {
            return Err(match self.state {
                State::Head => {
                    self.head_verdict(Error::Protocol(ProtocolError::HeadTooLarge { capacity }))
                }
                _ => Error::Protocol(ProtocolError::BodyTooLarge { capacity }),
            });
        }
        Ok(self.buf.get_mut(self.filled..end).unwrap_or_default())
    }

    /// Takes `n` bytes written into [`unfilled`](Self::unfilled) and parses them.
    pub fn advance(&mut self, n: usize) -> Result<Status> {
        self.filled = self.filled.saturating_add(n).min(self.buf.len());
        self.started |= n > 0;
        loop {
            match self.state {
                State::Head => {
                    if !self.parse_head()? {
                        return Ok(Status::Partial);
                    }
                }
                State::Body(framing) => return self.decode_body(framing),
                State::Complete => {
                    if self.filled > self.body_len {
                        self.reusable = false;
                        self.filled = self.body_len;
                    }
                    return Ok(Status::Complete);
                }
            }
        }
    }

    /// Tells the parser the connection ended. A body delimited by the close is complete
    /// then; anything else unfinished is [`ProtocolError::Truncated`], or
    /// [`Error::ConnectionClosed`] when no byte of the response had arrived.
    pub fn finish(&mut self) -> Result<Status> {
        match self.state {
            State::Complete => Ok(Status::Complete),
            State::Body(Framing::UntilClose) => {
                self.state = State::Complete;
                self.reusable = false;
                Ok(Status::Complete)
            }
            State::Head if !self.started => Err(Error::ConnectionClosed),
            State::Head => Err(self.head_verdict(Error::Protocol(ProtocolError::Truncated))),
            _ => Err(Error::Protocol(ProtocolError::Truncated)),
        }
    }

    /// Whether the whole response has arrived.
    pub(crate) fn is_complete(&self) -> bool {
        self.state == State::Complete
    }

    /// The response, once complete.
    pub fn response(&self) -> Option<HttpResponse<'_>> {
        let head = self.head()?;
        Some(HttpResponse {
            body: self.buf.get(..self.body_len).unwrap_or_default(),
            ..head
        })
    }

    /// The response, once complete, keeping the buffer's borrow.
    pub fn into_response(self) -> Option<HttpResponse<'b>> {
        let head = self.head()?;
        let buf: &'b [u8] = self.buf;
        Some(HttpResponse {
            body: buf.get(..self.body_len).unwrap_or_default(),
            ..head
        })
    }

    /// The complete response without its body.
    fn head(&self) -> Option<HttpResponse<'static>> {
        (self.state == State::Complete).then_some(HttpResponse {
            status: self.status,
            body: &[],
            reusable: self.reusable,
            retry_after: self.retry_after,
        })
    }

    /// What an unfinished head amounts to when no more bytes can come: malformed when
    /// httparse already refuses what arrived, else `otherwise`.
    fn head_verdict(&self, otherwise: Error) -> Error {
        let received = self.buf.get(..self.filled).unwrap_or_default();
        let mut headers = [const { MaybeUninit::uninit() }; MAX_HEADERS];
        let mut parsed = httparse::Response::new(&mut []);
        match parse_http_head(&mut parsed, received, &mut headers) {
            Err(e) => e,
            Ok(_) => otherwise,
        }
    }

    /// Parses the head once it may be complete; returns whether it moved on.
    ///
    /// httparse runs only when a line ends among the new bytes, so a head fed a byte at a
    /// time is parsed once per line, not once per byte. A malformed head whose fault lies
    /// after its last line end is found when the input ends or fills the buffer
    /// ([`head_verdict`](Self::head_verdict)), so the split never changes the error.
    fn parse_head(&mut self) -> Result<bool> {
        let received = self.buf.get(..self.filled).unwrap_or_default();
        let new = received.get(self.scan..).unwrap_or_default();
        self.scan = self.filled;
        if !new.contains(&b'\n') {
            return Ok(false);
        }
        let mut headers = [const { MaybeUninit::uninit() }; MAX_HEADERS];
        let mut parsed = httparse::Response::new(&mut []);
        let Some(head_len) = parse_http_head(&mut parsed, received, &mut headers)? else {
            return Ok(false);
        };
        let status = parsed
            .code
            .ok_or(Error::Protocol(ProtocolError::MalformedHead))?;
        let head = interpret_head(status, parsed.version == Some(0), parsed.headers)?;

        // The head is no longer needed: move what followed it to the front.
        self.buf.copy_within(head_len..self.filled, 0);
        self.filled -= head_len;
        self.scan = 0;
        self.body_len = 0;
        self.raw_start = 0;
        if (100..200).contains(&status) {
            return Ok(true); // interim response: parse the next head
        }
        self.status = status;
        self.reusable = head.keep_alive;
        self.retry_after = head.retry_after;
        self.state = match head.framing {
            Framing::Length { remaining } if remaining > self.buf.len() => {
                return Err(Error::Protocol(ProtocolError::BodyTooLarge {
                    capacity: self.buf.len(),
                }));
            }
            Framing::Length { remaining: 0 } => State::Complete,
            framing => State::Body(framing),
        };
        Ok(true)
    }

    fn decode_body(&mut self, framing: Framing) -> Result<Status> {
        match framing {
            Framing::Length { remaining } => {
                let arrived = self.filled - self.body_len;
                if arrived >= remaining {
                    self.body_len += remaining;
                    self.state = State::Complete;
                    if arrived > remaining {
                        self.reusable = false;
                        self.filled = self.body_len;
                    }
                    return Ok(Status::Complete);
                }
                self.body_len = self.filled;
                self.state = State::Body(Framing::Length {
                    remaining: remaining - arrived,
                });
                Ok(Status::Partial)
            }
            Framing::UntilClose => {
                self.body_len = self.filled;
                Ok(Status::Partial)
            }
            Framing::Chunked(chunk) => self.decode_chunks(chunk),
        }
    }

    fn decode_chunks(&mut self, mut chunk: Chunk) -> Result<Status> {
        let result = loop {
            let raw = self
                .buf
                .get(self.raw_start..self.filled)
                .unwrap_or_default();
            match chunk {
                Chunk::Size => {
                    if raw.first().is_some_and(|b| !b.is_ascii_hexdigit()) {
                        break Err(Error::Protocol(ProtocolError::MalformedChunk));
                    }
                    match httparse::parse_chunk_size(raw) {
                        Ok(httparse::Status::Complete((line_len, size))) => {
                            self.raw_start += line_len;
                            let size = usize::try_from(size)
                                .map_err(|_| Error::Protocol(ProtocolError::MalformedChunk))?;
                            if size == 0 {
                                chunk = Chunk::Trailers;
                            } else if size > self.buf.len().saturating_sub(self.body_len) {
                                break Err(Error::Protocol(ProtocolError::BodyTooLarge {
                                    capacity: self.buf.len(),
                                }));
                            } else {
                                chunk = Chunk::Data { remaining: size };
                            }
                        }
                        Ok(httparse::Status::Partial) => break Ok(Status::Partial),
                        Err(_) => break Err(Error::Protocol(ProtocolError::MalformedChunk)),
                    }
                }
                Chunk::Data { remaining } => {
                    let n = remaining.min(raw.len());
                    if n == 0 {
                        break Ok(Status::Partial);
                    }
                    self.buf
                        .copy_within(self.raw_start..self.raw_start + n, self.body_len);
                    self.body_len += n;
                    self.raw_start += n;
                    chunk = if n == remaining {
                        Chunk::DataEnd
                    } else {
                        Chunk::Data {
                            remaining: remaining - n,
                        }
                    };
                }
                Chunk::DataEnd => match raw {
                    [b'\r', b'\n', ..] => {
                        self.raw_start += 2;
                        chunk = Chunk::Size;
                    }
                    [] | [b'\r'] => break Ok(Status::Partial),
                    _ => break Err(Error::Protocol(ProtocolError::MalformedChunk)),
                },
                Chunk::Trailers => match raw {
                    [b'\r', b'\n', ..] => {
                        self.raw_start += 2;
                        break Ok(Status::Complete);
                    }
                    [] | [b'\r'] => break Ok(Status::Partial),
                    [b'\r', _, ..] => break Err(Error::Protocol(ProtocolError::MalformedChunk)),
                    _ => match raw.windows(2).position(|w| w == b"\r\n") {
                        Some(line_end) => self.raw_start += line_end + 2,
                        None => break Ok(Status::Partial),
                    },
                },
            }
        };
        let status = result?;
        // Move the undecoded rest down to the end of the body, freeing the space between.
        let pending = self.filled - self.raw_start;
        self.buf
            .copy_within(self.raw_start..self.filled, self.body_len);
        self.raw_start = self.body_len;
        self.filled = self.body_len + pending;
        if status == Status::Complete {
            self.state = State::Complete;
            if pending > 0 {
                self.reusable = false;
                self.filled = self.body_len;
            }
        } else {
            self.state = State::Body(Framing::Chunked(chunk));
        }
        Ok(status)
    }
}

/// httparse over `bytes`: the head's length once complete. The header slots start
/// uninitialised: filling 64 of them first would cost more than parsing a short head.
fn parse_http_head<'h, 'b>(
    parsed: &mut httparse::Response<'h, 'b>,
    bytes: &'b [u8],
    headers: &'h mut [MaybeUninit<httparse::Header<'b>>],
) -> Result<Option<usize>> {
    match httparse::ParserConfig::default()
        .parse_response_with_uninit_headers(parsed, bytes, headers)
    {
        Ok(httparse::Status::Complete(len)) => Ok(Some(len)),
        Ok(httparse::Status::Partial) => Ok(None),
        Err(httparse::Error::TooManyHeaders) => Err(Error::Protocol(ProtocolError::TooManyHeaders)),
        Err(_) => Err(Error::Protocol(ProtocolError::MalformedHead)),
    }
}

struct Head {
    framing: Framing,
    keep_alive: bool,
    retry_after: Option<u32>,
}

fn interpret_head(status: u16, http10: bool, headers: &[httparse::Header<'_>]) -> Result<Head> {
    if status == 101 || !(100..=999).contains(&status) {
        return Err(Error::Protocol(ProtocolError::UnexpectedStatus { status }));
    }
    let mut content_length: Option<usize> = None;
    let mut chunked = false;
    let mut transfer_encoding = false;
    let mut close = false;
    let mut keep_alive_token = false;
    let mut retry_after = None;
    for header in headers {
        let name = header.name;
        let value = header.value;
        if name.eq_ignore_ascii_case("content-length") {
            for item in list_items(value) {
                let n = parse_decimal(item)
                    .ok_or(Error::Protocol(ProtocolError::InvalidContentLength))?;
                if content_length.is_some_and(|previous| previous != n) {
                    return Err(Error::Protocol(ProtocolError::InvalidContentLength));
                }
                content_length = Some(n);
            }
            if content_length.is_none() {
                return Err(Error::Protocol(ProtocolError::InvalidContentLength));
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            for item in list_items(value) {
                // Only one coding, `chunked`, may appear, once: anything else is a body we
                // cannot decode.
                if chunked || !item.eq_ignore_ascii_case(b"chunked") {
                    return Err(Error::Protocol(ProtocolError::UnsupportedTransferEncoding));
                }
                chunked = true;
            }
            transfer_encoding = true;
        } else if name.eq_ignore_ascii_case("content-encoding") {
            if list_items(value).any(|item| !item.eq_ignore_ascii_case(b"identity")) {
                return Err(Error::Protocol(ProtocolError::UnsupportedContentEncoding));
            }
        } else if name.eq_ignore_ascii_case("connection") {
            for item in list_items(value) {
                close |= item.eq_ignore_ascii_case(b"close");
                keep_alive_token |= item.eq_ignore_ascii_case(b"keep-alive");
            }
        } else if name.eq_ignore_ascii_case("retry-after") {
            retry_after = parse_decimal(trim(value)).and_then(|s| u32::try_from(s).ok());
        }
    }
    if transfer_encoding && !chunked {
        return Err(Error::Protocol(ProtocolError::UnsupportedTransferEncoding));
    }
    let mut keep_alive = !close && (!http10 || keep_alive_token);
    let framing = if status == 204 || status == 304 || (100..200).contains(&status) {
        Framing::Length { remaining: 0 }
    } else if chunked {
        // Both Transfer-Encoding and Content-Length: chunked wins (RFC 9112 6.3), and the
        // connection is not trusted with another request.
        if content_length.is_some() {
            keep_alive = false;
        }
        Framing::Chunked(Chunk::Size)
    } else if let Some(length) = content_length {
        Framing::Length { remaining: length }
    } else {
        keep_alive = false;
        Framing::UntilClose
    };
    Ok(Head {
        framing,
        keep_alive,
        retry_after,
    })
}

/// The non-empty items of a comma-separated header value, without surrounding white space.
fn list_items(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .map(trim)
        .filter(|item| !item.is_empty())
}

fn trim(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    value.get(start..end).unwrap_or_default()
}

/// Decimal digits only (no sign, no white space); `None` on overflow.
fn parse_decimal(digits: &[u8]) -> Option<usize> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0usize, |n, &b| {
        let digit = (b as char).to_digit(10)?;
        n.checked_mul(10)?.checked_add(digit as usize)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input` in pieces of `piece` bytes into a parser over a `cap`-byte buffer,
    /// then signals the end of the connection when the response is still partial.
    fn parse_in_pieces<const CAP: usize>(
        input: &[u8],
        piece: usize,
    ) -> Result<(u16, heapless::Vec<u8, CAP>, bool)> {
        let mut buf = [0u8; CAP];
        let mut parser = ResponseParser::new(&mut buf);
        let mut status = Status::Partial;
        for part in input.chunks(piece.max(1)) {
            let mut part = part;
            while !part.is_empty() {
                let (taken, s) = parser.feed(part)?;
                status = s;
                part = &part[taken..];
            }
        }
        if status == Status::Partial {
            parser.finish()?;
        }
        let r = parser.response().unwrap();
        Ok((
            r.status,
            heapless::Vec::from_slice(r.body).unwrap(),
            r.reusable,
        ))
    }

    fn parse(input: &[u8]) -> Result<(u16, heapless::Vec<u8, 512>, bool)> {
        let whole = parse_in_pieces::<512>(input, input.len());
        for piece in [1, 2, 3, 7] {
            assert_eq!(
                parse_in_pieces::<512>(input, piece),
                whole,
                "piece size {piece}"
            );
        }
        whole
    }

    macro_rules! vectors {
        ($($name:ident: $input:expr => $expected:expr;)*) => {$(
            #[test]
            fn $name() {
                assert_eq!(parse($input), $expected);
            }
        )*};
    }

    fn ok(status: u16, body: &[u8], reusable: bool) -> Result<(u16, heapless::Vec<u8, 512>, bool)> {
        Ok((status, heapless::Vec::from_slice(body).unwrap(), reusable))
    }

    vectors! {
        content_length: b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" => ok(200, b"hello", true);
        content_length_zero: b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" => ok(200, b"", true);
        content_length_repeated_equal: b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2, 2\r\n\r\nhi" => ok(200, b"hi", true);
        content_length_conflicting: b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi!" => Err(Error::Protocol(ProtocolError::InvalidContentLength));
        content_length_not_a_number: b"HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n" => Err(Error::Protocol(ProtocolError::InvalidContentLength));
        content_length_signed: b"HTTP/1.1 200 OK\r\nContent-Length: +3\r\n\r\nabc" => Err(Error::Protocol(ProtocolError::InvalidContentLength));
        content_length_empty: b"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n" => Err(Error::Protocol(ProtocolError::InvalidContentLength));
        content_length_overflow: b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n" => Err(Error::Protocol(ProtocolError::InvalidContentLength));
        content_length_over_capacity: b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" => Err(Error::Protocol(ProtocolError::BodyTooLarge { capacity: 512 }));
        content_length_short_body: b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello" => Err(Error::Protocol(ProtocolError::Truncated));
        content_length_extra_bytes: b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiGARBAGE" => ok(200, b"hi", false);
        connection_close: b"HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}" => ok(404, b"{}", false);
        http10_default_close: b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}" => ok(200, b"{}", false);
        http10_keep_alive: b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\n{}" => ok(200, b"{}", true);
        until_close: b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n\r\n<html>bad</html>" => ok(502, b"<html>bad</html>", false);
        no_content: b"HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n" => ok(204, b"", true);
        interim_responses_skipped: b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" => ok(200, b"ok", true);
        switching_protocols: b"HTTP/1.1 101 Switching Protocols\r\n\r\n" => Err(Error::Protocol(ProtocolError::UnexpectedStatus { status: 101 }));
        chunked: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n" => ok(200, b"hello world", true);
        chunked_case_extensions_leading_zeros: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n00000A;name=\"v\";x\r\n0123456789\r\n0b\r\nABCDEFGHIJK\r\n000\r\n\r\n" => ok(200, b"0123456789ABCDEFGHIJK", true);
        chunked_trailers: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\n" => ok(200, b"hi", true);
        chunked_size_overflow: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nx" => Err(Error::Protocol(ProtocolError::MalformedChunk));
        chunked_size_over_capacity: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffff\r\nx" => Err(Error::Protocol(ProtocolError::BodyTooLarge { capacity: 512 }));
        chunked_bad_size: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n" => Err(Error::Protocol(ProtocolError::MalformedChunk));
        chunked_missing_size: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n" => Err(Error::Protocol(ProtocolError::MalformedChunk));
        chunked_missing_crlf_after_data: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhiX\r\n0\r\n\r\n" => Err(Error::Protocol(ProtocolError::MalformedChunk));
        chunked_cut_short: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel" => Err(Error::Protocol(ProtocolError::Truncated));
        chunked_no_last_chunk: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n" => Err(Error::Protocol(ProtocolError::Truncated));
        chunked_with_content_length: b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n" => ok(200, b"hi", false);
        transfer_encoding_gzip: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n" => Err(Error::Protocol(ProtocolError::UnsupportedTransferEncoding));
        transfer_encoding_twice_chunked: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" => Err(Error::Protocol(ProtocolError::UnsupportedTransferEncoding));
        content_encoding_gzip: b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 1\r\n\r\nx" => Err(Error::Protocol(ProtocolError::UnsupportedContentEncoding));
        malformed_status_line: b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n" => Err(Error::Protocol(ProtocolError::MalformedHead));
        not_http: b"SSH-2.0-OpenSSH_9.6\r\n\r\n" => Err(Error::Protocol(ProtocolError::MalformedHead));
        header_with_bare_cr: b"HTTP/1.1 200 OK\r\nX-A: 1\rX-B: 2\r\nContent-Length: 0\r\n\r\n" => Err(Error::Protocol(ProtocolError::MalformedHead));
        truncated_head: b"HTTP/1.1 200 OK\r\nContent-Le" => Err(Error::Protocol(ProtocolError::Truncated));
        nothing_at_all: b"" => Err(Error::ConnectionClosed);
        leading_empty_line_then_garbage: b"\n\r\n{\"id\":1}" => Err(Error::Protocol(ProtocolError::MalformedHead));
        bad_byte_after_the_last_line_end: b"HTTP/1.1 200 OK\r\nX: y\r\n\xff" => Err(Error::Protocol(ProtocolError::MalformedHead));
        empty_line_then_bad_byte: b"\n\xff" => Err(Error::Protocol(ProtocolError::MalformedHead));
        bare_lf_line_endings: b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok" => ok(200, b"ok", true);
    }

    #[test]
    fn retry_after_seconds() {
        let mut buf = [0u8; 128];
        let mut p = ResponseParser::new(&mut buf);
        p.feed(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n")
            .unwrap();
        assert_eq!(p.response().unwrap().retry_after, Some(7));
    }

    #[test]
    fn head_larger_than_buffer() {
        let mut buf = [0u8; 32];
        let mut p = ResponseParser::new(&mut buf);
        let head = b"HTTP/1.1 200 OK\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
        let (taken, status) = p.feed(head).unwrap();
        assert_eq!((taken, status), (32, Status::Partial));
        assert_eq!(
            p.feed(&head[taken..]),
            Err(Error::Protocol(ProtocolError::HeadTooLarge {
                capacity: 32
            }))
        );
    }

    #[test]
    fn close_delimited_body_larger_than_buffer() {
        let mut buf = [0u8; 64];
        let mut p = ResponseParser::new(&mut buf);
        let mut input: &[u8] = b"HTTP/1.1 200 OK\r\n\r\n0123456789012345678901234567890123456789012345678901234567890123456789";
        let err = loop {
            match p.feed(input) {
                Ok((taken, _)) => input = &input[taken..],
                Err(e) => break e,
            }
        };
        assert_eq!(
            err,
            Error::Protocol(ProtocolError::BodyTooLarge { capacity: 64 })
        );
    }

    #[test]
    fn many_headers_and_a_two_kib_head() {
        let mut input = heapless::Vec::<u8, 4096>::new();
        input.extend_from_slice(b"HTTP/1.1 200 OK\r\n").unwrap();
        for i in 0..48u8 {
            input.extend_from_slice(b"X-Cdn-Header-").unwrap();
            input.push(b'a' + i % 26).unwrap();
            input
                .extend_from_slice(b": 0123456789012345678901234\r\n")
                .unwrap();
        }
        input
            .extend_from_slice(b"Content-Length: 2\r\n\r\n{}")
            .unwrap();
        assert!(input.len() > 2048);
        let got = parse_in_pieces::<2560>(&input, 1).unwrap();
        assert_eq!((got.0, got.1.as_slice(), got.2), (200, &b"{}"[..], true));
    }

    #[test]
    fn too_many_headers() {
        let mut input = heapless::Vec::<u8, 4096>::new();
        input.extend_from_slice(b"HTTP/1.1 200 OK\r\n").unwrap();
        for _ in 0..=MAX_HEADERS {
            input.extend_from_slice(b"X: y\r\n").unwrap();
        }
        input.extend_from_slice(b"\r\n").unwrap();
        assert_eq!(
            parse_in_pieces::<2048>(&input, 5),
            Err(Error::Protocol(ProtocolError::TooManyHeaders))
        );
    }

    #[test]
    fn reading_straight_into_the_buffer_stops_at_content_length() {
        let mut buf = [0u8; 128];
        let mut p = ResponseParser::new(&mut buf);
        p.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab")
            .unwrap();
        assert_eq!(p.unfilled().unwrap().len(), 2);
        p.unfilled().unwrap().copy_from_slice(b"cd");
        assert_eq!(p.advance(2), Ok(Status::Complete));
        assert_eq!(p.response().unwrap().body, b"abcd");
        assert!(p.response().unwrap().reusable);
    }

    #[test]
    fn bytes_after_completion_spoil_reuse() {
        let mut buf = [0u8; 128];
        let mut p = ResponseParser::new(&mut buf);
        p.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n")
            .unwrap();
        assert!(p.response().unwrap().reusable);
        assert_eq!(p.feed(b"HTTP/1.1"), Ok((8, Status::Complete)));
        assert!(!p.response().unwrap().reusable);
        assert_eq!(p.response().unwrap().body, b"a");
    }

    #[test]
    fn decimal_parsing() {
        assert_eq!(parse_decimal(b"0"), Some(0));
        assert_eq!(parse_decimal(b"0012"), Some(12));
        assert_eq!(parse_decimal(b""), None);
        assert_eq!(parse_decimal(b"1 2"), None);
        assert_eq!(parse_decimal(b"-1"), None);
        assert_eq!(trim(b" \t a b\t "), b"a b");
        assert_eq!(trim(b"   "), b"");
    }
}
