# Shared by the scripts that run a local server in the background (kafka.sh, etcd.sh,
# zipkin.sh). Expects PID_FILE (the server's pid file), NAME (the script's name, for
# messages), PORT, and a function `fail` that prints its message and exits.

running() {
  [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Waits until `$1` (a command) succeeds, checking every $3 s, $2 times at most: then prints
# "$NAME: $4 ready on 127.0.0.1:$PORT (…)". If the server exits meanwhile, or never gets
# ready, fails with the end of its log ($5), stopping it in the second case.
await_ready() {
  local check="$1" tries="$2" pause="$3" what="$4" log="$5"
  for _ in $(seq 1 "$tries"); do
    if "$check"; then
      echo "$NAME: $what ready on 127.0.0.1:$PORT (pid $(cat "$PID_FILE"), log $log)"
      return
    fi
    running || fail "$what exited while starting; see $log: $(tail -n 5 "$log" | tr '\n' ' ')"
    sleep "$pause"
  done
  stop
  fail "$what did not answer on 127.0.0.1:$PORT in time; see $log."
}

# Stops the server: SIGTERM, up to 30 s for it to end, then SIGKILL.
stop() {
  if ! running; then
    echo "$NAME: not running"
    return
  fi
  local pid
  pid="$(cat "$PID_FILE")"
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$PID_FILE"
  echo "$NAME: stopped"
}

# The command line: start, stop or status; `status` names the port ($PORT).
daemon_main() {
  case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status)
      if running; then echo "$NAME: running on 127.0.0.1:$PORT (pid $(cat "$PID_FILE"))"; else echo "$NAME: not running"; exit 1; fi
      ;;
    *)
      echo "usage: scripts/$NAME start|stop|status" >&2
      exit 2
      ;;
  esac
}
