# Shared by the e2e scripts: the forklint binary to test.
#
# $FORKLINT if set, else `cargo build` of this checkout (honours $CARGO_TARGET_DIR) and the
# binary cargo reports.
forklint_binary() {
    if [ -n "${FORKLINT:-}" ]; then
        printf '%s\n' "$FORKLINT"
        return
    fi
    local repo
    repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
    cargo build --quiet --locked --manifest-path "$repo/Cargo.toml" --bin forklint \
        --message-format=json |
        python3 -c '
import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "forklint" and msg.get("executable"):
        print(msg["executable"])
'
}
