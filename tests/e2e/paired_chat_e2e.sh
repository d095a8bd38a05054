#!/usr/bin/env bash
# End to end in real browsers with a live task: the paired chat demo (examples/paired_chat_demo,
# built against the npm package mephisto-task 2.0.4, unchanged) over the router's websocket:
# waiting room, both agents 'in task', live updates relayed both ways and stored, history after
# a reload, partner disconnect; then the results are checked in PostgreSQL.
# Usage: paired_chat_e2e.sh <build dir>; tests/run.sh installs Chromium and playwright-core.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
source "$here/build_demo_webapp.sh"
use_paired_chat_demo

# A closed page counts as gone after 2 s instead of 10 (router reconnect grace).
export THRONG_RECONNECT_GRACE=2
source "$here/stack.sh"

modules="$BUILD/browser-e2e/node_modules"
[ -d "$modules/playwright-core" ] || fail "playwright-core missing in $modules (run tests/run.sh)"
NODE_PATH="$modules" node "$root/tests/e2e/browser/paired_chat.cjs" chat "$base"

q() { psql "$THRONG_PG_DSN" -tAc "$1"; }
pair=$(q "SELECT count(DISTINCT a.assignment_id) || ':' || count(*) FROM agents a
  JOIN workers w USING (worker_id) JOIN agent_data d USING (agent_id)
  WHERE w.worker_name IN ('chat-a', 'chat-b') AND a.status = 'completed' AND d.submission ? 'summary'")
[ "$pair" = "1:2" ] || fail "expected chat-a and chat-b completed in one assignment, got $pair"
check "both chat workers completed units of the same assignment"
sent=$(q "SELECT string_agg(u.data->>'text', '|' ORDER BY u.id) FROM live_updates u
  JOIN agents a USING (agent_id) JOIN workers w USING (worker_id)
  WHERE w.worker_name IN ('chat-a', 'chat-b') AND u.direction = 'to_server'")
[ "$sent" = "hello from A|hi from B" ] || fail "stored browser updates: $sent"
relayed=$(q "SELECT count(*) FILTER (WHERE delivered_at IS NOT NULL) || '/' || count(*)
  FROM live_updates u JOIN agents a USING (agent_id) JOIN workers w USING (worker_id)
  WHERE w.worker_name IN ('chat-a', 'chat-b') AND u.direction = 'to_client'")
[ "$relayed" = "2/2" ] || fail "relayed updates delivered/total: $relayed"
check "each message is stored once and its relayed copy was acknowledged as delivered"
left=$(q "SELECT string_agg(w.worker_name || '=' || a.status || '/' || u.status, ',' ORDER BY w.worker_name)
  FROM agents a JOIN workers w USING (worker_id) JOIN units u ON u.unit_id = a.unit_id
  WHERE w.worker_name IN ('chat-c', 'chat-d')")
[ "$left" = "chat-c=completed/completed,chat-d=disconnect/expired" ] || fail "after the partner left: $left"
check "the partner who left is 'disconnect' (its unit expired); the other submitted"
# The operator's per-run census (every few seconds) sees the same as PostgreSQL. A status
# reads 0 once no unit is in it, and has no series if the census never saw a unit in it (the
# units were assigned between two censuses): zeros are left out.
census=""
for _ in $(seq 1 30); do
  census=$(curl -fsS "http://127.0.0.1:$op_admin/metrics" | grep "^throng_operator_run_units{" |
    grep "task_run_id=\"$run_id\"" | grep -v ' 0$' |
    sed -E 's/.*status="([^"]+)".* ([0-9.e+]+)$/\1=\2/' | sort | tr '\n' ' ')
  [ "$census" = "completed=3 expired=1 launched=2 " ] && break
  sleep 0.5
done
[ "$census" = "completed=3 expired=1 launched=2 " ] || fail "throng_operator_run_units for run $run_id: $census"
check "the operator's per-run unit gauges match: $census"
echo "paired chat e2e: all checks passed"
