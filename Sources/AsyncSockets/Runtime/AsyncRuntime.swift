// One call at start-up makes the reactors Swift's global executor: plain `Task {}` and task-group
// code then runs on reactor threads, and a socket that becomes ready resumes its task with no hop.

import CAsyncRuntime
import Sockets
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The async layer's runtime: a group of reactors, one thread each (by default one per CPU the
/// process may run on), each an event loop and a task executor.
///
/// Without ``install(reactors:)`` the reactors only watch sockets, and a task resumed by one
/// goes back to Swift's cooperative pool: a hop between threads per wake-up (unless the task
/// asks for ``AsyncSocket/reactorExecutor``). Installed, the group becomes Swift's global
/// concurrent executor, in the manner of SwiftNIO's
/// `NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()`:
///
///     @main struct Server {
///         static func main() async throws {
///             try AsyncRuntime.install()   // first thing, before any task starts
///             ...
///         }
///     }
///
/// or, in a program whose `main` is synchronous, before the first `Task`. Every job that would
/// have gone to the global executor runs on a reactor: the calling thread's own when it is one
/// (a task woken by its socket stays where the socket is), the next in turn otherwise. The main
/// actor is untouched. `Task.sleep`'s timer stays the default runtime's; the task it wakes goes
/// on on a reactor.
///
/// Code on a reactor shares its thread with that reactor's sockets: anything that blocks the
/// thread (a blocking `Socket` call, a lock held long, a CPU-heavy step) holds up every socket
/// of that reactor. The library's own blocking calls (name and service lookups) run on a pool
/// of their own.
///
/// `SOCKETS_REACTORS=N` sets the default group size, and `SOCKETS_RUNTIME=installed` installs
/// the runtime as the group starts, without a change to the program (the test suites use both).
public enum AsyncRuntime {
    /// Whether the reactors are Swift's global executor in this process.
    public static var isInstalled: Bool { installed.load(ordering: .acquiring) }

    /// How many reactors run (starting them if they have not started yet).
    public static var reactorCount: Int { ReactorGroup.shared.reactors.count }

    /// The executor of each reactor, in order (starting them if they have not started yet): to
    /// spread work over the reactors by hand, a task per reactor that prefers its executor.
    /// A socket made on a reactor's thread belongs to that reactor.
    ///
    ///     try AsyncRuntime.start(reactors: 2)
    ///     for executor in AsyncRuntime.executors {
    ///         group.addTask(executorPreference: executor) { ... }
    ///     }
    public static var executors: [ReactorExecutor] { ReactorGroup.shared.reactors.map(\.executor) }

    /// Starts the reactors without installing them: sockets spread over `reactors` threads, and
    /// tasks stay on Swift's own pool unless they prefer ``AsyncSocket/reactorExecutor``. For a
    /// library that must not take over its host process's executor.
    ///
    /// - Parameter reactors: how many reactor threads; `nil` for one per CPU the process may
    ///   run on (or `SOCKETS_REACTORS`).
    /// - Throws: ``AsyncRuntimeError`` `.alreadyStarted` when the reactors already run with
    ///   another count (the first socket starts them), `.invalidCount` for fewer than 1 or more
    ///   than 1,024.
    public static func start(reactors: Int? = nil) throws(AsyncRuntimeError) {
        let count = try validated(reactors)
        let (group, started) = ReactorGroup.start(count: count)
        if !started, reactors != nil, group.reactors.count != count {
            throw AsyncRuntimeError(.alreadyStarted, "the reactors already run (\(group.reactors.count) of them): start them before the first async socket")
        }
    }

    /// Starts the reactors (if they have not started) and installs them as Swift's global
    /// concurrent executor. Call it once, at start-up, from synchronous code or the start of
    /// `main`, before any other task starts. On any error the program stays on Swift's default
    /// executor, where everything works as before.
    ///
    /// - Parameter reactors: how many reactor threads; `nil` for one per CPU the process may
    ///   run on (or `SOCKETS_REACTORS`).
    /// - Throws: ``AsyncRuntimeError``: `.alreadyInstalled` on a second call; `.tooLate` when
    ///   called from a task other than the main one (tasks already run on the default
    ///   executor); `.alreadyStarted` when the reactors already run with another count;
    ///   `.hookMissing` where the concurrency runtime has no global executor hook;
    ///   `.hookTaken` when other code has installed one; `.invalidCount`.
    public static func install(reactors: Int? = nil) throws(AsyncRuntimeError) {
        if isInstalled {
            throw AsyncRuntimeError(.alreadyInstalled, "the async runtime is already installed")
        }
        if isInsideNonMainTask {
            throw AsyncRuntimeError(.tooLate, "install the async runtime at start-up, before any task starts (this call runs inside one)")
        }
        try start(reactors: reactors)
        try installHook(ReactorGroup.shared)
    }

    /// Installs `group` as the global executor (also from `SOCKETS_RUNTIME=installed`).
    static func installHook(_ group: ReactorGroup) throws(AsyncRuntimeError) {
        let outcome = installing.withLock { _ -> Int32 in
            if installed.load(ordering: .acquiring) { return -1 }
            let outcome = casync_install_global_executor { job in
                ReactorGroup.shared.enqueueGlobal(unsafeBitCast(job, to: UnownedJob.self))
            }
            if outcome == Int32(CASYNC_INSTALLED) { installed.store(true, ordering: .releasing) }
            return outcome
        }
        switch outcome {
        case Int32(CASYNC_INSTALLED):
            return
        case -1:
            throw AsyncRuntimeError(.alreadyInstalled, "the async runtime is already installed")
        case Int32(CASYNC_HOOK_MISSING):
            throw AsyncRuntimeError(.hookMissing, "this Swift runtime has no global executor hook (swift_task_enqueueGlobal_hook): staying on the default executor")
        default:
            throw AsyncRuntimeError(.hookTaken, "another global executor is already installed (swift_task_enqueueGlobal_hook is set): staying on the default executor")
        }
    }

    /// Whether `SOCKETS_RUNTIME=installed` asks for the runtime to install itself.
    static var installRequestedByEnvironment: Bool {
        getenv("SOCKETS_RUNTIME").map { String(cString: $0) == "installed" } ?? false
    }

    private static let installed = Atomic<Bool>(false)
    private static let installing = Locked<Bool>(false)  // Locked: ThreadSanitizer sees a pthread mutex (and no zero-size value).

    /// Whether the caller runs inside a task that is not the main one.
    private static var isInsideNonMainTask: Bool {
        withUnsafeCurrentTask { task in task != nil } && !isMainThread
    }

    /// Whether the caller is the process's main thread.
    private static var isMainThread: Bool { casync_is_main_thread() != 0 }

    private static func validated(_ reactors: Int?) throws(AsyncRuntimeError) -> Int {
        guard let reactors else { return ReactorGroup.defaultCount }
        guard (1...1024).contains(reactors) else {
            throw AsyncRuntimeError(.invalidCount, "\(reactors) reactors: give 1 to 1024")
        }
        return reactors
    }
}

/// Why ``AsyncRuntime`` could not start or install the reactors; the program stays on Swift's
/// default executor.
public struct AsyncRuntimeError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public struct Kind: Hashable, Sendable {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// ``AsyncRuntime/install(reactors:)`` was called a second time.
        public static let alreadyInstalled = Kind("alreadyInstalled")
        /// It was called from a task, after tasks had started on the default executor.
        public static let tooLate = Kind("tooLate")
        /// The reactors already run with another count.
        public static let alreadyStarted = Kind("alreadyStarted")
        /// The concurrency runtime has no global executor hook.
        public static let hookMissing = Kind("hookMissing")
        /// Other code has installed a global executor hook.
        public static let hookTaken = Kind("hookTaken")
        /// The reactor count is out of range.
        public static let invalidCount = Kind("invalidCount")
    }

    /// What went wrong.
    public let kind: Kind
    /// A sentence saying what went wrong and what to do.
    public let description: String

    init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
