#!/usr/bin/env python3
"""Samples findings per rule from `ticklens check --format json` for the precision survey.

    cd "$(scripts/corpus.sh)/files" && ticklens check . --no-cache --format json > /tmp/findings.json
    scripts/precision-sample.py /tmp/findings.json [--seed 5] [--per-rule 20] [--context 4]
                                [--pool all|library|test]

Prints hits per rule, then for each rule up to N findings drawn with a seeded
random sample (the same seed and input give the same sample), each with its
location and the surrounding lines, for a person to judge. docs/precision.md
records the judgements.

`--pool test` keeps only findings in test code (a path with a `test`, `tests`,
`__tests__` or `spec` folder, or a file named `*.test.*` / `*.spec.*`);
`--pool library` keeps the rest. The held-out survey reports the two apart.
"""
import argparse
import collections
import json
import os
import random
import re

parser = argparse.ArgumentParser()
parser.add_argument("findings")
parser.add_argument("--seed", type=int, default=5)
parser.add_argument("--per-rule", type=int, default=20)
parser.add_argument("--context", type=int, default=4)
parser.add_argument("--root", default=".", help="folder the paths in the JSON are relative to")
parser.add_argument("--pool", choices=["all", "library", "test"], default="all")
args = parser.parse_args()

TEST_FOLDERS = {"test", "tests", "__tests__", "spec"}
TEST_FILE = re.compile(r"\.(test|spec)\.[cm]?jsx?$")


def is_test_code(path):
    parts = path.replace("\\", "/").split("/")
    return any(part in TEST_FOLDERS for part in parts[:-1]) or bool(TEST_FILE.search(parts[-1]))


def in_pool(path):
    if args.pool == "all":
        return True
    return is_test_code(path) == (args.pool == "test")


report = json.load(open(args.findings))
by_rule = collections.defaultdict(list)
for file in report["files"]:
    if not in_pool(file["path"]):
        continue
    for finding in file.get("findings", []):
        by_rule[finding["rule"]].append((file["path"], finding))

print(f"hits per rule ({args.pool} pool):")
for rule, hits in sorted(by_rule.items(), key=lambda kv: -len(kv[1])):
    print(f"  {rule:<30} {len(hits):>5}  ({hits[0][1]['severity']})")

for rule in sorted(by_rule):
    hits = sorted(by_rule[rule], key=lambda h: (h[0], h[1]["range"]["start"]["line"]))
    sample = random.Random(f"{args.seed}:{rule}").sample(hits, min(args.per_rule, len(hits)))
    sample.sort(key=lambda h: (h[0], h[1]["range"]["start"]["line"]))
    print(f"\n===== {rule}: {len(sample)} of {len(hits)}")
    for n, (path, finding) in enumerate(sample, 1):
        line = finding["range"]["start"]["line"]
        print(f"\n--- {rule} #{n} {path}:{line}  {finding['message']}")
        lines = open(os.path.join(args.root, path), encoding="utf-8").read().split("\n")
        for i in range(max(1, line - args.context), min(len(lines), line + args.context) + 1):
            mark = ">" if i == line else " "
            print(f"{mark}{i:>6} {lines[i - 1][:160]}")
