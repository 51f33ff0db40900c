#!/usr/bin/env bash
# The macro-argument budget (issue 15: parsing macro arguments may cost at most 0.05x of the cold
# ratio): this tree built as usual against the same tree built with the `bench-no-macro-args`
# feature (no macro argument parsed or lowered, std's assertions kept as macros), and the parse
# floor, alternating, on the shared corpus. Prints each program's median and minimum wall and cpu
# time, and the cost of macro arguments as (full - none) / floor, for wall and for cpu: from the
# medians, as the median of each round's own cost, and from the minima.
#
#   usage: scripts/macro-budget.sh [ROUNDS]        (default 8)
#          scripts/macro-budget.sh --instructions  the same comparison in instructions executed
#            (valgrind's callgrind, one thread each, `--separate-threads=yes`): a count that the
#            neighbours of a shared machine cannot move, about 10 minutes on 2 cores. The thread
#            that frees the fact model in the background is left out: it races the process's exit,
#            so its count changes from run to run (a run that exits first skips it).
#
# Environment: CORPUS_DIR (default /tmp/forklint-corpus), PF (a parse-floor binary, default
# /tmp/parse-floor-target/release/parse-floor; scripts/bench.sh builds it), TARGET_BASE (where the
# two builds go, default /tmp/forklint-macro-budget; never inside the repository).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
INSTRUCTIONS=0
if [ "${1:-}" = --instructions ]; then INSTRUCTIONS=1; shift; fi
ROUNDS=${1:-8}
CORPUS_DIR=${CORPUS_DIR:-/tmp/forklint-corpus}
PF=${PF:-/tmp/parse-floor-target/release/parse-floor}
TARGET_BASE=${TARGET_BASE:-/tmp/forklint-macro-budget}
case "$TARGET_BASE" in "$HERE"*) echo "macro-budget.sh: TARGET_BASE must be outside the repository" >&2; exit 2 ;; esac
[ -x "$PF" ] || { echo "macro-budget.sh: no parse-floor at $PF (run scripts/bench.sh once)" >&2; exit 2; }
[ -d "$CORPUS_DIR" ] || { echo "macro-budget.sh: no corpus at $CORPUS_DIR" >&2; exit 2; }
(cd "$HERE" && CARGO_TARGET_DIR="$TARGET_BASE/full" cargo build -q --release --bin forklint)
(cd "$HERE" && CARGO_TARGET_DIR="$TARGET_BASE/none" cargo build -q --release --bin forklint --features bench-no-macro-args)
FULL="$TARGET_BASE/full/release/forklint"
NONE="$TARGET_BASE/none/release/forklint"
cd "$CORPUS_DIR"
if [ "$INSTRUCTIONS" = 1 ]; then
    command -v valgrind >/dev/null || { echo "macro-budget.sh: --instructions needs valgrind" >&2; exit 2; }
    OUT=$(mktemp -d)
    trap 'rm -rf "$OUT"' EXIT
    count() { # NAME CMD...: callgrind, one output file per thread
        local name=$1 rc=0; shift
        valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$OUT/$name.out" \
            --log-file="$OUT/$name.log" "$@" >/dev/null 2>"$OUT/$name.err" || rc=$?
        # forklint exits with 1 when it reports findings; 2 is an error.
        if [ "$rc" -gt 1 ]; then cat "$OUT/$name.err" "$OUT/$name.log" >&2; return 1; fi
    }
    count full "$FULL" check --no-cache -j 1 . &
    full_pid=$!
    count none "$NONE" check --no-cache -j 1 . &
    none_pid=$!
    wait "$full_pid" && wait "$none_pid"
    count floor "$PF" --threads 1 .
    python3 - "$OUT" <<'PY'
import glob, re, sys
out = sys.argv[1]
def total(name):
    kept, left = 0, 0
    for path in sorted(glob.glob(f"{out}/{name}.out-*")):
        text = open(path, errors="replace").read()
        n = int(re.search(r"^summary: (\d+)", text, re.M).group(1))
        # The thread that frees the fact model (`forklint-drop`, src/driver/analyse.rs).
        if "drop_in_place<forklint::model::Model>" in text and "analyse_set" not in text:
            left += n
        else:
            kept += n
    return kept, left
counts = {name: total(name) for name in ("full", "none", "floor")}
for name, (kept, left) in counts.items():
    extra = f" (and {left:,} in the thread freeing the fact model, left out)" if left else ""
    print(f"{name:5}: {kept:,} instructions{extra}")
full, none, floor = (counts[n][0] for n in ("full", "none", "floor"))
print(f"forklint / floor: {full / floor:.3f}x (without macro arguments {none / floor:.3f}x)")
print(f"macro arguments, instructions: {(full - none) / floor:.3f}x of the floor, budget 0.05x")
PY
    exit 0
fi
python3 - "$ROUNDS" "$FULL" "$NONE" "$PF" <<'PY'
import statistics, subprocess, sys
rounds, full, none, pf = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
cmds = {
    "full": [full, "check", "--no-cache", "-j", "2", "."],
    "none": [none, "check", "--no-cache", "-j", "2", "."],
    "floor": [pf, "--threads", "2", "."],
}
wall = {k: [] for k in cmds}
cpu = {k: [] for k in cmds}
for _ in range(rounds):
    for name, cmd in cmds.items():
        out = subprocess.run(["/usr/bin/time", "-f", "TIME %e %U %S"] + cmd,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr
        e, u, s = next(l for l in out.splitlines() if l.startswith("TIME")).split()[1:]
        wall[name].append(float(e))
        cpu[name].append(float(u) + float(s))
med = lambda xs: statistics.median(xs)
for name in cmds:
    print(f"{name:5}: wall median {med(wall[name]):.3f} s (min {min(wall[name]):.3f}), "
          f"cpu median {med(cpu[name]):.3f} s (min {min(cpu[name]):.3f})")
for what, d in (("wall", wall), ("cpu", cpu)):
    cost = (med(d["full"]) - med(d["none"])) / med(d["floor"])
    low = (min(d["full"]) - min(d["none"])) / min(d["floor"])
    # Each round's own cost (its three runs follow each other, so drift between rounds cancels).
    per_round = med([(f - n) / p for f, n, p in zip(d["full"], d["none"], d["floor"])])
    print(f"macro arguments, {what}: {cost:.3f}x of the floor (medians; {per_round:.3f}x per round, "
          f"{low:.3f}x from minima), budget 0.05x")
PY
