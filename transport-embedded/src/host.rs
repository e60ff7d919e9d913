//! What the host gives in place of a firmware's: the system clock, the OS RNG and
//! std-embedded-nal's stack (feature `std`).

use std::time::{Instant, SystemTime, UNIX_EPOCH};

pub use rand_core::OsRng;
pub use std_embedded_nal::Stack;

use crate::socket::Clock;
use crate::verifier::CertificateTime;

/// The host's monotonic clock for deadlines; waits yield the CPU for 100 µs.
#[derive(Debug, Clone, Copy)]
pub struct MonotonicClock {
    start: Instant,
}

impl MonotonicClock {
    /// A clock counting from now.
    pub fn new() -> Self {
        MonotonicClock {
            start: Instant::now(),
        }
    }
}

impl Default for MonotonicClock {
    fn default() -> Self {
        MonotonicClock::new()
    }
}

impl Clock for MonotonicClock {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn idle(&self) {
        std::thread::sleep(std::time::Duration::from_micros(100));
    }
}

/// The host's wall clock, which a host trusts, for certificate validity.
pub fn wall_clock() -> CertificateTime {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    CertificateTime::Now(now)
}
