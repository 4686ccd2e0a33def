#!/usr/bin/env bash
# What an organisation's own weight for CONTENT_LIKE_PHISHING (policy `inbound.weights`, docs/policy.md) does to the
# detection figures: for each weight, a policy made from config/policy.example.yaml (organisation evaluation.invalid,
# as eval's own neutral policy) with `weights: { CONTENT_LIKE_PHISHING: W }`, then bench/detection-eval.sh with the
# given content model. "catalogue" is the shipped weight (no weights entry).
#
#   bench/content-weight-sweep.sh --model FILE [CORPUS_DIR] [--weights "catalogue 3 5 7"]
#
# The model should have learnt A halves only (bench/train-content-model.sh), so that the B halves stay held out.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$root/../shared/corpus"
model=""
weights="catalogue 3 5 7"
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --weights) weights="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) corpus="$1"; shift ;;
  esac
done
[ -n "$model" ] || { echo "content-weight-sweep: --model FILE is required" >&2; exit 2; }
out="$root/bench/out/content-weight-sweep"
mkdir -p "$out"
for w in $weights; do
  policy="$out/policy-$w.yaml"
  /usr/bin/python3 - "$root/config/policy.example.yaml" "$policy" "$w" <<'PY'
import sys
src, dst, w = sys.argv[1:4]
text = open(src, encoding='utf-8').read()
domains = "  internal_domains:\n    - example.co.jp\n    - example.jp\n"
assert domains in text and "  # weights:\n" in text, "config/policy.example.yaml changed; update this script"
text = text.replace(domains, "  internal_domains:\n    - evaluation.invalid\n")
if w != "catalogue":
    text = text.replace("  # weights:\n", "  weights: { CONTENT_LIKE_PHISHING: %s }\n" % w, 1)
open(dst, 'w', encoding='utf-8').write(text)
PY
  echo "== CONTENT_LIKE_PHISHING weight: $w"
  "$root/bench/detection-eval.sh" "$corpus" --model "$model" --policy "$policy" | sed '$d'
  mkdir -p "$out/detection-$w"
  cp "$root"/bench/out/detection/*.json "$out/detection-$w/"
done
echo "per-weight JSON in $out"
