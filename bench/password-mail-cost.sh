#!/usr/bin/env bash
# What looking for a separate password mail (PPAP's パスワード別送, attachments.password_mail_minutes) costs the gateway
# per inbound message: the password search of each corpus message's text, cold and warm, and how many messages give a
# candidate (only those cost a store query). See bench/PasswordMailCost.java.
#
#   bench/password-mail-cost.sh [CORPUS_DIR] [--passes N]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$root/../shared/corpus"
passes=5
while [ $# -gt 0 ]; do
  case "$1" in
    --passes) passes="$2"; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) corpus="$1"; shift ;;
  esac
done
corpus="$(cd "$corpus" && pwd)"
"$root/mamori" --version >/dev/null   # builds the jar and extracts it to app/target/mamori-cli if needed
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx512m -Xlog:all=warning:stderr -cp "$root/app/target/mamori-cli/lib/*" \
  "$root/bench/PasswordMailCost.java" "$corpus" "$passes" | grep -v " WARN "
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
