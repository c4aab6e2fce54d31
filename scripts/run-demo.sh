#!/usr/bin/env bash
# `make run`: the main job on the embedded default, offline and on loopback only.
# Starts Python's HTTP server on 127.0.0.1 for this repository, fetches README.md with
# `netclient get`, then runs `netclient throughput` against its own embedded source.
# Everything it starts is bounded in time and ended by its process id.
set -euo pipefail
cd "$(dirname "$0")/.."
netclient=${NETCLIENT:-.build/release/netclient}
log=$(mktemp)
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -f "$log"
}
trap cleanup EXIT

timeout 120 python3 -u -m http.server 0 --bind 127.0.0.1 --directory . >"$log" 2>/dev/null &
server=$!
port=""
for _ in $(seq 1 200); do
    port=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
    [ -n "$port" ] && break
    sleep 0.05
done
[ -n "$port" ] || { echo "run: the loopback HTTP server did not start" >&2; exit 1; }

reply=$(mktemp)
echo "== netclient get 127.0.0.1 $port /README.md --verbose (first lines of the reply)"
"$netclient" get 127.0.0.1 "$port" /README.md --verbose --timeout 10 --output "$reply"
head -n 12 "$reply"
rm -f "$reply"
echo
echo "== netclient throughput (embedded loopback source, 1 GiB)"
"$netclient" throughput --bytes 1073741824
