#!/usr/bin/env bash
# Two routers behind HAProxy (websocket upgrades passed through), a paired chat in real
# browsers: the router holding worker A's socket is killed with SIGKILL; A's page reconnects
# through HAProxy to the other router, keeps its agent, receives the message its partner sent
# while it was away, and completes its unit. Nothing is lost in PostgreSQL.
# Usage: router_failover_e2e.sh <build dir>; tests/run.sh installs HAProxy, Chromium and
# playwright-core.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
source "$here/build_demo_webapp.sh"
use_paired_chat_demo
command -v haproxy >/dev/null || { echo "FAIL: haproxy is not installed (run tests/run.sh)" >&2; exit 1; }

source "$here/stack.sh"

# Two more routers on the same operator (the stack's own router stays out of this test).
r1_port=$(throng_free_port) r1_admin=$(throng_free_port)
r2_port=$(throng_free_port) r2_admin=$(throng_free_port)
start_router router-one "$r1_port" "$r1_admin"
r1_pid=$router_pid
start_router router-two "$r2_port" "$r2_admin"
throng_wait_http "http://127.0.0.1:$r1_admin/readyz" 30 || fail "router one not ready"
throng_wait_http "http://127.0.0.1:$r2_admin/readyz" 30 || fail "router two not ready"

# The shipped load balancer config (deploy/haproxy/haproxy.cfg) with these two routers, and
# `balance first`: every new connection goes to router one while it is up, so worker A's
# socket is there; health checks (/readyz on the admin ports) take a dead router out.
lb_port=$(throng_free_port)
throng_haproxy_config "$work/haproxy.cfg" "127.0.0.1:$lb_port" first \
  "127.0.0.1:$r1_port/$r1_admin" "127.0.0.1:$r2_port/$r2_admin"
haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
pids+=($!)
lb="http://127.0.0.1:$lb_port"
throng_wait_http "$lb/task_config.json" 20 || fail "HAProxy does not reach the routers"
check "two routers behind HAProxy on $lb"

modules="$BUILD/browser-e2e/node_modules"
[ -d "$modules/playwright-core" ] || fail "playwright-core missing in $modules (run tests/run.sh)"
NODE_PATH="$modules" node "$root/tests/e2e/browser/paired_chat.cjs" failover "$lb" \
  "http://127.0.0.1:$r2_port" "$r1_pid"

q() { psql "$THRONG_PG_DSN" -tAc "$1"; }
agents=$(q "SELECT count(*) || ':' || string_agg(a.status, ',') FROM agents a
  JOIN workers w USING (worker_id) WHERE w.worker_name = 'failover-a'")
[ "$agents" = "1:completed" ] || fail "worker A should have one agent, completed: $agents"
check "worker A kept its one agent through the failover and completed"
units=$(q "SELECT count(*) FROM units u JOIN agents a ON a.agent_id = u.agent_id
  JOIN workers w ON w.worker_id = a.worker_id JOIN agent_data d ON d.agent_id = a.agent_id
  WHERE w.worker_name IN ('failover-a', 'failover-b') AND u.status = 'completed'
    AND d.submission ? 'summary'")
[ "$units" = 2 ] || fail "expected both units completed with their summaries, found $units"
texts=$(q "SELECT string_agg(u.data->>'text', '|' ORDER BY u.id) FROM live_updates u
  JOIN agents a USING (agent_id) JOIN workers w USING (worker_id)
  WHERE w.worker_name IN ('failover-a', 'failover-b') AND u.direction = 'to_server'")
[ "$texts" = "before the crash|sent while you were away|back again" ] || fail "stored messages: $texts"
undelivered=$(q "SELECT count(*) FROM live_updates u JOIN agents a USING (agent_id)
  JOIN workers w USING (worker_id) WHERE w.worker_name IN ('failover-a', 'failover-b')
    AND u.direction = 'to_client' AND u.delivered_at IS NULL")
[ "$undelivered" = 0 ] || fail "$undelivered relayed messages never acknowledged"
check "both submissions and every message are in PostgreSQL; every relayed copy was delivered"
echo "router failover e2e: all checks passed"
