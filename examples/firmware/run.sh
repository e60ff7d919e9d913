#!/usr/bin/env bash
# Builds the firmware for thumbv7em-none-eabihf, runs it on a Cortex-M4 under QEMU and
# prints its footprint:
#   flash_bytes=N  static_ram_bytes=N  stack_peak_bytes=N  scenarios: P/N pass
# Exit status: QEMU's (0 when every scenario passed), or 1 when over budget or when the
# customer the firmware prints as JSON (through serde-json-core) is not the expected line.
set -euo pipefail
cd "$(dirname "$0")"

FLASH_BUDGET=$((32 * 1024))
# The documentation customer as the firmware prints it: juspay-core's Serialize through
# serde-json-core. Checked here, so the expected text costs no flash.
CUSTOMER_JSON='{"id":"cst_om2l6ctlptxwxuzj","object":"customer","object_reference_id":"customer@gmail.com","mobile_number":"9988776655","mobile_country_code":"91","first_name":"John","last_name":"Smith","email_address":"customer@gmail.com","date_created":"2016-08-02T08:07:52+0000","last_updated":"2016-08-02T08:07:52+0000","juspay":null}'
RAM_BUDGET=$((8 * 1024))
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

ELF=target/$TARGET/release/juspay-firmware
read -r text data bss _ < <(arm-none-eabi-size "$ELF" | tail -n 1)
flash=$((text + data))
static_ram=$((data + bss))
echo "flash_bytes=$flash"
echo "static_ram_bytes=$static_ram"

set +e
output=$(timeout 60 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
  -semihosting-config enable=on,target=native -kernel "$ELF")
status=$?
set -e
echo "$output"
if [ $status -ne 0 ]; then
  echo "firmware failed under QEMU (exit $status)" >&2
  exit $status
fi
if ! grep -qxF "$CUSTOMER_JSON" <<<"$output"; then
  echo "firmware did not print the expected customer JSON line" >&2
  exit 1
fi
stack=$(sed -n 's/^stack_peak_bytes=\([0-9]*\).*/\1/p' <<<"$output")
if [ -z "$stack" ]; then
  echo "firmware printed no stack_peak_bytes line" >&2
  exit 1
fi
if [ $flash -gt $FLASH_BUDGET ] || [ $((static_ram + stack)) -gt $RAM_BUDGET ]; then
  echo "over budget: flash $flash > $FLASH_BUDGET or static RAM + stack $((static_ram + stack)) > $RAM_BUDGET" >&2
  exit 1
fi
echo "within budget: flash $flash <= $FLASH_BUDGET, static RAM + stack peak $((static_ram + stack)) <= $RAM_BUDGET"
