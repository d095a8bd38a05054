#!/usr/bin/env bash
# End to end: one operator serves three task runs at once (O7): the paired chat demo in real
# browsers and two static runs worked by scripted workers, each page and request naming its run.
# No cross-talk: every submission lands in the run its worker asked for, with that run's data,
# and the operator's per-run metrics (units and agents by status, unit completion times) match
# each run's rows in PostgreSQL. Then the live settings: `throng set` raises a run's
# concurrency cap and lifts a per-worker limit while it is live, and a run nobody submits to is
# shut down after its no_submission_patience.
# Usage: multi_run_e2e.sh <build dir>; tests/run.sh installs Chromium and playwright-core.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null || { echo "FAIL: node is needed for the scripted workers" >&2; exit 1; }
source "$here/build_demo_webapp.sh"
use_paired_chat_demo

export THRONG_RECONNECT_GRACE=2
source "$here/stack.sh"
chat_run=$run_id

sql() { psql "$THRONG_PG_DSN" -v ON_ERROR_STOP=1 -qtAc "$1"; }

# Two static runs with data that names its run (static_run.sh).
source "$here/static_run.sh"
# Per-worker limits leave both runs live (with units nobody may take) once the workers stop.
run_b=$(static_run run-b 40 task.maximum_units_per_worker=3)
run_c=$(static_run run-c 30 task.maximum_units_per_worker=2 task.max_num_concurrent_units=4)
check "three live runs: paired chat $chat_run, static $run_b and $run_c (capped at 4 units)"

# workers <run> <prefix> <count>: scripted workers on one run, in the background; sets driver.
# A worker stops after 8 s without work: under a cap units come back once a second.
workers() {
  node "$here/workers/scripted_workers.cjs" "$base" "$work/$2.json" "workers=$3" \
    "task_run_id=$1" "worker_prefix=$2" think_min_ms=50 think_max_ms=300 idle_stop_ms=8000 \
    deadline_ms=240000 2>"$work/$2.log" &
  driver=$!
  pids+=($driver)
}
workers "$run_b" b 10
driver_b=$driver
workers "$run_c" c 10
driver_c=$driver
TASK_RUN_ID=$chat_run NODE_PATH="$BUILD/browser-e2e/node_modules" \
  node "$root/tests/e2e/browser/paired_chat.cjs" chat "$base"
check "paired chat in browsers while the static runs are worked"
wait "$driver_b" || fail "run $run_b's workers: $(tail -n 5 "$work/b.log")"
wait "$driver_c" || fail "run $run_c's workers: $(tail -n 5 "$work/c.log")"

for run in "$run_b" "$run_c"; do
  [ "$(sql "SELECT count(*) FROM units WHERE task_run_id = $run AND status = 'completed'")" = \
    "$(( run == run_b ? 30 : 20 ))" ] || fail "run $run: expected 10 workers x its per-worker limit completed"
done
acked_b=$(jq '.submissions | length' "$work/b.json")
acked_c=$(jq '.submissions | length' "$work/c.json")
[ "$acked_b" = 30 ] && [ "$acked_c" = 20 ] || fail "acknowledged submissions: b=$acked_b c=$acked_c"
check "each static run completed its workers' share: 30 of 40 and 20 of 30 units"
# The cap held: run C never had more than 4 agents at work at once (each agent works from its
# creation to its submission).
most=$(sql "SELECT max(working) FROM (SELECT sum(d) OVER (ORDER BY t, d) AS working FROM (
  SELECT creation_date AS t, 1 AS d FROM agents WHERE task_run_id = $run_c
  UNION ALL SELECT update_date, -1 FROM agents WHERE task_run_id = $run_c) e) w")
[ "$most" -le 4 ] && [ "$most" -ge 2 ] || fail "run $run_c had $most agents at work at once (cap 4)"
check "run $run_c's max_num_concurrent_units held: at most $most agents at work at once"

# No cross-talk: each worker's agents belong to its run, and each submission echoes a unit of
# that run (the workers submit the data they were given).
for pair in "b:$run_b:run-b" "c:$run_c:run-c"; do
  IFS=: read -r prefix run name <<<"$pair"
  wrong=$(sql "SELECT count(*) FROM agents a JOIN workers w USING (worker_id)
    WHERE w.worker_name LIKE '$prefix-%' AND a.task_run_id <> $run")
  [ "$wrong" = 0 ] || fail "$wrong agents of $prefix-workers are in another run than $run"
  foreign=$(sql "SELECT count(*) FROM agents a JOIN agent_data d USING (agent_id)
    WHERE a.task_run_id = $run AND a.status = 'completed'
      AND d.submission->'unit'->>'item_id' NOT LIKE '$name-%'")
  [ "$foreign" = 0 ] || fail "$foreign submissions of run $run carry another run's data"
  mismatched=$(sql "SELECT count(*) FROM agents a JOIN agent_data d USING (agent_id)
    WHERE a.task_run_id = $run AND a.status = 'completed'
      AND d.submission->'unit' IS DISTINCT FROM d.init_data")
  [ "$mismatched" = 0 ] || fail "$mismatched submissions of run $run echo another unit's data"
done
chat_agents=$(sql "SELECT count(*) FROM agents WHERE task_run_id = $chat_run")
strays=$(sql "SELECT count(*) FROM agents a JOIN workers w USING (worker_id)
  WHERE (w.worker_name LIKE 'chat-%') <> (a.task_run_id = $chat_run)")
[ "$chat_agents" = 4 ] && [ "$strays" = 0 ] ||
  fail "chat run: $chat_agents agents, $strays agents in the wrong run"
relayed=$(sql "SELECT count(*) FROM live_updates u JOIN agents a USING (agent_id)
  WHERE a.task_run_id <> $chat_run")
[ "$relayed" = 0 ] || fail "$relayed live updates belong to agents of the static runs"
check "no cross-talk: agents, submissions and live updates each stay in their own run"

# Per-run metrics agree with PostgreSQL once the census has caught up (every 5 s).
metric_sum() {  # metric_sum <metric> <run> [<status>]: the sum of the run's series
  curl -sf "http://127.0.0.1:$op_admin/metrics" |
    awk -v m="$1" -v run="task_run_id=\"$2\"" -v status="status=\"${3:-}\"" '
      index($0, m "{") == 1 && index($0, run) && (status == "status=\"\"" || index($0, status)) \
        { sum += $NF } END { printf "%d\n", sum }'
}
metrics_match() {
  local run
  for run in "$chat_run" "$run_b" "$run_c"; do
    for status in created launched assigned completed expired; do
      [ "$(metric_sum throng_operator_run_units "$run" "$status")" = \
        "$(sql "SELECT count(*) FROM units WHERE task_run_id = $run AND status = '$status'")" ] ||
        return 1
    done
    [ "$(metric_sum throng_operator_run_agents "$run")" = \
      "$(sql "SELECT count(*) FROM agents WHERE task_run_id = $run")" ] || return 1
  done
  for run in "$run_b" "$run_c"; do
    [ "$(metric_sum throng_operator_unit_completion_seconds_count "$run")" = \
      "$(sql "SELECT count(*) FROM units WHERE task_run_id = $run AND status = 'completed'")" ] ||
      return 1
  done
}
for _ in $(seq 1 30); do metrics_match && break; sleep 0.5; done
metrics_match || fail "per-run metrics disagree with PostgreSQL: $(curl -sf \
  "http://127.0.0.1:$op_admin/metrics" | grep -E 'run_units|unit_completion_seconds_count')"
check "per-run metrics (units and agents by status, unit completion times) match each run's rows"

# Live settings: lift C's cap and both per-worker limits; fresh workers finish both runs.
"$BUILD/bin/throng" set "$run_c" max_num_concurrent_units=0 maximum_units_per_worker=0 \
  >"$work/set.out" || fail "throng set failed"
grep -q "max_num_concurrent_units 4 -> 0" "$work/set.out" || fail "set said: $(cat "$work/set.out")"
"$BUILD/bin/throng" set "$run_b" task.maximum_units_per_worker=0 --json |
  jq -e '.changes[0] == {"setting": "maximum_units_per_worker", "old": "3", "new": "0"}' \
    >/dev/null || fail "throng set --json"
code=0
"$BUILD/bin/throng" set "$run_b" task_title=x 2>"$work/set.err" || code=$?
[ $code = 1 ] && grep -q "changeable: max_num_concurrent_units" "$work/set.err" ||
  fail "an unchangeable setting: exit $code, $(cat "$work/set.err")"
workers "$run_b" b2 4
finish_b=$driver
workers "$run_c" c2 4
finish_c=$driver
wait "$finish_b" && wait "$finish_c" || fail "the finishing workers failed"
for _ in $(seq 1 20); do
  [ "$(sql "SELECT count(*) FROM task_runs WHERE task_run_id IN ($run_b, $run_c) AND is_completed")" = 2 ] &&
    break
  sleep 0.5
done
[ "$(sql "SELECT count(*) FROM units WHERE task_run_id IN ($run_b, $run_c) AND status = 'completed'")" = 70 ] ||
  fail "after the limits were lifted not every unit of runs $run_b and $run_c was completed"
check "limits changed while live (throng set): both static runs finished, 70 of 70 units"

# A run nobody submits to is presumed broken after no_submission_patience and shut down.
silent=$(static_run run-d 5 task.no_submission_patience=2)
for _ in $(seq 1 40); do
  [ "$(sql "SELECT is_completed FROM task_runs WHERE task_run_id = $silent")" = t ] && break
  sleep 0.25
done
[ "$(sql "SELECT string_agg(DISTINCT status, ',') FROM units WHERE task_run_id = $silent")" = expired ] ||
  fail "the silent run $silent was not shut down"
grep -q "task run $silent: no submission for 2 s (no_submission_patience)" "$work/operator.log" ||
  fail "no log line for the shutdown"
metrics=$(curl -sf "http://127.0.0.1:$op_admin/metrics")
grep -q '^throng_operator_runs_shut_down_total{reason="no_submission_patience"} 1' <<<"$metrics" ||
  fail "runs_shut_down_total not counted"
check "a run with no submission for its no_submission_patience was shut down (units expired, logged, counted)"
echo "PASS: multi-run e2e"
