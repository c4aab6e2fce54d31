#!/usr/bin/env python3
"""Two netclient builds against each other, interleaved, on bench-load's nginx: is a change to
netclient load (or the runtime under it) faster, and does it measure better?

    python3 scripts/compare-netclient.py OLD NEW [--rates 6000,30000] [--concurrency 1,50]

For each concurrency and rate, both builds run `netclient load --keep-alive -R RATE -c C -d 4`
in turn (the order flips every repetition), pinned to CPU 1 with nginx on CPU 0 (as in
make bench-load). It prints each run, then the medians and NEW/OLD ratios: client CPU per
request (wait4's user + system over completed requests), the achieved rate over the asked one,
and the corrected p50 and p99 (latency from when each request was due). Pair each rate with the
concurrency at the same position (--rates 6000,30000 --concurrency 1,50), or give one
concurrency for every rate. Standard library only; bench-load.py's nginx and client runner."""
import argparse
import importlib.util
import json
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPEC = importlib.util.spec_from_file_location("bench_load", HERE / "bench-load.py")
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)

FIGURES = ("cpu_us", "achieved", "p50_ms", "p99_ms")


def one_run(binary, nginx, concurrency, rate, duration):
    command = bench.pin_prefix(1) + [binary, "load", "127.0.0.1", str(nginx.port), "/index.html",
                                     "-c", str(concurrency), "-d", str(duration), "--keep-alive",
                                     "-R", str(rate), "--json"]
    result = bench.run_client(command, duration + 60, nginx)
    if result["exit"] != 0 or result["timed_out"]:
        raise RuntimeError(f"{' '.join(command)} ended with {result['exit']}:\n{result['stderr']}")
    document = json.loads(result["stdout"])
    completed = document["requests"]["completed"]
    schedule = document["schedule"]
    corrected = document["latency_corrected_seconds"]
    return dict(cpu_us=result["cpu"] / max(completed, 1) * 1e6,
                achieved=schedule["rate_achieved"] / schedule["rate_requested"],
                p50_ms=corrected["p50"] * 1e3, p99_ms=corrected["p99"] * 1e3)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old", help="the netclient binary to compare against")
    parser.add_argument("new", help="the netclient binary under test")
    parser.add_argument("--rates", default="6000,30000", help="-R per row (6000,30000)")
    parser.add_argument("--concurrency", default="1,50", help="-c per row, or one for all (1,50)")
    parser.add_argument("--repetitions", type=int, default=5, help="runs of each build per row (5)")
    parser.add_argument("--duration", type=int, default=4, help="seconds per run (4)")
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    if len(concurrencies) == 1:
        concurrencies *= len(rates)
    if len(concurrencies) != len(rates) or args.repetitions < 1 or args.duration < 1:
        parser.error("give one concurrency, or one per rate; repetitions and duration at least 1")
    nginx_path = bench.find_tool("nginx")
    if not nginx_path:
        sys.exit("compare-netclient: needs nginx (make nginx installs nginx-light)")
    binaries = {"old": args.old, "new": args.new}
    rows = list(zip(concurrencies, rates))
    runs = {}
    nginx = bench.Nginx(nginx_path, 1024)
    nginx.start()
    try:
        for repetition in range(args.repetitions):
            for concurrency, rate in rows:
                for name in (("old", "new") if repetition % 2 == 0 else ("new", "old")):
                    figures = one_run(binaries[name], nginx, concurrency, rate, args.duration)
                    runs.setdefault((concurrency, rate, name), []).append(figures)
                    print(f"rep {repetition + 1}  -c {concurrency:<4} -R {rate:<7} {name}  "
                          + "  ".join(f"{k} {figures[k]:.4g}" for k in FIGURES), flush=True)
    finally:
        nginx.stop()
    print(f"\nmedians of {args.repetitions}; old = {args.old}, new = {args.new}")
    for concurrency, rate in rows:
        median = {name: {k: statistics.median(run[k] for run in runs[(concurrency, rate, name)]) for k in FIGURES}
                  for name in binaries}
        print(f"-c {concurrency} -R {rate}: "
              + "; ".join(f"{k} {median['old'][k]:.4g} -> {median['new'][k]:.4g} ({median['new'][k] / median['old'][k]:.3f}x)"
                          for k in FIGURES))


if __name__ == "__main__":
    main()
