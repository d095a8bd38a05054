#!/usr/bin/env bash
# Stopping the operator (SPEC O6). One SIGTERM: it hands out no new units (launched ones go
# back to 'created'), reports not ready, keeps serving the agent still working until it
# submits, then exits 0; a restarted operator launches the units again. Two SIGTERMs: it stops
# at once, disconnecting the active agent and putting its unit back.
# Usage: operator_shutdown_e2e.sh <build dir>
set -euo pipefail
BUILD=$(cd "$1" && pwd)
source "$(dirname "$0")/stack.sh"
q() { psql "$THRONG_PG_DSN" -tAc "$1"; }

register() { # <worker>: prints the agent id, or "null" with the failure in $work/body
  local code
  code=$(post request_agent "{\"provider_data\":{\"worker_name\":\"$1\",\"agent_registration_id\":\"r-$1\",\"provider_type\":\"mock\"}}")
  [ "$code" = 200 ] || fail "request_agent for $1 answered $code: $(cat "$work/body")"
  jq -r .data.agent_id "$work/body"
}
wait_launched() {
  for _ in $(seq 1 40); do
    [ "$(q "SELECT count(*) FROM units WHERE task_run_id = $run_id AND status = 'launched'")" -gt 0 ] && return 0
    sleep 0.25
  done
  return 1
}
wait_exit() { # <pid> <seconds>: succeeds when the process is gone in time, with exit code 0
  for _ in $(seq 1 $(($2 * 4))); do
    if ! kill -0 "$1" 2>/dev/null; then wait "$1"; return $?; fi
    sleep 0.25
  done
  return 1
}

wait_launched || fail "no unit launched"
agent_a=$(register drain-a)
[ "$agent_a" != null ] || fail "drain-a got no agent: $(cat "$work/body")"
kill -TERM "$op_pid"
sleep 2
kill -0 "$op_pid" 2>/dev/null || fail "the operator exited with an agent still working"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$op_admin/readyz")" = 503 ] ||
  fail "a draining operator must not report ready"
page_has "http://127.0.0.1:$op_admin/metrics" '^throng_service_state{service="operator",state="draining"} 1$' || fail "operator state not draining"
check "after one SIGTERM the operator keeps running for its working agent, not ready, draining"

[ "$(q "SELECT count(*) FROM units WHERE task_run_id = $run_id AND status = 'launched'")" = 0 ] ||
  fail "launched units remain while draining"
agent_b=$(register drain-b)
[ "$agent_b" = null ] && [ "$(jq -r .data.failure_reason "$work/body")" != null ] ||
  fail "a new worker got work from a draining operator: $(cat "$work/body")"
check "no new units are handed out while draining (launched units back to created)"

code=$(post submit_task "{\"USED_AGENT_ID\":\"$agent_a\",\"final_data\":{\"sentiment\":\"neutral\"}}")
[ "$code" = 200 ] && [ "$(jq -r .status "$work/body")" = "Submitted!" ] ||
  fail "the working agent could not submit while draining: $code $(cat "$work/body")"
wait_exit "$op_pid" 10 || fail "the operator did not exit 0 once the last assigned unit was submitted"
[ "$(q "SELECT status FROM agents WHERE agent_id = ${agent_a%%-*}")" = completed ] || fail "drain-a not completed"
check "the last submission is stored, then the operator exits 0"

start_operator
throng_wait_http "http://127.0.0.1:$op_admin/readyz" 30 || fail "restarted operator not ready"
wait_launched || fail "the restarted operator launched nothing"
throng_wait_http "http://127.0.0.1:$router_admin/readyz" 15 || fail "router did not see the operator return"
# The router notices the operator is back with its next heartbeat (503 until then).
agent_c=null
for _ in $(seq 1 20); do
  code=$(post request_agent '{"provider_data":{"worker_name":"drain-c","agent_registration_id":"r-drain-c","provider_type":"mock"}}')
  [ "$code" = 200 ] && agent_c=$(jq -r .data.agent_id "$work/body")
  [ "$agent_c" != null ] && break
  sleep 0.5
done
[ "$agent_c" != null ] || fail "no work after the restart: $(cat "$work/body")"
check "a restarted operator launches the units again and serves new workers"

kill -TERM "$op_pid"
sleep 0.5
kill -TERM "$op_pid"
wait_exit "$op_pid" 10 || fail "two SIGTERMs did not stop the operator at once with exit 0"
state=$(q "SELECT a.status || '/' || u.status FROM agents a JOIN units u ON u.unit_id = a.unit_id
  WHERE a.agent_id = ${agent_c%%-*}")
[ "$state" = "disconnect/created" ] || fail "after stop-now the active agent/unit are $state"
check "two SIGTERMs stop at once: the active agent is disconnected, its unit will be relaunched"
echo "operator shutdown e2e: all checks passed"
