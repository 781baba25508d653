#!/usr/bin/env bash
# Lints the SAM template offline: cfn-lint, `sam validate --lint` and a deploy
# rehearsal of the expanded template (scripts/check-deploy.py), installed
# into a venv under HELPDESK_CACHE on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
venv=$(infra_venv)
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1} SAM_CLI_TELEMETRY=0
"$venv/bin/cfn-lint" infra/template.yaml
"$venv/bin/sam" validate --lint --template infra/template.yaml
# The template as SAM expands it for CloudFormation: references, conditions and
# the queues' batch failure reporting (scripts/check-deploy.py).
"$venv/bin/python" scripts/check-deploy.py infra/template.yaml
