#!/usr/bin/env bash
# Coverage-guided fuzzing (Jazzer, libFuzzer's engine for the JVM) of the parsers and readers Mamori wrote itself
# and of the whole inbound scan: the *FuzzTest classes of core. Each target is fuzzed for the given time in a JVM of
# its own; a finding stops its target and is written by Jazzer under
# core/src/test/resources/<package>/<Class>Inputs/<method>/ (crash-…, timeout-…), where the test suite runs it from
# then on as a regression case. Fix the code, keep the input, commit both.
#
#   bench/fuzz.sh [--seconds N] [--libraries] [TARGET ...]
#                                                   TARGET: Class#method, e.g. RarEntriesFuzzTest#listsEntriesOrFailsWithAnIoException
#
# --libraries also instruments the parsing libraries the scan hands the mail to (Mime4j, Commons Compress, jsoup,
# PDFBox, POI, Tika, dnsjava, ZXing), so that coverage guides the fuzzer through their branches too: slower
# per input, but it reaches what our own branches alone do not tell apart; the whole-scan target then gives each
# analyzer 120 s instead of the gateway's 10 (instrumenting thousands of library classes as the first inputs load them
# took longer than 10 s). Default: Mamori's classes only.
#
# Default: every target, 300 s each. The inputs Jazzer keeps as it goes (the generated corpus) are in core/.cifuzz-corpus/
# (not committed); the next run starts from them. The first run seeds it: the whole-scan target with the test
# messages of core/src/test/resources/messages/, the attachment target with small archives of each kind written
# here by zip, 7z, tar and gzip (each input's first byte chooses the file name and declared type).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=300
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --libraries) export MAMORI_ANALYZER_SECONDS=120 JAZZER_INSTRUMENT='io.mamori.**,org.apache.james.**,org.apache.commons.compress.**,org.jsoup.**,org.apache.pdfbox.**,org.apache.poi.**,org.apache.tika.**,org.xbill.**,com.google.zxing.**'; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
all=(
  attachment.RarEntriesFuzzTest#listsEntriesOrFailsWithAnIoException
  attachment.ArchiveParsersFuzzTest#inspectsAnyAttachment
  attachment.ArchiveParsersFuzzTest#readsAny7zHeader
  attachment.ArchiveParsersFuzzTest#readsAnyRelationshipPart
  attachment.ArchiveParsersFuzzTest#searchesAnyWordPartForDde
  attachment.ArchiveParsersFuzzTest#readsAnyRtfTemplate
  attachment.ArchiveParsersFuzzTest#readsAnyXfaForm
  attachment.ArchiveParsersFuzzTest#readsAnyRtfObjects
  attachment.ArchiveParsersFuzzTest#findsPasswordCandidatesInAnyText
  attachment.ArchiveParsersFuzzTest#thePasswordPrefilterMissesNoPasswordWord
  text.ConfusableSkeletonFuzzTest#givesTheSkeletonIcuGives
  text.HomoglyphsFuzzTest#findsLatinWordsInDisguiseAndReadsThemAway
  link.PdfLinksFuzzTest#readsAnyPdf
  link.QrCodesFuzzTest#readsAnyPicture
  link.QrCodesFuzzTest#joinsAnyTwoPictures
  link.DrawnQrCodesFuzzTest#readsAnyDrawing
  link.TextReadersFuzzTest#findsTheUrlsTheRegularExpressionFinds
  link.TextReadersFuzzTest#cleansUrlsAsBrowsersDo
  link.TextReadersFuzzTest#foldsAsciiAsTheGeneralPassDoes
  link.TextReadersFuzzTest#readsAnyHtml
  link.TextReadersFuzzTest#readsTheDestinationOfAnyRedirectedLink
  lure.LureWordingFuzzTest#findsThePhrasesRegularExpressionsFind
  lure.LureWordingFuzzTest#readsLookAlikesAwayOnlyInWordsOfTheVocabulary
  verdict.DisarmFuzzTest#disarmedHtmlHoldsNothingActive
  verdict.DisarmFuzzTest#disarmedTextHoldsNoClickableUrl
  verdict.SevenBitConversionFuzzTest#convertsWithoutChangingWhatTheReaderGets
  message.HeaderValuesFuzzTest#decodesAnyHeaderValue
  message.HeaderValuesFuzzTest#thePlainFastPathGivesTheFullDecodingsAnswer
  message.HeaderValuesFuzzTest#readsBackWhatMime4jEncodes
  message.MailboxFuzzTest#readsAnyFromField
  auth.SenderAuthFuzzTest#evaluatesAnyMessage
  scan.MessageScannerFuzzTest#scansAnyMessage
)
if [ ${#targets[@]} -eq 0 ]; then
  targets=("${all[@]}")
fi
corpus="$root/core/.cifuzz-corpus"

seed_messages() {
  local dir="$corpus/io.mamori.core.scan.MessageScannerFuzzTest/scansAnyMessage"
  [ -d "$dir" ] && return 0
  mkdir -p "$dir"
  # the messages of the tests (ours and the copied real ones), at most 64 KiB each: libFuzzer mutates small inputs best
  find "$root/core/src/test/resources/messages" -type f \( -name '*.eml' -o -name '*.msg' \) -size -64k -print0 \
    | while IFS= read -r -d '' f; do cp "$f" "$dir/$(sha1sum "$f" | cut -c1-40)"; done
}

seed_archives() {
  local dir="$corpus/io.mamori.core.attachment.ArchiveParsersFuzzTest/inspectsAnyAttachment"
  mkdir -p "$dir"
  # files embedded in documents (oletools' test data, core/src/test/resources/files/README.md), added to a corpus that
  # lacks them: 6 xls: a shortcut embedded as an OLE Package in a Word document, 5 docx: a text file embedded so,
  local oletools="$root/core/src/test/resources/files/oletools"
  [ -f "$dir/seed-lnk-package.doc" ] || { printf '\x06'; cat "$oletools/sample_with_lnk_file.doc"; } > "$dir/seed-lnk-package.doc"
  [ -f "$dir/seed-embedded.docx" ] || { printf '\x05'; cat "$oletools/embedded-simple-2007.docx"; } > "$dir/seed-embedded.docx"
  # 7 pdf: a plain PDF (core/src/test/resources/files/pdf)
  [ -f "$dir/seed-clean.pdf" ] || { printf '\x07'; cat "$root/core/src/test/resources/files/pdf/clean.pdf"; } > "$dir/seed-clean.pdf"
  # 8 rtf: an obfuscated Equation Editor exploit
  [ -f "$dir/seed-equation.rtf" ] || { printf '\x08'; cat "$oletools/issue_251.rtf"; } > "$dir/seed-equation.rtf"
  # 12 unnamed: TNEF streams (MimeKit's samples, core/src/test/resources/files/README.md), found by their signature; an
  # Outlook message and data-before-name.tnef are among the test inputs already (ArchiveParsersFuzzTestInputs/)
  local tnef="$root/core/src/test/resources/files/mimekit/tnef"
  for t in two-files winmail; do
    [ -f "$dir/seed-$t.tnef" ] || { printf '\x0c'; cat "$tnef/$t.tnef"; } > "$dir/seed-$t.tnef"
  done
  [ -f "$dir/seed-a.zip" ] && return 0
  local work
  work="$(mktemp -d)"
  mkdir -p "$work/in/sub"
  printf 'Invoice 2026-11\n' > "$work/in/invoice.txt"
  printf '<form action="https://login.example/"><input type="password"></form>\n' > "$work/in/sub/page.html"
  printf 'MZ\x90\x00' > "$work/in/sub/invoice.pdf.exe"
  (cd "$work/in" && zip -q -r "$work/a.zip" . && zip -q -P infected "$work/enc.zip" invoice.txt \
    && 7z a -bd -y "$work/a.7z" . >/dev/null && 7z a -bd -y -pinfected -mhe=on "$work/enc.7z" . >/dev/null \
    && tar -cf "$work/a.tar" . && gzip -c "$work/a.tar" > "$work/a.tar.gz")
  (cd "$work" && zip -q nested.zip a.zip)
  # the first byte picks the name and declared type (ArchiveParsersFuzzTest.NAMED): 0 zip, 1 7z, 3 gzip, 4 tar
  local kind file
  for pair in 0:a.zip 0:enc.zip 0:nested.zip 1:a.7z 1:enc.7z 3:a.tar.gz 4:a.tar; do
    kind="${pair%%:*}"; file="${pair#*:}"
    { printf "\\x0$kind"; cat "$work/$file"; } > "$dir/seed-$file"
  done
  # 5 docx: a document with an OLE object linked to a URL (oletools' test data, core/src/test/resources/files/README.md)
  { printf '\x05'; cat "$root/core/src/test/resources/files/oletools/sample_with_external_link_to_doc.docx"; } \
    > "$dir/seed-external-link.docx"
  rm -rf "$work"
}

seed_pdfs() {
  local dir="$corpus/io.mamori.core.link.PdfLinksFuzzTest/readsAnyPdf"
  [ -d "$dir" ] && return 0
  mkdir -p "$dir"
  # the test PDFs: plain, encrypted with an owner or a user password (RC4, AES-128, AES-256, object streams)
  cp "$root"/core/src/test/resources/files/pdf/*.pdf "$dir/"
}

command -v zip >/dev/null && command -v 7z >/dev/null || {
  echo "fuzz: needs zip and 7z (Debian: zip, p7zip-full) for the archive seeds" >&2; exit 1; }
seed_messages
seed_archives
seed_pdfs
cd "$root"
summary="$root/bench/out/fuzz-summary.txt"
mkdir -p "$root/bench/out/fuzz"
: > "$summary"
for t in "${targets[@]}"; do
  case "$t" in
    *.*) ;;
    *) wanted="$t"
       t="$(printf '%s\n' "${all[@]}" | grep -F "$wanted" | head -1 || true)"
       if [ -z "$t" ]; then echo "fuzz: no such target in this script's list: $wanted" >&2; exit 2; fi ;;
  esac
  class="io.mamori.core.${t%%#*}"
  method="${t#*#}"
  log="$root/bench/out/fuzz/${t//[#.]/-}.log"
  echo "== $class#$method, ${seconds} s"
  start=$(date +%s)
  status=0
  JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" ./mvnw -B -ntp -o verify -pl core \
    -Dtest="$class#$method" -Dsurefire.failIfNoSpecifiedTests=false -DskipITs > "$log" 2>&1 || status=$?
  # libFuzzer's last status line: executions, coverage (edges), features, corpus size
  last="$(grep -aE '^#[0-9]+' "$log" | tail -1 || true)"
  done_line="$(grep -aE '^Done [0-9]+ runs' "$log" | tail -1 || true)"
  if [ "$status" -eq 0 ]; then verdict="no finding"; else verdict="FINDING, see $log"; fi
  printf '%-70s %5ss  %s | %s | %s\n' "$t" "$(( $(date +%s) - start ))" "$verdict" "$done_line" "$last" | tee -a "$summary"
done
echo "summary in $summary"
