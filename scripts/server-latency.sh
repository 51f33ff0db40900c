#!/usr/bin/env bash
# Latency of `forklint server`: didChange -> publishDiagnostics for one file of a crate.
#
#   scripts/server-latency.sh PATH/TO/FILE.rs [EDITS]
#
# Starts the server (release build: $FORKLINT, else `cargo build --release` of this checkout),
# opens FILE (the first check: didOpen -> publishDiagnostics), then makes EDITS (default 20)
# unsaved edits, each appending an async fn with a distinct blocking call so that every edit
# changes the findings and is published. Prints the first check, then the medians over the
# edits of: the end-to-end time (didChange sent -> publishDiagnostics received, the debounce
# included), that time less the debounce (from the moment the debounce fires), and the
# server's own check time (its window/logMessage "checked ... in N ms"). Nothing is written.
#
# EDIT=body: every edit rewrites the body of one appended `async fn latency_probe` instead,
# alternating two blocking calls (the findings still change each time), so the crate's functions
# stay the same after the first edit: the case where the server keeps the summary inputs of
# the other files (what a user typing inside a function does).
set -euo pipefail
file="$(cd "$(dirname "$1")" && pwd -P)/$(basename "$1")"
edits="${2:-20}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "${FORKLINT:-}" ]; then
    cargo build --quiet --release --locked --manifest-path "$repo/Cargo.toml" --bin forklint
    FORKLINT="${CARGO_TARGET_DIR:-$repo/target}/release/forklint"
fi
# The debounce the server states (src/server/mod.rs, DEBOUNCE).
debounce_ms="$(grep -o 'DEBOUNCE: Duration = Duration::from_millis([0-9]*)' "$repo/src/server/mod.rs" | grep -o '[0-9]*)' | tr -d ')')"
python3 - "$FORKLINT" "$file" "$edits" "$debounce_ms" "${EDIT:-fn}" <<'PY'
import json, re, statistics, subprocess, sys, time

forklint, path, edits, debounce, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
root = path
while root != "/" and not __import__("os").path.exists(root + "/Cargo.toml"):
    root = root.rsplit("/", 1)[0] or "/"
server = subprocess.Popen([forklint, "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=root)

def send(msg):
    body = json.dumps(msg).encode()
    server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    server.stdin.flush()

def read():
    length = None
    while True:
        line = server.stdout.readline()
        if not line:
            sys.exit("the server closed its output")
        line = line.strip()
        if not line:
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(server.stdout.read(length))

logged = []
def wait_publish(uri):
    while True:
        msg = read()
        if msg.get("method") == "window/logMessage":
            m = re.search(r"checked \d+ open file\(s\) in (\d+) ms", msg["params"]["message"])
            if m:
                logged.append(int(m.group(1)))
        if msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"] == uri:
            return msg["params"]["diagnostics"]

uri = "file://" + path
send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
      "params": {"processId": None, "rootUri": "file://" + root, "capabilities": {}}})
while "id" not in read():
    pass
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
text = open(path, encoding="utf-8").read()
start = time.perf_counter()
send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
      "params": {"textDocument": {"uri": uri, "languageId": "rust", "version": 1, "text": text}}})
first = wait_publish(uri)
first_ms = (time.perf_counter() - start) * 1000
first_check = logged[-1]
e2e, checks = [], []
for n in range(edits):
    if mode == "body":
        call = ["std::thread::sleep(std::time::Duration::from_millis(1))", "std::fs::read(\"x\").ok()"][n % 2]
        edited = text + "\nasync fn latency_probe() { %s; }\n" % call
    else:
        edited = text + "\nasync fn latency_probe_%d() { std::thread::sleep(std::time::Duration::from_millis(%d)); }\n" % (n, n)
    start = time.perf_counter()
    send({"jsonrpc": "2.0", "method": "textDocument/didChange",
          "params": {"textDocument": {"uri": uri, "version": n + 2}, "contentChanges": [{"text": edited}]}})
    wait_publish(uri)
    e2e.append((time.perf_counter() - start) * 1000)
    checks.append(logged[-1])
send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
while read().get("id") != 2:
    pass
send({"jsonrpc": "2.0", "method": "exit", "params": None})
server.wait(timeout=30)
med = statistics.median
print(f"file: {path} ({len(text.splitlines())} lines, {len(first)} diagnostics)")
print(f"first check (didOpen -> publishDiagnostics): {first_ms:.0f} ms end to end, {first_check} ms in the server")
print(f"{edits} edits ({'one function body rewritten' if mode == 'body' else 'a new function each'}), debounce {debounce} ms, medians:")
print(f"  didChange -> publishDiagnostics (end to end):   {med(e2e):.0f} ms (min {min(e2e):.0f}, max {max(e2e):.0f})")
print(f"  from the debounce firing (end to end - {debounce}): {med(e2e) - debounce:.0f} ms")
print(f"  the server's check time:                         {med(checks):.0f} ms (min {min(checks)}, max {max(checks)})")
print(f"server exit status: {server.returncode}")
PY
