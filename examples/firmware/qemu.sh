# shellcheck shell=bash
# Sourced by the firmwares' run.sh (run.sh here, https/run.sh, embassy/run.sh), with
# `set -euo pipefail`:
#   RELEASE                   where the firmware ELFs are built (one per package)
#   need COMMAND PACKAGE      stops with the apt-get line when COMMAND is missing
#   build_firmware -p PACKAGE...
#                             builds those firmwares of this workspace for $TARGET (rustup
#                             target, or Debian's Rust sources with -Zbuild-std=core); one
#                             build per firmware, so that each has only its own features
#   run_with_sandboxes PACKAGE HIDE
#                             the HTTPS firmwares: builds PACKAGE, starts the loopback
#                             sandboxes, runs it under QEMU on a user network that reaches only them, prints
#                             the firmware's lines but those matching the regex HIDE, checks
#                             the customer JSON and what the sandboxes saw
#   figure KEY                the number the firmware printed as KEY=N
#   report SCENARIOS_KEY FLASH_BUDGET RAM_BUDGET [KEY...]
#                             the script's wall time, then the last lines (SCENARIOS_KEY: P/N pass, flash_bytes,
#                             static_ram_bytes, stack_peak_bytes, then each KEY=N) and the
#                             exit status: non-zero when a scenario failed or over budget

TARGET=thumbv7em-none-eabihf
started=$SECONDS
FIRMWARE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The host workspace, where the sandboxes are built.
REPOSITORY=$(cd "$FIRMWARE_DIR/../.." && pwd)
RELEASE=$FIRMWARE_DIR/target/$TARGET/release

need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "run.sh: '$1' not found; install it with: apt-get install -y $2" >&2
  exit 2
}

build_firmware() {
  if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
    echo "building with the rustup target $TARGET" >&2
    (cd "$FIRMWARE_DIR" && cargo build --release --target "$TARGET" "$@")
  else
    # No rustup target (rustup cannot download one here): build core from Debian's Rust
    # sources, as in shared/embedded-toolchain.md.
    if [ ! -x /usr/bin/cargo ] || [ ! -d /usr/lib/rustlib/src/rust/library/core ]; then
      echo "run.sh: no $TARGET target: either 'rustup target add $TARGET', or" >&2
      echo "  apt-get install -y rustc-web cargo-web rust-web-src libstd-rust-web-dev" >&2
      exit 2
    fi
    echo "building with Debian's toolchain and -Zbuild-std=core" >&2
    (cd "$FIRMWARE_DIR" && RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc /usr/bin/cargo build --release \
      --target "$TARGET" -Zbuild-std=core "$@")
  fi
}

# The documentation customer as the firmwares print it (juspay-core's Serialize through
# serde-json-core), checked here so that the expected text costs no flash.
CUSTOMER_JSON='{"id":"cst_om2l6ctlptxwxuzj","object":"customer","object_reference_id":"customer@gmail.com","mobile_number":"9988776655","mobile_country_code":"91","first_name":"John","last_name":"Smith","email_address":"customer@gmail.com","date_created":"2016-08-02T08:07:52+0000","last_updated":"2016-08-02T08:07:52+0000","juspay":null}'

# The sandboxes, in the order of the guest ports they are forwarded from (the HTTPS
# firmwares' src/main.rs and harness checks.rs: API, CHUNKED, CLOSE, STALL, FORGED, RSA,
# HELLO_RETRY, KEY_UPDATE, TLS12 at 10.0.2.100:443..451).
SANDBOXES=(api chunked close stall forged rsa hrr keyupdate tls12)
GUEST_ADDRESS=10.0.2.100
FIRST_GUEST_PORT=443

# Sets: output (what the firmware printed), failures (checks that failed), flash,
# static_ram, and stack (the larger of setup_stack_bytes and stack_peak_bytes).
run_with_sandboxes() {
  local package=$1 hide=$2 elf=$RELEASE/$1
  need arm-none-eabi-gcc gcc-arm-none-eabi
  need arm-none-eabi-size binutils-arm-none-eabi
  need arm-none-eabi-nm binutils-arm-none-eabi
  need qemu-system-arm qemu-system-arm
  need socat socat

  # The host side first: the sandboxes' program, from the host workspace.
  echo "building the sandboxes (juspay-sandbox, example firmware_sandboxes)" >&2
  (cd "$REPOSITORY" && cargo build -q -p juspay-sandbox --example firmware_sandboxes)
  local sandbox_bin=$REPOSITORY/target/debug/examples/firmware_sandboxes
  build_firmware -p "$package"

  # A scratch directory: QEMU's working directory, where semihosting reads the seed and
  # the roots. Whatever happens, the sandboxes and QEMU stop and it goes.
  work=$(mktemp -d)
  sandbox_pid="" qemu_pid=""
  trap stop_sandboxes EXIT
  trap 'exit 130' INT TERM

  # 32 bytes for the firmware's RNG (a real board: its TRNG).
  head -c 32 /dev/urandom >"$work/seed.bin"

  # The sandboxes run until their standard input closes (file descriptor 3 here); then
  # they print what they saw.
  mkfifo "$work/control"
  timeout 600 "$sandbox_bin" "$work" <"$work/control" >"$work/sandboxes.txt" &
  sandbox_pid=$!
  exec 3>"$work/control"
  for _ in $(seq 300); do
    grep -qx ready "$work/sandboxes.txt" 2>/dev/null && break
    kill -0 "$sandbox_pid" 2>/dev/null || { echo "the sandboxes did not start" >&2; exit 1; }
    sleep 0.2
  done
  grep -qx ready "$work/sandboxes.txt" || { echo "the sandboxes did not start in time" >&2; exit 1; }

  # QEMU's user network, restricted: the guest reaches no host and no outside address,
  # only these forwards, each of which runs socat to one sandbox on 127.0.0.1 per
  # connection.
  local forwards="" port=$FIRST_GUEST_PORT name address
  for name in "${SANDBOXES[@]}"; do
    address=$(awk -v name="$name" '$1 == "sandbox" && $2 == name { print $3 }' "$work/sandboxes.txt")
    case "$address" in
      127.0.0.1:*) ;;
      *) echo "sandbox $name: no loopback address ($address)" >&2; exit 1 ;;
    esac
    forwards+=",guestfwd=tcp:$GUEST_ADDRESS:$port-cmd:socat STDIO TCP:$address"
    port=$((port + 1))
  done

  # -icount shift=0: one virtual nanosecond per instruction, so that the firmware's clock
  # counts instructions and the run does not depend on the host's speed.
  local status
  set +e
  (cd "$work" && exec timeout 300 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 \
    -icount shift=0 -nographic -semihosting-config enable=on,target=native \
    -nic "user,model=lan9118,restrict=on$forwards" \
    -kernel "$elf" >"$work/firmware.txt") &
  qemu_pid=$!
  wait "$qemu_pid"
  status=$?
  qemu_pid=""
  set -e

  # What the sandboxes saw.
  exec 3>&-
  wait "$sandbox_pid" || true
  sandbox_pid=""
  output=$(cat "$work/firmware.txt")
  grep -v -E "$hide" <<<"$output" || true
  if [ $status -ne 0 ]; then
    echo "the firmware failed under QEMU (exit $status)" >&2
    exit $status
  fi

  failures=0
  grep -qxF "$CUSTOMER_JSON" <<<"$output" || fail "the firmware did not print the expected customer JSON"
  # The server's side of the scenarios: four connections to the API sandbox and five
  # requests (two on one kept-alive connection, one over X25519); two connections and two requests to the
  # closing one (the call after its close never reached it); nothing ever reached the
  # sandbox with the forged chain, not even a completed handshake. A firmware with more
  # scenarios on the API sandbox says what it expects there in API_SEEN.
  seen "${API_SEEN:-api handshakes=3 requests=4}"
  seen "chunked handshakes=1 requests=1"
  seen "close handshakes=2 requests=2"
  seen "stall handshakes=1 requests=1"
  seen "forged handshakes=0 requests=0"
  seen "rsa handshakes=1 requests=1"
  # The HelloRetryRequest scenario, and the X25519 one (no retry there).
  seen "hrr handshakes=2 requests=2"
  seen "keyupdate handshakes=1 requests=2"
  # Only the HTTPS firmware has the TLS 1.2 scenario.
  seen "${TLS12_SEEN:-tls12 handshakes=0 requests=0}"

  local scenario_stack setup_stack text data bss
  scenario_stack=$(figure stack_peak_bytes)
  setup_stack=$(figure setup_stack_bytes)
  stack=$((scenario_stack > setup_stack ? scenario_stack : setup_stack))
  read -r text data bss _ < <(arm-none-eabi-size "$elf" | tail -n 1)
  flash=$((text + data))
  static_ram=$((data + bss))
}

stop_sandboxes() {
  trap '' INT TERM
  exec 3>&- || true
  [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null || true
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

seen() { grep -qx "$1" "$work/sandboxes.txt" || fail "the sandboxes did not see: $1"; }

figure() {
  local value
  value=$(sed -n "s/^$1=\([0-9]*\)$/\1/p" <<<"$output")
  [ -n "$value" ] || { echo "the firmware did not print $1" >&2; exit 1; }
  echo "$value"
}

report() {
  local scenarios_key=$1 flash_budget=$2 ram_budget=$3 key value passed total
  shift 3
  echo "wall time of this script: $((SECONDS - started)) s"
  echo
  passed=$(sed -n 's/^scenarios: \([0-9]*\)\/\([0-9]*\) pass$/\1/p' <<<"$output")
  total=$(sed -n 's/^scenarios: \([0-9]*\)\/\([0-9]*\) pass$/\2/p' <<<"$output")
  echo "$scenarios_key: $passed/$total pass"
  echo "flash_bytes=$flash"
  echo "static_ram_bytes=$static_ram"
  echo "stack_peak_bytes=$stack"
  for key in "$@"; do
    value=$(figure "$key")
    echo "$key=$value"
  done

  if [ "$passed" != "$total" ] || [ "$failures" -ne 0 ]; then
    echo "scenarios failed" >&2
    exit 1
  fi
  if [ $flash -gt $flash_budget ]; then
    echo "over budget: flash $flash > $flash_budget" >&2
    exit 1
  fi
  if [ $((static_ram + stack)) -gt $ram_budget ]; then
    echo "over budget: static RAM + stack peak $((static_ram + stack)) > $ram_budget" >&2
    exit 1
  fi
  echo "within budget: flash $flash <= $flash_budget, static RAM + stack peak $((static_ram + stack)) <= $ram_budget"
}
