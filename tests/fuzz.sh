#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a time budget.
# Usage: tests/fuzz.sh [seconds per target, default 60]
# Seeds live in tests/fuzz/corpus/<target>/; new inputs found go to the build directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/deploy/local/services.sh"
seconds="${1:-60}"
throng_install_packages $THRONG_BUILD_PACKAGES clang libclang-rt-14-dev

build="${THRONG_FUZZ_BUILD_DIR:-$root/build-fuzz}"
throng_log "building fuzz targets with clang in $build"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DTHRONG_FUZZ=ON >/dev/null
cmake --build "$build" -j "${THRONG_JOBS:-2}" --target fuzz_http_request fuzz_ws_packet fuzz_multipart

status=0
for target in fuzz_http_request fuzz_ws_packet fuzz_multipart; do
  corpus="$build/corpus/$target"
  mkdir -p "$corpus" "$build/artifacts/$target"
  throng_log "fuzzing $target for ${seconds}s"
  if ! "$build/bin/$target" "$corpus" "$root/tests/fuzz/corpus/$target" \
      -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build/artifacts/$target/" >"$build/$target.log" 2>&1; then
    tail -n 40 "$build/$target.log" >&2
    throng_log "$target found a crash; the input is in $build/artifacts/$target/"
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/$target.log" | sed "s/^/  $target /"
  fi
done
exit $status
