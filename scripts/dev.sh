#!/usr/bin/env bash
# The whole system on this machine: the local AWS stack and the local runner on
# http://127.0.0.1:${HELPDESK_PORT:-3000}. Ctrl-C stops the runner, and the stack
# too if this script started it.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup)" >&2; exit 1; }

started_stack=no
# Read the status whole first: with pipefail, grep -q closing the pipe early
# could make a running stack look stopped (and it would then be stopped at exit).
stack_status="$(infra/local/stack.sh status)"
if ! grep -q 'ddb running' <<<"$stack_status" || ! grep -q 'moto running' <<<"$stack_status"; then
  started_stack=yes
fi
cleanup() { if [ "$started_stack" = yes ]; then infra/local/stack.sh down; fi; }
trap cleanup EXIT INT TERM

infra/local/stack.sh up
# shellcheck disable=SC1091
. .local/stack.env
export HELPDESK_WEB_DIR=${HELPDESK_WEB_DIR:-$PWD/web}
export RUST_LOG=${RUST_LOG:-info}
build_console
cargo build --quiet -p local-runner
"$(target_dir)/debug/local-runner"
