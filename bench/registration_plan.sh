#!/usr/bin/env bash
# Registration cost against run size (SPEC O3: "reserve exactly one eligible unit in one SQL
# round trip; never O(units) per registration"). In a scratch database built with
# generate_series, all units 'launched', it measures registrations on:
#   1. a 1k-unit run alone in the database;
#   2. then, with two 100k-unit runs added (one of them 90 % completed by earlier agents, as a
#      run looks late in its life), a fresh 1k-unit run, the 100k run and the 90 %-done run.
# For each it prints EXPLAIN (ANALYZE, BUFFERS) of one registration through the operator's
# entry point (throng_register_worker, else throng_register_agent); every statement that
# registration runs inside PostgreSQL with its time and buffers (auto_explain of nested
# statements) and the full plan of the unit-reservation query, each after warm-up
# registrations on the same connection, so the cached plans are those a long-lived operator
# connection uses, all rolled back; and the mean latency of N sequential registrations
# (pgbench, one client, each registration a new worker). Then a table and the ratios.
# It asserts nothing: machines are noisy, read the figures (bench/README.md).
#
# Usage: bench/registration_plan.sh [build dir, default build]
#   BENCH_REGISTRATIONS (500), BENCH_SMALL_UNITS (1000), BENCH_LARGE_UNITS (100000),
#   BENCH_DONE_PERCENT (90), BENCH_OLD_UNITS (0; units of an old, finished run added in step 2,
#   to see how the cost follows the size of the units table). With THRONG_TEST_PG_DSN set, a
#   scratch database is created on that server (and dropped); otherwise a throwaway PostgreSQL
#   is started on a free port. Needs psql, pgbench and auto_explain (Debian: postgresql).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/deploy/local/services.sh"
source "$root/bench/common.sh"
build=$(cd "${1:-$root/build}" && pwd)
registrations=${BENCH_REGISTRATIONS:-500}
small=${BENCH_SMALL_UNITS:-1000}
large=${BENCH_LARGE_UNITS:-100000}
done_percent=${BENCH_DONE_PERCENT:-90}
old_units=${BENCH_OLD_UNITS:-0}
[ -x "$build/bin/throng" ] || throng_die "no $build/bin/throng; build first (cmake --build $build)"
command -v pgbench >/dev/null || throng_die "pgbench not found (Debian package postgresql, which the tests install too)"
[ "$registrations" -lt "$small" ] || throng_die "BENCH_REGISTRATIONS must be below BENCH_SMALL_UNITS"

bench_scratch_database throng_bench "$build"
throng_log "schema migrated to version $(sql "SELECT max(version) FROM throng_schema_migrations" 2>/dev/null || echo '?')"

# The registration entry point the operator calls, and the function that reserves the unit.
entry=throng_register_worker
[ -n "$(sql "SELECT 1 FROM pg_proc WHERE proname = '$entry'")" ] || entry=throng_register_agent
for fn in "$entry" throng_register_agent; do
  args=$(sql "SELECT string_agg(pg_get_function_identity_arguments(oid), ' | ') FROM pg_proc WHERE proname = '$fn'")
  echo "$fn($args)"
  [ "$(sql "SELECT count(*) FROM pg_proc WHERE proname = '$fn' AND pronargs - pronargdefaults = 4")" = 1 ] ||
    throng_die "$fn no longer takes (run, worker name, provider type, registration id); adapt this script"
done

# explain <run> <label>: prints the plans of one registration (rolled back); sets top_buffers,
# top_ms (EXPLAIN of the whole call) and reserve_buffers, reserve_ms (the reservation statement).
explain() {
  local run=$1 label=$2 log="$scratch/explain-$1.log"
  echo
  echo "=== $label (task run $run) ==="
  # One connection, all rolled back: eight warm-up registrations (PL/pgSQL settles on its cached,
  # possibly generic, plans after five executions, as on a long-lived operator connection),
  # EXPLAIN (ANALYZE, BUFFERS) of one more, then one with every nested statement logged.
  psql "$dsn" -v ON_ERROR_STOP=1 -qtA >"$scratch/top-$run.txt" 2>"$log" <<SQL
BEGIN;
SELECT count(*) FROM generate_series(1, 8) g,
  LATERAL $entry($run, 'warm-worker-$run-' || g, 'mock', 'warm-$run-' || g);
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM $entry($run, 'explain-worker-$run', 'mock', 'explain-$run');
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_timing = on;
SET auto_explain.log_nested_statements = on;
SET client_min_messages = log;
SELECT outcome FROM $entry($run, 'explained-worker-$run', 'mock', 'explained-$run');
ROLLBACK;
SQL
  echo "--- EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM $entry($run, <new worker>, 'mock', <new registration id>)"
  sed '1d; $d; s/^/    /' "$scratch/top-$run.txt"
  top_buffers=$(grep -m 1 'Buffers:' "$scratch/top-$run.txt" | grep -oE '(hit|read)=[0-9]+' |
                awk -F= '{ n += $2 } END { print n + 0 }')
  top_ms=$(sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p' "$scratch/top-$run.txt")
  # One record per logged statement: ms, buffers (shared hit + read) of its top node, text.
  awk '
    function flush() {
      if (have) printf "%s\t%d\t%s\n", ms, buffers, text
      have = 0
    }
    /^LOG:  duration: / { flush(); have = 1; ms = $3; buffers = 0; text = ""; intext = 0; top = 0; next }
    !have { next }
    /^Query Text: / { text = substr($0, 13); intext = 1; next }
    intext && /\(cost=/ { intext = 0; top = 1; next }
    intext { text = text " " $0; next }
    top && /^  Buffers: / {
      for (i = 1; i <= NF; i++) if ($i ~ /^(hit|read)=/) { split($i, kv, "="); buffers += kv[2] }
      top = 0
    }
    /^  ->/ { top = 0 }
    END { flush() }' "$log" | sed -E 's/[[:space:]]+/ /g; s/^([^ ]+) ([^ ]+) /\1\t\2\t/' >"$scratch/statements-$run.tsv"
  echo "--- every statement of the registration (auto_explain; ms, buffers hit+read, statement):"
  awk -F'\t' '{ printf "    %8.3f %6d  %s\n", $1, $2, substr($3, 1, 110) }' "$scratch/statements-$run.tsv"
  local reserve
  reserve=$(grep -n "SKIP LOCKED" "$scratch/statements-$run.tsv" | grep "launched" | head -n 1 | cut -d: -f1)
  [ -n "$reserve" ] || throng_die "no unit-reservation statement (… status = 'launched' … SKIP LOCKED) was logged"
  reserve_ms=$(sed -n "${reserve}p" "$scratch/statements-$run.tsv" | cut -f1)
  reserve_buffers=$(sed -n "${reserve}p" "$scratch/statements-$run.tsv" | cut -f2)
  echo "--- the unit-reservation statement, as executed inside the registration:"
  awk -v want="$reserve" '/^LOG:  duration: / { n++ } n == want' "$log" | sed 's/^/    /'
}

# timed <run>: mean ms of N sequential registrations, each a new worker (pgbench, one client).
timed() {
  local run=$1
  cat >"$scratch/register.sql" <<SQL
\set n random(1, 1000000000000)
SELECT * FROM $entry($run, 'bench-worker-' || :n, 'mock', 'bench-registration-' || :n);
SQL
  # The commit's WAL flush (a constant, the disk's) is left out: synchronous_commit=off.
  export PGOPTIONS="-c synchronous_commit=off"
  pgbench -n -M extended -c 1 -t 20 -f "$scratch/register.sql" "$dsn" >/dev/null 2>&1  # warm-up
  pgbench -n -M extended -c 1 -t "$registrations" -f "$scratch/register.sql" "$dsn" \
    >"$scratch/pgbench-$run.txt" 2>&1 || { cat "$scratch/pgbench-$run.txt" >&2; throng_die "pgbench failed"; }
  sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p' "$scratch/pgbench-$run.txt"
}

declare -A top_b top_t res_b res_t mean assigned labels runs
# measure <key> <run> <label>: the plans, then the timed registrations.
measure() {
  runs[$1]=$2 labels[$1]=$3
  explain "$2" "$3"
  top_b[$1]=$top_buffers top_t[$1]=$top_ms res_b[$1]=$reserve_buffers res_t[$1]=$reserve_ms
  mean[$1]=$(timed "$2")
  assigned[$1]=$(sql "SELECT count(*) FROM agents WHERE task_run_id = $2
    AND registration_id LIKE 'bench-registration-%'")
}
units_now() { sql "SELECT count(*) FROM units"; }

run_alone=$(make_run bench-1k-alone "$small")
sql "VACUUM ANALYZE" >/dev/null
echo "PostgreSQL $(sql "SHOW server_version"); $(units_now) units in the database"
measure alone "$run_alone" "$small units, alone in the database"

started=$(date +%s)
run_large=$(make_run bench-100k "$large")
run_late=$(make_run bench-100k-late "$large")
complete_first "$run_late" "$done_percent"
if [ "$old_units" -gt 0 ]; then
  run_old=$(make_run bench-old "$old_units" completed)
  sql "UPDATE task_runs SET is_completed = true WHERE task_run_id = $run_old"
fi
run_small=$(make_run bench-1k "$small")
sql "VACUUM ANALYZE" >/dev/null
echo
throng_log "added runs of $large, $large ($done_percent % done), $small and $old_units (old, finished) units in $(( $(date +%s) - started )) s"
echo "$(units_now) units in the database"
measure small "$run_small" "$small units, beside $(( $(units_now) - small )) others"
measure large "$run_large" "$large units"
measure late "$run_late" "$large units, $done_percent % done"

echo
echo "=== registration cost ($registrations sequential registrations per run, each a new worker) ==="
echo "reservation: the unit-reservation statement inside one registration (auto_explain);"
echo "registration: EXPLAIN (ANALYZE, BUFFERS) of one $entry call; buffers = shared hit + read;"
echo "mean: pgbench, one client, one registration per transaction, synchronous_commit=off"
printf '%-34s %12s %10s %13s %10s %22s\n' run "reserve buf" "reserve ms" "register buf" \
  "register ms" "mean ms/registration"
for key in alone small large late; do
  printf '%-34s %12s %10s %13s %10s %22s\n' "${labels[$key]}" "${res_b[$key]}" "${res_t[$key]}" \
    "${top_b[$key]}" "${top_t[$key]}" "${mean[$key]} (${assigned[$key]} assigned)"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
compare() {
  echo "ratio ${labels[$1]} / ${labels[$2]}: mean latency $(ratio "${mean[$1]}" "${mean[$2]}"), reservation buffers $(ratio "${res_b[$1]}" "${res_b[$2]}"), registration buffers $(ratio "${top_b[$1]}" "${top_b[$2]}")"
}
compare large small
compare late small
compare small alone
