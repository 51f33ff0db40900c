#!/usr/bin/env bash
# The safety net of a refactoring: forklint's output on both corpora, before and after, must be
# byte-identical. Each side is a forklint binary or a git revision of this repository (built in a
# temporary worktree, with a target directory outside the repository).
#
#   usage: scripts/corpus-diff.sh OLD [NEW]
#          OLD, NEW: a path to a forklint binary, or a git revision (default NEW: the working tree,
#          built with `cargo build --release`)
#
# Both corpora are checked with `check --no-cache -j 2 --output-format json .` from their root,
# and also with `--output-format concise` (the text users read); the reports are kept in
# $OUT (default /tmp/forklint-corpus-diff). NEW also runs twice more with -v: both runs must
# agree, counts of resolved calls included (determinism). Exit 0 when every report is identical,
# 1 otherwise (the first lines of each diff are printed).
#
# Environment:
#   CORPUS_DIR            the shared corpus (default /tmp/forklint-corpus; corpus.sh builds it)
#   PRECISION_CORPUS_DIR  the precision corpus (default /tmp/forklint-precision-corpus;
#                         scripts/precision-corpus.sh builds it)
#   BENCH_DIR             the shared bench directory holding corpus.sh (default ../shared/bench)
#   DIFF_TARGET           CARGO_TARGET_DIR for building revisions (default /tmp/forklint-diff-target)
#   CORPUS_CACHE          when 1, check the cached path too: the new binary also runs with a fresh
#                         temporary FORKLINT_CACHE_DIR twice (cold cache, then warm cache), and both
#                         reports must be identical to the old binary's (uncached) report
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 1 ] || { sed -n '2,20p' "$0" >&2; exit 2; }
OLD=$1
NEW=${2:-}
OUT=${OUT:-/tmp/forklint-corpus-diff}
CORPUS_DIR=${CORPUS_DIR:-/tmp/forklint-corpus}
PRECISION_CORPUS_DIR=${PRECISION_CORPUS_DIR:-/tmp/forklint-precision-corpus}
if [ -z "${BENCH_DIR:-}" ]; then
  if [ -d "$HERE/../shared/bench" ]; then BENCH_DIR=$(cd "$HERE/../shared/bench" && pwd); else BENCH_DIR=/work/shared/bench; fi
fi
DIFF_TARGET=${DIFF_TARGET:-/tmp/forklint-diff-target}
case "$DIFF_TARGET" in "$HERE"*) echo "corpus-diff.sh: DIFF_TARGET must be outside the repository" >&2; exit 2 ;; esac
mkdir -p "$OUT"

# A binary for OLD/NEW: an executable path as given, else a revision built in a worktree.
binary() {
  local spec=$1 name=$2
  if [ -z "$spec" ]; then
    (cd "$HERE" && cargo build -q --release --bin forklint) >&2
    echo "${CARGO_TARGET_DIR:-$HERE/target}/release/forklint"
    return
  fi
  if [ -x "$spec" ] && [ -f "$spec" ]; then
    (cd "$(dirname "$spec")" && echo "$(pwd)/$(basename "$spec")")
    return
  fi
  local rev wt
  rev=$(git -C "$HERE" rev-parse --verify "$spec^{commit}") || { echo "corpus-diff.sh: $spec is neither a binary nor a revision" >&2; exit 2; }
  wt="$OUT/src-$name"
  rm -rf "$wt"
  git -C "$HERE" worktree add -q --detach "$wt" "$rev" >&2
  CARGO_TARGET_DIR="$DIFF_TARGET" cargo build -q --release --locked --bin forklint --manifest-path "$wt/Cargo.toml" >&2
  cp "$DIFF_TARGET/release/forklint" "$OUT/forklint-$name"
  git -C "$HERE" worktree remove --force "$wt" >&2
  echo "$OUT/forklint-$name"
}

[ -d "$CORPUS_DIR/vendor" ] || bash "$BENCH_DIR/corpus.sh" "$CORPUS_DIR" >&2
[ -d "$PRECISION_CORPUS_DIR/vendor" ] || bash "$HERE/scripts/precision-corpus.sh" "$PRECISION_CORPUS_DIR" >&2

OLD_BIN=$(binary "$OLD" old)
NEW_BIN=$(binary "$NEW" new)
echo "old: $OLD_BIN" >&2
echo "new: $NEW_BIN" >&2

status=0
for corpus in "$CORPUS_DIR/vendor" "$PRECISION_CORPUS_DIR/vendor"; do
  tag=$(basename "$(dirname "$corpus")")
  for format in json concise; do
    for side in old new; do
      bin=$OLD_BIN; [ "$side" = new ] && bin=$NEW_BIN
      # Exit 1 (findings) and 2 (tool errors: the corpora hold a few files syn cannot read) are
      # part of the output being compared, not failures of this script.
      rc=0
      (cd "$corpus" && "$bin" check --no-cache -j 2 --color never --output-format "$format" .) \
        > "$OUT/$tag.$format.$side" 2> "$OUT/$tag.$format.$side.stderr" || rc=$?
      echo "exit $rc" >> "$OUT/$tag.$format.$side"
    done
    sides=new
    if [ "${CORPUS_CACHE:-0}" = 1 ]; then
      # One cache directory per corpus and format: the first run fills it, the second reads it.
      cache=$(mktemp -d)
      for side in cold warm; do
        rc=0
        (cd "$corpus" && FORKLINT_CACHE_DIR="$cache" "$NEW_BIN" check -j 2 --color never --output-format "$format" .) \
          > "$OUT/$tag.$format.$side" 2> "$OUT/$tag.$format.$side.stderr" || rc=$?
        echo "exit $rc" >> "$OUT/$tag.$format.$side"
      done
      rm -rf "$cache"
      sides="new cold warm"
    fi
    for side in $sides; do
      label=$format; [ "$side" = new ] || label="$format, $side cache"
      if cmp -s "$OUT/$tag.$format.old" "$OUT/$tag.$format.$side"; then
        echo "identical: $tag ($label, $(wc -l < "$OUT/$tag.$format.$side") lines)"
      else
        status=1
        echo "DIFFERENT: $tag ($label): diff $OUT/$tag.$format.old $OUT/$tag.$format.$side"
        diff "$OUT/$tag.$format.old" "$OUT/$tag.$format.$side" | head -40 || true
      fi
    done
  done
  # Determinism: NEW twice more, -v, its facts must not depend on which worker lowered which
  # file (a pointer compared across dropped trees once changed the resolved calls from run to
  # run while the reports happened to agree).
  for run in 1 2; do
    (cd "$corpus" && "$NEW_BIN" check --no-cache -j 2 -v --color never --output-format json .) \
      > "$OUT/$tag.det$run" 2> "$OUT/$tag.det$run.stderr" || true
    grep -E '^forklint: checked [0-9]+ files' "$OUT/$tag.det$run.stderr" | sed 's/ in [0-9]* ms//' >> "$OUT/$tag.det$run"
  done
  if cmp -s "$OUT/$tag.det1" "$OUT/$tag.det2"; then
    echo "deterministic: $tag (two -v runs of new agree, call resolution included)"
  else
    status=1
    echo "NONDETERMINISTIC: $tag: diff $OUT/$tag.det1 $OUT/$tag.det2"
    diff "$OUT/$tag.det1" "$OUT/$tag.det2" | head -10 || true
  fi
done
exit $status
