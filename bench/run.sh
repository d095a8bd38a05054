#!/usr/bin/env bash
# bench/run.sh <scenario> [build dir]: starts what a scenario needs on loopback (free ports),
# runs throng-loadgen against it BENCH_RUNS times (default 3), and prints min / median / max of
# its figures, with the servers' CPU and memory. Every run's JSON report and log are kept in
# $BENCH_OUT (default: a new directory, printed at the end, with the servers' logs).
#
# Scenarios (bench/README.md has the targets and bench/RESULTS.md the latest figures):
#   router_echo   throng's router alone, on an echo backend: 1,000 pages, closed-loop live
#                 updates (throughput), then open loop at BENCH_RATE (default 20000/s; latency)
#   idle          10,000 pages holding a WebSocket and heartbeating every 6 s (router memory)
#   static        full stack, static task: 200 arrivals/s, 5 s thinking (about 1,000 mid-task),
#                 then 6,000 workers submitting at BENCH_SUBMIT_RATE (default 1500/s)
#   chat          full stack, paired chat: 1,000 pages in 500 pairs, one message a second each
#   registration  full stack: registration latency in a 1,000-unit and a 100,000-unit run
#   mephisto      Mephisto's own Node router (MEPHISTO_ROUTER_DIR, bench/mephisto_router.sh)
#                 on the echo backend, driven as router_echo: 1,000 and 100 closed-loop pages
#
# The build dir (default build-bench) is built with `deploy/build.sh <dir> bench` when its
# programs are missing. The generator is pinned to CPU 0. Where one process is the server under
# test (router_echo, idle, mephisto) it has CPU 1 to itself and the echo backend shares CPU 0
# with the generator; the full stack (PostgreSQL, operator, router) needs more than one core
# and is not pinned.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/deploy/local/services.sh"

scenario=${1:-}
build=${2:-$root/build-bench}
runs=${BENCH_RUNS:-3}
case "$scenario" in
  router_echo | idle | static | chat | registration | mephisto) ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
for program in jq curl psql taskset; do
  command -v "$program" >/dev/null || throng_die "$program is needed (Debian jq, curl, postgresql-client, util-linux)"
done
if [ ! -x "$build/bin/throng-loadgen" ] || [ ! -x "$build/bin/throng-echo-backend" ] ||
  [ ! -x "$build/bin/throng-router" ]; then
  throng_log "building the release programs and the bench tools in $build"
  "$root/deploy/build.sh" "$build" bench
fi
build=$(cd "$build" && pwd)

server_cpus=1
scratch=$(mktemp -d /tmp/throng-bench.XXXXXX)
chmod 755 "$scratch"
out=${BENCH_OUT:-$scratch/results}
mkdir -p "$out"
pids=()
# stop_pids: every process started so far. A second SIGTERM makes the operator stop at once
# instead of waiting for assigned units; what still lives after 5 s is killed.
stop_pids() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.3
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_pids
  [ -d "$scratch/pg" ] && throng_stop_postgres "$scratch/pg"
  throng_stop_redis "$scratch/redis"
  if [ "$out" = "$scratch/results" ]; then
    local keep
    keep=$(mktemp -d /tmp/throng-bench-results.XXXXXX)
    cp -r "$out/." "$keep/"
    # The servers' logs too: a figure out of line is explained there (a checkpoint, an error).
    mkdir -p "$keep/logs"
    cp "$scratch"/*.log "$keep/logs/" 2>/dev/null || true
    [ -f "$scratch/pg/server.log" ] && cp "$scratch/pg/server.log" "$keep/logs/postgresql.log"
    throng_log "reports and logs kept in $keep"
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

# loadgen <name> <argument>...: one run of the generator on CPU 0, its report in $out/<name>.json
# (none if it crashed: the figures then leave that run out, with a warning).
loadgen() {
  local name=$1
  shift
  throng_log "loadgen $name: $*"
  taskset -c 0 "$build/bin/throng-loadgen" "$@" --json "$out/$name.json" >"$out/$name.log" ||
    [ -s "$out/$name.json" ] || { throng_log "WARNING: loadgen $name wrote no report"; rm -f "$out/$name.json"; }
}

# Memory (KiB: now, and the peak so far) and CPU seconds (user + system) of a process.
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
peak_rss_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }

# server_figures <name> <pid> <cpu before> <rss before>: adds the server's CPU seconds over the
# run and its resident memory (before the run and its peak) to the report.
server_figures() {
  local name=$1 pid=$2 cpu_before=$3 rss_before=$4 file="$out/$1.json"
  [ -s "$file" ] || return 0
  jq --argjson cpu "$(awk -v a="$(cpu_seconds "$pid")" -v b="$cpu_before" 'BEGIN { print a - b }')" \
    --argjson peak "$(peak_rss_kib "$pid")" --argjson before "$rss_before" \
    '.server = {cpu_seconds: $cpu, rss_kib_before: $before, rss_kib_peak: $peak}' \
    "$file" >"$file.tmp" && mv "$file.tmp" "$file"
}

# figure <label> <jq expression> <report name pattern>: min / median / max over the runs (the
# median of an even count is the mean of the middle two).
figure() {
  local label=$1 expr=$2 pattern=$3 files
  files=$(compgen -G "$out/$pattern.json" || true)
  if [ -z "$files" ]; then
    echo "$label: no report"
    return
  fi
  # shellcheck disable=SC2086
  jq -s -r --arg name "$label" "[.[] | ($expr)]"' | sort | length as $n |
    (if $n % 2 == 1 then .[($n - 1) / 2] else (.[$n / 2 - 1] + .[$n / 2]) / 2 end) as $median |
    "\($name): \(.[0]) / \($median) / \(.[-1])  (min / median / max of \($n))"' $files
}

start_redis() {
  redis_port=$(throng_free_port)
  throng_start_redis "$scratch/redis" "$redis_port"
  export THRONG_REDIS_URL="redis://127.0.0.1:$redis_port" THRONG_METRICS_PREFIX="bench$$"
}

# start_router <operator endpoint> [option...]: throng's router, on $server_cpus if set (sets
# router_url, router_pid).
start_router() {
  local endpoint=$1 port admin
  shift
  port=$(throng_free_port)
  admin=$(throng_free_port)
  # Pages here send up to 1,000 packets a second each; the default limit (50) is for browsers.
  local pin=()
  [ -n "$server_cpus" ] && pin=(taskset -c "$server_cpus")
  THRONG_WS_RATE_LIMIT=100000 "${pin[@]}" "$build/bin/throng-router" \
    --listen-address 127.0.0.1 --port "$port" --admin-port "$admin" \
    --operator-endpoint "$endpoint" --instance-id bench-router --log-level warn "$@" \
    >>"$scratch/router.log" 2>&1 &
  router_pid=$!
  pids+=("$router_pid")
  router_url="http://127.0.0.1:$port"
  throng_wait_http "http://127.0.0.1:$admin/readyz" 30 || throng_die "the router is not ready"
}

# wait_for_run <run id>: until the router serves that run (pages that name no run get the
# newest live one).
wait_for_run() {
  throng_wait_http "$router_url/task_config.json?task_run_id=$1" 60 ||
    throng_die "the router does not serve task run $1"
}

start_echo_backend() {
  local port
  port=$(throng_free_port)
  taskset -c 0 "$build/bin/throng-echo-backend" zmq \
    --bind "tcp://127.0.0.1:$port" >>"$scratch/echo.log" 2>&1 &
  pids+=($!)
  echo_endpoint="tcp://127.0.0.1:$port"
}

router_echo() {
  start_redis
  local i mode
  for i in $(seq "$runs"); do
    # Each measurement on a new router and backend: nothing left over from the one before.
    for mode in closed open; do
      start_echo_backend
      start_router "$echo_endpoint"
      wait_for_run 1
      local rss cpu
      rss=$(rss_kib "$router_pid")
      cpu=$(cpu_seconds "$router_pid")
      if [ $mode = closed ]; then
        loadgen "closed-$i" live "$router_url" --workers 1000 --connect-rate 1000 --closed-loop \
          --update-bytes 100 --warmup 3 --duration 15 --prefix "c$i"
      else
        loadgen "open-$i" live "$router_url" --workers 1000 --connect-rate 1000 \
          --update-rate "${BENCH_RATE:-20000}" --update-bytes 100 --warmup 3 --duration 15 --prefix "o$i"
      fi
      server_figures "$mode-$i" "$router_pid" "$cpu" "$rss"
      stop_pids
    done
  done
  echo "router_echo: 1,000 pages, 100-byte updates, echo backend"
  figure "closed loop: round trips/s" '.operations.live_update.per_second' 'closed-*'
  figure "closed loop: p50 ms" '.operations.live_update.latency_ms.p50' 'closed-*'
  figure "closed loop: p99 ms" '.operations.live_update.latency_ms.p99' 'closed-*'
  figure "closed loop: duplicates + never delivered" '.delivery.duplicates + .delivery.never_delivered' 'closed-*'
  figure "closed loop: router CPU µs per round trip (whole run)" '(.server.cpu_seconds / .delivery.delivered * 1e6 | floor)' 'closed-*'
  figure "closed loop: router peak RSS MiB" '(.server.rss_kib_peak / 1024 | floor)' 'closed-*'
  figure "closed loop: loadgen CPU %" '.loadgen.cpu_percent_of_one_core' 'closed-*'
  figure "open loop ${BENCH_RATE:-20000}/s: achieved/s" '.operations.live_update.per_second' 'open-*'
  figure "open loop: p50 ms" '.operations.live_update.latency_ms.p50' 'open-*'
  figure "open loop: p99 ms" '.operations.live_update.latency_ms.p99' 'open-*'
  figure "open loop: p99.9 ms" '.operations.live_update.latency_ms["p99.9"]' 'open-*'
  figure "open loop: duplicates + never delivered" '.delivery.duplicates + .delivery.never_delivered' 'open-*'
  figure "open loop: loadgen CPU %" '.loadgen.cpu_percent_of_one_core' 'open-*'
}

idle() {
  start_redis
  local i rss cpu workers=${BENCH_IDLE_WORKERS:-10000}
  for i in $(seq "$runs"); do
    start_echo_backend
    start_router "$echo_endpoint"
    wait_for_run 1
    rss=$(rss_kib "$router_pid")
    cpu=$(cpu_seconds "$router_pid")
    loadgen "idle-$i" live "$router_url" --workers "$workers" --connect-rate 1000 \
      --warmup 6 --duration "${BENCH_IDLE_SECONDS:-60}" --prefix "i$i"
    server_figures "idle-$i" "$router_pid" "$cpu" "$rss"
    stop_pids
  done
  echo "idle: $workers pages heartbeating every 6 s"
  figure "pages failed" '.workers.failed' 'idle-*'
  figure "errors" '[.operations[].errors] | add' 'idle-*'
  figure "heartbeats answered/s" '.operations.heartbeat.per_second' 'idle-*'
  figure "heartbeat p99 ms" '.operations.heartbeat.latency_ms.p99' 'idle-*'
  figure "router peak RSS KiB per open page" '((.server.rss_kib_peak - .server.rss_kib_before) / (.workers.requested - .workers.failed) | floor)' 'idle-*'
  figure "router peak RSS MiB" '(.server.rss_kib_peak / 1024 | floor)' 'idle-*'
  figure "router CPU seconds (whole run)" '.server.cpu_seconds' 'idle-*'
}

# The full stack: PostgreSQL, Redis, operator and router, release build, on free ports (sets
# router_url).
start_stack() {
  local pg_port zmq_port op_admin
  server_cpus=
  start_redis
  pg_port=$(throng_free_port)
  throng_start_postgres "$scratch/pg" "$pg_port"
  export THRONG_PG_DSN="postgresql://throng@127.0.0.1:$pg_port/throng"
  "$build/bin/throng" db migrate >/dev/null
  zmq_port=$(throng_free_port)
  op_admin=$(throng_free_port)
  "$build/bin/throng-operator" --bind "tcp://127.0.0.1:$zmq_port" --admin-port "$op_admin" \
    --log-level warn >>"$scratch/operator.log" 2>&1 &
  pids+=($!)
  throng_wait_http "http://127.0.0.1:$op_admin/readyz" 30 || throng_die "the operator is not ready"
  start_router "tcp://127.0.0.1:$zmq_port" --request-timeout 30
}

# launch <kind> <units>: a task run of <units> units (static_task, or paired_chat in pairs).
launch() {
  local kind=$1 units=$2 dir="$scratch/task-$1-$2" blueprint
  mkdir -p "$dir"
  if [ "$kind" = static ]; then
    cp "$root/examples/static_demo/task.html" "$dir/"
    { echo "text"; seq "$units" | sed 's/^/sentence /'; } >"$dir/data.csv"
    blueprint="{type: static_task, task_source: task.html, data_csv: data.csv, units_per_assignment: 1}"
  else
    echo "// the generator's pages do not run it" >"$dir/bundle.js"
    seq $((units / 2)) | sed 's/.*/{"topic": "topic &"}/' >"$dir/data.jsonl"
    blueprint="{type: paired_chat, task_source: bundle.js, data_jsonl: data.jsonl, units_per_assignment: 2}"
  fi
  cat >"$dir/task.yaml" <<YAML
blueprint: $blueprint
provider: {type: mock, requester_name: bench_requester}
task: {task_name: bench-$kind-$units-$RANDOM, task_title: Bench, task_description: Bench, task_reward: 0.01,
       allowed_concurrent: 1, maximum_units_per_worker: 0, assignment_duration_in_seconds: 1800}
YAML
  "$build/bin/throng" launch "$dir/task.yaml" --data-dir "$scratch/data" --json | jq -r .task_run_id
}

static() {
  start_stack
  local i run submit_rate=${BENCH_SUBMIT_RATE:-1500}
  for i in $(seq "$runs"); do
    run=$(launch static 16000)
    wait_for_run "$run"
    loadgen "static-$i" static "$router_url" --arrival-rate 200 --think 5 --warmup 8 \
      --duration 30 --prefix "s$i"
    loadgen "submit-$i" static "$router_url" --arrival-rate 500 --workers 6000 \
      --submit-rate "$submit_rate" --prefix "t$i"
    jq --argjson stored "$(psql "$THRONG_PG_DSN" -tAc "SELECT count(*) FROM agents a
        JOIN workers w USING (worker_id) JOIN units u USING (unit_id)
        WHERE u.task_run_id = $run AND a.status = 'completed' AND w.worker_name LIKE 't$i-%'")" \
      '.stored_submissions = $stored' "$out/submit-$i.json" >"$out/tmp.json"
    mv "$out/tmp.json" "$out/submit-$i.json"
  done
  echo "static: 200 arrivals/s, 5 s thinking; then 6,000 workers submitting at $submit_rate/s"
  figure "registrations/s" '.operations.request_agent.per_second' 'static-*'
  figure "registration p99 ms" '.operations.request_agent.latency_ms.p99' 'static-*'
  figure "registration p50 ms" '.operations.request_agent.latency_ms.p50' 'static-*'
  figure "workers mid-task (mean)" '.mid_task.mean_in_window | floor' 'static-*'
  figure "errors" '[.operations[].errors] | add' 'static-*'
  figure "submissions acknowledged/s" '.operations.submit_task.per_second' 'submit-*'
  figure "submission p99 ms" '.operations.submit_task.latency_ms.p99' 'submit-*'
  figure "submissions acknowledged - stored" '.submissions.acknowledged - .stored_submissions' 'submit-*'
  figure "errors" '[.operations[].errors] | add' 'submit-*'
}

chat() {
  start_stack
  local i run
  for i in $(seq "$runs"); do
    run=$(launch chat 1000)
    wait_for_run "$run"
    loadgen "chat-$i" live "$router_url" --workers 1000 --connect-rate 500 --update-rate 1000 \
      --warmup 5 --duration 30 --submit-at-end --prefix "p$i"
  done
  echo "chat: 1,000 pages in 500 pairs, 1,000 messages/s (one per page per second)"
  figure "relayed/s" '.operations.live_update.per_second' 'chat-*'
  figure "relay p50 ms" '.operations.live_update.latency_ms.p50' 'chat-*'
  figure "relay p99 ms" '.operations.live_update.latency_ms.p99' 'chat-*'
  figure "relay p99.9 ms" '.operations.live_update.latency_ms["p99.9"]' 'chat-*'
  figure "duplicates + never delivered" '.delivery.duplicates + .delivery.never_delivered' 'chat-*'
  figure "errors" '[.operations[].errors] | add' 'chat-*'
}

registration() {
  start_stack
  local i units
  for i in $(seq "$runs"); do
    for units in 1000 100000; do
      wait_for_run "$(launch static "$units")"
      loadgen "reg$units-$i" static "$router_url" --arrival-rate 100 --workers 900 --think 1 \
        --warmup 1 --duration 8 --prefix "r$units-$i"
      done
  done
  echo "registration: 900 workers at 100/s into a run of 1,000 units, then of 100,000 units"
  figure "1k units: registration p99 ms" '.operations.request_agent.latency_ms.p99' 'reg1000-*'
  figure "100k units: registration p99 ms" '.operations.request_agent.latency_ms.p99' 'reg100000-*'
  figure "1k units: registration p50 ms" '.operations.request_agent.latency_ms.p50' 'reg1000-*'
  figure "100k units: registration p50 ms" '.operations.request_agent.latency_ms.p50' 'reg100000-*'
}

mephisto() {
  [ -n "${MEPHISTO_ROUTER_DIR:-}" ] || throng_die "set MEPHISTO_ROUTER_DIR to the directory of the Mephisto Node router (bench/README.md)"
  local i workers port script node rss
  for i in $(seq "$runs"); do
    for workers in 1000 100; do
      port=$(throng_free_port)
      # The script prints the router's pid once it answers, and stops it on SIGTERM.
      taskset -c 1 "$root/bench/mephisto_router.sh" "$port" >"$scratch/mephisto.pid" 2>>"$scratch/mephisto.log" &
      script=$!
      for _ in $(seq 600); do [ -s "$scratch/mephisto.pid" ] && break; sleep 0.1; done
      node=$(cat "$scratch/mephisto.pid")
      [ -n "$node" ] || throng_die "Mephisto's router did not start (log: $scratch/mephisto.log)"
      taskset -c 0 "$build/bin/throng-echo-backend" mephisto --router "ws://127.0.0.1:$port/" \
        >>"$scratch/echo.log" 2>&1 &
      pids+=($!)
      sleep 1
      rss=$(rss_kib "$node")
      loadgen "mephisto$workers-$i" live "http://127.0.0.1:$port" --workers "$workers" \
        --connect-rate 200 --closed-loop --update-bytes 100 --warmup 3 --duration 15 \
        --prefix "m$workers-$i"
      server_figures "mephisto$workers-$i" "$node" 0 "$rss"
      stop_pids
      # Node first: the script then sees its router gone, cleans up and exits.
      kill "$node" "$script" 2>/dev/null || true
      wait "$script" 2>/dev/null || true
      : >"$scratch/mephisto.pid"
    done
  done
  echo "mephisto: Mephisto's Node router on the echo backend, 100-byte updates, closed loop"
  for workers in 1000 100; do
    figure "$workers pages: round trips/s" '.operations.live_update.per_second' "mephisto$workers-*"
    figure "$workers pages: p50 ms" '.operations.live_update.latency_ms.p50' "mephisto$workers-*"
    figure "$workers pages: p99 ms" '.operations.live_update.latency_ms.p99' "mephisto$workers-*"
    figure "$workers pages: copies of each update" '((.delivery.delivered + .delivery.duplicates) / ([.delivery.delivered, 1] | max) * 100 | floor) / 100' "mephisto$workers-*"
    figure "$workers pages: router peak RSS MiB" '(.server.rss_kib_peak / 1024 | floor)' "mephisto$workers-*"
  done
}

"$scenario"
throng_log "reports: $out"
