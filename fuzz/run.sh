#!/usr/bin/env bash
# Gives every fuzz target a short run (SECONDS_PER_TARGET, default 20), seeded from the
# recorded vectors in core/tests/vectors (tests/vectors/handshakes for the certificate
# verifier, tests/vectors/tls for the TLS client). Needs nightly and cargo-fuzz
# (cargo install cargo-fuzz --locked). Exits non-zero on the first crash.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${SECONDS_PER_TARGET:-20}
targets=(response_parser chunked customer error_body request create_request update_request certificate tls_client tls_records)

# Seeds: whole responses for the HTTP targets, bodies for the JSON ones.
for target in "${targets[@]}"; do mkdir -p "corpus/$target"; done
for vector in ../core/tests/vectors/*.http; do
  name=$(basename "$vector" .http)
  cp "$vector" "corpus/response_parser/$name"
  python3 - "$vector" "$name" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
head, _, body = data.partition(b"\r\n\r\n")
name = sys.argv[2]
for target in ("customer", "error_body"):
    open(f"corpus/{target}/{name}", "wb").write(body)
if b"chunked" in head.lower():
    open(f"corpus/chunked/{name}", "wb").write(body)
PY
done
cp ../tests/vectors/handshakes/*.bin corpus/certificate/
# The TLS targets: an input's first byte picks a flight (by file name, as
# common/flights.rs lists them). tls_client: piece sizes, then the server's recorded bytes;
# tls_records: a few records for the server's key (see fuzz_targets/tls_records.rs).
python3 - ../tests/vectors/tls/*.flight <<'PY'
import sys
for index, path in enumerate(sorted(sys.argv[1:])):
    fields = dict(line.split("=", 1) for line in open(path).read().splitlines()
                  if line and not line.startswith("#"))
    server = bytes.fromhex(fields["server"])
    name = path.rsplit("/", 1)[-1].removesuffix(".flight")
    for label, sizes in (("whole", [255] * 4), ("bytes", [0] * 4), ("mixed", [16, 200, 3, 90])):
        open(f"corpus/tls_client/{name}_{label}", "wb").write(bytes([index] + sizes) + server)
    if fields["suite"].startswith("TLS_ECDHE_"):                  # TLS 1.2
        records = (bytes([1, 23, 0, 5]) + b"hello" + bytes([0])   # application data
                   + bytes([1, 22, 0, 4, 0, 0, 0, 0, 0])          # HelloRequest
                   + bytes([1, 23, 0, 3]) + b"bye" + bytes([0])   # after it
                   + bytes([1, 21, 0, 2, 1, 0, 0]))               # close_notify
    else:
        records = (bytes([1, 23, 0, 5]) + b"hello" + bytes([0])   # application data
                   + bytes([1, 22, 0, 5, 24, 0, 0, 1, 1, 0])      # KeyUpdate, update_requested
                   + bytes([1, 23, 0, 3]) + b"bye" + bytes([2])   # after it, padded
                   + bytes([1, 21, 0, 2, 1, 0, 0]))               # close_notify
    open(f"corpus/tls_records/{name}", "wb").write(bytes([index]) + records)
PY
printf 'cst_om2l6ctlptxwxuzj\x01cart_1\x012018-10-25' > corpus/request/ids
printf 'customer@gmail.com' > corpus/request/email
printf 'kiosk+91 9988776655\x019988776655\x0191\x01zo\xc3\xab@example.com\x01Zo\xc3\xab & Co\x01O'"'"'Brien' > corpus/create_request/kiosk
printf 'cst_om2l6ctlptxwxuzj\x019988776600\x01\x01\x01John Q.\x01' > corpus/update_request/kiosk

mkdir -p logs
for target in "${targets[@]}"; do
  echo "fuzzing $target for ${seconds}s" >&2
  if ! cargo +nightly fuzz run "$target" "corpus/$target" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 >"logs/$target.log" 2>&1; then
    tail -n 40 "logs/$target.log" >&2
    echo "fuzz target $target crashed (log: fuzz/logs/$target.log)" >&2
    exit 1
  fi
  grep -E "^Done [0-9]+ runs" "logs/$target.log" | sed "s/^/$target: /" || true
done
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each without a crash"
