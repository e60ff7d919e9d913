//! embassy-time's driver on SysTick, as a HAL would supply it: a millisecond tick
//! (`tick-hz-1_000`) counted by the SysTick exception, and one timer queue
//! (embassy-time-queue-utils) that the same exception looks at on every tick.
//!
//! QEMU's mps2-an386 clocks the Cortex-M4 (and SysTick with CLKSOURCE = processor) at
//! 25 MHz (`SYSCLK_FRQ` in `hw/arm/mps2.c`). A tick every millisecond keeps this short: no
//! alarm to program, since the exception comes every tick anyway; a board that sleeps
//! between events would program a compare alarm (the CMSDK timer, an RTC) for the queue's
//! next expiration instead.

use core::cell::{Cell, RefCell};
use core::task::Waker;

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::exception;
use critical_section::Mutex;
use embassy_time_driver::Driver;
use embassy_time_queue_utils::Queue;

/// SysTick counts per millisecond at 25 MHz.
const COUNTS_PER_TICK: u32 = 25_000;

struct SysTickDriver {
    /// Milliseconds since [`start`].
    ticks: Mutex<Cell<u64>>,
    /// The wakers waiting for an instant, with their instants.
    queue: Mutex<RefCell<Queue>>,
}

embassy_time_driver::time_driver_impl!(static DRIVER: SysTickDriver = SysTickDriver {
    ticks: Mutex::new(Cell::new(0)),
    queue: Mutex::new(RefCell::new(Queue::new())),
});

impl Driver for SysTickDriver {
    fn now(&self) -> u64 {
        critical_section::with(|cs| self.ticks.borrow(cs).get())
    }

    fn schedule_wake(&self, at: u64, waker: &Waker) {
        critical_section::with(|cs| {
            // Looked at on the next tick (no alarm to move).
            self.queue.borrow_ref_mut(cs).schedule_wake(at, waker);
        });
    }
}

/// Starts SysTick: the processor clock, wrapping (and raising its exception) every
/// millisecond.
pub fn start(mut systick: SYST) {
    systick.set_clock_source(SystClkSource::Core);
    systick.set_reload(COUNTS_PER_TICK - 1);
    systick.clear_current();
    systick.enable_interrupt();
    systick.enable_counter();
}

#[exception]
fn SysTick() {
    critical_section::with(|cs| {
        let ticks = DRIVER.ticks.borrow(cs);
        let now = ticks.get() + 1;
        ticks.set(now);
        // Wakes every waker whose instant has come.
        DRIVER.queue.borrow_ref_mut(cs).next_expiration(now);
    });
}
