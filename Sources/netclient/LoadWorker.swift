// One of `netclient load`'s concurrent clients: runs requests one after another, on a new
// connection each (as ab) or over a kept-alive one (as wrk), up to `--pipeline` in flight on
// it, as a task over the async layer: the next as soon as the last is done (the closed loop), or
// each when the timetable says it is due (the open loop, `-R`). Replies are framed by their
// length, their chunks or the server's close; bytes past one reply are the next one's.

import AsyncSockets
import Sockets

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
    /// This worker's place among the run's `workers`: in the open loop it sends requests
    /// `index`, `index + workers`, `index + 2 * workers`, ... of the timetable.
    let index: Int
    let workers: Int
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 4096)
    /// Bytes received and not yet read as a reply: `buffer[unread]` (the next pipelined reply's).
    private var unread = 0..<0
    private var connection: AsyncSocket?
    private var servedOnConnection = 0
    /// The requests of the batch in flight, in order.
    private var batch: [RequestTiming] = []

    init(plan: LoadPlan, statistics: Locked<LoadStatistics>, index: Int = 0, workers: Int = 1) {
        self.plan = plan
        self.statistics = statistics
        self.index = index
        self.workers = workers
        batch.reserveCapacity(plan.pipeline)
    }

    deinit { buffer.deallocate() }

    /// Runs requests until none is left.
    mutating func run() async {
        guard let schedule = plan.schedule else {
            while true {
                batch.removeAll(keepingCapacity: true)
                while batch.count < plan.pipeline && plan.takeRequest() { batch.append(RequestTiming()) }
                guard !batch.isEmpty else { return }
                await performBatch()
            }
        }
        var ticket = index
        while ticket < schedule.total {
            if let deadline = plan.deadline, ContinuousClock.now >= deadline {
                let left = (schedule.total - ticket + workers - 1) / workers
                statistics.withLock { $0.unsent += left }
                return
            }
            let due = schedule.due(ticket)
            if ContinuousClock.now < due { try? await Task.sleep(until: due, clock: .continuous) }
            batch.removeAll(keepingCapacity: true)
            batch.append(RequestTiming(due: due))
            await performBatch()
            ticket += workers
        }
    }

    /// Runs the batch's requests (on the open connection, else on a new one), sent back to back
    /// and answered in order, and notes each one's outcome. Requests a closing server left
    /// unanswered go again on a new connection, as does a batch whose kept-alive connection the
    /// server had closed while idle (once), when the method is idempotent.
    private mutating func performBatch() async {
        var answered = 0
        var retried = false
        while answered < batch.count {
            do throws(RequestFailure) {
                if connection == nil {
                    connection = try await connect()
                    unread = 0..<0
                    servedOnConnection = 0
                    let now = ContinuousClock.now
                    for index in answered..<batch.count { batch[index].connected = now }
                }
                let socket = connection!
                try await send(plan.batch(batch.count - answered), on: socket)
                var answeredHere = 0
                while answered < batch.count {
                    let reply = try await readReply(on: socket)
                    batch[answered].firstByte = reply.firstByte
                    batch[answered].finished = .now
                    statistics.withLock { [timing = batch[answered]] in
                        $0.complete(status: reply.status, bytes: reply.bytes, timing: timing)
                    }
                    answered += 1
                    answeredHere += 1
                    servedOnConnection += 1
                    if !reply.keepsConnection {
                        if !plan.gracefulClose { socket.resetOnClose() }
                        connection = nil  // The last copy: the descriptor closes here.
                        break
                    }
                }
                if answered < batch.count && !(plan.idempotent && answeredHere > 0) {
                    let left = batch.count - answered
                    throw RequestFailure(failure: Failure(.badReply, "bad reply: the server closed the connection with \(left) pipelined requests unanswered"))
                }
            } catch {
                let reused = connection != nil && servedOnConnection > 0
                connection = nil
                unread = 0..<0
                if reused && error.beforeReply && !retried && plan.idempotent {
                    // The server closed the idle connection as the requests went out: they go
                    // again on a new connection (RFC 9112, 9.3.1).
                    retried = true
                    continue
                }
                let failed = batch.count - answered
                statistics.withLock {
                    $0.fail(error.failure, bytes: error.bytes)
                    for _ in 1..<max(failed, 1) { $0.fail(error.failure, bytes: 0) }
                }
                return
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

    private func send(_ bytes: UnsafeRawBufferPointer, on socket: AsyncSocket) async throws(RequestFailure) {
        do throws(SocketError) {
            try await socket.sendAll(bytes)
        } catch {
            throw RequestFailure(failure: Failure(error, during: .send), beforeReply: Self.isClosedByPeer(error))
        }
    }

    /// What one exchange brought back.
    struct Reply {
        var status: Int
        var bytes: Int
        var keepsConnection: Bool
        /// When its first byte was there to read.
        var firstByte: ContinuousClock.Instant?
    }

    /// Reads the next reply: its head, then its body as its framing says (for a reply that
    /// does not keep the connection, up to the server's close, so that the server closes
    /// first and the client leaves no TIME_WAIT behind).
    private mutating func readReply(on socket: AsyncSocket) async throws(RequestFailure) -> Reply {
        var firstByte: ContinuousClock.Instant? = unread.isEmpty ? nil : .now
        if unread.isEmpty { unread = 0..<0 }
        var searched = 0
        var headEnd: Int?
        while true {
            headEnd = HTTPReplyHead.end(in: window, searchedUpTo: searched)
            if headEnd != nil { break }
            searched = unread.count
            if unread.upperBound == buffer.count {
                guard unread.lowerBound > 0 else {
                    throw RequestFailure(failure: Failure(.badReply, "bad reply: no end of the head in the first \(buffer.count) bytes"),
                                         bytes: unread.count)
                }
                compact()
            }
            let count = try await receive(on: socket, received: unread.count)
            guard count > 0 else {
                if unread.isEmpty {
                    throw RequestFailure(failure: Failure(.receiving, "receiving failed: the server closed the connection before replying"),
                                         beforeReply: true)
                }
                throw RequestFailure(failure: Failure(.badReply, "bad reply: the server closed the connection within the head"),
                                     bytes: unread.count)
            }
            if unread.isEmpty { firstByte = .now }
            unread = unread.lowerBound..<(unread.upperBound + count)
        }
        guard let head = HTTPReplyHead(parsing: UnsafeRawBufferPointer(rebasing: window[..<headEnd!])) else {
            throw RequestFailure(failure: Failure(.badReply, "bad reply: not an HTTP/1 status line and headers"), bytes: unread.count)
        }
        let headSize = headEnd!
        unread = (unread.lowerBound + headSize)..<unread.upperBound
        var framer = HTTPBodyFramer(plan.expectsNoBody ? .length(0) : head.framing)
        let keeps = plan.keepAlive && head.keepsConnection
        var received = headSize
        while true {
            switch framer.consume(window) {
            case .done(let consumed):
                received += consumed
                unread = (unread.lowerBound + consumed)..<unread.upperBound
                if !keeps { try await drainUntilClose(socket, received: received) }
                return Reply(status: head.status, bytes: received, keepsConnection: keeps, firstByte: firstByte)
            case .malformed(let reason):
                throw RequestFailure(failure: Failure(.badReply, "bad reply: \(reason), \(received) bytes into the reply"),
                                     bytes: received + unread.count)
            case .needMore:
                received += unread.count
                unread = 0..<0
            }
            let count = try await receive(on: socket, received: received)
            if count == 0 {
                guard framer.endsAtClose else {
                    throw RequestFailure(failure: Failure(.receiving, "receiving failed: the server closed the connection after \(framer.payload) body bytes, before the body's end"),
                                         bytes: received)
                }
                return Reply(status: head.status, bytes: received, keepsConnection: false, firstByte: firstByte)
            }
            unread = 0..<count
        }
    }

    /// Reads and drops whatever comes until the server closes.
    private mutating func drainUntilClose(_ socket: AsyncSocket, received: Int) async throws(RequestFailure) {
        unread = 0..<0
        while try await receive(on: socket, received: received) > 0 {}
    }

    /// The unread bytes.
    private var window: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[unread]) }

    /// Moves the unread bytes to the start of the buffer.
    private mutating func compact() {
        let count = unread.count
        if count > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + unread.lowerBound, byteCount: count) }
        unread = 0..<count
    }

    /// One receive into the buffer after the unread bytes, its error classified; `received` is
    /// what the reply had brought so far.
    private func receive(on socket: AsyncSocket, received: Int) async throws(RequestFailure) -> Int {
        do throws(SocketError) {
            return try await socket.receive(into: UnsafeMutableRawBufferPointer(rebasing: buffer[unread.upperBound...]))
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
