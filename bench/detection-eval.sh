#!/usr/bin/env bash
# Detection figures per corpus set and per half: runs `./mamori eval DIR --expect phishing|ham --json` over each
# half of each set and prints the share of messages at TAG or higher and at QUARANTINE or higher.
#
#   bench/detection-eval.sh [CORPUS_DIR] [--dns HOST:PORT|offline] [--policy FILE] [--model FILE]
#
# --model evaluates with another content classifier model (e.g. one bench/train-content-model.sh trained on the A
# halves of the phishing sets too). Halves (bench/halves.py): a file belongs to half A (the tuning half) when the last number in its name (maildir flags ":2,"
# aside) is odd, to half B (held out, never looked at message by message) when it is even; a file whose name has no number goes by the parity of
# the CRC-32 of its path inside the set. The halves are symbolic-link trees under bench/out/detection/.
# Without --dns, eval runs offline (no DNS at all); nothing leaves the machine either way unless a server is given.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$root/../shared/corpus"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dns|--policy|--model) extra+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) corpus="$1"; shift ;;
  esac
done
corpus="$(cd "$corpus" && pwd)"
out="$root/bench/out/detection"
rm -rf "$out"
mkdir -p "$out"
"$root/mamori" --version >/dev/null   # builds the jar if needed

# set:expectation, or set/folder:expectation for one folder of a set's data (spamassassin-testdata holds spam
# beside its ham, and only data/nice is legitimate mail). The first two are the phishing sets of issue 3; the rest
# is legitimate mail.
sets="nazario-phishing0:phishing phishing-pot:phishing notmuch-ham:ham jpmobile-ja-mail:ham sisimai-bounces:ham
mail-gem-fixtures:ham notmuch-fixtures:ham mimekit-testdata:ham spamassassin-testdata/nice:ham"

"$root/bench/halves.py" "$corpus" "$out" $sets

printf '%-26s %-4s %-9s %6s %8s %8s %8s\n' SET HALF EXPECT N TAG+ QUAR+ CPU_S
for spec in $sets; do
  name=${spec%%:*}; name=${name//\//-}; expect=${spec##*:}
  for half in A B; do
    [ -d "$out/$name/$half" ] || continue
    "$root/mamori" eval "$out/$name/$half" --expect "$expect" --json --list 100000 "${extra[@]}" \
      > "$out/$name-$half.json" 2> "$out/$name-$half.err" || true
    /usr/bin/python3 - "$out/$name-$half.json" "$name" "$half" "$expect" <<'EOF'
import json, sys
path, name, half, expect = sys.argv[1:5]
try:
    j = json.load(open(path))
except ValueError:
    print(f"{name:26s} {half:4s} {expect:9s} FAILED (see {path[:-5]}.err)")
    sys.exit(0)
n, a = j['total'], j['byAction']
tag = n - a['DELIVER']
quar = a['QUARANTINE'] + a['REJECT']
pct = lambda k: f"{100.0 * k / n:7.1f}%" if n else "      -"
print(f"{name:26s} {half:4s} {expect:9s} {n:6d} {pct(tag)} {pct(quar)} {j['cpuSeconds']:8.1f}")
EOF
  done
done
echo "per-half JSON (with every message that went the wrong way) in $out"
