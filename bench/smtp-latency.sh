#!/usr/bin/env bash
# How long an SMTP client waits for the gateway's answer to DATA (analysis happens before it, so that a message can be
# refused) when the resolver answers slowly: starts `./mamori start` from a fresh data directory, with DNS from
# bench/nxdns.py answering every question NXDOMAIN DELAY ms late, and sends N messages one after the other with
# swaks, each from a domain of its own with links to 20 domains of its own (nothing can come from a cache). Run twice:
# without and with a policy naming one IP and two domain block lists. Prints the median and the 90th percentile of
# swaks's wall time per message. Loopback only; the next hop is not set, so accepted mail waits in the queue.
#
#   bench/smtp-latency.sh [--messages N] [--delay MS] [--root DIR]   (DIR: the checkout whose ./mamori runs)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$root"
messages=20
delay=20
while [ $# -gt 0 ]; do
  case "$1" in
    --messages) messages="$2"; shift 2 ;;
    --delay) delay="$2"; shift 2 ;;
    --root) target="$(cd "$2" && pwd)"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v swaks >/dev/null || { echo "smtp-latency: needs swaks (Debian: swaks)" >&2; exit 1; }
out="$root/bench/out/smtp-latency"
rm -rf "$out"
mkdir -p "$out"
dnsport=5357
smtpport=2625
httpport=8097
python3 "$root/bench/nxdns.py" "$dnsport" --delay "$delay" &
dns=$!
gw=""
cleanup() { [ -n "$gw" ] && kill "$gw" 2>/dev/null; kill "$dns" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
"$target/mamori" --version >/dev/null
echo "messages: $messages one after the other; resolver delay ${delay} ms; $(cd "$target" && git log --oneline -1 2>/dev/null || echo "$target")"
for policy in without with; do
  base="$target/config/policy.example.yaml"
  cp "$base" "$out/$policy.yaml"
  if [ "$policy" = with ]; then
    printf '\nblocklists:\n  ip: [zen.blocklist.test]\n  domain: [dbl.blocklist.test, uri.blocklist.test]\n' >> "$out/$policy.yaml"
  fi
  data="$out/data-$policy"
  (cd "$out" && "$target/mamori" start --mamori.data-dir="$data" --mamori.policy.file="$out/$policy.yaml" \
      --mamori.smtp.inbound.bind=127.0.0.1 --mamori.smtp.inbound.port=$smtpport --mamori.smtp.outbound.port=0 \
      --server.port=$httpport --mamori.dns.server=127.0.0.1:$dnsport > "$out/gateway-$policy.log" 2>&1) &
  gw=$!
  for _ in $(seq 1 180); do
    grep -q "Mamori is running" "$out/gateway-$policy.log" 2>/dev/null && break
    sleep 1
  done
  grep -q "Mamori is running" "$out/gateway-$policy.log" || { echo "the gateway did not start; see $out/gateway-$policy.log" >&2; exit 1; }
  : > "$out/times-$policy.txt"
  for i in $(seq 1 "$messages"); do
    body=""
    for d in $(seq 1 20); do body="$body https://www.site$i-$d-$policy.example/offer"; done
    start=$(date +%s%N)
    swaks --server 127.0.0.1 --port $smtpport --from "news@shop$i-$policy.example" --to taro@example.co.jp \
        --header "Subject: offers $i" --body "$body" > "$out/swaks-$policy-$i.txt" 2>&1 || true
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 )) >> "$out/times-$policy.txt"
  done
  accepted=$(cat "$out"/swaks-$policy-*.txt | grep -c "^<-  250 2.0.0 Ok: queued" || true)
  python3 - "$out/times-$policy.txt" "$policy" "$accepted" <<'PY'
import statistics, sys
t = sorted(int(x) for x in open(sys.argv[1]).read().split())
p90 = t[min(len(t) - 1, int(round(0.9 * (len(t) - 1))))]
print(f"{sys.argv[2]:8s} block lists: median {statistics.median(t):.0f} ms, 90th percentile {p90} ms per message"
      f" (swaks, whole session); {sys.argv[3]} of {len(t)} accepted with 250 after DATA")
PY
  kill "$gw" 2>/dev/null || true
  wait "$gw" 2>/dev/null || true
  gw=""
  pkill -f "mamori.data-dir=$data" 2>/dev/null || true
  sleep 2
done
