#!/usr/bin/env bash
# Writes the Kubernetes objects made from files shipped elsewhere, so that there is one source
# for each (kustomize may not read files outside deploy/k8s/base):
#   base/generated/prometheus-rules.yaml   a PrometheusRule per deploy/prometheus/rules/*.yml,
#                                          its spec the file itself
#   base/generated/grafana-dashboards.yaml a ConfigMap per grafana/dashboards/*.json, labelled
#                                          grafana_dashboard: "1" for Grafana's sidecar
# Usage: deploy/k8s/generate.sh [--check]   (--check: fail if the committed files differ)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/deploy/k8s/base/generated"
header="# Written by deploy/k8s/generate.sh: edit the source files and run it, not this file."

rules() {
  echo "$header"
  for file in "$root"/deploy/prometheus/rules/*.yml; do
    name=$(basename "$file" .yml)
    printf -- '---\napiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\n'
    printf 'metadata:\n  name: throng-%s\nspec:\n' "$name"
    sed 's/^./  &/' "$file"
  done
}

dashboards() {
  echo "$header"
  for file in "$root"/grafana/dashboards/*.json; do
    name=$(basename "$file" .json)
    printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s-dashboard\n' "$name"
    printf '  labels:\n    grafana_dashboard: "1"\n  annotations:\n    grafana_folder: throng\n'
    printf 'data:\n  %s.json: |-\n' "$name"
    sed 's/^/    /' "$file"
  done
}

if [ "${1:-}" = --check ]; then
  diff -u "$out/prometheus-rules.yaml" <(rules) && diff -u "$out/grafana-dashboards.yaml" <(dashboards) ||
    { echo "FAIL: deploy/k8s/base/generated is out of date: run deploy/k8s/generate.sh" >&2; exit 1; }
  exit 0
fi
mkdir -p "$out"
rules >"$out/prometheus-rules.yaml"
dashboards >"$out/grafana-dashboards.yaml"
