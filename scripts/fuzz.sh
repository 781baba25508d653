#!/usr/bin/env bash
# Fuzzes the inbound parse-and-thread path (fuzz/fuzz_targets/parse_and_thread.rs)
# for a bounded time, seeded with the mail corpus. Needs a nightly toolchain (cargo
# fuzz does); installs cargo-fuzz into the tools cache on first use. Built like the
# Lambda release (-O: no debug assertions) with AddressSanitizer.
# Prints one `test result:` line so `make test` counts it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${HELPDESK_FUZZ_SECONDS:-60}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/helpdesk
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz: not run — no nightly toolchain here (rustup toolchain install nightly)"
  exit 0
fi
if [ ! -x "$cache/tools/bin/cargo-fuzz" ]; then
  echo "fuzz: installing cargo-fuzz 0.13.2 (once, ~40 s)"
  cargo install cargo-fuzz --locked --version 0.13.2 --root "$cache/tools" --quiet
fi
export PATH=$cache/tools/bin:$PATH
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp tests/mail/* "$corpus"/
log=$(mktemp)
status=0
(cd fuzz && cargo +nightly fuzz run -O --target-dir "$cache/fuzz-target" parse_and_thread "$corpus" -- \
   -max_total_time="$seconds" -max_len=262144 -print_final_stats=1) >"$log" 2>&1 || status=$?
runs=$(awk '/stat::number_of_executed_units/ { print $NF }' "$log")
if [ "$status" -eq 0 ]; then
  echo "test result: ok. 1 passed; 0 failed (fuzz parse_and_thread: ${runs:-?} inputs in ${seconds} s, no crash)"
else
  grep -E "panicked|ERROR|SUMMARY|Test unit written" "$log" || tail -30 "$log"
  echo "test result: FAILED. 0 passed; 1 failed (fuzz parse_and_thread: the crashing input is under fuzz/artifacts/)"
fi
rm -f "$log"
exit "$status"
