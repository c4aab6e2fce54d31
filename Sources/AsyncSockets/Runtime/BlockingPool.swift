// The library's own blocking calls (name and service lookups) run here, never on a reactor: a
// few threads, started as calls arrive and ended when none is left, each call bounded by its
// caller's deadline and ended at once by the caller's cancellation.

import Sockets
import Synchronization

/// A small bounded pool of threads for calls that block (`getaddrinfo`, `getservbyname`).
///
/// The caller suspends; its reactor goes on with every other socket. When the deadline passes
/// or the task is cancelled, the caller resumes at once with `.timeout` or `.cancelled`, and the
/// call, which cannot be interrupted, is abandoned: it runs to its end on its thread and its
/// result is discarded. At most ``threadLimit`` calls run at once; later ones queue.
enum BlockingPool {
    /// The most threads the pool runs at once.
    static let threadLimit = 4

    /// Calls waiting for a thread, and how many threads run.
    private struct State {
        var queue: [@Sendable () -> Void] = []
        var running = 0
    }

    private static let state = Locked(State())  // Locked: ThreadSanitizer sees a pthread mutex.

    /// How many calls have been handed to the pool so far (for tests).
    static let started = Atomic<Int>(0)

    /// Runs `body` on a pool thread and returns its result; throws `.timeout` when `deadline`
    /// passes first and `.cancelled` when the task is cancelled first (the call is abandoned).
    ///
    /// - Parameters:
    ///   - operation: the call's name, for errors (`getaddrinfo`).
    ///   - target: what it was about, for errors.
    ///   - deadline: when to stop waiting; `nil` for never.
    ///   - limit: the duration the deadline stands for, for the error's words.
    ///   - body: the blocking call.
    static func run<T: Sendable>(
        _ operation: String, target: String?, deadline: Deadline?, limit: Duration?,
        _ body: @escaping @Sendable () throws(SocketError) -> T
    ) async throws(SocketError) -> T {
        let call = PendingCall<T>()
        let outcome: Result<T, SocketError> = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Result<T, SocketError>, Never>) in
                guard call.install(continuation) else { return }  // Cancelled before it started.
                submit {
                    let result: Result<T, SocketError>
                    do throws(SocketError) {
                        result = .success(try body())
                    } catch {
                        result = .failure(error)
                    }
                    call.finish(result)
                }
                if let deadline {
                    // Kept by a reactor's timer heap: the timeout comes on time even while
                    // Swift's own pool is busy (a task on it would wait for a free thread).
                    let error = SocketError(.timeout, operation: operation, target: target,
                                            detail: "timed out after \(limit ?? deadline.remaining)")
                    ReactorGroup.shared.forNewSocket().schedule(at: deadline) { call.finish(.failure(error)) }
                }
            }
        } onCancel: {
            call.finish(.failure(SocketError(.cancelled, operation: operation, target: target)))
        }
        return try outcome.get()
    }

    /// Queues `job` and starts a thread for it if fewer than ``threadLimit`` run. Never runs
    /// `job` on the calling thread, which may be a reactor's.
    static func submit(_ job: @escaping @Sendable () -> Void) {
        started.add(1, ordering: .relaxed)
        state.withLock { $0.queue.append(job) }
        startThreadIfNeeded()
    }

    /// How long the pool waits before it asks again for a thread the system refused.
    static let retryDelay = Duration.milliseconds(50)

    /// Starts a pool thread if a job waits and fewer than ``threadLimit`` run. When the system
    /// refuses a thread (`EAGAIN` at a process or cgroup limit), the jobs stay queued and a
    /// reactor's timer asks again after ``retryDelay``: their callers' deadlines and
    /// cancellations still end the waits on time, and no reactor runs a blocking call.
    private static func startThreadIfNeeded() {
        let start = state.withLock { state -> Bool in
            guard !state.queue.isEmpty, state.running < threadLimit else { return false }
            state.running += 1
            return true
        }
        guard start else { return }
        do throws(Errno) {
            try Sys.startThread { work() }
        } catch {
            state.withLock { $0.running -= 1 }
            ReactorGroup.shared.next().schedule(at: .after(retryDelay)) { startThreadIfNeeded() }
        }
    }

    /// A pool thread's loop: run queued jobs until none is left, then end.
    private static func work() {
        while true {
            let job: (@Sendable () -> Void)? = state.withLock { state in
                if state.queue.isEmpty {
                    state.running -= 1
                    return nil
                }
                return state.queue.removeFirst()
            }
            guard let job else { return }
            job()
        }
    }
}

/// One call in the pool: resumed exactly once, by its result, its deadline or its cancellation.
private final class PendingCall<T: Sendable>: @unchecked Sendable {
    private struct State {
        var continuation: UnsafeContinuation<Result<T, SocketError>, Never>?
        /// The outcome that came before the continuation was installed (a cancellation).
        var early: Result<T, SocketError>?
        var finished = false
    }

    private let state = Locked(State())

    /// Installs the waiting caller; `false` (having resumed it) when the outcome came first.
    func install(_ continuation: UnsafeContinuation<Result<T, SocketError>, Never>) -> Bool {
        let early: Result<T, SocketError>? = state.withLock { state in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early {
            continuation.resume(returning: early)
            return false
        }
        return true
    }

    /// The first outcome resumes the caller; later ones are dropped.
    func finish(_ outcome: Result<T, SocketError>) {
        let continuation: UnsafeContinuation<Result<T, SocketError>, Never>? = state.withLock { state in
            if state.finished { return nil }
            state.finished = true
            if state.continuation == nil { state.early = outcome }
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: outcome)
    }
}
