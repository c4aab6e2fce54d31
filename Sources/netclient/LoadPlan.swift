// What every `netclient load` client of one run shares: where to connect, the request's bytes
// (once, and repeated for a pipelined batch), how long each step may take, and how many
// requests are left or until when new ones start, or the open loop's timetable.

import Sockets
import Synchronization

/// The run's plan, read-only while it runs but for the count of requests left.
final class LoadPlan: @unchecked Sendable {
    let address: SocketAddress
    let keepAlive: Bool
    /// Whether a connection whose reply ran to the server's close ends with a FIN of its own
    /// rather than a reset.
    let gracefulClose: Bool
    let timeout: Duration
    /// The request `pipeline` times over, allocated once for the whole run: a batch of `n`
    /// sends the first `n` copies.
    let requests: UnsafeRawBufferPointer
    /// One request's size in bytes.
    let requestSize: Int
    /// How many requests a connection has in flight at once.
    let pipeline: Int
    /// Whether replies carry no body whatever their heads say (HEAD requests).
    let expectsNoBody: Bool
    /// Whether a request that a closed connection left unanswered may go again (GET and HEAD).
    let idempotent: Bool
    /// The open loop's timetable; `nil` for the closed loop.
    let schedule: LoadSchedule?
    /// When no more requests start.
    let deadline: ContinuousClock.Instant?
    private let remaining: Atomic<Int>

    /// A plan for `requests` requests, or for as many as start before `deadline`; with a
    /// `schedule`, for the requests it lists, each started when due (none after `deadline`).
    init(address: SocketAddress, request: HTTPRequest, keepAlive: Bool, gracefulClose: Bool, timeout: Duration,
         pipeline: Int, requests: Int?, deadline: ContinuousClock.Instant?, schedule: LoadSchedule? = nil) {
        self.address = address
        self.keepAlive = keepAlive
        self.gracefulClose = gracefulClose
        self.timeout = timeout
        let bytes = request.bytes
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count * pipeline, alignment: 16)
        for copy in 0..<pipeline {
            bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: storage[(copy * bytes.count)...]).copyMemory(from: $0) }
        }
        self.requests = UnsafeRawBufferPointer(storage)
        requestSize = bytes.count
        self.pipeline = pipeline
        expectsNoBody = request.expectsNoBody
        idempotent = ["GET", "HEAD"].contains(request.method)
        remaining = Atomic(requests ?? Int.max)
        self.deadline = deadline
        self.schedule = schedule
    }

    deinit { requests.deallocate() }

    /// The bytes of `count` requests back to back.
    func batch(_ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: requests[..<(count * requestSize)])
    }

    /// Takes the next request, or says there is none left to start.
    func takeRequest() -> Bool {
        if let deadline, ContinuousClock.now >= deadline { return false }
        return remaining.subtract(1, ordering: .relaxed).newValue >= 0
    }
}
