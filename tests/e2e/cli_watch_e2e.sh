#!/usr/bin/env bash
# End to end: `throng watch` on a pseudo-terminal (util-linux `script`) follows a run of the
# real stack while scripted workers submit: the progress line is redrawn in place with more
# units done each time, and watch ends by itself, exit 0, when the operator completes the run.
# `throng status` and `throng runs` agree with the database meanwhile; piped, watch writes
# plain lines without terminal codes; Ctrl-C stops watching a run that goes on.
# Usage: cli_watch_e2e.sh <build dir>; needs node, jq and script.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
command -v script >/dev/null || { echo "FAIL: script (util-linux) is needed" >&2; exit 1; }
source "$here/stack.sh"
throng="$BUILD/bin/throng"
sql() { psql "$THRONG_PG_DSN" -v ON_ERROR_STOP=1 -qtAc "$1"; }

# The operator launches the demo's 20 units within a second.
for _ in $(seq 100); do
  [ "$(sql "SELECT count(*) FROM units WHERE task_run_id = $run_id AND status = 'launched'")" = 20 ] && break
  sleep 0.1
done
"$throng" status "$run_id" --json | jq -e '.status == "live" and .units.launched == 20' >/dev/null ||
  fail "status before any worker: $("$throng" status "$run_id")"

# watch on a pseudo-terminal, reading every 0.2 s, while 2 workers take a unit each 0.6-1 s.
script -qfec "$throng watch $run_id --interval 0.2" "$work/watch.tty" </dev/null >/dev/null &
watcher=$!
pids+=($watcher)
sleep 1
node "$here/workers/scripted_workers.cjs" "$base" "$work/workers.json" workers=2 \
  "task_run_id=$run_id" think_min_ms=600 think_max_ms=1000 idle_stop_ms=3000 deadline_ms=120000 \
  2>"$work/workers.log" &
driver=$!
pids+=($driver)

# Midway, status and runs show the same counts as the database.
for _ in $(seq 200); do
  done_units=$(sql "SELECT count(*) FROM units WHERE task_run_id = $run_id AND status = 'completed'")
  [ "$done_units" -ge 5 ] && break
  sleep 0.1
done
"$throng" status "$run_id" --json >"$work/status.json"
# (A slow machine may have finished the run by now: then it must say so.)
jq -e '(.status == "live" or .units.completed == 20) and .units.completed >= 5
  and .units.total == 20 and .submissions_last_minute >= 5' "$work/status.json" >/dev/null ||
  fail "status midway: $(cat "$work/status.json")"
"$throng" runs --json | jq -e --arg run "$run_id" '.[] | select(.task_run_id == $run) |
  .units.completed >= 5' >/dev/null || fail "runs midway"
check "status and runs follow the run midway ($(jq -r .units.completed "$work/status.json") units completed)"

# watch ends by itself once the run completes.
code=0
for _ in $(seq 1200); do kill -0 "$watcher" 2>/dev/null || break; sleep 0.1; done
kill -0 "$watcher" 2>/dev/null && fail "watch still running 120 s on: $(tail -c 300 "$work/watch.tty")"
wait "$watcher" || code=$?
[ "$code" = 0 ] || fail "watch exited $code: $(tail -c 300 "$work/watch.tty")"
wait "$driver" || fail "scripted workers: $(tail -n 5 "$work/workers.log")"
[ "$(sql "SELECT is_completed FROM task_runs WHERE task_run_id = $run_id")" = t ] || fail "run not completed"

# The terminal saw the line redrawn in place (carriage return, erase line) with growing counts.
tr '\r' '\n' <"$work/watch.tty" | sed -n 's/.*\] \([0-9]*\)\/20 done .*/\1/p' >"$work/counts"
distinct=$(sort -un "$work/counts" | wc -l)
[ "$distinct" -ge 4 ] || fail "watch showed only $distinct different counts: $(tr '\n' ' ' <"$work/counts")"
sort -n -c "$work/counts" || fail "the done count went down: $(tr '\n' ' ' <"$work/counts")"
[ "$(tail -n 1 "$work/counts")" = 20 ] || fail "last line is not 20/20 done"
[ "$(grep -c $'\r\033\\[K' "$work/watch.tty")" -ge 1 ] && [ "$(grep -o $'\033\\[K' "$work/watch.tty" | wc -l)" -ge "$distinct" ] ||
  fail "watch did not redraw its line in place"
grep -q "task run $run_id completed: 20 units done, 0 expired" "$work/watch.tty" || fail "no completion line"
check "watch on a terminal: $distinct redrawn counts from $(head -n 1 "$work/counts") to 20, ended on completion"

# Piped: a plain line per change, no terminal codes.
"$throng" watch "$run_id" >"$work/watch.txt"
grep -q $'\033' "$work/watch.txt" && fail "piped watch wrote terminal codes"
[ "$(wc -l <"$work/watch.txt")" = 2 ] &&
  grep -q "^task run $run_id \[####################\] 20/20 done | 0 in progress | 0 waiting | 0 expired | 0 workers | " "$work/watch.txt" &&
  [ "$(sed -n 2p "$work/watch.txt")" = "task run $run_id completed: 20 units done, 0 expired" ] ||
  fail "piped watch: $(cat "$work/watch.txt")"
[ "$("$throng" status "$run_id" --json | jq -r .status)" = completed ] || fail "status after completion"
check "piped watch of a completed run: plain lines; status says completed"

# Ctrl-C stops watching a run that goes on; unknown runs exit 1, a bad interval 2.
source "$here/static_run.sh"
other=$(static_run idle 3)
script -qfec "$throng watch $other" "$work/ctrl-c.tty" </dev/null >/dev/null &
watcher=$!
for _ in $(seq 100); do grep -q "0/3 done" "$work/ctrl-c.tty" 2>/dev/null && break; sleep 0.1; done
pkill -INT -f "throng watch $other$" || fail "no watch process to interrupt"
code=0
wait "$watcher" || code=$?
[ "$code" = 0 ] && grep -q "stopped watching; task run $other goes on" "$work/ctrl-c.tty" ||
  fail "Ctrl-C: exit $code, $(tail -c 200 "$work/ctrl-c.tty")"
code=0
"$throng" watch 999999 2>"$work/err" || code=$?
[ "$code" = 1 ] && grep -q "no task run 999999" "$work/err" || fail "watch of an unknown run: $code"
code=0
"$throng" watch "$other" --interval=0 2>"$work/err" || code=$?
[ "$code" = 2 ] && grep -q "^  throng watch <run> \[options\]" "$work/err" || fail "bad --interval: $code"
check "Ctrl-C stops watching (exit 0, run goes on); unknown run exits 1, bad interval 2"
