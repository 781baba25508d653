#!/usr/bin/env bash
# make admin / make agent: scripts/add-agent.py with boto3 from the infra venv
# (installed on first use, as make check-infra does).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
role=$1
[ -n "${EMAIL:-}" ] || { echo "usage: make $([ "$role" = admin ] && echo admin || echo agent) EMAIL=you@example.com [NAME=\"Your Name\"] [ROLE=agent|supervisor CATEGORIES=a,b] [STACK=helpdesk]" >&2; exit 2; }
args=(--email "$EMAIL" --role "$role" --stack "${STACK:-helpdesk}")
[ -n "${NAME:-}" ] && args+=(--name "$NAME")
[ -n "${CATEGORIES:-}" ] && args+=(--categories "$CATEGORIES")
[ -n "${UPDATE:-}" ] && args+=(--update)
exec "$(infra_venv)/bin/python" scripts/add-agent.py "${args[@]}"
