#!/usr/bin/env bash
# Runs Mephisto's own Node router, unchanged, as the reference for side-by-side benchmarks of
# throng's router. throng ships no Mephisto code: MEPHISTO_ROUTER_DIR names the router's deploy
# directory in the user's own Mephisto checkout (mephisto/abstractions/architects/router/node,
# holding server.js and package.json; see bench/README.md).
#
# The directory is copied (without any node_modules) into a scratch directory, its npm
# dependencies are installed there as its package.json (and package-lock.json, if it has one)
# pin them, and the shipped static/ is replaced by a minimal one: index.html and
# task_config.json. Then `node server.js` is started from that directory (it serves static/
# relative to its working directory) with PORT=<port>, and the script waits until GET /is_alive
# answers. The router's pid is printed on stdout, its output goes to a log in the scratch
# directory (MEPHISTO_ROUTER_LOG=<file> keeps a copy at the end).
#
# Usage:
#   MEPHISTO_ROUTER_DIR=<dir> bench/mephisto_router.sh <port>
#       runs the router until interrupted (Ctrl-C or SIGTERM), then stops it and removes the
#       scratch directory;
#   MEPHISTO_ROUTER_DIR=<dir> bench/mephisto_router.sh <port> -- <command...>
#       runs the command while the router is up (with MEPHISTO_ROUTER_URL and
#       MEPHISTO_ROUTER_PID in its environment), then stops the router and removes the scratch
#       directory; exits with the command's status.
# Needs node, npm (and access to the npm registry, or its cache) and curl.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/deploy/local/services.sh"

usage() { throng_die "usage: MEPHISTO_ROUTER_DIR=<dir> $0 <port> [-- <command...>]"; }
[ $# -ge 1 ] || usage
port=$1
shift
[[ $port =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || usage
command=()
if [ $# -gt 0 ]; then
  [ "$1" = "--" ] && [ $# -ge 2 ] || usage
  shift
  command=("$@")
fi
for tool in node npm curl; do
  command -v "$tool" >/dev/null || throng_die "$tool is needed (Debian packages nodejs, npm, curl)"
done
src=${MEPHISTO_ROUTER_DIR:-}
[ -n "$src" ] || throng_die "set MEPHISTO_ROUTER_DIR to Mephisto's router deploy directory (see bench/README.md)"
[ -f "$src/server.js" ] && [ -f "$src/package.json" ] ||
  throng_die "$src has no server.js and package.json; it should be mephisto/abstractions/architects/router/node of a Mephisto checkout"
ss -Htan "sport = :$port" 2>/dev/null | grep -q . && throng_die "port $port is in use"

scratch=$(mktemp -d -t mephisto-router.XXXXXX)
router_pid=""
cleanup() {
  local status=$?
  if [ -n "$router_pid" ]; then
    kill "$router_pid" 2>/dev/null || true
    wait "$router_pid" 2>/dev/null || true
  fi
  [ -z "${MEPHISTO_ROUTER_LOG:-}" ] || cp "$scratch/router.log" "$MEPHISTO_ROUTER_LOG" 2>/dev/null || true
  rm -rf "$scratch"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dir="$scratch/router"
mkdir "$dir"
tar -C "$src" --exclude=./node_modules -cf - . | tar -C "$dir" -xf -
throng_log "installing the router's npm dependencies in $dir"
(cd "$dir" && npm install --no-audit --no-fund --loglevel=error >"$scratch/npm.log" 2>&1) ||
  { cat "$scratch/npm.log" >&2; throng_die "npm install failed"; }
versions=$(cd "$dir" && node -e '
  const deps = Object.keys(require("./package.json").dependencies || {});
  console.log(deps.map(d => d + "@" + require("./node_modules/" + d + "/package.json").version).join(" "));')
throng_log "installed: $versions"

# The frontend asks for task_config.json with its mephisto-task version, and the router reports
# any other version than the one it expects to the backend as an error: use that one.
task_version=$(sed -n 's/^const CURR_MEPHISTO_TASK_VERSION = "\([^"]*\)".*/\1/p' "$dir/server.js")
task_version=${task_version:-2.0.4}
rm -rf "$dir/static"
mkdir "$dir/static"
cat >"$dir/static/index.html" <<'HTML'
<!DOCTYPE html>
<html>
  <head><meta charset="utf-8"><title>Benchmark task</title></head>
  <body><div id="app">Benchmark task</div></body>
</html>
HTML
printf '{"mephisto_task_version": "%s"}\n' "$task_version" >"$dir/static/task_config.json"

(cd "$dir" && PORT=$port exec node server.js) >"$scratch/router.log" 2>&1 &
router_pid=$!
url="http://127.0.0.1:$port"
throng_wait_http "$url/is_alive" 30 && kill -0 "$router_pid" 2>/dev/null ||
  { tail -n 20 "$scratch/router.log" >&2; throng_die "Mephisto's router did not answer $url/is_alive"; }
throng_log "Mephisto's router is up on $url (pid $router_pid, node $(node --version), task version $task_version)"
echo "$router_pid"

if [ ${#command[@]} -eq 0 ]; then
  throng_log "stop it with Ctrl-C"
  status=0
  wait "$router_pid" || status=$?
  router_pid=""
  # Ctrl-C reaches the router too (same process group): a signal is the expected way out.
  [ "$status" -gt 128 ] && { throng_log "Mephisto's router stopped"; exit "$status"; }
  tail -n 20 "$scratch/router.log" >&2
  throng_die "Mephisto's router exited with status $status"
fi
status=0
MEPHISTO_ROUTER_URL=$url MEPHISTO_ROUTER_PID=$router_pid "${command[@]}" || status=$?
kill -0 "$router_pid" 2>/dev/null || {
  tail -n 20 "$scratch/router.log" >&2
  throng_log "Mephisto's router exited while the command ran"
  [ "$status" -ne 0 ] || status=1
}
exit "$status"
