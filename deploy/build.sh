#!/usr/bin/env bash
# The one build of throng. deploy/local/up.sh, tests/run.sh and the build stage of the Docker
# images (deploy/docker/Dockerfile) all build through it, so the native stack, the tests and
# the images cannot be built in different ways (tests/deploy/docker_test.sh checks the callers).
# Usage: deploy/build.sh <build dir> release             the shipped programs, optimised, no tests
#        deploy/build.sh <build dir> bench               the same, plus the benchmark programs
#        deploy/build.sh <build dir> <cmake option>...   everything, e.g. -DCMAKE_BUILD_TYPE=Debug
# THRONG_JOBS: parallel compile jobs (default 2). Needs $THRONG_BUILD_PACKAGES
# (deploy/local/services.sh) installed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: deploy/build.sh <build dir> (release | <cmake option>...)" >&2; exit 2; }
build=$1
shift
targets=()
if [ "${1:-}" = release ] || [ "${1:-}" = bench ]; then
  targets=(--target throng-operator throng-router throng-aggregator throng)
  [ "$1" = bench ] && targets+=(throng-loadgen throng-echo-backend)
  set -- -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTHRONG_BUILD_TESTS=OFF
fi
cmake -S "$root" -B "$build" -G Ninja "$@" >/dev/null
cmake --build "$build" -j "${THRONG_JOBS:-2}" "${targets[@]}"
