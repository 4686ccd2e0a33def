#!/usr/bin/env bash
# Where the CPU of `mamori eval` goes: every .eml file of a corpus parsed and run through every shipped analyzer, one
# after the other on one thread, several passes; prints µs of thread CPU per message for the parse and each analyzer,
# per pass (pass 1 cold, later passes warm). See bench/AnalyzerTimes.java.
#
#   bench/analyzer-times.sh [CORPUS_DIR] [--passes N] [--c2] [--model FILE]
#
# By default the JVM runs as `./mamori eval` runs it (C1 only, serial collector); --c2 uses the full tiered compiler,
# which shows the steady state of a long-running gateway. --model gives the content classifier a model to score with.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$root/../shared/corpus"
passes=5
jit=(-XX:TieredStopAtLevel=1)
model=()
while [ $# -gt 0 ]; do
  case "$1" in
    --passes) passes="$2"; shift 2 ;;
    --c2) jit=(); shift ;;
    --model) model=("$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"); shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) corpus="$1"; shift ;;
  esac
done
corpus="$(cd "$corpus" && pwd)"
"$root/mamori" --version >/dev/null   # builds the jar and extracts it to app/target/mamori-cli if needed
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx512m "${jit[@]}" -XX:+UseSerialGC -Xlog:all=warning:stderr -cp "$root/app/target/mamori-cli/lib/*" \
  "$root/bench/AnalyzerTimes.java" "$corpus" "$passes" "${model[@]}" | grep -v " WARN "
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
