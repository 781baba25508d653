#!/usr/bin/env bash
# Deploys infra/template.yaml with the SAM CLI (guided the first time, which
# writes infra/samconfig.toml), after `make package`. Needs AWS credentials.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${HELPDESK_CACHE:-$HOME/.cache/helpdesk}/infra-venv
[ -x "$venv/bin/sam" ] || scripts/check-infra.sh
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
[ -f "$(target_dir)/lambda/submit-form/bootstrap.zip" ] || { echo "run make package first" >&2; exit 1; }
cd infra
if [ -f samconfig.toml ]; then
  "$venv/bin/sam" deploy --template-file template.yaml
else
  "$venv/bin/sam" deploy --guided --template-file template.yaml --capabilities CAPABILITY_IAM
fi
