#!/usr/bin/env bash
# The content classifier on its own, held out: learns the A halves (bench/halves.py) of the sets given, then scores
# the B halves of those sets and both halves of every other set of bench/detection-eval.sh; prints the share of
# messages at or above each probability (bench/ClassifierEval.java).
#
#   bench/classifier-eval.sh [CORPUS_DIR] SET[/FOLDER]:phishing|ham ...
#
# e.g. the seed's sets plus an organisation's own mail:
#   bench/classifier-eval.sh ../shared/corpus nazario-phishing0:phishing spamscope-malicious-mails:phishing \
#     spamassassin-testdata/spam:phishing jpmobile-ja-mail:ham mimekit-testdata:ham sisimai-bounces:ham \
#     spamassassin-testdata/nice:ham notmuch-ham:ham notmuch-fixtures:ham
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$root/../shared/corpus"
train=()
for a in "$@"; do
  case "$a" in
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *:*) train+=("$a") ;;
    *) corpus="$a" ;;
  esac
done
corpus="$(cd "$corpus" && pwd)"
others="nazario-phishing0:phishing phishing-pot:phishing notmuch-ham:ham jpmobile-ja-mail:ham sisimai-bounces:ham
mail-gem-fixtures:ham notmuch-fixtures:ham mimekit-testdata:ham spamassassin-testdata/nice:ham"
out="$root/bench/out/classifier"
rm -rf "$out"
mkdir -p "$out"
"$root/mamori" --version >/dev/null   # builds the jar and extracts its libraries if needed
all=("${train[@]}")
for s in $others; do
  [[ " ${train[*]} " == *" ${s%%:*}:"* ]] || all+=("$s")
done
"$root/bench/halves.py" "$corpus" "$out" "${all[@]%%:*}"
args=(--train)
for s in "${train[@]}"; do n=${s%%:*}; args+=("$out/${n//\//-}/A:${s##*:}"); done
args+=(--test)
for s in "${all[@]}"; do
  n=${s%%:*}; d=${n//\//-}
  if [[ " ${train[*]} " == *" $s "* ]]; then
    args+=("$d/B=$out/$d/B:${s##*:}")
  else
    args+=("$d/A=$out/$d/A:${s##*:}" "$d/B=$out/$d/B:${s##*:}")
  fi
done
java -Xmx2g -Xlog:all=warning:stderr -cp "$root/app/target/mamori-cli/lib/*" "$root/bench/ClassifierEval.java" "${args[@]}" \
  2> >(grep -v " WARN " >&2)
