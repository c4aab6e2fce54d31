// async-peer-go: the Go peer of async-peers (Benchmarks/Sources/async-peers), a goroutine per
// connection on Go's netpoller, against async-bench's C echo server and C source, and echo
// pairs inside one process. The standard library only; the number of Ps comes from GOMAXPROCS
// (async-peers runs it with GOMAXPROCS=1 under `taskset -c 1` and GOMAXPROCS=2 under
// `taskset -c 0,1`). Built offline by `make bench-async-peers`:
//
//	cd Benchmarks/go && GOPROXY=off GOFLAGS=-mod=mod GOCACHE=$PWD/../.build-go/cache \
//	  GOPATH=$PWD/../.build-go/gopath go build -o ../.build-go/async-peer-go .
//
//	GOMAXPROCS=1 async-peer-go pingpong HOST PORT CONNECTIONS SECONDS
//	GOMAXPROCS=1 async-peer-go drain HOST PORT CONNECTIONS BYTES_EACH
//	GOMAXPROCS=1 async-peer-go connect HOST PORT CONCURRENCY SECONDS
//	GOMAXPROCS=1 async-peer-go echo-pairs PAIRS SECONDS
//
// Each mode mirrors the C client of `async-bench measure` and prints one JSON line in the shape
// async-peers reads from it: pingpong and echo-pairs {transactions, seconds, p50, p99, p999}
// (latencies in µs), drain {bytes, seconds, calls, cpuSeconds}, connect {connectionsPerSecond};
// each also carries cpuSeconds and the voluntary and involuntary context switches of the timed
// region (getrusage of the whole process). Connections are set up before the clock starts.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// usage is the process's CPU seconds and context switches so far.
type usage struct {
	cpu                    float64
	voluntary, involuntary int64
}

func now() usage {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return usage{
		cpu:         float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6,
		voluntary:   ru.Nvcsw,
		involuntary: ru.Nivcsw,
	}
}

// result is one run's JSON line; fields a mode does not measure are left out.
type result struct {
	Transactions         *int     `json:"transactions,omitempty"`
	Bytes                *int64   `json:"bytes,omitempty"`
	Calls                *int     `json:"calls,omitempty"`
	ConnectionsPerSecond *float64 `json:"connectionsPerSecond,omitempty"`
	Seconds              float64  `json:"seconds"`
	P50                  *float64 `json:"p50,omitempty"`
	P99                  *float64 `json:"p99,omitempty"`
	P999                 *float64 `json:"p999,omitempty"`
	CPUSeconds           float64  `json:"cpuSeconds"`
	VoluntarySwitches    int64    `json:"voluntarySwitches"`
	InvoluntarySwitches  int64    `json:"involuntarySwitches"`
}

func fail(format string, arguments ...any) {
	fmt.Fprintf(os.Stderr, "async-peer-go: "+format+"\n", arguments...)
	os.Exit(1)
}

func integer(text string) int {
	value, err := strconv.Atoi(text)
	if err != nil {
		fail("not a number: %q", text)
	}
	return value
}

func duration(text string) time.Duration {
	value, err := strconv.ParseFloat(text, 64)
	if err != nil {
		fail("not a number of seconds: %q", text)
	}
	return time.Duration(value * 1e9)
}

// dial makes `count` connections to `address`, with TCP_NODELAY (Go's default, said again).
func dial(address *net.TCPAddr, count int) []*net.TCPConn {
	connections := make([]*net.TCPConn, 0, count)
	for i := 0; i < count; i++ {
		connection, err := net.DialTCP("tcp", nil, address)
		if err != nil {
			fail("connect: %v", err)
		}
		connection.SetNoDelay(true)
		connections = append(connections, connection)
	}
	return connections
}

// pingPong sends a 64-byte request and waits for the 64-byte reply on every connection, one
// goroutine each, until `end`; returns every round trip's latency in nanoseconds.
func pingPong(connections []*net.TCPConn, end time.Time) []int64 {
	var group sync.WaitGroup
	perConnection := make([][]int64, len(connections))
	for index, connection := range connections {
		group.Add(1)
		go func(index int, connection *net.TCPConn) {
			defer group.Done()
			request := make([]byte, 64)
			for i := range request {
				request[i] = 0x70
			}
			reply := make([]byte, 64)
			latencies := make([]int64, 0, 4_000_000/len(connections)+1)
			clock := time.Now()
			for clock.Before(end) {
				if _, err := connection.Write(request); err != nil {
					fail("send: %v", err)
				}
				if _, err := io.ReadFull(connection, reply); err != nil {
					fail("receive: %v", err)
				}
				now := time.Now()
				latencies = append(latencies, int64(now.Sub(clock)))
				clock = now
			}
			perConnection[index] = latencies
		}(index, connection)
	}
	group.Wait()
	var all []int64
	for _, latencies := range perConnection {
		all = append(all, latencies...)
	}
	return all
}

// transactions fills a ping-pong result: the count and the latency percentiles in µs.
func transactions(run *result, latencies []int64) {
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	at := func(fraction float64) *float64 {
		value := 0.0
		if len(latencies) > 0 {
			index := int(float64(len(latencies)) * fraction)
			if index > len(latencies)-1 {
				index = len(latencies) - 1
			}
			value = float64(latencies[index]) / 1000
		}
		return &value
	}
	count := len(latencies)
	run.Transactions = &count
	run.P50, run.P99, run.P999 = at(0.5), at(0.99), at(0.999)
}

func main() {
	arguments := os.Args[1:]
	if len(arguments) < 3 {
		fail("usage: async-peer-go pingpong|drain|connect HOST PORT N SECONDS|BYTES_EACH, or echo-pairs PAIRS SECONDS")
	}
	var address *net.TCPAddr
	if arguments[0] != "echo-pairs" {
		if len(arguments) != 5 {
			fail("%s takes HOST PORT N and SECONDS (BYTES_EACH for drain)", arguments[0])
		}
		address = &net.TCPAddr{IP: net.ParseIP(arguments[1]), Port: integer(arguments[2])}
		if address.IP == nil {
			fail("not an IP address: %q", arguments[1])
		}
	}
	var run result
	var before usage
	var start time.Time
	switch arguments[0] {
	case "pingpong":
		connections := dial(address, integer(arguments[3]))
		before, start = now(), time.Now()
		transactions(&run, pingPong(connections, start.Add(duration(arguments[4]))))
		for _, connection := range connections {
			connection.Close()
		}

	case "drain":
		// Read each connection to its end into a 16 KiB buffer of its own, as the C loop does
		// (whose connections have a 256 KiB receive buffer, as these).
		count, each := integer(arguments[3]), int64(integer(arguments[4]))
		connections := dial(address, count)
		for _, connection := range connections {
			connection.SetReadBuffer(256 * 1024)
		}
		var total int64
		var group sync.WaitGroup
		before, start = now(), time.Now()
		for _, connection := range connections {
			group.Add(1)
			go func(connection *net.TCPConn) {
				defer group.Done()
				buffer := make([]byte, 16*1024)
				received := int64(0)
				for {
					n, err := connection.Read(buffer)
					received += int64(n)
					if err == io.EOF {
						break
					}
					if err != nil {
						fail("receive: %v", err)
					}
				}
				connection.Close()
				atomic.AddInt64(&total, received)
			}(connection)
		}
		group.Wait()
		if total != each*int64(count) {
			fail("received %d bytes, not %d", total, each*int64(count))
		}
		calls := 0
		run.Bytes, run.Calls = &total, &calls

	case "connect":
		// Connect, one 64-byte request and reply, close with a reset (SO_LINGER 0: no
		// TIME_WAIT), over and over, CONCURRENCY at a time.
		concurrency, length := integer(arguments[3]), duration(arguments[4])
		var cycles int64
		var group sync.WaitGroup
		before, start = now(), time.Now()
		end := start.Add(length)
		for i := 0; i < concurrency; i++ {
			group.Add(1)
			go func() {
				defer group.Done()
				request, reply := make([]byte, 64), make([]byte, 64)
				for i := range request {
					request[i] = 0x63
				}
				done := int64(0)
				for time.Now().Before(end) {
					connection, err := net.DialTCP("tcp", nil, address)
					if err != nil {
						fail("connect: %v", err)
					}
					connection.SetLinger(0)
					connection.SetNoDelay(true)
					if _, err := connection.Write(request); err != nil {
						fail("send: %v", err)
					}
					if _, err := io.ReadFull(connection, reply); err != nil {
						fail("receive: %v", err)
					}
					connection.Close()
					done++
				}
				atomic.AddInt64(&cycles, done)
			}()
		}
		group.Wait()
		rate := float64(cycles) / time.Since(start).Seconds()
		run.ConnectionsPerSecond = &rate

	case "echo-pairs":
		// A listener, PAIRS connections to it, and on each a client goroutine and a server
		// goroutine (which echoes what it reads) in this process.
		if len(arguments) != 3 {
			fail("echo-pairs takes PAIRS SECONDS")
		}
		pairs := integer(arguments[1])
		listener, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			fail("listen: %v", err)
		}
		go func() {
			for i := 0; i < pairs; i++ {
				connection, err := listener.AcceptTCP()
				if err != nil {
					fail("accept: %v", err)
				}
				go func(connection *net.TCPConn) {
					buffer := make([]byte, 4096)
					for {
						n, err := connection.Read(buffer)
						if err != nil {
							break // The client closed: its run is over.
						}
						if _, err := connection.Write(buffer[:n]); err != nil {
							break
						}
					}
					connection.Close()
				}(connection)
			}
		}()
		connections := dial(listener.Addr().(*net.TCPAddr), pairs)
		before, start = now(), time.Now()
		transactions(&run, pingPong(connections, start.Add(duration(arguments[2]))))
		for _, connection := range connections {
			connection.Close()
		}
		listener.Close()

	default:
		fail("unknown mode %q (pingpong, drain, connect, echo-pairs)", arguments[0])
	}
	run.Seconds = time.Since(start).Seconds()
	after := now()
	run.CPUSeconds = after.cpu - before.cpu
	run.VoluntarySwitches = after.voluntary - before.voluntary
	run.InvoluntarySwitches = after.involuntary - before.involuntary
	line, _ := json.Marshal(run)
	fmt.Println(string(line))
}
