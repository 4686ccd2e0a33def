#!/usr/bin/env bash
# Disarms one large hostile HTML message (generated: UTF-8 HTML in base64, every block with a script, event
# handlers, a form, a remote image, a link and a Japanese sentence) in a JVM with a capped heap, and prints the
# time, the peak resident memory of the JVM, and what is left in the result (scripts, handlers, forms and
# remote images must all be 0). The same program runs in the build as BigHtmlDisarmTest (50 MB, -Xmx32m).
#
#   bench/disarm-big.sh [MEGABYTES ...]        default: 10 50 200, each with -Xmx32m and -Xmx256m
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
./mvnw -q -B -pl core test-compile
./mvnw -q -B -pl core dependency:build-classpath -Dmdep.outputFile="$root/bench/out/core.classpath" >/dev/null
cp="core/target/test-classes:core/target/classes:$(cat bench/out/core.classpath)"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 50 200)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf '%-8s %-8s %10s %10s %12s %9s %8s %6s %6s %8s\n' MB HEAP IN_BYTES SECONDS MB_PER_S RSS_MB SCRIPTS HANDL FORMS REMOTE
for mb in "${sizes[@]}"; do
  for heap in 32m 256m; do
    rm -f "$work"/*
    /usr/bin/time -f 'rss_kb=%M' -o "$work/time" java -Xmx$heap -cp "$cp" io.mamori.core.verdict.BigHtmlDisarm "$work" "$mb" > "$work/out"
    get() { grep "^$1=" "$work/out" "$work/time" | head -1 | cut -d= -f2; }
    in=$(get input_bytes); s=$(get seconds); rss=$(( $(get rss_kb) / 1024 ))
    printf '%-8s %-8s %10s %10s %12.1f %9s %8s %6s %6s %8s\n' "$mb" "$heap" "$in" "$s" \
      "$(echo "$in / 1048576 / $s" | bc -l)" "$rss" "$(get scripts)" "$(get handlers)" "$(get forms)" "$(get remote_images)"
  done
done
