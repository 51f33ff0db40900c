#!/bin/sh
# Run clippy and forklint for rust-analyzer: both print cargo's JSON messages on stdout.
#
#   "rust-analyzer.check.overrideCommand": ["scripts/clippy-and-forklint.sh"]
#
# Extra arguments go to clippy (e.g. "--workspace"). The exit status is clippy's if it failed,
# else forklint's; rust-analyzer reads only the messages.
set -u
cargo clippy --all-targets --message-format=json "$@"
clippy_status=$?
forklint check --output-format=cargo-json .
forklint_status=$?
if [ "$clippy_status" -ne 0 ]; then
    exit "$clippy_status"
fi
exit "$forklint_status"
