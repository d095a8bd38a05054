#!/usr/bin/env bash
# Fault-injection suite against the real native stack: HAProxy in front of two routers, which
# reach the operator through a loopback TCP proxy the suite can stall; the operator and the
# aggregator on the suite's own PostgreSQL and Redis (so that they can be restarted). Each
# scenario in scenarios/ runs a scripted workload on two fresh task runs, static-task workers
# on one and pairs of paired-chat workers (over the routers' WebSocket) on the other, injects
# its faults, and ends with the invariants of invariants.sh: every acknowledged submission
# stored exactly once, no unit with two live agents, both runs completed, every chat message
# stored once and received by the partner, no chatting worker dropped, every service healthy
# again, counters monotonic. One line per scenario: workload, faults, acknowledged, stored,
# lost, duplicated, then the chat's pairs, messages sent, stored, delivered, lost, duplicated.
# Usage: run.sh [--short] <build dir> [scenario name...]; --short runs smaller workloads and
# shorter outages (tests/run.sh runs it so).
set -euo pipefail
short=0
if [ "${1:-}" = --short ]; then short=1; shift; fi
BUILD=$(cd "${1:?usage: run.sh [--short] <build dir> [scenario...]}" && pwd)
shift
only=("$@")
here=$(cd "$(dirname "$0")" && pwd)
for tool in node haproxy jq psql redis-server; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is needed (run tests/run.sh)" >&2; exit 1; }
done
source "$here/../../deploy/local/services.sh"

# The suite's own PostgreSQL and Redis: scenarios stop and restart them.
servers=$(mktemp -d /tmp/throng-faults.XXXXXX)
chmod 755 "$servers"
pg_port=$(throng_free_port)
redis_port=$(throng_free_port)
stop_servers() {
  throng_stop_postgres "$servers/pg"
  throng_stop_redis "$servers/redis"
  rm -rf "$servers"
}
trap stop_servers EXIT
# stack.sh replaces this trap, and a failure while it starts the stack exits through its own
# cleanup only: a watcher stops the servers once this shell is gone, whatever way it went.
# (Disowned, so that the cleanup's `wait` does not wait for it.)
suite=$$
( while kill -0 "$suite" 2>/dev/null; do sleep 1; done; stop_servers ) >/dev/null 2>&1 &
disown
throng_start_postgres "$servers/pg" "$pg_port"
throng_start_redis "$servers/redis" "$redis_port"
export THRONG_TEST_PG_DSN="postgresql://throng@127.0.0.1:$pg_port/throng"
export THRONG_TEST_REDIS_URL="redis://127.0.0.1:$redis_port"
# A check failing with units still assigned must not make the stack's SIGTERM wait for them.
export THRONG_DRAIN_TIMEOUT=5
source "$here/../e2e/stack.sh"
trap 'stack_cleanup; stop_servers' EXIT
source "$here/../e2e/static_run.sh"
source "$here/invariants.sh"

# The stall proxy between the routers and the operator's ZeroMQ port.
proxy_port=$(throng_free_port) proxy_control=$(throng_free_port)
node "$here/stall_proxy.cjs" "$proxy_port" "$zmq_port" "$proxy_control" >"$work/proxy.log" 2>&1 &
pids+=($!)
stall() { curl -fsS -X POST "http://127.0.0.1:$proxy_control/$1" >/dev/null; }

# fault_router <name> <port> <admin port>: (re)starts a router that reaches the operator
# through the proxy; sets router_pid.
fault_router() {
  "$BUILD/bin/throng-router" --listen-address 127.0.0.1 --port "$2" --admin-port "$3" \
    --operator-endpoint "tcp://127.0.0.1:$proxy_port" --instance-id "$1" \
    --request-timeout 5 >>"$work/$1.log" 2>&1 &
  router_pid=$!
  pids+=($router_pid)
  throng_wait_http "http://127.0.0.1:$3/readyz" 30 || fail "$1 not ready"
}
r1_port=$(throng_free_port) r1_admin=$(throng_free_port)
r2_port=$(throng_free_port) r2_admin=$(throng_free_port)
fault_router router-one "$r1_port" "$r1_admin"
r1_pid=$router_pid
fault_router router-two "$r2_port" "$r2_admin"
r2_pid=$router_pid

# The shipped load balancer config (its balance algorithm) with the two routers, health
# checks on their admin ports; the workers' and the misbehaving clients' entry point.
lb_port=$(throng_free_port)
lb="http://127.0.0.1:$lb_port"
throng_haproxy_config "$work/haproxy.cfg" "127.0.0.1:$lb_port" "" \
  "127.0.0.1:$r1_port/$r1_admin" "127.0.0.1:$r2_port/$r2_admin"
haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
pids+=($!)
throng_wait_http "$lb/task_config.json" 20 || fail "HAProxy does not reach the routers"
check "stack up: HAProxy $lb, routers through the stall proxy, PostgreSQL $pg_port, Redis $redis_port"

# supervise: an operator that exited (it stops when its PostgreSQL lease connection breaks,
# docs/runbooks/ThrongPostgresUnavailable.md) is started again, as its service manager would.
supervise() {
  kill -0 "$op_pid" 2>/dev/null && return 0
  wait "$op_pid" 2>/dev/null || true
  start_operator
  operator_restarts=$((operator_restarts + 1))
}
# operator_back: the operator ready again.
operator_back() {
  for _ in $(seq 600); do
    curl -fsS -o /dev/null "http://127.0.0.1:$op_admin/readyz" 2>/dev/null && return 0
    supervise
    sleep 0.1
  done
  fail "the operator is not ready again"
}
operator_restarts=0

# Workload size: units of each scenario's run and scripted workers on it; pairs of chat workers,
# chats (two units each) of the chat run and messages each worker sends in a chat.
if [ $short = 1 ]; then units=120 workers=20 pairs=3 chats=6 messages=4
else units=600 workers=80 pairs=20 chats=60 messages=6; fi
# No scenario's workload may take longer than this (a hang fails instead of waiting).
deadline_ms=$(( short ? 150000 : 400000 ))

# chat_run <name> <chats>: launches a paired_chat run of <chats> chats (two units each) whose
# topics name the run; prints the run id. The scripted workers never load its page.
chat_run() {
  local name=$1-chat chats=$2
  mkdir -p "$work/$name"
  echo "// not loaded by the scripted chat workers" >"$work/$name/bundle.js"
  awk -v n="$chats" -v run="$name" 'BEGIN {
    for (i = 1; i <= n; i++) printf "{\"topic\": \"topic %d of %s\"}\n", i, run }' \
    >"$work/$name/data.jsonl"
  cat >"$work/$name/task.yaml" <<YAML
blueprint:
  type: paired_chat
  task_source: bundle.js
  data_jsonl: data.jsonl
  units_per_assignment: 2
task:
  task_name: throng-e2e-$name
  task_title: Chat with a partner
  assignment_duration_in_seconds: 3600
YAML
  "$BUILD/bin/throng" launch "$work/$name/task.yaml" --data-dir "$work/data" --json |
    jq -r .task_run_id
}

# workload_start <name>: fresh runs, one static of $units units with $workers scripted workers
# on it and one paired chat of $chats chats with $pairs pairs of chat workers, all through
# HAProxy; sets run, driver, chat_run_id and chat_driver.
workload_start() {
  scenario=$1
  run=$(static_run "$scenario" "$units")
  [ -n "$run" ] || fail "$scenario: no run launched"
  chat_run_id=$(chat_run "$scenario" "$chats")
  [ -n "$chat_run_id" ] || fail "$scenario: no chat run launched"
  node "$root/tests/e2e/workers/scripted_workers.cjs" "$lb" "$work/$scenario.json" \
    "workers=$workers" "task_run_id=$run" "worker_prefix=$scenario" think_min_ms=200 \
    think_max_ms=900 idle_stop_ms=6000 "deadline_ms=$deadline_ms" client_timeout_ms=20000 \
    2>"$work/$scenario-workers.log" &
  driver=$!
  pids+=($driver)
  node "$root/tests/e2e/workers/chat_workers.cjs" "$lb" "$work/$scenario-chat.json" \
    "workers=$((pairs * 2))" "messages=$messages" "task_run_id=$chat_run_id" \
    "worker_prefix=$scenario-chat" "deadline_ms=$deadline_ms" client_timeout_ms=20000 \
    2>"$work/$scenario-chat-workers.log" &
  chat_driver=$!
  pids+=($chat_driver)
  restarts_at_start=$operator_restarts
  metrics_scrape "$work/$scenario-before.prom"
}

# completed_at_least <fraction %>: waits until that share of the run's units is completed.
completed_at_least() {
  local target=$((units * $1 / 100)) limit=$((SECONDS + deadline_ms / 1000))
  while [ "$(fsql "SELECT count(*) FROM units WHERE task_run_id = $run AND status = 'completed'" 2>/dev/null || echo 0)" -lt "$target" ]; do
    kill -0 "$driver" 2>/dev/null || fail "$scenario: the workers stopped before $target units were completed"
    [ $SECONDS -lt $limit ] || fail "$scenario: $target units not completed in time"
    sleep 0.2
  done
}

# workload_finish <faults text> <restarted process...>: waits for the workers, checks the
# invariants and prints the scenario's line.
workload_finish() {
  local faults=$1 status=0 chat_status=0 chat_result=$work/$scenario-chat.json
  shift
  while kill -0 "$driver" 2>/dev/null || kill -0 "$chat_driver" 2>/dev/null; do
    supervise
    sleep 0.2
  done
  wait "$driver" || status=$?
  wait "$chat_driver" || chat_status=$?
  if [ "$operator_restarts" != "$restarts_at_start" ]; then
    faults+=", operator exited and was restarted $((operator_restarts - restarts_at_start))x"
    set -- "$@" operator
  fi
  [ -s "$work/$scenario.json" ] || fail "$scenario: the workers wrote no result (exit $status)"
  [ "$(jq '.errors | length' "$work/$scenario.json")" = 0 ] ||
    fail "$scenario: the workers met unexpected answers: $(jq -r '.errors[:3][]' "$work/$scenario.json")"
  [ "$status" = 0 ] || fail "$scenario: the workers exited $status"
  [ -s "$chat_result" ] || fail "$scenario: the chat workers wrote no result (exit $chat_status)"
  [ "$(jq '.errors | length' "$chat_result")" = 0 ] ||
    fail "$scenario: the chat workers met unexpected answers: $(jq -r '.errors[:3][]' "$chat_result")"
  [ "$chat_status" = 0 ] || fail "$scenario: the chat workers exited $chat_status"
  # The chat's first: both set run_invariants' figures, the static run's are printed.
  chat_invariants "$chat_run_id" "$chat_result"
  run_invariants "$run" "$work/$scenario.json"
  services_healthy
  metrics_scrape "$work/$scenario-after.prom"
  metrics_monotonic "$work/$scenario-before.prom" "$work/$scenario-after.prom" "$@"
  local line='%-18s workload %d units/%d workers, %d chats/%d chat workers; faults: %s; '
  line+='%d requests retried; chat %s; acknowledged %d, stored %d, lost %d, duplicated %d; '
  line+='chat pairs %d, submissions acknowledged %d, stored %d, '
  line+='messages sent %d, stored %d, delivered %d, lost %d, duplicated %d\n'
  printf "$line" "$scenario" "$units" "$workers" "$chats" "$((pairs * 2))" "$faults" \
    "$(jq '.stats.registration_retries + .stats.submit_retries' "$work/$scenario.json")" \
    "$(jq -r '.stats | "\([.http_errors[]] | add // 0) requests retried, \(.sockets_lost) sockets " +
      "reopened, \(.messages_resent) messages resent, \(.history_reads) history reads"' "$chat_result")" \
    "$acked" "$stored" "$lost" "$duplicated" "$chat_pairs" "$chat_acked" "$chat_acks_stored" \
    "$chat_sent" "$chat_stored" "$chat_delivered" "$chat_lost" "$chat_duplicated"
}

started=$(date +%s)
for file in "$here"/scenarios/*.sh; do
  name=$(basename "$file" .sh)
  name=${name#[0-9][0-9]-}
  # Not `printf | grep -q`: grep stops at the first match and, under pipefail, printf's SIGPIPE
  # would make a named scenario that is not the last name look unnamed.
  if [ ${#only[@]} -gt 0 ] && ! grep -qxF "$name" <<<"$(printf '%s\n' "${only[@]}")"; then continue; fi
  source "$file"
done
if grep -El "ERROR: AddressSanitizer|runtime error:" "$work"/*.log >/dev/null; then
  fail "sanitizer report in the logs: $(grep -Eh -m 3 "ERROR: AddressSanitizer|runtime error:" "$work"/*.log)"
fi
echo "faults: all scenarios passed in $(( $(date +%s) - started )) s"
