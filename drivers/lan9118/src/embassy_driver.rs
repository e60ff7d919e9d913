//! The driver as an embassy-net-driver 0.2 `Driver`, with one receive and one transmit
//! frame buffer (the caller's statics).
//!
//! Waking: the controller's interrupt is not used (QEMU models it; a real board's driver
//! would enable RX status FIFO level and TX status interrupts and wake from the handler).
//! Instead, when no frame is waiting, [`Driver::receive`](embassy_net_driver::Driver)
//! asks embassy-time's driver to wake the network task again one millisecond later: the
//! stack polls the controller every millisecond while it has nothing else to do. That is
//! enough under QEMU; on a board it keeps the CPU from sleeping for long.

use core::task::Context;

use embassy_net_driver::{Capabilities, ChecksumCapabilities, Driver, HardwareAddress, LinkState};

pub use crate::TxToken;
use crate::{Frame, Lan9118, MTU};

/// How long the network task sleeps before it polls the controller again, in embassy-time
/// ticks: one millisecond.
const POLL_TICKS: u64 = embassy_time_driver::TICK_HZ / 1_000;

/// The controller and its frame buffers, as embassy-net's driver.
pub struct Device {
    lan: Lan9118,
    rx: &'static mut Frame,
    tx: &'static mut Frame,
}

impl Device {
    /// `lan` with a receive and a transmit buffer.
    pub fn new(lan: Lan9118, rx: &'static mut Frame, tx: &'static mut Frame) -> Device {
        Device { lan, rx, tx }
    }
}

/// A received frame, in the device's receive buffer.
pub struct RxToken<'a> {
    frame: &'a mut [u8],
}

impl embassy_net_driver::RxToken for RxToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, f: F) -> R {
        f(self.frame)
    }
}

impl embassy_net_driver::TxToken for TxToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        self.send(len, f)
    }
}

impl Driver for Device {
    type RxToken<'a> = RxToken<'a>;
    type TxToken<'a> = TxToken<'a>;

    fn receive(&mut self, cx: &mut Context<'_>) -> Option<(RxToken<'_>, TxToken<'_>)> {
        let Device { lan, rx, tx } = self;
        let Some(length) = lan.receive(&mut rx[..]) else {
            // Nothing waiting: look again in a millisecond (module docs).
            embassy_time_driver::schedule_wake(embassy_time_driver::now() + POLL_TICKS, cx.waker());
            return None;
        };
        Some((
            RxToken {
                frame: &mut rx[..length],
            },
            TxToken { lan, buffer: tx },
        ))
    }

    fn transmit(&mut self, _: &mut Context<'_>) -> Option<TxToken<'_>> {
        // Sending waits in `Lan9118::transmit` until the FIFO has room: always ready.
        Some(TxToken {
            lan: &mut self.lan,
            buffer: self.tx,
        })
    }

    fn link_state(&mut self, cx: &mut Context<'_>) -> LinkState {
        if self.lan.link_up() {
            LinkState::Up
        } else {
            // No link interrupt either: look again in a millisecond.
            embassy_time_driver::schedule_wake(embassy_time_driver::now() + POLL_TICKS, cx.waker());
            LinkState::Down
        }
    }

    fn capabilities(&self) -> Capabilities {
        let mut capabilities = Capabilities::default();
        capabilities.max_transmission_unit = MTU;
        // No checksum offload: embassy-net (smoltcp) computes and checks every checksum.
        capabilities.checksum = ChecksumCapabilities::default();
        capabilities
    }

    fn hardware_address(&self) -> HardwareAddress {
        HardwareAddress::Ethernet(self.lan.mac())
    }
}
