#!/usr/bin/env python3
"""Combines per-image JSON lines from the Rust bench and peers.py into markdown tables.

Usage: report.py RESULTS.jsonl [MANIFEST_ORDER.jsonl]
"""
import json
import statistics
import sys
from collections import OrderedDict, defaultdict


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100 * (len(xs) - 1)))))
    return xs[k]


# Classes whose codes are damaged beyond what error correction can restore: the right text or
# nothing are both fine, a wrong text is a failure. They are left out of the "all" row.
EXPECT_NONE = {"damaged", "no-code"}


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip().startswith("{")]
    classes = list(OrderedDict.fromkeys(r["class"] for r in rows))
    readers = list(OrderedDict.fromkeys(r["reader"] for r in rows))
    by = defaultdict(list)
    for r in rows:
        by[(r["reader"], r["class"])].append(r)
        if r["class"] not in EXPECT_NONE:
            by[(r["reader"], "ALL")].append(r)

    def cell(rs):
        ok = sum(r["ok"] for r in rs)
        return ok, len(rs), sum(r["wrong"] for r in rs)

    hdr = "| class | " + " | ".join(readers) + " |"
    print(hdr)
    print("|---" * (len(readers) + 1) + "|")
    for c in classes + ["ALL"]:
        cells = []
        best_peer = max((cell(by[(rd, c)])[0] for rd in readers if not rd.startswith("pora-reader")), default=0)
        for rd in readers:
            ok, n, wrong = cell(by[(rd, c)])
            s = f"{ok}/{n}"
            if wrong:
                s += f" ({wrong} wrong)"
            if rd == "pora-reader" and ok < best_peer and c not in EXPECT_NONE:
                s += f" (-{best_peer - ok})"
            cells.append(s)
        name = "**all**" if c == "ALL" else c
        if c in EXPECT_NONE:
            name += " (nothing to read: only wrong counts)"
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    print("CPU time per frame by class, ms, median / p90 (single thread, best of repeats):")
    print()
    print(hdr)
    print("|---" * (len(readers) + 1) + "|")
    for c in classes:
        cells = []
        for rd in readers:
            ms = [r["ms"] for r in by[(rd, c)]]
            cells.append(f"{statistics.median(ms):.1f} / {pct(ms, 90):.1f}" if ms else "-")
        print(f"| {c} | " + " | ".join(cells) + " |")
    print()
    print("CPU time per frame, ms (single thread, best of repeats; all frames, decoded or not):")
    print()
    print("| reader | median | p90 | max | wrong texts |")
    print("|---|---|---|---|---|")
    for rd in readers:
        mine = [r for r in rows if r["reader"] == rd]
        ms = [r["ms"] for r in mine]
        wrong = sum(r["wrong"] for r in mine)
        print(f"| {rd} | {statistics.median(ms):.2f} | {pct(ms, 90):.2f} | {max(ms):.1f} | {wrong} |")
    print()
    # First-pass comparison: frames pora-reader decoded in its first pass, vs zxing-cpp on the same frames.
    pora = {r["file"]: r for r in rows if r["reader"] == "pora-reader"}
    first = {f for f, r in pora.items() if r.get("pass") == "hybrid"}
    if first:
        pm = [pora[f]["ms"] for f in first]
        print(f"Frames pora-reader decoded in its first pass: {len(first)}; median {statistics.median(pm):.2f} ms, "
              f"p90 {pct(pm, 90):.2f} ms.")
        for rd in readers:
            if rd.startswith("pora-reader"):
                continue
            zm = [r["ms"] for r in rows if r["reader"] == rd and r["file"] in first]
            if zm:
                print(f"{rd} on the same frames: median {statistics.median(zm):.2f} ms, p90 {pct(zm, 90):.2f} ms "
                      f"(ratio {statistics.median(pm) / statistics.median(zm):.2f}x).")
        print()
        passes = defaultdict(int)
        for r in pora.values():
            passes[r.get("pass") or "(none)"] += 1
        print("pora-reader decoding pass: " + ", ".join(f"{k} {v}" for k, v in sorted(passes.items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main()
