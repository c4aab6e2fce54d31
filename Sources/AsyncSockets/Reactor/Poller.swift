// The reactor's source of readiness: epoll's edge-triggered registrations, or io_uring's one-shot
// polls armed per wait (and its operations awaited by completion). Both report readiness with
// the registration's token; the reactor does the rest.

import CAsyncRuntime
import Sockets
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where readiness comes from: one implementation per backend.
protocol Poller: Sendable {
    /// Which backend this is.
    var backend: AsyncBackend { get }

    /// Watches `descriptor` for reading, writing and hang-ups, edge-triggered, reporting `token`
    /// (pollers that arm per wait do nothing here).
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

}

extension Poller {
    var armsPerWait: Bool { false }
    func arm(_ descriptor: Int32, token: UInt64, direction: Direction) {}
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
/// readiness nobody waits for), and receives awaited by completion. A poll stays armed until it
/// reports or the socket closes.
///
/// Only the reactor's thread touches the submission queue and enters the ring: the kernel ties
/// a request to the thread that submitted it and cancels it when that thread exits, so a
/// request handed in by a pool thread that later ends would fail with `-ECANCELED`. Other
/// threads queue their requests under a lock and wake the reactor through an eventfd, which the
/// reactor polls in the ring; its own requests go in with its next `io_uring_enter`, with no
/// system call of their own.
final class IOURingPoller: Poller, @unchecked Sendable {
    /// A submission asked for by a thread other than the reactor's.
    private enum Request {
        case poll(descriptor: Int32, events: UInt32, userData: UInt64)
        case removal(target: UInt64)
        case cancel(target: UInt64)
    }

    private let ring: IOURing
    /// Requests from other threads, for the reactor to submit.
    private let queued = Locked<[Request]>([])
    /// The reactor's copy of ``queued`` while it submits them (its thread only).
    private var draining: [Request] = []
    /// The eventfd other threads write to wake the reactor, and whether its poll is armed
    /// (the reactor's thread only).
    private let waker: Int32
    private var wakerArmed = false
    /// The operations awaited by completion (``receive(_:_:into:flags:)``).
    private let operations = Locked(IOURingOperations())
    /// The user data of the waker's poll, of poll removals and of cancellations, whose
    /// completions are not events.
    private static let wakeUp = UInt64.max
    private static let removal = UInt64.max - 1
    private static let ignored = UInt64.max - 2
    /// The provided buffers every multishot receive picks from, registered on first use
    /// (``streamBuffers()``); the reactor's thread only.
    private var sharedBuffers: ProvidedBuffers?
    private var sharedBuffersFailed = false
    /// How many provided buffers, and their size: a loop's chunks are at most this size.
    static let streamBufferCount = 256
    static let streamBufferSize = 16 * 1024
    /// Whether receive loops run as multishot receives (`SOCKETS_IO_URING_MULTISHOT=enabled`).
    let multishotLoops = getenv("SOCKETS_IO_URING_MULTISHOT").map { String(cString: $0) == "enabled" } ?? false
    /// How many operations have completed through the ring (for tests and benchmarks).
    private let completedCount = Atomic<Int>(0)

    /// The reactor whose thread owns the ring (``adoptThread(of:)``); set once, as that thread
    /// starts and before any request.
    private let owner = Atomic<UInt>(0)

    /// Makes the thread of `reactor` (the thread-local value of ``Reactor/current``) the ring's
    /// owner: the only one that submits. Called on that thread as it starts.
    func adoptThread(of reactor: UnsafeMutableRawPointer) {
        owner.store(UInt(bitPattern: reactor), ordering: .releasing)
    }

    /// Whether the caller runs on the ring's own thread.
    var isOwnerThread: Bool {
        UInt(bitPattern: casync_current_reactor()) == owner.load(ordering: .relaxed)
    }

    /// How many times a multishot receive was submitted again after it stopped short.
    private let rearmCount = Atomic<Int>(0)

    /// How many times multishot receives were submitted again (for tests and benchmarks).
    var streamRearms: Int { rearmCount.load(ordering: .relaxed) }

    /// Counts one multishot receive submitted again.
    func noteRearm() { rearmCount.add(1, ordering: .relaxed) }

    /// How many operations have been awaited by completion so far.
    var completedOperations: Int { completedCount.load(ordering: .relaxed) }

    var backend: AsyncBackend { .ioUring }

    init() throws(Errno) {
        // Room for every operation in flight and then some: a multishot receive whose completion
        // finds the ring full ends (and a late one goes through the kernel's slow overflow list).
        ring = try IOURing(entries: 1024, completionEntries: UInt32(IOURingOperations.capacity) * 2,
                           flags: IOURing.cooperativeTaskRun)
        waker = try Sys.wakerCreate()
        draining.reserveCapacity(1024)
        queued.withLock { $0.reserveCapacity(1024) }
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
        request(.poll(descriptor: fd, events: events, userData: direction == .read ? token : token | Self.writeBit))
    }

    /// Takes back the poll armed in `direction` for `token`, if any (at the socket's close).
    private func disarm(token: UInt64, direction: Direction) {
        request(.removal(target: direction == .read ? token : token | Self.writeBit))
    }

    /// Submits `request` on the reactor's thread, or queues it for the reactor and wakes it.
    private func request(_ request: Request) {
        if isOwnerThread {
            submitOnReactor(request)
        } else {
            queued.withLock { $0.append(request) }
            wake()
        }
    }

    /// Fills a submission for `request`; on the reactor's thread only. A full queue is
    /// submitted first.
    private func submitOnReactor(_ request: Request) {
        ring.enqueue(submittingNow: false) { entry in
            switch request {
            case .poll(let descriptor, let events, let userData):
                IOURing.preparePoll(entry, descriptor: descriptor, events: events, userData: userData)
            case .removal(let target):
                IOURing.preparePollRemoval(entry, target: target, userData: Self.removal)
            case .cancel(let target):
                IOURing.prepareCancel(entry, target: target, userData: Self.ignored)
            }
        }
    }

    func wait(timeoutMilliseconds: Int32, _ report: (PollEvent) -> Void) {
        if !wakerArmed {
            submitOnReactor(.poll(descriptor: waker, events: PollBits.readable, userData: Self.wakeUp))
            wakerArmed = true
        }
        queued.withLock { swap(&$0, &draining) }
        for request in draining { submitOnReactor(request) }
        draining.removeAll(keepingCapacity: true)
        let timeout: Duration? = timeoutMilliseconds < 0 ? nil : .milliseconds(Int64(timeoutMilliseconds))
        _ = try? ring.waitForCompletion(submitting: ring.publish(), timeout: timeout)
        ring.reapCompletions { completion in
            let token = completion.userData
            if token == Self.wakeUp {
                wakerArmed = false
                Sys.wakerDrain(waker)
                return
            }
            guard token < Self.ignored else { return }
            if token & IOURingOperations.tag != 0 {
                completedCount.add(1, ordering: .relaxed)
                let (continuation, stream) = operations.withLock { $0.complete(token, more: completion.hasMore) }
                continuation?.resume(returning: completion.result)
                stream?.deliver(result: completion.result, flags: completion.flags)
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
        await complete(reserved) {
            IOURing.prepareReceive($0, descriptor: descriptor, into: buffer, flags: flags, userData: reserved.userData)
        }
    }

    /// Sends from `buffer` through a SEND submission in the `reserved` slot, as
    /// ``receive(_:_:into:flags:)``: the count or -errno.
    func send(_ reserved: (slot: Int, userData: UInt64), _ descriptor: Int32,
              from buffer: UnsafeRawBufferPointer, flags: Int32) async -> Int32 {
        await complete(reserved) {
            IOURing.prepareSend($0, descriptor: descriptor, from: buffer, flags: flags, userData: reserved.userData)
        }
    }

    /// Submits the operation `prepare` fills in the `reserved` slot and suspends until its
    /// completion, which it returns (`-EBUSY` when the ring has no room).
    private func complete(
        _ reserved: (slot: Int, userData: UInt64), _ prepare: (UnsafeMutablePointer<IOURingSubmission>) -> Void
    ) async -> Int32 {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Int32, Never>) in
                guard operations.withLock({ $0.submit(reserved.slot, continuation) }) else {
                    continuation.resume(returning: IOURingCompletion.cancelledResult)
                    return
                }
                if !ring.enqueue(submittingNow: false, prepare) {
                    operations.withLock { $0.complete(reserved.userData) }?.resume(returning: IOURingCompletion.ringFullResult)
                }
            }
        } onCancel: {
            cancel(reserved.userData)
        }
    }

    /// The provided buffers of the multishot receives, registered with the ring on first use;
    /// `nil` where they cannot be (kernels before 5.19, no memory). The reactor's thread only.
    func streamBuffers() -> ProvidedBuffers? {
        if let sharedBuffers { return sharedBuffers }
        guard !sharedBuffersFailed else { return nil }
        do throws(Errno) {
            sharedBuffers = try ProvidedBuffers(ring: ring, group: 0, count: Self.streamBufferCount, size: Self.streamBufferSize)
        } catch {
            sharedBuffersFailed = true
        }
        return sharedBuffers
    }

    /// Starts a multishot receive on `descriptor` into the ``streamBuffers()`` in the `reserved`
    /// slot: every completion goes to `stream`, the last one without `IORING_CQE_F_MORE`. On
    /// the reactor's thread only; the submission goes in with the reactor's next wait. A
    /// cancellation that came first, or a full ring, is delivered as that completion
    /// (`-ECANCELED`, `-EBUSY`).
    func startStream(_ reserved: (slot: Int, userData: UInt64), _ descriptor: Int32, _ buffers: ProvidedBuffers,
                     into stream: IOURingStream) {
        guard operations.withLock({ $0.submit(reserved.slot, stream: stream) }) else {
            stream.deliver(result: IOURingCompletion.cancelledResult, flags: 0)
            return
        }
        let queued = ring.enqueue(submittingNow: false) {
            IOURing.prepareMultishotReceive($0, descriptor: descriptor, group: buffers.group, userData: reserved.userData)
        }
        if !queued {
            _ = operations.withLock { $0.complete(reserved.userData, more: false) }
            stream.deliver(result: IOURingCompletion.ringFullResult, flags: 0)
        }
    }

    /// Cancels the operation named `userData` (from any thread); its completion, `-ECANCELED`
    /// or the result if it won the race, resumes its task.
    func cancel(_ userData: UInt64) {
        guard operations.withLock({ $0.requestCancel(userData) }) else { return }
        request(.cancel(target: userData))
    }

    func wake() { Sys.wakerSignal(waker) }
}
