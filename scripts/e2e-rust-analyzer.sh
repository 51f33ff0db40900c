#!/usr/bin/env bash
# End to end: forklint's cargo-json output shown by a real rust-analyzer over LSP.
#
#   scripts/e2e-rust-analyzer.sh
#
# rust-analyzer: $RUST_ANALYZER, else ~/.local/ra/bin/rust-analyzer, else the one on PATH (a
# rustup proxy without the rust-analyzer component does not count). Without one: prints SKIP and
# exits 77 (the automake code for a skipped test), never 0: nothing was tested.
# forklint: $FORKLINT, else `cargo build` of this checkout. See docs/integrations.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/e2e/common.sh"

# A working rust-analyzer answers --version with "rust-analyzer <version>"; rustup's proxy
# without the component fails with "Unknown binary 'rust-analyzer'".
works() {
    [ -n "$1" ] && [ -x "$1" ] && "$1" --version 2>/dev/null | grep -q '^rust-analyzer '
}

ra=""
for candidate in "${RUST_ANALYZER:-}" "$HOME/.local/ra/bin/rust-analyzer" "$(command -v rust-analyzer || true)"; do
    if works "$candidate"; then
        ra="$candidate"
        break
    fi
done
if [ -z "$ra" ]; then
    echo "SKIP: no rust-analyzer found (set RUST_ANALYZER, or: rustup component add rust-analyzer)"
    exit 77
fi
if ! command -v python3 >/dev/null; then
    echo "SKIP: python3 not found"
    exit 77
fi

forklint="$(forklint_binary)"
[ -x "$forklint" ] || { echo "error: no forklint binary ($forklint)" >&2; exit 2; }
echo "using $("$ra" --version) at $ra"
echo "using $("$forklint" --version) at $forklint"
# The clippy-and-forklint wrapper as a second check command, when clippy is installed.
wrapper=()
if cargo clippy --version >/dev/null 2>&1; then
    wrapper=("$here/clippy-and-forklint.sh")
else
    echo "note: cargo clippy not found, the clippy-and-forklint.sh session is skipped"
fi
exec python3 "$here/e2e/rust_analyzer.py" "$ra" "$forklint" "${wrapper[@]}"
