#!/usr/bin/env bash
# End to end: the `forklint` hook of this repository's .pre-commit-hooks.yaml under the real
# pre-commit tool (`pre-commit try-repo`), on a temporary git repository.
#
#   scripts/e2e-pre-commit.sh
#
# pre-commit builds the hook with `cargo install --bins --root <env> --path .` (language: rust),
# a release build of forklint: a few minutes the first time. $CARGO_TARGET_DIR (default: a
# directory under the temporary one) is shared by the runs below, so only the first one compiles.
#
# try-repo checks out this repository's HEAD plus staged and modified tracked files; untracked
# files (a new, never `git add`ed file) are not part of the hook. Without pre-commit (or git, or
# cargo): prints SKIP and exits 77 (the automake code for a skipped
# test), never 0: nothing was tested. See docs/integrations.md.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"

for tool in pre-commit git cargo; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool not found (pip install pre-commit)"
        exit 77
    fi
done
git -C "$repo" rev-parse --verify -q HEAD >/dev/null || {
    echo "error: $repo needs a committed HEAD for pre-commit try-repo" >&2
    exit 2
}
echo "using $(pre-commit --version), $(cargo --version)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/forklint-e2e-pre-commit.XXXXXX")"
if [ -z "${E2E_KEEP:-}" ]; then
    trap 'rm -rf "$tmp"' EXIT
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$tmp/target}"
# pre-commit's store (its clone of this repository and the built hook) lives in try-repo's own
# temporary directory; keep everything else of pre-commit out of the user's cache too.
export PRE_COMMIT_HOME="$tmp/pre-commit-home"
export GIT_AUTHOR_NAME=e2e GIT_AUTHOR_EMAIL=e2e@example.invalid
export GIT_COMMITTER_NAME=e2e GIT_COMMITTER_EMAIL=e2e@example.invalid
export NO_COLOR=1

project="$tmp/project"
mkdir -p "$project/src" "$project/vendor"
cd "$project"
git init -q .
cat > Cargo.toml <<'TOML'
[package]
name = "precommit-demo"
version = "0.1.0"
edition = "2021"

[package.metadata.forklint.files]
extend-exclude = ["vendor/**"]
TOML
cat > src/lib.rs <<'RS'
//! a hazard: a blocking sleep in an async fn
mod util;

pub async fn poll() {
    std::thread::sleep(std::time::Duration::from_secs(1));
}
RS
cat > src/util.rs <<'RS'
//! clean
pub fn add(a: u32, b: u32) -> u32 {
    a + b
}
RS
# Excluded by the config: named on the command line by pre-commit, still skipped thanks to
# --force-exclude in the hook's entry.
cat > vendor/copied.rs <<'RS'
pub async fn vendored() {
    std::thread::sleep(std::time::Duration::from_secs(1));
}
RS
git add -A

status=0
run() { # expected-exit-code description files...
    local want="$1" what="$2"
    shift 2
    echo "==> pre-commit try-repo $repo forklint --files $* ($what)"
    local out code=0
    out="$(pre-commit try-repo "$repo" forklint --verbose --color never --files "$@" 2>&1)" || code=$?
    printf '%s\n' "$out" | sed -n '/^forklint\.*/,$p'
    if [ "$code" -ne "$want" ]; then
        echo "FAIL: exit code $code, expected $want ($what)"
        [ "$code" -eq 0 ] || [ "$want" -ne 0 ] || printf '%s\n' "$out"
        status=1
        return 1
    fi
    LAST_OUTPUT="$out"
}
expect() { # description pattern
    if ! grep -qE -- "$2" <<<"$LAST_OUTPUT"; then
        echo "FAIL: $1: no /$2/ in the output"
        status=1
    fi
}
expect_not() {
    if grep -qE -- "$2" <<<"$LAST_OUTPUT"; then
        echo "FAIL: $1: /$2/ in the output"
        status=1
    fi
}

if run 1 "a hazard: the hook fails" src/lib.rs src/util.rs; then
    expect "hook failed" '^forklint\.+Failed'
    expect "exit code" '- exit code: 1'
    expect "finding" 'FL003'
    expect "message" 'blocking call `std::thread::sleep` in async fn `poll`'
    expect "location" 'src/lib.rs:5'
    expect_not "clean file reported" 'src/util.rs:'
fi
# One run for both (each try-repo run rebuilds forklint from a fresh clone): the clean file is
# checked, the excluded one is not.
if run 0 "a clean file and an excluded one: the hook passes" src/util.rs vendor/copied.rs; then
    expect "hook passed" '^forklint\.+Passed'
    expect "only the clean file checked" 'No problems found in 1 file\.'
    expect_not "excluded file reported" 'FL003'
fi

if [ "$status" -eq 0 ]; then
    echo "OK: the pre-commit hook fails on the hazard and passes on clean and excluded files"
fi
exit "$status"
