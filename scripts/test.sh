#!/usr/bin/env bash
# Every test: formatting, lints, unit and property tests, the store contract on the
# in-memory store and on DynamoDB Local, handlers fed from events/, and the local
# runner over real HTTP and queues. Starts the local AWS stack if it is not running
# and stops it again afterwards (only what it started).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup)" >&2; exit 1; }
for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    step "installing the $component component"
    rustup component add "$component"
  fi
done

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

started_stack=no
if ! infra/local/stack.sh status | grep -q 'ddb running' || ! infra/local/stack.sh status | grep -q 'moto running'; then
  started_stack=yes
fi
cleanup() { if [ "$started_stack" = yes ]; then infra/local/stack.sh down; fi; }
trap cleanup EXIT

step "local AWS stack"
infra/local/stack.sh up
# shellcheck disable=SC1091
. .local/stack.env

step "cargo build --bins (the function binaries the suite starts)"
cargo build --workspace --bins --quiet

step "cargo test"
# --all-targets: every unit, property and integration test (there are no doctests).
log=$(mktemp)
status=0
cargo test --workspace --all-targets 2>&1 | tee "$log" || status=$?
cleanup
trap - EXIT
# One closing line for the whole run, summed over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1) } }
     END { printf "\ntests: %d passed, %d failed\n", p, f }' "$log"
rm -f "$log"
exit "$status"
