# The verbs people type. Every target checks for what it needs and says what is missing.

SWIFT_BIN ?= /opt/swift/usr/bin
export PATH := $(SWIFT_BIN):$(PATH)

.PHONY: all build test run clean tools python network-tools fuzz bench bench-async bench-async-peers async-peers-clients soak chart bench-peers sanitize docs nginx bench-load examples

all: build

## tools: check for the Swift toolchain and the services database (installs netbase if root).
tools:
	@command -v swift >/dev/null 2>&1 || { \
	  echo "error: 'swift' not found. Install Swift 6.2 or later (swift.org) and put it on PATH," >&2; \
	  echo "       or run 'make SWIFT_BIN=/path/to/swift/usr/bin ...'." >&2; exit 1; }
	@test -f /etc/services || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing netbase for /etc/services"; \
	    apt-get update -qq && apt-get install -y -qq netbase >/dev/null; \
	  else echo "error: /etc/services is missing: install the 'netbase' package" >&2; exit 1; fi; }

## network-tools: the test network (root only) needs ip and tc (iproute2) and nft (nftables);
##                as root they are installed when missing, otherwise those tests skip with a line.
network-tools:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  missing=""; \
	  command -v ip >/dev/null 2>&1 && command -v tc >/dev/null 2>&1 || missing="$$missing iproute2"; \
	  command -v nft >/dev/null 2>&1 || missing="$$missing nftables"; \
	  if [ -n "$$missing" ]; then echo "installing$$missing for the test network"; \
	    apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; fi; \
	else echo "note: not root: the test network's tests will be skipped (they need CAP_NET_ADMIN)"; fi

## fuzz: every libFuzzer target in Fuzz/ (address, port/service, GRO segment and HTTP header
##       splitters, each checking a property) for FUZZ_SECONDS each (60 by default); fails on
##       any crash or property failure, keeping the input in .build-fuzz/artifacts/.
FUZZ_SECONDS ?= 60
fuzz: tools
	scripts/fuzz.sh $(FUZZ_SECONDS)

## python: the tests and `make run` use python3's http.server as a real HTTP peer.
python:
	@command -v python3 >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing python3"; apt-get update -qq && apt-get install -y -qq python3 >/dev/null; \
	  else echo "error: python3 is missing: install it (the tests use python3 -m http.server)" >&2; exit 1; fi; }

## build: build everything (debug).
build: tools
	swift build

## test: check that every public symbol is documented, then run the whole test suite (real
##       sockets, loopback only; netclient load against nginx and python3's http.server). The
##       leak suite counts /proc/self/fd, reactor registrations and every thread's allocations,
##       so it runs on its own, serially, after the rest. Then the async layer's suites and the leak suite again on the io_uring backend, once more
##       with multishot receive loops (SOCKETS_IO_URING_MULTISHOT=enabled), and the fallback to epoll when io_uring is asked for but unavailable;
##       then on the installed runtime (every task on the reactors) with 2 and 1 reactors on both backends.
test: tools python network-tools nginx
	python3 scripts/check-docs.py
	swift test --skip LeakTests
	swift test --filter LeakTests --no-parallel
	@echo "== the async layer again on the io_uring backend (where the kernel refuses io_uring: on the epoll fallback, the ring tests skipped)"
	SOCKETS_ASYNC_BACKEND=io_uring swift test --filter 'AsyncSocketsTests|IOURingTests'
	SOCKETS_ASYNC_BACKEND=io_uring swift test --filter LeakTests --no-parallel
	@echo "== the async layer on io_uring with its receive loops as multishot receives into provided buffers"
	SOCKETS_ASYNC_BACKEND=io_uring SOCKETS_IO_URING_MULTISHOT=enabled swift test --filter 'AsyncSocketsTests'
	SOCKETS_ASYNC_BACKEND=io_uring SOCKETS_IO_URING_MULTISHOT=enabled swift test --filter 'AsyncLeakTests' --no-parallel
	@echo "== io_uring asked for but unavailable: the fallback to epoll"
	SOCKETS_ASYNC_BACKEND=io_uring SOCKETS_IO_URING=disabled swift test --filter BackendTests
	@echo "== the installed runtime (SOCKETS_RUNTIME=installed: every task on the reactors), 2 and 1 reactors, both backends"
	SOCKETS_RUNTIME=installed SOCKETS_REACTORS=2 swift test --filter 'AsyncSocketsTests'
	SOCKETS_RUNTIME=installed SOCKETS_REACTORS=2 swift test --filter LeakTests --no-parallel
	SOCKETS_RUNTIME=installed SOCKETS_REACTORS=1 swift test --filter 'AsyncSocketsTests'
	SOCKETS_RUNTIME=installed SOCKETS_REACTORS=2 SOCKETS_ASYNC_BACKEND=io_uring swift test --filter 'AsyncSocketsTests|IOURingTests'
	SOCKETS_RUNTIME=installed SOCKETS_REACTORS=1 SOCKETS_ASYNC_BACKEND=io_uring swift test --filter 'AsyncLeakTests' --no-parallel

## run: the main job on the embedded loopback default; needs no network: fetch README.md from a
## loopback HTTP server with netclient, then measure throughput from the embedded source.
run: tools python
	swift build -c release --product netclient
	scripts/run-demo.sh

## bench: the recv loop against a plain C loop, interleaved, medians and ratios (release build).
##        Pass flags through BENCH_FLAGS, e.g. make bench BENCH_FLAGS="--sizes 64,65536 --repetitions 9".
BENCH_FLAGS ?=
bench: tools
	swift build -c release --product sockets-bench
	.build/release/sockets-bench $(BENCH_FLAGS)

## bench-async: the async layer against C epoll loops (many connections; 64-byte request/response),
##              interleaved, medians and ratios (release build). Flags through ASYNC_BENCH_FLAGS, e.g.
##              make bench-async ASYNC_BENCH_FLAGS="--connections 100,10000 --repetitions 5".
ASYNC_BENCH_FLAGS ?=
bench-async: tools
	swift build -c release --product async-bench
	.build/release/async-bench $(ASYNC_BENCH_FLAGS) | tee docs/bench-async.txt
	python3 scripts/update-benchmarks.py

## bench-async-peers: the async layer on each backend (epoll, io_uring) against SwiftNIO
##                    (ChannelHandler, NIOAsyncChannel), FlyingSocks, Go (a goroutine per
##                    connection, GOMAXPROCS=1 and 2) and tokio (a task per connection, current-thread
##                    and 2 workers), with the C epoll loops as the baseline, in one run (Benchmarks/):
##                    many connections, request/response at 1, 100 and 1000 connections, connection
##                    rate, and Go's and tokio's echo pairs; ratios to C and to epoll.
ASYNC_PEERS_FLAGS ?=
bench-async-peers: tools async-peers-clients
	swift build -c release --product async-bench
	cd Benchmarks && swift build -c release --product async-peers
	taskset -c 1 Benchmarks/.build/release/async-peers --async-bench .build/release/async-bench \
	  --go $(GO_PEER) --tokio $(TOKIO_PEER) $(ASYNC_PEERS_FLAGS) | tee docs/bench-async-peers.txt
	python3 scripts/update-benchmarks.py
	python3 scripts/async-chart.py docs/bench-async-peers.txt docs/async.svg

## async-peers-clients: bench-async-peers' Go and tokio clients (Benchmarks/go, Benchmarks/tokio),
##                      built offline from Debian's packages: golang-go with the standard library
##                      only (GOPROXY=off), and Debian's cargo and rustc (/usr/bin, not a rustup
##                      toolchain earlier on PATH) with librust-tokio-dev's crates through the
##                      directory source of Benchmarks/tokio/.cargo/config.toml. As root the
##                      packages are installed when missing; otherwise their rows are skipped.
GO_PEER := Benchmarks/.build-go/async-peer-go
TOKIO_PEER := Benchmarks/.build-tokio/release/async-peer-tokio
async-peers-clients:
	@missing=""; \
	for package in golang-go cargo librust-tokio-dev; do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing for the Go and tokio peers"; apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	  else echo "note:$$missing not installed (Debian packages): the Go or tokio rows are skipped"; fi; fi
	@if [ -x /usr/bin/go ]; then echo "building $(GO_PEER)"; \
	  cd Benchmarks/go && GOPROXY=off GOFLAGS=-mod=mod GOCACHE=$(CURDIR)/Benchmarks/.build-go/cache \
	    GOPATH=$(CURDIR)/Benchmarks/.build-go/gopath /usr/bin/go build -o ../.build-go/async-peer-go .; fi
	@if [ -x /usr/bin/cargo ] && ls -d /usr/share/cargo/registry/tokio-1.* >/dev/null 2>&1; then echo "building $(TOKIO_PEER)"; \
	  cd Benchmarks/tokio && RUSTC=/usr/bin/rustc CARGO_HOME=$(CURDIR)/Benchmarks/.build-tokio/cargo-home \
	    /usr/bin/cargo build --offline --release --quiet --target-dir ../.build-tokio; fi

## soak: 10 minutes (SOAK_SECONDS) of churn on the installed runtime with 2 reactors (release
##       build, not in CI): 64 tasks cycling through connect and ping-pong against the C echo
##       server, receive timeouts, cancelled receives, resets by an in-process server and refused
##       connects; descriptors and resident memory sampled every 10 s must be flat after the first
##       minute (it fails otherwise); writes docs/soak.txt.
SOAK_SECONDS ?= 600
soak: tools
	swift build -c release --product async-bench
	.build/release/async-bench soak $(SOAK_SECONDS) 64 | tee docs/soak.txt
	python3 scripts/update-benchmarks.py

## chart: run the benchmark and regenerate docs/throughput.svg and docs/bench.json.
chart: tools
	swift build -c release --product sockets-bench
	mkdir -p docs
	.build/release/sockets-bench --json docs/bench.json --svg docs/throughput.svg $(BENCH_FLAGS) | tee docs/bench.txt
	python3 scripts/update-benchmarks.py

## bench-peers: the same source and modes against SwiftNIO, Foundation, Python and iperf3
##              (a separate package under Benchmarks/, so library users never build them).
PEERS_FLAGS ?=
bench-peers: tools python
	@command -v iperf3 >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { echo "installing iperf3"; apt-get update -qq && apt-get install -y -qq iperf3 >/dev/null; } || \
	  echo "note: iperf3 is not installed; its line is skipped"; }
	swift build -c release --product sockets-bench
	cd Benchmarks && swift build -c release
	taskset -c 1 Benchmarks/.build/release/peers-bench --sockets-bench .build/release/sockets-bench $(PEERS_FLAGS) \
	  | tee docs/peers.txt
	python3 scripts/update-benchmarks.py

## nginx: check for nginx (make bench-load serves a file with it, from scripts/nginx/nginx.conf.in);
##        as root the 'nginx-light' package is installed when missing, with services kept from
##        starting (a temporary /usr/sbin/policy-rc.d) so no system nginx is left on port 80.
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing nginx-light (its service is not started)"; \
	    if [ ! -e /usr/sbin/policy-rc.d ]; then \
	      trap 'rm -f /usr/sbin/policy-rc.d' EXIT; trap 'exit 130' INT TERM; \
	      printf '#!/bin/sh\n# make nginx: no service starts during the install\nexit 101\n' > /usr/sbin/policy-rc.d; \
	      chmod 755 /usr/sbin/policy-rc.d; fi; \
	    apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null; status=$$?; \
	    if [ -s /run/nginx.pid ] && kill -0 "$$(cat /run/nginx.pid)" 2>/dev/null; then \
	      echo "stopping the system nginx the install started"; \
	      service nginx stop >/dev/null 2>&1 || /usr/sbin/nginx -s quit; fi; \
	    exit $$status; \
	  else echo "error: nginx is missing: install the 'nginx-light' package" >&2; exit 1; fi; }

## bench-load: `netclient load` against ApacheBench (ab, a new connection per request), wrk -t1 and
##             -t2 and h2load --h1 -t1 (keep-alive) on one loopback nginx (CPU 0; every client on
##             CPU 1), interleaved, in rotating order: medians of CPU per request (each client's own
##             rusage) and requests/s, and the ratios against their targets (netclient -t 1 and -t 2
##             too); then netclient's open loop (-R at 50% and 90% of its closed-loop maximum):
##             achieved rate, CPU per request, p99 corrected and measured (release build); writes
##             docs/bench-load.txt. As root ab (apache2-utils), wrk and h2load (nghttp2-client) are
##             installed when missing; otherwise a missing h2load only leaves its rows "missing".
##             Flags through LOAD_FLAGS, e.g. make bench-load LOAD_FLAGS="--concurrency 1,50
##             --repetitions 9" (--quick for a smoke run; --json FILE for every run; --backends
##             epoll,io_uring runs netclient on both async backends).
LOAD_FLAGS ?=
bench-load: tools python nginx
	@missing=""; optional=""; \
	command -v ab >/dev/null 2>&1 || missing="$$missing apache2-utils"; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	command -v h2load >/dev/null 2>&1 || optional="$$optional nghttp2-client"; \
	if [ -n "$$missing$$optional" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing$$optional"; apt-get update -qq || exit 1; \
	    if [ -n "$$missing" ]; then apt-get install -y -qq $$missing >/dev/null || exit 1; fi; \
	    if [ -n "$$optional" ]; then apt-get install -y -qq $$optional >/dev/null || \
	      echo "note: could not install$$optional: the h2load rows will be reported missing"; fi; \
	  elif [ -n "$$missing" ]; then echo "error: ab or wrk is missing: install the package(s)$$missing" >&2; exit 1; \
	  else echo "note: h2load is missing (install nghttp2-client): its rows will be reported missing"; fi; fi
	swift build -c release --product netclient
	python3 scripts/bench-load.py $(LOAD_FLAGS) | tee docs/bench-load.txt
	python3 scripts/update-benchmarks.py

## sanitize: the test suite under AddressSanitizer and ThreadSanitizer (separate build folders),
##           then the async layer's suites under both again on the io_uring backend, with and
##           without multishot receive loops, and on the installed runtime (2 reactors).
sanitize: tools python network-tools nginx
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan.supp \
	  swift test --sanitize=address --scratch-path .build-asan --skip LeakTests
	swift test --sanitize=thread --scratch-path .build-tsan --skip LeakTests
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan.supp SOCKETS_ASYNC_BACKEND=io_uring \
	  swift test --sanitize=address --scratch-path .build-asan --filter 'AsyncSocketsTests|IOURingTests'
	SOCKETS_ASYNC_BACKEND=io_uring swift test --sanitize=thread --scratch-path .build-tsan --filter 'AsyncSocketsTests|IOURingTests'
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan.supp SOCKETS_ASYNC_BACKEND=io_uring SOCKETS_IO_URING_MULTISHOT=enabled \
	  swift test --sanitize=address --scratch-path .build-asan --filter 'AsyncSocketsTests'
	SOCKETS_ASYNC_BACKEND=io_uring SOCKETS_IO_URING_MULTISHOT=enabled \
	  swift test --sanitize=thread --scratch-path .build-tsan --filter 'AsyncSocketsTests'
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan.supp SOCKETS_RUNTIME=installed SOCKETS_REACTORS=2 \
	  swift test --sanitize=address --scratch-path .build-asan --filter 'AsyncSocketsTests'
	SOCKETS_RUNTIME=installed SOCKETS_REACTORS=2 swift test --sanitize=thread --scratch-path .build-tsan --filter 'AsyncSocketsTests'
	SOCKETS_RUNTIME=installed SOCKETS_REACTORS=2 SOCKETS_ASYNC_BACKEND=io_uring \
	  swift test --sanitize=thread --scratch-path .build-tsan --filter 'AsyncSocketsTests'

## examples: build the example programs in Examples/ (a separate package: http-get, echo-server,
##           udp-ping and a user-style integration suite) and run them: ExamplesTests runs each
##           program against loopback peers, IntegrationTests tests a client with SocketsTesting
##           (its test-network cases as root).
examples: tools network-tools
	cd Examples && swift build --build-tests && swift test

## docs: check that every public symbol is documented, that README.md has at most 250 lines and
##       every link of the README, docs/ and Examples/ resolves (scripts/check-links.py), that
##       docs/BENCHMARKS.md shows the raw outputs as they are (scripts/update-benchmarks.py), and
##       that every Swift block of the README and the DocC articles compiles (check-snippets.py,
##       after its self-test); then build the DocC catalogs of Sockets,
##       AsyncSockets and SocketsTesting as static sites in .build/docs/ (serve the folder, e.g.
##       python3 -m http.server -d .build/docs -b 127.0.0.1, and open /sockets/documentation/sockets);
##       any DocC warning fails the build.
DOCS_DIR ?= .build/docs
docs: tools python
	python3 scripts/check-docs.py
	python3 scripts/check-links.py
	python3 scripts/update-benchmarks.py --check
	swift build --target SocketsTesting
	swift build --target AsyncSockets
	python3 scripts/check-snippets.py --self-test
	@mkdir -p $(DOCS_DIR)
	@for target in Sockets AsyncSockets SocketsTesting; do \
	  lower=$$(echo $$target | tr A-Z a-z); \
	  swift package --allow-writing-to-directory $(DOCS_DIR)/$$target generate-documentation \
	    --target $$target --warnings-as-errors --transform-for-static-hosting \
	    --hosting-base-path $$lower --output-path $(DOCS_DIR)/$$target || exit 1; \
	done
	@echo "docs: $(DOCS_DIR)/Sockets, $(DOCS_DIR)/AsyncSockets and $(DOCS_DIR)/SocketsTesting"

## clean: remove build products.
clean:
	rm -rf .build .build-asan .build-tsan Benchmarks/.build Benchmarks/.build-go Benchmarks/.build-tokio
