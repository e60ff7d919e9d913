#!/usr/bin/env bash
# The HTTPS firmware lives in the board's firmware workspace: examples/firmware/https/run.sh.
# This path stays for the programs and people that run it from here; same output.
exec bash "$(dirname "$0")/../firmware/https/run.sh" "$@"
