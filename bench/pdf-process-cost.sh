#!/usr/bin/env bash
# What reading PDF attachments in a child JVM would cost, for the decision on moving PDF parsing out of the gateway's
# process (docs/detection.md, Limits): a fresh JVM, as ./mamori eval starts it (C1 only, serial collector) with a 128 MB
# heap, reads one PDF with the link reader and the attachment inspection, once (what a new worker pays before its first
# answer) and N times (what a warm worker pays per PDF). Prints the whole process's wall time, CPU and peak resident set.
#
#   bench/pdf-process-cost.sh [FILE.pdf] [--runs R] [--n N]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pdf="$root/core/src/test/resources/files/pdf/clean.pdf"
runs=3
n=2000
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --n) n="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) pdf="$1"; shift ;;
  esac
done
"$root/mamori" --version >/dev/null   # builds the jar and extracts it to app/target/mamori-cli if needed
lib="$root/app/target/mamori-cli/lib/*"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
javac -cp "$lib" -d "$work" "$root/bench/PdfProcessCost.java"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1); load average: $(cut -d' ' -f1-3 /proc/loadavg); $(basename "$pdf") $(stat -c %s "$pdf") bytes"
printf '%-6s %6s %8s %8s %8s %9s %10s\n' RUN N WALL_S CPU_S RSS_MB FIRST_MS LATER_MS
run() {
  /usr/bin/time -f 'wall=%e cpu=%U+%S rss=%M' -o "$work/time" java -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Xlog:all=warning:stderr -cp "$work:$lib" PdfProcessCost "$pdf" "$1" > "$work/out" 2> "$work/err"
  local t; t="$(cat "$work/time")"
  local wall="${t#wall=}"; wall="${wall%% *}"
  local cpu; cpu="$(echo "$t" | sed 's/.*cpu=\([0-9.+]*\).*/\1/' | bc -l)"
  local rss="${t##*rss=}"
  printf '%-6s %6s %8s %8.2f %8d %9s %10s\n' "$2" "$1" "$wall" "$cpu" $((rss / 1024)) \
    "$(sed -n 's/^first_ms=//p' "$work/out")" "$(sed -n 's/^later_ms_each=//p' "$work/out")"
}
for r in $(seq 1 "$runs"); do run 1 "$r"; done
for r in $(seq 1 "$runs"); do run "$n" "$r"; done
/usr/bin/time -f 'wall=%e cpu=%U+%S rss=%M' -o "$work/time" java -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -version 2>/dev/null
echo "a JVM that does nothing: $(cat "$work/time")"
