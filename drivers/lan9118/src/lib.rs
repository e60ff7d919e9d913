//! A polled driver for the SMSC LAN9118 Ethernet controller: the register-level
//! operations, with a smoltcp `phy::Device` (feature `smoltcp`, [`smoltcp_phy`]) and an
//! embassy-net-driver `Driver` (feature `embassy`, [`embassy_driver`]) on top. The two
//! firmwares for QEMU's mps2-an386 share it: `examples/firmware/https` (blocking, smoltcp)
//! and `examples/firmware/embassy`.
//!
//! The MPS2 board carries a LAN9220, which software drives as a LAN9118 (QEMU's
//! `mps2-an386` models a LAN9118 at 0x4020_0000, `hw/arm/mps2.c`). Registers and bits are
//! the datasheet's (SMSC LAN9118, section 5, "Register Description"); QEMU's model
//! (`hw/net/lan9118.c`) implements the same. No interrupts: the network stack polls
//! [`Lan9118::receive`] whenever it runs.
//!
//! Frames move through the controller's FIFOs in 32-bit words, little-endian: a received
//! frame is read word by word into the caller's buffer after its status word (its length,
//! CRC included), and a frame to send is written as TX command A, command B, then its
//! words.
#![no_std]
#![warn(unreachable_pub)]

#[cfg(feature = "embassy")]
pub mod embassy_driver;
#[cfg(feature = "smoltcp")]
pub mod smoltcp_phy;

use core::sync::atomic::{AtomicU32, Ordering};

/// The LAN9118's base address on mps2-an385/an386 (`ethernet_base` in QEMU's mps2.c).
pub const MPS2_BASE: usize = 0x4020_0000;

/// Largest Ethernet frame handled: 1,514 bytes without the CRC (MTU 1,500), rounded up to
/// whole FIFO words with room for the CRC the controller appends on receive.
pub const FRAME_BYTES: usize = 1_536;
/// One frame buffer.
pub type Frame = [u8; FRAME_BYTES];
/// The largest Ethernet frame sent, without the CRC (the controller adds it): the MTU
/// given to the network stack.
pub const MTU: usize = 1_514;

/// Room to send one frame, in the device's transmit buffer: the transmit token of both
/// adapters, each of which implements its stack's trait on it with [`TxToken::send`].
#[cfg(any(feature = "smoltcp", feature = "embassy"))]
pub struct TxToken<'a> {
    lan: &'a mut Lan9118,
    buffer: &'a mut Frame,
}

#[cfg(any(feature = "smoltcp", feature = "embassy"))]
impl TxToken<'_> {
    /// Hands the first `len` bytes of the buffer to `fill`, then sends them. Neither stack
    /// asks for more than the MTU it was given; more is cut to the MTU.
    fn send<R>(self, len: usize, fill: impl FnOnce(&mut [u8]) -> R) -> R {
        let frame = &mut self.buffer[..len.min(MTU)];
        let result = fill(frame);
        self.lan.transmit(frame);
        result
    }
}

// System control and status registers (byte offsets from the base).
const RX_DATA_FIFO: usize = 0x00;
const TX_DATA_FIFO: usize = 0x20;
const RX_STATUS_FIFO: usize = 0x40;
const TX_STATUS_FIFO: usize = 0x48;
const INT_EN: usize = 0x5C;
const BYTE_TEST: usize = 0x64;
const TX_CFG: usize = 0x70;
const HW_CFG: usize = 0x74;
const RX_FIFO_INF: usize = 0x7C;
const TX_FIFO_INF: usize = 0x80;
const PMT_CTRL: usize = 0x84;
const MAC_CSR_CMD: usize = 0xA4;
const MAC_CSR_DATA: usize = 0xA8;

/// What BYTE_TEST reads on a LAN9118 family part in the right byte order.
const BYTE_TEST_VALUE: u32 = 0x8765_4321;
/// HW_CFG: soft reset, self-clearing.
const HW_CFG_SRST: u32 = 1 << 0;
/// PMT_CTRL: the device is ready after reset.
const PMT_CTRL_READY: u32 = 1 << 0;
/// TX_CFG: transmitter on; TX status FIFO may overrun (we do not wait on it).
const TX_CFG_TX_ON: u32 = 1 << 1;
const TX_CFG_TXSAO: u32 = 1 << 2;
/// MAC_CSR_CMD: busy (start, then cleared when done), read (else write).
const CSR_BUSY: u32 = 1 << 31;
const CSR_READ: u32 = 1 << 30;
/// RX status: error summary; frame length (CRC included) in bits 29:16.
const RX_STATUS_ERROR: u32 = 1 << 15;
/// TX command A: first and last segment (each frame is one buffer).
const TX_CMD_A_FIRST: u32 = 1 << 13;
const TX_CMD_A_LAST: u32 = 1 << 12;
/// TX status: error summary.
const TX_STATUS_ERROR: u32 = 1 << 15;

// MAC control and status registers, reached through MAC_CSR_CMD / MAC_CSR_DATA.
const MAC_CR: u32 = 1;
const MAC_ADDRH: u32 = 2;
const MAC_ADDRL: u32 = 3;
const MII_ACC: u32 = 6;
const MII_DATA: u32 = 7;
/// MAC_CR: receiver and transmitter enabled, full duplex.
const MAC_CR_RXEN: u32 = 1 << 2;
const MAC_CR_TXEN: u32 = 1 << 3;
const MAC_CR_FDPX: u32 = 1 << 20;
/// MII_ACC: busy, write (else read); PHY address in 15:11, register in 10:6.
const MII_BUSY: u32 = 1 << 0;
const MII_WRITE: u32 = 1 << 1;

// The internal PHY, at MII address 1 (IEEE 802.3 clause 22 registers).
const PHY_ADDRESS: u32 = 1;
const PHY_BASIC_CONTROL: u32 = 0;
const PHY_BASIC_STATUS: u32 = 1;
const PHY_ADVERTISEMENT: u32 = 4;
const PHY_PARTNER_ABILITY: u32 = 5;
const PHY_CONTROL_RESET: u32 = 1 << 15;
const PHY_CONTROL_AUTONEGOTIATE: u32 = (1 << 12) | (1 << 9);
const PHY_STATUS_LINK: u32 = 1 << 2;
/// Advertisement / partner ability: 100BASE-TX full duplex, 10BASE-T full duplex.
const PHY_FULL_DUPLEX: u32 = (1 << 8) | (1 << 6);

/// Register polls before a wait is given up (reset, CSR and MII accesses take
/// microseconds on the part; QEMU completes them at once).
const POLLS: u32 = 100_000;

/// Why the controller could not be brought up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// BYTE_TEST did not read 0x87654321: no LAN9118 at this address, or wrong byte order.
    NotFound,
    /// A reset, CSR or MII access did not complete.
    Timeout,
    /// The MAC address (from the EEPROM) is not a unicast address.
    NoMacAddress,
    /// The PHY reports no link.
    NoLink,
}

/// The controller's registers.
#[derive(Clone, Copy)]
struct Registers {
    base: usize,
}

impl Registers {
    fn read(self, offset: usize) -> u32 {
        // SAFETY: `base` is the controller's register block (Lan9118::new's contract) and
        // `offset` one of its word-aligned registers.
        unsafe { core::ptr::read_volatile((self.base + offset) as *const u32) }
    }

    fn write(self, offset: usize, value: u32) {
        // SAFETY: as in `read`.
        unsafe { core::ptr::write_volatile((self.base + offset) as *mut u32, value) }
    }

    /// Polls `offset` until `done` holds for its value.
    fn wait(self, offset: usize, done: impl Fn(u32) -> bool) -> Result<u32, Error> {
        for _ in 0..POLLS {
            let value = self.read(offset);
            if done(value) {
                return Ok(value);
            }
        }
        Err(Error::Timeout)
    }

    fn mac_read(self, register: u32) -> Result<u32, Error> {
        self.write(MAC_CSR_CMD, CSR_BUSY | CSR_READ | register);
        self.wait(MAC_CSR_CMD, |cmd| cmd & CSR_BUSY == 0)?;
        Ok(self.read(MAC_CSR_DATA))
    }

    fn mac_write(self, register: u32, value: u32) -> Result<(), Error> {
        self.write(MAC_CSR_DATA, value);
        self.write(MAC_CSR_CMD, CSR_BUSY | register);
        self.wait(MAC_CSR_CMD, |cmd| cmd & CSR_BUSY == 0).map(drop)
    }

    fn mii_access(self, register: u32, write: bool) -> Result<(), Error> {
        let command = (PHY_ADDRESS << 11) | (register << 6) | MII_BUSY;
        self.mac_write(MII_ACC, if write { command | MII_WRITE } else { command })?;
        for _ in 0..POLLS {
            if self.mac_read(MII_ACC)? & MII_BUSY == 0 {
                return Ok(());
            }
        }
        Err(Error::Timeout)
    }

    fn phy_read(self, register: u32) -> Result<u32, Error> {
        self.mii_access(register, false)?;
        Ok(self.mac_read(MII_DATA)? & 0xFFFF)
    }

    /// Polls PHY `register` until `done` holds for its value.
    fn phy_wait(self, register: u32, done: impl Fn(u32) -> bool) -> Result<u32, Error> {
        for _ in 0..POLLS {
            let value = self.phy_read(register)?;
            if done(value) {
                return Ok(value);
            }
        }
        Err(Error::Timeout)
    }

    fn phy_write(self, register: u32, value: u32) -> Result<(), Error> {
        self.mac_write(MII_DATA, value)?;
        self.mii_access(register, true)
    }
}

/// Frames counted by the driver since start. Statics, not fields: the network stack owns
/// the device and does not hand it back, and there is one controller.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counters {
    /// Frames received and handed to the stack.
    pub received: u32,
    /// Frames dropped on receive: errors or too large.
    pub dropped: u32,
    /// Frames sent.
    pub sent: u32,
    /// Frames the controller reported failing to send, or could not take.
    pub send_errors: u32,
}

static RECEIVED: AtomicU32 = AtomicU32::new(0);
static DROPPED: AtomicU32 = AtomicU32::new(0);
static SENT: AtomicU32 = AtomicU32::new(0);
static SEND_ERRORS: AtomicU32 = AtomicU32::new(0);

fn count(counter: &AtomicU32) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// Frames counted so far.
pub fn counters() -> Counters {
    Counters {
        received: RECEIVED.load(Ordering::Relaxed),
        dropped: DROPPED.load(Ordering::Relaxed),
        sent: SENT.load(Ordering::Relaxed),
        send_errors: SEND_ERRORS.load(Ordering::Relaxed),
    }
}

/// The controller, brought up.
pub struct Lan9118 {
    registers: Registers,
    mac: [u8; 6],
}

impl Lan9118 {
    /// Resets the controller at `base`, brings up its PHY and MAC, and returns it with
    /// the MAC address its EEPROM holds.
    ///
    /// # Safety
    /// `base` must be the register block of a LAN9118-family controller that nothing else
    /// accesses while the returned value lives.
    pub unsafe fn new(base: usize) -> Result<Lan9118, Error> {
        let registers = Registers { base };
        if registers.read(BYTE_TEST) != BYTE_TEST_VALUE {
            return Err(Error::NotFound);
        }
        registers.write(HW_CFG, HW_CFG_SRST);
        registers.wait(HW_CFG, |cfg| cfg & HW_CFG_SRST == 0)?;
        registers.wait(PMT_CTRL, |pmt| pmt & PMT_CTRL_READY != 0)?;
        // Polled: no interrupt is wanted from the controller.
        registers.write(INT_EN, 0);

        let low = registers.mac_read(MAC_ADDRL)?.to_le_bytes();
        let high = registers.mac_read(MAC_ADDRH)?.to_le_bytes();
        let mac = [low[0], low[1], low[2], low[3], high[0], high[1]];
        // Unicast (the group bit clear) and not all zeros.
        if mac[0] & 1 != 0 || mac == [0; 6] {
            return Err(Error::NoMacAddress);
        }

        registers.phy_write(PHY_BASIC_CONTROL, PHY_CONTROL_RESET)?;
        registers.phy_wait(PHY_BASIC_CONTROL, |control| {
            control & PHY_CONTROL_RESET == 0
        })?;
        registers.phy_write(PHY_BASIC_CONTROL, PHY_CONTROL_AUTONEGOTIATE)?;
        registers
            .phy_wait(PHY_BASIC_STATUS, |status| status & PHY_STATUS_LINK != 0)
            .map_err(|_| Error::NoLink)?;
        // The MAC's duplex must match what autonegotiation settled on.
        let common =
            registers.phy_read(PHY_ADVERTISEMENT)? & registers.phy_read(PHY_PARTNER_ABILITY)?;
        let duplex = if common & PHY_FULL_DUPLEX != 0 {
            MAC_CR_FDPX
        } else {
            0
        };
        // Not promiscuous (the reset value is): our address and broadcast only.
        registers.mac_write(MAC_CR, MAC_CR_RXEN | MAC_CR_TXEN | duplex)?;
        registers.write(TX_CFG, TX_CFG_TX_ON | TX_CFG_TXSAO);

        Ok(Lan9118 { registers, mac })
    }

    /// The MAC address.
    pub fn mac(&self) -> [u8; 6] {
        self.mac
    }

    /// Whether the PHY reports a link (its basic status register; a read through the MAC's
    /// MII interface, some microseconds on the part).
    pub fn link_up(&self) -> bool {
        self.registers
            .phy_read(PHY_BASIC_STATUS)
            .is_ok_and(|status| status & PHY_STATUS_LINK != 0)
    }

    /// Reads the next received frame into `frame`: its length without the CRC, or `None`
    /// when none is waiting (or the one waiting was dropped: an error, or longer than
    /// `frame`).
    pub fn receive(&mut self, frame: &mut [u8]) -> Option<usize> {
        let registers = self.registers;
        // RX_FIFO_INF bits 23:16: status words waiting, one per frame.
        if (registers.read(RX_FIFO_INF) >> 16) & 0xFF == 0 {
            return None;
        }
        let status = registers.read(RX_STATUS_FIFO);
        let length = ((status >> 16) & 0x3FFF) as usize;
        let words = length.div_ceil(4);
        let good = status & RX_STATUS_ERROR == 0
            && length >= 4 + 14
            && words * 4 <= frame.len().min(FRAME_BYTES);
        if good {
            for chunk in frame.chunks_exact_mut(4).take(words) {
                chunk.copy_from_slice(&registers.read(RX_DATA_FIFO).to_le_bytes());
            }
            count(&RECEIVED);
            // Without the CRC.
            Some(length - 4)
        } else {
            // Drain it word by word (RX_DP_CTRL's fast-forward needs at least 4 words).
            for _ in 0..words {
                registers.read(RX_DATA_FIFO);
            }
            count(&DROPPED);
            None
        }
    }

    /// Sends `frame` (at most [`MTU`] bytes; longer ones are cut there) as one buffer,
    /// then collects the TX status. Failures are counted ([`counters`]), not returned:
    /// Ethernet loses frames, and TCP above resends them.
    pub fn transmit(&mut self, frame: &[u8]) {
        send(self.registers, &frame[..frame.len().min(MTU)]);
    }
}

/// Sends `frame` (at most [`MTU`] bytes) as one buffer, then collects the TX status.
fn send(registers: Registers, frame: &[u8]) {
    let length = frame.len() as u32;
    // TX_FIFO_INF bits 15:0: free bytes in the TX data FIFO; room for the frame and its
    // two command words.
    if registers
        .wait(TX_FIFO_INF, |inf| {
            (inf & 0xFFFF) as usize >= frame.len() + 8
        })
        .is_err()
    {
        count(&SEND_ERRORS);
        return;
    }
    registers.write(TX_DATA_FIFO, TX_CMD_A_FIRST | TX_CMD_A_LAST | length);
    // Command B: packet tag (the length, for the status) in 31:16, packet length in 10:0.
    registers.write(TX_DATA_FIFO, (length << 16) | length);
    let mut words = frame.chunks_exact(4);
    for word in &mut words {
        registers.write(
            TX_DATA_FIFO,
            u32::from_le_bytes([word[0], word[1], word[2], word[3]]),
        );
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut last = [0u8; 4];
        last[..rest.len()].copy_from_slice(rest);
        registers.write(TX_DATA_FIFO, u32::from_le_bytes(last));
    }
    count(&SENT);
    // TX_FIFO_INF bits 23:16: status words waiting.
    while (registers.read(TX_FIFO_INF) >> 16) & 0xFF != 0 {
        if registers.read(TX_STATUS_FIFO) & TX_STATUS_ERROR != 0 {
            count(&SEND_ERRORS);
        }
    }
}
