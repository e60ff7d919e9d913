//! What the host gives in place of a firmware's: the system clock, the OS RNG and
//! std-embedded-nal's stack (feature `std`); with `async` too, std-embedded-nal-async's
//! stack, async-io's timer for [`Sleep`](crate::Sleep) and async-io's [`block_on`] as
//! the executor (any executor works: async-io runs its own reactor thread otherwise).

use std::time::{Instant, SystemTime, UNIX_EPOCH};

#[cfg(feature = "async")]
pub use async_io::block_on;
pub use rand_core::OsRng;
pub use std_embedded_nal::Stack;
/// The host's network stack for the [`AsyncClient`](crate::AsyncClient): std-embedded-nal-async's,
/// which implements both `TcpConnect` and `Dns` (pass it twice).
#[cfg(feature = "async")]
pub use std_embedded_nal_async::Stack as AsyncStack;

use crate::socket::Clock;
use juspay_tls::CertificateTime;

/// The host's monotonic clock for deadlines; blocking waits yield the CPU for 100 µs,
/// async ones are async-io timers.
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

#[cfg(feature = "async")]
impl crate::Sleep for MonotonicClock {
    fn sleep_until(&self, deadline_ms: u64) -> impl Future<Output = ()> {
        let at = self
            .start
            .checked_add(std::time::Duration::from_millis(deadline_ms));
        async move {
            match at {
                Some(at) => async_io::Timer::at(at).await,
                None => async_io::Timer::never().await,
            };
        }
    }
}

/// The host's wall clock, which a host trusts, for certificate validity.
pub fn wall_clock() -> CertificateTime {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    CertificateTime::Now(now)
}
