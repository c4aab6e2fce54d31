// TCP receivers: the library's recv loop (span and raw paths) against a plain C recv loop.

import BenchC
import BenchReport
import Foundation
import Sockets

/// The receivers measured over TCP; `c` is the baseline.
enum TCPContender: String, CaseIterable {
    case c = "C recv loop"
    case span = "Sockets receiveAll(using:)"
    case raw = "Sockets receiveAll(into:)"
}

/// Drain mode queues the bytes before timing; stream mode times a live stream.
enum Mode: String { case drain, stream }

/// Runs one contender once: connect to the source, ask for the bytes, and time the recv loop.
func measureTCP(_ contender: TCPContender, size: Int, mode: Mode, bytes: Int, duration: Duration,
                sourcePort: UInt16) throws -> RunMeasurement {
    let socket = try Socket(.ipv4, .stream)
    if mode == .drain {
        do { try socket.setReceiveBufferSize(1 << 30, force: true) } catch {
            try socket.setReceiveBufferSize(1 << 30)
        }
    }
    try socket.connect(to: .ipv4(.loopback, port: sourcePort), timeout: .seconds(10))
    let milliseconds = mode == .stream ? Int(duration.components.seconds * 1000
        + duration.components.attoseconds / 1_000_000_000_000_000) : 0
    let request = [UInt64(mode == .drain ? bytes : 0).littleEndian, UInt64(milliseconds).littleEndian]
    try request.withUnsafeBytes { try socket.sendAll($0) }
    if mode == .drain {
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while try socket.availableBytes < bytes {
            guard ContinuousClock.now < deadline else {
                throw SocketError(.timeout, operation: "drain", detail: "the queue never filled: \(try socket.availableBytes) of \(bytes)")
            }
            usleep(500)
        }
    }
    var buffer = ReceiveBuffer(capacity: size)
    let alignment = buffer.alignment
    var received = 0
    var calls = 0
    let limit = mode == .drain ? bytes : nil
    let cpuStart = bench_thread_cpu_seconds()
    let start = ContinuousClock.now
    switch contender {
    case .c:
        let memory = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: alignment)
        defer { memory.deallocate() }
        var count: Int64 = 0
        let total = socket.withUnsafeDescriptor { bench_c_recv_loop($0, memory, size, Int64(limit ?? 0), &count) }
        received = Int(total)
        calls = Int(count)
    case .span:
        received = try socket.receiveAll(using: &buffer, limit: limit) { _ in calls += 1 }
        if limit == nil { calls += 1 }
    case .raw:
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: alignment)
        defer { memory.deallocate() }
        received = try socket.receiveAll(into: memory, limit: limit) { _ in calls += 1 }
        if limit == nil { calls += 1 }
    }
    let seconds = start.duration(to: .now)
    let cpu = bench_thread_cpu_seconds() - cpuStart
    if mode == .drain && received != bytes {
        throw SocketError(.system(.invalidArgument), operation: "drain", detail: "received \(received) of \(bytes) bytes")
    }
    return RunMeasurement(bytes: received, seconds: Double(seconds.components.seconds) + Double(seconds.components.attoseconds) / 1e18,
                       calls: calls, cpuSeconds: cpu)
}
