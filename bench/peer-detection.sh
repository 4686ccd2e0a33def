#!/usr/bin/env bash
# Detection and speed of Mamori beside two open-source filters, rspamd and SpamAssassin (spamd), on the same corpus
# halves as bench/detection-eval.sh, each with its shipped rules and no training, DNS answered by bench/nxdns.py.
#
#   sudo bench/peer-detection.sh [CORPUS_DIR] [--sets "set:expect ..."] [--skip-spamd]
#
# Needs root: the whole run happens in a network namespace of its own (unshare -n) that holds nothing but loopback,
# so neither peer's map updates, RBL queries, Razor or Pyzor can reach another address, whatever their configuration
# says. Installs Debian's rspamd, spamassassin, spamd and spamc if missing; never touches /etc/rspamd or
# /etc/spamassassin (private copies of the configuration under bench/out/peers/). Prints one row per set and half:
#   mamori TAG+ / QUAR+      eval's actions (TAG or stronger; QUARANTINE or REJECT)
#   rspamd HDR+ / REJ        rspamd's actions ("add header" or stronger, score >= 6; "reject", score >= 15);
#                            greylist (>= 4) is a deferral, not a verdict, and is counted below HDR+
#   SA SPAM / >=10           spamd's spam flag (score >= required_score 5) and a score of 10 or more
# then CPU seconds and messages per CPU second of each filter over all sets, and per-message files in bench/out/peers.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$root/../shared/corpus"
sets="nazario-phishing0:phishing phishing-pot:phishing notmuch-ham:ham jpmobile-ja-mail:ham sisimai-bounces:ham
mail-gem-fixtures:ham notmuch-fixtures:ham mimekit-testdata:ham spamassassin-testdata/nice:ham"
skip_spamd=0
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --sets) sets="$2"; shift 2 ;;
    --skip-spamd) skip_spamd=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) corpus="$1"; shift ;;
  esac
done
corpus="$(cd "$corpus" && pwd)"

if [ "${MAMORI_PEERS_NETNS:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "peer-detection: needs root (network namespace, daemons' users)" >&2; exit 2; }
  missing=()
  command -v rspamd >/dev/null 2>&1 || missing+=(rspamd)
  [ -x /usr/sbin/spamd ] || missing+=(spamassassin spamd spamc)
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "peer-detection: installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  "$root/mamori" --version >/dev/null   # builds the jar (and its start-up archive) before the network goes away
  exec unshare -n env MAMORI_PEERS_NETNS=1 "$0" "${args[@]}"
fi

ip link set lo up
out="$root/bench/out/peers"
rm -rf "$out"
mkdir -p "$out/halves" "$out/rspamd/local.d" "$out/rspamd/override.d" "$out/rspamd/db" "$out/rspamd/run" "$out/spamd"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

python3 "$root/bench/nxdns.py" 5354 >/dev/null 2>&1 &
pids+=($!)
"$root/bench/halves.py" "$corpus" "$out/halves" $sets

# rspamd: its shipped configuration, two scanner workers (one per core), the DNS responder above, log to a file.
cat > "$out/rspamd/local.d/options.inc" <<'EOF'
dns { nameserver = ["127.0.0.1:5354"]; }
EOF
echo 'bind_socket = "127.0.0.1:11333"; count = 2;' > "$out/rspamd/local.d/worker-normal.inc"
echo 'bind_socket = "127.0.0.1:11334";' > "$out/rspamd/local.d/worker-controller.inc"
echo 'bind_socket = "127.0.0.1:11332"; count = 0;' > "$out/rspamd/override.d/worker-proxy.inc"
echo "type = \"file\"; filename = \"$out/rspamd/rspamd.log\"; level = \"warning\";" > "$out/rspamd/local.d/logging.inc"
chown -R _rspamd:_rspamd "$out/rspamd"
rspamd -f -u _rspamd -g _rspamd --var LOCAL_CONFDIR="$out/rspamd" --var DBDIR="$out/rspamd/db" \
  --var RUNDIR="$out/rspamd/run" --var LOGDIR="$out/rspamd" >/dev/null 2>&1 &
rspamd_pid=$!
pids+=($rspamd_pid)

# spamd: Debian's site configuration and rules, the DNS responder above, no Bayes (nothing trained, nothing learnt).
if [ "$skip_spamd" = 0 ]; then
  cp -r /etc/spamassassin "$out/spamd/site"
  cat >> "$out/spamd/site/local.cf" <<'EOF'
dns_server 127.0.0.1:5354
use_bayes 0
bayes_auto_learn 0
EOF
  chown -R debian-spamd:debian-spamd "$out/spamd"
  spamd -i 127.0.0.1:11783 -A 127.0.0.1 -m 2 --min-children=2 -u debian-spamd -x --siteconfigpath="$out/spamd/site" \
    -s "$out/spamd/spamd.log" >/dev/null 2>&1 &
  spamd_pid=$!
  pids+=($spamd_pid)
fi

for _ in $(seq 1 120); do
  curl -sf http://127.0.0.1:11333/ping >/dev/null 2>&1 && break; sleep 1
done
if [ "$skip_spamd" = 0 ]; then
  for _ in $(seq 1 120); do
    printf 'PING SPAMC/1.5\r\n\r\n' | timeout 2 python3 -c "
import socket,sys; s=socket.create_connection(('127.0.0.1',11783),2); s.sendall(sys.stdin.buffer.read()); sys.exit(0 if b'PONG' in s.recv(100) else 1)" \
      2>/dev/null && break; sleep 1
  done
fi

cpu() { python3 "$root/bench/benchtool.py" cpu-ms "$1"; }
declare -A cpu_ms=([rspamd]=0 [spamd]=0)
for spec in $sets; do
  name=${spec%%:*}; name=${name//\//-}
  for half in A B; do
    dir="$out/halves/$name/$half"
    [ -d "$dir" ] || continue
    # Both expectations: their lists of messages that "went the wrong way" together give every message's score.
    for expect in phishing ham; do
      "$root/mamori" eval "$dir" --expect "$expect" --json --list 100000 --dns 127.0.0.1:5354 \
        > "$out/$name-$half.mamori-$expect.json" 2> "$out/$name-$half.mamori-$expect.err" || true
    done
    before=$(cpu "$rspamd_pid")
    python3 "$root/bench/peer_scan.py" rspamd 127.0.0.1:11333 "$dir" "$out/$name-$half.rspamd.jsonl" --threads 2
    cpu_ms[rspamd]=$((cpu_ms[rspamd] + $(cpu "$rspamd_pid") - before))
    if [ "$skip_spamd" = 0 ]; then
      before=$(cpu "$spamd_pid")
      python3 "$root/bench/peer_scan.py" spamd 127.0.0.1:11783 "$dir" "$out/$name-$half.spamd.jsonl" --threads 2
      cpu_ms[spamd]=$((cpu_ms[spamd] + $(cpu "$spamd_pid") - before))
    fi
  done
done
# Mamori's speed from one eval of every half in one JVM (the per-half runs above each pay a JVM start).
"$root/mamori" eval "$out/halves" --expect phishing --json --list 0 --dns 127.0.0.1:5354 > "$out/all.mamori.json" 2>/dev/null

python3 "$root/bench/peer_summary.py" "$out" "${cpu_ms[rspamd]}" "${cpu_ms[spamd]}" $sets
echo "per-message results in $out"
