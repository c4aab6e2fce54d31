#!/usr/bin/env python3
"""Builds every Swift code block in the README and the DocC articles against the libraries, so
that the documentation's code cannot rot: `make docs` runs it, and a block that no longer
compiles fails it, named by its file and line.

Each ```swift block is compiled on its own (swiftc -emit-sil, which checks types and
ownership, against the debug build's
modules: build Sockets, AsyncSockets and SocketsTesting first) after `import Foundation`,
`import Sockets`, `import AsyncSockets`, `import SocketsTesting` and `import Testing`:
  - a block with what only a file may hold (a line that starts with `@main`, `@Suite`, `@Test`,
    `extension`, `protocol` or `actor` at the block's own indentation) is a file of its own;
  - any other block is the body of an `async throws` function whose parameters are the few
    names an article may use without defining them, the ones its earlier blocks or its text
    introduce (PRELUDE below: a connected `socket`, a datagram `udp`, a `peer` address, some
    `bytes`, a `buffer`, a `handle` function, a caught `error`...);
  - a block that shows a compile error on purpose (a `// error:` comment) must fail to compile.
With --self-test it checks itself first: a broken block must be reported, a good one not.
Prints `file:line: message` for each failing block and exits 1 if there is any."""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "README.md", *sorted(ROOT.glob("Sources/*/*.docc/*.md")), *sorted(ROOT.glob("docs/*.md"))]
IMPORTS = "import Foundation\nimport Sockets\nimport AsyncSockets\nimport SocketsTesting\nimport Testing\n"
# The names a block may use without defining them, as the function's parameters.
PRELUDE = """socket: inout Socket, udp: inout Socket, receiver: inout Socket, listener: inout Socket,
    web: inout Socket, client: inout Socket, peer: SocketAddress, server: SocketAddress,
    destination: SocketAddress, address: SocketAddress, host: String, port: String,
    bytes: UnsafeRawBufferPointer, buffer: UnsafeMutableRawBufferPointer, payload: [UInt8],
    request: [UInt8], fileDescriptor: Int32, size: Int, header: UnsafeRawBufferPointer,
    body: UnsafeRawBufferPointer, messages: [UnsafeRawBufferPointer],
    handle: (UnsafeRawBufferPointer) -> Void, error: SocketError, asyncSocket: AsyncSocket"""
# Blocks with these need the file's scope (the rest, local types and functions included, can
# live in a function body).
DECLARATION = re.compile(r"^(@main|@Suite|@Test|extension |protocol |actor )")
FENCE = re.compile(r"^(?P<indent>[ ]*)```(?P<lang>[\w+-]*)\s*$")


def blocks(path):
    """Yields (first line number, code) for every ```swift block of `path`."""
    lines = path.read_text(encoding="utf-8").split("\n")
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if match and match.group("lang") == "swift":
            indent = len(match.group("indent"))
            start = index + 1
            end = start
            while end < len(lines) and not re.match(r"^[ ]*```\s*$", lines[end]):
                end += 1
            code = "\n".join(line[indent:] if line[:indent].strip() == "" else line for line in lines[start:end])
            yield start + 1, code
            index = end + 1
        else:
            index += 1


def wrapped(code):
    """The file to check for one block, and the line of the block's first line in it. The
    block's own imports stay where they are, as comments (the file imports them all)."""
    code = "\n".join("// " + line if line.startswith("import ") else line for line in code.split("\n"))
    if any(DECLARATION.match(line) for line in code.split("\n")):
        return IMPORTS + code + "\n", IMPORTS.count("\n") + 1
    head = IMPORTS + f"func snippet(\n    {PRELUDE}\n) async throws {{\n"
    body = "\n".join("    " + line for line in code.split("\n"))
    return head + body + "\n}\n", head.count("\n") + 1


def compiler_command(modules, files):
    # -emit-sil, not -typecheck: ownership (use after consume) is checked on SIL.
    return ["swiftc", "-emit-sil", "-o", os.devnull, "-parse-as-library", "-swift-version", "6", "-I", str(modules),
            *[flag for map_file in sorted(modules.parent.glob("*.build/module.modulemap"))
              for flag in ("-Xcc", f"-fmodule-map-file={map_file}")], *files]


def check(sources, modules):
    """Type-checks every block of `sources`; returns the problems as `file:line: message`."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="snippets-") as folder:
        for source in sources:
            for line, code in blocks(source):
                text, offset = wrapped(code)
                file = Path(folder) / f"snippet_{len(list(Path(folder).iterdir()))}.swift"
                file.write_text(text, encoding="utf-8")
                result = subprocess.run(compiler_command(modules, [str(file)]), capture_output=True, text=True)
                name = os.path.relpath(source, ROOT)
                expects_error = "// error:" in code
                if expects_error and result.returncode == 0:
                    problems.append(f"{name}:{line}: this block shows a compile error (// error:) but compiles")
                elif not expects_error and result.returncode != 0:
                    for error in re.finditer(rf"{re.escape(str(file))}:(\d+):\d+: error: (.*)", result.stderr):
                        problems.append(f"{name}:{line + int(error.group(1)) - offset}: {error.group(2)}")
                    if not any(p.startswith(f"{name}:") for p in problems):
                        problems.append(f"{name}:{line}: does not compile:\n{result.stderr.strip()}")
    return problems


def self_test(modules):
    """A good block passes, a broken one is reported at its line, a block that should fail
    but compiles is reported."""
    with tempfile.TemporaryDirectory(prefix="snippets-self-test-") as folder:
        page = Path(folder) / "page.md"
        page.write_text("# Page\n\n```swift\nlet s = try Socket(.ipv4, .stream)\ntry s.close()\n```\n\n"
                        "```swift\nlet s = try Socket(.ipv4, .stream)\ntry s.clothe()\n```\n\n"
                        "```swift\nlet n = 1 // error: none really\n```\n", encoding="utf-8")
        problems = check([page], modules)
        good = not any(":4:" in p or ":5:" in p for p in problems)
        broken = any(":10:" in p and "clothe" in p for p in problems)
        inverted = any(":14:" in p and "compiles" in p for p in problems)
        if not (good and broken and inverted):
            sys.exit("check-snippets self-test failed: " + "; ".join(problems or ["nothing reported"]))
    print("check-snippets: self-test passed (a broken block is reported at its line)")


def main():
    modules = ROOT / ".build" / "debug" / "Modules"
    if not (modules / "Sockets.swiftmodule").exists():
        sys.exit("check-snippets: build the libraries first (swift build --target SocketsTesting --target AsyncSockets)")
    if "--self-test" in sys.argv[1:]:
        self_test(modules)
    problems = check(SOURCES, modules)
    for problem in problems:
        print(problem)
    count = sum(1 for source in SOURCES for _ in blocks(source))
    if problems:
        sys.exit(f"check-snippets: {len(problems)} problem(s) in {count} Swift blocks")
    print(f"check-snippets: {count} Swift blocks compile")


if __name__ == "__main__":
    main()
