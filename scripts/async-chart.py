#!/usr/bin/env python3
"""Draws docs/async.svg from docs/bench-async-peers.txt (make bench-async-peers): the receive CPU
per GiB at each connection count, and request/response transactions per second, for every
contender of one run. No dependencies: the SVG is written by hand."""
import re
import sys

source = sys.argv[1] if len(sys.argv) > 1 else "docs/bench-async-peers.txt"
target = sys.argv[2] if len(sys.argv) > 2 else "docs/async.svg"
text = open(source).read()
many, rr = text.split("2. Request/response")
rr = rr.split("3. Connection rate")[0]
colors = ["#555555", "#d2691e", "#8b4513", "#4682b4", "#87ceeb", "#9acd32",
          "#00add8", "#007d9c", "#b7410e", "#e9967a"]  # then Go (2) and tokio (2), when present


def table(section, pattern):
    rows, n = {}, None
    for line in section.splitlines():
        header = re.match(r"\s+N = (\d+)", line)
        if header:
            n = int(header.group(1))
            continue
        match = re.match(pattern, line)
        if match and n is not None:
            rows.setdefault(match.group(1).strip(), {})[n] = float(match.group(2))
    return rows


cpu = table(many, r"\s{4}(.+?)\s+[\d.]+ GiB/s .*CPU ([\d.]+) s/GiB")
tps = table(rr, r"\s{4}(.+?)\s+(\d+) tx/s")


def panel(rows, title, unit, x0, better):
    names = list(rows)
    groups = sorted({n for values in rows.values() for n in values})
    top = max(v for values in rows.values() for v in values.values()) * 1.1
    width, height = 440, 260
    bar = min(14, (width - 60) / len(groups) / (len(names) + 1))  # every group's bars fit its slot
    parts = [f'<text x="{x0 + 10}" y="24" font-size="14" font-weight="bold">{title}</text>',
             f'<text x="{x0 + 10}" y="40" font-size="11" fill="#555">{unit} ({better})</text>']
    for gi, n in enumerate(groups):
        gx = x0 + 50 + gi * (width - 60) / len(groups)
        for ni, name in enumerate(names):
            value = rows[name].get(n)
            if value is None:
                continue
            h = (height - 80) * value / top
            x = gx + ni * bar
            parts.append(f'<rect x="{x:.1f}" y="{height - 20 - h:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" '
                         f'fill="{colors[ni % len(colors)]}"><title>{name}, N = {n}: {value:g}</title></rect>')
        parts.append(f'<text x="{gx:.1f}" y="{height - 5}" font-size="11">N = {n}</text>')
    return parts, names


left, names = panel(cpu, "Receiving, many connections", "CPU seconds per GiB", 0, "lower is better")
right, _ = panel(tps, "64-byte request/response", "transactions per second", 460, "higher is better")
legend = []
for index, name in enumerate(names):
    y = 290 + index * 16
    legend.append(f'<rect x="10" y="{y - 10}" width="12" height="12" fill="{colors[index % len(colors)]}"/>'
                  f'<text x="28" y="{y}" font-size="12">{name}</text>')
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="920" height="{300 + 16 * len(names)}" font-family="sans-serif">',
       '<rect width="100%" height="100%" fill="white"/>'] + left + right + legend + ['</svg>']
open(target, "w").write("\n".join(svg) + "\n")
print(f"async-chart: wrote {target}")
