//! An embedded-nal TCP socket as an `embedded_io` connection, with deadlines.

use core::cell::Cell;
use core::fmt;
use core::net::SocketAddr;

use embedded_io::{ErrorKind, ErrorType, Read, Write};
use embedded_nal::{TcpClientStack, nb};

/// A monotonic clock the firmware supplies, for deadlines.
pub trait Clock {
    /// Milliseconds since any fixed point; must not go backwards.
    fn now_ms(&self) -> u64;

    /// Called while the stack says "would block": a place to sleep, poll the network
    /// interface or feed a watchdog. Does nothing by default.
    fn idle(&self) {}

    /// Called by the blocking [`Client`](crate::Client) between the TLS handshake's
    /// expensive steps (key generation, ECDH, the certificate chain, the handshake
    /// signature; each up to a few million instructions on a Cortex-M4): a place to feed
    /// a watchdog. Not a wait, unlike [`idle`](Self::idle). Does nothing by default.
    fn handshake_step(&self) {}
}

/// What the [`AsyncClient`](crate::AsyncClient) needs of the firmware's clock beyond
/// [`Clock::now_ms`]: a way to wait until an instant of it (feature `async`). The one
/// timer trait of the crate, so that the async client runs on any executor; each socket
/// operation races this against the I/O (`embassy_futures::select`), and the I/O is
/// dropped when the deadline wins.
///
/// With embassy-time (the embassy firmware, `examples/firmware/embassy/src/main.rs`, runs
/// this one):
///
/// ```
/// use juspay_transport_embedded::{Clock, Sleep};
///
/// struct EmbassyClock;
/// impl Clock for EmbassyClock {
///     fn now_ms(&self) -> u64 {
///         embassy_time::Instant::now().as_millis()
///     }
/// }
/// impl Sleep for EmbassyClock {
///     async fn sleep_until(&self, deadline_ms: u64) {
///         embassy_time::Timer::at(embassy_time::Instant::from_millis(deadline_ms)).await
///     }
/// }
/// ```
#[cfg(feature = "async")]
pub trait Sleep: Clock {
    /// Completes once [`now_ms`](Clock::now_ms) has reached `deadline_ms` (at once when
    /// it already has).
    fn sleep_until(&self, deadline_ms: u64) -> impl Future<Output = ()>;
}

/// A [`Clock`] with the deadline of the operation under way (a connect, a call, a flow).
/// Shared by reference between the client and its socket, which lives inside the TLS
/// connection; a [`Connector`](crate::Connector) makes it from the firmware's clock.
pub struct Deadline<C> {
    clock: C,
    deadline_ms: Cell<u64>,
}

impl<C: Clock> Deadline<C> {
    /// A deadline on `clock`, not set yet (everything times out at once).
    pub fn new(clock: C) -> Self {
        Deadline {
            clock,
            deadline_ms: Cell::new(0),
        }
    }

    /// Sets the deadline `timeout_ms` from now.
    pub fn start(&self, timeout_ms: u64) {
        self.deadline_ms
            .set(self.clock.now_ms().saturating_add(timeout_ms));
    }

    /// The clock.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// Polls a non-blocking operation until it completes or the deadline passes. The
    /// deadline is checked before every attempt, not only while waiting, so a peer that
    /// trickles bytes cannot stretch an operation past it.
    pub(crate) fn poll<T, E>(
        &self,
        mut operation: impl FnMut() -> nb::Result<T, E>,
    ) -> Result<T, SocketError<E>> {
        loop {
            if self.clock.now_ms() >= self.deadline_ms.get() {
                return Err(SocketError::Timeout);
            }
            match operation() {
                Ok(value) => return Ok(value),
                Err(nb::Error::Other(e)) => return Err(SocketError::Stack(e)),
                Err(nb::Error::WouldBlock) => self.clock.idle(),
            }
        }
    }
}

#[cfg(feature = "async")]
impl<C: Sleep> Deadline<C> {
    /// Runs `operation` until it completes (`Some`) or the deadline passes (`None`). As
    /// with [`poll`](Self::poll), the deadline is checked before the operation starts, so
    /// that a peer which always has a byte ready cannot stretch a call past it.
    pub(crate) async fn run<F: Future>(&self, operation: F) -> Option<F::Output> {
        use embassy_futures::select::{Either, select};
        let deadline_ms = self.deadline_ms.get();
        if self.clock.now_ms() >= deadline_ms {
            return None;
        }
        match select(operation, self.clock.sleep_until(deadline_ms)).await {
            Either::First(output) => Some(output),
            Either::Second(()) => None,
        }
    }
}

/// What a socket operation ended in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketError<E> {
    /// The deadline passed.
    Timeout,
    /// The network stack failed.
    Stack(E),
}

impl<E> fmt::Display for SocketError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The stack's error is only `Debug` (embedded-nal asks no more): it stays in the
        // value, for `{:?}`, and out of the text.
        match self {
            SocketError::Timeout => f.write_str("timed out"),
            SocketError::Stack(_) => f.write_str("network stack error"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for SocketError<E> {}

impl<E: fmt::Debug> embedded_io::Error for SocketError<E> {
    fn kind(&self) -> ErrorKind {
        match self {
            SocketError::Timeout => ErrorKind::TimedOut,
            SocketError::Stack(_) => ErrorKind::Other,
        }
    }
}

/// A connected TCP socket of stack `S`. Closed when dropped.
pub struct NalSocket<'a, S: TcpClientStack, C: Clock> {
    stack: &'a mut S,
    socket: Option<S::TcpSocket>,
    deadline: &'a Deadline<C>,
}

impl<'a, S: TcpClientStack, C: Clock> NalSocket<'a, S, C> {
    /// Opens a socket and connects it to `remote` before the deadline.
    pub fn connect(
        stack: &'a mut S,
        remote: SocketAddr,
        deadline: &'a Deadline<C>,
    ) -> Result<Self, SocketError<S::Error>> {
        let mut socket = stack.socket().map_err(SocketError::Stack)?;
        match deadline.poll(|| stack.connect(&mut socket, remote)) {
            Ok(()) => Ok(NalSocket {
                stack,
                socket: Some(socket),
                deadline,
            }),
            Err(e) => {
                let _ = stack.close(socket);
                Err(e)
            }
        }
    }
}

impl<S: TcpClientStack, C: Clock> Drop for NalSocket<'_, S, C> {
    fn drop(&mut self) {
        if let Some(socket) = self.socket.take() {
            let _ = self.stack.close(socket);
        }
    }
}

impl<S: TcpClientStack, C: Clock> ErrorType for NalSocket<'_, S, C> {
    type Error = SocketError<S::Error>;
}

impl<S: TcpClientStack, C: Clock> Read for NalSocket<'_, S, C> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let (stack, deadline) = (&mut *self.stack, self.deadline);
        match self.socket.as_mut() {
            Some(socket) => deadline.poll(|| stack.receive(socket, buf)),
            None => Ok(0),
        }
    }
}

impl<S: TcpClientStack, C: Clock> Write for NalSocket<'_, S, C> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        let (stack, deadline) = (&mut *self.stack, self.deadline);
        match self.socket.as_mut() {
            Some(socket) => deadline.poll(|| stack.send(socket, buf)),
            None => Ok(0),
        }
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}
