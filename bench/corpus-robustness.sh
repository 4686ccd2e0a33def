#!/usr/bin/env bash
# Runs the robustness tests that read a whole corpus (every file parses and is read to its end, every message can be
# tagged, disarmed into valid MIME, and a forged Authentication-Results field removed byte-exactly; HTML sanitized in
# small pieces as whole) over a corpus directory (default ../shared/corpus). The test suite runs the same tests over
# the module's own test resources; this runs them over every file of the corpus.
#
#   bench/corpus-robustness.sh [CORPUS_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$(cd "${1:-$root/../shared/corpus}" && pwd)"
cd "$root"

./mvnw -B -ntp -o verify -pl core -DskipITs -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtest='CorpusRobustnessTest,DisarmTest#everyCorpusMessage*,DisarmedHtmlTest#smallPieces*,AuthResultsHeadersTest#removingAForgedField*' \
  -Dmamori.corpus="$corpus" | grep -E 'Tests run:|FAIL|ERROR|BUILD'
