// Sleeping on a reactor's timer heap: the reactor that keeps the deadline runs the task next.

import Sockets

extension AsyncRuntime {
    /// Suspends the calling task until `deadline`, kept by a reactor's timer heap: the calling
    /// thread's reactor, or the next one in turn.
    ///
    /// Use it where a task on the reactors waits for a moment rather than for a socket: a
    /// paced sender, a retry's back-off, a load generator's schedule. `Task.sleep` keeps its
    /// timer on the default runtime's own thread (Swift 6.3 does not route it through the
    /// executor hooks), so each wake-up crosses threads before the task runs; this one is
    /// fired by the reactor that then runs the task, in the same turn of its loop. It is kept
    /// to the nanosecond (`epoll_pwait2`, or io_uring's timeout); a kernel without
    /// `epoll_pwait2` rounds up to the millisecond. It never returns before `deadline`.
    ///
    ///     var due = ContinuousClock.now
    ///     for tick in ticks {
    ///         due += .milliseconds(10)
    ///         try await AsyncRuntime.sleep(until: due)
    ///         try await socket.sendAll(tick)
    ///     }
    ///
    /// - Parameter deadline: when to resume; a moment already past returns at once.
    /// - Throws: `CancellationError` when the task is cancelled, at once, whatever is left.
    public static func sleep(until deadline: ContinuousClock.Instant) async throws(CancellationError) {
        if Task.isCancelled { throw CancellationError() }
        let left = ContinuousClock.now.duration(to: deadline)
        guard left > .zero else { return }
        let call = PendingCall<Void>()
        let outcome: Result<Void, SocketError> = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Result<Void, SocketError>, Never>) in
                guard call.install(continuation) else { return }  // Cancelled before it started.
                ReactorGroup.shared.forNewSocket().schedule(at: .after(left)) { call.finish(.success(())) }
            }
        } onCancel: {
            call.finish(.failure(SocketError(.cancelled, operation: "sleep", target: nil)))
        }
        if case .failure = outcome { throw CancellationError() }
    }

    /// Suspends the calling task for `duration`, kept by a reactor's timer heap; see
    /// ``sleep(until:)``.
    ///
    ///     try await AsyncRuntime.sleep(for: .milliseconds(250))
    ///
    /// - Parameter duration: how long; zero or less returns at once.
    /// - Throws: `CancellationError` when the task is cancelled, at once, whatever is left.
    public static func sleep(for duration: Duration) async throws(CancellationError) {
        try await sleep(until: ContinuousClock.now.advanced(by: duration))
    }
}
