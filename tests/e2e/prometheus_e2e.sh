#!/usr/bin/env bash
# End to end with a real Prometheus (A2, A4, M4): one operator, three routers and two aggregator
# replicas on one Redis, scraped by Prometheus with the shipped deploy/prometheus config (each
# replica its own target, scrape and evaluation every second) and recording rules.
#  a. Both aggregators serve byte-identical /metrics/router, /metrics/operator and
#     /metrics/aggregator once they have read the same Redis state; each passes
#     promtool check metrics.
#  b. Prometheus sees up == 1 for every target, and loads every shipped rule.
#  c. During a scripted workload through all three routers, the cluster totals the rules record
#     are > 0 and equal to the sum, done here, of the per-instance rates.
#  d. One router is killed (SIGKILL) mid-workload and restarted with the same instance id, so
#     its counters start again from 0: Prometheus sees the reset, and no recorded total is
#     ever negative.
# Usage: prometheus_e2e.sh <build dir>; needs THRONG_TEST_PG_DSN and THRONG_TEST_REDIS_URL, and
# prometheus and node (tests/run.sh installs them).
set -euo pipefail
BUILD=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
for tool in prometheus promtool node; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (run tests/run.sh)" >&2; exit 1; }
done
units=${THRONG_PROMETHEUS_E2E_UNITS:-600}

# Aggregators read Redis five times a second, so both replicas soon render the same state.
export THRONG_E2E_REFRESH_INTERVAL=0.2
source "$here/stack.sh"
source "$here/static_run.sh"

agg2_port=$(throng_free_port)
start_aggregator aggregator-two "$agg2_port"
r2_port=$(throng_free_port) r2_admin=$(throng_free_port)
r3_port=$(throng_free_port) r3_admin=$(throng_free_port)
start_router router-two "$r2_port" "$r2_admin"
start_router router-three "$r3_port" "$r3_admin"
r3_pid=$router_pid
for url in "$agg_port/readyz" "$agg2_port/readyz" "$r2_admin/readyz" "$r3_admin/readyz"; do
  throng_wait_http "http://127.0.0.1:$url" 30 || fail "not ready: 127.0.0.1:$url"
done
aggregators=("127.0.0.1:$agg_port" "127.0.0.1:$agg2_port")
check "two aggregators (${aggregators[*]}) and three routers on one operator and one Redis"

# The shipped config with this test's targets, every second; the shipped rules beside it.
prom_dir="$work/prometheus"
throng_prometheus_config "$prom_dir" 1s "${aggregators[@]}"
promtool check config "$prom_dir/prometheus.yml" >"$work/promtool.log" 2>&1 ||
  fail "promtool rejects the test's config: $(cat "$work/promtool.log")"
prom_port=$(throng_free_port)
prom="http://127.0.0.1:$prom_port"
prom_started=$(date +%s)
prometheus --config.file="$prom_dir/prometheus.yml" --storage.tsdb.path="$prom_dir/data" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$work/prometheus.log" 2>&1 &
pids+=($!)
throng_wait_http "$prom/-/ready" 30 || fail "Prometheus not ready on $prom"
check "Prometheus $(prometheus --version 2>&1 | awk 'NR == 1 { print $3 }') on $prom with the shipped rules"

# promql <query> [<time>]: the query's data.result as compact JSON; fails the test on an error.
promql() {
  local args=(--data-urlencode "query=$1")
  [ -z "${2:-}" ] || args+=(--data-urlencode "time=$2")
  curl -fsS -G "$prom/api/v1/query" "${args[@]}" >"$work/promql.json" ||
    fail "Prometheus query failed: $1: $(cat "$work/promql.json")"
  jq -ec 'select(.status == "success") | .data.result' "$work/promql.json" ||
    fail "query $1: $(cat "$work/promql.json")"
}
# instances <url>: the distinct instance_id values in an exposition, one per line.
instances() {
  curl -fsS "$1" | grep -o 'instance_id="[^"]*"' | sort -u || true
}

# --- a. Both replicas render the same Redis state identically.
for agg in "${aggregators[@]}"; do
  for expect in router:3 operator:1 aggregator:2; do
    for _ in $(seq 100); do
      [ "$(instances "http://$agg/metrics/${expect%:*}" | wc -l)" = "${expect#*:}" ] && break
      sleep 0.1
    done
    [ "$(instances "http://$agg/metrics/${expect%:*}" | wc -l)" = "${expect#*:}" ] ||
      fail "$agg does not serve ${expect#*:} ${expect%:*} instances: $(instances "http://$agg/metrics/${expect%:*}" | tr '\n' ' ')"
  done
done
# Publishers save a snapshot every second and each replica rereads Redis every 0.2 s, so a
# comparison can straddle a refresh: require three identical pairs of bodies within 100 tries.
for service in router operator aggregator; do
  same=0 tries=0
  while [ "$same" -lt 3 ] && [ "$tries" -lt 100 ]; do
    tries=$((tries + 1))
    curl -fsS "http://${aggregators[0]}/metrics/$service" >"$work/a.txt"
    curl -fsS "http://${aggregators[1]}/metrics/$service" >"$work/b.txt"
    if [ -s "$work/a.txt" ] && cmp -s "$work/a.txt" "$work/b.txt"; then
      same=$((same + 1))
      cp "$work/a.txt" "$work/$service.txt"
    fi
    sleep 0.15
  done
  [ "$same" = 3 ] || fail "/metrics/$service differed between the replicas in $((tries - same)) of $tries comparisons"
  promtool check metrics <"$work/$service.txt" >"$work/promtool.log" 2>&1 ||
    fail "promtool check metrics /metrics/$service: $(head -n 5 "$work/promtool.log")"
  check "/metrics/$service byte-identical on both replicas ($(wc -c <"$work/$service.txt") bytes, $tries comparisons for 3 identical), passes promtool check metrics"
done

# --- b. Every target up.
expected_targets=$(( 3 * ${#aggregators[@]} ))
for _ in $(seq 100); do
  [ "$(promql 'up == 1' | jq length)" = "$expected_targets" ] && break
  sleep 0.2
done
up=$(promql up)
[ "$(jq '[.[] | select(.value[1] == "1")] | length' <<<"$up")" = "$expected_targets" ] ||
  fail "expected $expected_targets targets up: $(jq -c '[.[] | {job: .metric.job, instance: .metric.instance, up: .value[1]}]' <<<"$up")"
check "up == 1 for all $expected_targets targets: $(jq -r '[.[] | .metric.job + "@" + .metric.instance] | sort | join(" ")' <<<"$up")"

# --- c. The workload: four scripted workers on each router, all on one static run.
run=$(static_run load "$units")
sql() { psql "$THRONG_PG_DSN" -v ON_ERROR_STOP=1 -qtAc "$1"; }
completed() { sql "SELECT count(*) FROM units WHERE task_run_id = $run AND status = 'completed'"; }
drivers=()
for router in "router:$base" "router-two:http://127.0.0.1:$r2_port" "router-three:http://127.0.0.1:$r3_port"; do
  name=${router%%:*}
  node "$here/workers/scripted_workers.cjs" "${router#*:}" "$work/$name-workers.json" workers=4 \
    "task_run_id=$run" "worker_prefix=$name" think_min_ms=500 think_max_ms=1500 idle_stop_ms=6000 \
    deadline_ms=300000 2>"$work/$name-workers.log" &
  drivers+=($!)
  pids+=($!)
done
check "12 scripted workers on run $run ($units units), four through each router"

# totals_match <record> <per-instance expression> <instances> [<label dropped by the rule>...]:
# at one of the last five settled evaluations (2 s old, so every scrape they read is stored),
# each series of <record> equals the sum over instance_id of <per-instance expression>
# (one copy per replica), with <instances> instances contributing and a total > 0.
# Five chances, because a scrape still being stored while the rule ran is seen by us, not by it.
totals_match() {
  local record=$1 per_instance=$2 want=$3
  shift 3
  local drop recorded stamp verdict tried=0
  drop=$(jq -cn '$ARGS.positional + ["instance_id"]' --args "$@")
  recorded=$(promql "$record[6s]" "$(date +%s.%3N --date '-2 seconds')")
  for stamp in $(jq -r '[.[].values[][0]] | unique | reverse | .[:5][]' <<<"$recorded"); do
    tried=$((tried + 1))
    verdict=$(jq -nr --argjson recorded "$recorded" --argjson per "$(promql "$per_instance" "$stamp")" \
      --argjson stamp "$stamp" --argjson drop "$drop" --argjson want "$want" '
      def key: del(.__name__) | del(.[$drop[]]) | to_entries | sort_by(.key)
        | map("\(.key)=\(.value)") | join(",");
      ([$recorded[] | {key: (.metric | key), value: (.values[] | select(.[0] == $stamp) | .[1] | tonumber)}]
        | from_entries) as $recorded_at
      | (reduce $per[] as $s ({}; .[$s.metric | key] += ($s.value[1] | tonumber))) as $summed
      | {total: ([$recorded_at[]] | add // 0),
         instances: ([$per[].metric.instance_id] | unique | length),
         equal: (($recorded_at | keys) == ($summed | keys)
                 and all($recorded_at | keys[]; . as $k
                   | (($recorded_at[$k] - $summed[$k]) | fabs) <= 1e-9 * (1 + ($summed[$k] | fabs))))}
      | if .equal and .total > 0 and .instances == $want then "match \(.total)" else tojson end')
    if [ "${verdict%% *}" = match ]; then
      check "$record = ${verdict#* }/s in total, the sum of $want instances' rates (evaluation $tried back)"
      return 0
    fi
  done
  fail "$record does not match the per-instance rates at any of the last evaluations (last: $verdict)"
}
check_totals() {
  totals_match throng:router_http_requests:rate1m \
    'max without (instance) (rate(throng_router_http_requests_total[1m]))' 3
  totals_match throng:router_packets:rate1m \
    'max without (instance) (rate(throng_router_packets_total[1m]))' 3
  totals_match throng:operator_packets_received:rate1m \
    'max without (instance) (rate(throng_operator_packets_received_total[1m]))' 1
  totals_match throng:operator_submissions:rate1m \
    'max without (instance) (rate(throng_operator_packets_processed_total{packet_type="submit_unit", outcome="ok"}[1m]))' \
    1 packet_type outcome
  totals_match throng:operator_registrations:rate1m \
    'max without (instance) (rate(throng_operator_agent_details_responses_total[1m]))' 1
  totals_match throng:aggregator_refreshes:rate1m \
    'max without (instance) (rate(throng_aggregator_refreshes_total[1m]))' 2
}
wait_for_units() {  # wait_for_units <count>: until that many units of the run are completed
  while [ "$(completed)" -lt "$1" ]; do
    for driver in "${drivers[@]}"; do
      kill -0 "$driver" 2>/dev/null || fail "a workers process stopped before $1 units were completed"
    done
    sleep 0.3
  done
}
wait_for_units $((units / 6))
sleep 2
check "$(completed) units completed; cluster totals during the workload:"
check_totals

# --- d. Router three killed and restarted with the same instance id: its counters restart at 0.
at=$(completed)
[ "$at" -lt $((units * 3 / 5)) ] || fail "the workload is nearly done ($at units) before the restart"
kill -KILL "$r3_pid"
wait "$r3_pid" 2>/dev/null || true
restarted=$(date +%s)
sleep 1
start_router router-three "$r3_port" "$r3_admin"
throng_wait_http "http://127.0.0.1:$r3_admin/readyz" 30 || fail "router three did not come back"
check "router three killed (SIGKILL) at $at completed units and restarted with the same instance id"
sleep 5
check "$(completed) units completed; cluster totals after the restart:"
check_totals

status=0
for driver in "${drivers[@]}"; do wait "$driver" || status=$?; done
acknowledged=$(jq -s 'map(.stats.submissions_acknowledged) | add' "$work"/*-workers.json)
[ "$status" = 0 ] || fail "a workers process exited $status: $(jq -c '.stats' "$work"/*-workers.json)"
[ "$acknowledged" = "$units" ] || fail "$acknowledged submissions acknowledged, expected $units"
check "workers done: $units units submitted and acknowledged, $(jq -s 'map(.stats.registration_retries + .stats.submit_retries) | add' "$work"/*-workers.json) requests retried across the restart"
sleep 2

span="$(( $(date +%s) - prom_started + 5 ))s"
resets=$(promql "max(resets(throng_router_http_requests_total{instance_id=\"router-three\"}[$span]))")
jq -e 'length == 1 and (.[0].value[1] | tonumber) >= 1' <<<"$resets" >/dev/null ||
  fail "Prometheus saw no counter reset of router three: $resets"

# Every shipped rule loaded and evaluated without error; none ever recorded a negative value.
curl -fsS "$prom/api/v1/rules" >"$work/rules.json" || fail "Prometheus /api/v1/rules"
jq -e '[.data.groups[].rules[]] | all(.[]; .health == "ok")' "$work/rules.json" >/dev/null ||
  fail "rules failing: $(jq -c '[.data.groups[].rules[] | select(.health != "ok") | {name, lastError}]' "$work/rules.json")"
rules=$(jq -c '[.data.groups[].rules[] | select(.type == "recording")]' "$work/rules.json")
shipped=$(cat "$root"/deploy/prometheus/rules/*.yml | grep -c '^ *- record:')
[ "$(jq length <<<"$rules")" = "$shipped" ] || fail "Prometheus loaded $(jq length <<<"$rules") recording rules, the files have $shipped"
# Each rule's lowest value over the whole test, labelled with the rule (min_over_time drops names).
lowest=$(jq -r --arg span "$span" 'map("label_replace(min_over_time(\(.name)[\($span)]), \"rule\", \"\(.name)\", \"\", \"\")") | join(" or ")' <<<"$rules")
negative=$(promql "($lowest) < 0")
[ "$negative" = "[]" ] || fail "recorded series went negative: $negative"
check "all rules healthy, all $shipped recording rules loaded; Prometheus saw router three's counters reset, and no rule recorded a negative value over $span (lowest: $(promql "min($lowest)" | jq -r '.[0].value[1]'))"
echo "prometheus e2e: all checks passed"
