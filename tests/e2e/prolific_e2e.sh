#!/usr/bin/env bash
# End to end for the prolific provider in link mode: a static_task run and a static_react_task
# run (the React demo, built against the npm package mephisto-task 2.0.4) are launched with
# provider.type prolific; in headless Chromium participants open the study link, reload (same
# agent), submit and are sent to the completion URL with the study's code (answered by
# Playwright's routing: no network). Then PostgreSQL must hold the participants as prolific
# workers with their agents and submissions, apart from a mock worker of the same name.
# Usage: prolific_e2e.sh <build dir>; tests/run.sh installs Chromium and playwright-core.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

source "$here/build_demo_webapp.sh"
app="$BUILD/prolific-react-demo"  # not react-demo: react_task_e2e.sh may build that meanwhile
build_demo_webapp "$here/../../examples/static_react_demo" "$app"

code="C7F2A9QX"
completion="http://completion.localhost/submissions/complete"
prolific=(provider.type=prolific provider.requester_name=prolific_e2e
          provider.prolific_completion_code=$code provider.prolific_completion_url=$completion)
export THRONG_E2E_TASK_OVERRIDES="${prolific[*]}"
source "$here/stack.sh"
static_run=$run_id

"$BUILD/bin/throng" launch "$app/task.yaml" "${prolific[@]}" --data-dir "$work/data" --json \
  >"$work/launch-react.json"
react_run=$(jq -r .task_run_id "$work/launch-react.json")
for _ in $(seq 50); do
  title=$(curl -fsS "$base/task_config.json?task_run_id=$react_run" | jq -r .task_title) || true
  [ "$title" = "Is this a good sentence?" ] && break
  sleep 0.2
done
[ "$title" = "Is this a good sentence?" ] || fail "the router never served the React run"
check "launched prolific runs $static_run (static_task) and $react_run (static_react_task)"

for run in "$static_run" "$react_run"; do
  config=$(curl -fsS "$base/task_config.json?task_run_id=$run")
  [ "$(jq -r .provider.submit_redirect_url <<<"$config")" = "$completion?cc=$code" ] ||
    fail "task_config.json of run $run: $config"
  page_has "$base/wrap_crowd_source.js?task_run_id=$run" 'provider_type: "prolific"' ||
    fail "run $run does not serve the prolific wrap_crowd_source.js"
done
check "both runs serve the prolific glue and their completion link"

modules="$BUILD/browser-e2e/node_modules"
[ -d "$modules/playwright-core" ] || fail "playwright-core missing in $modules (run tests/run.sh)"
NODE_PATH="$modules" node "$root/tests/e2e/browser/prolific_task.cjs" "$base" "$static_run" \
  "$react_run" "$completion" "$code"

q() { psql "$THRONG_PG_DSN" -tAc "$1"; }
row=$(q "SELECT a.task_run_id || '|' || a.registration_id || '|' || a.provider_type || '|' ||
         a.status || '|' || (d.submission->>'sentiment') || '|' || (d.submission->>'comment')
  FROM workers w JOIN agents a ON a.worker_id = w.worker_id JOIN agent_data d USING (agent_id)
  WHERE w.worker_name = 'P1' AND w.provider_type = 'prolific'")
[ "$row" = "$static_run|SESS1-P1|prolific|completed|negative|from P1 on Prolific" ] ||
  fail "P1's one agent and submission: '$row'"
row=$(q "SELECT a.task_run_id || '|' || a.registration_id || '|' || a.status || '|' ||
         (d.submission->>'rating') || '|' || (d.submission->>'text_id' = d.init_data->>'id')
  FROM workers w JOIN agents a ON a.worker_id = w.worker_id JOIN agent_data d USING (agent_id)
  WHERE w.worker_name = 'P2' AND w.provider_type = 'prolific'")
[ "$row" = "$react_run|SESS2-P2|completed|good|true" ] ||
  fail "P2's one agent and submission: '$row'"
check "P1 and P2 are prolific workers, each with one agent (the reload kept it) and a submission"

# A mock worker named like a participant is another worker.
code_sent=$(post "request_agent?task_run_id=$static_run" \
  '{"provider_data":{"worker_name":"P1","agent_registration_id":"m-P1","provider_type":"mock"}}')
[ "$code_sent" = 200 ] && [ "$(jq -r '.data.agent_id != null' "$work/body")" = true ] ||
  fail "mock worker P1 got no agent: $code_sent $(cat "$work/body")"
workers=$(q "SELECT string_agg(provider_type, ',' ORDER BY provider_type) || '|' ||
             count(DISTINCT worker_id) FROM workers WHERE worker_name = 'P1'")
[ "$workers" = "mock,prolific|2" ] || fail "workers named P1: '$workers'"
check "mock worker P1 and prolific participant P1 are two workers"
echo "prolific e2e: all checks passed"
