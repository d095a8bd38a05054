#!/usr/bin/env bash
# Prints, one a line, the Debian packages holding the shared libraries the given binaries load,
# so that the runtime image installs what the build linked and nothing else (the build stage
# of deploy/docker/Dockerfile runs it on the binaries it built).
# Usage: runtime-packages.sh <binary>...
set -euo pipefail
for lib in $(ldd "$@" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u); do
  # Debian 12 merges /lib into /usr/lib: dpkg knows each file by the path its package gave.
  package=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "/usr$lib" 2>/dev/null || dpkg -S "${lib#/usr}" 2>/dev/null) ||
    { echo "runtime-packages.sh: no Debian package holds $lib" >&2; exit 1; }
  echo "${package%%:*}"
done | sort -u
