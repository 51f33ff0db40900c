#!/usr/bin/env python3
"""Triage table for docs/precision.md from `forklint check --output-format json-lines` output.

Usage: scripts/precision_triage.py /tmp/precision.jsonl > table.md
Every finding is real unless listed in FALSE_POSITIVES (checked by hand, see docs/precision.md).
"""
import collections
import json
import re
import sys

# (code, file suffix regex, line) -> why it is a false positive.
FALSE_POSITIVES = [
    ("FL006", r"fork-0\.11\.0/src/daemon\.rs$", 416,
     "daemonizing library: the intermediate child returns `Ok(self.detach_child())` to its caller on purpose"),
    ("FL001", r"nix-[0-9.]+/test/sys/test_uio\.rs$", 243,
     "child only does `drop(r)` of a pipe fd before `_exit`; without types `std::mem::drop` cannot be judged AS-safe"),
    ("FL003", r"tokio-[0-9.]+/src/signal/windows/sys\.rs$", None,
     "`raise_event` parks only on a branch that runs on a spawned thread; summaries are path-insensitive"),
    ("FL003", r"tokio-[0-9.]+/tests/rt_threaded\.rs$", 830,
     "`iter(.., stall = false)`: the `thread::sleep` is under `if stall`; summaries ignore constant arguments"),
    ("FL000", r"signal-hook-registry-[0-9.]+/src/lib\.rs$", 140,
     "valid Rust 2015 (`type Action = Fn(&siginfo_t) + Send + Sync;`): syn 2 cannot parse a bare `Fn(..) + Send` trait object"),
    ("FL007", r"nix-[0-9.]+/test/sys/test_wait\.rs$", None,
     "plain `#[test]` read as `crate::test` (a runtime attribute) through `use crate::*;` (fixed)"),
]


def reason(r, rel):
    code, msg = r["code"], r["message"]
    labels = [l["message"] for l in r["labels"] if not l["primary"]]
    for c, pat, ln, _ in FALSE_POSITIVES:
        if c == code and re.search(pat, rel) and (ln is None or ln == r["range"]["start"]["line"]):
            return "FP", FP_WHY[(c, pat, ln)]
    test = any("libtest" in l for l in labels) or "tests/" in rel or "/test/" in rel
    if code == "FL001":
        child = next((l for l in labels if l.startswith("in the child")), "child not fork-exec clean")
        why = "libtest worker thread" if test else "threads alive"
        return "real", f"{why}; {child.replace('in the child: ', 'child: ')}"
    if code == "FL005":
        m = re.match(r"`([^`]*)` (may panic|allocates|is not async-signal-safe)", msg)
        what = "non-AS-safe call"
        if m:
            what = {"may panic": "panicking call", "allocates": "allocation",
                    "is not async-signal-safe": "non-AS-safe call"}[m.group(2)]
            if m.group(1).startswith("std::fs") or "Command" in m.group(1):
                what = "`std::fs`/`Command` call"
        return "real", f"{what} in the child of a `#[test]` fork (multi-threaded by spec)"
    if code == "FL006":
        if "std::process::exit" in msg:
            return "real", "child ends with `std::process::exit`, not `_exit`/exec"
        return "real", msg
    if code == "FL004":
        return "real", f"{msg.split(' takes')[0]} takes a lock in the child of a `#[test]` fork"
    if code == "FL003":
        m = re.search(r"blocks on `([^`]*)`|blocking call `([^`]*)`", msg)
        call = (m.group(1) or m.group(2)) if m else "?"
        via = " through a crate-local helper" if " blocks on " in msg else ""
        return "real", f"`{call}` blocks{via} in async code (blocking vocabulary)"
    if code == "FL002":
        return "real", "loop in async fn blocks on `std::thread::sleep` every iteration and never yields"
    if code == "FL007":
        return "real", msg
    return "real", msg


FP_WHY = {(c, p, l): w for c, p, l, w in FALSE_POSITIVES}


def main():
    rows = [json.loads(l) for l in open(sys.argv[1])]
    per_rule = collections.Counter()
    per_rule_fp = collections.Counter()
    groups = collections.OrderedDict()
    for r in sorted(rows, key=lambda r: (r["code"], r["file"], r["range"]["start"]["line"])):
        rel = r["file"].split("/vendor/", 1)[-1]
        verdict, why = reason(r, rel)
        per_rule[r["code"]] += 1
        if verdict == "FP":
            per_rule_fp[r["code"]] += 1
        key = (r["code"], rel, verdict, why)
        groups.setdefault(key, []).append(r["range"]["start"]["line"])
    if len(sys.argv) > 2 and sys.argv[2] == "--summary":
        print("| rule | findings | real | false positives | precision |")
        print("|---|---:|---:|---:|---:|")
        for code in sorted(per_rule):
            n, fp = per_rule[code], per_rule_fp[code]
            print(f"| {code} | {n} | {n - fp} | {fp} | {100 * (n - fp) / n:.1f}% |")
        n, fp = sum(per_rule.values()), sum(per_rule_fp.values())
        print(f"| all | {n} | {n - fp} | {fp} | {100 * (n - fp) / n:.1f}% |")
        return
    print("| rule | file:line | verdict | why |")
    print("|---|---|---|---|")
    for (code, rel, verdict, why), lines in groups.items():
        uniq = sorted(set(lines))
        loc = f"{rel}:{','.join(map(str, uniq))}"
        if len(lines) > 1:
            loc += f" (x{len(lines)})"
        print(f"| {code} | `{loc}` | {verdict} | {why} |")


if __name__ == "__main__":
    main()
