// async-bench: the async layer against plain C epoll loops, side by side in one run.
//
//   async-bench [--connections 1,100,1000,10000] [--bytes 268435456] [--repetitions 3]
//               [--seconds 1] [--no-many] [--no-pingpong]
//
// 1. Many connections: a C epoll source in its own process (pinned to CPU 0) streams a fixed
//    total spread over N connections; receivers (pinned to CPU 1, the whole process) drain
//    them: a single-threaded C epoll loop (the baseline) and AsyncSockets, one task per
//    connection, on the default executor and on the reactor's executor.
// 2. Request/response: 64-byte ping-pong against a C epoll echo server in its own process
//    (pinned): the C blocking loop and the blocking library at N = 1, the C epoll loop and
//    AsyncSockets at N = 1 and N = 100. Transactions/s and latency percentiles.
// Contenders run interleaved; figures are medians of the repetitions; ratios are against the C
// loop of the same run.

import AsyncSockets
import BenchC
import BenchReport
import Foundation
import Sockets

/// Prints a line and flushes it, so progress shows even when output goes to a file.
func say(_ line: String) {
    FileHandle.standardOutput.write((line + "\n").data(using: .utf8)!)
}

// MARK: - Child processes

if CommandLine.arguments.count >= 2 && CommandLine.arguments[1] == "source" {
    _ = bench_pin_to_cpu(0)
    _ = bench_raise_descriptor_limit()
    let connections = Int32(CommandLine.arguments[2])!
    let bytesEach = Int64(CommandLine.arguments[3])!
    let listener = try Socket.listening(on: .ipv4(.loopback, port: 0), backlog: Int(connections))
    print(try listener.localAddress.port!)
    fflush(nil)
    let status = listener.withUnsafeDescriptor { bench_many_source($0, connections, bytesEach, 20_000) }
    exit(status == 0 ? 0 : 1)
}
if CommandLine.arguments.count >= 2 && CommandLine.arguments[1] == "echo" {
    _ = bench_pin_to_cpu(0)
    let listener = try Socket.listening(on: .ipv4(.loopback, port: 0), backlog: 1024)
    print(try listener.localAddress.port!)
    fflush(nil)
    _ = listener.withUnsafeDescriptor { bench_echo_serve($0, 5_000) }
    exit(0)
}

if CommandLine.arguments.count == 4 && CommandLine.arguments[1] == "echo-pairs" {
    // Not pinned (taskset chooses); the runtime installed by the public call, at the start.
    do throws(AsyncRuntimeError) {
        try AsyncRuntime.install()
    } catch {
        FileHandle.standardError.write(Data("async-bench: \(error)\n".utf8))
        exit(1)
    }
    let run = try await echoPairs(Int(CommandLine.arguments[2])!, seconds: Double(CommandLine.arguments[3])!)
    let sorted = run.latencies.sorted()
    func at(_ fraction: Double) -> Double {
        sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]) / 1000
    }
    say(String(decoding: try JSONEncoder().encode(PingPongSummary(
        transactions: run.transactions, seconds: run.seconds, p50: at(0.5), p99: at(0.99), p999: at(0.999))), as: UTF8.self))
    exit(0)
}

if CommandLine.arguments.count >= 3 && CommandLine.arguments[1] == "soak" {
    // Not pinned; the runtime installed at the start, on 2 reactors unless SOCKETS_REACTORS says.
    do throws(AsyncRuntimeError) {
        try AsyncRuntime.install(reactors: getenv("SOCKETS_REACTORS") == nil ? 2 : nil)
    } catch {
        FileHandle.standardError.write(Data("async-bench: \(error)\n".utf8))
        exit(1)
    }
    _ = bench_raise_descriptor_limit()
    let seconds = Double(CommandLine.arguments[2]) ?? 600
    let workers = CommandLine.arguments.count > 3 ? Int(CommandLine.arguments[3]) ?? 64 : 64
    let echoServer = try ChildProcess(CommandLine.arguments[0], ["echo"])
    say("soak: \(Int(seconds)) s, \(workers) workers, \(AsyncRuntime.reactorCount) reactors (runtime installed), against the C echo server and an in-process resetting server")
    let flat = try await soak(seconds: seconds, workers: workers, echo: .ipv4(.loopback, port: echoServer.port))
    echoServer.finish()
    exit(flat ? 0 : 1)
}

/// A child process of this executable (`source` or `echo`).
func child(_ arguments: [String]) throws -> ChildProcess { try ChildProcess(CommandLine.arguments[0], arguments) }

extension ChildProcess {
    var address: SocketAddress { .ipv4(.loopback, port: port) }
}

// MARK: - Options

struct Options {
    var connections = [1, 100, 1000, 10_000]
    var bytes = 256 << 20
    var repetitions = 3
    var seconds = 1.0
    var many = true
    var pingPong = true
    var connectionRate = true
    var only: String?

    init(_ arguments: ArraySlice<String>) {
        var rest = arguments
        while let flag = rest.popFirst() {
            switch flag {
            case "--connections": connections = rest.popFirst()!.split(separator: ",").map { Int($0)! }
            case "--bytes": bytes = Int(rest.popFirst()!)!
            case "--repetitions": repetitions = Int(rest.popFirst()!)!
            case "--seconds": seconds = Double(rest.popFirst()!)!
            case "--no-many": many = false
            case "--no-pingpong": pingPong = false
            case "--no-rate": connectionRate = false
            case "--only": only = rest.popFirst()
            default:
                FileHandle.standardError.write("async-bench: unknown flag \(flag)\n".data(using: .utf8)!)
                exit(64)
            }
        }
    }
}

let options = CommandLine.arguments.dropFirst().first == "measure" ? Options([]) : Options(CommandLine.arguments.dropFirst())
_ = bench_pin_to_cpu(1)  // Before any other thread starts: the reactor and the pool inherit it.
let limit = bench_raise_descriptor_limit()
if CommandLine.arguments.dropFirst().first != "measure" {
    say("async-bench: receivers on CPU 1, sources on CPU 0; descriptor limit \(limit); medians of \(options.repetitions)")
}

/// Runs `body` and returns its wall and process CPU seconds.
func measure(_ body: () async throws -> Int) async rethrows -> RunMeasurement {
    let cpu = bench_process_cpu_seconds()
    let start = ContinuousClock.now
    let bytes = try await body()
    let elapsed = start.duration(to: .now)
    return RunMeasurement(bytes: bytes, seconds: elapsed.seconds, calls: 0, cpuSeconds: bench_process_cpu_seconds() - cpu)
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

func fixed(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

// MARK: - 1. Many connections

enum Receiver: String, CaseIterable {
    case c = "C epoll loop (1 thread)"
    case asyncDefault = "AsyncSockets, task per connection"
    case asyncReactor = "AsyncSockets, on the reactor executor"
}

func drain(_ receiver: Receiver, connections: Int, bytes: Int) async throws -> RunMeasurement {
    let bytesEach = bytes / connections
    let source = try child(["source", "\(connections)", "\(bytesEach)"])
    defer { source.finish() }
    var descriptors: [Int32] = []  // A Socket is ~Copyable, so an array holds descriptors.
    for _ in 0..<connections {
        let socket = try Socket.connected(to: source.address)  // Blocking; loopback connects at once.
        try socket.setReceiveBufferSize(256 * 1024)
        descriptors.append(socket.releaseDescriptor())
    }
    switch receiver {
    case .c:
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 16 * 1024, alignment: 4096)
        defer {
            buffer.deallocate()
            for fd in descriptors { _ = try? Socket(adopting: fd).close() }
        }
        return await measure {
            Int(descriptors.withUnsafeBufferPointer { bench_c_epoll_drain($0.baseAddress!, Int32($0.count), buffer, 16 * 1024) })
        }
    case .asyncDefault, .asyncReactor:
        var handles: [AsyncSocket] = []
        for fd in descriptors { handles.append(try AsyncSocket(Socket(adopting: fd), timeout: .after(.seconds(30)))) }
        // A warm process: the allocator already holds the pages of one 16 KiB buffer per
        // connection (allocated, touched and freed here, untimed), as in a server that has run.
        let warm = (0..<connections).map { _ in
            let memory = UnsafeMutableRawPointer.allocate(byteCount: 16 * 1024, alignment: 64)
            memory.initializeMemory(as: UInt8.self, repeating: 0, count: 16 * 1024)
            return memory
        }
        for memory in warm { memory.deallocate() }
        let run = { [handles] () async throws -> Int in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for socket in handles {
                    group.addTask {
                        var buffer = ReceiveBuffer(capacity: 16 * 1024)
                        return try await socket.receiveAll(using: &buffer) { _ in }
                    }
                }
                return try await group.reduce(0, +)
            }
        }
        if receiver == .asyncReactor {
            return try await withTaskExecutorPreference(AsyncSocket.reactorExecutor) { try await measure(run) }
        }
        return try await measure(run)
    }
}

/// One ping-pong run as the peers benchmark reads it.
struct PingPongSummary: Codable {
    var transactions: Int
    var seconds: Double
    var p50: Double
    var p99: Double
    var p999: Double
}

// `async-bench measure many RECEIVER N BYTES`, `async-bench measure pingpong CLIENT N SECONDS
// PORT` and `async-bench measure connect CYCLER N SECONDS PORT`: one measured run, as JSON, for
// the peers benchmark (Benchmarks/), so that its ratios compare with the C loops and this layer
// measured by the same code as here (on the backend SOCKETS_ASYNC_BACKEND names).
if CommandLine.arguments.count >= 3 && CommandLine.arguments[1] == "measure" {
    let measureArguments = Array(CommandLine.arguments.dropFirst(2))
    let encoder = JSONEncoder()
    // A run on another backend than the one asked for would be mislabelled: refuse it.
    if let asked = getenv("SOCKETS_ASYNC_BACKEND").map({ String(cString: $0) }), !asked.isEmpty,
       measureArguments.count > 1, !measureArguments[1].hasPrefix("c"), AsyncSocket.backend.rawValue != asked {
        FileHandle.standardError.write(Data("async-bench: \(asked) asked for, \(AsyncSocket.backend) runs: \(AsyncSocket.backendNote ?? "")\n".utf8))
        exit(1)
    }
    // `asyncInstalled`: the plain task-per-connection code (no executor preference) with the
    // runtime installed as Swift's global executor, by the public call a program makes at its
    // start (here, before any task but the main one).
    var arguments = measureArguments
    if arguments.count > 1, arguments[1] == "asyncInstalled" {
        do throws(AsyncRuntimeError) {
            try AsyncRuntime.install()
        } catch {
            FileHandle.standardError.write(Data("async-bench: \(error)\n".utf8))
            exit(1)
        }
        arguments[1] = "asyncDefault"
    }
    switch arguments[0] {
    case "many":
        let receiver: Receiver = arguments[1] == "c" ? .c : arguments[1] == "asyncDefault" ? .asyncDefault : .asyncReactor
        let run = try await drain(receiver, connections: Int(arguments[2])!, bytes: Int(arguments[3])!)
        say(String(decoding: try encoder.encode(run), as: UTF8.self))
    case "connect":
        let cycler: Cycler = arguments[1] == "cEpoll" ? .cEpoll : arguments[1] == "asyncDefault" ? .asyncDefault : .asyncReactor
        let rate = try await connectionCycles(cycler, concurrency: Int(arguments[2])!, seconds: Double(arguments[3])!,
                                              echo: .ipv4(.loopback, port: UInt16(arguments[4])!))
        say(String(decoding: try encoder.encode(["connectionsPerSecond": rate]), as: UTF8.self))
    default:
        let client: Client = arguments[1] == "cEpoll" ? .cEpoll : arguments[1] == "asyncDefault" ? .asyncDefault : .asyncReactor
        let run = try await pingPong(client, connections: Int(arguments[2])!, seconds: Double(arguments[3])!,
                                     echo: .ipv4(.loopback, port: UInt16(arguments[4])!))
        let latencies = run.sortedLatencies
        say(String(decoding: try encoder.encode(PingPongSummary(
            transactions: run.transactions, seconds: run.seconds,
            p50: latencies.p50, p99: latencies.p99, p999: latencies.p999)), as: UTF8.self))
    }
    exit(0)
}

if options.many {
    say("\n1. Many connections: \(options.bytes >> 20) MiB in total over N connections (aggregate GiB/s; CPU s per GiB, whole process)")
    for connections in options.connections {
        var results: [Receiver: [RunMeasurement]] = [:]
        for repetition in 0..<options.repetitions {
            let order = Receiver.allCases.indices.map { Receiver.allCases[($0 + repetition) % Receiver.allCases.count] }
            for receiver in order {
                let run = try await drain(receiver, connections: connections, bytes: options.bytes)
                guard run.bytes >= options.bytes / connections * connections else {
                    say("  \(receiver.rawValue): received \(run.bytes) bytes, not \(options.bytes)")
                    exit(1)
                }
                results[receiver, default: []].append(run)
            }
        }
        let base = median(results[.c]!.map(\.gibPerSecond))
        let baseCPU = results[.c]!.reduce(0) { $0 + $1.cpuSeconds } / (Double(results[.c]!.reduce(0) { $0 + $1.bytes }) / Double(1 << 30))
        say("  N = \(connections)")
        for receiver in Receiver.allCases {
            let runs = results[receiver]!
            let rate = median(runs.map(\.gibPerSecond))
            let cpu = runs.reduce(0) { $0 + $1.cpuSeconds } / (Double(runs.reduce(0) { $0 + $1.bytes }) / Double(1 << 30))
            say("    \(receiver.rawValue.padding(toLength: 40, withPad: " ", startingAt: 0)) \(fixed(rate)) GiB/s (\(fixed(rate / base, 3))x C)   CPU \(fixed(cpu, 3)) s/GiB (\(fixed(cpu / baseCPU, 3))x C)")
        }
    }
}

// MARK: - 2. Request/response

enum Client: String, CaseIterable {
    case cBlocking = "C blocking loop"
    case socketsBlocking = "Sockets (blocking)"
    case cEpoll = "C epoll loop"
    case asyncDefault = "AsyncSockets"
    case asyncReactor = "AsyncSockets, reactor executor"
}

struct PingPongRun {
    var transactions: Int
    var seconds: Double
    var latencies: [Int64]
    var perSecond: Double { Double(transactions) / seconds }
}

func percentile(_ sorted: [Int64], _ fraction: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]) / 1000
}

func pingPong(_ client: Client, connections: Int, seconds: Double, echo: SocketAddress) async throws -> PingPongRun {
    let size = 64
    let duration = Int64(seconds * 1e9)
    let capacity = 4_000_000
    var descriptors: [Int32] = []
    for _ in 0..<connections {
        let socket = try Socket.connected(to: echo)  // Blocking; loopback connects at once.
        try socket.setNoDelay(true)
        descriptors.append(socket.releaseDescriptor())
    }
    let start = ContinuousClock.now
    switch client {
    case .cBlocking, .cEpoll:
        var latencies = [Int64](repeating: 0, count: capacity)
        let count = latencies.withUnsafeMutableBufferPointer { latency in
            descriptors.withUnsafeBufferPointer { fds in
                client == .cBlocking
                    ? bench_c_pingpong_blocking(fds[0], size, duration, latency.baseAddress!, Int64(capacity))
                    : bench_c_pingpong_epoll(fds.baseAddress!, Int32(fds.count), size, duration, latency.baseAddress!, Int64(capacity))
            }
        }
        let elapsed = start.duration(to: .now).seconds
        for fd in descriptors { _ = try? Socket(adopting: fd).close() }
        guard count >= 0 else {
            throw SocketError(.system(.invalidArgument), operation: "\(client.rawValue) ping-pong", detail: "the C loop failed")
        }
        return PingPongRun(transactions: Int(count), seconds: elapsed, latencies: Array(latencies[..<min(Int(count), capacity)]))
    case .socketsBlocking:
        let socket = try Socket(adopting: descriptors[0])
        let message = [UInt8](repeating: 0x70, count: size)
        var reply = ReceiveBuffer(capacity: 4096)
        var latencies: [Int64] = []
        latencies.reserveCapacity(capacity)
        let end = ContinuousClock.now.advanced(by: .nanoseconds(duration))
        var clock = ContinuousClock.now
        while clock < end {
            try socket.sendAll(message)
            reply.removeAll()
            while reply.count < size { _ = try socket.receive(into: &reply) }
            let now = ContinuousClock.now
            latencies.append(Int64(clock.duration(to: now).seconds * 1e9))
            clock = now
        }
        return PingPongRun(transactions: latencies.count, seconds: start.duration(to: .now).seconds, latencies: latencies)
    case .asyncDefault, .asyncReactor:
        var handles: [AsyncSocket] = []
        for fd in descriptors { handles.append(try AsyncSocket(Socket(adopting: fd), timeout: .after(.seconds(30)))) }
        let run = { [handles] () async throws -> [Int64] in
            try await withThrowingTaskGroup(of: [Int64].self) { group in
                for socket in handles {
                    group.addTask {
                        try await asyncPingPong(socket, size: size, until: ContinuousClock.now.advanced(by: .nanoseconds(duration)),
                                                expected: capacity / max(handles.count, 1))
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
        }
        let latencies = client == .asyncReactor
            ? try await withTaskExecutorPreference(AsyncSocket.reactorExecutor) { try await run() }
            : try await run()
        return PingPongRun(transactions: latencies.count, seconds: start.duration(to: .now).seconds, latencies: latencies)
    }
}

if options.pingPong {
    say("\n2. Request/response: 64-byte ping-pong against a C epoll echo server, \(options.seconds) s per run (transactions/s; latency µs)")
    let echo = try child(["echo"])
    defer { echo.finish() }
    for connections in [1, 100] {
        var clients = Client.allCases.filter { connections == 1 || ($0 != .cBlocking && $0 != .socketsBlocking) }
        if let only = options.only { clients = clients.filter { "\($0)" == only } }
        var results: [Client: [PingPongRun]] = [:]
        for repetition in 0..<options.repetitions {
            for index in clients.indices {
                let client = clients[(index + repetition) % clients.count]
                results[client, default: []].append(
                    try await pingPong(client, connections: connections, seconds: options.seconds, echo: echo.address))
            }
        }
        let baseline: Client = .cEpoll
        let base = results[baseline].map { median($0.map(\.perSecond)) } ?? .nan
        let baseP50 = connections == 1 ? results[.cBlocking].map { medianRun($0).sortedLatencies.p50 } ?? 0 : 0
        say("  N = \(connections)")
        for client in clients {
            let run = medianRun(results[client]!)
            let rate = median(results[client]!.map(\.perSecond))
            let l = run.sortedLatencies
            var line = "    \(client.rawValue.padding(toLength: 32, withPad: " ", startingAt: 0)) \(Int(rate)) tx/s (\(fixed(rate / base, 3))x C epoll)"
            line += "   p50 \(fixed(l.p50, 1))  p99 \(fixed(l.p99, 1))  p99.9 \(fixed(l.p999, 1))"
            if connections == 1 { line += "   p50 \(fixed(l.p50 / baseP50, 3))x C blocking" }
            say(line)
        }
    }
}

// MARK: - 3. Connection rate

enum Cycler: String, CaseIterable {
    case cEpoll = "C epoll loop"
    case asyncDefault = "AsyncSockets"
    case asyncReactor = "AsyncSockets, reactor executor"
}

/// Connect, one 64-byte request and reply, close (with a reset: no TIME_WAIT), over and over,
/// `concurrency` at a time; returns cycles per second.
func connectionCycles(_ cycler: Cycler, concurrency: Int, seconds: Double, echo: SocketAddress) async throws -> Double {
    let duration = Int64(seconds * 1e9)
    let start = ContinuousClock.now
    switch cycler {
    case .cEpoll:
        let cycles = bench_c_connection_cycles(echo.port!, Int32(concurrency), 64, duration)
        guard cycles >= 0 else {
            throw SocketError(.system(.invalidArgument), operation: "C connection cycles", detail: "the C loop failed")
        }
        return Double(cycles) / start.duration(to: .now).seconds
    case .asyncDefault, .asyncReactor:
        let run = { () async throws -> Int in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<concurrency {
                    group.addTask {
                        let request = [UInt8](repeating: 0x63, count: 64)
                        var reply = ReceiveBuffer(capacity: 4096)
                        let end = ContinuousClock.now.advanced(by: .nanoseconds(duration))
                        var cycles = 0
                        while ContinuousClock.now < end {
                            let socket = try await AsyncSocket.connected(to: echo, timeout: .seconds(10))
                            try socket.withSocket { (socket) throws(SocketError) in
                                try socket.setLinger(.zero)
                                try socket.setNoDelay(true)
                            }
                            try await socket.sendAll(request.span.bytes)
                            reply.removeAll()
                            while reply.count < 64 { _ = try await socket.receive(into: &reply) }
                            cycles += 1
                        }  // Each socket closes (with a reset) as its last copy goes.
                        return cycles
                    }
                }
                return try await group.reduce(0, +)
            }
        }
        let cycles = cycler == .asyncReactor
            ? try await withTaskExecutorPreference(AsyncSocket.reactorExecutor) { try await run() }
            : try await run()
        return Double(cycles) / start.duration(to: .now).seconds
    }
}

if options.connectionRate {
    say("\n3. Connection rate: connect, 64-byte request and reply, close, N at a time, against the C epoll echo server (connections/s)")
    let echo = try child(["echo"])
    defer { echo.finish() }
    for concurrency in [1, 100] {
        var results: [Cycler: [Double]] = [:]
        for repetition in 0..<options.repetitions {
            for index in Cycler.allCases.indices {
                let cycler = Cycler.allCases[(index + repetition) % Cycler.allCases.count]
                results[cycler, default: []].append(
                    try await connectionCycles(cycler, concurrency: concurrency, seconds: options.seconds / 2, echo: echo.address))
            }
        }
        let base = median(results[.cEpoll]!)
        say("  N = \(concurrency)")
        for cycler in Cycler.allCases {
            let rate = median(results[cycler]!)
            say("    \(cycler.rawValue.padding(toLength: 32, withPad: " ", startingAt: 0)) \(Int(rate)) connections/s (\(fixed(rate / base, 3))x C epoll)")
        }
    }
}

func medianRun(_ runs: [PingPongRun]) -> PingPongRun {
    runs.sorted { $0.perSecond < $1.perSecond }[runs.count / 2]
}

extension PingPongRun {
    var sortedLatencies: (p50: Double, p99: Double, p999: Double) {
        let sorted = latencies.sorted()
        return (percentile(sorted, 0.5), percentile(sorted, 0.99), percentile(sorted, 0.999))
    }
}
