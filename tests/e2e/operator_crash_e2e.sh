#!/usr/bin/env bash
# End to end: the operator is killed with SIGKILL twice while 200 scripted workers work through
# a 1,000-unit static task run, and restarted each time on the same database after 1-3 s (O6).
# The workers are correct clients: an HTTP error or timeout is retried with the same request
# (the same agent_registration_id, the same submission). Afterwards PostgreSQL must show every
# unit completed exactly once, every acknowledged submission stored for its agent, no unit
# with two live agents at once, no registration id with two agents, no agent nobody was told
# about, and the run completed; and the router must never have answered a registration of the
# live run with 404 "no task run is live".
# Usage: operator_crash_e2e.sh <build dir>; needs THRONG_TEST_PG_DSN and THRONG_TEST_REDIS_URL.
# THRONG_CRASH_UNITS and THRONG_CRASH_WORKERS change the size (default 1000 and 200).
set -euo pipefail
BUILD=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
units=${THRONG_CRASH_UNITS:-1000}
workers=${THRONG_CRASH_WORKERS:-200}
command -v node >/dev/null || { echo "FAIL: node is needed for the scripted workers" >&2; exit 1; }

# The task: the demo's page over generated data, one unit at a time per worker.
task_dir=$(mktemp -d /tmp/throng-crash-task.XXXXXX)
trap 'rm -rf "$task_dir"' EXIT
cp "$here/../../examples/static_demo/task.html" "$task_dir/task.html"
awk -v n="$units" 'BEGIN { print "item_id,sentence";
  for (i = 1; i <= n; i++) printf "%d,\"Sentence %d, written for the crash test.\"\n", i, i }' \
  >"$task_dir/data.csv"
cat >"$task_dir/task.yaml" <<'YAML'
# The operator crash test's task: the static demo's page over generated sentences.
blueprint:
  type: static_task
  task_source: task.html
  data_csv: data.csv
  units_per_assignment: 1
provider:
  type: mock
  requester_name: crash_requester
task:
  task_name: throng-operator-crash
  task_title: Rate the sentiment of a sentence
  task_description: Read one short sentence and say whether it sounds positive, neutral or negative.
  task_reward: 0.01
  max_num_concurrent_units: 0
  allowed_concurrent: 1
  maximum_units_per_worker: 0
  assignment_duration_in_seconds: 1800
YAML
export THRONG_E2E_TASK_CONFIG="$task_dir/task.yaml" THRONG_E2E_UNITS="$units"
# Should a check fail with units still assigned, the stack's SIGTERM must not wait for them.
export THRONG_DRAIN_TIMEOUT=5
source "$here/stack.sh"
# From here on stack.sh's exit trap owns the cleanup; keep the task with the logs.
mv "$task_dir" "$work/task"

sql() { psql "$THRONG_PG_DSN" -v ON_ERROR_STOP=1 -qtAc "$1"; }
now_ms() { date +%s%3N; }
completed_units() {
  sql "SELECT count(*) FROM units WHERE task_run_id = $run_id AND status = 'completed'" 2>/dev/null || echo 0
}
active="('accepted', 'waiting', 'in task', 'onboarding')"

# Two kills at random moments: after 20-60 % and 60-90 % of the units are completed.
kill_at=( $(( units * (20 + RANDOM % 40) / 100 )) $(( units * (60 + RANDOM % 30) / 100 )) )

# Think times keep 200 workers busy for about a minute on a 2-core machine (ASan build).
node "$here/workers/scripted_workers.cjs" "$base" "$work/workers.json" "workers=$workers" \
  think_min_ms=200 think_max_ms=900 idle_stop_ms=8000 deadline_ms=360000 \
  client_timeout_ms=20000 2>"$work/workers.log" &
driver=$!
pids+=($driver)
started=$(now_ms)
check "$workers scripted workers started on run $run_id ($units units); kills planned at ${kill_at[*]} completed units"

outages=() restarts=()
for target in "${kill_at[@]}"; do
  while [ "$(completed_units)" -lt "$target" ]; do
    kill -0 "$driver" 2>/dev/null || fail "the workers stopped before $target units were completed"
    sleep 0.2
  done
  at=$(completed_units)
  kill -KILL "$op_pid"
  wait "$op_pid" 2>/dev/null || true
  killed=$(now_ms)
  sleep "$((1 + RANDOM % 2)).$((RANDOM % 10))"
  start_operator
  throng_wait_http "http://127.0.0.1:$op_admin/readyz" 60 || fail "the operator did not come back after the kill"
  back=$(now_ms)
  outages+=("$((back - killed))")
  restarts+=("$killed-$back")
  check "operator killed (SIGKILL) at $at completed units, restarted and ready after $((back - killed)) ms"
done

driver_status=0
wait "$driver" || driver_status=$?
elapsed=$(( $(now_ms) - started ))
[ -s "$work/workers.json" ] || fail "the workers wrote no result (exit $driver_status): $(tail -n 5 "$work/workers.log")"
errors=$(jq -r '.errors | length' "$work/workers.json")
[ "$errors" = 0 ] || fail "the workers met $errors unexpected answers, e.g.: $(jq -r '.errors[:5][]' "$work/workers.json")"
[ "$driver_status" = 0 ] || fail "the workers exited $driver_status: $(jq -c .stats "$work/workers.json")"
figure() { jq -r ".stats.$1" "$work/workers.json"; }
check "workers done in $((elapsed / 1000)).$((elapsed % 1000 / 100)) s: $(figure registrations) registrations ($(figure registration_attempts) attempts, $(figure no_work_answers) 'no work' answers), $(figure submissions_acknowledged) acknowledged submissions"
check "retries: $(figure registration_retries) registration attempts repeated ($(figure retried_registrations) registrations), $(figure submit_retries) submission attempts repeated ($(figure retried_submissions) submissions); errors seen: $(jq -c .stats.http_errors "$work/workers.json")"

# The run completes once no unit is open (the operator's maintenance, every second).
for _ in $(seq 100); do
  [ "$(sql "SELECT is_completed FROM task_runs WHERE task_run_id = $run_id")" = t ] && break
  sleep 0.2
done

# What the workers were told, next to what PostgreSQL holds (a scratch database, dropped at exit).
# An agent id is "<row id>-<credential tag>".
jq -r '.submissions[] | [(.agent_id | split("-")[0]), (.final_data | tojson)] | @csv' \
  "$work/workers.json" >"$work/acks.csv"
jq -r '.registrations[] | [.registration_id, (.agent_id | split("-")[0]), .attempts, .last_attempt_ms]
  | @csv' \
  "$work/workers.json" >"$work/registrations.csv"
psql "$THRONG_PG_DSN" -v ON_ERROR_STOP=1 -q <<SQL
CREATE TABLE crash_acks (agent_id bigint, final_data jsonb);
CREATE TABLE crash_registrations (registration_id text, agent_id bigint, attempts integer,
                                  last_attempt_ms bigint);
\copy crash_acks FROM '$work/acks.csv' WITH (FORMAT csv)
\copy crash_registrations FROM '$work/registrations.csv' WITH (FORMAT csv)
SQL

# 1. Every unit completed exactly once.
counts=$(sql "SELECT count(*) FILTER (WHERE status = 'completed') || '/' || count(*) FROM units WHERE task_run_id = $run_id")
[ "$counts" = "$units/$units" ] || fail "units completed/total: $counts; $(sql "SELECT string_agg(status || ' ' || n, ', ') FROM (SELECT status, count(*) n FROM units WHERE task_run_id = $run_id GROUP BY 1) s")"
bad=$(sql "SELECT count(*) FROM units u WHERE u.task_run_id = $run_id
  AND (SELECT count(*) FROM agents a WHERE a.unit_id = u.unit_id AND a.status = 'completed') <> 1")
[ "$bad" = 0 ] || fail "$bad units do not have exactly one completed agent, e.g. (unit: agents): $(sql "SELECT string_agg(x, '; ') FROM (
  SELECT u.unit_id || ' ' || u.status || ': ' || COALESCE((SELECT string_agg(a.agent_id || ' ' || a.status, ', ')
    FROM agents a WHERE a.unit_id = u.unit_id), 'none') x FROM units u WHERE u.task_run_id = $run_id
    AND (SELECT count(*) FROM agents a WHERE a.unit_id = u.unit_id AND a.status = 'completed') <> 1 LIMIT 10) s")"
bad=$(sql "SELECT count(*) FROM units u JOIN agents a ON a.unit_id = u.unit_id AND a.status = 'completed'
  LEFT JOIN agent_data d ON d.agent_id = a.agent_id
  WHERE u.task_run_id = $run_id AND (u.agent_id IS DISTINCT FROM a.agent_id OR d.submission IS NULL)")
[ "$bad" = 0 ] || fail "$bad completed units whose agent_id is not their completed agent, or without a stored submission"
check "all $units units completed, each by exactly one completed agent with a stored submission"

# 2. Every acknowledged submission is stored, unchanged, for its agent; each unit's submission
#    was acknowledged to its worker once.
acks=$(sql "SELECT count(*) || '/' || count(DISTINCT agent_id) FROM crash_acks")
[ "$acks" = "$units/$units" ] || fail "acknowledged submissions (all/distinct agents): $acks, expected $units/$units"
lost=$(sql "SELECT count(*) FROM crash_acks k LEFT JOIN agents a USING (agent_id)
  LEFT JOIN agent_data d USING (agent_id)
  WHERE a.status IS DISTINCT FROM 'completed' OR a.task_run_id IS DISTINCT FROM $run_id
     OR d.submission IS DISTINCT FROM k.final_data")
[ "$lost" = 0 ] || fail "$lost acknowledged submissions are not stored as sent, e.g.: $(sql "SELECT string_agg(x, '; ') FROM (
  SELECT k.agent_id || ' ' || COALESCE(a.status, 'no agent') || ' acknowledged ' || k.final_data::text || ' stored '
    || COALESCE(d.submission::text, 'nothing') x FROM crash_acks k LEFT JOIN agents a USING (agent_id)
    LEFT JOIN agent_data d USING (agent_id)
   WHERE a.status IS DISTINCT FROM 'completed' OR d.submission IS DISTINCT FROM k.final_data LIMIT 5) s")"
check "all $units acknowledged submissions are in agent_data.submission for their agents"

# 3. No unit ever had two live agents. An agent is live from creation_date until update_date
#    once it left the active statuses (now() of the transactions that created and ended it);
#    nobody times out in this run, so a second agent on a unit must not start before the first
#    ended. And nothing is live now, nor ended otherwise than completed.
live_now=$(sql "SELECT count(*) FROM (SELECT unit_id FROM agents WHERE task_run_id = $run_id
  AND status IN $active GROUP BY unit_id HAVING count(*) > 1) s")
[ "$live_now" = 0 ] || fail "$live_now units have two agents in an active status now"
overlaps=$(sql "SELECT count(*) FROM agents a JOIN agents b ON b.unit_id = a.unit_id AND b.agent_id > a.agent_id
  WHERE a.task_run_id = $run_id
    AND b.creation_date < CASE WHEN a.status IN $active THEN 'infinity' ELSE a.update_date END")
[ "$overlaps" = 0 ] || fail "$overlaps pairs of agents were live on the same unit at the same time, e.g.: $(sql "SELECT string_agg(x, '; ') FROM (
  SELECT 'unit ' || a.unit_id || ': ' || a.agent_id || ' ' || a.status || ' [' || a.creation_date || ', '
    || a.update_date || '] and ' || b.agent_id || ' ' || b.status || ' [' || b.creation_date || ', '
    || b.update_date || ']' x FROM agents a JOIN agents b ON b.unit_id = a.unit_id AND b.agent_id > a.agent_id
   WHERE a.task_run_id = $run_id
     AND b.creation_date < CASE WHEN a.status IN $active THEN 'infinity' ELSE a.update_date END LIMIT 5) s")"
others=$(sql "SELECT COALESCE(string_agg(status || ' ' || n, ', '), '') FROM (SELECT status, count(*) n
  FROM agents WHERE task_run_id = $run_id AND status <> 'completed' GROUP BY 1) s")
[ -z "$others" ] || fail "agents that did not end completed (an agent nobody was told about keeps its unit): $others"
multi=$(sql "SELECT count(*) FROM (SELECT unit_id FROM agents WHERE task_run_id = $run_id GROUP BY 1 HAVING count(*) > 1) s")
[ "$multi" = 0 ] || fail "$multi units had more than one agent"
check "no unit had two live agents; every one of the run's $(sql "SELECT count(*) FROM agents WHERE task_run_id = $run_id") agents is completed, one per unit"

# 4. Retried registrations reconnected: one agent per registration id, and every agent is the
#    one its worker was told about.
dup=$(sql "SELECT count(*) FROM (SELECT registration_id FROM agents WHERE task_run_id = $run_id
  GROUP BY 1 HAVING count(*) > 1) s")
[ "$dup" = 0 ] || fail "$dup registration ids got more than one agent (a retry was given a second unit)"
orphans=$(sql "SELECT count(*) FROM agents a WHERE a.task_run_id = $run_id
  AND NOT EXISTS (SELECT 1 FROM crash_registrations r WHERE r.agent_id = a.agent_id)")
[ "$orphans" = 0 ] || fail "$orphans agents were created but never given to a worker"
mismatch=$(sql "SELECT count(*) FROM crash_registrations r LEFT JOIN agents a USING (agent_id)
  WHERE a.registration_id IS DISTINCT FROM r.registration_id OR a.task_run_id IS DISTINCT FROM $run_id")
[ "$mismatch" = 0 ] || fail "$mismatch registrations were answered with an agent of another registration id"
# A reconnection: the agent a retried registration got was created by an earlier attempt.
reconnections=$(sql "SELECT count(*) FROM crash_registrations r JOIN agents a USING (agent_id)
  WHERE r.attempts > 1 AND a.creation_date < to_timestamp(r.last_attempt_ms / 1000.0)")
check "one agent per registration id, none unknown to its worker; $reconnections retried registrations reconnected to the agent an earlier attempt created"

# 5. The run is completed.
[ "$(sql "SELECT is_completed FROM task_runs WHERE task_run_id = $run_id")" = t ] ||
  fail "run $run_id is not marked completed"
check "run $run_id is marked completed"

check "figures: elapsed $((elapsed / 1000)) s, registrations $(figure registrations), retries $(( $(figure registration_retries) + $(figure submit_retries) )), reconnections $reconnections, outages ${outages[*]} ms"

# 6. The router said "no task run is live" (HTTP 404) only once the run was over, never while
#    it was live (e.g. because a restarted operator's first heartbeats listed no live run).
last_submit=$(sql "SELECT COALESCE((extract(epoch FROM max(d.submitted_at)) * 1000)::bigint, 0)
  FROM agent_data d JOIN agents a USING (agent_id) WHERE a.task_run_id = $run_id")
early=$(jq --argjson last "$last_submit" '[.no_run_ms[] | select(. < $last)] | length' "$work/workers.json")
[ "$early" = 0 ] || fail "$early registrations of the live run $run_id were answered 404 'no task run is live' (sent from $(jq --argjson last "$last_submit" '[.no_run_ms[] | select(. < $last)] | min' "$work/workers.json") to $(jq --argjson last "$last_submit" '[.no_run_ms[] | select(. < $last)] | max' "$work/workers.json") ms; operator down-ready (epoch ms): ${restarts[*]}; last submission $last_submit ms)"
check "no registration was told 'no task run is live' while the run was live ($(figure no_run_answers) such answers after it completed)"

# Neither service reported memory errors or undefined behaviour (the killed operators could not).
if grep -El "ERROR: AddressSanitizer|runtime error:" "$work/operator.log" "$work/router.log" >/dev/null; then
  fail "sanitizer report in the logs: $(grep -Eh -m 3 "ERROR: AddressSanitizer|runtime error:" "$work/operator.log" "$work/router.log")"
fi
echo "e2e: all checks passed"
