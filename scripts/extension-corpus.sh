#!/usr/bin/env bash
# Build forklint's extension corpus and run forklint on it: Rust extension modules for Python,
# taken from the source distributions (sdists) on PyPI, pinned in extension-corpus.lock.
#
#   usage: scripts/extension-corpus.sh [FORKLINT]
#     FORKLINT        the binary to run (default: target/debug/forklint, else target/release)
#     EXT_CORPUS_DIR  where the corpus goes (default: <temp dir>/forklint-extension-corpus)
#
# Each sdist is downloaded with `pip download --no-deps --no-binary NAME NAME==VERSION` (only that
# package's sdist; already-downloaded files are kept) into DIR/sdist and unpacked into
# DIR/src/NAME-VERSION. Then forklint runs once per package with `--output-format json`; the
# script prints, per package, the findings of the extension rules (FL008-FL010, FL005) and the
# run time, and writes the raw JSON to DIR/out/NAME-VERSION.json. The corpus itself is not part
# of the repository. Needs python3 with pip and access to PyPI (first run only).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
LOCK="$HERE/extension-corpus.lock"
DIR=${EXT_CORPUS_DIR:-${TMPDIR:-/tmp}/forklint-extension-corpus}
BIN=${1:-}
if [ -z "$BIN" ]; then
  if [ -x "$ROOT/target/debug/forklint" ]; then BIN="$ROOT/target/debug/forklint"
  else BIN="$ROOT/target/release/forklint"; fi
fi
mkdir -p "$DIR/sdist" "$DIR/src" "$DIR/out"

# Download and unpack.
while IFS=$'\t' read -r name version why; do
  case "$name" in ''|'#'*) continue ;; esac
  dest="$DIR/src/$name-$version"
  if [ -d "$dest" ]; then continue; fi
  norm=$(printf '%s' "$name" | tr '-' '_')
  file=$(ls "$DIR/sdist" 2>/dev/null | grep -iE "^($name|$norm)-$version\.(tar\.gz|zip)$" | head -1 || true)
  if [ -z "$file" ]; then
    echo "downloading $name $version" >&2
    if ! pip download --quiet --no-deps --no-binary "$name" "$name==$version" -d "$DIR/sdist" >&2; then
      echo "skip $name $version: download failed" >&2
      continue
    fi
    file=$(ls "$DIR/sdist" | grep -iE "^($name|$norm)-$version\.(tar\.gz|zip)$" | head -1 || true)
  fi
  [ -n "$file" ] || { echo "skip $name $version: no sdist" >&2; continue; }
  mkdir -p "$dest.tmp"
  case "$file" in
    *.zip) (cd "$dest.tmp" && python3 -m zipfile -e "$DIR/sdist/$file" .) ;;
    # Some sdists carry trailing garbage after the gzip stream: keep what tar unpacked.
    *) tar -xzf "$DIR/sdist/$file" -C "$dest.tmp" 2>/dev/null || echo "note: $file: tar reported an error, keeping what it unpacked" >&2 ;;
  esac
  mv "$dest.tmp" "$dest"
done < "$LOCK"

# Run forklint per package.
printf '%-28s %6s %6s %6s %6s %6s %8s\n' package rs-files FL005 FL008 FL009 FL010 seconds
total_start=$(date +%s.%N)
while IFS=$'\t' read -r name version why; do
  case "$name" in ''|'#'*) continue ;; esac
  dest="$DIR/src/$name-$version"
  [ -d "$dest" ] || continue
  nrs=$(find "$dest" -name '*.rs' | wc -l)
  if [ "$nrs" -eq 0 ]; then echo "skip $name $version: no Rust sources in the sdist" >&2; continue; fi
  out="$DIR/out/$name-$version.json"
  start=$(date +%s.%N)
  (cd "$dest" && "$BIN" check --no-cache --output-format json --exit-zero .) > "$out" 2> "$DIR/out/$name-$version.err" || true
  end=$(date +%s.%N)
  python3 - "$out" "$name-$version" "$nrs" "$(echo "$end - $start" | bc)" "$dest" <<'PY'
import json, sys
path, pkg, nrs, secs, root = sys.argv[1:6]
try:
    data = json.load(open(path))
except Exception as e:
    print(f"{pkg:<28} forklint output unreadable: {e}")
    sys.exit(0)
items = data.get("diagnostics", [])
counts = {c: 0 for c in ("FL005", "FL008", "FL009", "FL010")}
lines = []
for d in items:
    code = d.get("code")
    if code in counts:
        counts[code] += 1
        f = d.get("file") or "?"
        row = ((d.get("range") or {}).get("start") or {}).get("line", "?")
        lines.append(f"    {code} {f}:{row} {d.get('message', '')}")
print(f"{pkg:<28} {nrs:>6} " + " ".join(f"{counts[c]:>6}" for c in counts) + f" {float(secs):>8.2f}")
for l in lines:
    print(l)
PY
done < "$LOCK"
total_end=$(date +%s.%N)
echo "total forklint time: $(echo "$total_end - $total_start" | bc) s (including the summaries)"
