#!/usr/bin/env python3
"""`netclient load` against ApacheBench (ab), wrk and h2load, against one loopback nginx, in one
run (make bench-load).

nginx runs from scripts/nginx/nginx.conf.in in a private temporary prefix, pinned to CPU 0;
every client is pinned to CPU 1 (when taskset exists and both CPUs are usable; so the -t 2
clients' two threads share that CPU too). For each concurrency and repetition the closed-loop
contenders run in an order that rotates per repetition:

  ab                               new connection per request (HTTP/1.0), -n requests
  netclient load                   new connection per request, -n requests
  wrk -t1                          keep-alive, -d seconds
  netclient load --keep-alive      keep-alive (HTTP/1.1), -d seconds
  h2load --h1 -t1                  keep-alive (HTTP/1.1), -D seconds
  wrk -t2                          keep-alive, 2 threads, -d seconds (C >= 2 only)
  netclient load --keep-alive -t 2 keep-alive, 2 reactor threads, -d seconds (C >= 2 only)

Then, at the same concurrency, the open loop: the median requests/s of `netclient load
--keep-alive` is taken as the closed-loop maximum, and `netclient load --keep-alive -R RATE`
runs at 50% and 90% of it (-d seconds, the same repetitions, rotating order).

Each client's CPU time (user + system) comes from os.wait4 on that one child; requests/s is the
tool's own figure. The first table gives medians over repetitions of CPU per request (the figure
to read first: on 2 cores nginx and the client share the machine, so nginx may bound the rate)
and requests/s, and the ratios against their targets: netclient load / ab, netclient load
--keep-alive / wrk -t1 and netclient load --keep-alive -t 2 / wrk -t2 (h2load / wrk -t1 is
shown with no target). The open-loop table puts the -R rows next to the closed loop: the rate
achieved over the rate requested (the schedule's, from netclient's JSON; target within 1%), CPU
per request, p99 latency corrected for coordinated omission and as measured, and the requests
never sent. With --backends epoll,io_uring, netclient's contenders run once more on the io_uring
backend ("[io_uring]", through SOCKETS_ASYNC_BACKEND; its open loop from its own maximum),
compared with the same baselines and with themselves on epoll. Standard library only; traffic
only to 127.0.0.1; every client is bounded in time and, like nginx, ended by its pid."""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, "nginx", "nginx.conf.in")
RUN_TIMEOUT = 120.0
NGINX_START_TIMEOUT = 10.0
NGINX_STOP_GRACE = 5.0

AB, NC, WRK, NC_KA = "ab", "netclient load", "wrk -t1", "netclient load --keep-alive"
H2LOAD, WRK2, NC_KA2 = "h2load --h1 -t1", "wrk -t2", "netclient load --keep-alive -t 2"
OL50, OL90 = "netclient load --keep-alive -R 50%", "netclient load --keep-alive -R 90%"
ALL_CONTENDERS = [AB, NC, WRK, NC_KA, H2LOAD, WRK2, NC_KA2]  # the closed loop
NETCLIENT_CLOSED = (NC, NC_KA, NC_KA2)
OPEN_LOOP = (OL50, OL90)  # each at this fraction of netclient load --keep-alive's median requests/s
OPEN_LOOP_FRACTION = {OL50: 0.5, OL90: 0.9}
NETCLIENT = NETCLIENT_CLOSED + OPEN_LOOP
THREADS = {NC_KA2: 2}  # netclient contenders run with -t N (and checked in the JSON)
NEEDS_TWO = (WRK2, NC_KA2)  # 2 threads need 2 connections (wrk refuses -c 1 -t2)
TOOL = {AB: "ab", WRK: "wrk", WRK2: "wrk", H2LOAD: "h2load"}  # the rest: netclient
# (contender, baseline, requests/s target (>=), CPU per request target (<=)); no target: None
COMPARISONS = [(NC, AB, 1.1, 0.8), (NC_KA, WRK, 1.0, 0.9), (NC_KA2, WRK2, 1.0, 0.9), (H2LOAD, WRK, None, None)]
# The open loop's achieved rate over its requested rate: within 1%.
RATE_TARGET = (0.99, 1.01)


def on_backend(contender, backend):
    """netclient's contender on an async backend other than epoll (the default), e.g.
    "netclient load [io_uring]"."""
    return f"{contender} [{backend}]"


def base_of(contender):
    """The contender without its backend: what command runs and how its output reads."""
    return contender.split(" [")[0]


def backend_of(contender):
    """The SOCKETS_ASYNC_BACKEND a netclient contender runs with (epoll unless named)."""
    return contender.split(" [")[1].rstrip("]") if " [" in contender else "epoll"


def named(contender, backend):
    """The contender on that backend (its plain name on epoll)."""
    return contender if backend == "epoll" else on_backend(contender, backend)


def maximum_of(contender):
    """The closed-loop contender whose median requests/s an open-loop contender's rate is a
    fraction of: netclient load --keep-alive (-t 1) on the same backend."""
    return named(NC_KA, backend_of(contender))


def log(*parts):
    print(*parts, flush=True)


def find_tool(name):
    """The tool's path: PATH first, then the sbin folders (nginx is in /usr/sbin, which is not
    on a non-root user's PATH on Debian)."""
    path = shutil.which(name)
    if path:
        return path
    for folder in ("/usr/sbin", "/sbin", "/usr/local/sbin"):
        candidate = os.path.join(folder, name)
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pin_prefix(cpu):
    """`taskset -c CPU` when taskset exists and CPUs 0 and 1 are both usable, else nothing."""
    taskset = shutil.which("taskset")
    if taskset and {0, 1} <= os.sched_getaffinity(0):
        return [taskset, "-c", str(cpu)]
    return []


def proc_cpu_seconds(pid):
    """utime + stime of one process from /proc (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


class Nginx:
    """nginx in a private prefix, started as our child in its own process group (so a Ctrl-C in
    the terminal does not reach it: we end it ourselves, by its pid)."""

    def __init__(self, nginx, file_size):
        self.nginx = nginx
        self.proc = None
        self.prefix = tempfile.mkdtemp(prefix="bench-load-nginx.")
        # When root, nginx's worker runs as nobody: the prefix, the served root and the file
        # must be world-readable (mkdtemp makes the folder 0700).
        os.chmod(self.prefix, 0o755)
        self.root = os.path.join(self.prefix, "root")
        os.mkdir(self.root)
        os.chmod(self.root, 0o755)
        self.port = free_port()
        self.listen = f"127.0.0.1:{self.port}"
        path = os.path.join(self.root, "index.html")
        line = b"netclient load benchmark payload 0123456789abcdefghijklmnopqrstuvwxyz\n"
        with open(path, "wb") as f:
            f.write((line * (file_size // len(line) + 1))[:file_size])
        os.chmod(path, 0o644)
        with open(TEMPLATE) as f:
            conf = f.read()
        for key, value in (("@PREFIX@", self.prefix), ("@ROOT@", self.root), ("@LISTEN@", self.listen)):
            conf = conf.replace(key, value)
        if "@" in "".join(l.split("#", 1)[0] for l in conf.splitlines()):
            raise RuntimeError("nginx.conf.in has a placeholder this script does not fill in")
        self.conf = os.path.join(self.prefix, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        os.chmod(self.conf, 0o644)
        self.command = pin_prefix(0) + [nginx, "-p", self.prefix, "-c", self.conf]
        self.stderr = open(os.path.join(self.prefix, "nginx.stderr"), "w+b")

    def start(self):
        self.proc = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=self.stderr,
                                     stderr=self.stderr, start_new_session=True)
        deadline = time.monotonic() + NGINX_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.proc.returncode} at start:\n{self.diagnostics()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nginx did not accept on {self.listen} within {NGINX_START_TIMEOUT:.0f} s:\n"
                           f"{self.diagnostics()}")

    def diagnostics(self):
        text = []
        try:
            self.stderr.flush()
            self.stderr.seek(0)
            text.append(self.stderr.read().decode(errors="replace"))
        except (OSError, ValueError):
            pass
        try:
            with open(os.path.join(self.prefix, "error.log")) as f:
                text.append(f.read())
        except OSError:
            pass
        return "\n".join(t.strip() for t in text if t.strip()) or "(nothing in its stderr or error.log)"

    def cpu_seconds(self):
        """CPU time so far of the master and its workers (the worker does the serving)."""
        if self.proc is None or self.proc.poll() is not None:
            return None
        total = 0.0
        for pid in [self.proc.pid] + children(self.proc.pid):
            value = proc_cpu_seconds(pid)
            if value is not None:
                total += value
        return total

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGQUIT (graceful) to the master by its pid; SIGKILL to its process group (the master
        and its workers, all ours) when it has not ended after a few seconds."""
        if self.proc is not None:
            pgid = self.proc.pid  # start_new_session: the master leads its own group
            if self.proc.poll() is None:
                try:
                    self.proc.send_signal(signal.SIGQUIT)
                    self.proc.wait(timeout=NGINX_STOP_GRACE)
                except subprocess.TimeoutExpired:
                    log(f"note: nginx (pid {pgid}) did not end on SIGQUIT within {NGINX_STOP_GRACE:.0f} s: SIGKILL")
                    self._kill_group(pgid)
                    self.proc.wait(timeout=NGINX_STOP_GRACE)
            # A worker left behind by a master that died: end the rest of the group.
            self._kill_group(pgid)
            self.proc = None
        try:
            self.stderr.close()
        except OSError:
            pass
        shutil.rmtree(self.prefix, ignore_errors=True)

    @staticmethod
    def _kill_group(pgid):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class Run:
    """One client run's outcome."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


CURRENT_CHILD = {"pid": None}


def run_client(command, timeout, nginx, env=None):
    """Runs one client as our direct child (taskset execs it, so the pid is the client's), waits
    for it with os.wait4 for its own resource usage, bounded by timeout (SIGKILL by pid)."""
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    nginx_before = nginx.cpu_seconds()
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
    CURRENT_CHILD["pid"] = proc.pid
    result = {}

    def reap():
        _, status, usage = os.wait4(proc.pid, 0)
        result["end"] = time.perf_counter()
        result["status"] = status
        result["usage"] = usage

    waiter = threading.Thread(target=reap, daemon=True)
    waiter.start()
    try:
        waiter.join(timeout)
        timed_out = waiter.is_alive()
        if timed_out:
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            waiter.join()
    finally:
        if waiter.is_alive():  # Ctrl-C while waiting: end the client by its pid, then reap it
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            waiter.join(5)
        CURRENT_CHILD["pid"] = None
    nginx_after = nginx.cpu_seconds()
    status = result["status"]
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from trying
    usage = result["usage"]
    out.seek(0)
    err.seek(0)
    nginx_cpu = None
    if nginx_before is not None and nginx_after is not None:
        nginx_cpu = nginx_after - nginx_before
    return dict(exit=proc.returncode, timed_out=timed_out, wall=result["end"] - start,
                user=usage.ru_utime, system=usage.ru_stime, cpu=usage.ru_utime + usage.ru_stime,
                stdout=out.read().decode(errors="replace"), stderr=err.read().decode(errors="replace"),
                nginx_cpu=nginx_cpu)


def number_after(text, label):
    """The first number after `label` on a line of text (None when there is no such line)."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(label):
            token = stripped[len(label):].split()
            if token:
                try:
                    return float(token[0])
                except ValueError:
                    return None
    return None


def parse_ab(stdout):
    rps = number_after(stdout, "Requests per second:")
    completed = number_after(stdout, "Complete requests:")
    failed = number_after(stdout, "Failed requests:")
    non2xx = number_after(stdout, "Non-2xx responses:") or 0
    if rps is None or completed is None or failed is None:
        raise ValueError("no 'Requests per second:', 'Complete requests:' or 'Failed requests:' line")
    return int(completed), int(failed + non2xx), rps


def parse_wrk(stdout):
    completed = None
    for line in stdout.splitlines():
        words = line.split()
        if len(words) >= 3 and words[1] == "requests" and words[2] == "in":
            completed = int(words[0])
    rps = number_after(stdout, "Requests/sec:")
    if completed is None or rps is None:
        raise ValueError("no 'N requests in' or 'Requests/sec:' line")
    failed = number_after(stdout, "Non-2xx or 3xx responses:") or 0
    for line in stdout.splitlines():
        if line.strip().startswith("Socket errors:"):
            # Socket errors: connect 0, read 0, write 0, timeout 0
            for part in line.split(":", 1)[1].split(","):
                words = part.split()
                if len(words) == 2 and words[1].isdigit():
                    failed += int(words[1])
    return completed, int(failed), rps


def parse_h2load(stdout):
    # finished in 1.00s, 34299.00 req/s, 41.08MB/s
    # requests: 34299 total, 34309 started, 34299 done, 34299 succeeded, 0 failed, 0 errored, 0 timeout
    rps, counts = None, None
    for line in stdout.splitlines():
        stripped = line.strip()
        if stripped.startswith("finished in"):
            for part in stripped.split(","):
                words = part.split()
                if len(words) == 2 and words[1] == "req/s":
                    rps = float(words[0])
        elif stripped.startswith("requests:"):
            counts = {}
            for part in stripped.split(":", 1)[1].split(","):
                words = part.split()
                if len(words) == 2 and words[0].isdigit():
                    counts[words[1]] = int(words[0])
    if rps is None or not counts or "done" not in counts or "failed" not in counts:
        raise ValueError("no 'finished in ..., N req/s' or 'requests: ... N done, ... N failed' line")
    # "failed" includes the HTTP-level failures (a status other than 2xx/3xx) and the errored ones.
    return counts["done"], counts["failed"], rps


def parse_netclient(stdout, backend=None, threads=None, rate=None):
    """completed, failed, requests/s and the extras (threads, p99s in ms, the open loop's
    schedule) from netclient load's --json document; checks it ran as asked."""
    document = json.loads(stdout)
    if backend is not None and document.get("backend") != backend:
        raise ValueError(f"ran on {document.get('backend')}, not {backend} (io_uring refused here?)")
    if threads is not None and document.get("threads") != threads:
        raise ValueError(f"ran on {document.get('threads')} threads, not {threads}")
    requests = document["requests"]

    def p99_ms(key):
        latency = document.get(key) or {}
        return None if latency.get("p99") is None else float(latency["p99"]) * 1e3

    extras = dict(threads=document.get("threads"), latency_p99_ms=p99_ms("latency_seconds"),
                  latency_corrected_p99_ms=p99_ms("latency_corrected_seconds"), schedule=document.get("schedule"),
                  rate_ratio=None, unsent=None)
    schedule = extras["schedule"]
    if rate is not None:
        if not schedule:
            raise ValueError("no schedule in the JSON document (an open-loop run with -R has one)")
        if abs(float(schedule["rate_requested"]) - rate) > 1e-6 * max(1.0, rate):
            raise ValueError(f"its schedule requested {schedule['rate_requested']} per second, not {rate}")
        extras.update(rate_ratio=float(schedule["rate_achieved"]) / float(schedule["rate_requested"]),
                      unsent=int(schedule["unsent"]))
    elif schedule:
        raise ValueError("a schedule in a closed-loop run's JSON document")
    return int(requests["completed"]), int(requests["failed"]), float(document["requests_per_second"]), extras


def commands_for(contender, tools, port, concurrency, requests, duration, pin, rate=None):
    """The command line; rate is the open loop's -R (a number, or a placeholder to show)."""
    contender = base_of(contender)
    url = f"http://127.0.0.1:{port}/index.html"
    if contender == AB:
        # ab refuses -c above -n
        return pin + [tools["ab"], "-q", "-n", str(max(requests, concurrency)), "-c", str(concurrency), url]
    if contender in (WRK, WRK2):
        threads = "-t2" if contender == WRK2 else "-t1"
        return pin + [tools["wrk"], threads, "-c", str(concurrency), "-d", f"{duration}s", url]
    if contender == H2LOAD:
        return pin + [tools["h2load"], "--h1", "-t1", "-c", str(concurrency), "-D", str(duration), url]
    base = pin + [tools["netclient"], "load", "127.0.0.1", str(port), "/index.html", "-c", str(concurrency)]
    if contender == NC:
        return base + ["-n", str(requests), "--json"]
    base += ["-d", str(duration), "--keep-alive"]
    if contender in THREADS:
        base += ["-t", str(THREADS[contender])]
    if contender in OPEN_LOOP:
        base += ["-R", format_rate(rate) if isinstance(rate, (int, float)) else str(rate)]
    return base + ["--json"]


def format_rate(rate):
    return f"{rate:.0f}" if float(rate).is_integer() else f"{rate:g}"


PARSERS = {AB: parse_ab, WRK: parse_wrk, WRK2: parse_wrk, H2LOAD: parse_h2load}  # netclient: parse_netclient


def measure(contender, command, nginx, rate=None):
    env = None
    if base_of(contender) in NETCLIENT:
        env = dict(os.environ, SOCKETS_ASYNC_BACKEND=backend_of(contender))
    outcome = run_client(command, RUN_TIMEOUT, nginx, env)
    run = dict(command=command, exit=outcome["exit"], timed_out=outcome["timed_out"], wall=outcome["wall"],
               cpu_user=outcome["user"], cpu_system=outcome["system"], cpu=outcome["cpu"],
               nginx_cpu=outcome["nginx_cpu"], completed=None, failed=None, requests_per_second=None,
               cpu_us_per_request=None, rate=rate, ok=False, error=None)
    problems = []
    if outcome["timed_out"]:
        problems.append(f"timed out after {RUN_TIMEOUT:.0f} s (SIGKILL by pid)")
    elif outcome["exit"] != 0:
        problems.append(f"exit status {outcome['exit']}")
    try:
        if base_of(contender) in NETCLIENT:
            completed, failed, rps, extras = parse_netclient(outcome["stdout"], backend_of(contender),
                                                             THREADS.get(base_of(contender), 1), rate)
            run.update(extras)
        else:
            completed, failed, rps = PARSERS[contender](outcome["stdout"])
        run.update(completed=completed, failed=failed, requests_per_second=rps)
        if completed > 0:
            run["cpu_us_per_request"] = outcome["cpu"] / completed * 1e6
        if failed > 0:
            problems.append(f"{failed} failed requests")
        if completed == 0:
            problems.append("no completed requests")
    except (ValueError, KeyError, TypeError) as error:
        problems.append(f"output not understood ({error})")
    if not nginx.alive():
        problems.append("nginx is no longer running")
    if problems:
        tail = (outcome["stderr"].strip() or outcome["stdout"].strip()).splitlines()[-3:]
        run["error"] = "; ".join(problems) + ("" if not tail else " | " + " / ".join(t[:200] for t in tail))
    else:
        run["ok"] = True
    return run


def median_of(runs, key):
    values = [r[key] for r in runs if r["ok"] and r[key] is not None]
    return statistics.median(values) if values else None


def fmt(value, spec, width):
    return f"{'-' if value is None else format(value, spec):>{width}}"


def verdict(value, target, higher_is_better):
    if value is None or target is None:
        return "n/a"
    return "met" if (value >= target if higher_is_better else value <= target) else "missed"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", default="1,50,200", help="comma-separated connection counts (1,50,200)")
    parser.add_argument("--repetitions", type=int, help="runs of every contender per concurrency (5)")
    parser.add_argument("--requests", type=int,
                        help="requests per ab and netclient load run (20000; ab gets at least the concurrency)")
    parser.add_argument("--duration", type=int, help="seconds per keep-alive and open-loop run (3)")
    parser.add_argument("--file-size", type=int, default=1024, help="bytes of the served index.html (1024)")
    parser.add_argument("--netclient", default=".build/release/netclient", help="the netclient binary")
    parser.add_argument("--json", metavar="FILE", help="write every run and the medians as JSON")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 repetition, 2000 requests, 1 s (unless given explicitly)")
    parser.add_argument("--backends", default="epoll",
                        help="netclient's async backends, comma-separated (epoll; e.g. epoll,io_uring: "
                             "netclient's contenders run once per backend, through SOCKETS_ASYNC_BACKEND)")
    parser.add_argument("--skip-netclient", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    for name, normal, quick in (("repetitions", 5, 1), ("requests", 20000, 2000), ("duration", 3, 1)):
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else normal)
    try:
        concurrencies = [int(c) for c in args.concurrency.split(",") if c.strip()]
    except ValueError:
        parser.error(f"--concurrency: not a comma-separated list of numbers: {args.concurrency!r}")
    if not concurrencies or min(concurrencies) < 1 or args.repetitions < 1 or args.requests < 1 \
            or args.duration < 1 or args.file_size < 0:
        parser.error("concurrency, repetitions, requests and duration must be at least 1; file size at least 0")


    nginx_path = find_tool("nginx")
    if nginx_path is None:
        sys.exit("error: nginx is missing: install the 'nginx-light' package (make nginx)")
    tools = {"ab": find_tool("ab"), "wrk": find_tool("wrk"), "h2load": find_tool("h2load"),
             "netclient": args.netclient if os.access(args.netclient, os.X_OK) else None}
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not backends or any(b not in ("epoll", "io_uring") for b in backends):
        parser.error(f"--backends: epoll and/or io_uring, not {args.backends!r}")
    contenders = [c for c in ALL_CONTENDERS if not (args.skip_netclient and c in NETCLIENT)]
    if "epoll" not in backends:
        contenders = [c for c in contenders if c not in NETCLIENT]
    for backend in backends:
        if backend != "epoll" and not args.skip_netclient:
            contenders += [on_backend(c, backend) for c in NETCLIENT_CLOSED]
    # The open loop: after each concurrency's closed loop, at fractions of its own backend's maximum.
    open_loop = [] if args.skip_netclient else [named(c, b) for b in backends for c in OPEN_LOOP]
    everyone = contenders + open_loop
    tool_of = {c: TOOL.get(base_of(c), "netclient") for c in everyone}
    width = max(39, max(len(c) for c in everyone))

    def on_term(*_):
        raise KeyboardInterrupt

    # A SIGTERM ends the run like a Ctrl-C: the client and nginx are ended, the folder removed.
    signal.signal(signal.SIGTERM, on_term)

    nginx = None
    runs = []
    interrupted = False
    failure = None

    def run_one(contender, concurrency, repetition, position, pin, rate=None, skip=None):
        """Runs (or records as not run, with the reason) one contender once, and logs it."""
        base = dict(concurrency=concurrency, repetition=repetition, position=position, contender=contender)
        if tools[tool_of[contender]] is None:
            skip = "missing"
        elif skip is None and base_of(contender) in NEEDS_TWO and concurrency < 2:
            skip = "n/a (C < 2)"
        if skip is not None:
            runs.append(dict(base, ok=False, missing=True, error=skip, rate=rate))
            return
        command = commands_for(contender, tools, nginx.port, concurrency, args.requests, args.duration, pin, rate)
        run = dict(base, missing=False, **measure(contender, command, nginx, rate))
        runs.append(run)
        if run["ok"]:
            nginx_share = "" if run["nginx_cpu"] is None else \
                f"  nginx {run['nginx_cpu'] / run['wall'] * 100:3.0f}%"
            extra = ""
            if rate is not None:
                extra = (f"  achieved/-R {fmt(run['rate_ratio'], '.4f', 0)} p99 {fmt(run['latency_corrected_p99_ms'], '.3f', 0)}"
                         f" ms (measured {fmt(run['latency_p99_ms'], '.3f', 0)}) unsent {run['unsent']}")
            log(f"  c={concurrency:<4} rep {repetition + 1}  {contender:<{width}} "
                f"{run['cpu_us_per_request']:8.2f} CPU µs/req {run['requests_per_second']:10.0f} req/s "
                f"{run['completed']:8d} req {run['wall']:6.2f} s{nginx_share}{extra}")
        else:
            log(f"  c={concurrency:<4} rep {repetition + 1}  {contender:<{width}} FAILED: {run['error']}")
        if not nginx.alive():
            raise RuntimeError(f"nginx ended during the run:\n{nginx.diagnostics()}")

    try:
        nginx = Nginx(nginx_path, args.file_size)
        nginx.start()
        pin = pin_prefix(1)
        log("bench-load: netclient load against ab, wrk and h2load, closed and open loop, one loopback nginx, "
            "interleaved")
        log(f"  nginx: {' '.join(nginx.command)}  (1 worker, {args.file_size}-byte /index.html)")
        if pin:
            log("  nginx pinned to CPU 0, every client to CPU 1 (-t 2 clients too)")
        else:
            log("  note: no pinning (taskset missing or CPUs 0 and 1 not both usable)")
        log(f"  concurrency {','.join(map(str, concurrencies))}; {args.repetitions} repetitions, order rotating; "
            f"N = {args.requests} requests, D = {args.duration} s; each run bounded by {RUN_TIMEOUT:.0f} s")
        log("  commands (C = concurrency; MAX = the median req/s of netclient load --keep-alive at C, same backend):")
        for contender in everyone:
            if tools[tool_of[contender]] is None:
                what = args.netclient if tool_of[contender] == "netclient" else tool_of[contender]
                log(f"    {contender:<{width}} missing ({what})")
                continue
            placeholder = None
            if base_of(contender) in OPEN_LOOP:
                placeholder = f"{OPEN_LOOP_FRACTION[base_of(contender)]:g}*MAX"
            shown = commands_for(contender, tools, nginx.port, 0, args.requests, args.duration, pin, placeholder)
            shown = ["C" if (i > 0 and shown[i - 1] == "-c" and w == "0") else w for i, w in enumerate(shown)]
            shown_env = "" if base_of(contender) not in NETCLIENT else f"SOCKETS_ASYNC_BACKEND={backend_of(contender)} "
            log(f"    {contender:<{width}} {shown_env}{' '.join(shown)}")
        if AB in contenders:
            log("    (ab: -n is at least C)")
        if any(base_of(c) in NEEDS_TWO for c in contenders) and min(concurrencies) < 2:
            log("    (wrk -t2 and netclient load --keep-alive -t 2: only at C >= 2)")
        log("  CPU = the client's user + system seconds (os.wait4 on it); requests/s = the tool's own figure;"
            " nginx% = its CPU time over the run's wall time")
        log("")

        for concurrency in concurrencies:
            for repetition in range(args.repetitions):
                shift = repetition % len(contenders)
                order = contenders[shift:] + contenders[:shift]
                for position, contender in enumerate(order):
                    run_one(contender, concurrency, repetition, position, pin)
            if not open_loop:
                continue
            rates, skips = {}, {}
            for contender in open_loop:
                maximum = median_of([r for r in runs if r["concurrency"] == concurrency
                                     and r["contender"] == maximum_of(contender)], "requests_per_second")
                if maximum is None:
                    rates[contender], skips[contender] = None, f"n/a (no {maximum_of(contender)} median)"
                else:
                    rates[contender] = max(1, round(maximum * OPEN_LOOP_FRACTION[base_of(contender)]))
            log(f"  c={concurrency:<4} open loop: " + "; ".join(
                f"{c} -R {'-' if rates[c] is None else rates[c]}" for c in open_loop))
            for repetition in range(args.repetitions):
                shift = repetition % len(open_loop)
                order = open_loop[shift:] + open_loop[:shift]
                for position, contender in enumerate(order):
                    run_one(contender, concurrency, repetition, position, pin, rates[contender],
                            skips.get(contender))
    except KeyboardInterrupt:
        interrupted = True
        log("\ninterrupted: ending the client and nginx")
    except (RuntimeError, OSError) as error:
        failure = error
    finally:
        pid = CURRENT_CHILD["pid"]
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if nginx is not None:
            nginx.stop()
    if failure is not None:
        log(f"error: {failure}")
        if not runs:
            sys.exit(1)

    summary = report(runs, concurrencies, contenders, args, backends, open_loop, width)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(config=dict(concurrency=concurrencies, repetitions=args.repetitions,
                                       requests=args.requests, duration=args.duration, file_size=args.file_size,
                                       netclient=args.netclient, skip_netclient=args.skip_netclient,
                                       backends=backends, pinned=bool(pin_prefix(1)), tools=tools),
                           runs=runs, summary=summary), f, indent=1)
            f.write("\n")
    failed = [r for r in runs if not r["ok"] and not r.get("missing")]
    if interrupted:
        sys.exit(130)
    if failure is not None:
        sys.exit(1)
    if failed:
        log(f"\n{len(failed)} run(s) failed (see FAILED above)")
        sys.exit(1)


def rate_verdict(ratio):
    if ratio is None:
        return "n/a"
    return "met" if RATE_TARGET[0] <= ratio <= RATE_TARGET[1] else "missed"


def report(runs, concurrencies, contenders, args, backends=("epoll",), open_loop=(), width=39):
    summary = []
    log("")
    for concurrency in concurrencies:
        log(f"concurrency {concurrency}  (medians over {args.repetitions} repetitions)")
        log(f"    {'contender':<{width}} {'CPU µs/req':>10} {'req/s':>10} {'nginx%':>7} {'ok runs':>8}")
        medians = {}
        for contender in contenders:
            mine = [r for r in runs if r["concurrency"] == concurrency and r["contender"] == contender]
            if mine and all(r.get("missing") for r in mine):
                log(f"    {contender:<{width}} {mine[0]['error']:>10}")
                medians[contender] = None
                continue
            ok = [r for r in mine if r["ok"]]
            shares = [r["nginx_cpu"] / r["wall"] * 100 for r in ok if r["nginx_cpu"] is not None and r["wall"] > 0]
            medians[contender] = dict(cpu_us_per_request=median_of(mine, "cpu_us_per_request"),
                                      requests_per_second=median_of(mine, "requests_per_second"),
                                      nginx_cpu_percent=statistics.median(shares) if shares else None,
                                      ok_runs=len(ok), runs=len(mine))
            m = medians[contender]
            log(f"    {contender:<{width}} {fmt(m['cpu_us_per_request'], '.2f', 10)} "
                f"{fmt(m['requests_per_second'], '.0f', 10)} {fmt(m['nginx_cpu_percent'], '.0f', 7)} "
                f"{len(ok):>4}/{len(mine)}")
        comparisons = []
        pairs = [(named(mine, b) if base_of(mine) in NETCLIENT else mine, base, rps, cpu)
                 for b in backends for mine, base, rps, cpu in COMPARISONS
                 if b == "epoll" or base_of(mine) in NETCLIENT]
        # Each other backend against epoll's netclient, with no target: the backend's own effect.
        pairs += [(on_backend(mine, b), mine, None, None) for b in backends if b != "epoll" and "epoll" in backends
                  for mine, _, _, _ in COMPARISONS if mine in NETCLIENT]
        for mine, base, rps_target, cpu_target in pairs:
            if mine not in contenders or base not in contenders:
                continue
            a, b = medians.get(mine), medians.get(base)

            def ratio(key, x=a, y=b):
                if not x or not y or x[key] is None or not y[key]:
                    return None
                return x[key] / y[key]

            cpu_ratio, rps_ratio = ratio("cpu_us_per_request"), ratio("requests_per_second")
            if a is None or b is None:  # not run at this concurrency: say why, in one line
                reasons = [r["error"] for r in runs if r["concurrency"] == concurrency and r.get("missing")
                           and r["contender"] in (mine, base)]
                log(f"    {mine} / {base}: not run: {', '.join(dict.fromkeys(reasons))}")
                continue
            per_rep_cpu, per_rep_rps = [], []
            for repetition in range(args.repetitions):
                pick = {r["contender"]: r for r in runs if r["concurrency"] == concurrency
                        and r["repetition"] == repetition and r["ok"]}
                x, y = pick.get(mine), pick.get(base)
                per_rep_cpu.append(x["cpu_us_per_request"] / y["cpu_us_per_request"] if x and y else None)
                per_rep_rps.append(x["requests_per_second"] / y["requests_per_second"] if x and y else None)
            if cpu_target is None:
                log(f"    {mine} / {base}: CPU per request {fmt(cpu_ratio, '.2f', 0)}, "
                    f"requests/s {fmt(rps_ratio, '.2f', 0)} (no target)")
            else:
                log(f"    {mine} / {base}: CPU per request {fmt(cpu_ratio, '.2f', 0)} (target <= {cpu_target}: "
                    f"{verdict(cpu_ratio, cpu_target, False)}), requests/s {fmt(rps_ratio, '.2f', 0)} "
                    f"(target >= {rps_target}: {verdict(rps_ratio, rps_target, True)})")
            log(f"      per repetition: CPU {' '.join(fmt(v, '.2f', 0) for v in per_rep_cpu)}; "
                f"req/s {' '.join(fmt(v, '.2f', 0) for v in per_rep_rps)}")
            comparisons.append(dict(contender=mine, baseline=base,
                                    cpu_per_request_ratio=cpu_ratio, cpu_target_max=cpu_target,
                                    cpu_verdict=verdict(cpu_ratio, cpu_target, False),
                                    requests_per_second_ratio=rps_ratio, requests_per_second_target_min=rps_target,
                                    requests_per_second_verdict=verdict(rps_ratio, rps_target, True),
                                    per_repetition_cpu=per_rep_cpu, per_repetition_requests_per_second=per_rep_rps))
        open_rows = report_open_loop(runs, concurrency, open_loop, args, width) if open_loop else []
        log("")
        summary.append(dict(concurrency=concurrency, medians=medians, comparisons=comparisons, open_loop=open_rows))
    return summary


def report_open_loop(runs, concurrency, open_loop, args, width):
    """The open-loop rows next to the closed loop they are fractions of: -R, the achieved rate over
    it (target within 1%), CPU per request, p99 corrected and measured, requests never sent."""
    log(f"  open loop at concurrency {concurrency}  (medians over {args.repetitions} repetitions; "
        f"p99 in ms, corrected for coordinated omission and as measured)")
    log(f"    {'contender':<{width}} {'-R':>8} {'achieved/-R':>11} {'req/s':>10} {'CPU µs/req':>10} "
        f"{'p99 corr':>9} {'p99 meas':>9} {'unsent':>7} {'ok runs':>8}")
    rows = []
    for closed in dict.fromkeys(maximum_of(c) for c in open_loop):
        for contender in [closed] + [c for c in open_loop if maximum_of(c) == closed]:
            mine = [r for r in runs if r["concurrency"] == concurrency and r["contender"] == contender]
            if not mine or all(r.get("missing") for r in mine):
                log(f"    {contender:<{width}} {(mine[0]['error'] if mine else 'not run'):>8}")
                rows.append(dict(contender=contender, rate=None, not_run=True))
                continue
            ok = [r for r in mine if r["ok"]]
            rate = mine[0].get("rate")
            row = dict(contender=contender, rate=rate, rate_ratio=median_of(mine, "rate_ratio"),
                       requests_per_second=median_of(mine, "requests_per_second"),
                       cpu_us_per_request=median_of(mine, "cpu_us_per_request"),
                       latency_corrected_p99_ms=median_of(mine, "latency_corrected_p99_ms"),
                       latency_p99_ms=median_of(mine, "latency_p99_ms"), unsent=median_of(mine, "unsent"),
                       ok_runs=len(ok), runs=len(mine))
            if rate is not None:
                row.update(rate_target=list(RATE_TARGET), rate_verdict=rate_verdict(row["rate_ratio"]),
                           per_repetition_rate_ratio=[next((r["rate_ratio"] for r in ok if r["repetition"] == i), None)
                                                      for i in range(args.repetitions)])
            rows.append(row)
            log(f"    {contender:<{width}} {'closed' if rate is None else format_rate(rate):>8} "
                f"{fmt(row['rate_ratio'], '.4f', 11)} {fmt(row['requests_per_second'], '.0f', 10)} "
                f"{fmt(row['cpu_us_per_request'], '.2f', 10)} {fmt(row['latency_corrected_p99_ms'], '.3f', 9)} "
                f"{fmt(row['latency_p99_ms'], '.3f', 9)} {fmt(row['unsent'], '.0f', 7)} {len(ok):>4}/{len(mine)}")
    for row in rows:
        if row.get("rate") is not None:
            log(f"    {row['contender']}: achieved/-R {fmt(row['rate_ratio'], '.4f', 0)} (target within 1%, "
                f"{RATE_TARGET[0]}..{RATE_TARGET[1]}: {row['rate_verdict']}); per repetition "
                f"{' '.join(fmt(v, '.4f', 0) for v in row['per_repetition_rate_ratio'])}")
    return rows


if __name__ == "__main__":
    main()
