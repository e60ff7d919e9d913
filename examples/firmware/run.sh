#!/usr/bin/env bash
# Builds the firmware for thumbv7em-none-eabihf, runs it on a Cortex-M4 under QEMU and
# prints its footprint:
#   flash_bytes=N  static_ram_bytes=N  stack_peak_bytes=N  scenarios: P/N pass
# then the same for the certificate-verifier firmware (src/bin/verify.rs), each key
# prefixed with verify_, and the instructions each accepted handshake takes to verify
#   verify_instructions_p256=N  verify_instructions_rsa2048=N
# (QEMU runs with -icount shift=0: one virtual nanosecond per instruction, which the
# firmware reads from the board's FPGA counter; see instructions in src/lib.rs).
# Exit status: QEMU's (0 when every scenario passed), or 1 when over budget or when the
# customer the firmware prints as JSON (through serde-json-core) is not the expected line.
set -euo pipefail
cd "$(dirname "$0")"

FLASH_BUDGET=$((32 * 1024))
# The documentation customer as the firmware prints it: juspay-core's Serialize through
# serde-json-core. Checked here, so the expected text costs no flash.
CUSTOMER_JSON='{"id":"cst_om2l6ctlptxwxuzj","object":"customer","object_reference_id":"customer@gmail.com","mobile_number":"9988776655","mobile_country_code":"91","first_name":"John","last_name":"Smith","email_address":"customer@gmail.com","date_created":"2016-08-02T08:07:52+0000","last_updated":"2016-08-02T08:07:52+0000","juspay":null}'
RAM_BUDGET=$((8 * 1024))
# The verifier firmware (path validation, ECDSA, RSA, the recorded handshakes): budgets set
# from what it measured (README), to catch a regression.
VERIFY_FLASH_BUDGET=$((256 * 1024))
VERIFY_RAM_BUDGET=$((48 * 1024))
TARGET=thumbv7em-none-eabihf

need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "run.sh: '$1' not found; install it with: apt-get install -y $2" >&2
  exit 2
}
need arm-none-eabi-gcc gcc-arm-none-eabi
need arm-none-eabi-size binutils-arm-none-eabi
need qemu-system-arm qemu-system-arm

if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
  echo "building with the rustup target $TARGET" >&2
  cargo build --release --target "$TARGET"
else
  # No rustup target (rustup cannot download one here): build core from Debian's Rust
  # sources, as in shared/embedded-toolchain.md.
  if [ ! -x /usr/bin/cargo ] || [ ! -d /usr/lib/rustlib/src/rust/library/core ]; then
    echo "run.sh: no $TARGET target: either 'rustup target add $TARGET', or" >&2
    echo "  apt-get install -y rustc-web cargo-web rust-web-src libstd-rust-web-dev" >&2
    exit 2
  fi
  echo "building with Debian's toolchain and -Zbuild-std=core" >&2
  RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc /usr/bin/cargo build --release --target "$TARGET" -Zbuild-std=core
fi

# Runs one firmware ELF under QEMU; prints its figures with PREFIX before each key, and
# fails when a scenario fails or a budget is exceeded. Sets $output.
run_firmware() {
  local elf=$1 prefix=$2 flash_budget=$3 ram_budget=$4
  local text data bss flash static_ram stack status
  read -r text data bss _ < <(arm-none-eabi-size "$elf" | tail -n 1)
  flash=$((text + data))
  static_ram=$((data + bss))
  echo "${prefix}flash_bytes=$flash"
  echo "${prefix}static_ram_bytes=$static_ram"
  set +e
  output=$(timeout 120 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -icount shift=0 -nographic \
    -semihosting-config enable=on,target=native -kernel "$elf")
  status=$?
  set -e
  sed -E "s/^(stack_peak_bytes=|scenarios: )/${prefix}\1/" <<<"$output"
  if [ $status -ne 0 ]; then
    echo "firmware $elf failed under QEMU (exit $status)" >&2
    exit $status
  fi
  stack=$(sed -n 's/^stack_peak_bytes=\([0-9]*\).*/\1/p' <<<"$output")
  if [ -z "$stack" ]; then
    echo "firmware $elf printed no stack_peak_bytes line" >&2
    exit 1
  fi
  if [ $flash -gt $flash_budget ] || [ $((static_ram + stack)) -gt $ram_budget ]; then
    echo "over budget: ${prefix}flash $flash > $flash_budget or static RAM + stack $((static_ram + stack)) > $ram_budget" >&2
    exit 1
  fi
  echo "within budget: ${prefix}flash $flash <= $flash_budget, static RAM + stack peak $((static_ram + stack)) <= $ram_budget"
}

run_firmware "target/$TARGET/release/juspay-firmware" "" $FLASH_BUDGET $RAM_BUDGET
if ! grep -qxF "$CUSTOMER_JSON" <<<"$output"; then
  echo "firmware did not print the expected customer JSON line" >&2
  exit 1
fi

# The certificate verifier alone (src/bin/verify.rs): its flash and the stack it takes.
run_firmware "target/$TARGET/release/verify" "verify_" $VERIFY_FLASH_BUDGET $VERIFY_RAM_BUDGET
if ! grep -q '^verify_instructions_rsa2048=' <<<"$output"; then
  echo "the verify firmware printed no instruction counts" >&2
  exit 1
fi
