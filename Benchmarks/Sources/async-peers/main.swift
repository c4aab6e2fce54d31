// async-peers: the async layer's peers (SwiftNIO with a ChannelHandler on one event loop,
// NIOAsyncChannel, FlyingSocks, Go and tokio) against AsyncSockets on each backend (epoll,
// io_uring) and the C epoll loops, on async-bench's C source and C echo server, interleaved,
// medians, ratios against the C loop and against AsyncSockets on epoll of the same run. The C
// loops and AsyncSockets are measured by `async-bench measure` (the same code as `make
// bench-async`), once per backend through SOCKETS_ASYNC_BACKEND; the Swift peers here, in this
// process, pinned to the same CPU; Go (a goroutine per connection, GOMAXPROCS=1 and 2) and tokio
// (a task per connection, current-thread and 2 workers) in their own processes, Benchmarks/go
// and Benchmarks/tokio, started under `taskset` (CPU 1; CPUs 0 and 1 for the two-worker forms),
// with a fourth section of their own: echo pairs, client and server in one process. A client
// whose binary is missing is skipped with one line.
//
//   async-peers --async-bench PATH [--go PATH] [--tokio PATH] [--connections 1,100,1000,10000]
//               [--bytes 268435456] [--repetitions 3] [--seconds 1] [--ping-connections 1,100,1000]
//               [--pairs 1,100]

import BenchReport
import FlyingSocks
import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

// MARK: - Options and helpers

nonisolated(unsafe) var asyncBench = "../.build/release/async-bench"
nonisolated(unsafe) var connectionCounts = [1, 100, 1000, 10_000]
nonisolated(unsafe) var totalBytes = 256 << 20
nonisolated(unsafe) var repetitions = 3
nonisolated(unsafe) var seconds = 1.0
nonisolated(unsafe) var pingConnections = [1, 100, 1000]
nonisolated(unsafe) var goClient = ".build-go/async-peer-go"
nonisolated(unsafe) var tokioClient = ".build-tokio/release/async-peer-tokio"
nonisolated(unsafe) var echoPairs = [1, 100]
var rest = CommandLine.arguments.dropFirst()
while let flag = rest.popFirst() {
    let value = rest.popFirst() ?? ""
    switch flag {
    case "--async-bench": asyncBench = value
    case "--connections": connectionCounts = value.split(separator: ",").compactMap { Int($0) }
    case "--bytes": totalBytes = Int(value) ?? totalBytes
    case "--repetitions": repetitions = Int(value) ?? repetitions
    case "--seconds": seconds = Double(value) ?? seconds
    case "--ping-connections": pingConnections = value.split(separator: ",").compactMap { Int($0) }
    case "--go": goClient = value
    case "--tokio": tokioClient = value
    case "--pairs": echoPairs = value.split(separator: ",").compactMap { Int($0) }
    default:
        FileHandle.standardError.write("async-peers: unknown flag \(flag)\n".data(using: .utf8)!)
        exit(64)
    }
}

func say(_ line: String) { FileHandle.standardOutput.write((line + "\n").data(using: .utf8)!) }
func fixed(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

/// Raises the soft descriptor limit to the hard one, for 10,000 connections. (The process is
/// pinned to CPU 1 by `taskset` in `make bench-async-peers`, as async-bench pins itself.)
func raiseDescriptorLimit() {
    var limit = rlimit()
    getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    limit.rlim_cur = limit.rlim_max
    setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
}

/// A child process of async-bench (`source` or `echo`) that prints its port.
func child(_ arguments: [String]) throws -> ChildProcess { try ChildProcess(asyncBench, arguments) }

struct PeerFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The backend a contender of ours runs on: `asyncReactor` on epoll, `asyncReactor@io_uring`
/// on io_uring (the C loops on neither).
func backend(of contender: String) -> String { contender.hasSuffix("@io_uring") ? "io_uring" : "epoll" }

/// The contender's name as `async-bench measure` knows it.
func measured(_ contender: String) -> String { contender.split(separator: "@").first.map(String.init) ?? contender }

/// CPU seconds (user and system) and context switches (voluntary and involuntary).
struct Usage {
    var cpuSeconds = 0.0
    var switches = 0

    /// This process's so far (`RUSAGE_SELF`), or that of every child waited for so far
    /// (`RUSAGE_CHILDREN`).
    init(_ who: __rusage_who) {
        var usage = rusage()
        getrusage(who.rawValue, &usage)
        cpuSeconds = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        switches = usage.ru_nvcsw + usage.ru_nivcsw
    }
    init() {}
    static func - (a: Usage, b: Usage) -> Usage {
        var difference = Usage()
        difference.cpuSeconds = a.cpuSeconds - b.cpuSeconds
        difference.switches = a.switches - b.switches
        return difference
    }
    static func += (a: inout Usage, b: Usage) {
        a.cpuSeconds += b.cpuSeconds
        a.switches += b.switches
    }
}

/// Runs `executable` to its end and decodes the JSON line it prints, with the CPU and context
/// switches of the whole child process (getrusage of the child: `RUSAGE_CHILDREN` before it
/// starts and once it has been waited for, so its start-up counts too; no other child ends
/// meanwhile while the echo server runs, but a `many` run's source, a grandchild, counts in it).
func runJSON<T: Decodable>(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                           as type: T.Type) throws -> (T, Usage) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    let before = Usage(RUSAGE_CHILDREN)
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw PeerFailure("\(executable) \(arguments) failed") }
    return (try JSONDecoder().decode(T.self, from: data), Usage(RUSAGE_CHILDREN) - before)
}

/// Runs `async-bench measure ...` on `backend` and decodes its JSON line; a backend other than
/// the one asked for (io_uring refused here) fails the run rather than mislabel it.
func measure<T: Decodable>(_ arguments: [String], backend: String = "epoll", as type: T.Type) throws -> (T, Usage) {
    try runJSON(asyncBench, ["measure"] + arguments, environment: ["SOCKETS_ASYNC_BACKEND": backend], as: type)
}

/// A client in its own process, Go or tokio (Benchmarks/go, Benchmarks/tokio): the same modes
/// as `async-bench measure` (pingpong, drain, connect) and echo-pairs, one JSON line each.
struct External {
    var label: String
    var executable: String
    var options: [String] = []
    var environment: [String: String] = [:]
    /// The CPUs it may run on (`taskset -c`): CPU 1 as the C client, or 0,1 with two workers.
    var cpus: String

    func run<T: Decodable>(_ arguments: [String], as type: T.Type) throws -> (T, Usage) {
        try runJSON(taskset, ["-c", cpus, executable] + options + arguments, environment: environment, as: type)
    }
}

let taskset = "/usr/bin/taskset"

/// The Go and tokio contenders whose binaries are here, by key (the others skipped with a line).
let externals: [String: External] = {
    var found: [String: External] = [:]
    guard FileManager.default.isExecutableFile(atPath: taskset) else {
        say("async-peers: no \(taskset) (util-linux): the Go and tokio rows are skipped")
        return found
    }
    // Ours in the echo pairs only: async-bench's echo-pairs, runtime installed, 1 and 2 reactors.
    found["async@1"] = External(label: "AsyncSockets, runtime installed, 1 reactor", executable: asyncBench,
                                environment: ["SOCKETS_REACTORS": "1"], cpus: "1")
    found["async@2"] = External(label: "AsyncSockets, runtime installed, 2 reactors (CPUs 0,1)", executable: asyncBench,
                                environment: ["SOCKETS_REACTORS": "2"], cpus: "0,1")
    if FileManager.default.isExecutableFile(atPath: goClient) {
        found["go@1"] = External(label: "Go, goroutine per connection, GOMAXPROCS=1", executable: goClient,
                                 environment: ["GOMAXPROCS": "1"], cpus: "1")
        found["go@2"] = External(label: "Go, goroutine per connection, GOMAXPROCS=2 (CPUs 0,1)", executable: goClient,
                                 environment: ["GOMAXPROCS": "2"], cpus: "0,1")
    } else {
        say("async-peers: no Go client at \(goClient) (make bench-async-peers builds it): the Go rows are skipped")
    }
    if FileManager.default.isExecutableFile(atPath: tokioClient) {
        found["tokio@current"] = External(label: "tokio current-thread, task per connection", executable: tokioClient,
                                          options: ["--runtime", "current"], cpus: "1")
        found["tokio@multi2"] = External(label: "tokio multi-thread, 2 workers (CPUs 0,1)", executable: tokioClient,
                                         options: ["--runtime", "multi2"], cpus: "0,1")
    } else {
        say("async-peers: no tokio client at \(tokioClient) (make bench-async-peers builds it): the tokio rows are skipped")
    }
    return found
}()
let externalContenders = ["go@1", "go@2", "tokio@current", "tokio@multi2"].filter { externals[$0] != nil }
/// The echo pairs' contenders: ours on 1 and 2 reactors, then Go's and tokio's.
let pairContenders = ["async@1", "async@2"] + externalContenders

/// `count` blocking TCP connections to 127.0.0.1:`port`, as raw descriptors.
func connectDescriptors(_ count: Int, port: UInt16, noDelay: Bool = false) throws -> [Int32] {
    var descriptors: [Int32] = []
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    for _ in 0..<count {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, result == 0 else { throw PeerFailure("connect: errno \(errno)") }
        if noDelay {
            var on: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        descriptors.append(fd)
    }
    return descriptors
}

func processCPUSeconds() -> Double { Usage(RUSAGE_SELF).cpuSeconds }

// MARK: - 1. Many connections: the peers' receivers

/// Counts bytes until the channel closes.
final class DrainHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    var total = 0
    let done: EventLoopPromise<Int>
    init(done: EventLoopPromise<Int>) { self.done = done }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { total += unwrapInboundIn(data).readableBytes }
    func channelInactive(context: ChannelHandlerContext) { done.succeed(total) }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done.fail(error)
        context.close(promise: nil)
    }
}

enum Peer: String, CaseIterable {
    case nioHandler = "SwiftNIO ChannelHandler (1 event loop)"
    case nioAsync = "NIOAsyncChannel (1 event loop)"
    case flyingSocks = "FlyingSocks"
}

let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

/// Sets up `peer` on the connected `descriptors` (not timed) and returns the drain to time.
func prepareDrain(_ peer: Peer, descriptors: [Int32]) async throws -> () async throws -> Int {
    switch peer {
    case .nioHandler:
        var futures: [EventLoopFuture<Int>] = []
        for fd in descriptors {
            let loop = group.next()
            let done = loop.makePromise(of: Int.self)
            _ = try await ClientBootstrap(group: loop)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 16 * 1024))
                .channelInitializer { channel in channel.pipeline.addHandler(DrainHandler(done: done)) }
                .withConnectedSocket(fd).get()
            futures.append(done.futureResult)
        }
        return { [futures] in
            var total = 0
            for future in futures { total += try await future.get() }
            return total
        }
    case .nioAsync:
        var channels: [NIOAsyncChannel<ByteBuffer, ByteBuffer>] = []
        for fd in descriptors {
            channels.append(try await ClientBootstrap(group: group)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 16 * 1024))
                .withConnectedSocket(fd) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                })
        }
        return { [channels] in
            try await withThrowingTaskGroup(of: Int.self) { tasks in
                for channel in channels {
                    tasks.addTask {
                        try await channel.executeThenClose { inbound, _ in
                            var total = 0
                            for try await buffer in inbound { total += buffer.readableBytes }
                            return total
                        }
                    }
                }
                return try await tasks.reduce(0, +)
            }
        }
    case .flyingSocks:
        let pool: some AsyncSocketPool = .make(maxEvents: 256)
        try await pool.prepare()
        var sockets: [FlyingSocks.AsyncSocket] = []
        for fd in descriptors {
            sockets.append(try FlyingSocks.AsyncSocket(socket: Socket(file: .init(rawValue: fd)), pool: pool))
        }
        return { [sockets] in
            let running = Task { try await pool.run() }
            defer { running.cancel() }
            return try await withThrowingTaskGroup(of: Int.self) { tasks in
                for socket in sockets {
                    tasks.addTask {
                        var total = 0
                        do {
                            while true { total += try await socket.read(atMost: 16 * 1024).count }
                        } catch SocketError.disconnected {
                            // End of stream.
                        }
                        try? socket.close()
                        return total
                    }
                }
                return try await tasks.reduce(0, +)
            }
        }
    }
}

// MARK: - 2. Request/response: the peers' clients

/// Sends a 64-byte request whenever the previous reply is complete; records each round trip.
final class PingPongHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let end: ContinuousClock.Instant
    let done: EventLoopPromise<[Int64]>
    var latencies: [Int64] = []
    var have = 0
    var started = ContinuousClock.now
    init(end: ContinuousClock.Instant, done: EventLoopPromise<[Int64]>) {
        self.end = end
        self.done = done
        latencies.reserveCapacity(200_000)
    }
    func send(_ context: ChannelHandlerContext) {
        started = .now
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(repeating: 0x70, count: 64)), promise: nil)
    }
    func channelActive(context: ChannelHandlerContext) { send(context) }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        have += unwrapInboundIn(data).readableBytes
        guard have >= 64 else { return }
        have -= 64
        let now = ContinuousClock.now
        latencies.append(Int64(started.duration(to: now).components.attoseconds / 1_000_000_000))
        if now < end { send(context) } else { done.succeed(latencies); context.close(promise: nil) }
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done.fail(error)
        context.close(promise: nil)
    }
}

func pingPong(_ peer: Peer, descriptors: [Int32], seconds: Double) async throws -> [Int64] {
    let end = ContinuousClock.now.advanced(by: .milliseconds(Int64(seconds * 1000)))
    switch peer {
    case .nioHandler:
        var futures: [EventLoopFuture<[Int64]>] = []
        for fd in descriptors {
            let loop = group.next()
            let done = loop.makePromise(of: [Int64].self)
            _ = try await ClientBootstrap(group: loop)
                .channelInitializer { channel in channel.pipeline.addHandler(PingPongHandler(end: end, done: done)) }
                .withConnectedSocket(fd).get()
            futures.append(done.futureResult)
        }
        var all: [Int64] = []
        for future in futures { all += try await future.get() }
        return all
    case .nioAsync:
        var channels: [NIOAsyncChannel<ByteBuffer, ByteBuffer>] = []
        for fd in descriptors {
            channels.append(try await ClientBootstrap(group: group).withConnectedSocket(fd) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            })
        }
        return try await withThrowingTaskGroup(of: [Int64].self) { tasks in
            for channel in channels {
                tasks.addTask {
                    try await channel.executeThenClose { inbound, outbound in
                        var latencies: [Int64] = []
                        var iterator = inbound.makeAsyncIterator()
                        let request = ByteBuffer(repeating: 0x70, count: 64)
                        while ContinuousClock.now < end {
                            let started = ContinuousClock.now
                            try await outbound.write(request)
                            var have = 0
                            while have < 64 {
                                guard let buffer = try await iterator.next() else { return latencies }
                                have += buffer.readableBytes
                            }
                            latencies.append(Int64(started.duration(to: .now).components.attoseconds / 1_000_000_000))
                        }
                        return latencies
                    }
                }
            }
            return try await tasks.reduce(into: []) { $0 += $1 }
        }
    case .flyingSocks:
        let pool: some AsyncSocketPool = .make(maxEvents: 256)
        try await pool.prepare()
        let running = Task { try await pool.run() }
        defer { running.cancel() }
        var sockets: [FlyingSocks.AsyncSocket] = []
        for fd in descriptors {
            sockets.append(try FlyingSocks.AsyncSocket(socket: Socket(file: .init(rawValue: fd)), pool: pool))
        }
        return try await withThrowingTaskGroup(of: [Int64].self) { tasks in
            for socket in sockets {
                tasks.addTask {
                    var latencies: [Int64] = []
                    let request = Data(repeating: 0x70, count: 64)
                    while ContinuousClock.now < end {
                        let started = ContinuousClock.now
                        try await socket.write(request)
                        var have = 0
                        while have < 64 { have += try await socket.read(atMost: 4096).count }
                        latencies.append(Int64(started.duration(to: .now).components.attoseconds / 1_000_000_000))
                    }
                    try? socket.close()
                    return latencies
                }
            }
            return try await tasks.reduce(into: []) { $0 += $1 }
        }
    }
}

// MARK: - The run

struct PingPongSummary: Codable {
    var transactions: Int
    var seconds: Double
    var p50: Double
    var p99: Double
    var p999: Double
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

func percentiles(_ latencies: [Int64]) -> (Double, Double, Double) {
    let sorted = latencies.sorted()
    func at(_ fraction: Double) -> Double {
        sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]) / 1000
    }
    return (at(0.5), at(0.99), at(0.999))
}

raiseDescriptorLimit()
say("async-peers: receivers on CPU 1, the C source and echo server on CPU 0; medians of \(repetitions)")
/// Ours: the reactor executor on each backend, and the plain task-per-connection code with the
/// runtime installed (each backend) and not (Swift's own pool).
let ours = ["asyncReactor", "asyncReactor@io_uring", "asyncInstalled", "asyncInstalled@io_uring", "asyncDefault"]
let drainContenders = ["c"] + ours + Peer.allCases.map(\.rawValue) + externalContenders
func label(_ contender: String) -> String {
    switch contender {
    case "c": return "C epoll loop (1 thread)"
    case "cEpoll": return "C epoll loop"
    case "asyncReactor": return "AsyncSockets epoll (reactor executor)"
    case "asyncReactor@io_uring": return "AsyncSockets io_uring (reactor executor)"
    case "asyncInstalled": return "AsyncSockets epoll, runtime installed"
    case "asyncInstalled@io_uring": return "AsyncSockets io_uring, runtime installed"
    case "asyncDefault": return "AsyncSockets epoll, plain (Swift's pool)"
    default: return externals[contender]?.label ?? contender
    }
}
/// The width of the label column: the longest label.
let labelWidth = (drainContenders + pairContenders + ["cEpoll"]).map { label($0).count }.max()! + 1
func padded(_ contender: String) -> String { label(contender).padding(toLength: labelWidth, withPad: " ", startingAt: 0) }

say("\n1. Many connections: \(totalBytes >> 20) MiB in total over N connections (aggregate GiB/s; CPU s per GiB, whole process)")
for connections in connectionCounts {
    var rates: [String: [Double]] = [:]
    var cpu: [String: (seconds: Double, bytes: Int)] = [:]
    for repetition in 0..<repetitions {
        for index in drainContenders.indices {
            let contender = drainContenders[(index + repetition) % drainContenders.count]
            let run: RunMeasurement
            if let peer = Peer(rawValue: contender) {
                let source = try child(["source", "\(connections)", "\(totalBytes / connections)"])
                let descriptors = try connectDescriptors(connections, port: source.port)
                let timed = try await prepareDrain(peer, descriptors: descriptors)
                let cpuStart = processCPUSeconds()
                let start = ContinuousClock.now
                let bytes = try await timed()
                let elapsed = start.duration(to: .now)
                run = RunMeasurement(bytes: bytes, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                                     calls: 0, cpuSeconds: processCPUSeconds() - cpuStart)
                source.finish()
            } else if let external = externals[contender] {
                // Its own timed region and CPU, as `async-bench measure many` reports them.
                let source = try child(["source", "\(connections)", "\(totalBytes / connections)"])
                run = try external.run(["drain", "127.0.0.1", "\(source.port)", "\(connections)", "\(totalBytes / connections)"],
                                       as: RunMeasurement.self).0
                source.finish()
            } else {
                run = try measure(["many", measured(contender), "\(connections)", "\(totalBytes)"],
                                  backend: backend(of: contender), as: RunMeasurement.self).0
            }
            guard run.bytes >= totalBytes / connections * connections else {
                throw PeerFailure("\(label(contender)) received \(run.bytes) bytes, not \(totalBytes)")
            }
            rates[contender, default: []].append(run.gibPerSecond)
            cpu[contender, default: (0, 0)].seconds += run.cpuSeconds
            cpu[contender, default: (0, 0)].bytes += run.bytes
        }
    }
    let base = median(rates["c"]!)
    let baseCPU = cpu["c"]!.seconds / (Double(cpu["c"]!.bytes) / Double(1 << 30))
    let epollRate = median(rates["asyncReactor"]!)
    say("  N = \(connections)")
    for contender in drainContenders {
        let rate = median(rates[contender]!)
        let perGiB = cpu[contender]!.seconds / (Double(cpu[contender]!.bytes) / Double(1 << 30))
        say("    \(padded(contender)) \(fixed(rate)) GiB/s (\(fixed(rate / base, 3))x C, \(fixed(rate / epollRate, 3))x epoll)   CPU \(fixed(perGiB, 3)) s/GiB (\(fixed(perGiB / baseCPU, 3))x C)")
    }
}

/// Runs of one request/response row: transactions/s, latencies, and the CPU and context
/// switches summed over the repetitions.
struct PingPongRuns {
    var runs: [PingPongSummary] = []
    var usage = Usage()
    var transactions = 0

    mutating func add(_ run: PingPongSummary, _ used: Usage) {
        runs.append(run)
        usage += used
        transactions += run.transactions
    }
    static func rate(_ run: PingPongSummary) -> Double { Double(run.transactions) / run.seconds }
    var medianRun: PingPongSummary { runs.sorted { Self.rate($0) < Self.rate($1) }[runs.count / 2] }
    var medianRate: Double { median(runs.map(Self.rate)) }
    var cpuPerTransaction: Double { usage.cpuSeconds * 1e6 / Double(max(transactions, 1)) }
    var switchesPerTransaction: Double { Double(usage.switches) / Double(max(transactions, 1)) }

    /// The row's figures after the label and the ratios.
    var figures: String {
        let middle = medianRun
        return "p50 \(fixed(middle.p50, 1))  p99 \(fixed(middle.p99, 1))  p99.9 \(fixed(middle.p999, 1))"
    }
}

say("\n2. Request/response: 64-byte ping-pong against the C epoll echo server, \(seconds) s per run (transactions/s; latency µs;")
say("   client CPU µs and context switches per transaction: the whole client process, getrusage of the child from its start,")
say("   the Swift peers' from this process)")
let echo = try child(["echo"])
let pingContenders = ["cEpoll"] + ours + Peer.allCases.map(\.rawValue) + externalContenders
for connections in pingConnections {
    var runs: [String: PingPongRuns] = [:]
    for repetition in 0..<repetitions {
        for index in pingContenders.indices {
            let contender = pingContenders[(index + repetition) % pingContenders.count]
            if let peer = Peer(rawValue: contender) {
                let before = Usage(RUSAGE_SELF)
                let descriptors = try connectDescriptors(connections, port: echo.port, noDelay: true)
                let start = ContinuousClock.now
                let latencies = try await pingPong(peer, descriptors: descriptors, seconds: seconds)
                let elapsed = start.duration(to: .now)
                let (p50, p99, p999) = percentiles(latencies)
                runs[contender, default: PingPongRuns()].add(PingPongSummary(
                    transactions: latencies.count,
                    seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                    p50: p50, p99: p99, p999: p999), Usage(RUSAGE_SELF) - before)
            } else if let external = externals[contender] {
                let (run, used) = try external.run(["pingpong", "127.0.0.1", "\(echo.port)", "\(connections)", "\(seconds)"],
                                                   as: PingPongSummary.self)
                runs[contender, default: PingPongRuns()].add(run, used)
            } else {
                let (run, used) = try measure(["pingpong", measured(contender), "\(connections)", "\(seconds)", "\(echo.port)"],
                                              backend: backend(of: contender), as: PingPongSummary.self)
                runs[contender, default: PingPongRuns()].add(run, used)
            }
        }
    }
    let base = runs["cEpoll"]!
    let epollBase = runs["asyncReactor"]!.medianRate
    say("  N = \(connections)")
    for contender in pingContenders {
        let row = runs[contender]!
        let rate = row.medianRate
        say("    \(padded(contender)) \(Int(rate)) tx/s (\(fixed(rate / base.medianRate, 3))x C epoll, \(fixed(rate / epollBase, 3))x epoll)   \(row.figures)   CPU \(fixed(row.cpuPerTransaction, 1)) µs/tx (\(fixed(row.cpuPerTransaction / base.cpuPerTransaction, 3))x C)  \(fixed(row.switchesPerTransaction, 2)) cs/tx")
    }
}

struct ConnectionRate: Codable {
    var connectionsPerSecond: Double
}

say("\n3. Connection rate: connect, 64-byte request and reply, close, N at a time, against the C epoll echo server (connections/s; ours: async-bench's cycles)")
let cycleContenders = ["cEpoll"] + ours + externalContenders
for concurrency in [1, 100] {
    var rates: [String: [Double]] = [:]
    for repetition in 0..<repetitions {
        for index in cycleContenders.indices {
            let contender = cycleContenders[(index + repetition) % cycleContenders.count]
            let rate = if let external = externals[contender] {
                try external.run(["connect", "127.0.0.1", "\(echo.port)", "\(concurrency)", "\(seconds / 2)"], as: ConnectionRate.self).0
            } else {
                try measure(["connect", measured(contender), "\(concurrency)", "\(seconds / 2)", "\(echo.port)"],
                            backend: backend(of: contender), as: ConnectionRate.self).0
            }
            rates[contender, default: []].append(rate.connectionsPerSecond)
        }
    }
    let base = median(rates["cEpoll"]!)
    let epollBase = median(rates["asyncReactor"]!)
    say("  N = \(concurrency)")
    for contender in cycleContenders {
        let rate = median(rates[contender]!)
        say("    \(padded(contender)) \(Int(rate)) connections/s (\(fixed(rate / base, 3))x C epoll, \(fixed(rate / epollBase, 3))x epoll)")
    }
}
// Ended before the echo pairs: an echo server that stopped by itself there (idle) would be
// waited for during a run, and its CPU counted as that run's client's.
echo.finish()

do {
    say("\n4. Echo pairs: N connections inside one process, each with a client and a server task, 64-byte ping-pong, \(seconds) s per run")
    say("   (transactions/s, ratios to the first row; latency µs; CPU µs and context switches per transaction, the whole process;")
    say("   the scaling figure: each runtime's 2-worker row over its 1-worker row)")
    for pairs in echoPairs {
        var runs: [String: PingPongRuns] = [:]
        for repetition in 0..<repetitions {
            for index in pairContenders.indices {
                let contender = pairContenders[(index + repetition) % pairContenders.count]
                let (run, used) = try externals[contender]!.run(["echo-pairs", "\(pairs)", "\(seconds)"], as: PingPongSummary.self)
                runs[contender, default: PingPongRuns()].add(run, used)
            }
        }
        let base = runs[pairContenders[0]]!
        say("  N = \(pairs)")
        for (one, two) in [("async@1", "async@2"), ("go@1", "go@2"), ("tokio@current", "tokio@multi2")]
        where runs[one] != nil && runs[two] != nil {
            say("    scaling, \(label(two)) over 1: \(fixed(runs[two]!.medianRate / runs[one]!.medianRate, 3))x")
        }
        for contender in pairContenders {
            let row = runs[contender]!
            say("    \(padded(contender)) \(Int(row.medianRate)) tx/s (\(fixed(row.medianRate / base.medianRate, 3))x)   \(row.figures)   CPU \(fixed(row.cpuPerTransaction, 1)) µs/tx (\(fixed(row.cpuPerTransaction / base.cpuPerTransaction, 3))x)  \(fixed(row.switchesPerTransaction, 2)) cs/tx")
        }
    }
}
try await group.shutdownGracefully()
