#!/usr/bin/env bash
# Runs every test: installs what the tests need, builds with AddressSanitizer and
# UndefinedBehaviorSanitizer, starts a throwaway PostgreSQL and Redis on random loopback
# ports, runs ctest (unit, integration, e2e), stops what it started. Non-zero on any failure.
# Then builds the libFuzzer targets with clang and runs each briefly (THRONG_FUZZ_SECONDS,
# default 30; 0 skips; skipped too when ctest arguments are given).
# Usage: tests/run.sh [extra ctest arguments, e.g. -L unit]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/deploy/local/services.sh"

throng_install_packages $THRONG_BUILD_PACKAGES $THRONG_RUNTIME_PACKAGES chromium haproxy \
  prometheus-alertmanager docker-compose python3-yaml
# kubectl renders the Kubernetes manifests (tests/deploy/k8s_test.sh); Debian's, if none is here.
command -v kubectl >/dev/null || throng_install_packages kubernetes-client
# Node.js may come from elsewhere than Debian (with its own npm); install Debian's only if absent.
command -v npm >/dev/null || throng_install_packages nodejs npm
# Debian starts the packaged servers on install; the tests use their own instances instead.
# The packaged Prometheus would scrape and write to disk for as long as the machine runs; the
# tests only need amtool from prometheus-alertmanager, not its server.
throng_stop_packaged_service prometheus
throng_stop_packaged_service prometheus-alertmanager

build="${THRONG_TEST_BUILD_DIR:-$root/build-test}"
throng_log "building (ASan + UBSan) in $build"
"$root/deploy/build.sh" "$build" -DCMAKE_BUILD_TYPE=Debug -DTHRONG_SANITIZE=ON -DTHRONG_WERROR=ON

# The browser test drives Debian's Chromium with playwright-core from the npm registry.
mkdir -p "$build/browser-e2e"
cp "$root/tests/e2e/browser/package.json" "$root/tests/e2e/browser/package-lock.json" "$build/browser-e2e/"
(cd "$build/browser-e2e" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
  throng_die "npm could not install playwright-core"

scratch=$(mktemp -d /tmp/throng-tests.XXXXXX)
chmod 755 "$scratch"
cleanup() {
  throng_stop_postgres "$scratch/pg"
  throng_stop_redis "$scratch/redis"
  rm -rf "$scratch" || true
}
trap cleanup EXIT
pg_port=$(throng_free_port)
redis_port=$(throng_free_port)
throng_log "starting PostgreSQL on 127.0.0.1:$pg_port and Redis on 127.0.0.1:$redis_port"
throng_start_postgres "$scratch/pg" "$pg_port"
throng_start_redis "$scratch/redis" "$redis_port"
export THRONG_TEST_PG_DSN="postgresql://throng@127.0.0.1:$pg_port/throng"
export THRONG_TEST_REDIS_URL="redis://127.0.0.1:$redis_port"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"

cd "$build"
ctest --output-on-failure -j 2 --timeout 600 "$@"

# Every parser of outside input, fuzzed briefly (tests/fuzz.sh runs longer on demand).
if [ $# -eq 0 ] && [ "${THRONG_FUZZ_SECONDS:-30}" != 0 ]; then
  bash "$root/tests/fuzz.sh" "${THRONG_FUZZ_SECONDS:-30}"
fi
