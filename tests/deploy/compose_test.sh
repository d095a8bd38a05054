#!/usr/bin/env bash
# docker-compose.yml and the load balancer (SPEC D2), without a Docker engine: Debian's
# docker-compose validates and resolves the file (`config`); compose_check.py checks that every
# service has a health check and waits for healthy dependencies, and that ports, addresses,
# settings, config paths and volumes match what the programs accept (their --help and
# docs/config.md) and the files in the repository; HAProxy accepts the shipped config and the
# native stack's two-router version of it (throng_haproxy_config); Prometheus accepts the
# compose scrape config.
# Usage: compose_test.sh <build dir>; needs docker-compose, haproxy and promtool (tests/run.sh
# installs them).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
source "$root/deploy/local/services.sh"
for tool in docker-compose haproxy promtool; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (run tests/run.sh)" >&2; exit 1; }
done
work=$(mktemp -d -t throng-compose.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
compose() { docker-compose --project-directory "$root" -f "$root/docker-compose.yml" "$@"; }

compose --env-file "$root/.env.example" config -q
echo "ok: docker-compose config -q accepts docker-compose.yml with .env.example"
: >"$work/empty.env"
if (cd "$work" && env -u POSTGRES_PASSWORD -u GRAFANA_ADMIN_PASSWORD \
  docker-compose --project-directory "$root" -f "$root/docker-compose.yml" --env-file "$work/empty.env" config -q) 2>"$work/missing.log"; then
  fail "docker-compose.yml starts without the passwords of .env"
fi
grep -q "POSTGRES_PASSWORD" "$work/missing.log" || fail "a missing password is not named: $(cat "$work/missing.log")"
echo "ok: without .env's passwords docker-compose refuses, naming them"

compose --env-file "$root/.env.example" config >"$work/resolved.yml"
# Debian's docker-compose runs on the system Python, with its YAML module.
/usr/bin/python3 "$root/tests/deploy/compose_check.py" "$root" "$build" "$work/resolved.yml"
echo "ok: health checks, start order, settings, ports, volumes and config paths match"

haproxy -c -q -f "$root/deploy/haproxy/haproxy.cfg" || fail "haproxy -c refuses deploy/haproxy/haproxy.cfg"
throng_haproxy_config "$work/native.cfg" 127.0.0.1:3000 "" 127.0.0.1:3001/9310 127.0.0.1:3002/9312
haproxy -c -q -f "$work/native.cfg" || fail "haproxy -c refuses the native two-router config"
diff <(grep -v "^  server" "$work/native.cfg") \
  <(sed '/^resolvers/,/^$/d; /^frontend health/,/^$/d; /^  server-template/d; s/^  bind :3000$/  bind 127.0.0.1:3000/' \
    "$root/deploy/haproxy/haproxy.cfg") >/dev/null ||
  fail "the native HAProxy config differs from the shipped one in more than its servers"
echo "ok: haproxy -c accepts the shipped config and its native two-router form"

promtool check config "$root/deploy/prometheus/prometheus-compose.yml" >/dev/null
echo "ok: promtool accepts deploy/prometheus/prometheus-compose.yml"
echo "compose: all checks passed"
