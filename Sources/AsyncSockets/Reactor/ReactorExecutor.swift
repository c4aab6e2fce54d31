// Running tasks on the reactor's own thread (SE-0417), so a socket that becomes ready resumes
// its task with no hop to another thread: the approach of SwiftNIO's event loops.

import Sockets

/// A task executor backed by the reactor's thread.
///
/// By default a task resumed by the reactor continues on the cooperative pool: one hop from the
/// reactor's thread to a pool thread per wake-up. A task that prefers this executor resumes on
/// the reactor's thread itself, right after the event that readied it, which removes the hop
/// (and the pool's allocation for it):
///
///     try await withTaskExecutorPreference(AsyncSocket.reactorExecutor) {
///         let socket = try await AsyncSocket.connected(to: address)
///         ...
///     }
///
/// Work on this executor shares one thread with every socket's I/O: keep it to I/O and short
/// steps, as on an event loop.
public final class ReactorExecutor: TaskExecutor, Sendable {
    /// The process's one reactor owns the one instance.
    init() {}

    /// Queues `job` to run on the reactor's thread.
    ///
    /// - Parameter job: the job to run.
    public func enqueue(_ job: consuming ExecutorJob) {
        Reactor.shared.enqueue(UnownedJob(job))
    }
}

extension AsyncSocket {
    /// The executor backed by the reactor's thread; see ``ReactorExecutor``.
    public static var reactorExecutor: ReactorExecutor { Reactor.shared.executor }
}
