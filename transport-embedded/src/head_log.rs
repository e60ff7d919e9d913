//! The request and response heads at debug level, secrets redacted (feature `log`, hosts):
//! a connection that shows what passes through it, blocking or async.

use embedded_io::{ErrorType, Read, Write};
use juspay_core::HeadCapture;

/// Bytes of a head kept for logging; longer heads are logged cut.
const LOGGED_HEAD_LIMIT: usize = 2048;

pub(crate) struct HeadLog<C> {
    connection: C,
    /// The heads, kept only while debug logging is on.
    heads: Option<(
        HeadCapture<LOGGED_HEAD_LIMIT>,
        HeadCapture<LOGGED_HEAD_LIMIT>,
    )>,
}

impl<C> HeadLog<C> {
    pub(crate) fn new(connection: C) -> Self {
        let heads =
            log::log_enabled!(log::Level::Debug).then(|| (HeadCapture::new(), HeadCapture::new()));
        HeadLog { connection, heads }
    }

    /// `bytes` were read.
    fn received(&mut self, bytes: Option<&[u8]>) {
        if let (Some((_, response)), Some(bytes)) = (self.heads.as_mut(), bytes)
            && let Some(head) = response.observe(bytes)
        {
            log::debug!("response head:\n{head}");
        }
    }

    /// `bytes` were written.
    fn sent(&mut self, bytes: Option<&[u8]>) {
        if let (Some((request, _)), Some(bytes)) = (self.heads.as_mut(), bytes)
            && let Some(head) = request.observe(bytes)
        {
            log::debug!("request head:\n{head}");
        }
    }
}

impl<C: ErrorType> ErrorType for HeadLog<C> {
    type Error = C::Error;
}

impl<C: Read> Read for HeadLog<C> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, C::Error> {
        let n = self.connection.read(buf)?;
        self.received(buf.get(..n));
        Ok(n)
    }
}

impl<C: Write> Write for HeadLog<C> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, C::Error> {
        let n = self.connection.write(buf)?;
        self.sent(buf.get(..n));
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), C::Error> {
        self.connection.flush()
    }
}

#[cfg(feature = "async")]
impl<C: embedded_io_async::Read> embedded_io_async::Read for HeadLog<C> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, C::Error> {
        let n = self.connection.read(buf).await?;
        self.received(buf.get(..n));
        Ok(n)
    }
}

#[cfg(feature = "async")]
impl<C: embedded_io_async::Write> embedded_io_async::Write for HeadLog<C> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, C::Error> {
        let n = self.connection.write(buf).await?;
        self.sent(buf.get(..n));
        Ok(n)
    }

    async fn flush(&mut self) -> Result<(), C::Error> {
        self.connection.flush().await
    }
}
