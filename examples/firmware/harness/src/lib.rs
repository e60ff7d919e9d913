//! What every firmware of this workspace shares: scenarios run one after another with the
//! stack painted, one line each on the semihosting console, the stack high-water mark, and
//! QEMU's exit status from the result.
#![no_std]

use cortex_m_semihosting::{debug, hio};

/// What a scenario found wrong.
pub type Check = Result<(), &'static str>;

/// `Err(what)` unless `condition`.
pub fn ensure(condition: bool, what: &'static str) -> Check {
    if condition { Ok(()) } else { Err(what) }
}

/// A named scenario.
pub type Scenario = (&'static str, fn() -> Check);

pub mod checks;

pub mod stack {
    //! Stack high-water mark: paint the free stack, run, count what was overwritten.

    unsafe extern "C" {
        static _stack_start: u32;
        static _stack_end: u32;
    }

    const PAINT: u32 = 0x5AFE_C0DE;
    /// How far below the current stack pointer to paint; more than any budget allows
    /// (48 KiB of static RAM and stack).
    const SPAN: usize = 64 * 1024;
    /// Left unpainted just below the stack pointer, for `paint`'s own frame.
    const MARGIN: usize = 256;

    /// Paints the stack below the caller and returns the lowest painted address.
    #[inline(never)]
    pub fn paint() -> usize {
        let sp = cortex_m::register::msp::read() as usize;
        let end = core::ptr::addr_of!(_stack_end) as usize;
        let bottom = sp.saturating_sub(SPAN).max(end) & !3;
        let mut addr = bottom;
        while addr < sp - MARGIN {
            // SAFETY: [bottom, sp - MARGIN) is free stack below every live frame.
            unsafe { core::ptr::write_volatile(addr as *mut u32, PAINT) };
            addr += 4;
        }
        bottom
    }

    /// Bytes of stack used at most since `paint`, counted from the top of the stack.
    pub fn peak(bottom: usize) -> usize {
        let top = core::ptr::addr_of!(_stack_start) as usize;
        let mut addr = bottom;
        // SAFETY: reading the painted range, which is RAM.
        while addr < top && unsafe { core::ptr::read_volatile(addr as *const u32) } == PAINT {
            addr += 4;
        }
        top - addr
    }
}

/// Prints `key=value` on its own line, for the script to read.
pub fn figure(key: &str, value: u64) {
    let mut digits = [0u8; 10];
    let value = usize::try_from(value).unwrap_or(usize::MAX);
    print(&[key.as_bytes(), b"=", decimal(value, &mut digits), b"\n"]);
}

/// Ends the run: start-up failed.
pub fn fail(what: &str) -> ! {
    print(&[b"start-up failed: ", what.as_bytes(), b"\n"]);
    debug::exit(debug::EXIT_FAILURE);
    loop {}
}

pub mod host {
    //! What the host hands the firmware through semihosting (QEMU's
    //! `-semihosting-config enable=on,target=native`): files from QEMU's working directory
    //! and the time of day. A real board has neither: its roots sit in flash, its
    //! randomness comes from a TRNG and its time from an RTC set from a trusted source.

    use cortex_m_semihosting::{nr, syscall};

    /// Reads the host file `path`, relative to QEMU's working directory, into the start of
    /// `buf`: the number of bytes read, or `None` when it cannot be opened or read whole,
    /// or does not fit.
    /// Reads the host file `path` into the start of `buf`: the bytes read, and the rest.
    pub fn read_file<'b>(
        path: &core::ffi::CStr,
        buf: &'b mut [u8],
    ) -> Result<(&'b [u8], &'b mut [u8]), &'static str> {
        let len = read(path, buf).ok_or("cannot read a host file")?;
        let (read, rest) = buf.split_at_mut(len);
        Ok((read, rest))
    }

    pub fn read(path: &core::ffi::CStr, buf: &mut [u8]) -> Option<usize> {
        // SAFETY: SYS_OPEN reads `count_bytes()` bytes of the path; it is NUL-terminated.
        let fd = unsafe { syscall!(OPEN, path.as_ptr(), nr::open::R_BINARY, path.count_bytes()) };
        if fd as isize == -1 {
            return None;
        }
        // SAFETY: SYS_FLEN on the handle just opened.
        let length = unsafe { syscall!(FLEN, fd) };
        // (-1 for an error: no buffer is that long.)
        let read = buf.get_mut(..length).and_then(|into| {
            // SAFETY: SYS_READ writes at most `length` bytes into `into`, which has them;
            // it returns how many it did not read.
            (unsafe { syscall!(READ, fd, into.as_mut_ptr(), length) } == 0).then_some(length)
        });
        // SAFETY: SYS_CLOSE on the handle opened above.
        unsafe { syscall!(CLOSE, fd) };
        read
    }

    /// Seconds since 1970-01-01T00:00:00Z by the host's clock (SYS_TIME).
    pub fn unix_time() -> u64 {
        // SAFETY: SYS_TIME takes no argument block.
        unsafe { syscall!(TIME) as u64 }
    }
}

pub mod instructions {
    //! Instruction counts on QEMU's mps2-an386, read from a clock the firmware can see.
    //!
    //! Run QEMU with `-icount shift=0`: its virtual clock then advances exactly 2^0 = 1 ns
    //! per guest instruction, whatever the host's speed. The clock read here is the FPGA
    //! I/O block's COUNTER (0x4002_8018 on mps2-an385/an386; QEMU 7.2's `mps2-fpgaio`),
    //! which counts the 25 MHz prescaler clock of the virtual clock: PRESCALE resets to 0, so
    //! COUNTER steps once every 40 ns, that is once every 40 instructions, and a difference
    //! of N ticks is 40 × N instructions, to within 40. It is 32 bits wide and wraps after
    //! 2^32 ticks (172 billion instructions), so one difference never wraps here. (SysTick
    //! counts the same 25 MHz clock but is 24 bits wide, and DWT CYCCNT is not modelled.)
    //!
    //! [`calibrated`] checks the conversion against a loop of known length; without
    //! `-icount` the counter follows the host's time and the check fails.

    /// The FPGA I/O block's COUNTER register.
    const COUNTER: *const u32 = 0x4002_8018 as *const u32;
    /// Nanoseconds per COUNTER tick: 10^9 / 25,000,000 (the `prescale-clk` QEMU gives the
    /// FPGA I/O block on mps2 boards). At 1 instruction per ns this is also instructions.
    pub const INSTRUCTIONS_PER_TICK: u32 = 1_000_000_000 / 25_000_000;
    /// Iterations of the calibration loop, two instructions each.
    const LOOP_ITERATIONS: u32 = 1_000_000;
    /// The instructions the calibration loop executes.
    pub const LOOP_INSTRUCTIONS: u32 = 2 * LOOP_ITERATIONS;

    /// The counter, in ticks of 40 instructions; it wraps, so take differences with
    /// `wrapping_sub` (exact across one wrap: 172 seconds of virtual time).
    pub fn ticks() -> u32 {
        // SAFETY: an aligned read of a read-only register of the board's FPGA I/O block.
        unsafe { core::ptr::read_volatile(COUNTER) }
    }

    /// Runs `work` and returns its result with the instructions it took (to within
    /// [`INSTRUCTIONS_PER_TICK`], counting the few instructions of the call itself).
    pub fn count<R>(work: impl FnOnce() -> R) -> (R, u32) {
        let start = ticks();
        let result = work();
        let elapsed = ticks().wrapping_sub(start);
        (result, elapsed.saturating_mul(INSTRUCTIONS_PER_TICK))
    }

    /// Exactly `2 × iterations` instructions (`iterations` ≥ 1): a subtract and a branch
    /// per iteration.
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

    /// Counts a loop of [`LOOP_INSTRUCTIONS`] instructions: `Ok(count)` when the count is
    /// within two ticks of it (the clock counts instructions: QEMU runs with `-icount
    /// shift=0`), `Err(count)` otherwise.
    pub fn calibrated() -> Result<u32, u32> {
        let ((), counted) = count(|| known_loop(LOOP_ITERATIONS));
        if counted.abs_diff(LOOP_INSTRUCTIONS) <= 2 * INSTRUCTIONS_PER_TICK {
            Ok(counted)
        } else {
            Err(counted)
        }
    }
}

/// Runs `scenarios` one by one, each on a freshly painted stack, prints `scenario N:
/// pass|FAIL: name (stack B)`, then `stack_peak_bytes=N` (the largest) and `scenarios: P/N
/// pass`, and exits QEMU with success only if every scenario passed.
pub fn run(scenarios: &[Scenario]) -> ! {
    run_each(scenarios.len(), |i| {
        let (name, scenario) = scenarios[i];
        (name, measured(scenario))
    })
}

/// A named scenario over the firmware's state (a network stack, buffers), which `main`
/// makes once.
pub type ScenarioWith<C> = (&'static str, fn(&mut C) -> Check);

/// [`run`] for scenarios over `context`.
pub fn run_with<C>(context: &mut C, scenarios: &[ScenarioWith<C>]) -> ! {
    run_each(scenarios.len(), |i| {
        let (name, scenario) = scenarios[i];
        (name, measured(|| scenario(context)))
    })
}

/// Runs scenario `0..count` by `one`, which returns its name, outcome and stack, and
/// reports as [`run`] says.
fn run_each(count: usize, mut one: impl FnMut(usize) -> (&'static str, (Check, usize))) -> ! {
    let mut report = Report::default();
    for i in 0..count {
        let (name, (outcome, stack)) = one(i);
        report.scenario(name, outcome, stack);
    }
    report.finish()
}

/// The report of scenarios that the firmware runs itself (an async firmware awaits each
/// one): one line per scenario, then the summary and QEMU's exit status, as [`run`].
#[derive(Default)]
pub struct Report {
    count: usize,
    passed: usize,
    peak: usize,
}

impl Report {
    /// Prints `scenario N: pass|FAIL: name (stack B)` for the next scenario.
    pub fn scenario(&mut self, name: &str, outcome: Check, stack: usize) {
        let (mut a, mut b) = ([0u8; 10], [0u8; 10]);
        self.count += 1;
        self.peak = self.peak.max(stack);
        let number = decimal(self.count, &mut a);
        let stack = decimal(stack, &mut b);
        match outcome {
            Ok(()) => {
                self.passed += 1;
                print(&[b"scenario ", number, b": pass: ", name.as_bytes()]);
            }
            Err(why) => print(&[
                b"scenario ",
                number,
                b": FAIL: ",
                name.as_bytes(),
                b": ",
                why.as_bytes(),
            ]),
        }
        print(&[b" (stack ", stack, b")\n"]);
    }

    /// Prints `stack_peak_bytes=N` (the largest stack of a scenario) and `scenarios: P/N
    /// pass`, and exits QEMU with success only if every scenario passed.
    pub fn finish(self) -> ! {
        let (mut a, mut b, mut c) = ([0u8; 10], [0u8; 10], [0u8; 10]);
        print(&[b"stack_peak_bytes=", decimal(self.peak, &mut a), b"\n"]);
        print(&[
            b"scenarios: ",
            decimal(self.passed, &mut b),
            b"/",
            decimal(self.count, &mut c),
            b" pass\n",
        ]);
        if self.passed == self.count {
            debug::exit(debug::EXIT_SUCCESS);
        } else {
            debug::exit(debug::EXIT_FAILURE);
        }
        loop {}
    }
}

/// Runs `scenario` on a painted stack: its outcome and the stack bytes in use at most.
#[inline(never)]
fn measured(scenario: impl FnOnce() -> Check) -> (Check, usize) {
    let bottom = stack::paint();
    let outcome = scenario();
    (outcome, stack::peak(bottom))
}

/// Writes to the host's stdout. Plain bytes rather than `hprintln!`: core::fmt would cost
/// over a kilobyte of flash that a kiosk firmware does not otherwise need.
pub fn print(parts: &[&[u8]]) {
    if let Ok(mut stdout) = hio::hstdout() {
        for part in parts {
            let _ = stdout.write_all(part);
        }
    }
}

/// `n` in decimal, written at the end of `digits`.
pub fn decimal(mut n: usize, digits: &mut [u8; 10]) -> &[u8] {
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 || start == 0 {
            return &digits[start..];
        }
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    print(&[b"panic\n"]);
    debug::exit(debug::EXIT_FAILURE);
    loop {}
}
