#!/usr/bin/env bash
# Stops everything deploy/local/up.sh started (data is kept in .run/ for the next start).
# Usage: deploy/local/down.sh [--purge]   (--purge also deletes the database and run data)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/deploy/local/services.sh"
state="${THRONG_STATE_DIR:-$root/.run}"

for name in prometheus router aggregator aggregator-2 operator; do
  pidfile="$state/$name.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    throng_log "stopped $name"
  fi
  rm -f "$pidfile"
done
throng_stop_redis "$state/redis" && throng_log "stopped Redis"
throng_stop_postgres "$state/pg" && throng_log "stopped PostgreSQL"
if [ "${1:-}" = "--purge" ]; then
  rm -rf "$state"
  throng_log "deleted $state"
fi
