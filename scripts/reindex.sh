#!/usr/bin/env bash
# Rebuilds the word index of the local desk from its tickets, and links the
# addresses on them for exports and erasure (the stack must be
# up: make dev or make stack-up). The running desk's search shows the rebuilt
# index within seconds. On AWS, see infra/README.md ("Word search").
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
[ -f .local/stack.env ] || { echo "the local stack is not up: make stack-up (or make dev) first" >&2; exit 1; }
# shellcheck disable=SC1091
. .local/stack.env
export HELPDESK_SEARCH_DIR=${HELPDESK_SEARCH_DIR:-$PWD/.local/search-reindex}
export RUST_LOG=${RUST_LOG:-info}
cargo build --quiet -p search-indexer --bin reindex
"$(target_dir)/debug/reindex"
