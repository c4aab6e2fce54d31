#!/usr/bin/env python3
"""Refreshes docs/BENCHMARKS.md from the raw outputs the `make bench*` targets write.

Every block between `<!-- BEGIN docs/NAME -->` and `<!-- END docs/NAME -->` is replaced by that
file's contents (a path relative to the repository's root) in a ```text fence. The page is
rewritten only when a block changed. With --check nothing is written: it lists the stale blocks
and the missing files and exits 1 if there is any (`make docs` runs it so). Standard library only."""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "BENCHMARKS.md"
BLOCK = re.compile(r"(<!-- BEGIN (?P<path>[^ ]+) -->\n)(?P<body>.*?)(<!-- END (?P=path) -->)", re.S)


def fenced(path):
    text = (ROOT / path).read_text(encoding="utf-8").rstrip("\n")
    fence = "```"
    while fence in text:  # A fence longer than any run of backticks inside.
        fence += "`"
    return f"{fence}text\n{text}\n{fence}\n"


def main():
    check = "--check" in sys.argv[1:]
    page = PAGE.read_text(encoding="utf-8")
    problems = []

    def refresh(match):
        path = match.group("path")
        if not (ROOT / path).is_file():
            problems.append(f"{PAGE.relative_to(ROOT)}: {path} is missing")
            return match.group(0)
        body = fenced(path)
        if body != match.group("body"):
            problems.append(f"{PAGE.relative_to(ROOT)}: the block of {path} is stale (run scripts/update-benchmarks.py)")
        return match.group(1) + body + match.group(4)

    updated = BLOCK.sub(refresh, page)
    if check:
        for problem in problems:
            print(problem)
        sys.exit(1 if problems else 0)
    missing = [p for p in problems if p.endswith("is missing")]
    for problem in missing:
        print(problem)
    if updated != page:
        PAGE.write_text(updated, encoding="utf-8")
        print(f"updated {PAGE.relative_to(ROOT)}")
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
