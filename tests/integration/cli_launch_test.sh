#!/usr/bin/env bash
# `throng wut`, `throng launch`, `throng runs`, `throng status` and `throng config` against a
# real PostgreSQL (a scratch database on THRONG_TEST_PG_DSN): every argument wut documents is
# launched and its misspelling refused (cli_config_keys.cjs), wut's tables and JSON, the
# worker link, the user config file and its precedence, and the exit codes (0; 1 for a wrong
# key, value or run; 2 for a usage error, with the usage).
# Usage: cli_launch_test.sh <build dir>; needs psql, jq and node.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scratch_name=cli_launch
scratch_migrate=no  # `db status` is checked on the empty database first
source "$here/cli_scratch_db.sh"
export THRONG_USER_CONFIG="$work/home/throng.yml"
unset THRONG_WORKER_URL THRONG_DATA_DIR
# db: a fresh database is behind (exit 1, saying what to run); migrate brings it up to date.
code=0
"$throng" db status >"$work/out" || code=$?
[ "$code" = 1 ] || fail "db status of a fresh database exited $code"
grep -q "^schema version 0 of [0-9]* (run \`throng db migrate\`)$" "$work/out" || fail "db status: $(cat "$work/out")"
"$throng" db migrate | grep -q "^schema at version [0-9]* ([0-9]* applied now)$" || fail "db migrate"
"$throng" db status | grep -q "(up to date)$" || fail "db status after migrate"
check "db status (behind: exit 1) and db migrate"

# wut: the groups, a group's types, a table, a filtered table; JSON for each.
"$throng" wut >"$work/groups.txt"
for group in blueprint architect provider task monitoring; do
  grep -q "^  $group " "$work/groups.txt" || fail "wut does not list $group: $(cat "$work/groups.txt")"
done
[ "$("$throng" wut blueprint --json | jq -r 'map(.name) | join(",")')" = "static_task,static_react_task,paired_chat" ] ||
  fail "wut blueprint --json"
"$throng" wut blueprint=static_task >"$work/table.txt"
head -n 1 "$work/table.txt" | grep -Eq '^NAME +TYPE +DEFAULT +REQUIRED +CHOICES +LIVE +HELP$' ||
  fail "wut table header: $(head -n 1 "$work/table.txt")"
grep -Eq '^task_source +path +yes ' "$work/table.txt" || fail "wut: task_source row"
grep -Eq '^min_golds +integer +1 ' "$work/table.txt" || fail "wut: min_golds row"
"$throng" wut task max_num_concurrent_units no_submission_patience --json >"$work/task.json"
jq -e 'length == 2 and .[0].name == "max_num_concurrent_units" and .[0].type == "integer"
  and .[0].default == "0" and .[0].live == true and .[0].required == false
  and .[1].default == "43200"' "$work/task.json" >/dev/null || fail "wut task <args> --json: $(cat "$work/task.json")"
"$throng" wut blueprint=paired_chat --json | jq -e 'map(.name) | index("use_golds") == null' >/dev/null ||
  fail "paired_chat lists golds"
"$throng" wut provider=prolific --json |
  jq -e '.[] | select(.name == "prolific_completion_code") | .required == true' >/dev/null || fail "prolific code"
expect 2 "'runner' is not a task config group; the groups: blueprint, architect" wut runner
grep -q '^  throng wut \[<group>\] \[<argument>...\] \[options\]' "$work/err" || fail "no usage after wut runner"
expect 2 "'static' is not a blueprint type; the types: static_task, static_react_task" wut blueprint=static
expect 2 "has no argument 'task_nam'; its arguments: task_name" wut task task_nam
check "wut: groups, types, tables, --json, exit 2 for unknown groups, types and arguments"

# Every documented argument launches; every misspelling is refused (the operator's validation).
node "$here/cli_config_keys.cjs" "$throng" "$work" || fail "documented keys"

# launch: the worker link from --worker-url, the user config, the built-in default; override
# mistakes exit 1 naming the key.
cp "$here/../../examples/static_demo/task.html" "$here/../../examples/static_demo/data.csv" "$work/"
cat >"$work/task.yaml" <<'YAML'
blueprint: {type: static_task, task_source: task.html, data_csv: data.csv}
task: {task_name: cli-launch, allowed_concurrent: 1}
YAML
"$throng" launch "$work/task.yaml" --data-dir "$work/data" >"$work/launch.txt"
run=$(sed -n 's/^launched task run \([0-9]*\) (cli-launch): .* units in .* assignments$/\1/p' "$work/launch.txt")
[ -n "$run" ] || fail "launch output: $(cat "$work/launch.txt")"
grep -qx "worker link: http://localhost:3000/?task_run_id=$run&worker_id=<worker>&assignment_id=<assignment>" \
  "$work/launch.txt" || fail "default worker link: $(cat "$work/launch.txt")"
"$throng" config set launch.worker_url https://crowd.example.org >/dev/null
[ "$("$throng" launch "$work/task.yaml" --data-dir "$work/data" --json | jq -r .worker_link)" = \
  "https://crowd.example.org/?task_run_id=$((run + 1))&worker_id=<worker>&assignment_id=<assignment>" ] ||
  fail "worker link from the user config"
[ "$("$throng" launch "$work/task.yaml" --data-dir "$work/data" --worker-url http://10.0.0.5:3000 --json |
     jq -r .worker_link)" = "http://10.0.0.5:3000/?task_run_id=$((run + 2))&worker_id=<worker>&assignment_id=<assignment>" ] ||
  fail "--worker-url wins over the user config"
expect 1 "task.max_num_concurent_units is not a setting of task (did you mean max_num_concurrent_units?)" \
  launch "$work/task.yaml" task.max_num_concurent_units=3
expect 1 "task.allowed_concurrent must be an integer, not 'one'" launch "$work/task.yaml" task.allowed_concurrent=one
expect 1 "cannot read task config" launch "$work/missing.yaml"
expect 2 "Usage:" launch
check "launch: worker link (default, user config, --worker-url), exit 1 for wrong keys and values"

# runs and status.
"$throng" runs --task cli-launch --json >"$work/runs.json"
jq -e --arg run "$run" 'length == 3 and .[2].task_run_id == $run and all(.task_name == "cli-launch")
  and .[2].units.total == 20 and .[2].status == "live"' "$work/runs.json" >/dev/null || fail "runs --task: $(cat "$work/runs.json")"
"$throng" runs --task no-such-task | grep -qx "no task runs of task 'no-such-task'" || fail "runs of an unknown task"
"$throng" status "$run" >"$work/status.txt"
grep -qx "task run $run (cli-launch): live" "$work/status.txt" || fail "status: $(cat "$work/status.txt")"
grep -q "^  \[-*\] 0/20 done | 0 in progress | 20 waiting | 0 expired | 0 workers | 0 submissions/min$" \
  "$work/status.txt" || fail "status progress: $(cat "$work/status.txt")"
"$throng" status "$run" --json >"$work/status.json"
jq -e --arg run "$run" '.task_run_id == $run and .status == "live" and .units.created == 20
  and .settings.allowed_concurrent == 1 and (.worker_link | startswith("https://crowd.example.org/"))' \
  "$work/status.json" >/dev/null || fail "status --json: $(cat "$work/status.json")"
expect 1 "no task run 999999; \`throng runs\` lists them" status 999999
expect 2 "'seven' is not a task run id" status seven
grep -q '^  throng status <run> \[options\]' "$work/err" || fail "no usage after status seven"
"$throng" set "$run" max_num_concurrent_units=4 allowed_concurrent=2 --json |
  jq -e '.changes == [{"setting": "max_num_concurrent_units", "old": "0", "new": "4"},
                      {"setting": "allowed_concurrent", "old": "1", "new": "2"}]' >/dev/null || fail "set --json"
expect 1 "task_title" set "$run" task_title=x
expect 2 "'run-1' is not a task run id" set run-1 max_num_concurrent_units=4
check "runs --task and status (text, --json, exit 1 unknown run, exit 2 not a run id)"

# config: get (file value and default), list, set errors; a malformed file is an error.
[ "$("$throng" config get launch.worker_url)" = "https://crowd.example.org" ] || fail "config get"
[ "$("$throng" config get launch.data_dir --json | jq -r '.value + " " + .source')" = "data default" ] ||
  fail "config get of a default"
"$throng" config list --json | jq -e '.keys | map(.key) == ["database.pg_dsn", "launch.data_dir",
  "launch.worker_url", "metrics.dir"]' >/dev/null || fail "config list"
expect 1 "'launch.url' is not a user config key; the keys: database.pg_dsn" config get launch.url
expect 1 "launch.worker_url must be an http:// or https:// URL" config set launch.worker_url crowd.example.org
expect 1 "metrics.dir must be an absolute path" config set metrics.dir relative/dir
[ "$("$throng" config get launch.worker_url)" = "https://crowd.example.org" ] || fail "a refused set changed the file"
expect 2 "Usage:" config set launch.worker_url
# database.pg_dsn applies when neither --pg-dsn nor THRONG_PG_DSN is given.
"$throng" config set database.pg_dsn "$THRONG_PG_DSN" >/dev/null
(unset THRONG_PG_DSN && "$throng" runs --task cli-launch --json | jq -e 'length == 3' >/dev/null) ||
  fail "database.pg_dsn from the user config"
echo "- not: a mapping" >"$THRONG_USER_CONFIG"
expect 1 "must be a mapping of sections" runs
check "config get, set, list; database.pg_dsn used; mistakes exit 1 and change nothing"
