// Running tasks on a reactor's own thread (SE-0417), so a socket that becomes ready resumes its
// task with no hop to another thread: the approach of SwiftNIO's event loops.

import Sockets
import Synchronization

/// A task executor backed by one reactor's thread: its queue of jobs.
///
/// By default a task resumed by a reactor continues on Swift's cooperative pool: one hop from
/// the reactor's thread to a pool thread per wake-up. A task that prefers this executor resumes
/// on the reactor's thread itself, right after the event that readied it, which removes the hop
/// (and the pool's allocation for it):
///
///     try await withTaskExecutorPreference(AsyncSocket.reactorExecutor) {
///         let socket = try await AsyncSocket.connected(to: address)
///         ...
///     }
///
/// With the runtime installed (``AsyncRuntime/install(reactors:)``) every task runs on the
/// reactors' executors without asking. Work on this executor shares one thread with its
/// sockets' I/O: keep it to I/O and short steps, as on an event loop.
public final class ReactorExecutor: TaskExecutor, Sendable {
    /// The jobs queued for the reactor's thread, run after each batch of events: a task's that
    /// prefers this executor (`global` false), or any job of the installed runtime (`global`
    /// true, run as Swift's own global executor runs it).
    let jobs = Locked<[QueuedJob]>(Reactor.jobArray())
    /// Whether the thread is (about to be) blocked in its poller, so an enqueued job must wake
    /// it; cleared by whoever wakes it.
    let sleeping = Atomic<Bool>(false)
    /// The reactor's poller, woken when a job arrives while the thread sleeps.
    private let poller: any Poller

    /// The executor of the reactor that waits on `poller`.
    init(poller: any Poller) {
        self.poller = poller
    }

    /// Queues `job` to run on the reactor's thread.
    ///
    /// - Parameter job: the job to run.
    public func enqueue(_ job: consuming ExecutorJob) {
        enqueueJob(QueuedJob(job: UnownedJob(job), global: false))
    }

    /// Queues `job`, waking the thread if it sleeps. From the reactor's own thread (a task it
    /// resumed while reaping completions, a job that starts another) there is nothing to wake:
    /// the loop runs the queue before it waits again.
    func enqueueJob(_ job: QueuedJob) {
        jobs.withLock { $0.append(job) }
        if Reactor.current?.executor === self { return }
        if sleeping.exchange(false, ordering: .acquiringAndReleasing) { poller.wake() }
    }
}

/// A job in a reactor's queue, and how to run it.
struct QueuedJob {
    var job: UnownedJob
    /// Whether it came through the global executor hook (no task executor when it runs).
    var global: Bool
}

extension AsyncSocket {
    /// The executor of the calling thread's reactor, or of the group's first reactor off the
    /// reactors; see ``ReactorExecutor``.
    public static var reactorExecutor: ReactorExecutor { ReactorGroup.shared.preferred.executor }
}
