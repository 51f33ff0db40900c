#!/usr/bin/env bash
# Seeds both fuzz corpora with the fixtures and the committed regression inputs.
#   usage: fuzz/seed.sh      (from anywhere; writes fuzz/corpus/<target>/, which git ignores)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for target in check_bytes check_mutated; do
  mkdir -p "$HERE/corpus/$target"
  find "$HERE/../fixtures" "$HERE/regressions" -name '*.rs' -type f | while read -r f; do
    cp "$f" "$HERE/corpus/$target/$(sha1sum < "$f" | cut -c1-16).rs"
  done
done
ls "$HERE/corpus/check_bytes" | wc -l
