#!/usr/bin/env python3
# A loopback HTTP/1.1 server that answers at once but freezes 200 ms once a second, for 30 s:
# the peer of the `--plot` picture in docs/BENCHMARKS.md (prints its port). Bounded in time; loopback only.
import socket, selectors, time, sys
start = time.monotonic()
sel = selectors.DefaultSelector()
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 0)); ls.listen(128); ls.setblocking(False)
print(ls.getsockname()[1], flush=True)
sel.register(ls, selectors.EVENT_READ)
reply = b"HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n" + b"x" * 64
bufs = {}
while time.monotonic() - start < 30:
    phase = (time.monotonic() - start) % 1.0
    if phase >= 0.8:
        time.sleep(1.0 - phase); continue
    for key, _ in sel.select(timeout=0.05):
        s = key.fileobj
        if s is ls:
            c, _ = ls.accept(); c.setblocking(False); sel.register(c, selectors.EVENT_READ); bufs[c] = b""
            continue
        try: data = s.recv(65536)
        except BlockingIOError: continue
        if not data:
            sel.unregister(s); s.close(); bufs.pop(s, None); continue
        bufs[s] += data
        while b"\r\n\r\n" in bufs[s]:
            _, bufs[s] = bufs[s].split(b"\r\n\r\n", 1)
            s.sendall(reply)
