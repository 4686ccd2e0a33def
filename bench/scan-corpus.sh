#!/usr/bin/env bash
# Runs `./mamori scan` over every message of a corpus directory (default ../shared/corpus) and reports, per
# set, how many messages were scanned, the verdicts, and any error. Exit code 1 if any message failed to scan.
#
#   bench/scan-corpus.sh [CORPUS_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$(cd "${1:-$root/../shared/corpus}" && pwd)"
out="$root/bench/out/scan-corpus"
mkdir -p "$out"
"$root/mamori" --version >/dev/null   # builds the jar if needed

# Sender authentication asks DNS: a local responder answers (NXDOMAIN for every name), nothing leaves loopback.
dns_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/bin/python3 "$root/bench/nxdns.py" "$dns_port" & dns_pid=$!
trap 'kill $dns_pid 2>/dev/null' EXIT
export MAMORI_DNS_SERVER="127.0.0.1:$dns_port"

total_errors=0
printf '%-28s %6s %6s  %s\n' SET FILES ERRORS VERDICTS
start=$(date +%s%N)
for set in "$corpus"/*/; do
  name=$(basename "$set")
  [ -d "$set/data" ] || continue
  # Every file of the set's data is treated as a message: the scanner must give a defined verdict for
  # anything, including YAML vectors, archives and documents that are not mail at all.
  find "$set/data" -type f | sort > "$out/$name.files"
  n=$(wc -l < "$out/$name.files")
  [ "$n" -gt 0 ] || continue
  set +e
  tr '\n' '\0' < "$out/$name.files" | xargs -0 "$root/mamori" scan --json > "$out/$name.jsonl" 2> "$out/$name.err"
  set -e
  errors=$(grep -c '^scan: ' "$out/$name.err" || true)
  total_errors=$((total_errors + errors))
  verdicts=$(grep -o '"action":"[A-Z]*"' "$out/$name.jsonl" | sort | uniq -c | awk '{gsub(/"action":|"/,"",$2); printf "%s=%s ", $2, $1}')
  printf '%-28s %6d %6d  %s\n' "$name" "$n" "$errors" "$verdicts"
done
end=$(date +%s%N)
printf 'total errors: %d; wall time %.1f s; outputs in %s\n' "$total_errors" "$(awk "BEGIN{print ($end-$start)/1e9}")" "$out"
[ "$total_errors" -eq 0 ]
