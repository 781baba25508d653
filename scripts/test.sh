#!/usr/bin/env bash
# Every test: formatting, lints, unit and property tests, the store contract on the
# in-memory store and on DynamoDB Local, handlers fed from events/, the local
# runner over real HTTP and queues, and the pages in headless Chromium. Starts the local AWS stack if it is not running
# and stops it again afterwards (only what it started).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

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

step "infrastructure template (cfn-lint, sam validate --lint, the expanded template's references and queue mappings)"
scripts/check-infra.sh

started_stack=no
# Read the status whole first: with pipefail, grep -q closing the pipe early
# could make a running stack look stopped (and it would then be stopped at exit).
stack_status="$(infra/local/stack.sh status)"
if ! grep -q 'ddb running' <<<"$stack_status" || ! grep -q 'moto running' <<<"$stack_status"; then
  started_stack=yes
fi
runner_pid=
run_tables=
cleanup() {
  if [ -n "$runner_pid" ]; then kill "$runner_pid" 2>/dev/null || true; wait "$runner_pid" 2>/dev/null || true; runner_pid=; fi
  if [ -n "$run_tables" ]; then infra/local/stack.sh drop-tables "$run_tables" >/dev/null || true; run_tables=; fi
  if [ "$started_stack" = yes ]; then infra/local/stack.sh down; started_stack=no; fi
}
trap cleanup EXIT

step "local AWS stack"
infra/local/stack.sh up
# shellcheck disable=SC1091
. .local/stack.env

step "agent console (tsc --noEmit, vite build; types current with the OpenAPI document)"
build_console
check_console_types

step "web/ format and lint (Biome)"
check_web_style

step "cargo build --bins (the function binaries the suite starts)"
cargo build --workspace --bins --quiet

step "cargo test"
# --all-targets: every unit, property and integration test (there are no doctests).
log=$(mktemp)
# Every AWS call a function makes in the suite (its IAM action), for the
# permission check at the end (testkit::iam; the runner started below inherits it).
HELPDESK_IAM_LOG=$(mktemp)
export HELPDESK_IAM_LOG
status=0
cargo test --workspace --all-targets --no-fail-fast 2>&1 | tee "$log" || status=$?

step "fault simulation of the mail pipeline (dev/sim: 100 seeds; make sim runs more)"
SEEDS=100 "$(target_dir)/debug/sim" 2>&1 | tee -a "$log" || status=$?

step "fuzz the inbound mail path (bounded)"
scripts/fuzz.sh 2>&1 | tee -a "$log" || status=$?

step "browser tests (headless Chromium via playwright-core)"
ensure_chromium
(cd web/tests && npm ci --silent --no-audit --no-fund)
port=${HELPDESK_TEST_PORT:-3999}
# Tables of this run's own: the runner seeds its demo data into them, and what the
# browser tests and Schemathesis write (admin edits included) is gone afterwards,
# so the next run, and `make dev` on the same stack, start from the demo data.
run_tables="-run-$$"
eval "$(infra/local/stack.sh tables "$run_tables")"
# Sender rules read fresh for every mail: a browser test blocks a domain and mails from it at once.
HELPDESK_SENDER_RULES_SECONDS=0 HELPDESK_PORT=$port HELPDESK_SMTP_PORT=$((port - 1)) HELPDESK_WEB_DIR=$PWD/web "$(target_dir)/debug/local-runner" >.local/runner-test.log 2>&1 &
runner_pid=$!
if wait_http "http://127.0.0.1:$port/api/health" 30; then
  # HELPDESK_PYTHON: boto3 for `make admin`'s script, which a browser test runs.
  # A browser test that hangs fails after 4 minutes (the longest takes ~30 s; the limit
  # also bounds a whole file, so a file of tests stays well under it) instead of
  # holding the whole run until the CI's limit.
  (cd web/tests && BASE_URL="http://127.0.0.1:$port" HELPDESK_PYTHON="$(infra_venv)/bin/python" \
    node --test --test-timeout=240000 --test-reporter=tap) 2>&1 | tee -a "$log" || status=$?
  step "make smoke against the local runner (what an operator runs after make deploy)"
  make --no-print-directory smoke URL="http://127.0.0.1:$port" MAIL=smoke@example.com 2>&1 | tee -a "$log" || status=$?
  step "API contracts (Schemathesis on the agent and public OpenAPI documents, after the browser tests)"
  check_api_contract "http://127.0.0.1:$port" 2>&1 | tee -a "$log" || status=$?
else
  echo "the local runner did not start; see .local/runner-test.log" | tee -a "$log"
  status=1
fi

step "deploy rehearsal: the data plane through moto's CloudFormation, held to infra/resources.json, and the desk run on it"
HELPDESK_RUNNER="$(target_dir)/debug/local-runner" AWS_DEFAULT_REGION=us-east-1 "$(infra_venv)/bin/python" \
  scripts/rehearse-data-plane.py 2>&1 | tee -a "$log" || status=$?

step "function permissions (every AWS call in the suite, against its function's role in the SAM template)"
AWS_DEFAULT_REGION=us-east-1 "${HELPDESK_CACHE:-$HOME/.cache/helpdesk}/infra-venv/bin/python" \
  scripts/check-permissions.py "$HELPDESK_IAM_LOG" infra/template.yaml 2>&1 | tee -a "$log" || status=$?
rm -f "$HELPDESK_IAM_LOG"

cleanup
trap - EXIT
# One closing line for the whole run, summed over cargo's test binaries and node's runner.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1) } }
     /^# pass / { p += $3 } /^# fail / { f += $3 }
     END { printf "\ntests: %d passed, %d failed\n", p, f }' "$log"
rm -f "$log"
exit "$status"
