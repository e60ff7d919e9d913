//! What the host gives in place of a firmware's: the system clock, the OS RNG and
//! std-embedded-nal's stack (feature `std`).

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use embedded_tls::blocking::TlsClock;

pub use rand_core::OsRng;
pub use std_embedded_nal::Stack;

use crate::socket::Clock;

/// The host's monotonic clock for deadlines; waits yield the CPU for 100 µs.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    start: Instant,
}

impl SystemClock {
    /// A clock counting from now.
    pub fn new() -> Self {
        SystemClock {
            start: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn idle(&self) {
        std::thread::sleep(std::time::Duration::from_micros(100));
    }
}

/// Certificate validity is checked against the system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct WallClock;

impl TlsClock for WallClock {
    fn now() -> Option<u64> {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .ok()
            .map(|d| d.as_secs())
    }
}
