// A DNS server for the test network: the client namespace's resolv.conf points at it, in the
// server namespace, and it answers A queries for any name, answers them late, or never answers.

import Foundation
import Sockets

/// A name server on the test network's server host (UDP port 53), named by the client
/// namespace's `resolv.conf` (`/etc/netns/NAME/resolv.conf`, which `ip netns exec` mounts over
/// `/etc/resolv.conf`), so that a program run there with `ip netns exec` resolves through it.
///
///     let network = try TestNetwork()
///     let dns = try TestNameServer(on: network, behaviour: .silent)   // a lookup there stalls
///
/// Every A query gets the server host's IPv4 address (198.18.0.2), whatever the name; other
/// queries (AAAA) get an empty answer. It stops, and the `resolv.conf` goes, at ``stop()``, at
/// the end of its lifetime, or when the network closes.
public final class TestNameServer: @unchecked Sendable {
    /// How the server treats queries.
    public enum Behaviour: Sendable, Equatable {
        /// Answers at once.
        case answer
        /// Answers each query after `delay`.
        case slow(Duration)
        /// Reads queries and never answers: a lookup waits for the resolver's own timeout.
        case silent
    }

    /// How many queries have arrived so far.
    public var queries: Int { lock.withLock { received } }

    private let lock = NSLock()
    private var received = 0
    private var stopped = false
    private let descriptor: Int32
    private let configuration: URL

    /// Starts the server in `network`'s server namespace and points the client namespace's
    /// resolver at it (`options timeout:` `resolverTimeout` `attempts:1`).
    ///
    /// - Parameters:
    ///   - network: the test network.
    ///   - behaviour: answer, answer late, or stay silent.
    ///   - resolverTimeout: how long the client's resolver waits for an answer, in seconds.
    ///   - lifetime: when to stop, whatever is left.
    /// - Throws: ``TestNetworkError`` or `SocketError` when it cannot start.
    public init(on network: TestNetwork, behaviour: Behaviour, resolverTimeout: Int = 3,
                lifetime: Duration = .seconds(60)) throws {
        let socket = try network.within(.server) { () throws -> Socket in
            let socket = try Socket(.ipv4, .datagram)
            try socket.bind(to: network.address(.server, .ipv4, port: 53))
            return socket
        }
        descriptor = socket.releaseDescriptor()
        let folder = URL(fileURLWithPath: "/etc/netns/\(network.clientNamespace)")
        configuration = folder.appendingPathComponent("resolv.conf")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try "nameserver 198.18.0.2\noptions timeout:\(resolverTimeout) attempts:1\n"
                .write(to: configuration, atomically: true, encoding: .utf8)
        } catch {
            _ = try? Socket(adopting: descriptor).close()
            throw TestNetworkError("cannot write \(configuration.path): \(error)")
        }
        network.onClose { [weak self] in self?.stop() }
        let deadline = ContinuousClock.now + lifetime
        Thread.detachNewThread { [self] in serve(behaviour, until: deadline) }
    }

    deinit { stop() }

    /// Stops answering, closes the server's socket (so a new server can take port 53) and
    /// removes the client namespace's `resolv.conf`.
    public func stop() {
        markStopped()
        guard !isOnServingThread else { return }
        _ = finished.wait(timeout: .now() + 2)
        finished.signal()  // For any other caller.
    }

    /// Whether the caller is the thread that serves (identified by its pthread, not its
    /// `Thread` object: that holds the closure that holds `self`, and keeping it here would
    /// make a cycle that outlives the server).
    private var isOnServingThread: Bool {
        lock.withLock { serving.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }
    private var serving: pthread_t?
    /// The signal that the serving thread has closed its socket.
    private let finished = DispatchSemaphore(value: 0)

    /// Marks the server stopped and removes the `resolv.conf` (once).
    private func markStopped() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        try? FileManager.default.removeItem(at: configuration.deletingLastPathComponent())
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    /// Reads queries until stopped or `deadline`, answering as `behaviour` says.
    private func serve(_ behaviour: Behaviour, until deadline: ContinuousClock.Instant) {
        lock.withLock { serving = pthread_self() }
        if var socket = try? Socket(adopting: descriptor) {
            loop(&socket, behaviour, until: deadline)
        }  // The socket closes here.
        markStopped()
        finished.signal()
    }

    private func loop(_ socket: inout Socket, _ behaviour: Behaviour, until deadline: ContinuousClock.Instant) {
        while !isStopped, ContinuousClock.now < deadline {
            // Short waits, so that a stop is seen within 100 ms.
            try? socket.setTimeout(.after(.milliseconds(100)))
            guard let (query, sender) = try? socket.receiveFrom(maxCount: 512), let sender else { continue }
            lock.withLock { received += 1 }
            switch behaviour {
            case .silent:
                continue
            case .slow(let delay):
                Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
            case .answer:
                break
            }
            if let reply = Self.reply(to: query) { _ = try? socket.send(reply, to: sender) }
        }
    }

    /// The answer to a DNS `query`: the question echoed, and for an A question one record of
    /// 198.18.0.2; `nil` for a message that is not a query with one question.
    static func reply(to query: [UInt8]) -> [UInt8]? {
        guard query.count >= 12, query[2] & 0x80 == 0, query[4] == 0, query[5] == 1 else { return nil }
        var index = 12
        while index < query.count, query[index] != 0 {  // The name's labels.
            index += Int(query[index]) + 1
        }
        let questionEnd = index + 5  // The name's last 0, then type and class.
        guard questionEnd <= query.count else { return nil }
        let type = UInt16(query[index + 1]) << 8 | UInt16(query[index + 2])
        let isA = type == 1
        var reply = Array(query[0..<2])  // The id.
        reply += [0x81, 0x80]  // A response, recursion desired and available, no error.
        reply += [0, 1, 0, isA ? 1 : 0, 0, 0, 0, 0]
        reply += query[12..<questionEnd]
        if isA {
            reply += [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 18, 0, 2]  // Name at 12, A, IN, TTL 60.
        }
        return reply
    }
}
