#!/usr/bin/env bash
# Throughput of the inbound analysis as `mamori eval` runs it over a corpus, measured in CPU time because the
# machine is shared: for each run, the whole process's user+sys time (JVM start-up, class loading and JIT included)
# from /usr/bin/time, and the CPU time eval itself reports for its scanning (process CPU from the moment the
# command starts scanning). Messages per second per core = messages / CPU seconds.
#
#   bench/eval-throughput.sh [CORPUS_DIR] [--runs N] [--copies K] [--dns HOST:PORT]
#
# --copies K evaluates K links to the corpus in one run (K times the messages), which shows the cost per message
# once start-up and warm-up are spread over more mail, as in a gateway that runs for days. Without --dns eval makes
# no DNS look-ups; bench/nxdns.py answers every name NXDOMAIN on loopback if a resolver is wanted.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$root/../shared/corpus"
runs=3
copies=1
dns=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --copies) copies="$2"; shift 2 ;;
    --dns) dns=(--dns "$2"); shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) corpus="$1"; shift ;;
  esac
done
corpus="$(cd "$corpus" && pwd)"
out="$root/bench/out/eval-throughput"
rm -rf "$out"
mkdir -p "$out/corpus"
for i in $(seq 1 "$copies"); do
  ln -s "$corpus" "$out/corpus/copy$i"
done
"$root/mamori" --version >/dev/null   # builds the jar and the CDS archive if needed

echo "machine: $(nproc) cores, $(uname -r), $(java -version 2>&1 | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %8s %8s %10s %10s %12s %12s %12s\n' RUN MESSAGES WALL_S USER+SYS_S EVAL_CPU_S MS/MSG_PROC MSG/S/CORE MSG/S/CORE_EVAL
for r in $(seq 1 "$runs"); do
  /usr/bin/time -o "$out/time-$r.txt" -f "%U %S %e %M" \
    "$root/mamori" eval "$out/corpus" --expect ham --json --list 0 "${dns[@]}" > "$out/eval-$r.json" 2> "$out/eval-$r.err" || true
  /usr/bin/python3 - "$out/eval-$r.json" "$out/time-$r.txt" "$r" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
# the last line: GNU time writes "Command exited with non-zero status 2" first when eval could not read a file
user, system, wall, rss = open(sys.argv[2]).read().strip().splitlines()[-1].split()[:4]
cpu = float(user) + float(system)
n = j['total']
print(f"{sys.argv[3]:4s} {n:8d} {float(wall):8.2f} {cpu:10.2f} {j['cpuSeconds']:10.2f} {1000 * cpu / n:12.3f}"
      f" {n / cpu:12.0f} {n / j['cpuSeconds']:12.0f}")
EOF
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); outputs in $out"
