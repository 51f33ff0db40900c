#!/usr/bin/env bash
# End to end: `forklint server` in a real editor, headless Neovim.
#
#   scripts/e2e-neovim.sh
#
# Copies the FL003 fixture crate `crate_sync_helper` to a temporary directory (with a `"ü𝄞"`
# string put before the first finding, so columns cross multi-byte characters), has Neovim's
# own LSP client (`vim.lsp.start`, or `vim.lsp.start_client` before Neovim 0.8) start
# `forklint server` on it, and compares `vim.diagnostic.get()` with what `forklint check
# --output-format json` reports for the file; then deletes a line without saving and waits for
# its findings to go. Prints SKIP and exits 0 when `nvim` is absent, else PASS or FAIL lines
# (exit 1 on any FAIL). nvim: $NVIM_BIN, else the one on PATH. forklint: $FORKLINT, else
# `cargo build` of this checkout. See docs/integrations.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/e2e/common.sh"

nvim="${NVIM_BIN:-$(command -v nvim || true)}"
if [ -z "$nvim" ] || [ ! -x "$nvim" ]; then
    echo "SKIP: nvim not found (apt-get install neovim)"
    exit 0
fi
forklint="$(forklint_binary)"
[ -x "$forklint" ] || { echo "error: no forklint binary ($forklint)" >&2; exit 2; }
echo "using $("$nvim" --version | head -n 1) at $nvim"
echo "using $("$forklint" --version) at $forklint"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -R "$here/../fixtures/FL003-blocking-call-in-async/crate_sync_helper" "$work/crate"
root="$(cd "$work/crate" && pwd -P)"
file="$root/src/main.rs"
sed -i 's/^    let data = load(/    let _s = "ü𝄞"; let data = load(/' "$file"

# What `check` reports for the file: line, byte column (Neovim's unit), code, message.
(cd "$root" && "$forklint" check --no-cache --output-format json src/main.rs || true) |
    python3 -c '
import json, sys
text = open(sys.argv[1], encoding="utf-8").read().encode()
rows = []
for d in json.load(sys.stdin)["diagnostics"]:
    start = d["range"]["start"]
    line_start = text.rfind(b"\n", 0, start["offset"]) + 1
    rows.append("%d:%d:%s:%s" % (start["line"], start["offset"] - line_start, d["code"], d["message"]))
print("\n".join(sorted(rows)))
' "$file" >"$work/expected"
if [ ! -s "$work/expected" ]; then
    echo "FAIL: forklint check found nothing in the fixture"
    exit 1
fi
# The line of the last finding is deleted (unsaved) in the second step.
delete_line="$(cut -d: -f1 "$work/expected" | sort -n | tail -n 1)"

E2E_FILE="$file" E2E_ROOT="$root" E2E_EXPECTED="$work/expected" E2E_RESULT="$work/result" \
    E2E_DELETE_LINE="$delete_line" FORKLINT="$forklint" \
    timeout 180 "$nvim" --headless --clean -n -u NONE -c "luafile $here/e2e/neovim.lua" \
    >/dev/null 2>"$work/nvim.log" </dev/null || true
if [ ! -s "$work/result" ]; then
    echo "FAIL: Neovim wrote no result"
    cat "$work/nvim.log" >&2
    exit 1
fi
cat "$work/result"
if grep -q '^FAIL' "$work/result"; then
    exit 1
fi
