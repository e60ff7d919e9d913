#!/usr/bin/env bash
# Builds the embassy firmware for thumbv7em-none-eabihf, starts the loopback sandboxes it
# calls (cargo run -p juspay-sandbox --example firmware_sandboxes, the HTTPS firmware's)
# and QEMU's mps2-an386 with its LAN9118 on a user network that reaches nothing but those
# sandboxes, runs every scenario on the Cortex-M4 (embassy-executor, embassy-net,
# AsyncClient), stops both, and prints the figures; the last lines are
#   scenarios: P/N pass
#   flash_bytes=N  static_ram_bytes=N  stack_peak_bytes=N
# stack_peak_bytes is the one stack the executor and its tasks run on (the tasks' futures
# live in static RAM), painted at reset and before each scenario: the largest use.
# Exit status: non-zero when a scenario fails (on the target, or in what the sandboxes
# saw), when the customer printed is not the expected JSON, or when a budget is exceeded.
# The run itself is ../qemu.sh's, shared with the HTTPS firmware (-icount
# shift=0 there too: embassy-time's millisecond is a million instructions, whatever the
# host's speed).
set -euo pipefail
cd "$(dirname "$0")"
source ../qemu.sh

# The HTTPS firmware's flash budget (168,876 bytes with juspay-tls and p256-cortex-m4).
FLASH_BUDGET=$((192 * 1024))
# Static RAM grows here: the tasks' futures are statics (the scenarios task's future holds
# a connection and its TLS state). No budget of the issue's for this firmware; held at
# 72 KiB (58,260 bytes on the last run: bash examples/firmware/embassy/run.sh).
RAM_BUDGET=$((72 * 1024))

run_with_sandboxes juspay-firmware-embassy '^(stack_peak_bytes|setup_stack_bytes)'

echo
echo "stack: $(figure setup_stack_bytes) bytes until the network is up, $(figure stack_peak_bytes) at most in a scenario"

report scenarios $FLASH_BUDGET $RAM_BUDGET
