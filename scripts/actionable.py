#!/usr/bin/env python3
"""Actionable-or-noise tables for docs/precision.md ("Actionable or noise") from three runs.

Usage: scripts/actionable.py A.jsonl B.jsonl C.jsonl [--list | --noise | --held-back]   (scripts/actionable.sh makes them)

  A: default settings;
  B: every rule "allow" in `[test-lints]`: a finding of A that B lacks is in test code;
  C: FL002 and FL003 "warn" in `[test-lints]`: what C has and A lacks is held back by test code.

Findings are matched by (code, file, line, column, message). Every finding of A is **actionable**
(its maintainers would change the code, or keep a suppression whose reason accepts the hazard)
unless NOISE below lists it (the only honest suppression reason denies the hazard), or it is one
of precision_triage.py's by-spec false positives (noise too). The verdicts were made by hand per
pattern (crate + rule + message shape) after reading the code; ACTIONABLE_WHY says why for the
actionable rows that needed a word. Run C is judged by the letter of the rules: its by-spec
false positives are precision_triage.py's FALSE_POSITIVES plus HELD_BACK_FP (held-back findings
only). `--list` prints every group of findings with its verdict instead of the tables, `--noise`
the noise findings grouped by reason, `--held-back` the findings of C not in A with their by-spec
verdict.
"""
import collections
import json
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import precision_triage as pt  # noqa: E402  (FALSE_POSITIVES, the by-spec verdicts)

FORK_RULES = ("FL001", "FL004", "FL005", "FL006", "FL007")
ASIDE = ("FL000", "FL100")

# (code, file regex relative to vendor/, line or None, reason): the only honest suppression
# reason denies the hazard.
NOISE = [
    # nix's tests serialise their forking tests with a test mutex; the child never takes it.
    ("FL004", r"^nix-[0-9.]+/test/.*\.rs$", None,
     "guard of a test-serialisation mutex (`FORK_MTX`, `PTSNAME_MTX`, ...) held at the fork; "
     "the child never takes that lock (the honest reason: \"the child never locks it\")"),
    # One-off calls on a start-up path, before anything else runs on the executor.
    ("FL003", r"^async-global-executor-[0-9.]+/src/threading\.rs$", 33,
     "one-off lazy `init()` of the global executor (guarded by an `AtomicBool`): its `block_on` "
     "only spawns the pool's threads, before any task of that executor runs"),
    ("FL003", r"^cc-[0-9.]+/src/parallel/command_runner\.rs$", None,
     "start-up of cc's own single-future executor: the jobserver fifo is opened read-write (never "
     "waits for a writer) before the first compile job is spawned"),
    ("FL003", r"^h2-[0-9.]+/examples/akamai\.rs$", None,
     "example `#[tokio::main]` resolves its one target address first thing; nothing else runs yet"),
    ("FL003", r"^reqwest-[0-9.]+/src/blocking/client\.rs$", 1443,
     "the blocking client builds its async client once, on its own current-thread runtime in "
     "its own thread, before any task runs there: rustls opens `SSLKEYLOGFILE` only when the "
     "variable is set"),
    ("FL003", r"^hickory-resolver-[0-9.]+/examples/flush_cache\.rs$", 11,
     "example builds its one resolver first thing: `/etc/resolv.conf` read once at start-up"),
    ("FL003", r"^reqsign-file-read-tokio-[0-9.]+/examples/read_credentials\.rs$", None,
     "example `main` writes its demo credentials file first thing (setup); nothing else runs yet"),
    ("FL003", r"^sccache-[0-9.]+/src/dist/client_auth\.rs$", None,
     "`try_bind` of the one-off `--dist-auth` CLI flow, run by `runtime.block_on` before its server "
     "starts: a `localhost` lookup and a connect to a local port that is refused at once"),
    ("FL003", r"^sccache-[0-9.]+/src/server\.rs$", 478,
     "one `UnixStream::connect` to tell the parent about a failed start-up, before anything runs"),
    # hickory-net's `src/udp/tests.rs` (3 FL003) was listed here as test code the code roles did
    # not see: `udp/mod.rs` declares it `#[cfg(test)] mod tests;`, which now makes it test code
    # (held back by default, judged in run C).
    # The child cannot do what the finding fears.
    ("FL005", r"^command-fds-[0-9.]+/src/(lib|tokio)\.rs$", None,
     "`map_fds`'s only `.unwrap()` is on `max()` of a list it returned early for when empty: it "
     "cannot panic (the function is written not to allocate, as its comment says)"),
    ("FL005", r"^sudo-rs-[0-9.]+/src/exec/noexec\.rs$", 374,
     "`tx_fd.take().unwrap()` on an `Option` filled just before the one spawn: cannot panic"),
    ("FL001", r"^close_fds-[0-9.]+/tests/test_close_fds\.rs$", 500,
     "the child calls only `close_fds` functions (documented async-signal-safe on Linux), `libc` "
     "and `_exit`: fork-exec clean in fact"),
]

# (code, file regex, line or None, why) for actionable rows whose reason is worth a word.
ACTIONABLE_WHY = [
    ("FL001", r"^(fork|nix|sccache|signal-hook)-[0-9.]+/(tests?|src)/", None,
     "fork in a `#[test]` (libtest runs it beside other tests): the child allocates, panics, "
     "locks or calls `exit`, and can hang on a lock another test thread held at the fork"),
    ("FL005", r"^(fork|nix|sccache)-[0-9.]+/(tests?|src)/", None,
     "allocation, panic or non-AS-safe call in the child of a `#[test]` fork: a panic there "
     "unwinds into a copy of the test harness"),
    ("FL006", r"^fork-[0-9.]+/(tests|src)/", None,
     "test child ends with `std::process::exit`: std's exit takes the stdout lock to flush it, which "
     "another test thread may have held at the fork; `libc::_exit` is the fix"),
    ("FL006", r"^fork-[0-9.]+/examples/", None,
     "examples of a fork library teach `exit` in the child (its own `checked_daemon_pattern` "
     "example uses `libc::_exit` for that reason)"),
    ("FL006", r"^sudo-rs-[0-9.]+/src/(sudo/edit|pam/askpass)\.rs$", None,
     "the child's `handle_child(..) -> !` ends with `std::process::exit` (sudoedit's child on every "
     "path, askpass's after a failed exec): libc's `exit` runs atexit handlers (PAM modules register "
     "them) and flushes stdio the child inherited; `libc::_exit` is the fix"),
    ("FL006", r"^sudo-rs-[0-9.]+/src/system/mod\.rs$", 151,
     "`fork_for_test` (`#[cfg(test)]`) ends its child with `exit(101)`; its comment accepts the "
     "hazard (\"Not really safe, but this is test only code\")"),
    ("FL004", r"^fork-[0-9.]+/tests/", None,
     "`std::env` or stdio lock in the child of a `#[test]` fork (the env lock is process-wide; "
     "stdio is under libtest's capture unless `--nocapture`, which the crate's README suggests)"),
    ("FL003", r"^hickory-resolver-[0-9.]+/src/name_server_pool\.rs$", None,
     "the opportunistic-encryption persist task writes its state file with `std::fs` on the "
     "runtime, periodically"),
    ("FL003", r"^redis-[0-9.]+/src/aio/", None,
     "every TLS connect loads the native certificates from disk (`std::fs`) on the async task"),
    ("FL003", r"^hickory-resolver-[0-9.]+/src/(caching_client|recursor/)", None,
     "inserting into a `moka::sync::Cache` from async code: `schedule_write_op` backs off with "
     "`std::thread::sleep` when its write channel is full (moka's async cache is `moka::future`)"),
    ("FL003", r"^sccache-[0-9.]+/src/(compiler|cache|dist/http)", None,
     "`std::fs`/`fs_err` I/O in the async compile and cache paths of the sccache server, per request"),
    ("FL003", r"^watchexec-supervisor-[0-9.]+/src/job/task\.rs$", None,
     "opens `/dev/tty` on the supervisor's task at each pause/resume (quick, but file I/O on the "
     "runtime; a suppression would accept it)"),
    ("FL005", r"^sudo-rs-[0-9.]+/src/", None,
     "sudo-rs's `pre_exec` SAFETY comments claim async-signal-safety; the call contradicts them "
     "(allocation on an error path, or `set_current_dir` with a long path)"),
    ("FL005", r"^command-fds-[0-9.]+/examples/", None,
     "the crate's example prints and lists fds with `read_dir` in `pre_exec`: it teaches the hazard"),
    ("FL003", r"^hyper-util-[0-9.]+/src/client/legacy/connect/proxy/socks/", None,
     "SOCKS `local_dns`: `(host, port).to_socket_addrs()` is a blocking getaddrinfo on the "
     "connector's task, on every connection (hyper-util's own `GaiResolver` uses `spawn_blocking`)"),
]

# (code, file regex, line or None, why): by-spec false positives among the held-back findings
# (findings of C not in A), in addition to precision_triage.py's FALSE_POSITIVES.
HELD_BACK_FP = []


def key(r):
    s = r["range"]["start"]
    return (r["code"], r["file"], s["line"], s["column"], r["message"])


def rel(r):
    return r["file"].split("vendor/", 1)[-1]


def line(r):
    return r["range"]["start"]["line"]


def find(table, r):
    for code, pat, ln, why in table:
        if code == r["code"] and re.search(pat, rel(r)) and (ln is None or ln == line(r)):
            return why
    return None


def by_spec_fp(r):
    for entry in pt.FALSE_POSITIVES:
        if pt.matches(entry, r["code"], rel(r), line(r)):
            return entry[3]
    return find(HELD_BACK_FP, r)


def verdict(r):
    """("A" | "N", why)."""
    fp = by_spec_fp(r)
    if fp:
        return "N", f"by-spec false positive: {fp}"
    why = find(NOISE, r)
    if why:
        return "N", why
    why = find(ACTIONABLE_WHY, r)
    if why:
        return "A", why
    return "A", pt.reason(r, rel(r))[1]


def load(path):
    return [json.loads(l) for l in open(path) if l.strip()]


def pct(a, n):
    return f"{100 * a / n:.1f}%" if n else "-"


def tables(a, test_keys, c, a_keys):
    rows = collections.OrderedDict()
    aside = collections.Counter()
    for r in a:
        if r["code"] in ASIDE:
            aside[r["code"]] += 1
            continue
        in_test = key(r) in test_keys
        label = f"{r['code']} (fork finding in test code)" if in_test else r["code"]
        v, _ = verdict(r)
        n_a = rows.setdefault(label, collections.Counter())
        n_a[v] += 1
    order = sorted(rows, key=lambda k: ("test code" in k, k))
    print("| rule | findings | actionable | noise | % actionable |")
    print("|---|---:|---:|---:|---:|")
    tot = collections.Counter()
    for label in order:
        cnt = rows[label]
        n = cnt["A"] + cnt["N"]
        tot.update(cnt)
        print(f"| {label} | {n} | {cnt['A']} | {cnt['N']} | {pct(cnt['A'], n)} |")
    n = tot["A"] + tot["N"]
    print(f"| **all** (FL000, FL100 aside) | {n} | {tot['A']} | {tot['N']} | **{pct(tot['A'], n)}** |")
    for code in ASIDE:
        if aside[code]:
            print(f"| {code} (aside) | {aside[code]} | | | |")
    print()
    # Per rule, test-code rows merged: the "no rule with 10 or more findings under 70%" goal.
    per_rule = collections.defaultdict(collections.Counter)
    for label, cnt in rows.items():
        per_rule[label.split()[0]].update(cnt)
    low = [(c_, cnt) for c_, cnt in sorted(per_rule.items())
           if sum(cnt.values()) >= 10 and cnt["A"] / sum(cnt.values()) < 0.7]
    low_rows = [(label, cnt) for label, cnt in rows.items()
                if sum(cnt.values()) >= 10 and cnt["A"] / sum(cnt.values()) < 0.7]
    print(f"- overall: {pct(tot['A'], n)} actionable: goal (>= 80%) "
          f"{'holds' if n and tot['A'] / n >= 0.8 else 'missed'}")
    print("- rules with 10 or more findings under 70% (test-code rows merged into their rule): "
          + (", ".join(f"{c_} {pct(cnt['A'], sum(cnt.values()))}" for c_, cnt in low) or "none"))
    print("- rows of the table with 10 or more findings under 70%: "
          + (", ".join(f"{l} {pct(cnt['A'], sum(cnt.values()))}" for l, cnt in low_rows) or "none"))
    print()
    # Run C, by the letter of the rules.
    spec = collections.defaultdict(collections.Counter)
    for r in c:
        spec[r["code"]]["FP" if by_spec_fp(r) else "real"] += 1
    print("Run (c), `[test-lints]` enabling everything, by spec:")
    print()
    print("| rule | findings | real | false positives | precision |")
    print("|---|---:|---:|---:|---:|")
    t = collections.Counter()
    for code in sorted(spec):
        cnt = spec[code]
        n_ = cnt["real"] + cnt["FP"]
        t.update(cnt)
        print(f"| {code} | {n_} | {cnt['real']} | {cnt['FP']} | {pct(cnt['real'], n_)} |")
    n_ = t["real"] + t["FP"]
    print(f"| all | {n_} | {t['real']} | {t['FP']} | {pct(t['real'], n_)} |")
    under = [code for code, cnt in sorted(spec.items())
             if code not in ASIDE and cnt["real"] / sum(cnt.values()) < 0.96]
    print()
    print("- by-spec rules under 96% in run (c) (FL000, FL100 aside): " + (", ".join(under) or "none"))
    held = [r for r in c if key(r) not in a_keys]
    print(f"- held back in (a), reported in (c): {len(held)} "
          f"({', '.join(f'{k} {v}' for k, v in sorted(collections.Counter(r['code'] for r in held).items()))})")


def fmt_loc(path, lines):
    uniq = sorted(set(lines))
    shown = ",".join(map(str, uniq[:8])) + (",..." if len(uniq) > 8 else "")
    return f"{path}:{shown}" + (f" (x{len(lines)})" if len(lines) > 1 else "")


def listing(a, test_keys, c, a_keys):
    groups = collections.OrderedDict()
    for r in sorted(a, key=lambda r: (r["code"], rel(r), line(r))):
        if r["code"] in ASIDE:
            continue
        v, why = verdict(r)
        where = "test" if key(r) in test_keys else ""
        groups.setdefault((r["code"], rel(r), where, v, why), []).append(line(r))
    print("| rule | file:line | test code | verdict | why |")
    print("|---|---|---|---|---|")
    for (code, path, where, v, why), lines in groups.items():
        loc = fmt_loc(path, lines)
        print(f"| {code} | `{loc}` | {where} | {v} | {why} |")


def held_back(c, a_keys):
    groups = collections.OrderedDict()
    for r in sorted(c, key=lambda r: (r["code"], rel(r), line(r))):
        if key(r) in a_keys:
            continue
        fp = by_spec_fp(r)
        groups.setdefault((r["code"], rel(r), "FP" if fp else "real", fp or ""), []).append(line(r))
    print("| rule | file:line | by spec | why (false positives) |")
    print("|---|---|---|---|")
    for (code, path, v, why), lines in groups.items():
        loc = fmt_loc(path, lines)
        print(f"| {code} | `{loc}` | {v} | {why} |")


def noise(a):
    """The noise findings grouped by the reason that denies them."""
    groups = collections.OrderedDict()
    for r in sorted(a, key=lambda r: (r["code"], rel(r), line(r))):
        if r["code"] in ASIDE:
            continue
        v, why = verdict(r)
        if v == "N":
            groups.setdefault((r["code"], why), []).append(f"{rel(r)}:{line(r)}")
    print("| rule | findings | where | why it is noise |")
    print("|---|---:|---|---|")
    for (code, why), locs in groups.items():
        crates = sorted({l.split("/", 1)[0] for l in locs})
        where = f"`{locs[0]}`" if len(locs) == 1 else ", ".join(f"`{c}`" for c in crates)
        print(f"| {code} | {len(locs)} | {where} | {why} |")


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    a, b, c = (load(p) for p in sys.argv[1:4])
    b_keys = {key(r) for r in b}
    a_keys = {key(r) for r in a}
    test_keys = {key(r) for r in a if r["code"] in FORK_RULES and key(r) not in b_keys}
    mode = sys.argv[4] if len(sys.argv) > 4 else ""
    if mode == "--list":
        listing(a, test_keys, c, a_keys)
    elif mode == "--noise":
        noise(a)
    elif mode == "--held-back":
        held_back(c, a_keys)
    else:
        tables(a, test_keys, c, a_keys)


if __name__ == "__main__":
    main()
