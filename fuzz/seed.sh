#!/usr/bin/env bash
# Seeds the fuzz corpora: fixtures and the committed regression inputs for check_bytes and
# check_mutated, the nesting shapes of fuzz/nesting_seeds/ for check_nesting, and two cache entries.
#   usage: fuzz/seed.sh      (from anywhere; writes fuzz/corpus/<target>/, which git ignores)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for target in check_bytes check_mutated; do
  mkdir -p "$HERE/corpus/$target"
  find "$HERE/../fixtures" "$HERE/regressions" -name '*.rs' -type f | while read -r f; do
    cp "$f" "$HERE/corpus/$target/$(sha1sum < "$f" | cut -c1-16).rs"
  done
done
# cache_entry: a file's text, NUL, an entry payload (one valid, one with an offset inside `é`).
mkdir -p "$HERE/corpus/cache_entry"
entry='{"others":[],"checked":[0],"diagnostics":[{"phase":1,"code":"FL003","message":"m","file":0,"range":[%s],"primary_label":null,"labels":[],"notes":[],"help":null,"fix":[ "f",true,[[0,[%s],"x"]]]}],"errors":[]}'
printf "// \xc3\xa9\nasync fn f() { std::thread::sleep(d()); }\n\0$entry" "18,36" "18,36" > "$HERE/corpus/cache_entry/valid"
printf "// \xc3\xa9\nasync fn f() { std::thread::sleep(d()); }\n\0$entry" "4,8" "4,4" > "$HERE/corpus/cache_entry/inside-char"
# check_nesting takes shapes (HEAD\0OPEN\0MIDDLE\0CLOSE\0TAIL), not Rust files.
mkdir -p "$HERE/corpus/check_nesting"
cp "$HERE"/nesting_seeds/*.txt "$HERE/corpus/check_nesting/"
ls "$HERE/corpus/check_bytes" | wc -l
