// The reactor's source of readiness: epoll, or io_uring's multishot polls. Both report
// edge-triggered changes of a registered descriptor with its token; the reactor does the rest.

import Sockets
import Synchronization

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

    /// Whether readiness must be asked for at each wait (``arm(_:token:direction:)``) rather than
    /// reported for every registration all along.
    var armsPerWait: Bool { get }

    /// Asks for one report of `descriptor` becoming ready in `direction` (pollers that arm per wait).
    func arm(_ descriptor: Int32, token: UInt64, direction: Direction)

    /// Withdraws the request of ``arm(_:token:direction:)`` when its waiter has gone.
    func disarm(token: UInt64, direction: Direction)
}

extension Poller {
    var armsPerWait: Bool { false }
    func arm(_ descriptor: Int32, token: UInt64, direction: Direction) {}
    func disarm(token: UInt64, direction: Direction) {}
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

/// io_uring: a one-shot `POLL_ADD` per wait that needs one (so no completion is made for
/// readiness nobody waits for), and receives awaited by completion; a no-op submitted by another
/// thread wakes the wait. Submissions take a lock; on the reactor's thread they go in with its
/// next wait, without a system call of their own; only the reactor's thread waits and reaps.
final class IOURingPoller: Poller, @unchecked Sendable {
    private let ring: IOURing
    private let lock = Locked(())
    /// The operations awaited by completion (``receive(_:into:flags:timeout:)``).
    private let operations = Locked(IOURingOperations())
    /// The user data of the wake-ups, of poll removals, and of linked timeouts and
    /// cancellations, whose completions are not events.
    private static let wakeUp = UInt64.max
    private static let removal = UInt64.max - 1
    private static let ignored = UInt64.max - 2
    /// How many operations have completed through the ring (for tests and benchmarks).
    private let completedCount = Atomic<Int>(0)

    /// How many operations have been awaited by completion so far.
    var completedOperations: Int { completedCount.load(ordering: .relaxed) }

    var backend: AsyncBackend { .ioUring }

    init() throws(Errno) {
        ring = try IOURing(entries: 1024, flags: IOURing.cooperativeTaskRun)
    }

    /// Runs `body`, which submits, under the lock.
    private func submitting(_ body: (IOURing) throws(Errno) -> Void) throws(Errno) {
        try lock.withLock { (_) throws(Errno) in try body(ring) }
    }

    /// The bit of a poll's user data that says it is for writing.
    static let writeBit: UInt64 = 1 << 62

    var armsPerWait: Bool { true }

    func add(_ fd: Int32, token: UInt64) throws(Errno) {}

    func remove(_ fd: Int32, token: UInt64, closing: Bool) {
        // Both directions: a pending poll holds the file, so closing the descriptor alone
        // would keep the socket open.
        disarm(token: token, direction: .read)
        disarm(token: token, direction: .write)
    }

    func arm(_ fd: Int32, token: UInt64, direction: Direction) {
        let events = direction == .read ? PollBits.readable | PollBits.readHangUp : PollBits.writable
        let userData = direction == .read ? token : token | Self.writeBit
        let now = !Reactor.shared.isCurrentThread
        lock.withLock { _ in
            ring.enqueue(submittingNow: now) { IOURing.preparePoll($0, descriptor: fd, events: events, oneShot: true, userData: userData) }
        }
    }

    func disarm(token: UInt64, direction: Direction) {
        let target = direction == .read ? token : token | Self.writeBit
        let now = !Reactor.shared.isCurrentThread
        lock.withLock { _ in
            ring.enqueue(submittingNow: now) { IOURing.preparePollRemoval($0, target: target, userData: Self.removal) }
        }
    }



    func wait(timeoutMilliseconds: Int32, _ report: (PollEvent) -> Void) {
        let timeout: Duration? = timeoutMilliseconds < 0 ? nil : .milliseconds(Int64(timeoutMilliseconds))
        // The operations the reactor's tasks filled in since the last wait go in with it.
        let pending = lock.withLock { _ in ring.publish() }
        _ = try? ring.waitForCompletion(submitting: pending, timeout: timeout)
        ring.reapCompletions { completion in
            let token = completion.userData
            guard token < Self.ignored else { return }
            if token & IOURingOperations.tag != 0 {
                completedCount.add(1, ordering: .relaxed)
                operations.withLock { $0.complete(token) }?.resume(returning: completion.result)
                return
            }
            let direction = token & Self.writeBit != 0 ? 1 : 0
            if completion.result >= 0 {
                report(PollEvent(bits: UInt32(completion.result), token: token & ~Self.writeBit, pollDirection: direction))
            } else if !completion.wasCancelled {
                // The poll failed: report the direction ready so that its waiter tries its call.
                let bits = direction == 1 ? PollBits.writable : PollBits.readable
                report(PollEvent(bits: bits, token: token & ~Self.writeBit, pollDirection: direction))
            }
        }
    }

    /// A slot for an operation and the user data that names it, or `nil` when too many are
    /// in flight (wait for readiness instead).
    func reserve() -> (slot: Int, userData: UInt64)? {
        operations.withLock { $0.reserve() }
    }

    /// Frees a slot from ``reserve()`` that is not going to be used.
    func release(_ reserved: (slot: Int, userData: UInt64)) {
        operations.withLock { $0.abandon(reserved.slot) }
    }

    /// Receives into `buffer` through a RECV submission in the `reserved` slot, suspending until
    /// it completes. Call it on the reactor's thread only: the submission goes in with the
    /// reactor's next wait. Returns the count or -errno (`-ECANCELED` after ``cancel(_:)``,
    /// from the task's cancellation or the caller's timer).
    func receive(_ reserved: (slot: Int, userData: UInt64), _ descriptor: Int32,
                 into buffer: UnsafeMutableRawBufferPointer, flags: Int32) async -> Int32 {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Int32, Never>) in
                guard operations.withLock({ $0.submit(reserved.slot, continuation) }) else {
                    continuation.resume(returning: IOURingCompletion.cancelledResult)
                    return
                }
                let queued = lock.withLock { _ in
                    ring.enqueue(submittingNow: false) {
                        IOURing.prepareReceive($0, descriptor: descriptor, into: buffer, flags: flags,
                                               userData: reserved.userData)
                    }
                }
                if !queued {
                    operations.withLock { $0.complete(reserved.userData) }?.resume(returning: IOURingCompletion.ringFullResult)
                }
            }
        } onCancel: {
            cancel(reserved.userData)
        }
    }

    /// Cancels the operation named `userData` (from any thread); its completion, `-ECANCELED`
    /// or the result if it won the race, resumes its task.
    func cancel(_ userData: UInt64) {
        guard operations.withLock({ $0.requestCancel(userData) }) else { return }
        let now = !Reactor.shared.isCurrentThread
        lock.withLock { _ in
            ring.enqueue(submittingNow: now) { IOURing.prepareCancel($0, target: userData, userData: Self.ignored) }
        }
    }

    func wake() {
        try? submitting { (ring) throws(Errno) in
            try ring.submitNow { IOURing.prepareNoOperation($0, userData: Self.wakeUp) }
        }
    }
}
