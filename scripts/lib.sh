# Helpers shared by the scripts (sourced, not run).

# Where cargo puts binaries (honours CARGO_TARGET_DIR and .cargo/config).
target_dir() {
  cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])'
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
