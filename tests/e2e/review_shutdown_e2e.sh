#!/usr/bin/env bash
# `throng review` and `throng shutdown` against a real operator and router, workers over HTTP.
# Block: a worker blocked while it holds a unit still submits it, then the operator refuses it
# new units of the run (the run's blueprint.block_qualification); unblocked, it gets work again.
# Shutdown: units nobody holds expire at once and new workers are refused; the command waits,
# printing the agents still at work; Ctrl-C leaves the run shutting down (exit 1); run again, it
# returns 0 once the last agent submitted and the operator completed the run.
# Usage: review_shutdown_e2e.sh <build dir>
set -euo pipefail
BUILD=$(cd "$1" && pwd)
export THRONG_E2E_TASK_OVERRIDES="blueprint.block_qualification=e2e-review-blocked"
source "$(dirname "$0")/stack.sh"
throng="$BUILD/bin/throng"
q() { psql "$THRONG_PG_DSN" -tAc "$1"; }

register() { # <worker> <registration id>: prints the agent id, or "null" (the answer in $work/body)
  local code
  code=$(post request_agent "{\"provider_data\":{\"worker_name\":\"$1\",\"agent_registration_id\":\"$2\",\"provider_type\":\"mock\"}}")
  [ "$code" = 200 ] || fail "request_agent for $1 answered $code: $(cat "$work/body")"
  jq -r .data.agent_id "$work/body"
}
submit() { # <agent id>
  local code
  code=$(post submit_task "{\"USED_AGENT_ID\":\"$1\",\"final_data\":{\"sentiment\":\"positive\"}}")
  [ "$code" = 200 ] && [ "$(jq -r .status "$work/body")" = "Submitted!" ] ||
    fail "agent $1 could not submit: $code $(cat "$work/body")"
}
wait_for() { # <seconds> <command...>: until the command succeeds
  local tries=$(($1 * 4))
  shift
  for _ in $(seq 1 "$tries"); do "$@" && return 0; sleep 0.25; done
  return 1
}
launched() { [ "$(q "SELECT count(*) FROM units WHERE task_run_id = $run_id AND status = 'launched'")" -gt 0 ]; }
wait_for 10 launched || fail "no unit launched"

# --- block / unblock
agent=$(register blocked-worker r-blocked-1)
[ "$agent" != null ] || fail "blocked-worker got no unit: $(cat "$work/body")"
"$throng" review "$run_id" block blocked-worker --note "e2e" >"$work/block.out" ||
  fail "block failed: $(cat "$work/block.out")"
submit "$agent"
[ "$(register blocked-worker r-blocked-2)" = null ] && [ "$(jq -r .data.failure_reason "$work/body")" != null ] ||
  fail "the operator gave a blocked worker a new unit: $(cat "$work/body")"
other=$(register other-worker r-other-1)
[ "$other" != null ] || fail "other-worker was refused: $(cat "$work/body")"
submit "$other"
check "a worker blocked while at work submits its unit, then the operator refuses it new ones"

"$throng" review "$run_id" unblock blocked-worker >/dev/null || fail "unblock failed"
agent=$(register blocked-worker r-blocked-3)
[ "$agent" != null ] || fail "an unblocked worker is still refused: $(cat "$work/body")"
submit "$agent"
"$throng" review "$run_id" approve --all --json >"$work/approve.json" || fail "approve --all failed"
[ "$(jq '.units | length' "$work/approve.json")" = 3 ] || fail "approve --all: $(cat "$work/approve.json")"
[ "$(q "SELECT count(*) FROM worker_review")" = 7 ] ||
  fail "expected 7 worker_review rows (block and unblock: the requester's and the run's block qualifications; 3 approvals)"
check "unblocked, the worker gets work again; approve --all reviews the three submitted units"

# --- shutdown
busy=$(register busy-worker r-busy-1)
[ "$busy" != null ] || fail "busy-worker got no unit: $(cat "$work/body")"
"$throng" shutdown "$run_id" >"$work/shutdown1.out" 2>"$work/shutdown1.err" &
shutdown_pid=$!
at_work() { grep -q "task run $run_id: 1 agents still at work; waiting" "$work/shutdown1.out"; }
wait_for 15 at_work || fail "shutdown did not report the agent at work: $(cat "$work/shutdown1.out" "$work/shutdown1.err")"
[ "$(q "SELECT count(*) FROM units WHERE task_run_id = $run_id AND status IN ('created', 'launched')")" = 0 ] ||
  fail "units nobody held did not expire"
[ "$(register late-worker r-late-1)" = null ] || fail "a new worker got work from a run shutting down"
kill -INT "$shutdown_pid"
status=0
wait "$shutdown_pid" || status=$?
[ "$status" = 1 ] && grep -q "interrupted; task run $run_id keeps shutting down" "$work/shutdown1.err" ||
  fail "Ctrl-C: exit $status, $(cat "$work/shutdown1.err")"
[ "$(q "SELECT is_completed FROM task_runs WHERE task_run_id = $run_id")" = f ] || fail "the run completed too early"
check "shutdown expires what nobody holds, waits for the agent at work; Ctrl-C leaves it shutting down (exit 1)"

"$throng" shutdown "$run_id" --wait=60 --json >"$work/shutdown2.out" 2>"$work/shutdown2.err" &
shutdown_pid=$!
sleep 1
kill -0 "$shutdown_pid" 2>/dev/null || fail "shutdown returned with an agent at work: $(cat "$work/shutdown2.out" "$work/shutdown2.err")"
submit "$busy"
status=0
wait "$shutdown_pid" || status=$?
[ "$status" = 0 ] || fail "shutdown exited $status: $(cat "$work/shutdown2.err")"
jq -e --arg run "$run_id" '.task_run_id == $run and .status == "completed"' "$work/shutdown2.out" >/dev/null ||
  fail "shutdown --json: $(cat "$work/shutdown2.out")"
[ "$(q "SELECT is_completed FROM task_runs WHERE task_run_id = $run_id")" = t ] || fail "the run is not completed"
[ "$(q "SELECT u.status || '/' || a.status FROM units u JOIN agents a ON a.agent_id = u.agent_id WHERE a.agent_id = ${busy%%-*}")" = completed/completed ] ||
  fail "the last submission was not kept"
check "shutdown returns 0 once the last agent submitted and the operator completed the run"
