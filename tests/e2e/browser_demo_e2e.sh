#!/usr/bin/env bash
# End to end in a real browser: headless Chromium completes demo units through the router,
# then the answers are checked in PostgreSQL.
# Usage: browser_demo_e2e.sh <build dir>; tests/run.sh installs Chromium and playwright-core.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
source "$(dirname "$0")/stack.sh"

modules="$BUILD/browser-e2e/node_modules"
[ -d "$modules/playwright-core" ] || fail "playwright-core missing in $modules (run tests/run.sh)"
NODE_PATH="$modules" node "$root/tests/e2e/browser/complete_demo.cjs" "$base"

count=$(psql "$THRONG_PG_DSN" -tAc "SELECT count(*) FROM agent_data d JOIN agents a USING (agent_id)
  JOIN workers w ON w.worker_id = a.worker_id
  WHERE w.worker_name LIKE 'browser-%' AND d.submission->>'sentiment' = 'positive'
  AND d.submission->>'comment' = 'from ' || w.worker_name AND a.status = 'completed'")
[ "$count" = 3 ] || fail "expected the 3 browser submissions in PostgreSQL, found $count"
check "the browser's 3 answers are stored"
echo "browser e2e: all checks passed"
