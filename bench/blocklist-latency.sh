#!/usr/bin/env bash
# How long the DNS block lists make a message wait when the resolver answers slowly: N messages, each with links to
# 20 domains of its own (no answer can come from a cache), scanned one at a time (`mamori eval --threads 1`) with a
# policy that names two domain lists and one IP list, against bench/nxdns.py answering every question NXDOMAIN after
# DELAY ms, as an upstream resolver would. Prints eval's wall time per message; compare with the same run on a policy
# without block lists (the rest of the analysis, sender authentication's look-ups included, waits on the same DNS).
#
#   bench/blocklist-latency.sh [--messages N] [--delay MS] [--port PORT]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
messages=40
delay=20
port=5356
while [ $# -gt 0 ]; do
  case "$1" in
    --messages) messages="$2"; shift 2 ;;
    --delay) delay="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
out="$root/bench/out/blocklist-latency"
rm -rf "$out"
mkdir -p "$out/mail"
for i in $(seq 1 "$messages"); do
  {
    printf 'From: Shop <news@shop%d.example>\r\nTo: taro@example.co.jp\r\nSubject: offers %d\r\n' "$i" "$i"
    printf 'Message-ID: <m%d@shop%d.example>\r\nDate: Mon, 30 Nov 2026 10:00:00 +0900\r\n\r\n' "$i" "$i"
    for d in $(seq 1 20); do printf 'https://www.site%d-%d.example/offer\r\n' "$i" "$d"; done
  } > "$out/mail/m$i.eml"
done
base="$root/config/policy.example.yaml"
cp "$base" "$out/without.yaml"
{ cat "$base"; printf '\nblocklists:\n  ip: [zen.blocklist.test]\n  domain: [dbl.blocklist.test, uri.blocklist.test]\n'; } > "$out/with.yaml"
python3 "$root/bench/nxdns.py" "$port" --delay "$delay" &
dns=$!
trap 'kill $dns 2>/dev/null' EXIT
sleep 1
"$root/mamori" --version >/dev/null
echo "messages: $messages, each 20 link domains; resolver delay ${delay} ms"
for policy in without with; do
  start=$(date +%s.%N)
  "$root/mamori" eval "$out/mail" --expect ham --json --list 0 --threads 1 --policy "$out/$policy.yaml" \
      --dns "127.0.0.1:$port" > "$out/$policy.json" 2>"$out/$policy.err" || true
  end=$(date +%s.%N)
  python3 - "$out/$policy.json" "$start" "$end" "$policy" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
wall = float(sys.argv[3]) - float(sys.argv[2])
codes = sorted({f['code'] for f in j.get('topFindings', [])})
print(f"{sys.argv[4]:8s} block lists: {j['total']} messages, process wall {wall:.2f} s, eval {j.get('seconds', 0):.2f} s,"
      f" {1000 * j.get('seconds', 0) / max(j['total'], 1):.0f} ms per message")
PY
done
