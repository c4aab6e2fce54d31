// An HTTP server whose service time is known: it answers every request at once, except while it
// freezes (for a set time, once every period, counted from its start), as a server with a
// stop-the-world pause does. The peer against which a load generator shows whether it measures
// a stall (coordinated omission) or hides it.

import Foundation
import Sockets

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1 server on one thread that answers each request at once with `200 OK` and a small
/// body, and freezes (reads and answers nothing; the kernel queues what arrives) for `freeze`
/// at the end of every `period`, counted from its start: with a period of 1 s and a freeze of
/// 200 ms it is dead from 0.8 s to 1 s, from 1.8 s to 2 s, and so on.
///
/// It keeps connections alive (HTTP/1.1, or HTTP/1.0 with `Connection: keep-alive`) and
/// answers pipelined requests in order; requests must have no body. It listens on loopback
/// only (or a ``TestNetwork`` host's address), serves at most `connections` connections at a
/// time, and stops by itself when `lifetime` is over.
///
///     let server = try StallingHTTPServer.start(freezingFor: .milliseconds(200), every: .seconds(1))
///     // ... put load on server.address for 5 s: about 20% of the time nothing is answered ...
///     print(server.requestsAnswered, server.freezes)
public final class StallingHTTPServer: @unchecked Sendable {
    /// The address the server listens on.
    public let address: SocketAddress
    /// How long each freeze lasts.
    public let freeze: Duration
    /// The time from the start of one freeze to the start of the next.
    public let period: Duration

    private let condition = NSCondition()
    private var finished = false
    private var failure: (any Error)?
    private var answered = 0
    private var frozen = 0

    private init(address: SocketAddress, freeze: Duration, period: Duration) {
        self.address = address
        self.freeze = freeze
        self.period = period
    }

    /// Starts a server that freezes for `freeze` at the end of every `period`.
    ///
    /// - Parameters:
    ///   - freeze: how long each freeze lasts; `.zero` for a server that never freezes.
    ///   - period: how often it freezes; longer than `freeze`.
    ///   - bodyBytes: the size of each reply's body.
    ///   - reply: the whole reply to send to every request instead (status line, headers and
    ///     body, such as a chunked one, or one that breaks the framing on purpose).
    ///   - address: where to listen: loopback only; port 0 picks a free port (read it from
    ///     ``address``).
    ///   - connections: the most connections open at once; more wait in the accept queue.
    ///   - lifetime: when to stop, whatever is left.
    /// - Throws: `SocketError` if the listening socket cannot be set up,
    ///   `.system(.addressNotAvailable)` for a non-loopback address, `.system(.invalidArgument)`
    ///   for a freeze not shorter than its period or a negative body size.
    public static func start(
        freezingFor freeze: Duration, every period: Duration, bodyBytes: Int = 64, reply: String? = nil,
        on address: SocketAddress = .ipv4(.loopback, port: 0), connections: Int = 1024,
        lifetime: Duration = .seconds(60)
    ) throws -> StallingHTTPServer {
        guard freeze >= .zero, period > freeze, bodyBytes >= 0, connections >= 1 else {
            throw SocketError(.system(.invalidArgument), operation: "stalling HTTP server", target: address.description,
                              detail: "needs 0 <= freeze < period, bodyBytes >= 0 and connections >= 1")
        }
        try TestServer.requireLoopback(address)
        var listener = try Socket.listening(on: address, backlog: 1024)
        try listener.setTimeout(.nonBlocking)
        let server = StallingHTTPServer(address: try listener.localAddress, freeze: freeze, period: period)
        let descriptor = listener.releaseDescriptor()
        let reply = reply.map { Array($0.utf8) }
            ?? Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(bodyBytes)\r\n\r\n".utf8)
            + [UInt8](repeating: UInt8(ascii: "x"), count: bodyBytes)
        let loop = ServingLoop(listener: descriptor, reply: reply, maximum: connections, server: server,
                               deadline: .now + lifetime)
        Thread.detachNewThread {
            let outcome = Result { try loop.run() }
            server.condition.lock()
            if case .failure(let error) = outcome { server.failure = error }
            server.finished = true
            server.condition.broadcast()
            server.condition.unlock()
        }
        return server
    }

    /// How many requests the server has answered so far.
    public var requestsAnswered: Int { locked { answered } }

    /// How many freezes have begun so far.
    public var freezes: Int { locked { frozen } }

    /// Waits until the server has stopped (at most its lifetime and a little more); rethrows
    /// what stopped it, if anything failed.
    ///
    /// - Parameter timeout: the most to wait.
    /// - Throws: what stopped the server, or `.timeout` if it is still running after `timeout`.
    public func wait(timeout: Duration = .seconds(90)) throws {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout.seconds)
        while !finished {
            if !condition.wait(until: deadline) {
                throw SocketError(.timeout, operation: "stalling HTTP server", target: address.description,
                                  detail: "the server did not stop in time")
            }
        }
        if let failure { throw failure }
    }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    fileprivate func note(answered count: Int) { locked { answered += count } }
    fileprivate func noteFreeze() { locked { frozen += 1 } }
}

/// The server's thread: `poll` over the listener and the connections, a reply for every
/// request head, nothing at all while frozen.
private final class ServingLoop: @unchecked Sendable {
    /// One open connection: how far into a request head's `\r\n\r\n` it is, whether the
    /// request being read keeps the connection, and the reply bytes not yet sent.
    struct Connection {
        var descriptor: Int32
        var terminator = 0
        var head: [UInt8] = []
        var pending: [UInt8] = []
        var closeAfterReply = false
    }

    let listener: Int32
    let reply: [UInt8]
    let maximum: Int
    unowned let server: StallingHTTPServer
    let deadline: ContinuousClock.Instant
    var connections: [Connection] = []
    let started = ContinuousClock.now

    init(listener: Int32, reply: [UInt8], maximum: Int, server: StallingHTTPServer, deadline: ContinuousClock.Instant) {
        self.listener = listener
        self.reply = reply
        self.maximum = maximum
        self.server = server
        self.deadline = deadline
    }

    func run() throws {
        defer {
            for connection in connections { close(connection.descriptor) }
            close(listener)
        }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var lastFrozenCycle = -1
        while ContinuousClock.now < deadline {
            let (cycle, frozenUntil, nextFreeze) = phase(at: .now)
            if let frozenUntil {
                if cycle != lastFrozenCycle {
                    lastFrozenCycle = cycle
                    server.noteFreeze()
                }
                sleep(until: min(frozenUntil, deadline))
                continue
            }
            var descriptors = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            for connection in connections {
                let events = connection.pending.isEmpty ? POLLIN : POLLIN | POLLOUT
                descriptors.append(pollfd(fd: connection.descriptor, events: Int16(events), revents: 0))
            }
            let wait = min(nextFreeze, deadline) - .now
            let milliseconds = Int32(max(1, min(wait.seconds * 1000, 1000)).rounded(.up))
            let ready = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                throw SocketError(.system(Errno(rawValue: errno)), operation: "poll", target: server.address.description)
            }
            guard ready > 0 else { continue }
            // Connections first (their indices match descriptors[1...]), then new ones.
            var closed: [Int] = []
            for index in connections.indices.reversed() {
                let events = descriptors[index + 1].revents
                guard events != 0 else { continue }
                if !serve(&connections[index], events: events, buffer: &buffer) { closed.append(index) }
            }
            for index in closed {  // Highest first: the lower indices stay valid.
                close(connections[index].descriptor)
                connections.remove(at: index)
            }
            if descriptors[0].revents & Int16(POLLIN) != 0 { acceptAll() }
        }
    }

    /// Which cycle `instant` falls in, when the freeze it is in ends (nil when not frozen),
    /// and when the next freeze starts.
    func phase(at instant: ContinuousClock.Instant) -> (cycle: Int, frozenUntil: ContinuousClock.Instant?, nextFreeze: ContinuousClock.Instant) {
        let period = server.period.nanoseconds
        let elapsed = started.duration(to: instant).nanoseconds
        let cycle = Int(elapsed / period)
        let cycleStart = started + .nanoseconds(Int64(cycle) * period)
        let freezeStart = cycleStart + server.period - server.freeze
        let cycleEnd = cycleStart + server.period
        if server.freeze > .zero && instant >= freezeStart { return (cycle, cycleEnd, cycleEnd + server.period - server.freeze) }
        return (cycle, nil, server.freeze > .zero ? freezeStart : deadline)
    }

    func acceptAll() {
        while connections.count < maximum {
            let descriptor = accept(listener, nil, nil)
            guard descriptor >= 0 else { return }  // EAGAIN: none left; anything else: try again later.
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            var one: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            connections.append(Connection(descriptor: descriptor))
        }
    }

    /// Reads what arrived, answers each whole request head, sends what is pending. False when
    /// the connection is over (closed by the peer, an error, or a reply that closes it sent).
    func serve(_ connection: inout Connection, events: Int16, buffer: inout [UInt8]) -> Bool {
        if events & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
            let count = buffer.withUnsafeMutableBytes { recv(connection.descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { return false }
            if count < 0 { return errno == EAGAIN || errno == EINTR }
            var heads = 0
            for byte in buffer[..<count] where !connection.closeAfterReply {
                if connection.head.count < 8 * 1024 { connection.head.append(byte) }
                let expected: UInt8 = connection.terminator % 2 == 0 ? 13 : 10  // \r \n \r \n
                connection.terminator = byte == expected ? connection.terminator + 1 : (byte == 13 ? 1 : 0)
                if connection.terminator == 4 {
                    heads += 1
                    connection.pending += reply
                    connection.closeAfterReply = !Self.keepsAlive(connection.head)
                    connection.terminator = 0
                    connection.head.removeAll(keepingCapacity: true)
                }
            }
            if heads > 0 { server.note(answered: heads) }
        }
        if !connection.pending.isEmpty {
            let sent = connection.pending.withUnsafeBytes { send(connection.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 { return errno == EAGAIN || errno == EINTR }
            connection.pending.removeFirst(sent)
        }
        return !(connection.closeAfterReply && connection.pending.isEmpty)
    }

    /// Whether a request head keeps its connection: HTTP/1.1 unless `Connection: close`,
    /// HTTP/1.0 only with `Connection: keep-alive`.
    static func keepsAlive(_ head: [UInt8]) -> Bool {
        let text = String(decoding: head, as: UTF8.self).lowercased()
        if text.contains("connection: close") { return false }
        guard let line = text.split(separator: "\r\n").first, line.hasSuffix("http/1.0") else { return true }
        return text.contains("connection: keep-alive")
    }

    func sleep(until instant: ContinuousClock.Instant) {
        let left = ContinuousClock.now.duration(to: instant)
        guard left > .zero else { return }
        Thread.sleep(forTimeInterval: left.seconds)
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
