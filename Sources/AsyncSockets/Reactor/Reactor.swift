// The reactor: one thread blocked in epoll_wait, woken through an eventfd, resuming the tasks
// whose sockets became ready and the ones whose deadlines passed, and running the jobs queued on
// its executor. A group of them (one per CPU by default) is the async runtime.

import CAsyncRuntime
import Sockets
import Synchronization

/// One event loop of the ``ReactorGroup``: one poller (epoll on Linux), one thread, one timer
/// heap, one job queue (its ``ReactorExecutor``). Started with the group, on first use; a
/// program that never creates an async socket starts none.
///
/// Registrations are edge-triggered and persistent: a descriptor is added once, for reading and
/// writing, when its socket is made async, and removed when the socket closes. Nothing is
/// re-armed per operation, so a receive whose data is waiting costs only the `recv` itself, and
/// one that must wait costs no `epoll_ctl`. With no timers pending, the thread sleeps in
/// `epoll_wait` with no timeout: an idle reactor uses no CPU (a timer left by a wait that ended
/// early wakes it once, at its deadline).
///
/// The poller's token for a registration is a slot number and a generation; the slot holds a
/// weak reference, so a late report for a closed socket finds nothing and is dropped.
final class Reactor: Sendable {
    /// The reactor whose thread is the calling thread, if any: one thread-local load.
    static var current: Reactor? {
        casync_current_reactor().map { Unmanaged<Reactor>.fromOpaque($0).takeUnretainedValue() }
    }

    /// One slot of the registration table.
    private struct Slot {
        weak var registration: Registration?
        var generation: UInt32 = 0
    }

    /// Timers and registrations, guarded by a lock.
    private struct State {
        var timers = TimerHeap()
        /// When the thread will wake by itself (`nil`: not before an event).
        var plannedWake: Deadline?
        var slots: [Slot] = []
        var free: [Int] = []
        var registered = 0
    }

    /// How many operations have suspended so far (for tests and benchmarks).
    private let suspensionCount = Atomic<Int>(0)
    /// How many operations the job running on the reactor's thread has completed without
    /// waiting; reset before each job.
    private let spent = Atomic<Int>(0)
    /// How many operations a job may complete without waiting before it yields the thread
    /// (``yield()``): a socket whose data never runs out would otherwise keep the reactor's
    /// thread from every other socket and timer. A job that waits each time never yields.
    static let operationBudget = 64

    /// Tasks on the reactor's thread that yielded it (``yield()``), resumed after the next look
    /// at the poller; its thread only.
    private let yielded = Locked<[UnsafeContinuation<Void, Never>]>(Reactor.continuationArray())
    /// Where readiness comes from: epoll, or io_uring's one-shot polls (``AsyncBackend``).
    let poller: any Poller
    /// Why the backend asked for through `SOCKETS_ASYNC_BACKEND` is not the one running, if so.
    let backendNote: String?
    /// The io_uring poller, when that is the backend: operations awaited by completion.
    let completions: IOURingPoller?
    /// The group this reactor belongs to; set once, before the group is handed out.
    nonisolated(unsafe) var group: ReactorGroup?
    /// The executor that runs jobs on this reactor's thread: its job queue.
    let executor: ReactorExecutor
    private let state = Locked(State())

    /// Starts a reactor and its thread, named `name`.
    init(name: String) throws(SocketError) {
        let choice = AsyncBackend.choose()
        backendNote = choice.note
        do throws(Errno) {
            if choice.backend == .ioUring {
                let ring = try IOURingPoller()
                poller = ring
                completions = ring
            } else {
                poller = try EpollPoller()
                completions = nil
            }
        } catch {
            throw SocketError(.system(error), operation: choice.backend == .ioUring ? "io_uring_setup" : "epoll_create")
        }
        executor = ReactorExecutor(poller: poller)
        do throws(Errno) {
            try Sys.startThread { [self] in run(name: name) }
        } catch {
            throw SocketError(.system(error), operation: "reactor start")
        }
    }

    /// How many operations have suspended waiting for readiness so far.
    var suspensions: Int { suspensionCount.load(ordering: .relaxed) }

    /// Counts one suspension.
    func noteSuspension() { suspensionCount.add(1, ordering: .relaxed) }

    /// How many sockets are registered now (for the leak tests).
    var registeredCount: Int { state.withLock { $0.registered } }

    /// Takes ownership of `socket` and adds its descriptor to the poller, edge-triggered for
    /// reading and writing.
    func register(_ socket: consuming Socket, isStream: Bool) throws(SocketError) -> Registration {
        let descriptor = socket.descriptor
        let token: UInt64 = state.withLock { state in
            let index: Int
            if let reused = state.free.popLast() {
                index = reused
            } else {
                index = state.slots.count
                state.slots.append(Slot())
            }
            // 30 bits: a token never has its top two bits set, which the io_uring backend uses
            // for its operations and for the direction of a poll.
            state.slots[index].generation = (state.slots[index].generation &+ 1) & 0x3FFF_FFFF
            state.registered += 1
            return UInt64(state.slots[index].generation) << 32 | UInt64(index)
        }
        let registration = Registration(socket, isStream: isStream, token: token, reactor: self)
        state.withLock { $0.slots[Int(token & 0xFFFF_FFFF)].registration = registration }
        do throws(Errno) {
            try poller.add(descriptor, token: token)
        } catch {
            throw SocketError(.system(error), operation: poller.backend == .ioUring ? "io_uring poll" : "epoll_ctl",
                              target: "descriptor \(descriptor)")
        }
        return registration
    }

    /// Frees `registration`'s slot and removes it from the poller, telling it whether its
    /// descriptor is about to close (once; later calls do nothing).
    func forget(_ registration: Registration, removingFromPoller: Bool = true) {
        let index = Int(registration.token & 0xFFFF_FFFF)
        let generation = UInt32(registration.token >> 32)
        let wasRegistered: Bool = state.withLock { state in
            guard state.slots[index].generation == generation else { return false }
            state.slots[index].generation = (state.slots[index].generation &+ 1) & 0x3FFF_FFFF
            state.slots[index].registration = nil
            state.free.append(index)
            state.registered -= 1
            return true
        }
        if wasRegistered {
            poller.remove(registration.descriptor, token: registration.token, closing: !removingFromPoller)
        }
    }

    /// Wakes `registration`'s waiter in `direction` at `deadline` unless it is resumed first.
    /// On the reactor's own thread nothing needs waking: the loop plans its next wait from the
    /// timers after the jobs it is running.
    func schedule(_ registration: Registration, _ direction: Direction, at deadline: Deadline) {
        let wake: Bool = state.withLock { state in
            state.timers.push(TimerHeap.Entry(deadline: deadline, registration: registration, direction: direction))
            guard state.plannedWake.map({ deadline < $0 }) ?? true else { return false }
            state.plannedWake = deadline
            return true
        }
        if wake && !isCurrentThread { poller.wake() }
    }

    /// Runs `action` on the reactor's thread at `deadline`: a deadline kept by the reactor,
    /// whatever Swift's own pool is doing (a blocking lookup's timeout).
    func schedule(at deadline: Deadline, _ action: @escaping @Sendable () -> Void) {
        let wake: Bool = state.withLock { state in
            state.timers.push(TimerHeap.Entry(deadline: deadline, registration: nil, direction: .read, action: action))
            guard state.plannedWake.map({ deadline < $0 }) ?? true else { return false }
            state.plannedWake = deadline
            return true
        }
        if wake && !isCurrentThread { poller.wake() }
    }

    /// An empty job array with room for 1,024 jobs.
    static func jobArray() -> [QueuedJob] {
        var jobs: [QueuedJob] = []
        jobs.reserveCapacity(1024)
        return jobs
    }

    /// An empty continuation array with room for 1,024.
    private static func continuationArray() -> [UnsafeContinuation<Void, Never>] {
        var continuations: [UnsafeContinuation<Void, Never>] = []
        continuations.reserveCapacity(1024)
        return continuations
    }

    /// Counts an operation that completed without waiting; `true` when the caller runs on the
    /// reactor's thread and its job has used up ``operationBudget``, so it should ``yield()``.
    @inline(__always)
    func spendBudget() -> Bool {
        guard isCurrentThread else { return false }
        return spent.add(1, ordering: .relaxed).newValue >= Self.operationBudget
    }

    /// Suspends the calling task, which runs on the reactor's thread, until the reactor has
    /// looked at the poller and the jobs queued before it have run: the thread's turn for every
    /// other socket and timer. Unlike `Task.yield()`, which goes through the global executor,
    /// it allocates nothing and never leaves the thread.
    func yield() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            yielded.withLock { $0.append(continuation) }
        }
    }

    /// Queues a job of the global executor (the installed runtime) to run on the reactor's
    /// thread, waking it if it sleeps.
    func enqueueGlobal(_ job: UnownedJob) {
        executor.enqueueJob(QueuedJob(job: job, global: true))
    }

    /// This reactor as the thread-local value of its thread.
    private var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// Whether the caller runs on the reactor's thread (a task on ``ReactorExecutor``, or any
    /// task of the installed runtime that this reactor runs).
    var isCurrentThread: Bool { casync_current_reactor() == opaque }

    /// The thread's loop.
    private func run(name: String) {
        casync_set_current_reactor(opaque)
        casync_name_thread(name)
        completions?.adoptThread(of: opaque)
        let jobs = self.executor.jobs
        let executor = self.executor.asUnownedTaskExecutor()
        var ready: [(Registration, UInt32)] = []
        ready.reserveCapacity(1024)
        // The queue and the batch swap places each round: both start with room, so the steady
        // state never grows either.
        var batch = Reactor.jobArray()
        var resuming = Reactor.continuationArray()
        while true {
            var timeout: Int32 = state.withLock { state in
                guard let next = state.timers.next else {
                    state.plannedWake = nil
                    return -1
                }
                state.plannedWake = next
                return next.pollMilliseconds
            }
            self.executor.sleeping.store(true, ordering: .releasing)
            if !jobs.withLock({ $0.isEmpty }) || !yielded.withLock({ $0.isEmpty }) {
                self.executor.sleeping.store(false, ordering: .releasing)
                timeout = 0
            }
            let poller = self.poller
            poller.wait(timeoutMilliseconds: timeout) { event in
                state.withLock { state in
                    let slot = state.slots[Int(event.token & 0xFFFF_FFFF)]
                    guard slot.generation == UInt32(event.token >> 32), let registration = slot.registration else {
                        return
                    }
                    if event.pollDirection >= 0 { registration.pollCompleted(Direction(rawValue: event.pollDirection)!) }
                    ready.append((registration, event.bits))
                }
            }
            self.executor.sleeping.store(false, ordering: .releasing)
            var index = 0  // Index loops: a debug build's iterators allocate.
            while index < ready.count {
                ready[index].0.signal(ready[index].1)
                index += 1
            }
            ready.removeAll(keepingCapacity: true)
            fireTimers()
            // Tasks that yielded the thread queue up behind those the poller just resumed.
            yielded.withLock { swap(&$0, &resuming) }
            index = 0
            while index < resuming.count {
                resuming[index].resume()
                index += 1
            }
            resuming.removeAll(keepingCapacity: true)
            // The jobs queued so far, including the tasks just resumed; jobs they queue in turn
            // run after the next look at the poller, so I/O is never starved.
            jobs.withLock { swap(&$0, &batch) }
            index = 0
            while index < batch.count {
                spent.store(0, ordering: .relaxed)
                if batch[index].global {
                    casync_run_global_job(unsafeBitCast(batch[index].job, to: UnsafeMutableRawPointer.self))
                } else {
                    batch[index].job.runSynchronously(on: executor)
                }
                index += 1
            }
            batch.removeAll(keepingCapacity: true)
        }
    }

    /// Resumes every waiter whose deadline has passed.
    private func fireTimers() {
        let now = Deadline.now
        while let entry = state.withLock({ $0.timers.popDue(at: now) }) {
            if let action = entry.action {
                action()
                continue
            }
            guard let registration = entry.registration else { continue }
            if let later = registration.timerFired(entry.direction, now: now) {
                schedule(registration, entry.direction, at: later)
            }
        }
    }
}
