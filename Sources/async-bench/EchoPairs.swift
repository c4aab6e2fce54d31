// `async-bench echo-pairs PAIRS SECONDS`: PAIRS connections inside this process, each with a
// client task and a server task, 64-byte ping-pong for SECONDS, on the installed runtime (its
// reactor count from SOCKETS_REACTORS, else the CPUs the process may run on): the scaling
// figure beside Go's and tokio's echo pairs. Not pinned: `taskset` chooses the CPUs.

import AsyncSockets
import Foundation
import Sockets

/// Runs the echo pairs and returns the transactions, elapsed seconds and latency percentiles (µs).
func echoPairs(_ pairs: Int, seconds: Double) async throws -> (transactions: Int, seconds: Double, latencies: [Int64]) {
    let listener = try AsyncSocket.listening(on: .ipv4(.loopback, port: 0), backlog: max(pairs, 128))
    let address = try listener.localAddress
    let size = 64
    // The server side: each accepted connection echoes until its client closes.
    let server = Task {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<pairs {
                guard let connection = try? await listener.accept() else { break }
                group.addTask {
                    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
                    defer { buffer.deallocate() }
                    while true {
                        guard let count = try? await connection.receive(into: buffer), count > 0,
                              (try? await connection.sendAll(UnsafeRawBufferPointer(rebasing: buffer[..<count]))) != nil
                        else { break }
                    }
                }
            }
        }
    }
    var clients: [AsyncSocket] = []
    for _ in 0..<pairs {
        let socket = try await AsyncSocket.connected(to: address, timeout: .seconds(30))
        try socket.withSocket { (socket) throws(SocketError) in try socket.setNoDelay(true) }
        clients.append(socket)
    }
    let start = ContinuousClock.now
    let end = start.advanced(by: .nanoseconds(Int64(seconds * 1e9)))
    let latencies = try await withThrowingTaskGroup(of: [Int64].self) { group in
        for socket in clients {
            group.addTask { try await asyncPingPong(socket, size: size, until: end, expected: 1 << 16) }
        }
        return try await group.reduce(into: []) { $0 += $1 }
    }
    let elapsed = start.duration(to: .now).seconds
    for socket in clients { socket.close() }
    _ = await server.value
    return (latencies.count, elapsed, latencies)
}
