#!/usr/bin/env python3
"""Checks the doc comment of every public declaration in the libraries: a summary, a
`- Throws:` section on every throwing member, and every parameter documented. Prints each gap
as `file:line: message` and exits 1 if there is any; used by `make docs` and the test suite."""
import re
import sys
from pathlib import Path

ROOTS = [Path("Sources/Sockets"), Path("Sources/AsyncSockets"), Path("Sources/SocketsTesting")]
DECL = re.compile(r'^\s*(?:@[\w(]+[^\n]*\s+)*(public|open)\s+(?:static\s+|final\s+|mutating\s+|borrowing\s+|consuming\s+|nonmutating\s+|override\s+)*'
                  r'(func|init|var|let|subscript|struct|enum|class|protocol|typealias|case|extension)\b')


def split_top(text):
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch in "([<{":
            depth += 1
        elif ch in ")]>}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current)
    return parts


def parameters(signature):
    start = signature.find("(")
    if start < 0:
        return []
    depth, end = 0, None
    for index in range(start, len(signature)):
        if signature[index] == "(":
            depth += 1
        elif signature[index] == ")":
            depth -= 1
            if depth == 0:
                end = index
                break
    if end is None:
        return []
    names = []
    for part in split_top(signature[start + 1:end]):
        head = part.split(":", 1)[0].strip().split()
        head = [word for word in head if not word.startswith("@") and word not in ("borrowing", "consuming", "inout")]
        if head:
            names.append(head)
    return names


def check(path):
    problems = []
    lines = path.read_text().splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        match = DECL.match(line)
        if not match or match.group(2) == "extension" or "@available(*, unavailable" in lines[index - 1]:
            index += 1
            continue
        kind = match.group(2)
        # The doc comment above (skipping attributes).
        above = index - 1
        while above >= 0 and lines[above].strip().startswith("@"):
            above -= 1
        doc = []
        while above >= 0 and lines[above].strip().startswith("///"):
            doc.insert(0, lines[above].strip()[3:])
            above -= 1
        where = f"{path}:{index + 1}"
        if not doc or not doc[0].strip():
            problems.append(f"{where}: public {kind} without a summary line")
            index += 1
            continue
        # The whole signature, up to the body or the end of the declaration.
        signature, cursor = "", index
        while cursor < len(lines):
            signature += " " + lines[cursor].strip()
            if "{" in lines[cursor] or (kind in ("let", "case", "typealias") or
                                        (kind == "var" and "{" not in signature and cursor > index + 3)):
                break
            if kind == "var" and cursor == index and not lines[cursor].rstrip().endswith(("{", "(")):
                break
            cursor += 1
        text = "\n".join(doc)
        header = signature.split("{", 1)[0]
        getter = signature.split("{", 2)
        throwing = re.search(r'\bthrows\b', header) or (kind == "var" and re.search(r'\bget\s+throws\b', signature))
        if throwing and "- Throws:" not in text:
            problems.append(f"{where}: throwing public {kind} without '- Throws:'")
        if kind in ("func", "init", "subscript"):
            for words in parameters(header[header.find(kind):]):
                names = {word for word in words if word != "_"}
                if not any(re.search(rf'- (?:Parameter )?{re.escape(name)}\s*:', text) for name in names):
                    problems.append(f"{where}: parameter '{words[-1]}' is not documented")
        index += 1
    return problems


def main():
    problems = []
    for root in ROOTS:
        for path in sorted(root.rglob("*.swift")):
            problems += check(path)
    for problem in problems:
        print(problem)
    print(f"check-docs: {len(problems)} gaps in the public API's documentation")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
