#!/usr/bin/env bash
# Trains content classifier models with `./mamori learn` on the A halves (bench/halves.py) of corpus sets, so that
# the B halves stay held out for bench/detection-eval.sh and bench/classifier-eval.sh.
#
#   bench/train-content-model.sh [CORPUS_DIR] [--site-ham] [--site-phishing] [--out FILE]
#
# Without options: the phishing seed shipped with the product, written to
# core/src/main/resources/io/mamori/core/classifier/content-model.tsv, from the openly licensed sets only
# (content-model-NOTICE.md beside it): phishing and fraud from nazario-phishing0 (CC BY 4.0),
# spamscope-malicious-mails and spamassassin-testdata/spam (Apache-2.0); legitimate mail from jpmobile-ja-mail,
# mimekit-testdata (MIT), sisimai-bounces (BSD-2-Clause) and spamassassin-testdata/nice (Apache-2.0).
# --site-ham simulates an organisation that runs `mamori learn --from shipped --ham <its mail>`: the seed plus the A
# halves of notmuch-ham and notmuch-fixtures (mail the seed never saw; mail-gem-fixtures is left out, its "error"
# fixtures are spam). --site-phishing also adds the A half of phishing-pot, as the phishing the organisation's
# analysts confirmed. Site models are for evaluation only (phishing-pot is CC BY-NC, notmuch GPL: never shipped) and
# go to bench/out/site-content-model.tsv.gz.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$root/../shared/corpus"
site_ham=0
site_phishing=0
model="$root/core/src/main/resources/io/mamori/core/classifier/content-model.tsv"
while [ $# -gt 0 ]; do
  case "$1" in
    --site-ham) site_ham=1; shift ;;
    --site-phishing) site_phishing=1; shift ;;
    --out) model="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) corpus="$1"; shift ;;
  esac
done
corpus="$(cd "$corpus" && pwd)"
out="$root/bench/out/train"
rm -rf "$out"
mkdir -p "$out"
args=()
if [ "$site_ham" = 1 ] || [ "$site_phishing" = 1 ]; then
  [ "$model" = "$root/core/src/main/resources/io/mamori/core/classifier/content-model.tsv" ] \
    && model="$root/bench/out/site-content-model.tsv.gz"
  phishing=""; ham=""
  [ "$site_ham" = 1 ] && ham="notmuch-ham notmuch-fixtures"
  [ "$site_phishing" = 1 ] && phishing="phishing-pot"
  args+=(--from shipped)
else
  phishing="nazario-phishing0 spamscope-malicious-mails spamassassin-testdata/spam"
  ham="jpmobile-ja-mail mimekit-testdata sisimai-bounces spamassassin-testdata/nice"
fi
mkdir -p "$(dirname "$model")"
"$root/bench/halves.py" "$corpus" "$out" $phishing $ham
for s in $phishing; do args+=(--phishing "$out/${s//\//-}/A"); done
for s in $ham; do args+=(--ham "$out/${s//\//-}/A"); done
"$root/mamori" learn "${args[@]}" --out "$model"
