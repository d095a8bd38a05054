# The invariants every fault scenario ends with, over PostgreSQL and the services. Source it
# from run.sh (it uses THRONG_PG_DSN, work, fail, and the suite's admin ports).

fsql() { psql "$THRONG_PG_DSN" -v ON_ERROR_STOP=1 -qtAc "$1"; }

# metrics_scrape <file>: every counter (`_total`) series of the processes, one
# "<source> <series> <value>" line each: the operator's and routers' own /metrics, the
# aggregator's own and its republished /metrics/router and /metrics/operator.
metrics_scrape() {
  local out=$1 source url
  : >"$out"
  for source in "operator=$op_admin/metrics" "router-one=$r1_admin/metrics" \
      "router-two=$r2_admin/metrics" "aggregator=$agg_port/metrics" \
      "republished=$agg_port/metrics/router" "republished=$agg_port/metrics/operator"; do
    url="http://127.0.0.1:${source#*=}"
    curl -fsS --max-time 10 "$url" | awk -v s="${source%%=*}" '
      /^[a-z_]+_total[{ ]/ { v = $NF; $NF = ""; print s, $0, v }' >>"$out" ||
      fail "could not scrape $url"
  done
}

# metrics_monotonic <before> <after> <restarted...>: no counter went down. A process killed
# and restarted starts its counters again (a reset, as Prometheus reads it): its own series and
# its republished ones (label instance_id) are left out. A series of a process that was not
# restarted must still be there, but for a run's series (label task_run_id), which go when
# the run ends; a republished one may go once its instance is gone.
metrics_monotonic() {
  local before=$1 after=$2
  shift 2
  awk -v restarted=" $* " '
    function skip(line,   id) {
      if (index(restarted, " " $1 " ")) return 1
      if (match(line, /instance_id="[^"]*"/)) {
        id = substr(line, RSTART + 13, RLENGTH - 14)
        if (index(restarted, " " id " ")) return 1
        if ($1 == "republished" && id ~ /:/ && index(restarted, " operator ")) return 1
      }
      return 0
    }
    { v = $NF; key = $0; sub(/ [^ ]+$/, "", key) }
    FNR == NR { if (!skip($0)) old[key] = v; next }
    { new[key] = v }
    END {
      for (k in old) {
        if (!(k in new)) { if (k !~ /^republished / && k !~ /task_run_id="/) { print "missing: " k; bad++ } }
        else if (new[k] + 0 < old[k] + 0) { print "went down: " k " " old[k] " -> " new[k]; bad++ }
      }
      exit bad > 0
    }' "$before" "$after" >"$work/monotonic.txt" ||
    fail "counters not monotonic: $(head -n 5 "$work/monotonic.txt")"
}

# services_healthy: every service answers its readiness check (again).
services_healthy() {
  local url
  for url in "$op_admin/readyz" "$r1_admin/readyz" "$r2_admin/readyz" "$agg_port/metrics/router" \
      "$lb_port/task_config.json"; do
    throng_wait_http "http://127.0.0.1:$url" 60 || fail "not healthy again: $url"
  done
}

# run_invariants <run id> <workers result file>: sets acked, stored, lost, duplicated; fails
# unless every acknowledged submission is stored exactly once, no unit ever had two live
# agents and the run completed. Agents are compared by row id, as text.
run_invariants() {
  local run=$1 result=$2 figures
  local active="('accepted', 'waiting', 'in task', 'partner disconnect', 'onboarding')"
  # An agent id is "<row id>-<credential tag>": the rows are compared by their id as text.
  jq -r '.submissions[] | [(.agent_id | split("-")[0]), (.final_data | tojson)] | @csv' "$result" \
    >"$work/acks.csv"
  # The run completes once no unit is open (the operator's maintenance, every second).
  for _ in $(seq 150); do
    [ "$(fsql "SELECT is_completed FROM task_runs WHERE task_run_id = $run")" = t ] && break
    sleep 0.2
  done
  figures=$(psql "$THRONG_PG_DSN" -v ON_ERROR_STOP=1 -qtA -F ' ' <<SQL
CREATE TEMP TABLE acks (agent_id text, final_data jsonb);
\copy acks FROM '$work/acks.csv' WITH (FORMAT csv)
SELECT
  (SELECT count(*) FROM acks),
  (SELECT count(*) FROM acks k JOIN agents a ON a.agent_id::text = k.agent_id
    JOIN agent_data d ON d.agent_id = a.agent_id
    WHERE a.status = 'completed' AND a.task_run_id = $run AND d.submission = k.final_data),
  (SELECT count(*) - count(DISTINCT agent_id) FROM acks)
  + (SELECT count(*) FROM (SELECT unit_id FROM agents WHERE task_run_id = $run
      AND status = 'completed' GROUP BY 1 HAVING count(*) > 1) s),
  (SELECT count(*) FROM agents a JOIN agents b ON b.unit_id = a.unit_id AND b.agent_id > a.agent_id
    WHERE a.task_run_id = $run
      AND b.creation_date < CASE WHEN a.status IN $active THEN 'infinity' ELSE a.update_date END),
  (SELECT count(*) FROM units WHERE task_run_id = $run AND status <> 'completed'),
  (SELECT count(*) FROM units u WHERE u.task_run_id = $run AND u.status = 'completed'
    AND NOT EXISTS (SELECT 1 FROM acks k WHERE k.agent_id = u.agent_id::text)),
  (SELECT is_completed FROM task_runs WHERE task_run_id = $run);
SQL
)
  read -r acked stored duplicated overlaps open unacked completed <<<"$figures"
  lost=$((acked - stored))
  [ "$lost" = 0 ] || fail "run $run: $lost of $acked acknowledged submissions are not stored as sent"
  [ "$duplicated" = 0 ] || fail "run $run: $duplicated submissions stored or acknowledged twice"
  [ "$overlaps" = 0 ] || fail "run $run: $overlaps pairs of agents were live on one unit at once"
  [ "$open" = 0 ] || fail "run $run: $open units not completed: $(fsql "SELECT string_agg(status || ' ' || n, ', ')
    FROM (SELECT status, count(*) n FROM units WHERE task_run_id = $run GROUP BY 1) s")"
  [ "$unacked" = 0 ] || fail "run $run: $unacked completed units whose submission nobody was acknowledged"
  [ "$completed" = t ] || fail "run $run is stuck: not marked completed"
}

# chat_invariants <chat run id> <chat workers result file>: sets chat_pairs (chats completed),
# chat_sent, chat_stored, chat_delivered, chat_lost, chat_duplicated, then checks the run's
# submissions as run_invariants does (chat_acked, chat_acks_stored). Fails unless every message
# a worker sent (by update_id) is stored once as sent, with one relayed copy for its partner
# (the agent holding the chat's other unit), whose client received it (pushed, or in its
# history; repeats dropped by update_id, as pages do); no stored row or received message is
# one nobody sent to that agent; and no chat was dropped. The workers never leave a chat: a
# socket that breaks is back within the routers' reconnect grace, and the operator keeps an
# agent through that. So an agent 'disconnect' (its unit expired, or offered again from the
# waiting room), 'partner disconnect' or 'timeout' is a worker the stack lost on its own.
chat_invariants() {
  local run=$1 result=$2 figures dropped unrelayed undelivered
  jq -r '.chats[] | (.agent_id | split("-")[0]) as $a | .sent[] | [$a, .update_id, .text] | @csv' "$result" \
    >"$work/chat_sent.csv"
  jq -r '.chats[] | (.agent_id | split("-")[0]) as $a | .received[] | [$a, .update_id, .times] | @csv' "$result" \
    >"$work/chat_received.csv"
  figures=$(psql "$THRONG_PG_DSN" -v ON_ERROR_STOP=1 -qtA -F ' ' <<SQL
CREATE TEMP TABLE sent (agent_id text, update_id text, body text);
\copy sent FROM '$work/chat_sent.csv' WITH (FORMAT csv)
CREATE TEMP TABLE received (agent_id text, update_id text, times integer);
\copy received FROM '$work/chat_received.csv' WITH (FORMAT csv)
-- Each agent of the run and its partner: the agent holding the other unit of its chat.
CREATE TEMP TABLE pair AS
  SELECT a.agent_id::text AS agent_id, u.agent_id::text AS partner
    FROM agents a JOIN units u ON u.assignment_id = a.assignment_id AND u.unit_id <> a.unit_id
   WHERE a.task_run_id = $run;
CREATE TEMP TABLE stored_rows AS
  SELECT l.agent_id::text AS agent_id, l.direction, l.update_id, l.data->>'text' AS body
    FROM live_updates l JOIN agents a ON a.agent_id = l.agent_id WHERE a.task_run_id = $run;
CREATE TEMP TABLE outcome AS
  SELECT s.*,
    EXISTS (SELECT 1 FROM stored_rows r WHERE r.agent_id = s.agent_id
             AND r.direction = 'to_server' AND r.update_id = s.update_id AND r.body = s.body) AS stored,
    EXISTS (SELECT 1 FROM pair p JOIN stored_rows r ON r.agent_id = p.partner
             WHERE p.agent_id = s.agent_id AND r.direction = 'to_client'
               AND r.update_id = s.update_id AND r.body = s.body) AS relayed,
    EXISTS (SELECT 1 FROM pair p JOIN received c ON c.agent_id = p.partner
             WHERE p.agent_id = s.agent_id AND c.update_id = s.update_id) AS delivered
  FROM sent s;
SELECT
  (SELECT count(*) FROM assignments g WHERE g.task_run_id = $run AND NOT EXISTS
    (SELECT 1 FROM units u WHERE u.assignment_id = g.assignment_id AND u.status <> 'completed')),
  (SELECT count(*) FROM outcome),
  (SELECT count(*) FROM outcome WHERE stored),
  (SELECT count(*) FROM outcome WHERE delivered),
  (SELECT count(*) FROM outcome WHERE NOT (stored AND relayed AND delivered)),
  -- Rows that are no message sent once (a second row, a copy for someone else), messages a
  -- worker sent twice under one update_id, messages received that the partner never sent.
  (SELECT count(*) FROM stored_rows)
  - (SELECT count(*) FILTER (WHERE stored) + count(*) FILTER (WHERE relayed) FROM outcome)
  + (SELECT count(*) - count(DISTINCT (agent_id, update_id)) FROM sent)
  + (SELECT count(*) FROM received c WHERE NOT EXISTS (SELECT 1 FROM pair p JOIN sent s
      ON s.agent_id = p.agent_id WHERE p.partner = c.agent_id AND s.update_id = c.update_id)),
  (SELECT count(*) FROM outcome WHERE stored AND NOT relayed),
  (SELECT count(*) FROM outcome WHERE stored AND relayed AND NOT delivered),
  (SELECT count(*) FROM agents WHERE task_run_id = $run
    AND status IN ('disconnect', 'partner disconnect', 'timeout', 'returned', 'expired'))
  + (SELECT count(*) FROM units WHERE task_run_id = $run AND status = 'expired');
SQL
)
  read -r chat_pairs chat_sent chat_stored chat_delivered chat_lost chat_duplicated unrelayed \
    undelivered dropped <<<"$figures"
  [ "$dropped" = 0 ] || fail "chat run $run: workers that stayed were dropped: $(fsql "
    SELECT string_agg(s, ', ') FROM (SELECT 'agents ' || status || ' ' || count(*) s FROM agents
      WHERE task_run_id = $run AND status <> 'completed' GROUP BY status
    UNION ALL SELECT 'units ' || status || ' ' || count(*) FROM units
      WHERE task_run_id = $run AND status <> 'completed' GROUP BY status) x")"
  [ "$chat_stored" = "$chat_sent" ] ||
    fail "chat run $run: $((chat_sent - chat_stored)) of $chat_sent messages sent are not stored as sent"
  [ "$unrelayed" = 0 ] || fail "chat run $run: $unrelayed stored messages have no copy for the partner"
  [ "$undelivered" = 0 ] ||
    fail "chat run $run: $undelivered messages stored and relayed never reached the partner's client"
  [ "$chat_lost" = 0 ] || fail "chat run $run: $chat_lost messages lost"
  [ "$chat_duplicated" = 0 ] ||
    fail "chat run $run: $chat_duplicated rows or received messages that no worker sent once"
  run_invariants "$run" "$result"
  chat_acked=$acked chat_acks_stored=$stored
}
