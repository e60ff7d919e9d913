//! The driver as a smoltcp 0.12 `phy::Device`, with one receive and one transmit frame
//! buffer (the caller's, so that they can be statics rather than moved through the stack).

use smoltcp::phy::{self, ChecksumCapabilities, DeviceCapabilities, Medium};
use smoltcp::time::Instant;
use smoltcp::wire::EthernetAddress;

pub use crate::TxToken;
use crate::{Frame, Lan9118, MTU};

/// The controller and its frame buffers, as smoltcp's device.
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

    /// The MAC address.
    pub fn mac(&self) -> EthernetAddress {
        EthernetAddress(self.lan.mac())
    }
}

/// A received frame, in the device's receive buffer.
pub struct RxToken<'a> {
    frame: &'a [u8],
}

impl phy::RxToken for RxToken<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(self.frame)
    }
}

impl phy::TxToken for TxToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        self.send(len, f)
    }
}

impl phy::Device for Device {
    type RxToken<'a> = RxToken<'a>;
    type TxToken<'a> = TxToken<'a>;

    fn receive(&mut self, _: Instant) -> Option<(RxToken<'_>, TxToken<'_>)> {
        let Device { lan, rx, tx } = self;
        let length = lan.receive(&mut rx[..])?;
        Some((
            RxToken {
                frame: &rx[..length],
            },
            TxToken { lan, buffer: tx },
        ))
    }

    fn transmit(&mut self, _: Instant) -> Option<TxToken<'_>> {
        Some(TxToken {
            lan: &mut self.lan,
            buffer: self.tx,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut capabilities = DeviceCapabilities::default();
        capabilities.medium = Medium::Ethernet;
        capabilities.max_transmission_unit = MTU;
        // The LAN9118 has no checksum offload (the LAN9220's is not used): smoltcp
        // computes and checks every checksum.
        capabilities.checksum = ChecksumCapabilities::default();
        capabilities
    }
}
