// One of `netclient load`'s concurrent clients: takes requests from the shared tickets and runs
// them one after another, on a new connection each (as ab) or over a kept-alive one (as wrk),
// as a task over the async layer.

import AsyncSockets
import Sockets
import Synchronization

/// What every worker of one run shares: where to connect, the request's bytes, how long each
/// step may take, and how many requests are left (or until when to start new ones).
final class LoadPlan: @unchecked Sendable {
    let address: SocketAddress
    let keepAlive: Bool
    /// Whether a connection whose reply ran to the server's close ends with a FIN of its own
    /// rather than a reset.
    let gracefulClose: Bool
    let timeout: Duration
    /// The request, allocated once for the whole run; read-only while it runs.
    let request: UnsafeRawBufferPointer
    private let remaining: Atomic<Int>
    private let deadline: ContinuousClock.Instant?

    /// A plan for `requests` requests, or for as many as start before `deadline`.
    init(address: SocketAddress, request: String, keepAlive: Bool, gracefulClose: Bool, timeout: Duration,
         requests: Int?, deadline: ContinuousClock.Instant?) {
        self.address = address
        self.keepAlive = keepAlive
        self.gracefulClose = gracefulClose
        self.timeout = timeout
        let bytes = Array(request.utf8)
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 16)
        bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
        self.request = UnsafeRawBufferPointer(storage)
        remaining = Atomic(requests ?? Int.max)
        self.deadline = deadline
    }

    deinit { request.deallocate() }

    /// Takes the next request, or says there is none left to start.
    func takeRequest() -> Bool {
        if let deadline, ContinuousClock.now >= deadline { return false }
        return remaining.subtract(1, ordering: .relaxed).newValue >= 0
    }
}

/// A request that failed: the failure to report, how many reply bytes had arrived, and whether
/// it failed before any byte of the reply (the case that a kept-alive connection closed by
/// the server while idle produces, and that is retried once on a new connection).
struct RequestFailure: Error {
    var failure: Failure
    var bytes = 0
    var beforeReply = false
}

/// One client: a receive buffer of its own, and at most one open connection at a time.
struct LoadWorker: ~Copyable {
    let plan: LoadPlan
    let statistics: Locked<LoadStatistics>
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 4096)

    init(plan: LoadPlan, statistics: Locked<LoadStatistics>) {
        self.plan = plan
        self.statistics = statistics
    }

    deinit { buffer.deallocate() }

    /// Runs requests until none is left.
    func run() async {
        var connection: AsyncSocket?
        var servedOnConnection = 0
        while plan.takeRequest() {
            var timing = RequestTiming()
            var retried = false
            while true {
                do throws(RequestFailure) {
                    if connection == nil {
                        connection = try await connect()
                        timing.connected = .now
                        servedOnConnection = 0
                    }
                    let reply = try await exchange(on: connection!, timing: &timing)
                    timing.finished = .now
                    statistics.withLock { $0.complete(status: reply.status, bytes: reply.bytes, timing: timing) }
                    if reply.keepsConnection {
                        servedOnConnection += 1
                    } else {
                        if !plan.gracefulClose { connection!.resetOnClose() }
                        connection = nil  // The last copy: the descriptor closes here.
                    }
                    break
                } catch {
                    let reused = connection != nil && servedOnConnection > 0
                    connection = nil
                    if reused && error.beforeReply && !retried {
                        // The server closed the idle connection as the request went out: an
                        // idempotent GET goes again on a new connection (RFC 9112, 9.3.1).
                        retried = true
                        continue
                    }
                    statistics.withLock { $0.fail(error.failure, bytes: error.bytes) }
                    break
                }
            }
        }
    }

    /// A new connection to the plan's address, with the plan's timeout on every step.
    /// Every attempt counts as a connection opened, whether or not it succeeds.
    private func connect() async throws(RequestFailure) -> AsyncSocket {
        statistics.withLock { $0.connections += 1 }
        do throws(SocketError) {
            return try await AsyncSocket.connected(to: plan.address, timeout: plan.timeout)
        } catch {
            throw RequestFailure(failure: Failure(error, during: .connect))
        }
    }

    /// What one exchange brought back.
    struct Reply {
        var status: Int
        var bytes: Int
        var keepsConnection: Bool
    }

    /// Sends the request and reads the whole reply: the head, then the body up to its
    /// `Content-Length` when the connection stays open, else up to the server's close (so the
    /// server closes first and the client leaves no TIME_WAIT behind).
    private func exchange(on socket: AsyncSocket, timing: inout RequestTiming) async throws(RequestFailure) -> Reply {
        do throws(SocketError) {
            try await socket.sendAll(plan.request)
        } catch {
            throw RequestFailure(failure: Failure(error, during: .send), beforeReply: Self.isClosedByPeer(error))
        }
        var filled = 0
        var headEnd: Int?
        while headEnd == nil {
            guard filled < buffer.count else {
                throw RequestFailure(failure: Failure(.other, "bad reply: no end of the head in the first \(buffer.count) bytes"),
                                     bytes: filled)
            }
            let count = try await receive(on: socket, into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]),
                                          received: filled)
            guard count > 0 else {
                if filled == 0 {
                    throw RequestFailure(failure: Failure(.receiving, "receiving failed: the server closed the connection before replying"),
                                         beforeReply: true)
                }
                throw RequestFailure(failure: Failure(.other, "bad reply: the server closed the connection within the head"), bytes: filled)
            }
            if filled == 0 { timing.firstByte = .now }
            filled += count
            headEnd = HTTPReplyHead.end(in: UnsafeRawBufferPointer(rebasing: buffer[..<filled]), searchedUpTo: filled - count)
        }
        guard let head = HTTPReplyHead(parsing: UnsafeRawBufferPointer(rebasing: buffer[..<headEnd!])) else {
            throw RequestFailure(failure: Failure(.other, "bad reply: not an HTTP/1 status line and headers"), bytes: filled)
        }
        var body = filled - headEnd!
        let keeps = plan.keepAlive && head.keepsConnection
        if keeps, let length = head.contentLength {
            while body < length {
                let count = try await receive(on: socket, into: buffer, received: headEnd! + body)
                guard count > 0 else {
                    throw RequestFailure(failure: Failure(.receiving, "receiving failed: the server closed the connection after \(body) of \(length) body bytes"),
                                         bytes: headEnd! + body)
                }
                body += count
            }
            guard body == length else {
                throw RequestFailure(failure: Failure(.other, "bad reply: \(body - length) bytes past its Content-Length"),
                                     bytes: headEnd! + body)
            }
        } else {
            while true {
                let count = try await receive(on: socket, into: buffer, received: headEnd! + body)
                if count == 0 { break }
                body += count
            }
            if let length = head.contentLength, body < length {
                throw RequestFailure(failure: Failure(.receiving, "receiving failed: the server closed the connection after \(body) of \(length) body bytes"),
                                     bytes: headEnd! + body)
            }
        }
        return Reply(status: head.status, bytes: headEnd! + body, keepsConnection: keeps)
    }

    /// One receive, its error classified; `received` is what the reply had brought so far.
    private func receive(on socket: AsyncSocket, into buffer: UnsafeMutableRawBufferPointer,
                         received: Int) async throws(RequestFailure) -> Int {
        do throws(SocketError) {
            return try await socket.receive(into: buffer)
        } catch {
            throw RequestFailure(failure: Failure(error, during: .receive), bytes: received,
                                 beforeReply: received == 0 && Self.isClosedByPeer(error))
        }
    }

    /// Whether `error` says the peer had closed the connection (reset or broken pipe).
    private static func isClosedByPeer(_ error: SocketError) -> Bool {
        error.kind == .system(.connectionReset) || error.kind == .system(.brokenPipe)
    }
}

extension AsyncSocket {
    /// Makes the close that follows a reset (`SO_LINGER` of zero). Used only once the server has
    /// closed its side and every byte of the reply has arrived, so nothing is lost; it spares
    /// the FIN exchange and the server's TIME_WAIT entry, about a tenth of the CPU time a
    /// connection costs the client on loopback. `--graceful-close` turns it off.
    fileprivate func resetOnClose() {
        _ = try? withSocket { (socket) throws(SocketError) in try socket.setLinger(.zero) }
    }
}
