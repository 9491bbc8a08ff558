#!/usr/bin/env python3
"""Diffs two `ticklens check --format json` reports of the same files, per rule.

    scripts/findings-diff.py before.json after.json [--root DIR] [--context 2]

A finding is identified by its file, rule and start offset. Prints the hit
counts per rule before and after, then every added and removed finding with
its location, message and the surrounding lines (read from --root), for a
person to judge (docs/precision.md).
"""
import argparse
import collections
import json
import os

parser = argparse.ArgumentParser()
parser.add_argument("before")
parser.add_argument("after")
parser.add_argument("--root", default=".", help="folder the paths in the JSON are relative to")
parser.add_argument("--context", type=int, default=2)
args = parser.parse_args()


def findings(path):
    report = json.load(open(path))
    found = {}
    for file in report["files"]:
        for finding in file.get("findings", []):
            key = (file["path"], finding["rule"], finding["range"]["start"]["offset"])
            found[key] = finding
    return found


before, after = findings(args.before), findings(args.after)
counts = collections.defaultdict(lambda: [0, 0])
for key in before:
    counts[key[1]][0] += 1
for key in after:
    counts[key[1]][1] += 1
print(f"{'rule':<30} {'before':>7} {'after':>7}")
for rule in sorted(counts):
    b, a = counts[rule]
    mark = "" if a == b else "  *"
    print(f"{rule:<30} {b:>7} {a:>7}{mark}")


def show(key, finding, sign):
    path, rule, _ = key
    line = finding["range"]["start"]["line"]
    print(f"\n{sign} {rule} {path}:{line + 1}")
    print(f"  {finding['message']}")
    try:
        lines = open(os.path.join(args.root, path), encoding="utf-8", errors="replace").read().split("\n")
    except OSError:
        return
    for n in range(max(0, line - args.context), min(len(lines), line + args.context + 1)):
        print(f"  {'>' if n == line else ' '} {n + 1:>5} {lines[n][:160]}")


for key in sorted(set(after) - set(before)):
    show(key, after[key], "+")
for key in sorted(set(before) - set(after)):
    show(key, before[key], "-")
