#!/usr/bin/env bash
# Build forklint's precision corpus: real programs and libraries that fork, use pre_exec or
# spawn processes, plus async services on tokio, from crates.io, vendored into one tree.
#
#   usage: scripts/precision-corpus.sh [DIR]     (default DIR: /tmp/forklint-precision-corpus)
#
# DIR gets a throwaway cargo project; its dependencies are vendored into DIR/vendor (one
# directory per crate, "name-version"). Only crates that a build for this host would compile
# are kept (cargo vendor also brings every Windows/wasm-only crate), and pre-generated FFI
# binding crates listed in EXCLUDE are dropped. The corpus root is DIR/vendor. Then:
#
#   forklint check --output-format concise DIR/vendor
#
# Reproducible: direct dependencies are pinned with "=", transitive ones by
# precision-corpus.lock next to this script (copied in as Cargo.lock; --locked). Without that
# file a fresh lock is generated (copy DIR/Cargo.lock back to pin it). Idempotent: a stamp
# records what was built; a re-run with the same inputs only recounts. Needs cargo and access
# to crates.io (first run only). Same pattern as the bench directory's corpus.sh.
set -euo pipefail

DIR=${1:-/tmp/forklint-precision-corpus}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOCK="$HERE/precision-corpus.lock"
# Pre-generated bindgen output (linux-raw-sys: 480k lines for every arch; aws-lc-sys: 385k lines
# of bindings, pulled in by sccache's TLS stack): not code anyone writes or lints.
EXCLUDE=(linux-raw-sys aws-lc-sys)

mkdir -p "$DIR/src"
cd "$DIR"
[ -f src/lib.rs ] || : > src/lib.rs

cat > Cargo.toml.new <<'TOML'
[package]
name = "forklint-precision-corpus"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
# Terminals and ptys: fork/setsid/pre_exec around a child shell.
alacritty_terminal = "=0.26.0"
portable-pty = "=0.9.0"
pty-process = { version = "=0.5.4", features = ["async"] }
rexpect = "=0.7.1"
# Process spawning helpers built on pre_exec.
command-fds = "=0.3.3"
command-group = { version = "=5.0.1", features = ["with-tokio"] }
process-wrap = { version = "=10.0.1", features = ["std", "tokio1", "reset-sigmask"] }
close_fds = "=0.3.2"
async-process = "=2.5.0"
# Daemons and raw fork.
daemonize = "=0.5.0"
fork = "=0.11.0"
nix = { version = "=0.32.0", features = ["process", "signal", "fs", "term", "ioctl", "pthread", "user", "resource"] }
# Programs that fork/exec at scale.
sccache = "=0.19.0"
sudo-rs = "=0.2.15"
watchexec = "=8.4.4"
# Runtimes and async services.
async-std = { version = "=1.13.2", features = ["unstable"] }
axum = "=0.8.9"
smol = "=2.0.2"
tokio = { version = "=1.54.1", features = ["full"] }
warp = { version = "=0.4.3", features = ["server"] }
TOML
mv Cargo.toml.new Cargo.toml
if [ -f "$LOCK" ]; then
  cp "$LOCK" Cargo.lock
  LOCKED=--locked
else
  cargo generate-lockfile -q
  LOCKED=
fi

stamp=$( (cat Cargo.toml Cargo.lock; echo "${EXCLUDE[*]}") | sha256sum | cut -c1-16)
if [ "$(cat .corpus-stamp 2>/dev/null)" != "$stamp" ] || [ ! -d vendor ]; then
  rm -rf vendor .corpus-stamp
  cargo vendor -q $LOCKED --versioned-dirs vendor > /dev/null
  # Keep what a build for this host compiles (normal + build deps, proc macros).
  cargo tree -q $LOCKED -e normal,build --prefix none --format '{p}' \
    | sed 's/ (.*//; s/ v/-/' | grep -v '^forklint-precision-corpus-' | sort -u > keep.txt
  for d in vendor/*/; do
    c=$(basename "$d")
    grep -qxF "$c" keep.txt || rm -rf "$d"
  done
  for x in "${EXCLUDE[@]}"; do rm -rf vendor/"$x"-[0-9]*; done
  echo "$stamp" > .corpus-stamp
fi

# Per-crate counts (files, lines, bytes of .rs) and totals.
for d in vendor/*/; do
  find "$d" -name '*.rs' -type f -print0 | xargs -0r cat | wc -lc \
    | awk -v c="$(basename "$d")" -v f="$(find "$d" -name '*.rs' -type f | wc -l)" \
        '{printf "%s\t%d\t%d\t%d\n", c, f, $1, $2}'
done | sort -t$'\t' -k3,3nr > crates.tsv

awk -F'\t' -v root="$DIR/vendor" '
  { n++; f += $2; l += $3; b += $4 }
  END { printf "corpus root: %s\ncrates: %d\n.rs files: %d\nlines: %d\nMB: %.1f\n", root, n, f, l, b / 1e6 }
' crates.tsv
