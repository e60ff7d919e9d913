//! Milliseconds on the board, for deadlines and smoltcp's timers: SysTick counting the
//! processor clock, its exception every millisecond.
//!
//! QEMU's mps2-an386 clocks the Cortex-M4 (and so SysTick with CLKSOURCE = processor) at
//! its SYSCLK, 25 MHz (`SYSCLK_FRQ` in `hw/arm/mps2.c`). Under `-icount shift=0` these
//! are milliseconds of QEMU's virtual clock: a million instructions each. Instruction
//! counts come from the FPGA counter (`juspay_firmware_harness::instructions`), which counts the
//! same clock in 32 bits.

use core::cell::Cell;

use cortex_m::interrupt::{self, Mutex};
use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::exception;

/// SysTick ticks per millisecond at 25 MHz.
const TICKS_PER_MS: u32 = 25_000;

/// Milliseconds counted by the SysTick exception.
static MILLIS: Mutex<Cell<u64>> = Mutex::new(Cell::new(0));

/// Starts SysTick: the processor clock, wrapping (and raising its exception) every
/// millisecond.
pub fn start(mut systick: SYST) {
    systick.set_clock_source(SystClkSource::Core);
    systick.set_reload(TICKS_PER_MS - 1);
    systick.clear_current();
    systick.enable_interrupt();
    systick.enable_counter();
}

#[exception]
fn SysTick() {
    interrupt::free(|cs| {
        let millis = MILLIS.borrow(cs);
        millis.set(millis.get() + 1);
    });
}

/// Milliseconds since [`start`].
pub fn millis() -> u64 {
    interrupt::free(|cs| MILLIS.borrow(cs).get())
}
