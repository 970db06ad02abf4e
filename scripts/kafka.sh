#!/usr/bin/env bash
# A local single-node Kafka broker (KRaft, no ZooKeeper) from Apache Kafka's own jars on
# Maven Central, for development and tests where no broker is given (KAFKA_BROKERS).
#
#   scripts/kafka.sh start    fetch Kafka once (Maven), format the log dir once, start, wait until ready
#   scripts/kafka.sh stop     stop the broker started here
#   scripts/kafka.sh status   say whether it runs (exit 0) or not (exit 1)
#
# Needs Java 17 and Maven. Jars are cached outside the repository, in
# ${AGORA_CACHE_DIR:-~/.cache/agora}; broker data lives in ${KAFKA_STATE_DIR:-/tmp/agora-kafka}.
set -euo pipefail

KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
CACHE="${AGORA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agora}/kafka-$KAFKA_VERSION"
STATE="${KAFKA_STATE_DIR:-${TMPDIR:-/tmp}/agora-kafka}"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
NAME="kafka.sh"
# shellcheck source=lib/daemon.sh
source "$(dirname "$0")/lib/daemon.sh"
PID_FILE="$STATE/broker.pid"

fail() {
  echo "kafka.sh: $*" >&2
  echo "kafka.sh: or point the tests at a broker of your own: KAFKA_BROKERS=host:9092 npm test" >&2
  exit 1
}

fetch() {
  [[ -f "$CACHE/.complete" ]] && return
  command -v java >/dev/null || fail "Java 17 is needed to run the broker (apt install openjdk-17-jre-headless)."
  command -v mvn >/dev/null || fail "Maven is needed to fetch Kafka $KAFKA_VERSION from Maven Central (apt install maven)."
  echo "kafka.sh: fetching Kafka $KAFKA_VERSION into $CACHE (once)" >&2
  mkdir -p "$CACHE"
  # Kafka's POM brings no logging backend: reload4j behind slf4j, as Kafka 3.x ships it.
  cat >"$CACHE/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.agora</groupId><artifactId>kafka-broker</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId><version>1.2.25</version></dependency>
  </dependencies>
</project>
POM
  mvn -q -B -f "$CACHE/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$CACHE/libs" ||
    fail "Maven could not fetch Kafka $KAFKA_VERSION (is Maven Central reachable?)."
  touch "$CACHE/.complete"
}

configure() {
  mkdir -p "$STATE/data"
  cat >"$STATE/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$STATE/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.cleaner.dedupe.buffer.size=8388608
PROPS
  cat >"$STATE/log4j.properties" <<LOG
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
LOG
  if [[ ! -f "$STATE/data/meta.properties" ]]; then
    local cluster_id
    cluster_id="$(java -cp "$CACHE/libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null)"
    java -Dlog4j.configuration="file:$STATE/log4j.properties" -cp "$CACHE/libs/*" kafka.tools.StorageTool \
      format -t "$cluster_id" -c "$STATE/server.properties" --ignore-formatted >/dev/null
  fi
}

start() {
  if running; then
    echo "kafka.sh: already running on 127.0.0.1:$PORT (pid $(cat "$PID_FILE"))"
    return
  fi
  port_open "$PORT" && fail "127.0.0.1:$PORT is taken by another process; set KAFKA_PORT."
  fetch
  configure
  # A session of its own: the Ctrl-C of a terminal that ran a script starting it
  # (npm run start:distributed) must not stop it before that script does.
  setsid nohup java -Xmx512m -XX:+UseSerialGC -Dlog4j.configuration="file:$STATE/log4j.properties" \
    -cp "$CACHE/libs/*" kafka.Kafka "$STATE/server.properties" >"$STATE/broker.log" 2>&1 &
  echo $! >"$PID_FILE"
  # The broker opens its client port only once it is ready to serve.
  await_ready client_port_open 120 0.5 "Kafka $KAFKA_VERSION" "$STATE/broker.log"
}

client_port_open() {
  port_open "$PORT"
}

daemon_main "$@"
