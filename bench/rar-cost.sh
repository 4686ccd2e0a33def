#!/usr/bin/env bash
# What unpacking compressed RAR archives with libarchive's bsdtar costs `mamori eval`: N messages whose attachment is a
# 250 KB report compressed in a RAR 5 archive (unpacked by bsdtar) against the same N with the report stored in a RAR 5
# archive of the same size (read in Java), each directory evaluated --runs times, alternated; prints each run's wall time and process CPU (user+sys). See bench/RarMail.java.
#
#   bench/rar-cost.sh [N] [--runs R]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n=300
runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) n="$1"; shift ;;
  esac
done
"$root/mamori" --version >/dev/null   # builds the jar (and core's test classes) if needed
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
java -cp "$root/core/target/test-classes" "$root/bench/RarMail.java" "$n" "$work"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(bsdtar --version | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$runs"); do
  for kind in stored packed; do
    /usr/bin/time -f "$kind run $r: %e s wall, %U+%S s CPU" "$root/mamori" eval "$work/$kind" --expect ham --json >/dev/null
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
