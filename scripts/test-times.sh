#!/usr/bin/env bash
# `make test` as if it ran at other times: no test may depend on the wall clock,
# the weekday, the date or the time zone. Each run preloads libfaketime (Debian's
# `faketime`) into what `make test` starts — moto, the local runner, every test
# binary — with the clock starting at the given instant and running on.
#
#   scripts/test-times.sh                              the four times below
#   scripts/test-times.sh '2026-12-05 13:00:00' [TZ]   one run
#
# The times: a weekday afternoon, a Saturday, one minute before midnight on the
# day Europe's clocks go back (in Berlin, the demo policy's zone, as the
# processes' zone), and New Year's Eve one minute before midnight.
#
# What keeps the real clock, because it does not work with libfaketime preloaded
# and nothing it does depends on the time: cargo and rustc (they hang), DynamoDB
# Local's JVM (it spins; every condition it checks gets its time from the caller),
# the fuzzer (AddressSanitizer crashes with it), and the browser tests: Chromium
# hangs with it, and Playwright's node with a clock of its own stalls, while the
# tests compute nothing from the client's clock (the runner they drive is faked).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v faketime >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's faketime (once)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null
  else
    echo "faketime not found: install it (sudo apt-get install faketime) and run again" >&2
    exit 1
  fi
fi
# The thread-safe build: the runner and the test binaries are multi-threaded, and
# the plain one can deadlock them.
lib=$(dpkg -L libfaketime 2>/dev/null | grep '/libfaketimeMT\.so\.1$' | head -n1)
[ -n "$lib" ] || { echo "libfaketimeMT.so.1 not found (Debian package libfaketime)" >&2; exit 1; }

# The stack must be started by the faked run itself: moto on the real clock would
# expire presigned URLs and time out messages by another clock than its clients.
stack_status="$(infra/local/stack.sh status)"
if grep -Eq '(ddb|moto) running' <<<"$stack_status"; then
  echo "the local stack is running on the real clock: stop it first (make stack-down)" >&2
  exit 1
fi

# Build and lint on the real clock first, so the faked runs only check they are current.
cargo build --workspace --all-targets --quiet
cargo clippy --workspace --all-targets --quiet -- -D warnings

# Tools that run on the real clock: the same commands, without the preload.
shim=$(mktemp -d)
trap 'rm -rf "$shim"' EXIT
for tool in cargo rustc rustup java node; do
  real=$(command -v "$tool")
  printf '#!/bin/sh\nunset LD_PRELOAD\nexec %s "$@"\n' "$real" >"$shim/$tool"
  chmod +x "$shim/$tool"
done
# The test binaries cargo starts get the faked clock back; the fuzzer's does not
# (AddressSanitizer and libfaketime both wrap the loader, and it crashes).
printf '#!/bin/sh\ncase "$1" in */fuzz-target/*) exec "$@" ;; esac\nLD_PRELOAD=%s exec "$@"\n' "$lib" >"$shim/faked"
chmod +x "$shim/faked"

if [ $# -gt 0 ]; then
  runs=("$1|${2:-UTC}")
else
  runs=(
    "2026-12-03 13:00:00|UTC"
    "2026-12-05 11:00:00|UTC"
    "2026-10-25 23:59:00|Europe/Berlin"
    "2026-12-31 23:59:00|UTC"
  )
fi

summary=()
status=0
for run in "${runs[@]}"; do
  at=${run%|*}
  zone=${run#*|}
  printf '\n######## make test at %s (%s) ########\n' "$at" "$zone"
  log=$(mktemp)
  # One offset from the real clock for every process ("@time" would start each
  # process's clock at that time when it starts, so they would disagree).
  offset=$(($(TZ=$zone date -d "$at" +%s) - $(date +%s)))
  [ "$offset" -ge 0 ] && offset="+$offset"
  # The monotonic clock stays real: timeouts and tokio's timers keep working.
  if PATH="$shim:$PATH" TZ=$zone FAKETIME="$offset" FAKETIME_DONT_FAKE_MONOTONIC=1 \
    CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="$shim/faked" LD_PRELOAD="$lib" \
    make test 2>&1 | tee "$log"; then
    result=ok
  else
    result=FAILED
    status=1
  fi
  summary+=("$at $zone: $result — $(grep -E '^tests: ' "$log" | tail -1)")
  rm -f "$log"
done

printf '\n'
printf '%s\n' "${summary[@]}"
exit "$status"
