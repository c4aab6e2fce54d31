// One socket's place in the reactor: its readiness, and the task waiting in each direction.

import Sockets
import Synchronization

/// Which way an operation waits.
enum Direction: Int, Sendable {
    case read = 0, write = 1
}

/// Why a waiting task was resumed.
enum Wake: Sendable {
    /// Readiness moved: try the call again.
    case ready
    /// The deadline passed.
    case timedOut
    /// The task was cancelled.
    case cancelled
    /// The socket was closed.
    case closed
    /// Another task already waits in this direction.
    case busy
}

/// A registered socket: the owner of its descriptor, its readiness and its waiters.
///
/// It owns the `Socket`: when the last ``AsyncSocket`` copy goes, it leaves the reactor and the
/// socket closes (timers hold it weakly). The reactor names it by a slot and a
/// generation, not a reference, so a report can never reach a registration that is gone.
///
/// The poller reports readiness edge-triggered, once per change; each report bumps the
/// direction's sequence number and resumes its waiter. An operation reads the sequence before
/// its system call; if the call would block, it waits only if the sequence has not moved since,
/// so no report can be lost between the call and the wait. At most one task waits per direction:
/// a second one is refused (``Wake.busy``) rather than left hanging.
final class Registration: Sendable {
    /// A task waiting for readiness, with its deadline.
    struct Waiter {
        var id: UInt64
        var continuation: UnsafeContinuation<Wake, Never>
        var deadline: Deadline?
    }

    /// The waiters, guarded by the lock.
    struct State {
        var waiters: [Waiter?] = [nil, nil]
        /// The wait id a cancellation arrived for before its waiter was installed.
        var cancelled: [UInt64] = [0, 0]
        /// The deadline of the timer already scheduled for each direction, if any.
        var armed: [Deadline?] = [nil, nil]
        /// Whether ``close()`` has run: no more readiness will be reported.
        var closed = false
        /// Whether an operation submitted to io_uring is in flight in each direction (it counts
        /// as the direction's waiter).
        var completing: [Bool] = [false, false]
        /// Each direction's operation in flight on io_uring: its user data and deadline, and
        /// whether the deadline passed (its timer cancelled it).
        var completion: [(userData: UInt64, deadline: Deadline?, timedOut: Bool)?] = [nil, nil]
        /// Whether a one-shot poll is armed in each direction (pollers that arm per wait). A
        /// poll whose waiter was cancelled or timed out stays armed for the next waiter: taking
        /// it back by its user data could take back the next waiter's instead, which reuses it.
        /// The socket's close takes back whatever is still armed.
        var polled: [Bool] = [false, false]
    }

    let descriptor: Int32
    /// The socket; it closes with this registration.
    private let owner: Locked<Socket>
    /// The reactor's slot and generation for this registration (its poller token).
    let token: UInt64
    private let readSequence = Atomic<UInt64>(0)
    private let writeSequence = Atomic<UInt64>(0)
    /// For each direction, 1 + the sequence at which the socket was last seen drained (a short
    /// stream read) or full (a short write), or 0: while the sequence has not moved since, a
    /// call would only fail with EAGAIN, so the operation waits without making it.
    private let readUnreadyAt = Atomic<UInt64>(0)
    private let writeUnreadyAt = Atomic<UInt64>(0)
    /// Whether the poller has reported a hang-up or an error: then a short read proves nothing
    /// (an end of stream or an error may wait behind the data), so every call is made.
    private let hungUp = Atomic<Bool>(false)
    /// Whether this is a TCP socket, where a short read or write says the queue is drained or
    /// full (a datagram read is short whenever the datagram is; a Unix stream read stops short
    /// at passed credentials or descriptors).
    let isStream: Bool
    private let nextWaitID = Atomic<UInt64>(1)
    private let state = Locked(State())
    let reactor: Reactor

    init(_ socket: consuming Socket, isStream: Bool, token: UInt64, reactor: Reactor) {
        descriptor = socket.descriptor
        self.isStream = isStream
        owner = Locked(socket)
        self.token = token
        self.reactor = reactor
    }

    deinit {
        // The descriptor closes right after (with `owner`), which removes it from the poller.
        reactor.forget(self, removingFromPoller: false)
    }

    /// Calls `body` with the socket.
    func withSocket<R, E: Error>(_ body: (borrowing Socket) throws(E) -> R) throws(E) -> R {
        try owner.withLock { (socket) throws(E) -> R in try body(socket) }
    }

    /// Closes the socket for every copy of its ``AsyncSocket``: shuts both directions down,
    /// leaves the reactor, and resumes any waiting task (which then sees `.closed`). The
    /// descriptor itself is closed when the last copy goes, so its number cannot be reused
    /// under a copy still in use.
    func close() {
        reactor.forget(self)
        _ = try? withSocket { (socket) throws(SocketError) in try socket.shutdown(.both) }
        let waiters: [Waiter?] = state.withLock { state in
            state.closed = true
            let waiters = state.waiters
            state.waiters = [nil, nil]
            return waiters
        }
        for waiter in waiters { waiter?.continuation.resume(returning: .closed) }
    }

    /// Whether a task is suspended waiting in `direction` (for tests).
    func isWaiting(_ direction: Direction) -> Bool {
        state.withLock { $0.waiters[direction.rawValue] != nil || $0.completing[direction.rawValue] }
    }

    /// Marks an io_uring operation in flight in `direction`: `nil`, or why it cannot start
    /// (`.closed`, or `.busy` with another waiter).
    func beginCompletion(_ direction: Direction, userData: UInt64, deadline: Deadline?) -> Wake? {
        let slot = direction.rawValue
        var schedule: Deadline? = nil
        let refused: Wake? = state.withLock { state in
            if state.closed { return .closed }
            if state.waiters[slot] != nil || state.completing[slot] { return .busy }
            state.completing[slot] = true
            state.completion[slot] = (userData, deadline, false)
            if let deadline, state.armed[slot].map({ $0 > deadline }) ?? true {
                state.armed[slot] = deadline
                schedule = deadline
            }
            return nil
        }
        if let schedule { reactor.schedule(self, direction, at: schedule) }
        return refused
    }

    /// Moves the deadline of the io_uring operation in flight in `direction` to `deadline` (a
    /// multishot receive's timeout counts from its latest chunk); its timer, due earlier,
    /// finds the later deadline and waits again.
    func extendCompletion(_ direction: Direction, to deadline: Deadline) {
        state.withLock { state in
            if state.completion[direction.rawValue]?.timedOut == false {
                state.completion[direction.rawValue]?.deadline = deadline
            }
        }
    }

    /// Whether ``close()`` has run.
    var isClosed: Bool { state.withLock { $0.closed } }

    /// The one-shot poll in `direction` has reported.
    func pollCompleted(_ direction: Direction) {
        state.withLock { $0.polled[direction.rawValue] = false }
    }

    /// The io_uring operation in `direction` has completed; returns whether its deadline had
    /// passed (so a cancellation result means a timeout).
    func endCompletion(_ direction: Direction) -> Bool {
        state.withLock { state in
            state.completing[direction.rawValue] = false
            defer { state.completion[direction.rawValue] = nil }
            return state.completion[direction.rawValue]?.timedOut ?? false
        }
    }

    /// Notes that a call made at readiness sequence `seen` found the direction drained or full.
    @inline(__always)
    func noteUnready(_ direction: Direction, at seen: UInt64) {
        if direction == .read {
            readUnreadyAt.store(seen &+ 1, ordering: .relaxed)
        } else {
            writeUnreadyAt.store(seen &+ 1, ordering: .relaxed)
        }
    }

    /// Whether the direction is known to be drained or full at sequence `seen`.
    @inline(__always)
    func isKnownUnready(_ direction: Direction, at seen: UInt64) -> Bool {
        let unreadyAt = direction == .read
            ? readUnreadyAt.load(ordering: .relaxed) : writeUnreadyAt.load(ordering: .relaxed)
        return unreadyAt == seen &+ 1 && !hungUp.load(ordering: .relaxed)
    }

    /// The direction's readiness sequence: read it before a call that may block.
    func sequence(_ direction: Direction) -> UInt64 {
        direction == .read ? readSequence.load(ordering: .acquiring) : writeSequence.load(ordering: .acquiring)
    }

    /// Suspends until the direction's readiness moves past `seen`, `deadline` passes, or the
    /// task is cancelled. Allocates nothing: the continuation lives in the task's frame.
    func wait(_ direction: Direction, after seen: UInt64, deadline: Deadline?) async -> Wake {
        let id = nextWaitID.add(1, ordering: .relaxed).newValue
        let slot = direction.rawValue
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Wake, Never>) in
                var schedule: Deadline? = nil
                var arm = false
                let armsPerWait = reactor.poller.armsPerWait
                let immediate: Wake? = state.withLock { state in
                    if state.closed { return .closed }
                    if sequence(direction) != seen { return .ready }
                    if state.cancelled[slot] == id || Task.isCancelled { return .cancelled }
                    if let deadline, deadline.hasPassed { return .timedOut }
                    if state.waiters[slot] != nil || state.completing[slot] { return .busy }
                    state.waiters[slot] = Waiter(id: id, continuation: continuation, deadline: deadline)
                    if armsPerWait && !state.polled[slot] {
                        state.polled[slot] = true
                        arm = true
                    }
                    if let deadline, state.armed[slot].map({ $0 > deadline }) ?? true {
                        state.armed[slot] = deadline
                        schedule = deadline
                    }
                    return nil
                }
                if let immediate {
                    continuation.resume(returning: immediate)
                    return
                }
                reactor.noteSuspension()
                if arm { reactor.poller.arm(descriptor, token: token, direction: direction) }
                if let schedule { reactor.schedule(self, direction, at: schedule) }
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { state in
                guard let waiter = state.waiters[slot], waiter.id == id else {
                    state.cancelled[slot] = id
                    return nil
                }
                state.waiters[slot] = nil
                return waiter
            }
            waiter?.continuation.resume(returning: .cancelled)
        }
    }

    /// The poller reported `bits`: bump the sequences and resume the waiters they concern.
    func signal(_ bits: UInt32) {
        let readable = bits & (PollBits.readable | PollBits.error | PollBits.hangUp | PollBits.readHangUp) != 0
        let writable = bits & (PollBits.writable | PollBits.error | PollBits.hangUp) != 0
        if bits & (PollBits.error | PollBits.hangUp | PollBits.readHangUp) != 0 {
            hungUp.store(true, ordering: .relaxed)
        }
        let (reader, writer): (Waiter?, Waiter?) = state.withLock { state in
            var reader: Waiter? = nil, writer: Waiter? = nil
            if readable {
                readSequence.add(1, ordering: .releasing)
                reader = state.waiters[0]
                state.waiters[0] = nil
            }
            if writable {
                writeSequence.add(1, ordering: .releasing)
                writer = state.waiters[1]
                state.waiters[1] = nil
            }
            return (reader, writer)
        }
        reader?.continuation.resume(returning: .ready)
        writer?.continuation.resume(returning: .ready)
    }

    /// The direction's timer fired at `now`: time out its waiter if its deadline has passed, or
    /// return the later deadline to schedule again.
    func timerFired(_ direction: Direction, now: Deadline) -> Deadline? {
        let slot = direction.rawValue
        var expired: Waiter? = nil
        var cancel: UInt64? = nil
        let again: Deadline? = state.withLock { state in
            state.armed[slot] = nil
            if let operation = state.completion[slot], let deadline = operation.deadline, !operation.timedOut {
                if deadline <= now {
                    state.completion[slot]?.timedOut = true
                    cancel = operation.userData
                    return nil
                }
                state.armed[slot] = deadline
                return deadline
            }
            guard let waiter = state.waiters[slot], let deadline = waiter.deadline else { return nil }
            if deadline <= now {
                expired = waiter
                state.waiters[slot] = nil
                return nil
            }
            state.armed[slot] = deadline
            return deadline
        }
        if let cancel { reactor.completions?.cancel(cancel) }
        expired?.continuation.resume(returning: .timedOut)
        return again
    }
}
