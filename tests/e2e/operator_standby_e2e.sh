#!/usr/bin/env bash
# Two operators on one database (SPEC O7): the second waits as a standby (not ready, names
# the holder of the lease) and, when the active one is killed with SIGKILL, takes the lease,
# binds the same endpoint and serves the router: a worker registered before the crash keeps
# its agent and submits, a new worker gets work.
# Usage: operator_standby_e2e.sh <build dir>
set -euo pipefail
BUILD=$(cd "$1" && pwd)
source "$(dirname "$0")/stack.sh"

standby_admin=$(throng_free_port)
"$BUILD/bin/throng-operator" --bind "tcp://127.0.0.1:$zmq_port" --admin-port "$standby_admin" \
  --instance-id standby-operator >"$work/standby.log" 2>&1 &
standby_pid=$!
pids+=($standby_pid)
for _ in $(seq 1 40); do grep -q "standby: operator" "$work/standby.log" && break; sleep 0.25; done
grep -q "standby: operator .* holds the lease" "$work/standby.log" ||
  fail "the second operator did not report standing by: $(tail -3 "$work/standby.log")"
code=$(curl -s -o "$work/ready" -w '%{http_code}' "http://127.0.0.1:$standby_admin/readyz")
[ "$code" = 503 ] && grep -q standby "$work/ready" || fail "standby /readyz: $code $(cat "$work/ready")"
page_has "http://127.0.0.1:$standby_admin/metrics" '^throng_service_state{service="operator",state="standby"} 1$' || fail "standby state not standby"
check "a second operator on the same database stands by (not ready, holder named, state standby)"

code=$(post request_agent '{"provider_data":{"worker_name":"before-crash","agent_registration_id":"r-before","provider_type":"mock"}}')
[ "$code" = 200 ] || fail "request_agent answered $code: $(cat "$work/body")"
agent=$(jq -r .data.agent_id "$work/body")
[ "$agent" != null ] || fail "no agent before the crash: $(cat "$work/body")"

kill -9 "$op_pid"
throng_wait_http "http://127.0.0.1:$standby_admin/readyz" 20 || fail "the standby never took over"
grep -q "the lease is ours" "$work/standby.log" || fail "the standby did not log the takeover"
check "after kill -9 of the active operator the standby takes the lease and is ready"

again=null
for _ in $(seq 1 30); do
  code=$(post request_agent '{"provider_data":{"worker_name":"before-crash","agent_registration_id":"r-before","provider_type":"mock"}}')
  [ "$code" = 200 ] && again=$(jq -r .data.agent_id "$work/body") && break
  sleep 0.5
done
[ "$again" = "$agent" ] || fail "the worker's reconnect got agent $again, expected $agent"
code=$(post submit_task "{\"USED_AGENT_ID\":\"$agent\",\"final_data\":{\"sentiment\":\"positive\"}}")
[ "$code" = 200 ] || fail "submit after takeover answered $code: $(cat "$work/body")"
code=$(post request_agent '{"provider_data":{"worker_name":"after-crash","agent_registration_id":"r-after","provider_type":"mock"}}')
[ "$code" = 200 ] && [ "$(jq -r .data.agent_id "$work/body")" != null ] ||
  fail "a new worker got no work from the new operator: $code $(cat "$work/body")"
[ "$(psql "$THRONG_PG_DSN" -tAc "SELECT status FROM agents WHERE agent_id = ${agent%%-*}")" = completed ] ||
  fail "the submission after the takeover is not stored"
check "through the new operator: the old agent reconnects and submits, a new worker gets work"
echo "operator standby e2e: all checks passed"
