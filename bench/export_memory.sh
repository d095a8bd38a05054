#!/usr/bin/env bash
# Peak memory of `throng export` against run size (the CLI issue: "a 100k-unit run exports in
# constant memory"). In a scratch database built with generate_series it makes one completed
# run per size (default 1,000, 10,000 and 100,000 units), every unit with its worker, agent and a
# stored submission of about 300 bytes (an answer, a free-text comment with a comma, quotes
# and a newline, and one uploaded file reference), then runs `throng export <run> --out=...`
# in JSONL and in CSV under /usr/bin/time and prints the peak resident set size (max RSS),
# the wall time and the size of the output. Flat memory: the max RSS is about the same for
# every size while the output grows with the run.
# It asserts nothing: machines are noisy, read the figures (bench/README.md).
#
# Usage: bench/export_memory.sh [build dir, default build]
#   BENCH_SIZES ("1000 10000 100000"): the run sizes, in units. With THRONG_TEST_PG_DSN set, a
#   scratch database is created on that server (and dropped); otherwise a throwaway PostgreSQL
#   is started on a free port. Needs psql (Debian postgresql) and /usr/bin/time (Debian time).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/deploy/local/services.sh"
source "$root/bench/common.sh"
build=$(cd "${1:-$root/build}" && pwd)
sizes=${BENCH_SIZES:-1000 10000 100000}
[ -x "$build/bin/throng" ] || throng_die "no $build/bin/throng; build first (cmake --build $build --target throng)"
[ -x /usr/bin/time ] || throng_die "/usr/bin/time not found (Debian package time)"

bench_scratch_database throng_bench_export "$build"

# detail <run>: gives the run's submissions (all made by complete_first) the size and shape of
# real ones: an answer, a comment with a comma, quotes and a newline, one uploaded file; agents
# started an hour ago and worked 1-10 minutes.
detail() {
  psql "$dsn" -v ON_ERROR_STOP=1 -q <<SQL
UPDATE agents SET creation_date = now() - interval '1 hour' WHERE task_run_id = $1;
UPDATE agent_data d
   SET submission = jsonb_build_object('sentiment', 'positive',
         'comment', E'Clear enough, though "mixed" in places,\nsays worker ' || a.worker_id,
         'files', jsonb_build_array(jsonb_build_object('fieldname', 'evidence',
           'originalname', 'screenshot.png', 'filename', '1767225600000-' || a.agent_id || '-screenshot.png',
           'mimetype', 'image/png', 'size', 20480))),
       submitted_at = a.creation_date + (60 + a.agent_id % 540) * interval '1 second'
  FROM agents a WHERE a.agent_id = d.agent_id AND a.task_run_id = $1;
SQL
}

declare -A run_of
for n in $sizes; do
  started=$(date +%s)
  run_of[$n]=$(make_run "bench-export-$n" "$n")
  complete_first "${run_of[$n]}" 100
  detail "${run_of[$n]}"
  throng_log "made run ${run_of[$n]}: $n completed units in $(( $(date +%s) - started )) s"
done
declare -a rows
sql "VACUUM ANALYZE" >/dev/null
echo "PostgreSQL $(sql "SHOW server_version"); $(sql "SELECT count(*) FROM units") units in the database"
echo "throng: $("$build/bin/throng" --version); build type $(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null)"

for n in $sizes; do
  run=${run_of[$n]}
  for format in jsonl csv; do
    out="$scratch/export-$n.$format"
    # One export first, unmeasured, so that the run's pages are in PostgreSQL's cache for both.
    "$build/bin/throng" export --run="$run" --format="$format" --out="$out" --pg-dsn "$dsn"
    /usr/bin/time -f '%M %e' -o "$scratch/time" \
      "$build/bin/throng" export --run="$run" --format="$format" --out="$out" --pg-dsn "$dsn"
    read -r rss_kb seconds <"$scratch/time"
    lines=$(wc -l <"$out")
    [ "$format" = csv ] || [ "$lines" = "$n" ] || throng_die "JSONL export of $n units has $lines lines"
    rows+=("$(printf '%-8s %-6s %12s %12s %12s %10s' "$n" "$format" "$lines" "$(stat -c %s "$out")" \
      "$rss_kb" "$seconds")")
    rm -f "$out"
  done
done

echo
echo "=== throng export --run=<run> --out=<file>, peak RSS (/usr/bin/time %M) ==="
printf '%-8s %-6s %12s %12s %12s %10s\n' units format lines bytes "max RSS KiB" seconds
printf '%s\n' "${rows[@]}"
