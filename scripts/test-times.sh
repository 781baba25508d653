#!/usr/bin/env bash
# `make test` as if it ran at other times: no test may depend on the wall clock,
# the weekday, the date or the time zone. Each run preloads libfaketime (Debian's
# `faketime`) into everything `make test` starts — the local AWS stack, the
# runner, the test binaries, node and Chromium — with the clock starting at the
# given instant and running on from there.
#
#   scripts/test-times.sh                     the four times below
#   scripts/test-times.sh '2026-12-05 13:00:00' [TZ]   one run
#
# The times: a weekday afternoon, a Saturday, one minute before midnight on the
# day Europe's clocks go back (and Berlin, the demo policy's zone, as the
# processes' zone), and New Year's Eve one minute before midnight.
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

# The stack must be started by the faked run itself: a stack on the real clock
# would sign, expire and time out by another clock than its clients.
stack_status="$(infra/local/stack.sh status)"
if grep -Eq '(ddb|moto) running' <<<"$stack_status"; then
  echo "the local stack is running on the real clock: stop it first (make stack-down)" >&2
  exit 1
fi

# Build and lint on the real clock first: cargo stamps its build records with the
# time, so a build under a faked clock would look stale to every later build.
cargo build --workspace --all-targets --quiet
cargo clippy --workspace --all-targets --quiet -- -D warnings

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
  # The monotonic clock stays real: timeouts and tokio's timers keep working.
  if TZ=$zone FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "@$at" make test 2>&1 | tee "$log"; then
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
