#!/usr/bin/env bash
# Every Grafana panel against real data (SPEC M5, live half): the real stack (operator, two
# routers, an aggregator, PostgreSQL, Redis) and a real Prometheus scraping the aggregator every
# second with the shipped config and rules, under a scripted workload with deliberate failures:
#  - a paired chat in Chromium (waiting room, live updates, a partner who leaves);
#  - a run with onboarding and gold units whose workers pass and fail onboarding, answer golds
#    right and wrong, and submit some empty units; a run with screening units;
#  - malformed requests to both routers; a router killed (SIGKILL) and restarted; a snapshot
#    in Redis that is not one.
# Then every query of every dashboard panel, variables substituted, has finite values in
# Prometheus's HTTP API over the workload, every variable's label has values, each deliberate
# failure shows in its metric, and every rule is healthy.
# Screenshots of each dashboard's queries in Prometheus's graph page go to
# <build dir>/test-artifacts/dashboards/<dashboard>-<page>.png (not committed) for a person to
# look at.
# Usage: dashboards_e2e.sh <build dir>; needs THRONG_TEST_PG_DSN, THRONG_TEST_REDIS_URL, and
# prometheus, promtool, node and Chromium (tests/run.sh installs them).
set -euo pipefail
BUILD=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
for tool in prometheus promtool node jq; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (run tests/run.sh)" >&2; exit 1; }
done
source "$here/build_demo_webapp.sh"
use_paired_chat_demo
export THRONG_RECONNECT_GRACE=2
source "$here/stack.sh"
modules="$BUILD/browser-e2e/node_modules"
[ -d "$modules/playwright-core" ] || fail "playwright-core missing in $modules (run tests/run.sh)"
chat_run=$run_id

r2_port=$(throng_free_port) r2_admin=$(throng_free_port)
start_router router-two "$r2_port" "$r2_admin"
r2_pid=$router_pid
r2_base="http://127.0.0.1:$r2_port"
throng_wait_http "http://127.0.0.1:$r2_admin/readyz" 30 || fail "router-two not ready"

prom_dir="$work/prometheus"
throng_prometheus_config "$prom_dir" 1s "127.0.0.1:$agg_port"
prom_port=$(throng_free_port)
prom="http://127.0.0.1:$prom_port"
prometheus --config.file="$prom_dir/prometheus.yml" --storage.tsdb.path="$prom_dir/data" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$work/prometheus.log" 2>&1 &
pids+=($!)
throng_wait_http "$prom/-/ready" 30 || fail "Prometheus not ready on $prom"
# Scraping, not only started: a counter's first increase shows in rate() only after a sample
# from before it, so the workload waits for every job's first scrape.
scraped=0
for _ in $(seq 1 150); do
  scraped=$(curl -fsS -G "$prom/api/v1/query" --data-urlencode 'query=count(up == 1)' |
    jq -r '.data.result[0].value[1] // 0')
  [ "$scraped" -ge 3 ] && break
  sleep 0.2
done
[ "$scraped" -ge 3 ] || fail "Prometheus has scraped $scraped of the 3 jobs"
check "operator, two routers, an aggregator, and Prometheus on $prom scraping every second"

# --- Two more runs: onboarding with gold units, and screening units. Each worker may do
# four units, fewer than the run has, so the runs stay live (and their series with them).
quality_run() {
  local name=$1 validation=$2
  mkdir -p "$work/$name"
  cp "$root/examples/static_demo/task.html" "$work/$name/task.html"
  awk -v run="$name" 'BEGIN { print "item_id,sentence";
    for (i = 1; i <= 40; i++) printf "%s-%d,Sentence %d of %s.\n", run, i, i, run }' >"$work/$name/data.csv"
  cat >"$work/$name/task.yaml" <<YAML
blueprint:
  type: static_task
  task_source: task.html
  data_csv: data.csv
$validation
task:
  task_name: throng-dashboards-$name
  task_title: Rate a sentence
  allowed_concurrent: 1
  maximum_units_per_worker: 4
monitoring:
  min_gold_accuracy: 0.9
  max_empty_submission_share: 0.2
YAML
  "$BUILD/bin/throng" launch "$work/$name/task.yaml" --data-dir "$work/data" --json | jq -r .task_run_id
}
gold_run=$(quality_run gold "  onboarding_qualification: dashboards-onboarded
  onboarding_data: {instructions: Agree to rate sentences.}
  onboarding_answers: {agree: true}
  use_golds: true
  gold_qualification_base: dashboards-gold
  max_gold_units: 40
  min_golds: 1
  max_incorrect_golds: 3
  gold_units:
    - {data: {sentence: Best day ever.}, answers: {sentiment: positive}}
    - {data: {sentence: Worst day ever.}, answers: {sentiment: negative}}")
screening_run=$(quality_run screening "  use_screening_task: true
  passed_qualification_name: dashboards-screened
  block_qualification: dashboards-screening-failed
  max_screening_units: 20
  screening_units:
    - {data: {sentence: I love this!}, answers: {sentiment: positive}}")
[ -n "$gold_run" ] && [ -n "$screening_run" ] || fail "could not launch the quality runs"
# Both routers serve all three runs before any worker arrives.
for admin in "$router_admin" "$r2_admin"; do
  for _ in $(seq 1 100); do
    page_has "http://127.0.0.1:$admin/metrics" '^throng_router_live_task_runs 3$' && break
    sleep 0.1
  done
  page_has "http://127.0.0.1:$admin/metrics" '^throng_router_live_task_runs 3$' ||
    fail "router on admin port $admin does not serve the three runs"
done
check "runs: paired chat $chat_run, onboarding and golds $gold_run, screening $screening_run"

# --- The workload, all at once.
workload_started=$(date +%s)
answer_key='{"Best day ever.":{"sentiment":"positive"},"Worst day ever.":{"sentiment":"negative"},"I love this!":{"sentiment":"positive"}}'
TASK_RUN_ID=$chat_run NODE_PATH="$modules" node "$root/tests/e2e/browser/paired_chat.cjs" chat "$base" \
  >"$work/chat.log" 2>&1 &
chat_pid=$!
node "$root/tests/e2e/workers/quality_workers.cjs" "$base" "$work/gold.json" workers=8 \
  worker_prefix=gold task_run_id="$gold_run" onboarding_answers='{"agree":true}' answer_key="$answer_key" \
  fail_onboarding_every=4 wrong_validation_every=3 empty_every=5 >"$work/gold.log" 2>&1 &
gold_pid=$!
node "$root/tests/e2e/workers/quality_workers.cjs" "$r2_base" "$work/screening.json" workers=6 \
  worker_prefix=screening task_run_id="$screening_run" answer_key="$answer_key" \
  wrong_validation_every=3 >"$work/screening.log" 2>&1 &
screening_pid=$!

# Deliberate bad input to both routers while the workers work.
for router in "$base" "$r2_base"; do
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' --data '{"provider_data":' "$router/request_agent"
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary $'{"provider_data":{"worker_name":"\xff"}}' "$router/request_agent"
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' --data '{}' "$router/submit_task"
  curl -s -o /dev/null -X POST "$router/no_such_endpoint"
done
# Foreign data in Redis: an instance whose snapshot is not a snapshot (the aggregator refuses
# and counts it, and serves the rest).
redis_url=${THRONG_TEST_REDIS_URL#redis://}
rcli() { redis-cli -h "${redis_url%:*}" -p "${redis_url##*:}" "$@" >/dev/null; }
rcli SET "$THRONG_METRICS_PREFIX:{router}:snap:intruder" "not a snapshot" EX 60
rcli ZADD "$THRONG_METRICS_PREFIX:{router}:instances" "$(date +%s%3N)" intruder
wait "$gold_pid" || fail "gold workers: $(cat "$work/gold.log")"
wait "$screening_pid" || fail "screening workers: $(cat "$work/screening.log")"
wait "$chat_pid" || fail "paired chat: $(cat "$work/chat.log")"
check "workload: $(jq -c .stats "$work/gold.json") and $(jq -c .stats "$work/screening.json"), a paired chat"

# A router killed and restarted under the same instance id (its counters start again).
kill -9 "$r2_pid"
start_router router-two "$r2_port" "$r2_admin"
throng_wait_http "http://127.0.0.1:$r2_admin/readyz" 30 || fail "router-two did not come back"
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' --data 'not json' "$r2_base/request_agent"
# A worker left at work in each run: runners, onboarding and active workers are not all zero.
park() {
  curl -fsS -X POST -H 'Content-Type: application/json' "$1/request_agent?task_run_id=$2" \
    --data "{\"provider_data\":{\"worker_name\":\"parked-$2\",\"provider_type\":\"mock\",\"agent_registration_id\":\"parked-$2\",\"assignment_id\":\"parked\"}}" \
    >"$work/parked-$2.json" || fail "parking a worker in run $2"
}
park "$base" "$gold_run"
park "$r2_base" "$screening_run"
check "router-two killed (SIGKILL) and restarted; a worker parked in runs $gold_run and $screening_run"

# --- Every panel query, variables substituted, over the data Prometheus has scraped.
node "$root/tests/deploy/dashboards_lint.cjs" "$root/grafana/dashboards" "$root/grafana/provisioning" \
  "$work/queries.json" >/dev/null
queries=$(jq length "$work/queries.json")
# finite <PromQL>: how many finite samples its range query over the workload has (fails the
# test on an error). NaN (a quantile of nothing) or no series at all count as no data.
finite() {
  curl -fsS -G "$prom/api/v1/query_range" --data-urlencode "query=$1" \
    --data-urlencode "start=$workload_started" --data-urlencode "end=$(date +%s)" \
    --data-urlencode "step=2" >"$work/answer.json" ||
    fail "Prometheus refused $1: $(cat "$work/answer.json")"
  jq -e 'select(.status == "success") | [.data.result[].values[][1]
    | select(. != "NaN" and . != "+Inf" and . != "-Inf")] | length' "$work/answer.json" ||
    fail "query failed: $1: $(cat "$work/answer.json")"
}
empty=()
for _ in $(seq 1 10); do
  empty=()
  for i in $(seq 0 $((queries - 1))); do
    if [ "$(jq -r ".[$i].variable // false" "$work/queries.json")" = true ]; then
      expr="count($(jq -r ".[$i].expr" "$work/queries.json"))"
    else
      expr=$(jq -r ".[$i].expr" "$work/queries.json")
    fi
    [ "$(finite "$expr")" -gt 0 ] || empty+=("$(jq -r ".[$i].where" "$work/queries.json")")
  done
  [ "${#empty[@]}" = 0 ] && break
  sleep 2
done
[ "${#empty[@]}" = 0 ] || fail "$(printf '%s\n' "${#empty[@]} queries have no finite value:" "${empty[@]}")"
# The deliberate failures show as such, not only as zero-valued series.
for failure in \
  'sum(throng_router_rejected_requests_total{reason="malformed_json"})' \
  'sum(throng_operator_validation_outcomes_total{kind="onboarding", outcome="failed"})' \
  'sum(throng_operator_validation_outcomes_total{kind="gold", outcome="failed"})' \
  'sum(throng_operator_submissions_total{quality="empty"})' \
  'sum(throng_aggregator_decode_errors_total)' \
  'sum(changes(process_start_time_seconds{job="throng-router", instance_id="router-two"}[10m]))'; do
  curl -fsS -G "$prom/api/v1/query" --data-urlencode "query=$failure > 0" >"$work/answer.json"
  [ "$(jq '.data.result | length' "$work/answer.json")" -gt 0 ] || fail "no trace of a deliberate failure: $failure"
done
check "all $queries dashboard queries and variables have finite data over the workload; every deliberate failure shows"

# --- Every rule loaded, evaluated and healthy.
curl -fsS "$prom/api/v1/rules" >"$work/rules.json" || fail "Prometheus /api/v1/rules"
rules=$(jq '[.data.groups[].rules[]] | length' "$work/rules.json")
shipped=$(cat "$root"/deploy/prometheus/rules/*.yml | grep -cE '^ *- (alert|record):')
[ "$rules" = "$shipped" ] || fail "Prometheus loaded $rules rules, the shipped files have $shipped"
unhealthy=$(jq -r '.data.groups[].rules[] | select(.health != "ok") | "\(.name): \(.health) \(.lastError // "")"' "$work/rules.json")
[ -z "$unhealthy" ] || fail "unhealthy rules: $unhealthy"
check "all $rules shipped rules are loaded and healthy"

# --- Screenshots for a person to look at (not committed).
shots="$BUILD/test-artifacts/dashboards"
rm -rf "$shots"
NODE_PATH="$modules" node "$root/tests/e2e/browser/prometheus_graphs.cjs" "$prom" "$work/queries.json" \
  "$shots" 5m >"$work/screenshots.log" 2>&1 || fail "screenshots: $(cat "$work/screenshots.log")"
for board in "$root"/grafana/dashboards/*.json; do
  board=$(basename "$board" .json)
  [ -n "$(find "$shots" -name "$board-*.png" -size +10k)" ] || fail "no screenshot of $board in $shots"
done
check "screenshots of every dashboard's queries in $shots"
echo "dashboards e2e: all checks passed"
