#!/usr/bin/env bash
# A local single-node etcd, the service registry of the distributed mode, for development
# and tests where none is given (REGISTRY_ENDPOINTS). Debian's etcd-server package.
#
#   scripts/etcd.sh start    start etcd and wait until it answers
#   scripts/etcd.sh stop     stop the etcd started here
#   scripts/etcd.sh status   say whether it runs (exit 0) or not (exit 1)
#
# Data lives in ${ETCD_STATE_DIR:-/tmp/agora-etcd}; clients on ${ETCD_PORT:-2379}.
set -euo pipefail

STATE="${ETCD_STATE_DIR:-${TMPDIR:-/tmp}/agora-etcd}"
PORT="${ETCD_PORT:-2379}"
PEER_PORT="${ETCD_PEER_PORT:-2380}"
NAME="etcd.sh"
# shellcheck source=lib/daemon.sh
source "$(dirname "$0")/lib/daemon.sh"
PID_FILE="$STATE/etcd.pid"

fail() {
  echo "etcd.sh: $*" >&2
  echo "etcd.sh: or point the apps and tests at an etcd of your own: REGISTRY_ENDPOINTS=http://host:2379" >&2
  exit 1
}

healthy() {
  curl -fsS -m 1 "http://127.0.0.1:$PORT/health" 2>/dev/null | grep -q '"health":"true"'
}

start() {
  if running; then
    echo "etcd.sh: already running on 127.0.0.1:$PORT (pid $(cat "$PID_FILE"))"
    return
  fi
  command -v etcd >/dev/null || fail "etcd is not installed: apt-get install etcd-server (Debian), or see https://etcd.io/docs/latest/install/."
  port_open "$PORT" && fail "127.0.0.1:$PORT is taken by another process; set ETCD_PORT."
  port_open "$PEER_PORT" && fail "127.0.0.1:$PEER_PORT is taken by another process; set ETCD_PEER_PORT."
  mkdir -p "$STATE"
  # A session of its own: the Ctrl-C of a terminal that ran a script starting it
  # (npm run start:distributed) must not stop it before that script does.
  setsid nohup etcd --name agora --data-dir "$STATE/data" \
    --listen-client-urls "http://127.0.0.1:$PORT" --advertise-client-urls "http://127.0.0.1:$PORT" \
    --listen-peer-urls "http://127.0.0.1:$PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$PEER_PORT" \
    --initial-cluster "agora=http://127.0.0.1:$PEER_PORT" --log-level warn >"$STATE/etcd.log" 2>&1 &
  echo $! >"$PID_FILE"
  await_ready healthy 60 0.25 "etcd $(etcd --version | sed -n 's/^etcd Version: //p')" "$STATE/etcd.log"
}

daemon_main "$@"
