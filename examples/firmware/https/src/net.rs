//! The network as juspay-transport-embedded sees it: smoltcp (IPv4, TCP) over the
//! LAN9118, as an embedded-nal 0.9 `TcpClientStack`, and a [`Clock`] whose `idle` polls
//! the interface so that smoltcp makes progress while the transport waits.
//!
//! A thin adapter of ours rather than smoltcp-nal 0.7 (which does target embedded-nal 0.9
//! and smoltcp 0.12, and ran every scenario here). What did not fit:
//! - flash: smoltcp-nal turns on smoltcp's IPv6, UDP, DNS and DHCP (`proto-ipv6`,
//!   `socket-udp`, `socket-dns`, `socket-dhcpv4`), none of which this firmware uses; with
//!   them (and smoltcp-nal's DHCP and DNS handling) the image was 24,296 bytes larger and
//!   took 904 bytes more static RAM, measured when this adapter replaced it;
//! - its `receive` returns `Ok(0)` while no data has arrived (smoltcp's `recv_slice`
//!   does), which embedded-io readers take for the end of the stream, and reports the
//!   peer's FIN as an error; its `send` returns `Ok(0)` when the socket buffer is full,
//!   on which embedded-io's `write_all` panics. Both needed a wrapper anyway;
//! - a connection the server refuses is retried from a new port until the deadline,
//!   rather than reported;
//! - it brings embedded-time (a second clock type), heapless 0.8 beside our 0.9, and
//!   nanorand.
//!
//! The stack owns one TCP socket (the transport keeps one connection). The transport
//! holds the stack (`&mut`) for as long as a connection lives, and the clock must poll
//! that same stack, so both reach it through one [`Network`] (a `RefCell`, borrowed for
//! the length of one call, never across a wait): [`Tcp`] is the stack the transport is
//! handed, [`BoardClock`] its clock.
//!
//! [`Clock`]: juspay_transport_embedded::Clock

use core::cell::{Cell, RefCell};
use core::net::{IpAddr, SocketAddr};

use embedded_nal::{TcpClientStack, TcpErrorKind, nb};
use smoltcp::iface::{Interface, PollResult, SocketHandle, SocketSet};
use smoltcp::socket::tcp::{self, ConnectError, RecvError, SendError, State};
use smoltcp::time::Instant;

use juspay_firmware_harness::instructions::{self, INSTRUCTIONS_PER_TICK};

use crate::clock;
use lan9118::smoltcp_phy::Device;

/// First port of the dynamic range (RFC 6335), from which local ports are taken.
const EPHEMERAL_PORTS: u16 = 49_152;

/// What a socket operation ended in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetError {
    /// The one socket is in use.
    NoSocket,
    /// Only IPv4 is built in.
    Ipv6,
    /// smoltcp refused to start the connection.
    Connect(ConnectError),
    /// The server refused or reset the connection before it was established.
    Refused,
    /// The connection is not open for sending.
    Send(SendError),
    /// The connection is not open for receiving (reset, or never established).
    Receive(RecvError),
}

impl embedded_nal::TcpError for NetError {
    fn kind(&self) -> TcpErrorKind {
        match self {
            NetError::Send(_) | NetError::Receive(_) => TcpErrorKind::PipeClosed,
            _ => TcpErrorKind::Other,
        }
    }
}

/// smoltcp's interface over the LAN9118, with one TCP socket.
pub struct Stack {
    interface: Interface,
    device: Device,
    sockets: SocketSet<'static>,
    tcp: SocketHandle,
    /// The socket is handed out.
    in_use: bool,
    /// A connect was started on the socket: Closed then means refused.
    connecting: bool,
    next_port: u16,
}

impl Stack {
    /// A stack over `interface` and `device`, with `socket` its one TCP socket; local
    /// ports start from `seed` (different on every boot, so that a restarted device does
    /// not reuse the last connection's port).
    pub fn new(
        interface: Interface,
        device: Device,
        mut sockets: SocketSet<'static>,
        socket: tcp::Socket<'static>,
        seed: u16,
    ) -> Stack {
        let tcp = sockets.add(socket);
        Stack {
            interface,
            device,
            sockets,
            tcp,
            in_use: false,
            connecting: false,
            next_port: EPHEMERAL_PORTS + seed % (u16::MAX - EPHEMERAL_PORTS),
        }
    }

    /// Receives what arrived and sends what is queued: whether any socket changed.
    fn poll(&mut self) -> bool {
        let now = Instant::from_millis(clock::millis() as i64);
        self.interface
            .poll(now, &mut self.device, &mut self.sockets)
            == PollResult::SocketStateChanged
    }

    fn socket(&mut self) -> &mut tcp::Socket<'static> {
        self.sockets.get_mut(self.tcp)
    }

    fn local_port(&mut self) -> u16 {
        let port = self.next_port;
        self.next_port = port
            .checked_add(1)
            .unwrap_or(EPHEMERAL_PORTS)
            .max(EPHEMERAL_PORTS);
        port
    }
}

/// The network stack, shared by the transport's socket and its clock, and what waiting
/// for the network has cost.
pub struct Network {
    stack: RefCell<Stack>,
    /// Instruction counter ticks spent polling while nothing arrived or left, since
    /// [`Network::measure`] began.
    waited: Cell<u32>,
    /// When the last poll that found nothing to do began.
    idle_since: Cell<Option<u32>>,
    /// Ticks of the last measured work, waiting left out.
    work: Cell<u32>,
    /// Ticks when the work under way started.
    started: Cell<u32>,
    /// Work started and not yet ended.
    running: Cell<bool>,
}

impl Network {
    /// The network over `stack`.
    pub fn new(stack: Stack) -> Network {
        Network {
            stack: RefCell::new(stack),
            waited: Cell::new(0),
            idle_since: Cell::new(None),
            work: Cell::new(0),
            started: Cell::new(0),
            running: Cell::new(false),
        }
    }

    /// The stack as the transport takes it.
    pub fn tcp(&self) -> Tcp<'_> {
        Tcp(self)
    }

    /// The clock for the transport's timer.
    pub fn clock(&self) -> BoardClock<'_> {
        BoardClock(self)
    }

    /// Polls, as the transport's clock does while it waits, counting the time of polls
    /// that found nothing to do (no frame in or out, no socket changed) together with the
    /// transport's own retry that follows them: that is waiting for the server, which a
    /// real board would spend asleep, not work.
    fn idle(&self) {
        let now = instructions::ticks();
        if let Some(since) = self.idle_since.take() {
            self.waited.set(self.waited.get() + now.wrapping_sub(since));
        }
        let frames = lan9118::counters();
        let changed = self.stack.borrow_mut().poll();
        if !changed && lan9118::counters() == frames {
            self.idle_since.set(Some(now));
        }
    }

    /// Runs `work` and returns its result; [`Network::work_instructions`] then gives the
    /// instructions it took, less those spent waiting for the network (see
    /// [`Network::idle`]).
    pub fn measure<R>(&self, work: impl FnOnce() -> R) -> R {
        self.start_work();
        let result = work();
        self.end_work();
        result
    }

    /// Starts counting work, for a result too large to pass through [`Network::measure`]'s
    /// closure (the connection: its copy would sit under the handshake); the count ends at
    /// [`Network::work_instructions`].
    pub fn start_work(&self) {
        self.running.set(true);
        self.waited.set(0);
        self.idle_since.set(None);
        self.started.set(instructions::ticks());
    }

    /// Ends what [`Network::start_work`] started.
    fn end_work(&self) {
        self.running.set(false);
        let end = instructions::ticks();
        // Work that ended in a wait (a deadline) waited up to its end.
        if let Some(since) = self.idle_since.take() {
            self.waited.set(self.waited.get() + end.wrapping_sub(since));
        }
        self.work.set(
            end.wrapping_sub(self.started.get())
                .saturating_sub(self.waited.get()),
        );
    }

    /// The instructions of the last [`Network::measure`] (or of the work since
    /// [`Network::start_work`]), waiting left out.
    pub fn work_instructions(&self) -> u64 {
        if self.running.get() {
            self.end_work();
        }
        u64::from(self.work.get()) * u64::from(INSTRUCTIONS_PER_TICK)
    }
}

/// The network stack as juspay-transport-embedded takes it.
pub struct Tcp<'a>(&'a Network);

impl TcpClientStack for Tcp<'_> {
    type TcpSocket = SocketHandle;
    type Error = NetError;

    fn socket(&mut self) -> Result<SocketHandle, NetError> {
        let mut stack = self.0.stack.borrow_mut();
        if stack.in_use {
            return Err(NetError::NoSocket);
        }
        // Whatever the last connection left (a FIN not yet answered) ends here.
        stack.socket().abort();
        stack.in_use = true;
        stack.connecting = false;
        Ok(stack.tcp)
    }

    fn connect(
        &mut self,
        socket: &mut SocketHandle,
        remote: SocketAddr,
    ) -> nb::Result<(), NetError> {
        let IpAddr::V4(address) = remote.ip() else {
            return Err(nb::Error::Other(NetError::Ipv6));
        };
        let mut stack = self.0.stack.borrow_mut();
        match stack.sockets.get::<tcp::Socket>(*socket).state() {
            State::Established => Ok(()),
            // Reset (or given up) before it was established.
            State::Closed if stack.connecting => Err(nb::Error::Other(NetError::Refused)),
            State::Closed => {
                let port = stack.local_port();
                let Stack {
                    interface, sockets, ..
                } = &mut *stack;
                sockets
                    .get_mut::<tcp::Socket>(*socket)
                    .connect(interface.context(), (address, remote.port()), port)
                    .map_err(|e| nb::Error::Other(NetError::Connect(e)))?;
                stack.connecting = true;
                Err(nb::Error::WouldBlock)
            }
            _ => Err(nb::Error::WouldBlock),
        }
    }

    fn send(&mut self, socket: &mut SocketHandle, buffer: &[u8]) -> nb::Result<usize, NetError> {
        let mut stack = self.0.stack.borrow_mut();
        match stack
            .sockets
            .get_mut::<tcp::Socket>(*socket)
            .send_slice(buffer)
        {
            // A full socket buffer: embedded-nal's "not now", never `Ok(0)`.
            Ok(0) if !buffer.is_empty() => Err(nb::Error::WouldBlock),
            Ok(sent) => Ok(sent),
            Err(e) => Err(nb::Error::Other(NetError::Send(e))),
        }
    }

    fn receive(
        &mut self,
        socket: &mut SocketHandle,
        buffer: &mut [u8],
    ) -> nb::Result<usize, NetError> {
        let mut stack = self.0.stack.borrow_mut();
        match stack
            .sockets
            .get_mut::<tcp::Socket>(*socket)
            .recv_slice(buffer)
        {
            // Nothing yet (smoltcp's `Ok(0)`): "not now". `Ok(0)` is the end of the stream.
            Ok(0) if !buffer.is_empty() => Err(nb::Error::WouldBlock),
            Ok(received) => Ok(received),
            // The peer's FIN, everything before it read: the end of the stream.
            Err(RecvError::Finished) => Ok(0),
            Err(e) => Err(nb::Error::Other(NetError::Receive(e))),
        }
    }

    fn close(&mut self, socket: SocketHandle) -> Result<(), NetError> {
        let mut stack = self.0.stack.borrow_mut();
        stack.sockets.get_mut::<tcp::Socket>(socket).close();
        stack.in_use = false;
        // Send what was written last (a TLS close_notify) and the FIN now: the next
        // `socket()` takes this socket over.
        stack.poll();
        Ok(())
    }
}

/// Milliseconds from SysTick for the transport's deadlines; waits poll the network.
pub struct BoardClock<'a>(&'a Network);

impl juspay_transport_embedded::Clock for BoardClock<'_> {
    fn now_ms(&self) -> u64 {
        clock::millis()
    }

    fn idle(&self) {
        self.0.idle();
    }
}
