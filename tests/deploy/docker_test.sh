#!/usr/bin/env bash
# The Docker images (deploy/docker/Dockerfile), without a Docker engine: the build stage
# installs the packages and builds with the same commands as the native stack
# (deploy/local/services.sh's package list, deploy/build.sh release, as deploy/local/up.sh),
# nothing else builds in its own way; every program's image is Debian 12, runs as a non-root
# user, has a health check and sets only settings its program accepts; and the script that
# picks the runtime packages finds a Debian package for every library of the built programs.
# Usage: docker_test.sh <build dir>
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
dockerfile="$root/deploy/docker/Dockerfile"
fail() { echo "FAIL: $*" >&2; exit 1; }

# One way to build: deploy/build.sh. The image and the native stack build the same release.
for file in "$dockerfile" "$root/deploy/local/up.sh" "$root/tests/run.sh"; do
  ! grep -nE '^[^#]*\b(cmake|ninja|make)\b' "$file" || fail "${file#$root/} builds without deploy/build.sh"
done
[ "$(grep -cE '^RUN .*deploy/build\.sh /build release$' "$dockerfile")" = 1 ] ||
  fail "the Dockerfile does not build with 'deploy/build.sh <dir> release'"
grep -qE '^"\$root/deploy/build\.sh" "\$build" release$' "$root/deploy/local/up.sh" ||
  fail "deploy/local/up.sh does not build with 'deploy/build.sh <dir> release'"
grep -qE '^"\$root/deploy/build\.sh" .*-DTHRONG_SANITIZE=ON' "$root/tests/run.sh" ||
  fail "tests/run.sh does not build with deploy/build.sh"
grep -qE "^RUN bash -c '\. deploy/local/services\.sh && throng_install_packages \\\$THRONG_BUILD_PACKAGES'$" "$dockerfile" ||
  fail "the Dockerfile does not install \$THRONG_BUILD_PACKAGES through deploy/local/services.sh"
echo "ok: the image installs and builds through deploy/local/services.sh and deploy/build.sh release, as up.sh"

/usr/bin/python3 - "$root" "$build" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(sys.argv[1], "tests/deploy"))
import deploy_settings
root, build = sys.argv[1:3]
stages, programs = deploy_settings.load(root, build)
problems = []
for name in ("operator", "router", "aggregator", "cli"):
    stage = stages.get(name)
    if not stage:
        problems.append(f"no target {name}")
        continue
    base = name
    while base in stages:
        base = stages[base]["parent"]
    if not base.startswith("debian:12"):
        problems.append(f"{name}: based on {base}, not Debian 12")
    if stage["user"] in (None, "root", "0") or stage["user"].startswith(("root:", "0:")):
        problems.append(f"{name}: runs as root")
    if not stage["healthcheck"]:
        problems.append(f"{name}: no HEALTHCHECK")
    program = programs[deploy_settings.entry_program(stage)]
    for key in stage["env"]:
        if key not in program.env:
            problems.append(f"{name}: ENV {key}, which {program.name} does not accept")
    if program.name != "throng" and stage["expose"] != program.ports(stage["env"]):
        problems.append(f"{name}: EXPOSE {sorted(stage['expose'])}, but it listens on {sorted(program.ports(stage['env']))}")
deploy_settings.finish(["deploy/docker/Dockerfile: " + p for p in problems])
PY
echo "ok: four Debian 12 images, non-root, with health checks, settings and ports their programs accept"

packages=$("$root/deploy/docker/runtime-packages.sh" "$build"/bin/throng "$build"/bin/throng-router \
  "$build"/bin/throng-operator "$build"/bin/throng-aggregator)
for package in libpqxx-6.4 libzmq5 libc6; do
  grep -qx "$package" <<<"$packages" || fail "runtime-packages.sh misses $package: $packages"
done
echo "ok: runtime-packages.sh names the Debian package of every library ($(wc -l <<<"$packages") packages)"
echo "docker: all checks passed"
