//! A test double, not a transport: an in-memory connection that serves recorded response
//! bytes, optionally in given pieces, and keeps what was written. For tests on the host
//! and for firmware self-tests (the `examples/firmware` images run juspay-core over it on
//! the target); nothing in it talks to a network.

use embedded_io::{ErrorKind, ErrorType, Read, Write};

/// The in-memory connection's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MemoryError {
    /// The buffer for written bytes is full.
    WriteBufferFull,
}

impl core::fmt::Display for MemoryError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("the in-memory connection's write buffer is full")
    }
}

impl core::error::Error for MemoryError {}

impl embedded_io::Error for MemoryError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::OutOfMemory
    }
}

/// Serves `response` to reads and records writes into a caller buffer.
#[derive(Debug)]
pub struct MemoryConnection<'a> {
    response: &'a [u8],
    pieces: &'a [usize],
    reads: usize,
    read_limit: usize,
    written: &'a mut [u8],
    written_len: usize,
}

impl<'a> MemoryConnection<'a> {
    /// Serves `response` in reads as large as the reader asks for; writes go to `written`.
    pub fn new(response: &'a [u8], written: &'a mut [u8]) -> Self {
        MemoryConnection {
            response,
            pieces: &[],
            reads: 0,
            read_limit: usize::MAX,
            written,
            written_len: 0,
        }
    }

    /// Serves the response in reads of at most these sizes, in turn; after the last, in
    /// reads as large as asked for. A size of 0 is skipped.
    #[must_use]
    pub fn with_pieces(mut self, pieces: &'a [usize]) -> Self {
        self.pieces = pieces;
        self
    }

    /// Serves at most `limit` bytes per read once the pieces are used up (1: a byte at a
    /// time, as over a slow serial modem). A limit of 0 counts as 1.
    #[must_use]
    pub fn with_read_limit(mut self, limit: usize) -> Self {
        self.read_limit = limit.max(1);
        self
    }

    /// Everything written so far.
    pub fn written(&self) -> &[u8] {
        self.written.get(..self.written_len).unwrap_or_default()
    }

    /// Bytes of the response not yet read.
    pub fn remaining(&self) -> &'a [u8] {
        self.response
    }
}

impl ErrorType for MemoryConnection<'_> {
    type Error = MemoryError;
}

impl Read for MemoryConnection<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, MemoryError> {
        let mut limit = self.read_limit;
        while let Some(&piece) = self.pieces.get(self.reads) {
            self.reads += 1;
            if piece > 0 {
                limit = piece;
                break;
            }
        }
        let n = buf.len().min(limit).min(self.response.len());
        let (now, later) = self.response.split_at(n);
        if let Some(dst) = buf.get_mut(..n) {
            dst.copy_from_slice(now);
        }
        self.response = later;
        Ok(n)
    }
}

impl Write for MemoryConnection<'_> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, MemoryError> {
        let free = self.written.get_mut(self.written_len..).unwrap_or_default();
        if free.is_empty() && !buf.is_empty() {
            return Err(MemoryError::WriteBufferFull);
        }
        let n = free.len().min(buf.len());
        if let (Some(dst), Some(src)) = (free.get_mut(..n), buf.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.written_len += n;
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), MemoryError> {
        Ok(())
    }
}

// The same connection for the async driver (feature `async`): every call completes at once.
#[cfg(feature = "async")]
impl embedded_io_async::Read for MemoryConnection<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, MemoryError> {
        Read::read(self, buf)
    }
}

#[cfg(feature = "async")]
impl embedded_io_async::Write for MemoryConnection<'_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, MemoryError> {
        Write::write(self, buf)
    }

    async fn flush(&mut self) -> Result<(), MemoryError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_pieces_then_the_rest() {
        let mut written = [0u8; 4];
        let mut c = MemoryConnection::new(b"abcdefgh", &mut written).with_pieces(&[1, 0, 2]);
        let mut buf = [0u8; 8];
        assert_eq!(c.read(&mut buf), Ok(1));
        assert_eq!(c.read(&mut buf), Ok(2));
        assert_eq!(&buf[..2], b"bc");
        assert_eq!(c.read(&mut buf[..3]), Ok(3));
        assert_eq!(c.read(&mut buf), Ok(2));
        assert_eq!(c.read(&mut buf), Ok(0));
    }

    #[test]
    fn read_limit_after_pieces() {
        let mut written = [0u8; 4];
        let mut c = MemoryConnection::new(b"abcdef", &mut written)
            .with_pieces(&[3])
            .with_read_limit(1);
        let mut buf = [0u8; 8];
        assert_eq!(c.read(&mut buf), Ok(3));
        assert_eq!(c.read(&mut buf), Ok(1));
        assert_eq!(c.read(&mut buf), Ok(1));
        assert_eq!(c.remaining(), b"f");
    }

    #[test]
    fn keeps_writes_until_full() {
        let mut written = [0u8; 4];
        let mut c = MemoryConnection::new(b"", &mut written);
        assert_eq!(c.write(b"abc"), Ok(3));
        assert_eq!(c.write(b"def"), Ok(1));
        assert_eq!(c.write(b"g"), Err(MemoryError::WriteBufferFull));
        assert_eq!(c.written(), b"abcd");
    }
}
