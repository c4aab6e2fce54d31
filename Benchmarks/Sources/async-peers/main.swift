// async-peers: the async layer's peers (SwiftNIO with a ChannelHandler on one event loop,
// NIOAsyncChannel, FlyingSocks) against AsyncSockets on each backend (epoll, io_uring) and the C
// epoll loops, on async-bench's C source and C echo server, interleaved, medians, ratios against
// the C loop and against AsyncSockets on epoll of the same run. The C loops and AsyncSockets are
// measured by `async-bench measure` (the same code as `make bench-async`), once per backend
// through SOCKETS_ASYNC_BACKEND; the peers here, in this process, pinned to the same CPU.
//
//   async-peers --async-bench PATH [--connections 1,100,1000,10000] [--bytes 268435456]
//               [--repetitions 3] [--seconds 1] [--ping-connections 1,100,1000]

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

/// Runs `async-bench measure ...` on `backend` and decodes its JSON line; a backend other than
/// the one asked for (io_uring refused here) fails the run rather than mislabel it.
func measure<T: Decodable>(_ arguments: [String], backend: String = "epoll", as type: T.Type) throws -> T {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: asyncBench)
    process.arguments = ["measure"] + arguments
    var environment = ProcessInfo.processInfo.environment
    environment["SOCKETS_ASYNC_BACKEND"] = backend
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw PeerFailure("async-bench measure \(arguments) failed") }
    return try JSONDecoder().decode(T.self, from: data)
}

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

func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

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
let drainContenders = ["c", "asyncReactor", "asyncReactor@io_uring"] + Peer.allCases.map(\.rawValue)
func label(_ contender: String) -> String {
    switch contender {
    case "c": return "C epoll loop (1 thread)"
    case "cEpoll": return "C epoll loop"
    case "asyncReactor": return "AsyncSockets epoll (reactor executor)"
    case "asyncReactor@io_uring": return "AsyncSockets io_uring (reactor executor)"
    default: return contender
    }
}
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
            } else {
                run = try measure(["many", measured(contender), "\(connections)", "\(totalBytes)"],
                                  backend: backend(of: contender), as: RunMeasurement.self)
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
        say("    \(label(contender).padding(toLength: 42, withPad: " ", startingAt: 0)) \(fixed(rate)) GiB/s (\(fixed(rate / base, 3))x C, \(fixed(rate / epollRate, 3))x epoll)   CPU \(fixed(perGiB, 3)) s/GiB (\(fixed(perGiB / baseCPU, 3))x C)")
    }
}

say("\n2. Request/response: 64-byte ping-pong against the C epoll echo server, \(seconds) s per run (transactions/s; latency µs)")
let echo = try child(["echo"])
let pingContenders = ["cEpoll", "asyncReactor", "asyncReactor@io_uring"] + Peer.allCases.map(\.rawValue)
for connections in pingConnections {
    var runs: [String: [PingPongSummary]] = [:]
    for repetition in 0..<repetitions {
        for index in pingContenders.indices {
            let contender = pingContenders[(index + repetition) % pingContenders.count]
            if let peer = Peer(rawValue: contender) {
                let descriptors = try connectDescriptors(connections, port: echo.port, noDelay: true)
                let start = ContinuousClock.now
                let latencies = try await pingPong(peer, descriptors: descriptors, seconds: seconds)
                let elapsed = start.duration(to: .now)
                let (p50, p99, p999) = percentiles(latencies)
                runs[contender, default: []].append(PingPongSummary(
                    transactions: latencies.count,
                    seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                    p50: p50, p99: p99, p999: p999))
            } else {
                runs[contender, default: []].append(try measure(
                    ["pingpong", measured(contender), "\(connections)", "\(seconds)", "\(echo.port)"],
                    backend: backend(of: contender), as: PingPongSummary.self))
            }
        }
    }
    func rate(_ run: PingPongSummary) -> Double { Double(run.transactions) / run.seconds }
    let base = median(runs["cEpoll"]!.map(rate))
    let epollBase = median(runs["asyncReactor"]!.map(rate))
    say("  N = \(connections)")
    for contender in pingContenders {
        let sorted = runs[contender]!.sorted { rate($0) < rate($1) }
        let middle = sorted[sorted.count / 2]
        say("    \(label(contender).padding(toLength: 42, withPad: " ", startingAt: 0)) \(Int(rate(middle))) tx/s (\(fixed(rate(middle) / base, 3))x C epoll, \(fixed(rate(middle) / epollBase, 3))x epoll)   p50 \(fixed(middle.p50, 1))  p99 \(fixed(middle.p99, 1))  p99.9 \(fixed(middle.p999, 1))")
    }
}

struct ConnectionRate: Codable {
    var connectionsPerSecond: Double
}

say("\n3. Connection rate: connect, 64-byte request and reply, close, N at a time, against the C epoll echo server (connections/s; ours only: async-bench's cycles)")
let cycleContenders = ["cEpoll", "asyncReactor", "asyncReactor@io_uring"]
for concurrency in [1, 100] {
    var rates: [String: [Double]] = [:]
    for repetition in 0..<repetitions {
        for index in cycleContenders.indices {
            let contender = cycleContenders[(index + repetition) % cycleContenders.count]
            rates[contender, default: []].append(try measure(
                ["connect", measured(contender), "\(concurrency)", "\(seconds / 2)", "\(echo.port)"],
                backend: backend(of: contender), as: ConnectionRate.self).connectionsPerSecond)
        }
    }
    let base = median(rates["cEpoll"]!)
    let epollBase = median(rates["asyncReactor"]!)
    say("  N = \(concurrency)")
    for contender in cycleContenders {
        let rate = median(rates[contender]!)
        say("    \(label(contender).padding(toLength: 42, withPad: " ", startingAt: 0)) \(Int(rate)) connections/s (\(fixed(rate / base, 3))x C epoll, \(fixed(rate / epollBase, 3))x epoll)")
    }
}
echo.finish()
try await group.shutdownGracefully()
