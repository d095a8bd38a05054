#!/usr/bin/env bash
# A live agent whose socket moves to another router while the first one stays up (a page
# reload, or a reconnect the load balancer sends elsewhere): the first router reports the
# socket it lost as a disconnect once its reconnect grace has passed, and the operator must
# not end the chat for it, since the agent said alive on the second router meanwhile.
# Usage: router_move_e2e.sh <build dir>
set -euo pipefail
BUILD=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
source "$here/build_demo_webapp.sh"
use_paired_chat_demo
export THRONG_RECONNECT_GRACE=2
source "$here/stack.sh"

r2_port=$(throng_free_port) r2_admin=$(throng_free_port)
start_router router-two "$r2_port" "$r2_admin"
throng_wait_http "http://127.0.0.1:$r2_admin/readyz" 30 || fail "router two not ready"

# Both partners register and say alive on the stack's router; A's socket then moves to router
# two, where it says alive and heartbeats for three reconnect graces.
node - "$base" "http://127.0.0.1:$r2_port" "$root/tests/e2e/workers/ws_client.cjs" \
  >"$work/move.json" 2>"$work/move.log" <<'JS' || fail "the moving agent's script failed: $(tail -n 5 "$work/move.log")"
const [one, two, client] = process.argv.slice(2);
const { openSocket } = require(client);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function register(name) {
  const reply = await fetch(`${one}/request_agent`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ provider_data: { worker_name: name, agent_registration_id: `move-${name}` } }),
  });
  const packet = await reply.json();
  if (!packet.data || !packet.data.agent_id) throw new Error(`${name}: ${JSON.stringify(packet)}`);
  return packet.data.agent_id;
}
async function alive(router, agent, statuses) {
  const socket = await openSocket(new URL(router), (text) => {
    const packet = JSON.parse(text);
    if (packet.packet_type === "update_status") statuses.push(packet.data.status);
  }, () => {});
  socket.send({ packet_type: "alive", subject_id: agent, data: { update_id: `alive-${Date.now()}` } });
  return socket;
}
(async () => {
  const a = await register("mover"), b = await register("partner");
  const aStatus = [], bStatus = [];
  const socketA = await alive(one, a, aStatus), socketB = await alive(one, b, bStatus);
  for (let i = 0; i < 100 && !(aStatus.includes("in task") && bStatus.includes("in task")); i += 1) await sleep(100);
  if (!aStatus.includes("in task")) throw new Error(`the chat never started: ${aStatus} / ${bStatus}`);
  socketA.close();
  const movedA = await alive(two, a, aStatus);
  for (let i = 0; i < 12; i += 1) {
    for (const [socket, agent] of [[movedA, a], [socketB, b]]) {
      socket.send({ packet_type: "heartbeat", subject_id: agent, client_timestamp: Date.now() / 1000 });
    }
    await sleep(500);
  }
  console.log(JSON.stringify({ a, b, a_statuses: aStatus, b_statuses: bStatus }));
  movedA.close();
  socketB.close();
})().catch((error) => { console.error(error.stack || String(error)); process.exit(1); });
JS
a=$(jq -r .a "$work/move.json")
check "agent ${a%%-*} said alive on router two and heartbeat there for 6 s after leaving router one"

grep -q "agent $a disconnected (socket closed" "$work/router.log" ||
  fail "router one never reported the socket it lost (the test did not reach its point)"
statuses=$(psql "$THRONG_PG_DSN" -tAc "SELECT string_agg(w.worker_name || '=' || a.status, ' '
  ORDER BY w.worker_name) FROM agents a JOIN workers w USING (worker_id)")
[ "$statuses" = "mover=in task partner=in task" ] ||
  fail "the operator ended the chat for a stale disconnect: $statuses ($(jq -c . "$work/move.json"))"
curl -fsS "http://127.0.0.1:$op_admin/metrics" -o "$work/operator_metrics.txt"
grep -q '^throng_operator_envelopes_rejected_total{reason="moved_agent_disconnect"} [1-9]' \
  "$work/operator_metrics.txt" || fail "the ignored disconnect was not counted"
check "router one's disconnect was ignored and counted; both agents are still in task"
