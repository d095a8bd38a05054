#!/usr/bin/env bash
# The shipped Prometheus files (deploy/prometheus): the scrape config and every rule file are
# valid, the rule unit tests pass, and every metric a rule reads is registered by a service, so
# a renamed metric cannot leave a rule silently recording nothing. No services, no network.
# Usage: prometheus_rules_test.sh; needs promtool (Debian prometheus, installed by tests/run.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir="$root/deploy/prometheus"
command -v promtool >/dev/null || { echo "FAIL: promtool is not installed (run tests/run.sh)" >&2; exit 1; }

promtool check config "$dir/prometheus.yml"
promtool check rules --lint=all --lint-fatal "$dir"/rules/*.yml
promtool test rules "$dir"/tests/*.yml

# Every metric a rule reads is registered somewhere in the code (histogram rules read
# <name>_bucket of the histogram <name>).
registered=$(grep -rhoE 'Name\("throng_[a-z0-9_]+"\)' "$root/services" "$root/common" | sort -u)
missing=0
for metric in $(grep -ho 'throng_[a-z0-9_]*' "$dir"/rules/*.yml | sed 's/_bucket$//' | sort -u); do
  if ! grep -qF "Name(\"$metric\")" <<<"$registered"; then
    echo "FAIL: deploy/prometheus/rules read $metric, which no service registers" >&2
    missing=1
  fi
done
[ "$missing" = 0 ]
echo "prometheus rules: config, rules, rule tests and metric names pass"
