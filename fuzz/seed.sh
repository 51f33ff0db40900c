#!/usr/bin/env bash
# Seeds the fuzz corpora: fixtures and the committed regression inputs for check_bytes and
# check_mutated, the nesting shapes of fuzz/nesting_seeds/ for check_nesting.
#   usage: fuzz/seed.sh      (from anywhere; writes fuzz/corpus/<target>/, which git ignores)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for target in check_bytes check_mutated; do
  mkdir -p "$HERE/corpus/$target"
  find "$HERE/../fixtures" "$HERE/regressions" -name '*.rs' -type f | while read -r f; do
    cp "$f" "$HERE/corpus/$target/$(sha1sum < "$f" | cut -c1-16).rs"
  done
done
# check_nesting takes shapes (HEAD\0OPEN\0MIDDLE\0CLOSE\0TAIL), not Rust files.
mkdir -p "$HERE/corpus/check_nesting"
cp "$HERE"/nesting_seeds/*.txt "$HERE/corpus/check_nesting/"
ls "$HERE/corpus/check_bytes" | wc -l
