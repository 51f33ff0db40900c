#!/usr/bin/env python3
"""End-to-end check: forklint's cargo-json output through a real rust-analyzer.

Usage: rust_analyzer.py RUST_ANALYZER FORKLINT [WRAPPER]

Creates a temporary cargo project with two FL003 findings on lines that hold non-ASCII text
before the span, starts rust-analyzer over LSP stdio with
`check.overrideCommand = [FORKLINT, "check", "--output-format=cargo-json", "."]`, opens and saves
the file, and asserts the `publishDiagnostics` rust-analyzer sends for forklint's findings: code,
source, message, severity and LSP ranges (0-based lines, UTF-16 columns, computed here from the
file text). Then it checks a deny-level run (forklint exits 1) and a clean run (diagnostics go
away), and forklint's `--stdin-filename` path. With WRAPPER (scripts/clippy-and-forklint.sh), a second
session uses it as the check command and expects clippy's and forklint's findings together. Exits 0 on success, 1 on a mismatch or timeout.

Environment: E2E_TIMEOUT (seconds per wait, 120), E2E_VERBOSE=1 (print the server status, check
progress and publishDiagnostics as they arrive), E2E_KEEP=1 (keep the temporary project and
rust-analyzer's stderr; RA_LOG is passed on to rust-analyzer).

Only the standard library is used (Python 3.8+).
"""

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TIMEOUT = float(os.environ.get("E2E_TIMEOUT", "120"))
# E2E_VERBOSE=1: print the flycheck progress, server status and publishDiagnostics as they arrive.
VERBOSE = bool(os.environ.get("E2E_VERBOSE"))
# Seconds without a check beginning after a save before the save is repeated (see save_and_check).
RESAVE = 15.0

CARGO_TOML = """[package]
name = "e2e-demo"
version = "0.1.0"
edition = "2021"

[dependencies]
"""

# Line 3 has an emoji (two UTF-16 units, four UTF-8 bytes) before the span; line 8 has CJK text
# (one UTF-16 unit, three UTF-8 bytes each). Byte, char and UTF-16 columns all differ there.
HAZARD = """//! e2e fixture for forklint through rust-analyzer
pub async fn poll() {
    /* héllo 😀 */ std::thread::sleep(std::time::Duration::from_secs(1));
}

pub async fn wait() -> usize {
    let greeting = "日本語";
    let n = greeting.len(); std::thread::sleep(std::time::Duration::from_millis(5));
    n
}
"""

CLEAN = """//! e2e fixture for forklint through rust-analyzer: no findings
pub async fn poll() {
    /* héllo 😀 */ tokio_sleep().await;
}

async fn tokio_sleep() {}
"""

SPAN = "std::thread::sleep"


def utf16_len(text):
    return len(text.encode("utf-16-le")) // 2


def expected_ranges(text, needle):
    """LSP ranges (0-based line, UTF-16 character) of every occurrence of `needle`."""
    out = []
    for line_no, line in enumerate(text.split("\n")):
        start = 0
        while True:
            col = line.find(needle, start)
            if col < 0:
                break
            begin = utf16_len(line[:col])
            out.append(
                {
                    "start": {"line": line_no, "character": begin},
                    "end": {"line": line_no, "character": begin + utf16_len(needle)},
                }
            )
            start = col + len(needle)
    return out


def fn_name_range(text, name):
    for line_no, line in enumerate(text.split("\n")):
        marker = "async fn " + name
        col = line.find(marker)
        if col >= 0:
            begin = utf16_len(line[: col + len("async fn ")])
            return {
                "start": {"line": line_no, "character": begin},
                "end": {"line": line_no, "character": begin + utf16_len(name)},
            }
    raise AssertionError("no async fn " + name)


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


class Lsp:
    """A minimal LSP client over stdio: requests, notifications, and a queue of what arrives."""

    def __init__(self, argv, cwd, log_path, env=None):
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
        )
        self.next_id = 0
        self.inbox = queue.Queue()
        self.responses = {}
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _send(self, payload):
        body = json.dumps(payload).encode("utf-8")
        header = "Content-Length: {}\r\n\r\n".format(len(body)).encode("ascii")
        with self.lock:
            self.proc.stdin.write(header + body)
            self.proc.stdin.flush()

    def _read(self):
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.inbox.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
            body = stream.read(length)
            message = json.loads(body)
            if "method" in message and "id" in message:
                self._answer(message)
            self.inbox.put(message)

    def _answer(self, request):
        # Server-to-client requests: accept progress tokens and registrations; no configuration
        # capability is advertised, so rust-analyzer reads initializationOptions only.
        self._send({"jsonrpc": "2.0", "id": request["id"], "result": None})

    def request(self, method, params):
        self.next_id += 1
        request_id = self.next_id
        self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        return request_id

    def notify(self, method, params):
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_for(self, predicate, timeout, what):
        """Messages until one satisfies `predicate`; every message is also passed to `seen`."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure("timed out after {:.0f} s waiting for {}".format(timeout, what))
            try:
                message = self.inbox.get(timeout=left)
            except queue.Empty:
                continue
            if message is None:
                raise Failure("rust-analyzer exited while waiting for " + what)
            self.seen(message)
            if predicate(message):
                return message

    def seen(self, message):
        pass

    def shutdown(self):
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 - best effort, then kill
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Session(Lsp):
    """Tracks server status, flycheck progress and the latest diagnostics of every file."""

    def __init__(self, *args):
        super().__init__(*args)
        self.status = []
        self.flycheck_begins = 0
        self.flycheck_ends = 0
        self.flycheck_titles = []
        self.latest = {}
        self.matched = []

    def seen(self, message):
        method = message.get("method")
        params = message.get("params") or {}
        if method == "experimental/serverStatus":
            self.status.append(params)
            self.trace("status {} quiescent={}".format(
                params.get("health"), params.get("quiescent")))
        elif method == "textDocument/publishDiagnostics":
            self.latest[params["uri"]] = params["diagnostics"]
            self.trace("publishDiagnostics {} diagnostics for {}".format(
                len(params["diagnostics"]), params["uri"].rsplit("/", 1)[-1]))
        elif method == "$/progress":
            token = str(params.get("token"))
            kind = params["value"].get("kind")
            if kind != "report":
                self.trace("progress {} {}".format(token, kind))
            if "flycheck" in token:
                if kind == "begin":
                    self.flycheck_begins += 1
                    self.flycheck_titles.append(params["value"].get("title"))
                elif kind == "end":
                    self.flycheck_ends += 1

    @staticmethod
    def trace(text):
        if VERBOSE:
            print("  [{:.3f}] {}".format(time.monotonic(), text), file=sys.stderr)

    def forklint_diagnostics(self, uri):
        return [d for d in self.latest.get(uri, []) if d.get("source") == "forklint"]

    def wait_until(self, condition, timeout, what):
        """Messages until `condition()` holds; it is also evaluated every second while none
        arrives."""
        deadline = time.monotonic() + timeout
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure("timed out after {:.0f} s waiting for {}".format(timeout, what))
            try:
                message = self.inbox.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if message is None:
                raise Failure("rust-analyzer exited while waiting for " + what)
            self.seen(message)

    def settle(self, quiet=1.5):
        """Read messages until none arrives for `quiet` seconds."""
        while True:
            try:
                message = self.inbox.get(timeout=quiet)
            except queue.Empty:
                return
            if message is None:
                raise Failure("rust-analyzer exited")
            self.seen(message)

    def written(self):
        """After writing a file in the project: give rust-analyzer's file watcher a moment, as an
        editor user would, so the change does not arrive while the save's check is being set up
        (it would cancel it, see save_and_check)."""
        self.settle(quiet=1.0)

    def save_and_check(self, uri, what, want=None):
        """didSave, then wait until a check that began after the save has ended and the
        diagnostics published for `uri` (all sources) satisfy `want`. Returns forklint's ones
        and keeps all of them, as they were then, in `self.matched`.

        The end of the check alone is not enough. rust-analyzer sends the flycheck progress from
        its main loop but each publishDiagnostics from a task-pool worker
        (GlobalState::publish_diagnostics), so on a busy pool (two threads on a two-core machine,
        both computing native diagnostics after a workspace reload) the diagnostics arrive seconds
        after the progress end. It also re-fetches the workspace after the first load; every
        fetch clears all check diagnostics and the check that follows publishes them again. And
        the check the save asks for runs from a pool task too, so it can start late, after a
        check kicked off by the reload.

        That pool task computes the crates of the saved file on a snapshot; when a file change
        arrives meanwhile (forklint.toml written just before the save), the snapshot is cancelled
        and the task ends without starting a check (handlers/notification.rs, run_flycheck). An
        editor user would save again; so does this, when no check began within RESAVE seconds.
        """
        begins = self.flycheck_begins
        self.trace("didSave")
        self.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        saved = time.monotonic()
        result = []

        def done():
            nonlocal saved
            if self.flycheck_begins == begins and time.monotonic() - saved > RESAVE:
                print("  note: no check began within {:.0f} s of the save; saving again".format(
                    RESAVE))
                self.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
                saved = time.monotonic()
            if not (self.flycheck_begins > begins and self.flycheck_ends >= self.flycheck_begins):
                return False
            if want is not None and not want(self.latest.get(uri, [])):
                return False
            result[:] = self.forklint_diagnostics(uri)
            self.matched = list(self.latest.get(uri, []))
            return True

        try:
            self.wait_until(done, TIMEOUT, what)
        except Failure as err:
            raise Failure("{}; diagnostics last published: {}".format(
                err, json.dumps(self.latest.get(uri), indent=1, ensure_ascii=False)))
        self.settle()
        return result


def forklint_with_severity(severity, count):
    """A `want` for save_and_check: `count` forklint diagnostics of `severity` (1 error,
    2 warning)."""
    return lambda diags: count == sum(
        1 for d in diags if d.get("source") == "forklint" and d.get("severity") == severity
    )


def no_forklint(diags):
    return not any(d.get("source") == "forklint" for d in diags)


def check_status(lsp, since):
    """rust-analyzer reports a failed check command in its server status; there must be none."""
    for status in lsp.status[since:]:
        message = status.get("message") or ""
        check(
            "cargo check failed" not in message,
            "rust-analyzer reported: {} {}".format(status.get("health"), message),
        )


def start(ra, project, override_command, log_path, env=None):
    """rust-analyzer on `project` with `override_command`, src/lib.rs opened, workspace loaded."""
    lib = project / "src" / "lib.rs"
    uri = lib.resolve().as_uri()
    root_uri = project.resolve().as_uri()
    options = {
        "check": {"overrideCommand": override_command},
        "checkOnSave": True,
        "cachePriming": {"enable": False},
        "procMacro": {"enable": False},
        "cargo": {"buildScripts": {"enable": False}},
    }
    lsp = Session([ra], str(project), log_path, env)
    try:
        lsp.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root_uri,
                "workspaceFolders": [{"uri": root_uri, "name": project.name}],
                "initializationOptions": options,
                "capabilities": {
                    "general": {"positionEncodings": ["utf-16"]},
                    "window": {"workDoneProgress": True},
                    "textDocument": {
                        "publishDiagnostics": {"relatedInformation": True},
                        "synchronization": {"didSave": True},
                    },
                    "experimental": {"serverStatusNotification": True},
                },
            },
        )
        init = lsp.wait_for(lambda m: m.get("id") == 1 and "method" not in m, 60, "initialize")
        check("result" in init, "initialize failed: {}".format(init))
        encoding = init["result"]["capabilities"].get("positionEncoding", "utf-16")
        check(encoding == "utf-16", "server picked position encoding " + encoding)
        info = init["result"].get("serverInfo", {})
        print("rust-analyzer: {} {}".format(info.get("name"), info.get("version")))
        lsp.notify("initialized", {})

        text = lib.read_text(encoding="utf-8")
        lsp.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "rust", "version": 1, "text": text}},
        )
        # Wait for the workspace to load (cargo metadata) before saving, else the save has no
        # workspace to check.
        lsp.wait_for(
            lambda m: m.get("method") == "experimental/serverStatus"
            and m["params"].get("quiescent"),
            TIMEOUT,
            "the workspace to load",
        )
    except BaseException:
        lsp.shutdown()
        raise
    return lsp, uri, text


def run_rust_analyzer(ra, forklint, project, log_path):
    lib = project / "src" / "lib.rs"
    lsp, uri, text = start(
        ra, project, [forklint, "check", "--output-format=cargo-json", "."], log_path
    )
    try:
        # Phase 1: two warnings with the right codes, messages and ranges.
        diags = lsp.save_and_check(
            uri, "two forklint warnings after saving", forklint_with_severity(2, 2)
        )
        print("flycheck command shown by rust-analyzer: {}".format(lsp.flycheck_titles[-1]))
        warnings = sorted(
            (d for d in diags if d.get("severity") == 2), key=lambda d: d["range"]["start"]["line"]
        )
        hints = [d for d in diags if d.get("severity") == 4]
        print("phase 1: {} forklint diagnostics ({} warnings, {} hints)".format(
            len(diags), len(warnings), len(hints)))
        for d in warnings:
            print("  line {} char {}-{}: [{}] {}".format(
                d["range"]["start"]["line"], d["range"]["start"]["character"],
                d["range"]["end"]["character"], d["code"], d["message"].splitlines()[0]))
        expected = expected_ranges(text, SPAN)
        check(len(warnings) == 2, "expected 2 warnings, got {}".format(json.dumps(diags, indent=1)))
        for diag, want, fn in zip(warnings, expected, ["poll", "wait"]):
            check(diag["code"] == "FL003", "code {!r}".format(diag["code"]))
            check(diag["source"] == "forklint", "source {!r}".format(diag["source"]))
            first = diag["message"].splitlines()[0]
            check(
                first == "blocking call `std::thread::sleep` in async fn `{}`".format(fn),
                "message {!r}".format(diag["message"]),
            )
            # rust-analyzer appends each child without a span (forklint's note and help) to
            # the message as a line of its own, without the level (flycheck_to_proto.rs,
            # map_rust_child_diagnostic).
            check(
                "use `tokio::time::sleep(..).await`" in diag["message"].splitlines(),
                "help line missing from {!r}".format(diag["message"]),
            )
            check(diag["range"] == want, "range {} != expected {}".format(diag["range"], want))
            related = diag.get("relatedInformation") or []
            check(
                any(
                    r["location"]["uri"] == uri
                    and r["location"]["range"] == fn_name_range(text, fn)
                    and r["message"] == "this async fn runs on the async runtime"
                    for r in related
                ),
                "secondary label missing: {}".format(related),
            )
            check("rendered" in (diag.get("data") or {}), "no rendered text")
        check(len(hints) == 2, "expected a hint per secondary label, got {}".format(hints))
        check_status(lsp, 0)

        # Phase 2: deny-level findings; forklint exits 1 and rust-analyzer must show errors, not
        # a failed check.
        (project / "forklint.toml").write_text('[lints]\nFL003 = "deny"\n', encoding="utf-8")
        lsp.written()
        status_seen = len(lsp.status)
        diags = lsp.save_and_check(
            uri, "two forklint errors with FL003 = deny", forklint_with_severity(1, 2)
        )
        errors = sorted(
            (d for d in diags if d.get("severity") == 1), key=lambda d: d["range"]["start"]["line"]
        )
        print("phase 2: {} errors (FL003 = deny, forklint exits 1)".format(len(errors)))
        check(len(errors) == 2, "expected 2 errors, got {}".format(json.dumps(diags, indent=1)))
        check([e["range"] for e in errors] == expected, "error ranges")
        check_status(lsp, status_seen)

        # Phase 2b: an invalid forklint.toml; forklint prints no message and exits 2, which
        # rust-analyzer shows as a failed check with forklint's error text.
        (project / "forklint.toml").write_text('[lints]\nFL003 = "often"\n', encoding="utf-8")
        lsp.written()
        status_seen = len(lsp.status)
        lsp.save_and_check(uri, "the check with an invalid forklint.toml")
        lsp.wait_until(
            lambda: any("failed" in (st.get("message") or "") for st in lsp.status[status_seen:]),
            TIMEOUT,
            "rust-analyzer to report the failed check",
        )
        failed = [st for st in lsp.status[status_seen:] if "failed" in (st.get("message") or "")]
        message = failed[-1]["message"]
        print("phase 2b: invalid config, rust-analyzer status {}: {}".format(
            failed[-1].get("health"), " | ".join(message.splitlines()[:3])))
        check("forklint.toml" in message, "forklint's error text missing: " + message)
        (project / "forklint.toml").unlink()

        # Phase 3: the file is fixed; the clean run (only build-finished, exit 0) clears them.
        lib.write_text(CLEAN, encoding="utf-8")
        lsp.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": 2},
                "contentChanges": [{"text": CLEAN}],
            },
        )
        lsp.written()
        diags = lsp.save_and_check(uri, "no forklint diagnostics for the fixed file", no_forklint)
        check(diags == [], "diagnostics left after the fix: {}".format(diags))
        # Nothing stale is published after the clean check (save_and_check read on until quiet).
        diags = lsp.forklint_diagnostics(uri)
        check(diags == [], "diagnostics back after the fix: {}".format(diags))
        # The failed check of phase 2b is reported until this one finishes.
        check_status(lsp, len(lsp.status) - 1)
        print("phase 3: clean file, forklint diagnostics cleared")
    finally:
        lsp.shutdown()


WRAPPED = HAZARD + """
pub fn twice(x: u32) -> u32 {
    return x * 2;
}
"""


def run_wrapper(ra, forklint, wrapper, project, log_path):
    """scripts/clippy-and-forklint.sh as the check command: clippy's and forklint's JSON lines,
    two build-finished records, both tools' diagnostics in the editor."""
    lib = project / "src" / "lib.rs"
    lib.write_text(WRAPPED, encoding="utf-8")
    # The wrapper runs `forklint` from PATH; the binary under test may have another name
    # (FORKLINT=/work/bin/forklint-base), so PATH gets a directory with a `forklint` link to it.
    bin_dir = project.parent / "bin"
    bin_dir.mkdir(exist_ok=True)
    link = bin_dir / "forklint"
    if not link.exists():
        link.symlink_to(forklint)
    env = dict(os.environ)
    env["PATH"] = str(bin_dir) + os.pathsep + env.get("PATH", "")
    lsp, uri, text = start(ra, project, [wrapper], log_path, env)
    try:
        lsp.save_and_check(
            uri,
            "clippy's needless_return and two forklint warnings",
            lambda diags: forklint_with_severity(2, 2)(diags)
            and any(d.get("source") == "clippy" and d.get("code") == "needless_return"
                    for d in diags),
        )
        by_source = {}
        for d in lsp.matched:
            if d.get("severity") in (1, 2):
                by_source.setdefault(d.get("source"), []).append(d)
        print("wrapper: {}".format(
            ", ".join("{} {}".format(len(v), k) for k, v in sorted(by_source.items()))))
        for source, items in sorted(by_source.items()):
            for d in items:
                print("  line {} char {}: {} [{}] {}".format(
                    d["range"]["start"]["line"], d["range"]["start"]["character"], source,
                    d.get("code"), d["message"].splitlines()[0]))
        forklint_ranges = sorted(
            (d["range"] for d in by_source.get("forklint", [])), key=lambda r: r["start"]["line"]
        )
        check(forklint_ranges == expected_ranges(text, SPAN),
              "forklint ranges {}".format(forklint_ranges))
        clippy = [d for d in by_source.get("clippy", []) if d.get("code") == "needless_return"]
        return_line = text.split("\n").index("    return x * 2;")
        check(len(clippy) == 1 and clippy[0]["range"]["start"]["line"] == return_line,
              "clippy::needless_return missing: {}".format(by_source.get("clippy")))
        check_status(lsp, 0)
    finally:
        lsp.shutdown()
    print("wrapper: clippy and forklint diagnostics shown together")


def run_stdin(forklint, project):
    """`--stdin-filename`: the buffer (not the file on disk) is checked and reported by that name."""
    lib = project / "src" / "lib.rs"
    lib.write_text(CLEAN, encoding="utf-8")
    proc = subprocess.run(
        [forklint, "check", "--output-format", "cargo-json", "--stdin-filename", "src/lib.rs", "-"],
        cwd=str(project),
        input=HAZARD.encode("utf-8"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=60,
    )
    check(proc.returncode == 0, "stdin run exited {}: {}".format(proc.returncode, proc.stderr))
    records = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    check(records and records[-1] == {"reason": "build-finished", "success": True},
          "last record {}".format(records[-1:]))
    messages = [r for r in records if r["reason"] == "compiler-message"]
    check(len(messages) == 2, "expected 2 compiler messages, got {}".format(len(messages)))
    lines = HAZARD.split("\n")
    for record in messages:
        check(record["manifest_path"] == str((project / "Cargo.toml").resolve()),
              "manifest_path {}".format(record["manifest_path"]))
        spans = record["message"]["spans"]
        primary = [s for s in spans if s["is_primary"]]
        check(len(primary) == 1, "one primary span")
        span = primary[0]
        check(span["file_name"] == "src/lib.rs", "file_name {}".format(span["file_name"]))
        line = lines[span["line_start"] - 1]
        col = line.find(SPAN)
        check(col >= 0, "line {} does not hold the call".format(span["line_start"]))
        check(span["column_start"] == col + 1, "column_start {} != {}".format(
            span["column_start"], col + 1))
        check(span["column_end"] == col + 1 + len(SPAN), "column_end")
        check(span["text"][0]["text"] == line, "span text {!r}".format(span["text"]))
        byte_start = len("\n".join(lines[: span["line_start"] - 1]).encode("utf-8")) + 1
        byte_start += len(line[:col].encode("utf-8"))
        check(span["byte_start"] == byte_start, "byte_start {} != {}".format(
            span["byte_start"], byte_start))
        check(span["byte_end"] - span["byte_start"] == len(SPAN), "byte_end")
        print("  stdin: {}:{}:{} {}".format(span["file_name"], span["line_start"],
                                            span["column_start"], record["message"]["message"]))
    print("stdin: --stdin-filename src/lib.rs reports the buffer with the right paths and columns")


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    ra, forklint = sys.argv[1], os.path.abspath(sys.argv[2])
    wrapper = os.path.abspath(sys.argv[3]) if len(sys.argv) == 4 else None
    keep = os.environ.get("E2E_KEEP")
    tmp = tempfile.mkdtemp(prefix="forklint-e2e-ra-")
    project = Path(tmp) / "demo"
    (project / "src").mkdir(parents=True)
    (project / "Cargo.toml").write_text(CARGO_TOML, encoding="utf-8")
    (project / "src" / "lib.rs").write_text(HAZARD, encoding="utf-8")
    log_path = Path(tmp) / "rust-analyzer.log"
    try:
        run_rust_analyzer(ra, forklint, project, str(log_path))
        run_stdin(forklint, project)
        if wrapper:
            run_wrapper(ra, forklint, wrapper, project, str(log_path) + ".wrapper")
    except Failure as err:
        print("FAIL: {}".format(err))
        print("rust-analyzer stderr: {}".format(log_path))
        keep = True
        return 1
    finally:
        if not keep:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    print("OK: rust-analyzer shows forklint's findings with the right codes, messages and ranges")
    return 0


if __name__ == "__main__":
    sys.exit(main())
