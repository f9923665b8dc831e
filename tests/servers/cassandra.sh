#!/usr/bin/env bash
# A real single-node Cassandra 5.0 for the CQL sink's integration tests (docs/sinks.md "Cassandra").
#
#   tests/servers/cassandra.sh start DIR   download (once, cached), configure, start, wait until ready
#   tests/servers/cassandra.sh stop DIR    kill the server and delete its data
#   tests/servers/cassandra.sh env DIR     print the connection settings (also in DIR/cassandra.env)
#
# cassandra-all and its runtime dependencies come from Maven Central into
# ${AIRFLEET_SERVER_CACHE:-$HOME/.cache/airfleet-servers}; they are never committed. The server
# runs on Java 17 (4.x hangs on 17; Java 24+ fails on SecurityManager) with PasswordAuthenticator
# (user cassandra/cassandra) and optional client TLS with a self-signed certificate for 127.0.0.1,
# on non-default ports so it does not clash with another server: native 19042, storage 17000,
# JMX 17199 (override with AIRFLEET_CASSANDRA_PORT / _STORAGE_PORT / _JMX_PORT).
set -euo pipefail

VERSION=5.0.8
CMD=${1:?usage: cassandra.sh start|stop|env DIR}
DIR=$(mkdir -p "${2:?usage: cassandra.sh start|stop|env DIR}" && cd "$2" && pwd)
CACHE=${AIRFLEET_SERVER_CACHE:-$HOME/.cache/airfleet-servers}/cassandra-$VERSION
PORT=${AIRFLEET_CASSANDRA_PORT:-19042}
STORAGE_PORT=${AIRFLEET_CASSANDRA_STORAGE_PORT:-17000}
JMX_PORT=${AIRFLEET_CASSANDRA_JMX_PORT:-17199}
JAVA=${AIRFLEET_JAVA17:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}
KEYTOOL=$(dirname "$JAVA")/keytool
W=$DIR/cassandra

fetch() {
  [[ -f $CACHE/lib/cassandra-all-$VERSION.jar ]] && return 0
  mkdir -p "$CACHE"
  cat > "$CACHE/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>airfleet</groupId><artifactId>cassandra-server</artifactId><version>1</version>
<packaging>pom</packaging><dependencies><dependency><groupId>org.apache.cassandra</groupId>
<artifactId>cassandra-all</artifactId><version>$VERSION</version></dependency></dependencies></project>
EOF
  (cd "$CACHE" && mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DoutputDirectory=lib -DincludeScope=runtime)
}

write_env() {
  cat > "$DIR/cassandra.env" <<EOF
AIRFLEET_CASSANDRA_HOST=127.0.0.1
AIRFLEET_CASSANDRA_PORT=$PORT
AIRFLEET_CASSANDRA_USER=cassandra
AIRFLEET_CASSANDRA_PASSWORD=cassandra
AIRFLEET_CASSANDRA_CA=$W/ca.pem
AIRFLEET_CASSANDRA_DIR=$DIR
EOF
}

start() {
  [[ -x $JAVA ]] || { echo "cassandra.sh: Java 17 not found at $JAVA (apt-get install openjdk-17-jdk-headless)" >&2; exit 1; }
  if [[ -f $W/pid ]] && kill -0 "$(cat "$W/pid")" 2>/dev/null; then
    echo "cassandra.sh: already running (pid $(cat "$W/pid"))"; write_env; cat "$DIR/cassandra.env"; return 0
  fi
  fetch
  rm -rf "$W"; mkdir -p "$W"/{data,commitlog,saved_caches,hints,cdc_raw}
  "$KEYTOOL" -genkeypair -alias node -keyalg RSA -keysize 2048 -dname CN=127.0.0.1 -ext SAN=IP:127.0.0.1 \
    -validity 3650 -keystore "$W/ks.jks" -storetype JKS -storepass cassandra -keypass cassandra 2>/dev/null
  "$KEYTOOL" -exportcert -rfc -alias node -keystore "$W/ks.jks" -storepass cassandra > "$W/ca.pem" 2>/dev/null
  cat > "$W/cassandra.yaml" <<EOF
cluster_name: airfleet-test
num_tokens: 1
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
seed_provider: [{class_name: org.apache.cassandra.locator.SimpleSeedProvider, parameters: [{seeds: "127.0.0.1:$STORAGE_PORT"}]}]
listen_address: 127.0.0.1
rpc_address: 127.0.0.1
storage_port: $STORAGE_PORT
native_transport_port: $PORT
commitlog_sync: periodic
commitlog_sync_period: 10000ms
data_file_directories: [$W/data]
commitlog_directory: $W/commitlog
saved_caches_directory: $W/saved_caches
hints_directory: $W/hints
cdc_raw_directory: $W/cdc_raw
auto_snapshot: false
concurrent_compactors: 1
authenticator: {class_name: org.apache.cassandra.auth.PasswordAuthenticator}
authorizer: CassandraAuthorizer
role_manager: CassandraRoleManager
client_encryption_options: {enabled: true, optional: true, keystore: $W/ks.jks, keystore_password: cassandra}
EOF
  echo '<configuration><appender name="O" class="ch.qos.logback.core.ConsoleAppender"><encoder><pattern>%d %level %logger{20} %msg%n</pattern></encoder></appender><root level="INFO"><appender-ref ref="O"/></root></configuration>' > "$W/logback.xml"
  local X=--add-exports O=--add-opens A==ALL-UNNAMED   # the list of conf/jvm17-server.options
  local jpms=(-Djdk.attach.allowAttachSelf=true
    $X java.base/jdk.internal.misc$A $X java.management.rmi/com.sun.jmx.remote.internal.rmi$A
    $X java.rmi/sun.rmi.registry$A $X java.rmi/sun.rmi.server$A $X java.sql/java.sql$A
    $X java.base/java.lang.ref$A $X jdk.unsupported/sun.misc$A $X jdk.compiler/com.sun.tools.javac.file$A
    $X jdk.attach/sun.tools.attach$A $O java.base/java.lang.module$A $O java.base/jdk.internal.loader$A
    $O java.base/jdk.internal.ref$A $O java.base/jdk.internal.reflect$A $O java.base/jdk.internal.math$A
    $O java.base/jdk.internal.module$A $O java.base/jdk.internal.util.jar$A
    $O jdk.management/com.sun.management.internal$A $O java.base/sun.nio.ch$A $O java.base/java.io$A
    $O java.base/java.lang.reflect$A $O jdk.compiler/com.sun.tools.javac$A $O java.base/java.lang$A
    $O java.base/java.util$A -Dio.netty.tryReflectionSetAccessible=true)
  local jamm; jamm=$(ls "$CACHE"/lib/jamm-*.jar 2>/dev/null | head -1 || true)
  setsid "$JAVA" -Xms1g -Xmx1g -XX:+UseG1GC -Xss256k -Djava.net.preferIPv4Stack=true "${jpms[@]}" \
    ${jamm:+-javaagent:$jamm} -Dcassandra-foreground=yes -Dcassandra.config="file://$W/cassandra.yaml" \
    -Dcassandra.storagedir="$W" -Dlogback.configurationFile="$W/logback.xml" \
    -Dcassandra.jmx.local.port="$JMX_PORT" -Dcassandra.superuser_setup_delay_ms=0 \
    -Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.ring_delay_ms=0 \
    -cp "$CACHE/lib/*" org.apache.cassandra.service.CassandraDaemon > "$W/out.log" 2>&1 < /dev/null &
  echo $! > "$W/pid"
  # Ready = the native port listens and the default superuser exists (auth works). Bounded.
  local i
  for i in $(seq 180); do
    if ! kill -0 "$(cat "$W/pid")" 2>/dev/null; then
      echo "cassandra.sh: the server exited during start-up; last log lines:" >&2; tail -30 "$W/out.log" >&2; exit 1
    fi
    if grep -q "Created default superuser" "$W/out.log" && grep -q "Starting listening for CQL clients" "$W/out.log"; then
      write_env; cat "$DIR/cassandra.env"; return 0
    fi
    sleep 1
  done
  echo "cassandra.sh: not ready after 180 s; last log lines:" >&2; tail -30 "$W/out.log" >&2
  stop; exit 1
}

stop() {
  if [[ -f $W/pid ]]; then
    local pid; pid=$(cat "$W/pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$W" "$DIR/cassandra.env"
}

case $CMD in
  start) start ;;
  stop) stop ;;
  env) [[ -f $DIR/cassandra.env ]] && cat "$DIR/cassandra.env" || { echo "cassandra.sh: not started in $DIR" >&2; exit 1; } ;;
  *) echo "usage: cassandra.sh start|stop|env DIR" >&2; exit 2 ;;
esac
