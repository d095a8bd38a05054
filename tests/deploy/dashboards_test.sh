#!/usr/bin/env bash
# The shipped Grafana dashboards (SPEC M5, static half): they are what
# grafana/generate_dashboards.cjs writes; they pass the lint of dashboards_lint.cjs; every
# query, variables substituted, is valid PromQL (promtool parses it as a rule); and every
# throng metric a query reads is registered by a service. No Grafana, no services, no network.
# Usage: dashboards_test.sh; needs node and promtool (tests/run.sh installs them).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
for tool in node promtool; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (run tests/run.sh)" >&2; exit 1; }
done
work=$(mktemp -d -t throng-dashboards.XXXXXX)
trap 'rm -rf "$work"' EXIT

node "$root/grafana/generate_dashboards.cjs" --check
node "$(dirname "$0")/dashboards_lint.cjs" "$root/grafana/dashboards" "$root/grafana/provisioning" "$work/exprs.json"

# promtool parses every query: one recording rule each, in a file it checks.
node -e '
  const exprs = require(process.argv[1]);
  const rules = exprs.map((e, i) => ({ record: `dashboard:query_${i}`, expr: e.expr }));
  require("fs").writeFileSync(process.argv[2], JSON.stringify({ groups: [{ name: "dashboards", rules }] }));
' "$work/exprs.json" "$work/queries.yml"
if ! promtool check rules "$work/queries.yml" >"$work/promtool.log" 2>&1; then
  cat "$work/promtool.log" >&2
  echo "FAIL: a dashboard query is not valid PromQL (rule dashboard:query_<n> is the n-th query of dashboards_lint.cjs)" >&2
  exit 1
fi

# Every throng metric a query reads is named in some service's code (a histogram's _bucket,
# _count and _sum come from its name).
registered=$(grep -rhoE --include='*.cpp' '"throng_[a-z0-9_]+"' "$root/services" "$root/common" | sort -u)
missing=0
for metric in $(jq -r '.[].expr' "$work/exprs.json" | grep -oE 'throng_[a-z0-9_]+' | sed -E 's/_(bucket|count|sum)$//' | sort -u); do
  if ! grep -qxF "\"$metric\"" <<<"$registered"; then
    echo "FAIL: a dashboard reads $metric, which no service registers" >&2
    missing=1
  fi
done
[ "$missing" = 0 ]
echo "dashboards: generated, linted, parsed and every metric registered"
