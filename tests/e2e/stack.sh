# Starts a complete throng stack for an end-to-end test: a fresh database on the test
# PostgreSQL, the aggregator, the operator and a router on free loopback ports, and a task run
# (the static demo unless THRONG_E2E_TASK_CONFIG says otherwise). Source it with BUILD set; it defines base, run_id, op_pid, start_operator, the ports, work, post()
# and stops everything on exit (keeping the logs of a failed run).
# Needs THRONG_TEST_PG_DSN and THRONG_TEST_REDIS_URL (tests/run.sh sets them);
# THRONG_E2E_REQUEST_TIMEOUT sets the router's request timeout (default 5 s) and
# THRONG_E2E_REFRESH_INTERVAL the aggregators' seconds between reads of Redis (default 1).
# start_router and start_aggregator add routers and aggregator replicas to the stack.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/deploy/local/services.sh"
: "${THRONG_TEST_PG_DSN:?run through tests/run.sh}" "${THRONG_TEST_REDIS_URL:?run through tests/run.sh}"
: "${BUILD:?set BUILD to the build directory}"

work=$(mktemp -d /tmp/throng-e2e.XXXXXX)
db="throng_e2e_$$_$RANDOM"
pids=()
stack_cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill -CONT "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done
  # One SIGTERM makes the operator wait for assigned units; a second one stops it now.
  sleep 0.3
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$THRONG_TEST_PG_DSN" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  if [ $status -ne 0 ]; then
    echo "--- e2e failed; logs in $work" >&2
    for log in "$work"/*.log; do echo "--- $log" >&2; tail -n 30 "$log" >&2; done
  else
    rm -rf "$work"
  fi
}
trap stack_cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
# page_has <url> <basic regex>: the body of a GET has a matching line. The body is read whole
# first: `curl | grep -q` fails under pipefail when grep stops reading early.
page_has() { local body; body=$(curl -fsS "$1") && grep -q "$2" <<<"$body"; }
check() { echo "ok - $*"; }

psql "$THRONG_TEST_PG_DSN" -qc "CREATE DATABASE $db" >/dev/null
export THRONG_PG_DSN="${THRONG_TEST_PG_DSN%/*}/$db"
export THRONG_REDIS_URL="$THRONG_TEST_REDIS_URL"
export THRONG_METRICS_PREFIX="e2e$$"
export THRONG_METRICS_INTERVAL=1
zmq_port=$(throng_free_port)
http_port=$(throng_free_port)
agg_port=$(throng_free_port)
op_admin=$(throng_free_port)
router_admin=$(throng_free_port)

# start_aggregator <name> <port>: an aggregator on the stack's Redis, logging to <name>.log;
# sets agg_pid.
start_aggregator() {
  "$BUILD/bin/throng-aggregator" --port "$2" --instance-id "$1" \
    --refresh-interval "${THRONG_E2E_REFRESH_INTERVAL:-1}" >>"$work/$1.log" 2>&1 &
  agg_pid=$!
  pids+=($agg_pid)
}
start_aggregator aggregator "$agg_port"
# start_operator: (re)starts the operator on the same ports and database; sets op_pid.
start_operator() {
  "$BUILD/bin/throng-operator" --bind "tcp://127.0.0.1:$zmq_port" --admin-port "$op_admin" \
    >>"$work/operator.log" 2>&1 &
  op_pid=$!
  pids+=($op_pid)
}
start_operator
# start_router <name> <port> <admin port> [option...]: a router on the stack's operator with
# instance id <name>, logging to <name>.log; sets router_pid.
start_router() {
  local name=$1 port=$2 admin=$3
  shift 3
  "$BUILD/bin/throng-router" --listen-address 127.0.0.1 --port "$port" \
    --operator-endpoint "tcp://127.0.0.1:$zmq_port" --admin-port "$admin" \
    --instance-id "$name" "$@" >>"$work/$name.log" 2>&1 &
  router_pid=$!
  pids+=($router_pid)
}
start_router router "$http_port" "$router_admin" --request-timeout "${THRONG_E2E_REQUEST_TIMEOUT:-5}"

throng_wait_http "http://127.0.0.1:$op_admin/readyz" 30 || fail "operator not ready"
throng_wait_http "http://127.0.0.1:$router_admin/readyz" 30 || fail "router not ready"
check "operator and router ready"

# THRONG_E2E_TASK_CONFIG / _OVERRIDES / _UNITS choose another task than the static demo.
task_config="${THRONG_E2E_TASK_CONFIG:-$root/examples/static_demo/task.yaml}"
read -r -a task_overrides <<<"${THRONG_E2E_TASK_OVERRIDES:-}"
"$BUILD/bin/throng" launch "$task_config" "${task_overrides[@]}" --data-dir "$work/data" \
  --json >"$work/launch.json"
run_id=$(jq -r .task_run_id "$work/launch.json")
expected_units="${THRONG_E2E_UNITS:-20}"
[ "$(jq -r .units "$work/launch.json")" = "$expected_units" ] ||
  fail "launch did not create $expected_units units"
check "launched task run $run_id from $(basename "$(dirname "$task_config")")"

base="http://127.0.0.1:$http_port"
throng_wait_http "$base/task_config.json" 15 || fail "router never served the run"

# post <path> <json>: POST to the router; the body lands in $work/body, the status is printed.
post() {
  curl -sS -o "$work/body" -w '%{http_code}' -H 'Content-Type: application/json' \
    -X POST "$base/$1" -d "$2"
}
