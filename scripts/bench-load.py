#!/usr/bin/env python3
"""`netclient load` against ApacheBench (ab) and wrk, against one loopback nginx, in one run
(make bench-load).

nginx runs from scripts/nginx/nginx.conf.in in a private temporary prefix, pinned to CPU 0;
every client is pinned to CPU 1 (when taskset exists and both CPUs are usable). For each
concurrency and repetition the four contenders run in an order that rotates per repetition:

  ab                        new connection per request (HTTP/1.0), -n requests
  netclient load            new connection per request, -n requests
  wrk -t1                   keep-alive, -d seconds
  netclient load keep-alive keep-alive, -d seconds

Each client's CPU time (user + system) comes from os.wait4 on that one child; requests/s is the
tool's own figure. The table gives medians over repetitions of CPU per request (the figure to
read first: on 2 cores nginx and the client share the machine, so nginx may bound the rate) and
requests/s, and the ratios netclient load / ab and netclient load --keep-alive / wrk -t1 against
their targets. With --backends epoll,io_uring, netclient's two contenders run once more on the
io_uring backend ("[io_uring]", through SOCKETS_ASYNC_BACKEND), compared with the same baselines
and with themselves on epoll. Standard library only; traffic only to 127.0.0.1; nginx is ended
by its pid."""
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
ALL_CONTENDERS = [AB, NC, WRK, NC_KA]
# (netclient contender, baseline, requests/s target (>=), CPU per request target (<=))
COMPARISONS = [(NC, AB, 1.1, 0.8), (NC_KA, WRK, 1.0, 1.1)]


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


def parse_netclient(stdout, backend=None):
    document = json.loads(stdout)
    if backend is not None and document.get("backend") != backend:
        raise ValueError(f"ran on {document.get('backend')}, not {backend} (io_uring refused here?)")
    requests = document["requests"]
    return int(requests["completed"]), int(requests["failed"]), float(document["requests_per_second"])


def commands_for(contender, tools, port, concurrency, requests, duration, pin):
    contender = base_of(contender)
    url = f"http://127.0.0.1:{port}/index.html"
    if contender == AB:
        # ab refuses -c above -n
        return pin + [tools["ab"], "-q", "-n", str(max(requests, concurrency)), "-c", str(concurrency), url]
    if contender == WRK:
        return pin + [tools["wrk"], "-t1", "-c", str(concurrency), "-d", f"{duration}s", url]
    base = pin + [tools["netclient"], "load", "127.0.0.1", str(port), "/index.html", "-c", str(concurrency)]
    if contender == NC:
        return base + ["-n", str(requests), "--json"]
    return base + ["-d", str(duration), "--keep-alive", "--json"]


PARSERS = {AB: parse_ab, WRK: parse_wrk}  # netclient: parse_netclient, with its backend


def measure(contender, command, nginx):
    env = None
    if base_of(contender) in (NC, NC_KA):
        env = dict(os.environ, SOCKETS_ASYNC_BACKEND=backend_of(contender))
    outcome = run_client(command, RUN_TIMEOUT, nginx, env)
    run = dict(command=command, exit=outcome["exit"], timed_out=outcome["timed_out"], wall=outcome["wall"],
               cpu_user=outcome["user"], cpu_system=outcome["system"], cpu=outcome["cpu"],
               nginx_cpu=outcome["nginx_cpu"], completed=None, failed=None, requests_per_second=None,
               cpu_us_per_request=None, ok=False, error=None)
    problems = []
    if outcome["timed_out"]:
        problems.append(f"timed out after {RUN_TIMEOUT:.0f} s (SIGKILL by pid)")
    elif outcome["exit"] != 0:
        problems.append(f"exit status {outcome['exit']}")
    try:
        if base_of(contender) in (NC, NC_KA):
            completed, failed, rps = parse_netclient(outcome["stdout"], backend_of(contender))
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
    parser.add_argument("--duration", type=int, help="seconds per keep-alive run (3)")
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
    tools = {"ab": find_tool("ab"), "wrk": find_tool("wrk"),
             "netclient": args.netclient if os.access(args.netclient, os.X_OK) else None}
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not backends or any(b not in ("epoll", "io_uring") for b in backends):
        parser.error(f"--backends: epoll and/or io_uring, not {args.backends!r}")
    contenders = [c for c in ALL_CONTENDERS if not (args.skip_netclient and c in (NC, NC_KA))]
    if "epoll" not in backends:
        contenders = [c for c in contenders if c not in (NC, NC_KA)]
    for backend in backends:
        if backend != "epoll" and not args.skip_netclient:
            contenders += [on_backend(NC, backend), on_backend(NC_KA, backend)]
    tool_of = {c: ("netclient" if base_of(c) in (NC, NC_KA) else {AB: "ab", WRK: "wrk"}[c]) for c in contenders}

    def on_term(*_):
        raise KeyboardInterrupt

    # A SIGTERM ends the run like a Ctrl-C: the client and nginx are ended, the folder removed.
    signal.signal(signal.SIGTERM, on_term)

    nginx = None
    runs = []
    interrupted = False
    failure = None
    try:
        nginx = Nginx(nginx_path, args.file_size)
        nginx.start()
        pin = pin_prefix(1)
        log("bench-load: netclient load against ab and wrk -t1, one loopback nginx, interleaved")
        log(f"  nginx: {' '.join(nginx.command)}  (1 worker, {args.file_size}-byte /index.html)")
        if pin:
            log("  nginx pinned to CPU 0, every client to CPU 1")
        else:
            log("  note: no pinning (taskset missing or CPUs 0 and 1 not both usable)")
        log(f"  concurrency {','.join(map(str, concurrencies))}; {args.repetitions} repetitions, order rotating; "
            f"N = {args.requests} requests, D = {args.duration} s; each run bounded by {RUN_TIMEOUT:.0f} s")
        log("  commands (C = concurrency):")
        for contender in contenders:
            if tools[tool_of[contender]] is None:
                what = args.netclient if tool_of[contender] == "netclient" else tool_of[contender]
                log(f"    {contender:<39} missing ({what})")
                continue
            shown = commands_for(contender, tools, nginx.port, 0, args.requests, args.duration, pin)
            shown = ["C" if (i > 0 and shown[i - 1] == "-c" and w == "0") else w for i, w in enumerate(shown)]
            shown_env = "" if base_of(contender) not in (NC, NC_KA) else f"SOCKETS_ASYNC_BACKEND={backend_of(contender)} "
            log(f"    {contender:<39} {shown_env}{' '.join(shown)}")
        if AB in contenders:
            log("    (ab: -n is at least C)")
        log("  CPU = the client's user + system seconds (os.wait4 on it); requests/s = the tool's own figure;"
            " nginx% = its CPU time over the run's wall time")
        log("")

        for concurrency in concurrencies:
            for repetition in range(args.repetitions):
                shift = repetition % len(contenders)
                order = contenders[shift:] + contenders[:shift]
                for position, contender in enumerate(order):
                    base = dict(concurrency=concurrency, repetition=repetition, position=position,
                                contender=contender)
                    if tools[tool_of[contender]] is None:
                        runs.append(dict(base, ok=False, missing=True, error="missing"))
                        continue
                    command = commands_for(contender, tools, nginx.port, concurrency, args.requests,
                                           args.duration, pin)
                    run = dict(base, missing=False, **measure(contender, command, nginx))
                    runs.append(run)
                    if run["ok"]:
                        nginx_share = "" if run["nginx_cpu"] is None else \
                            f"  nginx {run['nginx_cpu'] / run['wall'] * 100:3.0f}%"
                        log(f"  c={concurrency:<4} rep {repetition + 1}  {contender:<39} "
                            f"{run['cpu_us_per_request']:8.2f} CPU µs/req {run['requests_per_second']:10.0f} req/s "
                            f"{run['completed']:8d} req {run['wall']:6.2f} s{nginx_share}")
                    else:
                        log(f"  c={concurrency:<4} rep {repetition + 1}  {contender:<39} FAILED: {run['error']}")
                    if not nginx.alive():
                        raise RuntimeError(f"nginx ended during the run:\n{nginx.diagnostics()}")
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

    summary = report(runs, concurrencies, contenders, args, backends)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(config=dict(concurrency=concurrencies, repetitions=args.repetitions,
                                       requests=args.requests, duration=args.duration, file_size=args.file_size,
                                       netclient=args.netclient, skip_netclient=args.skip_netclient,
                                       pinned=bool(pin_prefix(1)), tools=tools),
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


def report(runs, concurrencies, contenders, args, backends=("epoll",)):
    summary = []
    log("")
    for concurrency in concurrencies:
        log(f"concurrency {concurrency}  (medians over {args.repetitions} repetitions)")
        log(f"    {'contender':<39} {'CPU µs/req':>10} {'req/s':>10} {'nginx%':>7} {'ok runs':>8}")
        medians = {}
        for contender in contenders:
            mine = [r for r in runs if r["concurrency"] == concurrency and r["contender"] == contender]
            if mine and all(r.get("missing") for r in mine):
                log(f"    {contender:<39} {'missing':>10}")
                medians[contender] = None
                continue
            ok = [r for r in mine if r["ok"]]
            shares = [r["nginx_cpu"] / r["wall"] * 100 for r in ok if r["nginx_cpu"] is not None and r["wall"] > 0]
            medians[contender] = dict(cpu_us_per_request=median_of(mine, "cpu_us_per_request"),
                                      requests_per_second=median_of(mine, "requests_per_second"),
                                      nginx_cpu_percent=statistics.median(shares) if shares else None,
                                      ok_runs=len(ok), runs=len(mine))
            m = medians[contender]
            log(f"    {contender:<39} {fmt(m['cpu_us_per_request'], '.2f', 10)} "
                f"{fmt(m['requests_per_second'], '.0f', 10)} {fmt(m['nginx_cpu_percent'], '.0f', 7)} "
                f"{len(ok):>4}/{len(mine)}")
        comparisons = []
        pairs = [(on_backend(mine, b) if b != "epoll" else mine, base, rps, cpu)
                 for b in backends for mine, base, rps, cpu in COMPARISONS]
        # Each other backend against epoll's netclient, with no target: the backend's own effect.
        pairs += [(on_backend(mine, b), mine, None, None) for b in backends if b != "epoll" and "epoll" in backends
                  for mine, _, _, _ in COMPARISONS]
        for mine, base, rps_target, cpu_target in pairs:
            if mine not in contenders or base not in contenders:
                continue
            a, b = medians.get(mine), medians.get(base)

            def ratio(key, x=a, y=b):
                if not x or not y or x[key] is None or not y[key]:
                    return None
                return x[key] / y[key]

            cpu_ratio, rps_ratio = ratio("cpu_us_per_request"), ratio("requests_per_second")
            per_rep_cpu, per_rep_rps = [], []
            for repetition in range(args.repetitions):
                pick = {r["contender"]: r for r in runs if r["concurrency"] == concurrency
                        and r["repetition"] == repetition and r["ok"]}
                x, y = pick.get(mine), pick.get(base)
                per_rep_cpu.append(x["cpu_us_per_request"] / y["cpu_us_per_request"] if x and y else None)
                per_rep_rps.append(x["requests_per_second"] / y["requests_per_second"] if x and y else None)
            if cpu_target is None:
                log(f"    {mine} / {base}: CPU per request {fmt(cpu_ratio, '.2f', 0)}, "
                    f"requests/s {fmt(rps_ratio, '.2f', 0)}")
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
        log("")
        summary.append(dict(concurrency=concurrency, medians=medians, comparisons=comparisons))
    return summary


if __name__ == "__main__":
    main()
