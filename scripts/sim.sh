#!/usr/bin/env bash
# make sim: builds the simulation (debug, the same build as make test) and runs
# it: SEEDS seeds from FIRST, or SEED alone with its report. See README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
cargo build -q -p sim
exec "$(target_dir)/debug/sim"
