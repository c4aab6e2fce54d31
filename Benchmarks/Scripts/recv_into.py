"""Python peer for the recv-loop benchmark: socket.recv_into over one reused buffer.

usage: recv_into.py PORT SIZE MODE BYTES MILLISECONDS
Prints one JSON line: bytes, seconds, calls, cpuSeconds (the thread's user + system time).
"""
import fcntl
import json
import resource
import socket
import struct
import sys
import termios
import time


def main() -> None:
    port, size, mode, total, milliseconds = (int(sys.argv[1]), int(sys.argv[2]), sys.argv[3],
                                             int(sys.argv[4]), int(sys.argv[5]))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if mode == "drain":
        try:
            sock.setsockopt(socket.SOL_SOCKET, 33, 1 << 30)  # SO_RCVBUFFORCE
        except OSError:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 30)
    sock.settimeout(60)
    sock.connect(("127.0.0.1", port))
    sock.sendall(struct.pack("<QQ", total if mode == "drain" else 0, milliseconds if mode == "stream" else 0))
    if mode == "drain":
        queued = bytearray(4)
        deadline = time.monotonic() + 60
        while True:
            fcntl.ioctl(sock, termios.FIONREAD, queued)
            if struct.unpack("<i", queued)[0] >= total or time.monotonic() > deadline:
                break
            time.sleep(0.0005)
    buffer = bytearray(size)
    view = memoryview(buffer)
    received = calls = 0
    cpu_start = resource.getrusage(resource.RUSAGE_THREAD)
    start = time.perf_counter()
    limit = total if mode == "drain" else None
    while limit is None or received < limit:
        count = sock.recv_into(view if limit is None else view[:min(size, limit - received)])
        calls += 1
        if count == 0:
            break
        received += count
    seconds = time.perf_counter() - start
    cpu_end = resource.getrusage(resource.RUSAGE_THREAD)
    sock.close()
    cpu = (cpu_end.ru_utime - cpu_start.ru_utime) + (cpu_end.ru_stime - cpu_start.ru_stime)
    print(json.dumps({"bytes": received, "seconds": seconds, "calls": calls, "cpuSeconds": cpu}))


if __name__ == "__main__":
    main()
