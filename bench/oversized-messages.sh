#!/usr/bin/env bash
# Time and memory of `mamori scan` (one JVM per message, shipped policy) on messages built past the parser's and the
# archive reader's limits, against a small ordinary message: a 200-level multipart nesting, 10,000 and 100,000 parts,
# a zip of 1 GiB of zeros and zips nested six deep. Prints each message's size, the verdict with its limit findings,
# wall time, CPU and the process's peak resident memory (`/usr/bin/time`), best of --runs.
#
#   bench/oversized-messages.sh [--runs R]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
"$root/mamori" --version >/dev/null   # builds the jar if needed
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import base64, io, sys, zipfile
out = sys.argv[1]
head = ("From: Sender <sender@partner.example>\r\nTo: keiri@example.co.jp\r\nSubject: documents\r\n"
        "Date: Mon, 1 Apr 2024 09:00:00 +0900\r\nMessage-ID: <x@partner.example>\r\nMIME-Version: 1.0\r\n")
def write(name, text):
    open(f"{out}/{name}.eml", "w", newline="").write(text)
def attached(name, data):
    b64 = base64.encodebytes(data).decode().replace("\n", "\r\n")
    return (head + "Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\n"
            "Please find the files attached.\r\n--z\r\nContent-Type: application/zip; name=" + name
            + "\r\nContent-Disposition: attachment; filename=" + name + "\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + b64 + "\r\n--z--\r\n")
def zipped(name, data, level=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", level, compresslevel=1) as z:
        z.writestr(name, data)
    return buf.getvalue()
write("1-ordinary", attached("report.zip", zipped("report.txt", b"quarterly figures\r\n" * 50)))
deep = [head]
for i in range(200):
    deep.append(f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n')
deep.append("Content-Type: text/plain\r\n\r\nhello\r\n")
deep.extend(f"--b{i}--\r\n" for i in range(199, -1, -1))
write("2-nested-200", "".join(deep))
for n in (10_000, 100_000):
    parts = [head + "Content-Type: multipart/mixed; boundary=x\r\n\r\n"]
    parts.extend(f"--x\r\nContent-Type: text/plain; name=note{i}.txt\r\n\r\nnote {i}\r\n" for i in range(n))
    parts.append("--x--\r\n")
    write(f"3-parts-{n}", "".join(parts))
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
    with z.open("zeros.bin", "w", force_zip64=True) as f:
        chunk = bytes(1024 * 1024)
        for _ in range(1024):
            f.write(chunk)
write("4-zip-bomb-1GiB", attached("bomb.zip", buf.getvalue()))
inner = zipped("report.txt", b"quarterly figures")
for level in range(6, 0, -1):
    inner = zipped(f"level{level}.zip", inner)
write("5-zips-nested-6", attached("deep.zip", inner))
PY
policy="$root/core/src/main/resources/io/mamori/core/policy/default-policy.yaml"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-20s %10s  %-11s %-28s %8s %8s %9s\n' message bytes verdict "limit findings" "wall s" "CPU s" "peak RSS"
for f in "$work"/*.eml; do
  name="$(basename "$f" .eml)"
  best=""
  for r in $(seq 1 "$runs"); do
    /usr/bin/time -o "$work/time" -f "%e %U %S %M" "$root/mamori" scan --json --policy "$policy" "$f" > "$work/out.json"
    read -r wall user sys rss < "$work/time"
    line="$wall $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') $rss"
    if [ -z "$best" ] || [ "$(echo "$wall < ${best%% *}" | bc)" = 1 ]; then best="$line"; fi
  done
  verdict="$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["action"])' "$work/out.json")"
  codes="$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(",".join(sorted({f["code"] for f in d["findings"] if "TOO_" in f["code"] or "BOMB" in f["code"]})) or "-")' "$work/out.json")"
  read -r wall cpu rss <<< "$best"
  printf '%-20s %10s  %-11s %-28s %8s %8s %6s MB\n' "$name" "$(stat -c %s "$f")" "$verdict" "$codes" "$wall" "$cpu" "$((rss / 1024))"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
