#!/usr/bin/env bash
# A local Zipkin, the trace collector, for development and tests where none is given
# (ZIPKIN_URL). Zipkin's own server jar from Maven Central; spans are kept in memory only.
#
#   scripts/zipkin.sh start    fetch Zipkin once (Maven), start, wait until healthy
#   scripts/zipkin.sh stop     stop the Zipkin started here
#   scripts/zipkin.sh status   say whether it runs (exit 0) or not (exit 1)
#
# Needs Java 17 and Maven. The jar is cached outside the repository, in
# ${AGORA_CACHE_DIR:-~/.cache/agora}; its log lives in ${ZIPKIN_STATE_DIR:-/tmp/agora-zipkin}.
set -euo pipefail

ZIPKIN_VERSION="${ZIPKIN_VERSION:-3.5.1}"
CACHE="${AGORA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agora}/zipkin-$ZIPKIN_VERSION"
STATE="${ZIPKIN_STATE_DIR:-${TMPDIR:-/tmp}/agora-zipkin}"
PORT="${ZIPKIN_PORT:-9411}"
JAR="$CACHE/zipkin-server-$ZIPKIN_VERSION-exec.jar"
NAME="zipkin.sh"
# shellcheck source=lib/daemon.sh
source "$(dirname "$0")/lib/daemon.sh"
PID_FILE="$STATE/zipkin.pid"

fail() {
  echo "zipkin.sh: $*" >&2
  echo "zipkin.sh: or point the apps and tests at a Zipkin of your own: ZIPKIN_URL=http://host:9411" >&2
  exit 1
}

fetch() {
  [[ -f "$CACHE/.complete" ]] && return
  command -v java >/dev/null || fail "Java 17 is needed to run Zipkin (apt install openjdk-17-jre-headless)."
  command -v mvn >/dev/null || fail "Maven is needed to fetch Zipkin $ZIPKIN_VERSION from Maven Central (apt install maven)."
  echo "zipkin.sh: fetching Zipkin $ZIPKIN_VERSION (about 130 MB) into $CACHE (once)" >&2
  mkdir -p "$CACHE"
  mvn -q -B dependency:copy -Dartifact="io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:exec" -DoutputDirectory="$CACHE" >&2 ||
    fail "Maven could not fetch Zipkin $ZIPKIN_VERSION (is Maven Central reachable?)."
  [[ -f "$JAR" ]] || fail "Maven fetched Zipkin $ZIPKIN_VERSION but $JAR is not there."
  touch "$CACHE/.complete"
}

healthy() {
  curl -fsS -m 1 "http://127.0.0.1:$PORT/health" 2>/dev/null | grep -q '"status" *: *"UP"'
}

start() {
  if running; then
    echo "zipkin.sh: already running on 127.0.0.1:$PORT (pid $(cat "$PID_FILE"))"
    return
  fi
  port_open "$PORT" && fail "127.0.0.1:$PORT is taken by another process; set ZIPKIN_PORT."
  fetch
  mkdir -p "$STATE"
  # Zipkin serves through Armeria, which ignores Spring's server.address; its port list is
  # replaced whole, so the address, port and protocol are all given to bind 127.0.0.1 only.
  # A session of its own: the Ctrl-C of a terminal that ran a script starting it
  # (npm run start:distributed) must not stop it before that script does.
  # In memory, the newest 20,000 spans at most: a benchmark's flood of spans must not
  # outgrow the heap (Zipkin's own default keeps 500,000).
  MEM_MAX_SPANS="${ZIPKIN_MAX_SPANS:-20000}" setsid nohup java -Xmx256m -XX:+UseSerialGC -jar "$JAR" \
    '--armeria.ports[0].ip=127.0.0.1' "--armeria.ports[0].port=$PORT" '--armeria.ports[0].protocols[0]=http' \
    >"$STATE/zipkin.log" 2>&1 &
  echo $! >"$PID_FILE"
  await_ready healthy 120 0.5 "Zipkin $ZIPKIN_VERSION" "$STATE/zipkin.log"
}

daemon_main "$@"
