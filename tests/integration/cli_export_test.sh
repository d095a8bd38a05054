#!/usr/bin/env bash
# `throng export` against a real PostgreSQL: a scratch database on the server named by
# THRONG_TEST_PG_DSN (tests/run.sh starts one), two runs of one task written with psql, then
# the built CLI: JSONL and CSV content (a value with a comma, quotes and a newline; uploaded
# file references), a run id against a task name and --run, --all, --out and its atomic
# rename, and the exit codes (0; 1 unknown run or unwritable file; 2 usage, with the usage).
# Usage: cli_export_test.sh <build dir>; needs psql, jq and node.
set -euo pipefail
scratch_name=cli_export
source "$(dirname "$0")/cli_scratch_db.sh"

# Two runs of task cli-export-task. Run 1: unit 1 completed by worker-a with a submission whose
# answer has a comma, quotes and a newline and an uploaded file; unit 2 accepted (reviewed),
# worker-b; unit 3 launched, no agent. Run 2: one completed unit. Agents start 90 s before
# they submit.
psql "$THRONG_PG_DSN" -v ON_ERROR_STOP=1 -qtA >"$work/runs.txt" <<'SQL'
INSERT INTO requesters (requester_name, provider_type) VALUES ('cli-requester', 'mock');
INSERT INTO tasks (task_name, task_type) VALUES ('cli-export-task', 'static_task');
INSERT INTO workers (worker_name, provider_type) VALUES ('worker-a', 'mock'), ('worker-b', 'prolific');
CREATE FUNCTION pg_temp.make_run(statuses text[]) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_run bigint;
  v_assignment bigint;
BEGIN
  INSERT INTO task_runs (task_id, requester_id, init_params, provider_type, task_type,
                         max_num_concurrent_units, allowed_concurrent, maximum_units_per_worker)
  SELECT t.task_id, q.requester_id, '{}', 'mock', 'static_task', 0, 1, 0
    FROM tasks t, requesters q WHERE t.task_name = 'cli-export-task'
  RETURNING task_run_id INTO v_run;
  FOR i IN 1 .. array_length(statuses, 1) LOOP
    INSERT INTO assignments (task_id, task_run_id, requester_id, task_type, provider_type, assignment_data)
    SELECT task_id, v_run, requester_id, 'static_task', 'mock', jsonb_build_object('item', i)
      FROM task_runs WHERE task_run_id = v_run
    RETURNING assignment_id INTO v_assignment;
    INSERT INTO units (assignment_id, unit_index, pay_amount, provider_type, status, task_type,
                       task_id, task_run_id, requester_id)
    SELECT v_assignment, 0, 0.5, 'mock', statuses[i], 'static_task', task_id, v_run, requester_id
      FROM task_runs WHERE task_run_id = v_run;
  END LOOP;
  RETURN v_run;
END $$;
CREATE FUNCTION pg_temp.submit(p_run bigint, p_item int, p_worker text, p_agent_status text,
                               p_submission jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_unit units;
  v_agent bigint;
BEGIN
  SELECT u.* INTO v_unit FROM units u JOIN assignments s USING (assignment_id)
   WHERE u.task_run_id = p_run AND (s.assignment_data ->> 'item')::int = p_item;
  INSERT INTO agents (worker_id, unit_id, task_id, task_run_id, assignment_id, task_type,
                      provider_type, status, creation_date)
  SELECT w.worker_id, v_unit.unit_id, v_unit.task_id, p_run, v_unit.assignment_id, 'static_task',
         w.provider_type, p_agent_status, '2026-03-01 10:00:00+00'
    FROM workers w WHERE w.worker_name = p_worker
  RETURNING agent_id INTO v_agent;
  UPDATE units SET agent_id = v_agent, worker_id = (SELECT worker_id FROM agents WHERE agent_id = v_agent)
   WHERE unit_id = v_unit.unit_id;
  INSERT INTO agent_data (agent_id, init_data, submission, submitted_at)
  VALUES (v_agent, jsonb_build_object('item', p_item), p_submission, '2026-03-01 10:01:30+00');
END $$;
SELECT pg_temp.make_run(ARRAY['completed', 'accepted', 'launched']);
SELECT pg_temp.make_run(ARRAY['completed']);
SELECT pg_temp.submit(1, 1, 'worker-a', 'completed', jsonb_build_object(
  'answer', E'yes, "really"\nsecond line',
  'files', jsonb_build_array(jsonb_build_object('fieldname', 'photo', 'originalname', 'cat.png',
    'filename', '1767225600000-abc-cat.png', 'mimetype', 'image/png', 'size', 42))));
SELECT pg_temp.submit(1, 2, 'worker-b', 'approved', '{"answer": "plain"}');
SELECT pg_temp.submit(2, 1, 'worker-a', 'completed', '{"answer": "run two"}');
SQL
mapfile -t runs <"$work/runs.txt"
run1=${runs[0]} run2=${runs[1]}
[ "$run1" = 1 ] && [ "$run2" = 2 ] || fail "expected runs 1 and 2 (the helper refers to them), got ${runs[*]}"

# JSONL by run id: two units, in unit order, every field.
"$throng" export "$run1" >"$work/run1.jsonl" || fail "export $run1 exited $?"
[ "$(wc -l <"$work/run1.jsonl")" = 2 ] || fail "export $run1: $(cat "$work/run1.jsonl")"
first=$(head -n 1 "$work/run1.jsonl")
jq -e --arg run "$run1" '.task_run_id == $run and .task_name == "cli-export-task"
  and .worker_name == "worker-a" and .provider_type == "mock" and .unit_status == "completed"
  and .agent_status == "completed" and .unit_index == 0 and (.agent_id | test("^[0-9]+$"))
  and (.unit_id | test("^[0-9]+$")) and (.assignment_id | test("^[0-9]+$"))
  and .started_at == "2026-03-01T10:00:00.000Z" and .submitted_at == "2026-03-01T10:01:30.000Z"
  and .seconds_worked == 90 and .init_data == {"item": 1}
  and .data.answer == "yes, \"really\"\nsecond line" and .metadata == null
  and .files == [{"fieldname": "photo", "originalname": "cat.png",
                  "filename": "1767225600000-abc-cat.png", "mimetype": "image/png", "size": 42}]' \
  <<<"$first" >/dev/null || fail "first JSONL row: $first"
second=$(sed -n 2p "$work/run1.jsonl")
jq -e '.worker_name == "worker-b" and .provider_type == "prolific" and .unit_status == "accepted"
  and .agent_status == "approved" and .data == {"answer": "plain"} and .files == []' \
  <<<"$second" >/dev/null || fail "second JSONL row (reviewed unit): $second"
check "JSONL by run id: completed and reviewed units, worker, provider, timestamps, data, files"

# A task name exports every run of the task; --run only the one run; --all every unit.
[ "$("$throng" export cli-export-task | jq -r .task_run_id | tr '\n' ' ')" = "$run1 $run1 $run2 " ] ||
  fail "export by task name"
"$throng" export --run="$run2" >"$work/run2.jsonl"
[ "$(jq -r .data.answer "$work/run2.jsonl")" = "run two" ] || fail "--run=$run2: $(cat "$work/run2.jsonl")"
"$throng" export --run "$run1" --all >"$work/all.jsonl"
[ "$(jq -r '.unit_status + ":" + (.agent_id // "none")' "$work/all.jsonl" | sed 's/:[0-9]*$/:agent/' |
     tr '\n' ' ')" = "completed:agent accepted:agent launched:none " ] || fail "--all: $(cat "$work/all.jsonl")"
check "task name, --run and --all"

# CSV: a header, RFC 4180 quoting, parsed back by a strict parser.
"$throng" export "$run1" --format=csv >"$work/run1.csv"
node -e '
  const text = require("fs").readFileSync(process.argv[1], "utf8");
  const rows = []; let row = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\"" && text[i + 1] === "\"") { field += "\""; i++; }
      else if (c === "\"") quoted = false;
      else field += c;
    } else if (c === "\"" && field === "") quoted = true;
    else if (c === "\"") throw new Error("bare quote in field at " + i);
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\r" && text[i + 1] === "\n") { row.push(field); rows.push(row); row = []; field = ""; i++; }
    else if (c === "\n") throw new Error("record not ended by CRLF at " + i);
    else field += c;
  }
  if (quoted || field !== "" || row.length) throw new Error("unterminated last record");
  const [header, ...body] = rows;
  console.log(JSON.stringify(body.map(r => {
    if (r.length !== header.length) throw new Error("ragged row " + JSON.stringify(r));
    return Object.fromEntries(header.map((h, i) => [h, r[i]]));
  })));' "$work/run1.csv" >"$work/run1.csv.json" || fail "CSV does not parse: $(cat "$work/run1.csv")"
jq -e 'length == 2 and .[0].worker_name == "worker-a" and .[0].seconds_worked == "90"
  and .[0].started_at == "2026-03-01T10:00:00.000Z"
  and (.[0].data | fromjson | .answer) == "yes, \"really\"\nsecond line"
  and (.[0].files | fromjson | .[0].filename) == "1767225600000-abc-cat.png"
  and .[1].unit_status == "accepted" and .[1].metadata == ""' "$work/run1.csv.json" >/dev/null ||
  fail "CSV content: $(cat "$work/run1.csv")"
head -n 1 "$work/run1.csv" | grep -q '^task_run_id,task_name,assignment_id,unit_id,' || fail "CSV header"
check "CSV: header, quoting of commas, quotes and newlines"

# --out writes the file through <file>.tmp; --output is the same option.
"$throng" export "$run1" --out="$work/out.jsonl" >"$work/stdout" || fail "--out exited $?"
cmp -s "$work/out.jsonl" "$work/run1.jsonl" && [ ! -s "$work/stdout" ] && [ ! -e "$work/out.jsonl.tmp" ] ||
  fail "--out wrote something else"
"$throng" export "$run1" --format csv --output "$work/out.csv" && cmp -s "$work/out.csv" "$work/run1.csv" ||
  fail "--output"
check "--out and --output"

# Exit codes: 1 for an unknown run or task and an unwritable file, no file left behind.
expect 1 "no task run with id or task name 'no-such-task'" export no-such-task
expect 1 "no task run with id '999'" export --run=999 --out="$work/none.jsonl"
[ ! -e "$work/none.jsonl" ] && [ ! -e "$work/none.jsonl.tmp" ] || fail "a failed export left a file"
expect 1 "takes a task run id" export --run=cli-export-task
expect 1 "cannot write '$work/missing/x.jsonl'" export "$run1" --out="$work/missing/x.jsonl"
check "exit 1: unknown run or task, --run with a name, unwritable --out"

# Exit 2, with the usage: a bad --format, no run or two, an unknown option.
expect 2 "--format must be jsonl or csv, not 'xml'" export "$run1" --format=xml
grep -q "^  throng export \[<run>\] \[options\]" "$work/err" || fail "no usage after a bad --format"
expect 2 "Usage:" export
grep -q "either <run>" "$work/err" || fail "export without a run: $(cat "$work/err")"
expect 2 "Usage:" export "$run1" --run="$run1"
expect 2 "Usage:" export "$run1" --no-such-option
check "exit 2 with the usage: bad --format, no run, two runs, unknown option"
