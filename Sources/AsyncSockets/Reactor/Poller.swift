// The reactor's source of readiness: epoll, or io_uring's multishot polls. Both report
// edge-triggered changes of a registered descriptor with its token; the reactor does the rest.

import Sockets

/// Where readiness comes from: one implementation per backend.
protocol Poller: Sendable {
    /// Which backend this is.
    var backend: AsyncBackend { get }

    /// Watches `descriptor` for reading, writing and hang-ups, edge-triggered, reporting `token`.
    func add(_ descriptor: Int32, token: UInt64) throws(Errno)

    /// Stops watching `descriptor`; `closing` says it is about to be closed.
    func remove(_ descriptor: Int32, token: UInt64, closing: Bool)

    /// Waits for readiness (at most `timeoutMilliseconds`, -1 for no limit, returning early on
    /// ``wake()``), then calls `report` with each event; the waker's own events are not reported.
    func wait(timeoutMilliseconds: Int32, _ report: (PollEvent) -> Void)

    /// Makes a ``wait(timeoutMilliseconds:_:)`` in progress, or the next one, return.
    func wake()
}

/// epoll, edge-triggered, with an eventfd to wake it. The event buffer is only touched by the
/// reactor's thread, in ``wait(timeoutMilliseconds:_:)``.
final class EpollPoller: Poller, @unchecked Sendable {
    private let descriptor: Int32
    private let waker: Int32
    private let events = PollEvents(capacity: 1024)

    var backend: AsyncBackend { .epoll }

    init() throws(Errno) {
        descriptor = try Sys.pollerCreate()
        do throws(Errno) {
            waker = try Sys.wakerCreate()
            try Sys.pollerAdd(descriptor, waker, bits: PollBits.readable | PollBits.edgeTriggered, token: .max)
        } catch {
            Sys.closeDescriptor(descriptor)
            throw error
        }
    }

    func add(_ fd: Int32, token: UInt64) throws(Errno) {
        try Sys.pollerAdd(descriptor, fd,
                          bits: PollBits.readable | PollBits.writable | PollBits.readHangUp | PollBits.edgeTriggered,
                          token: token)
    }

    func remove(_ fd: Int32, token: UInt64, closing: Bool) {
        // Closing the descriptor removes it from epoll by itself.
        if !closing { try? Sys.pollerRemove(descriptor, fd) }
    }

    func wait(timeoutMilliseconds: Int32, _ report: (PollEvent) -> Void) {
        let count = (try? Sys.pollerWait(descriptor, events, timeoutMilliseconds: timeoutMilliseconds)) ?? 0
        var woken = false
        for index in 0..<count {
            let event = events[index]
            if event.token == .max {
                woken = true
            } else {
                report(event)
            }
        }
        if woken { Sys.wakerDrain(waker) }
    }

    func wake() { Sys.wakerSignal(waker) }
}

/// io_uring: one multishot, edge-triggered `POLL_ADD` per descriptor; a no-op submitted by
/// another thread wakes the wait. Submissions from any thread take a lock; only the reactor's
/// thread waits and reaps.
final class IOURingPoller: Poller, @unchecked Sendable {
    private let ring: IOURing
    private let lock = Locked(())
    /// The user data of the wake-ups and of poll removals, whose completions are not events.
    private static let wakeUp = UInt64.max
    private static let removal = UInt64.max - 1

    var backend: AsyncBackend { .ioUring }

    init() throws(Errno) {
        ring = try IOURing(entries: 1024)
    }

    /// Runs `body`, which submits, under the lock.
    private func submitting(_ body: (IOURing) throws(Errno) -> Void) throws(Errno) {
        try lock.withLock { (_) throws(Errno) in try body(ring) }
    }

    func add(_ fd: Int32, token: UInt64) throws(Errno) {
        try submitting { (ring) throws(Errno) in
            try ring.submitNow {
                IOURing.preparePoll($0, descriptor: fd,
                                    events: PollBits.readable | PollBits.writable | PollBits.readHangUp, userData: token)
            }
        }
    }

    func remove(_ fd: Int32, token: UInt64, closing: Bool) {
        // Always: a pending poll holds the file, so closing the descriptor alone would keep the
        // socket open.
        try? submitting { (ring) throws(Errno) in
            try ring.submitNow { IOURing.preparePollRemoval($0, target: token, userData: Self.removal) }
        }
    }

    func wait(timeoutMilliseconds: Int32, _ report: (PollEvent) -> Void) {
        let timeout: Duration? = timeoutMilliseconds < 0 ? nil : .milliseconds(Int64(timeoutMilliseconds))
        _ = try? ring.waitForCompletion(timeout: timeout)
        ring.reapCompletions { completion in
            let token = completion.userData
            guard token != Self.wakeUp && token != Self.removal else { return }
            if completion.result >= 0 {
                report(PollEvent(bits: UInt32(completion.result), token: token, needsRearm: !completion.hasMore))
            } else if !completion.wasCancelled {
                // The poll ended by itself (no room for completions, say): report everything so
                // that waiters try again, and have it registered anew.
                report(PollEvent(bits: PollBits.readable | PollBits.writable, token: token, needsRearm: true))
            }
        }
    }

    func wake() {
        try? submitting { (ring) throws(Errno) in
            try ring.submitNow { IOURing.prepareNoOperation($0, userData: Self.wakeUp) }
        }
    }
}
