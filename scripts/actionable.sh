#!/usr/bin/env bash
# Run forklint three ways on a corpus for the actionable/noise measurement (docs/precision.md,
# "Actionable or noise"): (a) default settings, (b) every rule allowed in test code (what (a)
# loses is the fork findings in test code), (c) FL002 and FL003 enabled in test code (the
# findings test code holds back by default), then classify with scripts/actionable.py.
#
#   usage: scripts/actionable.sh CORPUS_DIR OUT_DIR [FORKLINT]
#
# CORPUS_DIR is a corpus root holding vendor/ (scripts/precision-corpus.sh, or the benchmark
# corpus); FORKLINT defaults to `forklint` on PATH. Writes OUT_DIR/{a,b,c}.jsonl and
# OUT_DIR/actionable.md.
set -euo pipefail

CORPUS=$(cd "$1" && pwd)
OUT=$(mkdir -p "$2" && cd "$2" && pwd)
F=${3:-forklint}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

cat > "$OUT/tests-allow.toml" <<'TOML'
[test-lints]
FL001 = "allow"
FL002 = "allow"
FL003 = "allow"
FL004 = "allow"
FL005 = "allow"
FL006 = "allow"
FL007 = "allow"
TOML
cat > "$OUT/tests-warn.toml" <<'TOML'
[test-lints]
FL002 = "warn"
FL003 = "warn"
TOML

run() {  # run NAME [ARGS...]
    local name=$1
    shift
    (cd "$CORPUS" && "$F" check --no-cache -j 2 --exit-zero --output-format json-lines "$@" vendor) \
        > "$OUT/$name.jsonl"
    echo "$name: $(wc -l < "$OUT/$name.jsonl") findings" >&2
}

run a
run b --config "$OUT/tests-allow.toml"
run c --config "$OUT/tests-warn.toml"
for mode in "" --noise --held-back --list; do
    python3 "$HERE/actionable.py" "$OUT/a.jsonl" "$OUT/b.jsonl" "$OUT/c.jsonl" $mode
    echo
done > "$OUT/actionable.md"
echo "wrote $OUT/actionable.md" >&2
