#!/usr/bin/env python3
"""Checks the front door: README.md has at most 250 lines, and every relative link in it, in
docs/*.md and in Examples/README.md resolves to a file in the repository and, with a
`#fragment`, to a heading of that file (GitHub's anchors: lower case, punctuation dropped, spaces
to hyphens). Prints each problem as `file:line: message` and exits 1 if there is any; `make docs`
runs it. Standard library only."""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "Examples" / "README.md"]
README_LIMIT = 250
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def anchors(path):
    """The anchors of `path`'s headings, as GitHub makes them (a repeated one gets -1, -2...)."""
    seen, result = {}, set()
    fenced = False
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        match = None if fenced else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        slug = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def check(page):
    problems = []
    lines = page.read_text(encoding="utf-8").split("\n")
    name = page.relative_to(ROOT)
    fenced = False
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if fenced:
            continue
        for target in LINK.findall(line):
            if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:: not checked here.
                continue
            path_part, _, fragment = target.partition("#")
            file = (page.parent / path_part).resolve() if path_part else page
            if not file.exists():
                problems.append(f"{name}:{number}: link to {target}: no such file")
            elif fragment and file.suffix == ".md" and fragment not in anchors(file):
                problems.append(f"{name}:{number}: link to {target}: no heading with anchor #{fragment}")
    return problems


def main():
    problems = []
    readme = (ROOT / "README.md").read_text(encoding="utf-8").rstrip("\n").split("\n")
    if len(readme) > README_LIMIT:
        problems.append(f"README.md: {len(readme)} lines, more than {README_LIMIT}")
    for page in PAGES:
        if page.exists():
            problems += check(page)
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print(f"check-links: README.md {len(readme)} lines; the links of {len(PAGES)} pages resolve")


if __name__ == "__main__":
    main()
