#!/usr/bin/env bash
# End to end: the operator is killed (SIGKILL) under a live router and later restarted on the
# same database (R6). With a 2 s request timeout: held requests fail with a JSON error within
# the timeout, an open WebSocket's heartbeats stop refreshing last_mephisto_ping, a submission
# made meanwhile is refused visibly (never lost) and stored when retried after the restart,
# and new workers are served again.
# Usage: operator_outage_e2e.sh <build dir>; needs THRONG_TEST_PG_DSN and THRONG_TEST_REDIS_URL.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
export THRONG_E2E_REQUEST_TIMEOUT=2
source "$(dirname "$0")/stack.sh"
command -v node >/dev/null || fail "node is needed for the WebSocket client"

now_ms() { date +%s%3N; }

# timed_post <path> <json>: like post, and sets elapsed_ms to how long the answer took.
timed_post() {
  local start
  start=$(date +%s%N)
  code=$(post "$1" "$2")
  elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
}

# request_agent <worker>: sets agent to the agent id the router answered with.
request_agent() {
  timed_post request_agent "{\"provider_data\":{\"worker_name\":\"$1\",\"agent_registration_id\":\"r-$1\",\"assignment_id\":\"r\",\"provider_type\":\"mock\"},\"client_timestamp\":$(date +%s.%N)}"
  agent=$(jq -r .data.agent_id "$work/body" 2>/dev/null || echo null)
}

# A page with an open WebSocket, as a live task keeps one: sends alive for the agent, then a
# heartbeat every 250 ms, and appends "<receipt epoch ms> <last_mephisto_ping>" per reply to
# $work/pings. A minimal RFC 6455 client (masked text frames), since Node 20 has none built in.
watch_pings() {
  node - "$http_port" "$1" "$work/pings" >"$work/page.log" 2>&1 <<'JS' &
const http = require("http");
const crypto = require("crypto");
const fs = require("fs");
const [port, agent, out] = process.argv.slice(2);
const die = (why) => { console.error(why); process.exit(1); };
const request = http.request({ host: "127.0.0.1", port, path: "/", headers: {
  Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13",
  "Sec-WebSocket-Key": crypto.randomBytes(16).toString("base64") } });
request.on("response", (response) => die(`no upgrade: HTTP ${response.statusCode}`));
request.on("error", (error) => die(error.message));
request.on("upgrade", (response, socket, head) => {
  const send = (packet) => {
    const payload = Buffer.from(JSON.stringify(packet));
    if (payload.length > 125) die("packet too long for this client");
    const mask = crypto.randomBytes(4);
    socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask,
                                payload.map((byte, i) => byte ^ mask[i % 4])]));
  };
  let data = head;
  socket.on("data", (chunk) => {
    data = Buffer.concat([data, chunk]);
    for (;;) {
      if (data.length < 2) return;
      let length = data[1] & 0x7f, offset = 2;
      if (length === 126) { if (data.length < 4) return; length = data.readUInt16BE(2); offset = 4; }
      if (length === 127) die("unexpectedly large frame");
      if (data.length < offset + length) return;
      const opcode = data[0] & 0x0f;
      const body = data.subarray(offset, offset + length);
      data = data.subarray(offset + length);
      if (opcode === 8) die(`closed by the router: ${body.length >= 2 ? body.readUInt16BE(0) : "-"}`);
      const packet = JSON.parse(body.toString("utf8"));
      if (packet.packet_type === "heartbeat") {
        fs.appendFileSync(out, `${Date.now()} ${packet.data.last_mephisto_ping}\n`);
      }
    }
  });
  socket.on("close", () => die("socket closed"));
  send({ packet_type: "alive", subject_id: agent, data: { update_id: "outage-alive" } });
  setInterval(() => send({ packet_type: "heartbeat", subject_id: agent,
                           client_timestamp: Date.now() / 1000 }), 250);
});
request.end();
JS
  pids+=($!)
}

# newest_ping_after <epoch ms>: the last_mephisto_ping of the newest reply received after it.
newest_ping_after() {
  awk -v after="$1" '$1 > after { ping = $2 } END { printf "%.0f\n", ping }' "$work/pings" 2>/dev/null || echo 0
}
# wait_for_fresh_ping <epoch ms> <seconds>: until a reply carries a ping later than the time.
wait_for_fresh_ping() {
  for _ in $(seq $(($2 * 10))); do
    [ "$(newest_ping_after "$1")" -gt "$1" ] && return 0
    sleep 0.1
  done
  return 1
}
stored_submission() {
  psql "$THRONG_PG_DSN" -tAc "SELECT submission::text FROM agent_data WHERE agent_id = ${1%%-*} AND submission IS NOT NULL"
}

# (a) A worker gets an agent; its page keeps a WebSocket with heartbeats.
request_agent outage-worker-1
[ "$code" = 200 ] && [ "$agent" != null ] || fail "first worker not served: $code $(cat "$work/body")"
first_agent=$agent
watch_pings "$first_agent"
started=$(now_ms)
wait_for_fresh_ping "$started" 10 || fail "heartbeats never carried a fresh last_mephisto_ping"
check "a worker got agent $first_agent; its heartbeats carry a fresh last_mephisto_ping"

# (b) The operator dies. Held requests end with a JSON error within the 2 s timeout.
kill -KILL "$op_pid"
wait "$op_pid" 2>/dev/null || true
killed=$(now_ms)
request_agent outage-worker-2
{ [ "$code" = 503 ] || [ "$code" = 504 ]; } || fail "request_agent with the operator dead answered $code"
jq -r .error "$work/body" | grep -q "backend" || fail "no JSON error naming the problem: $(cat "$work/body")"
[ "$elapsed_ms" -lt 3500 ] || fail "request_agent took ${elapsed_ms} ms (timeout 2 s)"
check "operator killed: request_agent answered $code in ${elapsed_ms} ms: $(jq -r .error "$work/body")"

# (e) A submission while the operator is dead is refused visibly and nothing is stored.
submission="{\"USED_AGENT_ID\":\"$first_agent\",\"final_data\":{\"sentiment\":\"negative\",\"note\":\"sent during the outage\"},\"client_timestamp\":$(date +%s.%N)}"
timed_post submit_task "$submission"
{ [ "$code" = 503 ] || [ "$code" = 504 ]; } && jq -r .error "$work/body" | grep -q "backend" ||
  fail "submit_task with the operator dead: $code $(cat "$work/body")"
[ "$elapsed_ms" -lt 3500 ] || fail "submit_task took ${elapsed_ms} ms (timeout 2 s)"
[ -z "$(stored_submission "$first_agent")" ] || fail "a refused submission was stored"
check "submit_task during the outage: HTTP $code in ${elapsed_ms} ms, nothing stored"

# Once the heartbeat is stale the router knows: refusals are immediate and /readyz says so.
sleep 3.5
request_agent outage-worker-2
[ "$code" = 503 ] && [ "$elapsed_ms" -lt 1000 ] ||
  fail "stale operator: request_agent answered $code after ${elapsed_ms} ms"
jq -r .error "$work/body" | grep -q "not reachable" || fail "503 without a clear error: $(cat "$work/body")"
code=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$router_admin/readyz")
[ "$code" = 503 ] || fail "router /readyz should be 503 without an operator, got $code"
check "stale operator: request_agent refused with 503 in ${elapsed_ms} ms"

# (c) While the operator is dead, last_mephisto_ping stops advancing (pages then show the
# server as disconnected), although every heartbeat is still answered.
during=$(now_ms)
sleep 1
replies=$(awk -v after="$during" '$1 > after' "$work/pings" | wc -l)
[ "$replies" -ge 2 ] || fail "heartbeats not answered during the outage ($replies replies)"
frozen=$(awk -v after="$((killed + 1000))" '$1 > after && $2 > max { max = $2 } END { printf "%.0f\n", max }' "$work/pings")
[ "$frozen" -le "$killed" ] || fail "last_mephisto_ping advanced to $frozen after the kill at $killed"
check "heartbeats answered during the outage; last_mephisto_ping stuck at $frozen (killed at $killed)"

# (d) The operator comes back on the same database: new workers are served, pings advance.
start_operator
restarted=$(now_ms)
throng_wait_http "http://127.0.0.1:$op_admin/readyz" 30 || fail "operator did not restart"
throng_wait_http "http://127.0.0.1:$router_admin/readyz" 10 || fail "router did not see the operator return"
request_agent outage-worker-3
[ "$code" = 200 ] && [ "$agent" != null ] && [ "$agent" != "$first_agent" ] ||
  fail "new worker after the restart: $code $(cat "$work/body")"
new_agent=$agent
wait_for_fresh_ping "$restarted" 10 || fail "last_mephisto_ping did not advance after the restart"
check "operator restarted: a new worker got agent $agent, last_mephisto_ping advances again"

# (e) The refused submission, retried, is acknowledged and stored.
timed_post submit_task "$submission"
[ "$code" = 200 ] && [ "$(jq -r .status "$work/body")" = "Submitted!" ] ||
  fail "retried submit_task: $code $(cat "$work/body")"
[ "$(stored_submission "$first_agent" | jq -r .note)" = "sent during the outage" ] ||
  fail "retried submission not in PostgreSQL"
check "the retried submission is acknowledged and stored in PostgreSQL"
timed_post submit_task "{\"USED_AGENT_ID\":\"$new_agent\",\"final_data\":{\"sentiment\":\"positive\"}}"
[ "$code" = 200 ] && [ "$(stored_submission "$new_agent" | jq -r .sentiment)" = positive ] ||
  fail "the worker served after the restart could not submit: $code $(cat "$work/body")"
check "the worker served after the restart completes its unit"
echo "e2e: all checks passed"
