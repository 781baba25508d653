# Helpers shared by the scripts (sourced, not run).

# Where cargo puts binaries (honours CARGO_TARGET_DIR and .cargo/config).
target_dir() {
  cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])'
}

# The venv with cfn-lint, the SAM CLI and boto3 (installed once); prints its path.
infra_venv() {
  local venv=${HELPDESK_CACHE:-$HOME/.cache/helpdesk}/infra-venv
  if [ ! -x "$venv/bin/sam" ] || [ ! -x "$venv/bin/cfn-lint" ]; then
    echo "installing cfn-lint and aws-sam-cli into $venv (once)" >&2
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check cfn-lint aws-sam-cli >&2
  fi
  echo "$venv"
}

# Debian's Chromium for the browser tests; never a browser download.
ensure_chromium() {
  command -v chromium >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium (once)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium not found: install it (sudo apt-get install chromium) and run again" >&2
    return 1
  fi
}

# Schemathesis (PyPI) in a venv of its own under the cache, installed once.
SCHEMATHESIS_SPEC='schemathesis==4.32.5'
schemathesis_bin() {
  local venv=${HELPDESK_CACHE:-$HOME/.cache/helpdesk}/schemathesis-venv
  if ! "$venv/bin/st" --version 2>/dev/null | grep -q "${SCHEMATHESIS_SPEC#*==}"; then
    echo "installing $SCHEMATHESIS_SPEC into $venv (once)" >&2
    python3 -m venv "$venv" >&2 && "$venv/bin/pip" install --quiet --disable-pip-version-check "$SCHEMATHESIS_SPEC" >&2 \
      || { echo "pip install $SCHEMATHESIS_SPEC failed" >&2; return 1; }
  fi
  echo "$venv/bin/st"
}

# The agent API and the public API against their OpenAPI documents, on the
# runner at $1: generated requests (valid and not), the agent API's signed in as
# the demo admin; fails on a 5xx, on a status, content type, header or body the
# document does not state, and on a request the document calls valid that the API
# refuses (the documents state every limit a value has on its own; the operations
# whose values are only valid against stored data are listed, with the reason, in
# scripts/schemathesis.toml).
# A demo agent's bearer token from the local runner: the password and the current
# code of the agent's authenticator key (dev/runner/demo-data.json).
demo_token() {
  local base=$1 agent=$2
  python3 - "$base" "$agent" <<'PY'
import json, sys, urllib.request
sys.path.insert(0, "scripts")
from totp import code
import time
base, agent = sys.argv[1], sys.argv[2]
login = next(l for l in json.load(open("dev/runner/demo-data.json"))["logins"] if l["agent"] == agent)
body = json.dumps({"username": agent, "password": login["password"],
                   "code": code(login["totp_secret"], time.time())}).encode()
request = urllib.request.Request(base + "/dev/auth/token", body, {"content-type": "application/json"})
print(json.load(urllib.request.urlopen(request))["access_token"])
PY
}

check_api_contract() {
  local base=$1 st token
  st=$(schemathesis_bin) || return 1
  token=$(demo_token "$base" adam) || return 1
  # Which checks run, and which operations positive_data_acceptance leaves out
  # (and why): scripts/schemathesis.toml.
  local examples=${HELPDESK_SCHEMATHESIS_EXAMPLES:-20}
  local run=("$st" --config-file scripts/schemathesis.toml run --max-examples "$examples" --seed 1
    --generation-database none --no-color --url "$base")
  echo "agent API (functions/agent-api/openapi.json)"
  "${run[@]}" functions/agent-api/openapi.json -H "Authorization: Bearer $token" || return 1
  echo "public API (functions/submit-form/openapi.json)"
  "${run[@]}" functions/submit-form/openapi.json
}

# Waits until $1 answers with HTTP 200, for at most $2 seconds.
wait_http() {
  local url=$1 seconds=$2 i
  for i in $(seq 1 $((seconds * 4))); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url")" = 200 ] && return 0
    sleep 0.25
  done
  return 1
}

# The agent console (Vite + TypeScript): type-checked and built into web/console/dist,
# which the local runner serves at /agent/.
build_console() {
  command -v npm >/dev/null || { echo "npm not found: install Node.js 20+" >&2; return 1; }
  # `npm install --no-save` rather than `npm ci`: the registry this project builds
  # from lacks rollup's binaries for other platforms, so the lock file cannot list
  # them and `npm ci` refuses it; this still installs the locked versions.
  (cd web/console && npm install --silent --no-audit --no-fund --no-save && npm run --silent build >/dev/null)
}

# Biome formats and lints web/** (config: web/biome.jsonc); run `biome check
# --write ..` from web/console to fix what it reports.
check_web_style() {
  (cd web/console && ./node_modules/.bin/biome ci --colors=off ..) || {
    echo "web/ is not formatted or has lint errors: run \`cd web/console && npx biome check --write ..\`" >&2
    return 1
  }
}

# The console's TypeScript types must be those generated from the committed OpenAPI
# document (which a Rust test holds to the code).
check_console_types() {
  (cd web/console && npm run --silent check-types) || {
    echo "web/console/src/api.gen.ts is stale: run \`make openapi\` and commit it" >&2
    return 1
  }
}
