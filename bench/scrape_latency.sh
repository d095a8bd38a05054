#!/usr/bin/env bash
# Scrape latency of the aggregator's /metrics/router with many router instances, and its
# independence from Redis: writes BENCH_INSTANCES (50) synthetic router snapshots of 2,000
# series each into a throwaway Redis (protobuf encoded by protoc from
# proto/throng/v1/metrics_snapshot.proto), runs the real throng-aggregator on them and scrapes
# /metrics/router BENCH_SCRAPES (1000) times at each concurrency of BENCH_CONCURRENCY ("1 2 4":
# one at a time, two at a time as two Prometheus servers would, four), in three phases:
#   direct   the aggregator reads Redis directly;
#   slow     it reads Redis through a proxy adding BENCH_REDIS_DELAY_MS (200) each way;
#   paused   Redis is kept in CLIENT PAUSE ... ALL, so every refresh times out.
# Prints a Markdown table (latency percentiles in ms); asserts nothing but that every scrape
# got a complete answer. Needs redis-server, protoc, node, curl, jq (Debian packages).
# Usage: bench/scrape_latency.sh [build dir]   (an optimised build, default the build/ of
#        deploy/local/up.sh: cmake -DCMAKE_BUILD_TYPE=RelWithDebInfo)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/deploy/local/services.sh"
build=$(cd "${1:-$root/build}" && pwd)
instances=${BENCH_INSTANCES:-50}
scrapes=${BENCH_SCRAPES:-1000}
concurrency=${BENCH_CONCURRENCY:-1 2 4}
delay_ms=${BENCH_REDIS_DELAY_MS:-200}
series_per_instance=2000
for tool in redis-server redis-cli protoc node curl jq; do
  command -v "$tool" >/dev/null || throng_die "$tool is needed (Debian packages redis-server, protobuf-compiler, nodejs, curl, jq)"
done
[ -x "$build/bin/throng-aggregator" ] || throng_die "no $build/bin/throng-aggregator; build it first"

scratch=$(mktemp -d -t throng-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  throng_stop_redis "$scratch/redis"
  rm -rf "$scratch"
}
trap cleanup EXIT
redis_port=$(throng_free_port)
throng_start_redis "$scratch/redis" "$redis_port"
redis() { redis-cli -p "$redis_port" "$@"; }

# The snapshots, as the routers' metric publishers would save them (without expiry: nothing
# refreshes them here, and the aggregator re-reads and re-merges them every second anyway).
now_ms=$(date +%s%3N)
for i in $(seq -w 1 "$instances"); do
  id="bench-router-$i"
  awk -v instance="$id" -v now_ms="$now_ms" -f "$root/bench/router_snapshot.awk" |
    protoc --encode=throng.v1.MetricsSnapshot -I "$root/proto" throng/v1/metrics_snapshot.proto \
      >"$scratch/snapshot.bin"
  redis -x SET "bench:{router}:snap:$id" <"$scratch/snapshot.bin" >/dev/null
  redis ZADD "bench:{router}:instances" "$now_ms" "$id" >/dev/null
done
snapshot_bytes=$(stat -c %s "$scratch/snapshot.bin")
throng_log "$instances router snapshots of $series_per_instance series ($snapshot_bytes bytes each) in Redis"

agg_port=$(throng_free_port)
agg="http://127.0.0.1:$agg_port"
agg_pid=""
# start_aggregator <redis port>: (re)starts the aggregator on that Redis port and waits until
# it serves every instance's series.
start_aggregator() {
  [ -z "$agg_pid" ] || { kill "$agg_pid"; wait "$agg_pid" 2>/dev/null || true; }
  "$build/bin/throng-aggregator" --port "$agg_port" --redis-url "redis://127.0.0.1:$1" \
    --metrics-prefix bench --refresh-interval 1 --instance-id bench-aggregator --log-level warn \
    >>"$scratch/aggregator.log" 2>&1 &
  agg_pid=$!
  pids+=($agg_pid)
  local lines=0
  for _ in $(seq 300); do
    lines=$(curl -fsS "$agg/metrics/router" 2>/dev/null | grep -vc '^#' || true)
    [ "$lines" = $((instances * series_per_instance)) ] && return 0
    sleep 0.2
  done
  throng_die "the aggregator serves $lines series, expected $((instances * series_per_instance)); see $scratch/aggregator.log"
}
# own <metric>: a value from the aggregator's own /metrics.
own() { curl -fsS "$agg/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }

results="$scratch/results.md"
# measure <phase>: the scrapes at each concurrency, one table row each, plus the aggregator's
# refresh cycles meanwhile and how many failed to read Redis.
measure() {
  local phase=$1 c started refreshes errors json
  started=$(date +%s)
  refreshes=$(own throng_aggregator_refreshes_total)
  errors=$(own throng_aggregator_refresh_errors_total)
  for c in $concurrency; do
    json=$(node "$root/bench/scrape_client.cjs" "$agg/metrics/router" "$scrapes" "$c") ||
      throng_die "scrapes failed in phase $phase: $json"
    jq -r --arg phase "$phase" '"| \($phase) | \(.concurrency) | \(.requests) | \(.p50_ms) | \(.p90_ms) | \(.p99_ms) | \(.max_ms) | \(.scrapes_per_second) |"' \
      <<<"$json" >>"$results"
  done
  printf '%s: %s s, %s refresh cycles of which %s failed, redis_up %s at the end\n' "$phase" \
    "$(( $(date +%s) - started ))" \
    "$(awk -v a="$(own throng_aggregator_refreshes_total)" -v b="$refreshes" 'BEGIN { print a - b }')" \
    "$(awk -v a="$(own throng_aggregator_refresh_errors_total)" -v b="$errors" 'BEGIN { print a - b }')" \
    "$(own throng_aggregator_redis_up)" >>"$scratch/notes"
}

load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)
throng_log "phase direct: the aggregator reads Redis directly"
start_aggregator "$redis_port"
body_bytes=$(curl -fsS "$agg/metrics/router" | wc -c)
measure direct

throng_log "phase slow: Redis behind a proxy adding $delay_ms ms each way"
proxy_port=$(throng_free_port)
node "$root/bench/slow_proxy.cjs" "$proxy_port" "$redis_port" "$delay_ms" &
pids+=($!)
start_aggregator "$proxy_port"
measure "slow (+$((2 * delay_ms)) ms per command)"

throng_log "phase paused: Redis in CLIENT PAUSE ALL (each pause queues behind the last)"
start_aggregator "$redis_port"
(while redis CLIENT PAUSE 2000 ALL >/dev/null; do :; done) &
pauser=$!
pids+=($pauser)
sleep 3
measure paused
kill "$pauser"
redis CLIENT UNPAUSE >/dev/null

cat <<REPORT

load average before and after: $load_before / $(cut -d ' ' -f 1-3 /proc/loadavg)
/metrics/router: $instances instances x $series_per_instance series = $((instances * series_per_instance)) series, $body_bytes bytes per scrape
$(cat "$scratch/notes")

| phase | concurrent | scrapes | p50 ms | p90 ms | p99 ms | max ms | scrapes/s |
|---|---|---|---|---|---|---|---|
$(cat "$results")
REPORT
