#!/usr/bin/env bash
# The benchmarks (not part of make test: they need a release build and a quiet
# machine). Cold start and warm latency of every function against the
# hello-world floors; inbound mail throughput (against bare mail-parser) and
# memory for a 40 MB message; AWS calls, capacity units and bytes per operation
# and tickets per second on the local stack (against the bare calls); the SLA
# run over 10,000 due tickets (against bare reads and writes); word search on
# 100,000 tickets and a million messages (against a one-page floor). Prints
# tables and writes target/bench/*.json.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
started_stack=no
# Read the status whole first: with pipefail, grep -q closing the pipe early
# could make a running stack look stopped (and it would then be stopped at exit).
stack_status="$(infra/local/stack.sh status)"
if ! grep -q 'ddb running' <<<"$stack_status" || ! grep -q 'moto running' <<<"$stack_status"; then
  started_stack=yes
fi
cleanup() { if [ "$started_stack" = yes ]; then infra/local/stack.sh down; fi; }
trap cleanup EXIT
infra/local/stack.sh up
# shellcheck disable=SC1091
. .local/stack.env
packages=(--package hello-lambda --package bench)
for f in functions/*; do packages+=(--package "$(basename "$f")"); done
cargo build --release --quiet "${packages[@]}"
out="$(target_dir)"
mkdir -p "$out/bench"
"$out/release/bench" "$out/release" events "$out/bench/cold-start.json"
echo
"$out/release/mail-bench" tests/mail "$out/bench/mail.json"
echo
"$out/release/stack-bench" "$out/bench/stack.json"
echo
"$out/release/sla-bench" "$out/bench/sla.json"
echo
"$out/release/burst-bench" "$out/bench/burst.json"
echo
"$out/release/search-bench" "$out/bench/search.json"
