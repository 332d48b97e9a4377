#!/usr/bin/env python3
"""Checks an array run: every input of the archive appears in exactly one task's summary, as done
or skipped (already complete), and every output is there. Prints a table and exits non-zero on
any file failed, missing or done twice.

    check-shards.py SUMMARY.json... [--expect-inputs N]
"""
import argparse
import collections
import json
import os
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("summaries", nargs="+")
    p.add_argument("--expect-inputs", type=int, help="how many inputs the archive holds")
    args = p.parse_args()
    seen = collections.defaultdict(list)
    for path in args.summaries:
        summary = json.load(open(path))
        for f in summary["files"]:
            seen[f["input"]].append((os.path.basename(path), f["status"], f.get("error")))
        print(f"{os.path.basename(path)}: shard {summary.get('shard')}, {len(summary['files'])} files: "
              f"{summary['done']} done, {summary['skipped']} skipped, {summary['failed']} failed, {summary['seconds']:.0f} s")
    problems = []
    for name, outcomes in sorted(seen.items()):
        if len(outcomes) != 1:
            problems.append(f"{name}: in {len(outcomes)} shares")
        elif outcomes[0][1] == "failed":
            problems.append(f"{name}: failed: {outcomes[0][2]}")
    if args.expect_inputs is not None and len(seen) != args.expect_inputs:
        problems.append(f"{len(seen)} inputs seen, {args.expect_inputs} expected")
    print(f"{len(seen)} inputs, each in exactly one share: {not any('shares' in p for p in problems)}")
    for problem in problems:
        print("PROBLEM:", problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
