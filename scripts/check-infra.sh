#!/usr/bin/env bash
# Lints the SAM template offline: cfn-lint, `sam validate --lint` and a deploy
# rehearsal of the expanded template (scripts/check-deploy.py), installed
# into a venv under HELPDESK_CACHE on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${HELPDESK_CACHE:-$HOME/.cache/helpdesk}/infra-venv
if [ ! -x "$venv/bin/sam" ] || [ ! -x "$venv/bin/cfn-lint" ]; then
  echo "installing cfn-lint and aws-sam-cli into $venv (once)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check cfn-lint aws-sam-cli
fi
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1} SAM_CLI_TELEMETRY=0
"$venv/bin/cfn-lint" infra/template.yaml
"$venv/bin/sam" validate --lint --template infra/template.yaml
# The template as SAM expands it for CloudFormation: references, conditions and
# the queues' batch failure reporting (scripts/check-deploy.py).
"$venv/bin/python" scripts/check-deploy.py infra/template.yaml
