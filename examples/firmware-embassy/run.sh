#!/usr/bin/env bash
# The embassy firmware lives in the board's firmware workspace: examples/firmware/embassy/run.sh.
# This path stays for the programs and people that run it from here; same output.
exec bash "$(dirname "$0")/../firmware/embassy/run.sh" "$@"
