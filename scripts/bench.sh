#!/usr/bin/env bash
# Benchmark forklint against the parse floor (walk + read + syn::parse_file, no linting) on the
# shared corpus, and print one Markdown table.
#
#   usage: scripts/bench.sh [RUNS]            (default RUNS: 5; env RUNS also works)
#          scripts/bench.sh --judge [PAIRS]   the cold-run judgement alone (default 5 pairs):
#            `forklint check --no-cache -j 2 --output-format json` on the corpus against
#            `parse-floor --threads 2`, alternating pairs, printed as the ratio of the medians
#            (and the median of the per-pair ratios beside it)
#
# Environment:
#   CORPUS_DIR   corpus directory (default /tmp/forklint-corpus; built by corpus.sh if missing)
#   BENCH_DIR    the shared bench directory holding corpus.sh and parse-floor/
#                (default: ../shared/bench next to this repository, else /work/shared/bench)
#   PF_TARGET    CARGO_TARGET_DIR for parse-floor (default /tmp/parse-floor-target; never inside
#                the repository or the shared directory)
#   FORKLINT     a forklint binary to measure (default: build this repository with
#                `cargo build --release` and use $CARGO_TARGET_DIR/release/forklint)
#
#   TOUCH_FILE   the file (relative to the corpus root) edited for the "one file touched" row
#                (default: the first */src/lib.rs); the cache rows run on a temporary copy of the
#                corpus, so the corpus itself is never modified
#
# Method: one warm-up run of each program, then RUNS interleaved pairs (forklint, parse-floor,
# forklint, parse-floor, ...) per thread count, so that machine drift cancels within a pair.
# Wall time, CPU time and peak RSS come from GNU time (`/usr/bin/time`; `apt-get install time` if missing).
# Figures are medians (min-max); ratios are the median of the per-pair ratios. The page cache is
# warm; "cold" means forklint runs with --no-cache. Cache rows (2 threads): RUNS interleaved
# quadruples (cold --no-cache, warm: nothing changed since the last cached run, one file touched:
# a comment appended to TOUCH_FILE in a copy of the corpus, one file edited: a line inserted at
# the top of TOUCH_FILE, so that every span below it moves and the units that depend on its
# package are analysed again; the file is restored after each), with the cache in a temporary directory
# ($FORKLINT_CACHE_DIR); ratios are the median of the per-triple ratios to the cold run.
set -euo pipefail

JUDGE=0
if [ "${1:-}" = --judge ]; then JUDGE=1; shift; fi
RUNS=${1:-${RUNS:-5}}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS_DIR=${CORPUS_DIR:-/tmp/forklint-corpus}
if [ -z "${BENCH_DIR:-}" ]; then
  if [ -d "$HERE/../shared/bench" ]; then BENCH_DIR=$(cd "$HERE/../shared/bench" && pwd); else BENCH_DIR=/work/shared/bench; fi
fi
PF_TARGET=${PF_TARGET:-/tmp/parse-floor-target}
TIME=/usr/bin/time

die() { echo "bench.sh: $*" >&2; exit 2; }
[ -x "$TIME" ] || die "GNU time not found at $TIME (install it: apt-get install time)"
"$TIME" -f %M true >/dev/null 2>&1 || die "$TIME is not GNU time (install it: apt-get install time)"
[ -f "$BENCH_DIR/corpus.sh" ] || die "no corpus.sh in $BENCH_DIR (set BENCH_DIR)"
case "$PF_TARGET" in "$HERE"*|"$BENCH_DIR"*) die "PF_TARGET must be outside the repository and $BENCH_DIR" ;; esac

# Corpus.
if [ ! -d "$CORPUS_DIR/vendor" ]; then
  echo "building the corpus in $CORPUS_DIR ..." >&2
  bash "$BENCH_DIR/corpus.sh" "$CORPUS_DIR" >&2
fi
ROOT="$CORPUS_DIR/vendor"

# Binaries.
echo "building parse-floor (CARGO_TARGET_DIR=$PF_TARGET) ..." >&2
CARGO_TARGET_DIR="$PF_TARGET" cargo build -q --release --manifest-path "$BENCH_DIR/parse-floor/Cargo.toml" >&2
PF="$PF_TARGET/release/parse-floor"
if [ -z "${FORKLINT:-}" ]; then
  echo "building forklint ..." >&2
  (cd "$HERE" && cargo build -q --release --bin forklint) >&2
  FORKLINT="${CARGO_TARGET_DIR:-$HERE/target}/release/forklint"
fi
[ -x "$FORKLINT" ] || die "no forklint binary at $FORKLINT"
NO_CACHE=()
if "$FORKLINT" check --help 2>/dev/null | grep -q -- '--no-cache'; then NO_CACHE=(--no-cache); fi

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# measure OUTFILE CMD...: appends "wall_s max_rss_kib" to OUTFILE.
measure() {
  local out=$1; shift
  local status=0
  "$TIME" -f '%e %M %U %S' -o "$TMP/time" "$@" >/dev/null 2>"$TMP/stderr" || status=$?
  # forklint exits 1 when it reports findings, which the corpus has.
  if [ "$status" -gt 1 ]; then
    echo "bench.sh: '$*' exited $status:" >&2; tail -5 "$TMP/stderr" >&2; exit 2
  fi
  # wall_s max_rss_kib cpu_s (user + system)
  tail -1 "$TMP/time" | awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' >> "$out"
}


if [ "$JUDGE" = 1 ]; then
  echo "judge: warm-up ..." >&2
  measure "$TMP/warmup" "$FORKLINT" check --no-cache -j 2 --output-format json "$ROOT"
  measure "$TMP/warmup" "$PF" --threads 2 "$ROOT"
  for i in $(seq "$RUNS"); do
    echo "judge: pair $i/$RUNS ..." >&2
    measure "$TMP/fl" "$FORKLINT" check --no-cache -j 2 --output-format json "$ROOT"
    measure "$TMP/pf" "$PF" --threads 2 "$ROOT"
  done
  fl=$(awk '{ print $1 }' "$TMP/fl" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  pf=$(awk '{ print $1 }' "$TMP/pf" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  per_pair=$(paste -d' ' "$TMP/fl" "$TMP/pf" | awk '{ print $1 / $4 }' | sort -g | awk '{ v[NR] = $1 } END { printf "%.2fx", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  echo "forklint walls: $(awk '{ printf "%s ", $1 }' "$TMP/fl")"
  echo "parse-floor walls: $(awk '{ printf "%s ", $1 }' "$TMP/pf")"
  awk -v a="$fl" -v b="$pf" -v p="$per_pair" -v n="$RUNS" -v l="$LOAD" 'BEGIN {
    printf "cold, 2 threads, %d pairs: forklint median %.2f s, parse-floor median %.2f s, ratio of medians %.2fx (median per-pair ratio %s; load before %s)\n", n, a, b, a / b, p, l }'
  exit 0
fi

for j in 1 2; do
  echo "threads $j: warm-up ..." >&2
  measure "$TMP/warmup" "$FORKLINT" check --output-format json "${NO_CACHE[@]}" -j "$j" "$ROOT"
  measure "$TMP/warmup" "$PF" --threads "$j" "$ROOT"
  for i in $(seq "$RUNS"); do
    echo "threads $j: pair $i/$RUNS ..." >&2
    measure "$TMP/fl$j" "$FORKLINT" check --output-format json "${NO_CACHE[@]}" -j "$j" "$ROOT"
    measure "$TMP/pf$j" "$PF" --threads "$j" "$ROOT"
  done
done

# Cache rows: cold (--no-cache), warm, one file touched; 2 threads.
CACHE_ROWS=0
if [ ${#NO_CACHE[@]} -gt 0 ]; then
  CACHE_ROWS=1
  export FORKLINT_CACHE_DIR="$TMP/cache"
  if [ -z "${TOUCH_FILE:-}" ]; then
    # The first */src/lib.rs, without a pipe into `head` (under pipefail, `ls` could die of
    # SIGPIPE when `head` exits first, and the script with it: exit 141).
    libs=("$ROOT"/*/src/lib.rs)
    TOUCH_FILE="./${libs[0]#"$ROOT"/}"
  fi
  echo "cache rows: copying the corpus ..." >&2
  cp -r "$ROOT" "$TMP/corpus"
  CROOT="$TMP/corpus"
  TOUCHED="$CROOT/$TOUCH_FILE"
  cp "$TOUCHED" "$TMP/touched.orig"
  echo "cache rows: priming the cache ..." >&2
  measure "$TMP/warmup" "$FORKLINT" check --output-format json -j 2 "$CROOT"
  for i in $(seq "$RUNS"); do
    echo "cache rows: triple $i/$RUNS ..." >&2
    measure "$TMP/cold" "$FORKLINT" check --output-format json --no-cache -j 2 "$CROOT"
    measure "$TMP/warm" "$FORKLINT" check --output-format json -j 2 "$CROOT"
    printf '\n// bench edit %s\n' "$i" >> "$TOUCHED"
    measure "$TMP/touched" "$FORKLINT" check --output-format json -j 2 "$CROOT"
    cp "$TMP/touched.orig" "$TOUCHED"
    # $i lines: every edit moves the spans by another amount, so no earlier entry can match.
    { for _ in $(seq "$i"); do printf '// bench edit %s\n' "$i"; done; cat "$TMP/touched.orig"; } > "$TOUCHED"
    measure "$TMP/edited" "$FORKLINT" check --output-format json -j 2 "$CROOT"
    cp "$TMP/touched.orig" "$TOUCHED"
  done
  unset FORKLINT_CACHE_DIR
fi

# stats FILE COLUMN [SCALE]: "median (min-max)" of a column.
stats() {
  awk -v c="$2" -v s="${3:-1}" '{ print $c / s }' "$1" | sort -g | awk '
    { v[NR] = $1 }
    END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%.2f (%.2f-%.2f)", m, v[1], v[NR]
    }'
}
# ratio A B COLUMN: median of per-pair ratios A/B.
ratio() {
  paste -d' ' "$1" "$2" | awk -v c="$3" '{ n = split($0, f, " "); half = n / 2; print f[c] / f[half + c] }' \
    | sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2fx", m }'
}
median() { awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

fl1=$(median "$TMP/fl1" 1); fl2=$(median "$TMP/fl2" 1)
pf1=$(median "$TMP/pf1" 1); pf2=$(median "$TMP/pf2" 1)
scale_fl=$(awk -v a="$fl1" -v b="$fl2" 'BEGIN { printf "%.2fx", a / b }')
scale_pf=$(awk -v a="$pf1" -v b="$pf2" 'BEGIN { printf "%.2fx", a / b }')

files=$(find "$ROOT" -name '*.rs' -type f | wc -l)
cat <<EOF

forklint: $("$FORKLINT" --version 2>/dev/null || echo "$FORKLINT")  
corpus: $ROOT ($files .rs files); $RUNS interleaved pairs per row, median (min-max)  
machine: $(nproc) cores, load average before the run $LOAD, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)

| measure | forklint | parse-floor | forklint / parse-floor |
|---|---|---|---|
| cold run, 1 thread, wall s | $(stats "$TMP/fl1" 1) | $(stats "$TMP/pf1" 1) | $(ratio "$TMP/fl1" "$TMP/pf1" 1) |
| cold run, 2 threads, wall s | $(stats "$TMP/fl2" 1) | $(stats "$TMP/pf2" 1) | $(ratio "$TMP/fl2" "$TMP/pf2" 1) |
| scaling 1 -> 2 threads (median wall 1 / 2) | $scale_fl | $scale_pf | |
| cpu (user + system), 1 thread, s | $(stats "$TMP/fl1" 3) | $(stats "$TMP/pf1" 3) | $(ratio "$TMP/fl1" "$TMP/pf1" 3) |
| cpu (user + system), 2 threads, s | $(stats "$TMP/fl2" 3) | $(stats "$TMP/pf2" 3) | $(ratio "$TMP/fl2" "$TMP/pf2" 3) |
| peak RSS, 1 thread, MiB | $(stats "$TMP/fl1" 2 1024) | $(stats "$TMP/pf1" 2 1024) | $(ratio "$TMP/fl1" "$TMP/pf1" 2) |
| peak RSS, 2 threads, MiB | $(stats "$TMP/fl2" 2 1024) | $(stats "$TMP/pf2" 2 1024) | $(ratio "$TMP/fl2" "$TMP/pf2" 2) |
EOF
if [ "$CACHE_ROWS" = 1 ]; then
  cat <<EOF

| measure, 2 threads | forklint wall s | cpu s | ratio to cold (wall, per triple) |
|---|---|---|---|
| cold run (\`--no-cache\`) | $(stats "$TMP/cold" 1) | $(stats "$TMP/cold" 3) | 1.00x |
| warm re-run (nothing changed) | $(stats "$TMP/warm" 1) | $(stats "$TMP/warm" 3) | $(ratio "$TMP/warm" "$TMP/cold" 1) |
| one file touched (${TOUCH_FILE#./}: a comment appended) | $(stats "$TMP/touched" 1) | $(stats "$TMP/touched" 3) | $(ratio "$TMP/touched" "$TMP/cold" 1) |
| one file edited (the same file: a line inserted at the top, every span below moves) | $(stats "$TMP/edited" 1) | $(stats "$TMP/edited" 3) | $(ratio "$TMP/edited" "$TMP/cold" 1) |
EOF
fi
