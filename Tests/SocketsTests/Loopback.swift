// Helpers for tests: loopback listeners and connected pairs, bounded in time.

import Foundation
import Sockets
import Synchronization

/// Loopback helpers shared by the tests.
enum Loopback {
    /// The IPv4 and IPv6 loopback addresses with port 0, for parameterized tests.
    static let both: [SocketAddress] = [.ipv4(.loopback, port: 0), .ipv6(.loopback, port: 0)]

    /// A listener on `address` (port 0 picks a free port) and its bound address.
    static func listener(_ address: SocketAddress = .ipv4(.loopback, port: 0), backlog: Int = 16)
        throws -> Listening
    {
        let socket = try Socket.listening(on: address, backlog: backlog)
        let bound = try socket.localAddress
        return Listening(socket: socket, address: bound)
    }

    /// A loopback port where nothing listens or receives, for TCP or UDP: connects are
    /// refused and datagrams answered with port unreachable.
    ///
    /// The port stays taken for the rest of the test process: a TCP socket bound to it (not
    /// listening) and a UDP socket bound to it and connected elsewhere (so it takes no one's
    /// datagrams) hold it. A port bound and then closed, as before, could be taken by another
    /// test's server before this test tried it, which would then connect to that server.
    static func closedPort(_ address: SocketAddress = .ipv4(.loopback, port: 0)) throws -> SocketAddress {
        let stream = try Socket(address.family, .stream)
        try stream.bind(to: address)
        let bound = try stream.localAddress
        let datagram = try Socket(address.family, .datagram)
        try datagram.bind(to: bound)  // EADDRINUSE if a UDP socket has it: the test fails, clearly.
        try datagram.connect(to: bound.withPort(9))
        let held = [stream.releaseDescriptor(), datagram.releaseDescriptor()]
        heldPorts.withLock { $0 += held }
        return bound
    }

    /// The descriptors that hold ``closedPort(_:)``'s ports, never closed.
    private static let heldPorts = Mutex<[Int32]>([])

    /// Runs `body` on another thread with the descriptor it is given (adopted as a `Socket`),
    /// and returns a handle to wait for it. The body must bound itself in time and bytes.
    static func onThread(
        adopting descriptor: Int32, _ body: @escaping @Sendable (borrowing Socket) throws -> Void
    ) -> Completion {
        let done = Completion()
        let thread = Thread {
            do {
                let socket = try Socket(adopting: descriptor)
                try body(socket)
                done.finish(nil)
            } catch {
                done.finish(error)
            }
        }
        thread.start()
        return done
    }
}

/// A listening socket and the address it is bound to.
struct Listening: ~Copyable {
    var socket: Socket
    var address: SocketAddress
}

/// Two ends of one TCP connection.
struct Pair: ~Copyable {
    var client: Socket
    var server: Socket
}

/// A one-shot signal that a background job ended, with its error if any.
final class Completion: @unchecked Sendable {
    private let condition = NSCondition()
    private var finished = false
    private var failure: (any Error)?

    func finish(_ error: (any Error)?) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// Waits at most `seconds` for the job; rethrows its error; throws if it did not finish.
    func wait(seconds: Double = 30) throws {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !finished {
            if !condition.wait(until: deadline) { throw TestTimeout() }
        }
        if let failure { throw failure }
    }
}

/// A background job did not finish in time.
struct TestTimeout: Error {}
