//! Time on the board: SysTick counting the 25 MHz processor clock, an exception every
//! millisecond, and from them milliseconds for deadlines and ticks for instruction counts.
//!
//! QEMU's mps2-an386 clocks the Cortex-M4 (and so SysTick with CLKSOURCE = processor) at
//! its SYSCLK, 25 MHz (`SYSCLK_FRQ` in `hw/arm/mps2.c`): one tick is 40 ns of QEMU's
//! virtual clock. Under `-icount shift=0` the virtual clock advances exactly 2^0 = 1 ns
//! per guest instruction, so one tick is 40 instructions, whatever the host's speed; a
//! difference of N ticks is 40 × N instructions, to within 40. [`calibrated`] checks that
//! against a loop of known length (without `-icount` the check fails: the clock then
//! follows the host's time).

use core::cell::Cell;

use cortex_m::interrupt::{self, Mutex};
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::{SCB, SYST};
use cortex_m_rt::exception;

/// SysTick ticks per millisecond at 25 MHz.
const TICKS_PER_MS: u32 = 25_000;
/// Instructions per tick under `-icount shift=0`: 10^9 ns / 25,000,000 ticks per second.
pub const INSTRUCTIONS_PER_TICK: u64 = 1_000_000_000 / (TICKS_PER_MS as u64 * 1_000);

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

/// Ticks (1/25,000 ms) since [`start`].
pub fn ticks() -> u64 {
    interrupt::free(|cs| {
        let millis = MILLIS.borrow(cs).get();
        let current = SYST::get_current();
        // A wrap whose exception is still pending (interrupts are off here) is not yet in
        // `millis`: count it, and read the counter again, which has then restarted.
        let (millis, current) = if SCB::is_pendst_pending() {
            (millis + 1, SYST::get_current())
        } else {
            (millis, current)
        };
        millis * u64::from(TICKS_PER_MS) + u64::from(TICKS_PER_MS - 1 - current)
    })
}

/// Milliseconds since [`start`].
pub fn millis() -> u64 {
    interrupt::free(|cs| MILLIS.borrow(cs).get())
}

/// Instructions executed in `ticks` (see the module docs).
pub fn instructions(ticks: u64) -> u64 {
    ticks * INSTRUCTIONS_PER_TICK
}

/// Iterations of the calibration loop, two instructions each.
const LOOP_ITERATIONS: u32 = 1_000_000;
/// The instructions the calibration loop executes.
pub const LOOP_INSTRUCTIONS: u64 = 2 * LOOP_ITERATIONS as u64;

/// Exactly `2 × iterations` instructions (`iterations` ≥ 1): a subtract and a branch per
/// iteration.
#[inline(never)]
fn known_loop(iterations: u32) {
    // SAFETY: touches only the register it is given.
    unsafe {
        core::arch::asm!(
            "2:",
            "subs {0}, {0}, #1",
            "bne 2b",
            inout(reg) iterations => _,
            options(nomem, nostack),
        );
    }
}

/// Counts [`LOOP_INSTRUCTIONS`] instructions with the clock: `Ok(count)` when within a
/// thousandth of it (the SysTick exceptions that fall inside add about 30 instructions
/// each, one per 25,000), `Err(count)` otherwise.
pub fn calibrated() -> Result<u64, u64> {
    let start = ticks();
    known_loop(LOOP_ITERATIONS);
    let counted = instructions(ticks() - start);
    if counted.abs_diff(LOOP_INSTRUCTIONS) <= LOOP_INSTRUCTIONS / 1_000 {
        Ok(counted)
    } else {
        Err(counted)
    }
}
