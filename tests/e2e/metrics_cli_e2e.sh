#!/usr/bin/env bash
# End to end for `throng metrics install` and `throng metrics view` (C1), with a real
# throng-aggregator on Redis and a real Prometheus:
#  a. install rejects bad ports and addresses (exit 2) and writes nothing then; view before
#     install says to run it; without prometheus on PATH the error names the Debian package.
#  b. install writes every shipped rule file and dashboard, promtool accepts the config, and a
#     second install, run from another directory, rewrites the same bytes.
#  c. view starts Prometheus and Grafana (a stand-in grafana-server on PATH, since Debian 12 has
#     none), prints their URLs, and Prometheus sees `up` == 1 for every aggregator job with
#     every shipped rule file loaded.
#  d. a second view finds both already running and starts nothing.
#  e. SIGINT: view exits 0 and leaves no Prometheus or Grafana behind; install again keeps
#     Prometheus's data.
#  f. Without Grafana, view says it is not installed; when its Prometheus dies, view exits 1.
# Usage: metrics_cli_e2e.sh <build dir>; needs THRONG_TEST_REDIS_URL, prometheus, promtool, node
# (tests/run.sh sets and installs them).
set -euo pipefail
BUILD=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/deploy/local/services.sh"
: "${THRONG_TEST_REDIS_URL:?run through tests/run.sh}"

fail() { echo "FAIL: $*" >&2; exit 1; }
check() { echo "ok - $*"; }
for tool in prometheus promtool node curl jq; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (run tests/run.sh)"
done
throng="$BUILD/bin/throng"
[ -x "$throng" ] || fail "$throng is not built"

work=$(mktemp -d -t throng-metrics-cli-e2e.XXXXXX)
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ $status -ne 0 ]; then
    echo "--- e2e failed; files in $work" >&2
    for log in "$work"/*.log "$work"/*.out "$work"/*.err "$work"/setup/*/*.log; do
      [ -f "$log" ] && { echo "--- $log" >&2; tail -n 30 "$log" >&2; }
    done
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# expect_exit <code> <stderr pattern> <command...>: runs it, checks its exit code and stderr.
expect_exit() {
  local code=$1 pattern=$2 status=0
  shift 2
  "$@" >"$work/last.out" 2>"$work/last.err" || status=$?
  [ "$status" = "$code" ] || fail "$* exited $status, not $code: $(cat "$work/last.err")"
  grep -qF -- "$pattern" "$work/last.err" ||
    fail "$* did not say '$pattern' but: $(cat "$work/last.err")"
}

agg_port=$(throng_free_port)
THRONG_REDIS_URL="$THRONG_TEST_REDIS_URL" THRONG_METRICS_PREFIX="metrics-cli-e2e$$" \
  "$BUILD/bin/throng-aggregator" --port "$agg_port" --instance-id metrics-cli-e2e \
  --metrics-interval 1 >>"$work/aggregator.log" 2>&1 &
pids+=($!)
throng_wait_http "http://127.0.0.1:$agg_port/readyz" 30 || fail "aggregator not ready on $agg_port"
check "aggregator on 127.0.0.1:$agg_port"

# --- a. Usage errors, view before install, prometheus missing.
expect_exit 2 "--prometheus-port must be a TCP port from 1 to 65535, got '0'" \
  "$throng" metrics install --dir "$work/bad" --prometheus-port 0
expect_exit 2 "--aggregator takes host:port without a scheme" \
  "$throng" metrics install --dir "$work/bad" --aggregator "http://127.0.0.1:$agg_port"
expect_exit 2 "--aggregator must be host:port" \
  "$throng" metrics install --dir "$work/bad" --aggregator 127.0.0.1
expect_exit 2 "give them different ports" \
  "$throng" metrics install --dir "$work/bad" --prometheus-port 4000 --grafana-port 4000
[ ! -e "$work/bad" ] || fail "install wrote files despite a usage error"
check "install rejects bad ports and addresses with exit 2 and writes nothing"
expect_exit 1 "run \`throng metrics install --dir=$work/none\` first" \
  "$throng" metrics view --dir "$work/none"
check "view before install says to run install"

# --- b. Install.
setup="$work/setup"
prom_port=$(throng_free_port)
grafana_port=$(throng_free_port)
install=("$throng" metrics install --dir "$setup" --aggregator "127.0.0.1:$agg_port"
  --prometheus-port "$prom_port" --grafana-port "$grafana_port")
"${install[@]}" >"$work/install.out" 2>"$work/install.err" || fail "install failed"
grep -qFx "Next: throng metrics view --dir=$setup" "$work/install.out" ||
  fail "install did not print the next command: $(cat "$work/install.out")"
shipped_rules=$(ls "$root"/deploy/prometheus/rules/*.yml | wc -l)
shipped_dashboards=$(ls "$root"/grafana/dashboards/*.json | wc -l)
[ "$(ls "$setup"/prometheus/rules/*.yml | wc -l)" = "$shipped_rules" ] ||
  fail "install wrote $(ls "$setup"/prometheus/rules | wc -l) rule files, $shipped_rules are shipped"
[ "$(ls "$setup"/grafana/dashboards/*.json | wc -l)" = "$shipped_dashboards" ] ||
  fail "install wrote $(ls "$setup"/grafana/dashboards | wc -l) dashboards, $shipped_dashboards are shipped"
for file in prometheus/prometheus.yml grafana/grafana.ini throng-metrics.json \
  grafana/provisioning/datasources/prometheus.yml grafana/provisioning/dashboards/throng.yml; do
  [ -s "$setup/$file" ] || fail "install did not write $file"
  grep -qF "$file" "$work/install.out" || fail "install did not list $file"
done
grep -qF "url: http://127.0.0.1:$prom_port" "$setup/grafana/provisioning/datasources/prometheus.yml" ||
  fail "the datasource does not point at the local Prometheus"
promtool check config "$setup/prometheus/prometheus.yml" >"$work/promtool.log" 2>&1 ||
  fail "promtool check config: $(cat "$work/promtool.log")"
grep -qF "SUCCESS: $shipped_rules rule files found" "$work/promtool.log" ||
  fail "promtool did not find the $shipped_rules rule files: $(cat "$work/promtool.log")"
check "install wrote $shipped_rules rule files and $shipped_dashboards dashboards; promtool check config passes"
(cd "$setup" && find . -type f | sort | xargs md5sum) >"$work/first.md5"
(cd / && "${install[@]}" --json >"$work/install.json") || fail "second install failed"
(cd "$setup" && find . -type f | sort | xargs md5sum) >"$work/second.md5"
cmp -s "$work/first.md5" "$work/second.md5" ||
  fail "a second install wrote different files: $(diff "$work/first.md5" "$work/second.md5")"
[ "$(jq '.files | length' "$work/install.json")" = "$(wc -l <"$work/first.md5")" ] ||
  fail "install --json does not list every file: $(cat "$work/install.json")"
check "install again, from /, rewrites the same $(wc -l <"$work/first.md5") files (--json lists them)"

mkdir "$work/empty-path"
expect_exit 1 "install the Debian package \`prometheus\`" \
  env PATH="$work/empty-path" "$throng" metrics view --dir "$setup"
check "view without prometheus on PATH names the Debian package"

# A stand-in for grafana-server: records its arguments and answers /api/health on the port of
# the grafana.ini it is given. Its conf/defaults.ini makes its directory Grafana's home.
fake_grafana="$work/fake-grafana"
mkdir -p "$fake_grafana/bin" "$fake_grafana/conf"
touch "$fake_grafana/conf/defaults.ini"
cat >"$fake_grafana/bin/grafana-server" <<'FAKE'
#!/usr/bin/env bash
printf '%s\n' "$@" >"$(dirname "$0")/../args"
for arg; do case $arg in --config=*) config=${arg#--config=} ;; esac; done
port=$(sed -n 's/^http_port = //p' "$config")
exec node -e "require('http').createServer((q, s) => s.end('{}')).listen($port, '127.0.0.1')"
FAKE
chmod +x "$fake_grafana/bin/grafana-server"

# --- c. View.
prom="http://127.0.0.1:$prom_port"
PATH="$fake_grafana/bin:$PATH" "$throng" metrics view --dir "$setup" >"$work/view.out" 2>"$work/view.err" &
view_pid=$!
pids+=($view_pid)
for _ in $(seq 600); do
  grep -q "^Grafana:" "$work/view.out" && break
  kill -0 "$view_pid" 2>/dev/null || fail "view exited early: $(cat "$work/view.err")"
  sleep 0.1
done
grep -qF "Prometheus: $prom/graph" "$work/view.out" ||
  fail "view did not print the Prometheus URL within 60 s: $(cat "$work/view.out" "$work/view.err")"
grep -qF "Grafana:    http://127.0.0.1:$grafana_port/dashboards  (login admin / admin" "$work/view.out" ||
  fail "view did not print the Grafana URL and login: $(cat "$work/view.out")"
prom_pid=$(sed -n 's/^Prometheus: .*started here, pid \([0-9]*\),.*/\1/p' "$work/view.out")
grafana_pid=$(sed -n 's/^Grafana: .*started here, pid \([0-9]*\),.*/\1/p' "$work/view.out")
[ -n "$prom_pid" ] && [ -n "$grafana_pid" ] || fail "view did not say what it started: $(cat "$work/view.out")"
curl -fsS "$prom/-/ready" >/dev/null || fail "Prometheus is not ready at $prom"
curl -fsS "http://127.0.0.1:$grafana_port/api/health" >/dev/null || fail "Grafana does not answer"
grep -qFx -e "--homepath=$fake_grafana" "$fake_grafana/args" &&
  grep -qFx -e "--config=$setup/grafana/grafana.ini" "$fake_grafana/args" ||
  fail "grafana-server got: $(cat "$fake_grafana/args")"
check "view started Prometheus (pid $prom_pid) and Grafana (pid $grafana_pid) and printed their URLs"

# promql <query>: data.result as compact JSON.
promql() {
  curl -fsS -G "$prom/api/v1/query" --data-urlencode "query=$1" >"$work/promql.json" ||
    fail "Prometheus query failed: $1"
  jq -ec 'select(.status == "success") | .data.result' "$work/promql.json" ||
    fail "query $1: $(cat "$work/promql.json")"
}
jobs=$(grep -cE "^ *- job_name:" "$setup/prometheus/prometheus.yml")  # not the commented-out options
# The shipped scrape interval is 15 s, and Prometheus spreads first scrapes over one interval.
for _ in $(seq 120); do
  [ "$(promql "up{instance=\"127.0.0.1:$agg_port\"} == 1" | jq length)" = "$jobs" ] && break
  sleep 0.5
done
up=$(promql up)
[ "$(jq "[.[] | select(.value[1] == \"1\" and .metric.instance == \"127.0.0.1:$agg_port\")] | length" <<<"$up")" = "$jobs" ] ||
  fail "expected up == 1 for $jobs jobs on 127.0.0.1:$agg_port: $(jq -c '[.[] | {job: .metric.job, instance: .metric.instance, up: .value[1]}]' <<<"$up")"
curl -fsS "$prom/api/v1/rules" >"$work/rules.json" || fail "cannot read Prometheus's rules"
loaded=$(jq '[.data.groups[].file] | unique | length' "$work/rules.json")
[ "$loaded" = "$shipped_rules" ] || fail "Prometheus loaded $loaded rule files, not $shipped_rules"
check "up == 1 for all $jobs jobs: $(jq -r '[.[] | .metric.job] | sort | join(" ")' <<<"$up"); $loaded rule files loaded"

# --- d. A second view starts nothing.
PATH="$fake_grafana/bin:$PATH" timeout 30 "$throng" metrics view --dir "$setup" --json \
  >"$work/view2.out" 2>"$work/view2.err" || fail "a second view failed: $(cat "$work/view2.err")"
jq -e --arg url "$prom/graph" '.prometheus.url == $url and .prometheus.started == false and
  .grafana.started == false and .grafana.login == "admin / admin"' "$work/view2.out" >/dev/null ||
  fail "a second view should start nothing: $(cat "$work/view2.out")"
check "a second view finds Prometheus and Grafana running and starts nothing"

# --- e. SIGINT stops what view started.
kill -INT "$view_pid"
status=0
wait "$view_pid" || status=$?
[ "$status" = 0 ] || fail "view exited $status after SIGINT: $(cat "$work/view.err")"
for pid in "$prom_pid" "$grafana_pid"; do
  ! kill -0 "$pid" 2>/dev/null || fail "process $pid started by view is still running"
done
! pgrep -f -- "--storage.tsdb.path=$setup/prometheus/data" >/dev/null ||
  fail "a Prometheus on $setup is still running: $(pgrep -af -- "--storage.tsdb.path=$setup")"
grep -q "stopped Prometheus" "$work/view.err" || fail "view did not report stopping Prometheus"
check "SIGINT: view exited 0 and stopped Prometheus and Grafana"
[ -d "$setup/prometheus/data/wal" ] || fail "Prometheus kept no data in $setup/prometheus/data"
"${install[@]}" >/dev/null 2>&1 || fail "install after view failed"
[ -d "$setup/prometheus/data/wal" ] || fail "install deleted Prometheus's data"
check "install again keeps Prometheus's data"

# --- f. No Grafana on PATH; the Prometheus view started is killed.
"$throng" metrics view --dir "$setup" >"$work/view3.out" 2>"$work/view3.err" &
view_pid=$!
pids+=($view_pid)
for _ in $(seq 600); do
  grep -q "^Grafana:" "$work/view3.out" && break
  kill -0 "$view_pid" 2>/dev/null || fail "view exited early: $(cat "$work/view3.err")"
  sleep 0.1
done
grep -qF "Grafana:    not installed (no grafana-server or grafana on PATH" "$work/view3.out" ||
  fail "view did not say Grafana is missing: $(cat "$work/view3.out")"
grep -qF "$setup/grafana/provisioning" "$work/view3.out" ||
  fail "view did not point at the provisioning: $(cat "$work/view3.out")"
prom_pid=$(sed -n 's/^Prometheus: .*started here, pid \([0-9]*\),.*/\1/p' "$work/view3.out")
[ -n "$prom_pid" ] || fail "view did not start Prometheus: $(cat "$work/view3.out")"
kill -KILL "$prom_pid"
status=0
wait "$view_pid" || status=$?
[ "$status" = 1 ] || fail "view exited $status, not 1, when its Prometheus died"
grep -qF "Prometheus killed by signal 9 unexpectedly" "$work/view3.err" ||
  fail "view did not say Prometheus died: $(cat "$work/view3.err")"
check "without Grafana view says how to use the provisioning; Prometheus killed: view exits 1"
