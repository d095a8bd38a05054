# A scratch database for a test of the built CLI, on the server named by THRONG_TEST_PG_DSN
# (tests/run.sh starts one), migrated and exported as THRONG_PG_DSN; dropped on exit. Source it
# with the build directory as $1 and a name for the database as $scratch_name
# (scratch_migrate=no leaves it empty). Defines build, root, throng, work, fail, check, q (a
# psql query), run_cli and expect; on_exit, if a test defines it, runs before the database is
# dropped.
build=$(cd "$1" && pwd)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
throng="$build/bin/throng"
[ -n "${THRONG_TEST_PG_DSN:-}" ] || { echo "THRONG_TEST_PG_DSN is not set: run tests/run.sh" >&2; exit 1; }
work=$(mktemp -d)
db="throng_${scratch_name:?}_$$_$RANDOM"
scratch_cleanup() {
  if declare -F on_exit >/dev/null; then on_exit || true; fi
  psql "$THRONG_TEST_PG_DSN" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap scratch_cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
check() { echo "ok: $*"; }
q() { psql "$THRONG_PG_DSN" -v ON_ERROR_STOP=1 -qtAc "$1"; }
# run_cli <expected exit> <args...>: output in $work/out, errors in $work/err.
run_cli() {
  local expected=$1 status=0
  shift
  timeout 60 "$throng" "$@" >"$work/out" 2>"$work/err" || status=$?
  [ "$status" = "$expected" ] ||
    fail "throng $* exited $status, not $expected: $(cat "$work/out" "$work/err")"
}
# expect <code> <stderr pattern> <args...>: the CLI exits <code> and says <pattern> on stderr.
expect() {
  local want=$1 pattern=$2 code=0
  shift 2
  "$throng" "$@" >"$work/out" 2>"$work/err" || code=$?
  [ "$code" = "$want" ] || fail "throng $* exited $code, not $want: $(cat "$work/err")"
  grep -q -- "$pattern" "$work/err" || fail "throng $*: stderr lacks '$pattern': $(cat "$work/err")"
}
psql "$THRONG_TEST_PG_DSN" -qc "CREATE DATABASE $db" >/dev/null
export THRONG_PG_DSN="${THRONG_TEST_PG_DSN%/*}/$db"
[ "${scratch_migrate:-yes}" = no ] || "$throng" db migrate >/dev/null
