// One async ping-pong client's loop, shared by the request/response and echo-pair runs.

import AsyncSockets
import Sockets

/// Sends `size` bytes and waits for all `size` back, again and again until `end`; returns each
/// round trip's latency in nanoseconds.
///
/// - Parameters:
///   - socket: a connected socket whose peer echoes.
///   - size: the message size in bytes (at most 4096).
///   - end: when to stop (the round trip in flight then still completes).
///   - expected: how many latencies to reserve room for.
func asyncPingPong(_ socket: AsyncSocket, size: Int, until end: ContinuousClock.Instant, expected: Int) async throws -> [Int64] {
    let message = [UInt8](repeating: 0x70, count: size)
    var reply = ReceiveBuffer(capacity: 4096)
    var latencies: [Int64] = []
    latencies.reserveCapacity(expected)
    var clock = ContinuousClock.now
    while clock < end {
        try await socket.sendAll(message.span.bytes)
        reply.removeAll()
        while reply.count < size { _ = try await socket.receive(into: &reply) }
        let now = ContinuousClock.now
        latencies.append(Int64(clock.duration(to: now).seconds * 1e9))
        clock = now
    }
    return latencies
}
