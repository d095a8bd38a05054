#!/usr/bin/env bash
# `throng expire`, `throng shutdown` and `throng cleanup` against a real PostgreSQL with no
# operator running: a scratch database on the server named by THRONG_TEST_PG_DSN (tests/run.sh
# starts one), runs of the static demo launched with the built CLI, workers registered and
# submitting through the operator's own SQL functions. expire (counts, --json, a completed run),
# shutdown without an operator to wait for, shutdown --force, cleanup refused while a process
# holds the operator lease, cleanup --dry-run changing nothing, cleanup, and the exit codes.
# (Waiting for a real operator to complete a run: tests/e2e/review_shutdown_e2e.sh.)
# Usage: cli_run_control_test.sh <build dir>; needs psql and jq.
set -euo pipefail
scratch_name=cli_run_control
source "$(dirname "$0")/cli_scratch_db.sh"
holder_pid=
on_exit() { [ -z "$holder_pid" ] || kill "$holder_pid" 2>/dev/null; }

launch() { # prints the id of a new run of the static demo (20 units) with its units launched
  local id
  id=$("$throng" launch "$root/examples/static_demo/task.yaml" --data-dir "$work/data" --json | jq -r .task_run_id)
  q "SELECT throng_launch_units($id)" >/dev/null
  echo "$id"
}
register() { # <run> <worker>: prints the agent id
  q "SELECT agent_id FROM throng_register_worker($1, '$2', 'mock', 'r-$2-$1')"
}
submit() {
  [ "$(q "SELECT outcome FROM throng_submit_and_time_unit($1, '{\"sentiment\": \"neutral\"}')")" = completed ] ||
    fail "agent $1 could not submit"
}
counts() { # <run>: unit statuses, e.g. "assigned=1 completed=1 expired=18"
  q "SELECT string_agg(status || '=' || n, ' ' ORDER BY status)
       FROM (SELECT status, count(*) n FROM units WHERE task_run_id = $1 GROUP BY status) s"
}

# --- expire: units nobody holds expire; the agent at work keeps its unit and may submit.
run_a=$(launch)
busy_a=$(register "$run_a" worker-a)
submit "$(register "$run_a" worker-b)"
run_cli 0 expire "$run_a"
grep -q "task run $run_a: 18 units nobody held expired; 1 agents at work may still submit" "$work/out" ||
  fail "expire: $(cat "$work/out")"
[ "$(counts "$run_a")" = "assigned=1 completed=1 expired=18" ] || fail "after expire: $(counts "$run_a")"
[ "$(q "SELECT is_completed FROM task_runs WHERE task_run_id = $run_a")" = f ] || fail "expire completed the run"
run_cli 0 expire "$run_a" --json
jq -e --arg run "$run_a" '.task_run_id == $run and .expired_units == 0 and .agents_at_work == 1' \
  "$work/out" >/dev/null || fail "expire --json: $(cat "$work/out")"
check "expire: 18 units expired, the agent at work kept its unit, the run stays live"

# --- shutdown: waits for an operator to complete the run; with none running it says so.
run_b=$(launch)
busy_b=$(register "$run_b" worker-a)
run_cli 1 shutdown "$run_b"
grep -q "19 units nobody held expired" "$work/out" || fail "shutdown output: $(cat "$work/out")"
grep -q "no operator is running (nobody holds the operator lease).*--force" "$work/err" ||
  fail "shutdown without an operator: $(cat "$work/err")"
[ "$(counts "$run_b")" = "assigned=1 expired=19" ] || fail "after shutdown: $(counts "$run_b")"
run_cli 0 shutdown "$run_b" --force --json
jq -e --arg run "$run_b" '.task_run_id == $run and .status == "completed" and .expired_units == 1
  and .expired_agents == 1 and .disconnected_onboarding_agents == 0' "$work/out" >/dev/null ||
  fail "shutdown --force --json: $(cat "$work/out")"
[ "$(q "SELECT a.status || '/' || u.status || '/' || r.is_completed FROM agents a
        JOIN units u ON u.unit_id = a.unit_id JOIN task_runs r ON r.task_run_id = a.task_run_id
        WHERE a.agent_id = $busy_b")" = expired/expired/true ] || fail "shutdown --force left the agent working"
[ "$(q "SELECT outcome FROM throng_submit_and_time_unit($busy_b, '{}')")" != completed ] ||
  fail "an expired agent could still submit"
run_cli 0 shutdown "$run_b"
grep -q "task run $run_b is already completed" "$work/out" || fail "shutdown of a completed run: $(cat "$work/out")"
run_cli 1 expire "$run_b"
grep -q "already completed; nothing to expire" "$work/err" || fail "expire of a completed run: $(cat "$work/err")"
check "shutdown: no operator to wait for is an error naming --force; --force expires the agent at work and completes the run"

# --- cleanup: refused while a process holds the operator lease.
run_c=$(launch)
busy_c=$(register "$run_c" worker-c)
psql "$THRONG_PG_DSN" -qc "SET application_name = 'throng-operator fake-operator'" \
  -c "SELECT pg_advisory_lock($((0x7468726f)), 1)" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
holder_pid=$!
for _ in $(seq 1 40); do
  [ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $((0x7468726f)) AND objid = 1")" = 1 ] && break
  sleep 0.25
done
run_cli 1 cleanup
grep -q "operator fake-operator holds the operator lease" "$work/err" || fail "cleanup beside an operator: $(cat "$work/err")"
run_cli 1 cleanup --json
jq -e '.operator == "fake-operator" and .runs == []' "$work/out" >/dev/null || fail "cleanup --json beside an operator: $(cat "$work/out")"
[ "$(q "SELECT count(*) FROM task_runs WHERE NOT is_completed")" = 2 ] || fail "cleanup changed runs beside an operator"
# The backend sleeps on without noticing its client left: end it to release the lease.
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE application_name = 'throng-operator fake-operator'" >/dev/null
wait "$holder_pid" 2>/dev/null || true
holder_pid=
for _ in $(seq 1 40); do
  [ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = $((0x7468726f)) AND objid = 1")" = 0 ] && break
  sleep 0.25
done
check "cleanup names the operator holding the lease and changes nothing"

before=$(q "SELECT string_agg(unit_id || status, ',' ORDER BY unit_id) FROM units")
run_cli 0 cleanup --dry-run --json
jq -e --arg a "$run_a" --arg c "$run_c" '.operator == null and .dry_run == true
  and ([.runs[].task_run_id] == [$a, $c])
  and (.runs[0] | .expired_units == 1 and .expired_agents == 1)
  and (.runs[1] | .expired_units == 20 and .expired_agents == 1)' "$work/out" >/dev/null ||
  fail "cleanup --dry-run --json: $(cat "$work/out")"
[ "$(q "SELECT string_agg(unit_id || status, ',' ORDER BY unit_id) FROM units")" = "$before" ] &&
  [ "$(q "SELECT count(*) FROM task_runs WHERE NOT is_completed")" = 2 ] || fail "cleanup --dry-run changed the database"
run_cli 0 cleanup --dry-run
grep -q "task run $run_c (throng-demo-sentiment): would expire 20 units and 1 agents at work, disconnect 0 workers in onboarding and mark it completed" "$work/out" &&
  grep -q "dry run: nothing was changed" "$work/out" || fail "cleanup --dry-run: $(cat "$work/out")"
run_cli 0 cleanup
grep -q "task run $run_a (throng-demo-sentiment): expired 1 units and 1 agents at work, disconnected 0 workers in onboarding; marked completed" "$work/out" ||
  fail "cleanup: $(cat "$work/out")"
[ "$(q "SELECT count(*) FROM task_runs WHERE NOT is_completed")" = 0 ] || fail "cleanup left live runs"
[ "$(q "SELECT status FROM agents WHERE agent_id IN ($busy_a, $busy_c) GROUP BY status")" = expired ] ||
  fail "cleanup left agents at work"
[ "$(counts "$run_a")" = "completed=1 expired=19" ] || fail "cleanup touched a submitted unit: $(counts "$run_a")"
run_cli 0 cleanup
grep -q "nothing to clean up" "$work/out" || fail "second cleanup: $(cat "$work/out")"
[ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = $((0x7468726f)) AND objid = 1")" = 0 ] ||
  fail "cleanup kept the operator lease"
check "cleanup --dry-run reports and rolls back; cleanup expires and completes every live run, keeps submissions"

# --- usage
for args in "cleanup --force" "cleanup --note=x" "expire $run_a --wait=5" "expire $run_a --force" \
            "shutdown $run_a --dry-run" "shutdown $run_a --force --wait=3" "shutdown $run_a --wait=0" \
            "shutdown $run_a --wait=soon" "expire one" "shutdown"; do
  run_cli 2 $args
  grep -q '^Usage:' "$work/err" || fail "throng $args: no usage: $(cat "$work/err")"
done
run_cli 1 expire 99999
grep -q "no task run 99999" "$work/err" || fail "expire of an unknown run: $(cat "$work/err")"
run_cli 1 shutdown 99999
THRONG_PG_DSN="postgresql://throng@127.0.0.1:1/none" run_cli 1 cleanup
check "usage errors exit 2 with the usage; unknown runs and database down exit 1"
