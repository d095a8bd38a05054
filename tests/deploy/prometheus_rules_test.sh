#!/usr/bin/env bash
# The shipped Prometheus and Alertmanager files (deploy/prometheus, deploy/alertmanager): the
# scrape config and every rule file are valid, the rule unit tests pass, alerts and runbooks
# are one-to-one (alert_rules_lint.cjs), the Alertmanager config is valid, and every metric a
# rule reads is registered by a service, so a renamed metric cannot leave a rule silently
# recording nothing. No services, no network.
# Usage: prometheus_rules_test.sh; needs promtool (Debian prometheus), amtool (Debian
# prometheus-alertmanager) and node, which tests/run.sh installs.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir="$root/deploy/prometheus"
for tool in promtool amtool node; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (run tests/run.sh)" >&2; exit 1; }
done

promtool check config "$dir/prometheus.yml"
checked=$(promtool check rules --lint=all --lint-fatal "$dir"/rules/*.yml 2>&1) ||
  { echo "$checked" >&2; exit 1; }
echo "$checked"
promtool test rules "$dir"/tests/*.yml

# Alerts and runbooks, given how many rules promtool found in each file (the lint's parser
# must find as many).
counts=$(awk '/^Checking /{file=$2} /SUCCESS: [0-9]+ rules found/{print file "=" $2}' <<<"$checked")
node "$(dirname "$0")/alert_rules_lint.cjs" "$root" $counts

amtool check-config "$root/deploy/alertmanager/alertmanager.yml"

# Every metric a rule reads is named in some service's code (a histogram rule reads
# <name>_bucket of the histogram <name>). Metrics are registered with their name as a string
# literal, through prometheus-cpp's Name("...") or otherwise (throng_service_state).
registered=$(grep -rhoE --include='*.cpp' '"throng_[a-z0-9_]+"' "$root/services" "$root/common" | sort -u)
missing=0
for metric in $(grep -hoE 'throng_[a-z0-9_]+' "$dir"/rules/*.yml | sed -E 's/_(bucket|count|sum)$//' | sort -u); do
  if ! grep -qxF "\"$metric\"" <<<"$registered"; then
    echo "FAIL: deploy/prometheus/rules read $metric, which no service registers" >&2
    missing=1
  fi
done
[ "$missing" = 0 ]
echo "prometheus rules: config, rules, rule tests, runbooks, alertmanager and metric names pass"
