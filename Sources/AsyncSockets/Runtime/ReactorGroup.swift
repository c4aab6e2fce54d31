// The reactors of the process: one thread each, by default one per CPU the process may run on.
// Sockets are spread over them; with the runtime installed, so are tasks.

import CAsyncRuntime
import Sockets
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The process's reactors, started together on first use (or by ``AsyncRuntime``).
///
/// A socket made on a reactor's thread belongs to that reactor, so a task that makes and uses a
/// socket stays on one thread; a socket made off the reactors, and every accepted connection,
/// goes to the next reactor in turn, so connections spread over the cores.
final class ReactorGroup: Sendable {
    /// The group, once started.
    private static let started = Locked<ReactorGroup?>(nil)  // Locked: ThreadSanitizer sees a pthread mutex.

    /// The process's group, started the first time an async socket needs it, with
    /// ``defaultCount`` reactors unless ``AsyncRuntime`` started it first.
    static var shared: ReactorGroup {
        if let group = Reactor.current?.group { return group }
        if let group = UnsafeMutableRawPointer(bitPattern: published.load(ordering: .acquiring)) {
            return Unmanaged<ReactorGroup>.fromOpaque(group).takeUnretainedValue()
        }
        return start(count: defaultCount).group
    }

    /// The started group, for the lock-free look-up of ``shared`` (it lives as long as the
    /// process).
    private static let published = Atomic<UInt>(0)

    /// Starts the group with `count` reactors, or returns the one already running (and whether
    /// this call started it). A group started with `SOCKETS_RUNTIME=installed` in the
    /// environment installs itself as the global executor.
    static func start(count: Int) -> (group: ReactorGroup, started: Bool) {
        started.withLock { group in
            if let group { return (group, false) }
            let created = makeGroup(count: count)
            group = created
            published.store(UInt(bitPattern: Unmanaged.passRetained(created).toOpaque()), ordering: .releasing)
            // Under the lock, so that nobody sees the group before it is installed.
            if AsyncRuntime.installRequestedByEnvironment {
                do throws(AsyncRuntimeError) {
                    try AsyncRuntime.installHook(created)
                } catch {
                    fatalError("SOCKETS_RUNTIME=installed: \(error)")
                }
            }
            return (created, true)
        }
    }

    /// The group if it has started, without starting it.
    static var ifStarted: ReactorGroup? { started.withLock { $0 } }

    private static func makeGroup(count: Int) -> ReactorGroup {
        do throws(SocketError) {
            return try ReactorGroup(count: count)
        } catch {
            fatalError("the async sockets reactors cannot start: \(error)")
        }
    }

    /// How many reactors a group has unless told otherwise: `SOCKETS_REACTORS` when it is a
    /// number from 1 to 1024, else the CPUs this process may run on (`sched_getaffinity`).
    static var defaultCount: Int {
        if let text = getenv("SOCKETS_REACTORS").map({ String(cString: $0) }), let count = Int(text), (1...1024).contains(count) {
            return count
        }
        return Int(casync_available_cpus())
    }

    /// The reactors, each with its thread.
    let reactors: [Reactor]
    /// The next reactor for a socket made off the reactors.
    private let turn = Atomic<Int>(0)

    private init(count: Int) throws(SocketError) {
        var reactors: [Reactor] = []
        for index in 0..<max(1, count) {
            reactors.append(try Reactor(name: "reactor \(index)"))
        }
        self.reactors = reactors
        for reactor in reactors { reactor.group = self }
    }

    /// The next reactor in turn.
    func next() -> Reactor {
        if reactors.count == 1 { return reactors[0] }
        return reactors[turn.add(1, ordering: .relaxed).oldValue % reactors.count]
    }

    /// The reactor for a new socket: the calling thread's, or the next in turn.
    func forNewSocket() -> Reactor {
        if let current = Reactor.current, current.group === self { return current }
        return next()
    }

    /// The calling thread's reactor, or the first one.
    var preferred: Reactor {
        if let current = Reactor.current, current.group === self { return current }
        return reactors[0]
    }

    /// Queues a job of the global executor (the installed runtime): on the calling thread's
    /// reactor, so a task resumed by its socket's readiness goes on with no hop, or on the next
    /// reactor in turn from any other thread.
    func enqueueGlobal(_ job: UnownedJob) {
        (Reactor.current ?? next()).enqueueGlobal(job)
    }

    /// How many sockets are registered now, over every reactor (for the leak tests).
    var registeredCount: Int { sum(\.registeredCount) }

    /// How many operations have suspended so far, over every reactor.
    var suspensions: Int { sum(\.suspensions) }

    /// `count` added up over the reactors (an index loop: no iterator to allocate in debug builds).
    private func sum(_ count: (Reactor) -> Int) -> Int {
        var total = 0
        var index = 0
        while index < reactors.count {
            total += count(reactors[index])
            index += 1
        }
        return total
    }

    /// The io_uring counters over every reactor, when that is the backend.
    var completions: RingCounters? {
        let rings = reactors.compactMap(\.completions)
        return rings.isEmpty ? nil : RingCounters(rings: rings)
    }

    /// The counters of the group's io_uring pollers, added up.
    struct RingCounters {
        let rings: [IOURingPoller]
        /// Operations awaited by completion so far.
        var completedOperations: Int { rings.reduce(0) { $0 + $1.completedOperations } }
        /// Multishot receives submitted again so far.
        var streamRearms: Int { rings.reduce(0) { $0 + $1.streamRearms } }
    }
}
