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
# The targets are those tests/fuzz/CMakeLists.txt defines, so the list lives in one place.
mapfile -t targets < <(sed -n 's/^throng_fuzz_target(\([a-z_]*\) .*/\1/p' \
  "$root/tests/fuzz/CMakeLists.txt")
cmake --build "$build" -j "${THRONG_JOBS:-2}" --target "${targets[@]}"

# Longest input worth mutating: YAML and overrides are short texts (and yaml-cpp recurses
# per nesting level), the rest carry whole request bodies or several messages.
max_len() {
  case "$1" in
    fuzz_task_config | fuzz_yaml_override) echo 4096 ;;
    *) echo 65536 ;;
  esac
}

status=0
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  mkdir -p "$corpus" "$build/artifacts/$target"
  throng_log "fuzzing $target for ${seconds}s"
  if ! "$build/bin/$target" "$corpus" "$root/tests/fuzz/corpus/$target" \
      -max_total_time="$seconds" -max_len="$(max_len "$target")" -rss_limit_mb=2048 \
      -print_final_stats=1 \
      -artifact_prefix="$build/artifacts/$target/" >"$build/$target.log" 2>&1; then
    tail -n 40 "$build/$target.log" >&2
    throng_log "$target found a crash; the input is in $build/artifacts/$target/"
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/$target.log" | sed "s/^/  $target /"
  fi
done
exit $status
