# Shell functions shared by deploy/local/up.sh and tests/run.sh: install Debian packages,
# start and stop throwaway PostgreSQL and Redis servers on loopback. Source it; do not run it.

THRONG_BUILD_PACKAGES="build-essential cmake ninja-build ccache pkg-config cppzmq-dev libzmq3-dev
  libprotobuf-dev protobuf-compiler libpqxx-dev libpq-dev prometheus-cpp-dev libcurl4-openssl-dev
  libhiredis-dev libspdlog-dev libfmt-dev libdocopt-dev libgtest-dev libgmock-dev libboost-dev
  nlohmann-json3-dev libyaml-cpp-dev libexpected-dev libssl-dev"
THRONG_RUNTIME_PACKAGES="postgresql redis-server prometheus curl jq procps iproute2"

throng_log() { printf '\033[1m[throng]\033[0m %s\n' "$*" >&2; }
throng_die() { printf '[throng] error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, else through sudo.
throng_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs whatever of the given Debian packages is missing (needs root or sudo).
throng_install_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  throng_log "installing Debian packages: ${missing[*]}"
  throng_as_root apt-get update -qq || throng_die "apt-get update failed"
  throng_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null || throng_die "could not install: ${missing[*]}"
}

# throng_stop_packaged_service <unit>: Debian starts a package's service on install (where
# systemd runs); stop and disable it, since the tests and the local stack run their own.
throng_stop_packaged_service() {
  [ -d /run/systemd/system ] || return 0
  systemctl is-enabled --quiet "$1" 2>/dev/null || systemctl is-active --quiet "$1" 2>/dev/null ||
    return 0
  throng_log "stopping and disabling the packaged $1 service"
  throng_as_root systemctl disable --now --quiet "$1" || throng_die "could not stop the $1 service"
}

# Prints a TCP port that no socket uses right now and that no other call handed out lately.
# Drawn below Linux's ephemeral range (32768-60999), so outgoing connections of busy tests
# cannot take it before it is bound. A port is chosen long before its server binds it, so
# the choices are kept in a registry shared (under a lock) by every script and parallel test
# of this user: without it two draws, even in one script, can return the same port.
throng_free_port() {
  local registry="${TMPDIR:-/tmp}/throng-ports-$(id -u)" now port
  now=$(date +%s)
  (
    flock 9 || exit 1
    touch "$registry"
    # A reservation outlives any start-up; after 15 minutes its port is either bound or unused.
    awk -v since=$((now - 900)) '$2 >= since' "$registry" >"$registry.new" &&
      mv "$registry.new" "$registry"
    while :; do
      port=$(( (RANDOM << 15 | RANDOM) % 12000 + 20000 ))
      grep -q "^$port " "$registry" && continue
      ss -Htan "sport = :$port" 2>/dev/null | grep -q . && continue
      echo "$port $now" >>"$registry"
      echo "$port"
      exit 0
    done
  ) 9>>"${TMPDIR:-/tmp}/throng-ports-$(id -u).lock"
}

throng_pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || throng_die "PostgreSQL server binaries not found (package postgresql)"
  echo "$dir"
}

# Runs a command as the postgres user when we are root (PostgreSQL refuses to run as root).
throng_as_pg_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# throng_start_postgres <data dir> <port>: a private cluster on 127.0.0.1:<port>, superuser
# "throng", trust authentication on loopback only, database "throng".
throng_start_postgres() {
  local dir=$1 port=$2 bin
  bin=$(throng_pg_bin)
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    throng_as_pg_user "$bin/initdb" -D "$dir" -U throng --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir.initdb.log" 2>&1 || { cat "$dir.initdb.log" >&2; throng_die "initdb failed"; }
  fi
  throng_as_pg_user "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on" \
    start >/dev/null || { tail -n 20 "$dir/server.log" >&2; throng_die "PostgreSQL did not start"; }
  throng_as_pg_user "$bin/psql" -h 127.0.0.1 -p "$port" -U throng -d postgres -qtAc \
    "SELECT 1 FROM pg_database WHERE datname = 'throng'" | grep -q 1 ||
    throng_as_pg_user "$bin/createdb" -h 127.0.0.1 -p "$port" -U throng throng
}

throng_stop_postgres() {
  local dir=$1 bin
  bin=$(throng_pg_bin)
  [ -f "$dir/postmaster.pid" ] && throng_as_pg_user "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1
  return 0
}

# throng_start_redis <dir> <port>: a Redis without persistence on 127.0.0.1:<port>.
throng_start_redis() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$dir" \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" ||
    throng_die "Redis did not start"
  for _ in $(seq 50); do
    redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  throng_die "Redis did not answer on port $port"
}

throng_stop_redis() {
  local dir=$1 pid
  [ -f "$dir/redis.pid" ] || return 0
  pid=$(cat "$dir/redis.pid")
  kill "$pid" 2>/dev/null || true
  # Redis still writes its log and removes its pid file while exiting: wait for it, so that
  # the caller can delete the directory.
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$dir/redis.pid"
  return 0
}

# throng_wait_http <url> [seconds]: until the URL answers 2xx.
throng_wait_http() {
  local url=$1 limit=${2:-30}
  for _ in $(seq $((limit * 10))); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# throng_prometheus_config <dir> <interval> <aggregator host:port>...: writes <dir>/prometheus.yml,
# the shipped deploy/prometheus/prometheus.yml with these aggregator replicas as the targets and
# <interval> as scrape and evaluation interval, and copies the shipped rules beside it.
throng_prometheus_config() {
  local dir=$1 interval=$2 shipped targets
  shift 2
  shipped="$(cd "$(dirname "${BASH_SOURCE[0]}")/../prometheus" && pwd)"
  targets=$(printf '"%s", ' "$@")
  targets="[${targets%, }]"
  mkdir -p "$dir"
  rm -rf "$dir/rules"
  cp -r "$shipped/rules" "$dir/rules"
  sed -e "s/^\(  scrape_interval:\).*/\1 $interval/" -e "s/^\(  evaluation_interval:\).*/\1 $interval/" \
    -e "s/^\( *- targets:\).*/\1 $targets/" "$shipped/prometheus.yml" >"$dir/prometheus.yml"
  [ "$(grep -cFx -e "  scrape_interval: $interval" -e "  evaluation_interval: $interval" \
    -e "      - targets: $targets" "$dir/prometheus.yml")" = 3 ] ||
    throng_die "deploy/prometheus/prometheus.yml no longer has the shape throng_prometheus_config rewrites"
}

# throng_haproxy_config <file> <listen host:port> <balance> <router host:port/admin port>...:
# writes <file>, the shipped deploy/haproxy/haproxy.cfg (the compose load balancer) with a
# static server line per router in place of its DNS server-template, the same check options,
# <listen> as the workers' address and <balance> ("" keeps the shipped algorithm); without
# the compose-only DNS resolvers and health frontend.
throng_haproxy_config() {
  local file=$1 listen=$2 balance=$3 shipped servers="" i=0 router
  shift 3
  shipped="$(cd "$(dirname "${BASH_SOURCE[0]}")/../haproxy" && pwd)/haproxy.cfg"
  for router in "$@"; do
    i=$((i + 1))
    servers+="  server router$i ${router%/*} check port ${router#*/}"$'\n'
  done
  awk -v listen="$listen" -v balance="$balance" -v servers="$servers" '
    /^(resolvers|frontend health)/ { skip = 1; next }
    skip && /^$/ { skip = 0; next }
    skip { next }
    /^frontend workers/ { inworkers = 1 }
    inworkers && /^  bind / { print "  bind " listen; inworkers = 0; next }
    /^  balance / && balance != "" { print "  balance " balance; next }
    /^  server-template / {
      options = $0
      sub(/^.* check port [0-9]+/, "", options)
      sub(/ resolvers docker init-addr none$/, "", options)
      gsub(/\n/, options "\n", servers)
      printf "%s", servers
      next
    }
    { print }
  ' "$shipped" >"$file"
  [ "$(grep -c "^  server router[0-9]* .* check port [0-9]* inter " "$file")" = $# ] &&
    grep -qxF "  bind $listen" "$file" ||
    throng_die "deploy/haproxy/haproxy.cfg no longer has the shape throng_haproxy_config rewrites"
}
