#!/usr/bin/env bash
# Starts the whole throng stack natively on this machine, with a demo task run:
# PostgreSQL, Redis, throng-operator, throng-router, two throng-aggregator replicas and
# Prometheus scraping both (deploy/prometheus). Installs missing Debian packages and builds first. Safe to re-run: what already runs is left alone.
# Usage: deploy/local/up.sh [--foreground]   (--foreground: stay attached; Ctrl-C stops all)
# Ports can be changed with the environment variables below.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/deploy/local/services.sh"

state="${THRONG_STATE_DIR:-$root/.run}"
build="${THRONG_BUILD_DIR:-$root/build}"
PG_PORT="${THRONG_LOCAL_PG_PORT:-55432}"
REDIS_PORT="${THRONG_LOCAL_REDIS_PORT:-56379}"
OPERATOR_PORT="${THRONG_LOCAL_OPERATOR_PORT:-5555}"
ROUTER_PORT="${THRONG_LOCAL_ROUTER_PORT:-3000}"
ROUTER_ADMIN_PORT="${THRONG_LOCAL_ROUTER_ADMIN_PORT:-9310}"
OPERATOR_ADMIN_PORT="${THRONG_LOCAL_OPERATOR_ADMIN_PORT:-9311}"
AGGREGATOR_PORT="${THRONG_LOCAL_AGGREGATOR_PORT:-9300}"
AGGREGATOR2_PORT="${THRONG_LOCAL_AGGREGATOR2_PORT:-9301}"
PROMETHEUS_PORT="${THRONG_LOCAL_PROMETHEUS_PORT:-9090}"
foreground=""
[ "${1:-}" = "--foreground" ] && foreground=1

throng_install_packages $THRONG_BUILD_PACKAGES $THRONG_RUNTIME_PACKAGES
# The packaged Prometheus would hold port 9090; ours scrapes this stack.
throng_stop_packaged_service prometheus

throng_log "building (release) in $build"
"$root/deploy/build.sh" "$build" release

mkdir -p "$state/logs"
chmod 755 "$state"
running() { [ -f "$state/$1.pid" ] && kill -0 "$(cat "$state/$1.pid")" 2>/dev/null; }
start() {  # start <name> <command...>: in the background, logging to logs/<name>.log
  local name=$1
  shift
  if running "$name"; then
    throng_log "$name already running (pid $(cat "$state/$name.pid"))"
    return
  fi
  setsid "$@" >>"$state/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$state/$name.pid"
  throng_log "started $name (pid $!, log $state/logs/$name.log)"
}

if [ -f "$state/pg/postmaster.pid" ] && throng_as_pg_user "$(throng_pg_bin)/pg_ctl" -D "$state/pg" status >/dev/null 2>&1; then
  throng_log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
else
  throng_log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  throng_start_postgres "$state/pg" "$PG_PORT"
fi
if redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
  throng_log "Redis already running on 127.0.0.1:$REDIS_PORT"
else
  throng_log "starting Redis on 127.0.0.1:$REDIS_PORT"
  throng_start_redis "$state/redis" "$REDIS_PORT"
fi

export THRONG_PG_DSN="postgresql://throng@127.0.0.1:$PG_PORT/throng"
export THRONG_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
export THRONG_DATA_DIR="$state/data"
export THRONG_UPLOAD_DIR="$state/uploads"

start operator "$build/bin/throng-operator" --bind "tcp://127.0.0.1:$OPERATOR_PORT" \
  --admin-port "$OPERATOR_ADMIN_PORT"
throng_wait_http "http://127.0.0.1:$OPERATOR_ADMIN_PORT/readyz" 60 ||
  throng_die "the operator did not become ready; see $state/logs/operator.log"
start router "$build/bin/throng-router" --port "$ROUTER_PORT" \
  --operator-endpoint "tcp://127.0.0.1:$OPERATOR_PORT" --admin-port "$ROUTER_ADMIN_PORT"
start aggregator "$build/bin/throng-aggregator" --port "$AGGREGATOR_PORT"
start aggregator-2 "$build/bin/throng-aggregator" --port "$AGGREGATOR2_PORT"
# Each aggregator replica is its own scrape target (deploy/prometheus/prometheus.yml).
throng_prometheus_config "$state/prometheus" 15s "127.0.0.1:$AGGREGATOR_PORT" \
  "127.0.0.1:$AGGREGATOR2_PORT"
running prometheus && kill -HUP "$(cat "$state/prometheus.pid")"  # reload config and rules
start prometheus prometheus --config.file="$state/prometheus/prometheus.yml" \
  --storage.tsdb.path="$state/prometheus/data" --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"
throng_wait_http "http://127.0.0.1:$ROUTER_ADMIN_PORT/readyz" 30 ||
  throng_die "the router did not become ready; see $state/logs/router.log"

if "$build/bin/throng" runs --json | jq -e 'any(.[]; .task_name == "throng-demo-sentiment" and .status == "live")' >/dev/null; then
  throng_log "the demo task run is already live"
else
  "$build/bin/throng" launch "$root/examples/static_demo/task.yaml"
fi
throng_wait_http "http://127.0.0.1:$ROUTER_PORT/task_config.json" 15 ||
  throng_die "the router does not serve the demo run; see $state/logs/"

cat >"$state/env" <<ENV
export PATH="$build/bin:\$PATH"
export THRONG_PG_DSN="$THRONG_PG_DSN"
ENV

cat <<INFO

throng is running.
  Worker URL (open in a browser; change worker_id to be someone else):
    http://localhost:$ROUTER_PORT/?worker_id=demo-worker-1&assignment_id=1
  Metrics (cluster-wide, per service):
    http://localhost:$AGGREGATOR_PORT/metrics/router
    http://localhost:$AGGREGATOR_PORT/metrics/operator
    http://localhost:$AGGREGATOR_PORT/metrics/aggregator
    (the same from the second replica on port $AGGREGATOR2_PORT)
  Prometheus (cluster totals: throng:* recording rules, docs/metrics.md):
    http://localhost:$PROMETHEUS_PORT/graph?g0.expr=throng:router_http_requests:rate1m
  Admin ports: router http://127.0.0.1:$ROUTER_ADMIN_PORT/metrics, operator http://127.0.0.1:$OPERATOR_ADMIN_PORT/metrics
  CLI:  $build/bin/throng runs      (or: source $state/env && throng runs)
  Logs: $state/logs/
  Stop: deploy/local/down.sh$( [ -n "$foreground" ] && echo " or Ctrl-C" )
INFO

if [ -n "$foreground" ]; then
  trap '"$root/deploy/local/down.sh"; exit 0' INT TERM
  while sleep 1; do :; done
fi
