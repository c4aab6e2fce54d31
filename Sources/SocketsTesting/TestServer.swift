import Foundation
import Sockets

/// A loopback server for tests that starts in one line and stops by itself.
///
/// Each runs on its own thread, serves a bounded number of connections, and gives up when its
/// `lifetime` is over: every wait it makes is bounded by what is left of it. It listens only on
/// a loopback address, or on a ``TestNetwork`` host's address (198.18.0.0/15 or fd00::/8, made
/// inside ``TestNetwork/within(_:_:)``); any other address is refused.
///
///     let server = try TestServer.source(bytes: 1 << 20)
///     let socket = try Socket.connected(to: server.address)
///     // ... read 1 MiB of TestPattern bytes, then end of stream ...
///     try server.wait()
public final class TestServer: @unchecked Sendable {
    /// The address the server listens on.
    public let address: SocketAddress

    private let condition = NSCondition()
    private var finished = false
    private var failure: (any Error)?
    private var accepted = 0

    /// What the server does with each connection it accepts; throwing ends the server.
    typealias Handler = @Sendable (inout Socket, _ deadline: ContinuousClock.Instant) throws -> Void

    private init(address: SocketAddress) { self.address = address }

    /// How many connections the server has accepted so far.
    public var connectionsAccepted: Int {
        condition.lock()
        defer { condition.unlock() }
        return accepted
    }

    /// Waits until the server has stopped (at most its lifetime and a little more); rethrows
    /// what stopped it, if anything failed.
    ///
    /// - Parameter timeout: the most to wait.
    /// - Throws: what stopped the server (a `SocketError` from its socket calls), or `.timeout` if it
    ///   is still running after `timeout`.
    public func wait(timeout: Duration = .seconds(60)) throws {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout.seconds)
        while !finished {
            if !condition.wait(until: deadline) {
                throw SocketError(.timeout, operation: "test server", target: address.description,
                                  detail: "the server did not stop in time")
            }
        }
        if let failure { throw failure }
    }

    // MARK: - Kinds

    /// Sends `bytes` bytes of ``TestPattern`` (for `seed`) to each connection, then closes it.
    ///
    /// - Parameters:
    ///   - bytes: how many bytes each connection gets.
    ///   - seed: which ``TestPattern`` stream.
    ///   - address: where to listen: loopback only; port 0 picks a free port (read it from
    ///     ``address``).
    ///   - connections: how many connections to serve before stopping.
    ///   - lifetime: when to stop, whatever is left.
    /// - Throws: `SocketError` if the listening socket cannot be set up, or
    ///   `.system(.addressNotAvailable)` for a non-loopback address.
    public static func source(
        bytes: Int, seed: UInt8 = 0, on address: SocketAddress = .ipv4(.loopback, port: 0),
        connections: Int = 1, lifetime: Duration = .seconds(30)
    ) throws -> TestServer {
        try start(on: address, connections: connections, lifetime: lifetime) { socket, deadline in
            try sendPattern(&socket, bytes: bytes, seed: seed, deadline: deadline)
        }
    }

    /// Reads and discards everything each connection sends until it closes (at most `limit`),
    /// reporting each connection's byte count and whether it matched ``TestPattern`` (for `seed`).
    ///
    /// - Parameters:
    ///   - limit: the most bytes read per connection.
    ///   - seed: which ``TestPattern`` stream.
    ///   - address: where to listen: loopback only; port 0 picks a free port (read it from
    ///     ``address``).
    ///   - connections: how many connections to serve before stopping.
    ///   - lifetime: when to stop, whatever is left.
    ///   - received: called with each connection's byte count and whether every byte matched.
    /// - Throws: `SocketError` if the listening socket cannot be set up, or
    ///   `.system(.addressNotAvailable)` for a non-loopback address.
    public static func sink(
        limit: Int = 1 << 34, seed: UInt8 = 0, on address: SocketAddress = .ipv4(.loopback, port: 0),
        connections: Int = 1, lifetime: Duration = .seconds(30),
        received: (@Sendable (_ count: Int, _ matchesPattern: Bool) -> Void)? = nil
    ) throws -> TestServer {
        try start(on: address, connections: connections, lifetime: lifetime) { socket, deadline in
            var buffer = ReceiveBuffer(capacity: 64 * 1024)
            try limitTime(&socket, deadline)
            var offset = 0
            var intact = true
            _ = try socket.receiveAll(using: &buffer, limit: limit) { chunk in
                if received != nil {
                    chunk.withUnsafeBytes { intact = intact && TestPattern.matches($0, at: offset, seed: seed) }
                }
                offset += chunk.byteCount
            }
            received?(offset, intact)
        }
    }

    /// Sends back whatever each connection sends, until it closes (at most `limit` bytes).
    ///
    /// - Parameters:
    ///   - limit: the most bytes echoed per connection.
    ///   - address: where to listen: loopback only; port 0 picks a free port (read it from
    ///     ``address``).
    ///   - connections: how many connections to serve before stopping.
    ///   - lifetime: when to stop, whatever is left.
    /// - Throws: `SocketError` if the listening socket cannot be set up, or
    ///   `.system(.addressNotAvailable)` for a non-loopback address.
    public static func echo(
        limit: Int = 1 << 30, on address: SocketAddress = .ipv4(.loopback, port: 0),
        connections: Int = 1, lifetime: Duration = .seconds(30)
    ) throws -> TestServer {
        try start(on: address, connections: connections, lifetime: lifetime) { socket, deadline in
            var buffer = ReceiveBuffer(capacity: 64 * 1024)
            try limitTime(&socket, deadline)
            _ = try socket.receiveAll(using: &buffer, limit: limit) { chunk in try socket.sendAll(chunk) }
        }
    }

    /// Accepts and never answers: holds each connection until the client closes it or the
    /// lifetime ends. For receive and request timeouts.
    ///
    /// - Parameters:
    ///   - address: where to listen: loopback only; port 0 picks a free port (read it from
    ///     ``address``).
    ///   - connections: how many connections to serve before stopping.
    ///   - lifetime: when to stop, whatever is left.
    /// - Throws: `SocketError` if the listening socket cannot be set up, or
    ///   `.system(.addressNotAvailable)` for a non-loopback address.
    public static func silent(
        on address: SocketAddress = .ipv4(.loopback, port: 0), connections: Int = 1,
        lifetime: Duration = .seconds(30)
    ) throws -> TestServer {
        try start(on: address, connections: connections, lifetime: lifetime) { socket, deadline in
            var buffer = ReceiveBuffer(capacity: 4096)
            try limitTime(&socket, deadline)
            _ = try? socket.receiveAll(using: &buffer) { _ in }
        }
    }

    /// Accepts, waits for the client's first bytes (up to `waitForRequest`), sends `bytes` of
    /// ``TestPattern``, then resets the connection (`SO_LINGER` 0 and close): the client sees
    /// `ECONNRESET` after those bytes.
    ///
    /// - Parameters:
    ///   - bytes: how many bytes to send before the reset.
    ///   - waitForRequest: whether to wait for the client's first bytes first.
    ///   - address: where to listen: loopback only; port 0 picks a free port (read it from
    ///     ``address``).
    ///   - connections: how many connections to serve before stopping.
    ///   - lifetime: when to stop, whatever is left.
    /// - Throws: `SocketError` if the listening socket cannot be set up, or
    ///   `.system(.addressNotAvailable)` for a non-loopback address.
    public static func reset(
        after bytes: Int, waitForRequest: Bool = true, on address: SocketAddress = .ipv4(.loopback, port: 0),
        connections: Int = 1, lifetime: Duration = .seconds(30)
    ) throws -> TestServer {
        try start(on: address, connections: connections, lifetime: lifetime) { socket, deadline in
            if waitForRequest {
                try limitTime(&socket, deadline)
                _ = try socket.receive(maxCount: 65536)
            }
            try sendPattern(&socket, bytes: bytes, seed: 0, deadline: deadline)
            // Let the bytes reach the client's receive queue before the reset discards the send queue.
            waitUntilAcknowledged(socket, deadline: min(deadline, ContinuousClock.now + .seconds(10)))
            if !waitForRequest {
                // A client that sent nothing may still be inside its connect call (a connect with
                // a timeout reads SO_ERROR last): a reset now would fail the connect itself.
                sleepThread(.milliseconds(50))
            }
            try socket.setLinger(.zero)
        }
    }

    /// Waits until the peer has acknowledged every byte `socket` sent (the kernel's send queue,
    /// `SIOCOUTQ`, is empty), or until `deadline`: a peer whose receive buffer is full acknowledges
    /// nothing more until it reads.
    private static func waitUntilAcknowledged(_ socket: borrowing Socket, deadline: ContinuousClock.Instant) {
        #if os(Linux)
        var queued: CInt = 0
        while ioctl(socket.descriptor, UInt(TIOCOUTQ), &queued) == 0, queued > 0, ContinuousClock.now < deadline {
            sleepThread(.milliseconds(1))
        }
        #else
        sleepThread(.milliseconds(50))
        #endif
    }

    /// Sends `bytes` of ``TestPattern``, shuts down its sending side, and then reads what the
    /// client still sends until it closes; the bytes read are counted in `received`.
    ///
    /// - Parameters:
    ///   - bytes: how many bytes to send before shutting down.
    ///   - address: where to listen: loopback only; port 0 picks a free port (read it from
    ///     ``address``).
    ///   - lifetime: when to stop, whatever is left.
    ///   - received: called with the count of bytes read after the shutdown.
    /// - Throws: `SocketError` if the listening socket cannot be set up, or
    ///   `.system(.addressNotAvailable)` for a non-loopback address.
    public static func halfClose(
        bytes: Int, on address: SocketAddress = .ipv4(.loopback, port: 0),
        lifetime: Duration = .seconds(30), received: (@Sendable (Int) -> Void)? = nil
    ) throws -> TestServer {
        try start(on: address, connections: 1, lifetime: lifetime) { socket, deadline in
            try sendPattern(&socket, bytes: bytes, seed: 0, deadline: deadline)
            try socket.shutdown(.write)
            var buffer = ReceiveBuffer(capacity: 64 * 1024)
            try limitTime(&socket, deadline)
            let count = try socket.receiveAll(using: &buffer) { _ in }
            received?(count)
        }
    }

    /// Answers the HTTP request on each connection with `reply` (a whole HTTP/1.0 response) and
    /// closes the connection; after `connections` connections it stops listening, so later
    /// connects are refused: a web server that goes away midway. A connection that fails is
    /// skipped (it still counts).
    ///
    /// - Parameters:
    ///   - reply: the response's bytes: status line, headers, blank line and body.
    ///   - connections: how many connections to answer before the listener closes.
    ///   - address: where to listen: loopback only; port 0 picks a free port (read it from
    ///     ``address``).
    ///   - lifetime: when to stop, whatever is left.
    /// - Throws: `SocketError` if the listening socket cannot be set up, or
    ///   `.system(.addressNotAvailable)` for a non-loopback address.
    public static func http(
        reply: String = "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello", connections: Int,
        on address: SocketAddress = .ipv4(.loopback, port: 0), lifetime: Duration = .seconds(30)
    ) throws -> TestServer {
        let bytes = Array(reply.utf8)
        return try start(on: address, connections: connections, lifetime: lifetime) { socket, deadline in
            try limitTime(&socket, deadline)
            var request: [UInt8] = []
            var buffer = ReceiveBuffer(capacity: 8192)
            // Read the whole request head first: unread bytes would turn the close into a reset.
            while !request.suffix(4).elementsEqual([13, 10, 13, 10]) && request.count < 65536 {
                buffer.removeAll()
                guard let count = try? socket.receive(into: &buffer), count > 0 else { return }
                buffer.withBytes { span in span.withUnsafeBytes { request += $0 } }
            }
            try? socket.sendAll(bytes)
        }
    }

    /// Sends `bytes` of ``TestPattern`` one byte at a time, pausing `every` between bytes, then
    /// closes. For slow peers and progress.
    ///
    /// - Parameters:
    ///   - bytes: how many bytes to send.
    ///   - pause: the pause between bytes.
    ///   - address: where to listen: loopback only; port 0 picks a free port (read it from
    ///     ``address``).
    ///   - lifetime: when to stop, whatever is left.
    /// - Throws: `SocketError` if the listening socket cannot be set up, or
    ///   `.system(.addressNotAvailable)` for a non-loopback address.
    public static func drip(
        bytes: Int, every pause: Duration = .milliseconds(5),
        on address: SocketAddress = .ipv4(.loopback, port: 0), lifetime: Duration = .seconds(30)
    ) throws -> TestServer {
        try start(on: address, connections: 1, lifetime: lifetime) { socket, deadline in
            try limitTime(&socket, deadline)
            for offset in 0..<bytes where ContinuousClock.now < deadline {
                try socket.sendAll([TestPattern.byte(at: offset)])
                sleepThread(pause)
            }
        }
    }

    /// Answers each datagram with the same bytes, to its sender, until `datagrams` have been
    /// echoed or the lifetime ends.
    ///
    /// - Parameters:
    ///   - datagrams: how many datagrams to echo before stopping.
    ///   - address: where to listen: loopback only; port 0 picks a free port (read it from
    ///     ``address``).
    ///   - lifetime: when to stop, whatever is left.
    /// - Throws: `SocketError` if the listening socket cannot be set up, or
    ///   `.system(.addressNotAvailable)` for a non-loopback address.
    public static func udpEcho(
        datagrams: Int = 1000, on address: SocketAddress = .ipv4(.loopback, port: 0),
        lifetime: Duration = .seconds(30)
    ) throws -> TestServer {
        try requireLoopback(address)
        let socket = try Socket(address.family, .datagram)
        try socket.bind(to: address)
        let server = TestServer(address: try socket.localAddress)
        let descriptor = socket.releaseDescriptor()
        let deadline = ContinuousClock.now.advanced(by: lifetime)
        server.run {
            var socket = try Socket(adopting: descriptor)
            var buffer = [UInt8](repeating: 0, count: 65536)
            for _ in 0..<datagrams {
                let left = ContinuousClock.now.duration(to: deadline)
                guard left > .zero else { return }
                try socket.setTimeout(.after(left))
                let (count, sender) = try buffer.withUnsafeMutableBytes { try socket.receiveFrom(into: $0) }
                guard let sender else { continue }
                server.noteAccepted()
                _ = try buffer.withUnsafeBytes {
                    try socket.send(UnsafeRawBufferPointer(rebasing: $0[..<count]), to: sender)
                }
            }
        }
        return server
    }

    // MARK: - Machinery

    private static func start(
        on address: SocketAddress, connections: Int, lifetime: Duration, _ handler: @escaping Handler
    ) throws -> TestServer {
        try requireLoopback(address)
        let listener = try Socket.listening(on: address, backlog: max(connections, 1))
        let server = TestServer(address: try listener.localAddress)
        let descriptor = listener.releaseDescriptor()
        let deadline = ContinuousClock.now.advanced(by: lifetime)
        server.run {
            try serve(descriptor, connections: connections, deadline: deadline, server: server, handler)
        }
        return server
    }

    private static func serve(
        _ descriptor: Int32, connections: Int, deadline: ContinuousClock.Instant, server: TestServer,
        _ handler: Handler
    ) throws {
        var listener = try Socket(adopting: descriptor)
        for _ in 0..<connections {
            guard var connection = try accept(&listener, until: deadline) else { return }
            server.noteAccepted()
            try handler(&connection, deadline)
        }
    }

    /// The next connection, or `nil` once `deadline` passes. A shortage that passes (no
    /// descriptor or memory left for the new socket, or a connection that ended while it
    /// waited in the queue) is waited out, as a real server would: a neighbour that holds
    /// thousands of descriptors for a moment must not close this listener, which would turn
    /// every later connect into `ECONNREFUSED`.
    private static func accept(_ listener: inout Socket, until deadline: ContinuousClock.Instant) throws -> Socket? {
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { return nil }
            try listener.setTimeout(.after(left))
            do throws(SocketError) {
                return try listener.accept()
            } catch {
                if error.kind == .timeout { return nil }
                guard let errno = error.kind.errno, passingShortages.contains(errno) else { throw error }
                sleepThread(min(.milliseconds(10), left))
            }
        }
    }

    /// The errors of `accept` that say "not now" rather than "never": out of descriptors
    /// (`EMFILE`, `ENFILE`), out of memory (`ENOMEM`, `ENOBUFS`), and a queued connection
    /// that its client ended first (`ECONNABORTED`, `EPROTO`).
    private static let passingShortages: Set<Errno> = [
        .tooManyOpenFiles, Errno(rawValue: ENFILE), .noMemory, .noBufferSpace, .connectionAborted,
        Errno(rawValue: EPROTO),
    ]

    private func run(_ body: @escaping @Sendable () throws -> Void) {
        Thread.detachNewThread { [self] in
            var error: (any Error)?
            do { try body() } catch let caught { error = caught }
            condition.lock()
            finished = true
            failure = error
            condition.broadcast()
            condition.unlock()
        }
    }

    private func noteAccepted() {
        condition.lock()
        accepted += 1
        condition.unlock()
    }

    static func requireLoopback(_ address: SocketAddress) throws {
        guard address.isLoopback || address.isTestNetwork else {
            throw SocketError(.system(.addressNotAvailable), operation: "test server", target: address.description,
                              detail: "test servers listen on loopback or a TestNetwork address (198.18.0.0/15, fd00::/8) only")
        }
    }
}

/// Sets the socket's timeout to what is left until `deadline` (throws once it has passed).
func limitTime(_ socket: inout Socket, _ deadline: ContinuousClock.Instant) throws {
    let left = ContinuousClock.now.duration(to: deadline)
    guard left > .zero else {
        throw SocketError(.timeout, operation: "test server", detail: "lifetime over")
    }
    try socket.setTimeout(.after(left))
}

/// Sends `bytes` of the pattern in 64 KiB chunks within the deadline.
func sendPattern(_ socket: inout Socket, bytes: Int, seed: UInt8, deadline: ContinuousClock.Instant) throws {
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 64)
    defer { chunk.deallocate() }
    var offset = 0
    while offset < bytes {
        let size = min(chunk.count, bytes - offset)
        let part = UnsafeMutableRawBufferPointer(rebasing: chunk[..<size])
        TestPattern.fill(part, from: offset, seed: seed)
        try limitTime(&socket, deadline)
        try socket.sendAll(UnsafeRawBufferPointer(part))
        offset += size
    }
}

extension SocketAddress {
    /// Whether the address is in the test ranges a ``TestNetwork`` uses: 198.18.0.0/15 (the
    /// benchmarking range) or fd00::/8 (unique local).
    var isTestNetwork: Bool {
        switch self {
        case .ipv4(let address, _): address.rawValue >> 17 == (198 << 7 | 18 >> 1)
        case .ipv6(let address, _, _, _): address.high >> 56 == 0xfd
        case .unix: false
        }
    }
}
