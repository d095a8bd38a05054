#!/usr/bin/env bash
# The Kubernetes manifests (SPEC D3) without a cluster: `kubectl kustomize` renders every
# overlay of deploy/k8s (the kubectl here, else Debian's kubernetes-client, whose kustomize
# v2.0.3 the manifests keep to), and k8s_check.py checks the rendered objects: probes on each
# program's admin port, settings and ports the programs accept, the router autoscaler on open
# WebSockets per pod (PodMonitor, prometheus-adapter rules), disruption budget, the
# ServiceMonitor's jobs as prometheus.yml's, PrometheusRules and dashboard ConfigMaps equal to
# the shipped files (and deploy/k8s/generate.sh up to date).
# Usage: k8s_test.sh <build dir>
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
source "$root/deploy/local/services.sh"
command -v kubectl >/dev/null || throng_install_packages kubernetes-client
work=$(mktemp -d -t throng-k8s.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$root/deploy/k8s/generate.sh" --check
echo "ok: deploy/k8s/base/generated is what deploy/k8s/generate.sh writes"
overlays=0
for overlay in "$root"/deploy/k8s/overlays/*/; do
  name=$(basename "$overlay")
  # kustomize v5 warns about fields it still accepts (v2.0.3 needs them): not a failure.
  kubectl kustomize "$overlay" >"$work/$name.yaml" 2>"$work/$name.log" ||
    { cat "$work/$name.log" >&2; echo "FAIL: kubectl kustomize deploy/k8s/overlays/$name" >&2; exit 1; }
  /usr/bin/python3 "$root/tests/deploy/k8s_check.py" "$root" "$build" "$name" "$work/$name.yaml"
  echo "ok: overlays/$name renders ($(grep -c '^kind:' "$work/$name.yaml") objects) and passes the checks"
  overlays=$((overlays + 1))
done
[ "$overlays" -ge 2 ] || { echo "FAIL: expected the dev and prod overlays" >&2; exit 1; }
echo "kubernetes: all checks passed"
