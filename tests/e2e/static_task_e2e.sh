#!/usr/bin/env bash
# End to end: operator + router + aggregator + PostgreSQL + Redis, driven over HTTP as a
# browser would. 20 scripted workers complete the demo task; then the submissions are checked
# in PostgreSQL, the packet counts on the aggregator, bad input, and the operator going away.
# Usage: static_task_e2e.sh <build dir>; needs THRONG_TEST_PG_DSN and THRONG_TEST_REDIS_URL.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
source "$(dirname "$0")/stack.sh"

page_has "$base/?worker_id=x&assignment_id=1" "static_task.js" || fail "task page not served"
[ "$(curl -fsS "$base/task_config.json?mephisto_task_version=2.0.4" | jq -r .mephisto_task_version)" = 2.0.4 ] ||
  fail "task_config.json lacks mephisto_task_version"
[ "$(curl -fsS "$base/is_alive" | jq -r .status)" = "Alive!" ] || fail "/is_alive"
now_ms=$(date +%s%3N)
ts=$(curl -fsS "$base/get_timestamp" | jq -r .timestamp)
[ $((ts - now_ms)) -lt 5000 ] && [ $((now_ms - ts)) -lt 5000 ] || fail "/get_timestamp not epoch ms: $ts"
check "static files, task_config.json, is_alive, get_timestamp"

for i in $(seq 1 20); do
  worker="e2e-worker-$i"
  code=$(post request_agent "{\"provider_data\":{\"worker_name\":\"$worker\",\"agent_registration_id\":\"a$i-$worker\",\"assignment_id\":\"a$i\",\"provider_type\":\"mock\"},\"client_timestamp\":$(date +%s.%N)}")
  [ "$code" = 200 ] || fail "request_agent for $worker answered $code: $(cat "$work/body")"
  [ "$(jq -r .packet_type "$work/body")" = agent_details ] || fail "not an agent_details packet"
  agent=$(jq -r .data.agent_id "$work/body")
  [ "$agent" != null ] || fail "$worker got no agent: $(jq -r .data.failure_reason "$work/body")"
  sentence=$(jq -r .data.init_task_data.sentence "$work/body")
  [ -n "$sentence" ] && [ "$sentence" != null ] || fail "no init_task_data for $worker"
  code=$(post submit_task "{\"USED_AGENT_ID\":\"$agent\",\"final_data\":{\"sentiment\":\"positive\",\"worker\":\"$worker\"},\"client_timestamp\":$(date +%s.%N)}")
  [ "$code" = 200 ] && [ "$(jq -r .status "$work/body")" = "Submitted!" ] || fail "submit_task for $worker: $code $(cat "$work/body")"
done
check "20 workers registered and submitted through the router"

# Every unit is done: while the run is still live the worker is told there is no work; once the
# operator has completed it (within a maintenance round, sooner on a fast machine) the router
# knows no live run and answers 404.
code=$(post request_agent '{"provider_data":{"worker_name":"e2e-worker-21","agent_registration_id":"x-21"}}')
{ [ "$code" = 200 ] && [ "$(jq -r .data.agent_id "$work/body")" = null ] &&
    jq -r .data.failure_reason "$work/body" | grep -q "no available work"; } ||
  { [ "$code" = 404 ] && grep -q "no task run is live" "$work/body"; } ||
  fail "21st worker: $code $(cat "$work/body")"
check "a 21st worker is told there is no work"

count=$(psql "$THRONG_PG_DSN" -tAc "SELECT count(*) FROM agent_data d JOIN agents a USING (agent_id)
  JOIN units u ON u.unit_id = a.unit_id WHERE d.submission->>'sentiment' = 'positive'
  AND a.status = 'completed' AND u.status = 'completed' AND u.task_run_id = $run_id")
[ "$count" = 20 ] || fail "expected 20 stored submissions, found $count"
distinct=$(psql "$THRONG_PG_DSN" -tAc "SELECT count(DISTINCT d.submission->>'worker') FROM agent_data d WHERE submission IS NOT NULL")
[ "$distinct" = 20 ] || fail "expected 20 distinct workers' submissions, found $distinct"
check "20 submissions stored in PostgreSQL"
"$BUILD/bin/throng" runs >"$work/runs.txt"
grep -Eq "^$run_id +throng-demo-sentiment +(live|completed) +0 +0 +0 +20 " "$work/runs.txt" || fail "throng runs: $(cat "$work/runs.txt")"
[ "$("$BUILD/bin/throng" export "$run_id" | wc -l)" = 20 ] || fail "export does not list 20 units"
"$BUILD/bin/throng" export throng-demo-sentiment --format csv >"$work/export.csv"
head -n 1 "$work/export.csv" | grep -q '^task_run_id,' || fail "csv export header"
check "throng runs and throng export"

# The aggregator republishes both services' packet counts (before any other traffic).
router_ok="" operator_ok=""
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$agg_port/metrics/router" >"$work/agg_router.txt" || true
  curl -fsS "http://127.0.0.1:$agg_port/metrics/operator" >"$work/agg_operator.txt" || true
  grep -E '^throng_router_packets_total\{.*packet_type="submit_unit".*\} 20$' "$work/agg_router.txt" |
    grep -q 'direction="to_operator"' && grep -q 'instance_id=' "$work/agg_router.txt" && router_ok=1
  grep -E '^throng_operator_packets_received_total\{.*packet_type="submit_unit".*\} 20$' "$work/agg_operator.txt" |
    grep -q 'instance_id=' && operator_ok=1
  [ -n "$router_ok" ] && [ -n "$operator_ok" ] && break
  sleep 0.1
done
[ -n "$router_ok" ] || fail "aggregator /metrics/router lacks 20 submit_unit packets: $(grep packets_total "$work/agg_router.txt")"
[ -n "$operator_ok" ] || fail "aggregator /metrics/operator lacks 20 submit_unit packets"
grep -q '^throng_router_packets_total{.*packet_type="register_agent"' "$work/agg_router.txt" || fail "register_agent count"
check "aggregator serves router and operator packet counts"

# Health state, build info and process metrics (A5): on each service's own admin port, then
# through the aggregator, where every series carries instance_id.
# vitals_ok <file> <service> [<instance_id label pattern>]: running=1, build info, every
# process_* metric (labels in the sorted order both expositions use).
vitals_ok() {
  local id=${3:-}
  grep -Eq "^throng_service_state\{${id}service=\"$2\",state=\"running\"\} 1$" "$1" || return 1
  grep -Eq "^throng_build_info\{compiler=\"[^\"]+\",${id}revision=\"[^\"]+\",service=\"$2\",version=\"[^\"]+\"\} 1$" "$1" ||
    return 1
  for name in process_cpu_seconds_total process_resident_memory_bytes process_virtual_memory_bytes \
    process_open_fds process_max_fds process_start_time_seconds; do
    grep -Eq "^$name${id:+\{${id%,}\}} [0-9]" "$1" || return 1
  done
}
for target in "router $router_admin" "operator $op_admin" "aggregator $agg_port"; do
  read -r service port <<<"$target"
  ok=""
  for _ in $(seq 50); do
    curl -fsS "http://127.0.0.1:$port/metrics" >"$work/own_$service.txt" || true
    vitals_ok "$work/own_$service.txt" "$service" && ok=1 && break
    sleep 0.1
  done
  [ -n "$ok" ] || fail "$service /metrics lacks running state, build info or process metrics: $(grep -E '^(throng_service_state|throng_build_info|process_)' "$work/own_$service.txt")"
  ok=""
  for _ in $(seq 50); do
    curl -fsS "http://127.0.0.1:$agg_port/metrics/$service" >"$work/agg_$service.txt" || true
    vitals_ok "$work/agg_$service.txt" "$service" 'instance_id="[^"]+",' && ok=1 && break
    sleep 0.1
  done
  [ -n "$ok" ] || fail "aggregator /metrics/$service lacks them: $(grep -E '^(throng_service_state|throng_build_info|process_)' "$work/agg_$service.txt")"
done
check "every service exports state running, build info and process metrics, also via the aggregator"

# Bad input: clear 4xx JSON errors, never a crash.
code=$(post request_agent '{"provider_data": {"worker_name": ')
[ "$code" = 400 ] && jq -e .error "$work/body" >/dev/null || fail "malformed JSON: $code"
code=$(post request_agent '{"nothing":1}')
[ "$code" = 400 ] || fail "missing provider_data: $code"
# Another worker's agent by its database id, or with a made-up tag: refused, counted, not stored.
for forged in 1 "1-0123456789abcdef0123456789abcdef" 123456789; do
  code=$(post submit_task "{\"USED_AGENT_ID\":\"$forged\",\"final_data\":{\"stolen\":true}}")
  [ "$code" = 403 ] && jq -r .error "$work/body" | grep -q "not an agent id this server issued" ||
    fail "forged agent id $forged: $code $(cat "$work/body")"
done
[ "$(psql "$THRONG_PG_DSN" -tAc "SELECT count(*) FROM agent_data WHERE submission ? 'stolen'")" = 0 ] ||
  fail "a submission under a forged agent id was stored"
curl -fsS "http://127.0.0.1:$router_admin/metrics" -o "$work/forged_metrics.txt"
grep -q '^throng_router_rejected_requests_total{reason="forged_agent_id"} 3$' "$work/forged_metrics.txt" ||
  fail "forged agent ids not counted: $(grep forged_agent_id "$work/forged_metrics.txt")"
code=$(post submit_task '{"final_data":{}}')
[ "$code" = 400 ] || fail "submit without agent id: $code"
code=$(curl -sS -o "$work/body" -w '%{http_code}' -X POST "$base/submit_task" -H 'Content-Type: application/json' \
  --data-binary $'{"USED_AGENT_ID":"1","final_data":{"x":"\xff\xfe"}}')
[ "$code" = 400 ] || fail "invalid UTF-8: $code"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$base/../../etc/passwd" --path-as-is)
[ "$code" = 404 ] || fail "path traversal answered $code"
head -c 5000000 /dev/zero | tr '\0' 'a' >"$work/big"
code=$(curl -sS -o "$work/body" -w '%{http_code}' -X POST "$base/submit_task" --data-binary @"$work/big" || true)
[ "$code" = 413 ] || fail "oversized body answered $code"
curl -fsS "$base/is_alive" >/dev/null || fail "router died on bad input"
check "bad input gets 4xx JSON errors and the router stays up"


# The operator going away: held requests fail within the configured timeout (5 s here).
# A second run keeps work available, so the failures below are the operator's absence alone.
"$BUILD/bin/throng" launch "$root/examples/static_demo/task.yaml" task.task_name=e2e-second \
  --data-dir "$work/data" >/dev/null
for _ in $(seq 100); do
  curl -fsS "$base/task_config.json" >/dev/null 2>&1 && break
  sleep 0.1
done
code=$(post request_agent '{"provider_data":{"worker_name":"second-run-worker","agent_registration_id":"s"}}')
agent=$(jq -r .data.agent_id "$work/body")
[ "$code" = 200 ] && [ "$agent" != null ] || fail "second run: $code"
check "a second run is served once the first has finished"

# Multipart submission with a file (as mephisto-task sends uploads), then the download.
printf 'hello \x00 upload' >"$work/upload.bin"
code=$(curl -sS -o "$work/body" -w '%{http_code}' -X POST "$base/submit_task" \
  -F "USED_AGENT_ID=$agent" -F 'final_string_data={"answer":"with file"}' \
  -F "client_timestamp=$(date +%s.%N)" -F "attachment=@$work/upload.bin;type=application/octet-stream")
[ "$code" = 200 ] && [ "$(jq -r .status "$work/body")" = "Submitted!" ] || fail "multipart submit: $code $(cat "$work/body")"
stored=$(psql "$THRONG_PG_DSN" -tAc "SELECT submission::text FROM agent_data WHERE agent_id = ${agent%%-*}")
[ "$(jq -r .answer <<<"$stored")" = "with file" ] || fail "multipart submission not stored: $stored"
file_name=$(jq -r '.files[0].filename' <<<"$stored")
[ "$(jq -r '.filesByFields.attachment[0].originalname' <<<"$stored")" = upload.bin ] || fail "filesByFields: $stored"
curl -fsS "$base/download_file/$file_name" -o "$work/downloaded.bin" || fail "download_file"
cmp -s "$work/upload.bin" "$work/downloaded.bin" || fail "downloaded bytes differ"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$base/download_file/..%2f..%2fetc%2fpasswd")
[ "$code" = 404 ] || fail "download_file traversal answered $code"
code=$(post submit_metadata "{\"USED_AGENT_ID\":\"$agent\",\"metadata\":{\"feedback\":{\"text\":\"nice\"}}}")
[ "$code" = 200 ] && [ "$(jq -r .status "$work/body")" = "Submitted metadata" ] || fail "submit_metadata: $code"
[ "$(psql "$THRONG_PG_DSN" -tAc "SELECT metadata->'feedback'->>'text' FROM agent_data WHERE agent_id = ${agent%%-*}")" = nice ] ||
  fail "metadata not stored"
code=$(curl -sS -o "$work/body" -w '%{http_code}' -X POST "$base/submit_task" \
  -H 'Content-Type: multipart/form-data; boundary=zz' --data-binary $'--zz\r\nbroken')
[ "$code" = 400 ] || fail "malformed multipart answered $code"
check "multipart submission with a file, download_file, submit_metadata"
kill -STOP "$op_pid"
start=$(date +%s%N)
code=$(post request_agent '{"provider_data":{"worker_name":"late-worker","agent_registration_id":"z"}}')
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
{ [ "$code" = 503 ] || [ "$code" = 504 ]; } && jq -e .error "$work/body" >/dev/null ||
  fail "frozen operator: $code $(cat "$work/body")"
[ "$elapsed_ms" -le 6500 ] || fail "request_agent took ${elapsed_ms} ms with the operator frozen"
sleep 3.5  # past operator_stale_after: the router now knows and fails at once
start=$(date +%s%N)
code=$(post request_agent '{"provider_data":{"worker_name":"late-worker","agent_registration_id":"z"}}')
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$code" = 503 ] && [ "$elapsed_ms" -lt 1000 ] || fail "unreachable operator: $code after ${elapsed_ms} ms"
code=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$router_admin/readyz")
[ "$code" = 503 ] || fail "router /readyz should be 503 without an operator, got $code"
page_has "http://127.0.0.1:$router_admin/metrics" '^throng_service_state{service="router",state="error"} 1$' || fail "router state not error without an operator"
check "operator down: request_agent fails fast with a JSON error, router not ready, state error"

kill -CONT "$op_pid"
throng_wait_http "http://127.0.0.1:$router_admin/readyz" 10 || fail "router did not see the operator return"
for _ in $(seq 20); do
  curl -fsS "http://127.0.0.1:$router_admin/metrics" >"$work/router_back.txt" || true
  grep -q '^throng_service_state{service="router",state="running"} 1$' "$work/router_back.txt" && break
  sleep 0.1
done
grep -q '^throng_service_state{service="router",state="running"} 1$' "$work/router_back.txt" ||
  fail "router state not back to running with the operator"
kill -TERM "$op_pid"
op_status=0
wait "$op_pid" || op_status=$?
[ "$op_status" = 0 ] || fail "operator exited $op_status on SIGTERM"
check "operator recovers and exits 0 on SIGTERM"
echo "e2e: all checks passed"
