#!/usr/bin/env bash
# End to end in a real browser with an unchanged Mephisto-style React frontend: the static React
# demo (examples/static_react_demo, built with esbuild against the npm package mephisto-task
# 2.0.4) is launched as a static_react_task, headless Chromium completes two units through the
# router, then the answers are checked in PostgreSQL.
# Usage: react_task_e2e.sh <build dir>; tests/run.sh installs Chromium and playwright-core.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
demo="$here/../../examples/static_react_demo"

source "$here/build_demo_webapp.sh"
app="$BUILD/react-demo"
build_demo_webapp "$demo" "$app"

export THRONG_E2E_TASK_CONFIG="$app/task.yaml" THRONG_E2E_UNITS=5
source "$here/stack.sh"
check "built the React demo against mephisto-task $(jq -r .version "$app/webapp/node_modules/mephisto-task/package.json")"

page_has "$base/?worker_id=x&assignment_id=1" 'src="bundle.js"' || fail "task page not served"
curl -fsS "$base/bundle.js" | cmp -s - "$app/webapp/build/bundle.js" || fail "bundle.js is not the built one"
check "index.html and the built bundle.js are served"

modules="$BUILD/browser-e2e/node_modules"
[ -d "$modules/playwright-core" ] || fail "playwright-core missing in $modules (run tests/run.sh)"
NODE_PATH="$modules" node "$root/tests/e2e/browser/complete_react_task.cjs" "$base" "$app/data.jsonl"

count=$(psql "$THRONG_PG_DSN" -tAc "SELECT count(*) FROM agent_data d JOIN agents a USING (agent_id)
  JOIN workers w ON w.worker_id = a.worker_id
  WHERE w.worker_name LIKE 'react-%' AND d.submission->>'rating' = 'good'
  AND d.submission->>'text_id' = d.init_data->>'id' AND a.status = 'completed'")
[ "$count" = 2 ] || fail "expected the 2 React submissions in PostgreSQL, found $count"
check "the browser's 2 answers are stored, each for the text it was shown"
# The published mephisto-task 2.0.4 bundle announces itself as 2.0.3: the router passes the
# version-mismatch warning on to the operator, as Mephisto's router does.
mismatches=$(psql "$THRONG_PG_DSN" -tAc "SELECT count(*) FROM client_errors
  WHERE error_data->>'error_type' = 'version-mismatch' AND error_data->>'text' LIKE '%using 2.0.3.%'")
[ "$mismatches" -ge 1 ] || fail "no version-mismatch warning stored for the 2.0.3-announcing bundle"
check "the library's version-mismatch warning reached the operator ($mismatches)"
echo "react task e2e: all checks passed"
