#!/usr/bin/env bash
# The benchmark tools tell the truth: throng-loadgen against the router on throng-echo-backend
# sees every live update delivered exactly once and every registration and submission
# answered; then, on the full stack (the static demo, 20 units), its 20 workers' submissions
# are all stored and a 21st arrival is counted as finding no work. Figures are not checked:
# timings belong to bench/, not to tests.
# Usage: loadgen_e2e.sh <build dir>; needs THRONG_TEST_PG_DSN and THRONG_TEST_REDIS_URL.
set -euo pipefail
BUILD=$(cd "$1" && pwd)

# Router-only first, beside the stack's own operator and router (which stack.sh starts).
source "$(dirname "$0")/stack.sh"
echo_port=$(throng_free_port)
echo_http=$(throng_free_port)
echo_admin=$(throng_free_port)
"$BUILD/bin/throng-echo-backend" zmq --bind "tcp://127.0.0.1:$echo_port" >"$work/echo.log" 2>&1 &
pids+=($!)
THRONG_WS_RATE_LIMIT=1000 "$BUILD/bin/throng-router" --listen-address 127.0.0.1 --port "$echo_http" \
  --operator-endpoint "tcp://127.0.0.1:$echo_port" --admin-port "$echo_admin" \
  --instance-id echo-router >>"$work/echo-router.log" 2>&1 &
pids+=($!)
throng_wait_http "http://127.0.0.1:$echo_http/task_config.json" 30 || fail "the echo router serves no run"

"$BUILD/bin/throng-loadgen" live "http://127.0.0.1:$echo_http" --workers 40 --connect-rate 100 \
  --update-rate 200 --heartbeat 1 --warmup 1 --duration 3 --json "$work/live.json" >/dev/null ||
  fail "loadgen live on the echo backend: $(jq -c '.errors, .delivery' "$work/live.json")"
jq -e '.delivery.sent > 500 and .delivery.delivered == .delivery.sent and .delivery.duplicates == 0
  and .operations.live_update.count > 0 and .operations.heartbeat.count > 0
  and .outside_window.request_agent.count == 40 and .errors == {} and .workers.failed == 0' \
  "$work/live.json" >/dev/null ||
  fail "live updates not delivered exactly once: $(jq -c .delivery "$work/live.json")"
check "40 live pages on the echo backend: $(jq -r '"\(.delivery.delivered)/\(.delivery.sent)"' "$work/live.json") updates delivered once"

"$BUILD/bin/throng-loadgen" live "http://127.0.0.1:$echo_http" --workers 20 --closed-loop \
  --warmup 0.5 --duration 2 --json "$work/closed.json" >/dev/null ||
  fail "loadgen closed loop: $(jq -c '.errors, .delivery' "$work/closed.json")"
jq -e '.delivery.delivered > 100 and .operations.live_update.count > 100' "$work/closed.json" \
  >/dev/null || fail "closed loop made no round trips: $(jq -c .delivery "$work/closed.json")"
check "closed loop: $(jq -r .delivery.delivered "$work/closed.json") round trips, none lost"

# The generator must not report success for what went wrong: a router without a backend.
dead_http=$(throng_free_port)
"$BUILD/bin/throng-router" --listen-address 127.0.0.1 --port "$dead_http" \
  --operator-endpoint "tcp://127.0.0.1:$(throng_free_port)" --admin-port "$(throng_free_port)" \
  --instance-id dead-router >>"$work/dead-router.log" 2>&1 &
pids+=($!)
throng_wait_http "http://127.0.0.1:$dead_http/is_alive" 30 || fail "dead router not up"
if "$BUILD/bin/throng-loadgen" live "http://127.0.0.1:$dead_http" --workers 3 --warmup 0 \
  --duration 0.5 --drain 0 --json "$work/dead.json" >/dev/null; then
  fail "loadgen exited 0 although no page could register"
fi
jq -e '.workers.failed == 3 and (.errors | to_entries | all(.key | startswith("request_agent")))' \
  "$work/dead.json" >/dev/null || fail "failures not reported: $(jq -c .errors "$work/dead.json")"
check "without a backend every registration is reported failed (exit 1)"

# Full stack: the static demo's 20 units and one worker too many.
if "$BUILD/bin/throng-loadgen" static "$base" --arrival-rate 20 --workers 21 --think 0.2 \
  --warmup 0 --duration 2 --prefix lg-e2e --json "$work/static.json" >/dev/null; then
  fail "the 21st worker found work, or its refusal was not counted"
fi
jq -e '.submissions.acknowledged == 20 and .operations.page.errors == 0
  and .operations.submit_task.errors == 0 and .operations.request_agent.errors == 1
  and (.errors | keys == ["request_agent: There is currently no available work, please try again later..."])' \
  "$work/static.json" >/dev/null || fail "static run: $(jq -c '.errors, .submissions, .operations.request_agent' "$work/static.json")"
stored=$(psql "$THRONG_PG_DSN" -tAc "SELECT count(*) FROM agents a JOIN workers w USING (worker_id)
  WHERE a.status = 'completed' AND w.worker_name LIKE 'lg-e2e-%'")
[ "$stored" = 20 ] || fail "20 submissions acknowledged but $stored stored"
check "20 static workers: 20 submissions acknowledged and stored; the 21st told there is no work"
